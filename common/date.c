/* SPDX-License-Identifier: MIT */
/*
 * date.c: calendar dates as YYYYMMDD integers (gzt_date), which sort and
 * compare like the dates they name and read well in files and tests. Three
 * jobs: arithmetic (days are counted with Howard Hinnant's days_from_civil
 * algorithm, exact for the proleptic Gregorian calendar without tables),
 * parsing the date expressions of the query language and of --since/--until
 * into inclusive ranges, and sniffing a publication date at the start of an
 * article whose source gives none.
 *
 * Relative expressions count back from "today" as a calendar does: "1m" on
 * 31 March starts on 28 (or 29) February, clamping the day rather than
 * spilling into March. In a range "A..B" a relative end names its point in
 * time, so "30d..7d" runs from 30 days ago to 7 days ago.
 *
 * Sniffing reads at most the first SNIFF_WINDOW bytes, all of them through
 * bounds-checked helpers, and only ASCII: <ctype.h> would make the result
 * depend on the locale. It knows two shapes seen in real archives: a
 * "date YYYY-MM-DD" line that a scraper put before the body (dropped from
 * the text, hence *skip), and a dateline ("Moscow, 30 March 2023 (TDI):",
 * "WASHINGTON, March 7, 2025 (Reuters) -"), which is part of the article
 * and stays. Anything that is not a real calendar date is not a date.
 */
#include "common/date.h"

#include <time.h>

#define DATE_MIN 10101    /* 0001-01-01 */
#define DATE_MAX 99991231 /* 9999-12-31 */
#define SNIFF_WINDOW 200  /* bytes of an article searched for its date */
/* More days than the calendar spans, so clamping first keeps the day
 * arithmetic far from overflow. */
#define DAYS_SPAN 4000000

/* ---- calendar ---------------------------------------------------------- */

static bool
is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(int y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

static gzt_date
make_date(int y, int m, int d)
{
    return (gzt_date)(y * 10000 + m * 100 + d);
}

bool
gzt_date_valid(gzt_date d)
{
    if (d < DATE_MIN || d > DATE_MAX)
        return false;
    int y = d / 10000, m = d / 100 % 100, day = d % 100;
    return m >= 1 && m <= 12 && day >= 1 && day <= days_in_month(y, m);
}

/* Days since 1970-01-01 of a valid date (Hinnant's days_from_civil: years
 * counted from March so that the leap day falls at the end). */
static int64_t
to_days(gzt_date date)
{
    int64_t y = date / 10000;
    unsigned m = (unsigned)(date / 100 % 100), d = (unsigned)(date % 100);
    y -= m <= 2;
    int64_t era = y / 400; /* y >= 0 for years 1..9999 */
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* The inverse of to_days() for days within years 1..9999. */
static gzt_date
from_days(int64_t z)
{
    z += 719468;
    int64_t era = z / 146097; /* z >= 0 from year 1 on */
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;
    int64_t y = (int64_t)yoe + era * 400 + (m <= 2);
    return make_date((int)y, (int)m, (int)d);
}

gzt_date
gzt_date_today(void)
{
    time_t t = time(NULL);
    struct tm tm;
    if (t == (time_t)-1 || !gmtime_r(&t, &tm))
        return 0;
    return make_date(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

void
gzt_date_format(gzt_date d, char out[11])
{
    /* out-of-range input still fills exactly 10 digits and dashes */
    unsigned v = d < 0 ? 0 : (unsigned)d;
    unsigned y = v / 10000 % 10000, m = v / 100 % 100, day = v % 100;
    out[0] = (char)('0' + y / 1000);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + day / 10);
    out[9] = (char)('0' + day % 10);
    out[10] = '\0';
}

/* An invalid @p d (such as 0, "no date") gives 0; results are clamped to
 * years 1..9999. */
gzt_date
gzt_date_add_days(gzt_date d, int64_t days)
{
    if (!gzt_date_valid(d))
        return 0;
    days = GZT_MAX(GZT_MIN(days, DAYS_SPAN), -DAYS_SPAN);
    int64_t z = to_days(d) + days;
    z = GZT_MAX(GZT_MIN(z, to_days(DATE_MAX)), to_days(DATE_MIN));
    return from_days(z);
}

/* @p d moved back @p months calendar months, the day clamped to the end of
 * the month reached; year 1 at the earliest. */
static gzt_date
months_back(gzt_date d, int64_t months)
{
    int64_t index = (int64_t)(d / 10000) * 12 + d / 100 % 100 - 1 - months;
    if (index < 12)
        return DATE_MIN;
    int y = (int)(index / 12), m = (int)(index % 12) + 1;
    return make_date(y, m, GZT_MIN(d % 100, days_in_month(y, m)));
}

/* ---- ASCII helpers ----------------------------------------------------- */

static bool
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool
is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char
lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

/* @p n bytes at @p s equal lower-case @p word, ignoring case */
static bool
word_eq(const char *s, size_t n, const char *word)
{
    size_t i = 0;
    for (; i < n && word[i]; i++)
        if (lower(s[i]) != word[i])
            return false;
    return i == n && !word[i];
}

/* @p n bytes at @p s equal the start of lower-case @p word, ignoring case */
static bool
prefix_eq(const char *s, size_t n, const char *word)
{
    for (size_t i = 0; i < n; i++)
        if (!word[i] || lower(s[i]) != word[i])
            return false;
    return true;
}

/* The value of the digits s[*i..] when there are between @p min and @p max
 * of them (and no more); advances *i past them. */
static bool
take_digits(const char *s, size_t len, size_t *i, size_t min, size_t max,
            int *value)
{
    size_t j = *i;
    int v = 0;
    while (j < len && is_digit(s[j])) {
        if (j - *i == max)
            return false;
        v = v * 10 + (s[j] - '0');
        j++;
    }
    if (j - *i < min)
        return false;
    *i = j;
    *value = v;
    return true;
}

/* ---- parsing ----------------------------------------------------------- */

static void
trim(const char **s, size_t *len)
{
    while (*len && is_space(**s)) {
        (*s)++;
        (*len)--;
    }
    while (*len && is_space((*s)[*len - 1]))
        (*len)--;
}

/* today as given, or from the clock when 0 */
static int
resolve_today(gzt_date *today)
{
    if (*today == 0)
        *today = gzt_date_today();
    return gzt_date_valid(*today) ? GZT_OK : GZT_EINVAL;
}

/* The last day of year @p y, or of month @p m of it when m > 0. */
static gzt_date
period_end(int y, int m)
{
    return m ? make_date(y, m, days_in_month(y, m)) : make_date(y, 12, 31);
}

/*
 * gzt_date_parse(), also telling whether the expression was relative to
 * today, in which case a range's upper end means *from, the point in time,
 * not today.
 */
static int
parse_one(const char *s, size_t len, gzt_date today, gzt_date *from,
          gzt_date *to, bool *relative)
{
    trim(&s, &len);
    *relative = false;
    if (len == 0)
        return GZT_EINVAL;
    if (word_eq(s, len, "today") || word_eq(s, len, "yesterday")) {
        if (resolve_today(&today))
            return GZT_EINVAL;
        *from = *to = len == 5 ? today : gzt_date_add_days(today, -1);
        *relative = true;
        return GZT_OK;
    }

    size_t i = 0;
    int y, m = 0, d = 0;
    if (!take_digits(s, len, &i, 1, 8, &y))
        return GZT_EINVAL;
    if (i == len && len == 8) { /* YYYYMMDD */
        gzt_date date = y;
        if (!gzt_date_valid(date))
            return GZT_EINVAL;
        *from = *to = date;
        return GZT_OK;
    }
    char unit = i + 1 == len && i <= 7 ? lower(s[i]) : 0;
    if (unit == 'd' || unit == 'w' || unit == 'm' || unit == 'y') {
        if (resolve_today(&today))
            return GZT_EINVAL;
        int64_t n = y;
        switch (unit) {
        case 'd':
            *from = gzt_date_add_days(today, -n);
            break;
        case 'w':
            *from = gzt_date_add_days(today, -7 * n);
            break;
        case 'm':
            *from = months_back(today, n);
            break;
        default:
            *from = months_back(today, 12 * n);
            break;
        }
        *to = today;
        *relative = true;
        return GZT_OK;
    }
    /* YYYY, YYYY-MM, YYYY-MM-DD (month and day of one or two digits) */
    if (i != 4 || y < 1)
        return GZT_EINVAL;
    if (i < len) {
        if (s[i++] != '-' || !take_digits(s, len, &i, 1, 2, &m) || m < 1 ||
            m > 12)
            return GZT_EINVAL;
        if (i < len && (s[i++] != '-' || !take_digits(s, len, &i, 1, 2, &d) ||
                        !gzt_date_valid(make_date(y, m, d))))
            return GZT_EINVAL;
        if (i != len)
            return GZT_EINVAL;
    }
    *from = make_date(y, m ? m : 1, d ? d : 1);
    *to = d ? *from : period_end(y, m);
    return GZT_OK;
}

int
gzt_date_parse(const char *s, size_t len, gzt_date today, gzt_date *from,
               gzt_date *to)
{
    bool relative;
    return parse_one(s, len, today, from, to, &relative);
}

int
gzt_date_parse_range(const char *s, size_t len, gzt_date today, gzt_date *from,
                     gzt_date *to)
{
    size_t k = 0;
    while (k + 1 < len && !(s[k] == '.' && s[k + 1] == '.'))
        k++;
    if (k + 1 >= len)
        return gzt_date_parse(s, len, today, from, to);

    const char *a = s, *b = s + k + 2;
    size_t alen = k, blen = len - k - 2;
    trim(&a, &alen);
    trim(&b, &blen);
    if (alen == 0 && blen == 0)
        return GZT_EINVAL;
    gzt_date lo = 0, hi = DATE_MAX, ignored;
    bool relative;
    int rc;
    if (alen && (rc = parse_one(a, alen, today, &lo, &ignored, &relative)))
        return rc;
    if (blen) {
        gzt_date bfrom, bto;
        if ((rc = parse_one(b, blen, today, &bfrom, &bto, &relative)))
            return rc;
        hi = relative ? bfrom : bto;
    }
    if (lo > hi)
        return GZT_EINVAL;
    *from = lo;
    *to = hi;
    return GZT_OK;
}

/* ---- sniffing ---------------------------------------------------------- */

/* Bytes of a space inside a dateline at s[i]: ASCII blank or a UTF-8
 * no-break space, which news sites put between "March" and "7". */
static size_t
blank_len(const char *s, size_t len, size_t i)
{
    if (i < len && (s[i] == ' ' || s[i] == '\t'))
        return 1;
    if (i + 1 < len && s[i] == '\xc2' && s[i + 1] == '\xa0')
        return 2;
    return 0;
}

/* skip blanks from i; false when there were none */
static bool
take_blanks(const char *s, size_t len, size_t *i)
{
    size_t start = *i, n;
    while ((n = blank_len(s, len, *i)))
        *i += n;
    return *i > start;
}

/* The month named by the word at s[*i..] (full English name or its first
 * three letters, and "Sept", any case, an optional full stop after an
 * abbreviation); advances *i past it. */
static bool
take_month(const char *s, size_t len, size_t *i, int *month)
{
    static const char *const names[12] = {
        "january", "february", "march",     "april",   "may",      "june",
        "july",    "august",   "september", "october", "november", "december",
    };
    size_t j = *i;
    while (j < len && is_alpha(s[j]))
        j++;
    size_t n = j - *i;
    for (int m = 0; m < 12; m++) {
        bool full = word_eq(s + *i, n, names[m]);
        bool abbr = (n == 3 && prefix_eq(s + *i, 3, names[m])) ||
                    (m == 8 && word_eq(s + *i, n, "sept"));
        if (full || abbr) {
            if (abbr && !full && j < len && s[j] == '.')
                j++;
            *i = j;
            *month = m + 1;
            return true;
        }
    }
    return false;
}

/* A day of the month: one or two digits, then perhaps "st", "nd", "rd" or
 * "th" (not followed by another letter). */
static bool
take_day(const char *s, size_t len, size_t *i, int *day)
{
    if (!take_digits(s, len, i, 1, 2, day))
        return false;
    if (*i + 1 < len && !(*i + 2 < len && is_alpha(s[*i + 2]))) {
        static const char *const ord[] = {"st", "nd", "rd", "th"};
        for (size_t k = 0; k < 4; k++) {
            if (word_eq(s + *i, 2, ord[k])) {
                *i += 2;
                break;
            }
        }
    }
    return true;
}

/* a four-digit year not followed by another digit */
static bool
take_year(const char *s, size_t len, size_t *i, int *year)
{
    return take_digits(s, len, i, 4, 4, year);
}

/*
 * A date starting exactly at s[p], in one of the forms "2025-03-07",
 * "7 March 2025" / "7 Mar. 2025" / "7th March, 2025", "March 7, 2025" /
 * "Mar 7 2025"; the byte before p must not be a letter or digit. On success
 * *end is one past the date.
 */
static bool
match_date(const char *s, size_t len, size_t p, gzt_date *date, size_t *end)
{
    if (p >= len || (p > 0 && (is_alpha(s[p - 1]) || is_digit(s[p - 1]))))
        return false;
    size_t i = p;
    int y, m, d;
    if (is_digit(s[p])) {
        if (take_digits(s, len, &i, 4, 4, &y)) {
            if (!(i < len && s[i++] == '-' &&
                  take_digits(s, len, &i, 2, 2, &m) && i < len &&
                  s[i++] == '-' && take_digits(s, len, &i, 2, 2, &d)))
                return false;
        } else if (!(take_day(s, len, &i, &d) && take_blanks(s, len, &i) &&
                     take_month(s, len, &i, &m))) {
            return false;
        } else {
            if (i < len && s[i] == ',')
                i++;
            if (!take_blanks(s, len, &i) || !take_year(s, len, &i, &y))
                return false;
        }
    } else {
        if (!take_month(s, len, &i, &m) || !take_blanks(s, len, &i) ||
            !take_day(s, len, &i, &d))
            return false;
        bool comma = i < len && s[i] == ',';
        i += comma;
        if (!take_blanks(s, len, &i) && !comma)
            return false;
        if (!take_year(s, len, &i, &y))
            return false;
    }
    if (m < 1 || m > 12 || !gzt_date_valid(make_date(y, m, d)))
        return false;
    *date = make_date(y, m, d);
    *end = i;
    return true;
}

void
gzt_date_sniff(const char *text, size_t len, gzt_date *date, size_t *skip)
{
    *date = 0;
    *skip = 0;
    if (!text)
        return;
    size_t win = GZT_MIN(len, (size_t)SNIFF_WINDOW), i = 0, end;
    while (i < win && is_space(text[i]))
        i++;

    /* "date 2025-03-07": a scraper's line, not the article's */
    if (win - i > 4 && word_eq(text + i, 4, "date") && !is_alpha(text[i + 4])) {
        size_t j = i + 4;
        if (text[j] == ':')
            j++;
        size_t k = j;
        while (k < win && is_space(text[k]))
            k++;
        if (k > i + 4 && match_date(text, win, k, date, &end)) {
            while (end < len && is_space(text[end]))
                end++;
            *skip = end;
            return;
        }
    }

    /* a dateline: the first date in the window */
    for (size_t p = i; p < win; p++)
        if (match_date(text, win, p, date, &end))
            return;
}
