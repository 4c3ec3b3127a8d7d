/* SPDX-License-Identifier: MIT */
/*
 * reference.c: the brute-force reference scorer (see reference.h).
 *
 * The forward index is built in two passes. The first analyses every live
 * document, interning each term in a hash table of its own and keeping
 * (term, position) pairs per document; the second sorts the vocabulary in
 * byte order, renumbers the terms by rank and sorts each document's pairs,
 * so that a document is a sorted array of distinct term numbers with their
 * positions. Because numbers follow byte order, the terms starting with a
 * prefix are one contiguous range of numbers: a prefix query is a range
 * scan, summed in byte order, which is also the order in which the engine
 * sums a prefix's expansions.
 *
 * Indexing conventions mirrored from indexer/invert.c: title tokens at
 * positions 0.., the body starting 100 positions after the title's next
 * position when the title produced one, else at 0; the length is the
 * number of title tokens plus the body positions consumed. The reference
 * models title: as the simplest reading of it, each title token indexed a
 * second time as GZT_PREFIX_TITLE + term (the engine instead filters the
 * one copy of the postings by the title's end position): the two must
 * agree.
 *
 * Scores are summed in the order the engine sums them (must clauses, then
 * matching optional ones, each in query order), so that equal scores come
 * out bit-identical and ties are broken by docid on both sides.
 */
#include "tests/support/reference.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define TITLE_GAP 100          /* invert.c: body starts this far after title */
#define DATE_OPEN_END 99991231 /* the upper end of an open date range */
#define NOTERM UINT32_MAX      /* a query term absent from every document */

typedef struct rdoc {
    gzt_reference_doc pub; /* what the caller may see */
    size_t first;          /* its first entry in ent_* */
    uint32_t nent;         /* its distinct terms */
} rdoc;

struct gzt_reference {
    gzt_index *idx;     /* borrowed reader */
    rdoc *docs;         /* live documents in docid order */
    size_t ndocs;       /* count (N) */
    uint64_t tokens;    /* sum of lengths */
    double avgdl;       /* tokens / N */
    char **terms;       /* vocabulary in byte order, NUL-terminated */
    uint32_t *term_len; /* bytes of each */
    uint32_t *df;       /* live documents containing each */
    double *idf;        /* Lucene idf of each */
    uint32_t nterms;    /* count */
    uint32_t *ent_term; /* per (document, term): the term number */
    uint32_t *ent_tf;   /* its frequency in the document */
    size_t *ent_pos;    /* index of its first position in pos */
    uint32_t *pos;      /* positions, ascending per entry */
    size_t nmismatch;   /* documents whose length disagreed */
    char mismatch[256]; /* the first of them */
};

/* ---- building ------------------------------------------------------------ */

/* The first pass: interned terms and (term << 32 | position) pairs. */
typedef struct builder {
    char **s;          /* interned terms by temporary number */
    uint32_t *len;     /* their bytes */
    uint32_t n;        /* count */
    uint32_t cap;      /* capacity of s, len */
    uint32_t *slots;   /* hash table: number + 1, 0 empty */
    size_t nslots;     /* a power of two */
    uint64_t *pairs;   /* all documents' pairs, document after document */
    size_t npairs;     /* count */
    size_t pcap;       /* capacity */
    bool title;        /* analysing a title: also add the prefixed term */
    uint32_t ntitle;   /* title tokens of the current document */
    char scratch[512]; /* prefixed term */
} builder;

static uint64_t
fnv1a(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603u;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211u;
    }
    return h;
}

static int
grow_slots(builder *b)
{
    size_t n = b->nslots ? b->nslots * 2 : 1u << 16;
    uint32_t *t = calloc(n, sizeof *t);
    if (!t)
        return GZT_ENOMEM;
    for (uint32_t i = 0; i < b->n; i++) {
        size_t j = fnv1a(b->s[i], b->len[i]) & (n - 1);
        while (t[j])
            j = (j + 1) & (n - 1);
        t[j] = i + 1;
    }
    free(b->slots);
    b->slots = t;
    b->nslots = n;
    return GZT_OK;
}

/* temporary number of term @p s, interned when new */
static int
intern(builder *b, const char *s, size_t len, uint32_t *out)
{
    if (((size_t)b->n + 1) * 2 > b->nslots && grow_slots(b))
        return GZT_ENOMEM;
    size_t j = fnv1a(s, len) & (b->nslots - 1);
    while (b->slots[j]) {
        uint32_t i = b->slots[j] - 1;
        if (b->len[i] == len && memcmp(b->s[i], s, len) == 0) {
            *out = i;
            return GZT_OK;
        }
        j = (j + 1) & (b->nslots - 1);
    }
    if (b->n == b->cap) {
        uint32_t ncap = b->cap ? b->cap * 2 : 4096;
        char **ns = realloc(b->s, ncap * sizeof *ns);
        if (!ns)
            return GZT_ENOMEM;
        b->s = ns;
        uint32_t *nl = realloc(b->len, ncap * sizeof *nl);
        if (!nl)
            return GZT_ENOMEM;
        b->len = nl;
        b->cap = ncap;
    }
    char *copy = malloc(len + 1);
    if (!copy)
        return GZT_ENOMEM;
    memcpy(copy, s, len);
    copy[len] = '\0';
    b->s[b->n] = copy;
    b->len[b->n] = (uint32_t)len;
    b->slots[j] = b->n + 1;
    *out = b->n++;
    return GZT_OK;
}

static int
add_pair(builder *b, const char *s, size_t len, uint32_t pos)
{
    uint32_t t;
    if (intern(b, s, len, &t))
        return GZT_ENOMEM;
    if (b->npairs == b->pcap) {
        size_t ncap = b->pcap ? b->pcap * 2 : 1u << 16;
        uint64_t *np = realloc(b->pairs, ncap * sizeof *np);
        if (!np)
            return GZT_ENOMEM;
        b->pairs = np;
        b->pcap = ncap;
    }
    b->pairs[b->npairs++] = (uint64_t)t << 32 | pos;
    return GZT_OK;
}

static int
on_token(void *ctx, const gzt_token *tok)
{
    builder *b = ctx;
    int rc = add_pair(b, tok->term, tok->term_len, tok->pos);
    if (rc || !b->title)
        return rc;
    b->ntitle++;
    if ((size_t)tok->term_len + 1 > sizeof b->scratch)
        return GZT_ETOOBIG;
    b->scratch[0] = GZT_PREFIX_TITLE;
    memcpy(b->scratch + 1, tok->term, tok->term_len);
    return add_pair(b, b->scratch, (size_t)tok->term_len + 1, tok->pos);
}

static void
builder_fini(builder *b)
{
    for (uint32_t i = 0; i < b->n; i++)
        free(b->s[i]);
    free(b->s);
    free(b->len);
    free(b->slots);
    free(b->pairs);
}

/* Analyse live document @p local of segment @p si into @p b and fill in
 * @p d (all but the entries). */
static int
load_doc(gzt_reference *r, builder *b, uint32_t si, uint32_t local, rdoc *d,
         gzt_error *err)
{
    gzt_segment *s = r->idx->segs[si];
    gzt_docfields f;
    int rc = gzt_segment_doc(s, local, &f, err);
    if (rc)
        return rc;
    uint32_t next = 0;
    b->ntitle = 0;
    if (f.len[GZT_FIELD_TITLE] > 0) {
        b->title = true;
        rc = gzt_analyze(r->idx->an, f.f[GZT_FIELD_TITLE],
                         f.len[GZT_FIELD_TITLE], 0, on_token, b, &next);
        b->title = false;
        if (rc)
            return gzt_err_set(err, rc, "reference: analysing a title");
    }
    uint32_t body_start = next ? next + TITLE_GAP : 0, body_end = body_start;
    if (f.len[GZT_FIELD_BODY] > 0) {
        rc = gzt_analyze(r->idx->an, f.f[GZT_FIELD_BODY], f.len[GZT_FIELD_BODY],
                         body_start, on_token, b, &body_end);
        if (rc)
            return gzt_err_set(err, rc, "reference: analysing a body");
    }
    d->pub.docid = r->idx->base[si] + local;
    d->pub.seg = si;
    d->pub.local = local;
    d->pub.date = gzt_segment_docdate(s, local);
    d->pub.len = b->ntitle + (body_end - body_start);
    uint32_t stored = gzt_segment_doclen(s, local);
    if (stored != d->pub.len && r->nmismatch++ == 0)
        snprintf(r->mismatch, sizeof r->mismatch,
                 "docid %llu (segment %u, doc %u, id '%.*s'): reference "
                 "length %u, stored length %u",
                 (unsigned long long)d->pub.docid, si, local,
                 (int)GZT_MIN(f.len[GZT_FIELD_ID], (size_t)100),
                 f.f[GZT_FIELD_ID], d->pub.len, stored);
    return GZT_OK;
}

static const builder *sort_builder; /* for cmp_rank: qsort has no context */

static int
cmp_rank(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    const builder *bd = sort_builder;
    uint32_t lx = bd->len[x], ly = bd->len[y];
    int c = memcmp(bd->s[x], bd->s[y], GZT_MIN(lx, ly));
    return c ? c : (lx > ly) - (lx < ly);
}

static int
cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static double
lucene_idf(double n, double df)
{
    return log(1.0 + (n - df + 0.5) / (df + 0.5));
}

/* The second pass: vocabulary in byte order, documents as sorted entries,
 * statistics. @p start[i] is the first pair of document i. */
static int
finish(gzt_reference *r, builder *b, const size_t *start)
{
    uint32_t n = b->n;
    uint32_t *order = malloc(((size_t)n + 1) * sizeof *order);
    uint32_t *rank = malloc(((size_t)n + 1) * sizeof *rank);
    r->terms = calloc((size_t)n + 1, sizeof *r->terms);
    r->term_len = malloc(((size_t)n + 1) * sizeof *r->term_len);
    r->df = calloc((size_t)n + 1, sizeof *r->df);
    r->idf = malloc(((size_t)n + 1) * sizeof *r->idf);
    r->pos = malloc((b->npairs + 1) * sizeof *r->pos);
    r->ent_term = malloc((b->npairs + 1) * sizeof *r->ent_term);
    r->ent_tf = malloc((b->npairs + 1) * sizeof *r->ent_tf);
    r->ent_pos = malloc((b->npairs + 1) * sizeof *r->ent_pos);
    if (!order || !rank || !r->terms || !r->term_len || !r->df || !r->idf ||
        !r->pos || !r->ent_term || !r->ent_tf || !r->ent_pos) {
        free(order);
        free(rank);
        return GZT_ENOMEM;
    }
    for (uint32_t i = 0; i < n; i++)
        order[i] = i;
    sort_builder = b;
    qsort(order, n, sizeof *order, cmp_rank);
    sort_builder = NULL;
    for (uint32_t k = 0; k < n; k++) {
        rank[order[k]] = k;
        r->terms[k] = b->s[order[k]]; /* ownership moves */
        r->term_len[k] = b->len[order[k]];
        b->s[order[k]] = NULL;
    }
    r->nterms = n;
    free(order);

    size_t nent = 0;
    for (size_t i = 0; i < r->ndocs; i++) {
        uint64_t *p = b->pairs + start[i];
        size_t np = start[i + 1] - start[i];
        for (size_t k = 0; k < np; k++)
            p[k] = (uint64_t)rank[p[k] >> 32] << 32 | (p[k] & 0xffffffffu);
        qsort(p, np, sizeof *p, cmp_u64);
        rdoc *d = &r->docs[i];
        d->first = nent;
        d->nent = 0;
        for (size_t k = 0; k < np; k++) {
            uint32_t t = (uint32_t)(p[k] >> 32);
            r->pos[start[i] + k] = (uint32_t)p[k];
            if (k == 0 || (uint32_t)(p[k - 1] >> 32) != t) {
                r->ent_term[nent] = t;
                r->ent_tf[nent] = 0;
                r->ent_pos[nent] = start[i] + k;
                r->df[t]++;
                nent++;
                d->nent++;
            }
            r->ent_tf[nent - 1]++;
        }
    }
    free(rank);
    for (uint32_t t = 0; t < n; t++)
        r->idf[t] = lucene_idf((double)r->ndocs, (double)r->df[t]);
    return GZT_OK;
}

int
gzt_reference_open(gzt_reference **out, gzt_index *idx, gzt_error *err)
{
    *out = NULL;
    gzt_reference *r = calloc(1, sizeof *r);
    builder b;
    memset(&b, 0, sizeof b);
    size_t *start = NULL;
    int rc = GZT_ENOMEM;
    if (!r)
        goto fail;
    r->idx = idx;
    size_t cap = 0;
    for (uint32_t s = 0; s < idx->nsegs; s++)
        cap += idx->segs[s]->ndocs;
    r->docs = calloc(cap + 1, sizeof *r->docs);
    start = malloc((cap + 2) * sizeof *start);
    if (!r->docs || !start)
        goto fail;
    for (uint32_t s = 0; s < idx->nsegs; s++) {
        for (uint32_t d = 0; d < idx->segs[s]->ndocs; d++) {
            if (gzt_segment_deleted(idx->segs[s], d))
                continue;
            start[r->ndocs] = b.npairs;
            rc = load_doc(r, &b, s, d, &r->docs[r->ndocs], err);
            if (rc)
                goto fail;
            r->tokens += r->docs[r->ndocs].pub.len;
            r->ndocs++;
        }
    }
    start[r->ndocs] = b.npairs;
    /* the engine's guard: an empty index or one of empty documents */
    r->avgdl = r->ndocs ? (double)r->tokens / (double)r->ndocs : 1.0;
    if (r->avgdl <= 0)
        r->avgdl = 1.0;
    if ((rc = finish(r, &b, start)))
        goto fail;
    free(start);
    builder_fini(&b);
    *out = r;
    return GZT_OK;
fail:
    if (rc == GZT_ENOMEM)
        gzt_err_set(err, GZT_ENOMEM, "reference: out of memory");
    free(start);
    builder_fini(&b);
    gzt_reference_free(r);
    return rc;
}

void
gzt_reference_free(gzt_reference *r)
{
    if (!r)
        return;
    if (r->terms)
        for (uint32_t i = 0; i < r->nterms; i++)
            free(r->terms[i]);
    free(r->terms);
    free(r->term_len);
    free(r->df);
    free(r->idf);
    free(r->ent_term);
    free(r->ent_tf);
    free(r->ent_pos);
    free(r->pos);
    free(r->docs);
    free(r);
}

void
gzt_reference_opts_from(gzt_reference_opts *out, const gzt_search_opts *o)
{
    out->k1 = o->k1;
    out->b = o->b;
    out->sort = o->sort;
    out->since = o->since;
    out->until = o->until;
}

size_t
gzt_reference_ndocs(const gzt_reference *r)
{
    return r->ndocs;
}

uint64_t
gzt_reference_tokens(const gzt_reference *r)
{
    return r->tokens;
}

size_t
gzt_reference_length_mismatches(const gzt_reference *r, const char **first)
{
    if (first)
        *first = r->mismatch;
    return r->nmismatch;
}

const gzt_reference_doc *
gzt_reference_doc_at(const gzt_reference *r, size_t i)
{
    return i < r->ndocs ? &r->docs[i].pub : NULL;
}

size_t
gzt_reference_nterms(const gzt_reference *r)
{
    return r->nterms;
}

const char *
gzt_reference_term(const gzt_reference *r, size_t i, uint32_t *df)
{
    if (i >= r->nterms)
        return NULL;
    if (df)
        *df = r->df[i];
    return r->terms[i];
}

/* first term number whose term is >= @p s in byte order */
static uint32_t
lower_term(const gzt_reference *r, const char *s, size_t len)
{
    uint32_t lo = 0, hi = r->nterms;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        uint32_t ml = r->term_len[mid];
        int c = memcmp(r->terms[mid], s, GZT_MIN(ml, len));
        if (c < 0 || (c == 0 && ml < len))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* the term numbers [*lo, *hi) of the terms starting with @p prefix */
static void
prefix_range(const gzt_reference *r, const char *prefix, uint32_t *lo,
             uint32_t *hi)
{
    size_t len = strlen(prefix);
    uint32_t i = lower_term(r, prefix, len);
    *lo = i;
    while (i < r->nterms && r->term_len[i] >= len &&
           memcmp(r->terms[i], prefix, len) == 0)
        i++;
    *hi = i;
}

size_t
gzt_reference_prefix_count(const gzt_reference *r, const char *prefix)
{
    uint32_t lo, hi;
    prefix_range(r, prefix, &lo, &hi);
    return hi - lo;
}

/* term number of @p s, NOTERM when no live document has it */
static uint32_t
term_number(const gzt_reference *r, const char *s)
{
    size_t len = strlen(s);
    uint32_t i = lower_term(r, s, len);
    if (i < r->nterms && r->term_len[i] == len &&
        memcmp(r->terms[i], s, len) == 0)
        return i;
    return NOTERM;
}

/* ---- queries ------------------------------------------------------------- */

/* A query node with its terms resolved to term numbers. */
typedef struct cnode cnode;
struct cnode {
    gzt_qkind kind;       /* as the parsed node */
    uint32_t n;           /* TERM, PHRASE: terms */
    uint32_t *term;       /* their numbers, NOTERM when absent */
    const uint32_t *qpos; /* PHRASE: relative positions (borrowed) */
    uint32_t slop;        /* PHRASE: extra distance allowed */
    double idf;           /* TERM: its idf; PHRASE: sum of its terms' */
    uint32_t lo, hi;      /* PREFIX: term numbers [lo, hi) */
    gzt_date from, to;    /* DATE: inclusive range */
    cnode **must;         /* BOOL: required */
    uint32_t nmust;       /* count */
    cnode **should;       /* BOOL: optional */
    uint32_t nshould;     /* count */
    cnode **mustnot;      /* BOOL: excluded */
    uint32_t nmustnot;    /* count */
};

static void
cnode_free(cnode *c)
{
    if (!c)
        return;
    for (uint32_t i = 0; i < c->nmust; i++)
        cnode_free(c->must[i]);
    for (uint32_t i = 0; i < c->nshould; i++)
        cnode_free(c->should[i]);
    for (uint32_t i = 0; i < c->nmustnot; i++)
        cnode_free(c->mustnot[i]);
    free(c->must);
    free(c->should);
    free(c->mustnot);
    free(c->term);
    free(c);
}

static int compile(const gzt_reference *r, const gzt_qnode *q, size_t *expanded,
                   cnode **out);

static int
compile_list(const gzt_reference *r, gzt_qnode *const *qs, uint32_t n,
             size_t *expanded, cnode ***out)
{
    *out = calloc((size_t)n + 1, sizeof **out);
    if (!*out)
        return GZT_ENOMEM;
    for (uint32_t i = 0; i < n; i++) {
        int rc = compile(r, qs[i], expanded, &(*out)[i]);
        if (rc)
            return rc;
    }
    return GZT_OK;
}

/* Resolve @p q into *out; *expanded counts the terms of prefixes. On
 * failure *out is still freeable with cnode_free(). */
static int
compile(const gzt_reference *r, const gzt_qnode *q, size_t *expanded,
        cnode **out)
{
    cnode *c = calloc(1, sizeof *c);
    *out = c;
    if (!c)
        return GZT_ENOMEM;
    c->kind = q->kind;
    int rc = GZT_OK;
    switch (q->kind) {
    case GZT_Q_NONE:
    case GZT_Q_ALL:
        break;
    case GZT_Q_DATE:
        c->from = q->from;
        c->to = q->to;
        break;
    case GZT_Q_PREFIX:
        prefix_range(r, q->terms[0], &c->lo, &c->hi);
        *expanded += c->hi - c->lo;
        break;
    case GZT_Q_TERM:
    case GZT_Q_PHRASE:
        c->n = q->kind == GZT_Q_TERM ? 1 : q->nterms;
        c->term = malloc((size_t)c->n * sizeof *c->term);
        if (!c->term)
            return GZT_ENOMEM;
        c->idf = 0;
        for (uint32_t i = 0; i < c->n; i++) {
            c->term[i] = term_number(r, q->terms[i]);
            /* an absent term matches nothing, so its idf never counts */
            if (c->term[i] != NOTERM)
                c->idf += r->idf[c->term[i]];
        }
        if (q->kind == GZT_Q_PHRASE) {
            c->qpos = q->qpos;
            c->slop = q->slop;
        }
        break;
    case GZT_Q_BOOL:
        c->nmust = q->nmust;
        c->nshould = q->nshould;
        c->nmustnot = q->nmustnot;
        if ((rc = compile_list(r, q->must, q->nmust, expanded, &c->must)) ||
            (rc = compile_list(r, q->should, q->nshould, expanded,
                               &c->should)) ||
            (rc = compile_list(r, q->mustnot, q->nmustnot, expanded,
                               &c->mustnot)))
            return rc;
        break;
    }
    return rc;
}

/* Per-query parameters of scoring. */
typedef struct scorer {
    const gzt_reference *r; /* the reference */
    double k1;              /* BM25 k1 */
    double b;               /* BM25 b */
} scorer;

static double
bm25(const scorer *s, double idf, double tf, uint32_t dl)
{
    double k1 = s->k1, b = s->b;
    return idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / s->r->avgdl));
}

/* entry of term @p t in @p d, or SIZE_MAX */
static size_t
find_entry(const gzt_reference *r, const rdoc *d, uint32_t t)
{
    size_t lo = d->first, hi = d->first + d->nent;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->ent_term[mid] < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < d->first + d->nent && r->ent_term[lo] == t ? lo : SIZE_MAX;
}

/* first index in @p p[0..n) of a value >= @p want, n when none */
static uint32_t
lower_pos(const uint32_t *p, uint32_t n, uint64_t want)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (p[mid] < want)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/*
 * Matches of phrase @p c in @p d, as search.c's phrase_freq() defines
 * them: for every position of the first term, take for each next term in
 * query order its first position at or after the previous one plus the
 * query gap; a match when all are found and the last is no more than the
 * query's span plus slop after the first. With slop 0 that is an exact
 * match at the query's gaps.
 */
static uint32_t
phrase_matches(const gzt_reference *r, const cnode *c, const rdoc *d)
{
    const uint32_t *pos[GZT_QUERY_MAX_PHRASE];
    uint32_t np[GZT_QUERY_MAX_PHRASE];
    for (uint32_t i = 0; i < c->n; i++) {
        if (c->term[i] == NOTERM)
            return 0;
        size_t e = find_entry(r, d, c->term[i]);
        if (e == SIZE_MAX)
            return 0;
        pos[i] = r->pos + r->ent_pos[e];
        np[i] = r->ent_tf[e];
    }
    uint64_t span = c->qpos[c->n - 1] - c->qpos[0];
    uint32_t freq = 0;
    for (uint32_t a = 0; a < np[0]; a++) {
        uint64_t prev = pos[0][a];
        bool found = true;
        for (uint32_t i = 1; i < c->n && found; i++) {
            uint64_t want = prev + (c->qpos[i] - c->qpos[i - 1]);
            uint32_t j = lower_pos(pos[i], np[i], want);
            found = j < np[i];
            if (found)
                prev = pos[i][j];
        }
        if (found && prev - pos[0][a] <= span + c->slop)
            freq++;
    }
    return freq;
}

/* Does @p c match @p d? *score receives its BM25 when it does. */
static bool
eval(const scorer *s, const cnode *c, const rdoc *d, double *score)
{
    const gzt_reference *r = s->r;
    *score = 0;
    switch (c->kind) {
    case GZT_Q_NONE:
        return false;
    case GZT_Q_ALL:
        return true;
    case GZT_Q_DATE:
        return d->pub.date != 0 && d->pub.date >= c->from &&
               d->pub.date <= c->to;
    case GZT_Q_TERM: {
        if (c->term[0] == NOTERM)
            return false;
        size_t e = find_entry(r, d, c->term[0]);
        if (e == SIZE_MAX)
            return false;
        *score = bm25(s, c->idf, (double)r->ent_tf[e], d->pub.len);
        return true;
    }
    case GZT_Q_PHRASE: {
        uint32_t f = phrase_matches(r, c, d);
        if (f == 0)
            return false;
        *score = bm25(s, c->idf, (double)f, d->pub.len);
        return true;
    }
    case GZT_Q_PREFIX: {
        /* the document's entries are sorted by term number, and the
         * expansion is a range of term numbers: scan it */
        size_t lo = d->first, hi = d->first + d->nent;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (r->ent_term[mid] < c->lo)
                lo = mid + 1;
            else
                hi = mid;
        }
        bool any = false;
        double sum = 0;
        for (size_t e = lo; e < d->first + d->nent && r->ent_term[e] < c->hi;
             e++) {
            sum += bm25(s, r->idf[r->ent_term[e]], (double)r->ent_tf[e],
                        d->pub.len);
            any = true;
        }
        *score = sum;
        return any;
    }
    case GZT_Q_BOOL: {
        double sum = 0, x;
        for (uint32_t i = 0; i < c->nmust; i++) {
            if (!eval(s, c->must[i], d, &x))
                return false;
            sum += x;
        }
        for (uint32_t i = 0; i < c->nmustnot; i++)
            if (eval(s, c->mustnot[i], d, &x))
                return false;
        bool any = false;
        for (uint32_t i = 0; i < c->nshould; i++) {
            if (eval(s, c->should[i], d, &x)) {
                sum += x;
                any = true;
            }
        }
        /* optional clauses decide only when nothing is required; a BOOL of
         * exclusions alone matches everything else (query.h) */
        if (c->nmust == 0 && c->nshould > 0 && !any)
            return false;
        *score = sum;
        return true;
    }
    }
    return false;
}

static int
cmp_score(const gzt_reference_hit *a, const gzt_reference_hit *b)
{
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    return (a->docid > b->docid) - (a->docid < b->docid);
}

static int
cmp_by_score(const void *a, const void *b)
{
    return cmp_score(a, b);
}

static int
cmp_by_date_desc(const void *a, const void *b)
{
    const gzt_reference_hit *x = a, *y = b;
    if (x->date != y->date)
        return x->date > y->date ? -1 : 1;
    return cmp_score(x, y);
}

static int
cmp_by_date_asc(const void *a, const void *b)
{
    const gzt_reference_hit *x = a, *y = b;
    if (x->date != y->date)
        return x->date < y->date ? -1 : 1;
    return cmp_score(x, y);
}

int
gzt_reference_search(gzt_reference_hit **hits, size_t *total, gzt_reference *r,
                     const gzt_qnode *q, const gzt_reference_opts *o,
                     gzt_error *err)
{
    *hits = NULL;
    *total = 0;
    cnode *root = NULL;
    size_t expanded = 0;
    int rc = compile(r, q, &expanded, &root);
    if (rc) {
        cnode_free(root);
        return gzt_err_set(err, rc, "reference: out of memory");
    }
    if (expanded > GZT_QUERY_MAX_CLAUSES) {
        cnode_free(root);
        return gzt_err_set(err, GZT_ETOOBIG,
                           "reference: prefixes expand to %zu terms", expanded);
    }
    gzt_date from = o->since, to = o->until ? o->until : DATE_OPEN_END;
    bool filter = o->since || o->until;
    scorer s = {r, o->k1, o->b};
    gzt_reference_hit *v = NULL;
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < r->ndocs; i++) {
        const rdoc *d = &r->docs[i];
        double score;
        if (!eval(&s, root, d, &score))
            continue;
        if (filter &&
            !(d->pub.date != 0 && d->pub.date >= from && d->pub.date <= to))
            continue;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 256;
            gzt_reference_hit *nv = realloc(v, ncap * sizeof *nv);
            if (!nv) {
                free(v);
                cnode_free(root);
                return gzt_err_set(err, GZT_ENOMEM, "reference: out of memory");
            }
            v = nv;
            cap = ncap;
        }
        v[n].docid = d->pub.docid;
        v[n].score = score;
        v[n].date = d->pub.date;
        n++;
    }
    cnode_free(root);
    int (*cmp)(const void *, const void *) =
        o->sort == GZT_SORT_DATE       ? cmp_by_date_desc
        : o->sort == GZT_SORT_DATE_ASC ? cmp_by_date_asc
                                       : cmp_by_score;
    if (n > 1)
        qsort(v, n, sizeof *v, cmp);
    *hits = v;
    *total = n;
    return GZT_OK;
}
