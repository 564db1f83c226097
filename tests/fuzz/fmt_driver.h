/* fmt_driver.h - the driver the format-stage fuzz targets share
 * (fuzz_fmt_*.c): byte 0 is the target's choice, byte 1 seeds the read
 * sizes (1 .. 1 + byte1 % 64, or whole reads when 0); bit 7 of byte 1
 * reads in follow mode (the source also answers "nothing for now"). The
 * rest is the file. Every line handed out is checked: a line that starts
 * with a time is a record line (mcp_record_split), with no tab, CR or LF
 * in its fields; abort() on any violation. */
#ifndef FMT_DRIVER_H
#define FMT_DRIVER_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeparse.h"
#include "base/util.h"
#include "input/format.h"

struct fsrc {
    const uint8_t *data;
    size_t len, pos, piece;
    uint32_t rng;
    bool follow;
};

static ssize_t fsrc_read(void *arg, char *buf, size_t cap, char *err)
{
    struct fsrc *s = arg;
    size_t n = cap;

    (void)err;
    if (s->pos == s->len)
        return 0;
    s->rng = s->rng * 1103515245u + 12345u;
    if (s->follow && (s->rng >> 29) == 0)
        return 0; /* nothing for now */
    if (s->piece > 0 && n > 1 + (s->rng >> 16) % s->piece)
        n = 1 + (s->rng >> 16) % s->piece;
    if (n > s->len - s->pos)
        n = s->len - s->pos;
    memcpy(buf, s->data + s->pos, n);
    s->pos += n;
    return (ssize_t)n;
}

static void check_line(const char *p, size_t n)
{
    struct mcp_record r;
    int64_t ts;

    if (!mcp_time_parse_prefix(p, n, &ts))
        return;
    if (!mcp_record_split(p, n, &r))
        return; /* a continuation whose own time is not a record's */
    if (memchr(r.level, '\t', r.level_len) || memchr(r.server, '\t', r.server_len) ||
        memchr(r.session, '\t', r.session_len) ||
        r.text + r.text_len > p + n)
        abort();
}

static void fuzz_format(enum mcp_format fmt, const uint8_t *data, size_t len)
{
    struct fsrc s;
    struct mcp_fmt *f;
    struct mcp_buf line;
    char buf[4096], err[MCP_ERRLEN];
    int idle = 0;

    if (len < 2)
        return;
    memset(&s, 0, sizeof(s));
    s.data = data + 2;
    s.len = len - 2;
    s.piece = data[1] & 63;
    s.follow = (data[1] & 128) != 0;
    s.rng = data[1];
    f = mcp_fmt_create(fmt, (data[0] & 64) ? "srv" : NULL, s.follow,
                       fsrc_read, &s);
    if (data[0] & 32)
        mcp_fmt_skip_span(f, "kicad", 5, 0, INT64_MAX);
    mcp_buf_init(&line);
    for (;;) {
        ssize_t n = mcp_fmt_read(f, buf, sizeof(buf), err);

        if (n < 0)
            abort(); /* the source never fails */
        if (n == 0) {
            if (!s.follow || (s.pos == s.len && ++idle > 3))
                break;
            continue;
        }
        idle = 0;
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] == '\n') {
                check_line(line.data ? line.data : "", line.len);
                mcp_buf_reset(&line);
            } else {
                mcp_buf_putc(&line, buf[i]);
            }
        }
    }
    if (mcp_fmt_pending(f) > s.len)
        abort();
    mcp_buf_free(&line);
    mcp_fmt_destroy(f);
}

#endif
