/* SPDX-License-Identifier: MIT */
/*
 * tmpdir.h: temporary directories and the shared data for tests (cmocka
 * assertions on failure).
 */
#ifndef GZT_TEST_TMPDIR_H
#define GZT_TEST_TMPDIR_H

#include <stddef.h>

/* Create /tmp/gzt-@p what-XXXXXX into @p out (64 bytes). */
void gzt_test_tmpdir_new(char out[64], const char *what);
/* Remove @p dir and everything under it. */
void gzt_test_tmpdir_remove(const char *dir);

/* The path of @p rel (e.g. "reuters21578/reuters21578.jsonl.zst") under
 * $GZT_SHARED/data (default /work/shared/data) into @p out; when it is
 * missing, a failure under CI=true, else a printed reason and skip(). */
void gzt_test_shared_data(char *out, size_t cap, const char *rel);

#endif
