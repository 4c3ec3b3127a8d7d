/* SPDX-License-Identifier: MIT */
/*
 * xwrite.c: documents into a Xapian database (see xwrite.h).
 *
 * The per-term records of gzt_docterms_run() (the same the native inverter
 * takes) are replayed into a Xapian document, position by position.
 */
#include "indexer/xwrite.h"

#include "indexer/docterms.h"

#include <stdio.h>

struct gzt_xwriter {
    gzt_docterms *dt; /* analysis */
    gzt_buf recs;     /* a document's term records */
    gzt_buf rec;      /* its stored record */
    gzt_buf term;     /* a title copy of a term */
};

int
gzt_xwriter_new(gzt_xwriter **out, gzt_analyzer *an)
{
    gzt_xwriter *xw = gzt_calloc(1, sizeof *xw);
    *out = xw;
    if (!xw)
        return GZT_ENOMEM;
    if (gzt_docterms_new(&xw->dt, an)) {
        gzt_xwriter_free(xw);
        *out = NULL;
        return GZT_ENOMEM;
    }
    return GZT_OK;
}

void
gzt_xwriter_free(gzt_xwriter *xw)
{
    if (!xw)
        return;
    gzt_docterms_free(xw->dt);
    gzt_buf_free(&xw->recs);
    gzt_buf_free(&xw->rec);
    gzt_buf_free(&xw->term);
    gzt_free(xw);
}

/* an entity term: a prefix letter, where analysed words are lower case */
static bool
is_entity_term(const uint8_t *s, uint32_t len)
{
    return len > 0 && s[0] >= 'A' && s[0] <= 'Z';
}

/* the postings of record @p tr into @p d */
static int
replay(gzt_xwriter *xw, gzt_xdoc *d, const gzt_termrec *tr, uint32_t title_end)
{
    gzt_rd post = gzt_rd_make(tr->post, tr->nbytes);
    uint32_t freq, pos = 0;
    if (!gzt_rd_varint32(&post, &freq))
        return GZT_EINVAL;
    const char *s = (const char *)tr->s;
    bool entity = is_entity_term(tr->s, tr->len);
    /* Xapian cannot hold a longer term: only an entity term of an
     * outlandish name can be one (words stop at 120 bytes), and that entity
     * is then not searchable by its field on this engine */
    if (tr->len > GZT_XTERM_MAX)
        return GZT_OK;
    gzt_buf_reset(&xw->term); /* the title copy, made when first needed */
    for (uint32_t k = 0; k < freq; k++) {
        uint32_t gap;
        if (!gzt_rd_varint32(&post, &gap))
            return GZT_EINVAL;
        pos += gap;
        if (gzt_xdoc_posting(d, s, tr->len, pos, entity ? 0 : 1))
            return GZT_ENOMEM;
        if (entity || pos >= title_end)
            continue;
        if (xw->term.len == 0 && (gzt_buf_putc(&xw->term, GZT_PREFIX_TITLE) ||
                                  gzt_buf_append(&xw->term, s, tr->len)))
            return GZT_ENOMEM;
        if (gzt_xdoc_posting(d, (const char *)xw->term.p, xw->term.len, pos, 0))
            return GZT_ENOMEM;
    }
    return GZT_OK;
}

void
gzt_xsource_term(char out[GZT_XSOURCE_TERM_LEN + 1], const char *src,
                 size_t len)
{
    snprintf(out, GZT_XSOURCE_TERM_LEN + 1, "XS%016llx",
             (unsigned long long)gzt_hash64(src, len));
}

static int
fill(gzt_xwriter *xw, gzt_xdoc *d, const gzt_docfields *f, gzt_date date,
     uint64_t hash, const uint8_t *recs, size_t len, const gzt_docinfo *info)
{
    gzt_rd r = gzt_rd_make(recs, len);
    while (r.p < r.end) {
        gzt_termrec tr;
        if (!gzt_termrec_next(&r, &tr))
            return GZT_EINVAL;
        int rc = replay(xw, d, &tr, info->title_end);
        if (rc)
            return rc;
    }
    char v[24];
    int n = snprintf(v, sizeof v, "%08d", (int)date);
    if (gzt_xdoc_value(d, GZT_XSLOT_DATE, v, (size_t)n))
        return GZT_ENOMEM;
    n = snprintf(v, sizeof v, "%016llx", (unsigned long long)hash);
    if (gzt_xdoc_value(d, GZT_XSLOT_HASH, v, (size_t)n))
        return GZT_ENOMEM;
    if (f->len[GZT_FIELD_SOURCE]) {
        char st[GZT_XSOURCE_TERM_LEN + 1];
        gzt_xsource_term(st, f->f[GZT_FIELD_SOURCE], f->len[GZT_FIELD_SOURCE]);
        if (gzt_xdoc_term(d, st, GZT_XSOURCE_TERM_LEN, 0))
            return GZT_ENOMEM;
    }
    gzt_buf_reset(&xw->rec);
    if (gzt_store_record(&xw->rec, f) ||
        gzt_xdoc_data(d, xw->rec.p, xw->rec.len))
        return GZT_ENOMEM;
    return GZT_OK;
}

int
gzt_xwriter_add_terms(gzt_xwriter *xw, gzt_xdb *db, const gzt_docfields *f,
                      gzt_date date, uint64_t hash, const uint8_t *recs,
                      size_t len, const gzt_docinfo *info, gzt_error *err)
{
    gzt_xdoc *d = gzt_xdoc_new();
    if (!d)
        return gzt_err_set(err, GZT_ENOMEM, "out of memory");
    int rc = fill(xw, d, f, date, hash, recs, len, info);
    if (rc) {
        gzt_xdoc_free(d);
        return gzt_err_set(err, rc,
                           rc == GZT_ENOMEM ? "out of memory"
                                            : "internal: bad term records");
    }
    rc = gzt_xdb_replace(db, f->f[GZT_FIELD_ID], f->len[GZT_FIELD_ID], d, NULL);
    gzt_xdoc_free(d);
    if (rc)
        return gzt_err_set(err, rc, "Xapian: %s", gzt_xdb_error(db));
    return GZT_OK;
}

int
gzt_xwriter_add(gzt_xwriter *xw, gzt_xdb *db, const gzt_docfields *f,
                gzt_date date, uint64_t hash, const gzt_entity *ents,
                size_t nents, gzt_error *err)
{
    gzt_buf_reset(&xw->recs);
    gzt_docinfo info;
    int rc =
        gzt_docterms_run(xw->dt, f->f[GZT_FIELD_TITLE], f->len[GZT_FIELD_TITLE],
                         f->f[GZT_FIELD_BODY], f->len[GZT_FIELD_BODY], ents,
                         nents, &xw->recs, &info, err);
    if (rc)
        return rc;
    return gzt_xwriter_add_terms(xw, db, f, date, hash, xw->recs.p,
                                 xw->recs.len, &info, err);
}
