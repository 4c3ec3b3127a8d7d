/* SPDX-License-Identifier: MIT */
/*
 * test_segment.c: one segment of format v1, written with gzt_segw_* and read
 * back with gzt_segment_*, without the inverter, the merger or the writer.
 *
 * Every test builds a "spec" in memory (documents with their stored fields
 * and document values, terms with postings and positions), writes it as a
 * segment into a temporary directory and then checks everything the reader
 * offers against the spec: the dictionary in order and by lookup, every
 * postings list with its frequencies and positions, every stored document
 * byte for byte, the document values and the id table, and
 * gzt_segment_verify(). The shapes are chosen at the format's edges: postings
 * blocks of 128, dictionary blocks of 32 terms, store blocks of 64 KiB, the
 * 4 MiB the store holds back to train its dictionary, the longest term.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/segment.h"
#include "indexer/segwrite.h"

/* ---- helpers ------------------------------------------------------------ */

/* xorshift64: deterministic, so a failure reproduces */
static uint64_t rng_state = 0x2545f4914f6cdd1du;

static uint64_t
rnd64(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static uint32_t
rnd(uint32_t n)
{
    return (uint32_t)(rnd64() >> 32) % n;
}

static void *
xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    assert_non_null(p);
    return p;
}

static void *
xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    assert_non_null(p);
    return p;
}

static char *
xmemdup(const void *s, size_t n)
{
    char *d = xmalloc(n + 1);
    if (n)
        memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

static void
tmpdir_new(char out[64])
{
    snprintf(out, 64, "/tmp/gzt-segment-XXXXXX");
    assert_non_null(mkdtemp(out));
}

/* remove a flat directory and what it holds */
static void
tmpdir_remove(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char p[512];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        assert_int_equal(unlink(p), 0);
    }
    closedir(d);
    assert_int_equal(rmdir(dir), 0);
}

/* ---- the spec of a segment ---------------------------------------------- */

typedef struct tdoc {
    char *f[GZT_STORE_FIELDS];    /* id, title, body, source */
    size_t len[GZT_STORE_FIELDS]; /* their lengths */
    uint32_t length;              /* tokens */
    uint32_t title_end;           /* first body position */
    gzt_date date;                /* date */
    uint64_t hash;                /* content hash */
} tdoc;

typedef struct tpost {
    uint32_t doc;  /* docid */
    uint32_t tf;   /* frequency */
    uint32_t *pos; /* tf positions, strictly increasing */
} tpost;

typedef struct tterm {
    char *t;      /* term bytes */
    size_t len;   /* bytes */
    tpost *p;     /* postings in docid order */
    uint32_t n;   /* postings */
    uint32_t cap; /* capacity of p */
    uint64_t cf;  /* sum of tf */
} tterm;

typedef struct spec {
    tdoc *docs;     /* documents in docid order */
    uint32_t ndocs; /* count */
    uint32_t dcap;  /* capacity */
    tterm *terms;   /* terms (sorted by spec_write) */
    size_t nterms;  /* count */
    size_t tcap;    /* capacity */
} spec;

static uint32_t
spec_doc_n(spec *s, const char *id, size_t idlen, const char *title,
           size_t tlen, const char *body, size_t blen, const char *source)
{
    if (s->ndocs == s->dcap) {
        s->dcap = s->dcap ? s->dcap * 2 : 64;
        s->docs = xrealloc(s->docs, s->dcap * sizeof *s->docs);
    }
    tdoc *d = &s->docs[s->ndocs];
    const char *f[GZT_STORE_FIELDS] = {id, title, body, source};
    size_t l[GZT_STORE_FIELDS] = {idlen, tlen, blen, strlen(source)};
    for (int k = 0; k < GZT_STORE_FIELDS; k++) {
        d->f[k] = xmemdup(f[k], l[k]);
        d->len[k] = l[k];
    }
    d->length = rnd(100000);
    d->title_end = rnd(1000);
    d->date = (gzt_date)(19000101 + rnd(1300000));
    d->hash = rnd64();
    return s->ndocs++;
}

static uint32_t
spec_doc(spec *s, const char *id, const char *title, const char *body)
{
    return spec_doc_n(s, id, strlen(id), title, strlen(title), body,
                      strlen(body), "/src/path");
}

/* n documents with ids "d0", "d1", ... and short bodies */
static void
spec_docs(spec *s, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        char id[32], body[64];
        snprintf(id, sizeof id, "d%u", s->ndocs);
        snprintf(body, sizeof body, "body of document %u", s->ndocs);
        spec_doc(s, id, "", body);
    }
}

static tterm *
spec_term_n(spec *s, const char *t, size_t len)
{
    if (s->nterms == s->tcap) {
        s->tcap = s->tcap ? s->tcap * 2 : 64;
        s->terms = xrealloc(s->terms, s->tcap * sizeof *s->terms);
    }
    tterm *tt = &s->terms[s->nterms++];
    memset(tt, 0, sizeof *tt);
    tt->t = xmemdup(t, len);
    tt->len = len;
    return tt;
}

static tterm *
spec_term(spec *s, const char *t)
{
    return spec_term_n(s, t, strlen(t));
}

/* a posting with @p tf positions; NULL @p pos = random increasing ones */
static void
term_post(tterm *t, uint32_t doc, uint32_t tf, const uint32_t *pos)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 8;
        t->p = xrealloc(t->p, t->cap * sizeof *t->p);
    }
    tpost *p = &t->p[t->n++];
    p->doc = doc;
    p->tf = tf;
    p->pos = xmalloc(tf * sizeof *p->pos);
    uint32_t at = rnd(50);
    for (uint32_t i = 0; i < tf; i++) {
        p->pos[i] = pos ? pos[i] : at;
        at += 1 + rnd(i % 7 == 6 ? 5000 : 20);
    }
    t->cf += tf;
}

static void
spec_free(spec *s)
{
    for (uint32_t d = 0; d < s->ndocs; d++)
        for (int k = 0; k < GZT_STORE_FIELDS; k++)
            free(s->docs[d].f[k]);
    for (size_t i = 0; i < s->nterms; i++) {
        for (uint32_t j = 0; j < s->terms[i].n; j++)
            free(s->terms[i].p[j].pos);
        free(s->terms[i].p);
        free(s->terms[i].t);
    }
    free(s->docs);
    free(s->terms);
    memset(s, 0, sizeof *s);
}

static int
cmp_bytes(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    return c ? c : (alen > blen) - (alen < blen);
}

static int
cmp_tterm(const void *a, const void *b)
{
    const tterm *x = a, *y = b;
    return cmp_bytes(x->t, x->len, y->t, y->len);
}

/* Write @p s as segment @p segid of @p dir (terms sorted first). */
static void
spec_write(spec *s, const char *dir, uint32_t segid)
{
    if (s->nterms)
        qsort(s->terms, s->nterms, sizeof *s->terms, cmp_tterm);
    for (size_t i = 1; i < s->nterms; i++)
        assert_true(cmp_tterm(&s->terms[i - 1], &s->terms[i]) < 0);
    gzt_error err = {0};
    gzt_segw *w;
    assert_int_equal(gzt_segw_open(&w, dir, segid, &err), GZT_OK);
    gzt_buf rec = GZT_BUF_INIT;
    uint64_t tokens = 0;
    for (uint32_t d = 0; d < s->ndocs; d++) {
        const tdoc *td = &s->docs[d];
        gzt_docfields f;
        for (int k = 0; k < GZT_STORE_FIELDS; k++) {
            f.f[k] = td->f[k];
            f.len[k] = td->len[k];
        }
        gzt_buf_reset(&rec);
        assert_int_equal(gzt_store_record(&rec, &f), GZT_OK);
        assert_int_equal(gzt_segw_add_doc(w, rec.p, rec.len, td->length,
                                          td->title_end, td->date, td->hash,
                                          &err),
                         GZT_OK);
        tokens += td->length;
    }
    gzt_buf_free(&rec);
    for (size_t i = 0; i < s->nterms; i++) {
        const tterm *t = &s->terms[i];
        assert_int_equal(gzt_segw_term(w, t->t, t->len, &err), GZT_OK);
        for (uint32_t j = 0; j < t->n; j++)
            assert_int_equal(
                gzt_segw_posting(w, t->p[j].doc, t->p[j].tf, t->p[j].pos, &err),
                GZT_OK);
    }
    gzt_segw_info info;
    assert_int_equal(gzt_segw_finish(w, &info, &err), GZT_OK);
    assert_int_equal(info.ndocs, s->ndocs);
    assert_int_equal(info.nterms, s->nterms);
    assert_int_equal(info.tokens, tokens);
    assert_true(info.bytes >= 6 * (GZT_HEADER_LEN + GZT_FOOTER_LEN));
}

static gzt_segment *
seg_open(const char *dir, uint32_t segid)
{
    gzt_error err = {0};
    gzt_segment *s;
    int rc = gzt_segment_open(&s, dir, segid, NULL, &err);
    if (rc)
        fail_msg("open: %s", err.msg);
    assert_non_null(s);
    assert_int_equal(s->id, segid);
    return s;
}

/* the postings of @p t read with next() and positions() equal the spec */
static void
check_postings(gzt_segment *s, const tterm *t, const gzt_term_info *ti)
{
    gzt_error err = {0};
    gzt_postings p;
    assert_int_equal(gzt_postings_open(&p, s, ti, &err), GZT_OK);
    for (uint32_t j = 0; j < t->n; j++) {
        uint32_t d = gzt_postings_next(&p);
        if (d != t->p[j].doc)
            fail_msg("term '%.*s' posting %u: doc %u, want %u (error %d %s)",
                     (int)GZT_MIN(t->len, 40), t->t, j, d, t->p[j].doc, p.error,
                     err.msg);
        assert_int_equal(p.doc, d);
        assert_int_equal(gzt_postings_freq(&p), t->p[j].tf);
        uint32_t np;
        const uint32_t *pos = gzt_postings_positions(&p, &np);
        assert_non_null(pos);
        assert_int_equal(np, t->p[j].tf);
        assert_memory_equal(pos, t->p[j].pos, np * sizeof *pos);
    }
    assert_int_equal(gzt_postings_next(&p), GZT_END);
    assert_int_equal(gzt_postings_next(&p), GZT_END);
    assert_int_equal(p.error, GZT_OK);
    gzt_postings_close(&p);
}

static void
check_doc(gzt_segment *s, const spec *sp, uint32_t d)
{
    gzt_error err = {0};
    gzt_docfields f;
    int rc = gzt_segment_doc(s, d, &f, &err);
    if (rc)
        fail_msg("doc %u: %s", d, err.msg);
    const tdoc *td = &sp->docs[d];
    for (int k = 0; k < GZT_STORE_FIELDS; k++) {
        assert_int_equal(f.len[k], td->len[k]);
        assert_memory_equal(f.f[k], td->f[k], td->len[k]);
    }
    assert_int_equal(gzt_segment_doclen(s, d), td->length);
    assert_int_equal(gzt_segment_title_end(s, d), td->title_end);
    assert_int_equal(gzt_segment_docdate(s, d), td->date);
    assert_true(gzt_segment_dochash(s, d) == td->hash);
    assert_false(gzt_segment_deleted(s, d));
}

/* Everything the reader offers agrees with @p sp. @p deep adds document
 * fetches in scrambled orders and gzt_segment_verify() (which fetches in
 * id-table order), both of which decompress a store block per document:
 * seconds for 70,000 documents. */
static void
spec_check(gzt_segment *s, const spec *sp, bool deep)
{
    gzt_error err = {0};
    assert_int_equal(s->ndocs, sp->ndocs);
    assert_int_equal(s->nterms, sp->nterms);
    assert_int_equal(s->nblocks,
                     (sp->nterms + GZT_DICT_BLOCK - 1) / GZT_DICT_BLOCK);
    assert_null(s->delbits);
    assert_int_equal(s->ndeleted, 0);
    /* stored documents in order, then in a scrambled order that jumps
     * between store blocks */
    for (uint32_t d = 0; d < sp->ndocs; d++)
        check_doc(s, sp, d);
    for (uint32_t d = 0; d < sp->ndocs && deep; d++)
        check_doc(s, sp, (uint32_t)(((uint64_t)d * 7919 + 13) % sp->ndocs));
    for (uint32_t d = sp->ndocs; d-- > 0 && deep;)
        check_doc(s, sp, d);
    gzt_docfields f;
    assert_int_equal(gzt_segment_doc(s, sp->ndocs, &f, &err), GZT_EINVAL);
    /* the id table finds every document */
    for (uint32_t d = 0; d < sp->ndocs; d++) {
        const tdoc *td = &sp->docs[d];
        uint32_t first, n, hit = 0;
        gzt_segment_id_range(
            s, gzt_id_hash(td->f[GZT_FIELD_ID], td->len[GZT_FIELD_ID]), &first,
            &n);
        assert_true(n >= 1);
        assert_true(first + n <= s->ndocs);
        for (uint32_t k = 0; k < n; k++)
            hit += gzt_segment_id_doc(s, first + k) == d;
        assert_int_equal(hit, 1);
    }
    /* the dictionary in order */
    gzt_dict_iter it;
    bool ok;
    assert_int_equal(gzt_dict_iter_seek(&it, s, "", 0, &err), GZT_OK);
    for (size_t i = 0; i < sp->nterms; i++) {
        const tterm *t = &sp->terms[i];
        assert_int_equal(gzt_dict_iter_next(&it, &ok, &err), GZT_OK);
        assert_true(ok);
        assert_int_equal(it.term_len, t->len);
        assert_memory_equal(it.term, t->t, t->len);
        assert_int_equal(it.term[it.term_len], '\0');
        assert_int_equal(it.ti.df, t->n);
        assert_int_equal(it.ti.cf, t->cf);
    }
    assert_int_equal(gzt_dict_iter_next(&it, &ok, &err), GZT_OK);
    assert_false(ok);
    assert_int_equal(gzt_dict_iter_next(&it, &ok, &err), GZT_OK);
    assert_false(ok);
    /* every term by lookup, with its postings */
    for (size_t i = 0; i < sp->nterms; i++) {
        const tterm *t = &sp->terms[i];
        bool found;
        gzt_term_info ti;
        assert_int_equal(gzt_segment_lookup(s, t->t, t->len, &found, &ti, &err),
                         GZT_OK);
        assert_true(found);
        assert_int_equal(ti.df, t->n);
        assert_int_equal(ti.cf, t->cf);
        check_postings(s, t, &ti);
    }
    if (!deep)
        return;
    int rc = gzt_segment_verify(s, &err);
    if (rc)
        fail_msg("verify: %s", err.msg);
}

/* write @p sp as segment 1 of a new directory, open and check it */
static gzt_segment *
spec_roundtrip_deep(spec *sp, char dir[64], bool deep)
{
    tmpdir_new(dir);
    spec_write(sp, dir, 1);
    gzt_segment *s = seg_open(dir, 1);
    spec_check(s, sp, deep);
    return s;
}

static gzt_segment *
spec_roundtrip(spec *sp, char dir[64])
{
    return spec_roundtrip_deep(sp, dir, true);
}

static bool
lookup(gzt_segment *s, const char *t, size_t len)
{
    gzt_error err = {0};
    bool found = true;
    gzt_term_info ti;
    assert_int_equal(gzt_segment_lookup(s, t, len, &found, &ti, &err), GZT_OK);
    return found;
}

/* ---- tests -------------------------------------------------------------- */

static void
test_empty_segment_has_no_terms_and_no_documents(void **state)
{
    (void)state;
    spec sp = {0};
    char dir[64];
    gzt_segment *s = spec_roundtrip(&sp, dir);
    assert_int_equal(s->ndocs, 0);
    assert_int_equal(s->nterms, 0);
    assert_false(lookup(s, "a", 1));
    assert_false(lookup(s, "", 0));
    gzt_dict_iter it;
    bool ok = true;
    gzt_error err = {0};
    assert_int_equal(gzt_dict_iter_seek(&it, s, "m", 1, &err), GZT_OK);
    assert_int_equal(gzt_dict_iter_next(&it, &ok, &err), GZT_OK);
    assert_false(ok);
    uint32_t first = 99, n = 99;
    gzt_segment_id_range(s, gzt_id_hash("x", 1), &first, &n);
    assert_int_equal(n, 0);
    gzt_segment_close(s);
    tmpdir_remove(dir);
    spec_free(&sp);
}

static void
test_documents_without_terms_round_trip(void **state)
{
    (void)state;
    spec sp = {0};
    spec_doc(&sp, "a", "", "");
    spec_doc(&sp, "b", "T", "");
    spec_doc_n(&sp, "c\0d", 3, "x\0y", 3, "\0", 1, "");
    char dir[64];
    gzt_segment *s = spec_roundtrip(&sp, dir);
    assert_int_equal(s->nterms, 0);
    assert_false(lookup(s, "a", 1));
    gzt_segment_close(s);
    tmpdir_remove(dir);
    spec_free(&sp);
}

static void
test_single_document_segment_round_trips(void **state)
{
    (void)state;
    spec sp = {0};
    spec_doc(&sp, "only", "A title", "and a body");
    static const uint32_t p0[] = {0};
    static const uint32_t p1[] = {1, 101, 102};
    term_post(spec_term(&sp, "a"), 0, 1, p0);
    term_post(spec_term(&sp, "bodi"), 0, 3, p1);
    term_post(spec_term(&sp, "titl"), 0, 1, p0);
    char dir[64];
    gzt_segment *s = spec_roundtrip(&sp, dir);
    assert_false(lookup(s, "0", 1));      /* before the first */
    assert_false(lookup(s, "b", 1));      /* between */
    assert_false(lookup(s, "bodies", 6)); /* past a term it extends */
    assert_false(lookup(s, "z", 1));      /* after the last */
    gzt_segment_close(s);
    tmpdir_remove(dir);
    spec_free(&sp);
}

static void
test_first_posting_at_docid_zero_is_returned_by_next(void **state)
{
    /* A fresh cursor sits "before the first posting" with doc 0; next()
     * must yield docid 0 when the term occurs in document 0. */
    (void)state;
    spec sp = {0};
    spec_docs(&sp, 3);
    static const uint32_t p[] = {4};
    tterm *x = spec_term(&sp, "x");
    term_post(x, 0, 1, p);
    term_post(x, 2, 1, p);
    char dir[64];
    tmpdir_new(dir);
    spec_write(&sp, dir, 1);
    gzt_segment *s = seg_open(dir, 1);
    gzt_error err = {0};
    bool found;
    gzt_term_info ti;
    assert_int_equal(gzt_segment_lookup(s, "x", 1, &found, &ti, &err), GZT_OK);
    assert_true(found);
    gzt_postings p1;
    assert_int_equal(gzt_postings_open(&p1, s, &ti, &err), GZT_OK);
    assert_int_equal(gzt_postings_next(&p1), 0);
    assert_int_equal(gzt_postings_next(&p1), 2);
    assert_int_equal(gzt_postings_next(&p1), GZT_END);
    gzt_postings_close(&p1);
    assert_int_equal(gzt_postings_open(&p1, s, &ti, &err), GZT_OK);
    assert_int_equal(gzt_postings_seek(&p1, 0), 0);
    gzt_postings_close(&p1);
    gzt_segment_close(s);
    tmpdir_remove(dir);
    spec_free(&sp);
}

static void
test_postings_of_128_129_and_300_documents_cross_blocks_exactly(void **state)
{
    (void)state;
    spec sp = {0};
    spec_docs(&sp, 300);
    /* every document, the first 128, the first 129, 127, every other */
    tterm *all = spec_term(&sp, "all");
    tterm *b128 = spec_term(&sp, "b128");
    tterm *b129 = spec_term(&sp, "b129");
    tterm *b127 = spec_term(&sp, "b127");
    tterm *odd = spec_term(&sp, "odd");
    for (uint32_t d = 0; d < 300; d++) {
        term_post(all, d, 1 + rnd(5), NULL);
        if (d < 128)
            term_post(b128, d, 1 + rnd(3), NULL);
        if (d < 129)
            term_post(b129, d + 1, 1 + rnd(3), NULL);
        if (d < 127)
            term_post(b127, 299 - 126 + d, 1, NULL);
        if (d & 1)
            term_post(odd, d, 2, NULL);
    }
    char dir[64];
    gzt_segment *s = spec_roundtrip(&sp, dir);
    gzt_error err = {0};
    bool found;
    gzt_term_info ti;
    assert_int_equal(gzt_segment_lookup(s, "all", 3, &found, &ti, &err),
                     GZT_OK);
    assert_int_equal(ti.df, 300);
    assert_true(ti.post_len >= 3 * GZT_SKIP_LEN);
    assert_int_equal(gzt_segment_lookup(s, "b129", 4, &found, &ti, &err),
                     GZT_OK);
    assert_int_equal(ti.df, 129);
    gzt_segment_close(s);
    tmpdir_remove(dir);
    spec_free(&sp);
}

static void
test_seek_semantics_at_block_edges(void **state)
{
    (void)state;
    spec sp = {0};
    spec_docs(&sp, 1000);
    /* 300 postings at docids 3k+1: blocks end at 382, 766 and 898 */
    tterm *t = spec_term(&sp, "t");
    for (uint32_t k = 0; k < 300; k++)
        term_post(t, 3 * k + 1, 1 + k % 4, NULL);
    char dir[64];
    gzt_segment *s = spec_roundtrip(&sp, dir);
    gzt_error err = {0};
    bool found;
    gzt_term_info ti;
    assert_int_equal(gzt_segment_lookup(s, "t", 1, &found, &ti, &err), GZT_OK);
    gzt_postings p;

    /* seek past the last block: a clean end, not an error */
    assert_int_equal(gzt_postings_open(&p, s, &ti, &err), GZT_OK);
    assert_int_equal(gzt_postings_seek(&p, 899), GZT_END);
    assert_int_equal(p.error, GZT_OK);
    assert_int_equal(gzt_postings_next(&p), GZT_END);
    assert_int_equal(gzt_postings_seek(&p, 5), GZT_END);
    assert_int_equal(p.error, GZT_OK);
    gzt_postings_close(&p);

    /* exact hits on the last docid of each block and the first of the
     * next, then a target between postings, then the very last */
    assert_int_equal(gzt_postings_open(&p, s, &ti, &err), GZT_OK);
    assert_int_equal(gzt_postings_seek(&p, 382), 382);
    assert_int_equal(gzt_postings_freq(&p), 1 + 127 % 4);
    uint32_t np;
    const uint32_t *pos = gzt_postings_positions(&p, &np);
    assert_non_null(pos);
    assert_memory_equal(pos, t->p[127].pos, np * sizeof *pos);
    assert_int_equal(gzt_postings_next(&p), 385);
    assert_int_equal(gzt_postings_seek(&p, 766), 766);
    assert_int_equal(gzt_postings_seek(&p, 767), 769);
    pos = gzt_postings_positions(&p, &np);
    assert_int_equal(np, t->p[256].tf);
    assert_memory_equal(pos, t->p[256].pos, np * sizeof *pos);
    assert_int_equal(gzt_postings_seek(&p, 898), 898);
    pos = gzt_postings_positions(&p, &np);
    assert_memory_equal(pos, t->p[299].pos, np * sizeof *pos);
    assert_int_equal(gzt_postings_next(&p), GZT_END);
    assert_int_equal(gzt_postings_next(&p), GZT_END);
    assert_null(gzt_postings_positions(&p, &np));
    assert_int_equal(np, 0);
    assert_int_equal(p.error, GZT_OK);
    gzt_postings_close(&p);

    /* jump straight into the third block, skipping two unread ones */
    assert_int_equal(gzt_postings_open(&p, s, &ti, &err), GZT_OK);
    assert_int_equal(gzt_postings_seek(&p, 800), 802);
    pos = gzt_postings_positions(&p, &np);
    assert_memory_equal(pos, t->p[267].pos, np * sizeof *pos);
    assert_int_equal(gzt_postings_seek(&p, GZT_END), GZT_END);
    assert_int_equal(p.error, GZT_OK);
    gzt_postings_close(&p);

    /* seek to the first posting of the list */
    assert_int_equal(gzt_postings_open(&p, s, &ti, &err), GZT_OK);
    assert_int_equal(gzt_postings_seek(&p, 1), 1);
    gzt_postings_close(&p);
    gzt_segment_close(s);
    tmpdir_remove(dir);
    spec_free(&sp);
}

static void
test_large_docid_gaps_round_trip(void **state)
{
    (void)state;
    spec sp = {0};
    const uint32_t n = 70000;
    for (uint32_t i = 0; i < n; i++) {
        char id[16];
        snprintf(id, sizeof id, "%x", i);
        spec_doc(&sp, id, "", "");
    }
    /* gaps of 1 to 3 bytes in one block, a single late posting, and the
     * last document alone */
    tterm *g = spec_term(&sp, "gaps");
    static const uint32_t docs[] = {1, 2, 258, 65794, 69999};
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++)
        term_post(g, docs[i], 1, NULL);
    term_post(spec_term(&sp, "late"), 66001, 2, NULL);
    term_post(spec_term(&sp, "last"), n - 1, 1, NULL);
    /* 200 postings 349 apart: the second block starts far away */
    tterm *sparse = spec_term(&sp, "sparse");
    for (uint32_t k = 0; k < 200; k++)
        term_post(sparse, k * 349 + 7, 1, NULL);
    char dir[64];
    gzt_segment *s = spec_roundtrip_deep(&sp, dir, false);
    gzt_error err = {0};
    bool found;
    gzt_term_info ti;
    assert_int_equal(gzt_segment_lookup(s, "sparse", 6, &found, &ti, &err),
                     GZT_OK);
    gzt_postings p;
    assert_int_equal(gzt_postings_open(&p, s, &ti, &err), GZT_OK);
    assert_int_equal(gzt_postings_seek(&p, 128 * 349), 128 * 349 + 7);
    assert_int_equal(gzt_postings_seek(&p, 199 * 349 + 8), GZT_END);
    assert_int_equal(p.error, GZT_OK);
    gzt_postings_close(&p);
    gzt_segment_close(s);
    tmpdir_remove(dir);
    spec_free(&sp);
}

static void
test_term_frequency_of_10000_positions_round_trips(void **state)
{
    (void)state;
    spec sp = {0};
    spec_docs(&sp, 200);
    uint32_t *pos = xmalloc(10000 * sizeof *pos);
    for (uint32_t i = 0; i < 10000; i++)
        pos[i] = i * 3 + (i > 5000 ? 1000000 : 0);
    /* the heavy posting is the 100th of its block, between light ones, so
     * its positions straddle the 128-integer chunks of the block */
    tterm *t = spec_term(&sp, "heavy");
    for (uint32_t d = 0; d < 200; d++)
        term_post(t, d, d == 99 ? 10000 : 1 + d % 5, d == 99 ? pos : NULL);
    /* and one alone with the largest gaps */
    uint32_t big[3] = {0, 1u << 30, UINT32_MAX - 1};
    term_post(spec_term(&sp, "wide"), 7, 3, big);
    char dir[64];
    gzt_segment *s = spec_roundtrip(&sp, dir);
    gzt_error err = {0};
    bool found;
    gzt_term_info ti;
    assert_int_equal(gzt_segment_lookup(s, "heavy", 5, &found, &ti, &err),
                     GZT_OK);
    gzt_postings p;
    assert_int_equal(gzt_postings_open(&p, s, &ti, &err), GZT_OK);
    assert_int_equal(gzt_postings_seek(&p, 99), 99);
    assert_int_equal(gzt_postings_freq(&p), 10000);
    uint32_t np;
    const uint32_t *got = gzt_postings_positions(&p, &np);
    assert_int_equal(np, 10000);
    assert_memory_equal(got, pos, 10000 * sizeof *pos);
    gzt_postings_close(&p);
    free(pos);
    gzt_segment_close(s);
    tmpdir_remove(dir);
    spec_free(&sp);
}

static void
test_terms_of_one_and_of_the_maximum_bytes_round_trip(void **state)
{
    (void)state;
    spec sp = {0};
    spec_docs(&sp, 4);
    char *big = xmalloc(GZT_DICT_TERM_MAX + 1);
    memset(big, 'q', GZT_DICT_TERM_MAX + 1);
    big[0] = 'Q';
    term_post(spec_term_n(&sp, big, GZT_DICT_TERM_MAX), 1, 1, NULL);
    big[GZT_DICT_TERM_MAX - 1] = 'r';
    term_post(spec_term_n(&sp, big, GZT_DICT_TERM_MAX), 2, 1, NULL);
    term_post(spec_term_n(&sp, big, GZT_DICT_TERM_MAX - 1), 3, 1, NULL);
    term_post(spec_term(&sp, "a"), 0, 1, NULL);
    term_post(spec_term_n(&sp, "\x01", 1), 0, 1, NULL);
    term_post(spec_term_n(&sp, "\xff", 1), 3, 1, NULL);
    term_post(spec_term_n(&sp, "\0", 1), 2, 1, NULL);
    char dir[64];
    gzt_segment *s = spec_roundtrip(&sp, dir);
    /* one byte over the longest term: absent, not an error */
    big[GZT_DICT_TERM_MAX - 1] = 'q';
    assert_false(lookup(s, big, GZT_DICT_TERM_MAX + 1));
    assert_false(lookup(s, big, GZT_DICT_TERM_MAX - 2));
    assert_false(lookup(s, "b", 1));
    assert_false(lookup(s, "\xff\xff", 2));
    gzt_segment_close(s);
    tmpdir_remove(dir);

    /* the writer refuses a term of 0 or GZT_DICT_TERM_MAX + 1 bytes */
    gzt_error err = {0};
    gzt_segw *w;
    tmpdir_new(dir);
    assert_int_equal(gzt_segw_open(&w, dir, 2, &err), GZT_OK);
    assert_int_equal(gzt_segw_term(w, big, GZT_DICT_TERM_MAX + 1, &err),
                     GZT_EINVAL);
    gzt_err_clear(&err);
    assert_int_equal(gzt_segw_term(w, "", 0, &err), GZT_EINVAL);
    gzt_segw_abort(w);
    free(big);
    tmpdir_remove(dir); /* abort removed every file: rmdir succeeds */
    spec_free(&sp);
}

static void
test_many_dictionary_blocks_find_every_term_and_miss_the_gaps(void **state)
{
    (void)state;
    spec sp = {0};
    spec_docs(&sp, 50);
    /* 1000 terms with long shared prefixes (front coding) in 32 blocks:
     * "w0000x" .. "w0999x" */
    const uint32_t nt = 1000;
    for (uint32_t i = 0; i < nt; i++) {
        char t[32];
        snprintf(t, sizeof t, "w%04ux", i);
        tterm *tt = spec_term(&sp, t);
        uint32_t d0 = rnd(50);
        term_post(tt, d0, 1, NULL);
        if (d0 + 1 < 50 && i % 3 == 0)
            term_post(tt, d0 + 1 + rnd(49 - d0), 2, NULL);
    }
    char dir[64];
    gzt_segment *s = spec_roundtrip(&sp, dir);
    assert_int_equal(s->nblocks, (nt + GZT_DICT_BLOCK - 1) / GZT_DICT_BLOCK);
    assert_false(lookup(s, "a", 1));       /* before the first */
    assert_false(lookup(s, "w", 1));       /* a prefix of the first */
    assert_false(lookup(s, "w0000", 5));   /* a prefix of a term */
    assert_false(lookup(s, "w0000xx", 7)); /* extends a term */
    assert_false(lookup(s, "z", 1));       /* after the last */
    assert_false(lookup(s, "w1000x", 6));  /* just after the last */
    for (uint32_t i = 0; i < nt; i++) {
        char t[32];
        /* between i and i+1, including between blocks */
        snprintf(t, sizeof t, "w%04uy", i);
        assert_false(lookup(s, t, strlen(t)));
        snprintf(t, sizeof t, "w%04u", i);
        assert_false(lookup(s, t, strlen(t)));
    }

    /* seek() positions at the first term >= the key */
    gzt_error err = {0};
    gzt_dict_iter it;
    bool ok;
    for (uint32_t i = 0; i <= nt; i++) {
        char key[32], want[32];
        /* the key equals a term, or falls just below it */
        int exact = (int)(i % 2);
        if (exact)
            snprintf(key, sizeof key, "w%04ux", i);
        else
            snprintf(key, sizeof key, "w%04u", i);
        snprintf(want, sizeof want, "w%04ux", i);
        assert_int_equal(gzt_dict_iter_seek(&it, s, key, strlen(key), &err),
                         GZT_OK);
        assert_int_equal(gzt_dict_iter_next(&it, &ok, &err), GZT_OK);
        if (i == nt) {
            assert_false(ok);
            continue;
        }
        assert_true(ok);
        assert_string_equal(it.term, want);
        /* the next few follow in order, across a block boundary */
        for (uint32_t k = i + 1; k < GZT_MIN(i + 40, nt); k++) {
            assert_int_equal(gzt_dict_iter_next(&it, &ok, &err), GZT_OK);
            assert_true(ok);
            snprintf(want, sizeof want, "w%04ux", k);
            assert_string_equal(it.term, want);
        }
    }
    assert_int_equal(gzt_dict_iter_seek(&it, s, "zzz", 3, &err), GZT_OK);
    assert_int_equal(gzt_dict_iter_next(&it, &ok, &err), GZT_OK);
    assert_false(ok);
    assert_int_equal(gzt_dict_iter_seek(&it, s, "", 0, &err), GZT_OK);
    assert_int_equal(gzt_dict_iter_next(&it, &ok, &err), GZT_OK);
    assert_true(ok);
    assert_string_equal(it.term, "w0000x");
    gzt_segment_close(s);
    tmpdir_remove(dir);
    spec_free(&sp);
}

/* Terms over a four-byte alphabet (NUL and 0xff included), many sharing
 * their first eight bytes or more, so that dictionary blocks tie on the
 * leading bytes the block search compares first and front coding shares
 * long prefixes; then every term and thousands of near misses are looked
 * up and checked against a search of the sorted list. */
static void
test_lookups_agree_with_a_sorted_list_where_terms_share_long_prefixes(
    void **state)
{
    (void)state;
    static const char alpha[4] = {'\0', 'a', 'b', '\xff'};
    spec sp = {0};
    spec_docs(&sp, 4);
    enum { NT = 9000 }; /* over 128 blocks: three of dict_top's chunks */
    for (int i = 0; i < NT; i++) {
        char t[24];
        size_t len = 0;
        if (i % 3) /* a long shared head */
            for (; len < 9; len++)
                t[len] = i % 3 == 1 ? 'q' : '\xff';
        for (size_t n = 1 + rnd(8); n > 0; n--)
            t[len++] = alpha[rnd(4)];
        bool dup = false;
        for (size_t k = 0; k < sp.nterms && !dup; k++)
            dup = cmp_bytes(sp.terms[k].t, sp.terms[k].len, t, len) == 0;
        if (!dup)
            term_post(spec_term_n(&sp, t, len), rnd(4), 1, NULL);
    }
    char dir[64];
    gzt_segment *s = spec_roundtrip_deep(&sp, dir, false);
    assert_true(s->nblocks > 2 * 64);
    for (size_t i = 0; i < sp.nterms; i++) {
        const tterm *tt = &sp.terms[i];
        char probe[32];
        for (int v = 0; v < 7; v++) {
            size_t len = tt->len;
            memcpy(probe, tt->t, len);
            switch (v) {
            case 1:
                len--;
                break;
            case 2:
                probe[len++] = '\0';
                break;
            case 3:
                probe[len++] = '\xff';
                break;
            case 4:
                probe[len - 1]++;
                break;
            case 5:
                probe[len - 1]--;
                break;
            case 6:
                probe[len++] = 'a';
                break;
            default:
                break;
            }
            bool want = false;
            size_t lo = 0, hi = sp.nterms;
            while (lo < hi) { /* the sorted list itself */
                size_t mid = lo + (hi - lo) / 2;
                int c =
                    cmp_bytes(sp.terms[mid].t, sp.terms[mid].len, probe, len);
                if (c == 0) {
                    want = true;
                    break;
                }
                if (c < 0)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (lookup(s, probe, len) != want)
                fail_msg("term %zu variant %d: lookup says %s", i, v,
                         want ? "absent" : "present");
        }
    }
    gzt_segment_close(s);
    tmpdir_remove(dir);
    spec_free(&sp);
}

static void
test_exactly_32_and_33_terms_fill_one_and_two_blocks(void **state)
{
    (void)state;
    for (uint32_t nt = GZT_DICT_BLOCK; nt <= GZT_DICT_BLOCK + 1; nt++) {
        spec sp = {0};
        spec_docs(&sp, 2);
        for (uint32_t i = 0; i < nt; i++) {
            char t[8];
            snprintf(t, sizeof t, "%c", 'A' + i);
            term_post(spec_term(&sp, t), i % 2, 1, NULL);
        }
        char dir[64];
        gzt_segment *s = spec_roundtrip(&sp, dir);
        assert_int_equal(s->nblocks, nt == GZT_DICT_BLOCK ? 1 : 2);
        gzt_segment_close(s);
        tmpdir_remove(dir);
        spec_free(&sp);
    }
}

static void
test_stored_documents_are_byte_exact_across_store_blocks(void **state)
{
    (void)state;
    spec sp = {0};
    /* about 5.5 MiB: past the 4 MiB held back to train the dictionary, in
     * many 64 KiB blocks, with one document larger than a block and fields
     * holding every byte value */
    size_t cap = 300000;
    char *buf = xmalloc(cap);
    for (size_t i = 0; i < cap; i++)
        buf[i] = (char)(i % 7 == 0 ? rnd(256) : 'a' + (i * 31 + i / 97) % 26);
    size_t total = 0;
    uint32_t d = 0;
    while (total < (11u << 19)) {
        char id[32];
        snprintf(id, sizeof id, "doc-%u", d);
        size_t blen = d == 40 ? 200000 : d % 50 == 3 ? 0 : rnd(9000);
        size_t tlen = rnd(120);
        size_t off = rnd((uint32_t)(cap - blen));
        char src[64];
        snprintf(src, sizeof src, "/archive/%u/file %u.txt", d % 9, d);
        uint32_t doc = spec_doc_n(&sp, id, strlen(id), buf + rnd(1000), tlen,
                                  buf + off, blen, src);
        assert_int_equal(doc, d);
        total += blen + tlen;
        d++;
    }
    term_post(spec_term(&sp, "x"), 0, 1, NULL);
    char dir[64];
    gzt_segment *s = spec_roundtrip(&sp, dir);
    assert_true(s->store_nblocks >= 60);
    /* the cache must not hand out a stale block: fetch two documents of
     * different blocks alternately */
    for (int k = 0; k < 4; k++) {
        check_doc(s, &sp, 0);
        check_doc(s, &sp, sp.ndocs - 1);
        check_doc(s, &sp, 40);
    }
    gzt_segment_close(s);
    tmpdir_remove(dir);
    free(buf);
    spec_free(&sp);
}

static void
test_id_table_finds_every_document_and_duplicate_ids(void **state)
{
    (void)state;
    spec sp = {0};
    spec_docs(&sp, 500);
    spec_doc(&sp, "d7", "", "a second d7"); /* duplicate id: docid 500 */
    char dir[64];
    gzt_segment *s = spec_roundtrip(&sp, dir);
    uint32_t first, n;
    gzt_segment_id_range(s, gzt_id_hash("d7", 2), &first, &n);
    assert_int_equal(n, 2);
    uint32_t a = gzt_segment_id_doc(s, first),
             b = gzt_segment_id_doc(s, first + 1);
    assert_int_equal(a, 7); /* sorted by (hash, docid) */
    assert_int_equal(b, 500);
    gzt_segment_id_range(s, gzt_id_hash("d500", 4), &first, &n);
    assert_int_equal(n, 0);
    gzt_segment_id_range(s, 0, &first, &n);
    assert_int_equal(n, 0);
    assert_int_equal(first, 0);
    gzt_segment_id_range(s, UINT64_MAX, &first, &n);
    assert_int_equal(n, 0);
    assert_int_equal(first, s->ndocs);
    /* the table is sorted by hash */
    for (uint32_t e = 1; e < s->ndocs; e++)
        assert_true(gzt_load_u64(s->ids.body + (size_t)(e - 1) * GZT_IDS_LEN) <=
                    gzt_load_u64(s->ids.body + (size_t)e * GZT_IDS_LEN));
    gzt_segment_close(s);
    tmpdir_remove(dir);
    spec_free(&sp);
}

static void
test_writer_refuses_postings_out_of_order(void **state)
{
    (void)state;
    char dir[64];
    tmpdir_new(dir);
    gzt_error err = {0};
    gzt_segw *w;
    assert_int_equal(gzt_segw_open(&w, dir, 3, &err), GZT_OK);
    gzt_buf rec = GZT_BUF_INIT;
    gzt_docfields f = {{"id", "", "", ""}, {2, 0, 0, 0}};
    assert_int_equal(gzt_store_record(&rec, &f), GZT_OK);
    for (int i = 0; i < 3; i++)
        assert_int_equal(gzt_segw_add_doc(w, rec.p, rec.len, 1, 0, 0, 0, &err),
                         GZT_OK);
    gzt_buf_free(&rec);
    static const uint32_t pos[] = {0};
    assert_int_equal(gzt_segw_term(w, "t", 1, &err), GZT_OK);
    assert_int_equal(gzt_segw_posting(w, 1, 1, pos, &err), GZT_OK);
    assert_int_equal(gzt_segw_posting(w, 1, 1, pos, &err), GZT_EINVAL);
    gzt_err_clear(&err);
    assert_int_equal(gzt_segw_posting(w, 0, 1, pos, &err), GZT_EINVAL);
    gzt_err_clear(&err);
    assert_int_equal(gzt_segw_posting(w, 3, 1, pos, &err), GZT_EINVAL);
    gzt_err_clear(&err);
    assert_int_equal(gzt_segw_posting(w, 2, 0, pos, &err), GZT_EINVAL);
    gzt_segw_abort(w);
    tmpdir_remove(dir);
}

static void
test_two_segments_in_one_directory_are_independent(void **state)
{
    (void)state;
    spec a = {0}, b = {0};
    spec_docs(&a, 10);
    spec_docs(&b, 20);
    term_post(spec_term(&a, "alpha"), 3, 1, NULL);
    term_post(spec_term(&b, "beta"), 19, 1, NULL);
    char dir[64];
    tmpdir_new(dir);
    spec_write(&a, dir, 7);
    spec_write(&b, dir, 123456);
    gzt_segment *sa = seg_open(dir, 7), *sb = seg_open(dir, 123456);
    spec_check(sa, &a, true);
    spec_check(sb, &b, true);
    assert_false(lookup(sa, "beta", 4));
    /* a segment id that was never written is not found */
    gzt_error err = {0};
    gzt_segment *none = (gzt_segment *)1;
    assert_int_equal(gzt_segment_open(&none, dir, 8, NULL, &err),
                     GZT_ENOTFOUND);
    assert_null(none);
    assert_non_null(strstr(err.msg, "seg-000008.dict"));
    /* the writer does not overwrite an existing segment */
    gzt_segw *w = NULL;
    gzt_err_clear(&err);
    assert_int_equal(gzt_segw_open(&w, dir, 7, &err), GZT_EEXIST);
    assert_null(w);
    gzt_segment_close(sa);
    gzt_segment_close(sb);
    tmpdir_remove(dir);
    spec_free(&a);
    spec_free(&b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_segment_has_no_terms_and_no_documents),
        cmocka_unit_test(test_documents_without_terms_round_trip),
        cmocka_unit_test(test_single_document_segment_round_trips),
        cmocka_unit_test(test_first_posting_at_docid_zero_is_returned_by_next),
        cmocka_unit_test(
            test_postings_of_128_129_and_300_documents_cross_blocks_exactly),
        cmocka_unit_test(test_seek_semantics_at_block_edges),
        cmocka_unit_test(test_large_docid_gaps_round_trip),
        cmocka_unit_test(test_term_frequency_of_10000_positions_round_trips),
        cmocka_unit_test(test_terms_of_one_and_of_the_maximum_bytes_round_trip),
        cmocka_unit_test(
            test_many_dictionary_blocks_find_every_term_and_miss_the_gaps),
        cmocka_unit_test(
            test_lookups_agree_with_a_sorted_list_where_terms_share_long_prefixes),
        cmocka_unit_test(test_exactly_32_and_33_terms_fill_one_and_two_blocks),
        cmocka_unit_test(
            test_stored_documents_are_byte_exact_across_store_blocks),
        cmocka_unit_test(test_id_table_finds_every_document_and_duplicate_ids),
        cmocka_unit_test(test_writer_refuses_postings_out_of_order),
        cmocka_unit_test(test_two_segments_in_one_directory_are_independent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
