/* SPDX-License-Identifier: MIT */
/*
 * segment.c: the reader of one native segment (see segment.h and
 * docs/FORMAT.md).
 *
 * Every byte comes from a file that passed its checksum at open, but the
 * decoders still check every length, offset and ordering they rely on, and
 * answer GZT_ECORRUPT with the file and offset rather than trust it: a
 * checksum proves the bytes are the writer's, not that they make sense.
 */
#include "common/segment.h"

#include <stdio.h>

#include "common/zblock.h"

void
gzt_segment_filename(char out[64], uint32_t segid, const char *ext)
{
    snprintf(out, 64, "seg-%06u.%s", segid, ext);
}

void
gzt_segment_delname(char out[64], uint32_t segid, uint64_t gen)
{
    snprintf(out, 64, "seg-%06u-g%06llu.del", segid, (unsigned long long)gen);
}

static int
open_kind(gzt_rfile *f, const char *dir, uint32_t segid, const char *ext,
          const char *magic, gzt_error *err)
{
    char name[64];
    gzt_segment_filename(name, segid, ext);
    char *p = gzt_path_join(dir, name);
    if (!p)
        return gzt_err_set(err, GZT_ENOMEM, "out of memory");
    int rc = gzt_rfile_open(f, p, magic, err);
    gzt_free(p);
    if (rc == GZT_OK && gzt_load_u32(f->base + 12) != segid)
        rc = gzt_rfile_corrupt(f, f->base + 12, "file of another segment", err);
    return rc;
}

void
gzt_segment_close(gzt_segment *s)
{
    if (!s)
        return;
    gzt_rfile_close(&s->dict);
    gzt_rfile_close(&s->post);
    gzt_rfile_close(&s->pos);
    gzt_rfile_close(&s->dv);
    gzt_rfile_close(&s->store);
    gzt_rfile_close(&s->ids);
    gzt_rfile_close(&s->del);
    gzt_zctx_free(s->zctx);
    gzt_buf_free(&s->blockbuf);
    gzt_free(s->dict_lead);
    gzt_free(s->dict_top);
    gzt_free(s);
}

static int
cmp_term(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, GZT_MIN(alen, blen));
    if (c)
        return c;
    return alen < blen ? -1 : alen > blen;
}

/* The first term of dictionary block @p b where it lies in the file (a
 * block's first entry shares nothing with what comes before). */
static int
block_first(gzt_segment *s, uint32_t b, const char **term, uint32_t *len,
            gzt_error *err)
{
    uint32_t off = gzt_load_u32(s->dict_index + 4 * (size_t)b);
    uint32_t end = b + 1 < s->nblocks
                       ? gzt_load_u32(s->dict_index + 4 * (size_t)(b + 1))
                       : (uint32_t)(s->dict_index - s->dict.body);
    gzt_rd r = gzt_rd_make(s->dict.body + off, end > off ? end - off : 0);
    uint32_t n, shared;
    const uint8_t *p;
    if (end < off || !gzt_rd_varint32(&r, &n) || n == 0 || n > GZT_DICT_BLOCK ||
        !gzt_rd_varint32(&r, &shared) || shared != 0 ||
        !gzt_rd_varint32(&r, len) || *len > GZT_DICT_TERM_MAX ||
        !gzt_rd_bytes(&r, *len, &p))
        return gzt_rfile_corrupt(&s->dict, s->dict.body + off,
                                 "bad dictionary block header", err);
    *term = (const char *)p;
    return GZT_OK;
}

/* every LEAD_STEP-th block's lead is kept again in dict_top */
#define LEAD_STEP 64

/* the first 8 bytes of a term as a big-endian number, zero-padded: a
 * smaller number means a smaller term */
static uint64_t
lead(const char *term, size_t len)
{
    uint64_t v = 0;
    for (size_t i = 0; i < 8; i++)
        v = v << 8 | (i < len ? (uint8_t)term[i] : 0);
    return v;
}

static int
load_dict(gzt_segment *s, gzt_error *err)
{
    const gzt_rfile *f = &s->dict;
    if (f->body_len < 12)
        return gzt_rfile_corrupt(f, f->body, "dictionary too short", err);
    const uint8_t *t = f->body + f->body_len - 12;
    s->nblocks = gzt_load_u32(t);
    s->nterms = gzt_load_u64(t + 4);
    if ((uint64_t)s->nblocks * 4 > f->body_len - 12 ||
        s->nterms > (uint64_t)s->nblocks * GZT_DICT_BLOCK ||
        s->nterms + GZT_DICT_BLOCK <= (uint64_t)s->nblocks * GZT_DICT_BLOCK)
        return gzt_rfile_corrupt(f, t, "bad dictionary trailer", err);
    s->dict_index = t - (size_t)s->nblocks * 4;
    uint32_t limit = (uint32_t)(s->dict_index - f->body);
    uint32_t prev = 0, prev_len = 0;
    const char *prev_term = NULL;
    for (uint32_t i = 0; i < s->nblocks; i++) {
        uint32_t off = gzt_load_u32(s->dict_index + 4 * (size_t)i);
        if (off >= limit || (i && off <= prev))
            return gzt_rfile_corrupt(f, s->dict_index + 4 * (size_t)i,
                                     "bad dictionary block offset", err);
        prev = off;
    }
    /* The leading bytes of each block's first term, side by side, so that
     * a lookup's binary search touches one small array rather than a page
     * of the dictionary per step. */
    s->dict_lead = gzt_malloc((size_t)s->nblocks * sizeof *s->dict_lead + 1);
    s->dict_top =
        gzt_malloc(((size_t)s->nblocks / LEAD_STEP + 1) * sizeof *s->dict_top);
    if (!s->dict_lead || !s->dict_top)
        return gzt_err_set(err, GZT_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < s->nblocks; i++) {
        const char *term;
        uint32_t len;
        int rc = block_first(s, i, &term, &len, err);
        if (rc)
            return rc;
        if (i && cmp_term(term, len, prev_term, prev_len) <= 0)
            return gzt_rfile_corrupt(f, term, "dictionary blocks out of order",
                                     err);
        s->dict_lead[i] = lead(term, len);
        if (i % LEAD_STEP == 0)
            s->dict_top[i / LEAD_STEP] = s->dict_lead[i];
        prev_term = term;
        prev_len = len;
    }
    return GZT_OK;
}

static int
load_dv(gzt_segment *s, gzt_error *err)
{
    const gzt_rfile *f = &s->dv;
    if (f->body_len < 4)
        return gzt_rfile_corrupt(f, f->body, "document values too short", err);
    s->ndocs = gzt_load_u32(f->body);
    if ((uint64_t)s->ndocs * GZT_DV_LEN != f->body_len - 4)
        return gzt_rfile_corrupt(f, f->body,
                                 "document count disagrees with "
                                 "file size",
                                 err);
    size_t n = s->ndocs;
    s->dvlen = f->body + 4;
    s->dvdate = s->dvlen + 4 * n;
    s->dvhash = s->dvdate + 4 * n;
    s->dvtitle = s->dvhash + 8 * n;
    return GZT_OK;
}

static int
load_store(gzt_segment *s, gzt_error *err)
{
    const gzt_rfile *f = &s->store;
    if (f->body_len < 8)
        return gzt_rfile_corrupt(f, f->body, "store too short", err);
    uint32_t dict_len = gzt_load_u32(f->body);
    s->store_nblocks = gzt_load_u32(f->body + f->body_len - 4);
    uint64_t need = 8 + (uint64_t)dict_len + (uint64_t)s->store_nblocks * 16;
    if (need > f->body_len)
        return gzt_rfile_corrupt(f, f->body + f->body_len - 4,
                                 "bad store trailer", err);
    s->store_index = f->body + f->body_len - 4 - (size_t)s->store_nblocks * 16;
    uint64_t data_end = (uint64_t)(s->store_index - f->body);
    uint32_t prev_doc = 0;
    uint64_t prev_end = 4 + (uint64_t)dict_len;
    for (uint32_t i = 0; i < s->store_nblocks; i++) {
        const uint8_t *e = s->store_index + (size_t)i * 16;
        uint32_t first = gzt_load_u32(e), clen = gzt_load_u32(e + 4);
        uint64_t off = gzt_load_u64(e + 8);
        if ((i == 0 && first != 0) || (i && first <= prev_doc) ||
            first >= s->ndocs || off != prev_end || off + clen > data_end)
            return gzt_rfile_corrupt(f, e, "bad store block entry", err);
        prev_doc = first;
        prev_end = off + clen;
    }
    if ((s->ndocs && s->store_nblocks == 0) || prev_end != data_end)
        return gzt_rfile_corrupt(f, s->store_index,
                                 "store blocks do not "
                                 "cover the documents",
                                 err);
    gzt_zctx *z;
    int rc = gzt_zctx_new(&z, f->body + 4, dict_len, 3);
    if (rc == GZT_ECORRUPT)
        return gzt_rfile_corrupt(f, f->body + 4, "bad store dictionary", err);
    if (rc)
        return gzt_err_set(err, rc, "out of memory");
    s->zctx = z;
    s->cached_block = -1;
    return GZT_OK;
}

static int
load_ids(gzt_segment *s, gzt_error *err)
{
    const gzt_rfile *f = &s->ids;
    if ((uint64_t)s->ndocs * GZT_IDS_LEN != f->body_len)
        return gzt_rfile_corrupt(f, f->body,
                                 "id table size disagrees with "
                                 "the document count",
                                 err);
    for (uint32_t i = 0; i < s->ndocs; i++) {
        const uint8_t *e = f->body + (size_t)i * GZT_IDS_LEN;
        if (gzt_load_u32(e + 8) >= s->ndocs ||
            (i && gzt_load_u64(e) < gzt_load_u64(e - GZT_IDS_LEN)))
            return gzt_rfile_corrupt(f, e, "bad id table entry", err);
    }
    return GZT_OK;
}

void
gzt_segment_id_range(const gzt_segment *s, uint64_t hash, uint32_t *first,
                     uint32_t *n)
{
    uint32_t lo = 0, hi = s->ndocs;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (gzt_load_u64(s->ids.body + (size_t)mid * GZT_IDS_LEN) < hash)
            lo = mid + 1;
        else
            hi = mid;
    }
    uint32_t e = lo;
    while (e < s->ndocs &&
           gzt_load_u64(s->ids.body + (size_t)e * GZT_IDS_LEN) == hash)
        e++;
    *first = lo;
    *n = e - lo;
}

static int
load_del(gzt_segment *s, const char *dir, const char *delname, gzt_error *err)
{
    char *p = gzt_path_join(dir, delname);
    if (!p)
        return gzt_err_set(err, GZT_ENOMEM, "out of memory");
    int rc = gzt_rfile_open(&s->del, p, GZT_MAGIC_DEL, err);
    gzt_free(p);
    if (rc)
        return rc;
    if (gzt_load_u32(s->del.base + 12) != s->id)
        return gzt_rfile_corrupt(&s->del, s->del.base + 12,
                                 "file of another segment", err);
    const gzt_rfile *f = &s->del;
    if (f->body_len < 8 || gzt_load_u32(f->body) != s->ndocs ||
        f->body_len != 8 + ((size_t)s->ndocs + 7) / 8)
        return gzt_rfile_corrupt(f, f->body,
                                 "deletion bitmap does not fit "
                                 "the segment",
                                 err);
    s->delbits = f->body + 8;
    uint32_t n = 0;
    for (uint32_t d = 0; d < s->ndocs; d++)
        n += gzt_segment_deleted(s, d);
    if (n != gzt_load_u32(f->body + 4))
        return gzt_rfile_corrupt(f, f->body + 4,
                                 "deletion count disagrees "
                                 "with the bitmap",
                                 err);
    s->ndeleted = n;
    return GZT_OK;
}

int
gzt_segment_open(gzt_segment **out, const char *dir, uint32_t segid,
                 const char *delname, gzt_error *err)
{
    *out = NULL;
    gzt_segment *s = gzt_calloc(1, sizeof *s);
    if (!s)
        return gzt_err_set(err, GZT_ENOMEM, "out of memory");
    s->id = segid;
    int rc;
    if ((rc = open_kind(&s->dict, dir, segid, "dict", GZT_MAGIC_DICT, err)) ||
        (rc = open_kind(&s->post, dir, segid, "post", GZT_MAGIC_POST, err)) ||
        (rc = open_kind(&s->pos, dir, segid, "pos", GZT_MAGIC_POS, err)) ||
        (rc = open_kind(&s->dv, dir, segid, "dv", GZT_MAGIC_DV, err)) ||
        (rc =
             open_kind(&s->store, dir, segid, "store", GZT_MAGIC_STORE, err)) ||
        (rc = open_kind(&s->ids, dir, segid, "ids", GZT_MAGIC_IDS, err)) ||
        (rc = load_dict(s, err)) || (rc = load_dv(s, err)) ||
        (rc = load_store(s, err)) || (rc = load_ids(s, err)))
        goto fail;
    if (delname && *delname && (rc = load_del(s, dir, delname, err)))
        goto fail;
    *out = s;
    return GZT_OK;
fail:
    gzt_segment_close(s);
    return rc;
}

/* ---- dictionary -------------------------------------------------------- */

/* Read what follows an entry's term (read from @p at) into @p ti. */
static int
read_info(gzt_segment *s, gzt_rd *r, const uint8_t *at, gzt_term_info *ti,
          gzt_error *err)
{
    if (!gzt_rd_varint32(r, &ti->df) || !gzt_rd_varint(r, &ti->cf) ||
        !gzt_rd_varint(r, &ti->post_off) || !gzt_rd_varint(r, &ti->post_len) ||
        !gzt_rd_varint(r, &ti->pos_off) || !gzt_rd_varint(r, &ti->pos_len) ||
        ti->df == 0 || ti->df > s->ndocs || ti->cf < ti->df ||
        ti->post_off > s->post.body_len ||
        ti->post_len > s->post.body_len - ti->post_off ||
        ti->pos_off > s->pos.body_len ||
        ti->pos_len > s->pos.body_len - ti->pos_off)
        return gzt_rfile_corrupt(&s->dict, at, "bad dictionary entry", err);
    return GZT_OK;
}

/* Read one entry of a block into it->term / it->ti. */
static int
read_entry(gzt_dict_iter *it, gzt_error *err)
{
    gzt_rd *r = &it->rd;
    const uint8_t *at = r->p;
    uint32_t shared, slen;
    const uint8_t *suffix;
    if (!gzt_rd_varint32(r, &shared) || !gzt_rd_varint32(r, &slen) ||
        shared > it->term_len || shared + (uint64_t)slen > GZT_DICT_TERM_MAX ||
        !gzt_rd_bytes(r, slen, &suffix))
        return gzt_rfile_corrupt(&it->seg->dict, at, "bad dictionary entry",
                                 err);
    memcpy(it->term + shared, suffix, slen);
    it->term_len = shared + slen;
    it->term[it->term_len] = '\0';
    return read_info(it->seg, r, at, &it->ti, err);
}

static int
open_block(gzt_dict_iter *it, uint32_t b, gzt_error *err)
{
    gzt_segment *s = it->seg;
    uint32_t off = gzt_load_u32(s->dict_index + 4 * (size_t)b);
    uint32_t end = b + 1 < s->nblocks
                       ? gzt_load_u32(s->dict_index + 4 * (size_t)(b + 1))
                       : (uint32_t)(s->dict_index - s->dict.body);
    it->block = b;
    it->rd = gzt_rd_make(s->dict.body + off, end - off);
    it->term_len = 0;
    if (!gzt_rd_varint32(&it->rd, &it->left) || it->left == 0 ||
        it->left > GZT_DICT_BLOCK)
        return gzt_rfile_corrupt(&s->dict, s->dict.body + off,
                                 "bad dictionary block header", err);
    return GZT_OK;
}

/* The first block of the 64 among which the last block whose lead is
 * below @p k lies: bisecting every 64th block's lead (the next 64th's is
 * >= k). */
static uint32_t
lead_chunk(const gzt_segment *s, uint64_t k)
{
    const uint64_t *top = s->dict_top;
    uint32_t chunk = 0, n = (s->nblocks + LEAD_STEP - 1) / LEAD_STEP;
    while (n > 1) {
        uint32_t half = n / 2;
        if (top[chunk + half] < k)
            chunk += half;
        n -= half;
    }
    return chunk * LEAD_STEP;
}

/* the last block from @p lo, among the 64 there, whose lead is below @p k
 * (@p lo itself when none is) */
static uint32_t
last_below(const gzt_segment *s, uint64_t k, uint32_t lo)
{
    const uint64_t *a = s->dict_lead;
    uint32_t n = GZT_MIN((uint32_t)LEAD_STEP, s->nblocks - lo);
    while (n > 1) {
        uint32_t half = n / 2;
        if (a[lo + half] < k)
            lo += half;
        n -= half;
    }
    return lo;
}

void
gzt_segment_prefetch_terms(const gzt_segment *s, const char *const *terms,
                           const size_t *lens, uint32_t n)
{
    uint32_t at[GZT_PREFETCH_TERMS];
    n = GZT_MIN(n, (uint32_t)GZT_PREFETCH_TERMS);
    if (s->nblocks == 0)
        return;
    /* each stage's reads for every term, then the next stage's: the leads
     * of a chunk, the block's offset, the block */
    for (uint32_t t = 0; t < n; t++) {
        at[t] = lead_chunk(s, lead(terms[t], lens[t]));
        for (uint32_t b = 0; b < LEAD_STEP && at[t] + b < s->nblocks; b += 8)
            __builtin_prefetch(s->dict_lead + at[t] + b);
    }
    for (uint32_t t = 0; t < n; t++) {
        at[t] = last_below(s, lead(terms[t], lens[t]), at[t]);
        __builtin_prefetch(s->dict_index + 4 * (size_t)at[t]);
    }
    size_t limit = (size_t)(s->dict_index - s->dict.body);
    for (uint32_t t = 0; t < n; t++) {
        size_t off = gzt_load_u32(s->dict_index + 4 * (size_t)at[t]);
        __builtin_prefetch(s->dict.body + off);
        if (off + 64 < limit)
            __builtin_prefetch(s->dict.body + off + 64);
    }
}

/* the last block whose first term is <= @p key (0 when none is) */
static int
find_block(gzt_segment *s, const char *key, size_t len, uint32_t *out,
           gzt_error *err)
{
    /* [lo, hi): the blocks whose lead equals the key's, after the last
     * block whose lead is smaller; only those need their terms compared */
    uint64_t k = lead(key, len);
    const uint64_t *a = s->dict_lead;
    uint32_t lo = last_below(s, k, lead_chunk(s, k));
    uint32_t hi = lo + 1;
    if (hi < s->nblocks && a[hi] <= k) { /* the first block with lead > k */
        for (uint32_t m = s->nblocks - hi; m > 0;) {
            uint32_t half = m / 2;
            if (a[hi + half] <= k) {
                hi += half + 1;
                m -= half + 1;
            } else {
                m = half;
            }
        }
    }
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2, tlen = 0;
        const char *t = NULL;
        int rc = block_first(s, mid, &t, &tlen, err);
        if (rc)
            return rc;
        if (cmp_term(t, tlen, key, len) <= 0)
            lo = mid;
        else
            hi = mid;
    }
    *out = lo;
    return GZT_OK;
}

int
gzt_dict_iter_seek(gzt_dict_iter *it, gzt_segment *s, const char *key,
                   size_t len, gzt_error *err)
{
    memset(it, 0, sizeof *it);
    it->seg = s;
    it->block = s->nblocks;
    if (s->nblocks == 0)
        return GZT_OK;
    uint32_t lo;
    int rc = find_block(s, key, len, &lo, err);
    if (rc)
        return rc;
    rc = open_block(it, lo, err);
    if (rc)
        return rc;
    /* scan forward to the first term >= key, keeping it pending */
    for (;;) {
        gzt_rd save = it->rd;
        uint32_t save_left = it->left;
        char prev[GZT_DICT_TERM_MAX + 1];
        uint32_t prev_len = it->term_len;
        memcpy(prev, it->term, prev_len);
        if ((rc = read_entry(it, err)))
            return rc;
        it->left--;
        if (cmp_term(it->term, it->term_len, key, len) >= 0) {
            /* rewind so that next() yields this term */
            it->rd = save;
            it->left = save_left;
            memcpy(it->term, prev, prev_len);
            it->term_len = prev_len;
            return GZT_OK;
        }
        if (it->left == 0) {
            if (it->block + 1 >= s->nblocks) {
                it->block = s->nblocks;
                return GZT_OK;
            }
            if ((rc = open_block(it, it->block + 1, err)))
                return rc;
        }
    }
}

int
gzt_dict_iter_next(gzt_dict_iter *it, bool *ok, gzt_error *err)
{
    *ok = false;
    gzt_segment *s = it->seg;
    if (it->block >= s->nblocks)
        return GZT_OK;
    if (it->left == 0) {
        if (it->block + 1 >= s->nblocks) {
            it->block = s->nblocks;
            return GZT_OK;
        }
        int rc = open_block(it, it->block + 1, err);
        if (rc)
            return rc;
    }
    int rc = read_entry(it, err);
    if (rc)
        return rc;
    it->left--;
    *ok = true;
    return GZT_OK;
}

/* Step over the @p n varints that end an entry without decoding them. */
static bool
skip_varints(gzt_rd *r, unsigned n)
{
    const uint8_t *p = r->p;
    while (n > 0 && p < r->end)
        n -= *p++ < 0x80;
    r->p = p;
    return n == 0;
}

int
gzt_segment_lookup(gzt_segment *s, const char *term, size_t len, bool *found,
                   gzt_term_info *ti, gzt_error *err)
{
    *found = false;
    if (len > GZT_DICT_TERM_MAX || s->nblocks == 0)
        return GZT_OK;
    /* the block that would hold it, then its entries until one is >= it */
    gzt_dict_iter it;
    memset(&it, 0, offsetof(gzt_dict_iter, term));
    it.seg = s;
    uint32_t b;
    int rc = find_block(s, term, len, &b, err);
    if (rc || (rc = open_block(&it, b, err)))
        return rc;
    /* Front coding lets the scan look only at what changed. The entries
     * passed so far are below @p term and the last one shares its first
     * @p m bytes with it. An entry that keeps more than m bytes of the last
     * one is below too, with the same m; otherwise its suffix is compared
     * with the rest of @p term. */
    const uint8_t *key = (const uint8_t *)term;
    uint32_t prev_len = 0;
    size_t m = 0;
    for (; it.left > 0; it.left--) {
        gzt_rd *r = &it.rd;
        const uint8_t *at = r->p;
        uint32_t shared, slen;
        const uint8_t *suffix;
        if (!gzt_rd_varint32(r, &shared) || !gzt_rd_varint32(r, &slen) ||
            shared > prev_len || shared + (uint64_t)slen > GZT_DICT_TERM_MAX ||
            !gzt_rd_bytes(r, slen, &suffix))
            return gzt_rfile_corrupt(&s->dict, at, "bad dictionary entry", err);
        prev_len = shared + slen;
        if (shared <= m) {
            size_t rest = len - shared, n = GZT_MIN(rest, (size_t)slen), i = 0;
            while (i < n && suffix[i] == key[shared + i])
                i++;
            if (i < n ? suffix[i] > key[shared + i] : slen >= rest) {
                /* at or past @p term: found only if equal */
                if (i == n && slen == rest) {
                    if ((rc = read_info(s, r, at, ti, err)))
                        return rc;
                    *found = true;
                }
                break;
            }
            m = shared + i;
        }
        if (!skip_varints(r, 6))
            return gzt_rfile_corrupt(&s->dict, at, "bad dictionary entry", err);
    }
    return GZT_OK;
}

/* ---- postings ---------------------------------------------------------- */

static uint32_t
postings_fail(gzt_postings *p, const void *at, const char *why)
{
    if (!p->error)
        p->error = gzt_rfile_corrupt(
            at >= (const void *)p->seg->pos.base &&
                    at < (const void *)(p->seg->pos.base + p->seg->pos.size)
                ? &p->seg->pos
                : &p->seg->post,
            at, why, p->err);
    p->doc = GZT_END;
    p->block = p->nblocks;
    return GZT_END;
}

int
gzt_postings_open(gzt_postings *p, gzt_segment *s, const gzt_term_info *ti,
                  gzt_error *err)
{
    memset(p, 0, offsetof(gzt_postings, docs));
    p->error = GZT_OK;
    p->seg = s;
    p->ti = *ti;
    p->err = err;
    p->pos = NULL;
    p->pos_cap = 0;
    p->chunk_off = NULL;
    p->chunk_done = NULL;
    p->chunk_cap = 0;
    p->nblocks = (ti->df + GZT_BLOCK - 1) / GZT_BLOCK;
    const uint8_t *start = s->post.body + ti->post_off;
    if (p->nblocks == 1) {
        /* one block: varint last docid, max_tf, min_len, then the data;
         * the byte counts of the skip entry follow from the control bytes
         * and the term's positions */
        gzt_rd r = gzt_rd_make(start, ti->post_len);
        uint32_t last, max_tf, min_len;
        size_t db, fb;
        if (!gzt_rd_varint32(&r, &last) || !gzt_rd_varint32(&r, &max_tf) ||
            !gzt_rd_varint32(&r, &min_len) ||
            gzt_codec_len(r.p, (size_t)(r.end - r.p), ti->df, &db) ||
            gzt_codec_len(r.p + db, (size_t)(r.end - r.p) - db, ti->df, &fb) ||
            ti->pos_len > UINT32_MAX) {
            postings_fail(p, start, "bad postings header");
            return p->error;
        }
        uint8_t *e = p->skip1;
        gzt_store_u32(e, last);
        gzt_store_u32(e + 4, (uint32_t)db);
        gzt_store_u32(e + 8, (uint32_t)fb);
        gzt_store_u32(e + 12, (uint32_t)ti->pos_len);
        gzt_store_u32(e + 16, max_tf);
        gzt_store_u32(e + 20, min_len);
        p->skip = p->skip1;
        p->data = r.p;
        p->data_len = (uint64_t)(r.end - r.p);
    } else {
        if ((uint64_t)p->nblocks * GZT_SKIP_LEN > ti->post_len) {
            postings_fail(p, start, "postings shorter than their skip table");
            return p->error;
        }
        p->skip = start;
        p->data = start + (size_t)p->nblocks * GZT_SKIP_LEN;
        p->data_len = ti->post_len - (uint64_t)p->nblocks * GZT_SKIP_LEN;
    }
    p->block = UINT32_MAX; /* before the first */
    p->doc = 0;
    p->i = 0;
    p->n = 0;
    return GZT_OK;
}

void
gzt_postings_close(gzt_postings *p)
{
    gzt_free(p->pos);
    gzt_free(p->chunk_off);
    gzt_free(p->chunk_done);
    p->pos = NULL;
    p->chunk_off = NULL;
    p->chunk_done = NULL;
}

/* Decode block @p b (docs and freqs). */
static bool
load_block(gzt_postings *p, uint32_t b)
{
    const uint8_t *sk = p->skip + (size_t)b * GZT_SKIP_LEN;
    uint64_t off = 0, poff = 0;
    /* the offsets add up from the current block when going forward (a
     * cursor only does), else from the first */
    uint32_t j = 0;
    if (p->block != UINT32_MAX && p->block < b) {
        j = p->block;
        off = p->block_off;
        poff = p->pos_block_off;
    }
    for (; j < b; j++) {
        const uint8_t *e = p->skip + (size_t)j * GZT_SKIP_LEN;
        off += (uint64_t)gzt_load_u32(e + 4) + gzt_load_u32(e + 8);
        poff += gzt_load_u32(e + 12);
    }
    uint32_t dbytes = gzt_load_u32(sk + 4), fbytes = gzt_load_u32(sk + 8);
    uint64_t avail = p->data_len;
    if (off + dbytes + fbytes > avail)
        return postings_fail(p, sk, "postings block past the end"), false;
    p->n = b + 1 < p->nblocks ? GZT_BLOCK
                              : p->ti.df - (p->nblocks - 1) * GZT_BLOCK;
    uint32_t prev = b ? gzt_load_u32(sk - GZT_SKIP_LEN) : 0;
    size_t used;
    const uint8_t *d = p->data + off;
    /* all the bytes that follow may be read (the decoder's length is then
     * checked against the skip entry's) */
    if (gzt_codec_decode_delta_unchecked(d, avail - off, p->n, prev, p->docs,
                                         &used) ||
        used != dbytes)
        return postings_fail(p, d, "bad postings block"), false;
    /* docids strictly increase from the block before (a sum that wrapped
     * past 2^32 does not), stay in the segment, end where the skip entry
     * says; one pass without branches */
    uint32_t last = gzt_load_u32(sk);
    bool bad = (b ? p->docs[0] <= prev : p->docs[0] < prev) ||
               !gzt_codec_ascending(p->docs, p->n, true);
    if (bad || p->docs[p->n - 1] >= p->seg->ndocs)
        return postings_fail(p, d, "postings out of order"), false;
    if (p->docs[p->n - 1] != last)
        return postings_fail(p, sk, "skip entry disagrees with its block"),
               false;
    p->block = b;
    p->block_off = off;
    p->pos_block_off = poff;
    p->freqs_ready = false;
    p->freq_at = (gzt_codec_at){0, 0};
    p->pos_ready = false;
    p->i = 0;
    return true;
}

uint32_t
gzt_postings_seek(gzt_postings *p, uint32_t target)
{
    if (p->error || p->block == p->nblocks)
        return p->doc = GZT_END;
    if (target == GZT_END) {
        p->block = p->nblocks;
        return p->doc = GZT_END;
    }
    uint32_t b = p->block == UINT32_MAX ? 0 : p->block;
    /* skip whole blocks whose last docid is below target: gallop over the
     * skip entries, then halve */
#define LAST_OF(k) gzt_load_u32(p->skip + (size_t)(k)*GZT_SKIP_LEN)
    if (b < p->nblocks && LAST_OF(b) < target) {
        uint32_t lo = b, step = 1; /* last(lo) < target */
        while (lo + step < p->nblocks && LAST_OF(lo + step) < target) {
            lo += step;
            step <<= 1;
        }
        uint32_t hi = GZT_MIN(lo + step, p->nblocks); /* last(hi) >= target
                                                         or the end */
        while (hi - lo > 1) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (LAST_OF(mid) < target)
                lo = mid;
            else
                hi = mid;
        }
        b = hi;
    }
#undef LAST_OF
    if (b == p->nblocks) {
        p->block = p->nblocks;
        return p->doc = GZT_END;
    }
    if (b != p->block && !load_block(p, b))
        return GZT_END;
    /* the skip entry guarantees a docid >= target in the block: gallop
     * from the cursor, then halve (a seek to the next doc takes one step,
     * a leap within the block a handful) */
    uint32_t lo = p->i;
    if (p->docs[lo] < target) {
        uint32_t hi = p->n - 1, step = 1;
        while (lo + step < hi && p->docs[lo + step] < target) {
            lo += step;
            step <<= 1;
        }
        if (lo + step < hi)
            hi = lo + step;
        /* docs[lo] < target <= docs[hi] */
        while (hi - lo > 1) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (p->docs[mid] < target)
                lo = mid;
            else
                hi = mid;
        }
        lo = hi;
    }
    p->i = lo;
    return p->doc = p->docs[lo];
}

/* Where the current block's encoded frequencies start; *bytes: their
 * length as the skip entry gives it. */
static const uint8_t *
block_freqs(const gzt_postings *p, uint32_t *bytes)
{
    const uint8_t *sk = p->skip + (size_t)p->block * GZT_SKIP_LEN;
    *bytes = gzt_load_u32(sk + 8);
    return p->data + p->block_off + gzt_load_u32(sk + 4);
}

/* The frequencies of the current block, which a count never needs. */
bool
gzt_postings_decode_freqs(gzt_postings *p)
{
    if (p->error || p->block >= p->nblocks)
        return false;
    uint32_t fbytes;
    const uint8_t *f = block_freqs(p, &fbytes);
    size_t used;
    if (gzt_codec_decode(f, p->data_len - (uint64_t)(f - p->data), p->n,
                         p->freqs, &used) ||
        used != fbytes)
        return postings_fail(p, f, "bad postings block"), false;
    bool bad = false;
    for (uint32_t i = 0; i < p->n; i++)
        bad |= p->freqs[i] == 0;
    if (bad)
        return postings_fail(p, f, "postings out of order"), false;
    p->freqs_ready = true;
    return true;
}

uint32_t
gzt_postings_freq_at(gzt_postings *p, uint32_t i)
{
    if (p->freqs_ready)
        return p->freqs[i];
    if (p->error || p->block >= p->nblocks)
        return 0;
    uint32_t fbytes;
    const uint8_t *f = block_freqs(p, &fbytes);
    uint32_t v = gzt_codec_value_at(f, fbytes, p->n, i, &p->freq_at);
    if (v == 0)
        postings_fail(p, f, "bad postings block");
    return v;
}

static bool
nomem_fail(gzt_postings *p)
{
    p->error = gzt_err_set(p->err, GZT_ENOMEM, "out of memory");
    p->doc = GZT_END;
    return false;
}

/* Set up the lazy decoding of the current block's positions: where each
 * posting's start, room for them all, no chunk decoded. */
static bool
prepare_positions(gzt_postings *p)
{
    if (!p->freqs_ready && !gzt_postings_decode_freqs(p))
        return false;
    uint64_t total = 0;
    for (uint32_t i = 0; i < p->n; i++) {
        p->posstart[i] = (uint32_t)total;
        total += p->freqs[i];
    }
    p->posstart[p->n] = (uint32_t)total;
    const uint8_t *sk = p->skip + (size_t)p->block * GZT_SKIP_LEN;
    uint32_t pbytes = gzt_load_u32(sk + 12);
    const uint8_t *at = p->seg->pos.body + p->ti.pos_off + p->pos_block_off;
    if (p->pos_block_off + pbytes > p->ti.pos_len || total > UINT32_MAX / 4)
        return postings_fail(p, at, "positions past the end"), false;
    if (total > p->pos_cap) {
        uint32_t *np = gzt_realloc(p->pos, (size_t)total * sizeof *np);
        if (!np)
            return nomem_fail(p);
        p->pos = np;
        p->pos_cap = (uint32_t)total;
    }
    uint32_t nchunks = (uint32_t)((total + GZT_BLOCK - 1) / GZT_BLOCK);
    if (nchunks + 1 > p->chunk_cap) {
        uint32_t cap = nchunks + 1;
        uint32_t *no = gzt_realloc(p->chunk_off, (size_t)cap * sizeof *no);
        if (no)
            p->chunk_off = no;
        uint8_t *nd = no ? gzt_realloc(p->chunk_done, cap) : NULL;
        if (!nd)
            return nomem_fail(p);
        p->chunk_done = nd;
        p->chunk_cap = cap;
    }
    memset(p->chunk_done, 0, nchunks);
    memset(p->pos_summed, 0, sizeof p->pos_summed);
    p->chunk_off[0] = 0;
    p->chunks_known = 0;
    p->pos_at = at;
    p->pos_bytes = pbytes;
    p->pos_ready = true;
    return true;
}

/* Decode chunk @p k of the current block (gaps), finding its offset from
 * the control bytes of the chunks before it. */
static bool
decode_chunk(gzt_postings *p, uint32_t k)
{
    uint32_t total = p->posstart[p->n];
    uint32_t nchunks = (total + GZT_BLOCK - 1) / GZT_BLOCK;
    while (p->chunks_known <= k) {
        uint32_t c = p->chunks_known;
        uint32_t n = GZT_MIN(GZT_BLOCK, total - c * GZT_BLOCK);
        size_t len;
        uint32_t off = p->chunk_off[c];
        if (gzt_codec_len(p->pos_at + off, p->pos_bytes - off, n, &len))
            return postings_fail(p, p->pos_at + off, "bad positions block"),
                   false;
        p->chunk_off[c + 1] = off + (uint32_t)len;
        p->chunks_known = c + 1;
        /* the last chunk ends where the skip entry says the block does */
        if (c + 1 == nchunks && p->chunk_off[c + 1] != p->pos_bytes)
            return postings_fail(p, p->pos_at,
                                 "positions block length mismatch"),
                   false;
    }
    uint32_t n = GZT_MIN(GZT_BLOCK, total - k * GZT_BLOCK);
    uint32_t off = p->chunk_off[k];
    gzt_codec_decode_sized(p->pos_at + off, p->chunk_off[k + 1] - off,
                           p->pos_bytes - off, n,
                           p->pos + (size_t)k * GZT_BLOCK);
    p->chunk_done[k] = 1;
    return true;
}

const uint32_t *
gzt_postings_positions(gzt_postings *p, uint32_t *n)
{
    *n = 0;
    if (p->doc == GZT_END || p->error)
        return NULL;
    if (!p->pos_ready && !prepare_positions(p))
        return NULL;
    uint32_t i = p->i, start = p->posstart[i], end = p->posstart[i + 1];
    uint32_t *q = p->pos + start;
    if (!(p->pos_summed[i / 64] >> (i % 64) & 1)) {
        for (uint32_t k = start / GZT_BLOCK; k <= (end - 1) / GZT_BLOCK; k++)
            if (!p->chunk_done[k] && !decode_chunk(p, k))
                return NULL;
        /* the first absolute, then gaps >= 1 */
        for (uint32_t j = 1; j < end - start; j++) {
            if (q[j] == 0 || q[j - 1] > UINT32_MAX - q[j])
                return postings_fail(p, p->pos_at, "positions out of order"),
                       NULL;
            q[j] += q[j - 1];
        }
        p->pos_summed[i / 64] |= (uint64_t)1 << (i % 64);
    }
    *n = end - start;
    return q;
}

/* ---- stored documents -------------------------------------------------- */

int
gzt_segment_doc(gzt_segment *s, uint32_t doc, gzt_docfields *out,
                gzt_error *err)
{
    if (doc >= s->ndocs)
        return gzt_err_set(err, GZT_EINVAL, "docid %u out of range", doc);
    uint32_t lo = 0, hi = s->store_nblocks;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (gzt_load_u32(s->store_index + (size_t)mid * 16) <= doc)
            lo = mid;
        else
            hi = mid;
    }
    const uint8_t *e = s->store_index + (size_t)lo * 16;
    const uint8_t *blk = s->store.body + gzt_load_u64(e + 8);
    if (s->cached_block != (int64_t)lo) {
        s->cached_block = -1;
        int rc = gzt_zblock_decompress(s->zctx, &s->blockbuf, blk,
                                       gzt_load_u32(e + 4),
                                       GZT_STORE_BLOCK + (64u << 20));
        if (rc == GZT_ENOMEM)
            return gzt_err_set(err, rc, "out of memory");
        if (rc)
            return gzt_rfile_corrupt(&s->store, blk, "bad stored block", err);
        s->cached_block = lo;
        s->next_doc = gzt_load_u32(e);
        s->next_off = 0;
    }
    /* continue from the last fetch when going forward in the block */
    uint32_t first = gzt_load_u32(e);
    size_t from = 0;
    if (doc >= s->next_doc && s->next_off <= s->blockbuf.len) {
        first = s->next_doc;
        from = s->next_off;
    }
    gzt_rd r = gzt_rd_make(s->blockbuf.p + from, s->blockbuf.len - from);
    for (uint32_t d = first; d <= doc; d++) {
        uint32_t nf;
        if (!gzt_rd_varint32(&r, &nf) || nf < GZT_STORE_FIELDS)
            return gzt_rfile_corrupt(&s->store, blk, "bad stored record", err);
        for (uint32_t k = 0; k < nf; k++) {
            uint64_t len;
            const uint8_t *p;
            if (!gzt_rd_varint(&r, &len) || !gzt_rd_bytes(&r, len, &p))
                return gzt_rfile_corrupt(&s->store, blk, "bad stored record",
                                         err);
            if (d == doc && k < GZT_STORE_FIELDS) {
                out->f[k] = (const char *)p;
                out->len[k] = len;
            }
        }
    }
    s->next_doc = doc + 1;
    s->next_off = (size_t)(r.p - s->blockbuf.p);
    return GZT_OK;
}

/* ---- verification ------------------------------------------------------ */

int
gzt_segment_verify(gzt_segment *s, gzt_error *err)
{
    gzt_dict_iter it;
    bool ok;
    char prev[GZT_DICT_TERM_MAX + 1];
    size_t prev_len = 0;
    uint64_t n = 0;
    int rc = gzt_dict_iter_seek(&it, s, "", 0, err);
    while (rc == GZT_OK && (rc = gzt_dict_iter_next(&it, &ok, err)) == 0 &&
           ok) {
        if (n && cmp_term(prev, prev_len, it.term, it.term_len) >= 0)
            return gzt_rfile_corrupt(&s->dict, it.rd.p, "terms out of order",
                                     err);
        memcpy(prev, it.term, it.term_len);
        prev_len = it.term_len;
        n++;
        gzt_postings p;
        if ((rc = gzt_postings_open(&p, s, &it.ti, err)))
            return rc;
        uint64_t cf = 0, count = 0;
        while (gzt_postings_next(&p) != GZT_END) {
            uint32_t np;
            const uint32_t *pos = gzt_postings_positions(&p, &np);
            if (!pos)
                break;
            cf += np;
            count++;
        }
        rc = p.error;
        gzt_postings_close(&p);
        if (rc)
            return rc;
        if (count != it.ti.df || cf != it.ti.cf)
            return gzt_rfile_corrupt(&s->dict, it.rd.p,
                                     "term statistics disagree with postings",
                                     err);
    }
    if (rc)
        return rc;
    if (n != s->nterms)
        return gzt_rfile_corrupt(&s->dict, NULL, "term count mismatch", err);
    /* the id table points at every document once, and each entry's hash
     * is its stored id's; checked in docid order so that the store is read
     * sequentially */
    uint32_t *entry = gzt_malloc(((size_t)s->ndocs + 1) * sizeof *entry);
    if (!entry)
        return gzt_err_set(err, GZT_ENOMEM, "out of memory");
    for (uint32_t d = 0; d < s->ndocs; d++)
        entry[d] = UINT32_MAX;
    for (uint32_t e = 0; e < s->ndocs && rc == GZT_OK; e++) {
        uint32_t d = gzt_segment_id_doc(s, e);
        if (entry[d] != UINT32_MAX)
            rc = gzt_rfile_corrupt(&s->ids,
                                   s->ids.body + (size_t)e * GZT_IDS_LEN,
                                   "id table names a document twice", err);
        entry[d] = e;
    }
    for (uint32_t d = 0; d < s->ndocs && rc == GZT_OK; d++) {
        gzt_docfields f;
        if ((rc = gzt_segment_doc(s, d, &f, err)))
            break;
        const uint8_t *at = s->ids.body + (size_t)entry[d] * GZT_IDS_LEN;
        if (gzt_load_u64(at) !=
            gzt_id_hash(f.f[GZT_FIELD_ID], f.len[GZT_FIELD_ID]))
            rc = gzt_rfile_corrupt(&s->ids, at,
                                   "id table disagrees with the stored "
                                   "documents",
                                   err);
    }
    gzt_free(entry);
    return rc;
}

int
gzt_store_record(gzt_buf *out, const gzt_docfields *f)
{
    int rc = gzt_buf_put_varint(out, GZT_STORE_FIELDS);
    for (int k = 0; k < GZT_STORE_FIELDS && rc == GZT_OK; k++) {
        rc = gzt_buf_put_varint(out, f->len[k]);
        if (rc == GZT_OK)
            rc = gzt_buf_append(out, f->f[k], f->len[k]);
    }
    return rc;
}

bool
gzt_store_parse(const void *p, size_t len, gzt_docfields *out)
{
    gzt_rd r = gzt_rd_make(p, len);
    uint32_t nf;
    if (!gzt_rd_varint32(&r, &nf) || nf < GZT_STORE_FIELDS)
        return false;
    for (uint32_t k = 0; k < nf; k++) {
        uint64_t n;
        const uint8_t *f;
        if (!gzt_rd_varint(&r, &n) || !gzt_rd_bytes(&r, n, &f))
            return false;
        if (k < GZT_STORE_FIELDS) {
            out->f[k] = (const char *)f;
            out->len[k] = n;
        }
    }
    return r.p == r.end;
}

int
gzt_segment_find_id(gzt_segment *s, const char *id, size_t len,
                    const uint8_t *del, bool *found, uint32_t *doc,
                    gzt_error *err)
{
    *found = false;
    if (!del)
        del = s->delbits;
    uint32_t first, n;
    gzt_segment_id_range(s, gzt_id_hash(id, len), &first, &n);
    for (uint32_t k = 0; k < n; k++) {
        uint32_t d = gzt_segment_id_doc(s, first + k);
        if (del && (del[d >> 3] >> (d & 7) & 1))
            continue;
        gzt_docfields f;
        int rc = gzt_segment_doc(s, d, &f, err);
        if (rc)
            return rc;
        if (f.len[GZT_FIELD_ID] == len && !memcmp(f.f[GZT_FIELD_ID], id, len)) {
            *found = true;
            *doc = d;
            return GZT_OK;
        }
    }
    return GZT_OK;
}
