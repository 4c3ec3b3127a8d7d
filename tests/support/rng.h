/* SPDX-License-Identifier: MIT */
/*
 * rng.h: the tests' random numbers: xorshift64, deterministic from its
 * seed, so that a failure reproduces.
 */
#ifndef GZT_TEST_RNG_H
#define GZT_TEST_RNG_H

#include <stdint.h>

/* The next number of the sequence in *@p state (never seed it with 0). */
static inline uint64_t
gzt_test_rnd64(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

#endif
