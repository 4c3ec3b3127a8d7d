/* SPDX-License-Identifier: MIT */
/*
 * jsonl.c: JSON Lines output (see jsonl.h).
 *
 * jansson refuses strings that are not valid UTF-8, and ids come from file
 * names, which need not be; such a string is repaired (U+FFFD for each bad
 * byte) rather than dropped. Numbers print with 10 significant digits, so
 * a score reads 8.4213 rather than 8.4213000000000004.
 */
#include "jsonl.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "output.h"

json_t *
jsonl_string(const char *s, size_t len)
{
    json_t *j = json_stringn(s, len);
    char *fixed;
    size_t out = 0;

    if (j || len > (SIZE_MAX - 1) / 3)
        return j;
    fixed = malloc(len * 3 + 1); /* each bad byte grows to 3 */
    if (!fixed)
        return NULL;
    for (size_t i = 0; i < len;) {
        int32_t cp;
        size_t n = output_utf8_next(s + i, len - i, &cp);
        if (cp < 0) {
            memcpy(fixed + out, "\xEF\xBF\xBD", 3);
            out += 3;
        } else {
            memcpy(fixed + out, s + i, n);
            out += n;
        }
        i += n;
    }
    j = json_stringn(fixed, out);
    free(fixed);
    return j;
}

json_t *
jsonl_optional(const char *s, size_t len)
{
    return s && len ? jsonl_string(s, len) : json_null();
}

json_t *
jsonl_date(gzt_date d)
{
    char buf[11];

    output_date(buf, d);
    return buf[0] ? json_string(buf) : json_null();
}

json_t *
jsonl_uint(uint64_t n)
{
    return json_integer(n > LLONG_MAX ? LLONG_MAX : (json_int_t)n);
}

json_t *
jsonl_real(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

json_t *
jsonl_object(const char *type)
{
    json_t *obj = json_object();
    bool ok = obj != NULL;

    if (ok && type)
        ok &= jsonl_set(obj, "type", json_string(type));
    if (ok)
        ok &= jsonl_set(obj, "version", json_integer(JSONL_VERSION));
    if (!ok) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

bool
jsonl_set(json_t *obj, const char *key, json_t *value)
{
    if (!obj || !value) {
        json_decref(value);
        return false;
    }
    return json_object_set_new(obj, key, value) == 0;
}

int
jsonl_emit(json_t *obj, bool ok)
{
    int rc;

    if (!obj || !ok) {
        json_decref(obj);
        output_error("out of memory");
        return EXIT_TROUBLE;
    }
    rc = json_dumpf(obj, stdout, JSON_COMPACT | JSON_REAL_PRECISION(10));
    json_decref(obj);
    if (rc != 0 || fputc('\n', stdout) == EOF)
        return output_finish(EXIT_TROUBLE); /* says why writing failed */
    return EXIT_FOUND;
}
