/* SPDX-License-Identifier: MIT */
/*
 * writer.c: the index writer of the public API (gzt_writer_*, gzt_reindex).
 *
 * A writer holds the index lock, a working copy of the manifest, the open
 * segments with in-memory copies of their deletion bitmaps, and the
 * in-memory inverter for new documents. Adding a document looks its
 * external id up (the unique "Q" term of each segment, and the batch); a
 * document whose content hash is unchanged is left alone, a changed one is
 * marked deleted where it lives and added again. Nothing is visible until
 * commit, which writes the new segment and deletion files, merges when there
 * are too many segments, and replaces the manifest atomically; then files no
 * longer named by it are removed.
 *
 * Ids seen by this writer are remembered as 64-bit hashes: that tells which
 * documents --prune may delete, and lets an id never seen before skip the
 * lookup in segments this writer made itself. A hash collision (about 1 in
 * 10^12 for a million ids) could only make prune keep a stale document.
 */
#include <dirent.h>
#include <pthread.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/analyze.h"
#include "common/entity.h"
#include "common/io.h"
#include "common/manifest.h"
#include "common/segment.h"
#include "common/utf8.h"
#include "indexer/ingest.h"
#include "indexer/invert.h"
#include "indexer/merge.h"
#include "indexer/xindex.h"

#define DEFAULT_MEMORY (256u << 20)

/* ---- the ids this writer has seen -------------------------------------- */

/*
 * One map from id hashes serves two questions: has this writer seen the id
 * (an entry exists), and which buffered document has it (doc, valid while
 * gen is the writer's current batch generation; a flush starts the next
 * generation instead of clearing the map). One lookup per added document,
 * which for millions of ids is one cache miss, answers both. A key and its
 * values share a 16-byte slot.
 */
typedef struct hslot {
    uint64_t key; /* 0 = empty */
    uint32_t doc; /* buffered document; UINT32_MAX none */
    uint32_t gen; /* batch generation doc belongs to */
} hslot;

typedef struct hmap {
    hslot *slots; /* open addressing, at most half full */
    size_t n;     /* entries */
    size_t cap;   /* slots, power of two */
} hmap;

static uint64_t
hkey(const char *s, size_t len)
{
    uint64_t h = gzt_id_hash(s, len);
    return h ? h : 1;
}

/* The slot of @p k, inserted with no document when absent (then *found,
 * if not NULL, is false); NULL when out of memory. The pointer is good
 * until the next insertion. */
static hslot *
hmap_slot(hmap *m, uint64_t k, bool *found)
{
    if ((m->n + 1) * 2 > m->cap) {
        size_t ncap = m->cap ? m->cap * 2 : 1024;
        hslot *ns = gzt_calloc(ncap, sizeof *ns);
        if (!ns)
            return NULL;
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->slots[i].key)
                continue;
            size_t j = m->slots[i].key & (ncap - 1);
            while (ns[j].key)
                j = (j + 1) & (ncap - 1);
            ns[j] = m->slots[i];
        }
        gzt_free(m->slots);
        m->slots = ns;
        m->cap = ncap;
    }
    size_t j = k & (m->cap - 1);
    while (m->slots[j].key && m->slots[j].key != k)
        j = (j + 1) & (m->cap - 1);
    bool had = m->slots[j].key != 0;
    if (found)
        *found = had;
    if (!had) {
        m->n++;
        m->slots[j] = (hslot){k, UINT32_MAX, 0};
    }
    return &m->slots[j];
}

/* start loading the slot where a lookup of @p k begins */
static void
hmap_prefetch(const hmap *m, uint64_t k)
{
    if (m->cap)
        __builtin_prefetch(&m->slots[k & (m->cap - 1)]);
}

/* the slot of @p k; NULL when absent */
static hslot *
hmap_find(const hmap *m, uint64_t k)
{
    if (!m->cap)
        return NULL;
    size_t j = k & (m->cap - 1);
    while (m->slots[j].key) {
        if (m->slots[j].key == k)
            return &m->slots[j];
        j = (j + 1) & (m->cap - 1);
    }
    return NULL;
}

static void
hmap_free(hmap *m)
{
    gzt_free(m->slots);
    memset(m, 0, sizeof *m);
}

/* ---- the writer -------------------------------------------------------- */

typedef struct gzt_pool gzt_pool;
static void pool_free(gzt_pool *p);
static int flush_join(gzt_writer *w, gzt_error *err);
static void remove_leftovers(const char *dir, const gzt_manifest *m);

struct gzt_writer {
    char *dir;                /* index directory */
    int lockfd;               /* writer lock */
    gzt_manifest man;         /* working manifest: committed + pending */
    gzt_segment **segs;       /* open segments, parallel to man.segs */
    uint8_t **del;            /* pending deletion bitmaps (NULL = as on disk) */
    uint32_t nold;            /* segments that existed when opened/committed */
    gzt_analyzer *an;         /* analyzer of the index's language */
    gzt_inv *inv;             /* buffered new documents */
    hmap ids;                 /* id hashes seen, and buffered docs */
    uint32_t batch_gen;       /* generation of w->inv's documents */
    size_t memory;            /* budget */
    gzt_progress_fn progress; /* callback */
    void *progress_ctx;       /* its context */
    gzt_buf title;            /* repaired title */
    gzt_buf body;             /* repaired body */
    gzt_recognizer *rec;      /* entity recognition, NULL when off */
    gzt_arena entarena;       /* per-document entity memory */
    gzt_buf entbuf;           /* encoded entities of a document */
    gzt_pool *pool;           /* worker threads tagging entities, or NULL */
    uint64_t repaired;        /* invalid UTF-8 sequences replaced */
    bool dirty;               /* something to commit */
    bool optimize;            /* merge into one segment at commit */
    unsigned jobs;            /* analysis threads; 0 = one per core but one */
    bool bg_ok;               /* segments may be written in the background */
    bool bg_on;               /* one is being written: the fields below */
    pthread_t bg_th;          /* the thread writing it */
    gzt_inv *bg_inv;          /* its documents (emptied by the write) */
    uint32_t bg_id;           /* its segment id */
    gzt_segw_info bg_info;    /* what it wrote */
    gzt_error bg_err;         /* why it failed */
    int bg_rc;                /* its result */
    bool xapian;              /* engine xapian (x holds the shards) */
    gzt_xindex *x;            /* the shards; NULL on the native engine, or
                                 after a failed commit */
    bool xnew;                /* x is a build into new shard directories
                                 that no manifest names yet */
    uint32_t old_shards;      /* rebuild: the shards it replaces */
    uint64_t old_tag;         /* and their tag */
};

void
gzt_writer_opts_init(gzt_writer_opts *o)
{
    memset(o, 0, sizeof *o);
    o->memory = DEFAULT_MEMORY;
    o->entities = -1;
}

/* Remove the Xapian databases named shard-* in @p dir that @p keep (NULL:
 * none) does not name: leftovers of builds that never committed, shards a
 * reindex replaced, compaction copies. Each is first renamed out of the
 * way, so that a reader never opens one half-removed; a directory that is
 * not a Xapian database is left alone. What cannot be removed stays. */
static void
remove_unreferenced_shards(const char *dir, const gzt_manifest *keep,
                           uint64_t *removed, uint64_t *bytes)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    gzt_buf names = GZT_BUF_INIT; /* NUL-separated */
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *n = e->d_name;
        bool named = false;
        for (uint32_t k = 0; keep && k < keep->shards && !named; k++) {
            char name[64];
            gzt_manifest_shard_name(keep, k, name);
            named = strcmp(n, name) == 0;
        }
        if (strncmp(n, "shard-", 6) != 0 || named)
            continue;
        if (gzt_buf_append(&names, n, strlen(n) + 1))
            break;
    }
    closedir(d);
    for (size_t off = 0; off < names.len;) {
        const char *n = (const char *)names.p + off;
        off += strlen(n) + 1;
        char *p = gzt_path_join(dir, n), *glass = NULL, *trash = NULL;
        struct stat st;
        if (p && (glass = gzt_path_join(p, "iamglass")) &&
            stat(glass, &st) == 0 && (trash = gzt_malloc(strlen(p) + 8))) {
            sprintf(trash, "%s.trash", p);
            uint64_t size = gzt_io_tree_size(p);
            int rc = strstr(n, ".trash") || rename(p, trash) != 0
                         ? gzt_io_rmtree(p, NULL)
                         : gzt_io_rmtree(trash, NULL);
            if (rc == GZT_OK && removed)
                (*removed)++;
            if (rc == GZT_OK && bytes)
                *bytes += size;
        }
        gzt_free(p);
        gzt_free(glass);
        gzt_free(trash);
    }
    gzt_buf_free(&names);
}

/* Settle the engine of the index from the options: a new index takes
 * them, an existing one must agree. */
static int
setup_engine(gzt_writer *w, const gzt_writer_opts *opts, bool fresh,
             bool rebuild, gzt_error *err)
{
    gzt_manifest *m = &w->man;
    const char *want = opts->engine;
    if (want && strcmp(want, "native") != 0 && strcmp(want, "xapian") != 0)
        return gzt_err_set(err, GZT_EINVAL,
                           "unknown engine '%s' (native or xapian)", want);
    if (opts->shards > GZT_SHARDS_MAX)
        return gzt_err_set(err, GZT_ETOOBIG, "%u shards (at most %u)",
                           opts->shards, GZT_SHARDS_MAX);
    if (fresh) {
        snprintf(m->engine, sizeof m->engine, "%s", want ? want : "native");
        m->shards = strcmp(m->engine, "xapian") == 0
                        ? (opts->shards ? opts->shards : 1)
                        : 0;
    } else if (want && strcmp(want, m->engine) != 0) {
        return gzt_err_set(err, GZT_EINVAL,
                           "%s: the index uses engine '%s', not '%s' (build "
                           "a new index to change it)",
                           w->dir, m->engine, want);
    } else if (strcmp(m->engine, "native") != 0 &&
               strcmp(m->engine, "xapian") != 0) {
        return gzt_err_set(err, GZT_EINVAL,
                           "%s: engine '%s' is not supported by this version",
                           w->dir, m->engine);
    }
    bool xapian = strcmp(m->engine, "xapian") == 0;
    if (!xapian && opts->shards > 1)
        return gzt_err_set(err, GZT_EINVAL,
                           "--shards is for indexes of engine xapian (made "
                           "with gazette index --engine xapian); a native "
                           "index is one set of segments");
    if (xapian && m->shards == 0)
        return gzt_err_set(err, GZT_ECORRUPT,
                           "%s/MANIFEST: engine xapian without shards", w->dir);
    if (xapian && !fresh && opts->shards && opts->shards != m->shards &&
        !rebuild)
        return gzt_err_set(err, GZT_EINVAL,
                           "%s: the index has %u shards, not %u (reindex "
                           "--shards changes it)",
                           w->dir, m->shards, opts->shards);
    if (!xapian)
        return GZT_OK;
    if (rebuild) {
        w->old_shards = m->shards;
        w->old_tag = m->shard_tag;
        if (opts->shards)
            m->shards = opts->shards;
        m->shard_tag = m->generation + 1;
    }
    w->xapian = true;
    w->xnew = fresh || rebuild;
    /* a build replaces whatever a run that never committed left at its
     * shards' names */
    int rc = gzt_xindex_open(&w->x, w->dir, m, w->xnew, !w->xnew, w->an, err);
    if (rc || w->xnew)
        return rc;
    /* the shards must all be at the manifest's generation; all one ahead
     * means a crash came between their commits and the manifest's, and
     * the manifest catches up at this writer's commit */
    uint64_t gen;
    if ((rc = gzt_xindex_generation(w->x, w->dir, &gen, err)))
        return rc;
    if (gen == m->generation + 1) {
        m->generation = gen;
        w->dirty = true;
    } else if (gen != m->generation) {
        return gzt_err_set(err, GZT_ECORRUPT,
                           "%s: the shards were committed at generation "
                           "%llu, the manifest at %llu (gazette reindex "
                           "rebuilds the index)",
                           w->dir, (unsigned long long)gen,
                           (unsigned long long)m->generation);
    }
    return GZT_OK;
}

static void
close_segments(gzt_writer *w)
{
    for (uint32_t i = 0; i < w->man.nsegs; i++) {
        if (w->segs)
            gzt_segment_close(w->segs[i]);
        if (w->del)
            gzt_free(w->del[i]);
    }
    gzt_free(w->segs);
    gzt_free(w->del);
    w->segs = NULL;
    w->del = NULL;
}

/* open the segments of w->man */
static int
open_segments(gzt_writer *w, gzt_error *err)
{
    uint32_t n = w->man.nsegs;
    w->segs = gzt_calloc(n + 1, sizeof *w->segs);
    w->del = gzt_calloc(n + 1, sizeof *w->del);
    if (!w->segs || !w->del)
        return gzt_err_set(err, GZT_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < n; i++) {
        const gzt_mseg *m = &w->man.segs[i];
        int rc = gzt_segment_open(&w->segs[i], w->dir, m->id, m->del, err);
        if (rc)
            return rc;
        if (w->segs[i]->ndocs != m->ndocs || w->segs[i]->ndeleted != m->deleted)
            return gzt_err_set(err, GZT_ECORRUPT,
                               "%s/MANIFEST: segment %u: document counts "
                               "disagree with the segment files",
                               w->dir, m->id);
    }
    w->nold = n;
    return GZT_OK;
}

/* A recognizer with the index's model and user lists (one per thread). */
static int
make_recognizer(gzt_writer *w, gzt_recognizer **out, gzt_error *err)
{
    gzt_buf data = GZT_BUF_INIT;
    int rc = GZT_OK;
    *out = NULL;
    if (w->man.ner_model)
        rc = gzt_io_read_file(w->man.ner_model, &data, (size_t)256 << 20, err);
    if (rc == GZT_OK) {
        rc = gzt_recognizer_new(out, w->man.ner_model ? data.p : NULL, data.len,
                                err);
        if (rc == GZT_ECORRUPT && w->man.ner_model)
            gzt_err_prefix(err, w->man.ner_model);
    }
    for (uint32_t i = 0; i < w->man.nlists && rc == GZT_OK; i++) {
        rc = gzt_io_read_file(w->man.lists[i], &data, (size_t)256 << 20, err);
        if (rc == GZT_OK)
            rc = gzt_recognizer_add_list(*out, (const char *)data.p, data.len,
                                         w->man.lists[i], err);
    }
    gzt_buf_free(&data);
    if (rc) {
        gzt_recognizer_free(*out);
        *out = NULL;
    }
    return rc;
}

/* Set up entity recognition from the options and the manifest. */
static int
setup_entities(gzt_writer *w, const gzt_writer_opts *opts, bool fresh,
               bool rebuild, gzt_error *err)
{
    if (fresh)
        w->man.entities = opts->entities != 0;
    else if (opts->entities >= 0 && opts->entities != w->man.entities)
        return gzt_err_set(err, GZT_EINVAL,
                           "%s: the index was built with entities %s (change "
                           "it with gazette reindex --%s-entities)",
                           w->dir, w->man.entities ? "on" : "off",
                           w->man.entities ? "no" : "with");
    for (const char *const *l = opts->entity_lists; l && *l; l++) {
        char abs[PATH_MAX];
        if (!realpath(*l, abs))
            return gzt_err_set(err, errno == ENOENT ? GZT_ENOTFOUND : GZT_EIO,
                               "%s: %s", *l, strerror(errno));
        if (gzt_manifest_add_list(&w->man, abs))
            return gzt_err_set(err, GZT_ENOMEM, "out of memory");
        w->dirty = true;
    }
    if (opts->ner_model) {
        char abs[PATH_MAX];
        if (!realpath(opts->ner_model, abs))
            return gzt_err_set(err, errno == ENOENT ? GZT_ENOTFOUND : GZT_EIO,
                               "%s: %s", opts->ner_model, strerror(errno));
        if (!fresh && !rebuild &&
            (!w->man.ner_model || strcmp(w->man.ner_model, abs)))
            return gzt_err_set(err, GZT_EINVAL,
                               "%s: the index was built with %s tagger model "
                               "(change it with gazette reindex --ner-model)",
                               w->dir,
                               w->man.ner_model ? "another"
                                                : "the "
                                                  "built-in");
        gzt_free(w->man.ner_model);
        if (!(w->man.ner_model = gzt_strdup(abs)))
            return gzt_err_set(err, GZT_ENOMEM, "out of memory");
    }
    if (!w->man.entities) {
        if (w->man.nlists || w->man.ner_model)
            return gzt_err_set(err, GZT_EINVAL,
                               "entity lists and models need entities on");
        return GZT_OK;
    }
    return make_recognizer(w, &w->rec, err);
}

static int writer_open(gzt_writer **out, const char *path,
                       const gzt_writer_opts *opts, bool rebuild,
                       gzt_error *err);

int
gzt_writer_open(gzt_writer **out, const char *path, const gzt_writer_opts *opts,
                gzt_error *err)
{
    gzt_err_clear(err);
    return writer_open(out, path, opts, false, err);
}

/* Open a writer; with @p rebuild it starts from no segments (reindex), and
 * may read the manifest of an older format. */
static int
writer_open(gzt_writer **out, const char *path, const gzt_writer_opts *opts,
            bool rebuild, gzt_error *err)
{
    *out = NULL;
    gzt_writer_opts def;
    if (!opts) {
        gzt_writer_opts_init(&def);
        opts = &def;
    }
    if (opts->jobs > GZT_JOBS_MAX)
        return gzt_err_set(err, GZT_EINVAL, "at most %d jobs, not %u",
                           GZT_JOBS_MAX, opts->jobs);
    gzt_writer *w = gzt_calloc(1, sizeof *w);
    if (!w || !(w->dir = gzt_strdup(path))) {
        gzt_free(w);
        return gzt_err_set(err, GZT_ENOMEM, "out of memory");
    }
    w->lockfd = -1;
    gzt_arena_init(&w->entarena, 0);
    w->memory = opts->memory ? opts->memory : DEFAULT_MEMORY;
    w->progress = opts->progress;
    w->progress_ctx = opts->progress_ctx;
    w->optimize = opts->optimize != 0;
    w->jobs = opts->jobs;
    w->bg_ok = opts->jobs != 1 && sysconf(_SC_NPROCESSORS_ONLN) > 1;
    struct stat st;
    bool existed = stat(path, &st) == 0;
    int rc = gzt_io_mkdir(path, err);
    if (rc == GZT_OK)
        rc = gzt_io_lock(path, &w->lockfd, err);
    if (rc)
        goto fail;
    rc = gzt_manifest_read(&w->man, path, err);
    /* what a writer killed before its commit left would be in the way of
     * this one's files (they take the same names) */
    if (rc == GZT_OK || rc == GZT_ENOTFOUND)
        remove_leftovers(path, rc == GZT_OK ? &w->man : NULL);
    /* every segment the manifest names is committed: a failure from here
     * on must not let gzt_writer_close() remove any of them */
    w->nold = w->man.nsegs;
    bool fresh = rc == GZT_ENOTFOUND;
    if (rc == GZT_OK && rebuild) {
        /* start from nothing: the old segments stay on disk, and in use by
         * readers, until the new manifest replaces the old one */
        if (w->man.format < GZT_FORMAT_VERSION)
            w->man.entities = opts->entities != 0;
        else if (opts->entities >= 0)
            w->man.entities = opts->entities;
        w->man.format = GZT_FORMAT_VERSION;
        w->man.nsegs = 0;
        w->nold = 0;
        w->dirty = true;
    } else if (rc == GZT_OK && w->man.format != GZT_FORMAT_VERSION &&
               !(strcmp(w->man.engine, "xapian") == 0 &&
                 w->man.format >= GZT_FORMAT_XAPIAN_MIN)) {
        rc = gzt_err_set(err, GZT_EINVAL,
                         "%s: index format %u, but this gazette writes "
                         "format %u: rebuild it with gazette reindex",
                         path, w->man.format, GZT_FORMAT_VERSION);
    } else if (rc == GZT_OK) {
        /* an older Xapian index this gazette updates: what it adds is of
         * this format (stored mentions an older gazette would misread) */
        w->man.format = GZT_FORMAT_VERSION;
    }
    if (rc == GZT_ENOTFOUND) {
        gzt_err_clear(err);
        memset(&w->man, 0, sizeof w->man);
        snprintf(w->man.language, sizeof w->man.language, "%s",
                 opts->language ? opts->language : "english");
        w->man.format = GZT_FORMAT_VERSION;
        w->man.next_segment = 1;
        w->dirty = true; /* a new index commits even when empty */
        rc = GZT_OK;
    }
    if (rc)
        goto fail;
    if ((rc = gzt_analyzer_new(&w->an, w->man.language, err)))
        goto fail;
    if (opts->language &&
        strcmp(gzt_analyzer_language(w->an), opts->language) != 0) {
        gzt_analyzer *want = NULL;
        int rc2 = gzt_analyzer_new(&want, opts->language, NULL);
        bool same = rc2 == GZT_OK && !strcmp(gzt_analyzer_language(want),
                                             gzt_analyzer_language(w->an));
        gzt_analyzer_free(want);
        if (!same) {
            rc = gzt_err_set(err, GZT_EINVAL,
                             "%s: the index was built with language '%s', "
                             "not '%s' (use gazette reindex or a new index)",
                             path, w->man.language, opts->language);
            goto fail;
        }
    }
    snprintf(w->man.language, sizeof w->man.language, "%s",
             gzt_analyzer_language(w->an));
    if ((rc = gzt_inv_new(&w->inv, w->an))) {
        rc = gzt_err_set(err, rc, "out of memory");
        goto fail;
    }
    if ((rc = setup_entities(w, opts, fresh, rebuild, err)) ||
        (rc = setup_engine(w, opts, fresh, rebuild, err)))
        goto fail;
    if ((rc = open_segments(w, err)))
        goto fail;
    *out = w;
    return GZT_OK;
fail:
    gzt_writer_close(w);
    if (!existed) { /* a new index refused: leave no trace of it */
        char *lock = gzt_path_join(path, "LOCK");
        if (lock)
            unlink(lock);
        gzt_free(lock);
        rmdir(path);
    }
    return rc;
}

static void remove_unreferenced(const char *dir, const gzt_manifest *m,
                                uint64_t *removed, uint64_t *bytes);

/* Remove the files of the native index in @p dir that its committed
 * manifest @p m (NULL: none yet) does not name: those of segments and
 * deletion lists that a failed commit, or a killed run, left. Under the
 * writer lock. */
static void
remove_leftovers(const char *dir, const gzt_manifest *m)
{
    static const gzt_manifest none;
    if (!m || strcmp(m->engine, "xapian") != 0)
        remove_unreferenced(dir, m ? m : &none, NULL, NULL);
}

/* remove_leftovers() after the manifest on disk; one that cannot be read
 * removes nothing */
static void
remove_uncommitted(const char *dir)
{
    gzt_manifest disk;
    int rc = gzt_manifest_read(&disk, dir, NULL);
    if (rc == GZT_ENOTFOUND)
        remove_leftovers(dir, NULL);
    if (rc == GZT_OK) {
        remove_leftovers(dir, &disk);
        gzt_manifest_fini(&disk);
    }
}

void
gzt_writer_close(gzt_writer *w)
{
    if (!w)
        return;
    (void)flush_join(w, NULL);
    gzt_inv_free(w->bg_inv);
    gzt_xindex_close(w->x);
    if (w->xnew) { /* a build that never committed */
        gzt_manifest old;
        memset(&old, 0, sizeof old);
        old.shards = w->old_shards;
        old.shard_tag = w->old_tag;
        remove_unreferenced_shards(w->dir, &old, NULL, NULL);
    }
    close_segments(w);
    if (w->lockfd >= 0 && !w->xapian && w->dirty)
        remove_uncommitted(w->dir);
    gzt_inv_free(w->inv);
    gzt_analyzer_free(w->an);
    pool_free(w->pool);
    gzt_recognizer_free(w->rec);
    gzt_arena_fini(&w->entarena);
    gzt_buf_free(&w->entbuf);
    hmap_free(&w->ids);
    gzt_manifest_fini(&w->man);
    gzt_buf_free(&w->title);
    gzt_buf_free(&w->body);
    gzt_io_unlock(w->lockfd);
    gzt_free(w->dir);
    gzt_free(w);
}

static bool
seg_deleted(const gzt_writer *w, uint32_t i, uint32_t d)
{
    if (w->del[i])
        return w->del[i][d >> 3] >> (d & 7) & 1;
    return gzt_segment_deleted(w->segs[i], d);
}

/* make segment @p i's pending deletion bitmap, a copy of its own, if it
 * has none yet */
static int
seg_bitmap(gzt_writer *w, uint32_t i)
{
    gzt_segment *s = w->segs[i];
    if (!w->del[i]) {
        size_t n = ((size_t)s->ndocs + 7) / 8;
        w->del[i] = gzt_calloc(n + 1, 1);
        if (!w->del[i])
            return GZT_ENOMEM;
        if (s->delbits)
            memcpy(w->del[i], s->delbits, n);
    }
    return GZT_OK;
}

/* mark doc @p d of segment @p i deleted in its pending bitmap, which
 * seg_bitmap() made */
static void
seg_mark(gzt_writer *w, uint32_t i, uint32_t d)
{
    w->del[i][d >> 3] |= (uint8_t)(1u << (d & 7));
    w->dirty = true;
}

/* seg_bitmap(), then seg_mark() */
static int
seg_delete(gzt_writer *w, uint32_t i, uint32_t d)
{
    if (seg_bitmap(w, i))
        return GZT_ENOMEM;
    seg_mark(w, i, d);
    return GZT_OK;
}

/* Find the live document with id @p id in the segments: *seg = index or
 * UINT32_MAX. Segments made by this writer are searched only when
 * @p all. */
static int
find_in_segments(gzt_writer *w, const char *id, size_t len, bool all,
                 uint32_t *seg, uint32_t *doc, gzt_error *err)
{
    *seg = UINT32_MAX;
    uint32_t n = all ? w->man.nsegs : w->nold;
    for (uint32_t i = n; i-- > 0;) {
        bool found;
        int rc = gzt_segment_find_id(w->segs[i], id, len, w->del[i], &found,
                                     doc, err);
        if (rc || found) {
            *seg = found ? i : UINT32_MAX;
            return rc;
        }
    }
    return GZT_OK;
}

static int add_flushed(gzt_writer *w, uint32_t id, const gzt_segw_info *info,
                       gzt_error *err);

static void *
bg_flush_main(void *arg)
{
    gzt_writer *w = arg;
    gzt_err_clear(&w->bg_err);
    w->bg_rc = gzt_inv_flush(w->bg_inv, w->dir, w->bg_id, true, &w->bg_info,
                             &w->bg_err);
    return NULL;
}

/* Take the segment written by bg_flush_main() into the writer, or report
 * why it failed (its files are gone). */
static int
flush_taken(gzt_writer *w, gzt_error *err)
{
    if (w->bg_rc) {
        if (err)
            *err = w->bg_err;
        return w->bg_rc;
    }
    return add_flushed(w, w->bg_id, &w->bg_info, err);
}

/* Wait for the segment being written in the background, if any. */
static int
flush_join(gzt_writer *w, gzt_error *err)
{
    if (!w->bg_on)
        return GZT_OK;
    pthread_join(w->bg_th, NULL);
    w->bg_on = false;
    return flush_taken(w, err);
}

/* Write the buffered documents as a segment on a second thread, and go on
 * buffering into an empty inverter meanwhile: indexing does not stop for
 * the sort and encoding of each segment. Runs synchronously when no
 * thread can be started. */
static int
flush_start(gzt_writer *w, gzt_error *err)
{
    int rc = flush_join(w, err);
    if (rc)
        return rc;
    gzt_inv *fresh = w->bg_inv;
    w->bg_inv = NULL;
    if (!fresh && (rc = gzt_inv_new(&fresh, w->an)))
        return gzt_err_set(err, rc, "out of memory");
    w->bg_inv = w->inv;
    w->inv = fresh;
    w->batch_gen++;
    w->bg_id = w->man.next_segment++;
    if (pthread_create(&w->bg_th, NULL, bg_flush_main, w) == 0) {
        w->bg_on = true;
        return GZT_OK;
    }
    bg_flush_main(w);
    return flush_taken(w, err);
}

static int
flush(gzt_writer *w, gzt_error *err)
{
    int rc = flush_join(w, err);
    if (rc)
        return rc;
    if (gzt_inv_live(w->inv) == 0) {
        gzt_inv_free(w->inv);
        w->inv = NULL;
        w->batch_gen++;
        rc = gzt_inv_new(&w->inv, w->an);
        return rc ? gzt_err_set(err, rc, "out of memory") : GZT_OK;
    }
    uint32_t id = w->man.next_segment;
    gzt_segw_info info;
    rc = gzt_inv_flush(w->inv, w->dir, id, w->bg_ok, &info, err);
    w->batch_gen++;
    if (rc)
        return rc;
    w->man.next_segment++;
    return add_flushed(w, id, &info, err);
}

/* Take segment @p id, just written, into the writer. */
static int
add_flushed(gzt_writer *w, uint32_t id, const gzt_segw_info *info,
            gzt_error *err)
{
    gzt_mseg *ns = gzt_realloc(w->man.segs, (w->man.nsegs + 1) * sizeof *ns);
    gzt_segment **nsg = gzt_realloc(w->segs, (w->man.nsegs + 2) * sizeof *nsg);
    if (nsg)
        w->segs = nsg;
    uint8_t **nd = gzt_realloc(w->del, (w->man.nsegs + 2) * sizeof *nd);
    if (nd)
        w->del = nd;
    if (!ns || !nsg || !nd) {
        if (ns)
            w->man.segs = ns;
        return gzt_err_set(err, GZT_ENOMEM, "out of memory");
    }
    w->man.segs = ns;
    gzt_mseg *m = &ns[w->man.nsegs];
    memset(m, 0, sizeof *m);
    m->id = id;
    m->ndocs = info->ndocs;
    m->tokens = info->tokens;
    w->segs[w->man.nsegs] = NULL;
    w->del[w->man.nsegs] = NULL;
    w->man.nsegs++;
    return gzt_segment_open(&w->segs[w->man.nsegs - 1], w->dir, id, NULL, err);
}

/* A document ready for add_prepared(): repaired text, hash, entities. */
typedef struct prepared {
    const char *id;     /* external id */
    size_t idlen;       /* bytes */
    uint64_t key;       /* hkey() of the id */
    const char *title;  /* valid UTF-8 */
    size_t title_len;   /* bytes */
    const char *body;   /* valid UTF-8 */
    size_t body_len;    /* bytes */
    gzt_date date;      /* date */
    const char *source; /* source path or NULL */
    uint64_t hash;      /* content_hash() */
    /* analysed by a worker (have_terms): gzt_docterms_run()'s records and
     * the stored form of the entities; else both are worked out here */
    bool have_terms;         /* the fields below are set */
    const uint8_t *terms;    /* records */
    size_t terms_len;        /* bytes */
    gzt_docinfo info;        /* length and title end */
    const uint8_t *entbytes; /* gzt_entity_encode() of the mentions */
    size_t entlen;           /* bytes */
} prepared;

/* content hash: title, body and date */
static uint64_t
content_hash(const void *title, size_t tlen, const void *body, size_t blen,
             gzt_date date)
{
    uint64_t h[3] = {gzt_hash64(title, tlen), gzt_hash64(body, blen),
                     (uint64_t)(uint32_t)date};
    return gzt_hash64(h, sizeof h);
}

static int add_prepared(gzt_writer *w, const prepared *p,
                        gzt_add_result *result, gzt_error *err);

/* The ceilings every added document must keep; *idlen its id's bytes. */
static int
check_doc(const gzt_doc *doc, size_t *idlen, gzt_error *err)
{
    if (!doc->id || !doc->id[0])
        return gzt_err_set(err, GZT_EINVAL, "document without an id");
    *idlen = strlen(doc->id);
    if (*idlen > GZT_ID_MAX)
        return gzt_err_set(err, GZT_ETOOBIG, "id of %zu bytes (over %u)",
                           *idlen, GZT_ID_MAX);
    if (doc->title_len + doc->body_len > GZT_DOC_MAX)
        return gzt_err_set(err, GZT_ETOOBIG,
                           "%s: document of %zu bytes (over 64 MiB)", doc->id,
                           doc->title_len + doc->body_len);
    return GZT_OK;
}

/* gzt_writer_add() of a document check_doc() passed: @p idlen its id's
 * bytes, @p key the hkey() of its id, whose slot has been asked for */
static int
add_checked(gzt_writer *w, const gzt_doc *doc, size_t idlen, uint64_t key,
            gzt_add_result *result, gzt_error *err)
{
    gzt_buf_reset(&w->title);
    gzt_buf_reset(&w->body);
    if (gzt_utf8_repair(&w->title, doc->title ? doc->title : "",
                        doc->title ? doc->title_len : 0, &w->repaired) ||
        gzt_utf8_repair(&w->body, doc->body ? doc->body : "",
                        doc->body ? doc->body_len : 0, &w->repaired))
        return gzt_err_set(err, GZT_ENOMEM, "out of memory");
    prepared p = {doc->id,
                  idlen,
                  key,
                  (const char *)w->title.p,
                  w->title.len,
                  (const char *)w->body.p,
                  w->body.len,
                  doc->date,
                  doc->source,
                  content_hash(w->title.p, w->title.len, w->body.p, w->body.len,
                               doc->date),
                  false,
                  NULL,
                  0,
                  {0, 0},
                  NULL,
                  0};
    return add_prepared(w, &p, result, err);
}

int
gzt_writer_add(gzt_writer *w, const gzt_doc *doc, gzt_add_result *result,
               gzt_error *err)
{
    gzt_err_clear(err);
    size_t idlen = 0;
    int crc = check_doc(doc, &idlen, err);
    if (crc)
        return crc;
    /* the id's slot is a cache miss in a large index: it loads while the
     * text is checked and hashed */
    uint64_t key = hkey(doc->id, idlen);
    hmap_prefetch(&w->ids, key);
    return add_checked(w, doc, idlen, key, result, err);
}

/* The entities of @p f's text into w->entbuf (stored form) and *ents. */
static int
recognise(gzt_writer *w, gzt_docfields *f, gzt_entity **ents, size_t *nents,
          gzt_error *err)
{
    *ents = NULL;
    *nents = 0;
    gzt_buf_reset(&w->entbuf);
    if (w->rec) {
        gzt_arena_reset(&w->entarena);
        int rc = gzt_recognizer_find(
            w->rec, f->f[GZT_FIELD_TITLE], f->len[GZT_FIELD_TITLE],
            f->f[GZT_FIELD_BODY], f->len[GZT_FIELD_BODY], &w->entarena, ents,
            nents, err);
        if (rc)
            return rc;
        if (gzt_entity_encode(&w->entbuf, *ents, *nents, f->f[GZT_FIELD_TITLE],
                              f->f[GZT_FIELD_BODY]))
            return gzt_err_set(err, GZT_ENOMEM, "out of memory");
    }
    f->f[GZT_FIELD_ENTITIES] = (const char *)w->entbuf.p;
    f->len[GZT_FIELD_ENTITIES] = w->entbuf.len;
    return GZT_OK;
}

static void
fields_of(const prepared *p, gzt_docfields *f)
{
    f->f[GZT_FIELD_ID] = p->id;
    f->len[GZT_FIELD_ID] = p->idlen;
    f->f[GZT_FIELD_TITLE] = p->title;
    f->len[GZT_FIELD_TITLE] = p->title_len;
    f->f[GZT_FIELD_BODY] = p->body;
    f->len[GZT_FIELD_BODY] = p->body_len;
    f->f[GZT_FIELD_SOURCE] = p->source ? p->source : "";
    f->len[GZT_FIELD_SOURCE] = p->source ? strlen(p->source) : 0;
    f->f[GZT_FIELD_ENTITIES] = (const char *)p->entbytes;
    f->len[GZT_FIELD_ENTITIES] = p->entlen;
}

/* a writer whose Xapian shards were lost to a failed commit */
static int
broken(gzt_error *err)
{
    return gzt_err_set(err, GZT_EINVAL,
                       "the writer's last commit failed: close it and open "
                       "a new one");
}

/* add_prepared() on the Xapian engine: the shards hold every version,
 * uncommitted ones too, so one lookup decides */
static int
xadd_prepared(gzt_writer *w, const prepared *p, gzt_add_result *result,
              gzt_error *err)
{
    if (!w->x)
        return broken(err);
    if (!hmap_slot(&w->ids, p->key, NULL))
        return gzt_err_set(err, GZT_ENOMEM, "out of memory");
    bool found;
    uint64_t old;
    int rc = gzt_xindex_lookup(w->x, p->id, p->idlen, &found, &old, err);
    if (rc)
        return rc;
    if (found && old == p->hash) {
        if (result)
            *result = GZT_UNCHANGED;
        return GZT_OK;
    }
    gzt_docfields f;
    fields_of(p, &f);
    if (p->have_terms) {
        rc = gzt_xindex_add(w->x, &f, p->date, p->hash, NULL, 0, p->terms,
                            p->terms_len, &p->info, err);
    } else {
        gzt_entity *ents;
        size_t nents;
        rc = recognise(w, &f, &ents, &nents, err);
        if (rc == GZT_OK)
            rc = gzt_xindex_add(w->x, &f, p->date, p->hash, ents, nents, NULL,
                                0, NULL, err);
    }
    if (rc)
        return rc;
    w->dirty = true;
    if (result)
        *result = found ? GZT_REPLACED : GZT_ADDED;
    return GZT_OK;
}

/* Add a document whose text is valid UTF-8 and whose hash is known; a
 * worker's analysis when p->have_terms, else analysed here. */
static int
add_prepared(gzt_writer *w, const prepared *p, gzt_add_result *result,
             gzt_error *err)
{
    if (w->xapian)
        return xadd_prepared(w, p, result, err);
    const char *id = p->id;
    size_t idlen = p->idlen;
    uint64_t hash = p->hash;
    bool seen;
    hslot *sl = hmap_slot(&w->ids, p->key, &seen);
    if (!sl)
        return gzt_err_set(err, GZT_ENOMEM, "out of memory");
    /* An old version is deleted only once the new one is in: a failed
     * add leaves the batch and the segments as they were. */
    gzt_add_result res = GZT_ADDED;
    uint32_t bdoc = sl->gen == w->batch_gen ? sl->doc : UINT32_MAX;
    uint32_t old_bdoc = UINT32_MAX; /* buffered version to delete */
    if (bdoc != UINT32_MAX) {
        size_t l;
        const char *bid = gzt_inv_id(w->inv, bdoc, &l);
        if (l == idlen && !memcmp(bid, id, l)) {
            if (gzt_inv_hash(w->inv, bdoc) == hash) {
                if (result)
                    *result = GZT_UNCHANGED;
                return GZT_OK;
            }
            old_bdoc = bdoc;
            res = GZT_REPLACED;
        }
    }
    uint32_t si = UINT32_MAX, sd = 0;
    if (res == GZT_ADDED) {
        /* a segment being written may hold the id */
        int rc = seen ? flush_join(w, err) : GZT_OK;
        if (rc == GZT_OK)
            rc = find_in_segments(w, id, idlen, seen, &si, &sd, err);
        if (rc)
            return rc;
        if (si != UINT32_MAX) {
            if (gzt_segment_dochash(w->segs[si], sd) == hash) {
                if (result)
                    *result = GZT_UNCHANGED;
                return GZT_OK;
            }
            /* the deletion bitmap is made now (it may fail), the bit set
             * once the new version is in */
            if (seg_bitmap(w, si))
                return gzt_err_set(err, GZT_ENOMEM, "out of memory");
            res = GZT_REPLACED;
        }
    }
    gzt_docfields f;
    fields_of(p, &f);
    uint32_t nd;
    int rc;
    if (p->have_terms) {
        rc = gzt_inv_add_terms(w->inv, &f, p->date, hash, p->terms,
                               p->terms_len, &p->info, &nd, err);
    } else {
        gzt_entity *ents;
        size_t nents;
        rc = recognise(w, &f, &ents, &nents, err);
        if (rc == GZT_OK)
            rc = gzt_inv_add(w->inv, &f, p->date, hash, ents, nents, &nd, err);
    }
    if (rc)
        return rc;
    if (old_bdoc != UINT32_MAX)
        gzt_inv_delete(w->inv, old_bdoc);
    if (si != UINT32_MAX)
        seg_mark(w, si, sd);
    /* nothing since the lookup has inserted into w->ids */
    sl->doc = nd;
    sl->gen = w->batch_gen;
    w->dirty = true;
    if (result)
        *result = res;
    if (gzt_inv_memory(w->inv) > w->memory)
        return w->bg_ok ? flush_start(w, err) : flush(w, err);
    return GZT_OK;
}

int
gzt_writer_delete(gzt_writer *w, const char *id, gzt_error *err)
{
    gzt_err_clear(err);
    size_t idlen = strlen(id);
    if (w->xapian) {
        if (!w->x)
            return broken(err);
        int rc = gzt_xindex_delete(w->x, id, idlen, err);
        if (rc == GZT_OK)
            w->dirty = true;
        return rc;
    }
    uint64_t key = hkey(id, idlen);
    hslot *sl = hmap_find(&w->ids, key);
    bool found = false;
    if (sl && sl->gen == w->batch_gen && sl->doc != UINT32_MAX) {
        uint32_t bdoc = sl->doc;
        size_t l;
        const char *bid = gzt_inv_id(w->inv, bdoc, &l);
        if (l == idlen && !memcmp(bid, id, l)) {
            gzt_inv_delete(w->inv, bdoc);
            /* the id no longer names a buffered document */
            sl->doc = UINT32_MAX;
            found = true;
        }
    }
    /* an id may also live in a segment when the batch holds a new version
     * of it that replaced it: that one is already marked deleted */
    uint32_t si, sd;
    int rc = flush_join(w, err);
    if (rc == GZT_OK)
        rc = find_in_segments(w, id, idlen, true, &si, &sd, err);
    if (rc)
        return rc;
    if (si != UINT32_MAX) {
        if (seg_delete(w, si, sd))
            return gzt_err_set(err, GZT_ENOMEM, "out of memory");
        found = true;
    }
    if (!found)
        return gzt_err_set(err, GZT_ENOTFOUND, "no document with id '%s'", id);
    w->dirty = true;
    return GZT_OK;
}

/* has this writer seen the id? */
static bool
seen_by(void *ctx, const char *id, size_t len)
{
    gzt_writer *w = ctx;
    return hmap_find(&w->ids, hkey(id, len)) != NULL;
}

int
gzt_writer_prune(gzt_writer *w, const char *source, uint64_t *deleted,
                 gzt_error *err)
{
    gzt_err_clear(err);
    char abs[PATH_MAX];
    if (strcmp(source, "-") == 0 || !realpath(source, abs))
        snprintf(abs, sizeof abs, "%s", source);
    if (w->xapian) {
        if (!w->x)
            return broken(err);
        int rc = gzt_xindex_prune(w->x, abs, seen_by, w, deleted, err);
        if (rc == GZT_OK && deleted && *deleted)
            w->dirty = true;
        return rc;
    }
    uint64_t n = 0;
    size_t alen = strlen(abs);
    int jrc = flush_join(w, err);
    if (jrc)
        return jrc;
    for (uint32_t i = 0; i < w->man.nsegs; i++) {
        gzt_segment *s = w->segs[i];
        for (uint32_t d = 0; d < s->ndocs; d++) {
            if (seg_deleted(w, i, d))
                continue;
            gzt_docfields f;
            int rc = gzt_segment_doc(s, d, &f, err);
            if (rc)
                return rc;
            if (f.len[GZT_FIELD_SOURCE] != alen ||
                memcmp(f.f[GZT_FIELD_SOURCE], abs, alen) != 0)
                continue;
            uint64_t key = hkey(f.f[GZT_FIELD_ID], f.len[GZT_FIELD_ID]);
            if (hmap_find(&w->ids, key))
                continue;
            if (seg_delete(w, i, d))
                return gzt_err_set(err, GZT_ENOMEM, "out of memory");
            n++;
        }
    }
    if (deleted)
        *deleted = n;
    return GZT_OK;
}

/* ---- parallel entity recognition ---------------------------------------
 * Recognising entities costs more than everything else indexing does, so
 * gzt_writer_add_path() hands documents to worker threads in batches: while
 * the workers tag batch k+1, this thread inverts batch k (in order, so
 * docids are those of a sequential run) and reads the next documents. Each
 * worker has its own recognizer (the tagger keeps scratch state). A
 * document whose id this writer has not seen and whose content is
 * unchanged is skipped before it is queued, so re-indexing an unchanged
 * collection tags nothing.
 *
 * A worker that has finished the submitted batch does not wait for the
 * next: it starts on the documents of the batch being filled, as they are
 * published (every PUB_EVERY documents). This thread's share (reading,
 * inverting) and the workers' (tagging, analysing) vary from batch to
 * batch; with entities on two cores a worker waited for a submission about
 * a tenth of the time. A batch's items and text are reserved for a full
 * batch, so that publishing them never moves them; a document too large
 * for what is left of the text first waits for the workers to finish what
 * they took of it. */

#define POOL_MAX (GZT_JOBS_MAX + 1)   /* worker threads + the caller */
#define BATCH_DOCS 256                /* documents per batch */
#define BATCH_BYTES ((size_t)4 << 20) /* text per batch */
#define BATCH_ROOM (BATCH_BYTES + ((size_t)1 << 20)) /* reserved text */
#define PUB_EVERY 8 /* documents published to the workers at a time */
/* Batches: the one being filled and those submitted, of which the oldest
 * is inverted when the next is submitted. Two made this thread wait for
 * the batch just before (tagging what was left of it) whenever the
 * workers were behind by one; with three, the workers may fall a batch
 * behind and catch up while this thread reads and inverts. */
#define NBATCH 3

typedef struct item {
    size_t id, title, body, source; /* offsets of NUL-terminated strings */
    size_t title_len, body_len;     /* bytes */
    bool has_source;                /* source given */
    gzt_date date;                  /* date */
    uint64_t hash;                  /* content hash */
    uint64_t key;                   /* hkey() of the id */
    const uint8_t *terms;           /* gzt_docterms_run() records */
    size_t terms_len;               /* bytes */
    gzt_docinfo info;               /* length and title end */
    const uint8_t *entbytes;        /* stored form of the mentions */
    size_t entlen;                  /* bytes */
    int rc;                         /* analysis result */
    gzt_error err;                  /* its detail */
} item;

typedef struct batch {
    item *v;                   /* documents */
    size_t n;                  /* count, at most BATCH_DOCS (reserved) */
    gzt_buf text;              /* their strings */
    size_t next;               /* next item to tag (under the pool lock) */
    size_t done;               /* items tagged (under the pool lock) */
    size_t pub;                /* items the workers may take before the
                                  batch is submitted (under the pool
                                  lock) */
    gzt_arena arena[POOL_MAX]; /* per worker: results */
} batch;

/* What one worker thread owns. */
typedef struct worker {
    gzt_recognizer *rec; /* entity recognition, or NULL when off */
    gzt_analyzer *an;    /* analysis */
    gzt_docterms *dt;    /* terms of a document */
    gzt_arena ents;      /* mentions of the current document */
    gzt_buf out;         /* scratch: records, then stored entities */
} worker;

typedef struct worker_arg {
    gzt_pool *pool; /* pool */
    int index;      /* worker number */
} worker_arg;

struct gzt_pool {
    gzt_writer *w;             /* owner */
    worker_arg args[POOL_MAX]; /* what each thread is given */
    int n;                     /* workers */
    pthread_t th[POOL_MAX];    /* threads */
    worker wk[POOL_MAX];       /* what each owns */
    pthread_mutex_t mu;        /* guards everything below */
    pthread_cond_t work;       /* a batch was submitted / stop */
    pthread_cond_t done;       /* a batch was finished */
    batch *early;              /* batch being filled, open to workers with
                                  nothing else to do; or NULL */
    bool stop;                 /* threads must exit */
    batch b[NBATCH];           /* a ring: b[head] .. are submitted, the
                                  one after them is being filled */
    unsigned head;             /* oldest submitted batch */
    unsigned npend;            /* batches submitted, not yet inverted */
};

/* The batch being filled. Only this thread changes head and npend (under
 * the lock, which the workers read them under). */
static batch *
fill_of(gzt_pool *p)
{
    return &p->b[(p->head + p->npend) % NBATCH];
}

/* copy @p b into @p a; NULL when out of memory */
static const uint8_t *
arena_copy(gzt_arena *a, const gzt_buf *b)
{
    uint8_t *d = gzt_arena_alloc(a, b->len + 1);
    if (d && b->len)
        memcpy(d, b->p, b->len);
    return d;
}

/* Recognise the entities of @p it and analyse it; the results go to
 * @p a. */
static int
work_item(worker *k, const batch *b, item *it, gzt_arena *a)
{
    const char *base = (const char *)b->text.p;
    const char *title = base + it->title, *body = base + it->body;
    gzt_entity *ents = NULL;
    size_t nents = 0;
    gzt_buf_reset(&k->out);
    if (k->rec) {
        gzt_arena_reset(&k->ents);
        int rc = gzt_recognizer_find(k->rec, title, it->title_len, body,
                                     it->body_len, &k->ents, &ents, &nents,
                                     &it->err);
        if (rc)
            return rc;
        if (gzt_entity_encode(&k->out, ents, nents, title, body) ||
            !(it->entbytes = arena_copy(a, &k->out)))
            return gzt_err_set(&it->err, GZT_ENOMEM, "out of memory");
        it->entlen = k->out.len;
        gzt_buf_reset(&k->out);
    }
    int rc = gzt_docterms_run(k->dt, title, it->title_len, body, it->body_len,
                              ents, nents, &k->out, &it->info, &it->err);
    if (rc)
        return rc;
    if (!(it->terms = arena_copy(a, &k->out)))
        return gzt_err_set(&it->err, GZT_ENOMEM, "out of memory");
    it->terms_len = k->out.len;
    return GZT_OK;
}

static void *
worker_main(void *arg)
{
    const worker_arg *a = arg;
    gzt_pool *p = a->pool;
    int t = a->index;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        batch *b = NULL;
        while (!p->stop) {
            /* the oldest submitted batch first: it is inverted first */
            for (unsigned k = 0; k < p->npend && !b; k++) {
                batch *s = &p->b[(p->head + k) % NBATCH];
                if (s->next < s->n)
                    b = s;
            }
            if (!b && p->early && p->early->next < p->early->pub)
                b = p->early;
            if (b)
                break;
            pthread_cond_wait(&p->work, &p->mu);
        }
        if (p->stop)
            break;
        size_t i = b->next++;
        pthread_mutex_unlock(&p->mu);
        item *it = &b->v[i];
        gzt_err_clear(&it->err);
        it->rc = work_item(&p->wk[t], b, it, &b->arena[t]);
        pthread_mutex_lock(&p->mu);
        /* pool_wait() waits for a submitted batch's items, pool_open()
         * for the taken items of the one being filled */
        if (++b->done == b->next)
            pthread_cond_broadcast(&p->done);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static void
batch_reset(batch *b)
{
    b->n = 0;
    b->next = 0;
    b->done = 0;
    b->pub = 0;
    gzt_buf_reset(&b->text);
    for (int t = 0; t < POOL_MAX; t++)
        gzt_arena_reset(&b->arena[t]);
}

static void
pool_free(gzt_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);
    for (int t = 0; t < p->n; t++)
        pthread_join(p->th[t], NULL);
    for (int t = 0; t < POOL_MAX; t++) {
        worker *k = &p->wk[t];
        gzt_recognizer_free(k->rec);
        gzt_docterms_free(k->dt);
        gzt_analyzer_free(k->an);
        gzt_arena_fini(&k->ents);
        gzt_buf_free(&k->out);
    }
    for (int k = 0; k < NBATCH; k++) {
        batch_reset(&p->b[k]);
        gzt_free(p->b[k].v);
        gzt_buf_free(&p->b[k].text);
        for (int t = 0; t < POOL_MAX; t++)
            gzt_arena_fini(&p->b[k].arena[t]);
    }
    pthread_cond_destroy(&p->work);
    pthread_cond_destroy(&p->done);
    pthread_mutex_destroy(&p->mu);
    gzt_free(p);
}

/* A pool of w->jobs workers (0: one per core but the calling thread's);
 * NULL (and GZT_OK) for one job, or on one core, where analysing inline is
 * as fast. The calling thread reads, inverts, and tags what the workers
 * have not reached when it waits for them, so a worker per core made one
 * thread more than cores: with entities on two cores, the three took
 * turns and each other's caches (Reuters: 0.97 s against 0.87 s with one
 * worker, medians of five). */
static int
pool_new(gzt_writer *w, gzt_pool **out, gzt_error *err)
{
    *out = NULL;
    long workers = w->jobs ? (long)w->jobs : sysconf(_SC_NPROCESSORS_ONLN) - 1;
    if (w->jobs == 1 || workers < 1)
        return GZT_OK;
    gzt_pool *p = gzt_calloc(1, sizeof *p);
    if (!p)
        return gzt_err_set(err, GZT_ENOMEM, "out of memory");
    p->w = w;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->done, NULL);
    for (int k = 0; k < NBATCH; k++)
        for (int t = 0; t < POOL_MAX; t++)
            gzt_arena_init(&p->b[k].arena[t], 0);
    /* a full batch's items and text, so that publishing an item never
     * moves what a worker reads */
    for (int k = 0; k < NBATCH; k++) {
        p->b[k].v = gzt_malloc(BATCH_DOCS * sizeof *p->b[k].v);
        if (!p->b[k].v || gzt_buf_reserve(&p->b[k].text, BATCH_ROOM)) {
            pool_free(p);
            return gzt_err_set(err, GZT_ENOMEM, "out of memory");
        }
    }
    /* one workspace more than threads: the caller's, in pool_wait() */
    int n = (int)GZT_MIN(workers, (long)POOL_MAX - 1);
    int rc = GZT_OK;
    for (int t = 0; t <= n && rc == GZT_OK; t++) {
        worker *k = &p->wk[t];
        gzt_arena_init(&k->ents, 0);
        if (w->rec && (rc = gzt_recognizer_clone(&k->rec, w->rec, err)))
            break;
        if ((rc =
                 gzt_analyzer_new(&k->an, gzt_analyzer_language(w->an), err)) ||
            (rc = gzt_docterms_new(&k->dt, k->an))) {
            rc = rc == GZT_ENOMEM ? gzt_err_set(err, rc, "out of memory") : rc;
            break;
        }
        if (t == n)
            break; /* the caller's */
        worker_arg *a = &p->args[t];
        a->pool = p;
        a->index = t;
        if (pthread_create(&p->th[t], NULL, worker_main, a) != 0) {
            rc = gzt_err_set(err, GZT_ENOMEM, "cannot start a thread");
            break;
        }
        p->n = t + 1;
    }
    if (rc) {
        pool_free(p);
        return rc;
    }
    *out = p;
    return GZT_OK;
}

/* Wait until @p b is tagged, tagging what is left of it meanwhile (with
 * the workspace after the threads') rather than sit idle. */
static void
pool_wait(gzt_pool *p, batch *b)
{
    pthread_mutex_lock(&p->mu);
    while (b->next < b->n) {
        size_t i = b->next++;
        pthread_mutex_unlock(&p->mu);
        item *it = &b->v[i];
        gzt_err_clear(&it->err);
        it->rc = work_item(&p->wk[p->n], b, it, &b->arena[p->n]);
        pthread_mutex_lock(&p->mu);
        ++b->done;
    }
    while (b->done < b->n)
        pthread_cond_wait(&p->done, &p->mu);
    pthread_mutex_unlock(&p->mu);
}

/* Submit the batch being filled, @p b (not empty), whose first items the
 * workers may have tagged already. */
static void
pool_submit(gzt_pool *p, batch *b)
{
    pthread_mutex_lock(&p->mu);
    if (p->early == b)
        p->early = NULL;
    p->npend++;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);
}

/* Take the oldest submitted batch, tagged and inverted, off the ring and
 * empty it. */
static void
pool_retire(gzt_pool *p)
{
    batch *b = &p->b[p->head];
    pthread_mutex_lock(&p->mu);
    p->head = (p->head + 1) % NBATCH;
    p->npend--;
    pthread_mutex_unlock(&p->mu);
    batch_reset(b);
}

/* Let the workers take the items of @p b, the batch being filled, up to
 * its count (@p open), or none more, once they have finished those they
 * took (!@p open; before its text moves). */
static void
pool_open(gzt_pool *p, batch *b, bool open)
{
    pthread_mutex_lock(&p->mu);
    if (open) {
        p->early = b;
        b->pub = b->n;
        pthread_cond_broadcast(&p->work);
    } else {
        if (p->early == b)
            p->early = NULL;
        while (b->done < b->next)
            pthread_cond_wait(&p->done, &p->mu);
    }
    pthread_mutex_unlock(&p->mu);
}

/* Add the documents of a tagged batch in order. */
static int
batch_invert(gzt_writer *w, batch *b, gzt_ingest_stats *st, gzt_error *err)
{
    const char *base = (const char *)b->text.p;
    for (size_t i = 0; i < b->n; i++) {
        item *it = &b->v[i];
        if (it->rc) {
            if (err && err->code == GZT_OK)
                *err = it->err;
            return it->rc;
        }
        prepared pr = {base + it->id,
                       strlen(base + it->id),
                       it->key,
                       base + it->title,
                       it->title_len,
                       base + it->body,
                       it->body_len,
                       it->date,
                       it->has_source ? base + it->source : NULL,
                       it->hash,
                       true,
                       it->terms,
                       it->terms_len,
                       it->info,
                       it->entbytes,
                       it->entlen};
        gzt_add_result r;
        int rc = add_prepared(w, &pr, &r, err);
        if (rc)
            return rc;
        if (r == GZT_ADDED)
            st->added++;
        else if (r == GZT_REPLACED)
            st->replaced++;
        else
            st->unchanged++;
    }
    return GZT_OK;
}

/* Wait for the oldest submitted batch, invert it (unless @p rc is an
 * error already) and retire it. */
static int
pool_invert_oldest(gzt_writer *w, gzt_pool *p, int rc, gzt_ingest_stats *st,
                   gzt_error *err)
{
    batch *b = &p->b[p->head];
    pool_wait(p, b);
    if (rc == GZT_OK)
        rc = batch_invert(w, b, st, err);
    pool_retire(p);
    return rc;
}

/* Submit the batch being filled; when the ring is full, invert the oldest
 * to make room for the next. */
static int
pool_cycle(gzt_writer *w, gzt_pool *p, gzt_ingest_stats *st, gzt_error *err)
{
    batch *cur = fill_of(p);
    if (cur->n)
        pool_submit(p, cur);
    int rc = GZT_OK;
    if (p->npend == NBATCH)
        rc = pool_invert_oldest(w, p, rc, st, err);
    if (rc == GZT_OK)
        pool_open(p, fill_of(p), true);
    return rc;
}

/* Invert everything still queued. */
static int
pool_drain(gzt_writer *w, gzt_pool *p, gzt_ingest_stats *st, gzt_error *err)
{
    int rc = pool_cycle(w, p, st, err);
    while (p->npend)
        rc = pool_invert_oldest(w, p, rc, st, err);
    pool_open(p, fill_of(p), false);
    batch_reset(fill_of(p));
    return rc;
}

static int
put_str(gzt_buf *b, const char *s, size_t len, size_t *off)
{
    *off = b->len;
    int rc = gzt_buf_append(b, s, len);
    return rc ? rc : gzt_buf_putc(b, 0);
}

/* Queue @p doc (or skip it when it is unchanged); cycle when full. */
static int
pool_add(gzt_writer *w, gzt_pool *p, const gzt_doc *doc, gzt_ingest_stats *st,
         gzt_error *err)
{
    size_t idlen = 0;
    int crc = check_doc(doc, &idlen, err);
    if (crc)
        return crc;
    batch *b = fill_of(p); /* n < BATCH_DOCS: a full batch was submitted */
    /* the most the strings can take (utf8_repair() writes 3 bytes for a
     * byte that is not UTF-8): when the text must move for them, the
     * workers first finish what they took of it */
    size_t srclen = doc->source ? strlen(doc->source) : 0;
    size_t most = idlen + 3 * (doc->title ? doc->title_len : 0) +
                  3 * (doc->body ? doc->body_len : 0) + srclen + 4;
    bool moved = most > b->text.cap - b->text.len;
    if (moved)
        pool_open(p, b, false);
    item *it = &b->v[b->n];
    memset(it, 0, sizeof *it);
    size_t mark = b->text.len;
    int rc = put_str(&b->text, doc->id, idlen, &it->id);
    it->title = b->text.len;
    if (rc == GZT_OK)
        rc = gzt_utf8_repair(&b->text, doc->title ? doc->title : "",
                             doc->title ? doc->title_len : 0, &w->repaired);
    it->title_len = b->text.len - it->title;
    if (rc == GZT_OK)
        rc = gzt_buf_putc(&b->text, 0);
    it->body = b->text.len;
    if (rc == GZT_OK)
        rc = gzt_utf8_repair(&b->text, doc->body ? doc->body : "",
                             doc->body ? doc->body_len : 0, &w->repaired);
    it->body_len = b->text.len - it->body;
    if (rc == GZT_OK)
        rc = gzt_buf_putc(&b->text, 0);
    it->has_source = doc->source != NULL;
    if (rc == GZT_OK && doc->source)
        rc = put_str(&b->text, doc->source, strlen(doc->source), &it->source);
    if (rc)
        return gzt_err_set(err, GZT_ENOMEM, "out of memory");
    const char *base = (const char *)b->text.p;
    it->date = doc->date;
    it->hash = content_hash(base + it->title, it->title_len, base + it->body,
                            it->body_len, doc->date);
    /* an id not seen before whose indexed content is the same: nothing to
     * do (an id seen before may have a queued version: add it in order) */
    uint64_t key = it->key = hkey(doc->id, idlen);
    if (!hmap_find(&w->ids, key)) {
        uint32_t si = UINT32_MAX, sd = 0;
        bool same = false;
        if (w->xapian) {
            if (!w->x)
                return broken(err);
            bool found;
            uint64_t old;
            rc = gzt_xindex_lookup(w->x, doc->id, idlen, &found, &old, err);
            same = found && old == it->hash;
        } else {
            rc = find_in_segments(w, doc->id, idlen, false, &si, &sd, err);
            same = si != UINT32_MAX &&
                   gzt_segment_dochash(w->segs[si], sd) == it->hash;
        }
        if (rc)
            return rc;
        if (same) {
            if (!hmap_slot(&w->ids, key, NULL))
                return gzt_err_set(err, GZT_ENOMEM, "out of memory");
            st->unchanged++;
            b->text.len = mark;
            return GZT_OK;
        }
    }
    b->n++;
    if (b->n >= BATCH_DOCS || b->text.len >= BATCH_BYTES)
        return pool_cycle(w, p, st, err);
    if (moved || b->n % PUB_EVERY == 0)
        pool_open(p, b, true);
    return GZT_OK;
}

/* ---- ingest ------------------------------------------------------------ */

/* A document read and not yet added: without worker threads on_doc()
 * adds each document one call late, so that the slot of its id in
 * w->ids (a cache miss in a map of millions) loads while the document
 * before it is analysed. */
typedef struct heldoc {
    gzt_buf text;     /* id, title, body, source, each NUL-terminated */
    size_t id;        /* offset of the id in text */
    size_t idlen;     /* its bytes */
    uint64_t key;     /* its hkey(), whose slot was asked for */
    size_t title;     /* of the title */
    size_t body;      /* of the body */
    size_t source;    /* of the source, when has_source */
    size_t title_len; /* bytes */
    size_t body_len;  /* bytes */
    gzt_date date;    /* date */
    bool has_source;  /* a source was given */
    bool on;          /* a document is held */
} heldoc;

typedef struct ingest_ctx {
    gzt_writer *w;           /* writer */
    gzt_ingest_stats *stats; /* counters */
    gzt_error *err;          /* error detail */
    uint64_t bytes_done;     /* progress */
    uint64_t bytes_total;    /* progress */
    struct timespec last;    /* last progress report */
    heldoc held;             /* see heldoc */
} ingest_ctx;

static void
report(ingest_ctx *c, bool force)
{
    if (!c->w->progress)
        return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double dt = (double)(now.tv_sec - c->last.tv_sec) +
                (double)(now.tv_nsec - c->last.tv_nsec) / 1e9;
    if (!force && dt < 0.1)
        return;
    c->last = now;
    gzt_progress p = {c->stats->docs, c->bytes_done, c->bytes_total};
    c->w->progress(c->w->progress_ctx, &p);
}

/* Add the held document, if any, and count it. */
static int
add_held(ingest_ctx *c, gzt_error *err)
{
    heldoc *h = &c->held;
    if (!h->on)
        return GZT_OK;
    h->on = false;
    const char *base = (const char *)h->text.p;
    gzt_doc d = {base + h->id,
                 base + h->title,
                 h->title_len,
                 base + h->body,
                 h->body_len,
                 h->date,
                 h->has_source ? base + h->source : NULL};
    gzt_add_result r;
    gzt_err_clear(err);
    int rc = add_checked(c->w, &d, h->idlen, h->key, &r, err);
    if (rc)
        return rc;
    if (r == GZT_ADDED)
        c->stats->added++;
    else if (r == GZT_REPLACED)
        c->stats->replaced++;
    else
        c->stats->unchanged++;
    return GZT_OK;
}

/* Hold @p doc (a copy; check_doc() passed it, @p idlen its id's bytes, @p
 * key their hkey()) for add_held(). */
static int
hold(heldoc *h, const gzt_doc *doc, size_t idlen, uint64_t key)
{
    h->idlen = idlen;
    h->key = key;
    h->title_len = doc->title ? doc->title_len : 0;
    h->body_len = doc->body ? doc->body_len : 0;
    h->has_source = doc->source != NULL;
    h->date = doc->date;
    gzt_buf_reset(&h->text);
    int rc = put_str(&h->text, doc->id, idlen, &h->id);
    if (rc == GZT_OK)
        rc = put_str(&h->text, doc->title, h->title_len, &h->title);
    if (rc == GZT_OK)
        rc = put_str(&h->text, doc->body, h->body_len, &h->body);
    if (rc == GZT_OK && doc->source)
        rc = put_str(&h->text, doc->source, strlen(doc->source), &h->source);
    h->on = rc == GZT_OK;
    return rc;
}

static int
on_doc(void *ctx, const gzt_doc *doc)
{
    ingest_ctx *c = ctx;
    if (c->w->pool) {
        int rc = pool_add(c->w, c->w->pool, doc, c->stats, c->err);
        if (rc == GZT_OK && (c->stats->docs & 255) == 0)
            report(c, false);
        return rc;
    }
    /* a document check_doc() refuses is refused now, in order */
    size_t idlen = 0;
    int rc = check_doc(doc, &idlen, c->err);
    if (rc)
        return rc;
    uint64_t key = hkey(doc->id, idlen);
    hmap_prefetch(&c->w->ids, key);
    if ((rc = add_held(c, c->err)))
        return rc;
    if (hold(&c->held, doc, idlen, key))
        return gzt_err_set(c->err, GZT_ENOMEM, "out of memory");
    if ((c->stats->docs & 255) == 0)
        report(c, false);
    return GZT_OK;
}

static void
on_progress(void *ctx, uint64_t done, uint64_t total)
{
    ingest_ctx *c = ctx;
    c->bytes_done = done;
    c->bytes_total = total;
    report(c, false);
}

static const char *const format_names[] = {"auto", "text", "jsonl", "csv"};

/* the ingest options worth recording, as "key=value;..." */
static int
opts_string(const gzt_ingest_opts *o, gzt_buf *out)
{
    gzt_buf_reset(out);
    int rc = gzt_buf_printf(out, "id=%s;title=%s;body=%s;date=%s;delim=%d",
                            o->id_field ? o->id_field : "id",
                            o->title_field ? o->title_field : "title",
                            o->body_field ? o->body_field : "body",
                            o->date_field ? o->date_field : "date",
                            (int)o->delimiter);
    return rc ? rc : gzt_buf_nul(out);
}

int
gzt_writer_add_path(gzt_writer *w, const char *path,
                    const gzt_ingest_opts *opts, gzt_ingest_stats *stats,
                    gzt_error *err)
{
    gzt_err_clear(err);
    gzt_ingest_opts def;
    if (!opts) {
        gzt_ingest_opts_init(&def);
        opts = &def;
    }
    gzt_ingest_stats local;
    if (!stats) {
        memset(&local, 0, sizeof local);
        stats = &local;
    }
    char abs[PATH_MAX];
    if (strcmp(path, "-") == 0) {
        snprintf(abs, sizeof abs, "-");
    } else if (!realpath(path, abs)) {
        int e = errno;
        return gzt_err_set(err, e == ENOENT ? GZT_ENOTFOUND : GZT_EIO, "%s: %s",
                           path, strerror(e));
    }
    ingest_ctx c = {.w = w, .stats = stats, .err = err};
    uint64_t before = w->repaired;
    if (!w->pool) {
        int prc = pool_new(w, &w->pool, err);
        if (prc)
            return prc;
    }
    int rc =
        gzt_ingest_path(abs, opts, on_doc, &c, on_progress, &c, stats, err);
    /* the document held when reading ended is added, after an error of
     * reading too (as the pool's queue is below; after a failed add
     * nothing is held); its add came before that error, so its own error
     * wins */
    if (c.held.on) {
        gzt_error herr = {0};
        int hrc = add_held(&c, &herr);
        if (hrc) {
            rc = hrc;
            if (err)
                *err = herr;
        }
    }
    gzt_buf_free(&c.held.text);
    if (w->pool) {
        int drc = pool_drain(w, w->pool, stats, rc ? NULL : err);
        if (rc == GZT_OK)
            rc = drc;
    }
    stats->repaired += w->repaired - before;
    report(&c, true);
    if (rc)
        return rc;
    if (strcmp(abs, "-") != 0) {
        gzt_buf o = GZT_BUF_INIT;
        unsigned fmt = (unsigned)opts->format < 4 ? (unsigned)opts->format : 0;
        rc = opts_string(opts, &o);
        if (rc == GZT_OK)
            rc = gzt_manifest_add_source(&w->man, format_names[fmt], abs,
                                         (const char *)o.p);
        gzt_buf_free(&o);
        if (rc)
            return gzt_err_set(err, rc, "out of memory");
        w->dirty = true;
    }
    return GZT_OK;
}

/* ---- commit ------------------------------------------------------------ */

/* write the pending deletion bitmap of segment @p i for generation @p gen */
static int
write_del(gzt_writer *w, uint32_t i, uint64_t gen, gzt_error *err)
{
    gzt_segment *s = w->segs[i];
    gzt_mseg *m = &w->man.segs[i];
    uint32_t n = 0;
    uint64_t tokens = 0;
    for (uint32_t d = 0; d < s->ndocs; d++) {
        if (w->del[i][d >> 3] >> (d & 7) & 1)
            n++;
        else
            tokens += gzt_segment_doclen(s, d);
    }
    gzt_segment_delname(m->del, m->id, gen);
    char *p = gzt_path_join(w->dir, m->del);
    if (!p)
        return gzt_err_set(err, GZT_ENOMEM, "out of memory");
    gzt_wfile f;
    int rc = gzt_wfile_open(&f, p, GZT_MAGIC_DEL, m->id, err);
    gzt_free(p);
    if (rc)
        return rc;
    uint8_t hdr[8];
    gzt_store_u32(hdr, s->ndocs);
    gzt_store_u32(hdr + 4, n);
    if (gzt_wfile_write(&f, hdr, 8) ||
        gzt_wfile_write(&f, w->del[i], ((size_t)s->ndocs + 7) / 8)) {
        rc = gzt_wfile_fail(&f, err);
        gzt_wfile_abort(&f);
        return rc;
    }
    m->deleted = n;
    m->tokens = tokens;
    return gzt_wfile_finish(&f, err);
}

static uint64_t
live_docs(const gzt_mseg *m)
{
    return m->ndocs - m->deleted;
}

/* Merge the smallest runs of adjacent segments while there are too many. */
static int
merge_policy(gzt_writer *w, gzt_error *err)
{
    while (w->man.nsegs > (w->optimize ? 1 : GZT_MERGE_MAX_SEGMENTS)) {
        uint32_t n = w->man.nsegs;
        /* the run of k adjacent segments with the fewest live documents:
         * merging neighbours keeps every document's relative docid order,
         * so ties rank the same whatever the commit history */
        uint32_t k = GZT_MIN((uint32_t)GZT_MERGE_FACTOR, n);
        uint64_t run = 0, best = UINT64_MAX;
        uint32_t at = 0;
        for (uint32_t i = 0; i < n; i++) {
            run += live_docs(&w->man.segs[i]);
            if (i >= k)
                run -= live_docs(&w->man.segs[i - k]);
            if (i + 1 >= k && run < best) {
                best = run;
                at = i + 1 - k;
            }
        }
        bool pick[1024] = {false};
        bool *pk = n <= 1024 ? pick : gzt_calloc(n, 1);
        gzt_segment *in[GZT_MERGE_FACTOR];
        const uint8_t *dl[GZT_MERGE_FACTOR];
        if (!pk)
            return gzt_err_set(err, GZT_ENOMEM, "out of memory");
        for (uint32_t i = at; i < at + k; i++)
            pk[i] = true;
        uint32_t m = 0, first = UINT32_MAX;
        for (uint32_t i = 0; i < n; i++) {
            if (!pk[i])
                continue;
            if (first == UINT32_MAX)
                first = i;
            in[m] = w->segs[i];
            dl[m] = w->del[i] ? w->del[i] : w->segs[i]->delbits;
            m++;
        }
        uint32_t id = w->man.next_segment++;
        gzt_segw_info info;
        int rc = gzt_merge(w->dir, in, dl, m, id, &info, err);
        gzt_segment *merged = NULL;
        if (rc == GZT_OK)
            rc = gzt_segment_open(&merged, w->dir, id, NULL, err);
        if (rc) {
            if (pk != pick)
                gzt_free(pk);
            return rc;
        }
        /* replace: merged at the first picked slot, others removed */
        uint32_t o = 0;
        for (uint32_t i = 0; i < n; i++) {
            if (pk[i] && i != first) {
                gzt_segment_close(w->segs[i]);
                gzt_free(w->del[i]);
                continue;
            }
            if (i == first) {
                gzt_segment_close(w->segs[i]);
                gzt_free(w->del[i]);
                w->segs[o] = merged;
                w->del[o] = NULL;
                gzt_mseg *ms = &w->man.segs[o];
                memset(ms, 0, sizeof *ms);
                ms->id = id;
                ms->ndocs = info.ndocs;
                ms->tokens = info.tokens;
            } else {
                w->segs[o] = w->segs[i];
                w->del[o] = w->del[i];
                w->man.segs[o] = w->man.segs[i];
            }
            o++;
        }
        w->man.nsegs = o;
        if (pk != pick)
            gzt_free(pk);
    }
    return GZT_OK;
}

/* Is @p n the name of a file of a segment or deletion list ("seg-000012.post",
 * "seg-000012-g000034.del"), of the segment *@p id (*@p is_del: a deletion
 * list)? */
static bool
segment_file(const char *n, uint32_t *id, bool *is_del)
{
    static const char *const exts[] = {"dict", "post",  "pos",
                                       "dv",   "store", "ids"};
    unsigned u;
    int at = 0;
    if (sscanf(n, "seg-%6u%n", &u, &at) != 1 || at != 10)
        return false;
    const char *rest = n + at;
    if (rest[0] == '-') { /* -gNNNNNN.del */
        unsigned long long g;
        int k = 0;
        if (sscanf(rest, "-g%llu%n", &g, &k) != 1 || strcmp(rest + k, ".del"))
            return false;
    } else {
        bool known = false;
        for (size_t e = 0; e < sizeof exts / sizeof *exts && !known; e++)
            known = rest[0] == '.' && strcmp(rest + 1, exts[e]) == 0;
        if (!known)
            return false;
    }
    *id = u;
    *is_del = rest[0] == '-';
    return true;
}

/* Remove the files of segments and deletion lists in @p dir that @p m does
 * not name, and the temporary manifests of writers that died before
 * renaming them; counts them into *@p removed and *@p bytes (may be NULL).
 * Only under the writer lock. */
static void
remove_unreferenced(const char *dir, const gzt_manifest *m, uint64_t *removed,
                    uint64_t *bytes)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    size_t tl = strlen(GZT_MANIFEST_NAME ".tmp.");
    while ((e = readdir(d))) {
        const char *n = e->d_name;
        uint32_t id;
        bool keep = true, is_del;
        if (strncmp(n, GZT_MANIFEST_NAME ".tmp.", tl) == 0 && n[tl]) {
            keep = false;
        } else if (segment_file(n, &id, &is_del)) {
            keep = false;
            for (uint32_t i = 0; i < m->nsegs && !keep; i++)
                if (m->segs[i].id == id)
                    keep = !is_del || strcmp(n, m->segs[i].del) == 0;
        }
        if (keep)
            continue;
        char *p = gzt_path_join(dir, n);
        uint64_t size = p ? gzt_io_file_size(p) : 0;
        if (p && unlink(p) == 0) {
            if (removed)
                (*removed)++;
            if (bytes)
                *bytes += size;
        }
        gzt_free(p);
    }
    closedir(d);
}

/* commit on the Xapian engine: the shards, then the manifest */
static int
xcommit(gzt_writer *w, gzt_error *err)
{
    if (!w->dirty)
        return GZT_OK;
    uint64_t gen = w->man.generation + 1;
    int rc = gzt_xindex_commit(w->x, &w->man, gen, err);
    if (rc == GZT_OK && w->xnew) {
        /* a build's databases are compacted before any reader sees them
         * (half the size, in well under a tenth of the build's time); the
         * writer then goes on in transactions */
        gzt_xindex_close(w->x);
        w->x = NULL;
        if ((rc = gzt_xindex_compact(w->dir, &w->man, err)) == GZT_OK)
            rc = gzt_xindex_open(&w->x, w->dir, &w->man, false, true, w->an,
                                 err);
    }
    bool replaced = false;
    if (rc == GZT_OK) {
        w->man.generation = gen;
        if (((rc = gzt_io_fsync_dir(w->dir, err)) ||
             (rc = gzt_manifest_write(&w->man, w->dir, &replaced, err))) &&
            !replaced)
            w->man.generation = gen - 1;
    }
    if (rc) {
        /* some shards may have committed: this writer stops here (its
         * transactions are dropped) and the next one sees the state */
        gzt_xindex_close(w->x);
        w->x = NULL;
        if (replaced) {
            /* the new manifest is in place (only its directory's fsync
             * failed): the shards it names are committed and stay */
            w->xnew = false;
            w->old_shards = 0;
            w->dirty = false;
        }
        return rc;
    }
    w->xnew = false;
    w->old_shards = 0;
    w->dirty = false;
    remove_unreferenced_shards(w->dir, &w->man, NULL, NULL);
    return GZT_OK;
}

int
gzt_writer_commit(gzt_writer *w, gzt_error *err)
{
    gzt_err_clear(err);
    if (w->xapian)
        return w->x ? xcommit(w, err) : broken(err);
    int rc = flush(w, err);
    if (rc)
        return rc;
    if (!w->dirty)
        return GZT_OK;
    uint64_t gen = w->man.generation + 1;
    for (uint32_t i = 0; i < w->man.nsegs; i++)
        if (w->del[i] && (rc = write_del(w, i, gen, err)))
            return rc;
    /* drop segments with nothing left */
    uint32_t o = 0;
    for (uint32_t i = 0; i < w->man.nsegs; i++) {
        if (w->man.segs[i].deleted == w->man.segs[i].ndocs) {
            gzt_segment_close(w->segs[i]);
            gzt_free(w->del[i]);
            continue;
        }
        w->segs[o] = w->segs[i];
        w->del[o] = w->del[i];
        w->man.segs[o++] = w->man.segs[i];
    }
    w->man.nsegs = o;
    if ((rc = merge_policy(w, err)))
        return rc;
    w->man.generation = gen;
    bool replaced = false;
    if ((rc = gzt_io_fsync_dir(w->dir, err)) ||
        (rc = gzt_manifest_write(&w->man, w->dir, &replaced, err))) {
        if (!replaced) {
            w->man.generation = gen - 1;
            return rc;
        }
        /* the new manifest is in place, though its directory could not
         * be synced: readers see the new generation, so it is committed
         * (and its files must stay); the error still goes to the caller */
    }
    /* committed: everything now belongs to the new generation, and what
     * only the old one named can go */
    w->nold = w->man.nsegs;
    w->dirty = false;
    remove_unreferenced(w->dir, &w->man, NULL, NULL);
    if (rc)
        return rc;
    close_segments(w);
    return open_segments(w, err);
}

/* GZT_OK when @p path holds an index (a manifest), else GZT_ENOTFOUND */
static int
index_exists(const char *path, gzt_error *err)
{
    char *p = gzt_path_join(path, GZT_MANIFEST_NAME);
    if (!p)
        return gzt_err_set(err, GZT_ENOMEM, "out of memory");
    bool exists = access(p, F_OK) == 0;
    gzt_free(p);
    return exists ? GZT_OK
                  : gzt_err_set(err, GZT_ENOTFOUND, "%s: no index here", path);
}

int
gzt_index_gc(const char *path, uint64_t *removed, uint64_t *bytes,
             gzt_error *err)
{
    gzt_err_clear(err);
    *removed = 0;
    *bytes = 0;
    int rc = index_exists(path, err);
    if (rc)
        return rc;
    int fd = -1;
    rc = gzt_io_lock(path, &fd, err);
    if (rc)
        return rc;
    /* a manifest that does not read removes nothing */
    gzt_manifest m;
    if ((rc = gzt_manifest_read(&m, path, err)) == GZT_OK) {
        remove_unreferenced(path, &m, removed, bytes);
        if (strcmp(m.engine, "xapian") == 0)
            remove_unreferenced_shards(path, &m, removed, bytes);
        gzt_manifest_fini(&m);
    }
    gzt_io_unlock(fd);
    return rc;
}

/* ---- reindex ----------------------------------------------------------- */

static char *
opt_value(const char *opts, const char *key)
{
    size_t kl = strlen(key);
    for (const char *p = opts; p && *p;) {
        const char *semi = strchr(p, ';');
        size_t n = semi ? (size_t)(semi - p) : strlen(p);
        if (n > kl && !strncmp(p, key, kl) && p[kl] == '=')
            return gzt_strndup(p + kl + 1, n - kl - 1);
        p = semi ? semi + 1 : NULL;
    }
    return NULL;
}

static int reindex(const char *path, const char *const *from,
                   const gzt_writer_opts *wopts, const gzt_ingest_opts *iopts,
                   gzt_ingest_stats *stats, gzt_error *err);

int
gzt_reindex(const char *path, const gzt_writer_opts *wopts,
            const gzt_ingest_opts *iopts, gzt_ingest_stats *stats,
            gzt_error *err)
{
    return reindex(path, NULL, wopts, iopts, stats, err);
}

int
gzt_reindex_from(const char *path, const char *const *from,
                 const gzt_writer_opts *wopts, const gzt_ingest_opts *iopts,
                 gzt_ingest_stats *stats, gzt_error *err)
{
    if (!from || !from[0])
        return gzt_err_set(err, GZT_EINVAL, "no source to reindex from");
    return reindex(path, from, wopts, iopts, stats, err);
}

static int
reindex(const char *path, const char *const *from, const gzt_writer_opts *wopts,
        const gzt_ingest_opts *iopts, gzt_ingest_stats *stats, gzt_error *err)
{
    gzt_err_clear(err);
    gzt_writer_opts wo;
    if (wopts)
        wo = *wopts;
    else
        gzt_writer_opts_init(&wo);
    wo.language = NULL;
    int rc = index_exists(path, err);
    if (rc)
        return rc;
    gzt_writer *w;
    rc = writer_open(&w, path, &wo, true, err);
    if (rc)
        return rc;
    gzt_manifest old;
    if ((rc = gzt_manifest_copy(&old, &w->man))) {
        gzt_writer_close(w);
        return gzt_err_set(err, rc, "out of memory");
    }
    if (old.nsources == 0 && !from) {
        rc = gzt_err_set(err, GZT_EINVAL,
                         "%s: no recorded sources to rebuild from", path);
        goto done;
    }
    /* the sources are recorded again as they are read */
    for (uint32_t i = 0; i < w->man.nsources; i++) {
        gzt_free(w->man.sources[i].format);
        gzt_free(w->man.sources[i].path);
        gzt_free(w->man.sources[i].opts);
    }
    w->man.nsources = 0;
    for (size_t i = 0; from && from[i] && rc == GZT_OK; i++)
        rc = gzt_writer_add_path(w, from[i], iopts, stats, err);
    for (uint32_t i = 0; !from && i < old.nsources && rc == GZT_OK; i++) {
        const gzt_msource *s = &old.sources[i];
        gzt_ingest_opts o;
        if (iopts)
            o = *iopts;
        else
            gzt_ingest_opts_init(&o);
        for (unsigned f = 0; f < 4; f++)
            if (!strcmp(s->format, format_names[f]))
                o.format = (gzt_format)f;
        char *id = opt_value(s->opts, "id"), *ti = opt_value(s->opts, "title");
        char *bo = opt_value(s->opts, "body"), *da = opt_value(s->opts, "date");
        char *de = opt_value(s->opts, "delim");
        if (id)
            o.id_field = id;
        if (ti)
            o.title_field = ti;
        if (bo)
            o.body_field = bo;
        if (da)
            o.date_field = da;
        if (de)
            o.delimiter = (char)atoi(de);
        rc = gzt_writer_add_path(w, s->path, &o, stats, err);
        gzt_free(id);
        gzt_free(ti);
        gzt_free(bo);
        gzt_free(da);
        gzt_free(de);
    }
    if (rc == GZT_OK)
        rc = gzt_writer_commit(w, err);
done:
    gzt_manifest_fini(&old);
    gzt_writer_close(w);
    return rc;
}
