/* reader.c - bytes from a log file, plain or gzip (the only zlib user).
 *
 * Plain files are read with read(2) straight into the caller's buffer (the
 * framer already reads in large blocks; an extra copy would buy nothing).
 * gzip files go through a 256 KiB input buffer and inflate().
 *
 * Error delivery: damage found while a call has already produced bytes is
 * parked in r->pend_err; that call returns its bytes, the next returns -1
 * with the message, and every later call returns 0 (state machine below).
 *
 * The inflate bound (reader.h) is codec-independent: a decoder asks
 * bound_room() how much it may produce before the next check and reports
 * what it produced to bound_over(). Checks fall on every CHECK_STEP bytes
 * of a member's output, so where a bomb is cut does not depend on the
 * callers' buffer sizes. A member that fails a check is cut there only if
 * it goes on: the decoder is then given room for one byte, and a member
 * that ends exactly at the check (its trailer follows) is whole.
 */
#include "input/reader.h"
#include "base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define IN_SIZE (256 * 1024)
#define CHECK_STEP (64 * 1024) /* divides MCP_INFLATE_FLOOR */

enum rstate {
    ST_OK,      /* decoding */
    ST_PENDING, /* damage found, bytes before it returned; -1 is next */
    ST_END,     /* clean end (trailing-bytes warning possibly set) */
    ST_FAILED,  /* -1 returned; only 0 from now on */
};

struct mcp_reader {
    int fd;
    char *path;
    bool gz;
    uint64_t size;        /* st_size at open */
    enum rstate state;
    uint64_t plain_off;   /* plain: bytes returned so far */
    /* gzip */
    z_stream z;
    bool z_ready;         /* inflateInit2 succeeded */
    bool member_done;     /* Z_STREAM_END seen, next member not started */
    unsigned char *in;    /* IN_SIZE bytes */
    uint64_t in_total;    /* bytes read from the file so far */
    /* the inflate bound, shared by every decoder */
    unsigned max_ratio;   /* MCP_INFLATE_NONE: none */
    uint64_t member_at;   /* file offset where the current member starts */
    uint64_t member_out;  /* bytes it has inflated */
    bool at_cut;          /* it failed the check at member_out */
    char pend_err[MCP_ERRLEN];
    char warn[160];
    bool warn_set;        /* trailing bytes were found */
};

static ssize_t read_retry(int fd, void *buf, size_t n)
{
    ssize_t got;

    do
        got = read(fd, buf, n);
    while (got < 0 && errno == EINTR);
    return got;
}

struct mcp_reader *mcp_reader_open(const char *path, char *err)
{
    struct mcp_reader *r;
    unsigned char magic[2];
    struct stat st;
    ssize_t got;
    int fd;

    /* Only a regular file: a FIFO or a device given as a log would
     * block or never end. */
    fd = mcp_open_regular(path, &st, err);
    if (fd < 0)
        return NULL;
    /* Sniff with pread so the file position stays at 0. A short file
     * (0 or 1 byte) cannot be gzip. */
    do
        got = pread(fd, magic, sizeof(magic), 0);
    while (got < 0 && errno == EINTR);
    if (got < 0) {
        mcp_errf(err, "%s: read error at offset 0: %s", path, strerror(errno));
        close(fd);
        return NULL;
    }
    r = mcp_calloc(1, sizeof(*r));
    r->fd = fd;
    r->path = mcp_strdup(path);
    r->size = (uint64_t)st.st_size;
    r->gz = got == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    r->max_ratio = MCP_INFLATE_DEFAULT;
    if (!r->gz)
        return r;
    r->in = mcp_malloc(IN_SIZE);
    /* +32: detect the gzip (or zlib) header automatically. */
    int zret = inflateInit2(&r->z, MAX_WBITS + 32);
    if (zret != Z_OK) {
        mcp_errf(err, "%s: cannot start gzip decoder: %s", path,
                 r->z.msg ? r->z.msg : zError(zret));
        mcp_reader_close(r);
        return NULL;
    }
    r->z_ready = true;
    return r;
}

/* Append file bytes after the r->z.avail_in bytes still unused (moved to
 * the front of r->in first). Returns bytes added, 0 at EOF, -1 on error
 * (message in r->pend_err). */
static ssize_t fill(struct mcp_reader *r)
{
    size_t keep = r->z.avail_in;
    ssize_t got;

    if (keep > 0 && r->z.next_in != r->in)
        memmove(r->in, r->z.next_in, keep);
    r->z.next_in = r->in;
    got = read_retry(r->fd, r->in + keep, IN_SIZE - keep);
    if (got < 0) {
        snprintf(r->pend_err, sizeof(r->pend_err),
                 "%s: read error at offset %llu: %s", r->path,
                 (unsigned long long)r->in_total, strerror(errno));
        return -1;
    }
    r->in_total += (uint64_t)got;
    r->z.avail_in = (uInt)(keep + (size_t)got);
    return got;
}

/* Compressed bytes consumed by inflate so far. */
static uint64_t consumed(const struct mcp_reader *r)
{
    return r->in_total - r->z.avail_in;
}

/* --- the inflate bound (any decoder) ------------------------------------ */

/* How much of want a decoder may produce before the next check: up to
 * the next CHECK_STEP boundary, or 1 byte after a failed check. */
static size_t bound_room(const struct mcp_reader *r, size_t want)
{
    size_t left = r->at_cut ? 1
                            : CHECK_STEP - (size_t)(r->member_out % CHECK_STEP);

    return want < left ? want : left;
}

/* Count n bytes just inflated from the member, with `at` compressed bytes
 * of the file used. True, with the damage in r->pend_err, when the member
 * goes on after a failed check (past the floor, over the ratio): the n
 * bytes are past the cut and the decoder drops them. */
static bool bound_over(struct mcp_reader *r, size_t n, uint64_t at)
{
    if (r->at_cut && n > 0) {
        snprintf(r->pend_err, sizeof(r->pend_err),
                 "%s: inflate ratio over %u:1 in the gzip member at offset "
                 "%llu", r->path, r->max_ratio,
                 (unsigned long long)r->member_at);
        return true;
    }
    r->member_out += n;
    if (n > 0 && r->max_ratio != MCP_INFLATE_NONE &&
        r->member_out % CHECK_STEP == 0 &&
        r->member_out >= MCP_INFLATE_FLOOR &&
        r->member_out / r->max_ratio > at - r->member_at)
        r->at_cut = true;
    return false;
}

/* A new member starts at file offset at. */
static void bound_member(struct mcp_reader *r, uint64_t at)
{
    r->member_at = at;
    r->member_out = 0;
    r->at_cut = false;
}

/* The bytes after a finished member are not another member: count them to
 * EOF (read errors while counting only shorten the count) and note it. */
static void trailing(struct mcp_reader *r)
{
    uint64_t at = consumed(r), n = r->z.avail_in;
    ssize_t got;

    while ((got = read_retry(r->fd, r->in, IN_SIZE)) > 0)
        n += (uint64_t)got;
    r->z.avail_in = 0;
    snprintf(r->warn, sizeof(r->warn),
             "ignored %llu trailing bytes after the last gzip member at "
             "offset %llu", (unsigned long long)n, (unsigned long long)at);
}

/* Between members: decide whether the next bytes start another member.
 * The magic can straddle the input buffer, so with one byte left, read
 * more first. Returns 1 (new member, stream reset), 0 (clean end, maybe
 * with a trailing-bytes warning) or -1 (read error). */
static int next_member(struct mcp_reader *r)
{
    while (r->z.avail_in < 2) {
        ssize_t got = fill(r);

        if (got < 0)
            return -1;
        if (got == 0)
            break;
    }
    if (r->z.avail_in == 0)
        return 0;
    if (r->z.avail_in >= 2 && r->z.next_in[0] == 0x1f &&
        r->z.next_in[1] == 0x8b) {
        inflateReset(&r->z);
        r->member_done = false;
        bound_member(r, consumed(r));
        return 1;
    }
    trailing(r);
    r->warn_set = true;
    return 0;
}

/* Decode into buf until it is full, the input ends or damage is found.
 * *bad is set when r->pend_err holds a damage message. */
static size_t gz_decode(struct mcp_reader *r, char *buf, size_t cap,
                        bool *bad)
{
    size_t chunk = cap > UINT32_MAX ? UINT32_MAX : cap;

    r->z.next_out = (Bytef *)buf;
    r->z.avail_out = (uInt)chunk;
    *bad = false;
    while (r->z.avail_out > 0 && r->state == ST_OK) {
        if (r->member_done) {
            int m = next_member(r);

            if (m < 0)
                *bad = true;
            if (m <= 0) {
                if (m == 0)
                    r->state = ST_END;
                break;
            }
        }
        if (r->z.avail_in == 0) {
            ssize_t got = fill(r);

            if (got < 0) {
                *bad = true;
                break;
            }
            if (got == 0) {
                snprintf(r->pend_err, sizeof(r->pend_err),
                         "%s: truncated gzip stream at offset %llu", r->path,
                         (unsigned long long)consumed(r));
                *bad = true;
                break;
            }
        }
        uInt room = (uInt)bound_room(r, r->z.avail_out);
        uInt rest = r->z.avail_out - room;

        r->z.avail_out = room;
        int zret = inflate(&r->z, Z_NO_FLUSH);
        size_t made = room - r->z.avail_out;

        r->z.avail_out += rest;
        if (zret == Z_NEED_DICT || zret == Z_DATA_ERROR ||
            zret == Z_STREAM_ERROR || zret == Z_MEM_ERROR) {
            snprintf(r->pend_err, sizeof(r->pend_err),
                     "%s: corrupt gzip data at offset %llu: %s", r->path,
                     (unsigned long long)consumed(r),
                     r->z.msg ? r->z.msg : zError(zret));
            *bad = true;
            break;
        }
        if (bound_over(r, made, consumed(r))) {
            r->z.next_out -= made;
            r->z.avail_out += (uInt)made;
            *bad = true;
            break;
        }
        if (zret == Z_STREAM_END)
            r->member_done = true;
        /* Z_OK, or Z_BUF_ERROR (no progress: input used up) - loop. */
    }
    return chunk - r->z.avail_out;
}

ssize_t mcp_reader_read(struct mcp_reader *r, char *buf, size_t cap,
                        char *err)
{
    bool bad;
    size_t got;

    if (r->state == ST_PENDING) {
        mcp_errf(err, "%s", r->pend_err);
        r->state = ST_FAILED;
        return -1;
    }
    if (r->state != ST_OK || cap == 0)
        return 0;
    if (!r->gz) {
        if (cap > SSIZE_MAX)
            cap = SSIZE_MAX;
        ssize_t n = read_retry(r->fd, buf, cap);

        if (n < 0) {
            mcp_errf(err, "%s: read error at offset %llu: %s", r->path,
                     (unsigned long long)r->plain_off, strerror(errno));
            r->state = ST_FAILED;
            return -1;
        }
        r->plain_off += (uint64_t)n;
        return n;
    }
    got = gz_decode(r, buf, cap, &bad);
    if (bad) {
        r->state = ST_PENDING;
        if (got == 0)
            return mcp_reader_read(r, buf, cap, err);
    }
    return (ssize_t)got;
}

void mcp_reader_set_max_inflate(struct mcp_reader *r, unsigned ratio)
{
    r->max_ratio = ratio == 0 ? MCP_INFLATE_DEFAULT : ratio;
}

bool mcp_reader_compressed(const struct mcp_reader *r)
{
    return r->gz;
}

uint64_t mcp_reader_file_size(const struct mcp_reader *r)
{
    return r->size;
}

const char *mcp_reader_warning(const struct mcp_reader *r)
{
    /* Sticky from the read that found the trailing bytes on, so that a
     * caller checking only after its last read (the framer's owner) still
     * finds it. */
    return r->warn_set && r->state == ST_END ? r->warn : NULL;
}

void mcp_reader_close(struct mcp_reader *r)
{
    if (r == NULL)
        return;
    if (r->z_ready)
        inflateEnd(&r->z);
    if (r->fd >= 0)
        close(r->fd);
    free(r->in);
    free(r->path);
    free(r);
}
