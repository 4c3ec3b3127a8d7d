/* SPDX-License-Identifier: MIT */
/*
 * cmd_bench_queries.c: gazette bench queries, query latency of an index on
 * a query file in the search-benchmark-game's format.
 *
 * Each line is a JSON object with "query" and optional "tags" (a plain
 * line is a query without tags). For each command (TOP_10: the ten best
 * hits, the total free to be a lower bound, as the game's TOP_10;
 * TOP_10_COUNT: the same with the exact count; COUNT: the count alone),
 * every query runs once to warm up, then --passes times, interleaved
 * query by query, and its fastest run counts. Per command and tag (and
 * over all queries) the mean, p50, p90 and p99 are printed in
 * microseconds, as a Markdown table or JSON Lines. Timings are for
 * reading, never for a test's verdict.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gazette.h"

#include "args.h"
#include "commands.h"
#include "jsonl.h"
#include "output.h"

typedef struct bq {
    char *text;    /* the query */
    char **tags;   /* its tags */
    size_t ntags;  /* count */
    double best;   /* fastest run, µs */
    uint64_t hits; /* what the command returned (checksum) */
} bq;

typedef struct bq_set {
    bq *v;         /* queries */
    size_t n, cap; /* count, capacity */
} bq_set;

static void
set_free(bq_set *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->v[i].text);
        for (size_t k = 0; k < s->v[i].ntags; k++)
            free(s->v[i].tags[k]);
        free(s->v[i].tags);
    }
    free(s->v);
}

/* Read @p path into @p s; EXIT_TROUBLE after a message naming the line. */
static int
load(bq_set *s, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        output_error("%s: %s", path, strerror(errno));
        return EXIT_TROUBLE;
    }
    char *line = NULL;
    size_t cap = 0;
    unsigned lineno = 0;
    int status = EXIT_FOUND;
    while (status == EXIT_FOUND && getline(&line, &cap, f) > 0) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0])
            continue;
        bq q = {NULL, NULL, 0, 0, 0};
        if (line[0] == '{') {
            json_error_t je;
            json_t *o = json_loads(line, 0, &je);
            json_t *qs = o ? json_object_get(o, "query") : NULL;
            json_t *tags = o ? json_object_get(o, "tags") : NULL;
            if (!json_is_string(qs) || (tags && !json_is_array(tags))) {
                output_error("%s:%u: expected {\"query\": \"...\", "
                             "\"tags\": [...]}",
                             path, lineno);
                status = EXIT_TROUBLE;
            } else {
                q.text = strdup(json_string_value(qs));
                size_t nt = tags ? json_array_size(tags) : 0;
                q.tags = calloc(nt + 1, sizeof *q.tags);
                for (size_t k = 0; q.tags && k < nt; k++) {
                    json_t *t = json_array_get(tags, k);
                    if (json_is_string(t) &&
                        (q.tags[q.ntags] = strdup(json_string_value(t))))
                        q.ntags++;
                }
            }
            json_decref(o);
        } else {
            q.text = strdup(line);
            q.tags = calloc(1, sizeof *q.tags);
        }
        if (status != EXIT_FOUND)
            break;
        if (s->n == s->cap) {
            size_t ncap = s->cap ? s->cap * 2 : 256;
            bq *nv = realloc(s->v, ncap * sizeof *nv);
            if (nv) {
                s->v = nv;
                s->cap = ncap;
            }
        }
        if (!q.text || !q.tags || s->n == s->cap) {
            output_error("out of memory");
            status = EXIT_TROUBLE;
            free(q.text);
            free(q.tags);
            break;
        }
        s->v[s->n++] = q;
    }
    free(line);
    fclose(f);
    return status;
}

/* One run of query @p q for command @p cmd: microseconds, or -1 after a
 * message. */
static double
run_one(gzt_index *idx, bq *q, int cmd)
{
    gzt_search_opts o;
    gzt_search_opts_init(&o);
    o.limit = 10;
    o.fast_topk = cmd == 0;
    o.count_only = cmd == 2;
    gzt_results *res = NULL;
    gzt_error err;
    output_err_clear(&err);
    double t0 = output_now();
    int rc = gzt_search(&res, idx, q->text, &o, &err);
    double us = (output_now() - t0) * 1e6;
    if (rc != GZT_OK) {
        output_error("%s: %s", q->text, err.msg);
        return -1;
    }
    q->hits = cmd == 0 ? gzt_results_count(res) : gzt_results_total(res);
    gzt_results_free(res);
    return us;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static const char *const command_names[] = {"TOP_10", "TOP_10_COUNT", "COUNT"};

/* Print the row of command @p cmd over the queries tagged @p tag (NULL:
 * all of them). */
static int
row(const bq_set *s, int cmd, const char *tag, bool json, double *lat)
{
    size_t n = 0;
    uint64_t hits = 0;
    double sum = 0;
    for (size_t i = 0; i < s->n; i++) {
        bool in = !tag;
        for (size_t k = 0; !in && k < s->v[i].ntags; k++)
            in = !strcmp(s->v[i].tags[k], tag);
        if (!in)
            continue;
        lat[n++] = s->v[i].best;
        sum += s->v[i].best;
        hits += s->v[i].hits;
    }
    if (!n)
        return EXIT_FOUND;
    qsort(lat, n, sizeof *lat, cmp_double);
#define PCT(p) lat[(size_t)((double)(n - 1) * (p))]
    const char *name = tag ? tag : "all";
    if (json) {
        json_t *o = jsonl_object("bench");
        bool ok = o != NULL;
        ok &= jsonl_set(
            o, "command",
            jsonl_string(command_names[cmd], strlen(command_names[cmd])));
        ok &= jsonl_set(o, "tag", jsonl_string(name, strlen(name)));
        ok &= jsonl_set(o, "queries", jsonl_uint(n));
        ok &= jsonl_set(o, "mean_us", jsonl_real(sum / (double)n));
        ok &= jsonl_set(o, "p50_us", jsonl_real(PCT(0.5)));
        ok &= jsonl_set(o, "p90_us", jsonl_real(PCT(0.9)));
        ok &= jsonl_set(o, "p99_us", jsonl_real(PCT(0.99)));
        ok &= jsonl_set(o, "hits", jsonl_uint(hits));
        return jsonl_emit(o, ok);
    }
    printf("| %s | %s | %zu | %.1f | %.1f | %.1f | %.1f | %llu |\n",
           command_names[cmd], name, n, sum / (double)n, PCT(0.5), PCT(0.9),
           PCT(0.99), (unsigned long long)hits);
#undef PCT
    return EXIT_FOUND;
}

int
cmd_bench_queries(const args *a)
{
    bq_set s = {NULL, 0, 0};
    int status = load(&s, a->operands[0]);
    unsigned passes = (unsigned)args_uint(a, "passes", 3);
    const char *only = args_get(a, "command");
    bool json = args_has(a, "json");
    gzt_index *idx = NULL;
    gzt_error err;
    output_err_clear(&err);
    if (status == EXIT_FOUND && passes == 0)
        status = args_usage_error(a->cmd, "--passes must be at least 1");
    if (status == EXIT_FOUND) {
        int rc = gzt_index_open(&idx, args_index_dir(a), &err);
        if (rc != GZT_OK)
            status = output_lib_error(rc, &err);
    }
    double *lat = status == EXIT_FOUND ? malloc((s.n + 1) * sizeof *lat) : NULL;
    if (status == EXIT_FOUND && !lat) {
        output_error("out of memory");
        status = EXIT_TROUBLE;
    }
    if (status == EXIT_FOUND && !json)
        printf("| command | tag | queries | mean µs | p50 | p90 | p99 | "
               "hits |\n|---|---|---|---|---|---|---|---|\n");
    for (int cmd = 0; cmd < 3 && status == EXIT_FOUND; cmd++) {
        if (only && strcmp(only, command_names[cmd]) != 0)
            continue;
        /* a warm-up pass, then the timed ones, query by query */
        for (unsigned p = 0; p <= passes && status == EXIT_FOUND; p++)
            for (size_t i = 0; i < s.n && status == EXIT_FOUND; i++) {
                double us = run_one(idx, &s.v[i], cmd);
                if (us < 0)
                    status = EXIT_TROUBLE;
                else if (p == 1 || (p > 1 && us < s.v[i].best))
                    s.v[i].best = us;
            }
        /* tags in order of first appearance */
        for (size_t i = 0; i < s.n && status == EXIT_FOUND; i++)
            for (size_t k = 0; k < s.v[i].ntags && status == EXIT_FOUND; k++) {
                bool seen = false;
                for (size_t j = 0; j < i && !seen; j++)
                    for (size_t m = 0; m < s.v[j].ntags && !seen; m++)
                        seen = !strcmp(s.v[j].tags[m], s.v[i].tags[k]);
                for (size_t m = 0; m < k && !seen; m++)
                    seen = !strcmp(s.v[i].tags[m], s.v[i].tags[k]);
                if (!seen)
                    status = row(&s, cmd, s.v[i].tags[k], json, lat);
            }
        if (status == EXIT_FOUND)
            status = row(&s, cmd, NULL, json, lat);
    }
    free(lat);
    gzt_index_close(idx);
    set_free(&s);
    return status;
}
