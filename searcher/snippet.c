/* SPDX-License-Identifier: MIT */
/*
 * snippet.c: snippets with highlighted query matches.
 *
 * The body of a hit is analysed again with the index's analyzer, so a match
 * is stem-aware exactly as the search was ("negotiations" highlights
 * "negotiate"). Terms, prefixes and exact phrases of the query (not those
 * under a NOT, not title: or date: clauses) mark spans; an exact phrase is
 * one span from its first to its last word. Sentences are scored by the
 * distinct query terms they hold, then by matches; the best one to three,
 * in document order, each cut at word boundaries to share the length
 * budget, are joined by " … ". Spans are typed (gzt_span_kind) so that other
 * kinds (entity mentions) can be added without touching this selection.
 */
#include <stdio.h>
#include <stdlib.h>

#include "common/entity.h"
#include "searcher/reader.h"

#define DEFAULT_LEN 240
#define MAX_PASSAGES 3
static const char ELLIPSIS[] = "\xE2\x80\xA6"; /* … */

/* what of the query highlights */
typedef struct hl {
    const char **terms;        /* plain terms */
    uint32_t nterms;           /* count */
    const char **prefixes;     /* prefixes */
    uint32_t nprefixes;        /* count */
    const gzt_qnode **phrases; /* exact phrases */
    uint32_t nphrases;         /* count */
    gzt_arena *arena;          /* memory */
    bool oom;                  /* allocation failed */
    bool title;                /* the text is the title: title: terms count */
} hl;

static void
push(hl *h, const void ***arr, uint32_t *n, const void *x)
{
    const void **na = gzt_arena_alloc(h->arena, (*n + 1) * sizeof *na);
    if (!na) {
        h->oom = true;
        return;
    }
    if (*n)
        memcpy(na, *arr, *n * sizeof *na);
    na[(*n)++] = x;
    *arr = na;
}

/* the term as it appears in the text, or NULL when it is another field's */
static const char *
plain(const hl *h, const char *term)
{
    if (term[0] < 'A' || term[0] > 'Z') /* a plain word */
        return term;
    /* title words show in a title used as snippet; entity fields are
     * highlighted through the stored entity spans instead */
    return term[0] == GZT_PREFIX_TITLE && h->title ? term + 1 : NULL;
}

static void
collect(hl *h, const gzt_qnode *q)
{
    switch (q->kind) {
    case GZT_Q_TERM:
        if (plain(h, q->terms[0]))
            push(h, (const void ***)&h->terms, &h->nterms,
                 plain(h, q->terms[0]));
        break;
    case GZT_Q_PREFIX:
        if (plain(h, q->terms[0]))
            push(h, (const void ***)&h->prefixes, &h->nprefixes,
                 plain(h, q->terms[0]));
        break;
    case GZT_Q_PHRASE:
        if (!plain(h, q->terms[0]))
            break;
        if (q->slop == 0)
            push(h, (const void ***)&h->phrases, &h->nphrases, q);
        else
            for (uint32_t i = 0; i < q->nterms; i++)
                push(h, (const void ***)&h->terms, &h->nterms,
                     plain(h, q->terms[i]));
        break;
    case GZT_Q_BOOL:
        for (uint32_t i = 0; i < q->nmust; i++)
            collect(h, q->must[i]);
        for (uint32_t i = 0; i < q->nshould; i++)
            collect(h, q->should[i]);
        break;
    default:
        break;
    }
}

typedef struct tok {
    uint32_t start, end; /* bytes in the body */
    uint32_t pos;        /* position */
    int32_t term;        /* index into the distinct analysed terms, or -1 */
    bool hit;            /* a single-term or prefix match */
    uint32_t key;        /* hash of the analysed term, for distinctness */
} tok;

typedef struct toks {
    tok *v;            /* tokens */
    size_t n, cap;     /* count, capacity */
    hl *h;             /* highlights */
    const char **dict; /* distinct terms of phrases (for matching) */
    uint32_t ndict;    /* count */
} toks;

static int
on_tok(void *ctx, const gzt_token *t)
{
    toks *ts = ctx;
    if (ts->n == ts->cap && gzt_grow(&ts->v, &ts->cap, sizeof *ts->v, 256))
        return GZT_ENOMEM;
    tok *k = &ts->v[ts->n++];
    k->start = t->start;
    k->end = t->end;
    k->pos = t->pos;
    k->term = -1;
    k->hit = false;
    k->key = (uint32_t)gzt_hash64(t->term, t->term_len);
    const hl *h = ts->h;
    for (uint32_t i = 0; i < h->nterms && !k->hit; i++)
        k->hit = strlen(h->terms[i]) == t->term_len &&
                 !memcmp(h->terms[i], t->term, t->term_len);
    for (uint32_t i = 0; i < h->nprefixes && !k->hit; i++) {
        size_t pl = strlen(h->prefixes[i]);
        k->hit = pl <= t->term_len && !memcmp(h->prefixes[i], t->term, pl);
    }
    for (uint32_t i = 0; i < ts->ndict; i++)
        if (strlen(ts->dict[i]) == t->term_len &&
            !memcmp(ts->dict[i], t->term, t->term_len)) {
            k->term = (int32_t)i;
            break;
        }
    return GZT_OK;
}

typedef struct span {
    uint32_t start, end; /* body bytes */
    uint32_t key;        /* distinct-term key for passage scoring */
} span;

static int
cmp_span(const void *a, const void *b)
{
    const span *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return (x->end < y->end) - (x->end > y->end);
}

/* index of @p term in ts->dict, or -1 */
static int32_t
dict_index(const toks *ts, const char *term)
{
    for (uint32_t i = 0; i < ts->ndict; i++)
        if (!strcmp(ts->dict[i], term))
            return (int32_t)i;
    return -1;
}

/* by start, then the longer first (an entity around a match) */
static int
cmp_outspan(const void *a, const void *b)
{
    const gzt_span *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->end != y->end)
        return x->end > y->end ? -1 : 1;
    return (int)x->kind - (int)y->kind;
}

static bool
is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

/* A sentence ends after . ! ? followed by whitespace (but not after an
 * initial such as the "S." of "U.S."), and at a paragraph break: a blank
 * line or a newline followed by indentation. A single newline is only line
 * wrapping (Reuters wraps at 70 columns). */
static bool
is_boundary(const char *b, size_t len, size_t i)
{
    if (b[i] == '\n')
        return i + 1 < len &&
               (b[i + 1] == '\n' || b[i + 1] == ' ' || b[i + 1] == '\t');
    if (!(b[i] == '.' || b[i] == '!' || b[i] == '?') || i + 1 >= len ||
        !(b[i + 1] == ' ' || b[i + 1] == '\n' || b[i + 1] == '\t'))
        return false;
    if (b[i] == '.' && i >= 1 && is_upper(b[i - 1]) &&
        (i == 1 || b[i - 2] == '.' || b[i - 2] == ' ' || b[i - 2] == '-'))
        return false;
    return true;
}

typedef struct passage {
    size_t start, end; /* body bytes */
    uint32_t distinct; /* distinct keys */
    uint32_t matches;  /* spans */
} passage;

static int
emit(gzt_buf *out, const char *p, size_t n)
{
    /* newlines and tabs become spaces, byte for byte, so offsets hold */
    size_t at = out->len;
    int rc = gzt_buf_append(out, p, n);
    for (size_t i = at; rc == GZT_OK && i < out->len; i++)
        if (out->p[i] == '\n' || out->p[i] == '\r' || out->p[i] == '\t')
            out->p[i] = ' ';
    return rc;
}

/* cut [*s, *e) to at most @p budget bytes around @p focus at word
 * boundaries */
static void
trim(const char *b, size_t *s, size_t *e, size_t focus, size_t budget)
{
    if (*e - *s <= budget)
        return;
    /* keep the sentence start when the focus is near it */
    size_t ns = focus - *s <= budget / 2 ? *s
                : focus > budget / 3     ? focus - budget / 3
                                         : 0;
    if (ns < *s)
        ns = *s;
    size_t ne = ns + budget;
    if (ne > *e) {
        ne = *e;
        ns = ne > budget ? ne - budget : 0;
        if (ns < *s)
            ns = *s;
    }
    /* move inward to whitespace, keeping UTF-8 intact */
    if (ns > *s) {
        while (ns < ne && b[ns] != ' ')
            ns++;
        while (ns < ne && b[ns] == ' ')
            ns++;
    }
    if (ne < *e) {
        while (ne > ns && b[ne] != ' ')
            ne--;
    }
    if (ne > ns) {
        *s = ns;
        *e = ne;
    }
}

int
gzt_results_snippet(gzt_snippet *out, gzt_results *r, size_t i, size_t max_len,
                    gzt_error *err)
{
    gzt_err_clear(err);
    memset(out, 0, sizeof *out);
    if (i >= r->nhits)
        return gzt_err_set(err, GZT_EINVAL, "no hit %zu", i);
    if (max_len == 0)
        max_len = DEFAULT_LEN;
    const gzt_rhit *hit = &r->hits[i];
    gzt_index *idx = r->idx;
    gzt_docfields f;
    int rc = gzt_reader_doc(idx, hit, &f, err);
    if (rc)
        return rc;
    const char *body = f.f[GZT_FIELD_BODY];
    size_t blen = f.len[GZT_FIELD_BODY];
    /* a document without a body (a headline) is its own snippet */
    bool use_title = blen == 0;
    if (use_title) {
        body = f.f[GZT_FIELD_TITLE];
        blen = f.len[GZT_FIELD_TITLE];
    }
    gzt_arena arena;
    gzt_arena_init(&arena, 0);
    /* the entity mentions, decoded into memory the snippet keeps for their
     * canonical forms */
    gzt_arena *keep = gzt_malloc(sizeof *keep);
    if (!keep)
        return gzt_err_set(err, GZT_ENOMEM, "out of memory");
    gzt_arena_init(keep, 0);
    gzt_entity *ents = NULL;
    size_t nents = 0;
    rc = gzt_entity_decode(f.f[GZT_FIELD_ENTITIES], f.len[GZT_FIELD_ENTITIES],
                           f.f[GZT_FIELD_TITLE], f.len[GZT_FIELD_TITLE],
                           f.f[GZT_FIELD_BODY], f.len[GZT_FIELD_BODY], keep,
                           &ents, &nents);
    if (rc) {
        gzt_arena_fini(keep);
        gzt_free(keep);
        return rc == GZT_ENOMEM ? gzt_err_set(err, rc, "out of memory")
               : idx->xdb       ? gzt_err_set(err, GZT_ECORRUPT,
                                              "%s: document '%s': bad stored "
                                                    "entities",
                                              idx->dir, hit->id)
                          : gzt_rfile_corrupt(&idx->segs[hit->seg]->store, NULL,
                                              "bad stored entities", err);
    }
    uint8_t field = use_title ? GZT_ENT_TITLE : GZT_ENT_BODY;
    hl h = {NULL, 0, NULL, 0, NULL, 0, &arena, false, use_title};
    collect(&h, r->query);
    toks ts = {NULL, 0, 0, &h, NULL, 0};
    span *spans = NULL;
    size_t nspans = 0;
    passage *ps = NULL;
    size_t nps = 0;
    gzt_buf text = GZT_BUF_INIT;
    gzt_span *outspans = NULL;
    /* the body is copied: analysing may fetch nothing else, but the borrowed
     * slice is only valid until the next fetch */
    char *copy = gzt_arena_strndup(&arena, body, blen);
    if (h.oom || !copy) {
        rc = gzt_err_set(err, GZT_ENOMEM, "out of memory");
        goto done;
    }
    body = copy;
    for (uint32_t p = 0; p < h.nphrases; p++)
        for (uint32_t k = 0; k < h.phrases[p]->nterms; k++)
            if (dict_index(&ts, plain(&h, h.phrases[p]->terms[k])) < 0)
                push(&h, (const void ***)&ts.dict, &ts.ndict,
                     plain(&h, h.phrases[p]->terms[k]));
    if ((rc = gzt_analyze(idx->an, body, blen, 0, on_tok, &ts, NULL))) {
        rc = gzt_err_set(err, rc, "out of memory");
        goto done;
    }
    /* spans: single terms, then exact phrases */
    spans = gzt_malloc((ts.n * 2 + 1) * sizeof *spans);
    if (!spans) {
        rc = gzt_err_set(err, GZT_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t k = 0; k < ts.n; k++)
        if (ts.v[k].hit)
            spans[nspans++] = (span){ts.v[k].start, ts.v[k].end, ts.v[k].key};
    for (uint32_t p = 0; p < h.nphrases; p++) {
        const gzt_qnode *q = h.phrases[p];
        for (size_t k = 0; k < ts.n; k++) {
            if (ts.v[k].term != dict_index(&ts, plain(&h, q->terms[0])))
                continue;
            /* find each later term at pos + qpos */
            size_t last = k;
            bool ok = true;
            for (uint32_t t = 1; t < q->nterms && ok; t++) {
                uint32_t want = ts.v[k].pos + (q->qpos[t] - q->qpos[0]);
                size_t m = last;
                while (m < ts.n && ts.v[m].pos < want)
                    m++;
                ok = m < ts.n && ts.v[m].pos == want &&
                     ts.v[m].term == dict_index(&ts, plain(&h, q->terms[t]));
                last = m;
            }
            if (ok && nspans < ts.n * 2)
                spans[nspans++] =
                    (span){ts.v[k].start, ts.v[last].end, 100000u + p};
        }
    }
    qsort(spans, nspans, sizeof *spans, cmp_span);
    /* merge overlapping spans (a phrase swallows its words) */
    size_t m = 0;
    for (size_t k = 0; k < nspans; k++) {
        if (m && spans[k].start < spans[m - 1].end) {
            if (spans[k].end > spans[m - 1].end)
                spans[m - 1].end = spans[k].end;
            continue;
        }
        spans[m++] = spans[k];
    }
    nspans = m;
    /* sentences */
    ps = gzt_malloc((blen / 2 + 2) * sizeof *ps);
    if (!ps) {
        rc = gzt_err_set(err, GZT_ENOMEM, "out of memory");
        goto done;
    }
    size_t s0 = 0;
    while (s0 < blen && (body[s0] == ' ' || body[s0] == '\n' ||
                         body[s0] == '\r' || body[s0] == '\t'))
        s0++;
    for (size_t k = s0; k < blen; k++) {
        if (is_boundary(body, blen, k) || k + 1 == blen) {
            size_t e = k + 1;
            if (e > s0)
                ps[nps++] = (passage){s0, e, 0, 0};
            s0 = e;
            while (s0 < blen && (body[s0] == ' ' || body[s0] == '\n' ||
                                 body[s0] == '\r' || body[s0] == '\t'))
                s0++;
            k = s0 ? s0 - 1 : 0;
            if (s0 >= blen)
                break;
        }
    }
    /* the distinct keys of each passage */
    uint32_t(*keys)[16] = gzt_malloc((nps + 1) * sizeof *keys);
    if (!keys) {
        rc = gzt_err_set(err, GZT_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t p = 0, sp = 0; p < nps; p++) {
        uint32_t nk = 0;
        while (sp < nspans && spans[sp].start < ps[p].start)
            sp++;
        for (size_t q = sp; q < nspans && spans[q].end <= ps[p].end; q++) {
            ps[p].matches++;
            bool dup = false;
            for (uint32_t x = 0; x < nk && !dup; x++)
                dup = keys[p][x] == spans[q].key;
            if (!dup && nk < 16)
                keys[p][nk++] = spans[q].key;
        }
        ps[p].distinct = nk;
    }
    /* Greedy cover: each next passage is the one adding the most query
     * terms not shown yet, then the most distinct terms, then matches,
     * then the earliest; stop when nothing new would be shown. */
    size_t chosen[MAX_PASSAGES], nchosen = 0;
    uint32_t shown[MAX_PASSAGES * 16];
    size_t nshown = 0;
    for (size_t c = 0; c < MAX_PASSAGES; c++) {
        size_t best = SIZE_MAX;
        uint32_t best_new = 0;
        for (size_t p = 0; p < nps; p++) {
            if (ps[p].matches == 0)
                continue;
            bool used = false;
            for (size_t x = 0; x < nchosen && !used; x++)
                used = chosen[x] == p;
            if (used)
                continue;
            uint32_t fresh = 0;
            for (uint32_t k = 0; k < ps[p].distinct; k++) {
                bool seen = false;
                for (size_t x = 0; x < nshown && !seen; x++)
                    seen = shown[x] == keys[p][k];
                fresh += !seen;
            }
            if (best == SIZE_MAX || fresh > best_new ||
                (fresh == best_new && (ps[p].distinct > ps[best].distinct ||
                                       (ps[p].distinct == ps[best].distinct &&
                                        ps[p].matches > ps[best].matches)))) {
                best = p;
                best_new = fresh;
            }
        }
        if (best == SIZE_MAX || (nchosen && best_new == 0))
            break;
        chosen[nchosen++] = best;
        for (uint32_t k = 0; k < ps[best].distinct; k++)
            shown[nshown++] = keys[best][k];
    }
    gzt_free(keys);
    if (nchosen == 0 && nps)
        chosen[nchosen++] = 0;
    for (size_t a = 1; a < nchosen; a++)
        for (size_t b = a; b > 0 && chosen[b] < chosen[b - 1]; b--) {
            size_t t = chosen[b];
            chosen[b] = chosen[b - 1];
            chosen[b - 1] = t;
        }
    outspans = gzt_malloc((nspans + nents + 1) * sizeof *outspans);
    if (!outspans) {
        rc = gzt_err_set(err, GZT_ENOMEM, "out of memory");
        goto done;
    }
    size_t nout = 0;
    size_t budget = nchosen ? max_len / nchosen : max_len;
    for (size_t c = 0; c < nchosen && rc == GZT_OK; c++) {
        size_t s = ps[chosen[c]].start, e = ps[chosen[c]].end;
        size_t focus = s;
        for (size_t q = 0; q < nspans; q++)
            if (spans[q].start >= s && spans[q].end <= e) {
                focus = spans[q].start;
                break;
            }
        size_t os = s, oe = e;
        trim(body, &s, &e, focus, budget);
        /* one ellipsis between passages; at the ends only where a
         * sentence was cut */
        if (c > 0)
            rc = gzt_buf_printf(&text, " %s ", ELLIPSIS);
        else if (s > os)
            rc = gzt_buf_printf(&text, "%s", ELLIPSIS);
        size_t at = text.len;
        if (rc == GZT_OK)
            rc = emit(&text, body + s, e - s);
        if (rc == GZT_OK && e < oe && c + 1 == nchosen)
            rc = gzt_buf_printf(&text, "%s", ELLIPSIS);
        for (size_t q = 0; q < nspans; q++)
            if (spans[q].start >= s && spans[q].end <= e) {
                gzt_span *o = &outspans[nout++];
                o->kind = GZT_SPAN_MATCH;
                o->start = (uint32_t)(at + spans[q].start - s);
                o->end = (uint32_t)(at + spans[q].end - s);
                o->doc_start = spans[q].start;
                o->doc_end = spans[q].end;
                o->canonical = NULL;
            }
        for (size_t q = 0; q < nents; q++)
            if (ents[q].field == field && ents[q].start >= s &&
                ents[q].end <= e) {
                gzt_span *o = &outspans[nout++];
                o->kind = (gzt_span_kind)ents[q].type;
                o->start = (uint32_t)(at + ents[q].start - s);
                o->end = (uint32_t)(at + ents[q].end - s);
                o->doc_start = ents[q].start;
                o->doc_end = ents[q].end;
                o->canonical = ents[q].canonical;
            }
    }
    if (nout > 1)
        qsort(outspans, nout, sizeof *outspans, cmp_outspan);
    if (rc || gzt_buf_nul(&text))
        rc = gzt_err_set(err, GZT_ENOMEM, "out of memory");
    if (rc)
        goto done;
    out->text = (char *)text.p;
    out->text_len = text.len;
    if (!out->text) {
        out->text = gzt_strdup("");
        if (!out->text) {
            rc = gzt_err_set(err, GZT_ENOMEM, "out of memory");
            goto done;
        }
    }
    text.p = NULL;
    out->spans = outspans;
    out->nspans = nout;
    out->priv = keep;
    keep = NULL;
    outspans = NULL;
done:
    if (keep) {
        gzt_arena_fini(keep);
        gzt_free(keep);
    }
    gzt_free(outspans);
    gzt_buf_free(&text);
    gzt_free(ps);
    gzt_free(spans);
    gzt_free(ts.v);
    gzt_arena_fini(&arena);
    return rc;
}

void
gzt_snippet_fini(gzt_snippet *s)
{
    gzt_free(s->text);
    gzt_free(s->spans);
    if (s->priv) {
        gzt_arena_fini(s->priv);
        gzt_free(s->priv);
    }
    memset(s, 0, sizeof *s);
}
