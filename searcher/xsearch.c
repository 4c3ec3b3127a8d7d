/* SPDX-License-Identifier: MIT */
/*
 * xsearch.c: the reader side of the Xapian engine. The query is parsed,
 * dated and entity-resolved by search.c exactly as for the native engine;
 * here the tree becomes a Xapian query, Xapian ranks it with BM25Weight at
 * our k1 and b, and the hits carry the stored records the writer put in
 * the document data, so snippets, highlights and every output format work
 * as on the native engine.
 *
 * The translation keeps boolean semantics identical (tests/unit/
 * test_engines.c checks thousands of queries): a required clause is an
 * AND, optional ones AND_MAYBE (or OR when nothing is required), excluded
 * ones AND_NOT; a phrase is OP_PHRASE with a window of its length plus its
 * slop (in order within the window, which is what our sloppy phrase
 * accepts); a prefix is the OR of the terms it starts, expanded over all
 * shards at once under the same ceiling as on the native engine;
 * dates are a range over the value slot of zero-padded YYYYMMDD, and like
 * match-all they match without scoring. A phrase with a hole (a word too
 * long to index) has no Xapian form and is refused.
 *
 * Scores differ from the native engine's: Xapian's BM25 uses
 * idf = log((N - df + 0.5) / (df + 0.5)) (clamped) and normalises lengths
 * against its own bounds; the README says what holds between the two.
 */
#include <stdio.h>
#include <stdlib.h>

#include "common/entity.h"
#include "common/io.h"
#include "searcher/reader.h"

/* a failure of the database into @p err */
static int
xfail(gzt_index *idx, int rc, gzt_error *err)
{
    return gzt_err_set(err, rc, "Xapian: %s", gzt_xdb_error(idx->xdb));
}

int
gzt_xreader_open(gzt_index *idx, bool stub, const gzt_open_opts *o,
                 gzt_error *err)
{
    char *one[1] = {idx->dir};
    char **paths = one;
    size_t n = 1;
    int rc = GZT_OK;
    if (!stub) {
        n = idx->man.shards;
        if (n == 0)
            return gzt_err_set(err, GZT_ECORRUPT,
                               "%s/MANIFEST: engine xapian without a shards "
                               "line",
                               idx->dir);
        paths = gzt_calloc(n + 1, sizeof *paths);
        if (!paths)
            return gzt_err_set(err, GZT_ENOMEM, "out of memory");
        for (uint32_t k = 0; k < n && rc == GZT_OK; k++) {
            char name[64];
            gzt_manifest_shard_name(&idx->man, k, name);
            if (!(paths[k] = gzt_path_join(idx->dir, name)))
                rc = gzt_err_set(err, GZT_ENOMEM, "out of memory");
        }
    }
    if (rc == GZT_OK)
        /* partial answers are for remote shards that are down; a local
         * shard that is missing is a damaged index (or one a reindex just
         * replaced: the open is retried) */
        rc = gzt_xdb_open_many(&idx->xdb, (const char *const *)paths, n,
                               o->timeout_ms, stub && o->allow_partial, err);
    if (!stub) {
        for (size_t k = 0; k < n; k++)
            gzt_free(paths[k]);
        gzt_free(paths);
    }
    if (rc)
        return rc;
    const char *skipped = gzt_xdb_skipped(idx->xdb);
    if (*skipped && !(idx->partial = gzt_strdup(skipped)))
        return gzt_err_set(err, GZT_ENOMEM, "out of memory");
    if (stub) {
        /* what the manifest says of an index, its shards say of
         * themselves */
        idx->stub = true;
        snprintf(idx->man.engine, sizeof idx->man.engine, "xapian");
        gzt_buf v = GZT_BUF_INIT;
        rc = gzt_xdb_meta(idx->xdb, GZT_XMETA_LANGUAGE, &v);
        if (rc == GZT_OK)
            snprintf(idx->man.language, sizeof idx->man.language, "%.*s",
                     (int)v.len, v.len ? (const char *)v.p : "english");
        if (rc == GZT_OK)
            rc = gzt_xdb_meta(idx->xdb, GZT_XMETA_ENTITIES, &v);
        idx->man.entities = v.len == 2 && !memcmp(v.p, "on", 2);
        gzt_buf_free(&v);
        if (rc)
            return xfail(idx, rc, err);
    }
    uint64_t tokens = 0;
    if ((rc = gzt_xdb_doccount(idx->xdb, &idx->live)) ||
        (rc = gzt_xdb_total_length(idx->xdb, &tokens)))
        return xfail(idx, rc, err);
    idx->tokens = tokens;
    idx->avgdl = idx->live ? (double)tokens / (double)idx->live : 1.0;
    if (idx->avgdl <= 0)
        idx->avgdl = 1.0;
    return gzt_analyzer_new(&idx->an, idx->man.language, err);
}

/* ---- the query --------------------------------------------------------- */

typedef struct xq_ctx {
    gzt_index *idx;  /* the reader */
    gzt_xq **made;   /* every query built, freed at the end */
    size_t n, cap;   /* count, capacity */
    uint32_t budget; /* prefix expansions left (all prefixes together) */
    int rc;          /* first failure */
    gzt_error *err;  /* its detail */
} xq_ctx;

/* keep @p q for freeing; NULL (out of memory) sets the failure */
static gzt_xq *
keep(xq_ctx *c, gzt_xq *q)
{
    if (!q) {
        if (!c->rc)
            c->rc = gzt_err_set(c->err, GZT_ENOMEM, "out of memory");
        return NULL;
    }
    if (c->n == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 32;
        gzt_xq **nm = gzt_realloc(c->made, ncap * sizeof *nm);
        if (!nm) {
            gzt_xq_free(q);
            if (!c->rc)
                c->rc = gzt_err_set(c->err, GZT_ENOMEM, "out of memory");
            return NULL;
        }
        c->made = nm;
        c->cap = ncap;
    }
    return c->made[c->n++] = q;
}

typedef gzt_xq *(*combiner)(const gzt_xq *, const gzt_xq *);

/* @p op over the translations of @p qs (NULL when n == 0) */
static gzt_xq *translate(xq_ctx *c, const gzt_qnode *n);

static gzt_xq *
fold(xq_ctx *c, combiner op, gzt_qnode *const *qs, uint32_t n)
{
    gzt_xq *acc = NULL;
    for (uint32_t i = 0; i < n && !c->rc; i++) {
        gzt_xq *x = translate(c, qs[i]);
        if (x)
            acc = acc ? keep(c, op(acc, x)) : x;
    }
    return c->rc ? NULL : acc;
}

static gzt_xq *
phrase(xq_ctx *c, const gzt_qnode *n)
{
    const char *terms[GZT_QUERY_MAX_PHRASE];
    size_t lens[GZT_QUERY_MAX_PHRASE];
    for (uint32_t i = 0; i < n->nterms; i++) {
        if (n->qpos[i] != i) {
            c->rc = gzt_err_set(c->err, GZT_EINVAL,
                                "column %u: a phrase with a word too long to "
                                "index has no form on the xapian engine",
                                n->col);
            return NULL;
        }
        terms[i] = n->terms[i];
        lens[i] = strlen(n->terms[i]);
    }
    uint64_t window = (uint64_t)n->nterms + n->slop;
    if (window > UINT32_MAX)
        window = UINT32_MAX;
    return keep(c, n->slop ? gzt_xq_phrase_window(terms, lens, n->nterms,
                                                  (uint32_t)window)
                           : gzt_xq_phrase(terms, lens, n->nterms));
}

typedef struct expansion {
    xq_ctx *c;          /* the translation */
    const gzt_qnode *n; /* the PREFIX node */
    gzt_xq *acc;        /* the OR so far */
} expansion;

static int
expand_one(void *ctx, const char *term, size_t len)
{
    expansion *e = ctx;
    xq_ctx *c = e->c;
    if (c->budget == 0) {
        const char *pre = e->n->terms[0];
        pre += pre[0] == GZT_PREFIX_TITLE;
        c->rc = gzt_err_set(c->err, GZT_ETOOBIG,
                            "column %u: prefix '%s*' matches more than %u "
                            "terms",
                            e->n->col, pre, GZT_QUERY_MAX_CLAUSES);
        return c->rc;
    }
    c->budget--;
    gzt_xq *t = keep(c, gzt_xq_term(term, len));
    if (t)
        e->acc = e->acc ? keep(c, gzt_xq_or(e->acc, t)) : t;
    return c->rc;
}

/* A prefix: the terms of the whole database that start with it (over all
 * shards at once, so scores and the ceiling do not depend on sharding),
 * OR-ed as the native engine does. */
static gzt_xq *
prefix(xq_ctx *c, const gzt_qnode *n)
{
    expansion e = {c, n, NULL};
    int rc = gzt_xdb_terms(c->idx->xdb, n->terms[0], strlen(n->terms[0]),
                           expand_one, &e);
    if (c->rc)
        return NULL;
    if (rc) {
        c->rc = xfail(c->idx, rc, c->err);
        return NULL;
    }
    return e.acc ? e.acc : keep(c, gzt_xq_none());
}

static gzt_xq *
translate(xq_ctx *c, const gzt_qnode *n)
{
    switch (n->kind) {
    case GZT_Q_NONE:
        return keep(c, gzt_xq_none());
    case GZT_Q_TERM:
        return keep(c, gzt_xq_term(n->terms[0], strlen(n->terms[0])));
    case GZT_Q_PHRASE:
        return phrase(c, n);
    case GZT_Q_PREFIX:
        return prefix(c, n);
    case GZT_Q_DATE: {
        /* undated documents (0) match no date range */
        char lo[16], hi[16];
        int ll = snprintf(lo, sizeof lo, "%08d", (int)GZT_MAX(n->from, 1));
        int hl = snprintf(hi, sizeof hi, "%08d", (int)n->to);
        gzt_xq *r = keep(
            c, gzt_xq_range(GZT_XSLOT_DATE, lo, (size_t)ll, hi, (size_t)hl));
        return r ? keep(c, gzt_xq_boolean(r)) : NULL;
    }
    case GZT_Q_ALL: {
        gzt_xq *a = keep(c, gzt_xq_all());
        return a ? keep(c, gzt_xq_boolean(a)) : NULL;
    }
    case GZT_Q_BOOL:
        break;
    }
    gzt_xq *must = fold(c, gzt_xq_and, n->must, n->nmust);
    gzt_xq *should = fold(c, gzt_xq_or, n->should, n->nshould);
    gzt_xq *mustnot = fold(c, gzt_xq_or, n->mustnot, n->nmustnot);
    if (c->rc)
        return NULL;
    gzt_xq *q = must && should ? keep(c, gzt_xq_and_maybe(must, should))
                : must         ? must
                : should       ? should
                               : keep(c, gzt_xq_none());
    if (q && mustnot)
        q = keep(c, gzt_xq_and_not(q, mustnot));
    return q;
}

/* ---- search ------------------------------------------------------------ */

/* the query of @p r as a Xapian query kept in @p c */
static gzt_xq *
query_of(xq_ctx *c, gzt_results *r, const gzt_search_opts *opts, gzt_error *err)
{
    memset(c, 0, sizeof *c);
    c->idx = r->idx;
    c->budget = GZT_QUERY_MAX_CLAUSES;
    c->err = err;
    if (opts && opts->explain) {
        c->rc = gzt_err_set(err, GZT_EINVAL,
                            "--explain shows gazette's own BM25 terms: it is "
                            "not available on the xapian engine");
        return NULL;
    }
    return translate(c, r->query);
}

static void
xq_ctx_fini(xq_ctx *c)
{
    for (size_t i = 0; i < c->n; i++)
        gzt_xq_free(c->made[i]);
    gzt_free(c->made);
}

/* a date value slot's YYYYMMDD (0 when unset) */
static gzt_date
date_of(const gzt_buf *v)
{
    char s[16];
    if (!v->len || v->len >= sizeof s)
        return 0;
    memcpy(s, v->p, v->len);
    s[v->len] = '\0';
    return (gzt_date)atoi(s);
}

/* date of document @p did from its value slot (0 when unset) */
static int
doc_date(gzt_index *idx, uint32_t did, gzt_date *out)
{
    gzt_buf v = GZT_BUF_INIT;
    int rc = gzt_xdb_value(idx->xdb, did, GZT_XSLOT_DATE, &v);
    *out = rc == GZT_OK ? date_of(&v) : 0;
    gzt_buf_free(&v);
    return rc;
}

/* idx->xrec, the data of document @p did, parsed into @p f */
static int
parse_record(gzt_index *idx, uint32_t did, gzt_docfields *f, gzt_error *err)
{
    if (!gzt_store_parse(idx->xrec.p, idx->xrec.len, f))
        return gzt_err_set(err, GZT_ECORRUPT,
                           "%s: Xapian document %u: bad stored record",
                           idx->dir, did);
    return GZT_OK;
}

int
gzt_xreader_doc(gzt_index *idx, uint32_t did, gzt_docfields *f, gzt_error *err)
{
    int rc = gzt_xdb_data(idx->xdb, did, &idx->xrec);
    return rc ? xfail(idx, rc, err) : parse_record(idx, did, f, err);
}

int
gzt_xreader_search(gzt_results *r, const gzt_search_opts *opts, gzt_error *err)
{
    gzt_index *idx = r->idx;
    xq_ctx c;
    gzt_xq *q = query_of(&c, r, opts, err);
    int rc = c.rc;
    gzt_xmset *m = NULL;
    if (rc == GZT_OK) {
        gzt_xsearch s = {opts->k1, opts->b,
                         (uint32_t)GZT_MIN(opts->offset, UINT32_MAX),
                         opts->count_only ? 0 : (uint32_t)opts->limit,
                         /* fast_topk: Xapian may stop once the page is
                          * certain; else it counts every match */
                         opts->fast_topk && !opts->count_only ? 0 : UINT32_MAX,
                         opts->sort == GZT_SORT_DATE       ? 1
                         : opts->sort == GZT_SORT_DATE_ASC ? 2
                                                           : 0,
                         GZT_XSLOT_DATE};
        if ((rc = gzt_xdb_search(idx->xdb, q, &s, &m)))
            rc = xfail(idx, rc, err);
    }
    xq_ctx_fini(&c);
    if (rc)
        return rc;
    uint64_t lower, est, upper;
    gzt_xmset_counts(m, &lower, &est, &upper);
    r->total = lower;
    r->lower_bound = lower != upper;
    r->nhits = gzt_xmset_size(m);
    r->hits = gzt_arena_calloc(&r->arena, (r->nhits + 1) * sizeof *r->hits);
    if (!r->hits)
        rc = gzt_err_set(err, GZT_ENOMEM, "out of memory");
    gzt_buf date = GZT_BUF_INIT;
    for (size_t i = 0; rc == GZT_OK && i < r->nhits; i++) {
        gzt_rhit *h = &r->hits[i];
        uint32_t did;
        gzt_xmset_item(m, i, &did, &h->score);
        h->doc = did;
        h->gdoc = did;
        if (opts->no_fetch)
            continue;
        gzt_docfields f;
        if ((rc = gzt_xmset_document(idx->xdb, m, i, GZT_XSLOT_DATE, &idx->xrec,
                                     &date))) {
            rc = xfail(idx, rc, err);
            break;
        }
        if ((rc = parse_record(idx, did, &f, err)))
            break;
        h->id = gzt_arena_strndup(&r->arena, f.f[GZT_FIELD_ID],
                                  f.len[GZT_FIELD_ID]);
        h->title = gzt_arena_strndup(&r->arena, f.f[GZT_FIELD_TITLE],
                                     f.len[GZT_FIELD_TITLE]);
        h->date = date_of(&date);
        if (!h->id || !h->title)
            rc = gzt_err_set(err, GZT_ENOMEM, "out of memory");
    }
    gzt_buf_free(&date);
    gzt_xmset_free(m);
    return rc;
}

typedef struct each_ctx {
    gzt_index *idx;                               /* the reader */
    int (*fn)(void *ctx, const gzt_docfields *f); /* called per document */
    void *ctx;                                    /* its context */
    gzt_error *err;                               /* detail */
    int rc; /* a failure of gzt_xreader_doc() or fn */
} each_ctx;

static int
each_doc(void *ctx, uint32_t did)
{
    each_ctx *e = ctx;
    gzt_docfields f;
    e->rc = gzt_xreader_doc(e->idx, did, &f, e->err);
    if (e->rc == GZT_OK)
        e->rc = e->fn(e->ctx, &f);
    return e->rc;
}

int
gzt_xreader_each(gzt_index *idx, gzt_results *r,
                 int (*fn)(void *ctx, const gzt_docfields *f), void *ctx,
                 gzt_error *err)
{
    each_ctx e = {idx, fn, ctx, err, GZT_OK};
    if (!r) {
        int rc = gzt_xdb_postlist(idx->xdb, "", 0, each_doc, &e);
        return e.rc ? e.rc : rc ? xfail(idx, rc, err) : GZT_OK;
    }
    xq_ctx c;
    gzt_xq *q = query_of(&c, r, NULL, err);
    int rc = c.rc;
    gzt_xmset *m = NULL;
    if (rc == GZT_OK) {
        uint64_t n = 0;
        if ((rc = gzt_xdb_doccount(idx->xdb, &n)) == GZT_OK) {
            gzt_xsearch s = {
                0.9,        0.4, 0, (uint32_t)GZT_MIN(n, UINT32_MAX),
                UINT32_MAX, 0,   0};
            rc = gzt_xdb_search(idx->xdb, q, &s, &m);
        }
        if (rc)
            rc = xfail(idx, rc, err);
    }
    xq_ctx_fini(&c);
    for (size_t i = 0; rc == GZT_OK && m && i < gzt_xmset_size(m); i++) {
        uint32_t did;
        double w;
        gzt_xmset_item(m, i, &did, &w);
        rc = each_doc(&e, did);
    }
    gzt_xmset_free(m);
    return rc;
}

int
gzt_xreader_get(gzt_index *idx, const char *id, gzt_docfields *f,
                gzt_date *date, uint32_t *length, gzt_error *err)
{
    uint32_t did;
    int rc = gzt_xdb_find(idx->xdb, id, strlen(id), &did);
    if (rc == GZT_ENOTFOUND)
        return gzt_err_set(err, rc, "no document with id '%s'", id);
    if (rc || (rc = doc_date(idx, did, date)) ||
        (rc = gzt_xdb_doclength(idx->xdb, did, length)))
        return xfail(idx, rc, err);
    return gzt_xreader_doc(idx, did, f, err);
}

void
gzt_xreader_stats(const gzt_index *idx, gzt_stats *out)
{
    out->docs = idx->live;
    out->tokens = idx->tokens;
    out->shards = idx->stub ? 0 : idx->man.shards;
    uint64_t terms = 0;
    if (gzt_xdb_termcount(idx->xdb, &terms) == GZT_OK)
        out->terms = terms;
    for (uint32_t k = 0; !idx->stub && k < idx->man.shards; k++) {
        char name[64];
        gzt_manifest_shard_name(&idx->man, k, name);
        char *p = gzt_path_join(idx->dir, name);
        if (p)
            out->bytes_xapian += gzt_io_tree_size(p);
        gzt_free(p);
    }
}
