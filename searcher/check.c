/* SPDX-License-Identifier: MIT */
/*
 * check.c: gazette check, the deep verification of an index.
 *
 * Opening an index already verifies every file's magic, version and
 * checksum and the shape of the small tables; check then walks everything
 * a search could touch: every dictionary block and term, every postings and
 * positions block (order, bounds, counts agreeing with the dictionary),
 * every stored document, and the manifest's counts against the segments.
 */
#include <stdio.h>

#include "common/entity.h"
#include "common/io.h"
#include "searcher/reader.h"

typedef struct xcheck {
    gzt_index *idx;
    uint64_t docs;  /* documents verified */
    gzt_error *err; /* detail */
} xcheck;

/* every stored record parses and its entities decode */
static int
check_record(void *ctx, const gzt_docfields *f)
{
    xcheck *c = ctx;
    gzt_arena a;
    gzt_arena_init(&a, 0);
    gzt_entity *e;
    size_t n;
    int rc = gzt_entity_decode(
        f->f[GZT_FIELD_ENTITIES], f->len[GZT_FIELD_ENTITIES],
        f->f[GZT_FIELD_TITLE], f->len[GZT_FIELD_TITLE], f->f[GZT_FIELD_BODY],
        f->len[GZT_FIELD_BODY], &a, &e, &n);
    gzt_arena_fini(&a);
    if (rc)
        return gzt_err_set(c->err, rc == GZT_ENOMEM ? rc : GZT_ECORRUPT,
                           "%s: document '%.*s': bad stored entities",
                           c->idx->dir, (int)f->len[GZT_FIELD_ID],
                           f->f[GZT_FIELD_ID]);
    c->docs++;
    return GZT_OK;
}

/* gazette check on the Xapian engine: Xapian's own check of each shard
 * (not possible through a stub of remote shards: run xapian-check where
 * they live), then every stored record through the reader */
static int
check_xapian(gzt_index *idx, void (*report)(void *ctx, const char *line),
             void *ctx, gzt_error *err)
{
    char line[512];
    int rc = GZT_OK;
    uint64_t first = 0; /* the generation of shard 0 */
    for (uint32_t k = 0; !idx->stub && k < idx->man.shards && rc == GZT_OK;
         k++) {
        char name[64];
        gzt_manifest_shard_name(&idx->man, k, name);
        char *p = gzt_path_join(idx->dir, name);
        if (!p)
            return gzt_err_set(err, GZT_ENOMEM, "out of memory");
        rc = gzt_xdb_check(p, err);
        /* the shards were all last committed at one generation: the
         * manifest's, or the next one when the manifest's own write failed
         * or was cut short (the next writer's commit catches it up); a
         * commit interrupted between shards leaves them apart */
        gzt_xdb *db = NULL;
        if (rc == GZT_OK)
            rc = gzt_xdb_open(&db, p, GZT_XDB_READ, 0, err);
        uint64_t at = 0;
        if (rc == GZT_OK &&
            (rc = gzt_xdb_meta_u64(db, GZT_XMETA_GENERATION, &at)))
            rc = gzt_err_set(err, rc, "%s: %s", p, gzt_xdb_error(db));
        if (rc == GZT_OK && k == 0)
            first = at;
        if (rc == GZT_OK) {
            if (at != first ||
                (at != idx->man.generation && at != idx->man.generation + 1))
                rc = gzt_err_set(err, GZT_ECORRUPT,
                                 "%s: committed at generation %llu, but the "
                                 "manifest is at %llu: a commit was "
                                 "interrupted (gazette reindex rebuilds the "
                                 "index)",
                                 p, (unsigned long long)at,
                                 (unsigned long long)idx->man.generation);
        }
        gzt_xdb_close(db);
        if (rc == GZT_OK && report) {
            if (at == idx->man.generation)
                snprintf(line, sizeof line, "%s: Xapian check ok", p);
            else
                snprintf(line, sizeof line,
                         "%s: Xapian check ok; committed at generation %llu, "
                         "the manifest at %llu (the next writer catches it "
                         "up)",
                         p, (unsigned long long)at,
                         (unsigned long long)idx->man.generation);
            report(ctx, line);
        }
        gzt_free(p);
    }
    xcheck c = {idx, 0, err};
    if (rc == GZT_OK)
        rc = gzt_xreader_each(idx, NULL, check_record, &c, err);
    if (rc == GZT_OK && c.docs != idx->live)
        rc = gzt_err_set(err, GZT_ECORRUPT,
                         "%s: %llu stored documents, but %llu counted",
                         idx->dir, (unsigned long long)c.docs,
                         (unsigned long long)idx->live);
    if (rc == GZT_OK && report) {
        snprintf(line, sizeof line, "%llu stored documents: ok",
                 (unsigned long long)c.docs);
        report(ctx, line);
    }
    return rc;
}

int
gzt_index_check(const char *path, void (*report)(void *ctx, const char *line),
                void *ctx, gzt_error *err)
{
    gzt_err_clear(err);
    gzt_index *idx;
    int rc = gzt_index_open(&idx, path, err);
    if (rc)
        return rc;
    char line[512];
    if (idx->stub)
        snprintf(line, sizeof line, "%s: stub of Xapian shards", path);
    else if (idx->xdb)
        snprintf(line, sizeof line,
                 "%s/MANIFEST: generation %llu, engine xapian, %u shards", path,
                 (unsigned long long)idx->man.generation, idx->man.shards);
    else
        snprintf(line, sizeof line, "%s/MANIFEST: generation %llu, %u segments",
                 path, (unsigned long long)idx->man.generation, idx->nsegs);
    if (report)
        report(ctx, line);
    if (idx->xdb) {
        rc = check_xapian(idx, report, ctx, err);
        gzt_index_close(idx);
        return rc;
    }
    for (uint32_t i = 0; i < idx->nsegs && rc == GZT_OK; i++) {
        gzt_segment *s = idx->segs[i];
        rc = gzt_segment_verify(s, err);
        if (rc)
            break;
        uint64_t tokens = 0;
        for (uint32_t d = 0; d < s->ndocs; d++)
            if (!gzt_segment_deleted(s, d))
                tokens += gzt_segment_doclen(s, d);
        if (tokens != idx->man.segs[i].tokens) {
            rc = gzt_err_set(err, GZT_ECORRUPT,
                             "%s/MANIFEST: segment %u: token count %llu "
                             "disagrees with the document lengths (%llu)",
                             path, s->id,
                             (unsigned long long)idx->man.segs[i].tokens,
                             (unsigned long long)tokens);
            break;
        }
        if (report) {
            const gzt_rfile *files[] = {&s->dict,  &s->post, &s->pos, &s->dv,
                                        &s->store, &s->ids,  &s->del};
            for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
                if (!files[k]->path)
                    continue;
                snprintf(line, sizeof line, "%s: ok", files[k]->path);
                report(ctx, line);
            }
            snprintf(line, sizeof line,
                     "segment %u: %u documents (%u deleted), %llu terms: ok",
                     s->id, s->ndocs, s->ndeleted,
                     (unsigned long long)s->nterms);
            report(ctx, line);
        }
    }
    gzt_index_close(idx);
    return rc;
}
