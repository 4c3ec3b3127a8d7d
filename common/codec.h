/* SPDX-License-Identifier: MIT */
/*
 * codec.h: integer codecs for postings: blocks of up to GZT_BLOCK 32-bit
 * integers with libstreamvbyte (SIMD), plain or differential.
 *
 * Decoders take the bytes available and never read past them, even though
 * streamvbyte's SIMD decoder may load up to 16 bytes beyond the data: when
 * the input is too close to its end the bytes are first copied to a padded
 * buffer.
 */
#ifndef GZT_CODEC_H
#define GZT_CODEC_H

#include "common/base.h"

#define GZT_BLOCK 128

/* worst-case encoded size of @p n integers */
size_t gzt_codec_bound(uint32_t n);

/* Encode @p n integers (n <= GZT_BLOCK) into @p out (gzt_codec_bound(n)
 * bytes available); returns the bytes written. */
size_t gzt_codec_encode(const uint32_t *in, uint32_t n, uint8_t *out);
/* Encode a non-decreasing sequence as differences, the first from @p prev. */
size_t gzt_codec_encode_delta(const uint32_t *in, uint32_t n, uint32_t prev,
                              uint8_t *out);

/* The bytes @p n integers encoded by gzt_codec_encode() take at @p in, read
 * from their control bytes alone; GZT_ECORRUPT when more than @p avail or
 * n > GZT_BLOCK. */
GZT_NODISCARD int gzt_codec_len(const uint8_t *in, size_t avail, uint32_t n,
                                size_t *len);

/* Decode @p n integers from @p avail bytes at @p in into @p out; *used
 * receives the bytes consumed. GZT_ECORRUPT when the encoding claims more
 * bytes than available or n > GZT_BLOCK, and for the delta form also when
 * the values would wrap past UINT32_MAX (its output never decreases). */
GZT_NODISCARD int gzt_codec_decode(const uint8_t *in, size_t avail, uint32_t n,
                                   uint32_t *out, size_t *used);
GZT_NODISCARD int gzt_codec_decode_delta(const uint8_t *in, size_t avail,
                                         uint32_t n, uint32_t prev,
                                         uint32_t *out, size_t *used);
/* gzt_codec_decode_delta() without the check that the values never
 * decrease (they wrap modulo 2^32): for a caller that checks a stricter
 * order itself, which a wrap fails too. */
GZT_NODISCARD int gzt_codec_decode_delta_unchecked(const uint8_t *in,
                                                   size_t avail, uint32_t n,
                                                   uint32_t prev, uint32_t *out,
                                                   size_t *used);

/* gzt_codec_decode() of a block whose length @p len gzt_codec_len() has
 * found already (with the same @p in, @p avail and @p n): it cannot fail. */
void gzt_codec_decode_sized(const uint8_t *in, size_t len, size_t avail,
                            uint32_t n, uint32_t *out);

/* Where gzt_codec_value_at() stands in a block: value j starts @p off bytes
 * into the data (after the control bytes). {0, 0} before the first call. */
typedef struct gzt_codec_at {
    uint32_t j;   /* a value of the block */
    uint32_t off; /* where its bytes start in the data */
} gzt_codec_at;

/* Value @p j of the @p n integers gzt_codec_encode() wrote into the @p len
 * bytes at @p in, found from the control bytes alone, without decoding the
 * others; 0 when its bytes would lie past @p len (an encoded block never
 * does). @p at makes calls for increasing @p j walk the control bytes once
 * between them. */
uint32_t gzt_codec_value_at(const uint8_t *in, size_t len, uint32_t n,
                            uint32_t j, gzt_codec_at *at);

/* Whether each of the @p n values of @p v is above (@p strict) or not
 * below the one before it. */
bool gzt_codec_ascending(const uint32_t *v, uint32_t n, bool strict);

/* Intersect two strictly increasing lists: for each value of @p a that
 * @p b holds, in order, its index in @p a goes to @p ia and its index in
 * @p b to @p ib (each with room for the shorter list); returns how many.
 * It stops when either list is used up; *used_a and *used_b receive how
 * far each was consumed: every value of @p a before *used_a was decided,
 * and every value of @p b before *used_b is below a[*used_a] (when that
 * exists). Four by four with SSE2. */
uint32_t gzt_codec_intersect(const uint32_t *a, uint32_t na, const uint32_t *b,
                             uint32_t nb, uint32_t *ia, uint32_t *ib,
                             uint32_t *used_a, uint32_t *used_b);

/* For tests: decode and intersect with the scalar loops alone (true) or
 * let the CPU choose (false, the default). Not thread-safe; call before
 * decoding. */
void gzt_codec_force_scalar(bool on);

#endif
