/* SPDX-License-Identifier: MIT */
/*
 * manifest.c: reading and writing the manifest (see manifest.h).
 *
 * Text was chosen over binary because the manifest is small, read once per
 * open, and an operator looking at a damaged index can read it. Paths are
 * written last on their line and percent-encode '%', newline and carriage
 * return, so any path survives.
 */
#include "common/manifest.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/io.h"

void
gzt_manifest_fini(gzt_manifest *m)
{
    if (!m)
        return;
    for (uint32_t i = 0; i < m->nsources; i++) {
        gzt_free(m->sources[i].format);
        gzt_free(m->sources[i].path);
        gzt_free(m->sources[i].opts);
    }
    gzt_free(m->sources);
    gzt_free(m->ner_model);
    for (uint32_t i = 0; i < m->nlists; i++)
        gzt_free(m->lists[i]);
    gzt_free(m->lists);
    gzt_free(m->segs);
    memset(m, 0, sizeof *m);
}

static int
encode(gzt_buf *out, const char *s)
{
    int rc = GZT_OK;
    for (; *s && rc == GZT_OK; s++) {
        if (*s == '%' || *s == '\n' || *s == '\r' || *s == ' ')
            rc = gzt_buf_printf(out, "%%%02X", (unsigned char)*s);
        else
            rc = gzt_buf_putc(out, (uint8_t)*s);
    }
    return rc;
}

static char *
decode(const char *s, size_t len)
{
    char *d = gzt_malloc(len + 1);
    if (!d)
        return NULL;
    size_t j = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '%' && i + 2 < len) {
            char hex[3] = {s[i + 1], s[i + 2], 0};
            d[j++] = (char)strtol(hex, NULL, 16);
            i += 2;
        } else {
            d[j++] = s[i];
        }
    }
    d[j] = '\0';
    return d;
}

int
gzt_manifest_format(const gzt_manifest *m, gzt_buf *out)
{
    gzt_buf_reset(out);
    int rc =
        gzt_buf_printf(out,
                       "gazette-manifest %u\ngeneration %" PRIu64
                       "\nengine %s\nlanguage %s\nnext-segment %u\n",
                       m->format ? m->format : GZT_FORMAT_VERSION,
                       m->generation, m->engine, m->language, m->next_segment);
    if (rc == GZT_OK && m->shards)
        rc = gzt_buf_printf(out, "shards %u tag %" PRIu64 "\n", m->shards,
                            m->shard_tag);
    for (uint32_t i = 0; i < m->nsegs && rc == GZT_OK; i++) {
        const gzt_mseg *s = &m->segs[i];
        rc = gzt_buf_printf(
            out, "segment %u docs %u deleted %u tokens %" PRIu64 " del %s\n",
            s->id, s->ndocs, s->deleted, s->tokens, s->del[0] ? s->del : "-");
    }
    if (rc == GZT_OK)
        rc = gzt_buf_printf(out, "entities %s\n", m->entities ? "on" : "off");
    if (rc == GZT_OK && m->ner_model) {
        rc = gzt_buf_printf(out, "ner-model ");
        if (rc == GZT_OK)
            rc = encode(out, m->ner_model);
        if (rc == GZT_OK)
            rc = gzt_buf_putc(out, '\n');
    }
    for (uint32_t i = 0; i < m->nlists && rc == GZT_OK; i++) {
        rc = gzt_buf_printf(out, "entity-list ");
        if (rc == GZT_OK)
            rc = encode(out, m->lists[i]);
        if (rc == GZT_OK)
            rc = gzt_buf_putc(out, '\n');
    }
    for (uint32_t i = 0; i < m->nsources && rc == GZT_OK; i++) {
        const gzt_msource *s = &m->sources[i];
        rc = gzt_buf_printf(out, "source %s ", s->format);
        if (rc == GZT_OK)
            rc = encode(out, s->opts[0] ? s->opts : "-");
        if (rc == GZT_OK)
            rc = gzt_buf_putc(out, ' ');
        if (rc == GZT_OK)
            rc = encode(out, s->path);
        if (rc == GZT_OK)
            rc = gzt_buf_putc(out, '\n');
    }
    if (rc == GZT_OK)
        rc = gzt_buf_printf(out, "checksum %016" PRIx64 "\n",
                            gzt_hash64(out->p, out->len));
    return rc;
}

void
gzt_manifest_shard_name(const gzt_manifest *m, uint32_t k, char out[64])
{
    if (m->shard_tag)
        snprintf(out, 64, "shard-%u.g%" PRIu64, k, m->shard_tag);
    else
        snprintf(out, 64, "shard-%u", k);
}

int
gzt_manifest_write(const gzt_manifest *m, const char *dir, bool *replaced,
                   gzt_error *err)
{
    if (replaced)
        *replaced = false;
    gzt_buf b = GZT_BUF_INIT;
    int rc = gzt_manifest_format(m, &b);
    if (rc)
        rc = gzt_err_set(err, rc, "out of memory");
    else
        rc = gzt_io_write_atomic(dir, GZT_MANIFEST_NAME, b.p, b.len, replaced,
                                 err);
    gzt_buf_free(&b);
    return rc;
}

static int
bad(const char *path, uint32_t line, const char *why, gzt_error *err)
{
    return gzt_err_set(err, GZT_ECORRUPT, "%s: line %u: %s", path, line, why);
}

int
gzt_manifest_add_list(gzt_manifest *m, const char *path)
{
    for (uint32_t i = 0; i < m->nlists; i++)
        if (!strcmp(m->lists[i], path))
            return GZT_OK;
    char **nl = gzt_realloc(m->lists, (m->nlists + 1) * sizeof *nl);
    if (!nl)
        return GZT_ENOMEM;
    m->lists = nl;
    if (!(nl[m->nlists] = gzt_strdup(path)))
        return GZT_ENOMEM;
    m->nlists++;
    return GZT_OK;
}

int
gzt_manifest_add_source(gzt_manifest *m, const char *format, const char *path,
                        const char *opts)
{
    for (uint32_t i = 0; i < m->nsources; i++)
        if (!strcmp(m->sources[i].path, path) &&
            !strcmp(m->sources[i].format, format) &&
            !strcmp(m->sources[i].opts, opts))
            return GZT_OK;
    gzt_msource *ns = gzt_realloc(m->sources, (m->nsources + 1) * sizeof *ns);
    if (!ns)
        return GZT_ENOMEM;
    m->sources = ns;
    gzt_msource *s = &ns[m->nsources];
    s->format = gzt_strdup(format);
    s->path = gzt_strdup(path);
    s->opts = gzt_strdup(opts);
    if (!s->format || !s->path || !s->opts) {
        gzt_free(s->format);
        gzt_free(s->path);
        gzt_free(s->opts);
        return GZT_ENOMEM;
    }
    m->nsources++;
    return GZT_OK;
}

int
gzt_manifest_parse(gzt_manifest *m, const char *text, size_t len,
                   const char *path, gzt_error *err)
{
    memset(m, 0, sizeof *m);
    /* the last line is "checksum HEX" and covers everything before it */
    const char *ck = NULL;
    if (len >= 2 && text[len - 1] == '\n') {
        size_t i = len - 1;
        while (i > 0 && text[i - 1] != '\n')
            i--;
        /* text is not a C string: compare within it */
        if (len - i >= 9 && !memcmp(text + i, "checksum ", 9))
            ck = text + i;
    }
    if (!ck)
        return gzt_err_set(err, GZT_ECORRUPT,
                           "%s: no checksum line (truncated?)", path);
    /* strtoull() skips leading whitespace, the line's end included, and
     * would read on past the text: a hex digit first keeps it in the line */
    if (!isxdigit((unsigned char)ck[9]))
        return gzt_err_set(err, GZT_ECORRUPT, "%s: offset %zu: bad checksum",
                           path, (size_t)(ck - text));
    uint64_t want = strtoull(ck + 9, NULL, 16);
    if (gzt_hash64(text, (size_t)(ck - text)) != want)
        return gzt_err_set(err, GZT_ECORRUPT,
                           "%s: offset %zu: checksum "
                           "mismatch",
                           path, (size_t)(ck - text));
    uint32_t line = 0;
    const char *p = text, *end = ck;
    int rc = GZT_OK;
    bool header = false;
    while (p < end && rc == GZT_OK) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            nl = end;
        line++;
        char buf[1024];
        size_t n = (size_t)(nl - p);
        /* paths (source, entity-list, ner-model) have no such bound:
         * those lines are read from the text, not from buf */
        if (n >= sizeof buf && strncmp(p, "source ", 7) != 0 &&
            strncmp(p, "entity-list ", 12) != 0 &&
            strncmp(p, "ner-model ", 10) != 0) {
            rc = bad(path, line, "line too long", err);
            break;
        }
        size_t cn = GZT_MIN(n, sizeof buf - 1);
        memcpy(buf, p, cn);
        buf[cn] = '\0';
        unsigned long long u;
        if (line == 1) {
            unsigned v = 0;
            char extra;
            header = sscanf(buf, "gazette-manifest %u%c", &v, &extra) == 1 &&
                     v >= 1 && v <= GZT_FORMAT_VERSION;
            if (!header)
                rc = bad(path, line,
                         "not a gazette manifest of a version this gazette "
                         "reads",
                         err);
            m->format = v;
        } else if (sscanf(buf, "generation %llu", &u) == 1) {
            m->generation = u;
        } else if (sscanf(buf, "engine %15s", m->engine) == 1) {
        } else if (!strncmp(buf, "shards ", 7)) {
            unsigned sh;
            unsigned long long tag;
            char extra;
            if (sscanf(buf, "shards %u tag %llu%c", &sh, &tag, &extra) != 2 ||
                sh == 0 || sh > GZT_SHARDS_MAX) {
                rc = bad(path, line, "bad shards line", err);
                break;
            }
            m->shards = sh;
            m->shard_tag = tag;
        } else if (sscanf(buf, "language %31s", m->language) == 1) {
        } else if (sscanf(buf, "next-segment %llu", &u) == 1) {
            m->next_segment = (uint32_t)u;
        } else if (!strncmp(buf, "segment ", 8)) {
            gzt_mseg s = {0};
            char del[64];
            unsigned long long tokens;
            if (sscanf(buf,
                       "segment %u docs %u deleted %u tokens %llu del %63s",
                       &s.id, &s.ndocs, &s.deleted, &tokens, del) != 5 ||
                s.deleted > s.ndocs || s.id >= m->next_segment) {
                rc = bad(path, line, "bad segment line", err);
                break;
            }
            s.tokens = tokens;
            if (strcmp(del, "-") != 0)
                memcpy(s.del, del, sizeof s.del);
            gzt_mseg *ns = gzt_realloc(m->segs, (m->nsegs + 1) * sizeof *ns);
            if (!ns) {
                rc = gzt_err_set(err, GZT_ENOMEM, "out of memory");
                break;
            }
            m->segs = ns;
            ns[m->nsegs++] = s;
        } else if (!strcmp(buf, "entities on") ||
                   !strcmp(buf, "entities off")) {
            m->entities = buf[10] == 'n';
        } else if (!strncmp(p, "ner-model ", 10)) {
            gzt_free(m->ner_model);
            m->ner_model = decode(p + 10, (size_t)(nl - p - 10));
            if (!m->ner_model)
                rc = gzt_err_set(err, GZT_ENOMEM, "out of memory");
        } else if (!strncmp(p, "entity-list ", 12)) {
            char *lp = decode(p + 12, (size_t)(nl - p - 12));
            if (!lp || gzt_manifest_add_list(m, lp))
                rc = gzt_err_set(err, GZT_ENOMEM, "out of memory");
            gzt_free(lp);
        } else if (!strncmp(p, "source ", 7)) {
            const char *a = p + 7;
            const char *sp1 = memchr(a, ' ', (size_t)(nl - a));
            const char *sp2 =
                sp1 ? memchr(sp1 + 1, ' ', (size_t)(nl - sp1 - 1)) : NULL;
            if (!sp2) {
                rc = bad(path, line, "bad source line", err);
                break;
            }
            char fmt[16];
            size_t fl = GZT_MIN((size_t)(sp1 - a), sizeof fmt - 1);
            memcpy(fmt, a, fl);
            fmt[fl] = '\0';
            char *opts = decode(sp1 + 1, (size_t)(sp2 - sp1 - 1));
            char *sp = decode(sp2 + 1, (size_t)(nl - sp2 - 1));
            if (!opts || !sp ||
                gzt_manifest_add_source(m, fmt, sp,
                                        strcmp(opts, "-") ? opts : "")) {
                rc = gzt_err_set(err, GZT_ENOMEM, "out of memory");
            }
            gzt_free(opts);
            gzt_free(sp);
        } else {
            rc = bad(path, line, "unknown line", err);
        }
        p = nl + 1;
    }
    if (rc == GZT_OK && (!header || !m->engine[0] || !m->language[0]))
        rc = gzt_err_set(err, GZT_ECORRUPT, "%s: incomplete manifest", path);
    /* again at the end: a later next-segment line may have lowered it */
    for (uint32_t i = 0; rc == GZT_OK && i < m->nsegs; i++)
        if (m->segs[i].id >= m->next_segment)
            rc = gzt_err_set(err, GZT_ECORRUPT,
                             "%s: segment %u is not below next-segment %u",
                             path, m->segs[i].id, m->next_segment);
    if (rc)
        gzt_manifest_fini(m);
    return rc;
}

int
gzt_manifest_read(gzt_manifest *m, const char *dir, gzt_error *err)
{
    memset(m, 0, sizeof *m);
    char *path = gzt_path_join(dir, GZT_MANIFEST_NAME);
    if (!path)
        return gzt_err_set(err, GZT_ENOMEM, "out of memory");
    gzt_buf b = GZT_BUF_INIT;
    int rc = gzt_io_read_file(path, &b, GZT_MANIFEST_MAX, err);
    if (rc == GZT_OK)
        rc = gzt_manifest_parse(m, (const char *)b.p, b.len, path, err);
    gzt_buf_free(&b);
    gzt_free(path);
    return rc;
}

int
gzt_manifest_copy(gzt_manifest *dst, const gzt_manifest *src)
{
    *dst = *src;
    dst->segs = NULL;
    dst->sources = NULL;
    dst->nsources = 0;
    dst->lists = NULL;
    dst->nlists = 0;
    dst->ner_model = NULL;
    if (src->ner_model && !(dst->ner_model = gzt_strdup(src->ner_model)))
        return GZT_ENOMEM;
    if (src->nsegs) {
        dst->segs = gzt_malloc(src->nsegs * sizeof *dst->segs);
        if (!dst->segs)
            return GZT_ENOMEM;
        memcpy(dst->segs, src->segs, src->nsegs * sizeof *dst->segs);
    }
    for (uint32_t i = 0; i < src->nlists; i++)
        if (gzt_manifest_add_list(dst, src->lists[i])) {
            gzt_manifest_fini(dst);
            return GZT_ENOMEM;
        }
    for (uint32_t i = 0; i < src->nsources; i++)
        if (gzt_manifest_add_source(dst, src->sources[i].format,
                                    src->sources[i].path,
                                    src->sources[i].opts)) {
            gzt_manifest_fini(dst);
            return GZT_ENOMEM;
        }
    return GZT_OK;
}
