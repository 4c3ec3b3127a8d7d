/* SPDX-License-Identifier: MIT */
/*
 * test_codec.c: the Stream VByte block codec. Round trips over the byte-width
 * boundaries, delta coding from a previous value, and the decoders' defence
 * against hostile input: every truncation of a block is corrupt and, with
 * the block copied to a heap buffer of exactly its size, AddressSanitizer
 * proves nothing past the end is read. The codec is gazette's own; the
 * library it replaced (libstreamvbyte) is the oracle of the format: the
 * encoders write the library's bytes exactly, and both decoders (SIMD and
 * scalar) read what the library wrote.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "common/codec.h"

#include <streamvbyte.h>
#include <streamvbytedelta.h>

static const uint32_t edge_values[] = {
    0, 255, 256, 65535, 65536, 1u << 24, UINT32_MAX,
};
#define N_EDGE (sizeof edge_values / sizeof edge_values[0])

static const uint32_t sizes[] = {0, 1, 3, 4, 5, 127, 128};
#define N_SIZES (sizeof sizes / sizeof sizes[0])

/* xorshift64: deterministic, so a failure reproduces */
static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint32_t
rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 32);
}

/* a value of 1 to 4 significant bytes, small ones more likely */
static uint32_t
rnd_value(void)
{
    unsigned bits = rnd() % 33;
    return bits == 32 ? rnd() : rnd() & ((1u << bits) - 1);
}

static size_t
width(uint32_t v)
{
    return v < (1u << 8) ? 1 : v < (1u << 16) ? 2 : v < (1u << 24) ? 3 : 4;
}

/* Decode @p len bytes copied to a heap block of exactly that size, so that
 * ASan reports any read past the end. */
static int
decode_exact(const uint8_t *enc, size_t len, uint32_t n, bool delta,
             uint32_t prev, uint32_t *out, size_t *used)
{
    uint8_t *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, enc, len);
    int rc = delta ? gzt_codec_decode_delta(copy, len, n, prev, out, used)
                   : gzt_codec_decode(copy, len, n, out, used);
    free(copy);
    return rc;
}

static void
test_edge_values_round_trip_at_every_block_size(void **state)
{
    GZT_UNUSED(state);
    for (size_t s = 0; s < N_SIZES; s++) {
        uint32_t n = sizes[s];
        uint32_t in[GZT_BLOCK], out[GZT_BLOCK];
        uint8_t enc[GZT_BLOCK / 4 + 4 * GZT_BLOCK];
        size_t expect = (n + 3) / 4;
        for (uint32_t i = 0; i < n; i++) {
            in[i] = edge_values[(i + s) % N_EDGE];
            expect += width(in[i]);
        }
        assert_true(gzt_codec_bound(n) <= sizeof enc);
        size_t len = gzt_codec_encode(in, n, enc);
        assert_int_equal(len, expect);
        size_t used = 99;
        memset(out, 0xab, sizeof out);
        assert_int_equal(decode_exact(enc, len, n, false, 0, out, &used),
                         GZT_OK);
        assert_int_equal(used, len);
        if (n)
            assert_memory_equal(out, in, n * sizeof in[0]);
    }
}

/* The encoders store every value as four bytes and step by its length:
 * they must still write nothing past gzt_codec_bound(n), however short the
 * values (a canary after the bound; AddressSanitizer sees the heap block
 * end there too), and decode to what went in. */
static void
test_encoders_write_within_the_bound(void **state)
{
    GZT_UNUSED(state);
    for (uint32_t n = 0; n <= GZT_BLOCK; n++) {
        for (int width = 0; width < 5; width++) {
            uint32_t in[GZT_BLOCK], out[GZT_BLOCK];
            uint32_t acc = 7;
            for (uint32_t i = 0; i < n; i++) {
                /* width 0..3: values of one to four bytes; 4: mixed */
                int w = width < 4 ? width : (int)(rnd() % 4);
                uint32_t v = w == 0   ? rnd() % 256
                             : w == 1 ? 256 + rnd() % 65000
                             : w == 2 ? (1u << 16) + rnd() % (1u << 23)
                                      : (1u << 24) + rnd() % (1u << 30);
                in[i] = acc += v % 1000; /* non-decreasing, for the delta */
                if (width < 4)
                    in[i] = v;
            }
            size_t bound = gzt_codec_bound(n);
            for (int delta = 0; delta < 2; delta++) {
                if (delta && width < 4)
                    continue;
                uint8_t *enc = malloc(bound + 16);
                assert_non_null(enc);
                memset(enc, 0xcd, bound + 16);
                size_t len = delta ? gzt_codec_encode_delta(in, n, 3, enc)
                                   : gzt_codec_encode(in, n, enc);
                assert_true(len <= bound);
                for (size_t k = bound; k < bound + 16; k++)
                    assert_int_equal(enc[k], 0xcd);
                size_t used = 0;
                assert_int_equal(
                    decode_exact(enc, len, n, delta, 3, out, &used), GZT_OK);
                assert_int_equal(used, len);
                if (n)
                    assert_memory_equal(out, in, n * sizeof in[0]);
                free(enc);
            }
        }
    }
}

static void
test_delta_round_trips_from_prev(void **state)
{
    GZT_UNUSED(state);
    for (size_t s = 0; s < N_SIZES; s++) {
        uint32_t n = sizes[s];
        uint32_t in[GZT_BLOCK], out[GZT_BLOCK];
        uint8_t enc[GZT_BLOCK / 4 + 4 * GZT_BLOCK];
        /* gaps of every width, repeated values (gap 0) included, ending
         * at UINT32_MAX exactly when the block is full */
        uint32_t prev = 1000, v = prev;
        for (uint32_t i = 0; i < n; i++) {
            uint32_t gap = i % 5 == 4 ? 0 : edge_values[i % 6];
            v = gap > UINT32_MAX - v ? UINT32_MAX : v + gap;
            in[i] = v;
        }
        size_t len = gzt_codec_encode_delta(in, n, prev, enc);
        size_t used = 0;
        assert_int_equal(decode_exact(enc, len, n, true, prev, out, &used),
                         GZT_OK);
        assert_int_equal(used, len);
        if (n)
            assert_memory_equal(out, in, n * sizeof in[0]);
    }
}

static void
test_delta_gaps_are_small_when_values_are_close(void **state)
{
    GZT_UNUSED(state);
    /* docids in the millions one apart cost one data byte each */
    uint32_t in[GZT_BLOCK];
    uint8_t enc[GZT_BLOCK / 4 + 4 * GZT_BLOCK];
    for (uint32_t i = 0; i < GZT_BLOCK; i++)
        in[i] = 5000000 + 3 * i;
    assert_int_equal(gzt_codec_encode_delta(in, GZT_BLOCK, 4999999, enc),
                     GZT_BLOCK / 4 + GZT_BLOCK);
}

static void
test_delta_decode_is_relative_to_prev(void **state)
{
    GZT_UNUSED(state);
    uint32_t in[] = {10, 20, 30}, out[3];
    uint8_t enc[16];
    size_t len = gzt_codec_encode_delta(in, 3, 5, enc), used;
    assert_int_equal(gzt_codec_decode_delta(enc, len, 3, 105, out, &used),
                     GZT_OK);
    assert_int_equal(out[0], 110);
    assert_int_equal(out[2], 130);
}

static void
test_truncated_block_is_corrupt(void **state)
{
    GZT_UNUSED(state);
    for (size_t s = 0; s < N_SIZES; s++) {
        uint32_t n = sizes[s];
        uint32_t in[GZT_BLOCK], out[GZT_BLOCK];
        uint8_t enc[GZT_BLOCK / 4 + 4 * GZT_BLOCK];
        for (uint32_t i = 0; i < n; i++)
            in[i] = (i * 2654435761u) >> (i % 32);
        size_t len = gzt_codec_encode(in, n, enc), used = 0;
        for (size_t cut = 0; cut < len; cut++) {
            assert_int_equal(decode_exact(enc, cut, n, false, 0, out, &used),
                             GZT_ECORRUPT);
            assert_int_equal(decode_exact(enc, cut, n, true, 0, out, &used),
                             GZT_ECORRUPT);
        }
        assert_int_equal(decode_exact(enc, len, n, false, 0, out, &used),
                         GZT_OK);
    }
}

static void
test_block_followed_by_more_bytes_reports_its_own_length(void **state)
{
    GZT_UNUSED(state);
    /* with plenty of bytes after it the block is decoded in place; used
     * must still stop at its end so the caller finds the next block */
    uint32_t in[GZT_BLOCK], out[GZT_BLOCK];
    uint8_t enc[2 * (GZT_BLOCK / 4 + 4 * GZT_BLOCK)];
    for (uint32_t i = 0; i < GZT_BLOCK; i++)
        in[i] = edge_values[i % N_EDGE];
    size_t len = gzt_codec_encode(in, GZT_BLOCK, enc);
    size_t len2 = gzt_codec_encode(in, 7, enc + len);
    size_t used;
    assert_int_equal(gzt_codec_decode(enc, len + len2, GZT_BLOCK, out, &used),
                     GZT_OK);
    assert_int_equal(used, len);
    assert_memory_equal(out, in, sizeof in);
    assert_int_equal(gzt_codec_decode(enc + len, len2, 7, out, &used), GZT_OK);
    assert_int_equal(used, len2);
    assert_memory_equal(out, in, 7 * sizeof in[0]);
}

static void
test_block_of_more_than_128_is_rejected(void **state)
{
    GZT_UNUSED(state);
    uint8_t enc[2048] = {0};
    uint32_t out[GZT_BLOCK + 1];
    size_t used;
    assert_int_equal(
        gzt_codec_decode(enc, sizeof enc, GZT_BLOCK + 1, out, &used),
        GZT_ECORRUPT);
    assert_int_equal(
        gzt_codec_decode_delta(enc, sizeof enc, UINT32_MAX, 0, out, &used),
        GZT_ECORRUPT);
}

static void
test_empty_block_needs_no_bytes(void **state)
{
    GZT_UNUSED(state);
    uint32_t out[1] = {7};
    size_t used = 99;
    assert_int_equal(gzt_codec_decode(NULL, 0, 0, out, &used), GZT_OK);
    assert_int_equal(used, 0);
    assert_int_equal(out[0], 7);
    assert_int_equal(gzt_codec_encode(out, 0, NULL), 0);
}

/* A step down anywhere in a full block (a wrap of the gaps) is found, by
 * the four-at-a-time check as well as the scalar tail; values that cross
 * 2^31 going up are not mistaken for one. */
static void
test_delta_steps_down_anywhere_in_a_block(void **state)
{
    GZT_UNUSED(state);
    uint32_t gaps[GZT_BLOCK], out[GZT_BLOCK];
    uint8_t enc[GZT_BLOCK * 5 + 64];
    size_t used;
    for (int scalar = 0; scalar <= 1; scalar++) {
        gzt_codec_force_scalar(scalar);
        for (uint32_t i = 0; i < GZT_BLOCK; i++)
            gaps[i] = 1;
        size_t len = gzt_codec_encode(gaps, GZT_BLOCK, enc);
        assert_int_equal(gzt_codec_decode_delta(enc, len, GZT_BLOCK,
                                                0x7fffffc0u, out, &used),
                         GZT_OK);
        assert_int_equal(out[GZT_BLOCK - 1], 0x7fffffc0u + GZT_BLOCK);
        for (uint32_t at = 0; at < GZT_BLOCK; at++) {
            gaps[at] = UINT32_MAX; /* one step back */
            len = gzt_codec_encode(gaps, GZT_BLOCK, enc);
            assert_int_equal(
                gzt_codec_decode_delta(enc, len, GZT_BLOCK, 1000, out, &used),
                GZT_ECORRUPT);
            gaps[at] = 1;
        }
    }
    gzt_codec_force_scalar(false);
}

/* Equal neighbours anywhere are refused only when strict; a value below
 * the one before it always; values across 2^31 going up never. */
static void
test_ascending_strict_and_not(void **state)
{
    GZT_UNUSED(state);
    uint32_t v[37];
    for (uint32_t i = 0; i < 37; i++)
        v[i] = 0x7ffffff0u + 2 * i;
    assert_true(gzt_codec_ascending(v, 37, true));
    for (uint32_t at = 1; at < 37; at++) {
        uint32_t keep = v[at];
        v[at] = v[at - 1];
        assert_true(gzt_codec_ascending(v, 37, false));
        assert_false(gzt_codec_ascending(v, 37, true));
        v[at] = v[at - 1] - 1;
        assert_false(gzt_codec_ascending(v, 37, false));
        v[at] = keep;
    }
}

/* A strictly increasing list of @p n values, steps of 1 to @p gap, copied
 * to a heap block of exactly that size (ASan sees a read past its end). */
static uint32_t *
rnd_list(uint32_t n, uint32_t gap, uint32_t start)
{
    uint32_t *v = malloc((n ? n : 1) * sizeof *v);
    assert_non_null(v);
    for (uint32_t i = 0; i < n; i++)
        v[i] = start += 1 + rnd() % gap;
    return v;
}

/* Random pairs of lists, sparse and dense against each other and of every
 * length around the four-wide steps, both ways (SSE2 and scalar): the
 * result is the intersection (as indices into both) of the part of a that
 * was consumed, one list
 * is used up, and what b consumed lies below what a has left (the cursor
 * of b may rest on its last value only when a's next one is above it). */
static void
test_intersect_agrees_with_a_merge_and_reports_how_far_it_went(void **state)
{
    GZT_UNUSED(state);
    for (int scalar = 0; scalar < 2; scalar++) {
        gzt_codec_force_scalar(scalar);
        for (int t = 0; t < 20000; t++) {
            uint32_t na = rnd() % 40, nb = rnd() % (t % 7 ? 40 : 128);
            uint32_t ga = 1 + rnd() % 8, gb = 1 + rnd() % 8;
            uint32_t *a = rnd_list(na, ga, rnd() % 16);
            uint32_t *b = rnd_list(nb, gb, rnd() % 16);
            uint32_t ia[130], ib[130], ua = 99, ub = 99;
            uint32_t n = gzt_codec_intersect(a, na, b, nb, ia, ib, &ua, &ub);
            assert_true(ua <= na && ub <= nb);
            assert_true(ua == na || ub == nb);
            uint32_t want = 0, k = 0;
            for (uint32_t j = 0; j < ua; j++) {
                while (k < nb && b[k] < a[j])
                    k++;
                if (k < nb && b[k] == a[j]) {
                    assert_true(want < n);
                    assert_int_equal(ia[want], j);
                    assert_int_equal(ib[want], k);
                    want++;
                }
            }
            assert_int_equal(n, want);
            if (ua < na && ub > 0)
                assert_true(b[ub - 1] < a[ua]);
            free(a);
            free(b);
        }
    }
    gzt_codec_force_scalar(false);
}

/* Every value of random blocks of every size, read alone: in order (the
 * cursor walks forward), in a scrambled order (it starts again when asked
 * for an earlier one), and from a block cut short (0, never a read past
 * the end: the copy is exactly as long as it is said to be). */
static void
test_value_at_reads_one_value_without_decoding_the_block(void **state)
{
    GZT_UNUSED(state);
    for (int t = 0; t < 2000; t++) {
        uint32_t n = 1 + rnd() % GZT_BLOCK, v[GZT_BLOCK];
        for (uint32_t i = 0; i < n; i++)
            v[i] = rnd_value();
        uint8_t enc[GZT_BLOCK * 5];
        size_t len = gzt_codec_encode(v, n, enc);
        uint8_t *copy = malloc(len);
        assert_non_null(copy);
        memcpy(copy, enc, len);
        gzt_codec_at at = {0, 0};
        for (uint32_t j = rnd() % 3; j < n; j += 1 + rnd() % 3)
            assert_int_equal(gzt_codec_value_at(copy, len, n, j, &at), v[j]);
        for (uint32_t k = 0; k < 20; k++) {
            uint32_t j = rnd() % n;
            assert_int_equal(gzt_codec_value_at(copy, len, n, j, &at), v[j]);
        }
        assert_int_equal(gzt_codec_value_at(copy, len, n, n, &at), 0);
        free(copy);
        /* cut short: the last value's bytes are missing */
        size_t cut = len - 1;
        copy = malloc(cut);
        assert_non_null(copy);
        memcpy(copy, enc, cut);
        at = (gzt_codec_at){0, 0};
        assert_int_equal(gzt_codec_value_at(copy, cut, n, n - 1, &at), 0);
        free(copy);
    }
}

static void
test_delta_that_wraps_past_uint32_max_is_corrupt(void **state)
{
    GZT_UNUSED(state);
    /* gaps 1, 1 from UINT32_MAX - 1 would give UINT32_MAX, then 0 */
    uint32_t gaps[] = {1, 1}, out[2];
    uint8_t enc[16];
    size_t len = gzt_codec_encode(gaps, 2, enc), used;
    assert_int_equal(
        gzt_codec_decode_delta(enc, len, 2, UINT32_MAX - 2, out, &used),
        GZT_OK);
    assert_int_equal(out[1], UINT32_MAX);
    assert_int_equal(
        gzt_codec_decode_delta(enc, len, 2, UINT32_MAX - 1, out, &used),
        GZT_ECORRUPT);
}

static void
test_random_blocks_round_trip_and_random_bytes_never_overrun(void **state)
{
    GZT_UNUSED(state);
    uint32_t in[GZT_BLOCK], out[GZT_BLOCK];
    uint8_t enc[GZT_BLOCK / 4 + 4 * GZT_BLOCK];
    for (int iter = 0; iter < 10000; iter++) {
        uint32_t n = rnd() % (GZT_BLOCK + 1);
        for (uint32_t i = 0; i < n; i++)
            in[i] = rnd_value();
        size_t len = gzt_codec_encode(in, n, enc), used;
        assert_true(len <= gzt_codec_bound(n));
        assert_int_equal(decode_exact(enc, len, n, false, 0, out, &used),
                         GZT_OK);
        assert_int_equal(used, len);
        if (n)
            assert_memory_equal(out, in, n * sizeof in[0]);

        uint32_t prev = rnd_value(), v = prev;
        for (uint32_t i = 0; i < n; i++) {
            uint32_t gap = rnd_value() >> (rnd() % 32);
            v = gap > UINT32_MAX - v ? v : v + gap;
            in[i] = v;
        }
        len = gzt_codec_encode_delta(in, n, prev, enc);
        assert_int_equal(decode_exact(enc, len, n, true, prev, out, &used),
                         GZT_OK);
        assert_int_equal(used, len);
        if (n)
            assert_memory_equal(out, in, n * sizeof in[0]);

        /* garbage: any answer but a crash or an overrun will do, and a
         * success must not claim more bytes than it was given */
        size_t avail = rnd() % sizeof enc;
        for (size_t i = 0; i < avail; i++)
            enc[i] = (uint8_t)rnd();
        int rc = decode_exact(enc, avail, n, iter & 1, rnd(), out, &used);
        assert_true(rc == GZT_OK || rc == GZT_ECORRUPT);
        if (rc == GZT_OK)
            assert_true(used <= avail);
    }
}

/* The format is libstreamvbyte's: the same bytes out of both encoders,
 * and each of our decoders reads the library's blocks back. */
static void
test_the_format_is_libstreamvbytes(void **state)
{
    (void)state;
    uint32_t in[GZT_BLOCK], out[GZT_BLOCK];
    uint8_t ours[GZT_BLOCK * 5 + 16], theirs[GZT_BLOCK * 5 + 16];
    for (int iter = 0; iter < 20000; iter++) {
        uint32_t n = rnd() % (GZT_BLOCK + 1);
        bool delta = iter & 1;
        uint32_t prev = delta ? rnd_value() : 0;
        uint32_t v = prev;
        for (uint32_t i = 0; i < n; i++) {
            if (delta) {
                uint32_t gap = rnd_value();
                v = gap > UINT32_MAX - v ? v : v + gap;
                in[i] = v;
            } else {
                in[i] = rnd_value();
            }
        }
        size_t a = delta ? gzt_codec_encode_delta(in, n, prev, ours)
                         : gzt_codec_encode(in, n, ours);
        size_t b = n == 0  ? 0
                   : delta ? streamvbyte_delta_encode(in, n, theirs, prev)
                           : streamvbyte_encode(in, n, theirs);
        assert_int_equal(a, b);
        assert_memory_equal(ours, theirs, a);
        for (int scalar = 0; scalar < 2; scalar++) {
            gzt_codec_force_scalar(scalar);
            size_t used;
            memset(out, 0xa5, sizeof out);
            assert_int_equal(
                decode_exact(theirs, b, n, delta, prev, out, &used), GZT_OK);
            assert_int_equal(used, b);
            if (n)
                assert_memory_equal(out, in, n * sizeof *in);
        }
        gzt_codec_force_scalar(false);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edge_values_round_trip_at_every_block_size),
        cmocka_unit_test(test_encoders_write_within_the_bound),
        cmocka_unit_test(test_delta_round_trips_from_prev),
        cmocka_unit_test(test_delta_gaps_are_small_when_values_are_close),
        cmocka_unit_test(test_delta_decode_is_relative_to_prev),
        cmocka_unit_test(test_truncated_block_is_corrupt),
        cmocka_unit_test(
            test_block_followed_by_more_bytes_reports_its_own_length),
        cmocka_unit_test(test_block_of_more_than_128_is_rejected),
        cmocka_unit_test(test_empty_block_needs_no_bytes),
        cmocka_unit_test(test_delta_that_wraps_past_uint32_max_is_corrupt),
        cmocka_unit_test(test_delta_steps_down_anywhere_in_a_block),
        cmocka_unit_test(test_ascending_strict_and_not),
        cmocka_unit_test(
            test_intersect_agrees_with_a_merge_and_reports_how_far_it_went),
        cmocka_unit_test(
            test_value_at_reads_one_value_without_decoding_the_block),
        cmocka_unit_test(
            test_random_blocks_round_trip_and_random_bytes_never_overrun),
        cmocka_unit_test(test_the_format_is_libstreamvbytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
