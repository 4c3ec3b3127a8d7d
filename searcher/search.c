/* SPDX-License-Identifier: MIT */
/*
 * search.c: opening a reader snapshot, and running a query over it.
 *
 * The parsed query becomes, per segment, a tree of postlists (as Xapian
 * calls them): term cursors, phrases (a conjunction on docids first, then
 * positions), boolean nodes with required, optional and excluded children,
 * date filters and match-all. Each node answers seek(target) = the first
 * matching docid >= target, and score() at that docid. This version
 * evaluates exhaustively: every match is scored and a heap keeps the top
 * k (dynamic pruning with the block bounds of format v1 comes later).
 *
 * Statistics are exact over live documents: N counts live documents, a
 * term's df counts live documents containing it (postings in segments with
 * deletions are counted), avgdl is the live tokens over N. BM25 is
 * Lucene's: idf = ln(1 + (N - df + 0.5)/(df + 0.5)), and
 * score = idf * tf*(k1+1) / (tf + k1*(1 - b + b*dl/avgdl)). A phrase
 * scores as one term whose tf is its number of matches and whose idf is the
 * sum of its terms' idfs (as Lucene does). Ties are broken by docid.
 */
#include <math.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <time.h>

#include "common/date.h"
#include "common/entity.h"
#include "common/io.h"
#include "searcher/reader.h"

/* ---- the reader -------------------------------------------------------- */

void
gzt_index_close(gzt_index *idx)
{
    if (!idx)
        return;
    for (uint32_t i = 0; i < idx->nsegs; i++)
        gzt_segment_close(idx->segs[i]);
    gzt_free(idx->segs);
    gzt_free(idx->base);
    gzt_manifest_fini(&idx->man);
    gzt_analyzer_free(idx->an);
    gzt_gaz_free(idx->gaz);
    gzt_xdb_close(idx->xdb);
    gzt_free(idx->partial);
    gzt_buf_free(&idx->xrec);
    gzt_free(idx->dir);
    gzt_free(idx);
}

void
gzt_open_opts_init(gzt_open_opts *o)
{
    memset(o, 0, sizeof *o);
}

const char *
gzt_index_partial(const gzt_index *idx)
{
    return idx->partial;
}

/* is @p path a regular file (a Xapian stub)? */
static bool
is_stub(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int
open_once(gzt_index *idx, const gzt_open_opts *o, gzt_error *err)
{
    if (is_stub(idx->dir))
        return gzt_xreader_open(idx, true, o, err);
    int rc = gzt_manifest_read(&idx->man, idx->dir, err);
    if (rc == GZT_ENOTFOUND) {
        gzt_err_clear(err);
        return gzt_err_set(err, GZT_ENOTFOUND,
                           "%s: no index here (run gazette index first)",
                           idx->dir);
    }
    if (rc)
        return rc;
    bool xapian = strcmp(idx->man.engine, "xapian") == 0;
    if (idx->man.format != GZT_FORMAT_VERSION &&
        !(xapian && idx->man.format >= GZT_FORMAT_XAPIAN_MIN))
        return gzt_err_set(err, GZT_EINVAL,
                           "%s: index format %u, but this gazette reads format "
                           "%u: rebuild it with gazette reindex",
                           idx->dir, idx->man.format, GZT_FORMAT_VERSION);
    if (xapian)
        return gzt_xreader_open(idx, false, o, err);
    if (strcmp(idx->man.engine, "native") != 0)
        return gzt_err_set(err, GZT_EINVAL,
                           "%s: engine '%s' is not supported by this version",
                           idx->dir, idx->man.engine);
    uint32_t n = idx->man.nsegs;
    idx->segs = gzt_calloc(n + 1, sizeof *idx->segs);
    idx->base = gzt_calloc(n + 1, sizeof *idx->base);
    if (!idx->segs || !idx->base)
        return gzt_err_set(err, GZT_ENOMEM, "out of memory");
    uint64_t base = 0;
    for (uint32_t i = 0; i < n; i++) {
        const gzt_mseg *m = &idx->man.segs[i];
        if ((rc =
                 gzt_segment_open(&idx->segs[i], idx->dir, m->id, m->del, err)))
            return rc;
        idx->nsegs = i + 1;
        if (idx->segs[i]->ndocs != m->ndocs ||
            idx->segs[i]->ndeleted != m->deleted)
            return gzt_err_set(err, GZT_ECORRUPT,
                               "%s/MANIFEST: segment %u: document counts "
                               "disagree with the segment files",
                               idx->dir, m->id);
        idx->base[i] = base;
        base += m->ndocs;
        idx->live += m->ndocs - m->deleted;
        idx->tokens += m->tokens;
    }
    idx->avgdl = idx->live ? (double)idx->tokens / (double)idx->live : 1.0;
    if (idx->avgdl <= 0)
        idx->avgdl = 1.0;
    return gzt_analyzer_new(&idx->an, idx->man.language, err);
}

int
gzt_index_open(gzt_index **out, const char *path, gzt_error *err)
{
    return gzt_index_open_with(out, path, NULL, err);
}

int
gzt_index_open_with(gzt_index **out, const char *path, const gzt_open_opts *o,
                    gzt_error *err)
{
    gzt_err_clear(err);
    *out = NULL;
    gzt_open_opts def;
    if (!o) {
        gzt_open_opts_init(&def);
        o = &def;
    }
    /* A writer may replace the manifest and remove the old generation's
     * files between our reading the manifest and opening them; then the
     * manifest has moved on and we try again. */
    for (int attempt = 0;; attempt++) {
        gzt_index *idx = gzt_calloc(1, sizeof *idx);
        if (!idx || !(idx->dir = gzt_strdup(path))) {
            gzt_free(idx);
            return gzt_err_set(err, GZT_ENOMEM, "out of memory");
        }
        gzt_error local;
        gzt_err_clear(&local);
        int rc = open_once(idx, o, &local);
        if (rc == GZT_OK) {
            *out = idx;
            return GZT_OK;
        }
        uint64_t gen = idx->man.generation;
        gzt_index_close(idx);
        /* a file (a segment, a Xapian shard being removed) vanished or
         * broke under us: if the manifest has moved on, try again */
        if (rc != GZT_OK && rc != GZT_ENOMEM && gen != 0 && attempt < 20) {
            gzt_manifest m;
            if (gzt_manifest_read(&m, path, NULL) == GZT_OK) {
                bool moved = m.generation != gen;
                gzt_manifest_fini(&m);
                if (moved)
                    continue;
            }
        }
        if (err && err->code == GZT_OK)
            *err = local;
        return rc;
    }
}

int
gzt_index_stats(const gzt_index *idx, gzt_stats *out)
{
    memset(out, 0, sizeof *out);
    out->generation = idx->man.generation;
    out->docs = idx->live;
    out->tokens = idx->tokens;
    out->segments = idx->nsegs;
    out->sources = idx->man.nsources;
    snprintf(out->language, sizeof out->language, "%s", idx->man.language);
    snprintf(out->engine, sizeof out->engine, "%s", idx->man.engine);
    out->entities = idx->man.entities;
    out->entity_lists = idx->man.nlists;
    out->ner_model = idx->man.ner_model != NULL;
    if (idx->xdb)
        gzt_xreader_stats(idx, out);
    for (uint32_t i = 0; i < idx->nsegs; i++) {
        const gzt_segment *s = idx->segs[i];
        out->deleted += s->ndeleted;
        out->terms += s->nterms;
        out->bytes_dict += s->dict.size;
        out->bytes_postings += s->post.size;
        out->bytes_positions += s->pos.size;
        out->bytes_docvalues += s->dv.size;
        out->bytes_store += s->store.size;
        out->bytes_ids += s->ids.size;
        out->bytes_deletes += s->del.size;
    }
    char *p = idx->stub ? NULL : gzt_path_join(idx->dir, GZT_MANIFEST_NAME);
    if (p)
        out->bytes_manifest = gzt_io_file_size(p);
    gzt_free(p);
    return GZT_OK;
}

size_t
gzt_index_shard(const gzt_index *idx, uint32_t k, char *buf, size_t cap)
{
    if (!idx->xdb || idx->stub || k >= idx->man.shards)
        return 0;
    char name[64];
    gzt_manifest_shard_name(&idx->man, k, name);
    snprintf(buf, cap, "%s", name);
    return strlen(name);
}

const char *
gzt_index_source(const gzt_index *idx, uint32_t i, const char **format)
{
    if (i >= idx->man.nsources)
        return NULL;
    if (format)
        *format = idx->man.sources[i].format;
    return idx->man.sources[i].path;
}

int
gzt_index_find(gzt_index *idx, const char *id, uint32_t *seg, uint32_t *doc,
               bool *found, gzt_error *err)
{
    *found = false;
    size_t len = strlen(id);
    for (uint32_t i = idx->nsegs; i-- > 0;) {
        int rc =
            gzt_segment_find_id(idx->segs[i], id, len, NULL, found, doc, err);
        if (rc || *found) {
            *seg = i;
            return rc;
        }
    }
    return GZT_OK;
}

int
gzt_index_get(gzt_stored *out, gzt_index *idx, const char *id, gzt_error *err)
{
    gzt_err_clear(err);
    memset(out, 0, sizeof *out);
    uint32_t seg = 0, doc = 0;
    bool found = false;
    gzt_docfields f;
    int rc;
    if (idx->xdb) {
        if ((rc = gzt_xreader_get(idx, id, &f, &out->date, &out->length, err)))
            return rc;
    } else {
        if ((rc = gzt_index_find(idx, id, &seg, &doc, &found, err)))
            return rc;
        if (!found)
            return gzt_err_set(err, GZT_ENOTFOUND, "no document with id '%s'",
                               id);
        if ((rc = gzt_segment_doc(idx->segs[seg], doc, &f, err)))
            return rc;
        out->date = gzt_segment_docdate(idx->segs[seg], doc);
        out->length = gzt_segment_doclen(idx->segs[seg], doc);
    }
    out->id = gzt_strndup(f.f[GZT_FIELD_ID], f.len[GZT_FIELD_ID]);
    out->title = gzt_strndup(f.f[GZT_FIELD_TITLE], f.len[GZT_FIELD_TITLE]);
    out->body = gzt_strndup(f.f[GZT_FIELD_BODY], f.len[GZT_FIELD_BODY]);
    out->source = gzt_strndup(f.f[GZT_FIELD_SOURCE], f.len[GZT_FIELD_SOURCE]);
    out->title_len = f.len[GZT_FIELD_TITLE];
    out->body_len = f.len[GZT_FIELD_BODY];
    if (!out->id || !out->title || !out->body || !out->source) {
        gzt_stored_fini(out);
        return gzt_err_set(err, GZT_ENOMEM, "out of memory");
    }
    gzt_arena *a = gzt_malloc(sizeof *a);
    if (!a) {
        gzt_stored_fini(out);
        return gzt_err_set(err, GZT_ENOMEM, "out of memory");
    }
    gzt_arena_init(a, 0);
    out->priv = a;
    gzt_entity *e;
    size_t n;
    rc = gzt_entity_decode(f.f[GZT_FIELD_ENTITIES], f.len[GZT_FIELD_ENTITIES],
                           out->title, out->title_len, out->body, out->body_len,
                           a, &e, &n);
    if (rc == GZT_OK && n) {
        out->mentions = gzt_arena_alloc(a, n * sizeof *out->mentions);
        if (!out->mentions)
            rc = GZT_ENOMEM;
        for (size_t i = 0; rc == GZT_OK && i < n; i++)
            out->mentions[i] = (gzt_mention){
                (gzt_entity_type)e[i].type, e[i].field == GZT_ENT_TITLE,
                e[i].start, e[i].end, e[i].canonical};
        out->nmentions = n;
    }
    if (rc) {
        gzt_stored_fini(out);
        return rc == GZT_ENOMEM ? gzt_err_set(err, rc, "out of memory")
               : idx->xdb       ? gzt_err_set(err, GZT_ECORRUPT,
                                              "%s: document '%s': bad stored "
                                                    "entities",
                                              idx->dir, id)
                          : gzt_rfile_corrupt(&idx->segs[seg]->store, NULL,
                                              "bad stored entities", err);
    }
    return GZT_OK;
}

int
gzt_reader_doc(gzt_index *idx, const gzt_rhit *h, gzt_docfields *f,
               gzt_error *err)
{
    if (!idx->xdb)
        return gzt_segment_doc(idx->segs[h->seg], h->doc, f, err);
    return gzt_xreader_doc(idx, h->doc, f, err);
}

void
gzt_stored_fini(gzt_stored *s)
{
    gzt_free(s->id);
    gzt_free(s->title);
    gzt_free(s->body);
    gzt_free(s->source);
    if (s->priv) {
        gzt_arena_fini(s->priv);
        gzt_free(s->priv);
    }
    memset(s, 0, sizeof *s);
}

/* ---- the plan: leaves with global statistics --------------------------- */

void
gzt_search_opts_init(gzt_search_opts *o)
{
    memset(o, 0, sizeof *o);
    o->limit = 10;
    o->k1 = 0.9;
    o->b = 0.4;
}

/* A term of the query with its global statistics. */
typedef struct leaf {
    const char *term;  /* analysed term */
    uint32_t len;      /* bytes */
    uint64_t df;       /* live documents containing it */
    double idf;        /* Lucene idf */
    gzt_term_info *ti; /* per segment, where found, as live_df() read it */
    uint8_t *found;    /* per segment: the term is there */
} leaf;

typedef struct plan {
    gzt_index *idx;   /* reader */
    gzt_arena *arena; /* per-query memory */
    leaf *leaves;     /* distinct terms */
    uint32_t nleaves; /* count */
    uint32_t cap;     /* capacity */
    double k1, b;     /* BM25 parameters */
    gzt_error *err;   /* error detail */
    double k1mb, kb;  /* k1 * (1 - b) and k1 * b / avgdl: the length
                         normalisation as one multiply-add */
} plan;

static double
idf_of(uint64_t N, uint64_t df)
{
    return log(1.0 + ((double)N - (double)df + 0.5) / ((double)df + 0.5));
}

static bool
is_title(const char *term)
{
    return term[0] == GZT_PREFIX_TITLE;
}

/* occurrences of the current posting of @p p in the title of its doc; 0
 * also on error (see p->error) */
static uint32_t
title_freq(gzt_postings *p)
{
    uint32_t n, end = gzt_segment_title_end(p->seg, p->doc), tf = 0;
    const uint32_t *pos = gzt_postings_positions(p, &n);
    for (uint32_t i = 0; pos && i < n && pos[i] < end; i++)
        tf++;
    return tf;
}

/* live df of @p term over all segments; a title term ("S" + term) counts
 * the documents that have the word in their title. With @p tis and
 * @p found, each segment's dictionary entry is kept for the cursors. */
static int
live_df(gzt_index *idx, const char *term, size_t len, uint64_t *df,
        gzt_term_info *tis, uint8_t *found_in, gzt_error *err)
{
    *df = 0;
    bool title = is_title(term);
    if (title) {
        term++;
        len--;
    }
    for (uint32_t i = 0; i < idx->nsegs; i++) {
        gzt_segment *s = idx->segs[i];
        bool found;
        gzt_term_info ti;
        int rc = gzt_segment_lookup(s, term, len, &found, &ti, err);
        if (rc)
            return rc;
        if (found_in) {
            found_in[i] = found;
            tis[i] = ti;
        }
        if (!found)
            continue;
        if (!s->delbits && !title) {
            *df += ti.df;
            continue;
        }
        gzt_postings p;
        if ((rc = gzt_postings_open(&p, s, &ti, err)))
            return rc;
        while (gzt_postings_next(&p) != GZT_END)
            *df += !gzt_segment_deleted(s, p.doc) && (!title || title_freq(&p));
        rc = p.error;
        gzt_postings_close(&p);
        if (rc)
            return rc;
    }
    return GZT_OK;
}

/* *out = index of the leaf for @p term, adding it when new */
static int
leaf_of(plan *pl, const char *term, size_t len, uint32_t *out)
{
    for (uint32_t i = 0; i < pl->nleaves; i++)
        if (pl->leaves[i].len == len &&
            !memcmp(pl->leaves[i].term, term, len)) {
            *out = i;
            return GZT_OK;
        }
    if (pl->nleaves == pl->cap) {
        uint32_t ncap = pl->cap ? pl->cap * 2 : 16;
        leaf *nl = gzt_arena_alloc(pl->arena, ncap * sizeof *nl);
        if (!nl)
            return gzt_err_set(pl->err, GZT_ENOMEM, "out of memory");
        if (pl->nleaves)
            memcpy(nl, pl->leaves, pl->nleaves * sizeof *nl);
        pl->leaves = nl;
        pl->cap = ncap;
    }
    leaf *l = &pl->leaves[pl->nleaves];
    l->term = gzt_arena_strndup(pl->arena, term, len);
    if (!l->term)
        return gzt_err_set(pl->err, GZT_ENOMEM, "out of memory");
    l->len = (uint32_t)len;
    uint32_t ns = pl->idx->nsegs;
    l->ti = gzt_arena_alloc(pl->arena, (ns ? ns : 1) * sizeof *l->ti);
    l->found = gzt_arena_alloc(pl->arena, ns ? ns : 1);
    if (!l->ti || !l->found)
        return gzt_err_set(pl->err, GZT_ENOMEM, "out of memory");
    int rc = live_df(pl->idx, term, len, &l->df, l->ti, l->found, pl->err);
    if (rc)
        return rc;
    l->idf = idf_of(pl->idx->live, l->df);
    *out = pl->nleaves++;
    return GZT_OK;
}

/* Expand every PREFIX node into the distinct terms it matches over all
 * segments (kept in the node as terms[1..]); ETOOBIG past the clause
 * ceiling. */
static int
expand_prefixes(plan *pl, gzt_qnode *n, uint32_t *budget)
{
    if (n->kind == GZT_Q_BOOL) {
        gzt_qnode **lists[3] = {n->must, n->should, n->mustnot};
        uint32_t counts[3] = {n->nmust, n->nshould, n->nmustnot};
        for (int k = 0; k < 3; k++)
            for (uint32_t i = 0; i < counts[k]; i++) {
                int rc = expand_prefixes(pl, lists[k][i], budget);
                if (rc)
                    return rc;
            }
        return GZT_OK;
    }
    if (n->kind != GZT_Q_PREFIX)
        return GZT_OK;
    const char *pre = n->terms[0];
    bool title = is_title(pre);
    pre += title;
    size_t plen = strlen(pre);
    char **found = NULL;
    uint32_t nfound = 0, cap = 0;
    for (uint32_t s = 0; s < pl->idx->nsegs; s++) {
        gzt_dict_iter it;
        bool ok;
        int rc = gzt_dict_iter_seek(&it, pl->idx->segs[s], pre, plen, pl->err);
        while (rc == GZT_OK &&
               (rc = gzt_dict_iter_next(&it, &ok, pl->err)) == GZT_OK && ok &&
               it.term_len >= plen && !memcmp(it.term, pre, plen)) {
            bool dup = false;
            for (uint32_t i = 0; i < nfound && !dup; i++)
                dup = !strcmp(found[i] + title, it.term);
            if (dup)
                continue;
            if (title) {
                /* only words that some live title holds expand a title
                 * prefix and count against the ceiling */
                char key[GZT_DICT_TERM_MAX + 2];
                uint64_t tdf;
                key[0] = GZT_PREFIX_TITLE;
                memcpy(key + 1, it.term, it.term_len);
                if ((rc = live_df(pl->idx, key, it.term_len + 1, &tdf, NULL,
                                  NULL, pl->err)))
                    return rc;
                if (tdf == 0)
                    continue;
            }
            if (nfound == *budget)
                return gzt_err_set(pl->err, GZT_ETOOBIG,
                                   "column %u: prefix '%s*' matches more than "
                                   "%u terms",
                                   n->col, pre, GZT_QUERY_MAX_CLAUSES);
            if (nfound == cap) {
                uint32_t ncap = cap ? cap * 2 : 16;
                char **nf = gzt_arena_alloc(pl->arena, ncap * sizeof *nf);
                if (!nf)
                    return gzt_err_set(pl->err, GZT_ENOMEM, "out of memory");
                if (nfound)
                    memcpy(nf, found, nfound * sizeof *nf);
                found = nf;
                cap = ncap;
            }
            found[nfound] = gzt_arena_alloc(pl->arena, it.term_len + 2);
            if (!found[nfound])
                return gzt_err_set(pl->err, GZT_ENOMEM, "out of memory");
            /* title expansions keep the title prefix */
            found[nfound][0] = GZT_PREFIX_TITLE;
            memcpy(found[nfound] + title, it.term, it.term_len + 1);
            nfound++;
        }
        if (rc)
            return rc;
    }
    /* sorted, so that scores sum in a fixed order */
    for (uint32_t i = 1; i < nfound; i++)
        for (uint32_t j = i; j > 0 && strcmp(found[j], found[j - 1]) < 0; j--) {
            char *t = found[j];
            found[j] = found[j - 1];
            found[j - 1] = t;
        }
    char **terms = gzt_arena_alloc(pl->arena, (nfound + 1) * sizeof *terms);
    if (!terms)
        return gzt_err_set(pl->err, GZT_ENOMEM, "out of memory");
    terms[0] = n->terms[0];
    if (nfound)
        memcpy(terms + 1, found, nfound * sizeof *terms);
    n->terms = terms;
    n->nterms = nfound + 1;
    *budget -= nfound;
    return GZT_OK;
}

/* The index's entity lists (built-in and the manifest's user lists), loaded
 * on first use. */
static int
index_gaz(gzt_index *idx, gzt_error *err)
{
    if (idx->gaz)
        return GZT_OK;
    int rc = gzt_builtin_gazetteer(&idx->gaz, err);
    gzt_buf b = GZT_BUF_INIT;
    for (uint32_t i = 0; rc == GZT_OK && i < idx->man.nlists; i++) {
        /* a list that vanished since indexing only loses its aliases */
        if (gzt_io_read_file(idx->man.lists[i], &b, (size_t)256 << 20, NULL) ==
            GZT_OK)
            rc = gzt_gaz_add_user(idx->gaz, (const char *)b.p, b.len,
                                  idx->man.lists[i], err);
    }
    gzt_buf_free(&b);
    if (rc) {
        gzt_gaz_free(idx->gaz);
        idx->gaz = NULL;
    }
    return rc;
}

/* The canonical form the entity lists give @p key (an entity key: folded),
 * into @p out; false when they name none. Matching is case-sensitive with
 * an ALL-CAPS fallback, so the key is upper-cased (ASCII) first. */
static bool
lookup_canonical(gzt_index *idx, const char *key, gzt_buf *out)
{
    gzt_buf up = GZT_BUF_INIT, toks = GZT_BUF_INIT, forms = GZT_BUF_INIT;
    bool found = false;
    if (gzt_buf_append(&up, key, strlen(key)) == GZT_OK) {
        for (size_t i = 0; i < up.len; i++)
            if (up.p[i] >= 'a' && up.p[i] <= 'z')
                up.p[i] = (uint8_t)(up.p[i] - 'a' + 'A');
        if (gzt_ner_tokenize(&toks, &forms, (const char *)up.p, up.len) ==
            GZT_OK) {
            const gzt_nertok *t = (const gzt_nertok *)(void *)toks.p;
            size_t n = toks.len / sizeof *t;
            gzt_gaz_tok *gt = gzt_malloc((n + 1) * sizeof *gt);
            gzt_gaz_hit *h = gzt_malloc((n + 1) * sizeof *h);
            if (gt && h && n) {
                for (size_t i = 0; i < n; i++) {
                    gt[i].s = (const char *)up.p + t[i].start;
                    gt[i].len = t[i].end - t[i].start;
                }
                gzt_gaz_match(idx->gaz, gt, n, h);
                if (h[0].canonical && h[0].len == n) {
                    gzt_buf_reset(out);
                    found = gzt_buf_append(out, h[0].canonical,
                                           h[0].canonical_len) == GZT_OK;
                }
            }
            gzt_free(gt);
            gzt_free(h);
        }
    }
    gzt_buf_free(&up);
    gzt_buf_free(&toks);
    gzt_buf_free(&forms);
    return found;
}

/* entity:"Sergey Lavrov" also finds the canonical form the entity lists
 * give that name (Sergey Viktorovich Lavrov): each such TERM becomes an
 * optional-only BOOL of both keys. */
static int
resolve_entities(plan *pl, gzt_qnode *n)
{
    if (n->kind == GZT_Q_BOOL) {
        gzt_qnode **lists[3] = {n->must, n->should, n->mustnot};
        uint32_t counts[3] = {n->nmust, n->nshould, n->nmustnot};
        for (int k = 0; k < 3; k++)
            for (uint32_t i = 0; i < counts[k]; i++) {
                int rc = resolve_entities(pl, lists[k][i]);
                if (rc)
                    return rc;
            }
        return GZT_OK;
    }
    if (n->kind != GZT_Q_TERM || n->terms[0][0] != GZT_PREFIX_ENTITY)
        return GZT_OK;
    int rc = index_gaz(pl->idx, pl->err);
    if (rc)
        return rc;
    gzt_buf canon = GZT_BUF_INIT, key = GZT_BUF_INIT;
    bool alt = lookup_canonical(pl->idx, n->terms[0] + 1, &canon) &&
               gzt_entity_key(pl->idx->an, (const char *)canon.p, canon.len,
                              &key) == GZT_OK &&
               gzt_buf_nul(&key) == GZT_OK &&
               strcmp(n->terms[0] + 1, (const char *)key.p) != 0;
    gzt_qnode *a = NULL, *b = NULL, **should = NULL;
    char **bt = NULL, *term = NULL;
    if (alt) {
        a = gzt_arena_calloc(pl->arena, sizeof *a);
        b = gzt_arena_calloc(pl->arena, sizeof *b);
        should = gzt_arena_alloc(pl->arena, 2 * sizeof *should);
        bt = gzt_arena_alloc(pl->arena, sizeof *bt);
        term = gzt_arena_alloc(pl->arena, key.len + 2);
    }
    if (alt && term && a && b && should && bt) {
        term[0] = GZT_PREFIX_ENTITY;
        memcpy(term + 1, key.p, key.len);
        term[key.len + 1] = '\0';
        *a = *n;
        *b = *n;
        bt[0] = term;
        b->terms = bt;
        should[0] = a;
        should[1] = b;
        memset(n, 0, sizeof *n);
        n->kind = GZT_Q_BOOL;
        n->col = a->col;
        n->should = should;
        n->nshould = 2;
    } else if (alt) {
        rc = gzt_err_set(pl->err, GZT_ENOMEM, "out of memory");
    }
    gzt_buf_free(&canon);
    gzt_buf_free(&key);
    return rc;
}

/* ---- postlists --------------------------------------------------------- */

enum nkind { N_NONE, N_ALL, N_DATE, N_TERM, N_PHRASE, N_BOOL };

typedef struct node node;
struct node {
    enum nkind kind;    /* what it is */
    uint32_t doc;       /* current docid; GZT_END at the end */
    bool started;       /* seek has been called */
    const gzt_qnode *q; /* query node */
    gzt_segment *seg;   /* segment */
    /* N_TERM: one cursor; N_PHRASE: one per term */
    gzt_postings *pl;  /* cursors */
    uint32_t npl;      /* count */
    int32_t leaf;      /* N_TERM: leaf index */
    double idf;        /* N_TERM/N_PHRASE: idf */
    uint32_t freq;     /* N_PHRASE, title N_TERM: matches at doc */
    bool title;        /* only title positions count */
    node **must;       /* N_BOOL children */
    uint32_t nmust;    /* count */
    node **morder;     /* the must children, fewest postings first: the
                          order seek() asks them in (score() keeps the
                          query's) */
    node **should;     /* N_BOOL children */
    uint32_t nshould;  /* count */
    node **mustnot;    /* N_BOOL children */
    uint32_t nmustnot; /* count */
};

typedef struct ctx {
    plan *pl;         /* leaves and parameters */
    gzt_segment *seg; /* the segment */
    double avgdl;     /* global average length */
    node **terms;     /* all N_TERM/N_PHRASE nodes (for cleanup) */
    uint32_t nterms;  /* count */
    uint32_t cap;     /* capacity */
    int error;        /* sticky error */
    bool exists_only; /* nothing is scored: a phrase may stop at its first
                         match */
} ctx;

static uint32_t seek(ctx *c, node *n, uint32_t target);

static node *
new_node(ctx *c, enum nkind k, const gzt_qnode *q)
{
    node *n = gzt_arena_calloc(c->pl->arena, sizeof *n);
    if (!n) {
        c->error = gzt_err_set(c->pl->err, GZT_ENOMEM, "out of memory");
        return NULL;
    }
    n->kind = k;
    n->q = q;
    n->seg = c->seg;
    n->leaf = -1;
    return n;
}

static bool
track(ctx *c, node *n)
{
    if (c->nterms == c->cap) {
        uint32_t ncap = c->cap ? c->cap * 2 : 16;
        node **nt = gzt_arena_alloc(c->pl->arena, ncap * sizeof *nt);
        if (!nt) {
            c->error = gzt_err_set(c->pl->err, GZT_ENOMEM, "out of memory");
            return false;
        }
        if (c->nterms)
            memcpy(nt, c->terms, c->nterms * sizeof *nt);
        c->terms = nt;
        c->cap = ncap;
    }
    c->terms[c->nterms++] = n;
    return true;
}

/* a term cursor node, or N_NONE when the segment lacks the term */
static node *
term_node(ctx *c, const gzt_qnode *q, const char *term)
{
    uint32_t li;
    int rc = leaf_of(c->pl, term, strlen(term), &li);
    if (rc) {
        c->error = rc;
        return NULL;
    }
    bool title = is_title(term);
    /* the dictionary entry live_df() read for this segment */
    const leaf *l = &c->pl->leaves[li];
    uint32_t si = 0;
    while (si < c->pl->idx->nsegs && c->pl->idx->segs[si] != c->seg)
        si++;
    bool found = si < c->pl->idx->nsegs && l->found[si];
    gzt_term_info ti;
    if (found)
        ti = l->ti[si];
    node *n = new_node(c, found ? N_TERM : N_NONE, q);
    if (!n || !found)
        return n;
    n->leaf = (int32_t)li;
    n->title = title;
    n->idf = c->pl->leaves[li].idf;
    n->pl = gzt_arena_alloc(c->pl->arena, sizeof *n->pl);
    if (!n->pl) {
        c->error = gzt_err_set(c->pl->err, GZT_ENOMEM, "out of memory");
        return NULL;
    }
    n->npl = 1;
    if ((rc = gzt_postings_open(n->pl, c->seg, &ti, c->pl->err))) {
        c->error = rc;
        return NULL;
    }
    if (!track(c, n)) {
        gzt_postings_close(n->pl);
        return NULL;
    }
    return n;
}

static node *build(ctx *c, const gzt_qnode *q);

static node **
build_list(ctx *c, gzt_qnode *const *qs, uint32_t n)
{
    node **list = gzt_arena_alloc(c->pl->arena, (n + 1) * sizeof *list);
    if (!list) {
        c->error = gzt_err_set(c->pl->err, GZT_ENOMEM, "out of memory");
        return NULL;
    }
    for (uint32_t i = 0; i < n; i++)
        if (!(list[i] = build(c, qs[i])))
            return NULL;
    return list;
}

/* How many documents @p n may visit at most: what the conjunction's
 * leapfrog should ask first is what has the fewest. */
static uint64_t
node_cost(const node *n)
{
    uint64_t c = 0;
    switch (n->kind) {
    case N_NONE:
        return 0;
    case N_TERM:
        return n->pl->ti.df;
    case N_PHRASE:
        c = UINT64_MAX;
        for (uint32_t i = 0; i < n->npl; i++)
            c = GZT_MIN(c, (uint64_t)n->pl[i].ti.df);
        return c;
    case N_BOOL:
        if (n->nmust) {
            c = UINT64_MAX;
            for (uint32_t i = 0; i < n->nmust; i++)
                c = GZT_MIN(c, node_cost(n->must[i]));
            return c;
        }
        for (uint32_t i = 0; i < n->nshould; i++)
            c += node_cost(n->should[i]);
        return c;
    default:
        return n->seg->ndocs;
    }
}

/* @p v's @p n nodes cheapest first (stable), in per-query memory */
static node **
build_order(ctx *c, node **v, uint32_t n)
{
    node **o = gzt_arena_alloc(c->pl->arena, (n + 1) * sizeof *o);
    if (!o) {
        c->error = gzt_err_set(c->pl->err, GZT_ENOMEM, "out of memory");
        return NULL;
    }
    for (uint32_t i = 0; i < n; i++) {
        node *x = v[i];
        uint64_t cx = node_cost(x);
        uint32_t j = i;
        for (; j > 0 && node_cost(o[j - 1]) > cx; j--)
            o[j] = o[j - 1];
        o[j] = x;
    }
    return o;
}

static node *
build(ctx *c, const gzt_qnode *q)
{
    switch (q->kind) {
    case GZT_Q_NONE:
        return new_node(c, N_NONE, q);
    case GZT_Q_ALL:
        return new_node(c, N_ALL, q);
    case GZT_Q_DATE:
        return new_node(c, N_DATE, q);
    case GZT_Q_TERM:
        return term_node(c, q, q->terms[0]);
    case GZT_Q_PREFIX: {
        /* an optional-only BOOL of the expansions */
        node *n = new_node(c, N_BOOL, q);
        if (!n)
            return NULL;
        n->should = gzt_arena_alloc(c->pl->arena, q->nterms * sizeof(node *));
        if (!n->should) {
            c->error = gzt_err_set(c->pl->err, GZT_ENOMEM, "out of memory");
            return NULL;
        }
        for (uint32_t i = 1; i < q->nterms; i++) {
            node *t = term_node(c, q, q->terms[i]);
            if (!t)
                return NULL;
            n->should[n->nshould++] = t;
        }
        return n;
    }
    case GZT_Q_PHRASE: {
        double idf = 0;
        bool all = true;
        gzt_term_info *tis =
            gzt_arena_alloc(c->pl->arena, q->nterms * sizeof *tis);
        if (!tis) {
            c->error = gzt_err_set(c->pl->err, GZT_ENOMEM, "out of memory");
            return NULL;
        }
        for (uint32_t i = 0; i < q->nterms; i++) {
            uint32_t li;
            int rc = leaf_of(c->pl, q->terms[i], strlen(q->terms[i]), &li);
            if (rc) {
                c->error = rc;
                return NULL;
            }
            idf += c->pl->leaves[li].idf;
            bool found, title = is_title(q->terms[i]);
            rc = gzt_segment_lookup(c->seg, q->terms[i] + title,
                                    strlen(q->terms[i]) - title, &found,
                                    &tis[i], c->pl->err);
            if (rc) {
                c->error = rc;
                return NULL;
            }
            all = all && found;
        }
        node *n = new_node(c, all ? N_PHRASE : N_NONE, q);
        if (!n || !all)
            return n;
        n->idf = idf;
        n->title = is_title(q->terms[0]);
        n->pl = gzt_arena_alloc(c->pl->arena, q->nterms * sizeof *n->pl);
        if (!n->pl) {
            c->error = gzt_err_set(c->pl->err, GZT_ENOMEM, "out of memory");
            return NULL;
        }
        for (uint32_t i = 0; i < q->nterms; i++) {
            int rc = gzt_postings_open(&n->pl[i], c->seg, &tis[i], c->pl->err);
            if (rc) {
                c->error = rc;
                return NULL;
            }
            n->npl = i + 1;
        }
        return track(c, n) ? n : NULL;
    }
    case GZT_Q_BOOL: {
        node *n = new_node(c, N_BOOL, q);
        if (!n || !(n->must = build_list(c, q->must, q->nmust)) ||
            !(n->should = build_list(c, q->should, q->nshould)) ||
            !(n->mustnot = build_list(c, q->mustnot, q->nmustnot)))
            return NULL;
        n->nmust = q->nmust;
        n->nshould = q->nshould;
        n->nmustnot = q->nmustnot;
        if (!(n->morder = build_order(c, n->must, n->nmust)))
            return NULL;
        return n;
    }
    }
    return new_node(c, N_NONE, q);
}

static void
release(ctx *c)
{
    for (uint32_t i = 0; i < c->nterms; i++)
        for (uint32_t j = 0; j < c->terms[i]->npl; j++)
            gzt_postings_close(&c->terms[i]->pl[j]);
    c->nterms = 0;
}

/* the frequency at @p p's doc, a damaged block's error made the query's */
static uint32_t
term_freq(ctx *c, gzt_postings *p)
{
    uint32_t f = gzt_postings_freq(p);
    if (p->error && !c->error)
        c->error = p->error;
    return f;
}

/* advance @p n to >= target unless it is there already */
static uint32_t
advance(ctx *c, node *n, uint32_t target)
{
    if (n->started && (n->doc >= target || n->doc == GZT_END))
        return n->doc;
    return seek(c, n, target);
}

static uint32_t
cursor_seek(ctx *c, gzt_postings *p, uint32_t target)
{
    if (p->doc != GZT_END && p->block != UINT32_MAX && p->doc >= target)
        return p->doc;
    uint32_t d = gzt_postings_seek(p, target);
    if (p->error && !c->error)
        c->error = p->error;
    return d;
}

/*
 * Count the matches of a phrase at the current doc of all its cursors.
 * Exact (slop 0): term i at p0 + qpos[i]. With slop: terms in query order,
 * each at the smallest position >= previous + (qpos[i] - qpos[i-1]), the
 * whole no more than slop longer than the query; counted per first
 * position.
 */
static uint32_t
phrase_freq(ctx *c, node *n)
{
    const gzt_qnode *q = n->q;
    const uint32_t *pos[GZT_QUERY_MAX_PHRASE];
    uint32_t np[GZT_QUERY_MAX_PHRASE], idx[GZT_QUERY_MAX_PHRASE];
    for (uint32_t i = 0; i < n->npl; i++) {
        pos[i] = gzt_postings_positions(&n->pl[i], &np[i]);
        if (!pos[i]) {
            if (n->pl[i].error && !c->error)
                c->error = n->pl[i].error;
            return 0;
        }
        idx[i] = 0;
    }
    uint32_t freq = 0;
    uint32_t span = q->qpos[n->npl - 1] - q->qpos[0];
    uint64_t limit =
        n->title ? gzt_segment_title_end(n->seg, n->pl[0].doc) : UINT64_MAX;
    for (uint32_t a = 0; a < np[0]; a++) {
        uint64_t prev = pos[0][a];
        bool ok = true;
        for (uint32_t i = 1; i < n->npl && ok; i++) {
            uint64_t want = prev + (q->qpos[i] - q->qpos[i - 1]);
            while (idx[i] < np[i] && pos[i][idx[i]] < want)
                idx[i]++;
            if (idx[i] == np[i]) {
                ok = false;
                a = np[0]; /* no later start can match either */
                break;
            }
            prev = pos[i][idx[i]];
            if (prev - pos[0][a] > (uint64_t)span + q->slop)
                ok = false;
        }
        if (ok && a < np[0] && prev < limit && (freq++, c->exists_only))
            break;
    }
    return freq;
}

static uint32_t
seek(ctx *c, node *n, uint32_t target)
{
    n->started = true;
    if (c->error) {
        return n->doc = GZT_END;
    }
    uint32_t ndocs = n->seg->ndocs;
    switch (n->kind) {
    case N_NONE:
        return n->doc = GZT_END;
    case N_ALL:
        return n->doc = target < ndocs ? target : GZT_END;
    case N_DATE: {
        for (uint32_t d = target; d < ndocs; d++) {
            gzt_date dt = gzt_segment_docdate(n->seg, d);
            if (dt && dt >= n->q->from && dt <= n->q->to)
                return n->doc = d;
        }
        return n->doc = GZT_END;
    }
    case N_TERM: {
        uint32_t d = cursor_seek(c, n->pl, target);
        while (n->title && d != GZT_END) {
            n->freq = title_freq(n->pl);
            if (n->pl->error && !c->error)
                c->error = n->pl->error;
            if (n->freq || c->error)
                break;
            d = cursor_seek(c, n->pl, d + 1);
        }
        return n->doc = c->error ? GZT_END : d;
    }
    case N_PHRASE: {
        uint32_t d = target;
        for (;;) {
            bool agree = true;
            for (uint32_t i = 0; i < n->npl; i++) {
                uint32_t x = cursor_seek(c, &n->pl[i], d);
                if (x == GZT_END)
                    return n->doc = GZT_END;
                if (x > d) {
                    d = x;
                    agree = false;
                }
            }
            if (!agree)
                continue;
            n->freq = phrase_freq(c, n);
            if (c->error)
                return n->doc = GZT_END;
            if (n->freq)
                return n->doc = d;
            d++;
        }
    }
    case N_BOOL: {
        uint32_t d = target;
        for (;;) {
            if (d >= ndocs && d != GZT_END)
                d = GZT_END;
            if (d == GZT_END)
                return n->doc = GZT_END;
            if (n->nmust) {
                bool agree = true;
                for (uint32_t i = 0; i < n->nmust; i++) {
                    uint32_t x = advance(c, n->morder[i], d);
                    if (x == GZT_END)
                        return n->doc = GZT_END;
                    if (x > d) {
                        d = x;
                        agree = false;
                    }
                }
                if (!agree)
                    continue;
            } else {
                uint32_t m = GZT_END;
                for (uint32_t i = 0; i < n->nshould; i++) {
                    uint32_t x = advance(c, n->should[i], d);
                    if (x < m)
                        m = x;
                }
                if (m == GZT_END)
                    return n->doc = GZT_END;
                d = m;
            }
            bool excluded = false;
            for (uint32_t i = 0; i < n->nmustnot && !excluded; i++)
                excluded = advance(c, n->mustnot[i], d) == d;
            if (c->error)
                return n->doc = GZT_END;
            if (excluded) {
                d++;
                continue;
            }
            /* position optional children for scoring */
            if (n->nmust)
                for (uint32_t i = 0; i < n->nshould; i++)
                    advance(c, n->should[i], d);
            return n->doc = d;
        }
    }
    }
    return n->doc = GZT_END;
}

/* Live documents that contain the phrase @p q, over all segments: for
 * --explain only, which pays a full evaluation of the phrase; 0 on error. */
static uint64_t
phrase_df(ctx *outer, const gzt_qnode *q)
{
    gzt_index *idx = outer->pl->idx;
    uint64_t df = 0;
    for (uint32_t s = 0; s < idx->nsegs; s++) {
        ctx c = {outer->pl, idx->segs[s], outer->avgdl, NULL, 0, 0, 0, true};
        node *n = build(&c, q);
        if (n)
            for (uint32_t d = seek(&c, n, 0); d != GZT_END;
                 d = seek(&c, n, d + 1))
                df += !gzt_segment_deleted(c.seg, d);
        release(&c);
        if (!n || c.error)
            return 0;
    }
    return df;
}

static double
bm25(const ctx *c, double idf, double tf, uint32_t dl)
{
    /* k1 * (1 - b + b * dl / avgdl), with the constants worked out once
     * per query: one division per posting instead of two */
    return idf * tf * (c->pl->k1 + 1) / (tf + c->pl->k1mb + c->pl->kb * dl);
}

/* Score of @p n at its current doc; with @p ex, the contributing terms
 * are appended to it. */
typedef struct explain_out {
    gzt_explain_term *t; /* entries */
    size_t n;            /* count */
    size_t cap;          /* capacity */
    gzt_arena *arena;    /* memory */
} explain_out;

static double
score(ctx *c, node *n, explain_out *ex)
{
    uint32_t d = n->doc;
    switch (n->kind) {
    case N_TERM:
    case N_PHRASE: {
        double tf =
            n->kind == N_TERM && !n->title ? term_freq(c, n->pl) : n->freq;
        uint32_t dl = gzt_segment_doclen(n->seg, d);
        double s = bm25(c, n->idf, tf, dl);
        if (ex) {
            if (ex->n == ex->cap) {
                size_t ncap = ex->cap ? ex->cap * 2 : 8;
                gzt_explain_term *nt =
                    gzt_arena_alloc(ex->arena, ncap * sizeof *nt);
                if (!nt)
                    return s;
                if (ex->n)
                    memcpy(nt, ex->t, ex->n * sizeof *nt);
                ex->t = nt;
                ex->cap = ncap;
            }
            gzt_explain_term *e = &ex->t[ex->n++];
            if (n->kind == N_TERM) {
                e->term = c->pl->leaves[n->leaf].term;
                e->df = (uint32_t)c->pl->leaves[n->leaf].df;
            } else {
                gzt_buf b = GZT_BUF_INIT;
                e->term =
                    gzt_query_format(n->q, &b) == GZT_OK
                        ? gzt_arena_strndup(ex->arena, (const char *)b.p, b.len)
                        : "phrase";
                gzt_buf_free(&b);
                e->df = (uint32_t)phrase_df(c, n->q);
            }
            e->idf = n->idf;
            e->tf = tf;
            e->dl = dl;
            e->avgdl = c->avgdl;
            e->score = s;
        }
        return s;
    }
    case N_BOOL: {
        double s = 0;
        for (uint32_t i = 0; i < n->nmust; i++)
            s += score(c, n->must[i], ex);
        for (uint32_t i = 0; i < n->nshould; i++)
            if (n->should[i]->doc == d)
                s += score(c, n->should[i], ex);
        return s;
    }
    default:
        return 0;
    }
}

/* ---- top-k ------------------------------------------------------------- */

typedef struct cand {
    double score;  /* BM25 */
    uint64_t gdoc; /* global docid */
    uint32_t seg;  /* segment */
    uint32_t doc;  /* local docid */
    gzt_date date; /* for date order */
} cand;

/* true when a ranks before b */
static bool
before(const cand *a, const cand *b, gzt_sort sort)
{
    if (sort == GZT_SORT_DATE && a->date != b->date)
        return a->date > b->date;
    if (sort == GZT_SORT_DATE_ASC && a->date != b->date)
        return a->date < b->date;
    if (a->score != b->score)
        return a->score > b->score;
    return a->gdoc < b->gdoc;
}

/* a min-heap on rank: heap[0] is the worst kept */
typedef struct heap {
    cand *v;       /* entries */
    size_t n;      /* count */
    size_t k;      /* capacity */
    gzt_sort sort; /* order */
} heap;

/* restore the heap below slot 0 after it was replaced */
static void
sift_down(heap *h)
{
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, w = i;
        if (l < h->n && before(&h->v[w], &h->v[l], h->sort))
            w = l;
        if (r < h->n && before(&h->v[w], &h->v[r], h->sort))
            w = r;
        if (w == i)
            break;
        cand t = h->v[i];
        h->v[i] = h->v[w];
        h->v[w] = t;
        i = w;
    }
}

static void
heap_push(heap *h, const cand *x)
{
    if (h->k == 0)
        return;
    if (h->n == h->k) {
        if (before(x, &h->v[0], h->sort)) {
            h->v[0] = *x;
            sift_down(h);
        }
        return;
    }
    size_t i = h->n++;
    h->v[i] = *x;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!before(&h->v[p], &h->v[i], h->sort))
            break;
        cand t = h->v[i];
        h->v[i] = h->v[p];
        h->v[p] = t;
        i = p;
    }
}

/* Remove the worst kept entry into *out. */
static void
heap_pop(heap *h, cand *out)
{
    *out = h->v[0];
    h->v[0] = h->v[--h->n];
    sift_down(h);
}

/* Empty the heap into h->v in rank order (best first). */
static void
heap_sort(heap *h)
{
    size_t n = h->n;
    cand *tmp = h->v;
    for (size_t i = n; i-- > 0;) {
        cand x;
        heap_pop(h, &x);
        tmp[i] = x; /* the slot freed at the end of the heap */
    }
    h->n = n;
}

/* ---- dynamic pruning --------------------------------------------------- */

/* The term nodes of @p root when it is a disjunction of plain terms (no
 * required or excluded clause, no title term), into @p out (*n of them);
 * false otherwise. Terms a segment lacks are N_NONE and left out. */
static bool
plain_disjunction(node *root, node **out, uint32_t *n)
{
    *n = 0;
    if (root->kind != N_BOOL || root->nmust || root->nmustnot)
        return false;
    for (uint32_t i = 0; i < root->nshould; i++) {
        node *t = root->should[i];
        if (t->kind == N_NONE)
            continue;
        if (t->kind != N_TERM || t->title)
            return false;
        out[(*n)++] = t;
    }
    return true;
}

/* A bound on a term's BM25 in block @p b of @p p: the score at the block's
 * largest frequency and smallest length (docs/FORMAT.md), raised a little
 * so that rounding in a sum of bounds never falls below a sum of
 * scores. */
static double
block_max(const ctx *c, double idf, const gzt_postings *p, uint32_t b)
{
    const uint8_t *e = p->skip + (size_t)b * GZT_SKIP_LEN;
    return bm25(c, idf, gzt_load_u32(e + 16), gzt_load_u32(e + 20)) *
               (1 + 1e-9) +
           1e-12;
}

/* A bound on the term's BM25 in any document of the segment: the largest
 * over its blocks of the score at the block's largest frequency and
 * smallest length (docs/FORMAT.md), raised a little so that rounding in
 * a sum of bounds never falls below a sum of scores. */
static double
term_bound(const ctx *c, const node *t)
{
    const gzt_postings *p = t->pl;
    double ub = 0;
    for (uint32_t b = 0; b < p->nblocks; b++)
        ub = GZT_MAX(ub, block_max(c, t->idf, p, b));
    return ub;
}

/* A bound on the term's BM25 at document @p d (at or after its cursor):
 * that of the block that would hold @p d, found by walking the skip
 * entries forward from the cursor's block (block-max MaxScore). */
static double
block_bound(const ctx *c, const node *t, uint32_t d)
{
    const gzt_postings *p = t->pl;
    if (t->doc == GZT_END)
        return 0;
    uint32_t b = p->block == UINT32_MAX ? 0 : p->block;
    while (b < p->nblocks &&
           gzt_load_u32(p->skip + (size_t)b * GZT_SKIP_LEN) < d)
        b++;
    if (b == p->nblocks)
        return 0;
    return block_max(c, t->idf, p, b);
}

typedef struct bound_ix {
    double ub;  /* the term's bound */
    node *term; /* the term */
} bound_ix;

static int
cmp_bound(const void *a, const void *b)
{
    double x = ((const bound_ix *)a)->ub, y = ((const bound_ix *)b)->ub;
    return (x > y) - (x < y);
}

/* how far ahead in a posting list the scorers ask for document lengths */
#define LEN_AHEAD 8

/*
 * Block-max MaxScore (Turtle and Flood 1995; Ding and Suel 2011 for the
 * block bounds) over one segment for a disjunction of @p n plain terms,
 * pushing into @p h what exhaustive evaluation would.
 * Terms sorted by their bounds; once the heap is full with threshold T
 * (its worst score), the terms whose bounds sum to at most T are
 * non-essential: a document only they hold cannot rank, so candidates come
 * from the essential terms' postings alone, and a candidate stops being
 * scored as soon as its partial score plus the remaining bounds cannot
 * exceed T, the remaining terms counted at the bound of the block that
 * would hold it. A document that ties T loses: it comes after every kept one
 * (docids grow). Scores are summed in query order, as score() does, so
 * they are the exhaustive ones to the bit. *visited counts the live
 * documents looked at (a lower bound on the matches).
 */
static void
maxscore_segment(ctx *c, node *root, node **terms, uint32_t n, heap *h,
                 uint32_t s, uint64_t base, uint64_t *visited)
{
    bound_ix *t = gzt_arena_alloc(c->pl->arena, n * sizeof *t);
    double *prefix = gzt_arena_alloc(c->pl->arena, n * sizeof *prefix);
    double *cum = gzt_arena_alloc(c->pl->arena, n * sizeof *cum);
    if (!t || !prefix || !cum) {
        c->error = gzt_err_set(c->pl->err, GZT_ENOMEM, "out of memory");
        return;
    }
    for (uint32_t i = 0; i < n; i++)
        t[i] = (bound_ix){term_bound(c, terms[i]), terms[i]};
    qsort(t, n, sizeof *t, cmp_bound);
    for (uint32_t i = 0; i < n; i++)
        prefix[i] = t[i].ub + (i ? prefix[i - 1] : 0);
    for (uint32_t i = 0; i < n; i++)
        seek(c, t[i].term, 0);
    uint32_t first = 0; /* t[0..first) are non-essential */
    gzt_segment *seg = c->seg;
    while (!c->error) {
        bool full = h->n == h->k;
        double theta = full ? h->v[0].score : 0;
        while (full && first < n && prefix[first] <= theta)
            first++;
        if (first == n)
            break; /* nothing left can rank */
        uint32_t d = GZT_END;
        for (uint32_t i = first; i < n; i++)
            if (t[i].term->doc < d)
                d = t[i].term->doc;
        if (d == GZT_END)
            break;
        /* candidates come in docid order from the essential lists: ask
         * for the lengths of those a few places ahead in each */
        for (uint32_t i = first; i < n; i++) {
            const gzt_postings *p = t[i].term->pl;
            if (p && p->i + LEN_AHEAD < p->n)
                gzt_segment_doclen_prefetch(seg, p->docs[p->i + LEN_AHEAD]);
        }
        bool live = !gzt_segment_deleted(seg, d);
        uint32_t dl = gzt_segment_doclen(seg, d);
        double partial = 0;
        for (uint32_t i = first; i < n; i++)
            if (t[i].term->doc == d)
                partial +=
                    bm25(c, t[i].term->idf, term_freq(c, t[i].term->pl), dl);
        /* the non-essential terms' bounds in the blocks that would hold
         * d, summed from the smallest: cum[j] bounds what t[0..j] add */
        bool pruned = false;
        for (uint32_t j = 0; j < first && full && live; j++)
            cum[j] = block_bound(c, t[j].term, d) + (j ? cum[j - 1] : 0);
        for (uint32_t j = first; j-- > 0 && live;) {
            if (full && partial + GZT_MIN(prefix[j], cum[j]) <= theta) {
                pruned = true;
                break;
            }
            if (advance(c, t[j].term, d) == d)
                partial +=
                    bm25(c, t[j].term->idf, term_freq(c, t[j].term->pl), dl);
        }
        if (live) {
            (*visited)++;
            if (!pruned && (!full || partial > theta * (1 - 1e-9))) {
                root->doc = d;
                /* ranked by score: the date is read for the hits alone */
                cand x = {score(c, root, NULL), base + d, s, d, 0};
                heap_push(h, &x);
            }
        }
        for (uint32_t i = first; i < n; i++)
            if (t[i].term->doc == d)
                seek(c, t[i].term, d + 1);
    }
}

/*
 * Block-max evaluation of a single plain term over one segment: once the
 * heap is full with threshold T, the blocks whose bound (the score at the
 * block's largest frequency and smallest length) is at most T are skipped
 * by their skip entries, undecoded; a document that ties T loses anyway
 * (docids grow). Every document looked at is scored by score(), as the
 * exhaustive path does, so the hits are its hits. *visited counts the live
 * documents looked at (a lower bound on the matches).
 */
static void
blockmax_term(ctx *c, node *root, heap *h, uint32_t s, uint64_t base,
              uint64_t *visited)
{
    const gzt_postings *p = root->pl;
    gzt_segment *seg = c->seg;
    uint32_t d = seek(c, root, 0);
    while (d != GZT_END && !c->error) {
        if (h->n == h->k) {
            double theta = h->v[0].score;
            uint32_t b = p->block, nb = b;
            while (nb < p->nblocks && block_max(c, root->idf, p, nb) <= theta)
                nb++;
            if (nb == p->nblocks)
                break; /* nothing left can rank */
            if (nb != b) {
                d = seek(
                    c, root,
                    gzt_load_u32(p->skip + (size_t)(nb - 1) * GZT_SKIP_LEN) +
                        1);
                continue;
            }
        }
        if (p->i + LEN_AHEAD < p->n)
            gzt_segment_doclen_prefetch(seg, p->docs[p->i + LEN_AHEAD]);
        if (!gzt_segment_deleted(seg, d)) {
            (*visited)++;
            /* ranked by score: the date is read for the hits alone */
            cand x = {score(c, root, NULL), base + d, s, d, 0};
            heap_push(h, &x);
        }
        d = seek(c, root, d + 1);
    }
}

/* A conjunction of plain terms: an N_BOOL with two or more must
 * children, all of them terms, and no must-not (should children do not
 * change which documents match). */
static bool
plain_conjunction(const node *root)
{
    if (root->kind != N_BOOL || root->nmust < 2 || root->nmustnot)
        return false;
    for (uint32_t i = 0; i < root->nmust; i++)
        if (root->must[i]->kind != N_TERM || root->must[i]->title)
            return false;
    return true;
}

/* Make ready to read @p k frequencies of @p p's block: all of them decoded
 * for many, one by one (gzt_postings_freq_at()) for a few; false, the
 * error made the query's, when the block is damaged. */
static bool
want_freqs(ctx *c, gzt_postings *p, uint32_t k)
{
    if (k * 16 <= p->n || p->freqs_ready || gzt_postings_decode_freqs(p))
        return true;
    if (p->error && !c->error)
        c->error = p->error;
    return false;
}

/* false, the error made the query's, when reading @p p failed */
static bool
postings_ok(ctx *c, const gzt_postings *p)
{
    if (!p->error)
        return true;
    if (!c->error)
        c->error = p->error;
    return false;
}

/* Keep those of the @p m increasing docids @p ids that @p p holds; their
 * count. Where the candidates fall in a block already decoded they are
 * intersected with it four by four (gzt_codec_intersect()) instead of
 * sought one by one. With @p tf, tf[k] holds for each candidate the
 * frequency of the k-th term narrowed by so far (k < @p nt): the kept
 * candidates' move with them, and @p p's go to tf[nt]. Inlined, so that
 * each caller gets the loop it needs. */
static inline __attribute__((always_inline)) uint32_t
keep_common(ctx *c, gzt_postings *p, uint32_t *ids, uint32_t **tf, uint32_t nt,
            uint32_t m)
{
    uint32_t out = 0, j = 0, ia[GZT_BLOCK], ib[GZT_BLOCK];
    while (j < m && cursor_seek(c, p, ids[j]) != GZT_END) {
        uint32_t used_ids, used_p;
        uint32_t k =
            gzt_codec_intersect(ids + j, m - j, p->docs + p->i, p->n - p->i, ia,
                                ib, &used_ids, &used_p);
        /* frequencies only of a block that holds a candidate */
        if (tf && k && !want_freqs(c, p, k))
            return 0;
        /* out <= j + ia[t]: only what was read is overwritten */
        for (uint32_t t = 0; t < k; t++, out++) {
            uint32_t x = j + ia[t];
            ids[out] = ids[x];
            if (tf) {
                for (uint32_t q = 0; q < nt; q++)
                    tf[q][out] = tf[q][x];
                tf[nt][out] = gzt_postings_freq_at(p, p->i + ib[t]);
            }
        }
        if (tf && !postings_ok(c, p))
            return 0;
        j += used_ids;
        /* the cursor stays on a docid of its block, below the next
         * candidate when the block is used up */
        uint32_t i = p->i + used_p;
        p->i = i < p->n ? i : p->n - 1;
        p->doc = p->docs[p->i];
    }
    return out;
}

/*
 * The live documents holding all the must terms of @p root, a block of the
 * rarest term's docids at a time, narrowed by each other term in turn,
 * rarest first; *total counts them. With a heap @p h they are also ranked:
 * the narrowing keeps each term's frequency, and each match is scored as
 * score() scores it (the must terms' BM25 summed in query order, then the
 * should children that match), so the hits are the exhaustive path's.
 * Without one nothing is scored and no frequency decoded (a count).
 */
static void
conjunction(ctx *c, node *root, heap *h, uint32_t s, uint64_t base,
            bool by_date, uint64_t *total)
{
    uint32_t nm = root->nmust;
    uint32_t **tf = NULL, *slot = NULL;
    if (h) {
        tf = gzt_arena_alloc(c->pl->arena, nm * sizeof *tf);
        slot = gzt_arena_alloc(c->pl->arena, nm * sizeof *slot);
        for (uint32_t k = 0; tf && k < nm; k++)
            if (!(tf[k] =
                      gzt_arena_alloc(c->pl->arena, GZT_BLOCK * sizeof **tf)))
                tf = NULL;
        if (!tf || !slot) {
            c->error = gzt_err_set(c->pl->err, GZT_ENOMEM, "out of memory");
            return;
        }
        /* slot[i]: where must[i] is in morder, so in tf */
        for (uint32_t i = 0; i < nm; i++)
            for (uint32_t k = 0; k < nm; k++)
                if (root->morder[k] == root->must[i])
                    slot[i] = k;
    }
    gzt_postings *lead = root->morder[0]->pl;
    gzt_segment *seg = c->seg;
    uint32_t ids[GZT_BLOCK];
    for (uint32_t d = cursor_seek(c, lead, 0); d != GZT_END && !c->error;) {
        uint32_t m = lead->n - lead->i, last = lead->docs[lead->n - 1];
        memcpy(ids, lead->docs + lead->i, m * sizeof *ids);
        if (!h) { /* a call of its own: the count loop has no frequency */
            for (uint32_t k = 1; k < nm && m; k++)
                m = keep_common(c, root->morder[k]->pl, ids, NULL, 0, m);
            for (uint32_t j = 0; j < m; j++)
                *total += !gzt_segment_deleted(seg, ids[j]);
            d = cursor_seek(c, lead, last + 1);
            continue;
        }
        /* the lead's frequencies wait until a candidate survives: tf[0]
         * holds each candidate's place in its block meanwhile */
        for (uint32_t j = 0; j < m; j++)
            tf[0][j] = lead->i + j;
        for (uint32_t k = 1; k < nm && m; k++)
            m = keep_common(c, root->morder[k]->pl, ids, tf, k, m);
        if (m && !want_freqs(c, lead, m))
            break;
        for (uint32_t j = 0; j < m; j++) {
            tf[0][j] = gzt_postings_freq_at(lead, tf[0][j]);
            gzt_segment_doclen_prefetch(seg, ids[j]);
        }
        if (!postings_ok(c, lead))
            break;
        for (uint32_t j = 0; j < m && !c->error; j++) {
            uint32_t x = ids[j];
            if (gzt_segment_deleted(seg, x))
                continue;
            (*total)++;
            uint32_t dl = gzt_segment_doclen(seg, x);
            double sc = 0;
            for (uint32_t i = 0; i < nm; i++)
                sc += bm25(c, root->must[i]->idf, tf[slot[i]][j], dl);
            for (uint32_t i = 0; i < root->nshould; i++)
                if (advance(c, root->should[i], x) == x)
                    sc += score(c, root->should[i], NULL);
            cand cx = {sc, base + x, s, x,
                       by_date ? gzt_segment_docdate(seg, x) : 0};
            heap_push(h, &cx);
        }
        d = cursor_seek(c, lead, last + 1);
    }
}

/*
 * A phrase at the root, found as conjunction() finds a conjunction: a
 * stretch of the rarest term's docids at a time, narrowed by each other
 * term, rarest first. A stretch ends where the first of the terms' current
 * blocks ends, so that every cursor still holds the survivors' postings;
 * only the survivors' positions are then matched (phrase_freq()), and with
 * a heap @p h a match is scored as score() scores a phrase. *total counts
 * the live matches.
 */
static void
phrase_blocks(ctx *c, node *n, heap *h, uint32_t s, uint64_t base, bool by_date,
              uint64_t *total)
{
    uint32_t np = n->npl, ord[GZT_QUERY_MAX_PHRASE], at[GZT_QUERY_MAX_PHRASE];
    for (uint32_t i = 0; i < np; i++) { /* fewest postings first */
        uint32_t k = i;
        for (; k > 0 && n->pl[ord[k - 1]].ti.df > n->pl[i].ti.df; k--)
            ord[k] = ord[k - 1];
        ord[k] = i;
    }
    gzt_postings *lead = &n->pl[ord[0]];
    gzt_segment *seg = c->seg;
    uint32_t ids[GZT_BLOCK];
    for (uint32_t d = 0; !c->error;) {
        uint32_t x = cursor_seek(c, lead, d);
        if (x == GZT_END)
            return;
        uint32_t hi = lead->docs[lead->n - 1];
        for (uint32_t k = 1; k < np; k++) {
            gzt_postings *p = &n->pl[ord[k]];
            if (cursor_seek(c, p, x) == GZT_END)
                return;
            hi = GZT_MIN(hi, p->docs[p->n - 1]);
            at[k] = p->i;
        }
        at[0] = lead->i;
        uint32_t m = 0;
        for (uint32_t i = lead->i; i < lead->n && lead->docs[i] <= hi; i++)
            ids[m++] = lead->docs[i];
        for (uint32_t k = 1; k < np && m; k++)
            m = keep_common(c, &n->pl[ord[k]], ids, NULL, 0, m);
        for (uint32_t j = 0; j < m && !c->error; j++) {
            uint32_t y = ids[j];
            for (uint32_t k = 0; k < np; k++) { /* back to y in the block */
                gzt_postings *p = &n->pl[ord[k]];
                while (p->docs[at[k]] < y)
                    at[k]++;
                p->i = at[k];
                p->doc = y;
            }
            if (gzt_segment_deleted(seg, y))
                continue;
            uint32_t f = phrase_freq(c, n);
            if (!f)
                continue;
            (*total)++;
            if (!h)
                continue;
            cand cx = {bm25(c, n->idf, f, gzt_segment_doclen(seg, y)), base + y,
                       s, y, by_date ? gzt_segment_docdate(seg, y) : 0};
            heap_push(h, &cx);
        }
        d = hi + 1;
    }
}

/*
 * The number of live documents holding any of @p n plain terms (a count,
 * nothing scored): each term's docids set bits of a bitmap of the segment,
 * block by block, and the bits are counted, the deleted ones cleared;
 * linear in the postings, where merging the cursors document by document
 * pays a comparison per term and document.
 */
static uint64_t
count_union(ctx *c, node **terms, uint32_t n)
{
    gzt_segment *seg = c->seg;
    size_t words = ((size_t)seg->ndocs + 63) / 64;
    uint64_t *bm = gzt_arena_calloc(c->pl->arena, (words + 1) * sizeof *bm);
    if (!bm) {
        c->error = gzt_err_set(c->pl->err, GZT_ENOMEM, "out of memory");
        return 0;
    }
    for (uint32_t t = 0; t < n && !c->error; t++) {
        gzt_postings *p = terms[t]->pl;
        for (uint32_t d = cursor_seek(c, p, 0); d != GZT_END;) {
            for (uint32_t i = p->i; i < p->n; i++)
                bm[p->docs[i] >> 6] |= (uint64_t)1 << (p->docs[i] & 63);
            d = cursor_seek(c, p, p->docs[p->n - 1] + 1);
        }
    }
    if (c->error)
        return 0;
    uint64_t total = 0;
    const uint8_t *del = seg->delbits;
    for (size_t w = 0; w < words; w++) {
        uint64_t x = bm[w];
        if (del && x) {
            uint64_t dw = 0;
            for (unsigned k = 0;
                 k < 8 && w * 8 + k < ((size_t)seg->ndocs + 7) / 8; k++)
                dw |= (uint64_t)del[w * 8 + k] << (8 * k);
            x &= ~dw;
        }
        total += (uint64_t)__builtin_popcountll(x);
    }
    return total;
}

/* ---- search ------------------------------------------------------------ */

typedef struct termset {
    const char *t[GZT_PREFETCH_TERMS]; /* terms as the dictionary has them */
    size_t len[GZT_PREFETCH_TERMS];    /* their lengths */
    uint32_t n;                        /* count */
} termset;

static void
collect_terms(const gzt_qnode *q, termset *ts)
{
    if (q->kind == GZT_Q_TERM || q->kind == GZT_Q_PHRASE)
        for (uint32_t i = 0; i < q->nterms && ts->n < GZT_PREFETCH_TERMS; i++) {
            const char *t = q->terms[i];
            bool title = is_title(t);
            ts->t[ts->n] = t + title;
            ts->len[ts->n++] = strlen(t) - title;
        }
    for (uint32_t i = 0; i < q->nmust; i++)
        collect_terms(q->must[i], ts);
    for (uint32_t i = 0; i < q->nshould; i++)
        collect_terms(q->should[i], ts);
    for (uint32_t i = 0; i < q->nmustnot; i++)
        collect_terms(q->mustnot[i], ts);
}

/* The query's terms' dictionary blocks on their way into the caches in
 * every segment at once, before the lookups that read them one by one. */
static void
prefetch_terms(const gzt_index *idx, const gzt_qnode *q)
{
    termset ts = {.n = 0};
    collect_terms(q, &ts);
    for (uint32_t s = 0; s < idx->nsegs && ts.n > 1; s++)
        gzt_segment_prefetch_terms(idx->segs[s], ts.t, ts.len, ts.n);
}

/* Apply --since/--until by wrapping the query: +query +date:[since,until] */
static gzt_qnode *
with_dates(gzt_arena *a, gzt_qnode *q, gzt_date since, gzt_date until)
{
    gzt_qnode *d = gzt_arena_calloc(a, sizeof *d);
    gzt_qnode *b = gzt_arena_calloc(a, sizeof *b);
    gzt_qnode **must = gzt_arena_alloc(a, 2 * sizeof *must);
    if (!d || !b || !must)
        return NULL;
    d->kind = GZT_Q_DATE;
    d->from = since ? since : 0;
    d->to = until ? until : 99991231;
    b->kind = GZT_Q_BOOL;
    must[0] = q;
    must[1] = d;
    b->must = must;
    b->nmust = 2;
    return b;
}

static double
now_micros(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int search_impl(gzt_results **out, gzt_index *idx, const char *query,
                       const gzt_search_opts *opts, bool bits, gzt_error *err);

int
gzt_search(gzt_results **out, gzt_index *idx, const char *query,
           const gzt_search_opts *opts, gzt_error *err)
{
    gzt_err_clear(err);
    return search_impl(out, idx, query, opts, false, err);
}

int
gzt_search_bits(gzt_results **out, gzt_index *idx, const char *query,
                const gzt_search_opts *opts, gzt_error *err)
{
    gzt_err_clear(err);
    return search_impl(out, idx, query, opts, true, err);
}

static int
search_impl(gzt_results **out, gzt_index *idx, const char *query,
            const gzt_search_opts *opts, bool bits, gzt_error *err)
{
    *out = NULL;
    double t0 = now_micros();
    gzt_search_opts def;
    if (!opts) {
        gzt_search_opts_init(&def);
        opts = &def;
    }
    if (!(opts->k1 >= 0) || !(opts->b >= 0 && opts->b <= 1))
        return gzt_err_set(err, GZT_EINVAL, "k1 must be >= 0 and b in [0, 1]");
    size_t k;
    if (!gzt_size_add(opts->offset, opts->limit, &k) || k > (1u << 24))
        return gzt_err_set(err, GZT_ETOOBIG,
                           "offset + limit over 16 million hits");
    gzt_results *r = gzt_calloc(1, sizeof *r);
    if (!r)
        return gzt_err_set(err, GZT_ENOMEM, "out of memory");
    r->idx = idx;
    r->offset = opts->offset;
    gzt_arena_init(&r->arena, 0);
    gzt_query_opts qo = {opts->all, opts->today};
    int rc = gzt_query_parse(&r->query, &r->arena, query, strlen(query),
                             idx->an, &qo, err);
    if (rc)
        goto fail;
    {
        gzt_buf b = GZT_BUF_INIT;
        rc = gzt_query_format(r->query, &b);
        r->canonical =
            rc ? NULL : gzt_arena_strndup(&r->arena, (const char *)b.p, b.len);
        gzt_buf_free(&b);
        if (!r->canonical) {
            rc = gzt_err_set(err, GZT_ENOMEM, "out of memory");
            goto fail;
        }
    }
    if (opts->since || opts->until) {
        r->query = with_dates(&r->arena, r->query, opts->since, opts->until);
        if (!r->query) {
            rc = gzt_err_set(err, GZT_ENOMEM, "out of memory");
            goto fail;
        }
    }
    plan pl = {idx,
               &r->arena,
               NULL,
               0,
               0,
               opts->k1,
               opts->b,
               err,
               opts->k1 * (1 - opts->b),
               opts->k1 * opts->b / idx->avgdl};
    uint32_t budget = GZT_QUERY_MAX_CLAUSES;
    if ((rc = resolve_entities(&pl, r->query)))
        goto fail;
    if (idx->xdb) {
        /* Xapian expands prefixes itself */
        if (bits) {
            rc = gzt_err_set(err, GZT_EINVAL, "internal: bits on xapian");
            goto fail;
        }
        if ((rc = gzt_xreader_search(r, opts, err)))
            goto fail;
        r->micros = now_micros() - t0;
        *out = r;
        return GZT_OK;
    }
    if ((rc = expand_prefixes(&pl, r->query, &budget)))
        goto fail;
    prefetch_terms(idx, r->query);
    /* counting one word reads no postings where a segment has no
     * deletions: its document frequency is the count */
    if (opts->count_only && !bits && r->query->kind == GZT_Q_TERM &&
        !is_title(r->query->terms[0])) {
        if ((rc = live_df(idx, r->query->terms[0], strlen(r->query->terms[0]),
                          &r->total, NULL, NULL, err)))
            goto fail;
        r->micros = now_micros() - t0;
        *out = r;
        return GZT_OK;
    }
    heap h = {NULL, 0, opts->count_only ? 0 : k, opts->sort};
    if (h.k) {
        h.v = gzt_malloc(h.k * sizeof *h.v);
        if (!h.v) {
            rc = gzt_err_set(err, GZT_ENOMEM, "out of memory");
            goto fail;
        }
    }
    if (bits && !(r->bits = gzt_arena_calloc(&r->arena, (idx->nsegs + 1) *
                                                            sizeof *r->bits))) {
        gzt_free(h.v);
        rc = gzt_err_set(err, GZT_ENOMEM, "out of memory");
        goto fail;
    }
    const bool by_date = opts->sort != GZT_SORT_SCORE;
    for (uint32_t s = 0; s < idx->nsegs && rc == GZT_OK; s++) {
        ctx c = {&pl, idx->segs[s], idx->avgdl, NULL, 0, 0, 0, !h.k};
        uint8_t *bm = NULL;
        if (bits && !(bm = r->bits[s] = gzt_arena_calloc(
                          &r->arena, idx->segs[s]->ndocs / 8 + 1))) {
            rc = gzt_err_set(err, GZT_ENOMEM, "out of memory");
            break;
        }
        node *root = build(&c, r->query);
        node **plain = NULL;
        uint32_t nplain = 0;
        bool disj = root && !bm && root->kind == N_BOOL &&
                    (plain = gzt_arena_alloc(&r->arena, (root->nshould + 1) *
                                                            sizeof *plain)) &&
                    plain_disjunction(root, plain, &nplain) && nplain >= 2;
        bool prune = disj && opts->fast_topk && h.k && !by_date;
        if (disj && !h.k) {
            r->total += count_union(&c, plain, nplain);
        } else if (root && !h.k && !bm && plain_conjunction(root)) {
            conjunction(&c, root, NULL, s, idx->base[s], false, &r->total);
        } else if (prune) {
            maxscore_segment(&c, root, plain, nplain, &h, s, idx->base[s],
                             &r->total);
            r->lower_bound = true;
        } else if (root && opts->fast_topk && h.k && !bm && !by_date &&
                   root->kind == N_TERM && !root->title) {
            blockmax_term(&c, root, &h, s, idx->base[s], &r->total);
            r->lower_bound = true;
        } else if (root && h.k && !bm && plain_conjunction(root)) {
            conjunction(&c, root, &h, s, idx->base[s], by_date, &r->total);
        } else if (root && root->kind == N_PHRASE && root->npl >= 2 && !bm) {
            phrase_blocks(&c, root, h.k ? &h : NULL, s, idx->base[s], by_date,
                          &r->total);
        } else if (root) {
            for (uint32_t d = seek(&c, root, 0); d != GZT_END;
                 d = seek(&c, root, d + 1)) {
                if (gzt_segment_deleted(c.seg, d))
                    continue;
                r->total++;
                if (bm)
                    bm[d >> 3] |= (uint8_t)(1u << (d & 7));
                if (!h.k)
                    continue;
                cand x = {score(&c, root, NULL), idx->base[s] + d, s, d,
                          by_date ? gzt_segment_docdate(c.seg, d) : 0};
                heap_push(&h, &x);
            }
        }
        rc = c.error;
        if (!root && !rc)
            rc = gzt_err_set(err, GZT_ENOMEM, "out of memory");
        release(&c);
    }
    if (rc) {
        gzt_free(h.v);
        goto fail;
    }
    heap_sort(&h);
    size_t first = GZT_MIN(opts->offset, h.n);
    r->nhits = h.n - first;
    r->hits = gzt_arena_calloc(&r->arena, (r->nhits + 1) * sizeof *r->hits);
    if (!r->hits) {
        gzt_free(h.v);
        rc = gzt_err_set(err, GZT_ENOMEM, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < r->nhits && rc == GZT_OK; i++) {
        const cand *x = &h.v[first + i];
        gzt_rhit *hit = &r->hits[i];
        hit->score = x->score;
        hit->gdoc = x->gdoc;
        hit->seg = x->seg;
        hit->doc = x->doc;
        /* a date column miss per candidate is kept for date order */
        hit->date =
            by_date ? x->date : gzt_segment_docdate(idx->segs[x->seg], x->doc);
        if (opts->no_fetch && !opts->explain)
            continue;
        gzt_docfields f;
        rc = gzt_segment_doc(idx->segs[x->seg], x->doc, &f, err);
        if (rc)
            break;
        hit->id = gzt_arena_strndup(&r->arena, f.f[GZT_FIELD_ID],
                                    f.len[GZT_FIELD_ID]);
        hit->title = gzt_arena_strndup(&r->arena, f.f[GZT_FIELD_TITLE],
                                       f.len[GZT_FIELD_TITLE]);
        if (!hit->id || !hit->title) {
            rc = gzt_err_set(err, GZT_ENOMEM, "out of memory");
            break;
        }
        if (opts->explain) {
            ctx c = {&pl, idx->segs[x->seg], idx->avgdl, NULL, 0, 0, 0, false};
            node *root = build(&c, r->query);
            if (root && seek(&c, root, x->doc) == x->doc) {
                explain_out ex = {NULL, 0, 0, &r->arena};
                (void)score(&c, root, &ex);
                hit->explain = ex.t;
                hit->nexplain = ex.n;
            }
            rc = c.error;
            release(&c);
        }
    }
    gzt_free(h.v);
    if (rc)
        goto fail;
    r->micros = now_micros() - t0;
    *out = r;
    return GZT_OK;
fail:
    gzt_results_free(r);
    return rc;
}

size_t
gzt_results_count(const gzt_results *r)
{
    return r->nhits;
}

uint64_t
gzt_results_total(const gzt_results *r)
{
    return r->total;
}

int
gzt_results_total_exact(const gzt_results *r)
{
    return !r->lower_bound;
}

double
gzt_results_micros(const gzt_results *r)
{
    return r->micros;
}

const char *
gzt_results_query(const gzt_results *r)
{
    return r->canonical;
}

int
gzt_results_hit(const gzt_results *r, size_t i, gzt_hit *out)
{
    if (i >= r->nhits)
        return GZT_EINVAL;
    const gzt_rhit *h = &r->hits[i];
    out->rank = r->offset + i + 1;
    out->score = h->score;
    out->id = h->id;
    out->title = h->title;
    out->date = h->date;
    out->docid = h->gdoc;
    return GZT_OK;
}

const gzt_explain_term *
gzt_results_explain(const gzt_results *r, size_t i, size_t *n)
{
    *n = 0;
    if (i >= r->nhits)
        return NULL;
    *n = r->hits[i].nexplain;
    return r->hits[i].explain;
}

void
gzt_results_free(gzt_results *r)
{
    if (!r)
        return;
    gzt_arena_fini(&r->arena);
    gzt_free(r);
}

int
gzt_date_range_parse(gzt_date *from, gzt_date *to, const char *s,
                     gzt_date today, gzt_error *err)
{
    gzt_err_clear(err);
    if (gzt_date_parse_range(s, strlen(s), today ? today : gzt_date_today(),
                             from, to) != GZT_OK)
        return gzt_err_set(err, GZT_EINVAL,
                           "'%s' is not a date (YYYY, YYYY-MM, YYYY-MM-DD, "
                           "Nd, Nw, Nm, Ny, or A..B)",
                           s);
    return GZT_OK;
}
