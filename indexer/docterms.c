/* SPDX-License-Identifier: MIT */
/*
 * docterms.c: a document into its distinct terms with positions (see
 * docterms.h).
 *
 * A document's terms get small ids from a table of its own, cleared for
 * the next document, so lookups stay in the caches (a dictionary kept
 * across documents grows past them and every token paid cache misses);
 * the (id, position) pairs are packed in one uint64 each, sorted and
 * written term by term. The terms of entity mentions are cached across
 * documents; the cache is dropped and started again when it passes
 * CACHE_MAX_KEYS or CACHE_MAX_BYTES.
 */
#include "indexer/docterms.h"

#include "common/segment.h"
#include "common/strtab.h"

#include <stdlib.h>

#define CACHE_MAX_KEYS (1u << 20)
#define CACHE_MAX_BYTES ((size_t)16 << 20)

/* One term of a cached mention. */
typedef struct eterm {
    uint64_t hash; /* gzt_hash64() of the term */
    const char *s; /* its bytes (dt->strings) */
    uint32_t len;  /* bytes */
    uint32_t rel;  /* position from the mention's first token */
} eterm;

/* The terms of a mention depend only on its type, canonical form and
 * surface, which repeat ("Iran" ten times an article): they are worked out
 * once and replayed. The payload of the cache table. */
typedef struct ecache {
    eterm *terms; /* NULL until worked out */
    uint32_t n;   /* terms */
} ecache;

struct gzt_docterms {
    gzt_analyzer *an;  /* borrowed analyzer */
    gzt_strtab doc;    /* the document's terms to ids */
    gzt_strtab ec;     /* type byte, canonical form, NUL, surface to an
                          ecache */
    gzt_arena strings; /* the cache's terms */
    gzt_buf want;      /* (byte offset, mention) of the field being
                          analysed, by offset: where mentions start */
    size_t wk;         /* the next pair a token may answer */
    gzt_buf base;      /* the position of each mention's first token */
    gzt_buf scratch;   /* a prefixed term */
    uint64_t *toks;    /* (term id << 32 | position) of the current doc */
    size_t ntoks;      /* count */
    size_t tokcap;     /* capacity */
    uint64_t *sorted;  /* toks by term id, for sort_pairs() */
    size_t sortcap;    /* capacity */
    uint32_t *start;   /* where each term id's pairs start in sorted */
    size_t startcap;   /* capacity */
};

int
gzt_docterms_new(gzt_docterms **out, gzt_analyzer *an)
{
    gzt_docterms *dt = gzt_calloc(1, sizeof *dt);
    *out = dt;
    if (!dt)
        return GZT_ENOMEM;
    dt->an = an;
    gzt_strtab_init(&dt->doc, 0, 256);
    gzt_strtab_init(&dt->ec, sizeof(ecache), 1024);
    gzt_arena_init(&dt->strings, 0);
    return GZT_OK;
}

void
gzt_docterms_free(gzt_docterms *dt)
{
    if (!dt)
        return;
    gzt_strtab_fini(&dt->doc);
    gzt_strtab_fini(&dt->ec);
    gzt_arena_fini(&dt->strings);
    gzt_buf_free(&dt->want);
    gzt_buf_free(&dt->base);
    gzt_buf_free(&dt->scratch);
    gzt_free(dt->toks);
    gzt_free(dt->sorted);
    gzt_free(dt->start);
    gzt_free(dt);
}

bool
gzt_termrec_next(gzt_rd *r, gzt_termrec *tr)
{
    const uint8_t *hb;
    if (r->p >= r->end || !gzt_rd_bytes(r, sizeof tr->hash, &hb) ||
        !gzt_rd_varint32(r, &tr->len) || !gzt_rd_bytes(r, tr->len, &tr->s) ||
        !gzt_rd_varint32(r, &tr->nbytes) ||
        !gzt_rd_bytes(r, tr->nbytes, &tr->post))
        return false;
    memcpy(&tr->hash, hb, sizeof tr->hash);
    return true;
}

static int
push_pair(gzt_docterms *dt, uint64_t pair)
{
    if (dt->ntoks == dt->tokcap &&
        gzt_grow(&dt->toks, &dt->tokcap, sizeof *dt->toks, 1024))
        return GZT_ENOMEM;
    dt->toks[dt->ntoks++] = pair;
    return GZT_OK;
}

static int
push_hashed(gzt_docterms *dt, uint64_t h, const char *s, uint32_t len,
            uint32_t pos)
{
    uint32_t id;
    if (!gzt_strtab_intern(&dt->doc, h, s, len, &id))
        return GZT_ENOMEM;
    return push_pair(dt, (uint64_t)id << 32 | pos);
}

static int
push_tok(gzt_docterms *dt, const char *s, uint32_t len, uint32_t pos)
{
    return push_hashed(dt, gzt_hash64(s, len), s, len, pos);
}

/* a token of the analyzer, whose hash it may know */
static int
push_token(gzt_docterms *dt, const gzt_token *tok)
{
    uint64_t h = tok->hash ? tok->hash : gzt_hash64(tok->term, tok->term_len);
    return push_hashed(dt, h, tok->term, tok->term_len, tok->pos);
}

/* A token of the text: its term, and the position of every mention of
 * the field that starts at or before it and has none yet (the first token
 * at or after a mention's first byte). */
static int
on_token(void *ctx, const gzt_token *tok)
{
    gzt_docterms *dt = ctx;
    size_t nwant = dt->want.len / 8;
    if (dt->wk < nwant) {
        const uint32_t *w = (const uint32_t *)(void *)dt->want.p;
        uint32_t *base = (uint32_t *)(void *)dt->base.p;
        for (; dt->wk < nwant && w[2 * dt->wk] <= tok->start; dt->wk++)
            base[w[2 * dt->wk + 1]] = tok->pos;
    }
    return push_token(dt, tok);
}

static int
cmp_want(const void *a, const void *b)
{
    const uint32_t *x = a, *y = b;
    if (x[0] != y[0])
        return x[0] < y[0] ? -1 : 1;
    return (x[1] > y[1]) - (x[1] < y[1]);
}

/* Ask on_token() for the positions of the mentions of @p field. */
static int
want_field(gzt_docterms *dt, const gzt_entity *ents, size_t nents, int field)
{
    gzt_buf_reset(&dt->want);
    dt->wk = 0;
    bool sorted = true;
    uint32_t last = 0;
    for (size_t k = 0; k < nents; k++) {
        if (ents[k].field != field)
            continue;
        uint32_t pair[2] = {ents[k].start, (uint32_t)k};
        if (gzt_buf_append(&dt->want, pair, sizeof pair))
            return GZT_ENOMEM;
        sorted = sorted && last <= pair[0];
        last = pair[0];
    }
    /* the recognizer gives each field's mentions in order; a list that
     * is not is sorted */
    if (!sorted)
        qsort(dt->want.p, dt->want.len / 8, 2 * sizeof(uint32_t), cmp_want);
    return GZT_OK;
}

/* The mentions on_token() did not reach start after the field's last
 * token: they take its next position @p next. */
static void
want_rest(gzt_docterms *dt, uint32_t next)
{
    const uint32_t *w = (const uint32_t *)(void *)dt->want.p;
    uint32_t *base = (uint32_t *)(void *)dt->base.p;
    for (; dt->wk < dt->want.len / 8; dt->wk++)
        base[w[2 * dt->wk + 1]] = next;
    gzt_buf_reset(&dt->want);
}

typedef struct entctx {
    gzt_docterms *dt; /* owner */
    char prefix;      /* term prefix */
    uint32_t base;    /* position of the mention's first token */
} entctx;

static int
on_entity_word(void *ctx, const gzt_token *tok)
{
    entctx *e = ctx;
    gzt_docterms *dt = e->dt;
    gzt_buf_reset(&dt->scratch);
    if (gzt_buf_putc(&dt->scratch, (uint8_t)e->prefix) ||
        gzt_buf_append(&dt->scratch, tok->term, tok->term_len))
        return GZT_ENOMEM;
    return push_tok(dt, (const char *)dt->scratch.p, (uint32_t)dt->scratch.len,
                    e->base + tok->pos);
}

/* push "E" + the entity key of @p s */
static int
entity_key_term(gzt_docterms *dt, const char *s, size_t len, uint32_t base)
{
    gzt_buf_reset(&dt->scratch);
    if (gzt_buf_putc(&dt->scratch, GZT_PREFIX_ENTITY))
        return GZT_ENOMEM;
    gzt_buf key = GZT_BUF_INIT;
    int rc = gzt_entity_key(dt->an, s, len, &key);
    if (rc == GZT_OK)
        rc = gzt_buf_append(&dt->scratch, key.p, key.len);
    gzt_buf_free(&key);
    if (rc == GZT_OK && dt->scratch.len > 1 &&
        dt->scratch.len <= GZT_DICT_TERM_MAX)
        rc = push_tok(dt, (const char *)dt->scratch.p,
                      (uint32_t)dt->scratch.len, base);
    return rc;
}

/* The terms of one mention, at its position: the analysed words of its
 * canonical form under the type's prefix (person:lavrov), its entity key
 * (entity:"sergey lavrov") and its facet term (type and canonical form as
 * written, for gazette entities). */
static int
entity_terms(gzt_docterms *dt, const gzt_entity *e, const char *text,
             uint32_t base)
{
    entctx c = {dt, gzt_entity_prefix(e->type), base};
    int rc = gzt_analyze(dt->an, e->canonical, e->canonical_len, 0,
                         on_entity_word, &c, NULL);
    /* entity: finds the canonical form and the surface as written ("Sergei
     * Lavrov", "Lavrov"); a surface that is its canonical form (most are)
     * is not keyed twice, and one whose key is the same anyway adds a
     * duplicate that is dropped later */
    if (rc == GZT_OK)
        rc = entity_key_term(dt, e->canonical, e->canonical_len, base);
    size_t slen = e->end - e->start;
    if (rc == GZT_OK && (slen != e->canonical_len ||
                         memcmp(text + e->start, e->canonical, slen)))
        rc = entity_key_term(dt, text + e->start, slen, base);
    if (rc)
        return rc;
    gzt_buf_reset(&dt->scratch);
    const char *tn = gzt_ner_type_name(e->type);
    if (gzt_buf_putc(&dt->scratch, GZT_PREFIX_FACET) ||
        gzt_buf_putc(&dt->scratch, (uint8_t)tn[0]) ||
        gzt_buf_append(&dt->scratch, e->canonical, e->canonical_len))
        return GZT_ENOMEM;
    if (dt->scratch.len > 2 && dt->scratch.len <= GZT_DICT_TERM_MAX)
        return push_tok(dt, (const char *)dt->scratch.p,
                        (uint32_t)dt->scratch.len, base);
    return GZT_OK;
}

static int
entity_terms_cached(gzt_docterms *dt, const gzt_entity *e, const char *text,
                    uint32_t base)
{
    gzt_buf_reset(&dt->scratch);
    if (gzt_buf_putc(&dt->scratch, e->type) ||
        gzt_buf_append(&dt->scratch, e->canonical, e->canonical_len) ||
        gzt_buf_putc(&dt->scratch, 0) ||
        gzt_buf_append(&dt->scratch, text + e->start, e->end - e->start))
        return GZT_ENOMEM;
    uint32_t len = (uint32_t)dt->scratch.len, id;
    const char *key = (const char *)dt->scratch.p;
    ecache *c = gzt_strtab_intern(&dt->ec, gzt_hash64(key, len), key, len, &id);
    if (!c)
        return GZT_ENOMEM;
    if (c->terms) {
        for (uint32_t k = 0; k < c->n; k++) {
            const eterm *t = &c->terms[k];
            if (push_hashed(dt, t->hash, t->s, t->len, base + t->rel))
                return GZT_ENOMEM;
        }
        return GZT_OK;
    }
    /* new (or its first working-out failed): work the terms out, then keep
     * them */
    size_t before = dt->ntoks;
    int rc = entity_terms(dt, e, text, base);
    if (rc)
        return rc;
    uint32_t n = (uint32_t)(dt->ntoks - before);
    eterm *terms = gzt_arena_alloc(&dt->strings, (n + 1) * sizeof *terms);
    if (!terms)
        return GZT_ENOMEM;
    for (uint32_t k = 0; k < n; k++) {
        uint64_t pair = dt->toks[before + k];
        eterm *t = &terms[k];
        const char *s =
            gzt_strtab_str(&dt->doc, (uint32_t)(pair >> 32), &t->len, &t->hash);
        char *copy = gzt_arena_strndup(&dt->strings, s, t->len);
        if (!copy)
            return GZT_ENOMEM;
        t->s = copy;
        t->rel = (uint32_t)pair - base;
    }
    c->terms = terms;
    c->n = n;
    return GZT_OK;
}

static int
cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Sort the pairs: a counting sort by term id, which keeps each term's
 * positions in the order they came, increasing for the words of the text
 * and, for entity terms, in the order of the mentions; a general sort
 * only when that order was not increasing. */
static int
sort_pairs(gzt_docterms *dt)
{
    size_t n = dt->ntoks, nt = dt->doc.n;
    while (dt->sortcap < n)
        if (gzt_grow(&dt->sorted, &dt->sortcap, sizeof *dt->sorted, 1024))
            return GZT_ENOMEM;
    while (dt->startcap < nt + 1)
        if (gzt_grow(&dt->start, &dt->startcap, sizeof *dt->start, 1024))
            return GZT_ENOMEM;
    uint32_t *start = dt->start;
    memset(start, 0, (nt + 1) * sizeof *start);
    for (size_t i = 0; i < n; i++)
        start[(dt->toks[i] >> 32) + 1]++;
    for (size_t k = 1; k <= nt; k++)
        start[k] += start[k - 1];
    for (size_t i = 0; i < n; i++)
        dt->sorted[start[dt->toks[i] >> 32]++] = dt->toks[i];
    uint64_t *t = dt->toks;
    dt->toks = dt->sorted;
    dt->sorted = t;
    size_t c = dt->tokcap;
    dt->tokcap = dt->sortcap;
    dt->sortcap = c;
    for (size_t i = 1; i < n; i++)
        if (dt->toks[i] < dt->toks[i - 1]) {
            qsort(dt->toks, n, sizeof *dt->toks, cmp_u64);
            break;
        }
    return GZT_OK;
}

bool
gzt_docterms_next(const gzt_docterms *dt, size_t *at, gzt_dterm *t)
{
    size_t i = *at;
    if (i >= dt->ntoks)
        return false;
    uint32_t id = (uint32_t)(dt->toks[i] >> 32);
    size_t j = i + 1;
    while (j < dt->ntoks && (uint32_t)(dt->toks[j] >> 32) == id)
        j++;
    t->s = gzt_strtab_str(&dt->doc, id, &t->len, &t->hash);
    t->n = (uint32_t)(j - i);
    t->pairs = dt->toks + i;
    t->nbytes = gzt_varint_len(t->n);
    uint32_t prev = 0;
    for (size_t k = i; k < j; k++) {
        uint32_t pos = (uint32_t)dt->toks[k];
        t->nbytes += gzt_varint_len(pos - prev);
        prev = pos;
    }
    *at = j;
    return true;
}

size_t
gzt_dterm_put(const gzt_dterm *t, uint8_t *o)
{
    uint8_t *q = o + gzt_varint_put(o, t->n);
    uint32_t prev = 0;
    for (uint32_t k = 0; k < t->n; k++) {
        uint32_t pos = (uint32_t)t->pairs[k];
        q += gzt_varint_put(q, pos - prev);
        prev = pos;
    }
    return (size_t)(q - o);
}

/* append the records of the sorted, distinct pairs to @p out */
static int
write_records(const gzt_docterms *dt, gzt_buf *out)
{
    gzt_dterm t;
    for (size_t at = 0; gzt_docterms_next(dt, &at, &t);) {
        int rc = gzt_buf_append(out, &t.hash, sizeof t.hash);
        if (rc == GZT_OK)
            rc = gzt_buf_put_varint(out, t.len);
        if (rc == GZT_OK)
            rc = gzt_buf_append(out, t.s, t.len);
        if (rc == GZT_OK)
            rc = gzt_buf_put_varint(out, t.nbytes);
        if (rc == GZT_OK)
            rc = gzt_buf_reserve(out, t.nbytes);
        if (rc)
            return rc;
        out->len += gzt_dterm_put(&t, out->p + out->len);
    }
    return GZT_OK;
}

int
gzt_docterms_analyse(gzt_docterms *dt, const char *title, size_t title_len,
                     const char *body, size_t body_len, const gzt_entity *ents,
                     size_t nents, gzt_docinfo *info, gzt_error *err)
{
    if (dt->ec.n > CACHE_MAX_KEYS ||
        gzt_strtab_memory(&dt->ec) + dt->strings.used > CACHE_MAX_BYTES) {
        gzt_strtab_clear(&dt->ec);
        gzt_arena_reset(&dt->strings);
    }
    gzt_strtab_clear(&dt->doc);
    dt->ntoks = 0;
    uint32_t next = 0;
    int rc = GZT_OK;
    gzt_buf_reset(&dt->want);
    gzt_buf_reset(&dt->base);
    if (nents && (gzt_buf_reserve(&dt->base, nents * sizeof(uint32_t)) ||
                  want_field(dt, ents, nents, GZT_ENT_TITLE)))
        return gzt_err_set(err, GZT_ENOMEM, "out of memory");
    if (title_len)
        rc = gzt_analyze(dt->an, title, title_len, 0, on_token, dt, &next);
    want_rest(dt, next);
    size_t title_toks = dt->ntoks;
    uint32_t body_start = next ? next + GZT_TITLE_GAP : 0,
             body_end = body_start;
    if (rc == GZT_OK && nents && want_field(dt, ents, nents, GZT_ENT_BODY))
        rc = GZT_ENOMEM;
    if (rc == GZT_OK && body_len)
        rc = gzt_analyze(dt->an, body, body_len, body_start, on_token, dt,
                         &body_end);
    want_rest(dt, body_end);
    uint64_t length = title_toks + (body_end - body_start);
    /* entity terms do not count in the length */
    const uint32_t *base = (const uint32_t *)(void *)dt->base.p;
    for (size_t k = 0; k < nents && rc == GZT_OK; k++) {
        const gzt_entity *e = &ents[k];
        rc = entity_terms_cached(
            dt, e, e->field == GZT_ENT_TITLE ? title : body, base[k]);
    }
    if (rc)
        return gzt_err_set(
            err, rc, rc == GZT_ENOMEM ? "out of memory" : "document too large");
    if (length > UINT32_MAX)
        return gzt_err_set(err, GZT_ETOOBIG, "document has too many tokens");
    if (dt->ntoks > 1) {
        if (sort_pairs(dt))
            return gzt_err_set(err, GZT_ENOMEM, "out of memory");
        /* two mentions can put one entity term at one position: a term's
         * positions in a document must strictly increase */
        size_t w = 1;
        for (size_t i = 1; i < dt->ntoks; i++)
            if (dt->toks[i] != dt->toks[w - 1])
                dt->toks[w++] = dt->toks[i];
        dt->ntoks = w;
    }
    info->length = (uint32_t)length;
    info->title_end = next;
    return GZT_OK;
}

int
gzt_docterms_run(gzt_docterms *dt, const char *title, size_t title_len,
                 const char *body, size_t body_len, const gzt_entity *ents,
                 size_t nents, gzt_buf *out, gzt_docinfo *info, gzt_error *err)
{
    int rc = gzt_docterms_analyse(dt, title, title_len, body, body_len, ents,
                                  nents, info, err);
    if (rc == GZT_OK && write_records(dt, out))
        rc = gzt_err_set(err, GZT_ENOMEM, "out of memory");
    return rc;
}
