/* SPDX-License-Identifier: MIT */
/*
 * eval.h: retrieval effectiveness as trec_eval computes it (gazette eval):
 * relevance judgments (TREC qrels), and per-topic nDCG@10, recall at 100
 * and 1,000, and average precision of a ranked list.
 *
 * The rules are trec_eval's (version 9.0.x, measures ndcg_cut.10,
 * recall.100, recall.1000, map): a document is relevant when its judgment
 * is above 0; nDCG's gain is the judgment itself with the discount
 * log2(rank + 1), normalised by the ideal ordering of the topic's
 * judgments; recall and AP divide by the topic's relevant documents (0
 * when it has none); a ranked list is first sorted by score descending,
 * ties by document id descending, whatever order it came in.
 */
#ifndef GZT_EVAL_H
#define GZT_EVAL_H

#include "common/base.h"

/* One judgment. */
typedef struct gzt_judgment {
    const char *topic; /* topic id */
    const char *doc;   /* document id */
    int rel;           /* relevance grade; > 0 is relevant */
} gzt_judgment;

/* Judgments of a qrels file, sorted by topic then document id. */
typedef struct gzt_qrels {
    gzt_judgment *v; /* judgments */
    size_t n;        /* count */
    gzt_arena arena; /* their strings */
} gzt_qrels;

/*
 * Parse qrels text ("TOPIC ITERATION DOC REL" lines, blank lines ignored)
 * read from @p path (for messages). GZT_EINVAL names the line of a
 * malformed one; GZT_ENOMEM.
 */
GZT_NODISCARD int gzt_qrels_parse(gzt_qrels *out, const char *text, size_t len,
                                  const char *path, gzt_error *err);
void gzt_qrels_fini(gzt_qrels *q);

/* The judgments of @p topic: *n of them from the returned one (NULL when
 * none). */
const gzt_judgment *gzt_qrels_topic(const gzt_qrels *q, const char *topic,
                                    size_t *n);

/* One retrieved document. */
typedef struct gzt_ranked {
    const char *doc; /* document id */
    double score;    /* its score */
} gzt_ranked;

/* The measures of one topic. */
typedef struct gzt_topic_eval {
    double ndcg10;     /* nDCG@10 */
    double recall100;  /* relevant documents in the first 100 / relevant */
    double recall1000; /* same at 1,000 */
    double ap;         /* average precision */
    size_t relevant;   /* relevant documents judged */
} gzt_topic_eval;

/* Evaluate the @p n retrieved documents @p run (sorted here, as trec_eval
 * does) against the @p nj judgments @p j of their topic. */
void gzt_eval_topic(gzt_ranked *run, size_t n, const gzt_judgment *j, size_t nj,
                    gzt_topic_eval *out);

#endif
