/* SPDX-License-Identifier: MIT */
/*
 * fuzz_recognize.c: entity recognition as indexing runs it
 * (gzt_recognizer_find in common/entity.c: the built-in tagger, gazetteers
 * and coreference) on arbitrary bytes, the first line taken as the title.
 *
 * Ill-formed UTF-8 must not fail. Mentions must lie inside their field and
 * have a known type and a canonical form; the stored form of them must
 * decode to the same spans (what gzt_index_get() later reads).
 */
#include "common/entity.h"
#include "tests/fuzz/fuzzkit.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static gzt_recognizer *r;
    if (!r)
        GZT_FUZZ_CHECK(gzt_recognizer_new(&r, NULL, 0, NULL) == GZT_OK);
    const char *text = (const char *)data;
    const char *nl = memchr(text, '\n', size);
    size_t title_len = nl ? (size_t)(nl - text) : 0;
    const char *body = nl ? nl + 1 : text;
    size_t body_len = size - (size_t)(body - text);
    gzt_arena arena;
    gzt_arena_init(&arena, 0);
    gzt_entity *e = NULL, *e2 = NULL;
    size_t n = 0, n2 = 0;
    gzt_error err = {0};
    GZT_FUZZ_CHECK(gzt_recognizer_find(r, nl ? text : NULL, title_len, body,
                                       body_len, &arena, &e, &n,
                                       &err) == GZT_OK);
    for (size_t i = 0; i < n; i++) {
        size_t limit = e[i].field == GZT_ENT_TITLE ? title_len : body_len;
        GZT_FUZZ_CHECK(e[i].field <= GZT_ENT_TITLE);
        GZT_FUZZ_CHECK(e[i].type >= GZT_NER_PER && e[i].type <= GZT_NER_MISC);
        GZT_FUZZ_CHECK(e[i].start < e[i].end && e[i].end <= limit);
        GZT_FUZZ_CHECK(e[i].canonical && e[i].canonical_len > 0);
    }
    gzt_buf b = GZT_BUF_INIT;
    const char *title = nl ? text : NULL;
    GZT_FUZZ_CHECK(gzt_entity_encode(&b, e, n, title, body) == GZT_OK);
    GZT_FUZZ_CHECK(gzt_entity_decode(b.p, b.len, title, title_len, body,
                                     body_len, &arena, &e2, &n2) == GZT_OK);
    GZT_FUZZ_CHECK(n2 == n);
    for (size_t i = 0; i < n; i++)
        GZT_FUZZ_CHECK(
            e2[i].start == e[i].start && e2[i].end == e[i].end &&
            e2[i].type == e[i].type &&
            e2[i].canonical_len == e[i].canonical_len &&
            !memcmp(e2[i].canonical, e[i].canonical, e[i].canonical_len));
    gzt_buf_free(&b);
    gzt_arena_fini(&arena);
    return 0;
}
