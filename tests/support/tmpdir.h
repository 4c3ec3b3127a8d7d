/* SPDX-License-Identifier: MIT */
/*
 * tmpdir.h: temporary directories for tests (cmocka assertions on
 * failure).
 */
#ifndef GZT_TEST_TMPDIR_H
#define GZT_TEST_TMPDIR_H

/* Create /tmp/gzt-@p what-XXXXXX into @p out (64 bytes). */
void gzt_test_tmpdir_new(char out[64], const char *what);
/* Remove @p dir and everything under it. */
void gzt_test_tmpdir_remove(const char *dir);

#endif
