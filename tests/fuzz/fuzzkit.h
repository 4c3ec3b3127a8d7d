/* SPDX-License-Identifier: MIT */
/*
 * fuzzkit.h: what the fuzz targets of tests/fuzz/ share.
 *
 * Each fuzz_<name>.c defines LLVMFuzzerTestOneInput(), which libFuzzer
 * calls with generated inputs (clang, GAZETTE_FUZZ=ON) and replay.c calls
 * with the files of the committed corpus (every other build, as a CTest
 * test). A target must never crash, leak or read out of bounds whatever the
 * bytes; where the code under test promises more (a round trip, a bound),
 * the target checks it with GZT_FUZZ_CHECK, which aborts so that libFuzzer
 * saves the input. Targets whose code reads files work in one private
 * temporary directory per process, removed at exit.
 */
#ifndef GZT_FUZZKIT_H
#define GZT_FUZZKIT_H

#include <stddef.h>
#include <stdint.h>

#include "common/base.h"

/* The entry points: libFuzzer's names and signatures. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Report a broken promise of the code under test and abort. */
_Noreturn void gzt_fuzzkit_fail(const char *file, int line, const char *what);

/* An assert that NDEBUG does not remove: fuzzing runs optimised builds. */
#define GZT_FUZZ_CHECK(c)                                                      \
    ((c) ? (void)0 : gzt_fuzzkit_fail(__FILE__, __LINE__, #c))

/* The process's temporary directory (created on first call, removed with
 * everything in it at exit). Aborts when it cannot be made. */
const char *gzt_fuzzkit_tmpdir(void);

/* "tmpdir/@p name" into @p out (@p cap bytes). */
void gzt_fuzzkit_path(char *out, size_t cap, const char *name);

/* Replace the file @p path with @p len bytes; aborts on failure (the
 * temporary directory is ours: a failure there is not the input's). */
void gzt_fuzzkit_write(const char *path, const void *p, size_t len);

/* Read the whole file @p path into @p out (replacing its contents). */
void gzt_fuzzkit_read(const char *path, gzt_buf *out);

/* The names of the files of directory @p dir, sorted, dot files left out:
 * *@p n of them in a gzt_malloc'ed array of gzt_malloc'ed strings. */
char **gzt_fuzzkit_list(const char *dir, size_t *n);
void gzt_fuzzkit_list_free(char **names, size_t n);

/* Write @p size bytes to "tmpdir/@p name" and read them back with
 * gzt_ingest_path() under @p opts (NULL: the defaults), checking each
 * document against ingest.h's promises: a non-empty id of at most
 * GZT_ID_MAX bytes, title and body well-formed UTF-8 without NULs, a date
 * of 0 or a real one. Returns the documents read. */
size_t gzt_fuzzkit_ingest(const char *name, const uint8_t *data, size_t size,
                          const gzt_ingest_opts *opts);

/* Build the small index that the segment and search targets read, at
 * @p dir (which must not exist): two segments (a first of 130 short
 * bulletins, so that common terms span several postings blocks and stored
 * documents several blocks, and a second of a few articles with names,
 * titles and dates), one document of the first deleted, entities on. */
void gzt_fuzzkit_build_index(const char *dir);

#endif
