/* SPDX-License-Identifier: MIT */
/*
 * test_docterms.c: the positions of entity terms. A mention's terms go at
 * the position of the first token at or after its first byte (the field's
 * next position when no token follows); the analysis finds those
 * positions while it tokenizes, from the mentions sorted by offset. Here
 * they are checked against a brute-force search over the analyzer's own
 * tokens, with mentions given in any order, starting inside a token, in
 * the spaces before one, and after the last one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/analyze.h"
#include "common/ner.h"
#include "common/segment.h"
#include "indexer/docterms.h"

typedef struct toks {
    uint32_t start[256]; /* byte offset of each token */
    uint32_t pos[256];   /* its position */
    size_t n;            /* tokens */
} toks;

static int
on_tok(void *ctx, const gzt_token *t)
{
    toks *k = ctx;
    assert_true(k->n < 256);
    k->start[k->n] = t->start;
    k->pos[k->n] = t->pos;
    k->n++;
    return GZT_OK;
}

/* the brute-force answer: scan every token of the field */
static uint32_t
expected_pos(const toks *k, uint32_t at, uint32_t next)
{
    for (size_t i = 0; i < k->n; i++)
        if (k->start[i] >= at)
            return k->pos[i];
    return next;
}

/* the positions of term @p s in the analysed document, into @p pos */
static size_t
term_positions(const gzt_docterms *dt, const char *s, uint32_t *pos)
{
    gzt_dterm t;
    for (size_t at = 0; gzt_docterms_next(dt, &at, &t);) {
        if (t.len != strlen(s) || memcmp(t.s, s, t.len) != 0)
            continue;
        for (uint32_t k = 0; k < t.n; k++)
            pos[k] = (uint32_t)t.pairs[k];
        return t.n;
    }
    return 0;
}

static void
test_mention_positions_match_a_search_over_the_tokens(void **state)
{
    (void)state;
    gzt_analyzer *an = NULL;
    gzt_docterms *dt = NULL;
    gzt_error err = {0};
    assert_int_equal(gzt_analyzer_new(&an, "english", &err), GZT_OK);
    assert_int_equal(gzt_docterms_new(&dt, an), GZT_OK);
    const char *title = "Lavrov meets Araghchi";
    const char *body = "  Sergey Lavrov met Abbas Araghchi in Moscow, said "
                       "IRNA; then  Putin spoke .";
    size_t tl = strlen(title), bl = strlen(body);
    /* each mention's canonical form is made unique so that its facet term
     * ("T" + type letter + canonical) names it */
    static char canon[8][16];
    uint32_t starts[8] = {
        0,                                             /* title, token 0 */
        13,                                            /* title, token 2 */
        0,                                             /* body: in spaces */
        9,                                             /* body: in "Sergey" */
        (uint32_t)(strstr(body, "IRNA") - body),       /* body, a token */
        (uint32_t)(strstr(body, "Putin") - body - 2),  /* the spaces before */
        (uint32_t)(bl - 1),                            /* the final "." */
        (uint32_t)(strstr(body, "Moscow") - body + 6), /* the "," */
    };
    uint8_t fields[8] = {GZT_ENT_TITLE, GZT_ENT_TITLE, GZT_ENT_BODY,
                         GZT_ENT_BODY,  GZT_ENT_BODY,  GZT_ENT_BODY,
                         GZT_ENT_BODY,  GZT_ENT_BODY};
    /* out of order: the body's last mentions first, the title's after */
    static const int order[8] = {6, 4, 7, 5, 3, 2, 1, 0};
    gzt_entity ents[8];
    for (int k = 0; k < 8; k++) {
        int m = order[k];
        snprintf(canon[m], sizeof canon[m], "Name%c", 'A' + m);
        ents[k] = (gzt_entity){starts[m], starts[m] + 1, GZT_NER_PER,
                               fields[m], canon[m],      5};
    }
    gzt_docinfo info;
    assert_int_equal(
        gzt_docterms_analyse(dt, title, tl, body, bl, ents, 8, &info, &err),
        GZT_OK);
    /* the analyzer's own tokens, as the index numbers them */
    toks tt = {0}, tb = {0};
    uint32_t next = 0, body_end = 0;
    assert_int_equal(gzt_analyze(an, title, tl, 0, on_tok, &tt, &next), GZT_OK);
    uint32_t body_start = next + GZT_TITLE_GAP;
    assert_int_equal(
        gzt_analyze(an, body, bl, body_start, on_tok, &tb, &body_end), GZT_OK);
    assert_int_equal(info.title_end, next);
    for (int m = 0; m < 8; m++) {
        uint32_t want = fields[m] == GZT_ENT_TITLE
                            ? expected_pos(&tt, starts[m], next)
                            : expected_pos(&tb, starts[m], body_end);
        char term[32];
        snprintf(term, sizeof term, "TP%.15s", canon[m]);
        uint32_t pos[4];
        size_t n = term_positions(dt, term, pos);
        if (n != 1 || pos[0] != want)
            fail_msg("mention %d (%s at byte %u): %zu positions, first %u, "
                     "want %u",
                     m, term, starts[m], n, n ? pos[0] : 0, want);
    }
    /* the cases the mentions were placed to reach */
    assert_int_equal(expected_pos(&tb, starts[6], body_end), body_end);
    assert_int_equal(expected_pos(&tb, starts[2], body_end), body_start);
    gzt_docterms_free(dt);
    gzt_analyzer_free(an);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mention_positions_match_a_search_over_the_tokens),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
