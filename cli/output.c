/* SPDX-License-Identifier: MIT */
/*
 * output.c: messages, colour, terminal geometry and human-readable numbers
 * for every subcommand (see output.h).
 *
 * Documents are untrusted: an article can hold an escape sequence that
 * retitles the terminal or hides text. Everything from the index that goes
 * to a terminal passes through output_text(), which turns control
 * characters and invalid UTF-8 into U+FFFD. Column widths are counted in
 * code points with a small table of wide and zero-width ranges, so the CLI
 * needs no locale and gives the same layout everywhere.
 */
#define _XOPEN_SOURCE 700 /* nftw() */
#include "output.h"

#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

void
output_error(const char *fmt, ...)
{
    va_list ap;

    fputs("gazette: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void
output_warning(const char *fmt, ...)
{
    va_list ap;

    fputs("gazette: warning: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int
output_lib_error(int code, const gzt_error *err)
{
    const char *msg = err && err->msg[0] ? err->msg : gzt_strerror(code);

    output_error("%s", msg);
    return EXIT_TROUBLE;
}

void
output_err_clear(gzt_error *err)
{
    /* the library keeps the first message it is given, so start empty */
    memset(err, 0, sizeof *err);
}

bool
output_use_color(const char *when)
{
    const char *term = getenv("TERM");
    const char *no_color = getenv("NO_COLOR");

    if (when && !strcmp(when, "always"))
        return true;
    if (when && !strcmp(when, "never"))
        return false;
    if (!isatty(STDOUT_FILENO))
        return false;
    if (term && !strcmp(term, "dumb"))
        return false;
    return !(no_color && *no_color);
}

size_t
output_term_width(int fd)
{
    struct winsize ws;

    if (!isatty(fd) || ioctl(fd, TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0)
        return 0;
    return ws.ws_col;
}

void
output_sgr(FILE *f, bool on, const char *sgr)
{
    if (on && sgr)
        fprintf(f, "\033[%sm", sgr);
}

void
output_sgr_reset(FILE *f, bool on)
{
    if (on)
        fputs("\033[0m", f);
}

size_t
output_utf8_next(const char *s, size_t len, int32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n;
    int32_t c, min;

    if (u[0] < 0x80) {
        *cp = u[0];
        return 1;
    }
    if (u[0] >= 0xC2 && u[0] <= 0xDF)
        n = 2, c = u[0] & 0x1F, min = 0x80;
    else if (u[0] >= 0xE0 && u[0] <= 0xEF)
        n = 3, c = u[0] & 0x0F, min = 0x800;
    else if (u[0] >= 0xF0 && u[0] <= 0xF4)
        n = 4, c = u[0] & 0x07, min = 0x10000;
    else
        goto invalid;
    if (n > len)
        goto invalid;
    for (size_t i = 1; i < n; i++) {
        if ((u[i] & 0xC0) != 0x80)
            goto invalid;
        c = (c << 6) | (u[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        goto invalid;
    *cp = c;
    return n;
invalid:
    *cp = -1;
    return 1;
}

/* Ranges of code points by terminal width; not all of Unicode, but the
 * combining marks of the scripts news comes in and the wide CJK blocks. */
typedef struct cp_range {
    int32_t lo; /* first code point */
    int32_t hi; /* last code point */
} cp_range;

static const cp_range zero_width[] = {
    {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x0610, 0x061A},
    {0x064B, 0x065F}, {0x0670, 0x0670}, {0x06D6, 0x06DC}, {0x06DF, 0x06E4},
    {0x06E7, 0x06E8}, {0x06EA, 0x06ED}, {0x0900, 0x0902}, {0x093C, 0x093C},
    {0x0941, 0x0948}, {0x094D, 0x094D}, {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF},
    {0x200B, 0x200F}, {0x202A, 0x202E}, {0x2060, 0x2064}, {0x20D0, 0x20FF},
    {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F}, {0xFEFF, 0xFEFF},
};

static const cp_range double_width[] = {
    {0x1100, 0x115F},   {0x2E80, 0x303E},   {0x3041, 0x33FF},
    {0x3400, 0x4DBF},   {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},
    {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},   {0xFE30, 0xFE4F},
    {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},   {0x1F300, 0x1F64F},
    {0x1F900, 0x1F9FF}, {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD},
};

static bool
in_ranges(int32_t cp, const cp_range *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (cp >= r[i].lo && cp <= r[i].hi)
            return true;
    return false;
}

size_t
output_cp_width(int32_t cp)
{
    if (cp < 0x300)
        return 1;
    if (in_ranges(cp, zero_width, sizeof zero_width / sizeof zero_width[0]))
        return 0;
    if (in_ranges(cp, double_width,
                  sizeof double_width / sizeof double_width[0]))
        return 2;
    return 1;
}

size_t
output_text_width(const char *s, size_t len)
{
    size_t w = 0;

    for (size_t i = 0; i < len;) {
        int32_t cp;
        i += output_utf8_next(s + i, len - i, &cp);
        w += cp < 0 ? 1 : output_cp_width(cp);
    }
    return w;
}

void
output_text(FILE *f, const char *s, size_t len)
{
    static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */

    for (size_t i = 0; i < len;) {
        int32_t cp;
        size_t n = output_utf8_next(s + i, len - i, &cp);
        if (cp == '\n' || cp == '\t')
            fputc((int)cp, f);
        else if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
            fputs(replacement, f); /* also invalid bytes (cp == -1) */
        else
            fwrite(s + i, 1, n, f);
        i += n;
    }
}

int
output_finish(int status)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        output_error("cannot write the output: %s", strerror(errno));
        return EXIT_TROUBLE;
    }
    return status;
}

void
output_count(char *buf, size_t cap, uint64_t n)
{
    char digits[32];
    int len = snprintf(digits, sizeof digits, "%llu", (unsigned long long)n);
    size_t out = 0;

    for (int i = 0; i < len && out + 2 < cap; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            buf[out++] = ',';
        buf[out++] = digits[i];
    }
    buf[out] = '\0';
}

void
output_bytes(char *buf, size_t cap, uint64_t n)
{
    static const char *const units[] = {"KB", "MB", "GB", "TB", "PB", "EB"};
    double v = (double)n;
    size_t u = 0;

    if (n < 1000) {
        snprintf(buf, cap, "%llu B", (unsigned long long)n);
        return;
    }
    v /= 1000;
    while (v >= 999.95 && u + 1 < sizeof units / sizeof units[0]) {
        v /= 1000;
        u++;
    }
    snprintf(buf, cap, "%.1f %s", v, units[u]);
}

void
output_date(char buf[11], gzt_date d)
{
    if (d <= 0 || d > 99991231) {
        buf[0] = '\0';
        return;
    }
    snprintf(buf, 11, "%04d-%02d-%02d", (int)(d / 10000), (int)(d / 100 % 100),
             (int)(d % 100));
}

void
output_micros(char *buf, size_t cap, double micros)
{
    if (micros < 1e6)
        snprintf(buf, cap, "%.2f ms", micros / 1e3);
    else
        snprintf(buf, cap, "%.2f s", micros / 1e6);
}

void
output_clock(char *buf, size_t cap, double seconds)
{
    unsigned long s = seconds > 0 && seconds < 1e9 ? (unsigned long)seconds : 0;

    if (s >= 3600)
        snprintf(buf, cap, "%lu:%02lu:%02lu", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(buf, cap, "%lu:%02lu", s / 60, s % 60);
}

const char *
output_plural(uint64_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

double
output_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
remove_one(const char *path, const struct stat *st, int type, struct FTW *f)
{
    (void)st;
    (void)type;
    (void)f;
    return remove(path);
}

static uint64_t tree_bytes; /* nftw() takes no context */

static int
add_bytes(const char *path, const struct stat *st, int flag, struct FTW *f)
{
    (void)path;
    (void)f;
    if (flag == FTW_F)
        tree_bytes += (uint64_t)st->st_size;
    return 0;
}

uint64_t
output_tree_bytes(const char *path)
{
    tree_bytes = 0;
    if (nftw(path, add_bytes, 16, FTW_PHYS) != 0)
        return 0;
    return tree_bytes;
}

void
output_remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) == 0 &&
        nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
        output_warning("could not remove %s", path);
}
