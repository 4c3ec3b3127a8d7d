/* SPDX-License-Identifier: MIT */
/*
 * searchopts.c: the query and search options of search and entities (see
 * searchopts.h). --since takes the first day of its date expression and
 * --until the last, so --since 2024 --until 2024 is the year 2024.
 */
#include "searchopts.h"

#include <stdlib.h>
#include <string.h>

#include "output.h"

char *
searchopts_join(const char *const *words, size_t n)
{
    size_t len = 1;
    char *q, *p;

    for (size_t i = 0; i < n; i++)
        len += strlen(words[i]) + 1;
    q = p = malloc(len);
    if (!q) {
        output_error("out of memory");
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        size_t wl = strlen(words[i]);
        if (i > 0)
            *p++ = ' ';
        memcpy(p, words[i], wl);
        p += wl;
    }
    *p = '\0';
    return q;
}

static gzt_sort
sort_of(const char *name)
{
    if (name && !strcmp(name, "date"))
        return GZT_SORT_DATE;
    if (name && !strcmp(name, "date-asc"))
        return GZT_SORT_DATE_ASC;
    return GZT_SORT_SCORE;
}

/* --since takes the start of its range, --until the end of its own. */
static int
date_bound(gzt_date *out, const char *expr, bool since)
{
    gzt_date from = 0, to = 0;
    gzt_error err;
    int rc;

    output_err_clear(&err);
    rc = gzt_date_range_parse(&from, &to, expr, 0, &err);
    if (rc != GZT_OK)
        return output_lib_error(rc, &err);
    if (since)
        *out = from;
    else
        *out = to >= 99991231 ? 0 : to;
    return EXIT_FOUND;
}

int
searchopts_read(gzt_search_opts *o, const args *a)
{
    gzt_search_opts_init(o);
    o->limit = (size_t)args_uint(a, "limit", o->limit);
    o->offset = (size_t)args_uint(a, "offset", o->offset);
    o->all = args_has(a, "all");
    o->count_only = args_has(a, "count");
    o->explain = args_has(a, "explain");
    o->fast_topk = args_has(a, "fast");
    o->sort = sort_of(args_get(a, "sort"));
    o->k1 = args_float(a, "k1", o->k1);
    o->b = args_float(a, "b", o->b);
    if (args_has(a, "since") &&
        date_bound(&o->since, args_get(a, "since"), true) != EXIT_FOUND)
        return EXIT_TROUBLE;
    if (args_has(a, "until") &&
        date_bound(&o->until, args_get(a, "until"), false) != EXIT_FOUND)
        return EXIT_TROUBLE;
    return EXIT_FOUND;
}
