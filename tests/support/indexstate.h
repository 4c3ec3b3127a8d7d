/* SPDX-License-Identifier: MIT */
/*
 * indexstate.h: what an index answers and holds, as text two states can be
 * compared by, and whole-directory copies: for the tests that damage, fail
 * or kill a job and then demand the index be exactly as before or after
 * it (cmocka assertions on failure).
 */
#ifndef GZT_TEST_INDEXSTATE_H
#define GZT_TEST_INDEXSTATE_H

#include <stddef.h>

/* Everything the index at @p dir answers to @p queries (counts, top-10 ids
 * and scores), its document count and the stored body of document @p id
 * (may be NULL), as text (free()); "absent" when there is no index. */
char *gzt_test_answers(const char *dir, const char *const *queries,
                       size_t nqueries, const char *id);
/* The sorted file names in @p dir, LOCK left out, one per line (free()). */
char *gzt_test_listing(const char *dir);
/* gzt_index_check() must pass. */
void gzt_test_check_ok(const char *dir);
/* cp -a @p from @p to, replacing @p to. */
void gzt_test_copy_tree(const char *from, const char *to);
/* rm -rf @p path */
void gzt_test_remove_tree(const char *path);

#endif
