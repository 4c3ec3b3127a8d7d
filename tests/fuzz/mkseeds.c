/* SPDX-License-Identifier: MIT */
/*
 * mkseeds.c: writes the seeds of the fuzz targets whose inputs are binary
 * (codec, zblock, entity, store, nermodel, segment) or taken from an index
 * (manifest), with the library's own encoders, so that the fuzzers start
 * from valid encodings instead of having to discover them:
 *
 *     cmake --build build --target fuzz_mkseeds
 *     build/tests/fuzz/fuzz_mkseeds tests/fuzz/corpus
 *
 * Each seed is written as corpus/<target>/seed-<what>; existing files of
 * that name are replaced, others left alone. The text targets' seeds are
 * written by hand. Deterministic: run it again after a format change and
 * review the diff.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "common/codec.h"
#include "common/entity.h"
#include "common/io.h"
#include "common/manifest.h"
#include "common/nertrain.h"
#include "common/segment.h"
#include "common/zblock.h"
#include "gazette.h"
#include "tests/fuzz/fuzzkit.h"

static const char *outdir;

static void
seed(const char *target, const char *what, const void *p, size_t len)
{
    char dir[512], path[640];
    snprintf(dir, sizeof dir, "%s/%s", outdir, target);
    (void)mkdir(dir, 0755);
    snprintf(path, sizeof path, "%s/seed-%s", dir, what);
    gzt_fuzzkit_write(path, p, len);
}

static void
ok(int rc, const char *what)
{
    if (rc != GZT_OK) {
        fprintf(stderr, "mkseeds: %s: %s\n", what, gzt_strerror(rc));
        exit(1);
    }
}

/* ---- codec: n, prev, block ---------------------------------------------- */

static void
codec_seed(const char *what, const uint32_t *v, uint32_t n, bool delta,
           uint32_t prev)
{
    uint8_t b[5 + GZT_BLOCK / 4 + 4 * GZT_BLOCK];
    b[0] = (uint8_t)n;
    gzt_store_u32(b + 1, prev);
    size_t len = delta ? gzt_codec_encode_delta(v, n, prev, b + 5)
                       : gzt_codec_encode(v, n, b + 5);
    seed("codec", what, b, 5 + len);
}

static void
codec_seeds(void)
{
    uint32_t v[GZT_BLOCK];
    for (uint32_t i = 0; i < GZT_BLOCK; i++)
        v[i] = 1000 + 7 * i + i * i; /* docids: increasing gaps */
    codec_seed("docids-128", v, GZT_BLOCK, true, 990);
    codec_seed("docids-5", v, 5, true, 0);
    for (uint32_t i = 0; i < GZT_BLOCK; i++)
        v[i] = 1 + (i * 37) % 11; /* frequencies */
    codec_seed("freqs-128", v, GZT_BLOCK, false, 0);
    codec_seed("freqs-3", v, 3, false, 0);
    for (uint32_t i = 0; i < 16; i++)
        v[i] = i % 4 == 0   ? 5
               : i % 4 == 1 ? 300
               : i % 4 == 2 ? 70000
                            : 0xfffffff0u; /* every byte length */
    codec_seed("widths-16", v, 16, false, 0);
    for (uint32_t i = 0; i < 9; i++)
        v[i] = 0xffffff00u + i;
    codec_seed("near-max-9", v, 9, true, 0xfffffe00u);
    codec_seed("empty", v, 0, false, 0);
}

/* ---- zblock: mode, [dict], block ----------------------------------------- */

static const char *const texts[] = {
    "TEHRAN - Russian Foreign Minister Sergei Lavrov is set to travel to "
    "Tehran in the coming days for crucial talks covering bilateral, "
    "regional, and international concerns, according to Iran's Foreign "
    "Ministry spokesperson.",
    "Moscow, 30 March 2023 (TDI): Iranian Deputy Foreign Minister Ali "
    "Bagheri Kani met Russian Deputy Foreign Minister Mikhail Bogdanov.",
    "WASHINGTON, March 7, 2025 - The U.S. State Department said the "
    "sanctions on 1,200 companies would stay.",
    "Die Außenminister trafen sich in Genf. 日本語のテキスト. Русский.",
};
#define NTEXTS (sizeof texts / sizeof texts[0])

static void
zblock_seeds(void)
{
    gzt_zctx *z;
    gzt_buf out = GZT_BUF_INIT, in = GZT_BUF_INIT;
    ok(gzt_zctx_new(&z, NULL, 0, 3), "zctx");
    for (size_t i = 0; i < NTEXTS; i++) {
        gzt_buf_reset(&in);
        ok(gzt_buf_putc(&in, 0), "buf");
        ok(gzt_zblock_compress(z, &in, texts[i], strlen(texts[i])), "zstd");
        char what[32];
        snprintf(what, sizeof what, "plain-%zu", i);
        seed("zblock", what, in.p, in.len);
    }
    gzt_zctx_free(z);

    /* a trained dictionary, and a block that needs it */
    gzt_buf samples = GZT_BUF_INIT;
    size_t sizes[200];
    char line[256];
    for (unsigned i = 0; i < 200; i++) {
        int n = snprintf(line, sizeof line,
                         "Bulletin %u: officials in %s said talks on %s "
                         "resumed; the United Nations welcomed it.",
                         i, i % 3 ? "Tehran" : "Moscow",
                         i % 2 ? "grain" : "the pipeline");
        sizes[i] = (size_t)n;
        ok(gzt_buf_append(&samples, line, (size_t)n), "buf");
    }
    ok(gzt_zdict_train(&out, samples.p, sizes, 200, 1024), "train");
    if (out.len == 0 || out.len > 0xffff) {
        fprintf(stderr, "mkseeds: no dictionary trained\n");
        exit(1);
    }
    ok(gzt_zctx_new(&z, out.p, out.len, 3), "zctx dict");
    gzt_buf_reset(&in);
    ok(gzt_buf_putc(&in, 1), "buf");
    ok(gzt_buf_putc(&in, (uint8_t)out.len), "buf");
    ok(gzt_buf_putc(&in, (uint8_t)(out.len >> 8)), "buf");
    ok(gzt_buf_append(&in, out.p, out.len), "buf");
    ok(gzt_zblock_compress(z, &in, samples.p, sizes[0] + sizes[1]), "zstd");
    seed("zblock", "trained-dict", in.p, in.len);
    gzt_zctx_free(z);

    /* a raw-content dictionary */
    const char *raw = texts[0];
    ok(gzt_zctx_new(&z, raw, strlen(raw), 3), "zctx raw");
    gzt_buf_reset(&in);
    ok(gzt_buf_putc(&in, 1), "buf");
    ok(gzt_buf_putc(&in, (uint8_t)strlen(raw)), "buf");
    ok(gzt_buf_putc(&in, (uint8_t)(strlen(raw) >> 8)), "buf");
    ok(gzt_buf_append(&in, raw, strlen(raw)), "buf");
    ok(gzt_zblock_compress(z, &in, texts[1], strlen(texts[1])), "zstd");
    seed("zblock", "raw-dict", in.p, in.len);
    gzt_zctx_free(z);
    gzt_buf_free(&samples);
    gzt_buf_free(&in);
    gzt_buf_free(&out);
}

/* ---- entity and store -----------------------------------------------------
 */

static void
entity_seeds(void)
{
    gzt_recognizer *r;
    gzt_error err = {0};
    ok(gzt_recognizer_new(&r, NULL, 0, &err), "recognizer");
    static const char *const titles[] = {"Lavrov to visit Tehran", "",
                                         "Talks in Moscow", ""};
    for (size_t i = 0; i < NTEXTS; i++) {
        gzt_arena arena;
        gzt_arena_init(&arena, 0);
        gzt_entity *e;
        size_t n;
        const char *t = titles[i], *b = texts[i];
        ok(gzt_recognizer_find(r, t, strlen(t), b, strlen(b), &arena, &e, &n,
                               &err),
           "find");
        gzt_buf enc = GZT_BUF_INIT, rec = GZT_BUF_INIT;
        ok(gzt_buf_putc(&enc, (uint8_t)((strlen(t) + 3) / 4)), "buf");
        ok(gzt_buf_putc(&enc, (uint8_t)((strlen(b) + 63) / 64)), "buf");
        ok(gzt_entity_encode(&enc, e, n, t, b), "encode");
        char what[32];
        snprintf(what, sizeof what, "mentions-%zu", i);
        seed("entity", what, enc.p, enc.len);

        gzt_docfields f;
        f.f[GZT_FIELD_ID] = "doc-1";
        f.f[GZT_FIELD_TITLE] = t;
        f.f[GZT_FIELD_BODY] = b;
        f.f[GZT_FIELD_SOURCE] = "/news/corpus";
        f.f[GZT_FIELD_ENTITIES] = (const char *)enc.p + 2;
        for (int k = 0; k < GZT_STORE_FIELDS; k++)
            f.len[k] = strlen(f.f[k]);
        f.len[GZT_FIELD_ENTITIES] = enc.len - 2;
        ok(gzt_store_record(&rec, &f), "record");
        snprintf(what, sizeof what, "record-%zu", i);
        seed("store", what, rec.p, rec.len);
        gzt_buf_free(&enc);
        gzt_buf_free(&rec);
        gzt_arena_fini(&arena);
    }
    gzt_recognizer_free(r);
}

/* ---- nermodel -------------------------------------------------------------
 */

static const char iob2[] = "-DOCSTART- -X- -X- O\n"
                           "\n"
                           "Lavrov NNP B-NP B-PER\n"
                           "arrived VBD B-VP O\n"
                           "in IN B-PP O\n"
                           "Tehran NNP B-NP B-LOC\n"
                           ". . O O\n"
                           "\n"
                           "The DT B-NP O\n"
                           "United NNP I-NP B-ORG\n"
                           "Nations NNP I-NP I-ORG\n"
                           "welcomed VBD B-VP O\n"
                           "Iranian JJ B-NP B-MISC\n"
                           "talks NNS I-NP O\n"
                           ". . O O\n";

static const char clusters[] = "Lavrov\t1\t2\t3\t4\n"
                               "Tehran\t5\t6\t7\t8\n";

static void
nermodel_seeds(void)
{
    static const struct {
        const char *what;
        uint32_t groups;
        bool clusters;
    } kinds[] = {
        {"all-groups", GZT_NERF_ALL, true},
        {"first-order", GZT_NERF_ALL & ~(uint32_t)GZT_NERF_ORDER2, false},
        {"words-only", GZT_NERF_WORD, false},
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        gzt_ner_train_opts o;
        gzt_ner_train_opts_init(&o);
        o.bits = 8;
        o.epochs = 2;
        o.groups = kinds[i].groups;
        o.info = "fuzz seed";
        if (kinds[i].clusters) {
            o.clusters = clusters;
            o.clusters_len = sizeof clusters - 1;
        }
        gzt_buf m = GZT_BUF_INIT;
        gzt_error err = {0};
        ok(gzt_ner_train(&m, iob2, sizeof iob2 - 1, &o, &err), "train");
        seed("nermodel", kinds[i].what, m.p, m.len);
        gzt_buf_free(&m);
    }
}

/* ---- segment and manifest --------------------------------------------------
 */

static void
segment_seeds(void)
{
    char base[256];
    gzt_fuzzkit_path(base, sizeof base, "base");
    gzt_fuzzkit_build_index(base);
    size_t n;
    char **names = gzt_fuzzkit_list(base, &n);
    size_t k = 0; /* index among the files fuzz_segment.c damages */
    gzt_buf b = GZT_BUF_INIT, s = GZT_BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(names[i], "LOCK"))
            continue;
        char path[512], what[96];
        snprintf(path, sizeof path, "%s/%s", base, names[i]);
        gzt_fuzzkit_read(path, &b);
        bool man = !strcmp(names[i], GZT_MANIFEST_NAME);
        size_t from = man ? 0 : GZT_HEADER_LEN;
        size_t to = b.len - GZT_FOOTER_LEN;
        if (man) { /* up to the checksum line */
            to = b.len - 1;
            while (to > 0 && b.p[to - 1] != '\n')
                to--;
            seed("manifest", "index", b.p, to);
        }
        /* kind 0: the body as it is */
        gzt_buf_reset(&s);
        ok(gzt_buf_putc(&s, (uint8_t)k), "buf");
        ok(gzt_buf_putc(&s, 0), "buf");
        ok(gzt_buf_append(&s, b.p + from, to - from), "buf");
        snprintf(what, sizeof what, "%s-body", names[i]);
        seed("segment", what, s.p, s.len);
        /* kind 1: one byte flipped in the middle and one near the end */
        gzt_buf_reset(&s);
        ok(gzt_buf_putc(&s, (uint8_t)k), "buf");
        ok(gzt_buf_putc(&s, 1), "buf");
        ok(gzt_buf_put_varint(&s, (to - from) / 2), "buf");
        ok(gzt_buf_putc(&s, 0), "buf");
        ok(gzt_buf_putc(&s, 0x01), "buf");
        ok(gzt_buf_put_varint(&s, to - from - 1), "buf");
        ok(gzt_buf_putc(&s, 3), "buf");
        ok(gzt_buf_append(&s, "\x10\x00\x00\x80", 4), "buf");
        snprintf(what, sizeof what, "%s-patch", names[i]);
        seed("segment", what, s.p, s.len);
        k++;
    }
    gzt_buf_free(&b);
    gzt_buf_free(&s);
    gzt_fuzzkit_list_free(names, n);
}

int
main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s tests/fuzz/corpus\n", argv[0]);
        return 2;
    }
    outdir = argv[1];
    codec_seeds();
    zblock_seeds();
    entity_seeds();
    nermodel_seeds();
    segment_seeds();
    return 0;
}
