/* SPDX-License-Identifier: MIT */
/*
 * fuzz_jsonl.c: the JSON Lines reader of ingest (indexer/ingest.c, with
 * jansson) on arbitrary bytes.
 *
 * The reader takes paths, so each input is written to a file of the
 * process's temporary directory and ingested from there, once with the
 * default field names and once with them swapped around (the id read from
 * "title", the date from "body"...), so that every member is read as every
 * kind of field. Malformed records are warnings, never errors; each
 * document handed on is checked by gzt_fuzzkit_ingest().
 */
#include "gazette.h"
#include "tests/fuzz/fuzzkit.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gzt_ingest_opts o;
    gzt_ingest_opts_init(&o);
    o.format = GZT_FORMAT_JSONL;
    (void)gzt_fuzzkit_ingest("in.jsonl", data, size, &o);
    o.id_field = "title";
    o.title_field = "date";
    o.body_field = "id";
    o.date_field = "body";
    (void)gzt_fuzzkit_ingest("in.jsonl", data, size, &o);
    return 0;
}
