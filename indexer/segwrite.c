/* SPDX-License-Identifier: MIT */
/*
 * segwrite.c: the segment writer (see segwrite.h, docs/FORMAT.md).
 *
 * Postings are cut into blocks of GZT_BLOCK documents as they arrive; each
 * block's docid gaps, frequencies and positions are encoded with the
 * streamvbyte codec, and a fixed-size skip entry records the block's last
 * docid, its byte lengths and what a BM25 upper bound needs (the largest
 * frequency and the smallest document length in the block: BM25 grows with
 * tf and shrinks with length, so f(max_tf, min_len) bounds every document of
 * the block whatever k1, b and the average length are at query time).
 *
 * Stored documents are compressed in ~16 KiB zstd blocks with a dictionary
 * trained on the first few MiB of the segment's records, which is why the
 * first records are held back until the dictionary exists.
 */
#include "indexer/segwrite.h"

#include <stdlib.h>
#include <pthread.h>
#include <unistd.h>

#include "common/zblock.h"

#define TRAIN_BYTES (1u << 20) /* records held back to train on */
#define DICT_CAP (64u << 10)   /* dictionary size, at most */
#define DICT_SHARE 20          /* and at most 1/20 of the held records */
#define ZLEVEL 1

typedef struct gzt_segw_file {
    gzt_wfile f; /* the file */
    bool open;   /* opened and not yet finished */
} segfile;

struct gzt_segw {
    char *dir;                               /* index directory */
    uint32_t segid;                          /* segment number */
    segfile dict, post, pos, dv, store, ids; /* the files */
    gzt_buf idtab; /* id table entries, sorted at finish */
    /* documents */
    uint32_t ndocs;         /* added so far */
    uint64_t tokens;        /* sum of lengths */
    gzt_buf dvbuf;          /* GZT_DV_LEN records */
    gzt_buf held;           /* records held back for training */
    gzt_buf heldlens;       /* their lengths as size_t */
    bool trained;           /* dictionary written, store streaming */
    gzt_zctx *z;            /* compression context */
    gzt_buf block;          /* raw records of the open store block */
    uint32_t block_first;   /* first docid of the open block */
    gzt_buf zout;           /* compressed block scratch */
    gzt_buf storeidx;       /* store index entries */
    uint64_t store_nblocks; /* blocks written */
    /* gzt_segw_add_docs() */
    const gzt_segw_doc *bg; /* its documents */
    size_t nbg;             /* count */
    uint32_t bg_first;      /* docid of the first */
    pthread_t bg_th;        /* the thread storing them */
    bool bg_on;             /* started and not joined */
    int bg_rc;              /* its result */
    gzt_error bg_err;       /* its detail */
    /* terms */
    bool in_term;                         /* a term is open */
    char term[GZT_DICT_TERM_MAX + 1];     /* current term */
    uint32_t term_len;                    /* bytes */
    char prevterm[GZT_DICT_TERM_MAX + 1]; /* previous term in dict block */
    uint32_t prevterm_len;                /* bytes */
    uint64_t nterms;                      /* terms finished */
    uint32_t df;                          /* postings of current term */
    uint64_t cf;                          /* occurrences of current term */
    uint64_t pos_off;           /* .pos body offset where the term starts */
    uint32_t last_doc;          /* last docid of the term */
    uint32_t bn;                /* postings in the open block */
    uint32_t bdocs[GZT_BLOCK];  /* docids of the open block */
    uint32_t bfreqs[GZT_BLOCK]; /* freqs of the open block */
    gzt_buf bpos;               /* position gaps of the open block (uint32) */
    uint32_t prev_block_last;   /* last docid of the previous block */
    gzt_buf skips;              /* skip entries of the term */
    gzt_buf tdata;              /* encoded blocks of the term */
    uint8_t scratch[4 * GZT_BLOCK + GZT_BLOCK]; /* codec output */
    /* dictionary */
    gzt_buf dblock;    /* open dictionary block (entries) */
    uint32_t dblock_n; /* entries in it */
    gzt_buf dindex;    /* block offsets */
    uint32_t dnblocks; /* blocks written */
};

static int
open_file(gzt_segw *w, segfile *sf, const char *ext, const char *magic,
          gzt_error *err)
{
    char name[64];
    gzt_segment_filename(name, w->segid, ext);
    char *p = gzt_path_join(w->dir, name);
    if (!p)
        return gzt_err_set(err, GZT_ENOMEM, "out of memory");
    int rc = gzt_wfile_open(&sf->f, p, magic, w->segid, err);
    gzt_free(p);
    sf->open = rc == GZT_OK;
    return rc;
}

static void
abort_file(segfile *sf)
{
    if (sf->open)
        gzt_wfile_abort(&sf->f);
    sf->open = false;
}

static int bg_join(gzt_segw *w, gzt_error *err);

void
gzt_segw_abort(gzt_segw *w)
{
    if (!w)
        return;
    bg_join(w, NULL);
    abort_file(&w->dict);
    abort_file(&w->post);
    abort_file(&w->pos);
    abort_file(&w->dv);
    abort_file(&w->store);
    abort_file(&w->ids);
    gzt_buf_free(&w->idtab);
    gzt_zctx_free(w->z);
    gzt_buf_free(&w->dvbuf);
    gzt_buf_free(&w->held);
    gzt_buf_free(&w->heldlens);
    gzt_buf_free(&w->block);
    gzt_buf_free(&w->zout);
    gzt_buf_free(&w->storeidx);
    gzt_buf_free(&w->bpos);
    gzt_buf_free(&w->skips);
    gzt_buf_free(&w->tdata);
    gzt_buf_free(&w->dblock);
    gzt_buf_free(&w->dindex);
    gzt_free(w->dir);
    gzt_free(w);
}

int
gzt_segw_open(gzt_segw **out, const char *dir, uint32_t segid, gzt_error *err)
{
    *out = NULL;
    gzt_segw *w = gzt_calloc(1, sizeof *w);
    if (!w || !(w->dir = gzt_strdup(dir))) {
        gzt_free(w);
        return gzt_err_set(err, GZT_ENOMEM, "out of memory");
    }
    w->segid = segid;
    int rc;
    if ((rc = open_file(w, &w->dict, "dict", GZT_MAGIC_DICT, err)) ||
        (rc = open_file(w, &w->post, "post", GZT_MAGIC_POST, err)) ||
        (rc = open_file(w, &w->pos, "pos", GZT_MAGIC_POS, err)) ||
        (rc = open_file(w, &w->dv, "dv", GZT_MAGIC_DV, err)) ||
        (rc = open_file(w, &w->store, "store", GZT_MAGIC_STORE, err)) ||
        (rc = open_file(w, &w->ids, "ids", GZT_MAGIC_IDS, err))) {
        gzt_segw_abort(w);
        return rc;
    }
    *out = w;
    return GZT_OK;
}

/* ---- stored documents -------------------------------------------------- */

static int
nomem(gzt_error *err)
{
    return gzt_err_set(err, GZT_ENOMEM, "out of memory");
}

/* the error of the first of the segment's files that failed a write */
static int
failed_file(const gzt_segw *w, gzt_error *err)
{
    const gzt_wfile *fs[] = {&w->dict.f, &w->post.f,  &w->pos.f,
                             &w->dv.f,   &w->store.f, &w->ids.f};
    for (size_t i = 0; i < sizeof fs / sizeof *fs; i++)
        if (fs[i]->error)
            return gzt_wfile_fail(fs[i], err);
    return gzt_err_set(err, GZT_EIO, "segment %u: write failed", w->segid);
}

static int
store_flush_block(gzt_segw *w, gzt_error *err)
{
    if (w->block.len == 0)
        return GZT_OK;
    gzt_buf_reset(&w->zout);
    int rc = gzt_zblock_compress(w->z, &w->zout, w->block.p, w->block.len);
    if (rc)
        return gzt_err_set(err, rc,
                           rc == GZT_ENOMEM
                               ? "out of memory"
                               : "compressing stored documents failed");
    uint64_t off = gzt_wfile_body_off(&w->store.f);
    if (gzt_buf_put_u32(&w->storeidx, w->block_first) ||
        gzt_buf_put_u32(&w->storeidx, (uint32_t)w->zout.len) ||
        gzt_buf_put_u64(&w->storeidx, off))
        return nomem(err);
    if (gzt_wfile_write(&w->store.f, w->zout.p, w->zout.len))
        return gzt_wfile_fail(&w->store.f, err);
    w->store_nblocks++;
    gzt_buf_reset(&w->block);
    return GZT_OK;
}

static int
store_add(gzt_segw *w, uint32_t doc, const void *rec, size_t len,
          gzt_error *err)
{
    if (w->block.len == 0)
        w->block_first = doc;
    if (gzt_buf_append(&w->block, rec, len))
        return nomem(err);
    if (w->block.len >= GZT_STORE_BLOCK)
        return store_flush_block(w, err);
    return GZT_OK;
}

/* Train the dictionary on the held records, write it, then stream them. */
static int
store_train(gzt_segw *w, gzt_error *err)
{
    gzt_buf dict = GZT_BUF_INIT;
    unsigned n = (unsigned)(w->heldlens.len / sizeof(size_t));
    /* a dictionary grows to its capacity whatever the records: a small
     * segment's would be as large as its records, and stored with them.
     * A twentieth of 1 MiB (52 KiB) did best over segments of 20 to
     * 1,000,000 documents (docs/BENCHMARKS.md) */
    size_t cap = GZT_MIN((size_t)DICT_CAP, w->held.len / DICT_SHARE);
    int rc = gzt_zdict_train(&dict, w->held.p, (const size_t *)w->heldlens.p, n,
                             cap);
    if (rc == GZT_OK)
        rc = gzt_zctx_new(&w->z, dict.p, dict.len, ZLEVEL);
    if (rc) {
        gzt_buf_free(&dict);
        return gzt_err_set(err, rc,
                           rc == GZT_ENOMEM
                               ? "out of memory"
                               : "training the store dictionary failed");
    }
    uint8_t hdr[4];
    gzt_store_u32(hdr, (uint32_t)dict.len);
    if (gzt_wfile_write(&w->store.f, hdr, 4) ||
        gzt_wfile_write(&w->store.f, dict.p, dict.len)) {
        gzt_buf_free(&dict);
        return gzt_wfile_fail(&w->store.f, err);
    }
    gzt_buf_free(&dict);
    w->trained = true;
    const size_t *lens = (const size_t *)w->heldlens.p;
    size_t off = 0;
    for (unsigned i = 0; i < n; i++) {
        if ((rc = store_add(w, i, w->held.p + off, lens[i], err)))
            return rc;
        off += lens[i];
    }
    gzt_buf_free(&w->held);
    gzt_buf_free(&w->heldlens);
    return GZT_OK;
}

/* the doc values and id of the next document */
static int
add_meta(gzt_segw *w, const void *rec, size_t rec_len, uint32_t len,
         uint32_t title_end, gzt_date date, uint64_t hash, gzt_error *err)
{
    if (w->ndocs == UINT32_MAX - 1)
        return gzt_err_set(err, GZT_ETOOBIG, "segment too large");
    uint8_t dv[GZT_DV_LEN];
    gzt_store_u32(dv, len);
    gzt_store_u32(dv + 4, (uint32_t)date);
    gzt_store_u32(dv + 8, (uint32_t)hash);
    gzt_store_u32(dv + 12, (uint32_t)(hash >> 32));
    gzt_store_u32(dv + 16, title_end);
    if (gzt_buf_append(&w->dvbuf, dv, sizeof dv))
        return nomem(err);
    /* the id is the record's first field */
    gzt_rd r = gzt_rd_make(rec, rec_len);
    uint64_t nf, idlen;
    const uint8_t *id;
    if (!gzt_rd_varint(&r, &nf) || !gzt_rd_varint(&r, &idlen) ||
        !gzt_rd_bytes(&r, idlen, &id))
        return gzt_err_set(err, GZT_EINVAL, "internal: bad stored record");
    uint8_t e[GZT_IDS_LEN];
    uint64_t ih = gzt_id_hash((const char *)id, idlen);
    gzt_store_u32(e, (uint32_t)ih);
    gzt_store_u32(e + 4, (uint32_t)(ih >> 32));
    gzt_store_u32(e + 8, w->ndocs);
    if (gzt_buf_append(&w->idtab, e, sizeof e))
        return nomem(err);
    w->ndocs++;
    w->tokens += len;
    return GZT_OK;
}

/* the stored record of document @p doc (the store's state only) */
static int
add_record(gzt_segw *w, uint32_t doc, const void *rec, size_t rec_len,
           gzt_error *err)
{
    if (w->trained)
        return store_add(w, doc, rec, rec_len, err);
    if (gzt_buf_append(&w->held, rec, rec_len) ||
        gzt_buf_append(&w->heldlens, &rec_len, sizeof rec_len))
        return nomem(err);
    if (w->held.len >= TRAIN_BYTES)
        return store_train(w, err);
    return GZT_OK;
}

int
gzt_segw_add_doc(gzt_segw *w, const void *rec, size_t rec_len, uint32_t len,
                 uint32_t title_end, gzt_date date, uint64_t hash,
                 gzt_error *err)
{
    uint32_t doc = w->ndocs;
    int rc = add_meta(w, rec, rec_len, len, title_end, date, hash, err);
    return rc ? rc : add_record(w, doc, rec, rec_len, err);
}

/* the background thread: every record, then what finish would store */
static void *
bg_main(void *arg)
{
    gzt_segw *w = arg;
    int rc = GZT_OK;
    for (size_t i = 0; i < w->nbg && rc == GZT_OK; i++)
        rc = add_record(w, w->bg_first + (uint32_t)i, w->bg[i].rec,
                        w->bg[i].rec_len, &w->bg_err);
    if (rc == GZT_OK && !w->trained)
        rc = store_train(w, &w->bg_err);
    if (rc == GZT_OK)
        rc = store_flush_block(w, &w->bg_err);
    w->bg_rc = rc;
    return NULL;
}

/* wait for the background thread; its error into @p err (may be NULL) */
static int
bg_join(gzt_segw *w, gzt_error *err)
{
    if (!w->bg_on)
        return GZT_OK;
    pthread_join(w->bg_th, NULL);
    w->bg_on = false;
    if (w->bg_rc && err)
        *err = w->bg_err;
    return w->bg_rc;
}

int
gzt_segw_add_docs(gzt_segw *w, const gzt_segw_doc *docs, size_t n, bool thread,
                  gzt_error *err)
{
    w->bg_first = w->ndocs;
    for (size_t i = 0; i < n; i++) {
        const gzt_segw_doc *d = &docs[i];
        int rc = add_meta(w, d->rec, d->rec_len, d->len, d->title_end, d->date,
                          d->hash, err);
        if (rc)
            return rc;
    }
    w->bg = docs;
    w->nbg = n;
    w->bg_rc = GZT_OK;
    gzt_err_clear(&w->bg_err);
    if (thread && pthread_create(&w->bg_th, NULL, bg_main, w) == 0) {
        w->bg_on = true;
        return GZT_OK;
    }
    bg_main(w); /* no thread (or none asked for): store them here */
    if (w->bg_rc && err)
        *err = w->bg_err;
    return w->bg_rc;
}

/* ---- postings ---------------------------------------------------------- */

static int
flush_block(gzt_segw *w, gzt_error *err)
{
    uint32_t n = w->bn;
    if (n == 0)
        return GZT_OK;
    uint32_t max_tf = 0, min_dl = UINT32_MAX;
    for (uint32_t i = 0; i < n; i++) {
        max_tf = GZT_MAX(max_tf, w->bfreqs[i]);
        uint32_t dl =
            gzt_load_u32(w->dvbuf.p + (size_t)w->bdocs[i] * GZT_DV_LEN);
        min_dl = GZT_MIN(min_dl, dl);
    }
    size_t db =
        gzt_codec_encode_delta(w->bdocs, n, w->prev_block_last, w->scratch);
    if (gzt_buf_append(&w->tdata, w->scratch, db))
        return nomem(err);
    size_t fb = gzt_codec_encode(w->bfreqs, n, w->scratch);
    if (gzt_buf_append(&w->tdata, w->scratch, fb))
        return nomem(err);
    /* positions: the block's gaps in chunks of GZT_BLOCK */
    const uint32_t *gaps = (const uint32_t *)w->bpos.p;
    size_t total = w->bpos.len / 4, pb = 0;
    for (size_t k = 0; k < total; k += GZT_BLOCK) {
        uint32_t m = (uint32_t)GZT_MIN((size_t)GZT_BLOCK, total - k);
        size_t b = gzt_codec_encode(gaps + k, m, w->scratch);
        if (gzt_wfile_write(&w->pos.f, w->scratch, b))
            return gzt_wfile_fail(&w->pos.f, err);
        pb += b;
    }
    uint32_t last = w->bdocs[n - 1];
    if (gzt_buf_put_u32(&w->skips, last) ||
        gzt_buf_put_u32(&w->skips, (uint32_t)db) ||
        gzt_buf_put_u32(&w->skips, (uint32_t)fb) ||
        gzt_buf_put_u32(&w->skips, (uint32_t)pb) ||
        gzt_buf_put_u32(&w->skips, max_tf) ||
        gzt_buf_put_u32(&w->skips, min_dl))
        return nomem(err);
    w->prev_block_last = last;
    w->bn = 0;
    gzt_buf_reset(&w->bpos);
    return GZT_OK;
}

static int
dict_flush_block(gzt_segw *w, gzt_error *err)
{
    if (w->dblock_n == 0)
        return GZT_OK;
    uint64_t off = gzt_wfile_body_off(&w->dict.f);
    if (off > UINT32_MAX)
        return gzt_err_set(err, GZT_ETOOBIG, "term dictionary over 4 GiB");
    gzt_buf hdr = GZT_BUF_INIT;
    int rc = gzt_buf_put_varint(&hdr, w->dblock_n);
    if (rc == GZT_OK)
        rc = gzt_buf_put_u32(&w->dindex, (uint32_t)off);
    if (rc) {
        gzt_buf_free(&hdr);
        return nomem(err);
    }
    if (gzt_wfile_write(&w->dict.f, hdr.p, hdr.len) ||
        gzt_wfile_write(&w->dict.f, w->dblock.p, w->dblock.len)) {
        gzt_buf_free(&hdr);
        return gzt_wfile_fail(&w->dict.f, err);
    }
    gzt_buf_free(&hdr);
    w->dnblocks++;
    w->dblock_n = 0;
    w->prevterm_len = 0;
    gzt_buf_reset(&w->dblock);
    return GZT_OK;
}

/* LEB128 of @p v into @p out (5 bytes at most); the bytes written */
static size_t
varint_to(uint8_t *out, uint32_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        out[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    out[n++] = (uint8_t)v;
    return n;
}

/* The document values, kept as records while documents come (the
 * postings' min_len reads them), written a column each: lengths, dates,
 * hashes, title ends (docs/FORMAT.md). Non-zero when a write fails. */
static int
write_dv_columns(gzt_segw *w)
{
    static const size_t off[] = {0, 4, 8, 16}, width[] = {4, 4, 8, 4};
    uint8_t buf[4096];
    for (int col = 0; col < 4; col++) {
        size_t n = 0;
        for (uint32_t d = 0; d < w->ndocs; d++) {
            memcpy(buf + n, w->dvbuf.p + (size_t)d * GZT_DV_LEN + off[col],
                   width[col]);
            n += width[col];
            if (n == sizeof buf || d + 1 == w->ndocs) {
                if (gzt_wfile_write(&w->dv.f, buf, n))
                    return -1;
                n = 0;
            }
        }
    }
    return 0;
}

static int
end_term(gzt_segw *w, gzt_error *err)
{
    int rc = flush_block(w, err);
    if (rc)
        return rc;
    w->in_term = false;
    uint64_t post_off = gzt_wfile_body_off(&w->post.f);
    /* a term of one block (most terms: df <= 128) gets no skip entry but
     * its last docid, max_tf and min_len as varints; the rest of the entry
     * follows from the data (docs/FORMAT.md) */
    const void *head = w->skips.p;
    size_t head_len = w->skips.len;
    uint8_t compact[15];
    if (w->skips.len == GZT_SKIP_LEN) {
        const uint8_t *e = w->skips.p;
        head_len = varint_to(compact, gzt_load_u32(e));
        head_len += varint_to(compact + head_len, gzt_load_u32(e + 16));
        head_len += varint_to(compact + head_len, gzt_load_u32(e + 20));
        head = compact;
    }
    uint64_t post_len = head_len + w->tdata.len;
    if (gzt_wfile_write(&w->post.f, head, head_len) ||
        gzt_wfile_write(&w->post.f, w->tdata.p, w->tdata.len))
        return gzt_wfile_fail(&w->post.f, err);
    uint64_t pos_len = gzt_wfile_body_off(&w->pos.f) - w->pos_off;
    /* front-coded entry */
    uint32_t shared = 0;
    while (shared < w->prevterm_len && shared < w->term_len &&
           w->prevterm[shared] == w->term[shared])
        shared++;
    gzt_buf *b = &w->dblock;
    if (gzt_buf_put_varint(b, shared) ||
        gzt_buf_put_varint(b, w->term_len - shared) ||
        gzt_buf_append(b, w->term + shared, w->term_len - shared) ||
        gzt_buf_put_varint(b, w->df) || gzt_buf_put_varint(b, w->cf) ||
        gzt_buf_put_varint(b, post_off) || gzt_buf_put_varint(b, post_len) ||
        gzt_buf_put_varint(b, w->pos_off) || gzt_buf_put_varint(b, pos_len))
        return nomem(err);
    memcpy(w->prevterm, w->term, w->term_len);
    w->prevterm_len = w->term_len;
    w->nterms++;
    if (++w->dblock_n == GZT_DICT_BLOCK)
        return dict_flush_block(w, err);
    return GZT_OK;
}

int
gzt_segw_term(gzt_segw *w, const char *term, size_t len, gzt_error *err)
{
    int rc;
    if (w->in_term && (rc = end_term(w, err)))
        return rc;
    if (len == 0 || len > GZT_DICT_TERM_MAX)
        return gzt_err_set(err, GZT_EINVAL, "term of %zu bytes", len);
    memcpy(w->term, term, len);
    w->term_len = (uint32_t)len;
    w->in_term = true;
    w->df = 0;
    w->cf = 0;
    w->bn = 0;
    w->prev_block_last = 0;
    w->pos_off = gzt_wfile_body_off(&w->pos.f);
    gzt_buf_reset(&w->skips);
    gzt_buf_reset(&w->tdata);
    gzt_buf_reset(&w->bpos);
    return GZT_OK;
}

int
gzt_segw_posting(gzt_segw *w, uint32_t doc, uint32_t tf, const uint32_t *pos,
                 gzt_error *err)
{
    if (tf == 0 || doc >= w->ndocs || (w->df && doc <= w->last_doc))
        return gzt_err_set(err, GZT_EINVAL, "posting out of order");
    w->bdocs[w->bn] = doc;
    w->bfreqs[w->bn] = tf;
    if (gzt_buf_reserve(&w->bpos, (size_t)tf * 4))
        return nomem(err);
    uint32_t *g = (uint32_t *)(void *)(w->bpos.p + w->bpos.len);
    g[0] = pos[0];
    for (uint32_t i = 1; i < tf; i++)
        g[i] = pos[i] - pos[i - 1];
    w->bpos.len += (size_t)tf * 4;
    w->bn++;
    w->df++;
    w->cf += tf;
    w->last_doc = doc;
    if (w->bn == GZT_BLOCK)
        return flush_block(w, err);
    return GZT_OK;
}

/* ---- finish ------------------------------------------------------------ */

/* Sort the @p n id-table entries of @p tab by id hash, equal hashes by
 * docid. The entries were appended in docid order, so a stable sort on the
 * hash alone gives that order. qsort's comparisons of a million entries
 * were 3 % of an index build. */
static int
sort_ids(gzt_buf *tab, uint32_t n)
{
    return gzt_radix_sort(tab->p, n, GZT_IDS_LEN, 0);
}

static int
finish_file(segfile *sf, uint64_t *bytes, gzt_error *err)
{
    *bytes += sf->f.off + GZT_FOOTER_LEN;
    int rc = gzt_wfile_finish(&sf->f, err);
    sf->open = false;
    return rc;
}

int
gzt_segw_finish(gzt_segw *w, gzt_segw_info *info, gzt_error *err)
{
    int rc = GZT_OK;
    if (w->in_term)
        rc = end_term(w, err);
    if (rc == GZT_OK)
        rc = dict_flush_block(w, err);
    int brc = bg_join(w, rc ? NULL : err);
    if (rc == GZT_OK)
        rc = brc;
    if (rc == GZT_OK && !w->trained)
        rc = store_train(w, err);
    if (rc == GZT_OK)
        rc = store_flush_block(w, err);
    if (rc)
        goto fail;
    /* dictionary trailer */
    uint8_t t[12];
    gzt_store_u32(t, w->dnblocks);
    gzt_store_u32(t + 4, (uint32_t)w->nterms);
    gzt_store_u32(t + 8, (uint32_t)(w->nterms >> 32));
    uint8_t n4[4];
    gzt_store_u32(n4, w->ndocs);
    uint8_t s4[4];
    gzt_store_u32(s4, (uint32_t)w->store_nblocks);
    if (gzt_wfile_write(&w->dict.f, w->dindex.p, w->dindex.len) ||
        gzt_wfile_write(&w->dict.f, t, sizeof t) ||
        gzt_wfile_write(&w->dv.f, n4, 4) || write_dv_columns(w) ||
        gzt_wfile_write(&w->store.f, w->storeidx.p, w->storeidx.len) ||
        gzt_wfile_write(&w->store.f, s4, 4)) {
        rc = failed_file(w, err);
        goto fail;
    }
    if (w->ndocs && sort_ids(&w->idtab, w->ndocs)) {
        rc = nomem(err);
        goto fail;
    }
    if (gzt_wfile_write(&w->ids.f, w->idtab.p, w->idtab.len)) {
        rc = failed_file(w, err);
        goto fail;
    }
    uint64_t bytes = 0;
    if ((rc = finish_file(&w->dict, &bytes, err)) ||
        (rc = finish_file(&w->post, &bytes, err)) ||
        (rc = finish_file(&w->pos, &bytes, err)) ||
        (rc = finish_file(&w->dv, &bytes, err)) ||
        (rc = finish_file(&w->store, &bytes, err)) ||
        (rc = finish_file(&w->ids, &bytes, err)))
        goto fail;
    if (info) {
        info->ndocs = w->ndocs;
        info->nterms = w->nterms;
        info->tokens = w->tokens;
        info->bytes = bytes;
    }
    gzt_segw_abort(w); /* frees; files are finished and stay */
    return GZT_OK;
fail:
    /* finished files of a failed segment must go too */
    {
        const char *exts[] = {"dict", "post", "pos", "dv", "store", "ids"};
        char name[64];
        for (int i = 0; i < 6; i++) {
            gzt_segment_filename(name, w->segid, exts[i]);
            char *p = gzt_path_join(w->dir, name);
            if (p)
                unlink(p);
            gzt_free(p);
        }
    }
    gzt_segw_abort(w);
    return rc;
}
