/* SPDX-License-Identifier: MIT */
/*
 * codec.c: blocks of up to GZT_BLOCK (128) 32-bit integers, docids, term
 * frequencies and positions, coded with Stream VByte (Lemire, Kurz and Rupp,
 * "Stream VByte: Faster Byte-Oriented Integer Compression", 2018). The
 * format keeps the 2-bit lengths of four integers in one control byte apart
 * from the data bytes, so a SIMD decoder turns one control byte into a
 * shuffle of 16 data bytes, several times faster than LEB128 varints; it
 * compresses small gaps about as well.
 *
 * Written by hand, byte for byte the format of libstreamvbyte 0.4 (which
 * the unit tests keep as the oracle), because Debian's build of that
 * library is unusable for speed: bookworm's libstreamvbyte0 0.4.1 is built
 * without optimisation (every local spilled to the stack: see objdump) and
 * without its SIMD decoder, and decoded 128 integers in 458 ns (3.6 ns an
 * integer, 2026-12-05, one core of this 2-vCPU EPYC VM), which made the
 * positions of phrase queries most of their time. Here the decoder shuffles
 * with SSSE3 (pshufb) when the CPU has it, chosen at run time, else a
 * scalar loop; both read the lengths from the control bytes.
 *
 * The decoders are fed untrusted bytes straight from mmap'ed segments. So
 * before decoding we add up the lengths the control bytes claim and refuse
 * the block (GZT_ECORRUPT) when they run past the bytes available. The SIMD
 * decoder loads 16 bytes at the start of each group of four integers, up to
 * 12 bytes past the end of the block; when fewer than SVB_OVERREAD bytes
 * follow the block in the caller's buffer we decode from a zero-padded copy
 * on the stack instead, so nothing reads past in+avail.
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
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#if defined(__x86_64__) || defined(__i386__)
#include <tmmintrin.h>
#define GZT_SVB_SSSE3 1
#endif

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

/* data bytes of the four integers a control byte @p k describes */
static inline unsigned
group_bytes(unsigned k)
{
    return 4 + (k & 3) + (k >> 2 & 3) + (k >> 4 & 3) + (k >> 6);
}

size_t
gzt_codec_bound(uint32_t n)
{
    return control_len(n) + 4 * (size_t)n;
}

/* bytes - 1 of @p v: the 2-bit code of an integer */
static inline unsigned
code_of(uint32_t v)
{
    return v < (1u << 8) ? 0 : v < (1u << 16) ? 1 : v < (1u << 24) ? 2 : 3;
}

/* Encode @p n values, each less @p prev (updated) when @p delta. Every
 * value is stored as four bytes and the output advanced by its length:
 * one store instead of a copy of a variable length, and its spare bytes
 * lie within gzt_codec_bound(), where the next value or nothing goes. A
 * control byte is assembled in a register, four codes at a time. */
static size_t
encode(const uint32_t *in, uint32_t n, uint8_t *out, bool delta, uint32_t prev)
{
    uint8_t *keys = out, *data = out + control_len(n);
    for (uint32_t i = 0; i < n; i += 4) {
        unsigned key = 0;
        uint32_t m = GZT_MIN(n - i, 4u);
        for (uint32_t j = 0; j < m; j++) {
            uint32_t v = in[i + j];
            if (delta) {
                uint32_t d = v - prev; /* modulo 2^32, as the library */
                prev = v;
                v = d;
            }
            unsigned c = code_of(v);
            key |= c << (2 * j);
            uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
                            (uint8_t)(v >> 24)};
            memcpy(data, b, 4);
            data += c + 1;
        }
        keys[i / 4] = (uint8_t)key;
    }
    return (size_t)(data - out);
}

size_t
gzt_codec_encode(const uint32_t *in, uint32_t n, uint8_t *out)
{
    assert(n <= GZT_BLOCK);
    if (n == 0)
        return 0;
    return encode(in, n, out, false, 0);
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
    return encode(in, n, out, true, prev);
}

/* ---- decoding ----------------------------------------------------------- */

/* one value of @p c + 1 bytes at @p p, little-endian */
static inline uint32_t
load_value(const uint8_t *p, unsigned c)
{
    uint32_t v = p[0];
    if (c > 0)
        v |= (uint32_t)p[1] << 8;
    if (c > 1)
        v |= (uint32_t)p[2] << 16;
    if (c > 2)
        v |= (uint32_t)p[3] << 24;
    return v;
}

/* Decode values @p from .. @p n - 1 of the block whose control bytes are
 * @p keys, their data starting at @p data; with @p delta add each to the
 * previous, from @p prev. Returns the end of the data. */
static const uint8_t *
decode_scalar(const uint8_t *keys, const uint8_t *data, uint32_t from,
              uint32_t n, uint32_t *out, bool delta, uint32_t prev)
{
    for (uint32_t i = from; i < n; i++) {
        unsigned c = (keys[i / 4] >> (2 * (i % 4))) & 3;
        uint32_t v = load_value(data, c);
        data += c + 1;
        if (delta) {
            v += prev;
            prev = v;
        }
        out[i] = v;
    }
    return data;
}

#ifdef GZT_SVB_SSSE3
/* For each control byte: the shuffle that spreads its four values' data
 * bytes into four 32-bit lanes, and the bytes they take. */
static uint8_t shuffle[256][16];
static uint8_t group_len[256];
static bool have_ssse3;
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void
tables_init(void)
{
    for (unsigned k = 0; k < 256; k++) {
        unsigned at = 0;
        for (unsigned j = 0; j < 4; j++) {
            unsigned c = (k >> (2 * j)) & 3;
            for (unsigned b = 0; b < 4; b++)
                shuffle[k][4 * j + b] = (uint8_t)(b <= c ? at + b : 0x80);
            at += c + 1;
        }
        group_len[k] = (uint8_t)at;
    }
    __builtin_cpu_init();
    have_ssse3 = __builtin_cpu_supports("ssse3");
}

/* Whole groups of four with pshufb; 16 bytes are loaded at each group's
 * data (the caller guarantees SVB_OVERREAD bytes after the block). Returns
 * the end of the data of the groups decoded. */
__attribute__((target("ssse3"))) static const uint8_t *
decode_ssse3(const uint8_t *keys, const uint8_t *data, uint32_t groups,
             uint32_t *out, bool delta, uint32_t prev)
{
    __m128i last = _mm_set1_epi32((int)prev);
    for (uint32_t g = 0; g < groups; g++) {
        unsigned k = keys[g];
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)data);
        v = _mm_shuffle_epi8(
            v, _mm_loadu_si128((const __m128i *)(const void *)shuffle[k]));
        if (delta) {
            /* prefix sums within the group, then the previous total */
            v = _mm_add_epi32(v, _mm_slli_si128(v, 4));
            v = _mm_add_epi32(v, _mm_slli_si128(v, 8));
            v = _mm_add_epi32(v, last);
            last = _mm_shuffle_epi32(v, 0xff);
        }
        _mm_storeu_si128((__m128i *)(void *)(out + 4 * g), v);
        data += group_len[k];
    }
    return data;
}
#endif

static bool force_scalar; /* gzt_codec_force_scalar() */

void
gzt_codec_force_scalar(bool on)
{
    force_scalar = on;
}

/* Decode @p n values from @p src (control bytes, then data; SVB_OVERREAD
 * readable bytes after it). */
static const uint8_t *
decode(const uint8_t *src, uint32_t n, uint32_t *out, bool delta, uint32_t prev)
{
    const uint8_t *keys = src, *data = src + control_len(n);
    uint32_t from = 0;
#ifdef GZT_SVB_SSSE3
    pthread_once(&tables_once, tables_init);
    if (have_ssse3 && !force_scalar && n >= 4) {
        from = n & ~3u;
        data = decode_ssse3(keys, data, n / 4, out, delta, prev);
        if (delta)
            prev = out[from - 1];
    }
#endif
    return decode_scalar(keys, data, from, n, out, delta, prev);
}

int
gzt_codec_len(const uint8_t *in, size_t avail, uint32_t n, size_t *len)
{
    if (n > GZT_BLOCK)
        return GZT_ECORRUPT;
    size_t keys = control_len(n);
    if (keys > avail)
        return GZT_ECORRUPT;
    /* Each code is one less than its integer's byte count; bits of the last
     * control byte beyond n are ignored, as the library ignores them. */
    size_t data = 0, g = 0;
#ifdef GZT_SVB_SSSE3
    pthread_once(&tables_once, tables_init);
    for (; g < n / 4; g++)
        data += group_len[in[g]];
#endif
    for (; g < n / 4; g++)
        data += group_bytes(in[g]);
    data += n & 3u;
    for (uint32_t i = n & ~3u; i < n; i++)
        data += (in[i / 4] >> (2 * (i % 4))) & 3;
    if (data > avail - keys)
        return GZT_ECORRUPT;
    *len = keys + data;
    return GZT_OK;
}

/*
 * Point *src at bytes the decoder may read freely for the block of @p n
 * integers at @p in: @p in itself when enough bytes follow the block, else
 * a zero-padded copy in @p pad. *len receives the block's length, checked
 * against @p avail, or 0 when @p avail holds the longest block @p n
 * integers can take and the over-read after it: then the decoder's end
 * tells the length, without a pass over the control bytes first.
 */
static int
prepare(const uint8_t *in, size_t avail, uint32_t n,
        uint8_t pad[static PAD_LEN], const uint8_t **src, size_t *len)
{
    *src = in;
    *len = 0;
    if (n == 0 ||
        (n <= GZT_BLOCK && avail >= gzt_codec_bound(n) + SVB_OVERREAD))
        return GZT_OK;
    int rc = gzt_codec_len(in, avail, n, len);
    if (rc)
        return rc;
    if (avail - *len < SVB_OVERREAD) {
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
        const uint8_t *end = decode(src, n, out, false, 0);
        if (src == in)
            len = (size_t)(end - in);
    }
    *used = len;
    return GZT_OK;
}

void
gzt_codec_decode_sized(const uint8_t *in, size_t len, size_t avail, uint32_t n,
                       uint32_t *out)
{
    uint8_t pad[PAD_LEN];
    const uint8_t *src = in;
    if (n == 0)
        return;
    if (avail - len < SVB_OVERREAD) {
        memcpy(pad, in, len);
        memset(pad + len, 0, SVB_OVERREAD);
        src = pad;
    }
    decode(src, n, out, false, 0);
}

uint32_t
gzt_codec_value_at(const uint8_t *in, size_t len, uint32_t n, uint32_t j,
                   gzt_codec_at *at)
{
    if (j >= n || control_len(n) > len)
        return 0;
    if (at->j > j)
        *at = (gzt_codec_at){0, 0};
    size_t off = at->off;
    uint32_t i = at->j;
    for (; i % 4 && i < j; i++) /* to a group's start */
        off += (in[i / 4] >> (2 * (i % 4)) & 3) + 1;
    for (; i + 4 <= j; i += 4) /* whole groups */
        off += group_bytes(in[i / 4]);
    for (; i < j; i++)
        off += (in[i / 4] >> (2 * (i % 4)) & 3) + 1;
    at->j = j;
    at->off = (uint32_t)off;
    unsigned bytes = (in[j / 4] >> (2 * (j % 4)) & 3) + 1;
    const uint8_t *p = in + control_len(n) + off;
    if (control_len(n) + off + bytes > len)
        return 0;
    uint32_t v = 0;
    for (unsigned b = 0; b < bytes; b++)
        v |= (uint32_t)p[b] << (8 * b);
    return v;
}

/* gzt_codec_ascending() for a constant @p strict: on every block of
 * docids a cursor loads, so four at a time where SSE2 is there (every
 * x86-64), comparing unsigned as signed after flipping the top bit. A
 * step is bad when the value before is above it, or (strict) not below. */
static inline __attribute__((always_inline)) bool
ascending(const uint32_t *v, uint32_t n, bool strict)
{
    uint32_t i = 1;
    bool bad = false;
#ifdef __SSE2__
    const __m128i top = _mm_set1_epi32(INT32_MIN);
    const __m128i ones = _mm_set1_epi32(-1);
    __m128i acc = _mm_setzero_si128();
    for (; i + 4 <= n; i += 4) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(v + i));
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(v + i - 1));
        a = _mm_xor_si128(a, top);
        b = _mm_xor_si128(b, top);
        acc = _mm_or_si128(acc, strict
                                    ? _mm_xor_si128(_mm_cmpgt_epi32(a, b), ones)
                                    : _mm_cmpgt_epi32(b, a));
    }
    bad = _mm_movemask_epi8(acc) != 0;
#endif
    for (; i < n; i++)
        bad |= strict ? v[i] <= v[i - 1] : v[i] < v[i - 1];
    return !bad;
}

bool
gzt_codec_ascending(const uint32_t *v, uint32_t n, bool strict)
{
    return strict ? ascending(v, n, true) : ascending(v, n, false);
}

uint32_t
gzt_codec_intersect(const uint32_t *a, uint32_t na, const uint32_t *b,
                    uint32_t nb, uint32_t *ia, uint32_t *ib, uint32_t *used_a,
                    uint32_t *used_b)
{
    uint32_t i = 0, j = 0, o = 0;
#ifdef __SSE2__
    /* Four of a against four of b, in every rotation of b; then the list
     * whose fourth value is lower (or both) moves on. Values are distinct
     * within each list, so a value matches once, and matches come out in
     * order: a later four of b can only match later values of a. */
    if (force_scalar || na < 4 || nb < 4)
        goto tail;
    for (;;) {
        __m128i va = _mm_loadu_si128((const __m128i *)(a + j));
        __m128i vb = _mm_loadu_si128((const __m128i *)(b + i));
        __m128i e0 = _mm_cmpeq_epi32(va, vb);
        __m128i e1 = _mm_cmpeq_epi32(va, _mm_shuffle_epi32(vb, 0x39));
        __m128i e2 = _mm_cmpeq_epi32(va, _mm_shuffle_epi32(vb, 0x4e));
        __m128i e3 = _mm_cmpeq_epi32(va, _mm_shuffle_epi32(vb, 0x93));
        unsigned any = (unsigned)_mm_movemask_ps(_mm_castsi128_ps(
            _mm_or_si128(_mm_or_si128(e0, e1), _mm_or_si128(e2, e3))));
        if (any) {
            /* lane q of a met b's lane q + r (mod 4) in rotation r */
            unsigned m1 = (unsigned)_mm_movemask_ps(_mm_castsi128_ps(e1));
            unsigned m2 = (unsigned)_mm_movemask_ps(_mm_castsi128_ps(e2));
            unsigned m3 = (unsigned)_mm_movemask_ps(_mm_castsi128_ps(e3));
            for (; any; any &= any - 1) {
                unsigned q = (unsigned)__builtin_ctz(any);
                unsigned r =
                    (m1 >> q & 1) | (m2 >> q & 1) * 2 | (m3 >> q & 1) * 3;
                ia[o] = j + q;
                ib[o++] = i + ((q + r) & 3);
            }
        }
        uint32_t amax = a[j + 3], bmax = b[i + 3];
        j += amax <= bmax ? 4 : 0;
        i += bmax <= amax ? 4 : 0;
        if (j + 4 > na || i + 4 > nb)
            break;
    }
    /* values of a up to b[i - 1] met every value of b they could equal */
    while (j < na && i > 0 && a[j] <= b[i - 1])
        j++;
tail:
#endif
    while (j < na && i < nb) {
        uint32_t x = a[j], y = b[i];
        ia[o] = j;
        ib[o] = i;
        o += x == y;
        j += x <= y;
        i += y <= x;
    }
    *used_a = j;
    *used_b = i;
    return o;
}

static inline __attribute__((always_inline)) int
decode_delta(const uint8_t *in, size_t avail, uint32_t n, uint32_t prev,
             uint32_t *out, size_t *used, bool check)
{
    uint8_t pad[PAD_LEN];
    const uint8_t *src;
    size_t len;
    int rc = prepare(in, avail, n, pad, &src, &len);
    if (rc)
        return rc;
    if (n) {
        const uint8_t *end = decode(src, n, out, true, prev);
        if (src == in)
            len = (size_t)(end - in);
        /* the library adds modulo 2^32: a wrap shows as a step down */
        if (check && (out[0] < prev || !ascending(out, n, false)))
            return GZT_ECORRUPT;
    }
    *used = len;
    return GZT_OK;
}

int
gzt_codec_decode_delta(const uint8_t *in, size_t avail, uint32_t n,
                       uint32_t prev, uint32_t *out, size_t *used)
{
    return decode_delta(in, avail, n, prev, out, used, true);
}

int
gzt_codec_decode_delta_unchecked(const uint8_t *in, size_t avail, uint32_t n,
                                 uint32_t prev, uint32_t *out, size_t *used)
{
    return decode_delta(in, avail, n, prev, out, used, false);
}
