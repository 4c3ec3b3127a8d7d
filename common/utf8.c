/* SPDX-License-Identifier: MIT */
/*
 * utf8.c: validation and repair of the UTF-8 that arrives from sources and
 * queries (see utf8.h).
 *
 * Every byte of text that gazette indexes passes through here once, so the
 * common case (long runs of ASCII, then well-formed multi-byte sequences) is
 * made cheap: eight bytes at a time are tested for a high bit (and, when
 * repairing, for a NUL), and clean runs are copied with one memcpy. Anything
 * else is checked against Table 3-7 of the Unicode Standard, which rules out
 * overlongs, surrogates and code points past U+10FFFF by the range allowed
 * for the second byte. An ill-formed sequence is replaced by one U+FFFD per
 * "maximal subpart" (Unicode ch. 3, U+FFFD substitution): the longest prefix
 * of a well-formed sequence, or one byte when none. This is the W3C/WHATWG
 * behaviour, so offsets line up with what browsers show.
 *
 * Hand-written because utf8proc stops at the first error instead of
 * repairing, and iconv's //IGNORE drops bytes silently without counting.
 */
#include "common/utf8.h"

#define HIGH_BITS 0x8080808080808080ULL
#define LOW_BITS 0x0101010101010101ULL

static const uint8_t replacement[3] = {0xEF, 0xBF, 0xBD};

/* The next eight bytes as one word; memcpy keeps unaligned loads legal. */
static inline uint64_t
load8(const uint8_t *p)
{
    uint64_t w;
    memcpy(&w, p, sizeof w);
    return w;
}

/*
 * Length of the sequence starting at lead byte p[0] (>= 0x80) with @p avail
 * bytes available. On success *ok is true and the whole sequence's length is
 * returned; otherwise the length of its maximal subpart (at least 1), which
 * is what one U+FFFD replaces.
 */
static size_t
scan_seq(const uint8_t *p, size_t avail, bool *ok)
{
    uint8_t c = p[0];
    uint8_t lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    size_t need;

    *ok = false;
    if (c < 0xC2) /* continuation byte, or overlong 2-byte lead C0/C1 */
        return 1;
    if (c < 0xE0) {
        need = 2;
    } else if (c < 0xF0) {
        need = 3;
        if (c == 0xE0)
            lo = 0xA0; /* below: overlong */
        else if (c == 0xED)
            hi = 0x9F; /* above: surrogates D800..DFFF */
    } else if (c < 0xF5) {
        need = 4;
        if (c == 0xF0)
            lo = 0x90; /* below: overlong */
        else if (c == 0xF4)
            hi = 0x8F; /* above: past U+10FFFF */
    } else {
        return 1;
    }
    if (avail < 2 || p[1] < lo || p[1] > hi)
        return 1;
    for (size_t i = 2; i < need; i++)
        if (i >= avail || (p[i] & 0xC0) != 0x80)
            return i;
    *ok = true;
    return need;
}

bool
gzt_utf8_valid(const char *s, size_t len)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t i = 0;

    while (i < len) {
        if (len - i >= 8 && (load8(p + i) & HIGH_BITS) == 0) {
            i += 8;
            continue;
        }
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        bool ok;
        size_t n = scan_seq(p + i, len - i, &ok);
        if (!ok)
            return false;
        i += n;
    }
    return true;
}

int
gzt_utf8_repair(gzt_buf *out, const char *s, size_t len, uint64_t *nrepaired)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t i = 0, run = 0; /* run: start of the bytes not yet copied */
    uint64_t repaired = 0;
    int rc;

    /* One reservation covers all well-formed input; only repairs (which
     * may grow one byte into three) can make the buffer grow again. */
    if ((rc = gzt_buf_reserve(out, len)) != GZT_OK)
        return rc;
    while (i < len) {
        if (len - i >= 8) {
            uint64_t w = load8(p + i);
            uint64_t zero = (w - LOW_BITS) & ~w & HIGH_BITS;
            if (((w & HIGH_BITS) | zero) == 0) {
                i += 8;
                continue;
            }
        }
        if (p[i] != 0 && p[i] < 0x80) {
            i++;
            continue;
        }
        size_t n = 1;
        bool ok = false;
        if (p[i] != 0) {
            n = scan_seq(p + i, len - i, &ok);
            if (ok) {
                i += n;
                continue;
            }
        }
        if ((rc = gzt_buf_append(out, p + run, i - run)) != GZT_OK)
            return rc;
        if (p[i] == 0) {
            rc = gzt_buf_putc(out, ' ');
        } else {
            rc = gzt_buf_append(out, replacement, sizeof replacement);
            repaired++;
        }
        if (rc != GZT_OK)
            return rc;
        i += n;
        run = i;
    }
    if ((rc = gzt_buf_append(out, p + run, i - run)) != GZT_OK)
        return rc;
    if (nrepaired)
        *nrepaired += repaired;
    return GZT_OK;
}
