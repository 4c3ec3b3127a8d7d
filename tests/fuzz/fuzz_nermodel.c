/* SPDX-License-Identifier: MIT */
/*
 * fuzz_nermodel.c: the entity tagger's model loader (gzt_ner_load in
 * common/ner.c) on arbitrary bytes, as `--ner-model FILE` reads them, and
 * tagging with whatever model loads.
 *
 * Each input is loaded as it is (mostly refused by the magic or the
 * checksum) and with its last eight bytes replaced by the checksum of the
 * rest, so that the header, tables and weights behind the checksum are
 * parsed. The seeds are small models that gzt_ner_train() wrote. A model
 * that loads must tag text: spans inside the text, in order, of known
 * types. Models of more than 2^16 weight rows (up to 2^24 are legal) are
 * skipped in the second form to keep executions fast.
 */
#include "common/ner.h"
#include "tests/fuzz/fuzzkit.h"

#define MAGIC_LEN 8
#define BITS_AT (MAGIC_LEN + 8) /* magic, version, groups, then bits */

static const char text[] =
    "TEHRAN - Russian Foreign Minister Sergei Lavrov met Iran's president "
    "Masoud Pezeshkian on Monday, the U.S. State Department said.\n\n"
    "IRAN AND RUSSIA SIGN TREATY\n\nMoscow, 17 January 2025 (TASS): The "
    "treaty was signed at the Kremlin by Vladimir Putin.";

static void
load_and_tag(const uint8_t *p, size_t len)
{
    gzt_ner *m = NULL;
    gzt_error err = {0};
    int rc = gzt_ner_load(&m, p, len, &err);
    if (rc != GZT_OK) {
        GZT_FUZZ_CHECK(rc == GZT_ECORRUPT && m == NULL && err.code == rc);
        return;
    }
    GZT_FUZZ_CHECK(gzt_ner_model_info(m) != NULL);
    gzt_arena arena;
    gzt_arena_init(&arena, 0);
    gzt_nerspan *spans;
    size_t n;
    GZT_FUZZ_CHECK(gzt_ner_tag(m, text, sizeof text - 1, &arena, &spans, &n,
                               &err) == GZT_OK);
    uint32_t last = 0;
    for (size_t i = 0; i < n; i++) {
        GZT_FUZZ_CHECK(spans[i].start >= last &&
                       spans[i].start < spans[i].end &&
                       spans[i].end <= sizeof text - 1);
        GZT_FUZZ_CHECK(spans[i].type >= GZT_NER_PER &&
                       spans[i].type <= GZT_NER_MISC);
        last = spans[i].end;
    }
    gzt_arena_fini(&arena);
    gzt_ner_free(m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    load_and_tag(data, size);
    if (size < BITS_AT + 4 || size < MAGIC_LEN + 8 ||
        gzt_load_u32(data + BITS_AT) > 16)
        return 0;
    uint8_t *fixed = gzt_malloc(size);
    GZT_FUZZ_CHECK(fixed != NULL);
    memcpy(fixed, data, size);
    uint64_t h = gzt_hash64(fixed, size - 8);
    for (int i = 0; i < 8; i++)
        fixed[size - 8 + i] = (uint8_t)(h >> (8 * i));
    load_and_tag(fixed, size);
    gzt_free(fixed);
    return 0;
}
