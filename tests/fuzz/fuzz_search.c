/* SPDX-License-Identifier: MIT */
/*
 * fuzz_search.c: arbitrary queries run end to end (searcher/: parse, plan,
 * match, score, snippets, facets) against the small index of
 * gzt_fuzzkit_build_index(), built and opened once per process.
 *
 * The input up to its first NUL is the query. It runs with the default
 * options and with --all, each sorted by score, newest first and oldest
 * first, each exactly and with fast_topk, which must give the same hits
 * (gazette.h promises it; only the total may be a lower bound). Checked
 * besides: ranks run 1, 2, ...; scores are finite and in the promised
 * order; the total counts at least the hits; a count-only search agrees
 * with the exact total; a page at an offset is the tail of the first page;
 * snippet spans lie in the snippet; the entity facets of the query count
 * its matches.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "gazette.h"
#include "tests/fuzz/fuzzkit.h"

#define LIMIT 30

/* One search's hits, copied out of its results. */
typedef struct hits {
    size_t n;              /* hits held */
    uint64_t total;        /* gzt_results_total() */
    int exact;             /* gzt_results_total_exact() */
    uint64_t docid[LIMIT]; /* each hit's docid */
    double score[LIMIT];   /* its score */
    gzt_date date[LIMIT];  /* its date */
} hits;

/* Run @p q; false when it is refused (the same way every time). */
static bool
run(gzt_index *idx, const char *q, const gzt_search_opts *o, hits *out,
    bool snippets, int *rc_out)
{
    gzt_results *r = NULL;
    gzt_error err = {0};
    int rc = gzt_search(&r, idx, q, o, &err);
    *rc_out = rc;
    if (rc != GZT_OK) {
        GZT_FUZZ_CHECK(rc == GZT_ESYNTAX || rc == GZT_ETOOBIG ||
                       rc == GZT_EINVAL);
        GZT_FUZZ_CHECK(err.code == rc && err.msg[0] && r == NULL);
        return false;
    }
    memset(out, 0, sizeof *out);
    out->n = gzt_results_count(r);
    out->total = gzt_results_total(r);
    out->exact = gzt_results_total_exact(r);
    GZT_FUZZ_CHECK(out->n <= o->limit && out->n <= LIMIT);
    GZT_FUZZ_CHECK(out->total >= out->n + (out->n ? o->offset : 0));
    GZT_FUZZ_CHECK(gzt_results_query(r) != NULL);
    for (size_t i = 0; i < out->n; i++) {
        gzt_hit h;
        GZT_FUZZ_CHECK(gzt_results_hit(r, i, &h) == GZT_OK);
        GZT_FUZZ_CHECK(h.rank == o->offset + i + 1);
        GZT_FUZZ_CHECK(isfinite(h.score));
        out->docid[i] = h.docid;
        out->score[i] = h.score;
        out->date[i] = h.date;
        if (o->explain) {
            size_t ne;
            const gzt_explain_term *t = gzt_results_explain(r, i, &ne);
            for (size_t k = 0; k < ne; k++)
                GZT_FUZZ_CHECK(t[k].term != NULL && isfinite(t[k].score));
        }
        if (snippets && i < 3) {
            gzt_snippet s;
            GZT_FUZZ_CHECK(gzt_results_snippet(&s, r, i, 0, &err) == GZT_OK);
            for (size_t k = 0; k < s.nspans; k++)
                GZT_FUZZ_CHECK(s.spans[k].start <= s.spans[k].end &&
                               s.spans[k].end <= s.text_len);
            gzt_snippet_fini(&s);
        }
    }
    /* the promised order */
    for (size_t i = 1; i < out->n; i++) {
        if (o->sort == GZT_SORT_SCORE)
            GZT_FUZZ_CHECK(out->score[i] <= out->score[i - 1]);
        else if (o->sort == GZT_SORT_DATE)
            GZT_FUZZ_CHECK(out->date[i] <= out->date[i - 1]);
        else
            GZT_FUZZ_CHECK(out->date[i] >= out->date[i - 1]);
    }
    gzt_results_free(r);
    return true;
}

static void
same_hits(const hits *a, const hits *b)
{
    GZT_FUZZ_CHECK(a->n == b->n);
    for (size_t i = 0; i < a->n; i++)
        GZT_FUZZ_CHECK(a->docid[i] == b->docid[i] &&
                       a->score[i] == b->score[i]);
}

static void
variants(gzt_index *idx, const char *q, int all, gzt_sort sort)
{
    gzt_search_opts o;
    gzt_search_opts_init(&o);
    o.limit = LIMIT;
    o.all = all;
    o.sort = sort;
    o.today = 20250315;
    hits exact, fast, page;
    int rc, rc2;
    if (!run(idx, q, &o, &exact, sort == GZT_SORT_SCORE, &rc))
        return;
    GZT_FUZZ_CHECK(exact.exact);
    GZT_FUZZ_CHECK(exact.n == GZT_MIN(exact.total, (uint64_t)LIMIT));

    o.fast_topk = 1;
    GZT_FUZZ_CHECK(run(idx, q, &o, &fast, false, &rc2));
    same_hits(&exact, &fast);
    GZT_FUZZ_CHECK(fast.total <= exact.total);
    GZT_FUZZ_CHECK(!fast.exact || fast.total == exact.total);
    o.fast_topk = 0;

    o.count_only = 1;
    GZT_FUZZ_CHECK(run(idx, q, &o, &page, false, &rc2));
    GZT_FUZZ_CHECK(page.total == exact.total && page.n == 0);
    o.count_only = 0;

    /* the second page of five is hits 5.. of the first */
    o.offset = 5;
    o.limit = 5;
    o.explain = 1;
    GZT_FUZZ_CHECK(run(idx, q, &o, &page, false, &rc2));
    GZT_FUZZ_CHECK(page.n == (exact.n > 5 ? GZT_MIN(exact.n - 5, 5) : 0));
    for (size_t i = 0; i < page.n; i++)
        GZT_FUZZ_CHECK(page.docid[i] == exact.docid[5 + i] &&
                       page.score[i] == exact.score[5 + i]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static gzt_index *idx;
    if (!idx) {
        char dir[256];
        gzt_fuzzkit_path(dir, sizeof dir, "index");
        gzt_fuzzkit_build_index(dir);
        gzt_error err = {0};
        GZT_FUZZ_CHECK(gzt_index_open(&idx, dir, &err) == GZT_OK);
    }
    if (size > 4096) /* long queries are the parser target's */
        return 0;
    char *q = gzt_strndup((const char *)data, size);
    GZT_FUZZ_CHECK(q != NULL);
    variants(idx, q, 0, GZT_SORT_SCORE);
    variants(idx, q, 1, GZT_SORT_SCORE);
    variants(idx, q, 0, GZT_SORT_DATE);
    variants(idx, q, 1, GZT_SORT_DATE_ASC);

    gzt_facets *f = NULL;
    gzt_error err = {0};
    int rc = gzt_index_entities(&f, idx, q, NULL, 0, 0, &err);
    if (rc == GZT_OK) {
        uint64_t matches = gzt_facets_matches(f);
        for (size_t i = 0; i < gzt_facets_count(f); i++) {
            const gzt_facet *x = gzt_facets_get(f, i);
            GZT_FUZZ_CHECK(x && x->canonical && x->docs <= matches &&
                           x->docs <= x->mentions);
        }
        gzt_facets_free(f);
    } else {
        GZT_FUZZ_CHECK(err.code == rc && err.msg[0]);
    }
    gzt_free(q);
    return 0;
}
