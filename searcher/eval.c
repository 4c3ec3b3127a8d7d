/* SPDX-License-Identifier: MIT */
/*
 * eval.c: qrels and trec_eval's measures (see eval.h). Written by hand:
 * trec_eval is a program, not a library, and no Debian package offers
 * these measures to C; what is here is small and checked against
 * hand-computed cases (tests/unit/test_eval.c).
 */
#include "searcher/eval.h"

#include "gazette.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/io.h"

static int
cmp_judgment(const void *a, const void *b)
{
    const gzt_judgment *x = a, *y = b;
    int c = strcmp(x->topic, y->topic);
    return c ? c : strcmp(x->doc, y->doc);
}

/* Split the line at *p (up to '\n' or @p end) into whitespace-separated
 * fields, the first @p max of them into @p f / @p fl, and move *p past the
 * line. Returns how many fields the line has (also those past @p max). */
static size_t
split_line(const char **p, const char *end, const char **f, size_t *fl,
           size_t max)
{
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    const char *eol = nl ? nl : end, *q = *p;
    size_t k = 0;
    for (;;) {
        while (q < eol && (*q == ' ' || *q == '\t' || *q == '\r'))
            q++;
        if (q == eol)
            break;
        const char *s = q;
        while (q < eol && *q != ' ' && *q != '\t' && *q != '\r')
            q++;
        if (k < max) {
            f[k] = s;
            fl[k] = (size_t)(q - s);
        }
        k++;
    }
    *p = nl ? nl + 1 : end;
    return k;
}

int
gzt_qrels_parse(gzt_qrels *out, const char *text, size_t len, const char *path,
                gzt_error *err)
{
    memset(out, 0, sizeof *out);
    gzt_arena_init(&out->arena, 0);
    size_t cap = 0;
    unsigned line = 0;
    for (const char *p = text, *end = text + len; p < end;) {
        line++;
        const char *f[4];
        size_t fl[4];
        size_t k = split_line(&p, end, f, fl, 4);
        if (k == 0)
            continue; /* a blank line */
        char num[16];
        char *numend = NULL;
        long rel = 0;
        if (k == 4 && fl[3] < sizeof num) {
            memcpy(num, f[3], fl[3]);
            num[fl[3]] = '\0';
            rel = strtol(num, &numend, 10);
        }
        if (k != 4 || !numend || *numend || rel < -100 || rel > 100) {
            gzt_qrels_fini(out);
            return gzt_err_set(err, GZT_EINVAL,
                               "%s:%u: expected TOPIC ITERATION DOCUMENT "
                               "RELEVANCE",
                               path, line);
        }
        if (out->n == cap) {
            size_t ncap = cap ? cap * 2 : 256;
            gzt_judgment *nv = gzt_realloc(out->v, ncap * sizeof *nv);
            if (!nv) {
                gzt_qrels_fini(out);
                return gzt_err_set(err, GZT_ENOMEM, "out of memory");
            }
            out->v = nv;
            cap = ncap;
        }
        gzt_judgment *j = &out->v[out->n];
        j->topic = gzt_arena_strndup(&out->arena, f[0], fl[0]);
        j->doc = gzt_arena_strndup(&out->arena, f[2], fl[2]);
        j->rel = (int)rel;
        if (!j->topic || !j->doc) {
            gzt_qrels_fini(out);
            return gzt_err_set(err, GZT_ENOMEM, "out of memory");
        }
        out->n++;
    }
    if (out->n)
        qsort(out->v, out->n, sizeof *out->v, cmp_judgment);
    return GZT_OK;
}

void
gzt_qrels_fini(gzt_qrels *q)
{
    gzt_free(q->v);
    gzt_arena_fini(&q->arena);
    memset(q, 0, sizeof *q);
}

const gzt_judgment *
gzt_qrels_topic(const gzt_qrels *q, const char *topic, size_t *n)
{
    size_t lo = 0, hi = q->n;
    while (lo < hi) { /* first judgment of a topic >= @p topic */
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(q->v[mid].topic, topic) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t k = lo;
    while (k < q->n && strcmp(q->v[k].topic, topic) == 0)
        k++;
    *n = k - lo;
    return *n ? &q->v[lo] : NULL;
}

/* trec_eval's order: score descending, then document id descending */
static int
cmp_ranked(const void *a, const void *b)
{
    const gzt_ranked *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return strcmp(y->doc, x->doc);
}

static int
cmp_rel_desc(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (y > x) - (y < x);
}

/* the grade of @p doc among the topic's judgments (0 when unjudged) */
static int
grade(const gzt_judgment *j, size_t nj, const char *doc)
{
    size_t lo = 0, hi = nj;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(j[mid].doc, doc);
        if (c == 0)
            return j[mid].rel;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

void
gzt_eval_topic(gzt_ranked *run, size_t n, const gzt_judgment *j, size_t nj,
               gzt_topic_eval *out)
{
    memset(out, 0, sizeof *out);
    if (n > 1)
        qsort(run, n, sizeof *run, cmp_ranked);
    /* the ideal gains: the ten best judgments */
    int best[10];
    size_t nbest = 0;
    for (size_t i = 0; i < nj; i++) {
        if (j[i].rel > 0)
            out->relevant++;
        if (j[i].rel <= 0)
            continue;
        if (nbest < 10) {
            best[nbest++] = j[i].rel;
            qsort(best, nbest, sizeof *best, cmp_rel_desc);
        } else if (j[i].rel > best[9]) {
            best[9] = j[i].rel;
            qsort(best, nbest, sizeof *best, cmp_rel_desc);
        }
    }
    double dcg = 0, idcg = 0, sum_prec = 0;
    size_t found = 0;
    for (size_t i = 0; i < nbest; i++)
        idcg += best[i] / log2((double)i + 2);
    for (size_t i = 0; i < n; i++) {
        int g = grade(j, nj, run[i].doc);
        if (g > 0 && i < 10)
            dcg += g / log2((double)i + 2);
        if (g <= 0)
            continue;
        found++;
        sum_prec += (double)found / (double)(i + 1);
        if (i < 100)
            out->recall100 += 1;
        if (i < 1000)
            out->recall1000 += 1;
    }
    if (out->relevant) {
        out->recall100 /= (double)out->relevant;
        out->recall1000 /= (double)out->relevant;
        out->ap = sum_prec / (double)out->relevant;
    }
    out->ndcg10 = idcg > 0 ? dcg / idcg : 0;
}

/* A run line: its topic, document and score. */
typedef struct runline {
    const char *topic; /* topic id */
    gzt_ranked r;      /* document and score */
} runline;

static int
cmp_runline(const void *a, const void *b)
{
    return strcmp(((const runline *)a)->topic, ((const runline *)b)->topic);
}

/* the lines of the run file text @p text */
static int
parse_run(const char *text, size_t len, const char *path, gzt_arena *a,
          runline **out, size_t *n, gzt_error *err)
{
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    unsigned line = 0;
    for (const char *p = text, *end = text + len; p < end;) {
        line++;
        const char *f[6];
        size_t fl[6];
        size_t k = split_line(&p, end, f, fl, 6);
        if (k == 0)
            continue;
        char num[64];
        char *numend = NULL;
        double score = 0;
        if (k >= 6 && fl[4] < sizeof num) {
            memcpy(num, f[4], fl[4]);
            num[fl[4]] = '\0';
            score = strtod(num, &numend);
        }
        if (k < 6 || !numend || *numend)
            return gzt_err_set(err, GZT_EINVAL,
                               "%s:%u: expected TOPIC Q0 DOCUMENT RANK SCORE "
                               "TAG",
                               path, line);
        if (*n == cap) {
            size_t ncap = cap ? cap * 2 : 1024;
            runline *nv = gzt_realloc(*out, ncap * sizeof *nv);
            if (!nv)
                return gzt_err_set(err, GZT_ENOMEM, "out of memory");
            *out = nv;
            cap = ncap;
        }
        runline *r = &(*out)[*n];
        r->topic = gzt_arena_strndup(a, f[0], fl[0]);
        r->r.doc = gzt_arena_strndup(a, f[2], fl[2]);
        r->r.score = score;
        if (!r->topic || !r->r.doc)
            return gzt_err_set(err, GZT_ENOMEM, "out of memory");
        (*n)++;
    }
    return GZT_OK;
}

int
gzt_eval_run(gzt_eval_report *out, const char *run_path, const char *qrels_path,
             gzt_error *err)
{
    gzt_err_clear(err);
    memset(out, 0, sizeof *out);
    gzt_buf rb = GZT_BUF_INIT, qb = GZT_BUF_INIT;
    gzt_qrels qr;
    memset(&qr, 0, sizeof qr);
    gzt_arena a;
    gzt_arena_init(&a, 0);
    runline *run = NULL;
    gzt_ranked *list = NULL;
    size_t nrun = 0;
    const size_t max = (size_t)1 << 31;
    int rc = gzt_io_read_file(qrels_path, &qb, max, err);
    if (rc == GZT_OK)
        rc = gzt_io_read_file(run_path, &rb, max, err);
    if (rc == GZT_OK)
        rc = gzt_qrels_parse(&qr, (const char *)qb.p, qb.len, qrels_path, err);
    if (rc == GZT_OK)
        rc = parse_run((const char *)rb.p, rb.len, run_path, &a, &run, &nrun,
                       err);
    if (rc == GZT_OK && nrun) {
        /* stable by topic: qsort is not, but the order within a topic is
         * settled by score and id afterwards */
        qsort(run, nrun, sizeof *run, cmp_runline);
        if (!(list = gzt_malloc(nrun * sizeof *list)))
            rc = gzt_err_set(err, GZT_ENOMEM, "out of memory");
    }
    double sums[4] = {0, 0, 0, 0};
    for (size_t i = 0; rc == GZT_OK && i < qr.n;) {
        const char *topic = qr.v[i].topic;
        size_t nj;
        const gzt_judgment *j = gzt_qrels_topic(&qr, topic, &nj);
        i += nj;
        /* this topic's run lines */
        size_t lo = 0, hi = nrun;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (strcmp(run[mid].topic, topic) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        size_t n = 0;
        for (size_t k = lo; k < nrun && !strcmp(run[k].topic, topic); k++)
            list[n++] = run[k].r;
        gzt_topic_eval t;
        gzt_eval_topic(list, n, j, nj, &t);
        out->topics++;
        out->retrieved += n;
        out->relevant += t.relevant;
        out->rel_found += (uint64_t)llround(t.recall1000 * (double)t.relevant);
        sums[0] += t.ndcg10;
        sums[1] += t.recall100;
        sums[2] += t.recall1000;
        sums[3] += t.ap;
    }
    if (rc == GZT_OK && out->topics) {
        out->ndcg10 = sums[0] / (double)out->topics;
        out->recall100 = sums[1] / (double)out->topics;
        out->recall1000 = sums[2] / (double)out->topics;
        out->map = sums[3] / (double)out->topics;
    }
    gzt_free(list);
    gzt_free(run);
    gzt_arena_fini(&a);
    gzt_qrels_fini(&qr);
    gzt_buf_free(&rb);
    gzt_buf_free(&qb);
    return rc;
}
