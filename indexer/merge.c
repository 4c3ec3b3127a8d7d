/* SPDX-License-Identifier: MIT */
/*
 * merge.c: k-way merge of segments (see merge.h).
 *
 * Documents are renumbered densely in segment order, skipping deleted ones;
 * terms are merged in byte order over the segments' dictionary iterators and
 * their postings re-encoded with the new docids. Everything streams: memory
 * is one block per input plus the writer's buffers, whatever the sizes.
 * The inputs are mapped files, whose pages stay resident once read: they
 * are given back after the documents and every DROP_EVERY postings, or a
 * merge of a large index would hold all of its inputs in RSS.
 */
#include "indexer/merge.h"

#define DROP_EVERY (1u << 20) /* postings between giving pages back */

/* give back the resident pages of the files the term merge reads */
static void
drop_term_pages(gzt_segment *const *segs, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        gzt_rfile_drop_pages(&segs[i]->dict);
        gzt_rfile_drop_pages(&segs[i]->post);
        gzt_rfile_drop_pages(&segs[i]->pos);
    }
}

static bool
is_del(const uint8_t *bits, uint32_t d)
{
    return bits && (bits[d >> 3] >> (d & 7) & 1);
}

static int
cmp_term(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, GZT_MIN(alen, blen));
    return c ? c : (alen > blen) - (alen < blen);
}

int
gzt_merge(const char *dir, gzt_segment *const *segs, const uint8_t *const *del,
          uint32_t n, uint32_t newid, gzt_segw_info *info, gzt_error *err)
{
    gzt_segw *w = NULL;
    uint32_t **remap = gzt_calloc(n, sizeof *remap);
    gzt_dict_iter *its = gzt_calloc(n, sizeof *its);
    bool *live_it = gzt_calloc(n, sizeof *live_it);
    gzt_buf rec = GZT_BUF_INIT;
    int rc = GZT_OK;
    if (!remap || !its || !live_it) {
        rc = gzt_err_set(err, GZT_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = gzt_segw_open(&w, dir, newid, err)))
        goto done;
    uint32_t next = 0;
    for (uint32_t i = 0; i < n; i++) {
        const gzt_segment *s = segs[i];
        remap[i] = gzt_malloc(((size_t)s->ndocs + 1) * sizeof **remap);
        if (!remap[i]) {
            rc = gzt_err_set(err, GZT_ENOMEM, "out of memory");
            goto done;
        }
        for (uint32_t d = 0; d < s->ndocs; d++) {
            if (is_del(del[i], d)) {
                remap[i][d] = UINT32_MAX;
                continue;
            }
            gzt_docfields f;
            if ((rc = gzt_segment_doc(segs[i], d, &f, err)))
                goto done;
            gzt_buf_reset(&rec);
            if (gzt_store_record(&rec, &f)) {
                rc = gzt_err_set(err, GZT_ENOMEM, "out of memory");
                goto done;
            }
            if ((rc = gzt_segw_add_doc(
                     w, rec.p, rec.len, gzt_segment_doclen(s, d),
                     gzt_segment_title_end(s, d), gzt_segment_docdate(s, d),
                     gzt_segment_dochash(s, d), err)))
                goto done;
            remap[i][d] = next++;
        }
        gzt_rfile_drop_pages(&s->store);
    }
    for (uint32_t i = 0; i < n; i++) {
        if ((rc = gzt_dict_iter_seek(&its[i], segs[i], "", 0, err)) ||
            (rc = gzt_dict_iter_next(&its[i], &live_it[i], err)))
            goto done;
    }
    uint64_t since_drop = 0;
    for (;;) {
        int min = -1;
        for (uint32_t i = 0; i < n; i++)
            if (live_it[i] &&
                (min < 0 || cmp_term(its[i].term, its[i].term_len,
                                     its[min].term, its[min].term_len) < 0))
                min = (int)i;
        if (min < 0)
            break;
        char term[GZT_DICT_TERM_MAX + 1];
        uint32_t tlen = its[min].term_len;
        memcpy(term, its[min].term, tlen);
        bool started = false;
        for (uint32_t i = 0; i < n; i++) {
            if (!live_it[i] ||
                cmp_term(its[i].term, its[i].term_len, term, tlen) != 0)
                continue;
            gzt_postings p;
            if ((rc = gzt_postings_open(&p, segs[i], &its[i].ti, err)))
                goto done;
            while (gzt_postings_next(&p) != GZT_END) {
                if (remap[i][p.doc] == UINT32_MAX)
                    continue;
                uint32_t np;
                const uint32_t *pos = gzt_postings_positions(&p, &np);
                if (!pos)
                    break;
                if (!started && (rc = gzt_segw_term(w, term, tlen, err)))
                    break;
                started = true;
                if ((rc = gzt_segw_posting(w, remap[i][p.doc], np, pos, err)))
                    break;
                since_drop++;
            }
            if (rc == GZT_OK)
                rc = p.error;
            gzt_postings_close(&p);
            if (rc)
                goto done;
            if ((rc = gzt_dict_iter_next(&its[i], &live_it[i], err)))
                goto done;
        }
        if (since_drop >= DROP_EVERY) {
            drop_term_pages(segs, n);
            since_drop = 0;
        }
    }
    rc = gzt_segw_finish(w, info, err);
    w = NULL;
done:
    gzt_segw_abort(w);
    if (remap)
        for (uint32_t i = 0; i < n; i++)
            gzt_free(remap[i]);
    gzt_free(remap);
    gzt_free(its);
    gzt_free(live_it);
    gzt_buf_free(&rec);
    return rc;
}
