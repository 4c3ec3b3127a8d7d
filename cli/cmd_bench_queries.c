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
 * microseconds, as a Markdown table or JSON Lines. With --peer, a second
 * index (another engine, or another build of the same corpus) runs the
 * same queries, the two taking turns pass by pass; each tag gets the
 * geometric mean of the per-query time ratios, and exact counts that
 * differ between the two are listed (exit status 2). Timings are for
 * reading, never for a test's verdict.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gazette.h"

#include "args.h"
#include "commands.h"
#include "jsonl.h"
#include "output.h"

typedef struct bq {
    char *text;       /* the query */
    char **tags;      /* its tags */
    size_t ntags;     /* count */
    double best[2];   /* fastest run, µs, per engine (-i, --peer) */
    uint64_t hits[2]; /* what the command returned, per engine */
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
        bq q = {NULL, NULL, 0, {0, 0}, {0, 0}};
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
run_one(gzt_index *idx, bq *q, int cmd, int e)
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
    q->hits[e] = cmd == 0 ? gzt_results_count(res) : gzt_results_total(res);
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

/* is query @p q tagged @p tag (NULL: every query is)? */
static bool
tagged(const bq *q, const char *tag)
{
    bool in = !tag;
    for (size_t k = 0; !in && k < q->ntags; k++)
        in = !strcmp(q->tags[k], tag);
    return in;
}

/* Print the row of command @p cmd over the queries tagged @p tag (NULL:
 * all of them) for engine @p e named @p engine. */
static int
row(const bq_set *s, int cmd, const char *tag, int e, const char *engine,
    bool json, double *lat)
{
    size_t n = 0;
    uint64_t hits = 0;
    double sum = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (!tagged(&s->v[i], tag))
            continue;
        lat[n++] = s->v[i].best[e];
        sum += s->v[i].best[e];
        hits += s->v[i].hits[e];
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
        ok &= jsonl_set(o, "engine", jsonl_string(engine, strlen(engine)));
        ok &= jsonl_set(o, "queries", jsonl_uint(n));
        ok &= jsonl_set(o, "mean_us", jsonl_real(sum / (double)n));
        ok &= jsonl_set(o, "p50_us", jsonl_real(PCT(0.5)));
        ok &= jsonl_set(o, "p90_us", jsonl_real(PCT(0.9)));
        ok &= jsonl_set(o, "p99_us", jsonl_real(PCT(0.99)));
        ok &= jsonl_set(o, "hits", jsonl_uint(hits));
        return jsonl_emit(o, ok);
    }
    printf("| %s | %s | %s | %zu | %.1f | %.1f | %.1f | %.1f | %llu |\n",
           command_names[cmd], name, engine, n, sum / (double)n, PCT(0.5),
           PCT(0.9), PCT(0.99), (unsigned long long)hits);
#undef PCT
    return EXIT_FOUND;
}

/* The peer's time over ours, as the geometric mean of per-query ratios
 * over the queries tagged @p tag. */
static int
ratio_row(const bq_set *s, int cmd, const char *tag, bool json)
{
    size_t n = 0;
    double logsum = 0;
    for (size_t i = 0; i < s->n; i++)
        if (tagged(&s->v[i], tag) && s->v[i].best[0] > 0 &&
            s->v[i].best[1] > 0) {
            logsum += log(s->v[i].best[1] / s->v[i].best[0]);
            n++;
        }
    if (!n)
        return EXIT_FOUND;
    double r = exp(logsum / (double)n);
    const char *name = tag ? tag : "all";
    if (json) {
        json_t *o = jsonl_object("bench_ratio");
        bool ok = o != NULL;
        ok &= jsonl_set(
            o, "command",
            jsonl_string(command_names[cmd], strlen(command_names[cmd])));
        ok &= jsonl_set(o, "tag", jsonl_string(name, strlen(name)));
        ok &= jsonl_set(o, "peer_over_index", jsonl_real(r));
        return jsonl_emit(o, ok);
    }
    printf("| %s | %s | peer / index | %zu | %.2f× (geometric mean of "
           "per-query ratios) | | | | |\n",
           command_names[cmd], name, n, r);
    return EXIT_FOUND;
}

/* The rows of command @p cmd: per tag in order of first appearance, then
 * all queries, for each engine, then the ratios. */
static int
rows(const bq_set *s, int cmd, int nengines, char names[2][64], bool json,
     double *lat)
{
    int status = EXIT_FOUND;
    for (size_t i = 0; i <= s->n && status == EXIT_FOUND; i++)
        for (size_t k = 0;
             k < (i < s->n ? s->v[i].ntags : 1) && status == EXIT_FOUND; k++) {
            const char *tag = i < s->n ? s->v[i].tags[k] : NULL;
            bool seen = false;
            for (size_t j = 0; tag && j < i && !seen; j++)
                seen = tagged(&s->v[j], tag);
            for (size_t m = 0; tag && m < k && !seen; m++)
                seen = !strcmp(s->v[i].tags[m], tag);
            for (int e = 0; !seen && e < nengines && status == EXIT_FOUND; e++)
                status = row(s, cmd, tag, e, names[e], json, lat);
            if (!seen && nengines == 2 && status == EXIT_FOUND)
                status = ratio_row(s, cmd, tag, json);
        }
    return status;
}

/* "native index.idx" for the engine and directory of @p idx */
static void
engine_name(gzt_index *idx, const char *dir, char out[64])
{
    gzt_stats st;
    const char *slash = strrchr(dir, '/');
    const char *base = slash && slash[1] ? slash + 1 : dir;
    if (gzt_index_stats(idx, &st) == GZT_OK)
        snprintf(out, 64, "%.16s %.40s", st.engine, base);
    else
        snprintf(out, 64, "%.40s", base);
}

int
cmd_bench_queries(const args *a)
{
    bq_set s = {NULL, 0, 0};
    int status = load(&s, a->operands[0]);
    unsigned passes = (unsigned)args_uint(a, "passes", 3);
    const char *only = args_get(a, "command");
    const char *peer = args_get(a, "peer");
    bool json = args_has(a, "json");
    gzt_index *idx[2] = {NULL, NULL};
    char names[2][64];
    int nengines = peer ? 2 : 1;
    if (status == EXIT_FOUND && passes == 0)
        status = args_usage_error(a->cmd, "--passes must be at least 1");
    for (int e = 0; e < nengines && status == EXIT_FOUND; e++) {
        const char *dir = e ? peer : args_index_dir(a);
        gzt_error err;
        output_err_clear(&err);
        int rc = gzt_index_open(&idx[e], dir, &err);
        if (rc != GZT_OK)
            status = output_lib_error(rc, &err);
        else
            engine_name(idx[e], dir, names[e]);
    }
    double *lat = status == EXIT_FOUND ? malloc((s.n + 1) * sizeof *lat) : NULL;
    if (status == EXIT_FOUND && !lat) {
        output_error("out of memory");
        status = EXIT_TROUBLE;
    }
    if (status == EXIT_FOUND && !json)
        printf("| command | tag | engine | queries | mean µs | p50 | p90 | "
               "p99 | hits |\n|---|---|---|---|---|---|---|---|---|\n");
    uint64_t disagree = 0;
    for (int cmd = 0; cmd < 3 && status == EXIT_FOUND; cmd++) {
        if (only && strcmp(only, command_names[cmd]) != 0)
            continue;
        /* a warm-up pass, then the timed ones; the engines take turns
         * pass by pass, so that both see the same state of the machine */
        for (unsigned p = 0; p <= passes && status == EXIT_FOUND; p++)
            for (int e = 0; e < nengines && status == EXIT_FOUND; e++)
                for (size_t i = 0; i < s.n && status == EXIT_FOUND; i++) {
                    double us = run_one(idx[e], &s.v[i], cmd, e);
                    if (us < 0)
                        status = EXIT_TROUBLE;
                    else if (p == 1 || (p > 1 && us < s.v[i].best[e]))
                        s.v[i].best[e] = us;
                }
        /* counts are exact on both sides: they must agree */
        for (size_t i = 0; nengines == 2 && cmd > 0 && i < s.n; i++)
            if (s.v[i].hits[0] != s.v[i].hits[1]) {
                disagree++;
                output_warning("%s %s: %llu on %s, %llu on %s",
                               command_names[cmd], s.v[i].text,
                               (unsigned long long)s.v[i].hits[0], names[0],
                               (unsigned long long)s.v[i].hits[1], names[1]);
            }
        if (status == EXIT_FOUND)
            status = rows(&s, cmd, nengines, names, json, lat);
    }
    free(lat);
    for (int e = 0; e < 2; e++)
        gzt_index_close(idx[e]);
    set_free(&s);
    if (status == EXIT_FOUND && disagree) {
        output_error("%llu counts differ between the engines",
                     (unsigned long long)disagree);
        status = EXIT_TROUBLE;
    }
    return status;
}
