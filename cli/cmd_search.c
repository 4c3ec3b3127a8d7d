/* SPDX-License-Identifier: MIT */
/*
 * cmd_search.c: gazette search.
 *
 * Three outputs from one result set: the count alone (--count), JSON Lines
 * (--json; the shape is versioned and documented in docs/CLI.md), or the
 * human view:
 *
 *   1. 003_fdbb837543be5c6f.txt  2023-03-30  8.4213
 *      Title of the article
 *      ...snippet with the **matches** and the {PER entities} marked,
 *      wrapped at the terminal...
 *
 *   4 of 17 matches (0.42 ms)
 *
 * where ranks are right-aligned so the text below them lines up. The exit
 * status is 0 when the query matches any document (even if --offset pages
 * past them all) and 1 when it matches none.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gazette.h"

#include "commands.h"
#include "jsonl.h"
#include "markup.h"
#include "output.h"
#include "searchopts.h"

/* How hits are laid out for people. */
typedef struct view {
    bool entities; /* highlight entities, not only matches */
    bool color;    /* SGR escapes, else plain text with markers */
    size_t width;  /* wrap column */
    size_t rank_w; /* digits of the largest rank shown */
    size_t indent; /* columns before title, snippet and explain lines */
} view;

/* ---- JSON Lines -------------------------------------------------------- */

static json_t *
json_highlights(const gzt_snippet *s, bool entities)
{
    json_t *arr = json_array();

    for (size_t i = 0; arr && i < s->nspans; i++) {
        const gzt_span *sp = &s->spans[i];
        if (!entities && markup_is_entity(sp->kind))
            continue;
        json_t *h = json_object();
        bool ok = h != NULL;
        ok &= jsonl_set(h, "kind", json_string(markup_kind_name(sp->kind)));
        ok &= jsonl_set(h, "start", jsonl_uint(sp->start));
        ok &= jsonl_set(h, "end", jsonl_uint(sp->end));
        ok &= jsonl_set(h, "doc_start", jsonl_uint(sp->doc_start));
        ok &= jsonl_set(h, "doc_end", jsonl_uint(sp->doc_end));
        if (sp->canonical)
            ok &= jsonl_set(h, "canonical",
                            jsonl_string(sp->canonical, strlen(sp->canonical)));
        if (!ok)
            json_decref(h);
        if (!ok || json_array_append_new(arr, h) != 0) {
            json_decref(arr); /* append_new frees h when it fails */
            return NULL;
        }
    }
    return arr;
}

static json_t *
json_explain(const gzt_results *res, size_t i)
{
    size_t n = 0;
    const gzt_explain_term *t = gzt_results_explain(res, i, &n);
    json_t *arr = json_array();

    for (size_t k = 0; arr && t && k < n; k++) {
        json_t *e = json_object();
        bool ok = e != NULL;
        ok &= jsonl_set(e, "term", jsonl_string(t[k].term, strlen(t[k].term)));
        ok &= jsonl_set(e, "idf", jsonl_real(t[k].idf));
        ok &= jsonl_set(e, "tf", jsonl_real(t[k].tf));
        ok &= jsonl_set(e, "df", jsonl_uint(t[k].df));
        ok &= jsonl_set(e, "dl", jsonl_uint(t[k].dl));
        ok &= jsonl_set(e, "avgdl", jsonl_real(t[k].avgdl));
        ok &= jsonl_set(e, "score", jsonl_real(t[k].score));
        if (!ok)
            json_decref(e);
        if (!ok || json_array_append_new(arr, e) != 0) {
            json_decref(arr); /* append_new frees e when it fails */
            return NULL;
        }
    }
    return arr;
}

static int
json_hit(gzt_results *res, size_t i, const gzt_search_opts *o, bool entities)
{
    gzt_snippet snip = {0};
    gzt_hit h;
    gzt_error err;
    json_t *obj;
    bool ok;
    int rc;

    output_err_clear(&err);
    rc = gzt_results_hit(res, i, &h);
    if (rc != GZT_OK)
        return output_lib_error(rc, NULL);
    rc = gzt_results_snippet(&snip, res, i, 0, &err);
    if (rc != GZT_OK)
        return output_lib_error(rc, &err);
    obj = jsonl_object("hit");
    ok = obj != NULL;
    ok &= jsonl_set(obj, "rank", jsonl_uint(h.rank));
    ok &= jsonl_set(obj, "id", jsonl_string(h.id, strlen(h.id)));
    ok &= jsonl_set(obj, "score", jsonl_real(h.score));
    ok &= jsonl_set(obj, "title",
                    jsonl_optional(h.title, h.title ? strlen(h.title) : 0));
    ok &= jsonl_set(obj, "date", jsonl_date(h.date));
    ok &= jsonl_set(obj, "snippet", jsonl_string(snip.text, snip.text_len));
    ok &= jsonl_set(obj, "highlights", json_highlights(&snip, entities));
    if (o->explain)
        ok &= jsonl_set(obj, "explain", json_explain(res, i));
    gzt_snippet_fini(&snip);
    return jsonl_emit(obj, ok);
}

/* Microseconds to the nanosecond: 130.695, not 130.6949999. */
static double
to_nanos(double micros)
{
    if (!(micros >= 0 && micros < 1e15))
        return micros;
    return (double)(uint64_t)(micros * 1e3 + 0.5) / 1e3;
}

/* the shards an --allow-partial search left out, or NULL */
static const char *partial_note;

static int
json_summary(const char *query, const gzt_results *res,
             const gzt_search_opts *o)
{
    json_t *obj = jsonl_object("summary");
    bool ok = obj != NULL;

    ok &= jsonl_set(obj, "query", jsonl_string(query, strlen(query)));
    ok &= jsonl_set(obj, "total", jsonl_uint(gzt_results_total(res)));
    if (!gzt_results_total_exact(res))
        ok &= jsonl_set(obj, "total_exact", json_false());
    ok &= jsonl_set(obj, "returned", jsonl_uint(gzt_results_count(res)));
    ok &= jsonl_set(obj, "offset", jsonl_uint(o->offset));
    ok &=
        jsonl_set(obj, "micros", jsonl_real(to_nanos(gzt_results_micros(res))));
    if (partial_note) {
        ok &= jsonl_set(obj, "partial", json_true());
        ok &= jsonl_set(obj, "missing",
                        jsonl_string(partial_note, strlen(partial_note)));
    }
    return jsonl_emit(obj, ok);
}

/* ---- for people -------------------------------------------------------- */

static void
print_explain(const view *v, const gzt_results *res, size_t i)
{
    size_t n = 0;
    const gzt_explain_term *t = gzt_results_explain(res, i, &n);

    for (size_t k = 0; t && k < n; k++) {
        printf("%*s", (int)v->indent, "");
        output_text(stdout, t[k].term, strlen(t[k].term));
        fputs(": ", stdout);
        output_sgr(stdout, v->color, SGR_DIM);
        printf(
            "idf %.4f \xC3\x97 tf %g (dl %u, avgdl %.1f, df %u) = ", t[k].idf,
            t[k].tf, (unsigned)t[k].dl, t[k].avgdl, (unsigned)t[k].df);
        output_sgr_reset(stdout, v->color);
        printf("%.4f\n", t[k].score);
    }
}

static int
print_hit(const view *v, gzt_results *res, size_t i, const gzt_search_opts *o)
{
    gzt_snippet snip = {0};
    gzt_error err;
    gzt_hit h;
    char date[11];
    int rc;

    output_err_clear(&err);
    rc = gzt_results_hit(res, i, &h);
    if (rc != GZT_OK)
        return output_lib_error(rc, NULL);
    rc = gzt_results_snippet(&snip, res, i, 0, &err);
    if (rc != GZT_OK)
        return output_lib_error(rc, &err);

    output_sgr(stdout, v->color, SGR_BOLD);
    printf("%*zu.", (int)v->rank_w, h.rank);
    output_sgr_reset(stdout, v->color);
    fputc(' ', stdout);
    output_sgr(stdout, v->color, SGR_MAGENTA);
    output_text(stdout, h.id, strlen(h.id));
    output_sgr_reset(stdout, v->color);
    output_date(date, h.date);
    output_sgr(stdout, v->color, SGR_DIM);
    if (date[0])
        printf("  %s", date);
    printf("  %.4f", h.score);
    output_sgr_reset(stdout, v->color);
    fputc('\n', stdout);

    markup_layout layout = {v->color, v->width, v->indent, 0, NULL};
    if (h.title && h.title[0]) {
        layout.base_sgr = SGR_BOLD;
        markup_print(stdout, h.title, strlen(h.title), NULL, 0, &layout);
        layout.base_sgr = NULL;
    }
    if (snip.text && snip.text_len) {
        /* without entities, the matches alone (the spans are the
         * library's: filter a copy) */
        gzt_span *spans = snip.spans;
        size_t n = snip.nspans;
        if (!v->entities && n) {
            spans = malloc(n * sizeof *spans);
            n = 0;
            for (size_t k = 0; spans && k < snip.nspans; k++)
                if (!markup_is_entity(snip.spans[k].kind))
                    spans[n++] = snip.spans[k];
        }
        markup_print(stdout, snip.text, snip.text_len, spans, n, &layout);
        if (spans != snip.spans)
            free(spans);
    }
    gzt_snippet_fini(&snip);
    if (o->explain)
        print_explain(v, res, i);
    fputc('\n', stdout);
    return EXIT_FOUND;
}

static void
print_summary(const view *v, const gzt_results *res, const gzt_search_opts *o)
{
    uint64_t total = gzt_results_total(res);
    size_t count = gzt_results_count(res);
    bool exact = gzt_results_total_exact(res);
    char took[32];

    output_micros(took, sizeof took, gzt_results_micros(res));
    output_sgr(stdout, v->color, SGR_DIM);
    if (total == 0)
        printf("no matches (%s)", took);
    else if (o->offset == 0 || count == 0)
        printf("%zu of %s%llu %s (%s)", count, exact ? "" : "at least ",
               (unsigned long long)total,
               output_plural(total, "match", "matches"), took);
    else
        printf("%zu-%zu of %s%llu %s (%s)", o->offset + 1, o->offset + count,
               exact ? "" : "at least ", (unsigned long long)total,
               output_plural(total, "match", "matches"), took);
    if (partial_note)
        fputs(", partial: some shards were not searched", stdout);
    output_sgr_reset(stdout, v->color);
    fputc('\n', stdout);
}

static int
show_results(const args *a, const char *query, gzt_results *res,
             const gzt_search_opts *o)
{
    size_t count = gzt_results_count(res);
    bool json = args_has(a, "json");
    bool entities = !args_has(a, "no-entity-highlights");
    view v = {0};
    int rc = EXIT_FOUND;

    if (o->count_only) {
        if (json)
            return json_summary(query, res, o);
        printf("%llu\n", (unsigned long long)gzt_results_total(res));
        return EXIT_FOUND;
    }
    if (json) {
        for (size_t i = 0; i < count && rc == EXIT_FOUND; i++)
            rc = json_hit(res, i, o, entities);
        return rc == EXIT_FOUND ? json_summary(query, res, o) : rc;
    }
    v.entities = entities;
    v.color = output_use_color(args_get(a, "color"));
    v.width = output_term_width(STDOUT_FILENO);
    if (v.width == 0)
        v.width = 80;
    v.rank_w = (size_t)snprintf(NULL, 0, "%zu", o->offset + count);
    v.indent = v.rank_w + 2;
    if (o->explain) {
        output_sgr(stdout, v.color, SGR_DIM);
        printf("query: %s", gzt_results_query(res));
        output_sgr_reset(stdout, v.color);
        fputs("\n\n", stdout);
    }
    for (size_t i = 0; i < count && rc == EXIT_FOUND; i++)
        rc = print_hit(&v, res, i, o);
    if (rc == EXIT_FOUND)
        print_summary(&v, res, o);
    return rc;
}

int
cmd_search(const args *a)
{
    gzt_search_opts o;
    gzt_index *idx = NULL;
    gzt_results *res = NULL;
    gzt_error err;
    char *query;
    int rc, status = EXIT_TROUBLE;

    if (searchopts_read(&o, a) != EXIT_FOUND)
        return EXIT_TROUBLE;
    query = searchopts_join(a->operands, a->noperands);
    if (!query)
        return EXIT_TROUBLE;
    output_err_clear(&err);
    gzt_open_opts oo;
    gzt_open_opts_init(&oo);
    oo.allow_partial = args_has(a, "allow-partial");
    oo.timeout_ms = (unsigned)args_uint(a, "timeout", 0);
    rc = gzt_index_open_with(&idx, args_index_dir(a), &oo, &err);
    if (rc != GZT_OK) {
        output_lib_error(rc, &err);
        goto done;
    }
    partial_note = gzt_index_partial(idx);
    if (partial_note)
        output_warning("partial results: not searched: %s", partial_note);
    output_err_clear(&err);
    rc = gzt_search(&res, idx, query, &o, &err);
    if (rc != GZT_OK) {
        output_lib_error(rc, &err);
        goto done;
    }
    status = show_results(a, query, res, &o);
    if (status == EXIT_FOUND && gzt_results_total(res) == 0)
        status = EXIT_NOTHING;
done:
    partial_note = NULL; /* it belongs to idx */
    gzt_results_free(res);
    gzt_index_close(idx);
    free(query);
    return status;
}
