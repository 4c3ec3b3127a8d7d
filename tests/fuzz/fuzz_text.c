/* SPDX-License-Identifier: MIT */
/*
 * fuzz_text.c: the plain-text reader of ingest (indexer/ingest.c: title
 * line, "date" prefix, binary sniffing) and the dateline sniffer
 * (gzt_date_sniff in common/date.c) on arbitrary bytes.
 *
 * The sniffer must find a real date or none and never skip more than the
 * text; the reader must hand on at most one document, checked by
 * gzt_fuzzkit_ingest().
 */
#include "common/date.h"
#include "gazette.h"
#include "tests/fuzz/fuzzkit.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gzt_date date = -1;
    size_t skip = SIZE_MAX;
    gzt_date_sniff((const char *)data, size, &date, &skip);
    GZT_FUZZ_CHECK(date == 0 || gzt_date_valid(date));
    GZT_FUZZ_CHECK(skip <= size);
    GZT_FUZZ_CHECK(skip == 0 || date != 0);
    GZT_FUZZ_CHECK(gzt_fuzzkit_ingest("in.txt", data, size, NULL) <= 1);
    return 0;
}
