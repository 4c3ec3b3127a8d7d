/* SPDX-License-Identifier: MIT */
/*
 * fuzz_store.c: one record of a stored-document block (gzt_store_parse in
 * common/segment.c) on arbitrary bytes, and its entity field decoded
 * against its own title and body, as gzt_index_get() and the snippets do.
 *
 * A record that parses has its five fields inside the bytes; written back
 * with gzt_store_record() it parses to the same fields. The entity field
 * may be refused (GZT_ECORRUPT), never misread: spans fit their field.
 */
#include "common/entity.h"
#include "common/segment.h"
#include "tests/fuzz/fuzzkit.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gzt_docfields f;
    if (!gzt_store_parse(data, size, &f))
        return 0;
    for (int k = 0; k < GZT_STORE_FIELDS; k++)
        GZT_FUZZ_CHECK((const uint8_t *)f.f[k] >= data && f.len[k] <= size &&
                       (const uint8_t *)f.f[k] + f.len[k] <= data + size);
    gzt_buf b = GZT_BUF_INIT;
    GZT_FUZZ_CHECK(gzt_store_record(&b, &f) == GZT_OK);
    gzt_docfields g;
    GZT_FUZZ_CHECK(gzt_store_parse(b.p, b.len, &g));
    for (int k = 0; k < GZT_STORE_FIELDS; k++)
        GZT_FUZZ_CHECK(g.len[k] == f.len[k] &&
                       !memcmp(g.f[k], f.f[k], f.len[k]));

    gzt_arena arena;
    gzt_arena_init(&arena, 0);
    gzt_entity *e;
    size_t n;
    int rc = gzt_entity_decode(f.f[GZT_FIELD_ENTITIES],
                               f.len[GZT_FIELD_ENTITIES], f.f[GZT_FIELD_TITLE],
                               f.len[GZT_FIELD_TITLE], f.f[GZT_FIELD_BODY],
                               f.len[GZT_FIELD_BODY], &arena, &e, &n);
    GZT_FUZZ_CHECK(rc == GZT_OK || rc == GZT_ECORRUPT);
    for (size_t i = 0; rc == GZT_OK && i < n; i++) {
        size_t limit = e[i].field == GZT_ENT_TITLE ? f.len[GZT_FIELD_TITLE]
                                                   : f.len[GZT_FIELD_BODY];
        GZT_FUZZ_CHECK(e[i].start < e[i].end && e[i].end <= limit);
    }
    gzt_arena_fini(&arena);
    gzt_buf_free(&b);
    return 0;
}
