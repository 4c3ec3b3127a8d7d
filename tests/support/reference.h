/* SPDX-License-Identifier: MIT */
/*
 * reference.h: a brute-force reference scorer for tests.
 *
 * It answers the same questions as gzt_search() by the dumbest means that
 * can work: it reads every live document's stored title and body back from
 * an open index, analyses them again into a forward index (per document:
 * term -> sorted positions), computes N, df and avgdl itself from that, and
 * evaluates a parsed query tree against every document in turn. It shares
 * with the engine only the analyzer, the query parser and the stored
 * documents; no postings, no dictionary, no statistics. When its ranked
 * list and the engine's differ, one of them is wrong.
 *
 * Not for production: it holds the whole collection in memory and costs
 * O(documents x clauses) per query.
 */
#ifndef GZT_REFERENCE_H
#define GZT_REFERENCE_H

#include "searcher/reader.h"

typedef struct gzt_reference gzt_reference;

/* One live document as the reference sees it. */
typedef struct gzt_reference_doc {
    uint64_t docid; /* global docid: base of its segment + local docid */
    uint32_t seg;   /* segment index in the reader */
    uint32_t local; /* docid within the segment */
    gzt_date date;  /* date or 0 */
    uint32_t len;   /* length in tokens, as the reference computed it */
} gzt_reference_doc;

/* One scored match. */
typedef struct gzt_reference_hit {
    uint64_t docid; /* global docid */
    double score;   /* BM25, 0 for filter-only matches */
    gzt_date date;  /* the document's date, for date order */
} gzt_reference_hit;

/* Options of gzt_reference_search(): the subset of gzt_search_opts that
 * changes matches, scores or order (paging is the caller's slice). */
typedef struct gzt_reference_opts {
    double k1;      /* BM25 k1 */
    double b;       /* BM25 b */
    gzt_sort sort;  /* order of the ranked list */
    gzt_date since; /* 0 = no bound */
    gzt_date until; /* 0 = no bound */
} gzt_reference_opts;

/* Copy the reference's view of the options @p o (k1, b, sort, since,
 * until). */
void gzt_reference_opts_from(gzt_reference_opts *out, const gzt_search_opts *o);

/*
 * Build the forward index of every live document of @p idx, which must
 * stay open (and unchanged) while the reference is used.
 *
 * Asserts nothing: a document whose recomputed length differs from the
 * segment's stored length is counted (gzt_reference_length_mismatches())
 * but the build goes on, so that a test can report it.
 *
 * @return GZT_OK, GZT_ENOMEM, or an error of reading or analysing a
 *         stored document.
 */
GZT_NODISCARD int gzt_reference_open(gzt_reference **out, gzt_index *idx,
                                     gzt_error *err);
void gzt_reference_free(gzt_reference *r);

/* live documents (N) */
size_t gzt_reference_ndocs(const gzt_reference *r);
/* sum of the lengths of live documents */
uint64_t gzt_reference_tokens(const gzt_reference *r);
/* documents whose recomputed length disagreed with gzt_segment_doclen();
 * *first (may be NULL) receives a description of the first of them, or ""
 * when there are none */
size_t gzt_reference_length_mismatches(const gzt_reference *r,
                                       const char **first);
/* document @p i (0-based, in docid order), NULL past the end */
const gzt_reference_doc *gzt_reference_doc_at(const gzt_reference *r, size_t i);

/* distinct terms of the live documents ("S" title terms included) */
size_t gzt_reference_nterms(const gzt_reference *r);
/* term @p i in byte order and its live df; NULL past the end */
const char *gzt_reference_term(const gzt_reference *r, size_t i, uint32_t *df);
/* number of distinct live terms starting with @p prefix */
size_t gzt_reference_prefix_count(const gzt_reference *r, const char *prefix);

/*
 * Evaluate @p q (gzt_query_parse() output, prefixes not expanded) over
 * every live document and rank all matches.
 *
 * @param[out] hits   every match in rank order (malloc'd; free()), NULL
 *                    when there are none.
 * @param[out] total  number of matches.
 * @return GZT_OK, GZT_ETOOBIG when the prefixes of the query expand to more
 *         than GZT_QUERY_MAX_CLAUSES terms in all, GZT_ENOMEM.
 */
GZT_NODISCARD int gzt_reference_search(gzt_reference_hit **hits, size_t *total,
                                       gzt_reference *r, const gzt_qnode *q,
                                       const gzt_reference_opts *o,
                                       gzt_error *err);

#endif
