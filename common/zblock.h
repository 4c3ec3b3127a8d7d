/* SPDX-License-Identifier: MIT */
/*
 * zblock.h: zstd-compressed blocks of stored documents, optionally with a
 * dictionary trained on the segment. The only file that includes zstd.
 */
#ifndef GZT_ZBLOCK_H
#define GZT_ZBLOCK_H

#include "common/base.h"

typedef struct gzt_zctx gzt_zctx;

/* Train a dictionary of at most @p cap bytes from @p n samples laid end to
 * end in @p samples with lengths @p sizes; the dictionary replaces the
 * contents of @p out. Too few or too small samples give an empty dictionary
 * and GZT_OK. */
GZT_NODISCARD int gzt_zdict_train(gzt_buf *out, const void *samples,
                                  const size_t *sizes, unsigned n, size_t cap);

/* A compression/decompression context over dictionary @p dict (copied;
 * dict_len 0 = none) at zstd @p level. */
GZT_NODISCARD int gzt_zctx_new(gzt_zctx **out, const void *dict,
                               size_t dict_len, int level);
void gzt_zctx_free(gzt_zctx *z);

/* Append the compressed form of @p len bytes at @p src to @p out. */
GZT_NODISCARD int gzt_zblock_compress(gzt_zctx *z, gzt_buf *out,
                                      const void *src, size_t len);
/* Decompress the block @p src (@p len bytes) into @p out (replacing its
 * contents). GZT_ECORRUPT when the block is damaged or its content size is
 * absent or larger than @p max_out. */
GZT_NODISCARD int gzt_zblock_decompress(gzt_zctx *z, gzt_buf *out,
                                        const void *src, size_t len,
                                        size_t max_out);

#endif
