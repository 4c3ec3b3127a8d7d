/* SPDX-License-Identifier: MIT */
/*
 * bench_queries.c: query latency of one index over a query file.
 *
 * Usage: bench_queries INDEX QUERYFILE [PASSES] [--count] [--fast] [-n K]
 *
 * QUERYFILE has one query per line, or JSON Lines objects with a "query"
 * field (the search-benchmark-game's format; the first '"query": "...'
 * string of the line is taken, with \" and \\ unescaped). The index is
 * opened once; every query runs once as warm-up, then PASSES times (default
 * 3), and its minimum time counts. Prints mean, p50, p90, p99 and max in
 * microseconds, and the summed matches (a checksum that two runs or builds
 * agree). Timings are for docs/BENCHMARKS.md, never for a test's verdict.
 */
#include <gazette.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double
now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* the query text of a line: the line itself or its JSON "query" string */
static char *
query_of(char *line)
{
    char *q = strstr(line, "\"query\"");
    if (!q)
        return line;
    q = strchr(q + 7, '"');
    if (!q)
        return line;
    char *out = ++q, *w = q;
    for (; *q && *q != '"'; q++) {
        if (*q == '\\' && q[1])
            q++;
        *w++ = *q;
    }
    *w = '\0';
    return out;
}

int
main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_queries INDEX QUERYFILE [PASSES] "
                        "[--count] [-n K]\n");
        return 2;
    }
    int passes = 3, count_only = 0, fast = 0;
    size_t k = 10;
    for (int i = 3; i < argc; i++) {
        if (!strcmp(argv[i], "--count"))
            count_only = 1;
        else if (!strcmp(argv[i], "--fast"))
            fast = 1; /* top-k without an exact total (fast_topk) */
        else if (!strcmp(argv[i], "-n") && i + 1 < argc)
            k = (size_t)atol(argv[++i]);
        else
            passes = atoi(argv[i]);
    }
    gzt_error err = {0};
    gzt_index *idx;
    if (gzt_index_open(&idx, argv[1], &err) != GZT_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 2;
    }
    FILE *f = fopen(argv[2], "r");
    if (!f) {
        perror(argv[2]);
        return 2;
    }
    char **queries = NULL;
    size_t nq = 0, cap = 0;
    char *line = NULL;
    size_t lcap = 0;
    ssize_t n;
    while ((n = getline(&line, &lcap, f)) > 0) {
        if (line[n - 1] == '\n')
            line[n - 1] = '\0';
        char *q = query_of(line);
        if (!*q)
            continue;
        if (nq == cap) {
            cap = cap ? cap * 2 : 256;
            queries = realloc(queries, cap * sizeof *queries);
        }
        queries[nq++] = strdup(q);
    }
    free(line);
    fclose(f);
    gzt_search_opts o;
    gzt_search_opts_init(&o);
    o.limit = k;
    o.count_only = count_only;
    o.fast_topk = fast;
    double *best = malloc((nq + 1) * sizeof *best);
    unsigned long long matches = 0;
    for (int pass = 0; pass <= passes; pass++) {
        for (size_t i = 0; i < nq; i++) {
            gzt_results *r;
            double t0 = now_us();
            int rc = gzt_search(&r, idx, queries[i], &o, &err);
            double dt = now_us() - t0;
            if (rc != GZT_OK) {
                fprintf(stderr, "query %zu: %s\n", i, err.msg);
                err.code = 0;
                err.msg[0] = '\0';
                dt = 0;
            } else {
                if (pass == 0)
                    matches += gzt_results_total(r);
                gzt_results_free(r);
            }
            if (pass == 1 || (pass > 1 && dt < best[i]))
                best[i] = dt;
        }
    }
    double sum = 0;
    for (size_t i = 0; i < nq; i++)
        sum += best[i];
    qsort(best, nq, sizeof *best, cmp_double);
#define PCT(p) (nq ? best[(size_t)((double)(nq - 1) * (p))] : 0.0)
    printf("queries %zu  mode %s  mean %.1f us  p50 %.1f  p90 %.1f  p99 %.1f  "
           "max %.1f  matches %llu\n",
           nq,
           count_only ? "count"
           : fast     ? "top-k-fast"
                      : "top-k",
           nq ? sum / (double)nq : 0.0, PCT(0.5), PCT(0.9), PCT(0.99),
           nq ? best[nq - 1] : 0.0, matches);
    for (size_t i = 0; i < nq; i++)
        free(queries[i]);
    free(queries);
    free(best);
    gzt_index_close(idx);
    return 0;
}
