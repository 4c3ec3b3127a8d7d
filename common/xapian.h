/* SPDX-License-Identifier: MIT */
/*
 * xapian.h: a C binding over libxapian (implemented in xapian.cc, the
 * project's only C++ file; nothing else includes <xapian.h>).
 *
 * Opaque handles: a database (gzt_xdb), a document being built (gzt_xdoc),
 * a query (gzt_xq) and a result page (gzt_xmset). Every entry point catches
 * every exception: it returns GZT_EBACKEND (or a closer code: GZT_ENOTFOUND
 * for a missing database or document, GZT_ELOCKED for a database another
 * writer holds, GZT_ECORRUPT for a damaged one, GZT_ENOMEM) and keeps
 * Xapian's message, which gzt_xdb_error() returns until the next call on
 * the same handle. Queries and documents only fail for lack of memory.
 *
 * Terms are gazette's own (its analysis feeds Xapian, so both engines see
 * the same tokens); a document is identified by our external id, stored as
 * the unique boolean term "Q" + id. Handles are not thread-safe.
 */
#ifndef GZT_XAPIAN_H
#define GZT_XAPIAN_H

#ifdef __cplusplus
extern "C" { /* base.h has no guard of its own: C is its only other user */
#endif

#include "common/base.h"

#include <stdbool.h>

typedef struct gzt_xdb gzt_xdb;
typedef struct gzt_xdoc gzt_xdoc;
typedef struct gzt_xq gzt_xq;
typedef struct gzt_xmset gzt_xmset;

/* How gzt_xdb_open() opens a database. */
typedef enum gzt_xdb_mode {
    GZT_XDB_READ,      /* read-only: a directory, or a stub file of `remote`
                          (and `auto`) lines */
    GZT_XDB_WRITE,     /* writable; the database must exist */
    GZT_XDB_CREATE,    /* writable; created when missing */
    GZT_XDB_OVERWRITE, /* writable; a new, empty database replacing any */
} gzt_xdb_mode;

/* The prefix of the unique id term. */
#define GZT_XDB_ID_PREFIX 'Q'
/* Bytes of the longest term Xapian stores (its glass backend's limit). */
#define GZT_XTERM_MAX 245

/* How gazette lays its documents out in Xapian (docs/FORMAT.md), shared by
 * the writer (indexer/) and the reader (searcher/). */
#define GZT_XSLOT_DATE 0 /* value slot of the date: YYYYMMDD, 8 digits */
#define GZT_XSLOT_HASH 1 /* value slot of the content hash: 16 hex digits */
/* metadata every shard carries, for readers that see only the shards (a
 * stub of remote shards) and for gazette check */
#define GZT_XMETA_LANGUAGE "gazette.language"
#define GZT_XMETA_ENTITIES "gazette.entities"
#define GZT_XMETA_GENERATION "gazette.generation" /* of its last commit */

/**
 * Open the database at @p path. Remote databases in a stub time out after
 * @p timeout_ms milliseconds (0: Xapian's default of 10 s).
 * @return GZT_OK; GZT_ENOTFOUND, GZT_ELOCKED, GZT_ECORRUPT, GZT_EBACKEND or
 *         GZT_ENOMEM with the message in @p err.
 */
GZT_NODISCARD int gzt_xdb_open(gzt_xdb **out, const char *path,
                               gzt_xdb_mode mode, unsigned timeout_ms,
                               gzt_error *err);
/**
 * Open the @p n databases at @p paths (directories or stub files) read-only
 * as one: searches merge their results with collection-wide statistics.
 * With @p allow_partial a database (or a stub's shard) that cannot be
 * opened is left out rather than failing the call, and gzt_xdb_skipped()
 * names it; the call still fails when none opens.
 */
GZT_NODISCARD int gzt_xdb_open_many(gzt_xdb **out, const char *const *paths,
                                    size_t n, unsigned timeout_ms,
                                    bool allow_partial, gzt_error *err);
/** The databases gzt_xdb_open_many() left out, "; "-separated ("" when
 * none). */
const char *gzt_xdb_skipped(const gzt_xdb *db);
/** Close. A writable database drops what a transaction has not committed
 * (gzt_xdb_begin()); outside one, Xapian commits on close. */
void gzt_xdb_close(gzt_xdb *db);
/** The message of the last failed call on @p db ("" after a success). */
const char *gzt_xdb_error(const gzt_xdb *db);

/** Make every change since the last commit durable (writable only); in a
 * transaction, commit it. */
GZT_NODISCARD int gzt_xdb_commit(gzt_xdb *db);
/** Start a transaction: changes stay invisible (and are dropped by
 * gzt_xdb_close()) until gzt_xdb_commit(). */
GZT_NODISCARD int gzt_xdb_begin(gzt_xdb *db);
/** Write a compacted copy of the database at @p src to the new directory
 * @p dst (Xapian's compaction: full blocks, about half the size of a
 * freshly built database). */
GZT_NODISCARD int gzt_xdb_compact(const char *src, const char *dst,
                                  gzt_error *err);
/** Verify the database at @p path (a directory): GZT_OK, or GZT_ECORRUPT
 * with Xapian's report in @p err. */
GZT_NODISCARD int gzt_xdb_check(const char *path, gzt_error *err);
/** Set the user metadata @p key (writable only). */
GZT_NODISCARD int gzt_xdb_set_meta(gzt_xdb *db, const char *key,
                                   const char *value);
/** The user metadata @p key into @p out ("" when unset). */
GZT_NODISCARD int gzt_xdb_meta(gzt_xdb *db, const char *key, gzt_buf *out);
/** The user metadata @p key read as a decimal number (0 when unset or not
 * a number). */
GZT_NODISCARD int gzt_xdb_meta_u64(gzt_xdb *db, const char *key, uint64_t *out);
/** Distinct terms of the database (walks the term list). */
GZT_NODISCARD int gzt_xdb_termcount(gzt_xdb *db, uint64_t *n);
/** Call @p fn with each document holding @p term ("" = every document),
 * in docid order, until it returns non-zero (which is returned). */
GZT_NODISCARD int gzt_xdb_postlist(gzt_xdb *db, const char *term, size_t len,
                                   int (*fn)(void *ctx, uint32_t docid),
                                   void *ctx);
/** Call @p fn with each term of the database starting with @p prefix, in
 * byte order (over every shard of a combined database), until it returns
 * non-zero (which is returned). */
GZT_NODISCARD int
gzt_xdb_terms(gzt_xdb *db, const char *prefix, size_t len,
              int (*fn)(void *ctx, const char *term, size_t len), void *ctx);
/** Length of document @p docid (the sum of its wdf). */
GZT_NODISCARD int gzt_xdb_doclength(gzt_xdb *db, uint32_t docid, uint32_t *len);
/** Documents in the database. */
GZT_NODISCARD int gzt_xdb_doccount(gzt_xdb *db, uint64_t *n);
/** Documents holding @p term (0 when none). */
GZT_NODISCARD int gzt_xdb_termfreq(gzt_xdb *db, const char *term, size_t len,
                                   uint64_t *df);
/** Occurrences of @p term in all documents (sum of its wdf). */
GZT_NODISCARD int gzt_xdb_collfreq(gzt_xdb *db, const char *term, size_t len,
                                   uint64_t *cf);
/** Sum of document lengths (wdf of all terms of all documents). */
GZT_NODISCARD int gzt_xdb_total_length(gzt_xdb *db, uint64_t *n);

/** A new, empty document. NULL when out of memory. */
gzt_xdoc *gzt_xdoc_new(void);
void gzt_xdoc_free(gzt_xdoc *d);
/** @p term occurs at @p pos, adding @p wdf_inc to its within-document
 * frequency (0: a position that neither scores nor counts in the length). */
GZT_NODISCARD int gzt_xdoc_posting(gzt_xdoc *d, const char *term, size_t len,
                                   uint32_t pos, uint32_t wdf_inc);
/** @p term occurs @p wdf times (0: a boolean term), without positions. */
GZT_NODISCARD int gzt_xdoc_term(gzt_xdoc *d, const char *term, size_t len,
                                uint32_t wdf);
/** Value slot @p slot (dates are kept sortable: gzt_xdb_date_value()). */
GZT_NODISCARD int gzt_xdoc_value(gzt_xdoc *d, unsigned slot, const void *p,
                                 size_t len);
/** The document data (gazette keeps its stored record there). */
GZT_NODISCARD int gzt_xdoc_data(gzt_xdoc *d, const void *p, size_t len);

/**
 * Add @p d as the document with external id @p id, replacing the one with
 * that id if any (its "Q" term is added here). @p docid receives Xapian's
 * document number (may be NULL).
 */
GZT_NODISCARD int gzt_xdb_replace(gzt_xdb *db, const char *id, size_t idlen,
                                  gzt_xdoc *d, uint32_t *docid);
/** Delete the document with external id @p id; GZT_ENOTFOUND if none. */
GZT_NODISCARD int gzt_xdb_delete(gzt_xdb *db, const char *id, size_t idlen);
/** Xapian's number of the document with id @p id; GZT_ENOTFOUND if none. */
GZT_NODISCARD int gzt_xdb_find(gzt_xdb *db, const char *id, size_t idlen,
                               uint32_t *docid);
/** The data of document @p docid, replacing @p out's contents. */
GZT_NODISCARD int gzt_xdb_data(gzt_xdb *db, uint32_t docid, gzt_buf *out);
/** Value slot @p slot of document @p docid, replacing @p out's contents
 * ("" when unset). */
GZT_NODISCARD int gzt_xdb_value(gzt_xdb *db, uint32_t docid, unsigned slot,
                                gzt_buf *out);

/* Queries. Every constructor returns a new handle (NULL when out of
 * memory, or when an operand is NULL); combining copies the operands, which
 * the caller still frees. */
gzt_xq *gzt_xq_term(const char *term, size_t len);
/** Every document. */
gzt_xq *gzt_xq_all(void);
/** Nothing. */
gzt_xq *gzt_xq_none(void);
/** The @p n terms at consecutive positions. */
gzt_xq *gzt_xq_phrase(const char *const *terms, const size_t *lens, size_t n);
/** The @p n terms in order within @p window positions (>= n). */
gzt_xq *gzt_xq_phrase_window(const char *const *terms, const size_t *lens,
                             size_t n, uint32_t window);
/** Documents with a value in slot @p slot within [@p lo, @p hi] (bytes). */
gzt_xq *gzt_xq_range(unsigned slot, const char *lo, size_t lolen,
                     const char *hi, size_t hilen);
/* Combinations: a AND b, a OR b, a AND NOT b, a filtered by b (b matches
 * but does not score), a scaled to weight nothing (a filter). */
gzt_xq *gzt_xq_and(const gzt_xq *a, const gzt_xq *b);
gzt_xq *gzt_xq_or(const gzt_xq *a, const gzt_xq *b);
gzt_xq *gzt_xq_and_not(const gzt_xq *a, const gzt_xq *b);
/** a, with b adding to the score where it matches too */
gzt_xq *gzt_xq_and_maybe(const gzt_xq *a, const gzt_xq *b);
gzt_xq *gzt_xq_filter(const gzt_xq *a, const gzt_xq *b);
gzt_xq *gzt_xq_boolean(const gzt_xq *a);
void gzt_xq_free(gzt_xq *q);
/** Xapian's description of @p q into @p out (for tests and errors). */
GZT_NODISCARD int gzt_xq_describe(const gzt_xq *q, gzt_buf *out);

/* One search. */
typedef struct gzt_xsearch {
    double k1, b;           /* BM25 parameters (min_normlen 0) */
    uint32_t first;         /* results to skip */
    uint32_t max;           /* results to return */
    uint32_t check_atleast; /* look at least this many matches, so that the
                              counts are exact up to it (UINT32_MAX: all) */
    int sort;               /* 0: by weight; 1: by value sort_slot
                               descending, then weight; 2: ascending */
    unsigned sort_slot;     /* the value slot sort orders by */
} gzt_xsearch;

/** Run @p q on @p db, ranked by BM25 (ties by ascending docid). */
GZT_NODISCARD int gzt_xdb_search(gzt_xdb *db, const gzt_xq *q,
                                 const gzt_xsearch *s, gzt_xmset **out);
void gzt_xmset_free(gzt_xmset *m);
/** Results in the page. */
size_t gzt_xmset_size(const gzt_xmset *m);
/** Result @p i (< size): document number and weight. */
void gzt_xmset_item(const gzt_xmset *m, size_t i, uint32_t *docid,
                    double *weight);
/** The data and value slot @p slot of result @p i into @p data and
 * @p value. The first call fetches every document of the page at once (one
 * round trip for a remote shard, not one per document). */
GZT_NODISCARD int gzt_xmset_document(gzt_xdb *db, gzt_xmset *m, size_t i,
                                     unsigned slot, gzt_buf *data,
                                     gzt_buf *value);
/** Bounds on the number of matches and Xapian's estimate; with
 * check_atleast at least the matches, lower == upper == the count. */
void gzt_xmset_counts(const gzt_xmset *m, uint64_t *lower, uint64_t *estimate,
                      uint64_t *upper);

#ifdef __cplusplus
}
#endif

#endif
