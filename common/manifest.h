/* SPDX-License-Identifier: MIT */
/*
 * manifest.h: the manifest of an index: which generation is committed,
 * which segments and deletion files are live, the analyzer settings and the
 * recorded sources. A small text file (MANIFEST) replaced atomically, with
 * an XXH3 checksum line at the end (docs/FORMAT.md).
 */
#ifndef GZT_MANIFEST_H
#define GZT_MANIFEST_H

#include "common/base.h"

#define GZT_MANIFEST_NAME "MANIFEST"
#define GZT_MANIFEST_MAX (16u << 20)
/* Xapian shard databases of one index: each holds half a dozen files open
 * in every reader and writer */
#define GZT_SHARDS_MAX 128

typedef struct gzt_mseg {
    uint32_t id;      /* segment number */
    uint32_t ndocs;   /* documents in the segment, deleted included */
    uint32_t deleted; /* deleted documents */
    uint64_t tokens;  /* sum of lengths of live documents */
    char del[64];     /* deletion file name or "" */
} gzt_mseg;

typedef struct gzt_msource {
    char *format; /* "auto", "text", "jsonl", "csv" */
    char *path;   /* absolute path, or "-" */
    char *opts;   /* ingest options "id=..;title=..;.." or "" */
} gzt_msource;

typedef struct gzt_manifest {
    uint32_t format;       /* format version of the index it describes */
    uint64_t generation;   /* increases by one per commit */
    char engine[16];       /* "native" or "xapian" */
    uint32_t shards;       /* xapian: shard databases (1 or more) */
    uint64_t shard_tag;    /* xapian: their directory names carry it */
    char language[32];     /* analyzer language */
    uint32_t next_segment; /* number of the next new segment */
    gzt_mseg *segs;        /* live segments in docid order */
    uint32_t nsegs;        /* count */
    int entities;          /* 1: entities are recognised, 0: not */
    char **lists;          /* user entity lists (absolute paths) */
    char *ner_model;       /* a user tagger model (absolute path) or NULL */
    uint32_t nlists;       /* count */
    gzt_msource *sources;  /* recorded sources */
    uint32_t nsources;     /* count */
} gzt_manifest;

/* The directory name of Xapian shard @p k of @p m: "shard-K", or
 * "shard-K.gTAG" for shards a reindex built. */
void gzt_manifest_shard_name(const gzt_manifest *m, uint32_t k, char out[64]);

/* Read the manifest of @p dir. GZT_ENOTFOUND when there is none. */
GZT_NODISCARD int gzt_manifest_read(gzt_manifest *m, const char *dir,
                                    gzt_error *err);
/* Parse manifest text (tests and check use it directly). */
GZT_NODISCARD int gzt_manifest_parse(gzt_manifest *m, const char *text,
                                     size_t len, const char *path,
                                     gzt_error *err);
/* Serialise (with checksum) into @p out. */
GZT_NODISCARD int gzt_manifest_format(const gzt_manifest *m, gzt_buf *out);
/* Write it atomically as @p dir/MANIFEST; *@p replaced (may be NULL) as
 * gzt_io_write_atomic() says: true when the new manifest is in place even
 * if an error is returned. */
GZT_NODISCARD int gzt_manifest_write(const gzt_manifest *m, const char *dir,
                                     bool *replaced, gzt_error *err);
/* Deep copy @p src into @p dst. */
GZT_NODISCARD int gzt_manifest_copy(gzt_manifest *dst, const gzt_manifest *src);
/* Add a source unless an equal one is there. */
GZT_NODISCARD int gzt_manifest_add_source(gzt_manifest *m, const char *format,
                                          const char *path, const char *opts);
/* Add a user entity list unless it is there. */
GZT_NODISCARD int gzt_manifest_add_list(gzt_manifest *m, const char *path);
void gzt_manifest_fini(gzt_manifest *m);

#endif
