/* SPDX-License-Identifier: MIT */
/*
 * nerfile.c: the entity tagger's public entry points (gazette.h): training
 * a model from an IOB2 file and evaluating one, on top of nertrain.c, with
 * the built-in gazetteer and word clusters (common/resources.c).
 */
#include "common/entity.h"
#include "common/io.h"
#include "common/nertrain.h"
#include "common/resources.h"

#include <stdio.h>
#include <unistd.h>

#define IOB2_MAX ((size_t)1 << 30)
#define MODEL_MAX ((size_t)256 << 20)

/* @p path's model, or the built-in one */
static int
load_model(gzt_ner **out, const char *path, gzt_error *err)
{
    if (!path)
        return gzt_builtin_model(out, err);
    gzt_buf b = GZT_BUF_INIT;
    int rc = gzt_io_read_file(path, &b, MODEL_MAX, err);
    if (rc == GZT_OK) {
        rc = gzt_ner_load(out, b.p, b.len, err);
        if (rc == GZT_ECORRUPT && err && err->code == GZT_ECORRUPT)
            gzt_err_prefix(err, path);
    }
    gzt_buf_free(&b);
    return rc;
}

/* prefix an IOB2 error ("line 12: ...") with the file name */
static int
name_file(int rc, const char *path, gzt_error *err)
{
    if (rc == GZT_EINVAL && err && strncmp(err->msg, path, strlen(path)))
        gzt_err_prefix(err, path);
    return rc;
}

static void
copy_prf(gzt_ner_score *d, const gzt_ner_prf *s)
{
    d->gold = s->gold;
    d->pred = s->pred;
    d->correct = s->correct;
    d->precision = s->precision;
    d->recall = s->recall;
    d->f1 = s->f1;
}

int
gzt_ner_evaluate(gzt_ner_report *out, const char *iob2_path,
                 const char *model_path, gzt_error *err)
{
    gzt_err_clear(err);
    memset(out, 0, sizeof *out);
    gzt_ner *m = NULL;
    gzt_gaz *g = NULL;
    gzt_buf data = GZT_BUF_INIT;
    int rc = gzt_io_read_file(iob2_path, &data, IOB2_MAX, err);
    if (rc == GZT_OK)
        rc = load_model(&m, model_path, err);
    if (rc == GZT_OK && gzt_ner_wants_gazetteer(m) &&
        (rc = gzt_builtin_gazetteer(&g, err)) == GZT_OK)
        gzt_ner_set_gazetteer(m, g);
    gzt_ner_scores s;
    if (rc == GZT_OK)
        rc = name_file(gzt_ner_eval(&s, m, (const char *)data.p, data.len, err),
                       iob2_path, err);
    if (rc == GZT_OK) {
        copy_prf(&out->overall, &s.type[0]);
        for (int t = 1; t < GZT_NER_NTYPES; t++)
            copy_prf(&out->type[t], &s.type[t]);
        out->tokens = s.tokens;
        out->sentences = s.sentences;
        out->token_accuracy =
            s.tokens ? 100.0 * (double)s.tokens_correct / (double)s.tokens : 0;
        out->seconds = s.seconds;
        out->tokens_per_s = s.tokens_per_s;
    }
    gzt_ner_free(m);
    gzt_gaz_free(g);
    gzt_buf_free(&data);
    return rc;
}

typedef struct train_ctx {
    gzt_ner_train_fn fn; /* user callback */
    void *ctx;           /* its context */
} train_ctx;

static void
on_epoch(void *ctx, const gzt_ner_progress *p)
{
    const train_ctx *t = ctx;
    if (t->fn)
        t->fn(t->ctx, p->epoch, p->epochs, p->dev_f1);
}

int
gzt_ner_train_file(const char *iob2_path, const char *model_path,
                   const char *dev_path, unsigned epochs,
                   gzt_ner_train_fn progress, void *ctx, gzt_error *err)
{
    gzt_err_clear(err);
    gzt_buf data = GZT_BUF_INIT, dev = GZT_BUF_INIT, model = GZT_BUF_INIT;
    gzt_gaz *g = NULL;
    const uint8_t *cl = NULL;
    size_t cll = 0;
    int rc = gzt_io_read_file(iob2_path, &data, IOB2_MAX, err);
    if (rc == GZT_OK && dev_path)
        rc = gzt_io_read_file(dev_path, &dev, IOB2_MAX, err);
    if (rc == GZT_OK)
        rc = gzt_builtin_gazetteer(&g, err);
    if (rc == GZT_OK) {
        gzt_ner_train_opts o;
        gzt_ner_train_opts_init(&o);
        if (epochs)
            o.epochs = epochs;
        if (gzt_resource_get("clusters.tsv", &cl, &cll)) {
            o.clusters = (const char *)cl;
            o.clusters_len = cll;
        }
        if (dev_path) {
            o.dev = (const char *)dev.p;
            o.dev_len = dev.len;
        }
        o.info = "gazette ner train";
        o.gaz = g;
        train_ctx t = {progress, ctx};
        o.progress = on_epoch;
        o.progress_ctx = &t;
        rc = name_file(
            gzt_ner_train(&model, (const char *)data.p, data.len, &o, err),
            iob2_path, err);
    }
    if (rc == GZT_OK) {
        /* write next to the target, then rename over it */
        char dir[4096];
        snprintf(dir, sizeof dir, "%s", model_path);
        char *slash = strrchr(dir, '/');
        const char *name = model_path;
        if (slash) {
            *slash = '\0';
            name = slash + 1;
        } else {
            snprintf(dir, sizeof dir, ".");
        }
        rc = gzt_io_write_atomic(slash && !dir[0] ? "/" : dir, name, model.p,
                                 model.len, NULL, err);
    }
    gzt_gaz_free(g);
    gzt_buf_free(&data);
    gzt_buf_free(&dev);
    gzt_buf_free(&model);
    return rc;
}
