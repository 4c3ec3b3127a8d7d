/* SPDX-License-Identifier: MIT */
/*
 * invert.c: the in-memory inverter (see invert.h).
 *
 * Each term gets an id from an open-addressing hash table and a byte buffer
 * of its postings (varint docid gap, frequency, position gaps). A document
 * arrives as the records of gzt_docterms_run() (one per distinct term, its
 * frequency and position gaps already encoded) from another thread, or,
 * in a one-thread build, as the distinct terms a gzt_docterms of the
 * inverter's own left in place; either way adding it is a lookup and an
 * append per distinct term, and no allocation per token. Title and
 * body share one position space: the title takes positions 0 .. t-1 and
 * the body starts GZT_TITLE_GAP later, so a phrase never spans the two;
 * the document values keep t, so title: is a filter on positions and costs
 * no second copy of the title's postings.
 *
 * Most terms are rare (entity terms above all: most are in a document or
 * two), and a rare term's postings fit the first buffer of POST_SMALL bytes
 * that every term gets: those come from an arena, freed at once with the
 * segment, instead of one malloc and one free each (169 K terms for
 * Reuters-21578 with entities, whose frees were a tenth of the end of
 * indexing). A buffer that outgrows it moves to the heap, with the
 * capacity gzt_buf_grow() gives, so that the memory counted, and where
 * segments are cut, stay as they were.
 */
#include "indexer/invert.h"

#include "common/strtab.h"

#include <stdlib.h>

#define POST_SMALL 64 /* bytes of a term's first postings buffer */

typedef struct tentry {
    uint32_t last_doc; /* last document appended */
    uint32_t df;       /* documents appended */
    gzt_buf post;      /* encoded postings: from inv->small while its cap is
                          at most POST_SMALL, else from the heap */
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
    gzt_strtab dict;   /* terms to ids, a tentry each */
    size_t postbytes;  /* capacity of all postings buffers */
    docrec *docs;      /* buffered documents */
    uint32_t ndocs;    /* count */
    uint32_t dcap;     /* capacity */
    uint8_t *deleted;  /* bitmap over docs (grown with dcap) */
    uint32_t ndeleted; /* count */
    gzt_buf recs;      /* stored records */
    gzt_arena small;   /* first postings buffers (tentry.post) */
    gzt_docterms *dt;  /* analysis for gzt_inv_add() */
    gzt_buf pend;      /* the terms of the document being added */
};

/* A term of the document being added, its postings not yet appended. */
typedef struct pending {
    gzt_dterm term;      /* the term (pairs NULL when post is set) */
    const uint8_t *post; /* or its frequency and positions, encoded */
    tentry *t;           /* its entry, once looked up */
} pending;

int
gzt_inv_new(gzt_inv **out, gzt_analyzer *a)
{
    gzt_inv *inv = gzt_calloc(1, sizeof *inv);
    if (!inv)
        return GZT_ENOMEM;
    inv->an = a;
    gzt_strtab_init(&inv->dict, sizeof(tentry), 4096);
    gzt_arena_init(&inv->small, 0);
    *out = inv;
    return GZT_OK;
}

/* Free @p b unless the arena holds it; empty it either way. */
static void
post_free(gzt_buf *b)
{
    if (b->cap > POST_SMALL)
        gzt_buf_free(b);
    *b = (gzt_buf)GZT_BUF_INIT;
}

/* Room in @p b for @p extra more bytes (gzt_buf_reserve()'s slow path). */
static int
post_grow(gzt_inv *inv, gzt_buf *b, size_t extra)
{
    if (b->cap > POST_SMALL)
        return gzt_buf_grow(b, extra);
    if (b->cap == 0 && extra <= POST_SMALL) {
        b->p = gzt_arena_alloc(&inv->small, POST_SMALL);
        if (!b->p)
            return GZT_ENOMEM;
        b->cap = POST_SMALL;
        return GZT_OK;
    }
    gzt_buf h = GZT_BUF_INIT;
    if (gzt_buf_grow(&h, b->len + extra))
        return GZT_ENOMEM;
    if (b->len)
        memcpy(h.p, b->p, b->len);
    h.len = b->len;
    *b = h; /* the arena's bytes go with the segment */
    return GZT_OK;
}

/* Empty the inverter. With @p keep its document arrays and records
 * buffer stay allocated for the next segment, which will fill them again
 * (allocated afresh, their pages were faulted in again at every segment). */
static void
reset(gzt_inv *inv, bool keep)
{
    for (uint32_t i = 0; i < inv->dict.n; i++)
        post_free(&((tentry *)gzt_strtab_payload(&inv->dict, i))->post);
    gzt_strtab_fini(&inv->dict);
    gzt_inv saved = *inv;
    memset(inv, 0, sizeof *inv);
    inv->an = saved.an;
    inv->dt = saved.dt;
    inv->pend = saved.pend;
    inv->small = saved.small;
    if (keep) {
        gzt_arena_reset(&inv->small);
        inv->docs = saved.docs;
        inv->deleted = saved.deleted;
        inv->dcap = saved.dcap;
        inv->recs = saved.recs;
        inv->recs.len = 0;
        if (inv->deleted)
            memset(inv->deleted, 0, inv->dcap / 8);
    } else {
        gzt_arena_fini(&inv->small);
        gzt_arena_init(&inv->small, 0);
        gzt_free(saved.docs);
        gzt_free(saved.deleted);
        gzt_buf_free(&saved.recs);
    }
    gzt_strtab_init(&inv->dict, sizeof(tentry), 4096);
}

void
gzt_inv_free(gzt_inv *inv)
{
    if (!inv)
        return;
    reset(inv, false);
    gzt_docterms_free(inv->dt);
    gzt_buf_free(&inv->pend);
    gzt_free(inv);
}

/* @p first doubled until it holds @p n */
static size_t
doubled(size_t first, size_t n)
{
    size_t c = first;
    while (c < n && c <= SIZE_MAX / 2)
        c *= 2;
    return c;
}

size_t
gzt_inv_memory(const gzt_inv *inv)
{
    /* the record buffer and document array are kept across segments, so
     * their capacities say nothing of this segment's documents: they are
     * counted as the capacities that growing afresh would have reached
     * (doubling from 64 bytes and 1,024 documents), which flushes
     * segments where it did when they were allocated afresh */
    return gzt_strtab_memory(&inv->dict) + inv->postbytes +
           doubled(64, inv->recs.len) +
           doubled(1024, inv->ndocs) * sizeof(docrec);
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

/* Room in the document array for one more (document inv->ndocs). */
static int
doc_room(gzt_inv *inv, gzt_error *err)
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
    return GZT_OK;
}

/* Queue @p pd in inv->pend and ask for its dictionary slot. */
static int
queue(gzt_inv *inv, const pending *pd)
{
    gzt_strtab_prefetch_slot(&inv->dict, pd->term.hash);
    return gzt_buf_append(&inv->pend, pd, sizeof *pd);
}

/* Look the term of @p pd up, give its postings buffer room for the
 * document's entry (a docid gap, then pd->term.nbytes) and ask for the
 * buffer's end. */
static int
look_up(gzt_inv *inv, pending *pd)
{
    uint32_t id;
    pd->t = gzt_strtab_intern(&inv->dict, pd->term.hash, pd->term.s,
                              pd->term.len, &id);
    if (!pd->t)
        return GZT_ENOMEM;
    gzt_buf *b = &pd->t->post;
    size_t before = b->cap, extra = 10 + pd->term.nbytes;
    int rc = extra <= b->cap - b->len ? GZT_OK : post_grow(inv, b, extra);
    inv->postbytes += b->cap - before;
    if (rc == GZT_OK)
        __builtin_prefetch(pd->t->post.p + pd->t->post.len, 1);
    return rc;
}

/*
 * Add the document whose terms are queued in inv->pend. Nothing of it
 * counts until every allocation it needs has succeeded: its record is
 * stored and every postings buffer it appends to has room before the first
 * append, so a failure leaves the inverter as it was (half a document's
 * postings under a docid the next document then takes would be out of
 * order). And the dictionary is larger than the caches: the terms' slots
 * were asked for as they were queued, then the records those slots name
 * are, then the terms are looked up and the ends of their postings buffers
 * asked for, then appended to, so that the misses of a document's terms
 * overlap instead of queueing.
 */
static int
add_queued(gzt_inv *inv, const gzt_docfields *f, gzt_date date, uint64_t hash,
           const gzt_docinfo *info, uint32_t *doc, gzt_error *err)
{
    int rc = doc_room(inv, err);
    if (rc)
        return rc;
    uint32_t d = inv->ndocs;
    size_t rec_off = inv->recs.len;
    rc = gzt_store_record(&inv->recs, f);
    pending *pds = (pending *)(void *)inv->pend.p;
    size_t n = inv->pend.len / sizeof *pds;
    for (size_t i = 0; rc == GZT_OK && i < n; i++)
        gzt_strtab_prefetch_record(&inv->dict, pds[i].term.hash);
    for (size_t i = 0; rc == GZT_OK && i < n; i++)
        rc = look_up(inv, &pds[i]);
    if (rc) {
        inv->recs.len = rec_off;
        return gzt_err_set(err, rc, "out of memory");
    }
    /* the part that cannot fail */
    for (size_t i = 0; i < n; i++) {
        const pending *pd = &pds[i];
        tentry *t = pd->t;
        uint8_t *o = t->post.p + t->post.len;
        o += gzt_varint_put(o, t->df ? d - t->last_doc : d);
        if (pd->post)
            memcpy(o, pd->post, pd->term.nbytes);
        else
            gzt_dterm_put(&pd->term, o);
        t->post.len = (size_t)(o - t->post.p) + pd->term.nbytes;
        t->last_doc = d;
        t->df++;
    }
    docrec *dr = &inv->docs[d];
    dr->rec_off = rec_off;
    dr->rec_len = inv->recs.len - rec_off;
    dr->len = info->length;
    dr->title_end = info->title_end;
    dr->date = date;
    dr->hash = hash;
    inv->ndocs++;
    *doc = d;
    return GZT_OK;
}

int
gzt_inv_add_terms(gzt_inv *inv, const gzt_docfields *f, gzt_date date,
                  uint64_t hash, const void *terms, size_t terms_len,
                  const gzt_docinfo *info, uint32_t *doc, gzt_error *err)
{
    gzt_buf_reset(&inv->pend);
    gzt_rd r = gzt_rd_make(terms, terms_len);
    while (r.p < r.end) {
        gzt_termrec tr;
        if (!gzt_termrec_next(&r, &tr))
            return gzt_err_set(err, GZT_EINVAL, "internal: bad term records");
        pending pd = {{.hash = tr.hash,
                       .s = (const char *)tr.s,
                       .len = tr.len,
                       .nbytes = tr.nbytes},
                      tr.post,
                      NULL};
        if (queue(inv, &pd))
            return gzt_err_set(err, GZT_ENOMEM, "out of memory");
    }
    return add_queued(inv, f, date, hash, info, doc, err);
}

/* gzt_inv_add_terms() with the terms read where gzt_docterms_analyse() of
 * inv->dt left them instead of from records */
int
gzt_inv_add(gzt_inv *inv, const gzt_docfields *f, gzt_date date, uint64_t hash,
            const gzt_entity *ents, size_t nents, uint32_t *doc, gzt_error *err)
{
    if (!inv->dt && gzt_docterms_new(&inv->dt, inv->an))
        return gzt_err_set(err, GZT_ENOMEM, "out of memory");
    gzt_docinfo info;
    int rc = gzt_docterms_analyse(
        inv->dt, f->f[GZT_FIELD_TITLE], f->len[GZT_FIELD_TITLE],
        f->f[GZT_FIELD_BODY], f->len[GZT_FIELD_BODY], ents, nents, &info, err);
    if (rc)
        return rc;
    gzt_buf_reset(&inv->pend);
    pending pd = {{0}, NULL, NULL};
    for (size_t at = 0; gzt_docterms_next(inv->dt, &at, &pd.term);)
        if (queue(inv, &pd))
            return gzt_err_set(err, GZT_ENOMEM, "out of memory");
    return add_queued(inv, f, date, hash, &info, doc, err);
}

/* A term, for sorting the dictionary. The strings lie all over the
 * dictionary's memory; their first bytes are copied here so that most
 * comparisons never leave this array. */
typedef struct sterm {
    uint8_t key[8]; /* first 8 bytes, zero padded, reversed: as a
                       little-endian number (gzt_load_u64) they order as
                       the bytes do */
    const char *s;  /* bytes */
    uint32_t len;   /* bytes */
    tentry *t;      /* its entry */
} sterm;

static int
cmp_terms(const void *a, const void *b)
{
    const sterm *x = a, *y = b;
    uint64_t kx = gzt_load_u64(x->key), ky = gzt_load_u64(y->key);
    if (kx != ky)
        return kx < ky ? -1 : 1;
    int c = memcmp(x->s, y->s, GZT_MIN(x->len, y->len));
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* Sort @p v (@p n terms) by their bytes: a radix sort of the first eight
 * bytes, then cmp_terms() within each run of equal first bytes (few and
 * short). qsort's comparisons, each an indirect call, were a tenth of
 * writing a segment with entity terms, many of which share their first
 * bytes ("TO", "Ereu"). */
static int
sort_terms(sterm *v, size_t n)
{
    if (gzt_radix_sort(v, n, sizeof *v, offsetof(sterm, key)))
        return GZT_ENOMEM;
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && !memcmp(v[j].key, v[i].key, 8); j++)
            ;
        if (j - i > 1)
            qsort(v + i, j - i, sizeof *v, cmp_terms);
    }
    return GZT_OK;
}

/* How far ahead of the loop over sorted terms their entries, then their
 * postings, are fetched: the terms' order is not their memory's. */
#define AHEAD 8

int
gzt_inv_flush(gzt_inv *inv, const char *dir, uint32_t segid, bool thread,
              gzt_segw_info *info, gzt_error *err)
{
    gzt_segw *w = NULL;
    sterm *ids = NULL;
    gzt_segw_doc *docs = NULL;
    uint32_t *remap = NULL, *pos = NULL;
    size_t poscap = 0;
    int rc = gzt_segw_open(&w, dir, segid, err);
    if (rc)
        goto done;
    remap = gzt_malloc(((size_t)inv->ndocs + 1) * sizeof *remap);
    ids = gzt_malloc(((size_t)inv->dict.n + 1) * sizeof *ids);
    if (!remap || !ids) {
        rc = gzt_err_set(err, GZT_ENOMEM, "out of memory");
        goto done;
    }
    /* with @p thread the stored documents are compressed on a second thread
     * while this one sorts and writes the terms */
    docs = gzt_malloc(((size_t)inv->ndocs + 1) * sizeof *docs);
    if (!docs) {
        rc = gzt_err_set(err, GZT_ENOMEM, "out of memory");
        goto done;
    }
    uint32_t live = 0;
    for (uint32_t d = 0; d < inv->ndocs; d++) {
        if (inv->deleted[d >> 3] >> (d & 7) & 1) {
            remap[d] = UINT32_MAX;
            continue;
        }
        const docrec *r = &inv->docs[d];
        docs[live] = (gzt_segw_doc){inv->recs.p + r->rec_off,
                                    r->rec_len,
                                    r->len,
                                    r->title_end,
                                    r->date,
                                    r->hash};
        remap[d] = live++;
    }
    if ((rc = gzt_segw_add_docs(w, docs, live, thread, err)))
        goto done;
    for (uint32_t i = 0; i < inv->dict.n; i++) {
        sterm *e = &ids[i];
        e->t = gzt_strtab_payload(&inv->dict, i);
        e->s = gzt_strtab_str(&inv->dict, i, &e->len, NULL);
        memset(e->key, 0, 8);
        for (uint32_t b = 0; b < 8 && b < e->len; b++)
            e->key[7 - b] = (uint8_t)e->s[b];
    }
    if (sort_terms(ids, inv->dict.n)) {
        rc = gzt_err_set(err, GZT_ENOMEM, "out of memory");
        goto done;
    }
    bool ident = inv->ndeleted == 0;
    for (uint32_t k = 0; k < inv->dict.n; k++) {
        const sterm *e = &ids[k];
        if (k + 2 * AHEAD < inv->dict.n)
            __builtin_prefetch(ids[k + 2 * AHEAD].t);
        if (k + AHEAD < inv->dict.n)
            __builtin_prefetch(ids[k + AHEAD].t->post.p);
        tentry *t = e->t;
        if (t->df == 0)
            continue; /* interned by an add that then failed */
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
            /* without deletions the map is the identity: skip its misses */
            uint32_t nd = ident ? doc : remap[doc];
            if (nd == UINT32_MAX)
                continue;
            if (!started) {
                if ((rc = gzt_segw_term(w, e->s, e->len, err)))
                    goto done;
                started = true;
            }
            if ((rc = gzt_segw_posting(w, nd, tf, pos, err)))
                goto done;
        }
        /* written: its postings go now, while the other thread still
         * compresses the stored documents, not all at once after it (a
         * hundred thousand buffers and more: 10 ms of the end of indexing
         * Reuters with entities) */
        post_free(&t->post);
    }
    rc = gzt_segw_finish(w, info, err);
    w = NULL;
done:
    gzt_segw_abort(w);
    gzt_free(docs);
    gzt_free(ids);
    gzt_free(remap);
    gzt_free(pos);
    /* one thread, one inverter: its buffers serve the next segment; with
     * a second thread the writer alternates two inverters, and both
     * keeping theirs would hold twice the memory */
    reset(inv, !thread);
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
