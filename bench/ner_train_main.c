/* SPDX-License-Identifier: MIT */
/*
 * ner_train_main.c: a small driver for the NER tagger (common/ner.h and
 * common/nertrain.h): train a model from IOB2, score one on IOB2, tag raw
 * text, and measure raw-text tagging speed.
 *
 * Any command may be preceded by -g DIR: the gazetteer lists of DIR
 * (common/gazetteers) for models with gazetteer features.
 *
 *   ner_train train TRAIN.iob2 -o MODEL [--dev DEV.iob2] [--epochs N]
 *                   [--bits B] [--clusters FILE] [--without GROUP,...]
 *                   [--info TEXT]
 *   ner_train eval MODEL FILE.iob2
 *   ner_train tag MODEL FILE.txt...     (one line per span: file start end
 *                                         type text)
 *   ner_train speed MODEL FILE.txt...   (raw text: tokens/s, one core)
 *
 * Files may be process substitutions (<(zstdcat x.zst)): they are read with
 * stdio, not mapped. Groups: word window shape affix sent cluster gaz cues
 * nonlocal order2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/ner.h"
#include "common/nertrain.h"

static int
slurp(const char *path, gzt_buf *b)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return -1;
    }
    char tmp[1 << 16];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        if (gzt_buf_append(b, tmp, n) != GZT_OK) {
            fclose(f);
            return -1;
        }
    fclose(f);
    return 0;
}

static const char *const group_names[] = {
    "word", "window", "shape",    "affix",  "sent", "cluster",
    "gaz",  "cues",   "nonlocal", "order2", "caps",
};

static int
parse_groups(const char *s, uint32_t *out)
{
    uint32_t g = 0;
    while (*s) {
        size_t n = strcspn(s, ",");
        size_t i;
        for (i = 0; i < sizeof group_names / sizeof *group_names; i++)
            if (strlen(group_names[i]) == n && !strncmp(group_names[i], s, n))
                break;
        if (i == sizeof group_names / sizeof *group_names) {
            fprintf(stderr, "unknown feature group '%.*s'\n", (int)n, s);
            return -1;
        }
        g |= 1u << i;
        s += n;
        if (*s == ',')
            s++;
    }
    *out = g;
    return 0;
}

static void
progress(void *ctx, const gzt_ner_progress *p)
{
    (void)ctx;
    fprintf(stderr, "epoch %u/%u: %zu/%zu sentences wrong, %.1f s", p->epoch,
            p->epochs, p->mistakes, p->sentences, p->seconds);
    if (p->dev_f1 >= 0)
        fprintf(stderr, ", dev F1 %.2f", p->dev_f1);
    fprintf(stderr, "\n");
}

static gzt_gaz *gaz; /* from -g DIR, or NULL */

static int
load_gaz(const char *dir)
{
    gzt_error err;
    if (gzt_gaz_load_files(&gaz, dir, &err) != GZT_OK) {
        fprintf(stderr, "%s: %s\n", dir, err.msg);
        return -1;
    }
    return 0;
}

static int
load_model(const char *path, gzt_ner **m)
{
    gzt_buf b = GZT_BUF_INIT;
    gzt_error err;
    if (slurp(path, &b) != 0)
        return -1;
    int rc = gzt_ner_load(m, b.p, b.len, &err);
    gzt_buf_free(&b);
    if (rc != GZT_OK) {
        fprintf(stderr, "%s: %s\n", path, err.msg);
        return -1;
    }
    gzt_ner_set_gazetteer(*m, gaz);
    return 0;
}

static int
cmd_train(int argc, char **argv)
{
    gzt_ner_train_opts o;
    gzt_ner_train_opts_init(&o);
    const char *train = NULL, *out = NULL, *dev = NULL, *clusters = NULL;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-o") && v)
            out = argv[++i];
        else if (!strcmp(a, "--dev") && v)
            dev = argv[++i];
        else if (!strcmp(a, "--epochs") && v)
            o.epochs = (unsigned)atoi(argv[++i]);
        else if (!strcmp(a, "--bits") && v)
            o.bits = (unsigned)atoi(argv[++i]);
        else if (!strcmp(a, "--seed") && v)
            o.seed = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(a, "--clusters") && v)
            clusters = argv[++i];
        else if (!strcmp(a, "--info") && v)
            o.info = argv[++i];
        else if (!strcmp(a, "--without") && v) {
            uint32_t g;
            if (parse_groups(argv[++i], &g) != 0)
                return 2;
            o.groups &= ~g;
        } else if (!strcmp(a, "--with") && v) {
            uint32_t g;
            if (parse_groups(argv[++i], &g) != 0)
                return 2;
            o.groups |= g;
        } else if (!train && a[0] != '-')
            train = a;
        else {
            fprintf(stderr, "train: bad argument '%s'\n", a);
            return 2;
        }
    }
    if (!train || !out) {
        fprintf(stderr, "train: need TRAIN.iob2 and -o MODEL\n");
        return 2;
    }
    gzt_buf tb = GZT_BUF_INIT, db = GZT_BUF_INIT, cb = GZT_BUF_INIT,
            mb = GZT_BUF_INIT;
    if (slurp(train, &tb) || (dev && slurp(dev, &db)) ||
        (clusters && slurp(clusters, &cb)))
        return 1;
    if (dev) {
        o.dev = (const char *)db.p;
        o.dev_len = db.len;
    }
    if (clusters) {
        o.clusters = (const char *)cb.p;
        o.clusters_len = cb.len;
    }
    o.progress = progress;
    o.gaz = gaz;
    gzt_error err;
    int rc = gzt_ner_train(&mb, (const char *)tb.p, tb.len, &o, &err);
    if (rc != GZT_OK) {
        fprintf(stderr, "train: %s\n", err.msg);
        return 1;
    }
    FILE *f = fopen(out, "wb");
    if (!f || fwrite(mb.p, 1, mb.len, f) != mb.len || fclose(f) != 0) {
        perror(out);
        return 1;
    }
    fprintf(stderr, "wrote %s: %zu bytes\n", out, mb.len);
    gzt_buf_free(&tb);
    gzt_buf_free(&db);
    gzt_buf_free(&cb);
    gzt_buf_free(&mb);
    return 0;
}

static int
cmd_eval(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "eval: MODEL FILE.iob2\n");
        return 2;
    }
    gzt_ner *m;
    if (load_model(argv[0], &m) != 0)
        return 1;
    gzt_buf b = GZT_BUF_INIT, rep = GZT_BUF_INIT;
    if (slurp(argv[1], &b) != 0)
        return 1;
    gzt_ner_scores s;
    gzt_error err;
    if (gzt_ner_eval(&s, m, (const char *)b.p, b.len, &err) != GZT_OK) {
        fprintf(stderr, "%s: %s\n", argv[1], err.msg);
        return 1;
    }
    if (gzt_ner_scores_format(&rep, &s) != GZT_OK)
        return 1;
    fwrite(rep.p, 1, rep.len, stdout);
    gzt_buf_free(&b);
    gzt_buf_free(&rep);
    gzt_ner_free(m);
    return 0;
}

static int
cmd_tag(int argc, char **argv, bool speed)
{
    if (argc < 2) {
        fprintf(stderr, "tag: MODEL FILE...\n");
        return 2;
    }
    gzt_ner *m;
    if (load_model(argv[0], &m) != 0)
        return 1;
    gzt_buf toks = GZT_BUF_INIT, forms = GZT_BUF_INIT;
    double secs = 0;
    size_t ntok = 0, nspan = 0, bytes = 0;
    for (int i = 1; i < argc; i++) {
        gzt_buf b = GZT_BUF_INIT;
        if (slurp(argv[i], &b) != 0)
            return 1;
        gzt_arena ar;
        gzt_arena_init(&ar, 0);
        gzt_nerspan *sp;
        size_t n;
        gzt_error err;
        int reps = speed ? 3 : 1;
        for (int r = 0; r < reps; r++) {
            struct timespec t0, t1;
            clock_gettime(CLOCK_MONOTONIC, &t0);
            if (gzt_ner_tag(m, (const char *)b.p, b.len, &ar, &sp, &n, &err) !=
                GZT_OK) {
                fprintf(stderr, "%s: %s\n", argv[i], err.msg);
                return 1;
            }
            clock_gettime(CLOCK_MONOTONIC, &t1);
            secs += (double)(t1.tv_sec - t0.tv_sec) +
                    (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
            if (gzt_ner_tokenize(&toks, &forms, (const char *)b.p, b.len) !=
                GZT_OK)
                return 1;
            ntok += toks.len / sizeof(gzt_nertok);
            nspan += n;
            bytes += b.len;
        }
        for (size_t k = 0; !speed && k < n; k++)
            printf("%s\t%u\t%u\t%s\t%.*s\n", argv[i], sp[k].start, sp[k].end,
                   gzt_ner_type_name(sp[k].type),
                   (int)(sp[k].end - sp[k].start),
                   (const char *)b.p + sp[k].start);
        gzt_arena_fini(&ar);
        gzt_buf_free(&b);
    }
    if (speed)
        printf("%zu tokens, %zu bytes, %zu spans in %.3f s: %.0f tokens/s, "
               "%.1f MB/s\n",
               ntok, bytes, nspan, secs, (double)ntok / secs,
               (double)bytes / secs / 1e6);
    gzt_buf_free(&toks);
    gzt_buf_free(&forms);
    gzt_ner_free(m);
    return 0;
}

int
main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: ner_train train|eval|tag|speed ...\n");
        return 2;
    }
    if (argc >= 4 && !strcmp(argv[1], "-g")) {
        if (load_gaz(argv[2]) != 0)
            return 1;
        argv += 2;
        argc -= 2;
    }
    if (!strcmp(argv[1], "train"))
        return cmd_train(argc - 2, argv + 2);
    if (!strcmp(argv[1], "eval"))
        return cmd_eval(argc - 2, argv + 2);
    if (!strcmp(argv[1], "tag"))
        return cmd_tag(argc - 2, argv + 2, false);
    if (!strcmp(argv[1], "speed"))
        return cmd_tag(argc - 2, argv + 2, true);
    fprintf(stderr, "unknown command '%s'\n", argv[1]);
    return 2;
}
