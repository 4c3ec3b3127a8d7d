/* SPDX-License-Identifier: MIT */
/*
 * fuzz_csv.c: the CSV/TSV record parser (indexer/csv.c) and the CSV reader
 * of ingest (indexer/ingest.c) on arbitrary bytes.
 *
 * The parser is restartable: offered a prefix of the input it may ask for
 * more (GZT_CSV_MORE), and offered the same record again with more bytes
 * it must find the same thing. So each input is split twice, once handed
 * over whole and once grown a few bytes at a time (the step taken from the
 * first byte, and growing by a quarter each time so that a long record is
 * not parsed quadratically often), and the two splits must agree record
 * for record, field for field. Every outcome must also consume what it
 * says, within the bytes given, and MORE must never come at the end of the
 * input. Then the input is ingested as a .csv and as a .tsv file, and each
 * document handed on is checked by gzt_fuzzkit_ingest().
 */
#include "gazette.h"
#include "indexer/csv.h"
#include "tests/fuzz/fuzzkit.h"

/* Split @p size bytes (a private copy: fields are unescaped in place)
 * offering @p step more bytes at a time (0: all at once), and append each
 * outcome to @p out as "kind newlines nfields len:field...". */
static void
split(const uint8_t *data, size_t size, char delim, size_t cap, size_t step,
      gzt_buf *out)
{
    char *buf = gzt_malloc(size ? size : 1);
    GZT_FUZZ_CHECK(buf != NULL);
    if (size)
        memcpy(buf, data, size);
    gzt_csv c;
    GZT_FUZZ_CHECK(gzt_csv_init(&c, delim, cap) == GZT_OK);
    size_t off = 0, avail = step ? step : size;
    for (;;) {
        size_t len = GZT_MIN(avail, size - off), used = 12345;
        bool eof = off + len == size;
        int k = gzt_csv_next(&c, buf + off, len, eof, &used);
        if (k == GZT_CSV_MORE) {
            GZT_FUZZ_CHECK(!eof);
            avail += step ? step + avail / 4 : size; /* not quadratic */
            continue;
        }
        if (k == GZT_CSV_END) {
            GZT_FUZZ_CHECK(eof && len == 0);
            break;
        }
        GZT_FUZZ_CHECK(k == GZT_CSV_RECORD || k == GZT_CSV_BLANK ||
                       k == GZT_CSV_UNTERMINATED);
        GZT_FUZZ_CHECK(used > 0 && used <= len);
        GZT_FUZZ_CHECK(k != GZT_CSV_UNTERMINATED || (eof && used == len));
        GZT_FUZZ_CHECK(gzt_buf_printf(out, "%d %zu %zu", k, c.newlines,
                                      c.nfields) == GZT_OK);
        if (k == GZT_CSV_RECORD) {
            GZT_FUZZ_CHECK(c.nfields >= 1);
            for (size_t i = 0; i < GZT_MIN(c.nfields, c.cap); i++) {
                const gzt_csv_field *f = &c.fields[i];
                GZT_FUZZ_CHECK(f->p >= buf + off &&
                               f->p + f->len <= buf + off + used);
                GZT_FUZZ_CHECK(!f->esc);
                GZT_FUZZ_CHECK(gzt_buf_printf(out, " %zu:", f->len) == GZT_OK &&
                               gzt_buf_append(out, f->p, f->len) == GZT_OK);
            }
        }
        GZT_FUZZ_CHECK(gzt_buf_putc(out, '\n') == GZT_OK);
        off += used;
        avail = step ? step : size;
    }
    gzt_csv_fini(&c);
    gzt_free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t step = size ? 1 + data[0] % 16 : 1;
    gzt_buf whole = GZT_BUF_INIT, steps = GZT_BUF_INIT;
    for (int d = 0; d < 2; d++) {
        char delim = d ? '\t' : ',';
        size_t cap = size ? 1 + data[size - 1] % 8 : 8;
        gzt_buf_reset(&whole);
        gzt_buf_reset(&steps);
        split(data, size, delim, cap, 0, &whole);
        split(data, size, delim, cap, step, &steps);
        GZT_FUZZ_CHECK(whole.len == steps.len &&
                       (!whole.len || !memcmp(whole.p, steps.p, whole.len)));
    }
    gzt_buf_free(&whole);
    gzt_buf_free(&steps);
    (void)gzt_fuzzkit_ingest("in.csv", data, size, NULL);
    (void)gzt_fuzzkit_ingest("in.tsv", data, size, NULL);
    return 0;
}
