/* SPDX-License-Identifier: MIT */
/*
 * test_gazetteer.c: the entity lists (common/gazetteer.c) and the
 * committed lists of common/gazetteers/ (found through GZT_SOURCE, the
 * source tree): names, aliases and demonyms found with their type and
 * canonical form, the longest match, the ALL-CAPS fallback, cue phrases
 * and membership flags, user lists (precedence and every bad row with its
 * line), ceilings, hostile tokens and allocation failures; and the image of
 * the built-in lists that the build makes (common/mkimage.c): the same
 * bytes the lists give now, the same matches, a user list added to it, and
 * images that are not one refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "common/entity.h"
#include "common/gazetteer.h"
#include "common/resources.h"

#define MAXTOK 64

/* A sentence split on spaces, with its hits. */
typedef struct sent {
    gzt_gaz_tok t[MAXTOK]; /* the tokens, pointing into text */
    gzt_gaz_hit h[MAXTOK]; /* gzt_gaz_match()'s answer */
    size_t n;              /* tokens */
    char text[1024];       /* a copy of the sentence */
} sent;

static void
match(const gzt_gaz *g, const char *text, sent *s)
{
    memset(s, 0, sizeof *s);
    size_t len = strlen(text);
    assert_true(len < sizeof s->text);
    memcpy(s->text, text, len + 1);
    for (size_t i = 0; i < len;) {
        if (text[i] == ' ') {
            i++;
            continue;
        }
        size_t j = i;
        while (j < len && text[j] != ' ')
            j++;
        assert_true(s->n < MAXTOK);
        s->t[s->n].s = s->text + i;
        s->t[s->n].len = (uint32_t)(j - i);
        s->n++;
        i = j;
    }
    gzt_gaz_match(g, s->t, s->n, s->h);
}

/* Assert that an entry of @p type and @p canonical covering @p len tokens
 * starts at token @p i. */
static void
want(const sent *s, size_t i, int type, size_t len, const char *canonical)
{
    const gzt_gaz_hit *h = &s->h[i];
    if (h->type != type || h->len != len ||
        (canonical && (!h->canonical || strcmp(h->canonical, canonical)))) {
        fail_msg("token %zu of \"%s\": got %s len %u \"%s\", want %s len "
                 "%zu \"%s\"",
                 i, s->text, gzt_gaz_type_name(h->type), h->len,
                 h->canonical ? h->canonical : "", gzt_gaz_type_name(type), len,
                 canonical ? canonical : "");
    }
    if (canonical)
        assert_int_equal(h->canonical_len, strlen(canonical));
}

static gzt_gaz *committed; /* the committed lists, loaded once */

static int
load_committed(void **state)
{
    GZT_UNUSED(state);
    const char *src = getenv("GZT_SOURCE");
    if (!src)
        return 0; /* the tests that need them skip */
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/common/gazetteers", src);
    gzt_error err;
    int rc = gzt_gaz_load_files(&committed, dir, &err);
    if (rc) {
        fprintf(stderr, "loading %s: %s\n", dir, err.msg);
        return -1;
    }
    return 0;
}

static int
free_committed(void **state)
{
    GZT_UNUSED(state);
    gzt_gaz_free(committed);
    committed = NULL;
    return 0;
}

static const gzt_gaz *
lists(void)
{
    if (!committed)
        skip();
    return committed;
}

/* ---- the committed lists ------------------------------------------------- */

static void
test_committed_lists_load_thousands_of_names(void **state)
{
    GZT_UNUSED(state);
    const gzt_gaz *g = lists();
    assert_true(gzt_gaz_count(g) > 8000);
}

static void
test_full_name_and_first_last_alias_share_a_canonical_form(void **state)
{
    GZT_UNUSED(state);
    sent s;
    match(lists(), "said Sergey Lavrov on Monday", &s);
    want(&s, 1, GZT_GAZ_PER, 2, "Sergey Viktorovich Lavrov");
    assert_false(s.h[1].user);
    want(&s, 0, GZT_GAZ_NONE, 0, NULL);
    match(lists(), "Sergey Viktorovich Lavrov", &s);
    want(&s, 0, GZT_GAZ_PER, 3, "Sergey Viktorovich Lavrov");
    match(lists(), "Sergei Lavrov", &s); /* the wires' transliteration */
    want(&s, 0, GZT_GAZ_PER, 2, "Sergey Viktorovich Lavrov");
    /* CIA's capitals are gone from the name, Wikidata's label is the
     * canonical form of a person both lists have */
    match(lists(), "Vladimir Putin", &s);
    want(&s, 0, GZT_GAZ_PER, 2, "Vladimir Putin");
    match(lists(), "Mohammad Javad Zarif", &s);
    want(&s, 0, GZT_GAZ_PER, 3, "Mohammad Javad Zarif-Khonsari");
}

static void
test_a_surname_alone_is_a_feature_not_a_match(void **state)
{
    GZT_UNUSED(state);
    sent s;
    match(lists(), "Lavrov said", &s);
    want(&s, 0, GZT_GAZ_NONE, 0, NULL);
    assert_null(s.h[0].canonical);
    assert_true(s.h[0].flags & GZT_GAZ_F_SURNAME);
    assert_false(s.h[0].flags & GZT_GAZ_F_FIRST);
    assert_int_equal(s.h[0].seg, GZT_GAZ_SEG_O);
    match(lists(), "Sergey Lavrov", &s);
    assert_true(s.h[0].flags & GZT_GAZ_F_FIRST);
    assert_true(s.h[1].flags & GZT_GAZ_F_SURNAME);
    /* a compound surname flags its capitalised part too */
    match(lists(), "Zarif Zarif-Khonsari", &s);
    assert_true(s.h[0].flags & GZT_GAZ_F_SURNAME);
    assert_true(s.h[1].flags & GZT_GAZ_F_SURNAME);
}

static void
test_countries_capitals_and_demonyms_have_their_types(void **state)
{
    GZT_UNUSED(state);
    sent s;
    match(lists(), "Russia and the Iranian capital Tehran", &s);
    want(&s, 0, GZT_GAZ_LOC, 1, "Russia");
    want(&s, 3, GZT_GAZ_MISC, 1, "Iran");
    want(&s, 5, GZT_GAZ_LOC, 1, "Tehran");
    assert_true(s.h[0].flags & GZT_GAZ_F_COUNTRY);
    assert_true(s.h[3].flags & GZT_GAZ_F_COUNTRY);
    assert_false(s.h[1].flags & GZT_GAZ_F_COUNTRY);
    match(lists(), "Iranians U.S. UK", &s);
    want(&s, 0, GZT_GAZ_MISC, 1, "Iran");
    want(&s, 1, GZT_GAZ_LOC, 1, "United States");
    want(&s, 2, GZT_GAZ_LOC, 1, "United Kingdom");
}

static void
test_organisations_and_their_abbreviations_match(void **state)
{
    GZT_UNUSED(state);
    sent s;
    match(lists(), "the United Nations and NATO", &s);
    want(&s, 1, GZT_GAZ_ORG, 2, "United Nations");
    want(&s, 4, GZT_GAZ_ORG, 1, "North Atlantic Treaty Organization");
    assert_true(s.h[1].flags & GZT_GAZ_F_ORG);
    match(lists(), "IRNA BRICS Duma", &s);
    want(&s, 0, GZT_GAZ_ORG, 1, "Islamic Republic News Agency");
    want(&s, 1, GZT_GAZ_ORG, 1, "BRICS");
    want(&s, 2, GZT_GAZ_ORG, 1, "State Duma");
}

static void
test_the_longest_entry_wins(void **state)
{
    GZT_UNUSED(state);
    sent s;
    match(lists(), "the Islamic Republic of Iran said", &s);
    want(&s, 1, GZT_GAZ_LOC, 4, "Iran");
    want(&s, 4, GZT_GAZ_LOC, 1, "Iran"); /* "Iran" is there too... */
    /* ...but the segmentation takes the longest, once */
    assert_int_equal(s.h[1].seg, GZT_GAZ_SEG_B);
    for (size_t i = 2; i <= 4; i++) {
        assert_int_equal(s.h[i].seg, GZT_GAZ_SEG_I);
        assert_int_equal(s.h[i].seg_type, GZT_GAZ_LOC);
    }
    assert_int_equal(s.h[5].seg, GZT_GAZ_SEG_O);
    match(lists(), "United Nations Security Council", &s);
    want(&s, 0, GZT_GAZ_ORG, 4, "United Nations Security Council");
    match(lists(), "Central Bank of Iran", &s);
    want(&s, 0, GZT_GAZ_ORG, 4, "Central Bank of Iran");
}

static void
test_a_match_ignores_how_punctuation_was_split(void **state)
{
    GZT_UNUSED(state);
    sent s;
    match(lists(), "People 's Republic of China", &s);
    want(&s, 0, GZT_GAZ_LOC, 5, "China");
    match(lists(), "People's Republic of China", &s);
    want(&s, 0, GZT_GAZ_LOC, 4, "China");
    match(lists(), "Guinea - Bissau", &s);
    want(&s, 0, GZT_GAZ_LOC, 3, "Guinea-Bissau");
    /* but a match never ends inside a token */
    match(lists(), "Irania", &s);
    want(&s, 0, GZT_GAZ_NONE, 0, NULL);
}

static void
test_all_caps_text_matches_case_insensitively(void **state)
{
    GZT_UNUSED(state);
    sent s;
    match(lists(), "IRAN SAYS UNITED NATIONS ENVOY MET SERGEY LAVROV", &s);
    want(&s, 0, GZT_GAZ_LOC, 1, "Iran");
    want(&s, 2, GZT_GAZ_ORG, 2, "United Nations");
    want(&s, 6, GZT_GAZ_PER, 2, "Sergey Viktorovich Lavrov");
    assert_true(s.h[0].flags & GZT_GAZ_F_COUNTRY);
    assert_true(s.h[7].flags & GZT_GAZ_F_SURNAME);
    assert_true(s.h[4].flags & GZT_GAZ_F_TITLE);
    /* only ALL-CAPS: lower-case text is not a name */
    match(lists(), "iran russia", &s);
    want(&s, 0, GZT_GAZ_NONE, 0, NULL);
    want(&s, 1, GZT_GAZ_NONE, 0, NULL);
    /* the fallback stops at a token that is not ALL-CAPS */
    match(lists(), "UNITED Nations", &s);
    assert_int_not_equal(s.h[0].len, 2);
    /* and exact matches are kept where the fallback finds no more */
    match(lists(), "US", &s);
    want(&s, 0, GZT_GAZ_LOC, 1, "United States");
}

static void
test_title_and_organisation_cues_are_flagged(void **state)
{
    GZT_UNUSED(state);
    sent s;
    match(lists(), "Foreign Minister Sergey Lavrov", &s);
    assert_int_equal(s.h[0].cue, GZT_GAZ_CUE_TITLE);
    assert_int_equal(s.h[0].cue_len, 2);
    assert_true(s.h[0].flags & GZT_GAZ_F_TITLE);
    assert_true(s.h[1].flags & GZT_GAZ_F_TITLE);
    assert_false(s.h[2].flags & GZT_GAZ_F_TITLE);
    want(&s, 2, GZT_GAZ_PER, 2, "Sergey Viktorovich Lavrov");
    match(lists(), "the minister of foreign affairs", &s);
    assert_int_equal(s.h[1].cue_len, 4);
    match(lists(), "Minister of Foreign Affairs", &s);
    assert_int_equal(s.h[0].cue_len, 4);
    match(lists(), "Foreign minister foreign minister FOREIGN MINISTER", &s);
    assert_int_equal(s.h[0].cue_len, 2);
    assert_int_equal(s.h[2].cue_len, 2);
    assert_int_equal(s.h[4].cue_len, 2);
    assert_true(s.h[5].flags & GZT_GAZ_F_TITLE);
    match(lists(), "foreign Minister", &s); /* not a way to write it */
    assert_int_equal(s.h[0].cue_len, 0);
    match(lists(), "deputy foreign minister and spokesperson", &s);
    assert_int_equal(s.h[0].cue_len, 3);
    assert_int_equal(s.h[4].cue_len, 1);
    match(lists(), "Foreign Ministry and Tasnim News Agency", &s);
    assert_true(s.h[1].flags & GZT_GAZ_F_ORGCUE);
    assert_false(s.h[0].flags & GZT_GAZ_F_ORGCUE);
    assert_int_equal(s.h[4].cue, GZT_GAZ_CUE_ORG);
    assert_int_equal(s.h[4].cue_len, 2);
    assert_true(s.h[5].flags & GZT_GAZ_F_ORGCUE);
    want(&s, 3, GZT_GAZ_ORG, 3, "Tasnim News Agency");
}

/* ---- user lists ---------------------------------------------------------- */

static const char user_list[] =
    "# my entities\n"
    "\n"
    "Georgia\tPER\tGeorgia O'Keeffe\tO'Keeffe|~Keeffe\n"
    "Islamic Republic\tMISC\n"
    "Acme Corp\torg\tAcme Corporation\tACME|Acme Inc.||\r\n"
    "Acme Corp\tORG\tAcme Corp.\n"
    "Grushko\tper";

static void
test_user_entries_take_precedence(void **state)
{
    GZT_UNUSED(state);
    gzt_gaz *g;
    gzt_error err;
    assert_int_equal(gzt_gaz_load_files(&g, "/nonexistent", &err),
                     GZT_ENOTFOUND);
    assert_null(g);
    assert_non_null(strstr(err.msg, "/nonexistent/countries.tsv"));
    const char *src = getenv("GZT_SOURCE");
    if (!src)
        skip();
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/common/gazetteers", src);
    assert_int_equal(gzt_gaz_load_files(&g, dir, &err), GZT_OK);
    size_t before = gzt_gaz_count(g);
    assert_int_equal(
        gzt_gaz_add_user(g, user_list, strlen(user_list), "mine.tsv", &err),
        GZT_OK);
    assert_int_equal(gzt_gaz_count(g), before + 8);
    sent s;
    /* the same name: the user's type and canonical form */
    match(g, "Georgia", &s);
    want(&s, 0, GZT_GAZ_PER, 1, "Georgia O'Keeffe");
    assert_true(s.h[0].user);
    assert_true(s.h[0].flags & GZT_GAZ_F_USER);
    match(g, "GEORGIA", &s);
    want(&s, 0, GZT_GAZ_PER, 1, "Georgia O'Keeffe");
    /* a user entry wins where it starts, though a longer one starts there */
    match(g, "the Islamic Republic of Iran", &s);
    want(&s, 1, GZT_GAZ_MISC, 2, "Islamic Republic");
    assert_int_equal(s.h[1].seg, GZT_GAZ_SEG_B);
    assert_int_equal(s.h[2].seg, GZT_GAZ_SEG_I);
    assert_int_equal(s.h[3].seg, GZT_GAZ_SEG_O);
    assert_int_equal(s.h[4].seg, GZT_GAZ_SEG_B);
    assert_int_equal(s.h[4].seg_type, GZT_GAZ_LOC);
    /* aliases, a later row replacing an earlier one, a one-column-short
     * row, a surname feature */
    match(g, "ACME Acme Inc. Acme Corp Grushko O'Keeffe Keeffe", &s);
    want(&s, 0, GZT_GAZ_ORG, 1, "Acme Corporation");
    want(&s, 1, GZT_GAZ_ORG, 2, "Acme Corporation");
    want(&s, 3, GZT_GAZ_ORG, 2, "Acme Corp.");
    want(&s, 5, GZT_GAZ_PER, 1, "Grushko");
    want(&s, 6, GZT_GAZ_PER, 1, "Georgia O'Keeffe");
    want(&s, 7, GZT_GAZ_NONE, 0, NULL);
    assert_true(s.h[7].flags & GZT_GAZ_F_SURNAME);
    assert_true(s.h[0].flags & GZT_GAZ_F_ORG);
    gzt_gaz_free(g);
}

/* A list with one bad row on line @p line must fail with @p code, name the
 * path and the line, and leave the gazetteer as it was. */
static void
bad_list(const char *data, size_t line, int code, const char *why)
{
    gzt_gaz *g;
    gzt_error err;
    assert_int_equal(gzt_gaz_load(&g, NULL, 0, NULL, 0, NULL, 0, NULL, 0, &err),
                     GZT_OK);
    assert_int_equal(gzt_gaz_add_user(g, data, strlen(data), "list.tsv", &err),
                     code);
    assert_int_equal(err.code, code);
    char where[64];
    snprintf(where, sizeof where, "list.tsv:%zu: ", line);
    if (strncmp(err.msg, where, strlen(where)) != 0 || !strstr(err.msg, why))
        fail_msg("got \"%s\", want \"%s...%s\"", err.msg, where, why);
    /* nothing of the list was added, not even its good rows */
    assert_int_equal(gzt_gaz_count(g), 0);
    sent s;
    match(g, "Good", &s);
    want(&s, 0, GZT_GAZ_NONE, 0, NULL);
    gzt_gaz_free(g);
}

static void
test_every_bad_user_row_is_named_by_its_line(void **state)
{
    GZT_UNUSED(state);
    bad_list("Good\tORG\n# comment\n\n\tPER\tx\n", 4, GZT_EINVAL, "empty name");
    bad_list("Good\tORG\n   \tLOC\n", 2, GZT_EINVAL, "empty name");
    bad_list("Good\tORG\nNo type here\n", 2, GZT_EINVAL, "missing type");
    bad_list("Good\tORG\r\nEmpty type\t\tcanon\r\n", 2, GZT_EINVAL,
             "missing type");
    bad_list("Good\tORG\nGood Two\tLOC\nBad\tPERSON\n", 3, GZT_EINVAL,
             "unknown type \"PERSON\"");
    bad_list("Bad\tPE\n", 1, GZT_EINVAL, "unknown type \"PE\"");
    bad_list("Good\tORG\nBad\tLOC\tBad\ta|b\textra\n", 2, GZT_EINVAL,
             "more than 4 columns");
    bad_list("Good\tORG\nBad\xff\tLOC\n", 2, GZT_EINVAL, "not valid UTF-8");
}

static void
test_names_past_the_ceilings_are_refused(void **state)
{
    GZT_UNUSED(state);
    char buf[2048];
    memset(buf, 'a', GZT_GAZ_NAME_MAX + 1);
    memcpy(buf + GZT_GAZ_NAME_MAX + 1, "\tLOC\n", 6);
    bad_list(buf, 1, GZT_ETOOBIG, "name longer than");
    size_t o = 0;
    o += (size_t)snprintf(buf + o, sizeof buf - o, "Good\tORG\nX\tLOC\tX\t");
    for (int i = 0; i <= GZT_GAZ_MAX_TOKENS; i++)
        o += (size_t)snprintf(buf + o, sizeof buf - o, "w ");
    snprintf(buf + o, sizeof buf - o, "\n");
    bad_list(buf, 2, GZT_ETOOBIG, "alias of more than");

    /* at the ceilings exactly: accepted and matched */
    gzt_gaz *g;
    gzt_error err;
    assert_int_equal(gzt_gaz_load(&g, NULL, 0, NULL, 0, NULL, 0, NULL, 0, &err),
                     GZT_OK);
    o = 0;
    for (int i = 0; i < GZT_GAZ_MAX_TOKENS; i++)
        o +=
            (size_t)snprintf(buf + o, sizeof buf - o, "%sW%d", i ? " " : "", i);
    o += (size_t)snprintf(buf + o, sizeof buf - o, "\tMISC\n");
    assert_int_equal(gzt_gaz_add_user(g, buf, o, "list.tsv", &err), GZT_OK);
    buf[o - 6] = '\0';
    sent s;
    match(g, buf, &s);
    want(&s, 0, GZT_GAZ_MISC, GZT_GAZ_MAX_TOKENS, buf);
    gzt_gaz_free(g);
}

static void
test_bad_builtin_rows_name_their_list(void **state)
{
    GZT_UNUSED(state);
    gzt_gaz *g = (gzt_gaz *)(uintptr_t)1;
    gzt_error err;
    const char titles[] = "president\ttitle\nministry\torganisation\n";
    assert_int_equal(gzt_gaz_load(&g, NULL, 0, NULL, 0, NULL, 0, titles,
                                  strlen(titles), &err),
                     GZT_EINVAL);
    assert_null(g);
    assert_non_null(strstr(err.msg, "titles.txt:2: unknown cue kind"));
    const char people[] = "A B\tPER\nC D\n";
    assert_int_equal(gzt_gaz_load(&g, NULL, 0, people, strlen(people), NULL, 0,
                                  NULL, 0, &err),
                     GZT_EINVAL);
    assert_non_null(strstr(err.msg, "people.tsv:2: missing type"));
}

/* ---- hostile input and edges --------------------------------------------- */

static void
test_odd_tokens_match_nothing_and_do_not_crash(void **state)
{
    GZT_UNUSED(state);
    gzt_gaz *g;
    gzt_error err;
    const char list[] = "\xc3\x89TAT\tLOC\nA B\tORG\n";
    assert_int_equal(
        gzt_gaz_load(&g, list, strlen(list), NULL, 0, NULL, 0, NULL, 0, &err),
        GZT_OK);
    gzt_gaz_match(g, NULL, 0, NULL);
    static char big[4 * GZT_GAZ_NAME_MAX];
    memset(big, 'A', sizeof big);
    gzt_gaz_tok t[6] = {{"\xff\xfe", 2},    {"", 0},  {big, sizeof big},
                        {"\xc3\xa9tat", 5}, {"A", 1}, {"B", 1}};
    gzt_gaz_hit h[6];
    gzt_gaz_match(g, t, 6, h);
    for (int i = 0; i < 4; i++)
        assert_int_equal(h[i].type, GZT_GAZ_NONE);
    assert_int_equal(h[4].type, GZT_GAZ_ORG);
    assert_int_equal(h[4].len, 2);
    /* "ÉTAT" is the entry itself; "État" is not ALL-CAPS, so no fallback */
    gzt_gaz_tok u[2] = {{"\xc3\x89TAT", 5}, {"\xc3\x89tat", 5}};
    gzt_gaz_match(g, u, 2, h);
    assert_int_equal(h[0].type, GZT_GAZ_LOC);
    assert_int_equal(h[1].type, GZT_GAZ_NONE);
    gzt_gaz_free(g);
    gzt_gaz_free(NULL);
}

/* The matcher hashes a token of up to 8 bytes as one word and a longer one
 * by 8-byte blocks, and a run of tokens afresh from a buffer: names of
 * every length from 1 to 40 bytes must match whole, written as one token,
 * split in two, and in capitals, and a token one byte off must not. */
static void
test_names_of_every_length_match_only_themselves(void **state)
{
    GZT_UNUSED(state);
    static const char word[] = "Qwertyuiopasdfghjklzxcvbnmpoiuytrewqlkjh";
    char list[4096];
    size_t o = 0;
    for (size_t len = 1; len <= 40; len++)
        o += (size_t)snprintf(list + o, sizeof list - o, "%.*s\tLOC\tc%zu\n",
                              (int)len, word, len);
    gzt_gaz *g;
    gzt_error err;
    assert_int_equal(gzt_gaz_load(&g, list, o, NULL, 0, NULL, 0, NULL, 0, &err),
                     GZT_OK);
    for (size_t len = 1; len <= 40; len++) {
        char canon[8], t[64];
        snprintf(canon, sizeof canon, "c%zu", len);
        sent s;
        snprintf(t, sizeof t, "%.*s", (int)len, word);
        match(g, t, &s);
        want(&s, 0, GZT_GAZ_LOC, 1, canon);
        assert_int_equal(s.h[0].flags, GZT_GAZ_F_COUNTRY);
        /* one byte changed, last, first or middle: not even a name word
         * (a hash collision would give the flags of the entry's slot) */
        for (size_t at = 0; at < 3; at++) {
            snprintf(t, sizeof t, "%.*s", (int)len, word);
            t[at == 0 ? len - 1 : at == 1 ? 0 : len / 2] = '#';
            match(g, t, &s);
            want(&s, 0, GZT_GAZ_NONE, 0, NULL);
            assert_int_equal(s.h[0].flags, 0);
        }
        /* in capitals (the folded pass) */
        snprintf(t, sizeof t, "%.*s", (int)len, word);
        for (size_t i = 0; i < len; i++)
            t[i] = (char)(word[i] & ~0x20);
        match(g, t, &s);
        want(&s, 0, GZT_GAZ_LOC, 1, canon);
        if (len < 2)
            continue;
        /* split in two tokens anywhere: never a cut of these keys */
        snprintf(t, sizeof t, "%.*s %s", (int)(len / 2), word, word + len / 2);
        t[len + 1] = '\0';
        match(g, t, &s);
        assert_int_not_equal(s.h[0].len, 2);
    }
    gzt_gaz_free(g);
}

/* Where cue phrases nest or overlap, every token of every phrase carries
 * its kind's flag, though a phrase starting later ends sooner. */
static void
test_cue_flags_cover_nested_and_overlapping_phrases(void **state)
{
    GZT_UNUSED(state);
    const char titles[] = "secretary of state for defence\ttitle\n"
                          "state\ttitle\n"
                          "news agency\torg\n"
                          "agency chief\ttitle\n";
    gzt_gaz *g;
    gzt_error err;
    assert_int_equal(gzt_gaz_load(&g, NULL, 0, NULL, 0, NULL, 0, titles,
                                  strlen(titles), &err),
                     GZT_OK);
    sent s;
    match(g, "the secretary of state for defence and the news agency chief",
          &s);
    assert_int_equal(s.h[1].cue_len, 5);
    assert_int_equal(s.h[3].cue_len, 1);
    for (size_t i = 0; i < s.n; i++) {
        bool title = (i >= 1 && i <= 5) || i == 9 || i == 10;
        bool org = i == 8 || i == 9;
        if (!(s.h[i].flags & GZT_GAZ_F_TITLE) != !title ||
            !(s.h[i].flags & GZT_GAZ_F_ORGCUE) != !org)
            fail_msg("token %zu: flags %#x", i, s.h[i].flags);
    }
    gzt_gaz_free(g);
}

/* Every field of every hit is written, whatever the array held; tokens
 * that start nothing inside a segment are its I tokens. */
static void
test_every_hit_is_written_whole(void **state)
{
    GZT_UNUSED(state);
    const char orgs[] = "Alpha Beta Gamma\tORG\nBeta Gamma Delta\tLOC\n";
    gzt_gaz *g;
    gzt_error err;
    assert_int_equal(
        gzt_gaz_load(&g, NULL, 0, NULL, 0, orgs, strlen(orgs), NULL, 0, &err),
        GZT_OK);
    gzt_gaz_tok t[6] = {{"x", 1},     {"Alpha", 5}, {"Beta", 4},
                        {"Gamma", 5}, {"Delta", 5}, {"y", 1}};
    gzt_gaz_hit h[6];
    memset(h, 0xab, sizeof h);
    gzt_gaz_match(g, t, 6, h);
    static const uint8_t seg[6] = {GZT_GAZ_SEG_O, GZT_GAZ_SEG_B, GZT_GAZ_SEG_I,
                                   GZT_GAZ_SEG_I, GZT_GAZ_SEG_O, GZT_GAZ_SEG_O};
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(h[i].seg, seg[i]);
        assert_int_equal(h[i].seg_type, seg[i] ? GZT_GAZ_ORG : 0);
        assert_int_equal(h[i].cue, 0);
        assert_int_equal(h[i].cue_len, 0);
        assert_int_equal(h[i].user, 0);
        /* every word of an organisation's name is a name word */
        assert_int_equal(h[i].flags, i == 0 || i == 5 ? 0 : GZT_GAZ_F_ORG);
        if (i == 1 || i == 2)
            continue;
        assert_int_equal(h[i].len, 0);
        assert_int_equal(h[i].type, 0);
        assert_null(h[i].canonical);
        assert_int_equal(h[i].canonical_len, 0);
    }
    assert_int_equal(h[1].len, 3);
    assert_int_equal(h[2].len, 3); /* found, though inside a segment */
    assert_int_equal(h[2].type, GZT_GAZ_LOC);
    /* a user entry inside the built-in one moves the segments */
    const char user[] = "Gamma Delta\tPER\n";
    assert_int_equal(gzt_gaz_add_user(g, user, strlen(user), "u", &err),
                     GZT_OK);
    memset(h, 0xab, sizeof h);
    gzt_gaz_match(g, t, 6, h);
    static const uint8_t useg[6] = {GZT_GAZ_SEG_O, GZT_GAZ_SEG_O,
                                    GZT_GAZ_SEG_O, GZT_GAZ_SEG_B,
                                    GZT_GAZ_SEG_I, GZT_GAZ_SEG_O};
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(h[i].seg, useg[i]);
        assert_int_equal(h[i].seg_type, useg[i] ? GZT_GAZ_PER : 0);
    }
    assert_int_equal(h[3].user, 1);
    gzt_gaz_free(g);
}

/* A short ALL-CAPS token is told and folded a word at a time when it is
 * ASCII, character by character when not: both reach the folded table. */
static void
test_short_capitals_fold_whether_ascii_or_not(void **state)
{
    GZT_UNUSED(state);
    const char list[] = "Group of Seven\tORG\tG7\tG7\n"
                        "\xc3\x84rger\tMISC\n" /* "Ärger" */
                        "U.S.\tLOC\n"
                        "Oslo\tLOC\n";
    gzt_gaz *g;
    gzt_error err;
    assert_int_equal(
        gzt_gaz_load(&g, list, strlen(list), NULL, 0, NULL, 0, NULL, 0, &err),
        GZT_OK);
    sent s;
    match(g, "G7 \xc3\x84RGER U.S. OSLO OSLo OsLO GROUP OF SEVEN", &s);
    want(&s, 0, GZT_GAZ_ORG, 1, "G7");
    want(&s, 1, GZT_GAZ_MISC, 1, "\xc3\x84rger");
    want(&s, 2, GZT_GAZ_LOC, 1, "U.S.");
    want(&s, 3, GZT_GAZ_LOC, 1, "Oslo");
    want(&s, 4, GZT_GAZ_NONE, 0, NULL); /* a lower-case letter, last */
    want(&s, 5, GZT_GAZ_NONE, 0, NULL); /* ...inside */
    want(&s, 6, GZT_GAZ_ORG, 3, "G7");
    gzt_gaz_free(g);
}

static void
test_every_allocation_failure_is_reported_and_cleaned_up(void **state)
{
    GZT_UNUSED(state);
    const char countries[] = "Iran\tLOC\nIranian\tMISC\tIran\n";
    const char people[] = "Sergey Viktorovich Lavrov\tPER\tSergey Viktorovich "
                          "Lavrov\tSergey Lavrov|~Lavrov\n";
    const char titles[] = "foreign minister\ttitle\nministry\torg\n";
    bool passed = false;
    for (long n = 1; n < 1000 && !passed; n++) {
        gzt_gaz *g;
        gzt_error err;
        gzt_mem_fail_after(n);
        int rc =
            gzt_gaz_load(&g, countries, strlen(countries), people,
                         strlen(people), NULL, 0, titles, strlen(titles), &err);
        if (rc == GZT_OK)
            rc = gzt_gaz_add_user(g, user_list, strlen(user_list), "u", &err);
        gzt_mem_fail_after(0);
        if (rc == GZT_OK) {
            passed = true;
            sent s;
            match(g, "Sergey Lavrov Iranian Georgia", &s);
            want(&s, 0, GZT_GAZ_PER, 2, "Sergey Viktorovich Lavrov");
            want(&s, 3, GZT_GAZ_PER, 1, "Georgia O'Keeffe");
        } else {
            assert_int_equal(rc, GZT_ENOMEM);
        }
        gzt_gaz_free(g);
    }
    assert_true(passed);
}

/* ---- the built-in image -------------------------------------------------- */

/* @p len bytes of @p p in memory aligned to 64 bytes, as images want. */
static uint8_t *
aligned_copy(const void *p, size_t len)
{
    uint8_t *c = aligned_alloc(64, (len + 63) / 64 * 64);
    assert_non_null(c);
    memcpy(c, p, len);
    return c;
}

/* Every name and alias of the committed lists, one after another as
 * running text (the first and fourth columns, split on '|'), with "~"
 * markers dropped, and the same again in capitals. */
static void
list_text(gzt_buf *out)
{
    const char *src = getenv("GZT_SOURCE");
    static const char *const files[] = {"countries.tsv", "orgs.tsv",
                                        "people.tsv", "titles.txt"};
    for (int caps = 0; caps < 2; caps++) {
        for (size_t f = 0; f < 4; f++) {
            char path[4096];
            snprintf(path, sizeof path, "%s/common/gazetteers/%s", src,
                     files[f]);
            FILE *fp = fopen(path, "rb");
            assert_non_null(fp);
            char line[8192];
            while (fgets(line, sizeof line, fp)) {
                if (line[0] == '#')
                    continue;
                int col = 0;
                for (char *c = line; *c && *c != '\n'; c++) {
                    if (*c == '\t') {
                        col++;
                        c[0] = ' ';
                    }
                    if (col == 1 || col == 2)
                        continue;
                    char ch = *c == '|' || *c == '~' ? ' ' : *c;
                    if (caps && ch >= 'a' && ch <= 'z')
                        ch = (char)(ch - 32);
                    assert_int_equal(gzt_buf_putc(out, (uint8_t)ch), GZT_OK);
                }
                assert_int_equal(gzt_buf_putc(out, ' '), GZT_OK);
            }
            fclose(fp);
        }
    }
}

/* gzt_gaz_match() of @p a and @p b over the space-separated tokens of
 * @p text must agree on every field of every hit (canonical forms by
 * their bytes). */
static void
same_matches(const gzt_gaz *a, const gzt_gaz *b, const gzt_buf *text)
{
    size_t cap = text->len / 2 + 1, n = 0;
    gzt_gaz_tok *t = calloc(cap, sizeof *t);
    gzt_gaz_hit *ha = calloc(cap, sizeof *ha), *hb = calloc(cap, sizeof *hb);
    assert_true(t && ha && hb);
    const char *s = (const char *)text->p;
    for (size_t i = 0; i < text->len;) {
        if (s[i] == ' ') {
            i++;
            continue;
        }
        size_t j = i;
        while (j < text->len && s[j] != ' ')
            j++;
        t[n].s = s + i;
        t[n++].len = (uint32_t)(j - i);
        i = j;
    }
    gzt_gaz_match(a, t, n, ha);
    gzt_gaz_match(b, t, n, hb);
    size_t starts = 0;
    for (size_t i = 0; i < n; i++) {
        const gzt_gaz_hit *x = &ha[i], *y = &hb[i];
        if (x->type != y->type || x->len != y->len || x->flags != y->flags ||
            x->user != y->user || x->cue != y->cue ||
            x->cue_len != y->cue_len || x->seg != y->seg ||
            x->seg_type != y->seg_type ||
            x->canonical_len != y->canonical_len ||
            !x->canonical != !y->canonical ||
            (x->canonical &&
             memcmp(x->canonical, y->canonical, x->canonical_len)))
            fail_msg("token %zu \"%.*s\": the two gazetteers disagree", i,
                     (int)t[i].len, t[i].s);
        starts += x->len != 0;
    }
    assert_true(starts > n / 8); /* the text is mostly names */
    free(t);
    free(ha);
    free(hb);
}

static void
test_the_built_in_image_is_what_the_lists_build(void **state)
{
    GZT_UNUSED(state);
    const gzt_gaz *g = lists();
    const uint8_t *img;
    size_t len;
    assert_true(gzt_resource_get("gaz.img", &img, &len));
    assert_int_equal((uintptr_t)img % 64, 0);
    gzt_buf b = GZT_BUF_INIT;
    assert_int_equal(gzt_gaz_image_write(g, &b), GZT_OK);
    assert_int_equal(b.len, len);
    assert_memory_equal(b.p, img, len);
    gzt_gaz *fz;
    gzt_error err;
    assert_int_equal(gzt_builtin_gazetteer(&fz, &err), GZT_OK);
    assert_int_equal(gzt_gaz_count(fz), gzt_gaz_count(g));
    gzt_buf text = GZT_BUF_INIT;
    list_text(&text);
    same_matches(g, fz, &text);
    sent s;
    match(fz, "Sergei Lavrov met the FOREIGN MINISTER of Iran", &s);
    want(&s, 0, GZT_GAZ_PER, 2, "Sergey Viktorovich Lavrov");
    want(&s, 7, GZT_GAZ_LOC, 1, "Iran");
    assert_true(s.h[4].flags & GZT_GAZ_F_TITLE);
    gzt_gaz_free(fz);
    gzt_buf_free(&text);
    gzt_buf_free(&b);
}

static void
test_a_user_list_is_added_to_a_copy_of_the_image(void **state)
{
    GZT_UNUSED(state);
    const char *src = getenv("GZT_SOURCE");
    if (!src)
        skip();
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/common/gazetteers", src);
    gzt_gaz *built, *fz;
    gzt_error err;
    assert_int_equal(gzt_gaz_load_files(&built, dir, &err), GZT_OK);
    assert_int_equal(gzt_builtin_gazetteer(&fz, &err), GZT_OK);
    const uint8_t *img;
    size_t len;
    assert_true(gzt_resource_get("gaz.img", &img, &len));
    uint8_t *before = aligned_copy(img, len);
    /* a bad row changes neither */
    const char bad[] = "Good\tPER\nBad\tNOPE\n";
    assert_int_equal(gzt_gaz_add_user(fz, bad, strlen(bad), "b.tsv", &err),
                     GZT_EINVAL);
    assert_int_equal(gzt_gaz_count(fz), gzt_gaz_count(built));
    assert_int_equal(
        gzt_gaz_add_user(built, user_list, strlen(user_list), "u.tsv", &err),
        GZT_OK);
    assert_int_equal(
        gzt_gaz_add_user(fz, user_list, strlen(user_list), "u.tsv", &err),
        GZT_OK);
    /* the copy grew like the lists built from text, to the byte */
    gzt_buf a = GZT_BUF_INIT, b = GZT_BUF_INIT;
    assert_int_equal(gzt_gaz_image_write(built, &a), GZT_OK);
    assert_int_equal(gzt_gaz_image_write(fz, &b), GZT_OK);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.p, b.p, a.len);
    sent s;
    match(fz, "Georgia Acme Inc. Iran", &s);
    want(&s, 0, GZT_GAZ_PER, 1, "Georgia O'Keeffe");
    want(&s, 1, GZT_GAZ_ORG, 2, "Acme Corporation");
    want(&s, 3, GZT_GAZ_LOC, 1, "Iran");
    /* the image itself is as it was, and a new gazetteer over it has no
     * user entries */
    assert_memory_equal(img, before, len);
    gzt_gaz *again;
    assert_int_equal(gzt_builtin_gazetteer(&again, &err), GZT_OK);
    match(again, "Georgia", &s);
    want(&s, 0, GZT_GAZ_LOC, 1, "Georgia");
    /* running out of memory while copying leaves the image in use */
    gzt_mem_fail_after(1);
    int rc = gzt_gaz_add_user(again, user_list, strlen(user_list), "u", &err);
    gzt_mem_fail_after(0);
    assert_int_equal(rc, GZT_ENOMEM);
    match(again, "Georgia", &s);
    want(&s, 0, GZT_GAZ_LOC, 1, "Georgia");
    gzt_gaz_free(again);
    free(before);
    gzt_buf_free(&a);
    gzt_buf_free(&b);
    gzt_gaz_free(fz);
    gzt_gaz_free(built);
}

static void
test_what_is_not_an_image_is_refused(void **state)
{
    GZT_UNUSED(state);
    const uint8_t *img;
    size_t len;
    assert_true(gzt_resource_get("gaz.img", &img, &len));
    gzt_gaz *g = (gzt_gaz *)1;
    gzt_error err;
    uint8_t *c = aligned_copy(img, len);
    assert_int_equal(gzt_gaz_from_image(&g, c, len, &err), GZT_OK);
    gzt_gaz_free(g);
    /* short, long, off its alignment, nothing at all */
    assert_int_equal(gzt_gaz_from_image(&g, c, len - 64, &err), GZT_ECORRUPT);
    assert_null(g);
    assert_int_equal(gzt_gaz_from_image(&g, c, len + 64, &err), GZT_ECORRUPT);
    assert_int_equal(gzt_gaz_from_image(&g, c + 8, len - 8, &err),
                     GZT_ECORRUPT);
    assert_int_equal(gzt_gaz_from_image(&g, NULL, 0, &err), GZT_ECORRUPT);
    assert_int_equal(gzt_gaz_from_image(&g, c, 40, &err), GZT_ECORRUPT);
    /* any header word changed: the magic, the struct sizes, the counts,
     * the table sizes */
    for (size_t w = 0; w < 10; w++) {
        if (w == 4)
            continue; /* fewer names than entries: nothing to check */
        uint8_t *h = aligned_copy(img, len);
        h[8 * w + (w == 0 ? 0 : 3)] ^= 1;
        err.code = GZT_EIO; /* a stale error is replaced */
        strcpy(err.msg, "stale");
        if (gzt_gaz_from_image(&g, h, len, &err) != GZT_ECORRUPT)
            fail_msg("header word %zu changed, and the image was taken", w);
        assert_non_null(strstr(err.msg, "built-in lists"));
        free(h);
    }
    free(c);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_committed_lists_load_thousands_of_names),
        cmocka_unit_test(
            test_full_name_and_first_last_alias_share_a_canonical_form),
        cmocka_unit_test(test_a_surname_alone_is_a_feature_not_a_match),
        cmocka_unit_test(test_countries_capitals_and_demonyms_have_their_types),
        cmocka_unit_test(test_organisations_and_their_abbreviations_match),
        cmocka_unit_test(test_the_longest_entry_wins),
        cmocka_unit_test(test_a_match_ignores_how_punctuation_was_split),
        cmocka_unit_test(test_all_caps_text_matches_case_insensitively),
        cmocka_unit_test(test_title_and_organisation_cues_are_flagged),
        cmocka_unit_test(test_user_entries_take_precedence),
        cmocka_unit_test(test_every_bad_user_row_is_named_by_its_line),
        cmocka_unit_test(test_names_past_the_ceilings_are_refused),
        cmocka_unit_test(test_bad_builtin_rows_name_their_list),
        cmocka_unit_test(test_odd_tokens_match_nothing_and_do_not_crash),
        cmocka_unit_test(test_names_of_every_length_match_only_themselves),
        cmocka_unit_test(test_cue_flags_cover_nested_and_overlapping_phrases),
        cmocka_unit_test(test_every_hit_is_written_whole),
        cmocka_unit_test(test_short_capitals_fold_whether_ascii_or_not),
        cmocka_unit_test(
            test_every_allocation_failure_is_reported_and_cleaned_up),
        cmocka_unit_test(test_the_built_in_image_is_what_the_lists_build),
        cmocka_unit_test(test_a_user_list_is_added_to_a_copy_of_the_image),
        cmocka_unit_test(test_what_is_not_an_image_is_refused),
    };
    return cmocka_run_group_tests(tests, load_committed, free_committed);
}
