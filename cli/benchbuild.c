/* SPDX-License-Identifier: MIT */
/*
 * benchbuild.c: building one corpus with one engine (see benchbuild.h).
 */
#include "benchbuild.h"

#include <string.h>

#include "output.h"

int
bench_build(const char *engine, int entities, unsigned jobs, const char *path,
            const char *const *paths, const gzt_format *fmts, size_t n,
            const char *language, gzt_ingest_stats *st, gzt_error *err)
{
    memset(st, 0, sizeof *st);
    gzt_ingest_opts io;
    gzt_ingest_opts_init(&io);
    io.format = n ? fmts[0] : GZT_FORMAT_AUTO;
    if (!strcmp(engine, "fts5"))
        return gzt_fts5_build(path, paths, n, &io, language, st, err);
    output_remove_tree(path);
    gzt_writer_opts wo;
    gzt_writer_opts_init(&wo);
    wo.engine = engine;
    wo.entities = entities;
    wo.jobs = jobs;
    wo.language = language;
    gzt_writer *w = NULL;
    int rc = gzt_writer_open(&w, path, &wo, err);
    for (size_t i = 0; i < n && rc == GZT_OK; i++) {
        io.format = fmts[i];
        rc = gzt_writer_add_path(w, paths[i], &io, st, err);
    }
    if (rc == GZT_OK)
        rc = gzt_writer_commit(w, err);
    gzt_writer_close(w);
    return rc;
}
