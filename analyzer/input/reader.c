/* reader.c - bytes from a log file, plain or gzip.
 *
 * Plain files are read with read(2) straight into the caller's buffer (the
 * framer already reads in large blocks; an extra copy would buy nothing).
 * gzip files go through a 256 KiB input buffer and a decoder
 * (reader_int.h): ISA-L when the build has it, zlib otherwise. This file
 * owns what does not depend on the decoder: member boundaries, the
 * inflate bound, error delivery and the offsets in messages.
 *
 * Damage with ISA-L: when ISA-L rejects a member, or the file ends inside
 * one, the member is decoded again with zlib from its start (the bytes
 * already returned are decoded and dropped), and zlib decodes the rest of
 * the file. So the bytes kept, the message and the offset are zlib's in
 * both builds; only a damaged member costs zlib's speed.
 *
 * Error delivery: damage found while a call has already produced bytes is
 * parked in r->pend_err; that call returns its bytes, the next returns -1
 * with the message, and every later call returns 0 (state machine below).
 *
 * The inflate bound (reader.h) is codec-independent: a decoder asks
 * bound_room() how much it may produce before the next check and reports
 * what it produced to bound_over(). Checks fall on every CHECK_STEP bytes
 * of a member's output from MCP_INFLATE_FLOOR on, so where a bomb is cut
 * does not depend on the callers' buffer sizes. A member that fails a
 * check is cut there only if it goes on: the decoder is then given room
 * for one byte, and a member that ends exactly at the check (its trailer
 * follows) is whole.
 */
#include "input/reader.h"
#include "input/reader_int.h"
#include "base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define IN_SIZE (256 * 1024)
#define CHECK_STEP (64 * 1024) /* divides MCP_INFLATE_FLOOR */
#define SCRATCH (64 * 1024)    /* where a zlib redo drops known bytes */

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
    /* gzip input: in[in_pos, in_len) is read and not taken yet */
    unsigned char *in;    /* IN_SIZE bytes */
    size_t in_pos, in_len;
    uint64_t in_total;    /* bytes read from the file so far */
    bool eof;             /* a read returned 0 */
    bool member_done;     /* a member ended, the next not started */
    /* decoders */
    struct mcp_gz_zlib *zlib;
#ifndef MCP_NO_ISAL
    struct mcp_gz_isal *isal; /* NULL: zlib decodes */
#endif
    bool new_member;      /* the current member's header is next */
    uint64_t skip;        /* zlib redo: bytes of the member to drop */
    unsigned char *scratch;
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

/* The zlib decoder, made on first need. False with r->pend_err set when
 * zlib cannot start. */
static bool zlib_ready(struct mcp_reader *r)
{
    char why[256];

    if (r->zlib != NULL)
        return true;
    r->zlib = mcp_gz_zlib_create(why, sizeof(why));
    if (r->zlib == NULL)
        snprintf(r->pend_err, sizeof(r->pend_err),
                 "%s: cannot start gzip decoder: %s", r->path, why);
    return r->zlib != NULL;
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
    r->new_member = true;
#ifndef MCP_NO_ISAL
    r->isal = mcp_gz_isal_create();
#else
    if (!zlib_ready(r)) {
        mcp_errf(err, "%s", r->pend_err);
        mcp_reader_close(r);
        return NULL;
    }
#endif
    return r;
}

int mcp_reader_force_zlib(struct mcp_reader *r, char *err)
{
    if (!r->gz)
        return 0;
#ifndef MCP_NO_ISAL
    mcp_gz_isal_destroy(r->isal);
    r->isal = NULL;
#endif
    if (!zlib_ready(r)) {
        mcp_errf(err, "%s", r->pend_err);
        r->pend_err[0] = '\0';
        return -1;
    }
    return 0;
}

/* Append file bytes after the unused ones (moved to the front of r->in
 * first). Returns bytes added, 0 at EOF (r->eof set), -1 on error
 * (message in r->pend_err). */
static ssize_t fill(struct mcp_reader *r)
{
    size_t keep = r->in_len - r->in_pos;
    ssize_t got;

    if (keep > 0 && r->in_pos > 0)
        memmove(r->in, r->in + r->in_pos, keep);
    r->in_pos = 0;
    r->in_len = keep;
    got = read_retry(r->fd, r->in + keep, IN_SIZE - keep);
    if (got < 0) {
        snprintf(r->pend_err, sizeof(r->pend_err),
                 "%s: read error at offset %llu: %s", r->path,
                 (unsigned long long)r->in_total, strerror(errno));
        return -1;
    }
    if (got == 0)
        r->eof = true;
    r->in_total += (uint64_t)got;
    r->in_len += (size_t)got;
    return got;
}

/* Compressed bytes the decoder has used so far: what was read, less what
 * it has not taken, less what ISA-L holds read ahead. */
static uint64_t consumed(const struct mcp_reader *r)
{
    uint64_t c = r->in_total - (r->in_len - r->in_pos);

#ifndef MCP_NO_ISAL
    if (r->isal != NULL)
        c -= mcp_gz_isal_held(r->isal);
#endif
    return c;
}

/* --- the inflate bound (any decoder) ------------------------------------ */

/* How much of want a decoder may produce before the next check: up to
 * the floor, then up to the next CHECK_STEP boundary, or 1 byte after a
 * failed check. */
static size_t bound_room(const struct mcp_reader *r, size_t want)
{
    size_t left;

    if (r->at_cut)
        left = 1;
    else if (r->max_ratio == MCP_INFLATE_NONE)
        left = want;
    else if (r->member_out < MCP_INFLATE_FLOOR)
        left = (size_t)(MCP_INFLATE_FLOOR - r->member_out);
    else
        left = CHECK_STEP - (size_t)(r->member_out % CHECK_STEP);
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
    uint64_t at = consumed(r), n = r->in_len - r->in_pos;
    ssize_t got;

    while ((got = read_retry(r->fd, r->in, IN_SIZE)) > 0)
        n += (uint64_t)got;
    r->in_pos = r->in_len = 0;
    snprintf(r->warn, sizeof(r->warn),
             "ignored %llu trailing bytes after the last gzip member at "
             "offset %llu", (unsigned long long)n, (unsigned long long)at);
}

static void reset_decoder(struct mcp_reader *r)
{
#ifndef MCP_NO_ISAL
    if (r->isal != NULL) {
        mcp_gz_isal_reset(r->isal);
        return;
    }
#endif
    mcp_gz_zlib_reset(r->zlib);
}

/* Between members: decide whether the next bytes start another member.
 * The magic can straddle the input buffer, so with one byte left, read
 * more first. Returns 1 (new member, decoder reset), 0 (clean end, maybe
 * with a trailing-bytes warning) or -1 (read error). */
static int next_member(struct mcp_reader *r)
{
    while (r->in_len - r->in_pos < 2 && !r->eof)
        if (fill(r) < 0)
            return -1;
    if (r->in_len == r->in_pos)
        return 0;
    if (r->in_len - r->in_pos >= 2 && r->in[r->in_pos] == 0x1f &&
        r->in[r->in_pos + 1] == 0x8b) {
        reset_decoder(r);
        r->member_done = false;
        r->new_member = true;
        bound_member(r, consumed(r));
        return 1;
    }
    trailing(r);
    r->warn_set = true;
    return 0;
}

/* ISA-L rejected the member, or the file ended inside it: decode it again
 * with zlib from its start, dropping the member_out bytes already counted.
 * False with r->pend_err set when that cannot start. */
static bool redo_with_zlib(struct mcp_reader *r)
{
#ifndef MCP_NO_ISAL
    mcp_gz_isal_destroy(r->isal);
    r->isal = NULL;
#endif
    if (!zlib_ready(r))
        return false;
    mcp_gz_zlib_reset(r->zlib);
    if (lseek(r->fd, (off_t)r->member_at, SEEK_SET) < 0) {
        snprintf(r->pend_err, sizeof(r->pend_err),
                 "%s: read error at offset %llu: %s", r->path,
                 (unsigned long long)r->member_at, strerror(errno));
        return false;
    }
    r->in_pos = r->in_len = 0;
    r->in_total = r->member_at;
    r->eof = false;
    r->skip = r->member_out;
    if (r->skip > 0 && r->scratch == NULL)
        r->scratch = mcp_malloc(SCRATCH);
    return true;
}

/* ISA-L takes a gzip header that zlib refuses for its reserved flag bits
 * (and any method but deflate is refused by both): such a member goes to
 * zlib at once. False when the header at r->in_pos (4 bytes read, or the
 * file ends) is one ISA-L may start on. */
static bool header_for_zlib(struct mcp_reader *r)
{
    r->new_member = false;
    while (r->in_len - r->in_pos < 4 && !r->eof)
        if (fill(r) < 0)
            return true; /* zlib meets the same read error and says so */
    return r->in_len - r->in_pos >= 4 &&
           (r->in[r->in_pos + 2] != 8 || (r->in[r->in_pos + 3] & 0xe0) != 0);
}

/* One decoder step from r->in into out. why: zlib's message on error. */
static enum mcp_gz_rc step(struct mcp_reader *r, unsigned char *out,
                           size_t room, size_t *made, char *why,
                           size_t whylen)
{
    struct mcp_gz_io io = {r->in + r->in_pos, r->in_len - r->in_pos, out,
                           room, 0};
    enum mcp_gz_rc rc;

#ifndef MCP_NO_ISAL
    if (r->isal != NULL)
        rc = mcp_gz_isal_step(r->isal, &io);
    else
#endif
        rc = mcp_gz_zlib_step(r->zlib, &io, why, whylen);
    r->in_pos = (size_t)(io.in - r->in);
    *made = io.made;
    return rc;
}

static bool using_isal(const struct mcp_reader *r)
{
#ifndef MCP_NO_ISAL
    return r->isal != NULL;
#else
    (void)r;
    return false;
#endif
}

/* Decode into buf until it is full, the input ends or damage is found.
 * *bad is set when r->pend_err holds a damage message. */
static size_t gz_decode(struct mcp_reader *r, char *buf, size_t cap,
                        bool *bad)
{
    unsigned char *out = (unsigned char *)buf;
    size_t left = cap;
    char why[256];

    *bad = false;
    while (left > 0 && r->state == ST_OK) {
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
        if (r->new_member && using_isal(r) && header_for_zlib(r)) {
            if (!redo_with_zlib(r)) {
                *bad = true;
                break;
            }
            continue;
        }
        if (r->in_pos == r->in_len && !r->eof && fill(r) < 0) {
            *bad = true;
            break;
        }
        bool skipping = r->skip > 0;
        size_t room = skipping ? (r->skip < SCRATCH ? (size_t)r->skip
                                                    : SCRATCH)
                               : bound_room(r, left);
        size_t made;
        enum mcp_gz_rc rc = step(r, skipping ? r->scratch : out, room,
                                 &made, why, sizeof(why));
        bool stuck = rc == MCP_GZ_OK && made == 0 &&
                     r->in_pos == r->in_len && r->eof;

        if ((rc == MCP_GZ_ERR || stuck) && using_isal(r)) {
            if (!redo_with_zlib(r)) {
                *bad = true;
                break;
            }
            continue;
        }
        if (rc == MCP_GZ_ERR) {
            /* zlib writes what it decoded before the damage: kept. */
            if (skipping) {
                r->skip -= made < r->skip ? made : r->skip;
            } else {
                out += made;
                left -= made;
            }
            snprintf(r->pend_err, sizeof(r->pend_err),
                     "%s: corrupt gzip data at offset %llu: %s", r->path,
                     (unsigned long long)consumed(r), why);
            *bad = true;
            break;
        }
        if (stuck) {
            snprintf(r->pend_err, sizeof(r->pend_err),
                     "%s: truncated gzip stream at offset %llu", r->path,
                     (unsigned long long)consumed(r));
            *bad = true;
            break;
        }
        if (skipping) {
            r->skip -= made;
        } else if (bound_over(r, made, consumed(r))) {
            *bad = true;
            break;
        } else {
            out += made;
            left -= made;
        }
        if (rc == MCP_GZ_END) {
            r->member_done = true;
            r->skip = 0;
        }
    }
    return cap - left;
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
    if (cap > SSIZE_MAX)
        cap = SSIZE_MAX;
    if (!r->gz) {
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

const char *mcp_reader_inflater(void)
{
#ifndef MCP_NO_ISAL
    return "isa-l";
#else
    return "zlib";
#endif
}

void mcp_reader_close(struct mcp_reader *r)
{
    if (r == NULL)
        return;
    mcp_gz_zlib_destroy(r->zlib);
#ifndef MCP_NO_ISAL
    mcp_gz_isal_destroy(r->isal);
#endif
    if (r->fd >= 0)
        close(r->fd);
    free(r->in);
    free(r->scratch);
    free(r->path);
    free(r);
}
