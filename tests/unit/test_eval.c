/* SPDX-License-Identifier: MIT */
/*
 * test_eval.c: trec_eval's measures (gazette eval) on cases computed by
 * hand: graded nDCG@10 with an unjudged and a non-relevant document above
 * the relevant ones, trec_eval's tie order (score descending, then
 * document id descending), recall and AP over a topic's relevant
 * documents (one of them never retrieved), a judged topic missing from
 * the run (0 everywhere, still in the averages), a run topic without
 * judgments (ignored); and malformed lines named by file and line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tests/support/tmpdir.h"
#include "gazette.h"
#include "searcher/eval.h"

static void
write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_true(fputs(text, f) >= 0);
    assert_int_equal(fclose(f), 0);
}

static const char qrels[] = "t1 0 a 2\n"
                            "t1 0 b 1\n"
                            "t1 0 c 0\n"
                            "t1 0 d 1\n"
                            "\n"
                            "t2 0 x 1\n"
                            "t3 0 y 1\n";

/* t1: c 3.0, then a and e tied at 2.0 (e first: ids descending), b 1.0;
 * listed out of order on purpose. t9 has no judgments. */
static const char run[] = "t1 Q0 b 4 1.0 test\n"
                          "t9 Q0 q 1 9.0 test\n"
                          "t1 Q0 a 2 2.0 test\n"
                          "t2 Q0 x 1 5.0 test\n"
                          "t1 Q0 c 1 3.0 test\n"
                          "t1 Q0 e 3 2.0 test\n";

static void
test_one_topic_by_hand(void **state)
{
    (void)state;
    gzt_qrels q;
    gzt_error err;
    assert_int_equal(gzt_qrels_parse(&q, qrels, strlen(qrels), "q.txt", &err),
                     GZT_OK);
    assert_int_equal(q.n, 6);
    size_t nj;
    const gzt_judgment *j = gzt_qrels_topic(&q, "t1", &nj);
    assert_int_equal(nj, 4);
    assert_null(gzt_qrels_topic(&q, "t4", &nj));
    gzt_ranked r[] = {{"b", 1.0}, {"a", 2.0}, {"c", 3.0}, {"e", 2.0}};
    gzt_topic_eval t;
    gzt_eval_topic(r, 4, j, 4, &t);
    /* order c e a b: gains 0 0 2 1 at ranks 1-4; ideal 2 1 1 */
    double dcg = 2 / log2(4) + 1 / log2(5);
    double idcg = 2 + 1 / log2(3) + 1 / log2(4);
    assert_string_equal(r[1].doc, "e");
    assert_true(fabs(t.ndcg10 - dcg / idcg) < 1e-12);
    assert_int_equal(t.relevant, 3);
    assert_true(fabs(t.recall100 - 2.0 / 3) < 1e-12);
    assert_true(fabs(t.recall1000 - 2.0 / 3) < 1e-12);
    assert_true(fabs(t.ap - (1.0 / 3 + 2.0 / 4) / 3) < 1e-12);
    /* only the first 10 count for nDCG, the first 100 for R@100 */
    gzt_ranked many[120];
    char ids[120][8];
    for (int i = 0; i < 120; i++) {
        snprintf(ids[i], sizeof ids[i], "n%03d", i);
        many[i] = (gzt_ranked){ids[i], 200.0 - i};
    }
    many[10].doc = "a";  /* rank 11 */
    many[105].doc = "b"; /* rank 106 */
    gzt_eval_topic(many, 120, j, 4, &t);
    assert_true(t.ndcg10 == 0);
    assert_true(fabs(t.recall100 - 1.0 / 3) < 1e-12);
    assert_true(fabs(t.recall1000 - 2.0 / 3) < 1e-12);
    assert_true(fabs(t.ap - (1.0 / 11 + 2.0 / 106) / 3) < 1e-12);
    gzt_qrels_fini(&q);
}

static void
test_averages_over_the_judged_topics(void **state)
{
    (void)state;
    char dir[64], qp[96], rp[96];
    gzt_test_tmpdir_new(dir, "eval");
    snprintf(qp, sizeof qp, "%s/qrels.txt", dir);
    snprintf(rp, sizeof rp, "%s/run.txt", dir);
    write_text(qp, qrels);
    write_text(rp, run);
    gzt_eval_report r;
    gzt_error err;
    assert_int_equal(gzt_eval_run(&r, rp, qp, &err), GZT_OK);
    double t1 = (2 / log2(4) + 1 / log2(5)) / (2 + 1 / log2(3) + 0.5);
    assert_int_equal(r.topics, 3);
    assert_true(fabs(r.ndcg10 - (t1 + 1) / 3) < 1e-12);
    assert_true(fabs(r.map - ((1.0 / 3 + 0.5) / 3 + 1) / 3) < 1e-12);
    assert_true(fabs(r.recall100 - (2.0 / 3 + 1) / 3) < 1e-12);
    assert_int_equal(r.retrieved, 5);
    assert_int_equal(r.relevant, 5);
    assert_int_equal(r.rel_found, 3);
    /* malformed lines are named */
    write_text(qp, "t1 0 a 1\nt1 0 b\n");
    assert_int_equal(gzt_eval_run(&r, rp, qp, &err), GZT_EINVAL);
    assert_non_null(strstr(err.msg, "qrels.txt:2:"));
    write_text(qp, "t1 0 a x\n");
    assert_int_equal(gzt_eval_run(&r, rp, qp, &err), GZT_EINVAL);
    write_text(qp, qrels);
    write_text(rp, "t1 Q0 a 1 2.0 test\nt1 Q0 b 2 high test\n");
    assert_int_equal(gzt_eval_run(&r, rp, qp, &err), GZT_EINVAL);
    assert_non_null(strstr(err.msg, "run.txt:2:"));
    snprintf(rp, sizeof rp, "%s/none.txt", dir);
    assert_int_equal(gzt_eval_run(&r, rp, qp, &err), GZT_ENOTFOUND);
    gzt_test_tmpdir_remove(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_topic_by_hand),
        cmocka_unit_test(test_averages_over_the_judged_topics),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
