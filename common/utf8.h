/* SPDX-License-Identifier: MIT */
/*
 * utf8.h: validation and repair of UTF-8 from sources and queries.
 */
#ifndef GZT_UTF8_H
#define GZT_UTF8_H

#include "common/base.h"

/* true when @p len bytes at @p s are well-formed UTF-8 (no overlongs, no
 * surrogates, nothing past U+10FFFF). NUL bytes are valid. */
bool gzt_utf8_valid(const char *s, size_t len);

/* Append @p s to @p out with every ill-formed sequence replaced by U+FFFD
 * (the "maximal subpart" practice of Unicode ch. 3) and NUL bytes replaced by
 * spaces; *nrepaired (may be NULL) is increased by the replacements made.
 * GZT_OK or GZT_ENOMEM. */
GZT_NODISCARD int gzt_utf8_repair(gzt_buf *out, const char *s, size_t len,
                                  uint64_t *nrepaired);

#endif
