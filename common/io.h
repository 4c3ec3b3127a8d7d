/* SPDX-License-Identifier: MIT */
/*
 * io.h: every operating-system I/O call of gazette: read-only mappings of
 * index files with their header, footer and checksum verified, checksummed
 * buffered writers for new files, atomic replacement of small files, the
 * writer lock and directory helpers.
 *
 * Every file of an index starts with a 16-byte header (8-byte magic, u32
 * format version, u32 segment id) and ends with a 16-byte footer (u64 XXH3
 * of everything before the footer, u32 format version, "GZTE"). The body is
 * what lies between.
 */
#ifndef GZT_IO_H
#define GZT_IO_H

#include "common/base.h"

#define GZT_FORMAT_VERSION 4
/* The oldest manifest format of a Xapian-engine index this gazette reads
 * and updates: format 3 changed only gazette's own segments, and format
 * 4's stored mentions read the older ones too (a canonical form is only
 * left out where it is the mention's text). */
#define GZT_FORMAT_XAPIAN_MIN 2
#define GZT_HEADER_LEN 16
#define GZT_FOOTER_LEN 16

/* A verified read-only file. */
typedef struct gzt_rfile {
    char *path;          /* for messages */
    const uint8_t *base; /* the mapping (NULL for an empty file) */
    size_t size;         /* bytes mapped */
    const uint8_t *body; /* base + GZT_HEADER_LEN */
    size_t body_len;     /* bytes between header and footer */
} gzt_rfile;

/* Map @p path and verify magic, version, footer and checksum. GZT_ENOTFOUND
 * when it does not exist, GZT_ECORRUPT naming the file and offset. */
GZT_NODISCARD int gzt_rfile_open(gzt_rfile *f, const char *path,
                                 const char magic[8], gzt_error *err);
/* Give the file's resident pages back (they stay in the page cache and
 * fault in again when touched): a process streaming through files larger
 * than memory calls this now and then to keep its RSS bounded. */
void gzt_rfile_drop_pages(const gzt_rfile *f);
void gzt_rfile_close(gzt_rfile *f);
/* Record a GZT_ECORRUPT for @p f at body offset of @p at (a pointer into the
 * body) with a reason; returns GZT_ECORRUPT. */
int gzt_rfile_corrupt(const gzt_rfile *f, const void *at, const char *why,
                      gzt_error *err);

/* A new file being written: buffered, checksummed a buffer at a time. */
typedef struct gzt_wfile {
    int fd;        /* open descriptor, -1 when closed */
    char *path;    /* final path */
    uint8_t *buf;  /* write buffer */
    size_t len;    /* bytes in buf */
    size_t hashed; /* bytes at the start of buf already checksummed */
    uint64_t off;  /* bytes written to the file so far incl. buf */
    void *xx;      /* XXH3 streaming state */
    int error;     /* sticky first error */
    int sys;       /* errno of that error */
} gzt_wfile;

/* Create @p path (must not exist) and write the header. */
GZT_NODISCARD int gzt_wfile_open(gzt_wfile *f, const char *path,
                                 const char magic[8], uint32_t segid,
                                 gzt_error *err);
GZT_NODISCARD int gzt_wfile_write(gzt_wfile *f, const void *p, size_t n);
/* offset of the next byte relative to the start of the body */
static inline uint64_t
gzt_wfile_body_off(const gzt_wfile *f)
{
    return f->off - GZT_HEADER_LEN;
}
/* The error of a failed gzt_wfile_write(): "PATH: write: REASON" (the
 * system's words: "No space left on device", "File too large"). */
int gzt_wfile_fail(const gzt_wfile *f, gzt_error *err);
/* Write the footer, flush, fsync, close. */
GZT_NODISCARD int gzt_wfile_finish(gzt_wfile *f, gzt_error *err);
/* Close and unlink a file not finished. */
void gzt_wfile_abort(gzt_wfile *f);

/* Replace @p dir/@p name atomically with @p len bytes: temp file, fsync,
 * rename, fsync of the directory. *@p replaced (may be NULL) says whether
 * the rename happened: a failure after it (the directory's fsync) leaves
 * the new contents in place, and the caller must treat them as written. */
GZT_NODISCARD int gzt_io_write_atomic(const char *dir, const char *name,
                                      const void *p, size_t len, bool *replaced,
                                      gzt_error *err);
/* Read a whole (small) file into @p out. GZT_ENOTFOUND when absent. */
GZT_NODISCARD int gzt_io_read_file(const char *path, gzt_buf *out,
                                   size_t max_len, gzt_error *err);
GZT_NODISCARD int gzt_io_fsync_dir(const char *dir, gzt_error *err);

/* Fault injection, for tests. Every call of the I/O layer that changes the
 * disk is one operation of a kind below. gzt_io_fault() makes the @p nth
 * operation from now (1 = the next one) of the kinds in @p mask fail with
 * errno @p e (EIO, ENOSPC, ...), as a failing or full disk would: only that
 * one, or with @p sticky every one after it too (a full disk stays full).
 * With @p nth 0 nothing fails but operations of @p mask are counted; a
 * @p mask of 0 turns it all off. Returns the operations of the previous
 * mask counted since the previous call, so a test can count the steps of a
 * job and then fail each in turn. Thread-safe. */
enum {
    GZT_IO_CREATE = 1,  /* open(2) that creates a file */
    GZT_IO_WRITE = 2,   /* one write(2) */
    GZT_IO_FSYNC = 4,   /* fsync(2) of a file */
    GZT_IO_DIRSYNC = 8, /* fsync(2) of a directory */
    GZT_IO_RENAME = 16, /* rename(2) */
    GZT_IO_MKDIR = 32,  /* mkdir(2) */
    GZT_IO_ALL = 63
};
unsigned long gzt_io_fault(unsigned mask, unsigned long nth, int e,
                           bool sticky);
/* rename(2), counted as a GZT_IO_RENAME operation */
GZT_NODISCARD int gzt_io_rename(const char *from, const char *to);
/* Take the writer lock of index @p dir (file LOCK, flock); *fd receives it. */
GZT_NODISCARD int gzt_io_lock(const char *dir, int *fd, gzt_error *err);
void gzt_io_unlock(int fd);
/* mkdir -p of one level; ok when it exists as a directory */
GZT_NODISCARD int gzt_io_mkdir(const char *dir, gzt_error *err);
/* "dir/name" in a new string */
char *gzt_path_join(const char *dir, const char *name);
/* size of @p path, 0 when absent */
uint64_t gzt_io_file_size(const char *path);
/* bytes of the regular files below the directory @p path (0 when absent) */
uint64_t gzt_io_tree_size(const char *path);
/* remove the directory @p path and everything below it (rm -rf); an absent
 * one is fine */
GZT_NODISCARD int gzt_io_rmtree(const char *path, gzt_error *err);

#endif
