/* SPDX-License-Identifier: MIT */
/*
 * benchbuild.h: building one corpus with one engine, for gazette bench
 * index and gazette bench queries --peers.
 */
#ifndef GZT_CLI_BENCHBUILD_H
#define GZT_CLI_BENCHBUILD_H

#include <stddef.h>

#include "gazette.h"

/*
 * Build @p engine ("native", "xapian" or "fts5") at @p path (replacing what
 * is there) from the @p n sources @p paths read in the formats @p fmts
 * (FTS5 reads them all in fmts[0]), analysed in @p language (NULL: the
 * default), with entities when @p entities and on @p jobs analysis threads
 * (0: one per core but one) (gazette's engines only). What was read goes to @p
 * st. A gazette error code, detail in @p err.
 */
int bench_build(const char *engine, int entities, unsigned jobs,
                const char *path, const char *const *paths,
                const gzt_format *fmts, size_t n, const char *language,
                gzt_ingest_stats *st, gzt_error *err);

#endif
