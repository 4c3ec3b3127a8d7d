/* SPDX-License-Identifier: MIT */
/*
 * test_coref.c: the in-document coreference of common/entity.c, whose
 * lookups go through hash indexes of the ring of the latest COREF_MAX
 * mentions. A second copy of entity.c is built into this test (its public
 * functions renamed) so that its static resolve() and remember() can be
 * compared with the rule as first written: a scan of the ring, latest
 * first, for the same type and surface, then, for a person named by one
 * word, for the latest person whose canonical form ends with that word.
 * Sequences of thousands of mentions over few surfaces make keys repeat,
 * leave the ring and come back, so that stale index slots are reused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define gzt_builtin_gazetteer coref_builtin_gazetteer
#define gzt_entity_decode coref_entity_decode
#define gzt_entity_encode coref_entity_encode
#define gzt_entity_prefix coref_entity_prefix
#define gzt_entity_type_name coref_entity_type_name
#define gzt_recognizer_add_list coref_recognizer_add_list
#define gzt_recognizer_clone coref_recognizer_clone
#define gzt_recognizer_find coref_recognizer_find
#define gzt_recognizer_free coref_recognizer_free
#define gzt_recognizer_new coref_recognizer_new
#include "common/entity.c"

#include "tests/support/rng.h"

static uint64_t rng_state = 0x51ed270b27a1c3f5ULL;

static uint32_t
rnd(uint32_t n)
{
    return (uint32_t)(gzt_test_rnd64(&rng_state) % n);
}

/* The rule as a scan of the ring (what resolve() did before its indexes). */
static const mention *
resolve_ref(const coref *c, uint8_t type, const char *s, uint32_t len)
{
    uint32_t n = GZT_MIN(c->n, (uint32_t)COREF_MAX);
    for (uint32_t k = 0; k < n; k++) {
        const mention *m = &c->m[(c->n - 1 - k) % COREF_MAX];
        if (m->type == type && m->surface_len == len &&
            !memcmp(m->surface, s, len))
            return m;
    }
    if (type != GZT_NER_PER || memchr(s, ' ', len))
        return NULL;
    for (uint32_t k = 0; k < n; k++) {
        const mention *m = &c->m[(c->n - 1 - k) % COREF_MAX];
        if (m->type != GZT_NER_PER || m->canonical_len <= len + 1)
            continue;
        const char *tail = m->canonical + m->canonical_len - len;
        if (tail[-1] == ' ' && !memcmp(tail, s, len))
            return m;
    }
    return NULL;
}

/* Surfaces and canonical forms: one-word names that are the last word of
 * longer ones, names of several words, odd spacing. */
static const char *const surfaces[] = {
    "Lavrov",
    "Sergey Lavrov",
    "Sergei Lavrov",
    "Putin",
    "Vladimir Putin",
    "Iran",
    "Tehran",
    "Lavrov ",
    " Lavrov",
    "Araghchi",
    "Abbas Araghchi",
    "Duma",
    "A",
    "B C",
    "C",
};
static const char *const canonicals[] = {
    "Sergey Lavrov", "Vladimir Putin", "Lavrov", "Abbas Araghchi",
    "Iran",          "Tehran",         "B C",    "X  Lavrov",
    "Lavrov ",       " Putin",         "C",
};

static void
run(uint32_t mentions, uint32_t nsurf)
{
    gzt_arena a;
    gzt_arena_init(&a, 0);
    coref *c = gzt_arena_alloc(&a, sizeof *c);
    assert_non_null(c);
    c->n = 0;
    c->arena = &a;
    c->surf = c->tail = (cindex){NULL, 0, 0};
    size_t found = 0;
    for (uint32_t i = 0; i < mentions; i++) {
        uint8_t type = (uint8_t)(GZT_NER_PER + rnd(i % 3 ? 1 : 4));
        /* long documents change subjects every 700 mentions: the other
         * half's surfaces leave the ring, then come back */
        uint32_t half = nsurf / 2;
        const char *s = mentions < 1000 ? surfaces[rnd(nsurf)]
                        : (i / 700) % 2 ? surfaces[rnd(half)]
                                        : surfaces[half + rnd(nsurf - half)];
        uint32_t len = (uint32_t)strlen(s);
        const mention *want = resolve_ref(c, type, s, len);
        const mention *got = resolve(c, type, s, len);
        if (want != got)
            fail_msg("mention %u (%u \"%s\"): index gives %p, scan %p", i, type,
                     s, (const void *)got, (const void *)want);
        found += got != NULL;
        const char *canon =
            got ? got->canonical
                : canonicals[rnd(sizeof canonicals / sizeof *canonicals)];
        assert_int_equal(
            remember(c, type, s, len, canon, (uint32_t)strlen(canon)), GZT_OK);
    }
    if (mentions > 10)
        assert_true(found > 0);
    gzt_arena_fini(&a);
}

static void
test_indexed_coreference_equals_the_scan_of_the_ring(void **state)
{
    (void)state;
    const uint32_t nsurf = sizeof surfaces / sizeof *surfaces;
    for (int r = 0; r < 20; r++) {
        run(1 + rnd(40), nsurf);     /* short documents */
        run(3000, 3);                /* few keys, far past the ring */
        run(2500 + rnd(500), nsurf); /* every key, past the ring */
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_indexed_coreference_equals_the_scan_of_the_ring),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
