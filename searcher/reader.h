/* SPDX-License-Identifier: MIT */
/*
 * reader.h: the internals of a reader snapshot (gzt_index) and of search
 * results (gzt_results), shared by search.c, snippet.c and check.c.
 */
#ifndef GZT_READER_H
#define GZT_READER_H

#include "common/analyze.h"
#include "common/manifest.h"
#include "common/segment.h"
#include "searcher/query.h"

struct gzt_index {
    char *dir;           /* index directory */
    gzt_manifest man;    /* the snapshot's manifest */
    gzt_segment **segs;  /* open segments, in docid order */
    uint32_t nsegs;      /* count */
    uint64_t *base;      /* first global docid of each segment */
    uint64_t live;       /* live documents */
    uint64_t tokens;     /* sum of live document lengths */
    double avgdl;        /* tokens / live (1 when empty) */
    gzt_analyzer *an;    /* the index's analyzer */
    struct gzt_gaz *gaz; /* entity lists, loaded when entity: needs them */
};

/* A scored hit held by results. */
typedef struct gzt_rhit {
    double score;              /* BM25 */
    uint64_t gdoc;             /* global docid */
    uint32_t seg;              /* segment index */
    uint32_t doc;              /* local docid */
    gzt_date date;             /* date */
    char *id;                  /* external id (arena) */
    char *title;               /* title (arena) */
    gzt_explain_term *explain; /* per-term breakdown (arena) */
    size_t nexplain;           /* count */
} gzt_rhit;

struct gzt_results {
    gzt_index *idx;   /* borrowed reader */
    gzt_arena arena;  /* everything below */
    gzt_qnode *query; /* parsed query */
    char *canonical;  /* its canonical form (arena) */
    gzt_rhit *hits;   /* returned hits in order */
    size_t nhits;     /* count */
    size_t offset;    /* opts.offset */
    uint64_t total;   /* matches */
    double micros;    /* time taken */
    uint8_t **bits;   /* per segment, the matching docs (only from
                         gzt_search_bits()); arena */
};

/* gzt_search() that also records every match in r->bits. */
GZT_NODISCARD int gzt_search_bits(gzt_results **out, gzt_index *idx,
                                  const char *query,
                                  const gzt_search_opts *opts, gzt_error *err);

/* Locate the live document with external id @p id. */
GZT_NODISCARD int gzt_index_find(gzt_index *idx, const char *id, uint32_t *seg,
                                 uint32_t *doc, bool *found, gzt_error *err);

#endif
