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

#include "searcher/reader.h"

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
    snprintf(line, sizeof line, "%s/MANIFEST: generation %llu, %u segments",
             path, (unsigned long long)idx->man.generation, idx->nsegs);
    if (report)
        report(ctx, line);
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
