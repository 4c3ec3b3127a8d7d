/* SPDX-License-Identifier: MIT */
/*
 * replay.c: the main() of a fuzz target built without libFuzzer (gcc, or
 * clang without GAZETTE_FUZZ): runs LLVMFuzzerTestOneInput() once on every
 * file named on the command line, and on every file of every directory
 * named (not recursively, in name order, dot files left out). This is how
 * the committed corpora replay as ordinary CTest tests, under the
 * sanitizers too, and how a crash artefact is reproduced under a debugger:
 *
 *     build/tests/fuzz/replay_query tests/fuzz/corpus/query crash-1234
 *
 * A crash or a failed check aborts with the input's name printed first;
 * the exit status is 0 when every input ran, 2 for a usage or I/O error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/fuzz/fuzzkit.h"

/* libFuzzer's optional initialiser: a target may define it */
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Run the target on the file @p path; false when it cannot be read. */
static bool
run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return false;
    }
    gzt_buf b = GZT_BUF_INIT;
    uint8_t chunk[65536];
    size_t n;
    bool ok = true;
    while (ok && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        ok = gzt_buf_append(&b, chunk, n) == GZT_OK;
    if (!ok || ferror(f)) {
        fprintf(stderr, "replay: %s: cannot read it\n", path);
        ok = false;
    }
    fclose(f);
    if (ok) {
        /* libFuzzer hands over a copy of exactly the input's size: so do
         * we, so that a read past its end is caught here too */
        uint8_t *copy = gzt_malloc(b.len ? b.len : 1);
        if (!copy) {
            fprintf(stderr, "replay: %s: out of memory\n", path);
            ok = false;
        } else {
            if (b.len)
                memcpy(copy, b.p, b.len);
            fprintf(stderr, "replay: %s (%zu bytes)\n", path, b.len);
            (void)LLVMFuzzerTestOneInput(copy, b.len);
            gzt_free(copy);
        }
    }
    gzt_buf_free(&b);
    return ok;
}

int
main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
        return 2;
    }
    if (LLVMFuzzerInitialize)
        (void)LLVMFuzzerInitialize(&argc, &argv);
    size_t runs = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
            return 2;
        }
        if (!S_ISDIR(st.st_mode)) {
            if (!run_file(argv[i]))
                return 2;
            runs++;
            continue;
        }
        size_t n;
        char **names = gzt_fuzzkit_list(argv[i], &n);
        for (size_t k = 0; k < n; k++) {
            size_t len = strlen(argv[i]) + strlen(names[k]) + 2;
            char *path = gzt_malloc(len);
            if (!path)
                return 2;
            snprintf(path, len, "%s/%s", argv[i], names[k]);
            bool ok = run_file(path);
            gzt_free(path);
            if (!ok) {
                gzt_fuzzkit_list_free(names, n);
                return 2;
            }
            runs++;
        }
        gzt_fuzzkit_list_free(names, n);
    }
    fprintf(stderr, "replay: %zu inputs ran\n", runs);
    return 0;
}
