/* SPDX-License-Identifier: MIT */
/*
 * facets.c: gazette entities: the entities of an index or of a query's
 * matches, with exact document and mention counts.
 *
 * Every mention is indexed with a facet term: "T", the type's letter and
 * the canonical form as written. The index-wide list walks those terms in
 * each segment's dictionary and sums their statistics (through the
 * postings where a segment has deletions); for a query, the matches are
 * collected as one bitmap per segment and each facet term's postings are
 * counted against it. The cost is one pass over the facet postings.
 */
#include <stdlib.h>

#include "common/entity.h"
#include "searcher/reader.h"

struct gzt_facets {
    gzt_arena arena;  /* strings and the array */
    gzt_facet *v;     /* facets */
    size_t n;         /* count */
    uint64_t matches; /* matching documents */
};

typedef struct agg {
    char *key;     /* facet term (arena) */
    uint64_t docs; /* documents */
    uint64_t ment; /* mentions */
    uint64_t last; /* xapian: the document that counted last (1-based) */
} agg;

typedef struct table {
    agg *v;     /* open addressing, key NULL = empty */
    size_t cap; /* slots */
    size_t n;   /* used */
} table;

static agg *
slot(table *t, gzt_arena *a, const char *key, size_t len)
{
    if ((t->n + 1) * 2 > t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 1024;
        agg *nv = gzt_calloc(ncap, sizeof *nv);
        if (!nv)
            return NULL;
        for (size_t i = 0; i < t->cap; i++) {
            if (!t->v[i].key)
                continue;
            size_t j =
                gzt_hash64(t->v[i].key, strlen(t->v[i].key)) & (ncap - 1);
            while (nv[j].key)
                j = (j + 1) & (ncap - 1);
            nv[j] = t->v[i];
        }
        gzt_free(t->v);
        t->v = nv;
        t->cap = ncap;
    }
    size_t j = gzt_hash64(key, len) & (t->cap - 1);
    while (t->v[j].key) {
        if (!strncmp(t->v[j].key, key, len) && t->v[j].key[len] == '\0')
            return &t->v[j];
        j = (j + 1) & (t->cap - 1);
    }
    t->v[j].key = gzt_arena_strndup(a, key, len);
    if (!t->v[j].key)
        return NULL;
    t->n++;
    return &t->v[j];
}

static int
cmp_facet(const void *a, const void *b)
{
    const gzt_facet *x = a, *y = b;
    if (x->docs != y->docs)
        return x->docs > y->docs ? -1 : 1;
    if (x->mentions != y->mentions)
        return x->mentions > y->mentions ? -1 : 1;
    int c = strcmp(x->canonical, y->canonical);
    return c ? c : (int)x->type - (int)y->type;
}

static int
type_of_letter(char c)
{
    switch (c) {
    case 'P':
        return GZT_ENTITY_PER;
    case 'O':
        return GZT_ENTITY_ORG;
    case 'L':
        return GZT_ENTITY_LOC;
    case 'M':
        return GZT_ENTITY_MISC;
    default:
        return 0;
    }
}

/* The Xapian engine keeps facet terms without frequencies (they must not
 * add to document lengths), so its facets count the stored mentions of
 * each matching document: one pass over the documents, not the terms. */
typedef struct xfacets {
    table *t;         /* the counts */
    gzt_arena *arena; /* their keys */
    gzt_buf key;      /* scratch: a facet term */
    uint64_t doc;     /* documents seen */
    int type;         /* only this type, 0 = all */
    gzt_error *err;   /* detail */
} xfacets;

static int
xcount(void *ctx, const gzt_docfields *f)
{
    xfacets *x = ctx;
    gzt_arena a;
    gzt_arena_init(&a, 0);
    gzt_entity *e;
    size_t n;
    x->doc++;
    int rc = gzt_entity_decode(
        f->f[GZT_FIELD_ENTITIES], f->len[GZT_FIELD_ENTITIES],
        f->f[GZT_FIELD_TITLE], f->len[GZT_FIELD_TITLE], f->f[GZT_FIELD_BODY],
        f->len[GZT_FIELD_BODY], &a, &e, &n);
    for (size_t i = 0; rc == GZT_OK && i < n; i++) {
        const char *tn = gzt_entity_type_name(e[i].type);
        if (!*tn || (x->type && (int)e[i].type != x->type))
            continue;
        gzt_buf_reset(&x->key);
        if (gzt_buf_putc(&x->key, GZT_PREFIX_FACET) ||
            gzt_buf_putc(&x->key, (uint8_t)tn[0]) ||
            gzt_buf_append(&x->key, e[i].canonical, strlen(e[i].canonical))) {
            rc = GZT_ENOMEM;
            break;
        }
        /* as the writer: a facet term only for a canonical form it keeps */
        if (x->key.len <= 2 || x->key.len > GZT_XTERM_MAX)
            continue;
        agg *g = slot(x->t, x->arena, (const char *)x->key.p, x->key.len);
        if (!g) {
            rc = GZT_ENOMEM;
            break;
        }
        g->docs += g->last != x->doc;
        g->last = x->doc;
        g->ment++;
    }
    gzt_arena_fini(&a);
    if (rc)
        return gzt_err_set(x->err, rc == GZT_ENOMEM ? rc : GZT_ECORRUPT,
                           rc == GZT_ENOMEM ? "out of memory"
                                            : "bad stored entities");
    return GZT_OK;
}

int
gzt_index_entities(gzt_facets **out, gzt_index *idx, const char *query,
                   const gzt_search_opts *opts, int type, size_t limit,
                   gzt_error *err)
{
    gzt_err_clear(err);
    *out = NULL;
    gzt_results *res = NULL;
    int rc = GZT_OK;
    if (query && *query) {
        gzt_search_opts o;
        if (opts)
            o = *opts;
        else
            gzt_search_opts_init(&o);
        o.limit = 0;
        o.offset = 0;
        o.count_only = 1;
        if ((rc = idx->xdb ? gzt_search(&res, idx, query, &o, err)
                           : gzt_search_bits(&res, idx, query, &o, err)))
            return rc;
    }
    gzt_facets *f = gzt_calloc(1, sizeof *f);
    if (!f) {
        gzt_results_free(res);
        return gzt_err_set(err, GZT_ENOMEM, "out of memory");
    }
    gzt_arena_init(&f->arena, 0);
    f->matches = res ? res->total : idx->live;
    table t = {0};
    char start[2] = {GZT_PREFIX_FACET, 0};
    if (idx->xdb) {
        xfacets x = {&t, &f->arena, GZT_BUF_INIT, 0, type, err};
        rc = gzt_xreader_each(idx, res, xcount, &x, err);
        gzt_buf_free(&x.key);
    }
    for (uint32_t s = 0; s < idx->nsegs && rc == GZT_OK; s++) {
        gzt_segment *seg = idx->segs[s];
        const uint8_t *bm = res ? res->bits[s] : NULL;
        gzt_dict_iter it;
        bool ok;
        rc = gzt_dict_iter_seek(&it, seg, start, 1, err);
        while (rc == GZT_OK &&
               (rc = gzt_dict_iter_next(&it, &ok, err)) == GZT_OK && ok &&
               it.term[0] == GZT_PREFIX_FACET) {
            if (it.term_len < 3 || !type_of_letter(it.term[1]) ||
                (type && type_of_letter(it.term[1]) != type))
                continue;
            uint64_t docs = 0, ment = 0;
            if (!bm && !seg->delbits) {
                docs = it.ti.df;
                ment = it.ti.cf;
            } else {
                gzt_postings p;
                if ((rc = gzt_postings_open(&p, seg, &it.ti, err)))
                    break;
                while (gzt_postings_next(&p) != GZT_END) {
                    uint32_t d = p.doc;
                    if (gzt_segment_deleted(seg, d) ||
                        (bm && !(bm[d >> 3] >> (d & 7) & 1)))
                        continue;
                    docs++;
                    ment += gzt_postings_freq(&p);
                }
                rc = p.error;
                gzt_postings_close(&p);
                if (rc)
                    break;
            }
            if (!docs)
                continue;
            agg *a = slot(&t, &f->arena, it.term, it.term_len);
            if (!a) {
                rc = gzt_err_set(err, GZT_ENOMEM, "out of memory");
                break;
            }
            a->docs += docs;
            a->ment += ment;
        }
    }
    if (rc == GZT_OK) {
        f->v = gzt_arena_alloc(&f->arena, (t.n + 1) * sizeof *f->v);
        if (!f->v)
            rc = gzt_err_set(err, GZT_ENOMEM, "out of memory");
    }
    for (size_t i = 0; rc == GZT_OK && i < t.cap; i++) {
        if (!t.v[i].key)
            continue;
        f->v[f->n++] =
            (gzt_facet){(gzt_entity_type)type_of_letter(t.v[i].key[1]),
                        t.v[i].key + 2, t.v[i].docs, t.v[i].ment};
    }
    gzt_free(t.v);
    gzt_results_free(res);
    if (rc) {
        gzt_facets_free(f);
        return rc;
    }
    qsort(f->v, f->n, sizeof *f->v, cmp_facet);
    if (limit && f->n > limit)
        f->n = limit;
    *out = f;
    return GZT_OK;
}

size_t
gzt_facets_count(const gzt_facets *f)
{
    return f->n;
}

const gzt_facet *
gzt_facets_get(const gzt_facets *f, size_t i)
{
    return i < f->n ? &f->v[i] : NULL;
}

uint64_t
gzt_facets_matches(const gzt_facets *f)
{
    return f->matches;
}

void
gzt_facets_free(gzt_facets *f)
{
    if (!f)
        return;
    gzt_arena_fini(&f->arena);
    gzt_free(f);
}
