/* SPDX-License-Identifier: MIT */
/*
 * xindex.h: the writer side of an index on the Xapian engine: its shard
 * databases, documents routed to them by a hash of their id, and commits
 * of all of them. gzt_writer (writer.c) holds one when the manifest says
 * `engine xapian`; the manifest stays the index's record of generation,
 * settings and sources.
 */
#ifndef GZT_XINDEX_H
#define GZT_XINDEX_H

#include "common/manifest.h"
#include "indexer/xwrite.h"

typedef struct gzt_xindex gzt_xindex;

/*
 * Open the shards @p m names under @p dir; with @p create they are made
 * new (whatever was at their names is replaced).
 * With @p tx every change waits in a Xapian transaction until
 * gzt_xindex_commit(), and closing drops it; without (a build into new
 * shard directories, which no reader sees before the manifest names
 * them) Xapian may write as it goes.
 */
GZT_NODISCARD int gzt_xindex_open(gzt_xindex **out, const char *dir,
                                  const gzt_manifest *m, bool create, bool tx,
                                  gzt_analyzer *an, gzt_error *err);
/* Close (dropping an open transaction) and free; NULL is fine. */
void gzt_xindex_close(gzt_xindex *x);

/* The shard a document with id @p id belongs to, of @p n. */
uint32_t gzt_xindex_route(const char *id, size_t len, uint32_t n);

/* Is the document @p id there, and with what content hash? */
GZT_NODISCARD int gzt_xindex_lookup(gzt_xindex *x, const char *id, size_t len,
                                    bool *found, uint64_t *hash,
                                    gzt_error *err);
/* Add or replace a document: analysed here (@p ents its mentions), or
 * from a worker's records when @p recs is not NULL. */
GZT_NODISCARD int gzt_xindex_add(gzt_xindex *x, const gzt_docfields *f,
                                 gzt_date date, uint64_t hash,
                                 const gzt_entity *ents, size_t nents,
                                 const uint8_t *recs, size_t recs_len,
                                 const gzt_docinfo *info, gzt_error *err);
/* Delete the document @p id: GZT_ENOTFOUND when there is none. */
GZT_NODISCARD int gzt_xindex_delete(gzt_xindex *x, const char *id, size_t len,
                                    gzt_error *err);
/* Delete the documents of @p source for which @p keep returns false. */
GZT_NODISCARD int
gzt_xindex_prune(gzt_xindex *x, const char *source,
                 bool (*keep)(void *ctx, const char *id, size_t len), void *ctx,
                 uint64_t *deleted, gzt_error *err);
/* Record @p m's language and entity setting and the generation @p gen in
 * every shard and commit them all, one after another: each shard's commit
 * is atomic, not the set of them; the manifest written after them names
 * the generation, and gzt_xindex_generation() tells an interrupted commit
 * by shards that disagree. On failure the shards must be closed (their
 * transactions are then dropped). */
GZT_NODISCARD int gzt_xindex_commit(gzt_xindex *x, const gzt_manifest *m,
                                    uint64_t gen, gzt_error *err);
/* The generation every shard says it was last committed at; GZT_ECORRUPT
 * naming the shards when they disagree (a commit was interrupted). */
GZT_NODISCARD int gzt_xindex_generation(gzt_xindex *x, const char *dir,
                                        uint64_t *gen, gzt_error *err);

/* Compact every shard of @p m under @p dir in place (a build's shards,
 * closed, that no manifest names yet). */
GZT_NODISCARD int gzt_xindex_compact(const char *dir, const gzt_manifest *m,
                                     gzt_error *err);

#endif
