/* SPDX-License-Identifier: MIT */
/*
 * fuzz_query.c: the query parser (searcher/query.c) and the date ranges of
 * --since/--until (common/date.c) on arbitrary bytes.
 *
 * Each input is parsed three times, as gzt_search() would: English with
 * the default operator OR, English with AND (--all), and the "none"
 * analyzer. A syntax error is a fine answer; what is checked is the shape
 * of every tree that parses: a leaf holds terms and at most
 * GZT_QUERY_MAX_CLAUSES leaves, phrases at most GZT_QUERY_MAX_PHRASE terms
 * at increasing positions, date ranges are ordered, and the tree formats.
 * "Today" is fixed so that relative dates do not depend on the clock.
 */
#include <stdlib.h>

#include "common/analyze.h"
#include "common/date.h"
#include "gazette.h"
#include "searcher/query.h"
#include "tests/fuzz/fuzzkit.h"

#define TODAY 20250315

/* Counts over a tree; checks each node on the way. */
typedef struct walk {
    size_t leaves; /* TERM, PHRASE and PREFIX nodes */
    size_t depth;  /* deepest node, the root at 1 */
} walk;

static void
check_node(const gzt_qnode *n, size_t depth, walk *w)
{
    GZT_FUZZ_CHECK(n != NULL);
    if (depth > w->depth)
        w->depth = depth;
    switch (n->kind) {
    case GZT_Q_NONE:
    case GZT_Q_ALL:
        break;
    case GZT_Q_TERM:
    case GZT_Q_PREFIX:
        GZT_FUZZ_CHECK(n->nterms >= 1 && n->terms && n->terms[0]);
        w->leaves++;
        break;
    case GZT_Q_PHRASE:
        GZT_FUZZ_CHECK(n->nterms >= 1 && n->nterms <= GZT_QUERY_MAX_PHRASE);
        GZT_FUZZ_CHECK(n->qpos && n->qpos[0] == 0);
        for (uint32_t i = 0; i < n->nterms; i++) {
            GZT_FUZZ_CHECK(n->terms[i] && n->terms[i][0]);
            GZT_FUZZ_CHECK(i == 0 || n->qpos[i] > n->qpos[i - 1]);
        }
        w->leaves++;
        break;
    case GZT_Q_DATE:
        GZT_FUZZ_CHECK(n->from <= n->to);
        break;
    case GZT_Q_BOOL:
        GZT_FUZZ_CHECK(n->nmust + n->nshould + n->nmustnot > 0);
        for (uint32_t i = 0; i < n->nmust; i++)
            check_node(n->must[i], depth + 1, w);
        for (uint32_t i = 0; i < n->nshould; i++)
            check_node(n->should[i], depth + 1, w);
        for (uint32_t i = 0; i < n->nmustnot; i++)
            check_node(n->mustnot[i], depth + 1, w);
        break;
    default:
        gzt_fuzzkit_fail(__FILE__, __LINE__, "unknown node kind");
    }
}

static void
parse(gzt_analyzer *an, const char *q, size_t len, int all, gzt_buf *out)
{
    gzt_arena arena;
    gzt_arena_init(&arena, 0);
    gzt_query_opts o = {all, TODAY};
    gzt_qnode *root = NULL;
    gzt_error err;
    err.code = -12345; /* the parser must clear it */
    int rc = gzt_query_parse(&root, &arena, q, len, an, &o, &err);
    GZT_FUZZ_CHECK(err.code == rc);
    if (rc == GZT_OK) {
        walk w = {0, 0};
        check_node(root, 1, &w);
        GZT_FUZZ_CHECK(w.leaves <= GZT_QUERY_MAX_CLAUSES);
        GZT_FUZZ_CHECK(gzt_query_format(root, out) == GZT_OK);
        GZT_FUZZ_CHECK(out->len > 0);
    } else {
        GZT_FUZZ_CHECK(rc == GZT_ESYNTAX || rc == GZT_ETOOBIG);
        GZT_FUZZ_CHECK(root == NULL && err.msg[0] != '\0');
    }
    gzt_arena_fini(&arena);
}

/* the range parsers of date.h and gazette.h on the same bytes */
static void
dates(const char *q, size_t len)
{
    gzt_date from = -1, to = -1;
    if (gzt_date_parse_range(q, len, TODAY, &from, &to) == GZT_OK)
        GZT_FUZZ_CHECK(from <= to && (from == 0 || gzt_date_valid(from)) &&
                       (to == 99991231 || gzt_date_valid(to)));
    if (gzt_date_parse(q, len, TODAY, &from, &to) == GZT_OK)
        GZT_FUZZ_CHECK(from <= to && gzt_date_valid(from) &&
                       gzt_date_valid(to));
    /* the public one takes a C string: the bytes up to a NUL */
    char *s = gzt_strndup(q, len);
    GZT_FUZZ_CHECK(s != NULL);
    gzt_error err;
    if (gzt_date_range_parse(&from, &to, s, TODAY, &err) == GZT_OK)
        GZT_FUZZ_CHECK(from <= to);
    gzt_free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static gzt_analyzer *english, *none;
    if (!english) {
        GZT_FUZZ_CHECK(gzt_analyzer_new(&english, "english", NULL) == GZT_OK);
        GZT_FUZZ_CHECK(gzt_analyzer_new(&none, "none", NULL) == GZT_OK);
    }
    const char *q = (const char *)data;
    gzt_buf out = GZT_BUF_INIT;
    parse(english, q, size, 0, &out);
    parse(english, q, size, 1, &out);
    parse(none, q, size, 0, &out);
    gzt_buf_free(&out);
    if (size <= 64)
        dates(q, size);
    return 0;
}
