/* SPDX-License-Identifier: MIT */
/*
 * cmd_eval.c: gazette eval, retrieval effectiveness on a test collection.
 *
 * The corpus is indexed (entities off: they do not change BM25's text
 * terms or lengths) unless -i names an index that exists; every topic runs
 * as a bag of words (the query syntax of its text is neutralised, so a
 * claim with a colon or a minus is not read as a field or an exclusion),
 * its first --depth hits go to a TREC run file, and gzt_eval_run() scores
 * the file against the qrels as trec_eval does.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gazette.h"

#include "args.h"
#include "commands.h"
#include "jsonl.h"
#include "output.h"

/* The text of a topic as a query that only ORs its words: ASCII syntax
 * characters become spaces, and the operators AND, OR and NOT lower case
 * (operators are capitals only). */
static void
as_words(char *q)
{
    for (char *p = q; *p; p++)
        if (strchr("+-\"()*:~^\\[]{}!/&|?", *p))
            *p = ' ';
    for (char *p = q; *p;) {
        while (*p == ' ')
            p++;
        char *w = p;
        while (*p && *p != ' ')
            p++;
        size_t n = (size_t)(p - w);
        if ((n == 3 && (!strncmp(w, "AND", 3) || !strncmp(w, "NOT", 3))) ||
            (n == 2 && !strncmp(w, "OR", 2)))
            for (size_t i = 0; i < n; i++)
                w[i] = (char)(w[i] - 'A' + 'a');
    }
}

static bool
exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Index @p corpus into @p idx. */
static int
build(const char *idx, const char *corpus, const args *a)
{
    gzt_writer_opts wo;
    gzt_writer_opts_init(&wo);
    wo.entities = 0;
    gzt_ingest_opts io;
    gzt_ingest_opts_init(&io);
    io.format = GZT_FORMAT_JSONL;
    io.id_field = args_has(a, "id-field") ? args_get(a, "id-field") : "_id";
    gzt_writer *w = NULL;
    gzt_error err;
    output_err_clear(&err);
    gzt_ingest_stats st;
    memset(&st, 0, sizeof st);
    int rc = gzt_writer_open(&w, idx, &wo, &err);
    if (rc == GZT_OK)
        rc = gzt_writer_add_path(w, corpus, &io, &st, &err);
    if (rc == GZT_OK && st.errors) {
        /* a test collection with holes would give wrong figures */
        gzt_writer_close(w);
        output_error("%s: %llu records could not be read", corpus,
                     (unsigned long long)st.errors);
        return EXIT_TROUBLE;
    }
    if (rc == GZT_OK)
        rc = gzt_writer_commit(w, &err);
    gzt_writer_close(w);
    return rc == GZT_OK ? EXIT_FOUND : output_lib_error(rc, &err);
}

/* Run every topic of @p topics on @p idx into the run file @p run. */
static int
run_topics(gzt_index *idx, const char *topics, const char *run, const args *a)
{
    FILE *in = fopen(topics, "r");
    if (!in) {
        output_error("%s: %s", topics, strerror(errno));
        return EXIT_TROUBLE;
    }
    FILE *out = fopen(run, "w");
    if (!out) {
        output_error("%s: %s", run, strerror(errno));
        fclose(in);
        return EXIT_TROUBLE;
    }
    gzt_search_opts o;
    gzt_search_opts_init(&o);
    o.limit = (size_t)args_uint(a, "depth", 1000);
    o.k1 = args_float(a, "k1", o.k1);
    o.b = args_float(a, "b", o.b);
    const char *tag = args_has(a, "tag") ? args_get(a, "tag") : "gazette";
    char *line = NULL;
    size_t cap = 0;
    unsigned lineno = 0;
    int status = EXIT_FOUND;
    while (status == EXIT_FOUND && getline(&line, &cap, in) > 0) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0])
            continue;
        char *tab = strchr(line, '\t');
        if (!tab || tab == line) {
            output_error("%s:%u: expected TOPIC<TAB>QUERY", topics, lineno);
            status = EXIT_TROUBLE;
            break;
        }
        *tab = '\0';
        as_words(tab + 1);
        gzt_results *res = NULL;
        gzt_error err;
        output_err_clear(&err);
        int rc = gzt_search(&res, idx, tab + 1, &o, &err);
        if (rc != GZT_OK) {
            output_error("%s:%u: topic %s: %s", topics, lineno, line, err.msg);
            status = EXIT_TROUBLE;
            break;
        }
        for (size_t i = 0; i < gzt_results_count(res); i++) {
            gzt_hit h;
            if (gzt_results_hit(res, i, &h) == GZT_OK)
                fprintf(out, "%s Q0 %s %zu %.9g %s\n", line, h.id, h.rank,
                        h.score, tag);
        }
        gzt_results_free(res);
    }
    free(line);
    fclose(in);
    if (fclose(out) != 0 && status == EXIT_FOUND) {
        output_error("%s: %s", run, strerror(errno));
        status = EXIT_TROUBLE;
    }
    return status;
}

int
cmd_eval(const args *a)
{
    const char *corpus = args_get(a, "corpus");
    const char *topics = args_get(a, "topics");
    const char *qrels = args_get(a, "qrels");
    if (!topics || !qrels)
        return args_usage_error(a->cmd, "--topics and --qrels are required");
    const char *given = args_get(a, "index");
    char tmpl[] = "/tmp/gazette-eval-XXXXXX";
    char idx[4096];
    bool temporary = !given;
    if (temporary) {
        if (!mkdtemp(tmpl)) {
            output_error("temporary directory: %s", strerror(errno));
            return EXIT_TROUBLE;
        }
        snprintf(idx, sizeof idx, "%s/eval.idx", tmpl);
    } else {
        snprintf(idx, sizeof idx, "%s", given);
    }
    char manifest[4200];
    snprintf(manifest, sizeof manifest, "%s/MANIFEST", idx);
    int status = EXIT_FOUND;
    double t0 = output_now();
    if (!exists(manifest)) {
        if (!corpus)
            status = args_usage_error(a->cmd,
                                      "%s is no index: give --corpus "
                                      "to build it",
                                      idx);
        else
            status = build(idx, corpus, a);
    }
    double t1 = output_now();
    const char *run = args_has(a, "run") ? args_get(a, "run") : "gazette.run";
    gzt_index *ix = NULL;
    gzt_error err;
    output_err_clear(&err);
    if (status == EXIT_FOUND) {
        int rc = gzt_index_open(&ix, idx, &err);
        if (rc != GZT_OK)
            status = output_lib_error(rc, &err);
    }
    if (status == EXIT_FOUND)
        status = run_topics(ix, topics, run, a);
    gzt_index_close(ix);
    double t2 = output_now();
    gzt_eval_report r;
    if (status == EXIT_FOUND) {
        output_err_clear(&err);
        int rc = gzt_eval_run(&r, run, qrels, &err);
        if (rc != GZT_OK)
            status = output_lib_error(rc, &err);
    }
    if (temporary)
        output_remove_tree(tmpl);
    if (status != EXIT_FOUND)
        return status;
    if (args_has(a, "json")) {
        json_t *obj = jsonl_object("eval");
        bool ok = obj != NULL;
        ok &= jsonl_set(obj, "topics", jsonl_uint(r.topics));
        ok &= jsonl_set(obj, "ndcg_cut_10", json_real(r.ndcg10));
        ok &= jsonl_set(obj, "recall_100", json_real(r.recall100));
        ok &= jsonl_set(obj, "recall_1000", json_real(r.recall1000));
        ok &= jsonl_set(obj, "map", json_real(r.map));
        ok &= jsonl_set(obj, "retrieved", jsonl_uint(r.retrieved));
        ok &= jsonl_set(obj, "relevant", jsonl_uint(r.relevant));
        ok &= jsonl_set(obj, "relevant_retrieved", jsonl_uint(r.rel_found));
        ok &= jsonl_set(obj, "run", jsonl_string(run, strlen(run)));
        return jsonl_emit(obj, ok);
    }
    printf("topics       %llu\n", (unsigned long long)r.topics);
    printf("nDCG@10      %.4f\n", r.ndcg10);
    printf("R@100        %.4f\n", r.recall100);
    printf("R@1000       %.4f\n", r.recall1000);
    printf("MAP          %.4f\n", r.map);
    printf("relevant     %llu of %llu found\n", (unsigned long long)r.rel_found,
           (unsigned long long)r.relevant);
    printf("run          %s\n", run);
    printf("time         %.2f s indexing, %.2f s searching\n", t1 - t0,
           t2 - t1);
    return EXIT_FOUND;
}
