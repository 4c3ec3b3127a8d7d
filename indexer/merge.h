/* SPDX-License-Identifier: MIT */
/*
 * merge.h: merging segments into one, dropping deleted documents, and the
 * policy that decides when.
 */
#ifndef GZT_MERGE_H
#define GZT_MERGE_H

#include "indexer/segwrite.h"

/* Segments above this count are merged at commit (the smallest first). */
#define GZT_MERGE_MAX_SEGMENTS 10
/* How many segments one merge takes at most. */
#define GZT_MERGE_FACTOR 10

/*
 * Write segment @p newid of @p dir holding the live documents of @p segs[0
 * .. n) in order, with the deletion bitmaps @p del[i] (NULL = none deleted)
 * in place of the segments' own.
 */
GZT_NODISCARD int gzt_merge(const char *dir, gzt_segment *const *segs,
                            const uint8_t *const *del, uint32_t n,
                            uint32_t newid, gzt_segw_info *info,
                            gzt_error *err);

#endif
