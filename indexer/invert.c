/* SPDX-License-Identifier: MIT */
/*
 * invert.c: the in-memory inverter (see invert.h).
 *
 * Each term gets an id from an open-addressing hash table and a byte buffer
 * of its postings (varint docid gap, frequency, position gaps). A document is
 * analysed into (term id, position) pairs packed in one uint64 each, sorted,
 * and appended term by term, so there is no allocation per token. Title
 * and body share one position space: the title takes positions 0 .. t-1
 * and the body starts GZT_TITLE_GAP later, so a phrase never spans the
 * two; the document values keep t, so title: is a filter on positions and
 * costs no second copy of the title's postings.
 */
#include "indexer/invert.h"

#include <stdlib.h>

typedef struct tentry {
    const char *s;     /* term bytes (arena) */
    uint32_t len;      /* bytes */
    uint32_t last_doc; /* last document appended */
    uint32_t df;       /* documents appended */
    gzt_buf post;      /* encoded postings */
} tentry;

typedef struct docrec {
    size_t rec_off;     /* offset of the stored record in recs */
    size_t rec_len;     /* its bytes */
    uint32_t len;       /* length in tokens */
    uint32_t title_end; /* positions below belong to the title */
    gzt_date date;      /* date */
    uint64_t hash;      /* content hash */
} docrec;

struct gzt_inv {
    gzt_analyzer *an;  /* borrowed analyzer */
    gzt_arena strings; /* term bytes */
    tentry *terms;     /* by term id */
    uint32_t nterms;   /* count */
    uint32_t cap;      /* capacity of terms */
    uint64_t *table;   /* open addressing: hash high 32 bits << 32 | term
                          id + 1; 0 empty */
    uint32_t tcap;     /* slots, a power of two */
    size_t postbytes;  /* capacity of all postings buffers */
    docrec *docs;      /* buffered documents */
    uint32_t ndocs;    /* count */
    uint32_t dcap;     /* capacity */
    uint8_t *deleted;  /* bitmap over docs (grown with dcap) */
    uint32_t ndeleted; /* count */
    gzt_buf recs;      /* stored records */
    gzt_buf offs[2];   /* (byte offset, position) of each token of the
                          body [0] and title [1], for entity positions */
    int field;         /* field being analysed: index into offs, -1 none */
    gzt_buf scratch;   /* a prefixed term */
    struct ecache *ec; /* entity terms by (type, canonical, surface) */
    uint32_t eccap;    /* slots, a power of two */
    uint32_t ecn;      /* entries */
    uint64_t *toks;    /* (term id << 32 | position) of the current doc */
    size_t ntoks;      /* count */
    size_t tokcap;     /* capacity */
};

int
gzt_inv_new(gzt_inv **out, gzt_analyzer *a)
{
    gzt_inv *inv = gzt_calloc(1, sizeof *inv);
    if (!inv)
        return GZT_ENOMEM;
    inv->an = a;
    gzt_arena_init(&inv->strings, 0);
    *out = inv;
    return GZT_OK;
}

static void
reset(gzt_inv *inv)
{
    for (uint32_t i = 0; i < inv->nterms; i++)
        gzt_buf_free(&inv->terms[i].post);
    gzt_free(inv->terms);
    gzt_free(inv->table);
    gzt_free(inv->docs);
    gzt_free(inv->deleted);
    gzt_free(inv->toks);
    gzt_buf_free(&inv->recs);
    gzt_buf_free(&inv->offs[0]);
    gzt_buf_free(&inv->offs[1]);
    gzt_buf_free(&inv->scratch);
    gzt_free(inv->ec);
    gzt_arena_fini(&inv->strings);
    gzt_analyzer *a = inv->an;
    memset(inv, 0, sizeof *inv);
    inv->an = a;
    gzt_arena_init(&inv->strings, 0);
}

void
gzt_inv_free(gzt_inv *inv)
{
    if (!inv)
        return;
    reset(inv);
    gzt_free(inv);
}

size_t
gzt_inv_memory(const gzt_inv *inv)
{
    return inv->strings.used + inv->postbytes + (size_t)inv->eccap * 32 +
           (size_t)inv->cap * sizeof(tentry) + (size_t)inv->tcap * 8 +
           inv->recs.cap + (size_t)inv->dcap * sizeof(docrec) + inv->tokcap * 8;
}

uint32_t
gzt_inv_live(const gzt_inv *inv)
{
    return inv->ndocs - inv->ndeleted;
}

uint64_t
gzt_inv_hash(const gzt_inv *inv, uint32_t doc)
{
    return inv->docs[doc].hash;
}

void
gzt_inv_delete(gzt_inv *inv, uint32_t doc)
{
    if (doc < inv->ndocs && !(inv->deleted[doc >> 3] >> (doc & 7) & 1)) {
        inv->deleted[doc >> 3] |= (uint8_t)(1u << (doc & 7));
        inv->ndeleted++;
    }
}

static int
grow_table(gzt_inv *inv)
{
    uint32_t ncap = inv->tcap ? inv->tcap * 2 : 4096;
    uint64_t *nt = gzt_calloc(ncap, sizeof *nt);
    if (!nt)
        return GZT_ENOMEM;
    for (uint32_t i = 0; i < inv->tcap; i++) {
        uint64_t e = inv->table[i];
        if (!e)
            continue;
        /* the slot is the hash's low bits, which the entry does not keep:
         * hash again */
        const tentry *t = &inv->terms[(uint32_t)e - 1];
        uint64_t h = gzt_hash64(t->s, t->len);
        uint32_t j = (uint32_t)h & (ncap - 1);
        while (nt[j])
            j = (j + 1) & (ncap - 1);
        nt[j] = e;
    }
    gzt_free(inv->table);
    inv->table = nt;
    inv->tcap = ncap;
    return GZT_OK;
}

/* term id of @p s, added when new; -1 out of memory */
static int64_t
term_id(gzt_inv *inv, const char *s, uint32_t len)
{
    if ((uint64_t)(inv->nterms + 1) * 2 > inv->tcap && grow_table(inv))
        return -1;
    uint64_t h = gzt_hash64(s, len);
    uint64_t tag = h & 0xffffffff00000000u;
    uint32_t j = (uint32_t)h & (inv->tcap - 1);
    while (inv->table[j]) {
        uint64_t e = inv->table[j];
        if ((e & 0xffffffff00000000u) == tag) {
            const tentry *t = &inv->terms[(uint32_t)e - 1];
            if (t->len == len && !memcmp(t->s, s, len))
                return (uint32_t)e - 1;
        }
        j = (j + 1) & (inv->tcap - 1);
    }
    if (inv->nterms == inv->cap) {
        uint32_t ncap = inv->cap ? inv->cap * 2 : 4096;
        tentry *nt = gzt_realloc(inv->terms, ncap * sizeof *nt);
        if (!nt)
            return -1;
        inv->terms = nt;
        inv->cap = ncap;
    }
    char *copy = gzt_arena_strndup(&inv->strings, s, len);
    if (!copy)
        return -1;
    tentry *t = &inv->terms[inv->nterms];
    memset(t, 0, sizeof *t);
    t->s = copy;
    t->len = len;
    inv->table[j] = tag | (inv->nterms + 1);
    return inv->nterms++;
}

static int
push_tok(gzt_inv *inv, const char *s, uint32_t len, uint32_t pos)
{
    int64_t id = term_id(inv, s, len);
    if (id < 0)
        return GZT_ENOMEM;
    if (inv->ntoks == inv->tokcap) {
        size_t ncap = inv->tokcap ? inv->tokcap * 2 : 1024;
        uint64_t *nt = gzt_realloc(inv->toks, ncap * sizeof *nt);
        if (!nt)
            return GZT_ENOMEM;
        inv->toks = nt;
        inv->tokcap = ncap;
    }
    inv->toks[inv->ntoks++] = (uint64_t)id << 32 | pos;
    return GZT_OK;
}

static int
on_token(void *ctx, const gzt_token *tok)
{
    gzt_inv *inv = ctx;
    if (inv->field >= 0) {
        uint32_t pair[2] = {tok->start, tok->pos};
        if (gzt_buf_append(&inv->offs[inv->field], pair, sizeof pair))
            return GZT_ENOMEM;
    }
    return push_tok(inv, tok->term, tok->term_len, tok->pos);
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
    gzt_inv *inv;  /* inverter */
    char prefix;   /* term prefix */
    uint32_t base; /* position of the mention's first token */
} entctx;

static int
on_entity_word(void *ctx, const gzt_token *tok)
{
    entctx *e = ctx;
    gzt_inv *inv = e->inv;
    gzt_buf_reset(&inv->scratch);
    if (gzt_buf_putc(&inv->scratch, (uint8_t)e->prefix) ||
        gzt_buf_append(&inv->scratch, tok->term, tok->term_len))
        return GZT_ENOMEM;
    return push_tok(inv, (const char *)inv->scratch.p,
                    (uint32_t)inv->scratch.len, e->base + tok->pos);
}

/* The terms of one mention, at its position: the analysed words of its
 * canonical form under the type's prefix (person:lavrov), its entity key
 * (entity:"sergey lavrov") and its facet term (type and canonical form as
 * written, for gazette entities). */
/* push "E" + the entity key of @p s */
static int
entity_key_term(gzt_inv *inv, const char *s, size_t len, uint32_t base)
{
    gzt_buf_reset(&inv->scratch);
    if (gzt_buf_putc(&inv->scratch, GZT_PREFIX_ENTITY))
        return GZT_ENOMEM;
    gzt_buf key = GZT_BUF_INIT;
    int rc = gzt_entity_key(inv->an, s, len, &key);
    if (rc == GZT_OK)
        rc = gzt_buf_append(&inv->scratch, key.p, key.len);
    gzt_buf_free(&key);
    if (rc == GZT_OK && inv->scratch.len > 1 &&
        inv->scratch.len <= GZT_DICT_TERM_MAX)
        rc = push_tok(inv, (const char *)inv->scratch.p,
                      (uint32_t)inv->scratch.len, base);
    return rc;
}

static int
entity_terms(gzt_inv *inv, const gzt_entity *e, const char *text, uint32_t base)
{
    entctx c = {inv, gzt_entity_prefix(e->type), base};
    int rc = gzt_analyze(inv->an, e->canonical, e->canonical_len, 0,
                         on_entity_word, &c, NULL);
    /* entity: finds the canonical form and the surface as written ("Sergei
     * Lavrov", "Lavrov"); one mention adds a key term once, as duplicates
     * at one position are dropped later */
    if (rc == GZT_OK)
        rc = entity_key_term(inv, e->canonical, e->canonical_len, base);
    if (rc == GZT_OK)
        rc = entity_key_term(inv, text + e->start, e->end - e->start, base);
    if (rc)
        return rc;
    gzt_buf_reset(&inv->scratch);
    const char *tn = gzt_ner_type_name(e->type);
    if (gzt_buf_putc(&inv->scratch, GZT_PREFIX_FACET) ||
        gzt_buf_putc(&inv->scratch, (uint8_t)tn[0]) ||
        gzt_buf_append(&inv->scratch, e->canonical, e->canonical_len))
        return GZT_ENOMEM;
    if (inv->scratch.len > 2 && inv->scratch.len <= GZT_DICT_TERM_MAX)
        return push_tok(inv, (const char *)inv->scratch.p,
                        (uint32_t)inv->scratch.len, base);
    return GZT_OK;
}

/* The terms of a mention depend only on its type, canonical form and
 * surface, which repeat ("Iran" ten times an article): they are worked out
 * once per flush and replayed, as (term id, position from the mention). */
typedef struct ecache {
    uint64_t hash;   /* of the key; 0 = empty slot */
    char *key;       /* type, canonical form, NUL, surface (arena) */
    uint32_t len;    /* bytes of key */
    uint32_t n;      /* pairs */
    uint64_t *pairs; /* term id << 32 | relative position (arena) */
} ecache;

static int
entity_terms_cached(gzt_inv *inv, const gzt_entity *e, const char *text,
                    uint32_t base)
{
    gzt_buf_reset(&inv->scratch);
    if (gzt_buf_putc(&inv->scratch, e->type) ||
        gzt_buf_append(&inv->scratch, e->canonical, e->canonical_len) ||
        gzt_buf_putc(&inv->scratch, 0) ||
        gzt_buf_append(&inv->scratch, text + e->start, e->end - e->start))
        return GZT_ENOMEM;
    uint32_t len = (uint32_t)inv->scratch.len;
    uint64_t h = gzt_hash64(inv->scratch.p, len) | 1;
    if ((inv->ecn + 1) * 2 > inv->eccap) {
        uint32_t ncap = inv->eccap ? inv->eccap * 2 : 1024;
        ecache *nc = gzt_calloc(ncap, sizeof *nc);
        if (!nc)
            return GZT_ENOMEM;
        for (uint32_t i = 0; i < inv->eccap; i++) {
            if (!inv->ec[i].hash)
                continue;
            uint32_t j = (uint32_t)inv->ec[i].hash & (ncap - 1);
            while (nc[j].hash)
                j = (j + 1) & (ncap - 1);
            nc[j] = inv->ec[i];
        }
        gzt_free(inv->ec);
        inv->ec = nc;
        inv->eccap = ncap;
    }
    uint32_t j = (uint32_t)h & (inv->eccap - 1);
    while (inv->ec[j].hash) {
        ecache *c = &inv->ec[j];
        if (c->hash == h && c->len == len &&
            !memcmp(c->key, inv->scratch.p, len)) {
            for (uint32_t k = 0; k < c->n; k++) {
                if (inv->ntoks == inv->tokcap) {
                    size_t ncap = inv->tokcap ? inv->tokcap * 2 : 1024;
                    uint64_t *nt = gzt_realloc(inv->toks, ncap * sizeof *nt);
                    if (!nt)
                        return GZT_ENOMEM;
                    inv->toks = nt;
                    inv->tokcap = ncap;
                }
                inv->toks[inv->ntoks++] = c->pairs[k] + base;
            }
            return GZT_OK;
        }
        j = (j + 1) & (inv->eccap - 1);
    }
    char *key =
        gzt_arena_strndup(&inv->strings, (const char *)inv->scratch.p, len);
    if (!key)
        return GZT_ENOMEM;
    size_t before = inv->ntoks;
    int rc = entity_terms(inv, e, text, base);
    if (rc)
        return rc;
    uint32_t n = (uint32_t)(inv->ntoks - before);
    uint64_t *pairs = gzt_arena_alloc(&inv->strings, (n + 1) * sizeof *pairs);
    if (!pairs)
        return GZT_ENOMEM;
    for (uint32_t k = 0; k < n; k++)
        pairs[k] = inv->toks[before + k] - base;
    ecache *c = &inv->ec[j];
    c->hash = h;
    c->key = key;
    c->len = len;
    c->n = n;
    c->pairs = pairs;
    inv->ecn++;
    return GZT_OK;
}

static int
cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

int
gzt_inv_add(gzt_inv *inv, const gzt_docfields *f, gzt_date date, uint64_t hash,
            const gzt_entity *ents, size_t nents, uint32_t *doc, gzt_error *err)
{
    if (inv->ndocs == inv->dcap) {
        uint32_t ncap = inv->dcap ? inv->dcap * 2 : 1024;
        docrec *nd = gzt_realloc(inv->docs, ncap * sizeof *nd);
        if (!nd)
            return gzt_err_set(err, GZT_ENOMEM, "out of memory");
        inv->docs = nd;
        uint8_t *ndel = gzt_realloc(inv->deleted, ncap / 8);
        if (!ndel)
            return gzt_err_set(err, GZT_ENOMEM, "out of memory");
        memset(ndel + inv->dcap / 8, 0, (ncap - inv->dcap) / 8);
        inv->deleted = ndel;
        inv->dcap = ncap;
    }
    uint32_t d = inv->ndocs;
    inv->ntoks = 0;
    uint32_t next = 0;
    int rc = GZT_OK;
    gzt_buf_reset(&inv->offs[0]);
    gzt_buf_reset(&inv->offs[1]);
    inv->field = nents ? GZT_ENT_TITLE : -1;
    if (f->len[GZT_FIELD_TITLE])
        rc = gzt_analyze(inv->an, f->f[GZT_FIELD_TITLE],
                         f->len[GZT_FIELD_TITLE], 0, on_token, inv, &next);
    size_t title_toks = inv->ntoks;
    uint32_t body_start = next ? next + GZT_TITLE_GAP : 0,
             body_end = body_start;
    inv->field = nents ? GZT_ENT_BODY : -1;
    if (rc == GZT_OK && f->len[GZT_FIELD_BODY])
        rc = gzt_analyze(inv->an, f->f[GZT_FIELD_BODY], f->len[GZT_FIELD_BODY],
                         body_start, on_token, inv, &body_end);
    inv->field = -1;
    uint64_t length = title_toks + (body_end - body_start);
    /* entity terms do not count in the length */
    for (size_t k = 0; k < nents && rc == GZT_OK; k++) {
        const gzt_entity *e = &ents[k];
        uint32_t base = e->field == GZT_ENT_TITLE
                            ? pos_at(&inv->offs[1], e->start, next)
                            : pos_at(&inv->offs[0], e->start, body_end);
        rc = entity_terms_cached(
            inv, e,
            f->f[e->field == GZT_ENT_TITLE ? GZT_FIELD_TITLE : GZT_FIELD_BODY],
            base);
    }
    if (rc)
        return gzt_err_set(
            err, rc, rc == GZT_ENOMEM ? "out of memory" : "document too large");
    if (length > UINT32_MAX)
        return gzt_err_set(err, GZT_ETOOBIG, "document has too many tokens");
    if (inv->ntoks > 1) {
        qsort(inv->toks, inv->ntoks, sizeof *inv->toks, cmp_u64);
        /* two mentions can put one entity term at one position: a term's
         * positions in a document must strictly increase */
        size_t w = 1;
        for (size_t i = 1; i < inv->ntoks; i++)
            if (inv->toks[i] != inv->toks[w - 1])
                inv->toks[w++] = inv->toks[i];
        inv->ntoks = w;
    }
    for (size_t i = 0; i < inv->ntoks;) {
        uint32_t id = (uint32_t)(inv->toks[i] >> 32);
        size_t j = i;
        while (j < inv->ntoks && (uint32_t)(inv->toks[j] >> 32) == id)
            j++;
        tentry *t = &inv->terms[id];
        size_t before = t->post.cap;
        uint32_t prevpos = 0;
        if (gzt_buf_put_varint(&t->post, t->df ? d - t->last_doc : d) ||
            gzt_buf_put_varint(&t->post, j - i))
            return gzt_err_set(err, GZT_ENOMEM, "out of memory");
        for (size_t k = i; k < j; k++) {
            uint32_t pos = (uint32_t)inv->toks[k];
            if (gzt_buf_put_varint(&t->post, pos - prevpos))
                return gzt_err_set(err, GZT_ENOMEM, "out of memory");
            prevpos = pos;
        }
        inv->postbytes += t->post.cap - before;
        t->last_doc = d;
        t->df++;
        i = j;
    }
    docrec *r = &inv->docs[d];
    r->rec_off = inv->recs.len;
    if (gzt_store_record(&inv->recs, f))
        return gzt_err_set(err, GZT_ENOMEM, "out of memory");
    r->rec_len = inv->recs.len - r->rec_off;
    r->len = (uint32_t)length;
    r->title_end = next;
    r->date = date;
    r->hash = hash;
    inv->ndocs++;
    *doc = d;
    return GZT_OK;
}

static int
cmp_terms(const void *a, const void *b)
{
    const tentry *x = *(const tentry *const *)a;
    const tentry *y = *(const tentry *const *)b;
    int c = memcmp(x->s, y->s, GZT_MIN(x->len, y->len));
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

int
gzt_inv_flush(gzt_inv *inv, const char *dir, uint32_t segid,
              gzt_segw_info *info, gzt_error *err)
{
    gzt_segw *w = NULL;
    const tentry **ids = NULL;
    uint32_t *remap = NULL, *pos = NULL;
    size_t poscap = 0;
    int rc = gzt_segw_open(&w, dir, segid, err);
    if (rc)
        goto done;
    remap = gzt_malloc(((size_t)inv->ndocs + 1) * sizeof *remap);
    ids = gzt_malloc(((size_t)inv->nterms + 1) * sizeof *ids);
    if (!remap || !ids) {
        rc = gzt_err_set(err, GZT_ENOMEM, "out of memory");
        goto done;
    }
    uint32_t live = 0;
    for (uint32_t d = 0; d < inv->ndocs; d++) {
        if (inv->deleted[d >> 3] >> (d & 7) & 1) {
            remap[d] = UINT32_MAX;
            continue;
        }
        remap[d] = live++;
        const docrec *r = &inv->docs[d];
        if ((rc =
                 gzt_segw_add_doc(w, inv->recs.p + r->rec_off, r->rec_len,
                                  r->len, r->title_end, r->date, r->hash, err)))
            goto done;
    }
    for (uint32_t i = 0; i < inv->nterms; i++)
        ids[i] = &inv->terms[i];
    qsort(ids, inv->nterms, sizeof *ids, cmp_terms);
    for (uint32_t k = 0; k < inv->nterms; k++) {
        const tentry *t = ids[k];
        gzt_rd r = gzt_rd_make(t->post.p, t->post.len);
        uint32_t doc = 0;
        bool started = false;
        for (uint32_t n = 0; n < t->df; n++) {
            uint32_t gap, tf;
            if (!gzt_rd_varint32(&r, &gap) || !gzt_rd_varint32(&r, &tf)) {
                rc = gzt_err_set(err, GZT_EINVAL, "internal: bad buffer");
                goto done;
            }
            doc += gap;
            if (tf > poscap) {
                uint32_t *np = gzt_realloc(pos, (size_t)tf * 2 * sizeof *np);
                if (!np) {
                    rc = gzt_err_set(err, GZT_ENOMEM, "out of memory");
                    goto done;
                }
                pos = np;
                poscap = (size_t)tf * 2;
            }
            uint32_t p = 0;
            for (uint32_t j = 0; j < tf; j++) {
                uint32_t g;
                if (!gzt_rd_varint32(&r, &g)) {
                    rc = gzt_err_set(err, GZT_EINVAL, "internal: bad buffer");
                    goto done;
                }
                p += g;
                pos[j] = p;
            }
            if (remap[doc] == UINT32_MAX)
                continue;
            if (!started) {
                if ((rc = gzt_segw_term(w, t->s, t->len, err)))
                    goto done;
                started = true;
            }
            if ((rc = gzt_segw_posting(w, remap[doc], tf, pos, err)))
                goto done;
        }
    }
    rc = gzt_segw_finish(w, info, err);
    w = NULL;
done:
    gzt_segw_abort(w);
    gzt_free(ids);
    gzt_free(remap);
    gzt_free(pos);
    reset(inv);
    return rc;
}

const char *
gzt_inv_id(const gzt_inv *inv, uint32_t doc, size_t *len)
{
    /* the id is the first field of the record: nfields, len, bytes */
    gzt_rd r = gzt_rd_make(inv->recs.p + inv->docs[doc].rec_off,
                           inv->docs[doc].rec_len);
    uint64_t nf, l;
    const uint8_t *p = NULL;
    if (!gzt_rd_varint(&r, &nf) || !gzt_rd_varint(&r, &l) ||
        !gzt_rd_bytes(&r, l, &p)) {
        *len = 0;
        return "";
    }
    *len = l;
    return (const char *)p;
}
