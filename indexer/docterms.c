/* SPDX-License-Identifier: MIT */
/*
 * docterms.c: a document into its distinct terms with positions (see
 * docterms.h).
 *
 * Tokens get small ids from a dictionary this object keeps across
 * documents (so a word is hashed and copied once, not once a document);
 * a document's (id, position) pairs are packed in one uint64 each, sorted
 * and written term by term. The dictionary is dropped and started again
 * when it passes DICT_MAX_TERMS or DICT_MAX_BYTES.
 */
#include "indexer/docterms.h"

#include "common/segment.h"

#include <stdlib.h>

#define DICT_MAX_TERMS (1u << 21)
#define DICT_MAX_BYTES ((size_t)64 << 20)

typedef struct lterm {
    const char *s; /* bytes (arena) */
    uint32_t len;  /* bytes */
    uint64_t hash; /* gzt_hash64() of the bytes */
} lterm;

/* The terms of a mention depend only on its type, canonical form and
 * surface, which repeat ("Iran" ten times an article): they are worked out
 * once and replayed, as (term id, position from the mention). */
typedef struct ecache {
    uint64_t hash;   /* of the key; 0 = empty slot */
    const char *key; /* type byte, canonical form, NUL, surface (arena) */
    uint32_t len;    /* bytes of key */
    uint32_t n;      /* pairs */
    uint64_t *pairs; /* term id << 32 | relative position (arena) */
} ecache;

struct gzt_docterms {
    gzt_analyzer *an;  /* borrowed analyzer */
    gzt_arena strings; /* term bytes, cache keys and pairs */
    lterm *terms;      /* by id */
    uint32_t nterms;   /* count */
    uint32_t cap;      /* capacity of terms */
    uint64_t *table;   /* open addressing: hash high 32 bits << 32 | id + 1 */
    uint32_t tcap;     /* slots, a power of two */
    ecache *ec;        /* entity terms by (type, canonical, surface) */
    uint32_t eccap;    /* slots, a power of two */
    uint32_t ecn;      /* entries */
    gzt_buf offs[2];   /* (byte offset, position) of each token of the
                          body [0] and title [1], for entity positions */
    int field;         /* field being analysed: index into offs, -1 none */
    gzt_buf scratch;   /* a prefixed term */
    uint64_t *toks;    /* (term id << 32 | position) of the current doc */
    size_t ntoks;      /* count */
    size_t tokcap;     /* capacity */
};

int
gzt_docterms_new(gzt_docterms **out, gzt_analyzer *an)
{
    gzt_docterms *dt = gzt_calloc(1, sizeof *dt);
    *out = dt;
    if (!dt)
        return GZT_ENOMEM;
    dt->an = an;
    dt->field = -1;
    gzt_arena_init(&dt->strings, 0);
    return GZT_OK;
}

/* forget every term (the ids of the cache go with them) */
static void
drop_dictionary(gzt_docterms *dt)
{
    gzt_free(dt->terms);
    gzt_free(dt->table);
    gzt_free(dt->ec);
    dt->terms = NULL;
    dt->table = NULL;
    dt->ec = NULL;
    dt->nterms = dt->cap = dt->tcap = dt->eccap = dt->ecn = 0;
    gzt_arena_fini(&dt->strings);
    gzt_arena_init(&dt->strings, 0);
}

void
gzt_docterms_free(gzt_docterms *dt)
{
    if (!dt)
        return;
    drop_dictionary(dt);
    gzt_arena_fini(&dt->strings);
    gzt_buf_free(&dt->offs[0]);
    gzt_buf_free(&dt->offs[1]);
    gzt_buf_free(&dt->scratch);
    gzt_free(dt->toks);
    gzt_free(dt);
}

size_t
gzt_docterms_memory(const gzt_docterms *dt)
{
    return dt->strings.used + (size_t)dt->cap * sizeof(lterm) +
           (size_t)dt->tcap * 8 + (size_t)dt->eccap * sizeof(ecache) +
           dt->tokcap * 8;
}

static int
grow_table(gzt_docterms *dt)
{
    uint32_t ncap = dt->tcap ? dt->tcap * 2 : 4096;
    uint64_t *nt = gzt_calloc(ncap, sizeof *nt);
    if (!nt)
        return GZT_ENOMEM;
    for (uint32_t i = 0; i < dt->tcap; i++) {
        uint64_t e = dt->table[i];
        if (!e)
            continue;
        uint32_t j = (uint32_t)dt->terms[(uint32_t)e - 1].hash & (ncap - 1);
        while (nt[j])
            j = (j + 1) & (ncap - 1);
        nt[j] = e;
    }
    gzt_free(dt->table);
    dt->table = nt;
    dt->tcap = ncap;
    return GZT_OK;
}

/* id of @p s, added when new; -1 out of memory */
static int64_t
term_id(gzt_docterms *dt, const char *s, uint32_t len)
{
    if ((uint64_t)(dt->nterms + 1) * 2 > dt->tcap && grow_table(dt))
        return -1;
    uint64_t h = gzt_hash64(s, len);
    uint64_t tag = h & 0xffffffff00000000u;
    uint32_t j = (uint32_t)h & (dt->tcap - 1);
    while (dt->table[j]) {
        uint64_t e = dt->table[j];
        if ((e & 0xffffffff00000000u) == tag) {
            const lterm *t = &dt->terms[(uint32_t)e - 1];
            if (t->len == len && !memcmp(t->s, s, len))
                return (uint32_t)e - 1;
        }
        j = (j + 1) & (dt->tcap - 1);
    }
    if (dt->nterms == dt->cap) {
        uint32_t ncap = dt->cap ? dt->cap * 2 : 4096;
        lterm *nt = gzt_realloc(dt->terms, ncap * sizeof *nt);
        if (!nt)
            return -1;
        dt->terms = nt;
        dt->cap = ncap;
    }
    char *copy = gzt_arena_strndup(&dt->strings, s, len);
    if (!copy)
        return -1;
    dt->terms[dt->nterms] = (lterm){copy, len, h};
    dt->table[j] = tag | (dt->nterms + 1);
    return dt->nterms++;
}

static int
push_pair(gzt_docterms *dt, uint64_t pair)
{
    if (dt->ntoks == dt->tokcap) {
        size_t ncap = dt->tokcap ? dt->tokcap * 2 : 1024;
        uint64_t *nt = gzt_realloc(dt->toks, ncap * sizeof *nt);
        if (!nt)
            return GZT_ENOMEM;
        dt->toks = nt;
        dt->tokcap = ncap;
    }
    dt->toks[dt->ntoks++] = pair;
    return GZT_OK;
}

static int
push_tok(gzt_docterms *dt, const char *s, uint32_t len, uint32_t pos)
{
    int64_t id = term_id(dt, s, len);
    if (id < 0)
        return GZT_ENOMEM;
    return push_pair(dt, (uint64_t)id << 32 | pos);
}

static int
on_token(void *ctx, const gzt_token *tok)
{
    gzt_docterms *dt = ctx;
    if (dt->field >= 0) {
        uint32_t pair[2] = {tok->start, tok->pos};
        if (gzt_buf_append(&dt->offs[dt->field], pair, sizeof pair))
            return GZT_ENOMEM;
    }
    return push_tok(dt, tok->term, tok->term_len, tok->pos);
}

/* the position of the first token at or after byte @p at of a field; the
 * field's next position when there is none */
static uint32_t
pos_at(const gzt_buf *offs, uint32_t at, uint32_t next)
{
    const uint32_t *p = (const uint32_t *)(void *)offs->p;
    size_t lo = 0, hi = offs->len / 8;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p[2 * mid] < at)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < offs->len / 8 ? p[2 * lo + 1] : next;
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
     * Lavrov", "Lavrov"); one mention adds a key term once, as duplicates
     * at one position are dropped later */
    if (rc == GZT_OK)
        rc = entity_key_term(dt, e->canonical, e->canonical_len, base);
    if (rc == GZT_OK)
        rc = entity_key_term(dt, text + e->start, e->end - e->start, base);
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
grow_cache(gzt_docterms *dt)
{
    uint32_t ncap = dt->eccap ? dt->eccap * 2 : 1024;
    ecache *nc = gzt_calloc(ncap, sizeof *nc);
    if (!nc)
        return GZT_ENOMEM;
    for (uint32_t i = 0; i < dt->eccap; i++) {
        if (!dt->ec[i].hash)
            continue;
        uint32_t j = (uint32_t)dt->ec[i].hash & (ncap - 1);
        while (nc[j].hash)
            j = (j + 1) & (ncap - 1);
        nc[j] = dt->ec[i];
    }
    gzt_free(dt->ec);
    dt->ec = nc;
    dt->eccap = ncap;
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
    uint32_t len = (uint32_t)dt->scratch.len;
    uint64_t h = gzt_hash64(dt->scratch.p, len) | 1;
    if ((dt->ecn + 1) * 2 > dt->eccap && grow_cache(dt))
        return GZT_ENOMEM;
    uint32_t j = (uint32_t)h & (dt->eccap - 1);
    while (dt->ec[j].hash) {
        const ecache *c = &dt->ec[j];
        if (c->hash == h && c->len == len &&
            !memcmp(c->key, dt->scratch.p, len)) {
            for (uint32_t k = 0; k < c->n; k++)
                if (push_pair(dt, c->pairs[k] + base))
                    return GZT_ENOMEM;
            return GZT_OK;
        }
        j = (j + 1) & (dt->eccap - 1);
    }
    char *key =
        gzt_arena_strndup(&dt->strings, (const char *)dt->scratch.p, len);
    if (!key)
        return GZT_ENOMEM;
    size_t before = dt->ntoks;
    int rc = entity_terms(dt, e, text, base);
    if (rc)
        return rc;
    uint32_t n = (uint32_t)(dt->ntoks - before);
    uint64_t *pairs = gzt_arena_alloc(&dt->strings, (n + 1) * sizeof *pairs);
    if (!pairs)
        return GZT_ENOMEM;
    for (uint32_t k = 0; k < n; k++)
        pairs[k] = dt->toks[before + k] - base;
    dt->ec[j] = (ecache){h, key, len, n, pairs};
    dt->ecn++;
    return GZT_OK;
}

static int
cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* append the records of the sorted, distinct pairs to @p out */
static int
write_records(const gzt_docterms *dt, gzt_buf *out)
{
    for (size_t i = 0; i < dt->ntoks;) {
        uint32_t id = (uint32_t)(dt->toks[i] >> 32);
        size_t j = i;
        size_t nbytes = 0;
        uint32_t prev = 0;
        while (j < dt->ntoks && (uint32_t)(dt->toks[j] >> 32) == id) {
            uint32_t pos = (uint32_t)dt->toks[j];
            nbytes += gzt_varint_len(pos - prev);
            prev = pos;
            j++;
        }
        nbytes += gzt_varint_len(j - i);
        const lterm *t = &dt->terms[id];
        int rc = gzt_buf_append(out, &t->hash, sizeof t->hash);
        if (rc == GZT_OK)
            rc = gzt_buf_put_varint(out, t->len);
        if (rc == GZT_OK)
            rc = gzt_buf_append(out, t->s, t->len);
        if (rc == GZT_OK)
            rc = gzt_buf_put_varint(out, nbytes);
        if (rc == GZT_OK)
            rc = gzt_buf_put_varint(out, j - i);
        prev = 0;
        for (size_t k = i; k < j && rc == GZT_OK; k++) {
            uint32_t pos = (uint32_t)dt->toks[k];
            rc = gzt_buf_put_varint(out, pos - prev);
            prev = pos;
        }
        if (rc)
            return rc;
        i = j;
    }
    return GZT_OK;
}

int
gzt_docterms_run(gzt_docterms *dt, const char *title, size_t title_len,
                 const char *body, size_t body_len, const gzt_entity *ents,
                 size_t nents, gzt_buf *out, gzt_docinfo *info, gzt_error *err)
{
    if (dt->nterms > DICT_MAX_TERMS || dt->strings.used > DICT_MAX_BYTES)
        drop_dictionary(dt);
    dt->ntoks = 0;
    uint32_t next = 0;
    int rc = GZT_OK;
    gzt_buf_reset(&dt->offs[0]);
    gzt_buf_reset(&dt->offs[1]);
    dt->field = nents ? GZT_ENT_TITLE : -1;
    if (title_len)
        rc = gzt_analyze(dt->an, title, title_len, 0, on_token, dt, &next);
    size_t title_toks = dt->ntoks;
    uint32_t body_start = next ? next + GZT_TITLE_GAP : 0,
             body_end = body_start;
    dt->field = nents ? GZT_ENT_BODY : -1;
    if (rc == GZT_OK && body_len)
        rc = gzt_analyze(dt->an, body, body_len, body_start, on_token, dt,
                         &body_end);
    dt->field = -1;
    uint64_t length = title_toks + (body_end - body_start);
    /* entity terms do not count in the length */
    for (size_t k = 0; k < nents && rc == GZT_OK; k++) {
        const gzt_entity *e = &ents[k];
        uint32_t base = e->field == GZT_ENT_TITLE
                            ? pos_at(&dt->offs[1], e->start, next)
                            : pos_at(&dt->offs[0], e->start, body_end);
        rc = entity_terms_cached(
            dt, e, e->field == GZT_ENT_TITLE ? title : body, base);
    }
    if (rc)
        return gzt_err_set(
            err, rc, rc == GZT_ENOMEM ? "out of memory" : "document too large");
    if (length > UINT32_MAX)
        return gzt_err_set(err, GZT_ETOOBIG, "document has too many tokens");
    if (dt->ntoks > 1) {
        qsort(dt->toks, dt->ntoks, sizeof *dt->toks, cmp_u64);
        /* two mentions can put one entity term at one position: a term's
         * positions in a document must strictly increase */
        size_t w = 1;
        for (size_t i = 1; i < dt->ntoks; i++)
            if (dt->toks[i] != dt->toks[w - 1])
                dt->toks[w++] = dt->toks[i];
        dt->ntoks = w;
    }
    if (write_records(dt, out))
        return gzt_err_set(err, GZT_ENOMEM, "out of memory");
    info->length = (uint32_t)length;
    info->title_end = next;
    return GZT_OK;
}
