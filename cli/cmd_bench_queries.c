/* SPDX-License-Identifier: MIT */
/*
 * cmd_bench_queries.c: gazette bench queries, query latency of an index on
 * a query file in the search-benchmark-game's format.
 *
 * Each line is a JSON object with "query" and optional "tags" (a plain
 * line is a query without tags). For each command (TOP_10: the ten best
 * hits, the total free to be a lower bound, as the game's TOP_10;
 * TOP_10_COUNT: the same with the exact count; COUNT: the count alone;
 * the hits are found, not read, as in the game, unless --fetch reads each
 * hit's id on every engine),
 * every query runs once to warm up, then --passes times, interleaved
 * query by query, and its fastest run counts. Per command and tag (and
 * over all queries) the mean, p50, p90 and p99 are printed in
 * microseconds, as a Markdown table or JSON Lines.
 *
 * Peers run the same queries, every engine taking its turn pass by pass:
 * --peer DIR, another gazette index (another engine, or another build of
 * the same corpus), and --peers xapian,fts5, which builds the index's own
 * sources into a Xapian database (gazette's Xapian engine, entities as in
 * the index)
 * and an SQLite FTS5 database (gzt_fts5_build(): the same analysis),
 * reporting each build's time, MB/s and size. Each tag gets, per peer, the
 * geometric mean of the per-query time ratios; exact counts that differ
 * from the index's are listed (exit status 2); a query a peer cannot run
 * (FTS5 has no dates or entity fields) is left out of that peer's rows
 * with a warning. --plot FILE.svg draws, with gnuplot, a panel per command
 * and tag: the share of queries each engine answered within a time.
 * Timings are for reading, never for a test's verdict.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gazette.h"

#include "args.h"
#include "benchbuild.h"
#include "commands.h"
#include "jsonl.h"
#include "output.h"

#define ENGINES_MAX 4 /* -i, --peer, and two --peers */

typedef struct bq {
    char *text;                 /* the query */
    char **tags;                /* its tags */
    size_t ntags;               /* count */
    double best[ENGINES_MAX];   /* fastest run, µs, per engine; < 0 when the
                                   engine cannot run it */
    uint64_t hits[ENGINES_MAX]; /* what the command returned, per engine */
} bq;

/* An engine under test: a gazette index (either engine) or an FTS5 peer. */
typedef struct bench_engine {
    char name[64];  /* for the tables */
    gzt_index *idx; /* a gazette index, or NULL */
    gzt_fts5 *fts;  /* an FTS5 database, or NULL */
} bench_engine;

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
        bq q = {NULL, NULL, 0, {0}, {0}};
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

/* One run of query @p q for command @p cmd on engine @p e: microseconds;
 * -1 after a message; -2 when the engine cannot say the query (GZT_EINVAL
 * from an FTS5 peer), with a message on the warm-up pass (@p warn). */
static double
run_one(bench_engine *en, bq *q, int cmd, int e, bool warn, bool fetch)
{
    gzt_error err;
    output_err_clear(&err);
    if (en->fts) {
        uint64_t top = 0, count = 0;
        double t0 = output_now();
        int rc = cmd < 2
                     ? gzt_fts5_search(en->fts, q->text, 10, fetch, &top, &err)
                     : GZT_OK;
        if (rc == GZT_OK && cmd > 0)
            rc = gzt_fts5_search(en->fts, q->text, 0, 0, &count, &err);
        double us = (output_now() - t0) * 1e6;
        if (rc == GZT_EINVAL) {
            if (warn)
                output_warning("%s: left out on %s: %s", q->text, en->name,
                               err.msg);
            return -2;
        }
        if (rc != GZT_OK) {
            output_error("%s: %s: %s", en->name, q->text, err.msg);
            return -1;
        }
        q->hits[e] = cmd == 0 ? top : count;
        return us;
    }
    gzt_search_opts o;
    gzt_search_opts_init(&o);
    o.limit = 10;
    o.fast_topk = cmd == 0;
    o.count_only = cmd == 2;
    o.no_fetch = !fetch;
    gzt_results *res = NULL;
    double t0 = output_now();
    int rc = gzt_search(&res, en->idx, q->text, &o, &err);
    double us = (output_now() - t0) * 1e6;
    if (rc != GZT_OK) {
        output_error("%s: %s: %s", en->name, q->text, err.msg);
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

/* A JSON row of type @p type with what every row says: the command, the
 * tag, the engine and the number of queries; *ok false when out of
 * memory. */
static json_t *
row_object(const char *type, int cmd, const char *tag, const char *ename,
           size_t n, bool *ok)
{
    json_t *o = jsonl_object(type);
    *ok = o != NULL;
    *ok &=
        jsonl_set(o, "command",
                  jsonl_string(command_names[cmd], strlen(command_names[cmd])));
    *ok &= jsonl_set(o, "tag", jsonl_string(tag, strlen(tag)));
    *ok &= jsonl_set(o, "engine", jsonl_string(ename, strlen(ename)));
    *ok &= jsonl_set(o, "queries", jsonl_uint(n));
    return o;
}

/* Print the row of command @p cmd over the queries tagged @p tag (NULL:
 * all of them) for engine @p e named @p engine. */
static int
row(const bq_set *s, int cmd, const char *tag, int e, const char *ename,
    bool json, double *lat)
{
    size_t n = 0;
    uint64_t hits = 0;
    double sum = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (!tagged(&s->v[i], tag) || s->v[i].best[e] < 0)
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
        bool ok;
        json_t *o = row_object("bench", cmd, name, ename, n, &ok);
        ok &= jsonl_set(o, "mean_us", jsonl_real(sum / (double)n));
        ok &= jsonl_set(o, "p50_us", jsonl_real(PCT(0.5)));
        ok &= jsonl_set(o, "p90_us", jsonl_real(PCT(0.9)));
        ok &= jsonl_set(o, "p99_us", jsonl_real(PCT(0.99)));
        ok &= jsonl_set(o, "hits", jsonl_uint(hits));
        return jsonl_emit(o, ok);
    }
    printf("| %s | %s | %s | %zu | %.1f | %.1f | %.1f | %.1f | %llu |\n",
           command_names[cmd], name, ename, n, sum / (double)n, PCT(0.5),
           PCT(0.9), PCT(0.99), (unsigned long long)hits);
#undef PCT
    return EXIT_FOUND;
}

/* Engine @p e's time over the index's, as the geometric mean of
 * per-query ratios over the queries tagged @p tag that both ran. */
static int
ratio_row(const bq_set *s, int cmd, const char *tag, int e, const char *ename,
          bool json)
{
    size_t n = 0;
    double logsum = 0;
    for (size_t i = 0; i < s->n; i++)
        if (tagged(&s->v[i], tag) && s->v[i].best[0] > 0 &&
            s->v[i].best[e] > 0) {
            logsum += log(s->v[i].best[e] / s->v[i].best[0]);
            n++;
        }
    if (!n)
        return EXIT_FOUND;
    double r = exp(logsum / (double)n);
    const char *name = tag ? tag : "all";
    if (json) {
        bool ok;
        json_t *o = row_object("bench_ratio", cmd, name, ename, n, &ok);
        ok &= jsonl_set(o, "peer_over_index", jsonl_real(r));
        return jsonl_emit(o, ok);
    }
    printf("| %s | %s | %s / index | %zu | %.2f× (geometric mean of "
           "per-query ratios) | | | | |\n",
           command_names[cmd], name, ename, n, r);
    return EXIT_FOUND;
}

/* The distinct tags of @p s in order of first appearance, then NULL for
 * all queries: @p fn for each until it returns other than EXIT_FOUND. */
static int
each_tag(const bq_set *s, int (*fn)(void *ctx, const char *tag), void *ctx)
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
            if (!seen)
                status = fn(ctx, tag);
        }
    return status;
}

typedef struct rows_ctx {
    const bq_set *s;        /* the queries */
    int cmd;                /* the command */
    int nengines;           /* engines */
    const bench_engine *en; /* and their names */
    bool json;              /* JSON Lines */
    double *lat;            /* scratch */
    FILE *plot;             /* the gnuplot script being written, or NULL */
    unsigned panels;        /* panels written to it */
} rows_ctx;

/* One panel of the plot: for each engine the cumulative distribution of
 * the latencies of the queries tagged @p tag. */
static void
plot_panel(rows_ctx *c, const char *tag)
{
    FILE *f = c->plot;
    unsigned p = c->panels++;
    for (int e = 0; e < c->nengines; e++) {
        size_t n = 0;
        for (size_t i = 0; i < c->s->n; i++)
            if (tagged(&c->s->v[i], tag) && c->s->v[i].best[e] > 0)
                c->lat[n++] = c->s->v[i].best[e];
        qsort(c->lat, n, sizeof *c->lat, cmp_double);
        fprintf(f, "$p%u_%d << EOD\n", p, e);
        for (size_t i = 0; i < n; i++)
            fprintf(f, "%.3f %.5f\n", c->lat[i], (double)(i + 1) / (double)n);
        fprintf(f, "EOD\n");
    }
    fprintf(f, "set title \"%s, %s\" noenhanced\nplot ", command_names[c->cmd],
            tag ? tag : "all queries");
    for (int e = 0; e < c->nengines; e++)
        fprintf(f, "%s$p%u_%d with steps lw 1.5 title \"%s\" noenhanced",
                e ? ", " : "", p, e, c->en[e].name);
    fprintf(f, "\n");
}

static int
tag_rows(void *ctx, const char *tag)
{
    rows_ctx *c = ctx;
    int status = EXIT_FOUND;
    for (int e = 0; e < c->nengines && status == EXIT_FOUND; e++)
        status = row(c->s, c->cmd, tag, e, c->en[e].name, c->json, c->lat);
    for (int e = 1; e < c->nengines && status == EXIT_FOUND; e++)
        status = ratio_row(c->s, c->cmd, tag, e, c->en[e].name, c->json);
    if (c->plot)
        plot_panel(c, tag);
    return status;
}

static int
count_tag(void *ctx, const char *tag)
{
    (void)tag;
    (*(unsigned *)ctx)++;
    return EXIT_FOUND;
}

/* Draw the panels of @p script (@p rows commands by @p cols tags) into the
 * SVG file @p path with gnuplot. */
static int
plot_svg(const char *path, const char *script, unsigned rows, unsigned cols)
{
    if (strpbrk(path, "'\"\\\n")) {
        output_error("--plot: %s: quotes in the file name", path);
        return EXIT_TROUBLE;
    }
    FILE *g = popen("gnuplot 2>&1", "w");
    if (!g) {
        output_error("--plot: cannot run gnuplot: %s", strerror(errno));
        return EXIT_TROUBLE;
    }
    fprintf(g,
            "set terminal svg size %u,%u dynamic font 'sans,10'\n"
            "set output '%s'\n"
            "set multiplot layout %u,%u title 'gazette bench queries: "
            "share of queries answered within a time (µs, log scale)'\n"
            "set logscale x\nset grid\nset key bottom right\n"
            "set yrange [0:1]\n%s"
            "unset multiplot\n",
            420 * cols, 320 * rows, path, rows, cols, script);
    int st = pclose(g);
    if (st != 0) {
        output_error("--plot: gnuplot failed (status %d); is it installed "
                     "(gnuplot-nox)?",
                     st);
        return EXIT_TROUBLE;
    }
    return EXIT_FOUND;
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

/* ---- peers built from the index's sources ------------------------------- */

/* The index's sources, language and formats, for building its peers. */
typedef struct corpus {
    const char *paths[64]; /* recorded sources */
    gzt_format fmt[64];    /* and their formats */
    uint32_t n;            /* count */
    char language[32];     /* the analysis */
    int entities;          /* entity terms (for entity queries) */
} corpus;

static int
corpus_of(gzt_index *idx, corpus *c)
{
    gzt_stats st;
    gzt_error err;
    output_err_clear(&err);
    int rc = gzt_index_stats(idx, &st);
    if (rc != GZT_OK)
        return output_lib_error(rc, &err);
    snprintf(c->language, sizeof c->language, "%s", st.language);
    c->entities = st.entities;
    c->n = 0;
    for (uint32_t i = 0; i < st.sources && c->n < 64; i++) {
        const char *fmt = NULL;
        const char *p = gzt_index_source(idx, i, &fmt);
        if (!p || !strcmp(p, "-"))
            continue;
        c->fmt[c->n] = args_format(fmt);
        c->paths[c->n++] = p;
    }
    if (c->n == 0) {
        output_error("--peers: the index records no source files to build "
                     "the peers from");
        return EXIT_TROUBLE;
    }
    return EXIT_FOUND;
}

/* Build peer @p kind ("xapian" or "fts5") at @p path from @p c, unless
 * @p reuse and it is there; print a row of the build table. */
static int
build_peer(const char *kind, const char *path, const corpus *c, bool reuse,
           bool json)
{
    struct stat st;
    if (reuse && stat(path, &st) == 0) {
        if (!json)
            printf("| %s | reused %s | | | | | %.1f |\n", kind, path,
                   (double)output_tree_bytes(path) / 1e6);
        return EXIT_FOUND;
    }
    gzt_error err;
    output_err_clear(&err);
    gzt_ingest_stats is;
    double t0 = output_now();
    /* Xapian with the same terms as the index (its entity setting) */
    int rc = bench_build(kind, c->entities, 0, path, c->paths, c->fmt, c->n,
                         c->language, &is, &err);
    double secs = output_now() - t0;
    if (rc != GZT_OK) {
        output_error("building the %s peer at %s: %s", kind, path, err.msg);
        return EXIT_TROUBLE;
    }
    double mb = (double)is.bytes / 1e6,
           size = (double)output_tree_bytes(path) / 1e6;
    if (json) {
        json_t *o = jsonl_object("bench_build");
        bool ok = o != NULL;
        ok &= jsonl_set(o, "engine", jsonl_string(kind, strlen(kind)));
        ok &= jsonl_set(o, "docs", jsonl_uint(is.docs));
        ok &= jsonl_set(o, "seconds", jsonl_real(secs));
        ok &= jsonl_set(o, "mb_per_s", jsonl_real(mb / secs));
        ok &= jsonl_set(o, "docs_per_s", jsonl_real((double)is.docs / secs));
        ok &= jsonl_set(o, "size_mb", jsonl_real(size));
        return jsonl_emit(o, ok);
    }
    printf("| %s | %llu | %.2f | %.1f | %.0f | %.1f |\n", kind,
           (unsigned long long)is.docs, secs, mb / secs, (double)is.docs / secs,
           size);
    return EXIT_FOUND;
}

/* Build (or reuse) and open the peers named in @p list into @p en from
 * @p *n on, under @p dir. */
static int
open_peers(const arg_cmd *cmd, const char *list, const char *dir, bool reuse,
           gzt_index *idx, bench_engine *en, int *n, bool json)
{
    corpus c;
    int status = corpus_of(idx, &c);
    if (status == EXIT_FOUND && !json)
        printf("| peer | docs | build s | MB/s | docs/s | size MB |\n"
               "|---|---|---|---|---|---|\n");
    char *copy = strdup(list), *save = NULL;
    if (!copy) {
        output_error("out of memory");
        return EXIT_TROUBLE;
    }
    for (char *k = strtok_r(copy, ",", &save); k && status == EXIT_FOUND;
         k = strtok_r(NULL, ",", &save)) {
        if (strcmp(k, "xapian") != 0 && strcmp(k, "fts5") != 0) {
            status =
                args_usage_error(cmd, "--peers: '%s' is not xapian or fts5", k);
            break;
        }
        if (*n == ENGINES_MAX) {
            status = args_usage_error(cmd, "too many peers");
            break;
        }
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", dir, k);
        status = build_peer(k, path, &c, reuse, json);
        if (status != EXIT_FOUND)
            break;
        bench_engine *e = &en[*n];
        gzt_error err;
        output_err_clear(&err);
        int rc = !strcmp(k, "fts5") ? gzt_fts5_open(&e->fts, path, &err)
                                    : gzt_index_open(&e->idx, path, &err);
        if (rc != GZT_OK) {
            status = output_lib_error(rc, &err);
            break;
        }
        snprintf(e->name, sizeof e->name, "%s", k);
        (*n)++;
    }
    free(copy);
    if (status == EXIT_FOUND && !json)
        printf("\n");
    return status;
}

int
cmd_bench_queries(const args *a)
{
    bq_set s = {NULL, 0, 0};
    int status = load(&s, a->operands[0]);
    unsigned passes = (unsigned)args_uint(a, "passes", 3);
    const char *only = args_get(a, "command");
    const char *peer = args_get(a, "peer");
    const char *peers = args_get(a, "peers");
    const char *peers_dir = args_get(a, "peers-dir");
    bool json = args_has(a, "json");
    bool fetch = args_has(a, "fetch");
    bench_engine en[ENGINES_MAX];
    memset(en, 0, sizeof en);
    int nengines = 0;
    char tmp[PATH_MAX] = "";
    if (status == EXIT_FOUND && passes == 0)
        status = args_usage_error(a->cmd, "--passes must be at least 1");
    for (int e = 0; e < (peer ? 2 : 1) && status == EXIT_FOUND; e++) {
        const char *dir = e ? peer : args_index_dir(a);
        gzt_error err;
        output_err_clear(&err);
        int rc = gzt_index_open(&en[e].idx, dir, &err);
        if (rc != GZT_OK)
            status = output_lib_error(rc, &err);
        else
            engine_name(en[e].idx, dir, en[e].name);
        nengines = e + 1;
    }
    if (status == EXIT_FOUND && peers) {
        const char *dir = peers_dir;
        if (!dir) {
            const char *t = getenv("TMPDIR");
            snprintf(tmp, sizeof tmp, "%s/gazette-peers.XXXXXX",
                     t && *t ? t : "/tmp");
            if (!mkdtemp(tmp)) {
                output_error("%s: %s", tmp, strerror(errno));
                tmp[0] = '\0';
                status = EXIT_TROUBLE;
            }
            dir = tmp;
        } else if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
            output_error("%s: %s", dir, strerror(errno));
            status = EXIT_TROUBLE;
        }
        if (status == EXIT_FOUND)
            status = open_peers(a->cmd, peers, dir, peers_dir != NULL,
                                en[0].idx, en, &nengines, json);
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
    const char *plot = args_get(a, "plot");
    char *script_text = NULL;
    size_t script_len = 0;
    FILE *script = NULL;
    unsigned plot_rows = 0, plot_cols = 0;
    if (status == EXIT_FOUND && plot &&
        !(script = open_memstream(&script_text, &script_len))) {
        output_error("out of memory");
        status = EXIT_TROUBLE;
    }
    for (int cmd = 0; cmd < 3 && status == EXIT_FOUND; cmd++) {
        if (only && strcmp(only, command_names[cmd]) != 0)
            continue;
        /* a warm-up pass, then the timed ones; the engines take turns
         * pass by pass, so that all see the same state of the machine */
        for (unsigned p = 0; p <= passes && status == EXIT_FOUND; p++)
            for (int e = 0; e < nengines && status == EXIT_FOUND; e++)
                for (size_t i = 0; i < s.n && status == EXIT_FOUND; i++) {
                    bq *q = &s.v[i];
                    if (p > 0 && q->best[e] == -2)
                        continue; /* the engine cannot run it */
                    double us =
                        run_one(&en[e], q, cmd, e, p == 0 && cmd == 0, fetch);
                    if (us == -1)
                        status = EXIT_TROUBLE;
                    else if (us == -2 || p == 1 || (p > 1 && us < q->best[e]))
                        q->best[e] = us;
                }
        /* counts are exact on every engine: they must agree */
        for (int e = 1; cmd > 0 && e < nengines; e++)
            for (size_t i = 0; i < s.n; i++)
                if (s.v[i].best[e] >= 0 && s.v[i].hits[0] != s.v[i].hits[e]) {
                    disagree++;
                    output_warning(
                        "%s %s: %llu on %s, %llu on %s", command_names[cmd],
                        s.v[i].text, (unsigned long long)s.v[i].hits[0],
                        en[0].name, (unsigned long long)s.v[i].hits[e],
                        en[e].name);
                }
        if (status == EXIT_FOUND) {
            rows_ctx rc = {&s, cmd, nengines, en, json, lat, script, 0};
            status = each_tag(&s, tag_rows, &rc);
            plot_rows++;
        }
        for (size_t i = 0; i < s.n; i++)
            for (int e = 0; e < nengines; e++)
                if (s.v[i].best[e] != -2)
                    s.v[i].best[e] = 0;
    }
    if (script) {
        fclose(script);
        (void)each_tag(&s, count_tag, &plot_cols);
        if (status == EXIT_FOUND && plot_rows)
            status = plot_svg(plot, script_text, plot_rows, plot_cols);
        free(script_text);
    }
    free(lat);
    for (int e = 0; e < ENGINES_MAX; e++) {
        gzt_index_close(en[e].idx);
        gzt_fts5_close(en[e].fts);
    }
    if (tmp[0])
        output_remove_tree(tmp);
    set_free(&s);
    if (status == EXIT_FOUND && disagree) {
        output_error("%llu counts differ between the engines",
                     (unsigned long long)disagree);
        status = EXIT_TROUBLE;
    }
    return status;
}
