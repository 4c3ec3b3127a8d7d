/* SPDX-License-Identifier: MIT */
/*
 * cmd_ner.c: the entity tagger's commands: gazette bench ner (a
 * conlleval-style evaluation on IOB2 data) and gazette ner train (a model
 * from the user's own annotated data).
 *
 * bench ner prints one table, per type and overall, then the token
 * accuracy and the tagging speed:
 *
 *   type     precision  recall      F1   gold   pred  correct
 *   PER          96.02   96.58   96.30  1,842  1,853    1,779
 *   ...
 *   overall      93.12   93.02   93.07  5,942  5,936    5,527
 *
 *   51,362 tokens in 3,250 sentences, token accuracy 98.73%
 *   tagged at 812,345 tokens/s (0.06 s)
 *
 * or one JSON object. ner train prints a line per epoch on standard
 * error (with the F1 on --dev) and a last line naming the model written.
 * Malformed IOB2 is an error from the library naming the file and line.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "gazette.h"

#include "commands.h"
#include "jsonl.h"
#include "output.h"

/* Most epochs ner train accepts: past this a typo, not a plan. */
#define EPOCHS_MAX 10000

/* ---- bench ner --------------------------------------------------------- */

static json_t *
json_score(const gzt_ner_score *sc)
{
    json_t *obj = json_object();
    bool ok = obj != NULL;

    ok &= jsonl_set(obj, "precision", jsonl_real(sc->precision));
    ok &= jsonl_set(obj, "recall", jsonl_real(sc->recall));
    ok &= jsonl_set(obj, "f1", jsonl_real(sc->f1));
    ok &= jsonl_set(obj, "gold", jsonl_uint(sc->gold));
    ok &= jsonl_set(obj, "pred", jsonl_uint(sc->pred));
    ok &= jsonl_set(obj, "correct", jsonl_uint(sc->correct));
    if (!ok) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

static int
bench_json(const gzt_ner_report *r, const char *file, const char *model)
{
    json_t *obj = jsonl_object("ner_report");
    json_t *types = json_object();
    bool ok = obj != NULL && types != NULL;

    for (int t = GZT_ENTITY_PER; ok && t <= GZT_ENTITY_MISC; t++)
        ok &=
            jsonl_set(types, gzt_entity_type_name(t), json_score(&r->type[t]));
    ok &= jsonl_set(obj, "file", jsonl_string(file, strlen(file)));
    ok &= jsonl_set(obj, "model",
                    model ? jsonl_string(model, strlen(model)) : json_null());
    ok &= jsonl_set(obj, "overall", json_score(&r->overall));
    ok &= jsonl_set(obj, "types", types); /* takes types, even on failure */
    ok &= jsonl_set(obj, "tokens", jsonl_uint(r->tokens));
    ok &= jsonl_set(obj, "sentences", jsonl_uint(r->sentences));
    ok &= jsonl_set(obj, "token_accuracy", jsonl_real(r->token_accuracy));
    ok &= jsonl_set(obj, "seconds", jsonl_real(r->seconds));
    ok &= jsonl_set(obj, "tokens_per_s", jsonl_real(r->tokens_per_s));
    return jsonl_emit(obj, ok);
}

/* Column widths of the counts: the header's or the widest number's. */
typedef struct widths {
    int gold, pred, correct; /* columns */
} widths;

static int
widen(int w, uint64_t n)
{
    char buf[32];

    output_count(buf, sizeof buf, n);
    return (int)strlen(buf) > w ? (int)strlen(buf) : w;
}

static void
score_row(const char *label, const gzt_ner_score *sc, const widths *w)
{
    char g[32], p[32], c[32];

    output_count(g, sizeof g, sc->gold);
    output_count(p, sizeof p, sc->pred);
    output_count(c, sizeof c, sc->correct);
    printf("%-7s  %9.2f  %6.2f  %6.2f  %*s  %*s  %*s\n", label, sc->precision,
           sc->recall, sc->f1, w->gold, g, w->pred, p, w->correct, c);
}

static void
bench_text(const gzt_ner_report *r, bool color)
{
    widths w = {4, 4, 7};
    char tokens[32], sentences[32], speed[32];

    w.gold = widen(w.gold, r->overall.gold);
    w.pred = widen(w.pred, r->overall.pred);
    w.correct = widen(w.correct, r->overall.correct);
    output_sgr(stdout, color, SGR_DIM);
    printf("%-7s  %9s  %6s  %6s  %*s  %*s  %*s", "type", "precision", "recall",
           "F1", w.gold, "gold", w.pred, "pred", w.correct, "correct");
    output_sgr_reset(stdout, color);
    fputc('\n', stdout);
    for (int t = GZT_ENTITY_PER; t <= GZT_ENTITY_MISC; t++)
        score_row(gzt_entity_type_name(t), &r->type[t], &w);
    output_sgr(stdout, color, SGR_BOLD);
    score_row("overall", &r->overall, &w);
    output_sgr_reset(stdout, color);

    output_count(tokens, sizeof tokens, r->tokens);
    output_count(sentences, sizeof sentences, r->sentences);
    output_count(speed, sizeof speed,
                 r->tokens_per_s > 0 && r->tokens_per_s < 1e18
                     ? (uint64_t)(r->tokens_per_s + 0.5)
                     : 0);
    printf("\n%s %s in %s %s, token accuracy %.2f%%\n", tokens,
           output_plural(r->tokens, "token", "tokens"), sentences,
           output_plural(r->sentences, "sentence", "sentences"),
           r->token_accuracy);
    printf("tagged at %s tokens/s (%.2f s)\n", speed, r->seconds);
}

int
cmd_bench_ner(const args *a)
{
    const char *file = a->operands[0];
    const char *model = args_get(a, "model");
    gzt_ner_report r;
    gzt_error err;
    int rc;

    output_err_clear(&err);
    rc = gzt_ner_evaluate(&r, file, model, &err);
    if (rc != GZT_OK)
        return output_lib_error(rc, &err);
    if (args_has(a, "json"))
        return bench_json(&r, file, model);
    bench_text(&r, output_use_color(args_get(a, "color")));
    return EXIT_FOUND;
}

/* ---- ner train --------------------------------------------------------- */

/* State of the progress lines. */
typedef struct train_run {
    bool quiet;     /* no lines */
    double t_start; /* when training began */
    double t_epoch; /* when the last epoch ended */
} train_run;

/* "epoch 3/12  dev F1 91.23  (4.20 s)" on stderr */
static void
on_epoch(void *ctx, unsigned epoch, unsigned epochs, double dev_f1)
{
    train_run *run = ctx;
    double now = output_now();

    if (!run->quiet) {
        fprintf(stderr, "epoch %u/%u", epoch, epochs);
        if (dev_f1 >= 0)
            fprintf(stderr, "  dev F1 %.2f", dev_f1);
        fprintf(stderr, "  (%.2f s)\n", now - run->t_epoch);
    }
    run->t_epoch = now;
}

int
cmd_ner_train(const args *a)
{
    const char *file = a->operands[0];
    const char *model = args_get(a, "output");
    uint64_t epochs = args_uint(a, "epochs", 0);
    train_run run;
    gzt_error err;
    struct stat st;
    char size[32];
    int rc;

    if (!model)
        return args_usage_error(a->cmd, "missing -o MODEL");
    if (args_has(a, "epochs") && (epochs == 0 || epochs > EPOCHS_MAX))
        return args_usage_error(a->cmd,
                                "invalid value '%s' for --epochs: expected "
                                "1 to %d",
                                args_get(a, "epochs"), EPOCHS_MAX);
    run.quiet = args_has(a, "quiet");
    run.t_start = run.t_epoch = output_now();
    output_err_clear(&err);
    rc = gzt_ner_train_file(file, model, args_get(a, "dev"), (unsigned)epochs,
                            on_epoch, &run, &err);
    if (rc != GZT_OK)
        return output_lib_error(rc, &err);
    if (stat(model, &st) == 0)
        output_bytes(size, sizeof size, (uint64_t)st.st_size);
    else
        snprintf(size, sizeof size, "?");
    fprintf(stderr, "wrote %s (%s) in %.2f s\n", model, size,
            output_now() - run.t_start);
    return EXIT_FOUND;
}
