/* SPDX-License-Identifier: MIT */
/*
 * date.h: calendar dates as YYYYMMDD integers (gzt_date), parsing of the
 * date forms of the query language and of --since/--until, and sniffing of
 * a publication date at the start of a news article.
 */
#ifndef GZT_DATE_H
#define GZT_DATE_H

#include "common/base.h"

/* true when @p d is a real calendar date (1..9999, month, day in month) */
bool gzt_date_valid(gzt_date d);
/* today's date in UTC from the clock */
gzt_date gzt_date_today(void);
/* @p d as "YYYY-MM-DD" into @p out (11 bytes) */
void gzt_date_format(gzt_date d, char out[11]);
/* @p d shifted by @p days (may be negative), clamped to years 1..9999;
 * 0 when @p d is not a valid date */
gzt_date gzt_date_add_days(gzt_date d, int64_t days);

/*
 * Parse one date expression into an inclusive range [*from, *to]:
 *   YYYY, YYYY-MM, YYYY-MM-DD (and YYYYMMDD) -> that year/month/day;
 *   Nd, Nw, Nm, Ny (N days/weeks/months/years) -> [today - N, today];
 *   "today", "yesterday".
 * GZT_EINVAL when it is none of these or not a real date.
 */
GZT_NODISCARD int gzt_date_parse(const char *s, size_t len, gzt_date today,
                                 gzt_date *from, gzt_date *to);

/*
 * Parse a range "A..B", "A..", "..B" or a single expression (see
 * gzt_date_parse) into an inclusive range; an open end is 0 for from and
 * 99991231 for to. A relative upper end is its point in time: "30d..7d"
 * ends 7 days before today. GZT_EINVAL also when A is after B.
 */
GZT_NODISCARD int gzt_date_parse_range(const char *s, size_t len,
                                       gzt_date today, gzt_date *from,
                                       gzt_date *to);

/*
 * Find the publication date at the start of an article's text: a first line
 * or prefix "date YYYY-MM-DD" (leading spaces allowed), or a dateline within
 * the first 200 bytes such as "Moscow, 30 March 2023 (TDI):",
 * "TEHRAN, March 7, 2025 -", "2025-03-07". *date receives the date (0 when
 * none); *skip receives the bytes of a "date ..." prefix to drop from the
 * body (0 for a dateline, which stays part of the text).
 */
void gzt_date_sniff(const char *text, size_t len, gzt_date *date, size_t *skip);

#endif
