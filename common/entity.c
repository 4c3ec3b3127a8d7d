/* SPDX-License-Identifier: MIT */
/*
 * entity.c: from raw article text to typed mentions with canonical forms
 * (see entity.h).
 *
 * The tagger finds spans and types; the gazetteer names the canonical form
 * of a span it knows whole ("Sergei Lavrov" -> "Sergey Lavrov" through an
 * alias); a user list's entries replace whatever the tagger said where they
 * match; and within one document a later mention takes the canonical form
 * of an earlier one with the same surface, or, for a person named by one
 * word, of the earlier person whose name ends with that word ("Lavrov").
 * Mentions nothing else names are their own canonical form.
 */
#include "common/entity.h"

#include "common/analyze.h"
#include "common/resources.h"

/* earlier mentions remembered for coreference, per document */
#define COREF_MAX 512

struct gzt_recognizer {
    gzt_ner *ner; /* the tagger */
    gzt_gaz *gaz; /* built-in and user lists */
    bool clone;   /* ner's model and gaz belong to another recognizer */
};

typedef struct mention {
    uint8_t type;           /* type */
    const char *surface;    /* bytes as written (in the text) */
    uint32_t surface_len;   /* bytes */
    const char *canonical;  /* canonical form */
    uint32_t canonical_len; /* bytes */
} mention;

/* An index of the ring: open addressing over mention numbers + 1 (0: an
 * empty slot). A slot whose mention has left the ring is stale: it keeps
 * its place in probe runs and is reused by the next key that passes it,
 * so a key's newest mention is always the first of its run. */
typedef struct cindex {
    uint32_t *slot; /* cap slots (in the document's arena) */
    uint32_t cap;   /* a power of two, or 0 before the first mention */
    uint32_t used;  /* slots not empty */
} cindex;

typedef struct coref {
    mention m[COREF_MAX]; /* ring of the latest mentions */
    uint32_t n;           /* mentions seen */
    gzt_arena *arena;     /* the document's, for the indexes */
    cindex surf;          /* type and surface -> the latest mention */
    cindex tail;          /* a person's canonical last word -> the latest */
} coref;

char
gzt_entity_prefix(int type)
{
    switch (type) {
    case GZT_NER_PER:
        return GZT_PREFIX_PERSON;
    case GZT_NER_ORG:
        return GZT_PREFIX_ORG;
    case GZT_NER_LOC:
        return GZT_PREFIX_PLACE;
    default:
        return GZT_PREFIX_MISC;
    }
}

int
gzt_builtin_gazetteer(gzt_gaz **out, gzt_error *err)
{
    const uint8_t *b;
    size_t len;
    *out = NULL;
    if (!gzt_resource_get("gaz.img", &b, &len))
        return gzt_err_set(err, GZT_ENOTFOUND, "built-in lists missing");
    return gzt_gaz_from_image(out, b, len, err);
}

int
gzt_builtin_model(gzt_ner **out, gzt_error *err)
{
    const uint8_t *b;
    size_t len;
    *out = NULL;
    if (!gzt_resource_get("ner.img", &b, &len))
        return gzt_err_set(err, GZT_ENOTFOUND,
                           "the built-in entity model is missing");
    return gzt_ner_from_image(out, b, len, err);
}

int
gzt_recognizer_new(gzt_recognizer **out, const void *model, size_t model_len,
                   gzt_error *err)
{
    *out = NULL;
    gzt_recognizer *r = gzt_calloc(1, sizeof *r);
    if (!r)
        return gzt_err_set(err, GZT_ENOMEM, "out of memory");
    int rc = model ? gzt_ner_load(&r->ner, model, model_len, err)
                   : gzt_builtin_model(&r->ner, err);
    if (rc == GZT_OK)
        rc = gzt_builtin_gazetteer(&r->gaz, err);
    if (rc) {
        gzt_recognizer_free(r);
        return rc;
    }
    gzt_ner_set_gazetteer(r->ner, r->gaz);
    *out = r;
    return GZT_OK;
}

void
gzt_recognizer_free(gzt_recognizer *r)
{
    if (!r)
        return;
    gzt_ner_free(r->ner);
    if (!r->clone)
        gzt_gaz_free(r->gaz);
    gzt_free(r);
}

int
gzt_recognizer_clone(gzt_recognizer **out, const gzt_recognizer *r,
                     gzt_error *err)
{
    *out = NULL;
    gzt_recognizer *c = gzt_calloc(1, sizeof *c);
    if (!c || gzt_ner_clone(&c->ner, r->ner)) {
        gzt_free(c);
        return gzt_err_set(err, GZT_ENOMEM, "out of memory");
    }
    c->gaz = r->gaz;
    c->clone = true;
    *out = c;
    return GZT_OK;
}

int
gzt_recognizer_add_list(gzt_recognizer *r, const char *data, size_t len,
                        const char *path, gzt_error *err)
{
    return gzt_gaz_add_user(r->gaz, data, len, path, err);
}

/* The last word of a person's canonical form of more than one word (what
 * a later one-word mention of the person may be), or NULL. */
static const char *
last_word(const mention *m, uint32_t *len)
{
    if (m->type != GZT_NER_PER)
        return NULL;
    const char *sp = NULL;
    for (uint32_t i = m->canonical_len; i-- > 0;)
        if (m->canonical[i] == ' ') {
            sp = m->canonical + i;
            break;
        }
    if (!sp || sp == m->canonical || sp + 1 == m->canonical + m->canonical_len)
        return NULL;
    *len = (uint32_t)(m->canonical + m->canonical_len - sp - 1);
    return sp + 1;
}

/* mention number @p k, if still in the ring */
static const mention *
in_ring(const coref *c, uint32_t k)
{
    return k < c->n && c->n - k <= COREF_MAX ? &c->m[k % COREF_MAX] : NULL;
}

/* Does mention @p m have key (@p type, @p s) in index @p tails (the
 * surface index when false)? */
static bool
has_key(const mention *m, bool tails, uint8_t type, const char *s, uint32_t len)
{
    if (!tails)
        return m->type == type && m->surface_len == len &&
               !memcmp(m->surface, s, len);
    uint32_t wl;
    const char *w = last_word(m, &wl);
    return w && wl == len && !memcmp(w, s, len);
}

static uint64_t
key_hash(bool tails, uint8_t type, const char *s, uint32_t len)
{
    return gzt_hash64(s, len) ^
           (tails ? 0 : (uint64_t)type * 0x9E3779B97F4A7C15ULL);
}

/* The newest mention in the ring with key (@p type, @p s), or NULL. */
static const mention *
ix_find(const coref *c, const cindex *x, bool tails, uint8_t type,
        const char *s, uint32_t len)
{
    if (!x->cap)
        return NULL;
    uint32_t mask = x->cap - 1;
    for (uint32_t j = (uint32_t)key_hash(tails, type, s, len) & mask;
         x->slot[j]; j = (j + 1) & mask) {
        const mention *m = in_ring(c, x->slot[j] - 1);
        if (m && has_key(m, tails, type, s, len))
            return m;
    }
    return NULL;
}

static int ix_grow(coref *c, cindex *x, bool tails);

/* Index mention number @p k (in the ring) under its key. */
static int
ix_add(coref *c, cindex *x, bool tails, uint32_t k)
{
    const mention *m = &c->m[k % COREF_MAX];
    uint32_t len = m->surface_len;
    const char *s = m->surface;
    if (tails && !(s = last_word(m, &len)))
        return GZT_OK;
    /* a rebuild indexes every mention in the ring, this one too */
    if ((x->used + 1) * 2 > x->cap)
        return ix_grow(c, x, tails);
    uint32_t mask = x->cap - 1;
    for (uint32_t j = (uint32_t)key_hash(tails, m->type, s, len) & mask;;
         j = (j + 1) & mask) {
        const mention *o = x->slot[j] ? in_ring(c, x->slot[j] - 1) : NULL;
        if (!x->slot[j] || !o || has_key(o, tails, m->type, s, len)) {
            x->used += !x->slot[j];
            x->slot[j] = k + 1;
            return GZT_OK;
        }
    }
}

/* Rebuild @p x with room for the ring, its stale slots dropped. */
static int
ix_grow(coref *c, cindex *x, bool tails)
{
    uint32_t cap = x->cap ? x->cap : 16;
    while (cap < 4 * COREF_MAX && cap < 4 * (x->used + 1))
        cap *= 2;
    uint32_t *slot = gzt_arena_calloc(c->arena, cap * sizeof *slot);
    if (!slot)
        return GZT_ENOMEM;
    *x = (cindex){slot, cap, 0};
    uint32_t first = c->n > COREF_MAX ? c->n - COREF_MAX : 0;
    for (uint32_t k = first; k < c->n; k++)
        if (ix_add(c, x, tails, k))
            return GZT_ENOMEM;
    return GZT_OK;
}

/* the canonical form an earlier mention gives @p surface, or NULL */
static const mention *
resolve(const coref *c, uint8_t type, const char *s, uint32_t len)
{
    /* the same surface and type, latest first */
    const mention *m = ix_find(c, &c->surf, false, type, s, len);
    if (m || type != GZT_NER_PER || memchr(s, ' ', len))
        return m;
    /* a person named by one word: the latest person whose canonical name
     * ends with that word */
    return ix_find(c, &c->tail, true, type, s, len);
}

static int
remember(coref *c, uint8_t type, const char *s, uint32_t len, const char *canon,
         uint32_t canon_len)
{
    mention *m = &c->m[c->n % COREF_MAX];
    m->type = type;
    m->surface = s;
    m->surface_len = len;
    m->canonical = canon;
    m->canonical_len = canon_len;
    uint32_t k = c->n++;
    if (ix_add(c, &c->surf, false, k) || ix_add(c, &c->tail, true, k))
        return GZT_ENOMEM;
    return GZT_OK;
}

/* @p s with whitespace runs made one space, in @p arena */
static char *
collapse(gzt_arena *a, const char *s, size_t len, uint32_t *out_len)
{
    char *d = gzt_arena_alloc(a, len + 1);
    if (!d)
        return NULL;
    size_t w = 0;
    bool space = false;
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        if (ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r') {
            space = w > 0;
            continue;
        }
        if (space)
            d[w++] = ' ';
        space = false;
        d[w++] = ch;
    }
    d[w] = '\0';
    *out_len = (uint32_t)w;
    return d;
}

typedef struct elist {
    gzt_entity *v; /* mentions */
    size_t n;      /* count */
    size_t cap;    /* capacity */
} elist;

static int
push(elist *l, gzt_arena *a, const gzt_entity *e)
{
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 32;
        gzt_entity *nv = gzt_arena_alloc(a, ncap * sizeof *nv);
        if (!nv)
            return GZT_ENOMEM;
        if (l->n)
            memcpy(nv, l->v, l->n * sizeof *nv);
        l->v = nv;
        l->cap = ncap;
    }
    l->v[l->n++] = *e;
    return GZT_OK;
}

static int
find_field(gzt_recognizer *r, const char *text, size_t len, uint8_t field,
           coref *c, gzt_arena *a, elist *out, gzt_error *err)
{
    if (len == 0)
        return GZT_OK;
    gzt_nerspan *spans = NULL;
    size_t nspans = 0;
    int rc = gzt_ner_tag(r->ner, text, len, a, &spans, &nspans, err);
    if (rc)
        return rc;
    /* the tagger's tokens, and what the lists found in each sentence */
    size_t ntoks;
    const gzt_nertok *toks = gzt_ner_tokens(r->ner, &ntoks);
    const gzt_gaz_hit *hits = gzt_ner_hits(r->ner);
    if (!hits)
        return gzt_err_set(err, GZT_EINVAL, "the tagger has no gazetteer");
    /* user entries first: they replace the tagger where they match */
    size_t first_user = out->n;
    for (size_t i = 0; i < ntoks;) {
        if (!hits[i].user || !hits[i].len || i + hits[i].len > ntoks) {
            i++;
            continue;
        }
        gzt_entity e = {toks[i].start,     toks[i + hits[i].len - 1].end,
                        hits[i].type,      field,
                        hits[i].canonical, hits[i].canonical_len};
        if (push(out, a, &e))
            return gzt_err_set(err, GZT_ENOMEM, "out of memory");
        i += hits[i].len;
    }
    size_t nuser = out->n - first_user;
    size_t ui = 0;
    elist merged = {0};
    for (size_t k = 0; k < nspans; k++) {
        const gzt_nerspan *s = &spans[k];
        /* user mentions before this span go first; a span overlapping one
         * is dropped */
        bool overlap = false;
        while (ui < nuser && out->v[first_user + ui].end <= s->start) {
            if (push(&merged, a, &out->v[first_user + ui]))
                return gzt_err_set(err, GZT_ENOMEM, "out of memory");
            ui++;
        }
        if (ui < nuser && out->v[first_user + ui].start < s->end)
            overlap = true;
        if (overlap)
            continue;
        gzt_entity e = {s->start, s->end, s->type, field, NULL, 0};
        size_t a0 = s->tok, b0 = (size_t)s->tok + s->ntok;
        const mention *m;
        if (a0 < ntoks && hits[a0].len && hits[a0].canonical &&
            a0 + hits[a0].len == b0) {
            e.canonical = hits[a0].canonical;
            e.canonical_len = hits[a0].canonical_len;
        } else if ((m = resolve(c, s->type, text + s->start,
                                s->end - s->start))) {
            e.canonical = m->canonical;
            e.canonical_len = m->canonical_len;
        } else {
            e.canonical = collapse(a, text + s->start, s->end - s->start,
                                   &e.canonical_len);
            if (!e.canonical)
                return gzt_err_set(err, GZT_ENOMEM, "out of memory");
        }
        if (remember(c, e.type, text + s->start, s->end - s->start, e.canonical,
                     e.canonical_len))
            return gzt_err_set(err, GZT_ENOMEM, "out of memory");
        if (push(&merged, a, &e))
            return gzt_err_set(err, GZT_ENOMEM, "out of memory");
    }
    for (; ui < nuser; ui++)
        if (push(&merged, a, &out->v[first_user + ui]))
            return gzt_err_set(err, GZT_ENOMEM, "out of memory");
    /* replace the user-only run with the merged list */
    out->n = first_user;
    for (size_t k = 0; k < merged.n; k++)
        if (push(out, a, &merged.v[k]))
            return gzt_err_set(err, GZT_ENOMEM, "out of memory");
    return GZT_OK;
}

int
gzt_recognizer_find(gzt_recognizer *r, const char *title, size_t title_len,
                    const char *body, size_t body_len, gzt_arena *arena,
                    gzt_entity **out, size_t *n, gzt_error *err)
{
    *out = NULL;
    *n = 0;
    coref *c = gzt_arena_alloc(arena, sizeof *c);
    if (!c)
        return gzt_err_set(err, GZT_ENOMEM, "out of memory");
    c->n = 0;
    c->arena = arena;
    c->surf = c->tail = (cindex){NULL, 0, 0};
    /* the body first, so that a headline's "Lavrov" finds the body's
     * "Sergey Lavrov"; the title's mentions come first in the result */
    elist lb = {0}, lt = {0};
    int rc = find_field(r, body, body_len, GZT_ENT_BODY, c, arena, &lb, err);
    if (rc == GZT_OK)
        rc = find_field(r, title, title_len, GZT_ENT_TITLE, c, arena, &lt, err);
    for (size_t i = 0; rc == GZT_OK && i < lb.n; i++)
        if (push(&lt, arena, &lb.v[i]))
            rc = gzt_err_set(err, GZT_ENOMEM, "out of memory");
    if (rc)
        return rc;
    *out = lt.v;
    *n = lt.n;
    return GZT_OK;
}

/* The bytes of mention @p e as written in its field. */
static const char *
surface_of(const gzt_entity *e, const char *title, const char *body)
{
    return (e->field == GZT_ENT_TITLE ? title : body) + e->start;
}

int
gzt_entity_encode(gzt_buf *out, const gzt_entity *e, size_t n,
                  const char *title, const char *body)
{
    int rc = gzt_buf_put_varint(out, n);
    for (size_t i = 0; i < n && rc == GZT_OK; i++) {
        /* most mentions are their own canonical form: length 0 says so */
        uint32_t slen = e[i].end - e[i].start;
        bool same =
            e[i].canonical_len == slen &&
            memcmp(e[i].canonical, surface_of(&e[i], title, body), slen) == 0;
        uint32_t clen = same ? 0 : e[i].canonical_len;
        if ((rc = gzt_buf_putc(out, e[i].field)) ||
            (rc = gzt_buf_putc(out, e[i].type)) ||
            (rc = gzt_buf_put_varint(out, e[i].start)) ||
            (rc = gzt_buf_put_varint(out, slen)) ||
            (rc = gzt_buf_put_varint(out, clen)))
            break;
        rc = gzt_buf_append(out, e[i].canonical, clen);
    }
    return rc;
}

int
gzt_entity_decode(const void *p, size_t len, const char *title,
                  size_t title_len, const char *body, size_t body_len,
                  gzt_arena *arena, gzt_entity **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (len == 0)
        return GZT_OK;
    gzt_rd r = gzt_rd_make(p, len);
    uint64_t count;
    if (!gzt_rd_varint(&r, &count) || count > len)
        return GZT_ECORRUPT;
    gzt_entity *v = gzt_arena_alloc(arena, (count + 1) * sizeof *v);
    if (!v)
        return GZT_ENOMEM;
    for (uint64_t i = 0; i < count; i++) {
        const uint8_t *fb, *tb, *cb;
        uint32_t start, elen, clen;
        if (!gzt_rd_bytes(&r, 1, &fb) || !gzt_rd_bytes(&r, 1, &tb) ||
            !gzt_rd_varint32(&r, &start) || !gzt_rd_varint32(&r, &elen) ||
            !gzt_rd_varint32(&r, &clen) || !gzt_rd_bytes(&r, clen, &cb))
            return GZT_ECORRUPT;
        size_t limit = *fb == GZT_ENT_TITLE ? title_len : body_len;
        if (*fb > GZT_ENT_TITLE || *tb < GZT_NER_PER || *tb > GZT_NER_MISC ||
            elen == 0 || (uint64_t)start + elen > limit)
            return GZT_ECORRUPT;
        v[i] = (gzt_entity){start, start + elen, *tb, *fb, NULL, clen};
        if (clen == 0) { /* the canonical form is the surface */
            cb = (const uint8_t *)surface_of(&v[i], title, body);
            v[i].canonical_len = clen = elen;
        }
        char *canon = gzt_arena_strndup(arena, (const char *)cb, clen);
        if (!canon)
            return GZT_ENOMEM;
        v[i].canonical = canon;
    }
    if (r.p != r.end)
        return GZT_ECORRUPT;
    *out = v;
    *n = count;
    return GZT_OK;
}

const char *
gzt_entity_type_name(int type)
{
    return type >= GZT_NER_PER && type <= GZT_NER_MISC ? gzt_ner_type_name(type)
                                                       : "";
}
