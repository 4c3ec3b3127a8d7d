/* SPDX-License-Identifier: MIT */
/*
 * fuzz_analyze.c: the text analysis that documents and queries share
 * (common/analyze.c), UTF-8 repair (common/utf8.c) and the entity tagger's
 * tokenizer (gzt_ner_tokenize in common/ner.c), on arbitrary bytes.
 *
 * gzt_analyze() is promised repaired text but is written not to read past
 * the end of any bytes, so it gets the raw input as well as its repair.
 * The checks are the promises of the headers: repair yields well-formed
 * UTF-8 and leaves well-formed input alone (bar NULs); tokens lie inside the
 * text, in order, at increasing positions, with terms of 1..GZT_TERM_MAX
 * bytes that are UTF-8 and hold no ASCII capital (the term prefixes of
 * analyze.h rely on that); NER tokens lie inside the text, in order, with
 * forms of at most GZT_NER_FORM_MAX bytes inside the forms buffer.
 *
 * Besides English and "none", each input is also analysed in the
 * Snowball language that its first byte picks, so that every stemmer sees
 * fuzzed words.
 */
#include "common/analyze.h"
#include "common/ner.h"
#include "common/utf8.h"
#include "gazette.h"
#include "tests/fuzz/fuzzkit.h"

#define NLANG_MAX 64

/* What the token callback checks against. */
typedef struct tokstate {
    size_t len;        /* bytes of the text */
    uint32_t next_pos; /* the least position the next token may have */
    uint32_t last_end; /* end of the previous token */
    size_t tokens;     /* tokens seen */
} tokstate;

static int
on_token(void *ctx, const gzt_token *t)
{
    tokstate *s = ctx;
    GZT_FUZZ_CHECK(t->start < t->end && t->end <= s->len);
    GZT_FUZZ_CHECK(t->start >= s->last_end);
    GZT_FUZZ_CHECK(t->pos >= s->next_pos);
    GZT_FUZZ_CHECK(t->term_len >= 1 && t->term_len <= GZT_TERM_MAX);
    GZT_FUZZ_CHECK(gzt_utf8_valid(t->term, t->term_len));
    for (uint32_t i = 0; i < t->term_len; i++)
        GZT_FUZZ_CHECK(!(t->term[i] >= 'A' && t->term[i] <= 'Z'));
    s->next_pos = t->pos + 1;
    s->last_end = t->end;
    s->tokens++;
    return 0;
}

static void
analyze(gzt_analyzer *a, const char *text, size_t len, gzt_buf *tmp)
{
    tokstate s = {len, 7, 0, 0};
    uint32_t next = 0;
    GZT_FUZZ_CHECK(gzt_analyze(a, text, len, 7, on_token, &s, &next) == GZT_OK);
    GZT_FUZZ_CHECK(next >= s.next_pos);
    GZT_FUZZ_CHECK(gzt_analyzer_fold(a, text, len, tmp) == GZT_OK);
    GZT_FUZZ_CHECK(gzt_utf8_valid((const char *)tmp->p, tmp->len));
    GZT_FUZZ_CHECK(gzt_entity_key(a, text, len, tmp) == GZT_OK);
    GZT_FUZZ_CHECK(gzt_utf8_valid((const char *)tmp->p, tmp->len));
    if (tmp->len) {
        GZT_FUZZ_CHECK(tmp->p[0] != ' ' && tmp->p[tmp->len - 1] != ' ');
        for (size_t i = 1; i < tmp->len; i++)
            GZT_FUZZ_CHECK(!(tmp->p[i] == ' ' && tmp->p[i - 1] == ' '));
    }
}

static void
ner_tokens(const char *text, size_t len, bool valid)
{
    gzt_buf toks = GZT_BUF_INIT, forms = GZT_BUF_INIT;
    GZT_FUZZ_CHECK(gzt_ner_tokenize(&toks, &forms, text, len) == GZT_OK);
    GZT_FUZZ_CHECK(toks.len % sizeof(gzt_nertok) == 0);
    size_t n = toks.len / sizeof(gzt_nertok);
    uint32_t last_end = 0;
    for (size_t i = 0; i < n; i++) {
        gzt_nertok t;
        memcpy(&t, toks.p + i * sizeof t, sizeof t);
        GZT_FUZZ_CHECK(t.start < t.end && t.end <= len);
        GZT_FUZZ_CHECK(t.start >= last_end);
        GZT_FUZZ_CHECK(t.form_len <= GZT_NER_FORM_MAX);
        GZT_FUZZ_CHECK((uint64_t)t.form + t.form_len <= forms.len);
        if (valid)
            GZT_FUZZ_CHECK(
                gzt_utf8_valid((const char *)forms.p + t.form, t.form_len));
        last_end = t.end;
    }
    gzt_buf_free(&toks);
    gzt_buf_free(&forms);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static gzt_analyzer *an[NLANG_MAX], *english, *none;
    static size_t nlang;
    if (!english) {
        GZT_FUZZ_CHECK(gzt_analyzer_new(&english, "english", NULL) == GZT_OK);
        GZT_FUZZ_CHECK(gzt_analyzer_new(&none, "none", NULL) == GZT_OK);
        const char **langs = gzt_languages();
        while (langs[nlang] && nlang < NLANG_MAX)
            nlang++;
        GZT_FUZZ_CHECK(nlang > 0);
    }
    const char *text = (const char *)data;

    /* repair: well-formed output; well-formed input kept but for NULs */
    gzt_buf fixed = GZT_BUF_INIT, tmp = GZT_BUF_INIT;
    uint64_t nrepaired = 0;
    GZT_FUZZ_CHECK(gzt_utf8_repair(&fixed, text, size, &nrepaired) == GZT_OK);
    GZT_FUZZ_CHECK(gzt_utf8_valid((const char *)fixed.p, fixed.len));
    GZT_FUZZ_CHECK(!memchr(fixed.p ? (const void *)fixed.p : "", 0, fixed.len));
    bool valid = gzt_utf8_valid(text, size);
    if (valid) {
        GZT_FUZZ_CHECK(nrepaired == 0 && fixed.len == size);
        for (size_t i = 0; i < size; i++)
            GZT_FUZZ_CHECK(fixed.p[i] == (data[i] ? data[i] : ' '));
    } else {
        GZT_FUZZ_CHECK(nrepaired > 0);
    }

    analyze(english, text, size, &tmp);
    analyze(english, (const char *)fixed.p, fixed.len, &tmp);
    analyze(none, (const char *)fixed.p, fixed.len, &tmp);
    if (size > 0) {
        size_t k = data[0] % nlang;
        if (!an[k])
            GZT_FUZZ_CHECK(gzt_analyzer_new(&an[k], gzt_languages()[k], NULL) ==
                           GZT_OK);
        analyze(an[k], (const char *)fixed.p, fixed.len, &tmp);
    }
    ner_tokens(text, size, valid);
    ner_tokens((const char *)fixed.p, fixed.len, true);
    gzt_buf_free(&tmp);
    gzt_buf_free(&fixed);
    return 0;
}
