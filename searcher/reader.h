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
#include "common/xapian.h"
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
    gzt_xdb *xdb;        /* engine xapian: the shards as one database
                            (xsearch.c); NULL on the native engine */
    bool stub;           /* opened from a stub file: no manifest */
    char *partial;       /* shards left out by allow_partial, or NULL */
    gzt_buf xrec;        /* the last stored record fetched from xdb */
};

/* A scored hit held by results. */
typedef struct gzt_rhit {
    double score;              /* BM25 */
    uint64_t gdoc;             /* global docid */
    uint32_t seg;              /* segment index */
    uint32_t doc;              /* local docid (xapian: its docid) */
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
    bool lower_bound; /* total is a lower bound (pruned top-k) */
    double micros;    /* time taken */
    uint8_t **bits;   /* per segment, the matching docs (only from
                         gzt_search_bits()); arena */
};

/* gzt_search() that also records every match in r->bits. */
GZT_NODISCARD int gzt_search_bits(gzt_results **out, gzt_index *idx,
                                  const char *query,
                                  const gzt_search_opts *opts, gzt_error *err);

/* The stored fields of hit @p h, valid until the next fetch from @p idx. */
GZT_NODISCARD int gzt_reader_doc(gzt_index *idx, const gzt_rhit *h,
                                 gzt_docfields *f, gzt_error *err);

/* ---- the Xapian engine (xsearch.c) ---- */

/* Open the shards of the index at idx->dir (a stub file when @p stub),
 * filling idx's figures, manifest (from the shards' metadata for a stub)
 * and analyzer. */
GZT_NODISCARD int gzt_xreader_open(gzt_index *idx, bool stub,
                                   const gzt_open_opts *o, gzt_error *err);
/* Run r->query (parsed, dated, entity-resolved) for the page of
 * @p opts. */
GZT_NODISCARD int
gzt_xreader_search(gzt_results *r, const gzt_search_opts *opts, gzt_error *err);
/* Every document matching r->query (every document when @p r is NULL) to
 * @p fn (facets). */
GZT_NODISCARD int gzt_xreader_each(gzt_index *idx, gzt_results *r,
                                   int (*fn)(void *ctx, const gzt_docfields *f),
                                   void *ctx, gzt_error *err);
/* The stored record of Xapian document @p did into idx->xrec, parsed into
 * @p f (valid until the next fetch). */
GZT_NODISCARD int gzt_xreader_doc(gzt_index *idx, uint32_t did,
                                  gzt_docfields *f, gzt_error *err);
/* gzt_index_get() and gzt_index_stats() on the Xapian engine. */
GZT_NODISCARD int gzt_xreader_get(gzt_index *idx, const char *id,
                                  gzt_docfields *f, gzt_date *date,
                                  uint32_t *length, gzt_error *err);
void gzt_xreader_stats(const gzt_index *idx, gzt_stats *out);

/* Locate the live document with external id @p id. */
GZT_NODISCARD int gzt_index_find(gzt_index *idx, const char *id, uint32_t *seg,
                                 uint32_t *doc, bool *found, gzt_error *err);

#endif
