/* SPDX-License-Identifier: MIT */
/*
 * test_zblock.c: zstd blocks of stored documents. Round trips with and
 * without a dictionary trained on synthetic news records, and the decoder
 * against damage: every byte flipped, every truncation, trailing bytes, a
 * content size over the ceiling, the wrong dictionary, a damaged dictionary,
 * and allocation failures at every site. Damaged blocks are decoded from a
 * heap copy of exactly their size so that ASan catches any overrun.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "common/zblock.h"

#define NREC 500
#define ZSTD_MAGIC 0xFD2FB528u /* a frame's first four bytes, little endian */
#define DICT_CAP (16 * 1024)

static uint64_t rng_state = 0x2545f4914f6cdd1du;

static uint32_t
rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 32);
}

static const char *const cities[] = {
    "TEHRAN", "MOSCOW", "WASHINGTON", "LONDON", "BEIJING", "ANKARA",
};
static const char *const people[] = {
    "the Foreign Minister", "the Ambassador", "the spokesman",
    "a senior official",    "the President",  "the Defence Minister",
};
static const char *const verbs[] = {
    "said on Monday that", "told reporters that", "stressed that",
    "announced that",      "warned that",         "confirmed that",
};
static const char *const topics[] = {
    "the talks on the nuclear programme would continue",
    "sanctions had harmed trade between the two countries",
    "a delegation would visit the capital next week",
    "the agreement on energy cooperation was signed",
    "regional security remained the main concern",
    "the economic commission would meet in the spring",
};

#define PICK(a) (a[rnd() % (sizeof a / sizeof a[0])])

/* Append one JSON-ish news record, of the kind the store holds, to @p b
 * (@p flavour varies the vocabulary, for the wrong-dictionary test). */
static void
news_record(gzt_buf *b, unsigned i, int flavour)
{
    int rc = gzt_buf_printf(
        b,
        "{\"id\":\"%s-%05u\",\"date\":\"2025-%02u-%02u\",\"title\":\"%s "
        "%s %s\",\"body\":\"%s - ",
        flavour ? "tass" : "irna", i, rnd() % 12 + 1, rnd() % 28 + 1,
        PICK(people), PICK(verbs), PICK(topics), PICK(cities));
    assert_int_equal(rc, GZT_OK);
    for (unsigned s = rnd() % 4 + 2; s; s--) {
        if (flavour)
            rc = gzt_buf_printf(b, "%u %u Q%u zx%u ", rnd(), rnd(), rnd(),
                                rnd());
        else
            rc = gzt_buf_printf(b, "%s %s %s. ", PICK(people), PICK(verbs),
                                PICK(topics));
        assert_int_equal(rc, GZT_OK);
    }
    assert_int_equal(gzt_buf_printf(b, "\"}"), GZT_OK);
}

/* NREC records laid end to end, as gzt_zdict_train() wants them */
typedef struct corpus {
    gzt_buf all;         /* the records end to end */
    size_t sizes[NREC];  /* bytes of each */
    size_t starts[NREC]; /* offset of each in all */
} corpus;

static void
corpus_make(corpus *c, int flavour)
{
    gzt_buf b = GZT_BUF_INIT;
    for (unsigned i = 0; i < NREC; i++) {
        c->starts[i] = b.len;
        news_record(&b, i, flavour);
        c->sizes[i] = b.len - c->starts[i];
    }
    c->all = b;
}

static gzt_zctx *
zctx(const gzt_buf *dict)
{
    gzt_zctx *z = NULL;
    assert_int_equal(
        gzt_zctx_new(&z, dict ? dict->p : NULL, dict ? dict->len : 0, 3),
        GZT_OK);
    assert_non_null(z);
    return z;
}

/* Decompress @p len bytes copied to a heap block of exactly that size. */
static int
decompress_exact(gzt_zctx *z, gzt_buf *out, const uint8_t *src, size_t len,
                 size_t max_out)
{
    uint8_t *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, src, len);
    int rc = gzt_zblock_decompress(z, out, copy, len, max_out);
    free(copy);
    return rc;
}

/* compress and decompress every record; return the compressed total */
static size_t
round_trip_corpus(gzt_zctx *z, const corpus *c)
{
    gzt_buf comp = GZT_BUF_INIT, back = GZT_BUF_INIT;
    size_t total = 0;
    for (unsigned i = 0; i < NREC; i++) {
        const uint8_t *rec = c->all.p + c->starts[i];
        comp.len = 0;
        assert_int_equal(gzt_zblock_compress(z, &comp, rec, c->sizes[i]),
                         GZT_OK);
        total += comp.len;
        assert_int_equal(
            gzt_zblock_decompress(z, &back, comp.p, comp.len, c->sizes[i]),
            GZT_OK);
        assert_int_equal(back.len, c->sizes[i]);
        assert_memory_equal(back.p, rec, c->sizes[i]);
    }
    gzt_buf_free(&comp);
    gzt_buf_free(&back);
    return total;
}

static void
test_blocks_round_trip_without_dictionary(void **state)
{
    GZT_UNUSED(state);
    corpus c;
    corpus_make(&c, 0);
    gzt_zctx *z = zctx(NULL);
    size_t total = round_trip_corpus(z, &c);
    assert_true(total < c.all.len);
    gzt_zctx_free(z);
    gzt_buf_free(&c.all);
}

static void
test_trained_dictionary_round_trips_and_compresses_better(void **state)
{
    GZT_UNUSED(state);
    corpus c;
    corpus_make(&c, 0);
    gzt_buf dict = GZT_BUF_INIT;
    assert_int_equal(gzt_zdict_train(&dict, c.all.p, c.sizes, NREC, DICT_CAP),
                     GZT_OK);
    assert_true(dict.len > 0 && dict.len <= DICT_CAP);

    gzt_zctx *plain = zctx(NULL), *with = zctx(&dict);
    size_t without_dict = round_trip_corpus(plain, &c);
    size_t with_dict = round_trip_corpus(with, &c);
    /* short alike records are where a dictionary earns its keep */
    assert_true(with_dict * 2 < without_dict);
    gzt_zctx_free(plain);
    gzt_zctx_free(with);
    gzt_buf_free(&dict);
    gzt_buf_free(&c.all);
}

static void
test_too_little_training_data_gives_an_empty_dictionary(void **state)
{
    GZT_UNUSED(state);
    static const char docs[] = "Lavrov met Araghchi.Talks go on.Oil up.";
    const size_t sizes[] = {20, 13, 7};
    gzt_buf dict = GZT_BUF_INIT;
    assert_int_equal(gzt_buf_append(&dict, "stale", 5), GZT_OK);
    assert_int_equal(gzt_zdict_train(&dict, docs, sizes, 3, DICT_CAP), GZT_OK);
    assert_int_equal(dict.len, 0);
    assert_int_equal(gzt_zdict_train(&dict, docs, sizes, 0, DICT_CAP), GZT_OK);
    assert_int_equal(dict.len, 0);

    /* and the segment still works, without one */
    gzt_zctx *z = zctx(&dict);
    gzt_buf comp = GZT_BUF_INIT, back = GZT_BUF_INIT;
    assert_int_equal(gzt_zblock_compress(z, &comp, docs, 20), GZT_OK);
    assert_int_equal(gzt_zblock_decompress(z, &back, comp.p, comp.len, 20),
                     GZT_OK);
    assert_int_equal(back.len, 20);
    assert_memory_equal(back.p, docs, 20);
    gzt_buf_free(&comp);
    gzt_buf_free(&back);
    gzt_zctx_free(z);
    gzt_buf_free(&dict);
}

static void
test_empty_input_round_trips(void **state)
{
    GZT_UNUSED(state);
    gzt_zctx *z = zctx(NULL);
    gzt_buf comp = GZT_BUF_INIT, back = GZT_BUF_INIT;
    assert_int_equal(gzt_zblock_compress(z, &comp, NULL, 0), GZT_OK);
    assert_true(comp.len > 0);
    assert_int_equal(gzt_buf_append(&back, "junk", 4), GZT_OK);
    assert_int_equal(decompress_exact(z, &back, comp.p, comp.len, 0), GZT_OK);
    assert_int_equal(back.len, 0);
    /* nothing is not a block */
    assert_int_equal(decompress_exact(z, &back, comp.p, 0, 100), GZT_ECORRUPT);
    gzt_buf_free(&comp);
    gzt_buf_free(&back);
    gzt_zctx_free(z);
}

static void
test_compress_appends_to_the_buffer(void **state)
{
    GZT_UNUSED(state);
    gzt_zctx *z = zctx(NULL);
    gzt_buf comp = GZT_BUF_INIT, back = GZT_BUF_INIT;
    assert_int_equal(gzt_buf_append(&comp, "HDR", 3), GZT_OK);
    assert_int_equal(gzt_zblock_compress(z, &comp, "first", 5), GZT_OK);
    size_t second = comp.len;
    assert_int_equal(gzt_zblock_compress(z, &comp, "second", 6), GZT_OK);
    assert_memory_equal(comp.p, "HDR", 3);
    assert_int_equal(gzt_zblock_decompress(z, &back, comp.p + second,
                                           comp.len - second, 100),
                     GZT_OK);
    assert_int_equal(back.len, 6);
    assert_memory_equal(back.p, "second", 6);
    assert_int_equal(
        gzt_zblock_decompress(z, &back, comp.p + 3, second - 3, 100), GZT_OK);
    assert_int_equal(back.len, 5);
    assert_memory_equal(back.p, "first", 5);
    gzt_buf_free(&comp);
    gzt_buf_free(&back);
    gzt_zctx_free(z);
}

/* Flip every byte of a compressed record in turn (all bits, then the low
 * bit): each must decode to the original or be reported corrupt. */
static void
flip_every_byte(gzt_zctx *z, const corpus *c, unsigned i)
{
    const uint8_t *rec = c->all.p + c->starts[i];
    gzt_buf comp = GZT_BUF_INIT, back = GZT_BUF_INIT;
    assert_int_equal(gzt_zblock_compress(z, &comp, rec, c->sizes[i]), GZT_OK);
    unsigned corrupt = 0;
    for (size_t pos = 0; pos < comp.len; pos++) {
        for (int m = 0; m < 2; m++) {
            uint8_t mask = m ? 0x01 : 0xff;
            comp.p[pos] ^= mask;
            int rc = decompress_exact(z, &back, comp.p, comp.len, 1 << 20);
            comp.p[pos] ^= mask;
            if (rc == GZT_OK) {
                assert_int_equal(back.len, c->sizes[i]);
                assert_memory_equal(back.p, rec, c->sizes[i]);
            } else {
                assert_int_equal(rc, GZT_ECORRUPT);
                corrupt++;
            }
        }
    }
    /* the checksum must have caught nearly all of them */
    assert_true(corrupt > comp.len);
    gzt_buf_free(&comp);
    gzt_buf_free(&back);
}

static void
test_every_flipped_byte_is_corrupt_or_harmless(void **state)
{
    GZT_UNUSED(state);
    corpus c;
    corpus_make(&c, 0);
    gzt_buf dict = GZT_BUF_INIT;
    assert_int_equal(gzt_zdict_train(&dict, c.all.p, c.sizes, NREC, DICT_CAP),
                     GZT_OK);
    gzt_zctx *plain = zctx(NULL), *with = zctx(&dict);
    for (unsigned i = 0; i < 3; i++) {
        flip_every_byte(plain, &c, i);
        flip_every_byte(with, &c, i);
    }
    gzt_zctx_free(plain);
    gzt_zctx_free(with);
    gzt_buf_free(&dict);
    gzt_buf_free(&c.all);
}

static void
test_truncated_block_is_corrupt(void **state)
{
    GZT_UNUSED(state);
    corpus c;
    corpus_make(&c, 0);
    gzt_zctx *z = zctx(NULL);
    gzt_buf comp = GZT_BUF_INIT, back = GZT_BUF_INIT;
    assert_int_equal(gzt_zblock_compress(z, &comp, c.all.p, c.sizes[0]),
                     GZT_OK);
    for (size_t cut = 0; cut < comp.len; cut++)
        assert_int_equal(decompress_exact(z, &back, comp.p, cut, 1 << 20),
                         GZT_ECORRUPT);
    gzt_buf_free(&comp);
    gzt_buf_free(&back);
    gzt_zctx_free(z);
    gzt_buf_free(&c.all);
}

static void
test_trailing_bytes_or_a_second_frame_are_corrupt(void **state)
{
    GZT_UNUSED(state);
    gzt_zctx *z = zctx(NULL);
    gzt_buf comp = GZT_BUF_INIT, back = GZT_BUF_INIT;
    assert_int_equal(gzt_zblock_compress(z, &comp, "Lavrov", 6), GZT_OK);
    size_t one = comp.len;
    assert_int_equal(gzt_zblock_compress(z, &comp, "Lavrov", 6), GZT_OK);
    assert_int_equal(decompress_exact(z, &back, comp.p, comp.len, 100),
                     GZT_ECORRUPT);
    assert_int_equal(decompress_exact(z, &back, comp.p, one + 1, 100),
                     GZT_ECORRUPT);
    assert_int_equal(decompress_exact(z, &back, comp.p, one, 100), GZT_OK);
    gzt_buf_free(&comp);
    gzt_buf_free(&back);
    gzt_zctx_free(z);
}

static void
test_content_size_above_max_out_is_rejected(void **state)
{
    GZT_UNUSED(state);
    gzt_zctx *z = zctx(NULL);
    char text[1000];
    memset(text, 'a', sizeof text);
    gzt_buf comp = GZT_BUF_INIT, back = GZT_BUF_INIT;
    assert_int_equal(gzt_zblock_compress(z, &comp, text, sizeof text), GZT_OK);
    assert_true(comp.len < 100); /* a bomb in miniature */
    assert_int_equal(gzt_zblock_decompress(z, &back, comp.p, comp.len, 999),
                     GZT_ECORRUPT);
    assert_int_equal(back.len, 0);
    assert_true(back.cap < 999); /* refused before allocating */
    assert_int_equal(gzt_zblock_decompress(z, &back, comp.p, comp.len, 1000),
                     GZT_OK);
    assert_int_equal(back.len, 1000);

    /* a 16-byte frame claiming 2^64 - 4 bytes, with no ceiling: refused
     * without an attempt to allocate that much */
    uint8_t huge[16] = {0,    0,    0,    0,    0xc0, 0xfc, 0xff, 0xff,
                        0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x00, 0x00};
    gzt_store_u32(huge, ZSTD_MAGIC);
    size_t cap = back.cap;
    int rc = gzt_zblock_decompress(z, &back, huge, sizeof huge, SIZE_MAX);
    assert_true(rc == GZT_ECORRUPT || rc == GZT_ENOMEM);
    assert_int_equal(back.cap, cap);
    gzt_buf_free(&comp);
    gzt_buf_free(&back);
    gzt_zctx_free(z);
}

static void
test_wrong_dictionary_is_an_error_not_a_crash(void **state)
{
    GZT_UNUSED(state);
    corpus a, b;
    corpus_make(&a, 0);
    corpus_make(&b, 1);
    gzt_buf da = GZT_BUF_INIT, db = GZT_BUF_INIT;
    assert_int_equal(gzt_zdict_train(&da, a.all.p, a.sizes, NREC, DICT_CAP),
                     GZT_OK);
    assert_int_equal(gzt_zdict_train(&db, b.all.p, b.sizes, NREC, DICT_CAP),
                     GZT_OK);
    assert_true(da.len > 0 && db.len > 0);
    gzt_zctx *za = zctx(&da), *zb = zctx(&db), *none = zctx(NULL);
    gzt_buf comp = GZT_BUF_INIT, back = GZT_BUF_INIT;
    assert_int_equal(gzt_zblock_compress(za, &comp, a.all.p, a.sizes[0]),
                     GZT_OK);
    assert_int_equal(decompress_exact(zb, &back, comp.p, comp.len, 1 << 20),
                     GZT_ECORRUPT);
    assert_int_equal(decompress_exact(none, &back, comp.p, comp.len, 1 << 20),
                     GZT_ECORRUPT);
    assert_int_equal(decompress_exact(za, &back, comp.p, comp.len, 1 << 20),
                     GZT_OK);
    gzt_zctx_free(za);
    gzt_zctx_free(zb);
    gzt_zctx_free(none);
    gzt_buf_free(&comp);
    gzt_buf_free(&back);
    gzt_buf_free(&da);
    gzt_buf_free(&db);
    gzt_buf_free(&a.all);
    gzt_buf_free(&b.all);
}

static void
test_damaged_dictionary_is_corrupt_or_usable(void **state)
{
    GZT_UNUSED(state);
    corpus c;
    corpus_make(&c, 0);
    gzt_buf dict = GZT_BUF_INIT;
    assert_int_equal(gzt_zdict_train(&dict, c.all.p, c.sizes, NREC, DICT_CAP),
                     GZT_OK);
    gzt_zctx *z = NULL;
    /* a zstd dictionary cut inside its entropy tables */
    assert_int_equal(gzt_zctx_new(&z, dict.p, 12, 3), GZT_ECORRUPT);
    assert_null(z);
    /* damage in the header: refused, or usable as a dictionary */
    gzt_buf comp = GZT_BUF_INIT, back = GZT_BUF_INIT;
    for (size_t pos = 8; pos < 200; pos++) {
        dict.p[pos] ^= 0xff;
        int rc = gzt_zctx_new(&z, dict.p, dict.len, 3);
        dict.p[pos] ^= 0xff;
        if (rc != GZT_OK) {
            assert_int_equal(rc, GZT_ECORRUPT);
            continue;
        }
        comp.len = 0;
        assert_int_equal(gzt_zblock_compress(z, &comp, c.all.p, c.sizes[0]),
                         GZT_OK);
        assert_int_equal(
            gzt_zblock_decompress(z, &back, comp.p, comp.len, c.sizes[0]),
            GZT_OK);
        assert_memory_equal(back.p, c.all.p, c.sizes[0]);
        gzt_zctx_free(z);
    }
    gzt_buf_free(&comp);
    gzt_buf_free(&back);
    gzt_buf_free(&dict);
    gzt_buf_free(&c.all);
}

static void
test_out_of_range_level_is_invalid(void **state)
{
    GZT_UNUSED(state);
    gzt_zctx *z = NULL;
    assert_int_equal(gzt_zctx_new(&z, NULL, 0, 1000), GZT_EINVAL);
    assert_null(z);
    gzt_zctx_free(NULL);
}

static void
test_every_allocation_failure_is_clean(void **state)
{
    GZT_UNUSED(state);
    static const char dict[] = "raw content dictionary: Lavrov, Tehran, "
                               "Moscow, the Foreign Minister said";
    static const char text[] = "the Foreign Minister said in Tehran";
    /* our allocations are few; walk each until the whole job succeeds */
    for (long k = 1;; k++) {
        gzt_zctx *z = NULL;
        gzt_buf comp = GZT_BUF_INIT, back = GZT_BUF_INIT;
        gzt_mem_fail_after(k);
        int rc = gzt_zctx_new(&z, dict, sizeof dict, 3);
        if (rc == GZT_OK)
            rc = gzt_zblock_compress(z, &comp, text, sizeof text);
        if (rc == GZT_OK)
            rc = gzt_zblock_decompress(z, &back, comp.p, comp.len, 100);
        gzt_mem_fail_after(0);
        gzt_zctx_free(z);
        gzt_buf_free(&comp);
        if (rc == GZT_OK) {
            assert_int_equal(back.len, sizeof text);
            assert_memory_equal(back.p, text, sizeof text);
            gzt_buf_free(&back);
            assert_true(k > 3);
            break;
        }
        gzt_buf_free(&back);
        assert_int_equal(rc, GZT_ENOMEM);
        assert_true(k < 100);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blocks_round_trip_without_dictionary),
        cmocka_unit_test(
            test_trained_dictionary_round_trips_and_compresses_better),
        cmocka_unit_test(
            test_too_little_training_data_gives_an_empty_dictionary),
        cmocka_unit_test(test_empty_input_round_trips),
        cmocka_unit_test(test_compress_appends_to_the_buffer),
        cmocka_unit_test(test_every_flipped_byte_is_corrupt_or_harmless),
        cmocka_unit_test(test_truncated_block_is_corrupt),
        cmocka_unit_test(test_trailing_bytes_or_a_second_frame_are_corrupt),
        cmocka_unit_test(test_content_size_above_max_out_is_rejected),
        cmocka_unit_test(test_wrong_dictionary_is_an_error_not_a_crash),
        cmocka_unit_test(test_damaged_dictionary_is_corrupt_or_usable),
        cmocka_unit_test(test_out_of_range_level_is_invalid),
        cmocka_unit_test(test_every_allocation_failure_is_clean),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
