/* SPDX-License-Identifier: MIT */
/*
 * fuzz_manifest.c: the manifest parser (common/manifest.c) on arbitrary
 * text.
 *
 * Each input is parsed twice: as it is, which mostly exercises the
 * checksum line, and with a correct checksum line of its bytes appended, so
 * that the lines themselves are parsed (the seeds are manifests without
 * their checksum line). The second form is also read back from a MANIFEST
 * file by gzt_manifest_read(), which must agree. A manifest that parses
 * must survive a round trip: formatted, it parses again, and the two
 * formats are the same bytes, as are those of a deep copy.
 */
#include <inttypes.h>
#include <stdio.h>
#include <sys/stat.h>

#include "common/manifest.h"
#include "tests/fuzz/fuzzkit.h"

static void
round_trip(const gzt_manifest *m)
{
    gzt_buf a = GZT_BUF_INIT, b = GZT_BUF_INIT;
    GZT_FUZZ_CHECK(gzt_manifest_format(m, &a) == GZT_OK);
    gzt_manifest again;
    gzt_error err = {0};
    int rc =
        gzt_manifest_parse(&again, (const char *)a.p, a.len, "again", &err);
    if (rc != GZT_OK)
        fprintf(stderr, "formatted manifest refused: %s\n%.*s", err.msg,
                (int)a.len, (const char *)a.p);
    GZT_FUZZ_CHECK(rc == GZT_OK);
    GZT_FUZZ_CHECK(gzt_manifest_format(&again, &b) == GZT_OK);
    GZT_FUZZ_CHECK(a.len == b.len && !memcmp(a.p, b.p, a.len));
    gzt_manifest_fini(&again);

    gzt_manifest copy;
    GZT_FUZZ_CHECK(gzt_manifest_copy(&copy, m) == GZT_OK);
    GZT_FUZZ_CHECK(gzt_manifest_format(&copy, &b) == GZT_OK);
    GZT_FUZZ_CHECK(a.len == b.len && !memcmp(a.p, b.p, a.len));
    gzt_manifest_fini(&copy);
    gzt_buf_free(&a);
    gzt_buf_free(&b);
}

static int
parse(const char *text, size_t len)
{
    gzt_manifest m;
    gzt_error err = {0};
    int rc = gzt_manifest_parse(&m, text, len, "MANIFEST", &err);
    if (rc == GZT_OK) {
        GZT_FUZZ_CHECK(m.engine[0] && m.language[0]);
        for (uint32_t i = 0; i < m.nsegs; i++)
            GZT_FUZZ_CHECK(m.segs[i].deleted <= m.segs[i].ndocs &&
                           m.segs[i].id < m.next_segment);
        round_trip(&m);
        gzt_manifest_fini(&m);
    } else {
        GZT_FUZZ_CHECK(rc == GZT_ECORRUPT && err.code == rc);
    }
    return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)parse((const char *)data, size);

    /* with a checksum line that holds */
    char line[32];
    snprintf(line, sizeof line, "checksum %016" PRIx64 "\n",
             gzt_hash64(data, size));
    size_t len = size + strlen(line);
    char *text = gzt_malloc(len);
    GZT_FUZZ_CHECK(text != NULL);
    if (size)
        memcpy(text, data, size);
    memcpy(text + size, line, strlen(line));
    int rc = parse(text, len);

    /* the same bytes from a file */
    char dir[256], path[300];
    gzt_fuzzkit_path(dir, sizeof dir, "idx");
    (void)mkdir(dir, 0700);
    snprintf(path, sizeof path, "%s/%s", dir, GZT_MANIFEST_NAME);
    gzt_fuzzkit_write(path, text, len);
    gzt_manifest m;
    gzt_error err = {0};
    int rc_read = gzt_manifest_read(&m, dir, &err);
    if (rc_read == GZT_OK)
        gzt_manifest_fini(&m);
    GZT_FUZZ_CHECK(rc_read == rc);
    gzt_free(text);
    return 0;
}
