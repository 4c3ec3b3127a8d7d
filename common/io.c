/* SPDX-License-Identifier: MIT */
/*
 * io.c: the I/O layer (see io.h). Index files are immutable once written, so
 * readers map them and verify the whole-file checksum once at open; after
 * that every decoder still bounds-checks, because a checksum proves only
 * that the bytes are the ones the writer wrote, not that the writer was
 * right.
 *
 * Durability: a new file is fsynced before the manifest that names it is
 * written; the manifest is written to a temporary name, fsynced, renamed
 * over the old one and the directory is fsynced, so a crash leaves either
 * the old or the new generation, never a mix.
 */
#define _XOPEN_SOURCE 700 /* nftw() */
#include "common/io.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#define WBUF_CAP (1u << 20)

char *
gzt_path_join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    char *p = gzt_malloc(a + b + 2);
    if (!p)
        return NULL;
    memcpy(p, dir, a);
    p[a] = '/';
    memcpy(p + a + 1, name, b + 1);
    return p;
}

uint64_t
gzt_io_file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

uint64_t
gzt_io_tree_size(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return 0;
    uint64_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        struct stat st;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        if (S_ISREG(st.st_mode)) {
            n += (uint64_t)st.st_size;
        } else if (S_ISDIR(st.st_mode)) {
            char *sub = gzt_path_join(path, e->d_name);
            if (sub)
                n += gzt_io_tree_size(sub);
            gzt_free(sub);
        }
    }
    closedir(d);
    return n;
}

static int
remove_one(const char *path, const struct stat *st, int type, struct FTW *f)
{
    (void)st;
    (void)f;
    return (type == FTW_DP ? rmdir(path) : unlink(path)) == 0 || errno == ENOENT
               ? 0
               : -1;
}

int
gzt_io_rmtree(const char *path, gzt_error *err)
{
    struct stat st;
    if (lstat(path, &st) != 0 && errno == ENOENT)
        return GZT_OK;
    if (nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
        return gzt_err_set(err, GZT_EIO, "%s: cannot remove: %s", path,
                           strerror(errno));
    return GZT_OK;
}

int
gzt_rfile_corrupt(const gzt_rfile *f, const void *at, const char *why,
                  gzt_error *err)
{
    size_t off = at ? (size_t)((const uint8_t *)at - f->base) : 0;
    return gzt_err_set(err, GZT_ECORRUPT, "%s: offset %zu: %s", f->path, off,
                       why);
}

int
gzt_rfile_open(gzt_rfile *f, const char *path, const char magic[8],
               gzt_error *err)
{
    memset(f, 0, sizeof *f);
    f->path = gzt_strdup(path);
    if (!f->path)
        return gzt_err_set(err, GZT_ENOMEM, "out of memory");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        gzt_free(f->path);
        f->path = NULL;
        return gzt_err_set(err, e == ENOENT ? GZT_ENOTFOUND : GZT_EIO, "%s: %s",
                           path, strerror(e));
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        gzt_rfile_close(f);
        return gzt_err_set(err, GZT_EIO, "%s: %s", path, strerror(e));
    }
    f->size = (size_t)st.st_size;
    if (f->size < GZT_HEADER_LEN + GZT_FOOTER_LEN) {
        close(fd);
        int rc = gzt_err_set(err, GZT_ECORRUPT,
                             "%s: offset 0: file too short (%zu bytes)", path,
                             f->size);
        gzt_rfile_close(f);
        return rc;
    }
    void *m = mmap(NULL, f->size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (m == MAP_FAILED) {
        gzt_rfile_close(f);
        return gzt_err_set(err, GZT_EIO, "%s: mmap: %s", path, strerror(errno));
    }
    f->base = m;
    f->body = f->base + GZT_HEADER_LEN;
    f->body_len = f->size - GZT_HEADER_LEN - GZT_FOOTER_LEN;
    const uint8_t *foot = f->base + f->size - GZT_FOOTER_LEN;
    int rc = GZT_OK;
    if (memcmp(f->base, magic, 8) != 0)
        rc = gzt_rfile_corrupt(f, f->base,
                               "bad magic (not this kind of "
                               "gazette file)",
                               err);
    else if (gzt_load_u32(f->base + 8) != GZT_FORMAT_VERSION)
        rc = gzt_err_set(err, GZT_ECORRUPT,
                         "%s: index format %u, but this gazette reads format "
                         "%u: rebuild it with gazette reindex",
                         path, gzt_load_u32(f->base + 8), GZT_FORMAT_VERSION);
    else if (memcmp(foot + 12, "GZTE", 4) != 0 ||
             gzt_load_u32(foot + 8) != GZT_FORMAT_VERSION)
        rc = gzt_rfile_corrupt(f, foot, "bad footer (truncated file?)", err);
    else if (XXH3_64bits(f->base, f->size - GZT_FOOTER_LEN) !=
             gzt_load_u64(foot))
        rc = gzt_rfile_corrupt(f, foot, "checksum mismatch", err);
    if (rc) {
        gzt_rfile_close(f);
        return rc;
    }
    /* Reading the whole file for its checksum made all of it resident in
     * this process; give the pages back (they stay in the page cache), so
     * that a writer that opens every segment, or a reader of a large
     * index, pays in RSS only for what it then touches. */
    if (f->size > (1u << 20))
        gzt_rfile_drop_pages(f);
    return GZT_OK;
}

void
gzt_rfile_drop_pages(const gzt_rfile *f)
{
    if (f->base && f->size)
        (void)madvise((void *)(uintptr_t)f->base, f->size, MADV_DONTNEED);
}

void
gzt_rfile_close(gzt_rfile *f)
{
    if (f->base)
        munmap((void *)(uintptr_t)f->base, f->size);
    gzt_free(f->path);
    memset(f, 0, sizeof *f);
}

/* ---- fault injection ---------------------------------------------------- */

static unsigned fault_mask;           /* kinds counted; 0 = off */
static unsigned long fault_countdown; /* 0 = count only; 1 = the next fails */
static int fault_errno;               /* what a failing operation sets */
static bool fault_sticky;             /* failing stays on after the first */
static unsigned long fault_calls;     /* operations counted */

unsigned long
gzt_io_fault(unsigned mask, unsigned long nth, int e, bool sticky)
{
    __atomic_store_n(&fault_mask, 0, __ATOMIC_SEQ_CST);
    unsigned long calls =
        __atomic_exchange_n(&fault_calls, 0, __ATOMIC_SEQ_CST);
    fault_errno = e ? e : EIO;
    fault_sticky = sticky;
    __atomic_store_n(&fault_countdown, nth, __ATOMIC_SEQ_CST);
    __atomic_store_n(&fault_mask, mask, __ATOMIC_SEQ_CST);
    return calls;
}

/* 0, or the errno an operation of @p kind must fail with */
static int
fault_errno_for(unsigned kind)
{
    if (!(__atomic_load_n(&fault_mask, __ATOMIC_RELAXED) & kind))
        return 0;
    __atomic_fetch_add(&fault_calls, 1, __ATOMIC_RELAXED);
    unsigned long c = __atomic_load_n(&fault_countdown, __ATOMIC_RELAXED);
    for (;;) {
        if (c == 0)
            return 0;
        unsigned long next = c > 1 ? c - 1 : fault_sticky ? 1 : 0;
        if (__atomic_compare_exchange_n(&fault_countdown, &c, next, false,
                                        __ATOMIC_RELAXED, __ATOMIC_RELAXED))
            return c == 1 ? fault_errno : 0;
    }
}

/* Must this operation of @p kind fail? Then errno is set as for it. */
static bool
faulted(unsigned kind)
{
    int e = fault_errno_for(kind);
    if (e)
        errno = e;
    return e != 0;
}

/* open(2) for a new file */
static int
open_create(const char *path, int flags)
{
    return faulted(GZT_IO_CREATE) ? -1 : open(path, flags | O_CREAT, 0644);
}

static int
fsync_file(int fd, unsigned kind)
{
    return faulted(kind) ? -1 : fsync(fd);
}

int
gzt_io_rename(const char *from, const char *to)
{
    return faulted(GZT_IO_RENAME) ? -1 : rename(from, to);
}

/* ---- writing ----------------------------------------------------------- */

static int
write_all(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        if (faulted(GZT_IO_WRITE))
            return -1;
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Checksum what the buffer holds since the last time. A buffer at a time,
 * not a write at a time: the segment writer makes several small writes
 * per term, and the streaming hash's cost per call was most of theirs. */
static void
wfile_hash(gzt_wfile *f)
{
    XXH3_64bits_update(f->xx, f->buf + f->hashed, f->len - f->hashed);
    f->hashed = f->len;
}

static int
wfile_flush(gzt_wfile *f)
{
    if (f->error)
        return f->error;
    wfile_hash(f);
    f->hashed = 0;
    if (f->len && write_all(f->fd, f->buf, f->len) != 0) {
        f->sys = errno;
        f->error = GZT_EIO;
        return f->error;
    }
    f->len = 0;
    return GZT_OK;
}

int
gzt_wfile_open(gzt_wfile *f, const char *path, const char magic[8],
               uint32_t segid, gzt_error *err)
{
    memset(f, 0, sizeof *f);
    f->fd = -1;
    f->path = gzt_strdup(path);
    f->buf = gzt_malloc(WBUF_CAP);
    f->xx = XXH3_createState();
    if (!f->path || !f->buf || !f->xx) {
        gzt_wfile_abort(f);
        return gzt_err_set(err, GZT_ENOMEM, "out of memory");
    }
    XXH3_64bits_reset(f->xx);
    f->fd = open_create(path, O_WRONLY | O_EXCL | O_CLOEXEC);
    if (f->fd < 0) {
        int e = errno;
        gzt_free(f->path);
        f->path = NULL;
        gzt_wfile_abort(f);
        return gzt_err_set(err, e == EEXIST ? GZT_EEXIST : GZT_EIO, "%s: %s",
                           path, strerror(e));
    }
    uint8_t h[GZT_HEADER_LEN];
    memcpy(h, magic, 8);
    gzt_store_u32(h + 8, GZT_FORMAT_VERSION);
    gzt_store_u32(h + 12, segid);
    return gzt_wfile_write(f, h, sizeof h);
}

int
gzt_wfile_write(gzt_wfile *f, const void *p, size_t n)
{
    if (f->error)
        return f->error;
    f->off += n;
    const uint8_t *s = p;
    while (n) {
        if (f->len == WBUF_CAP && wfile_flush(f))
            return f->error;
        size_t k = GZT_MIN(n, WBUF_CAP - f->len);
        memcpy(f->buf + f->len, s, k);
        f->len += k;
        s += k;
        n -= k;
    }
    return GZT_OK;
}

int
gzt_wfile_fail(const gzt_wfile *f, gzt_error *err)
{
    return gzt_err_set(err, f->error ? f->error : GZT_EIO, "%s: write: %s",
                       f->path ? f->path : "?",
                       strerror(f->sys ? f->sys : EIO));
}

int
gzt_wfile_finish(gzt_wfile *f, gzt_error *err)
{
    uint8_t foot[GZT_FOOTER_LEN];
    wfile_hash(f);
    uint64_t sum = XXH3_64bits_digest(f->xx);
    gzt_store_u32(foot, (uint32_t)sum);
    gzt_store_u32(foot + 4, (uint32_t)(sum >> 32));
    gzt_store_u32(foot + 8, GZT_FORMAT_VERSION);
    memcpy(foot + 12, "GZTE", 4);
    if (f->error == GZT_OK && f->len + sizeof foot <= WBUF_CAP) {
        memcpy(f->buf + f->len, foot, sizeof foot);
        f->len += sizeof foot;
        f->hashed = f->len; /* the footer is not its own checksum's */
        f->off += sizeof foot;
    } else if (f->error == GZT_OK) {
        if (wfile_flush(f) == GZT_OK &&
            write_all(f->fd, foot, sizeof foot) != 0) {
            f->sys = errno;
            f->error = GZT_EIO;
        }
    }
    if (f->error == GZT_OK)
        (void)wfile_flush(f);
    if (f->error == GZT_OK && fsync_file(f->fd, GZT_IO_FSYNC) != 0) {
        f->sys = errno;
        f->error = GZT_EIO;
    }
    if (f->error) {
        int rc = gzt_wfile_fail(f, err);
        gzt_wfile_abort(f);
        return rc;
    }
    close(f->fd);
    f->fd = -1;
    XXH3_freeState(f->xx);
    gzt_free(f->buf);
    gzt_free(f->path);
    memset(f, 0, sizeof *f);
    f->fd = -1;
    return GZT_OK;
}

void
gzt_wfile_abort(gzt_wfile *f)
{
    if (f->fd >= 0) {
        close(f->fd);
        if (f->path)
            unlink(f->path);
    }
    if (f->xx)
        XXH3_freeState(f->xx);
    gzt_free(f->buf);
    gzt_free(f->path);
    memset(f, 0, sizeof *f);
    f->fd = -1;
}

int
gzt_io_fsync_dir(const char *dir, gzt_error *err)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return gzt_err_set(err, GZT_EIO, "%s: %s", dir, strerror(errno));
    int rc = fsync_file(fd, GZT_IO_DIRSYNC);
    int e = errno;
    close(fd);
    if (rc != 0)
        return gzt_err_set(err, GZT_EIO, "%s: fsync: %s", dir, strerror(e));
    return GZT_OK;
}

int
gzt_io_write_atomic(const char *dir, const char *name, const void *p,
                    size_t len, bool *replaced, gzt_error *err)
{
    if (replaced)
        *replaced = false;
    char tmpname[256];
    snprintf(tmpname, sizeof tmpname, "%s.tmp.%ld", name, (long)getpid());
    char *tmp = gzt_path_join(dir, tmpname);
    char *dst = gzt_path_join(dir, name);
    int rc = GZT_OK;
    if (!tmp || !dst) {
        rc = gzt_err_set(err, GZT_ENOMEM, "out of memory");
        goto fail;
    }
    int fd = open_create(tmp, O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0) {
        rc = gzt_err_set(err, GZT_EIO, "%s: %s", tmp, strerror(errno));
        goto fail;
    }
    if (write_all(fd, p, len) != 0 || fsync_file(fd, GZT_IO_FSYNC) != 0) {
        rc = gzt_err_set(err, GZT_EIO, "%s: write: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        goto fail;
    }
    close(fd);
    if (gzt_io_rename(tmp, dst) != 0) {
        rc = gzt_err_set(err, GZT_EIO, "%s: rename: %s", dst, strerror(errno));
        unlink(tmp);
        goto fail;
    }
    if (replaced)
        *replaced = true;
    rc = gzt_io_fsync_dir(dir, err);
fail:
    gzt_free(tmp);
    gzt_free(dst);
    return rc;
}

int
gzt_io_read_file(const char *path, gzt_buf *out, size_t max_len, gzt_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        return gzt_err_set(err, e == ENOENT ? GZT_ENOTFOUND : GZT_EIO, "%s: %s",
                           path, strerror(e));
    }
    gzt_buf_reset(out);
    int rc = GZT_OK;
    for (;;) {
        if (gzt_buf_reserve(out, 65536)) {
            rc = gzt_err_set(err, GZT_ENOMEM, "out of memory");
            break;
        }
        ssize_t n = read(fd, out->p + out->len, 65536);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            rc = gzt_err_set(err, GZT_EIO, "%s: %s", path, strerror(errno));
            break;
        }
        if (n == 0)
            break;
        out->len += (size_t)n;
        if (out->len > max_len) {
            rc = gzt_err_set(err, GZT_ETOOBIG, "%s: larger than %zu bytes",
                             path, max_len);
            break;
        }
    }
    close(fd);
    return rc;
}

int
gzt_io_lock(const char *dir, int *fd, gzt_error *err)
{
    char *p = gzt_path_join(dir, "LOCK");
    if (!p)
        return gzt_err_set(err, GZT_ENOMEM, "out of memory");
    *fd = open_create(p, O_RDWR | O_CLOEXEC);
    if (*fd < 0) {
        int rc = gzt_err_set(err, GZT_EIO, "%s: %s", p, strerror(errno));
        gzt_free(p);
        return rc;
    }
    if (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        close(*fd);
        *fd = -1;
        int rc =
            e == EWOULDBLOCK
                ? gzt_err_set(err, GZT_ELOCKED,
                              "%s: index is locked by another writer", dir)
                : gzt_err_set(err, GZT_EIO, "%s: flock: %s", p, strerror(e));
        gzt_free(p);
        return rc;
    }
    gzt_free(p);
    return GZT_OK;
}

void
gzt_io_unlock(int fd)
{
    if (fd >= 0)
        close(fd); /* releases the flock */
}

int
gzt_io_mkdir(const char *dir, gzt_error *err)
{
    if (!faulted(GZT_IO_MKDIR) && mkdir(dir, 0755) == 0)
        return GZT_OK;
    struct stat st;
    if (errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
        return GZT_OK;
    return gzt_err_set(err, GZT_EIO, "%s: %s", dir, strerror(errno));
}
