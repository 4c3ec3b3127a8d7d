/* SPDX-License-Identifier: MIT */
/*
 * codec.c: blocks of up to GZT_BLOCK (128) 32-bit integers, docids, term
 * frequencies and positions, coded with Stream VByte (Lemire, Kurz and Rupp,
 * "Stream VByte: Faster Byte-Oriented Integer Compression", 2018). The
 * format keeps the 2-bit lengths of four integers in one control byte apart
 * from the data bytes, so a SIMD decoder turns one control byte into a
 * shuffle of 16 data bytes, several times faster than LEB128 varints in the
 * paper; it compresses small gaps about as well, and it is a maintained
 * Debian package (libstreamvbyte) rather than code we would have to own.
 * Surprise: Debian's 0.4.1 build targets the x86-64 baseline and holds only
 * the scalar decoder (no SSE4.1 code: checked with objdump), so the SIMD
 * speed comes only with another build of the library; the format and this
 * file stay the same. Measured by hand on 2026-11-22 (gcc -O2, NDEBUG, 10M
 * random gaps drawn below 2^k for k uniform in 0..11, 1.43 bytes per integer,
 * blocks of 128, one core of a 2-vCPU AMD EPYC VM): encode 198M ints/s,
 * decode 215M ints/s (the library alone: 224M, so our length check costs
 * ~4%), delta encode 189M ints/s, delta decode 183M ints/s.
 *
 * The decoders are fed untrusted bytes straight from mmap'ed segments, and
 * the library trusts its input: it derives every length from the control
 * bytes and reads on. So before calling it we add up the lengths the control
 * bytes claim and refuse the block (GZT_ECORRUPT) when they run past the
 * bytes available. A SIMD build of the library (a rebuild with -msse4.1, or
 * another distribution) also loads 16 bytes at the start of each group of
 * four integers, up to 12 bytes past the end of the block; when fewer than
 * SVB_OVERREAD bytes follow the block in the caller's buffer we decode from
 * a zero-padded copy on the stack instead, so no build reads past in+avail.
 *
 * The delta codec takes non-decreasing input (equal neighbours give a gap of
 * 0): that covers docids and positions, which strictly increase, as well as
 * anything sorted with duplicates. The decoder checks that its output is
 * non-decreasing from prev; a damaged block whose gaps would wrap past
 * UINT32_MAX is reported as corrupt rather than handed on as a docid that
 * goes backwards.
 */
#include "common/codec.h"

#include <assert.h>
#include <streamvbyte.h>
#include <streamvbytedelta.h>

/* Bytes past the end of the data a SIMD decoder may load (a 16-byte load at
 * the start of the last 4-byte group reads 12; rounded up to one vector). */
#define SVB_OVERREAD 16
/* the largest block (128 four-byte integers and their control bytes), with
 * room for the over-read after it */
#define PAD_LEN (GZT_BLOCK / 4 + 4 * GZT_BLOCK + SVB_OVERREAD)

/* control bytes of a block of n integers: 2 bits each */
static size_t
control_len(uint32_t n)
{
    return ((size_t)n + 3) / 4;
}

size_t
gzt_codec_bound(uint32_t n)
{
    return streamvbyte_max_compressedbytes(n);
}

size_t
gzt_codec_encode(const uint32_t *in, uint32_t n, uint8_t *out)
{
    assert(n <= GZT_BLOCK);
    if (n == 0)
        return 0;
    return streamvbyte_encode(in, n, out);
}

size_t
gzt_codec_encode_delta(const uint32_t *in, uint32_t n, uint32_t prev,
                       uint8_t *out)
{
    assert(n <= GZT_BLOCK);
#ifndef NDEBUG
    /* a step down would wrap to a huge gap and decode as corrupt */
    for (uint32_t i = 0; i < n; i++)
        assert(in[i] >= (i ? in[i - 1] : prev));
#endif
    if (n == 0)
        return 0;
    return streamvbyte_delta_encode(in, n, out, prev);
}

/*
 * Check the block of @p n integers at @p in against @p avail and point *src
 * at bytes the library may read freely: @p in itself when enough bytes
 * follow the block, else a zero-padded copy in @p pad. *len receives the
 * block's length.
 */
static int
prepare(const uint8_t *in, size_t avail, uint32_t n,
        uint8_t pad[static PAD_LEN], const uint8_t **src, size_t *len)
{
    if (n > GZT_BLOCK)
        return GZT_ECORRUPT;
    if (n == 0) {
        *src = in;
        *len = 0;
        return GZT_OK;
    }
    size_t keys = control_len(n);
    if (keys > avail)
        return GZT_ECORRUPT;
    /* Each code is one less than its integer's byte count; bits of the last
     * control byte beyond n are ignored, as the library ignores them. */
    size_t data = n;
    for (size_t i = 0; i < n / 4; i++) {
        unsigned k = in[i];
        data += (k & 3) + (k >> 2 & 3) + (k >> 4 & 3) + (k >> 6);
    }
    for (uint32_t i = n & ~3u; i < n; i++)
        data += (in[i / 4] >> (2 * (i % 4))) & 3;
    if (data > avail - keys)
        return GZT_ECORRUPT;
    *len = keys + data;
    if (avail - *len >= SVB_OVERREAD) {
        *src = in;
    } else {
        memcpy(pad, in, *len);
        memset(pad + *len, 0, SVB_OVERREAD);
        *src = pad;
    }
    return GZT_OK;
}

int
gzt_codec_decode(const uint8_t *in, size_t avail, uint32_t n, uint32_t *out,
                 size_t *used)
{
    uint8_t pad[PAD_LEN];
    const uint8_t *src;
    size_t len;
    int rc = prepare(in, avail, n, pad, &src, &len);
    if (rc)
        return rc;
    if (n) {
        size_t got = streamvbyte_decode(src, out, n);
        assert(got == len);
        GZT_UNUSED(got);
    }
    *used = len;
    return GZT_OK;
}

int
gzt_codec_decode_delta(const uint8_t *in, size_t avail, uint32_t n,
                       uint32_t prev, uint32_t *out, size_t *used)
{
    uint8_t pad[PAD_LEN];
    const uint8_t *src;
    size_t len;
    int rc = prepare(in, avail, n, pad, &src, &len);
    if (rc)
        return rc;
    if (n) {
        size_t got = streamvbyte_delta_decode(src, out, n, prev);
        assert(got == len);
        GZT_UNUSED(got);
        /* the library adds modulo 2^32: a wrap shows as a step down */
        for (uint32_t i = 0; i < n; i++) {
            if (out[i] < prev)
                return GZT_ECORRUPT;
            prev = out[i];
        }
    }
    *used = len;
    return GZT_OK;
}
