// SPDX-License-Identifier: MIT
/*
 * xapian.cc: the C binding over libxapian (see xapian.h); the only C++ file
 * of the project and the only one that includes <xapian.h>.
 *
 * Each entry point is one try block: Xapian's exceptions (and
 * std::bad_alloc) become gazette's error codes by class, with the message
 * kept on the database handle. Stub files are read here rather than by
 * Xapian so that every remote shard gets our timeouts (a stub's own
 * `remote` lines take none) and an error names the shard that failed.
 */
#include "common/xapian.h"

#include <xapian.h>

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <new>
#include <sstream>
#include <string>
#include <vector>

struct gzt_xdb {
    Xapian::Database *db;        // the database (a WritableDatabase if w)
    Xapian::WritableDatabase *w; // the same object when writable, else NULL
    std::string msg;             // message of the last failed call
    std::string skipped;         // databases left out by allow_partial
    bool in_tx;                  // a transaction is open
};

struct gzt_xdoc {
    Xapian::Document doc; // the document being built
};

struct gzt_xq {
    Xapian::Query q; // the query (reference-counted by Xapian)
};

struct gzt_xmset {
    Xapian::MSet m; // the page of results
    bool fetched;   // its documents were asked for at once
};

namespace
{

// The error code of the exception being handled; its message into msg.
// Throws nothing: a message that cannot be kept (out of memory) is left
// empty.
int
translate(std::string &msg) noexcept
{
    int code = GZT_EBACKEND;
    try {
        try {
            throw;
        } catch (const Xapian::DatabaseNotFoundError &e) {
            code = GZT_ENOTFOUND;
            msg = e.get_description();
        } catch (const Xapian::DocNotFoundError &e) {
            code = GZT_ENOTFOUND;
            msg = e.get_description();
        } catch (const Xapian::DatabaseLockError &e) {
            code = GZT_ELOCKED;
            msg = e.get_description();
        } catch (const Xapian::DatabaseCorruptError &e) {
            code = GZT_ECORRUPT;
            msg = e.get_description();
        } catch (const Xapian::NetworkError &e) {
            // our own messages name the shard: "remote HOST:PORT: why"
            msg = e.get_msg();
        } catch (const Xapian::Error &e) {
            msg = e.get_description();
        } catch (const std::bad_alloc &) {
            code = GZT_ENOMEM;
            msg = "out of memory"; // short enough to need no allocation
        } catch (const std::exception &e) {
            msg = e.what();
        } catch (...) {
            msg = "unknown exception";
        }
    } catch (...) {
        msg.clear();
    }
    return code;
}

// Add @p sub to @p db; with @p partial a failure is noted in @p skipped
// instead of thrown.
template <typename F>
void
add_or_skip(Xapian::Database &db, bool partial, std::string &skipped, F open)
{
    if (!partial) {
        db.add_database(open());
        return;
    }
    try {
        db.add_database(open());
    } catch (const Xapian::Error &e) {
        if (!skipped.empty())
            skipped += "; ";
        skipped += e.get_msg();
    }
}

// Open the shards of the stub file @p path into @p db.
void
open_stub(Xapian::Database &db, const char *path, unsigned timeout_ms,
          bool partial, std::string &skipped)
{
    std::ifstream in(path);
    if (!in)
        throw Xapian::DatabaseNotFoundError(std::string("cannot read ") + path);
    // Remote::open's timeouts are milliseconds (typed useconds_t)
    useconds_t t = timeout_ms ? timeout_ms : 10000;
    std::string line;
    unsigned lineno = 0, shards = 0;
    while (std::getline(in, line)) {
        lineno++;
        std::istringstream ls(line);
        std::string kind, where;
        if (!(ls >> kind) || kind[0] == '#')
            continue;
        ls >> where;
        if (kind == "remote" && !where.empty()) {
            // HOST:PORT, or :PORT for this machine
            size_t colon = where.rfind(':');
            std::string host =
                colon == std::string::npos ? where : where.substr(0, colon);
            std::string port =
                colon == std::string::npos ? "" : where.substr(colon + 1);
            char *end = nullptr;
            errno = 0;
            unsigned long p = std::strtoul(port.c_str(), &end, 10);
            if (port.empty() || *end || errno || p == 0 || p > 65535)
                throw Xapian::DatabaseOpeningError(
                    std::string(path) + ":" + std::to_string(lineno) +
                    ": bad port in \"" + where + "\"");
            if (host.empty())
                host = "127.0.0.1";
            add_or_skip(db, partial, skipped, [&]() {
                try {
                    return Xapian::Remote::open(host, static_cast<unsigned>(p),
                                                t, t);
                } catch (Xapian::Error &e) {
                    // name the shard: "remote 127.0.0.1:7001: ..."
                    throw Xapian::NetworkError("remote " + host + ":" + port +
                                               ": " + e.get_msg());
                }
            });
        } else if (kind == "auto" && !where.empty()) {
            // relative to the stub's directory, as Xapian's own stubs are
            std::string dir(path);
            size_t slash = dir.rfind('/');
            if (where[0] != '/' && slash != std::string::npos)
                where = dir.substr(0, slash + 1) + where;
            add_or_skip(db, partial, skipped, [&]() {
                try {
                    return Xapian::Database(where);
                } catch (Xapian::Error &e) {
                    throw Xapian::DatabaseOpeningError(where + ": " +
                                                       e.get_msg());
                }
            });
        } else {
            throw Xapian::DatabaseOpeningError(
                std::string(path) + ":" + std::to_string(lineno) +
                ": expected \"remote HOST:PORT\" or \"auto PATH\"");
        }
        shards++;
    }
    if (shards == 0)
        throw Xapian::DatabaseOpeningError(std::string(path) +
                                           ": a stub file names no database");
}

bool
is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

std::string
id_term(const char *id, size_t len)
{
    std::string t(1, GZT_XDB_ID_PREFIX);
    t.append(id, len);
    return t;
}

// Run @p body on @p db, its exceptions turned into error codes. A reader
// that outlived two commits of a writer gets DatabaseModifiedError (Xapian
// reuses the blocks it was reading): with @p retry it moves to the latest
// revision and tries once more (not for walks that have already handed
// out results).
template <typename F>
int
guard(gzt_xdb *db, bool retry, F body) noexcept
{
    for (int attempt = 0;; attempt++) {
        try {
            db->msg.clear();
            return body();
        } catch (const Xapian::DatabaseModifiedError &) {
            if (!retry || attempt > 0 || db->w)
                return translate(db->msg);
            try {
                db->db->reopen();
            } catch (...) {
                return translate(db->msg);
            }
        } catch (...) {
            return translate(db->msg);
        }
    }
}

#define GZT_XTRY(db, ...)                                                      \
    return guard((db), true, [&]() -> int {                                    \
        __VA_ARGS__;                                                           \
        return GZT_OK;                                                         \
    })

static int
need_writable(gzt_xdb *db) noexcept
{
    if (db->w)
        return GZT_OK;
    try {
        db->msg = "the database is open read-only";
    } catch (...) {
        db->msg.clear();
    }
    return GZT_EINVAL;
}

} // namespace

extern "C" {

int
gzt_xdb_open(gzt_xdb **out, const char *path, gzt_xdb_mode mode,
             unsigned timeout_ms, gzt_error *err)
{
    *out = nullptr;
    gzt_err_clear(err);
    gzt_xdb *h = nullptr;
    std::string msg;
    try {
        h = new gzt_xdb{nullptr, nullptr, std::string(), std::string(), false};
        if (mode == GZT_XDB_READ) {
            if (is_file(path)) {
                auto *db = new Xapian::Database();
                h->db = db;
                open_stub(*db, path, timeout_ms, false, h->skipped);
            } else {
                h->db = new Xapian::Database(path);
            }
        } else {
            int flags = mode == GZT_XDB_CREATE ? Xapian::DB_CREATE_OR_OPEN
                        : mode == GZT_XDB_OVERWRITE
                            ? Xapian::DB_CREATE_OR_OVERWRITE
                            : Xapian::DB_OPEN;
            h->w = new Xapian::WritableDatabase(path, flags);
            h->db = h->w;
        }
        *out = h;
        return GZT_OK;
    } catch (...) {
        int rc = translate(msg);
        gzt_xdb_close(h);
        return gzt_err_set(err, rc, "%s: %s", path, msg.c_str());
    }
}

int
gzt_xdb_open_many(gzt_xdb **out, const char *const *paths, size_t n,
                  unsigned timeout_ms, bool allow_partial, gzt_error *err)
{
    *out = nullptr;
    gzt_err_clear(err);
    gzt_xdb *h = nullptr;
    std::string msg;
    try {
        h = new gzt_xdb{nullptr, nullptr, std::string(), std::string(), false};
        auto *db = new Xapian::Database();
        h->db = db;
        for (size_t i = 0; i < n; i++) {
            if (is_file(paths[i])) {
                open_stub(*db, paths[i], timeout_ms, allow_partial, h->skipped);
                continue;
            }
            std::string p(paths[i]);
            add_or_skip(*db, allow_partial, h->skipped, [&]() {
                try {
                    return Xapian::Database(p);
                } catch (Xapian::DatabaseNotFoundError &e) {
                    throw Xapian::DatabaseNotFoundError(p + ": " + e.get_msg());
                } catch (Xapian::DatabaseCorruptError &e) {
                    throw Xapian::DatabaseCorruptError(p + ": " + e.get_msg());
                } catch (Xapian::Error &e) {
                    throw Xapian::DatabaseOpeningError(p + ": " + e.get_msg());
                }
            });
        }
        if (db->size() == 0)
            throw Xapian::DatabaseOpeningError(
                h->skipped.empty()
                    ? "no database to open"
                    : "no database could be opened: " + h->skipped);
        *out = h;
        return GZT_OK;
    } catch (...) {
        int rc = translate(msg);
        gzt_xdb_close(h);
        // a stub's failures name the shard; say which stub too
        if (n == 1 && is_file(paths[0]))
            return gzt_err_set(err, rc, "%s: %s", paths[0], msg.c_str());
        return gzt_err_set(err, rc, "%s", msg.c_str());
    }
}

const char *
gzt_xdb_skipped(const gzt_xdb *db)
{
    return db->skipped.c_str();
}

void
gzt_xdb_close(gzt_xdb *db)
{
    if (!db)
        return;
    try {
        if (db->w && db->in_tx)
            db->w->cancel_transaction();
    } catch (...) {
        // what the transaction held is dropped either way
    }
    try {
        if (db->db)
            db->db->close();
    } catch (...) {
        // closing cannot report: the last commit is what survives
    }
    delete db->db;
    delete db;
}

const char *
gzt_xdb_error(const gzt_xdb *db)
{
    return db->msg.c_str();
}

int
gzt_xdb_commit(gzt_xdb *db)
{
    if (need_writable(db))
        return GZT_EINVAL;
    GZT_XTRY(db, {
        if (db->in_tx) {
            db->in_tx = false;
            db->w->commit_transaction();
        } else {
            db->w->commit();
        }
    });
}

int
gzt_xdb_begin(gzt_xdb *db)
{
    if (need_writable(db))
        return GZT_EINVAL;
    GZT_XTRY(db, {
        db->w->begin_transaction(true);
        db->in_tx = true;
    });
}

int
gzt_xdb_compact(const char *src, const char *dst, gzt_error *err)
{
    gzt_err_clear(err);
    std::string msg;
    try {
        Xapian::Database db(src);
        db.compact(dst, Xapian::DBCOMPACT_NO_RENUMBER);
        return GZT_OK;
    } catch (...) {
        int rc = translate(msg);
        return gzt_err_set(err, rc, "%s: compacting: %s", src, msg.c_str());
    }
}

int
gzt_xdb_check(const char *path, gzt_error *err)
{
    gzt_err_clear(err);
    struct stat st;
    if (stat(path, &st) != 0)
        return gzt_err_set(err, GZT_ENOTFOUND, "%s: %s", path,
                           std::strerror(errno));
    std::string msg;
    try {
        std::ostringstream report;
        size_t errors = Xapian::Database::check(path, 0, &report);
        if (errors == 0)
            return GZT_OK;
        std::string r = report.str();
        for (char &c : r)
            if (c == '\n')
                c = ' ';
        return gzt_err_set(err, GZT_ECORRUPT, "%s: %zu error(s): %s", path,
                           errors, r.c_str());
    } catch (...) {
        int rc = translate(msg);
        if (rc == GZT_EBACKEND)
            rc = GZT_ECORRUPT;
        return gzt_err_set(err, rc, "%s: %s", path, msg.c_str());
    }
}

int
gzt_xdb_set_meta(gzt_xdb *db, const char *key, const char *value)
{
    if (need_writable(db))
        return GZT_EINVAL;
    GZT_XTRY(db, db->w->set_metadata(key, value));
}

int
gzt_xdb_meta(gzt_xdb *db, const char *key, gzt_buf *out)
{
    return guard(db, true, [&]() -> int {
        std::string v = db->db->get_metadata(key);
        gzt_buf_reset(out);
        return gzt_buf_append(out, v.data(), v.size());
    });
}

int
gzt_xdb_meta_u64(gzt_xdb *db, const char *key, uint64_t *out)
{
    GZT_XTRY(db, {
        std::string v = db->db->get_metadata(key);
        *out = std::strtoull(v.c_str(), nullptr, 10);
    });
}

int
gzt_xdb_termcount(gzt_xdb *db, uint64_t *n)
{
    GZT_XTRY(db, {
        uint64_t k = 0;
        for (auto t = db->db->allterms_begin(); t != db->db->allterms_end();
             ++t)
            k++;
        *n = k;
    });
}

int
gzt_xdb_postlist(gzt_xdb *db, const char *term, size_t len,
                 int (*fn)(void *ctx, uint32_t docid), void *ctx)
{
    return guard(db, false, [&]() -> int {
        std::string t(term, len);
        for (auto p = db->db->postlist_begin(t); p != db->db->postlist_end(t);
             ++p) {
            int rc = fn(ctx, *p);
            if (rc)
                return rc;
        }
        return GZT_OK;
    });
}

int
gzt_xdb_terms(gzt_xdb *db, const char *prefix, size_t len,
              int (*fn)(void *ctx, const char *term, size_t len), void *ctx)
{
    return guard(db, false, [&]() -> int {
        std::string p(prefix, len);
        for (auto t = db->db->allterms_begin(p); t != db->db->allterms_end(p);
             ++t) {
            const std::string &term = *t;
            int rc = fn(ctx, term.data(), term.size());
            if (rc)
                return rc;
        }
        return GZT_OK;
    });
}

int
gzt_xdb_doclength(gzt_xdb *db, uint32_t docid, uint32_t *len)
{
    GZT_XTRY(db, *len = db->db->get_doclength(docid));
}

int
gzt_xdb_doccount(gzt_xdb *db, uint64_t *n)
{
    GZT_XTRY(db, *n = db->db->get_doccount());
}

int
gzt_xdb_termfreq(gzt_xdb *db, const char *term, size_t len, uint64_t *df)
{
    GZT_XTRY(db, *df = db->db->get_termfreq(std::string(term, len)));
}

int
gzt_xdb_collfreq(gzt_xdb *db, const char *term, size_t len, uint64_t *cf)
{
    GZT_XTRY(db, *cf = db->db->get_collection_freq(std::string(term, len)));
}

int
gzt_xdb_total_length(gzt_xdb *db, uint64_t *n)
{
    GZT_XTRY(db, *n = db->db->get_total_length());
}

gzt_xdoc *
gzt_xdoc_new(void)
{
    try {
        return new gzt_xdoc();
    } catch (...) {
        return nullptr;
    }
}

void
gzt_xdoc_free(gzt_xdoc *d)
{
    delete d;
}

int
gzt_xdoc_posting(gzt_xdoc *d, const char *term, size_t len, uint32_t pos,
                 uint32_t wdf_inc)
{
    try {
        d->doc.add_posting(std::string(term, len), pos, wdf_inc);
        return GZT_OK;
    } catch (...) {
        return GZT_ENOMEM;
    }
}

int
gzt_xdoc_term(gzt_xdoc *d, const char *term, size_t len, uint32_t wdf)
{
    try {
        if (wdf)
            d->doc.add_term(std::string(term, len), wdf);
        else
            d->doc.add_boolean_term(std::string(term, len));
        return GZT_OK;
    } catch (...) {
        return GZT_ENOMEM;
    }
}

int
gzt_xdoc_value(gzt_xdoc *d, unsigned slot, const void *p, size_t len)
{
    try {
        d->doc.add_value(slot, std::string(static_cast<const char *>(p), len));
        return GZT_OK;
    } catch (...) {
        return GZT_ENOMEM;
    }
}

int
gzt_xdoc_data(gzt_xdoc *d, const void *p, size_t len)
{
    try {
        d->doc.set_data(std::string(static_cast<const char *>(p), len));
        return GZT_OK;
    } catch (...) {
        return GZT_ENOMEM;
    }
}

int
gzt_xdb_replace(gzt_xdb *db, const char *id, size_t idlen, gzt_xdoc *d,
                uint32_t *docid)
{
    if (need_writable(db))
        return GZT_EINVAL;
    GZT_XTRY(db, {
        std::string q = id_term(id, idlen);
        d->doc.add_boolean_term(q);
        Xapian::docid did = db->w->replace_document(q, d->doc);
        if (docid)
            *docid = did;
    });
}

int
gzt_xdb_delete(gzt_xdb *db, const char *id, size_t idlen)
{
    if (need_writable(db))
        return GZT_EINVAL;
    return guard(db, true, [&]() -> int {
        std::string q = id_term(id, idlen);
        if (!db->w->term_exists(q)) {
            db->msg = "no document with id \"" + std::string(id, idlen) + "\"";
            return GZT_ENOTFOUND;
        }
        db->w->delete_document(q);
        return GZT_OK;
    });
}

int
gzt_xdb_find(gzt_xdb *db, const char *id, size_t idlen, uint32_t *docid)
{
    return guard(db, true, [&]() -> int {
        std::string q = id_term(id, idlen);
        Xapian::PostingIterator p = db->db->postlist_begin(q);
        if (p == db->db->postlist_end(q)) {
            db->msg = "no document with id \"" + std::string(id, idlen) + "\"";
            return GZT_ENOTFOUND;
        }
        *docid = *p;
        return GZT_OK;
    });
}

static int
put(gzt_buf *out, const std::string &s)
{
    gzt_buf_reset(out);
    return gzt_buf_append(out, s.data(), s.size());
}

int
gzt_xdb_data(gzt_xdb *db, uint32_t docid, gzt_buf *out)
{
    return guard(db, true, [&]() -> int {
        return put(out, db->db->get_document(docid).get_data());
    });
}

int
gzt_xdb_value(gzt_xdb *db, uint32_t docid, unsigned slot, gzt_buf *out)
{
    return guard(db, true, [&]() -> int {
        return put(out, db->db->get_document(docid).get_value(slot));
    });
}

static gzt_xq *
wrap(const Xapian::Query &q)
{
    try {
        return new gzt_xq{q};
    } catch (...) {
        return nullptr;
    }
}

gzt_xq *
gzt_xq_term(const char *term, size_t len)
{
    try {
        return wrap(Xapian::Query(std::string(term, len)));
    } catch (...) {
        return nullptr;
    }
}

gzt_xq *
gzt_xq_all(void)
{
    return wrap(Xapian::Query::MatchAll);
}

gzt_xq *
gzt_xq_none(void)
{
    return wrap(Xapian::Query::MatchNothing);
}

gzt_xq *
gzt_xq_phrase(const char *const *terms, const size_t *lens, size_t n)
{
    try {
        std::vector<std::string> v;
        for (size_t i = 0; i < n; i++)
            v.emplace_back(terms[i], lens[i]);
        if (n == 1)
            return wrap(Xapian::Query(v[0]));
        return wrap(Xapian::Query(Xapian::Query::OP_PHRASE, v.begin(), v.end(),
                                  static_cast<Xapian::termcount>(n)));
    } catch (...) {
        return nullptr;
    }
}

gzt_xq *
gzt_xq_phrase_window(const char *const *terms, const size_t *lens, size_t n,
                     uint32_t window)
{
    try {
        std::vector<std::string> v;
        for (size_t i = 0; i < n; i++)
            v.emplace_back(terms[i], lens[i]);
        return wrap(Xapian::Query(Xapian::Query::OP_PHRASE, v.begin(), v.end(),
                                  static_cast<Xapian::termcount>(window)));
    } catch (...) {
        return nullptr;
    }
}

gzt_xq *
gzt_xq_range(unsigned slot, const char *lo, size_t lolen, const char *hi,
             size_t hilen)
{
    try {
        return wrap(Xapian::Query(Xapian::Query::OP_VALUE_RANGE, slot,
                                  std::string(lo, lolen),
                                  std::string(hi, hilen)));
    } catch (...) {
        return nullptr;
    }
}

static gzt_xq *
combine(Xapian::Query::op op, const gzt_xq *a, const gzt_xq *b)
{
    if (!a || !b)
        return nullptr;
    try {
        return wrap(Xapian::Query(op, a->q, b->q));
    } catch (...) {
        return nullptr;
    }
}

gzt_xq *
gzt_xq_and(const gzt_xq *a, const gzt_xq *b)
{
    return combine(Xapian::Query::OP_AND, a, b);
}

gzt_xq *
gzt_xq_or(const gzt_xq *a, const gzt_xq *b)
{
    return combine(Xapian::Query::OP_OR, a, b);
}

gzt_xq *
gzt_xq_and_not(const gzt_xq *a, const gzt_xq *b)
{
    return combine(Xapian::Query::OP_AND_NOT, a, b);
}

gzt_xq *
gzt_xq_and_maybe(const gzt_xq *a, const gzt_xq *b)
{
    return combine(Xapian::Query::OP_AND_MAYBE, a, b);
}

gzt_xq *
gzt_xq_filter(const gzt_xq *a, const gzt_xq *b)
{
    return combine(Xapian::Query::OP_FILTER, a, b);
}

gzt_xq *
gzt_xq_boolean(const gzt_xq *a)
{
    if (!a)
        return nullptr;
    try {
        return wrap(Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, a->q, 0.0));
    } catch (...) {
        return nullptr;
    }
}

void
gzt_xq_free(gzt_xq *q)
{
    delete q;
}

int
gzt_xq_describe(const gzt_xq *q, gzt_buf *out)
{
    try {
        return put(out, q->q.get_description());
    } catch (...) {
        return GZT_ENOMEM;
    }
}

int
gzt_xdb_search(gzt_xdb *db, const gzt_xq *q, const gzt_xsearch *s,
               gzt_xmset **out)
{
    *out = nullptr;
    GZT_XTRY(db, {
        Xapian::Enquire enq(*db->db);
        enq.set_query(q->q);
        // k2 = 0 and k3 = 1: no query-length normalisation, query term
        // frequency as is; min_normlen 0: no floor under short documents'
        // normalised length (Xapian's default 0.5 would tie them), so
        // that only the idf differs from gazette's own scorer
        enq.set_weighting_scheme(Xapian::BM25Weight(s->k1, 0, 1, s->b, 0));
        enq.set_docid_order(Xapian::Enquire::ASCENDING);
        if (s->sort)
            enq.set_sort_by_value_then_relevance(s->sort_slot, s->sort == 1);
        auto *m = new gzt_xmset{enq.get_mset(s->first, s->max,
                                             s->check_atleast == UINT32_MAX
                                                 ? db->db->get_doccount()
                                                 : s->check_atleast),
                                false};
        *out = m;
    });
}

void
gzt_xmset_free(gzt_xmset *m)
{
    delete m;
}

size_t
gzt_xmset_size(const gzt_xmset *m)
{
    try {
        return m->m.size();
    } catch (...) {
        return 0; // cannot happen: the page is in memory
    }
}

void
gzt_xmset_item(const gzt_xmset *m, size_t i, uint32_t *docid, double *weight)
{
    try {
        Xapian::MSetIterator it = m->m[static_cast<Xapian::doccount>(i)];
        *docid = *it;
        *weight = it.get_weight();
    } catch (...) {
        *docid = 0; // cannot happen: the page is in memory
        *weight = 0;
    }
}

int
gzt_xmset_document(gzt_xdb *db, gzt_xmset *m, size_t i, unsigned slot,
                   gzt_buf *data, gzt_buf *value)
{
    GZT_XTRY(db, {
        if (!m->fetched) {
            // the range form: MSet::fetch() of a page that does not start
            // at the first result crashes in Xapian 1.4.22
            m->m.fetch(m->m.begin(), m->m.end());
            m->fetched = true;
        }
        Xapian::Document d =
            m->m[static_cast<Xapian::doccount>(i)].get_document();
        std::string v = d.get_value(slot);
        int rc = put(data, d.get_data());
        if (rc == GZT_OK)
            rc = put(value, v);
        return rc;
    });
}

void
gzt_xmset_counts(const gzt_xmset *m, uint64_t *lower, uint64_t *estimate,
                 uint64_t *upper)
{
    try {
        *lower = m->m.get_matches_lower_bound();
        *estimate = m->m.get_matches_estimated();
        *upper = m->m.get_matches_upper_bound();
    } catch (...) {
        *lower = *estimate = *upper = 0; // cannot happen
    }
}

} // extern "C"
