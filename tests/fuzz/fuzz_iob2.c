/* SPDX-License-Identifier: MIT */
/*
 * fuzz_iob2.c: the IOB2 reader of `gazette bench ner` and `gazette ner
 * train` (common/nertrain.c) on arbitrary bytes.
 *
 * Each input is scored with the built-in tagger (gzt_ner_eval) and used to
 * train a tiny model (gzt_ner_train: 2^8 rows, one epoch, every feature
 * group, a small word-cluster table, the input as its own dev text). A
 * malformed line is GZT_EINVAL; what reads must score sanely (no more
 * correct entities than predicted or gold, F1 within 0..100), and what
 * trains must load (gzt_ner_load) and score the same text again.
 */
#include "common/entity.h"
#include "common/nertrain.h"
#include "common/resources.h"
#include "tests/fuzz/fuzzkit.h"

static const char clusters[] = "# word-cluster table\n"
                               "Lavrov\t1\t2\t3\t4\n"
                               "Tehran\t5\t6\t7\t8\n"
                               "Moscow\t5\t6\t7\t9\n"
                               "the\t0\t0\t0\t0\n";

static void
check_scores(const gzt_ner_scores *s)
{
    GZT_FUZZ_CHECK(s->tokens_correct <= s->tokens);
    for (int t = 0; t < GZT_NER_NTYPES; t++) {
        const gzt_ner_prf *p = &s->type[t];
        GZT_FUZZ_CHECK(p->correct <= p->pred && p->correct <= p->gold);
        GZT_FUZZ_CHECK(p->f1 >= 0 && p->f1 <= 100);
    }
    gzt_buf b = GZT_BUF_INIT;
    GZT_FUZZ_CHECK(gzt_ner_scores_format(&b, s) == GZT_OK);
    gzt_buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static gzt_ner *builtin;
    static gzt_gaz *gaz;
    if (!builtin) {
        const uint8_t *mb;
        size_t ml;
        GZT_FUZZ_CHECK(gzt_resource_get("ner.bin", &mb, &ml));
        GZT_FUZZ_CHECK(gzt_ner_load(&builtin, mb, ml, NULL) == GZT_OK);
        GZT_FUZZ_CHECK(gzt_builtin_gazetteer(&gaz, NULL) == GZT_OK);
        gzt_ner_set_gazetteer(builtin, gaz);
    }
    const char *text = (const char *)data;
    gzt_ner_scores s;
    gzt_error err = {0};
    int rc = gzt_ner_eval(&s, builtin, text, size, &err);
    if (rc != GZT_OK) {
        GZT_FUZZ_CHECK((rc == GZT_EINVAL || rc == GZT_ETOOBIG) &&
                       err.code == rc && err.msg[0]);
        return 0;
    }
    check_scores(&s);

    gzt_ner_train_opts o;
    gzt_ner_train_opts_init(&o);
    o.epochs = 1;
    o.bits = 8;
    o.groups = GZT_NERF_ALL;
    o.clusters = clusters;
    o.clusters_len = sizeof clusters - 1;
    o.dev = text;
    o.dev_len = size;
    o.info = "fuzz";
    o.gaz = gaz;
    gzt_buf model = GZT_BUF_INIT;
    rc = gzt_ner_train(&model, text, size, &o, &err);
    if (rc == GZT_OK) {
        gzt_ner *m = NULL;
        GZT_FUZZ_CHECK(gzt_ner_load(&m, model.p, model.len, &err) == GZT_OK);
        gzt_ner_set_gazetteer(m, gaz);
        GZT_FUZZ_CHECK(gzt_ner_eval(&s, m, text, size, &err) == GZT_OK);
        check_scores(&s);
        gzt_ner_free(m);
    } else {
        /* the text read once already: only "no tokens" is left to say */
        GZT_FUZZ_CHECK(rc == GZT_EINVAL && s.tokens == 0);
    }
    gzt_buf_free(&model);
    return 0;
}
