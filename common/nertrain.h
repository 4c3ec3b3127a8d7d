/* SPDX-License-Identifier: MIT */
/*
 * nertrain.h: training the named-entity tagger of ner.h from IOB2 text, and
 * scoring it as conlleval does.
 *
 * IOB2 input is CoNLL-2003 style: one token per line, whitespace-separated
 * columns of which the first is the word and the last the tag (O, B-T or
 * I-T with T one of PER, ORG, LOC, MISC; I-T only after B-T or I-T), a blank
 * line between sentences and a "-DOCSTART-" line between documents. Any
 * other line is an error naming its line number.
 */
#ifndef GZT_NERTRAIN_H
#define GZT_NERTRAIN_H

#include "common/ner.h"

/** What gzt_ner_train() reports after each epoch. */
typedef struct gzt_ner_progress {
    unsigned epoch;   /**< epochs done, 1-based */
    unsigned epochs;  /**< epochs in all */
    size_t sentences; /**< training sentences per epoch */
    size_t mistakes;  /**< sentences mis-tagged (and so updated) */
    double seconds;   /**< since training started */
    double dev_f1;    /**< overall F1 on the dev text, or -1 without one */
} gzt_ner_progress;

/** Called after each epoch; training goes on whatever it returns. */
typedef void (*gzt_ner_progress_fn)(void *ctx, const gzt_ner_progress *p);

/** Options of gzt_ner_train(); set them up with gzt_ner_train_opts_init(). */
typedef struct gzt_ner_train_opts {
    unsigned epochs;      /**< passes over the training data (default 12) */
    unsigned bits;        /**< the weight table has 2^bits rows (18) */
    uint32_t groups;      /**< GZT_NERF_* feature groups; GAZ and CLUSTER
                               are dropped without a gazetteer or table */
    uint64_t seed;        /**< seed of the document shuffle */
    const char *clusters; /**< word-cluster table (see below) or NULL */
    size_t clusters_len;  /**< its bytes */
    const char *dev;      /**< IOB2 text scored after each epoch, or NULL */
    size_t dev_len;       /**< its bytes */
    const char *info;     /**< one line stored in the model, or NULL */
    const gzt_gaz *gaz;   /**< gazetteer for GZT_NERF_GAZ (borrowed) */
    gzt_ner_progress_fn progress; /**< or NULL */
    void *progress_ctx;           /**< passed to @c progress */
} gzt_ner_train_opts;

/** Defaults: 12 epochs, 2^18 rows, the groups of the shipped model. */
void gzt_ner_train_opts_init(gzt_ner_train_opts *o);

/**
 * Train an averaged perceptron on @p len bytes of IOB2 text and append the
 * model file (as gzt_ner_load() reads it) to @p model.
 *
 * The word-cluster table, when given, has one word per line: the word, a
 * tab, then GZT_NER_CL_LEVELS cluster ids (coarse to fine, 0..65534)
 * separated by tabs; further columns and lines starting with "# " are
 * ignored. Deterministic for given inputs and options.
 *
 * @return GZT_OK, GZT_ENOMEM, or GZT_EINVAL for malformed IOB2 (the message
 *         names the line: "line 12: tag 'I-PER' after 'O'"), a malformed
 *         cluster table, empty training data or bad options.
 */
GZT_NODISCARD int gzt_ner_train(gzt_buf *model, const char *iob2, size_t len,
                                const gzt_ner_train_opts *o, gzt_error *err);

/** Counts and scores of one entity type, or of all (conlleval's). */
typedef struct gzt_ner_prf {
    uint64_t gold;    /**< entities in the gold standard */
    uint64_t pred;    /**< entities predicted */
    uint64_t correct; /**< predicted with the exact span and type */
    double precision; /**< 100 * correct / pred (0 when pred is 0) */
    double recall;    /**< 100 * correct / gold (0 when gold is 0) */
    double f1;        /**< harmonic mean of the two (0 when both are 0) */
} gzt_ner_prf;

/** A conlleval-style evaluation. */
typedef struct gzt_ner_scores {
    gzt_ner_prf type[GZT_NER_NTYPES]; /**< [0] overall, [t] for type t */
    uint64_t tokens;                  /**< tokens scored */
    uint64_t tokens_correct;          /**< tokens whose tag is right */
    uint64_t sentences;               /**< sentences scored */
    double seconds;                   /**< time spent tagging */
    double tokens_per_s;              /**< tokens / seconds */
} gzt_ner_scores;

/** Zero @p s before gzt_ner_score_sentence(). */
void gzt_ner_score_init(gzt_ner_scores *s);

/**
 * Add one sentence of @p n gold and predicted tags (BIO tag numbers of
 * ner.h) to the counts. Entities are read from each sequence by
 * conlleval's rules (an I-T after O or after another type starts an
 * entity), and a predicted entity is correct only when one gold entity has
 * exactly its first token, last token and type.
 */
void gzt_ner_score_sentence(gzt_ner_scores *s, const uint8_t *gold,
                            const uint8_t *pred, size_t n);

/** Compute precision, recall, F1 and tokens/s from the counts. */
void gzt_ner_score_finish(gzt_ner_scores *s);

/** Append a conlleval-like report of @p s to @p out. */
GZT_NODISCARD int gzt_ner_scores_format(gzt_buf *out, const gzt_ner_scores *s);

/**
 * Tag the tokens of @p len bytes of IOB2 text with @p m (each -DOCSTART-
 * document a document) and score the result against its tags; only the
 * tagging is timed.
 *
 * @param[out] out  the scores (finished).
 * @return GZT_OK, GZT_ENOMEM, or GZT_EINVAL for malformed IOB2 (naming the
 *         line).
 */
GZT_NODISCARD int gzt_ner_eval(gzt_ner_scores *out, gzt_ner *m,
                               const char *iob2, size_t len, gzt_error *err);

#endif
