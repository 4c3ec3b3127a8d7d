/* SPDX-License-Identifier: MIT */
/*
 * fuzz_codec.c: the postings codec (common/codec.c, Stream VByte with an
 * SSSE3 decoder) and the bounded readers of common/base.c on arbitrary
 * bytes, as a damaged segment would feed them.
 *
 * Input: the count n (first byte: past GZT_BLOCK must be refused), the
 * delta base prev (next four bytes), then the encoded block. The bytes end
 * exactly where libFuzzer's allocation ends, so a decoder that reads one
 * byte too far is caught. Checks: the SIMD and scalar decoders agree on
 * the values and the bytes used, gzt_codec_len() agrees with both, a delta
 * block never decreases, the unchecked delta decoder and the single-value
 * reader agree with the decoders, and what decodes encodes back to the
 * same values.
 */
#include "common/codec.h"
#include "tests/fuzz/fuzzkit.h"

static void
decode_both(const uint8_t *in, size_t avail, uint32_t n, bool delta,
            uint32_t prev)
{
    uint32_t simd[256], scalar[256];
    size_t used_simd = 0, used_scalar = 0;
    int rc_simd, rc_scalar;
    gzt_codec_force_scalar(false);
    rc_simd = delta
                  ? gzt_codec_decode_delta(in, avail, n, prev, simd, &used_simd)
                  : gzt_codec_decode(in, avail, n, simd, &used_simd);
    gzt_codec_force_scalar(true);
    rc_scalar =
        delta ? gzt_codec_decode_delta(in, avail, n, prev, scalar, &used_scalar)
              : gzt_codec_decode(in, avail, n, scalar, &used_scalar);
    gzt_codec_force_scalar(false);
    GZT_FUZZ_CHECK(rc_simd == rc_scalar);
    size_t len = 0;
    int rc_len = gzt_codec_len(in, avail, n, &len);
    if (rc_simd != GZT_OK) {
        GZT_FUZZ_CHECK(rc_simd == GZT_ECORRUPT);
        /* only the delta form has a reason of its own to refuse */
        GZT_FUZZ_CHECK(delta || rc_len == GZT_ECORRUPT || n == 0);
        return;
    }
    GZT_FUZZ_CHECK(n <= GZT_BLOCK);
    GZT_FUZZ_CHECK(used_simd == used_scalar && used_simd <= avail);
    GZT_FUZZ_CHECK(n == 0 ? used_simd == 0
                          : rc_len == GZT_OK && len == used_simd);
    if (n)
        GZT_FUZZ_CHECK(!memcmp(simd, scalar, n * sizeof *simd));
    for (uint32_t i = 0; delta && i < n; i++)
        GZT_FUZZ_CHECK(simd[i] >= (i ? simd[i - 1] : prev));
    if (delta) { /* the unchecked form: the same values and length */
        uint32_t raw[256];
        size_t used_raw = 0;
        GZT_FUZZ_CHECK(gzt_codec_decode_delta_unchecked(in, avail, n, prev, raw,
                                                        &used_raw) == GZT_OK);
        GZT_FUZZ_CHECK(used_raw == used_simd);
        if (n)
            GZT_FUZZ_CHECK(!memcmp(raw, simd, n * sizeof *raw));
    } else { /* each value read alone, from the control bytes */
        gzt_codec_at at = {0, 0};
        for (uint32_t j = 0; j < n; j++)
            GZT_FUZZ_CHECK(gzt_codec_value_at(in, avail, n, j, &at) == simd[j]);
    }

    /* encode back; decode again */
    uint8_t enc[GZT_BLOCK / 4 + 4 * GZT_BLOCK];
    GZT_FUZZ_CHECK(gzt_codec_bound(n) <= sizeof enc);
    size_t elen = delta ? gzt_codec_encode_delta(simd, n, prev, enc)
                        : gzt_codec_encode(simd, n, enc);
    GZT_FUZZ_CHECK(elen <= gzt_codec_bound(n) && elen <= used_simd);
    uint32_t again[GZT_BLOCK];
    size_t used_again = 0;
    int rc =
        delta ? gzt_codec_decode_delta(enc, elen, n, prev, again, &used_again)
              : gzt_codec_decode(enc, elen, n, again, &used_again);
    GZT_FUZZ_CHECK(rc == GZT_OK && used_again == elen);
    if (n)
        GZT_FUZZ_CHECK(!memcmp(again, simd, n * sizeof *simd));
}

/* the LEB128 and fixed-width readers over the same bytes */
static void
readers(const uint8_t *p, size_t len)
{
    gzt_rd r = gzt_rd_make(p, len);
    for (int k = 0; !r.bad; k = (k + 1) % 5) {
        uint64_t v64;
        uint32_t v32;
        const uint8_t *b;
        const uint8_t *before = r.p;
        bool ok = k == 0   ? gzt_rd_varint(&r, &v64)
                  : k == 1 ? gzt_rd_varint32(&r, &v32)
                  : k == 2 ? gzt_rd_u32(&r, &v32)
                  : k == 3 ? gzt_rd_u64(&r, &v64)
                           : gzt_rd_bytes(&r, (size_t)(p[0] % 7), &b);
        GZT_FUZZ_CHECK(ok == !r.bad);
        GZT_FUZZ_CHECK(r.p >= before && r.p <= r.end);
        if (ok && k == 0) /* a varint re-encodes to at most its bytes */
            GZT_FUZZ_CHECK(gzt_varint_len(v64) <= (size_t)(r.p - before));
        if (!ok || (k == 4 && p[0] % 7 == 0 && r.p == r.end))
            break;
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 5)
        return 0;
    uint32_t n = data[0];
    uint32_t prev = gzt_load_u32(data + 1);
    const uint8_t *in = data + 5;
    size_t avail = size - 5;
    decode_both(in, avail, n, false, 0);
    decode_both(in, avail, n, true, prev);
    decode_both(in, avail, n, true, 0);
    readers(data, size);
    return 0;
}
