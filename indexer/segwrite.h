/* SPDX-License-Identifier: MIT */
/*
 * segwrite.h: writing one immutable segment (format v1, docs/FORMAT.md).
 * Fed by the in-memory inverter when it flushes and by the merger: first
 * every document in docid order, then every term in byte order with its
 * postings in docid order.
 */
#ifndef GZT_SEGWRITE_H
#define GZT_SEGWRITE_H

#include "common/segment.h"

typedef struct gzt_segw gzt_segw;

/* Sizes of what a finished segment wrote. */
typedef struct gzt_segw_info {
    uint32_t ndocs;  /* documents */
    uint64_t nterms; /* terms */
    uint64_t tokens; /* sum of document lengths */
    uint64_t bytes;  /* bytes of all files */
} gzt_segw_info;

GZT_NODISCARD int gzt_segw_open(gzt_segw **out, const char *dir, uint32_t segid,
                                gzt_error *err);
/* Add the next document: its stored record (gzt_store_record()), length in
 * tokens, the position where its title ends, date and content hash. */
GZT_NODISCARD int gzt_segw_add_doc(gzt_segw *w, const void *rec, size_t rec_len,
                                   uint32_t len, uint32_t title_end,
                                   gzt_date date, uint64_t hash,
                                   gzt_error *err);

/* One document for gzt_segw_add_docs(). */
typedef struct gzt_segw_doc {
    const void *rec;    /* stored record */
    size_t rec_len;     /* bytes */
    uint32_t len;       /* length in tokens */
    uint32_t title_end; /* position where the title ends */
    gzt_date date;      /* date */
    uint64_t hash;      /* content hash */
} gzt_segw_doc;

/*
 * Add @p n documents, as gzt_segw_add_doc() would one by one. With
 * @p thread, their stored records are compressed and written on a second
 * thread while the caller goes on with the terms; @p docs and the records
 * must then stay valid until gzt_segw_finish() or gzt_segw_abort(), which
 * wait for that thread. Call at most once, with no gzt_segw_add_doc() after
 * it.
 */
GZT_NODISCARD int gzt_segw_add_docs(gzt_segw *w, const gzt_segw_doc *docs,
                                    size_t n, bool thread, gzt_error *err);
/* Start the next term (strictly greater than the previous). */
GZT_NODISCARD int gzt_segw_term(gzt_segw *w, const char *term, size_t len,
                                gzt_error *err);
/* Add a posting of the current term: docid (increasing), frequency and its
 * @p tf positions (strictly increasing). */
GZT_NODISCARD int gzt_segw_posting(gzt_segw *w, uint32_t doc, uint32_t tf,
                                   const uint32_t *pos, gzt_error *err);
/* Finish every file (footer, fsync) and free @p w. On failure the files
 * are removed. */
GZT_NODISCARD int gzt_segw_finish(gzt_segw *w, gzt_segw_info *info,
                                  gzt_error *err);
/* Remove the partial files and free @p w (NULL ok). */
void gzt_segw_abort(gzt_segw *w);

#endif
