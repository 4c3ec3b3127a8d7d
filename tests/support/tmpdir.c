/* SPDX-License-Identifier: MIT */
/*
 * tmpdir.c: temporary directories for tests (see tmpdir.h).
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include "tests/support/tmpdir.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void
gzt_test_tmpdir_new(char out[64], const char *what)
{
    snprintf(out, 64, "/tmp/gzt-%s-XXXXXX", what);
    assert_non_null(mkdtemp(out));
}

static int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(p);
}

void
gzt_test_tmpdir_remove(const char *dir)
{
    assert_int_equal(nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}

void
gzt_test_shared_data(char *out, size_t cap, const char *rel)
{
    const char *shared = getenv("GZT_SHARED");
    snprintf(out, cap, "%s/data/%s",
             shared && *shared ? shared : "/work/shared", rel);
    if (access(out, R_OK) == 0)
        return;
    const char *ci = getenv("CI");
    if (ci && strcmp(ci, "true") == 0)
        fail_msg("CI=true but %s is missing", out);
    print_message("SKIP: %s not found (set GZT_SHARED)\n", out);
    skip();
}
