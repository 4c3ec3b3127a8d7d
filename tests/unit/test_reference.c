/* SPDX-License-Identifier: MIT */
/*
 * test_reference.c: the engine's ranked results equal exhaustive evaluation.
 *
 * DESIGN.md promises that top-k results are exactly those of evaluating
 * every document: same documents, same order (score descending, ties by
 * the lower docid), scores within 1e-6 relative, and the same match count.
 * Each test builds an index with the public writer API, builds the
 * brute-force reference of tests/support/reference.c over it, and runs
 * queries through both:
 *  - a tiny index whose scores were computed by hand, which checks the
 *    reference itself (if it shared a mistake with the engine, comparing
 *    the two would not show it);
 *  - the seed corpus plus three titled articles (two segments, one
 *    deletion) with a hand list covering every construct and option;
 *  - every top-k page again with fast_topk (dynamic pruning: the same hits,
 *    the total a lower bound at most);
 *  - Reuters-21578 with thousands of queries generated with a fixed seed
 *    from the corpus itself (words, bigrams and prefixes of random
 *    documents, vocabulary from every df band, fields, dates, operators,
 *    BM25 parameters, date order), then again after deleting and replacing
 *    documents (deletion bitmaps, more segments), and after the writer
 *    merged segments;
 *  - the first million Reuters headlines (a quarter of a million under
 *    sanitizers), with 1,000 such queries: long postings lists, where the
 *    pruned paths skip the most.
 *
 * A mismatch does not stop the run: each is printed with the query, its
 * parsed form, the options and the two ranked lists side by side, and the
 * test fails at the end with the count. GZT_SANITIZE=1 runs fewer queries;
 * GZT_REFERENCE_TRACE=1 prints every query with its number of matches.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/support/reference.h"
#include "tests/support/tmpdir.h"

#define REL_TOL 1e-6   /* scores agree within this relative difference */
#define MAX_REPORTS 25 /* mismatches printed in full per run */
#define TODAY 20250310 /* "today" of every search, for relative dates */
#define PREFIX_CAP 250 /* generated prefixes expand to at most this many */

/* ---- paths and files ----------------------------------------------------- */

static char source_dir[2048]; /* GZT_SOURCE, else the tree of this file */

static void
find_source_dir(void)
{
    const char *src = getenv("GZT_SOURCE");
    if (src && *src) {
        snprintf(source_dir, sizeof source_dir, "%s", src);
        return;
    }
    /* CMake compiles with absolute paths: strip tests/unit/test_*.c */
    snprintf(source_dir, sizeof source_dir, "%s", __FILE__);
    for (int i = 0; i < 3; i++) {
        char *slash = strrchr(source_dir, '/');
        if (slash)
            *slash = '\0';
    }
}

static char *
temp_dir(char *buf, size_t len)
{
    snprintf(buf, len, "/tmp/gzt_reference_XXXXXX");
    assert_non_null(mkdtemp(buf));
    return buf;
}

static void
remove_tree(const char *dir)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static double
now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static bool trace; /* GZT_REFERENCE_TRACE=1: print every query */

static bool
sanitized(void)
{
    const char *s = getenv("GZT_SANITIZE");
    return s && strcmp(s, "1") == 0;
}

/* ---- comparing the engine with the reference ----------------------------- */

/* What one comparison run counted. */
typedef struct tally {
    const char *name;  /* label of the run in messages */
    size_t queries;    /* queries compared */
    size_t searches;   /* engine searches made (pages and counts included) */
    size_t matched;    /* queries matching at least one document */
    size_t rejected;   /* queries both sides rejected alike (syntax, size) */
    size_t mismatches; /* queries on which the engine disagreed */
    size_t near_ties;  /* hits accepted in another order by near_tie() */
} tally;

static const char *
sort_name(gzt_sort s)
{
    return s == GZT_SORT_DATE       ? "date"
           : s == GZT_SORT_DATE_ASC ? "date-asc"
                                    : "score";
}

static bool
same_score(double engine, double ref)
{
    return fabs(engine - ref) <= REL_TOL * fabs(ref) + 1e-12;
}

/* Print a mismatch: the query, its parsed form, the options and both
 * ranked lists of the page asked for, with differing rows marked. */
static void
report(tally *t, const char *query, const gzt_qnode *parsed,
       const gzt_search_opts *o, const char *what, const gzt_results *res,
       const gzt_reference_hit *ref, size_t ref_total)
{
    if (++t->mismatches > MAX_REPORTS)
        return;
    gzt_buf b = GZT_BUF_INIT;
    const char *form = "?";
    if (parsed && gzt_query_format(parsed, &b) == GZT_OK)
        form = (const char *)b.p;
    print_message("MISMATCH [%s] %s\n  query:  %s\n  parsed: %s\n"
                  "  opts:   all=%d k1=%g b=%g sort=%s since=%ld until=%ld "
                  "offset=%zu limit=%zu count_only=%d\n",
                  t->name, what, query, form, o->all, o->k1, o->b,
                  sort_name(o->sort), (long)o->since, (long)o->until, o->offset,
                  o->limit, o->count_only);
    gzt_buf_free(&b);
    uint64_t etotal = res ? gzt_results_total(res) : 0;
    size_t en = res ? gzt_results_count(res) : 0;
    print_message("  total:  engine %llu, reference %zu\n",
                  (unsigned long long)etotal, ref_total);
    size_t first = o->offset < ref_total ? o->offset : ref_total;
    size_t rn = ref_total - first;
    if (o->count_only)
        rn = 0;
    if (rn > o->limit)
        rn = o->limit;
    size_t rows = en > rn ? en : rn;
    if (rows > 30)
        rows = 30;
    print_message("  %5s  %-32s %-32s\n", "rank", "engine docid score [date]",
                  "reference docid score [date]");
    for (size_t i = 0; i < rows; i++) {
        char e[64] = "-", r[64] = "-";
        gzt_hit h;
        bool he = i < en && gzt_results_hit(res, i, &h) == GZT_OK;
        if (he)
            snprintf(e, sizeof e, "%llu %.9g [%ld]",
                     (unsigned long long)h.docid, h.score, (long)h.date);
        bool hr = i < rn;
        if (hr)
            snprintf(r, sizeof r, "%llu %.9g [%ld]",
                     (unsigned long long)ref[first + i].docid,
                     ref[first + i].score, (long)ref[first + i].date);
        bool same = he && hr && h.docid == ref[first + i].docid &&
                    same_score(h.score, ref[first + i].score);
        print_message("%c %5zu  %-32s %-32s\n", same ? ' ' : '*',
                      o->offset + i + 1, e, r);
    }
}

/* The reference's matches sorted by docid, to look an engine hit up. */
typedef struct bydoc {
    gzt_reference_hit *v; /* copies of the hits, by docid */
    size_t n;             /* count */
} bydoc;

static int
cmp_docid(const void *a, const void *b)
{
    uint64_t x = ((const gzt_reference_hit *)a)->docid;
    uint64_t y = ((const gzt_reference_hit *)b)->docid;
    return (x > y) - (x < y);
}

static const gzt_reference_hit *
bydoc_find(const bydoc *m, uint64_t docid)
{
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->v[mid].docid < docid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < m->n && m->v[lo].docid == docid ? &m->v[lo] : NULL;
}

/* Two matches rank alike up to rounding: scores a few ulps apart (and the
 * same date in date order). An engine that sums a document's scores in
 * another order than the reference may break such a tie the other way,
 * which the 1e-6 tolerance on scores allows; a real difference is ~1e-9
 * of a score only by accident. Scores the engine itself finds exactly
 * equal must still be in docid order (engine_before()). */
static bool
near_tie(const gzt_reference_hit *a, const gzt_reference_hit *b, gzt_sort s)
{
    if (s != GZT_SORT_SCORE && a->date != b->date)
        return false;
    return fabs(a->score - b->score) <=
           1e-9 * GZT_MAX(fabs(a->score), fabs(b->score));
}

/* true when engine hit @p a properly ranks before @p b */
static bool
engine_before(const gzt_hit *a, const gzt_hit *b, gzt_sort s)
{
    if (s == GZT_SORT_DATE && a->date != b->date)
        return a->date > b->date;
    if (s == GZT_SORT_DATE_ASC && a->date != b->date)
        return a->date < b->date;
    if (a->score != b->score)
        return a->score > b->score;
    return a->docid < b->docid;
}

/* Check one search of the engine against the reference's full ranked list
 * @p ref of @p ref_total matches (@p map: the same by docid); false (after
 * a report) when they differ. */
static bool
compare_one(tally *t, gzt_index *idx, const char *query,
            const gzt_qnode *parsed, const gzt_search_opts *o,
            const gzt_reference_hit *ref, size_t ref_total, const bydoc *map)
{
    gzt_results *res = NULL;
    gzt_error err;
    gzt_err_clear(&err);
    t->searches++;
    int rc = gzt_search(&res, idx, query, o, &err);
    if (rc != GZT_OK) {
        char what[700];
        snprintf(what, sizeof what, "engine failed: %s (%s)", gzt_strerror(rc),
                 err.msg);
        report(t, query, parsed, o, what, NULL, ref, ref_total);
        return false;
    }
    const char *what = NULL;
    size_t first = o->offset < ref_total ? o->offset : ref_total;
    size_t want = o->count_only ? 0 : GZT_MIN(ref_total - first, o->limit);
    size_t ties = 0;
    gzt_hit prev;
    memset(&prev, 0, sizeof prev);
    if (gzt_results_total_exact(res) ? gzt_results_total(res) != ref_total
                                     : gzt_results_total(res) > ref_total)
        what = o->fast_topk ? "total differs (or bound above it), fast_topk"
                            : "total differs";
    else if (!o->fast_topk && !gzt_results_total_exact(res))
        what = "total not exact without fast_topk";
    else if (gzt_results_count(res) != want)
        what = "number of hits differs";
    for (size_t i = 0; !what && i < want; i++) {
        gzt_hit h;
        const gzt_reference_hit *x = &ref[first + i];
        if (gzt_results_hit(res, i, &h) != GZT_OK) {
            what = "gzt_results_hit failed";
            break;
        }
        if (o->no_fetch ? h.id != NULL || h.title != NULL
                        : h.id == NULL || h.title == NULL) {
            what = o->no_fetch ? "no_fetch hit carries an id or title"
                               : "hit without id or title";
            break;
        }
        /* the engine's own order: exactly equal keys go by docid */
        if (i > 0 && !engine_before(&prev, &h, o->sort)) {
            what = "engine hits out of order (ties go by docid)";
            break;
        }
        prev = h;
        if (h.docid != x->docid) {
            /* another document is right here only if it ties with the
             * expected one, and appears once */
            const gzt_reference_hit *y = bydoc_find(map, h.docid);
            if (!y || !near_tie(x, y, o->sort)) {
                what = "documents or order differ";
                break;
            }
            for (size_t j = 0; j < i && !what; j++) {
                gzt_hit seen;
                if (gzt_results_hit(res, j, &seen) == GZT_OK &&
                    seen.docid == h.docid)
                    what = "a document appears twice";
            }
            x = y;
            ties++;
        }
        if (what)
            break;
        if (!same_score(h.score, x->score))
            what = "scores differ";
        else if (h.date != x->date)
            what = "dates differ";
        else if (h.rank != o->offset + i + 1)
            what = "rank numbers differ";
    }
    if (what)
        report(t, query, parsed, o, what, res, ref, ref_total);
    else
        t->near_ties += ties;
    gzt_results_free(res);
    return !what;
}

/* Pages to compare for one query. */
enum {
    PAGE_TOP10 = 1,  /* offset 0, limit 10 (or as given) */
    PAGE_TOP100 = 2, /* offset 0, limit 100 */
    PAGE_SECOND = 4, /* offset 10, limit 10 */
    PAGE_COUNT = 8   /* count_only */
};

/* Run @p query with options @p o through the parser and the reference,
 * then compare the engine on the pages in @p pages. */
static void
compare_query(tally *t, gzt_index *idx, gzt_reference *ref, const char *query,
              const gzt_search_opts *o, unsigned pages)
{
    t->queries++;
    gzt_arena arena;
    gzt_arena_init(&arena, 0);
    gzt_qnode *q = NULL;
    gzt_error perr;
    gzt_query_opts qo = {o->all, o->today};
    int prc =
        gzt_query_parse(&q, &arena, query, strlen(query), idx->an, &qo, &perr);
    gzt_reference_hit *hits = NULL;
    size_t total = 0;
    int rrc = prc;
    gzt_error rerr;
    gzt_err_clear(&rerr);
    if (prc == GZT_OK) {
        gzt_reference_opts ro;
        gzt_reference_opts_from(&ro, o);
        rrc = gzt_reference_search(&hits, &total, ref, q, &ro, &rerr);
        assert_true(rrc == GZT_OK || rrc == GZT_ETOOBIG);
    }
    if (trace)
        print_message("[%s] %s | all=%d k1=%g b=%g sort=%s since=%ld "
                      "until=%ld -> %s %zu\n",
                      t->name, query, o->all, o->k1, o->b, sort_name(o->sort),
                      (long)o->since, (long)o->until,
                      rrc ? gzt_strerror(rrc) : "total", total);
    if (rrc != GZT_OK) {
        /* rejected by the parser or too big: the engine must say so too */
        gzt_results *res = NULL;
        gzt_error err;
        t->searches++;
        int erc = gzt_search(&res, idx, query, o, &err);
        if (erc != rrc) {
            char what[200];
            snprintf(what, sizeof what,
                     "engine returned %s, reference/parser %s",
                     gzt_strerror(erc), gzt_strerror(rrc));
            report(t, query, q, o, what, res, NULL, 0);
        } else {
            t->rejected++;
        }
        gzt_results_free(res);
        gzt_arena_fini(&arena);
        return;
    }
    t->matched += total > 0;
    bydoc map = {NULL, total};
    if (total) {
        map.v = malloc(total * sizeof *map.v);
        assert_non_null(map.v);
        memcpy(map.v, hits, total * sizeof *map.v);
        qsort(map.v, total, sizeof *map.v, cmp_docid);
    }
    /* the first page that differs is reported; the others would only
     * repeat it */
    gzt_search_opts p = *o;
    bool ok = true;
    if (pages & PAGE_TOP10)
        ok = compare_one(t, idx, query, q, &p, hits, total, &map);
    if (ok && (pages & PAGE_TOP100)) {
        p.offset = 0;
        p.limit = 100;
        ok = compare_one(t, idx, query, q, &p, hits, total, &map);
    }
    if (ok && (pages & PAGE_SECOND)) {
        p.offset = 10;
        p.limit = 10;
        ok = compare_one(t, idx, query, q, &p, hits, total, &map);
    }
    if (ok && (pages & (PAGE_TOP10 | PAGE_TOP100))) {
        /* pruned top-k (MaxScore): the same hits, the total a bound;
         * the top 10 as a benchmark asks for it, nothing fetched */
        p = *o;
        p.fast_topk = 1;
        p.no_fetch = 1;
        ok = compare_one(t, idx, query, q, &p, hits, total, &map);
        if (ok && (pages & PAGE_TOP100)) {
            p.no_fetch = 0;
            p.limit = 100;
            ok = compare_one(t, idx, query, q, &p, hits, total, &map);
        }
    }
    if (ok && (pages & PAGE_COUNT)) {
        p = *o;
        p.count_only = 1;
        ok = compare_one(t, idx, query, q, &p, hits, total, &map);
    }
    free(map.v);
    free(hits);
    gzt_arena_fini(&arena);
}

static void
default_opts(gzt_search_opts *o)
{
    gzt_search_opts_init(o);
    o->today = TODAY;
}

/* ---- building indexes ---------------------------------------------------- */

static gzt_index *
open_index(const char *dir)
{
    gzt_index *idx = NULL;
    gzt_error err;
    int rc = gzt_index_open(&idx, dir, &err);
    if (rc)
        fail_msg("gzt_index_open(%s): %s", dir, err.msg);
    return idx;
}

/* The reference over @p idx, after checking that its statistics are those
 * the reader computed from the manifest and that every recomputed length
 * agrees with the stored one. */
static gzt_reference *
open_reference(gzt_index *idx)
{
    gzt_reference *ref = NULL;
    gzt_error err;
    gzt_err_clear(&err);
    int rc = gzt_reference_open(&ref, idx, &err);
    if (rc)
        fail_msg("gzt_reference_open: %s", err.msg);
    const char *first;
    size_t bad = gzt_reference_length_mismatches(ref, &first);
    if (bad)
        fail_msg("%zu document lengths differ from the reference's; first: "
                 "%s",
                 bad, first);
    gzt_stats st;
    assert_int_equal(gzt_index_stats(idx, &st), GZT_OK);
    assert_int_equal(st.docs, gzt_reference_ndocs(ref));
    assert_int_equal(st.tokens, gzt_reference_tokens(ref));
    return ref;
}

static void
index_path(const char *dir, const char *src, gzt_format format, size_t memory,
           int entities)
{
    gzt_writer *w = NULL;
    gzt_writer_opts wo;
    gzt_writer_opts_init(&wo);
    wo.entities = entities;
    if (memory)
        wo.memory = memory;
    gzt_error err;
    if (gzt_writer_open(&w, dir, &wo, &err))
        fail_msg("gzt_writer_open: %s", err.msg);
    gzt_ingest_opts io;
    gzt_ingest_opts_init(&io);
    io.format = format;
    gzt_ingest_stats st;
    memset(&st, 0, sizeof st);
    if (gzt_writer_add_path(w, src, &io, &st, &err))
        fail_msg("gzt_writer_add_path(%s): %s", src, err.msg);
    assert_int_equal(st.errors, 0);
    if (gzt_writer_commit(w, &err))
        fail_msg("gzt_writer_commit: %s", err.msg);
    gzt_writer_close(w);
}

/* ---- the reference itself, against numbers computed by hand -------------- */

/* Search @p ref for @p query and check the hits: @p n (docid, score) pairs
 * in rank order, scores within 1e-12 relative. */
static void
assert_reference(gzt_index *idx, gzt_reference *ref, const char *query,
                 size_t n, const uint64_t *docids, const double *scores)
{
    gzt_arena arena;
    gzt_arena_init(&arena, 0);
    gzt_qnode *q = NULL;
    gzt_query_opts qo = {0, TODAY};
    assert_int_equal(
        gzt_query_parse(&q, &arena, query, strlen(query), idx->an, &qo, NULL),
        GZT_OK);
    gzt_search_opts so;
    default_opts(&so);
    gzt_reference_opts ro;
    gzt_reference_opts_from(&ro, &so);
    gzt_reference_hit *hits;
    size_t total;
    assert_int_equal(gzt_reference_search(&hits, &total, ref, q, &ro, NULL),
                     GZT_OK);
    if (total != n)
        fail_msg("%s: %zu hits, expected %zu", query, total, n);
    for (size_t i = 0; i < n; i++) {
        if (hits[i].docid != docids[i] ||
            fabs(hits[i].score - scores[i]) > 1e-12 * scores[i])
            fail_msg("%s: hit %zu is docid %llu score %.17g, expected docid "
                     "%llu score %.17g",
                     query, i, (unsigned long long)hits[i].docid, hits[i].score,
                     (unsigned long long)docids[i], scores[i]);
    }
    free(hits);
    gzt_arena_fini(&arena);
}

static void
test_reference_scores_a_tiny_index_as_computed_by_hand(void **state)
{
    (void)state;
    /* Three documents; lengths 5, 3, 5 (title tokens count, the gap of 100
     * positions between title and body does not), so N = 3 and avgdl =
     * 13/3. The expected scores were computed apart from any gazette code
     * (Python): idf = ln(1 + (N - df + 0.5)/(df + 0.5)), k1 = 0.9, b = 0.4,
     * score = idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl/avgdl)). */
    static const struct {
        const char *id, *title, *body;
        gzt_date date;
    } docs[] = {
        {"d0", "Alpha beta", "gamma alpha delta", 20250101},
        {"d1", "", "alpha alpha beta", 0},
        {"d2", "Gamma", "beta gamma gamma gamma", 20250301},
    };
    char dir[64];
    temp_dir(dir, sizeof dir);
    gzt_writer *w = NULL;
    gzt_error err;
    assert_int_equal(gzt_writer_open(&w, dir, NULL, &err), GZT_OK);
    for (size_t i = 0; i < 3; i++) {
        gzt_doc d = {docs[i].id,   docs[i].title,        strlen(docs[i].title),
                     docs[i].body, strlen(docs[i].body), docs[i].date,
                     NULL};
        assert_int_equal(gzt_writer_add(w, &d, NULL, &err), GZT_OK);
    }
    assert_int_equal(gzt_writer_commit(w, &err), GZT_OK);
    gzt_writer_close(w);
    gzt_index *idx = open_index(dir);
    gzt_reference *ref = open_reference(idx);
    assert_int_equal(gzt_reference_ndocs(ref), 3);
    assert_int_equal(gzt_reference_tokens(ref), 13);
    assert_int_equal(gzt_reference_doc_at(ref, 0)->len, 5);
    assert_int_equal(gzt_reference_doc_at(ref, 1)->len, 3);
    assert_int_equal(gzt_reference_doc_at(ref, 2)->len, 5);
    uint32_t df;
    assert_int_equal(gzt_reference_prefix_count(ref, "Sgamma"), 1);
    assert_int_equal(gzt_reference_prefix_count(ref, "S"), 3);
    assert_string_equal(gzt_reference_term(ref, 0, &df), "Salpha");
    assert_int_equal(df, 1);

    /* a title word counts in the title and the body: tf 2 in d0 */
    assert_reference(idx, ref, "alpha", 2, (const uint64_t[]){1, 0},
                     (const double[]){0.6403248561704175, 0.6043253327626065});
    assert_reference(idx, ref, "gamma", 2, (const uint64_t[]){2, 0},
                     (const double[]){0.7208376058596503, 0.4566911739720562});
    assert_reference(idx, ref, "title:gamma", 1, (const uint64_t[]){2},
                     (const double[]){0.9530480939964453});
    /* a phrase: idf of alpha (df 2) + idf of beta (df 3); never across the
     * title and the body */
    assert_reference(idx, ref, "\"alpha beta\"", 2, (const uint64_t[]){1, 0},
                     (const double[]){0.6408991848751238, 0.5864404028401015});
    /* slop 1: in d1 both starts (alpha at 0 and at 1) match: tf 2 */
    assert_reference(idx, ref, "\"alpha beta\"~1", 2, (const uint64_t[]){1, 0},
                     (const double[]){0.8222457275342183, 0.5864404028401015});
    /* filters score 0 and rank by docid; dateless d1 never matches */
    assert_reference(idx, ref, "date:2025", 2, (const uint64_t[]){0, 2},
                     (const double[]){0, 0});
    assert_reference(idx, ref, "-delta", 2, (const uint64_t[]){1, 2},
                     (const double[]){0, 0});

    tally t = {"tiny", 0, 0, 0, 0, 0, 0};
    static const char *const queries[] = {
        "alpha",
        "gamma",
        "title:gamma",
        "\"alpha beta\"",
        "\"alpha beta\"~1",
        "date:2025",
        "-delta",
        "al* title:gam*",
        "\"beta alpha\"~2",
        "\"alpha alpha\"",
        "\"gamma gamma\"~1",
    };
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        gzt_search_opts o;
        default_opts(&o);
        compare_query(&t, idx, ref, queries[i], &o, PAGE_TOP10 | PAGE_COUNT);
    }
    gzt_reference_free(ref);
    gzt_index_close(idx);
    remove_tree(dir);
    if (t.mismatches)
        fail_msg("%zu mismatches between the engine and the reference",
                 t.mismatches);
}

/* ---- the seed corpus: every construct by hand ---------------------------- */

/* a word of 130 letters: analysed to nothing, but it takes a position */
#define LONG_WORD                                                              \
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"    \
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"

/* A hand-written case: a query and options as "name=value ..." words:
 * all, k1=, b=, offset=, limit=, sort=date|date-asc, since=, until=. */
typedef struct hand {
    const char *query; /* query text */
    const char *opts;  /* options */
} hand;

static void
parse_hand_opts(gzt_search_opts *o, const char *s)
{
    default_opts(o);
    char buf[256];
    snprintf(buf, sizeof buf, "%s", s);
    for (char *save = NULL, *w = strtok_r(buf, " ", &save); w;
         w = strtok_r(NULL, " ", &save)) {
        char *v = strchr(w, '=');
        if (v)
            *v++ = '\0';
        if (!strcmp(w, "all"))
            o->all = 1;
        else if (!strcmp(w, "k1") && v)
            o->k1 = strtod(v, NULL);
        else if (!strcmp(w, "b") && v)
            o->b = strtod(v, NULL);
        else if (!strcmp(w, "offset") && v)
            o->offset = strtoul(v, NULL, 10);
        else if (!strcmp(w, "limit") && v)
            o->limit = strtoul(v, NULL, 10);
        else if (!strcmp(w, "sort") && v)
            o->sort = !strcmp(v, "date") ? GZT_SORT_DATE : GZT_SORT_DATE_ASC;
        else if (!strcmp(w, "since") && v)
            o->since = (gzt_date)strtol(v, NULL, 10);
        else if (!strcmp(w, "until") && v)
            o->until = (gzt_date)strtol(v, NULL, 10);
        else
            fail_msg("bad hand option '%s'", w);
    }
}

/* The seed corpus's articles have no titles: add three that have, in a
 * second segment, then delete one, so that title: finds something and a
 * deletion bitmap is in play. */
static void
add_titled(const char *dir)
{
    static const struct {
        const char *id, *title, *body;
        gzt_date date;
    } docs[] = {
        {"t1", "Lavrov to visit Tehran for talks with Iran",
         "Russian Foreign Minister Sergei Lavrov will visit Tehran. The "
         "foreign ministers of Russia and Iran will discuss the strategic "
         "partnership treaty.",
         20250220},
        {"t2", "Iran and Russia sign strategic partnership",
         "Tehran and Moscow signed a comprehensive strategic partnership "
         "agreement. Iran's foreign minister called it historic.",
         0},
        {"t3", "Foreign minister Lavrov in Moscow",
         "Lavrov met the Iranian ambassador in Moscow.", 20250301},
    };
    gzt_writer *w = NULL;
    gzt_error err;
    assert_int_equal(gzt_writer_open(&w, dir, NULL, &err), GZT_OK);
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        gzt_doc d = {docs[i].id,   docs[i].title,        strlen(docs[i].title),
                     docs[i].body, strlen(docs[i].body), docs[i].date,
                     NULL};
        assert_int_equal(gzt_writer_add(w, &d, NULL, &err), GZT_OK);
    }
    assert_int_equal(gzt_writer_commit(w, &err), GZT_OK);
    assert_int_equal(gzt_writer_delete(w, "t3", &err), GZT_OK);
    assert_int_equal(gzt_writer_commit(w, &err), GZT_OK);
    gzt_writer_close(w);
}

static void
test_seed_corpus_hand_queries_rank_as_exhaustive_evaluation(void **state)
{
    (void)state;
    static const hand cases[] = {
        /* terms */
        {"lavrov", ""},
        {"lavrov tehran", ""},
        {"Iran Russia", ""},
        {"the", ""},
        {"nonexistentword", ""},
        {"iran nonexistentword", ""},
        {"Lavrov's visit", ""},
        {"iran iran", ""},
        {"+iran iran lavrov", ""},
        /* phrases, exact and sloppy */
        {"\"strategic cooperation\"", ""},
        {"\"foreign minister\"", ""},
        {"\"foreign minister\"~3", ""},
        {"\"minister foreign\"~2", ""},
        {"\"russia iran\"~5", ""},
        {"\"iran and russia\"", ""},
        {"\"the two countries\"~1", ""},
        {"\"iran nonexistentword\"", ""},
        {"\"the the\"~3", ""},
        {"\"iran iran\"~50", ""},
        {"\"foreign " LONG_WORD " of\"", ""},
        {"\"foreign " LONG_WORD " iran\"~3", ""},
        {"U.S.-Iran", ""},
        {"Russia-U.S. negotiations", ""},
        /* required and excluded */
        {"+iran -lavrov", ""},
        {"+russia +tehran", ""},
        {"+lavrov tehran iran", ""},
        {"-ukraine", ""},
        {"iran -\"foreign minister\"", ""},
        /* operators and parentheses */
        {"iran AND russia", ""},
        {"lavrov OR grushko", ""},
        {"iran NOT lavrov", ""},
        {"NOT ukraine", ""},
        {"(lavrov OR grushko) AND tehran", ""},
        {"(jalali OR lavrov) -ukraine", ""},
        {"(iran AND (moscow OR tehran)) NOT (grushko OR bogdanov)", ""},
        {"jalali OR (lavrov AND \"nuclear issue\")", ""},
        {"*:*", ""},
        {"*:* -iran", ""},
        /* fields */
        {"title:iran", ""},
        {"title:russia tehran", ""},
        {"title:\"foreign minister\"", ""},
        {"title:\"strategic partnership\"", ""},
        {"title:\"iran russia\"~1 lavrov", ""},
        {"title:lavrov OR title:moscow", ""},
        {"strategic -title:strategic", ""},
        {"title:(iran russia)", ""},
        {"title:ira*", ""},
        {"date:2025", ""},
        {"date:2025-03 iran", ""},
        {"date:2023 iran", ""},
        {"date:..2025-02-28 russia", ""},
        {"iran -date:2025", ""},
        {"+(lavrov grushko) +date:2025", ""},
        {"date:30d", ""},
        /* prefixes */
        {"tehr*", ""},
        {"diplomat*", ""},
        {"russ* AND ira*", ""},
        {"strateg* -lavrov", ""},
        {"\"foreign minist*\"", ""},
        /* options */
        {"iran russia lavrov", "all"},
        {"iran (lavrov OR grushko)", "all"},
        {"iran", "since=20250301"},
        {"iran", "until=20250228"},
        {"russia", "since=20230101 until=20250222"},
        {"iran russia", "k1=1.2 b=0.75"},
        {"iran russia lavrov", "k1=0 b=0"},
        {"iran russia lavrov", "k1=2 b=1"},
        {"iran", "offset=1 limit=2"},
        {"iran", "offset=3 limit=10"},
        {"iran", "offset=10"},
        {"iran", "limit=0"},
        {"iran lavrov", "sort=date"},
        {"iran lavrov", "sort=date-asc"},
        {"*:*", "sort=date limit=4"},
        /* rejected alike */
        {"(iran", ""},
        {"\"iran", ""},
        {"t*", ""},
    };
    char dir[64], corpus[2200];
    temp_dir(dir, sizeof dir);
    snprintf(corpus, sizeof corpus, "%s/corpus", source_dir);
    index_path(dir, corpus, GZT_FORMAT_AUTO, 0, -1);
    add_titled(dir);
    gzt_index *idx = open_index(dir);
    gzt_reference *ref = open_reference(idx);
    assert_int_equal(gzt_reference_ndocs(ref), 6);
    assert_int_equal(idx->nsegs, 2);

    tally t = {"seed", 0, 0, 0, 0, 0, 0};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gzt_search_opts o;
        parse_hand_opts(&o, cases[i].opts);
        compare_query(&t, idx, ref, cases[i].query, &o,
                      PAGE_TOP10 | PAGE_COUNT);
    }
    print_message("seed corpus: %zu queries (%zu matching, %zu rejected "
                  "alike), %zu searches, %zu near ties, %zu mismatches\n",
                  t.queries, t.matched, t.rejected, t.searches, t.near_ties,
                  t.mismatches);
    /* the list is meant to exercise matches, not just agree on nothing */
    assert_true(t.matched >= 50);
    assert_int_equal(t.rejected, 3);
    gzt_reference_free(ref);
    gzt_index_close(idx);
    remove_tree(dir);
    if (t.mismatches)
        fail_msg("%zu mismatches between the engine and the reference",
                 t.mismatches);
}

/* ---- random queries from a corpus ---------------------------------------- */

/* splitmix64: a fixed seed gives the same queries everywhere */
typedef struct rng {
    uint64_t s; /* state */
} rng;

static uint64_t
rng_next(rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* uniform in [0, n), n > 0 */
static uint32_t
rng_below(rng *r, uint32_t n)
{
    return (uint32_t)(rng_next(r) % n);
}

/* true with probability @p pct percent */
static bool
rng_pct(rng *r, uint32_t pct)
{
    return rng_below(r, 100) < pct;
}

/* A token of a document as written: bytes [start, end) at position pos. */
typedef struct gtok {
    uint32_t start; /* first byte */
    uint32_t end;   /* one past */
    uint32_t pos;   /* position */
} gtok;

typedef struct tokvec {
    gtok *v;    /* tokens */
    size_t n;   /* count */
    size_t cap; /* capacity */
} tokvec;

static int
on_gen_token(void *ctx, const gzt_token *tok)
{
    tokvec *t = ctx;
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 256;
        t->v = realloc(t->v, t->cap * sizeof *t->v);
        assert_non_null(t->v);
    }
    t->v[t->n++] = (gtok){tok->start, tok->end, tok->pos};
    return 0;
}

/* One document's text and tokens, to draw query words from. */
typedef struct gendoc {
    char *title; /* copy of the stored title */
    char *body;  /* copy of the stored body */
    tokvec tt;   /* title tokens */
    tokvec bt;   /* body tokens */
} gendoc;

static void
gendoc_fini(gendoc *g)
{
    free(g->title);
    free(g->body);
    free(g->tt.v);
    free(g->bt.v);
    memset(g, 0, sizeof *g);
}

static void
gendoc_load(gendoc *g, gzt_index *idx, const gzt_reference_doc *d)
{
    gendoc_fini(g);
    gzt_docfields f;
    gzt_error err;
    assert_int_equal(gzt_segment_doc(idx->segs[d->seg], d->local, &f, &err),
                     GZT_OK);
    g->title = strndup(f.f[GZT_FIELD_TITLE], f.len[GZT_FIELD_TITLE]);
    g->body = strndup(f.f[GZT_FIELD_BODY], f.len[GZT_FIELD_BODY]);
    assert_non_null(g->title);
    assert_non_null(g->body);
    assert_int_equal(gzt_analyze(idx->an, g->title, strlen(g->title), 0,
                                 on_gen_token, &g->tt, NULL),
                     GZT_OK);
    assert_int_equal(gzt_analyze(idx->an, g->body, strlen(g->body), 0,
                                 on_gen_token, &g->bt, NULL),
                     GZT_OK);
}

/* Copy token @p t of @p text lowercased into @p out; false when it holds
 * a byte the query syntax would read as an operator. */
static bool
surface(const char *text, const gtok *t, char *out, size_t cap)
{
    size_t n = t->end - t->start;
    if (n == 0 || n >= cap || n > 40)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)text[t->start + i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c >= 0x80 || c == '.' || c == '\'' || c == ',';
        if (!ok)
            return false;
        out[i] = (char)c;
    }
    out[n] = '\0';
    return true;
}

/* The state of query generation. */
typedef struct gen {
    rng r;              /* randomness */
    gzt_index *idx;     /* the index */
    gzt_reference *ref; /* for documents and the vocabulary */
    gendoc doc;         /* the current source document */
    uint32_t *band[4];  /* term numbers of plain terms by df band */
    size_t nband[4];    /* counts */
    unsigned year;      /* the corpus's year for date clauses */
} gen;

static void
gen_init(gen *g, gzt_index *idx, gzt_reference *ref, uint64_t seed,
         unsigned year)
{
    memset(g, 0, sizeof *g);
    g->r.s = seed;
    g->year = year;
    g->idx = idx;
    g->ref = ref;
    size_t n = gzt_reference_nterms(ref);
    for (int b = 0; b < 4; b++) {
        g->band[b] = malloc((n + 1) * sizeof *g->band[b]);
        assert_non_null(g->band[b]);
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t df;
        const char *s = gzt_reference_term(ref, i, &df);
        bool plain = strlen(s) <= 40;
        for (const char *p = s; *p && plain; p++)
            plain = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
                    (unsigned char)*p >= 0x80 || *p == '.' || *p == '\'';
        if (!plain || !(s[0] >= 'a' && s[0] <= 'z'))
            continue;
        int b = df <= 2 ? 0 : df <= 30 ? 1 : df <= 1000 ? 2 : 3;
        g->band[b][g->nband[b]++] = (uint32_t)i;
    }
}

static void
gen_fini(gen *g)
{
    gendoc_fini(&g->doc);
    for (int b = 0; b < 4; b++)
        free(g->band[b]);
}

/* Make a random live document the source of words. */
static void
gen_pick_doc(gen *g)
{
    size_t n = gzt_reference_ndocs(g->ref);
    for (int tries = 0; tries < 20; tries++) {
        const gzt_reference_doc *d =
            gzt_reference_doc_at(g->ref, rng_below(&g->r, (uint32_t)n));
        gendoc_load(&g->doc, g->idx, d);
        if (g->doc.bt.n >= 3)
            return;
    }
}

/* A growing query text. */
typedef struct qtext {
    char s[2048]; /* text */
    size_t len;   /* bytes */
} qtext;

static void put(qtext *q, const char *fmt, ...) GZT_PRINTF(2, 3);

static void
put(qtext *q, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(q->s + q->len, sizeof q->s - q->len, fmt, ap);
    va_end(ap);
    assert_true(n >= 0 && (size_t)n < sizeof q->s - q->len);
    q->len += (size_t)n;
}

/* A word: from the current document (title or body), or a term of the
 * vocabulary from a random df band. */
static void
gen_word(gen *g, qtext *q)
{
    char w[64];
    if (rng_pct(&g->r, 25)) {
        int b = (int)rng_below(&g->r, 4);
        if (g->nband[b]) {
            uint32_t t = g->band[b][rng_below(&g->r, (uint32_t)g->nband[b])];
            put(q, "%s", gzt_reference_term(g->ref, t, NULL));
            return;
        }
    }
    for (int tries = 0; tries < 20; tries++) {
        const tokvec *tv =
            g->doc.tt.n && rng_pct(&g->r, 15) ? &g->doc.tt : &g->doc.bt;
        const char *text = tv == &g->doc.tt ? g->doc.title : g->doc.body;
        if (!tv->n)
            continue;
        if (surface(text, &tv->v[rng_below(&g->r, (uint32_t)tv->n)], w,
                    sizeof w)) {
            put(q, "%s", w);
            return;
        }
    }
    put(q, "reuter");
}

/* A phrase of 2-3 neighbouring body words, exact or sloppy, sometimes with
 * a word skipped or the order reversed; @p tv the tokens of @p text. */
static void
gen_phrase_from(gen *g, qtext *q, const tokvec *tv, const char *text)
{
    char w[3][64];
    for (int tries = 0; tries < 20 && tv->n >= 3; tries++) {
        size_t i = rng_below(&g->r, (uint32_t)(tv->n - 2));
        uint32_t kind = rng_below(&g->r, 10);
        size_t n = kind < 3 ? 3 : 2;
        size_t idx[3] = {i, i + 1, i + 2};
        if (kind == 9) /* skip one: needs slop */
            idx[1] = i + 2;
        bool ok = true;
        for (size_t k = 0; k < n && ok; k++)
            ok = surface(text, &tv->v[idx[k]], w[k], sizeof w[k]);
        if (!ok)
            continue;
        if (kind == 8) { /* reversed */
            put(q, "\"%s %s\"~%u", w[1], w[0], rng_below(&g->r, 4));
            return;
        }
        put(q, "\"");
        for (size_t k = 0; k < n; k++)
            put(q, "%s%s", k ? " " : "", w[k]);
        put(q, "\"");
        if (kind >= 5)
            put(q, "~%u", 1 + rng_below(&g->r, 5));
        return;
    }
    gen_word(g, q);
}

static void
gen_phrase(gen *g, qtext *q)
{
    gen_phrase_from(g, q, &g->doc.bt, g->doc.body);
}

/* word* with a 3-5 letter prefix of a document word that expands to at
 * most PREFIX_CAP terms; a plain word when none fits */
static void
gen_prefix(gen *g, qtext *q, bool title)
{
    const tokvec *tv = title ? &g->doc.tt : &g->doc.bt;
    const char *text = title ? g->doc.title : g->doc.body;
    char w[64], key[66];
    for (int tries = 0; tries < 20 && tv->n; tries++) {
        if (!surface(text, &tv->v[rng_below(&g->r, (uint32_t)tv->n)], w,
                     sizeof w))
            continue;
        size_t letters = 0;
        while (w[letters] >= 'a' && w[letters] <= 'z')
            letters++;
        if (letters < 3)
            continue;
        for (size_t len = 3 + rng_below(&g->r, 3); len <= letters; len++) {
            snprintf(key, sizeof key, "%s%.*s", title ? "S" : "", (int)len, w);
            if (gzt_reference_prefix_count(g->ref, key) <= PREFIX_CAP) {
                put(q, "%.*s*", (int)len, w);
                return;
            }
        }
    }
    gen_word(g, q);
}

/* A date clause over the corpus's year (Reuters: 1987), and sometimes
 * around it. */
static void
gen_date(gen *g, qtext *q)
{
    unsigned y = g->year;
    uint32_t m = 2 + rng_below(&g->r, 9), d = 1 + rng_below(&g->r, 28);
    uint32_t m2 = m + rng_below(&g->r, 3), d2 = 1 + rng_below(&g->r, 28);
    if (m2 > 12)
        m2 = 12;
    if (m2 == m && d2 < d)
        d2 = d;
    switch (rng_below(&g->r, 6)) {
    case 0:
        put(q, "date:%u-%02u", y, m);
        break;
    case 1:
        put(q, "date:%u-%02u-%02u..%u-%02u-%02u", y, m, d, y, m2, d2);
        break;
    case 2:
        put(q, "date:..%u-%02u-%02u", y, m, d);
        break;
    case 3:
        put(q, "date:%u-%02u..", y, m);
        break;
    case 4:
        put(q, "date:%u-%02u-%02u", y, m, d);
        break;
    default:
        if (rng_pct(&g->r, 50))
            put(q, "date:%u", y);
        else
            put(q, "date:%u..%u-03", y - 1, y);
        break;
    }
}

/* A title: clause: a word, a phrase or a prefix of the title. */
static void
gen_title(gen *g, qtext *q)
{
    if (!g->doc.tt.n) {
        put(q, "title:");
        gen_word(g, q);
        return;
    }
    put(q, "title:");
    uint32_t k = rng_below(&g->r, 10);
    if (k < 2 && g->doc.tt.n >= 3) {
        gen_phrase_from(g, q, &g->doc.tt, g->doc.title);
        return;
    }
    if (k < 4) {
        gen_prefix(g, q, true);
        return;
    }
    char w[64];
    for (int tries = 0; tries < 20; tries++)
        if (surface(g->doc.title,
                    &g->doc.tt.v[rng_below(&g->r, (uint32_t)g->doc.tt.n)], w,
                    sizeof w)) {
            put(q, "%s", w);
            return;
        }
    put(q, "reuter");
}

/* One clause of any kind, weighted towards words. */
static void
gen_clause(gen *g, qtext *q)
{
    uint32_t k = rng_below(&g->r, 100);
    if (k < 55)
        gen_word(g, q);
    else if (k < 72)
        gen_phrase(g, q);
    else if (k < 82)
        gen_prefix(g, q, false);
    else if (k < 94)
        gen_title(g, q);
    else
        gen_date(g, q);
}

/* An expression with AND, OR, NOT and parentheses, @p depth levels at
 * most. */
static void
gen_expr(gen *g, qtext *q, int depth)
{
    if (depth == 0 || rng_pct(&g->r, 35)) {
        if (rng_pct(&g->r, 10))
            put(q, "NOT ");
        gen_clause(g, q);
        return;
    }
    static const char *const ops[] = {"AND", "OR", "AND NOT", "OR", ""};
    uint32_t n = 2 + rng_below(&g->r, 2);
    put(q, "(");
    for (uint32_t i = 0; i < n; i++) {
        if (i)
            put(q, " %s%s", ops[rng_below(&g->r, 5)], " ");
        gen_expr(g, q, depth - 1);
    }
    put(q, ")");
}

/* A whole random query, and random options for it. */
static void
gen_query(gen *g, qtext *q, gzt_search_opts *o)
{
    q->len = 0;
    q->s[0] = '\0';
    default_opts(o);
    gen_pick_doc(g);
    uint32_t shape = rng_below(&g->r, 100);
    if (shape < 25) {
        /* 1-4 words, some required or excluded */
        uint32_t n = 1 + rng_below(&g->r, 4);
        for (uint32_t i = 0; i < n; i++) {
            put(q, "%s", i ? " " : "");
            uint32_t sign = rng_below(&g->r, 100);
            put(q, "%s",
                n > 1 && sign < 20   ? "+"
                : n > 1 && sign < 32 ? "-"
                                     : "");
            gen_word(g, q);
        }
    } else if (shape < 40) {
        gen_phrase(g, q);
        if (rng_pct(&g->r, 50)) {
            put(q, " %s", rng_pct(&g->r, 30) ? "+" : "");
            gen_word(g, q);
        }
    } else if (shape < 58) {
        gen_expr(g, q, 3);
        if (rng_pct(&g->r, 30)) {
            put(q, " %s", rng_pct(&g->r, 50) ? "-" : "");
            gen_clause(g, q);
        }
    } else if (shape < 68) {
        gen_prefix(g, q, false);
        if (rng_pct(&g->r, 60)) {
            put(q, " %s", rng_pct(&g->r, 40) ? "+" : "");
            gen_word(g, q);
        }
    } else if (shape < 78) {
        gen_title(g, q);
        put(q, " ");
        gen_word(g, q);
    } else if (shape < 86) {
        uint32_t n = 1 + rng_below(&g->r, 3);
        for (uint32_t i = 0; i < n; i++) {
            gen_word(g, q);
            put(q, " ");
        }
        gen_date(g, q);
    } else {
        /* a mixture of everything, signs included */
        uint32_t n = 2 + rng_below(&g->r, 3);
        for (uint32_t i = 0; i < n; i++) {
            put(q, "%s", i ? " " : "");
            uint32_t sign = rng_below(&g->r, 100);
            put(q, "%s", sign < 20 ? "+" : sign < 32 ? "-" : "");
            if (rng_pct(&g->r, 20))
                gen_expr(g, q, 2);
            else
                gen_clause(g, q);
        }
    }
    /* options */
    o->all = rng_pct(&g->r, 15);
    if (rng_pct(&g->r, 25)) {
        static const double kb[][2] = {{1.2, 0.75}, {0, 0},   {2, 1},
                                       {0.5, 0},    {0.9, 1}, {3, 0.2}};
        const double *p = kb[rng_below(&g->r, 6)];
        o->k1 = p[0];
        o->b = p[1];
    }
    if (rng_pct(&g->r, 8))
        o->sort = rng_pct(&g->r, 50) ? GZT_SORT_DATE : GZT_SORT_DATE_ASC;
    if (rng_pct(&g->r, 8)) {
        uint32_t k = rng_below(&g->r, 3);
        if (k != 1)
            o->since =
                (gzt_date)(g->year * 10000 + 300 + 1 + rng_below(&g->r, 28));
        if (k != 0)
            o->until =
                (gzt_date)(g->year * 10000 + 400 + 1 + rng_below(&g->r, 28));
    }
}

/* Run @p n generated queries (and a few fixed ones) and compare. */
static void
run_random(tally *t, gzt_index *idx, gzt_reference *ref, uint64_t seed,
           size_t n, unsigned year)
{
    static const char *const fixed[] = {
        "co*",        /* ~1000 expansions: just within the ceiling */
        "st* OR co*", /* over the ceiling of expansions in all */
        "title:co*",  /* title expansions only */
        "title:st*",  /* title expansions only */
        "title:co* OR title:st*", /* title expansions only */
        "*:*",                    /* everything, ties by docid */
        "-oil",                   /* everything but */
        "date:1987-03",           /* a filter alone: score 0 for all */
        "\"mln dlrs\"~10000000",  /* any distance, in order */
    };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        gzt_search_opts o;
        default_opts(&o);
        compare_query(t, idx, ref, fixed[i], &o,
                      PAGE_TOP10 | PAGE_TOP100 | PAGE_SECOND | PAGE_COUNT);
    }
    gen g;
    gen_init(&g, idx, ref, seed, year);
    qtext q;
    for (size_t i = 0; i < n; i++) {
        gzt_search_opts o;
        gen_query(&g, &q, &o);
        unsigned pages = PAGE_TOP10 | PAGE_COUNT;
        if (i % 5 == 0)
            pages |= PAGE_TOP100 | PAGE_SECOND;
        compare_query(t, idx, ref, q.s, &o, pages);
    }
    gen_fini(&g);
}

/* ---- Reuters-21578 ------------------------------------------------------- */

/* Decompress the Reuters JSONL into @p dir; NULL (after skip()) when the
 * shared data is missing outside CI. */
static void
reuters_jsonl(const char *dir, char *out, size_t len)
{
    char src[4096], cmd[4200];
    gzt_test_shared_data(src, sizeof src,
                         "reuters21578/reuters21578.jsonl.zst");
    snprintf(out, len, "%s/reuters.jsonl", dir);
    snprintf(cmd, sizeof cmd, "zstd -dc '%s'", src);
    FILE *in = popen(cmd, "r");
    assert_non_null(in);
    FILE *o = fopen(out, "wb");
    assert_non_null(o);
    static char buf[1 << 16];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        assert_int_equal(fwrite(buf, 1, n, o), n);
    assert_int_equal(fclose(o), 0);
    assert_int_equal(pclose(in), 0);
}

/* Delete @p ndel random live documents of @p idx and replace @p nchg
 * others with changed bodies (some also with another date, none, or no
 * title), in one commit; @p serial numbers the marker words. */
static void
churn(const char *dir, gzt_index *idx, gzt_reference *ref, rng *r, size_t ndel,
      size_t nchg, size_t *serial)
{
    size_t n = gzt_reference_ndocs(ref);
    uint8_t *used = calloc(n, 1);
    assert_non_null(used);
    gzt_writer *w = NULL;
    gzt_writer_opts wo;
    gzt_writer_opts_init(&wo);
    gzt_error err;
    if (gzt_writer_open(&w, dir, &wo, &err))
        fail_msg("gzt_writer_open: %s", err.msg);
    for (size_t k = 0; k < ndel + nchg; k++) {
        size_t i;
        do
            i = rng_below(r, (uint32_t)n);
        while (used[i]);
        used[i] = 1;
        const gzt_reference_doc *d = gzt_reference_doc_at(ref, i);
        gzt_docfields f;
        assert_int_equal(gzt_segment_doc(idx->segs[d->seg], d->local, &f, &err),
                         GZT_OK);
        char *id = strndup(f.f[GZT_FIELD_ID], f.len[GZT_FIELD_ID]);
        assert_non_null(id);
        if (k < ndel) {
            if (gzt_writer_delete(w, id, &err))
                fail_msg("gzt_writer_delete(%s): %s", id, err.msg);
            free(id);
            continue;
        }
        /* a changed body: the second half first, marker words, then the
         * first half */
        size_t bl = f.len[GZT_FIELD_BODY], half = bl / 2, c = (*serial)++;
        char *body = malloc(bl + 64);
        assert_non_null(body);
        size_t m = 0;
        memcpy(body + m, f.f[GZT_FIELD_BODY] + half, bl - half);
        m += bl - half;
        m += (size_t)sprintf(body + m, " zyxwvut churned %zu. ", c);
        memcpy(body + m, f.f[GZT_FIELD_BODY], half);
        m += half;
        char *title = strndup(f.f[GZT_FIELD_TITLE], f.len[GZT_FIELD_TITLE]);
        assert_non_null(title);
        gzt_doc doc = {id, title, strlen(title), body, m, d->date, NULL};
        if (c % 5 == 0)
            doc.date = 0;
        else if (c % 5 == 1)
            doc.date = 19871231;
        if (c % 7 == 0)
            doc.title_len = 0;
        gzt_add_result res;
        if (gzt_writer_add(w, &doc, &res, &err))
            fail_msg("gzt_writer_add(%s): %s", id, err.msg);
        assert_int_equal(res, GZT_REPLACED);
        free(title);
        free(body);
        free(id);
    }
    if (gzt_writer_commit(w, &err))
        fail_msg("gzt_writer_commit: %s", err.msg);
    gzt_writer_close(w);
    free(used);
}

/* Close @p *idx and @p *ref and open both again on the new generation. */
static void
reopen(const char *dir, gzt_index **idx, gzt_reference **ref)
{
    gzt_reference_free(*ref);
    gzt_index_close(*idx);
    *idx = open_index(dir);
    *ref = open_reference(*idx);
}

static void
print_tally(const tally *t, gzt_index *idx, const gzt_reference *ref,
            double secs)
{
    gzt_stats st;
    assert_int_equal(gzt_index_stats(idx, &st), GZT_OK);
    print_message("%s: %zu docs, %llu deleted, %u segments; %zu queries "
                  "(%zu matching, %zu rejected alike), %zu searches in "
                  "%.1f s, %zu near ties, %zu mismatches\n",
                  t->name, gzt_reference_ndocs(ref),
                  (unsigned long long)st.deleted, idx->nsegs, t->queries,
                  t->matched, t->rejected, t->searches, secs, t->near_ties,
                  t->mismatches);
}

static void
test_reuters_random_queries_rank_exactly_as_exhaustive_evaluation(void **state)
{
    (void)state;
    bool small = sanitized();
    size_t nfirst = small ? 1000 : 3000, nchurned = small ? 200 : 500,
           nmerged = small ? 100 : 250;
    char dir[64], jsonl[128], idxdir[128];
    temp_dir(dir, sizeof dir);
    reuters_jsonl(dir, jsonl, sizeof jsonl);
    snprintf(idxdir, sizeof idxdir, "%s/index", dir);

    double t0 = now_seconds();
    /* a small memory budget: several segments from the start */
    index_path(idxdir, jsonl, GZT_FORMAT_JSONL, 4u << 20, -1);
    double t1 = now_seconds();
    gzt_index *idx = open_index(idxdir);
    gzt_reference *ref = open_reference(idx);
    assert_true(gzt_reference_ndocs(ref) > 20000);
    assert_true(idx->nsegs >= 2);
    double t2 = now_seconds();
    print_message("reuters: indexed in %.1f s, reference built in %.1f s\n",
                  t1 - t0, t2 - t1);
    tally t1st = {"reuters", 0, 0, 0, 0, 0, 0};
    run_random(&t1st, idx, ref, 0x5eed0001u, nfirst, 1987);
    print_tally(&t1st, idx, ref, now_seconds() - t2);

    /* deletions and replacements in two commits: deletion bitmaps on old
     * and new segments */
    rng r = {0x5eed0002u};
    size_t serial = 0;
    size_t segs_before = idx->nsegs;
    churn(idxdir, idx, ref, &r, 50, 25, &serial);
    reopen(idxdir, &idx, &ref);
    churn(idxdir, idx, ref, &r, 50, 25, &serial);
    reopen(idxdir, &idx, &ref);
    gzt_stats st;
    assert_int_equal(gzt_index_stats(idx, &st), GZT_OK);
    assert_true(st.deleted >= 100);
    assert_int_equal(idx->nsegs, segs_before + 2);
    double t3 = now_seconds();
    tally t2nd = {"reuters-churned", 0, 0, 0, 0, 0, 0};
    run_random(&t2nd, idx, ref, 0x5eed0003u, nchurned, 1987);
    gzt_search_opts o;
    default_opts(&o);
    compare_query(&t2nd, idx, ref, "zyxwvut churned", &o,
                  PAGE_TOP10 | PAGE_TOP100 | PAGE_COUNT);
    compare_query(&t2nd, idx, ref, "zyxwvut date:1987", &o,
                  PAGE_TOP100 | PAGE_COUNT);
    print_tally(&t2nd, idx, ref, now_seconds() - t3);

    /* commits until the writer merges segments (past ten): merged
     * segments, with the deleted documents dropped and docids renumbered */
    size_t segs_churned = idx->nsegs;
    for (int i = 0; i < 12 && idx->nsegs >= segs_churned; i++) {
        churn(idxdir, idx, ref, &r, 10, 5, &serial);
        reopen(idxdir, &idx, &ref);
    }
    assert_true(idx->nsegs < segs_churned);
    double t4 = now_seconds();
    tally t3rd = {"reuters-merged", 0, 0, 0, 0, 0, 0};
    run_random(&t3rd, idx, ref, 0x5eed0004u, nmerged, 1987);
    compare_query(&t3rd, idx, ref, "zyxwvut churned", &o,
                  PAGE_TOP10 | PAGE_TOP100 | PAGE_COUNT);
    print_tally(&t3rd, idx, ref, now_seconds() - t4);

    gzt_reference_free(ref);
    gzt_index_close(idx);
    remove_tree(dir);
    /* generated queries must mostly find something to be a test at all */
    assert_true(t1st.matched * 2 > t1st.queries);
    size_t bad = t1st.mismatches + t2nd.mismatches + t3rd.mismatches;
    if (bad)
        fail_msg("%zu mismatches between the engine and the reference", bad);
}

/* ---- the first million Reuters headlines ----------------------------------
 */

/* The first @p n headlines (a TSV with its header row) into @p dir; skips
 * (or fails under CI=true) when the shared data is missing. */
static void
headlines_tsv(const char *dir, char *out, size_t len, size_t n)
{
    char src[4096], cmd[8400];
    gzt_test_shared_data(
        src, sizeof src,
        "reuters-headlines/reuters-headlines-2012-2016.tsv.zst");
    snprintf(out, len, "%s/headlines.tsv", dir);
    snprintf(cmd, sizeof cmd, "zstd -dc '%s' | head -n %zu > '%s'", src, n + 1,
             out);
    assert_int_equal(system(cmd), 0);
}

static void
test_headlines_random_queries_rank_exactly_as_exhaustive_evaluation(
    void **state)
{
    (void)state;
    bool small = sanitized();
    size_t ndocs = small ? 250000 : 1000000, nq = small ? 300 : 1000;
    char dir[64], tsv[128], idxdir[128];
    temp_dir(dir, sizeof dir);
    headlines_tsv(dir, tsv, sizeof tsv, ndocs);
    snprintf(idxdir, sizeof idxdir, "%s/index", dir);
    double t0 = now_seconds();
    /* entities off (ranking is the point); a budget that makes segments */
    index_path(idxdir, tsv, GZT_FORMAT_CSV, 64u << 20, 0);
    double t1 = now_seconds();
    gzt_index *idx = open_index(idxdir);
    gzt_reference *ref = open_reference(idx);
    assert_int_equal(gzt_reference_ndocs(ref), ndocs);
    double t2 = now_seconds();
    print_message("headlines: %zu indexed in %.1f s, reference built in "
                  "%.1f s\n",
                  ndocs, t1 - t0, t2 - t1);
    tally t = {"headlines", 0, 0, 0, 0, 0, 0};
    run_random(&t, idx, ref, 0x5eed0005u, nq, 2014);
    print_tally(&t, idx, ref, now_seconds() - t2);
    gzt_reference_free(ref);
    gzt_index_close(idx);
    remove_tree(dir);
    assert_true(t.matched * 2 > t.queries);
    if (t.mismatches)
        fail_msg("%zu mismatches between the engine and the reference",
                 t.mismatches);
}

int
main(void)
{
    find_source_dir();
    const char *tr = getenv("GZT_REFERENCE_TRACE");
    trace = tr && strcmp(tr, "1") == 0;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            test_reference_scores_a_tiny_index_as_computed_by_hand),
        cmocka_unit_test(
            test_seed_corpus_hand_queries_rank_as_exhaustive_evaluation),
        cmocka_unit_test(
            test_reuters_random_queries_rank_exactly_as_exhaustive_evaluation),
        cmocka_unit_test(
            test_headlines_random_queries_rank_exactly_as_exhaustive_evaluation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
