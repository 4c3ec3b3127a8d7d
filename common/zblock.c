/* SPDX-License-Identifier: MIT */
/*
 * zblock.c: stored documents are kept in zstd-compressed blocks, each block
 * one zstd frame, optionally with a dictionary trained on the segment's own
 * documents (news records are short and alike, so a dictionary of their
 * common phrasing and markup buys much of the ratio that small blocks lose).
 * This is the only file that includes zstd: its conventions (size_t results
 * that may be error codes, NULL from constructors) end here and become
 * gzt_err codes.
 *
 * Every frame is written with its content size, which the decoder requires
 * and checks against the caller's ceiling before allocating anything, and
 * with zstd's 32-bit content checksum, so that damage inside a literal run,
 * which would otherwise decode "successfully" to different bytes, is
 * reported as corrupt. A frame must also fill the block exactly: trailing
 * bytes or a second frame are corruption too.
 *
 * A context digests its dictionary once: the decompression form (DDict)
 * when it is made, which also validates the dictionary's tables, and the
 * compression form (CDict) on the first compression, because readers, which
 * open many segments, never compress. Our own memory (the context and the
 * dictionary copy kept for that late CDict) comes from gzt_malloc; zstd's
 * internal allocations use its default allocator, because ZSTD_customMem
 * is only reachable through the ZSTD_STATIC_LINKING_ONLY API, which has no
 * ABI promise against the shared libzstd we link.
 */
#include "common/zblock.h"

#define ZDICT_STATIC_LINKING_ONLY /* ZDICT_trainFromBuffer_fastCover() */
#include <zdict.h>
#include <zstd.h>
#include <zstd_errors.h>

struct gzt_zctx {
    ZSTD_CCtx *cctx;   /* compression state, reused from block to block */
    ZSTD_DCtx *dctx;   /* decompression state, reused likewise */
    ZSTD_CDict *cdict; /* dictionary digested for compression; NULL until
                          the first compression, or when there is none */
    ZSTD_DDict *ddict; /* dictionary digested for decompression, or NULL */
    uint8_t *dict;     /* copy of the dictionary for the late CDict */
    size_t dict_len;   /* bytes of dict; 0 = no dictionary */
    int level;         /* zstd compression level */
};

/* Map a zstd error result: running out of memory is GZT_ENOMEM wherever it
 * happens; any other error becomes @p otherwise (GZT_ECORRUPT where zstd
 * was reading bytes from disk). */
static int
zstd_err(size_t r, int otherwise)
{
    return ZSTD_getErrorCode(r) == ZSTD_error_memory_allocation ? GZT_ENOMEM
                                                                : otherwise;
}

int
gzt_zdict_train(gzt_buf *out, const void *samples, const size_t *sizes,
                unsigned n, size_t cap)
{
    out->len = 0;
    if (n == 0 || cap == 0)
        return GZT_OK;
    int rc = gzt_buf_reserve(out, cap);
    if (rc)
        return rc;
    size_t r;
    if (ZSTD_versionNumber() / 100 == ZSTD_VERSION_NUMBER / 100) {
        /* One fastCover pass with fixed parameters instead of the stable
         * API's search over segment sizes: an eighth of the time (0.10 ->
         * 0.012 s for 1 MiB of headline records) and a smaller store
         * (docs/BENCHMARKS.md). The parameters struct is passed by value
         * and is outside zstd's ABI promise, so it is used only with the
         * minor version it was compiled against; otherwise the stable
         * trainer runs. (zstd 1.5.4's fastCover does not check one 2 MiB
         * calloc of its own: training in a process already out of memory
         * may crash there instead of failing.) */
        ZDICT_fastCover_params_t p = {0};
        p.k = 50;
        p.d = 8;
        p.f = 20;
        p.accel = 4;
        p.splitPoint = 1.0;
        p.zParams.compressionLevel = 1;
        r = ZDICT_trainFromBuffer_fastCover(out->p, cap, samples, sizes, n, p);
    } else {
        r = ZDICT_trainFromBuffer(out->p, cap, samples, sizes, n);
    }
    if (ZDICT_isError(r)) {
        /* Training refuses too few or too small samples (and capacities
         * below 256 bytes); a segment of three short documents is normal,
         * and simply gets no dictionary. */
        return zstd_err(r, GZT_OK);
    }
    out->len = r;
    return GZT_OK;
}

/*
 * ZSTD_createDDict() returns NULL both when memory runs out and when the
 * dictionary's tables are damaged (it comes from a segment file). Tell the
 * two apart: bytes without the dictionary magic are raw content, which
 * cannot be damaged; a zstd-format dictionary is checked again by
 * ZDICT_getDictHeaderSize(), which reports what went wrong.
 */
static int
dict_damaged(const void *dict, size_t dict_len)
{
    if (dict_len < 8 || gzt_load_u32(dict) != ZSTD_MAGIC_DICTIONARY)
        return GZT_ENOMEM;
    size_t r = ZDICT_getDictHeaderSize(dict, dict_len);
    return ZSTD_isError(r) ? zstd_err(r, GZT_ECORRUPT) : GZT_ENOMEM;
}

int
gzt_zctx_new(gzt_zctx **out, const void *dict, size_t dict_len, int level)
{
    *out = NULL;
    if (level < ZSTD_minCLevel() || level > ZSTD_maxCLevel())
        return GZT_EINVAL;
    int rc = GZT_ENOMEM;
    gzt_zctx *z = gzt_calloc(1, sizeof *z);
    if (!z)
        goto fail;
    z->level = level;
    z->cctx = ZSTD_createCCtx();
    z->dctx = ZSTD_createDCtx();
    if (!z->cctx || !z->dctx)
        goto fail;
    if (ZSTD_isError(
            ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_compressionLevel, level)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_checksumFlag, 1))) {
        rc = GZT_EINVAL;
        goto fail;
    }
    if (dict_len) {
        z->dict = gzt_malloc(dict_len);
        if (!z->dict)
            goto fail;
        memcpy(z->dict, dict, dict_len);
        z->dict_len = dict_len;
        z->ddict = ZSTD_createDDict(dict, dict_len);
        if (!z->ddict) {
            rc = dict_damaged(dict, dict_len);
            goto fail;
        }
    }
    *out = z;
    return GZT_OK;
fail:
    gzt_zctx_free(z);
    return rc;
}

void
gzt_zctx_free(gzt_zctx *z)
{
    if (!z)
        return;
    ZSTD_freeDDict(z->ddict);
    ZSTD_freeCDict(z->cdict);
    gzt_free(z->dict);
    ZSTD_freeDCtx(z->dctx);
    ZSTD_freeCCtx(z->cctx);
    gzt_free(z);
}

int
gzt_zblock_compress(gzt_zctx *z, gzt_buf *out, const void *src, size_t len)
{
    static const uint8_t empty[1];
    if (z->dict_len && !z->cdict) {
        z->cdict = ZSTD_createCDict(z->dict, z->dict_len, z->level);
        if (!z->cdict)
            return GZT_ENOMEM; /* the DDict already vouched for the bytes */
        size_t r = ZSTD_CCtx_refCDict(z->cctx, z->cdict);
        if (ZSTD_isError(r)) {
            /* drop it, or the next call would compress without it */
            ZSTD_freeCDict(z->cdict);
            z->cdict = NULL;
            return zstd_err(r, GZT_EINVAL);
        }
    }
    size_t bound = ZSTD_compressBound(len);
    if (ZSTD_isError(bound) || bound == 0)
        return GZT_ETOOBIG;
    int rc = gzt_buf_reserve(out, bound);
    if (rc)
        return rc;
    size_t r = ZSTD_compress2(z->cctx, out->p + out->len, bound,
                              len ? src : empty, len);
    if (ZSTD_isError(r))
        return zstd_err(r, GZT_EINVAL); /* a full bound of room: can't be */
    out->len += r;
    return GZT_OK;
}

int
gzt_zblock_decompress(gzt_zctx *z, gzt_buf *out, const void *src, size_t len,
                      size_t max_out)
{
    out->len = 0;
    /* skippable frames and other magics are not blocks we wrote */
    if (len < 4 || gzt_load_u32(src) != ZSTD_MAGICNUMBER)
        return GZT_ECORRUPT;
    unsigned long long size = ZSTD_getFrameContentSize(src, len);
    if (size == ZSTD_CONTENTSIZE_UNKNOWN || size == ZSTD_CONTENTSIZE_ERROR ||
        size > max_out)
        return GZT_ECORRUPT;
    size_t frame = ZSTD_findFrameCompressedSize(src, len);
    if (ZSTD_isError(frame) || frame != len)
        return GZT_ECORRUPT;
    /* one spare byte so that an empty document still gets a buffer; the
     * sum can overflow only with a 32-bit size_t and max_out = SIZE_MAX */
    size_t need;
    if (!gzt_size_add((size_t)size, 1, &need))
        return GZT_ENOMEM;
    int rc = gzt_buf_reserve(out, need);
    if (rc)
        return rc;
    size_t r =
        z->ddict ? ZSTD_decompress_usingDDict(z->dctx, out->p, (size_t)size,
                                              src, len, z->ddict)
                 : ZSTD_decompressDCtx(z->dctx, out->p, (size_t)size, src, len);
    if (ZSTD_isError(r))
        return zstd_err(r, GZT_ECORRUPT);
    if (r != size)
        return GZT_ECORRUPT;
    out->len = r;
    return GZT_OK;
}
