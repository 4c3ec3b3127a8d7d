/* SPDX-License-Identifier: MIT */
/*
 * cmd_entities.c: gazette entities: the people, organisations, places and
 * other names of an index, or of the documents matching a query (a
 * facet), with exact document and mention counts (gzt_index_entities()).
 *
 * For people, an aligned table, most documents first:
 *
 *   docs  mentions  type  canonical
 *      2         5  PER   Sergey Lavrov
 *
 *   2 documents match                      (with a QUERY)
 *
 * and with --json one JSON Lines object per entity, then a summary. The
 * facet API gives canonical forms only, so the JSON "text" of an entity is
 * its canonical form. The exit status is 1 when nothing is listed: no
 * entities, or no document matches.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gazette.h"

#include "commands.h"
#include "jsonl.h"
#include "markup.h"
#include "output.h"
#include "searchopts.h"

/* --type's value as a gzt_entity_type, 0 for all. */
static int
type_of(const char *name)
{
    for (int t = GZT_ENTITY_PER; name && t <= GZT_ENTITY_MISC; t++)
        if (!strcmp(name, gzt_entity_type_name(t)))
            return t;
    return 0;
}

static int
json_entity(const gzt_facet *fc)
{
    json_t *obj = jsonl_object("entity");
    const char *canon = fc->canonical ? fc->canonical : "";
    bool ok = obj != NULL;

    ok &= jsonl_set(obj, "entity_type",
                    json_string(gzt_entity_type_name(fc->type)));
    ok &= jsonl_set(obj, "canonical", jsonl_string(canon, strlen(canon)));
    ok &= jsonl_set(obj, "text", jsonl_string(canon, strlen(canon)));
    ok &= jsonl_set(obj, "docs", jsonl_uint(fc->docs));
    ok &= jsonl_set(obj, "mentions", jsonl_uint(fc->mentions));
    return jsonl_emit(obj, ok);
}

static int
json_summary(const char *query, const gzt_facets *f, const char *type,
             double micros)
{
    json_t *obj = jsonl_object("summary");
    bool ok = obj != NULL;

    ok &= jsonl_set(obj, "query",
                    query ? jsonl_string(query, strlen(query)) : json_null());
    ok &= jsonl_set(obj, "entity_type", type ? json_string(type) : json_null());
    ok &= jsonl_set(obj, "matches", jsonl_uint(gzt_facets_matches(f)));
    ok &= jsonl_set(obj, "returned", jsonl_uint(gzt_facets_count(f)));
    ok &= jsonl_set(obj, "micros", jsonl_real(micros));
    return jsonl_emit(obj, ok);
}

/* Columns wide enough for the header and the largest count. */
static int
count_width(const gzt_facets *f, bool docs, const char *header)
{
    size_t w = strlen(header);
    char buf[32];

    for (size_t i = 0; i < gzt_facets_count(f); i++) {
        const gzt_facet *fc = gzt_facets_get(f, i);
        output_count(buf, sizeof buf, docs ? fc->docs : fc->mentions);
        if (strlen(buf) > w)
            w = strlen(buf);
    }
    return (int)w;
}

static void
print_table(const gzt_facets *f, bool color)
{
    int dw = count_width(f, true, "docs");
    int mw = count_width(f, false, "mentions");
    char d[32], m[32];

    output_sgr(stdout, color, SGR_DIM);
    printf("%*s  %*s  %-4s  %s", dw, "docs", mw, "mentions", "type",
           "canonical");
    output_sgr_reset(stdout, color);
    fputc('\n', stdout);
    for (size_t i = 0; i < gzt_facets_count(f); i++) {
        const gzt_facet *fc = gzt_facets_get(f, i);
        const char *canon = fc->canonical ? fc->canonical : "";
        size_t len = strlen(canon);
        output_count(d, sizeof d, fc->docs);
        output_count(m, sizeof m, fc->mentions);
        printf("%*s  %*s  %-4s  ", dw, d, mw, m,
               gzt_entity_type_name(fc->type));
        if (color) {
            /* as highlighted in search results */
            gzt_span sp = {
                (gzt_span_kind)fc->type, 0, (uint32_t)len, 0, 0, NULL};
            markup_print_raw(stdout, canon, len, &sp, 1, NULL);
        } else {
            output_text(stdout, canon, len);
        }
        fputc('\n', stdout);
    }
}

/* The human view; its exit status. */
static int
print_facets(const gzt_facets *f, const char *query, bool color)
{
    uint64_t matches = gzt_facets_matches(f);

    if (query && matches == 0) {
        output_sgr(stdout, color, SGR_DIM);
        fputs("no documents match", stdout);
        output_sgr_reset(stdout, color);
        fputc('\n', stdout);
        return EXIT_NOTHING;
    }
    if (gzt_facets_count(f) == 0) {
        output_sgr(stdout, color, SGR_DIM);
        fputs("no entities", stdout);
        output_sgr_reset(stdout, color);
        fputc('\n', stdout);
    } else {
        print_table(f, color);
    }
    if (query) {
        output_sgr(stdout, color, SGR_DIM);
        printf("\n%llu %s match", (unsigned long long)matches,
               output_plural(matches, "document", "documents"));
        output_sgr_reset(stdout, color);
        fputc('\n', stdout);
    }
    return gzt_facets_count(f) ? EXIT_FOUND : EXIT_NOTHING;
}

int
cmd_entities(const args *a)
{
    const char *type_name = args_get(a, "type");
    size_t limit = (size_t)args_uint(a, "limit", 20);
    gzt_search_opts o;
    gzt_index *idx = NULL;
    gzt_facets *f = NULL;
    gzt_error err;
    char *query = NULL;
    double t0;
    int rc, status = EXIT_TROUBLE;

    if (searchopts_read(&o, a) != EXIT_FOUND)
        return EXIT_TROUBLE;
    if (a->noperands) {
        query = searchopts_join(a->operands, a->noperands);
        if (!query)
            return EXIT_TROUBLE;
    }
    output_err_clear(&err);
    rc = gzt_index_open(&idx, args_index_dir(a), &err);
    if (rc != GZT_OK) {
        output_lib_error(rc, &err);
        goto done;
    }
    output_err_clear(&err);
    t0 = output_now();
    rc =
        gzt_index_entities(&f, idx, query, &o, type_of(type_name), limit, &err);
    if (rc != GZT_OK) {
        output_lib_error(rc, &err);
        goto done;
    }
    if (args_has(a, "json")) {
        /* to the nanosecond, as search's: 45.328, not 45.32799994 */
        double micros =
            (double)(uint64_t)((output_now() - t0) * 1e9 + 0.5) / 1e3;
        status = EXIT_FOUND;
        for (size_t i = 0; i < gzt_facets_count(f) && status == EXIT_FOUND; i++)
            status = json_entity(gzt_facets_get(f, i));
        if (status == EXIT_FOUND)
            status = json_summary(query, f, type_name, micros);
        if (status == EXIT_FOUND && gzt_facets_count(f) == 0)
            status = EXIT_NOTHING;
    } else {
        status = print_facets(f, query, output_use_color(args_get(a, "color")));
    }
done:
    gzt_facets_free(f);
    gzt_index_close(idx);
    free(query);
    return status;
}
