/* SPDX-License-Identifier: MIT */
/*
 * fuzz_entity.c: the stored form of entity mentions (gzt_entity_decode in
 * common/entity.c), the fifth field of a stored record, on arbitrary bytes.
 *
 * Input: two bytes giving the title and body lengths the spans must fit
 * (the first times 4, the second times 64), then the encoded mentions. The
 * title and body are made up ("abc..."), for the mentions stored without
 * a canonical form, which is then their text.
 * What decodes must hold spans inside their field, known types and fields,
 * and must encode and decode again to the same mentions.
 */
#include "common/entity.h"
#include "tests/fuzz/fuzzkit.h"

static void
same(const gzt_entity *a, const gzt_entity *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        GZT_FUZZ_CHECK(a[i].start == b[i].start && a[i].end == b[i].end &&
                       a[i].type == b[i].type && a[i].field == b[i].field);
        GZT_FUZZ_CHECK(a[i].canonical_len == b[i].canonical_len);
        GZT_FUZZ_CHECK(
            !memcmp(a[i].canonical, b[i].canonical, a[i].canonical_len));
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t title_len = (size_t)data[0] * 4, body_len = (size_t)data[1] * 64;
    const uint8_t *p = data + 2;
    size_t len = size - 2;
    gzt_arena arena;
    gzt_arena_init(&arena, 0);
    gzt_entity *e = NULL, *e2 = NULL;
    size_t n = 99, n2 = 99;
    static char text[256 * 64];
    for (size_t i = 0; i < sizeof text; i++)
        text[i] = (char)('a' + i % 26);
    const char *title = text, *body = text + 1;
    int rc = gzt_entity_decode(p, len, title, title_len, body, body_len, &arena,
                               &e, &n);
    if (rc == GZT_OK) {
        GZT_FUZZ_CHECK(n == 0 || e != NULL);
        for (size_t i = 0; i < n; i++) {
            size_t limit = e[i].field == GZT_ENT_TITLE ? title_len : body_len;
            GZT_FUZZ_CHECK(e[i].field <= GZT_ENT_TITLE);
            GZT_FUZZ_CHECK(e[i].type >= GZT_NER_PER &&
                           e[i].type <= GZT_NER_MISC);
            GZT_FUZZ_CHECK(e[i].start < e[i].end && e[i].end <= limit);
            GZT_FUZZ_CHECK(e[i].canonical &&
                           e[i].canonical[e[i].canonical_len] == '\0');
        }
        gzt_buf b = GZT_BUF_INIT;
        GZT_FUZZ_CHECK(gzt_entity_encode(&b, e, n, title, body) == GZT_OK);
        GZT_FUZZ_CHECK(b.len <= GZT_MAX(len, 1));
        rc = gzt_entity_decode(b.p, b.len, title, title_len, body, body_len,
                               &arena, &e2, &n2);
        GZT_FUZZ_CHECK(rc == GZT_OK && n2 == n);
        same(e, e2, n);
        gzt_buf_free(&b);
    } else {
        GZT_FUZZ_CHECK(rc == GZT_ECORRUPT && e == NULL && n == 0);
    }
    gzt_arena_fini(&arena);
    return 0;
}
