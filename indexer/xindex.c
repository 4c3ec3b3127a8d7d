/* SPDX-License-Identifier: MIT */
/*
 * xindex.c: the shards of a Xapian-engine index (see xindex.h).
 *
 * A document lives in shard hash(id) mod N, so finding, replacing and
 * deleting it touch one shard; prune walks the postings of a source's
 * term in each. Updates of a live index run in one Xapian transaction per
 * shard, so what a writer abandons is dropped; every commit writes the
 * generation into each shard's metadata, which is how an interrupted
 * multi-shard commit (shards at different generations) is recognised.
 */
#include "indexer/xindex.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/io.h"

struct gzt_xindex {
    gzt_xdb **db;    /* the shards, writable */
    uint32_t n;      /* count */
    bool tx;         /* changes wait in transactions */
    gzt_xwriter *xw; /* analysis into Xapian documents */
    gzt_buf tmp;     /* values and stored records */
};

uint32_t
gzt_xindex_route(const char *id, size_t len, uint32_t n)
{
    return n > 1 ? (uint32_t)(gzt_hash64(id, len) % n) : 0;
}

void
gzt_xindex_close(gzt_xindex *x)
{
    if (!x)
        return;
    for (uint32_t k = 0; k < x->n; k++)
        gzt_xdb_close(x->db[k]);
    gzt_free(x->db);
    gzt_xwriter_free(x->xw);
    gzt_buf_free(&x->tmp);
    gzt_free(x);
}

int
gzt_xindex_open(gzt_xindex **out, const char *dir, const gzt_manifest *m,
                bool create, bool tx, gzt_analyzer *an, gzt_error *err)
{
    *out = NULL;
    gzt_xindex *x = gzt_calloc(1, sizeof *x);
    if (!x || !(x->db = gzt_calloc(m->shards + 1, sizeof *x->db)) ||
        gzt_xwriter_new(&x->xw, an)) {
        gzt_xindex_close(x);
        return gzt_err_set(err, GZT_ENOMEM, "out of memory");
    }
    x->tx = tx;
    int rc = GZT_OK;
    for (uint32_t k = 0; k < m->shards && rc == GZT_OK; k++) {
        char name[64];
        gzt_manifest_shard_name(m, k, name);
        char *p = gzt_path_join(dir, name);
        if (!p) {
            rc = gzt_err_set(err, GZT_ENOMEM, "out of memory");
            break;
        }
        rc = gzt_xdb_open(&x->db[k], p,
                          create ? GZT_XDB_OVERWRITE : GZT_XDB_WRITE, 0, err);
        gzt_free(p);
        x->n = k + (rc == GZT_OK);
        if (rc == GZT_OK && tx && (rc = gzt_xdb_begin(x->db[k])))
            rc = gzt_err_set(err, rc, "%s/%s: %s", dir, name,
                             gzt_xdb_error(x->db[k]));
    }
    if (rc) {
        gzt_xindex_close(x);
        return rc;
    }
    *out = x;
    return GZT_OK;
}

static int
xerr(gzt_xdb *db, int rc, gzt_error *err)
{
    return gzt_err_set(err, rc, "Xapian: %s", gzt_xdb_error(db));
}

/* Xapian holds ids as terms ("Q" + id) */
static int
check_id(size_t len, gzt_error *err)
{
    if (len + 1 > GZT_XTERM_MAX)
        return gzt_err_set(err, GZT_ETOOBIG,
                           "id of %zu bytes: the xapian engine takes ids of "
                           "up to %d bytes",
                           len, GZT_XTERM_MAX - 1);
    return GZT_OK;
}

int
gzt_xindex_lookup(gzt_xindex *x, const char *id, size_t len, bool *found,
                  uint64_t *hash, gzt_error *err)
{
    *found = false;
    int crc = check_id(len, err);
    if (crc)
        return crc;
    gzt_xdb *db = x->db[gzt_xindex_route(id, len, x->n)];
    uint32_t did;
    int rc = gzt_xdb_find(db, id, len, &did);
    if (rc == GZT_ENOTFOUND)
        return GZT_OK;
    if (rc || (rc = gzt_xdb_value(db, did, GZT_XSLOT_HASH, &x->tmp)))
        return xerr(db, rc, err);
    char hex[17];
    size_t n = GZT_MIN(x->tmp.len, sizeof hex - 1);
    memcpy(hex, x->tmp.p, n);
    hex[n] = '\0';
    *hash = strtoull(hex, NULL, 16);
    *found = true;
    return GZT_OK;
}

int
gzt_xindex_add(gzt_xindex *x, const gzt_docfields *f, gzt_date date,
               uint64_t hash, const gzt_entity *ents, size_t nents,
               const uint8_t *recs, size_t recs_len, const gzt_docinfo *info,
               gzt_error *err)
{
    gzt_xdb *db =
        x->db[gzt_xindex_route(f->f[GZT_FIELD_ID], f->len[GZT_FIELD_ID], x->n)];
    if (recs)
        return gzt_xwriter_add_terms(x->xw, db, f, date, hash, recs, recs_len,
                                     info, err);
    return gzt_xwriter_add(x->xw, db, f, date, hash, ents, nents, err);
}

int
gzt_xindex_delete(gzt_xindex *x, const char *id, size_t len, gzt_error *err)
{
    if (len + 1 > GZT_XTERM_MAX)
        return gzt_err_set(err, GZT_ENOTFOUND, "no document with id '%.*s'",
                           (int)len, id);
    gzt_xdb *db = x->db[gzt_xindex_route(id, len, x->n)];
    int rc = gzt_xdb_delete(db, id, len);
    if (rc == GZT_ENOTFOUND)
        return gzt_err_set(err, rc, "no document with id '%.*s'", (int)len, id);
    return rc ? xerr(db, rc, err) : GZT_OK;
}

typedef struct docids {
    uint32_t *v;   /* Xapian document numbers */
    size_t n, cap; /* count, capacity */
} docids;

static int
collect(void *ctx, uint32_t did)
{
    docids *d = ctx;
    if (d->n == d->cap) {
        size_t ncap = d->cap ? d->cap * 2 : 64;
        uint32_t *nv = gzt_realloc(d->v, ncap * sizeof *nv);
        if (!nv)
            return GZT_ENOMEM;
        d->v = nv;
        d->cap = ncap;
    }
    d->v[d->n++] = did;
    return GZT_OK;
}

int
gzt_xindex_prune(gzt_xindex *x, const char *source,
                 bool (*keep)(void *ctx, const char *id, size_t len), void *ctx,
                 uint64_t *deleted, gzt_error *err)
{
    char st[GZT_XSOURCE_TERM_LEN + 1];
    size_t slen = strlen(source);
    gzt_xsource_term(st, source, slen);
    uint64_t n = 0;
    int rc = GZT_OK;
    gzt_buf ids = GZT_BUF_INIT; /* ids to delete, NUL-separated */
    for (uint32_t k = 0; k < x->n && rc == GZT_OK; k++) {
        docids d = {NULL, 0, 0};
        rc = gzt_xdb_postlist(x->db[k], st, GZT_XSOURCE_TERM_LEN, collect, &d);
        if (rc)
            rc = rc == GZT_ENOMEM ? gzt_err_set(err, rc, "out of memory")
                                  : xerr(x->db[k], rc, err);
        gzt_buf_reset(&ids);
        for (size_t i = 0; i < d.n && rc == GZT_OK; i++) {
            gzt_docfields f;
            if ((rc = gzt_xdb_data(x->db[k], d.v[i], &x->tmp))) {
                rc = xerr(x->db[k], rc, err);
                break;
            }
            if (!gzt_store_parse(x->tmp.p, x->tmp.len, &f)) {
                rc = gzt_err_set(err, GZT_ECORRUPT,
                                 "shard %u: document %u: bad stored record", k,
                                 d.v[i]);
                break;
            }
            /* the hash names the source: check it is this one */
            if (f.len[GZT_FIELD_SOURCE] != slen ||
                memcmp(f.f[GZT_FIELD_SOURCE], source, slen) != 0 ||
                keep(ctx, f.f[GZT_FIELD_ID], f.len[GZT_FIELD_ID]))
                continue;
            if (gzt_buf_append(&ids, f.f[GZT_FIELD_ID], f.len[GZT_FIELD_ID]) ||
                gzt_buf_putc(&ids, 0))
                rc = gzt_err_set(err, GZT_ENOMEM, "out of memory");
        }
        gzt_free(d.v);
        for (size_t off = 0; rc == GZT_OK && off < ids.len;) {
            const char *id = (const char *)ids.p + off;
            size_t len = strlen(id);
            if ((rc = gzt_xdb_delete(x->db[k], id, len)))
                rc = xerr(x->db[k], rc, err);
            else
                n++;
            off += len + 1;
        }
    }
    gzt_buf_free(&ids);
    if (deleted)
        *deleted = n;
    return rc;
}

int
gzt_xindex_commit(gzt_xindex *x, const gzt_manifest *m, uint64_t gen,
                  gzt_error *err)
{
    char g[24];
    snprintf(g, sizeof g, "%llu", (unsigned long long)gen);
    for (uint32_t k = 0; k < x->n; k++) {
        gzt_xdb *db = x->db[k];
        int rc = gzt_xdb_set_meta(db, GZT_XMETA_LANGUAGE, m->language);
        if (rc == GZT_OK)
            rc = gzt_xdb_set_meta(db, GZT_XMETA_ENTITIES,
                                  m->entities ? "on" : "off");
        if (rc == GZT_OK)
            rc = gzt_xdb_set_meta(db, GZT_XMETA_GENERATION, g);
        if (rc == GZT_OK)
            rc = gzt_xdb_commit(db);
        if (rc == GZT_OK && x->tx)
            rc = gzt_xdb_begin(db);
        if (rc)
            return gzt_err_set(err, rc, "shard %u of %u: Xapian: %s", k, x->n,
                               gzt_xdb_error(db));
    }
    return GZT_OK;
}

int
gzt_xindex_generation(gzt_xindex *x, const char *dir, uint64_t *gen,
                      gzt_error *err)
{
    uint64_t first = 0;
    for (uint32_t k = 0; k < x->n; k++) {
        uint64_t g;
        int rc = gzt_xdb_meta_u64(x->db[k], GZT_XMETA_GENERATION, &g);
        if (rc)
            return xerr(x->db[k], rc, err);
        if (k == 0)
            first = g;
        else if (g != first)
            return gzt_err_set(err, GZT_ECORRUPT,
                               "%s: shard 0 was committed at generation "
                               "%llu but shard %u at %llu: a commit was "
                               "interrupted (gazette reindex rebuilds the "
                               "index)",
                               dir, (unsigned long long)first, k,
                               (unsigned long long)g);
    }
    *gen = first;
    return GZT_OK;
}

int
gzt_xindex_compact(const char *dir, const gzt_manifest *m, gzt_error *err)
{
    int rc = GZT_OK;
    for (uint32_t k = 0; k < m->shards && rc == GZT_OK; k++) {
        char name[64], tmp[80];
        gzt_manifest_shard_name(m, k, name);
        snprintf(tmp, sizeof tmp, "%s.compact", name);
        char *src = gzt_path_join(dir, name), *dst = gzt_path_join(dir, tmp);
        if (!src || !dst)
            rc = gzt_err_set(err, GZT_ENOMEM, "out of memory");
        if (rc == GZT_OK)
            rc = gzt_io_rmtree(dst, err);
        if (rc == GZT_OK)
            rc = gzt_xdb_compact(src, dst, err);
        if (rc == GZT_OK)
            rc = gzt_io_rmtree(src, err);
        /* Xapian syncs its files, not the directory that names them */
        if (rc == GZT_OK)
            rc = gzt_io_fsync_dir(dst, err);
        if (rc == GZT_OK && gzt_io_rename(dst, src) != 0)
            rc = gzt_err_set(err, GZT_EIO, "%s: rename: %s", dst,
                             strerror(errno));
        gzt_free(src);
        gzt_free(dst);
    }
    return rc;
}
