/* tail.h - one file being followed.
 *
 * A tail is an open descriptor on one file (one inode), read from an
 * offset through a framer in follow mode, so that only complete lines are
 * ever delivered. Its identity is (st_dev, st_ino) plus a fingerprint: a
 * hash of the first bytes of the content (up to MCP_TAIL_FP_MAX), which
 * survives renames, copies (copytruncate) and compression.
 *
 * Truncation is detected by size (smaller than what was read) and by
 * content: the marker is a hash of the bytes just before the read offset,
 * so a truncate followed by a burst larger than the old offset is still
 * seen (RELIABILITY.md 7).
 */
#ifndef MCP_TAIL_H
#define MCP_TAIL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "input/format.h"
#include "input/framer.h"

#define MCP_TAIL_FP_MAX 1024
#define MCP_TAIL_MARK_LEN 64

struct mcp_fingerprint {
    uint32_t len;       /* bytes hashed; 0 = none yet (empty file) */
    uint64_t hash;
};

struct mcp_tail {
    int fd;
    char *path;             /* the name it was opened under */
    dev_t dev;
    ino_t ino;
    struct mcp_fingerprint fp;
    uint64_t pos;           /* bytes read from the file */
    struct mcp_framer *fr;
    uint32_t input;         /* index of the input it reports as */
    size_t budget;          /* bytes the next reads may take (set by the
                               caller per round) */
    int wd;                 /* inotify watch, or -1 */
    int64_t deadline;       /* draining: when it may be closed (mono ms) */
    bool draining;
    uint64_t grown;         /* bytes read since the last check */
    /* A client's file (mcp_tail_set_format): the format stage between
     * the reads and the framer; the framer's lines are record lines, its
     * offsets theirs, while pos and mcp_tail_consumed stay in the file. */
    struct mcp_fmt *fmt;
    enum mcp_format format;
    char *server;
    size_t max_line;
};

/* Hash of the first n bytes of fd at offset 0 (pread). Returns 0 and fills
 * fp, or -1 when the read failed. n is capped to MCP_TAIL_FP_MAX. */
int mcp_tail_fingerprint_fd(int fd, uint64_t size, struct mcp_fingerprint *fp);

/* Whether fd's content starts with the bytes fingerprinted in fp. */
bool mcp_tail_fp_matches(int fd, uint64_t size,
                         const struct mcp_fingerprint *fp);

/* Open path and position it at offset (the end of a complete line) with
 * the framer's line numbers starting at first_line and carry_ts the time in
 * force there. Only a regular file (mcp_open_regular): NULL with err and
 * errno set otherwise (ENOENT: nothing there). */
struct mcp_tail *mcp_tail_open(const char *path, uint64_t offset,
                               uint64_t first_line, int64_t carry_ts,
                               size_t max_line, char *err);

/* Read t's file as format (format.h; MCP_FMT_TEXT: as it is) about
 * server (may be NULL): call right after mcp_tail_open. Its record lines
 * are numbered from 1; the time carried at the start is unknown. */
void mcp_tail_set_format(struct mcp_tail *t, enum mcp_format format,
                         const char *server);

/* The end of the last complete line before the end of the file (its size
 * when called: a growing file is not chased), the number of lines before
 * it and the last timestamp before it (for starting at the end like
 * tail -F). */
int mcp_tail_find_end(int fd, uint64_t *offset, uint64_t *lines,
                      int64_t *last_ts);

/* Next chunk of complete lines, reading within t->budget: 1 with a chunk,
 * 0 when nothing more is complete now, -1 on a read error (err). */
int mcp_tail_next(struct mcp_tail *t, struct mcp_chunk *c, char *err);

/* Decoded offset just past the last complete line handed out (a client's
 * file: just past the last raw line the format stage has taken in). */
uint64_t mcp_tail_consumed(const struct mcp_tail *t);

/* Whether the file was truncated or rewritten under us: smaller than what
 * was read, or the bytes before the consumed offset changed. */
bool mcp_tail_truncated(struct mcp_tail *t);

/* Start over at offset 0 (after truncation). */
void mcp_tail_rewind(struct mcp_tail *t);

/* Refresh the fingerprint while the file is shorter than MCP_TAIL_FP_MAX. */
void mcp_tail_refresh_fp(struct mcp_tail *t);

/* The input has ended for good: the partial last line will be delivered
 * completed by the next mcp_tail_next() calls. */
void mcp_tail_finish(struct mcp_tail *t);

void mcp_tail_close(struct mcp_tail *t);

/* Return the line buffer's unused pages to the kernel (mcp_framer_trim). */
void mcp_tail_trim(struct mcp_tail *t);

#endif
