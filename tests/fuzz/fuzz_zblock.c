/* SPDX-License-Identifier: MIT */
/*
 * fuzz_zblock.c: the zstd blocks of stored documents (common/zblock.c) on
 * arbitrary bytes: dictionaries as a damaged store file would hold them,
 * frames to decompress, and content to compress and read back.
 *
 * Input: a mode byte, then (mode bit 0) a dictionary length (two bytes,
 * little endian) and that many dictionary bytes, then the block. Without a
 * dictionary of the input's own, mode bit 1 picks a fixed raw-content
 * dictionary. A dictionary may be refused (GZT_ECORRUPT) and a block may be
 * refused (GZT_ECORRUPT); a block that decodes must be within the ceiling, and
 * the block itself, compressed and decompressed, must come back unchanged.
 */
#include "common/zblock.h"
#include "tests/fuzz/fuzzkit.h"

#define MAX_OUT (1u << 20)

static const char fixed_dict[] =
    "TEHRAN - Russian Foreign Minister Sergei Lavrov is set to travel to "
    "Tehran in the coming days for crucial talks covering bilateral, "
    "regional and international concerns, according to Iran's Foreign "
    "Ministry spokesperson. The United Nations welcomed the talks.";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t mode = data[0];
    const uint8_t *p = data + 1;
    size_t left = size - 1;
    const void *dict = NULL;
    size_t dict_len = 0;
    if (mode & 1) {
        if (left < 2)
            return 0;
        dict_len = GZT_MIN((size_t)(p[0] | p[1] << 8), left - 2);
        dict = p + 2;
        p += 2 + dict_len;
        left -= 2 + dict_len;
    } else if (mode & 2) {
        dict = fixed_dict;
        dict_len = sizeof fixed_dict - 1;
    }
    gzt_zctx *z = NULL;
    int rc = gzt_zctx_new(&z, dict, dict_len, 1 + (mode >> 4) % 4);
    if (rc != GZT_OK) {
        GZT_FUZZ_CHECK(rc == GZT_ECORRUPT && z == NULL);
        return 0;
    }
    gzt_buf out = GZT_BUF_INIT, comp = GZT_BUF_INIT;
    rc = gzt_zblock_decompress(z, &out, p, left, MAX_OUT);
    GZT_FUZZ_CHECK(rc == GZT_OK || rc == GZT_ECORRUPT);
    if (rc == GZT_OK)
        GZT_FUZZ_CHECK(out.len <= MAX_OUT);
    else
        GZT_FUZZ_CHECK(out.len == 0);

    GZT_FUZZ_CHECK(gzt_zblock_compress(z, &comp, p, left) == GZT_OK);
    rc = gzt_zblock_decompress(z, &out, comp.p, comp.len, left);
    GZT_FUZZ_CHECK(rc == GZT_OK && out.len == left);
    GZT_FUZZ_CHECK(!left || !memcmp(out.p, p, left));
    /* one byte less of room must be refused, not overrun */
    if (left)
        GZT_FUZZ_CHECK(gzt_zblock_decompress(z, &out, comp.p, comp.len,
                                             left - 1) == GZT_ECORRUPT);
    gzt_buf_free(&comp);
    gzt_buf_free(&out);
    gzt_zctx_free(z);
    return 0;
}
