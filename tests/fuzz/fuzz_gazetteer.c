/* SPDX-License-Identifier: MIT */
/*
 * fuzz_gazetteer.c: entity lists (common/gazetteer.c) on arbitrary bytes:
 * as one of the four built-in lists (the first byte picks which) and as a
 * user list (`--entities FILE`), then matched against the input's own
 * tokens.
 *
 * A list may be refused (GZT_EINVAL, GZT_ETOOBIG), and a refused user list
 * must leave the gazetteer as it was. Matching must report entries and cue
 * phrases that fit in the tokens left, known types, NUL-terminated
 * canonical forms, and a segmentation in which every I follows a B or I.
 */
#include "common/gazetteer.h"
#include "common/ner.h"
#include "tests/fuzz/fuzzkit.h"

static void
match(const gzt_gaz *g, const char *text, size_t len)
{
    gzt_buf toks = GZT_BUF_INIT, forms = GZT_BUF_INIT;
    GZT_FUZZ_CHECK(gzt_ner_tokenize(&toks, &forms, text, len) == GZT_OK);
    size_t n = toks.len / sizeof(gzt_nertok);
    gzt_gaz_tok *gt = gzt_malloc((n + 1) * sizeof *gt);
    gzt_gaz_hit *h = gzt_malloc((n + 1) * sizeof *h);
    GZT_FUZZ_CHECK(gt && h);
    for (size_t i = 0; i < n; i++) {
        gzt_nertok t;
        memcpy(&t, toks.p + i * sizeof t, sizeof t);
        gt[i].s = (const char *)forms.p + t.form;
        gt[i].len = t.form_len;
    }
    gzt_gaz_match(g, gt, n, h);
    for (size_t i = 0; i < n; i++) {
        GZT_FUZZ_CHECK(h[i].len <= n - i && h[i].cue_len <= n - i);
        GZT_FUZZ_CHECK(h[i].type <= GZT_GAZ_MISC);
        GZT_FUZZ_CHECK((h[i].len == 0) == (h[i].canonical == NULL));
        if (h[i].canonical)
            GZT_FUZZ_CHECK(h[i].type != GZT_GAZ_NONE &&
                           h[i].canonical[h[i].canonical_len] == '\0');
        GZT_FUZZ_CHECK(h[i].seg <= GZT_GAZ_SEG_I);
        if (h[i].seg == GZT_GAZ_SEG_I)
            GZT_FUZZ_CHECK(i > 0 && h[i - 1].seg != GZT_GAZ_SEG_O &&
                           h[i - 1].seg_type == h[i].seg_type);
    }
    gzt_free(gt);
    gzt_free(h);
    gzt_buf_free(&toks);
    gzt_buf_free(&forms);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const char *l[4] = {NULL, NULL, NULL, NULL};
    size_t ll[4] = {0, 0, 0, 0};
    if (size > 0) {
        l[data[0] % 4] = text;
        ll[data[0] % 4] = size;
    }
    gzt_gaz *g = NULL;
    gzt_error err = {0};
    int rc = gzt_gaz_load(&g, l[0], ll[0], l[1], ll[1], l[2], ll[2], l[3],
                          ll[3], &err);
    if (rc != GZT_OK) {
        GZT_FUZZ_CHECK((rc == GZT_EINVAL || rc == GZT_ETOOBIG) && !g);
        GZT_FUZZ_CHECK(err.code == rc && err.msg[0]);
        gzt_err_clear(&err);
        GZT_FUZZ_CHECK(gzt_gaz_load(&g, NULL, 0, NULL, 0, NULL, 0, NULL, 0,
                                    &err) == GZT_OK);
    }
    size_t before = gzt_gaz_count(g);
    rc = gzt_gaz_add_user(g, text, size, "user.tsv", &err);
    if (rc != GZT_OK) {
        GZT_FUZZ_CHECK(rc == GZT_EINVAL || rc == GZT_ETOOBIG);
        GZT_FUZZ_CHECK(err.code == rc && err.msg[0]);
        GZT_FUZZ_CHECK(gzt_gaz_count(g) == before);
    }
    match(g, text, size);
    gzt_gaz_free(g);
    return 0;
}
