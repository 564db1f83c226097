/* tail.c - one followed file: identity, reading, truncation. */
#include "input/tail.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/timeparse.h"
#include "base/util.h"

static ssize_t pread_full(int fd, void *buf, size_t n, off_t off)
{
    size_t got = 0;

    while (got < n) {
        ssize_t r = pread(fd, (char *)buf + got, n - got,
                          off + (off_t)got);

        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

int mcp_tail_fingerprint_fd(int fd, uint64_t size, struct mcp_fingerprint *fp)
{
    unsigned char buf[MCP_TAIL_FP_MAX];
    size_t n = size < MCP_TAIL_FP_MAX ? (size_t)size : MCP_TAIL_FP_MAX;
    ssize_t got = n ? pread_full(fd, buf, n, 0) : 0;

    if (got < 0)
        return -1;
    fp->len = (uint32_t)got;
    fp->hash = mcp_fnv1a(MCP_FNV1A_INIT, buf, (size_t)got);
    return 0;
}

bool mcp_tail_fp_matches(int fd, uint64_t size,
                         const struct mcp_fingerprint *fp)
{
    unsigned char buf[MCP_TAIL_FP_MAX];

    if (fp->len == 0 || size < fp->len)
        return false;
    if (pread_full(fd, buf, fp->len, 0) != (ssize_t)fp->len)
        return false;
    return mcp_fnv1a(MCP_FNV1A_INIT, buf, fp->len) == fp->hash;
}

static ssize_t read_cb(void *arg, char *buf, size_t cap, char *err)
{
    struct mcp_tail *t = arg;
    ssize_t n;

    if (t->budget == 0)
        return 0;
    if (cap > t->budget)
        cap = t->budget;
    do
        n = read(t->fd, buf, cap);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        mcp_errf(err, "%s: read error at offset %llu: %s", t->path,
                 (unsigned long long)t->pos, strerror(errno));
        return -1;
    }
    t->pos += (uint64_t)n;
    t->budget -= (size_t)n;
    t->grown += (uint64_t)n;
    return n;
}

struct mcp_tail *mcp_tail_open(const char *path, uint64_t offset,
                               uint64_t first_line, int64_t carry_ts,
                               size_t max_line, char *err)
{
    struct mcp_tail *t;
    struct stat st;
    int fd = mcp_open_regular(path, &st, err);

    if (fd < 0)
        return NULL;
    if (lseek(fd, (off_t)offset, SEEK_SET) < 0) {
        mcp_errf(err, "%s: cannot seek to %llu: %s", path,
                 (unsigned long long)offset, strerror(errno));
        close(fd);
        return NULL;
    }
    t = mcp_calloc(1, sizeof(*t));
    t->fd = fd;
    t->path = mcp_strdup(path);
    t->dev = st.st_dev;
    t->ino = st.st_ino;
    t->pos = offset;
    t->wd = -1;
    t->max_line = max_line;
    mcp_tail_fingerprint_fd(fd, (uint64_t)st.st_size, &t->fp);
    t->fr = mcp_framer_create(max_line, MCP_FRAMER_FOLLOW, read_cb, t);
    mcp_framer_set_origin(t->fr, offset, first_line, carry_ts);
    return t;
}

void mcp_tail_set_format(struct mcp_tail *t, enum mcp_format format,
                         const char *server)
{
    if (format == MCP_FMT_TEXT)
        return;
    t->format = format;
    free(t->server);
    t->server = server ? mcp_strdup(server) : NULL;
    mcp_fmt_destroy(t->fmt);
    mcp_framer_destroy(t->fr);
    t->fmt = mcp_fmt_create(format, server, true, read_cb, t);
    t->fr = mcp_framer_create(t->max_line, MCP_FRAMER_FOLLOW, mcp_fmt_read,
                              t->fmt);
}

int mcp_tail_find_end(int fd, uint64_t *offset, uint64_t *lines,
                      int64_t *last_ts)
{
    static const size_t bufsz = 256 * 1024;
    char *buf;
    uint64_t pos = 0, end = 0, n = 0, size;
    int64_t ts = MCP_TIME_NONE;
    ssize_t got = 0;
    struct stat st;

    if (fstat(fd, &st) != 0)
        return -1;
    /* Up to the size it has now: a writer faster than us must not keep
     * this loop going. */
    size = (uint64_t)st.st_size;
    buf = mcp_malloc(bufsz);
    /* One pass: count lines, remember the end of the last complete line
     * and the last line start that carries a timestamp. A line start that
     * straddles two reads is skipped for the timestamp (rare, harmless:
     * the time is only the carry for continuation lines). */
    while (pos < size &&
           (got = pread(fd, buf, size - pos < bufsz ? (size_t)(size - pos)
                                                    : bufsz,
                        (off_t)pos)) > 0) {
        const char *p = buf, *e = buf + got;

        while ((p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
            const char *ls = p + 1;
            int64_t t;

            n++;
            end = pos + (uint64_t)(ls - buf);
            if (ls < e && mcp_time_parse_prefix(ls, (size_t)(e - ls), &t))
                ts = t;
            p = ls;
        }
        pos += (uint64_t)got;
    }
    free(buf);
    if (got < 0)
        return -1;
    *offset = end;
    *lines = n;
    *last_ts = ts;
    return 0;
}

int mcp_tail_next(struct mcp_tail *t, struct mcp_chunk *c, char *err)
{
    return mcp_framer_next(t->fr, c, err);
}

uint64_t mcp_tail_consumed(const struct mcp_tail *t)
{
    if (t->fmt != NULL)
        return t->pos - mcp_fmt_pending(t->fmt);
    return mcp_framer_consumed(t->fr);
}

bool mcp_tail_truncated(struct mcp_tail *t)
{
    struct stat st;
    unsigned char buf[MCP_TAIL_MARK_LEN];
    uint64_t c = mcp_tail_consumed(t);
    size_t n = c < MCP_TAIL_MARK_LEN ? (size_t)c : MCP_TAIL_MARK_LEN;

    if (fstat(t->fd, &st) != 0)
        return false;
    if ((uint64_t)st.st_size < t->pos)
        return true;
    if (n == 0)
        return false;
    /* The consumed content ends with the last delivered line's '\n'; if
     * the bytes there are no longer a newline, or the fingerprint of the
     * head changed, the file was rewritten under us. */
    if (pread_full(t->fd, buf, n, (off_t)(c - n)) != (ssize_t)n)
        return true;
    if (buf[n - 1] != '\n')
        return true;
    return t->fp.len > 0 && !mcp_tail_fp_matches(t->fd, (uint64_t)st.st_size,
                                                 &t->fp);
}

void mcp_tail_rewind(struct mcp_tail *t)
{
    struct stat st;

    lseek(t->fd, 0, SEEK_SET);
    t->pos = 0;
    mcp_framer_reset(t->fr, 0, 1);
    if (t->fmt != NULL)
        mcp_tail_set_format(t, t->format, t->server);
    if (fstat(t->fd, &st) == 0)
        mcp_tail_fingerprint_fd(t->fd, (uint64_t)st.st_size, &t->fp);
}

void mcp_tail_refresh_fp(struct mcp_tail *t)
{
    struct stat st;

    if (t->fp.len < MCP_TAIL_FP_MAX && fstat(t->fd, &st) == 0 &&
        (uint64_t)st.st_size > t->fp.len)
        mcp_tail_fingerprint_fd(t->fd, (uint64_t)st.st_size, &t->fp);
}

void mcp_tail_finish(struct mcp_tail *t)
{
    mcp_framer_finish(t->fr);
}

void mcp_tail_trim(struct mcp_tail *t)
{
    mcp_framer_trim(t->fr);
}

void mcp_tail_close(struct mcp_tail *t)
{
    if (t == NULL)
        return;
    mcp_framer_destroy(t->fr);
    mcp_fmt_destroy(t->fmt);
    free(t->server);
    close(t->fd);
    free(t->path);
    free(t);
}
