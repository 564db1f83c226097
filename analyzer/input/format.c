/* format.c - the format stage: raw lines in, record lines out. */
#include "input/format.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "input/format_int.h"
#include "base/timeparse.h"

#define IN_SIZE (64u * 1024)

static const char *const names[MCP_FMT_COUNT] = {
    "text", "claude-code-jsonl", "claude-code-json-array",
    "claude-code-transcript", "claude-code-debug", "claude-desktop",
    "claude-desktop-server",
};

const char *mcp_format_name(enum mcp_format f)
{
    return (unsigned)f < MCP_FMT_COUNT ? names[f] : "?";
}

int mcp_format_parse(const char *name)
{
    for (int i = 0; i < MCP_FMT_COUNT; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

/* --- record lines --------------------------------------------------------- */

/* Years 0000-9999 only: a time outside is written as the nearest end. */
#define TS_MIN (-62167219200000LL)   /* 0000-01-01T00:00:00Z */
#define TS_MAX (253402300799999LL)   /* 9999-12-31T23:59:59.999Z */

static void put_time(struct mcp_buf *out, int64_t ms)
{
    struct tm tm;
    time_t s;
    int64_t frac;

    if (ms < TS_MIN)
        ms = TS_MIN;
    if (ms > TS_MAX)
        ms = TS_MAX;
    frac = ms % 1000;
    s = (time_t)(ms / 1000);
    if (frac < 0) {
        frac += 1000;
        s--;
    }
    gmtime_r(&s, &tm);
    mcp_buf_printf(out, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                   tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                   tm.tm_min, tm.tm_sec, (int)frac);
}

/* A field: no tab, CR or LF (each becomes a space), at most
 * MCP_FMT_FIELD_MAX bytes. */
static void put_field(struct mcp_buf *out, const char *p, size_t n)
{
    if (n > MCP_FMT_FIELD_MAX)
        n = MCP_FMT_FIELD_MAX;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];

        mcp_buf_putc(out, c == '\t' || c == '\n' || c == '\r' ? ' ' : c);
    }
}

static void put_header(struct mcp_buf *out, int64_t ts, const char *level,
                       const char *server, size_t server_len,
                       const char *session, size_t session_len)
{
    put_time(out, ts);
    mcp_buf_putc(out, '\t');
    put_field(out, level, strlen(level));
    mcp_buf_putc(out, '\t');
    if (server != NULL)
        put_field(out, server, server_len);
    mcp_buf_putc(out, '\t');
    if (session != NULL)
        put_field(out, session, session_len);
    mcp_buf_putc(out, '\t');
}

/* A continuation line: a leading tab would make it attached context. */
static void put_cont(struct mcp_buf *out, const char *p, size_t n)
{
    if (n > 0 && p[0] == '\t') {
        mcp_buf_putc(out, ' ');
        p++;
        n--;
    }
    mcp_buf_append(out, p, n);
    mcp_buf_putc(out, '\n');
}

/* The next line of [*p, end): its length without '\r\n'; *p moves past
 * it. Returns false at the end. */
static bool next_line(const char **p, const char *end, const char **ls,
                      size_t *n)
{
    const char *nl;

    if (*p >= end)
        return false;
    nl = memchr(*p, '\n', (size_t)(end - *p));
    *ls = *p;
    *n = (size_t)((nl ? nl : end) - *p);
    *p = nl ? nl + 1 : end;
    if (*n > 0 && (*ls)[*n - 1] == '\r')
        (*n)--;
    return true;
}

void mcp_format_record(struct mcp_buf *out, int64_t ts, const char *level,
                       const char *server, size_t server_len,
                       const char *session, size_t session_len,
                       const char *msg, size_t len)
{
    const char *p = msg, *end = msg + len, *ls;
    size_t n;
    bool first = true;

    if (len == 0 && ts != MCP_TIME_NONE) {
        put_header(out, ts, level, server, server_len, session, session_len);
        mcp_buf_putc(out, '\n');
        return;
    }
    while (next_line(&p, end, &ls, &n)) {
        int64_t own;

        if (first && ts != MCP_TIME_NONE) {
            put_header(out, ts, level, server, server_len, session,
                       session_len);
            mcp_buf_append(out, ls, n);
            mcp_buf_putc(out, '\n');
        } else if (mcp_time_parse_prefix(ls, n, &own) > 0) {
            put_header(out, own, level, server, server_len, session,
                       session_len);
            mcp_buf_append(out, ls, n);
            mcp_buf_putc(out, '\n');
        } else {
            put_cont(out, ls, n);
        }
        first = false;
    }
}

void mcp_format_stderr(struct mcp_buf *out, int64_t ts, const char *server,
                       size_t server_len, const char *session,
                       size_t session_len, const char *p, size_t n)
{
    const char *end = p + n, *ls;
    size_t len;
    bool first = true;

    while (next_line(&p, end, &ls, &len)) {
        int64_t own;

        if (mcp_time_parse_prefix(ls, len, &own) > 0 ||
            (first && (own = ts) != MCP_TIME_NONE)) {
            put_header(out, own, "stderr", server, server_len, session,
                       session_len);
            mcp_buf_append(out, ls, len);
            mcp_buf_putc(out, '\n');
        } else {
            put_cont(out, ls, len);
        }
        first = false;
    }
}

bool mcp_record_split(const char *p, size_t n, struct mcp_record *r)
{
    const char *end = p + n, *f[4];
    size_t k = mcp_time_parse_prefix(p, n, &r->ts);

    if (k == 0 || k >= n || p[k] != '\t')
        return false;
    p += k + 1;
    for (int i = 0; i < 4; i++) {
        const char *t = memchr(p, '\t', (size_t)(end - p));

        if (i == 3) {
            f[3] = p;
            break;
        }
        if (t == NULL)
            return false;
        f[i] = p;
        p = t + 1;
    }
    r->level = f[0];
    r->level_len = (size_t)(f[1] - f[0] - 1);
    r->server = f[1];
    r->server_len = (size_t)(f[2] - f[1] - 1);
    r->session = f[2];
    r->session_len = (size_t)(f[3] - f[2] - 1);
    r->text = f[3];
    r->text_len = (size_t)(end - f[3]);
    return true;
}

/* --- client messages -------------------------------------------------- */

static void attach_add(struct mcp_fmt *f, const char *p, size_t n)
{
    size_t room = MCP_FMT_ATTACH_MAX > f->attach.len
                      ? MCP_FMT_ATTACH_MAX - f->attach.len : 0;

    if (n > room)
        n = room;
    mcp_buf_append(&f->attach, p, n);
}

/* The attachment as attached context lines (each prefixed by a tab). */
static void attach_put(struct mcp_fmt *f)
{
    const char *p = f->attach.data, *end = p + f->attach.len, *ls;
    size_t n;

    if (p == NULL)
        return;
    while (next_line(&p, end, &ls, &n)) {
        mcp_buf_putc(&f->out, '\t');
        mcp_buf_append(&f->out, ls, n);
        mcp_buf_putc(&f->out, '\n');
    }
}

static bool in_span(const struct mcp_fmt *f, const char *server, size_t len,
                    int64_t ts)
{
    for (size_t i = 0; i < f->nspans; i++)
        if (strlen(f->spans[i].server) == len &&
            memcmp(f->spans[i].server, server, len) == 0 &&
            ts >= f->spans[i].first && ts <= f->spans[i].last)
            return true;
    return false;
}

#define STDERR_TAG "Server stderr:"
#define START_TAG "Starting connection with timeout of "
#define READY_TAG "Successfully connected (transport: "

/* The number after prefix in [p, p+n), or -1. */
static long long number_after(const char *p, size_t n, const char *at)
{
    long long v = 0;
    size_t i = (size_t)(at - p), digits = 0;

    while (i < n && p[i] >= '0' && p[i] <= '9' && digits < 12) {
        v = v * 10 + (p[i++] - '0');
        digits++;
    }
    return digits > 0 && digits < 12 ? v : -1;
}

/* Claude Code: the limit of the start, and mcplog's own record when the
 * handshake took more than a third of it (the slow-connect rule). */
static void slow_connect(struct mcp_fmt *f, int64_t ts, const char *server,
                         size_t server_len, const char *session,
                         size_t session_len, const char *msg, size_t len)
{
    const char *in;
    long long ms;

    if (fmt_starts(msg, len, START_TAG)) {
        f->limit_ms = number_after(msg, len, msg + strlen(START_TAG));
        return;
    }
    if (!fmt_starts(msg, len, READY_TAG) || f->limit_ms <= 0 ||
        (in = memmem(msg, len, ") in ", 5)) == NULL)
        return;
    ms = number_after(msg, len, in + 5);
    if (ms >= 0 && ms * 3 > f->limit_ms) {
        char text[128];

        snprintf(text, sizeof(text), "Slow connect: %lld ms, more than a "
                 "third of the %lld ms limit", ms, f->limit_ms);
        mcp_format_record(&f->out, ts, "mcplog", server, server_len, session,
                          session_len, text, strlen(text));
    }
}

void fmt_message(struct mcp_fmt *f, int64_t ts, const char *level,
                 const char *server, size_t server_len, const char *session,
                 size_t session_len, const char *msg, size_t len)
{
    if (ts == MCP_TIME_NONE)
        ts = f->last_ts;
    else
        f->last_ts = ts;
    if (server != NULL && ts != MCP_TIME_NONE &&
        in_span(f, server, server_len, ts)) {
        f->st.skipped++;
        return;
    }
    f->st.records++;
    if (fmt_starts(msg, len, "Starting connection") ||
        fmt_starts(msg, len, "Initializing server"))
        mcp_buf_reset(&f->attach);
    if (fmt_starts(msg, len, STDERR_TAG)) {
        size_t k = strlen(STDERR_TAG);

        if (k < len && msg[k] == ' ')
            k++;
        mcp_format_record(&f->out, ts, level, server, server_len, session,
                          session_len, STDERR_TAG, strlen(STDERR_TAG));
        mcp_format_stderr(&f->out, ts, server, server_len, session,
                          session_len, msg + k, len - k);
        mcp_buf_reset(&f->attach);
        attach_add(f, msg + k, len - k);
        return;
    }
    mcp_format_record(&f->out, ts, level, server, server_len, session,
                      session_len, msg, len);
    slow_connect(f, ts, server, server_len, session, session_len, msg, len);
    if ((strcmp(level, "error") == 0 &&
         fmt_starts(msg, len, "Connection failed: ")) ||
        fmt_starts(msg, len, "Server transport closed unexpectedly"))
        attach_put(f);
}

void fmt_stderr(struct mcp_fmt *f, int64_t ts, const char *server,
                size_t server_len, const char *p, size_t n)
{
    mcp_format_stderr(&f->out, ts, server, server_len, NULL, 0, p, n);
    if (f->attach.len > 0)
        attach_add(f, "\n", 1);
    attach_add(f, p, n);
}

/* --- the read callback ---------------------------------------------- */

struct mcp_fmt *mcp_fmt_create(enum mcp_format fmt, const char *server,
                               bool follow, mcp_read_fn inner, void *arg)
{
    struct mcp_fmt *f = mcp_calloc(1, sizeof(*f));

    f->fmt = fmt;
    f->server = server ? mcp_strdup(server) : NULL;
    f->follow = follow;
    f->inner = inner;
    f->arg = arg;
    f->in = mcp_malloc(IN_SIZE);
    f->last_ts = MCP_TIME_NONE;
    f->rec_ts = MCP_TIME_NONE;
    return f;
}

void mcp_fmt_skip_span(struct mcp_fmt *f, const char *name, size_t len,
                       int64_t first, int64_t last)
{
    f->spans = mcp_realloc(f->spans, (f->nspans + 1) * sizeof(*f->spans));
    f->spans[f->nspans].server = mcp_strndup(name, len);
    f->spans[f->nspans].first = first;
    f->spans[f->nspans].last = last;
    f->nspans++;
}

static void raw_line(struct mcp_fmt *f, const char *p, size_t n)
{
    if (n > 0 && p[n - 1] == '\r')
        n--;
    if (f->fmt == MCP_FMT_CC_JSONL || f->fmt == MCP_FMT_CC_TRANSCRIPT)
        fmt_json_line(f, p, n);
    else
        fmt_text_line(f, p, n);
}

/* Split what was read into raw lines; a line spanning reads is gathered
 * in f->line (at most MCP_FMT_LINE_MAX bytes, else skipped). */
static void split(struct mcp_fmt *f)
{
    const char *p = f->in + f->inpos, *end = f->in + f->inlen;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = (size_t)((nl ? nl : end) - p);

        if (f->line_skip) {
            if (nl != NULL)
                f->line_skip = false;
        } else if (nl != NULL && f->line.len == 0) {
            raw_line(f, p, n);
        } else if (f->line.len + n > MCP_FMT_LINE_MAX) {
            f->st.skipped++;
            mcp_buf_reset(&f->line);
            f->line_skip = nl == NULL;
        } else {
            mcp_buf_append(&f->line, p, n);
            if (nl != NULL) {
                raw_line(f, f->line.data, f->line.len);
                mcp_buf_reset(&f->line);
            }
        }
        p = nl ? nl + 1 : end;
    }
    f->inpos = f->inlen = 0;
}

/* The input has ended (or, following, has nothing more for now). */
static void at_end(struct mcp_fmt *f, bool really)
{
    if (really && f->line.len > 0) {
        raw_line(f, f->line.data, f->line.len);
        mcp_buf_reset(&f->line);
    }
    if (f->fmt == MCP_FMT_CC_JSON_ARRAY && really) {
        fmt_json_array(f, f->whole.data ? f->whole.data : "", f->whole.len);
        mcp_buf_free(&f->whole);
    } else if (f->fmt != MCP_FMT_CC_JSONL &&
               f->fmt != MCP_FMT_CC_TRANSCRIPT &&
               f->fmt != MCP_FMT_CC_JSON_ARRAY) {
        fmt_text_flush(f);
    }
}

/* Read raw bytes once: fills f->out (or sets eof / failed). Returns
 * what the inner read returned. */
static ssize_t pull(struct mcp_fmt *f)
{
    ssize_t n = f->inner(f->arg, f->in, IN_SIZE, f->err);

    if (n < 0) {
        f->failed = true;
        at_end(f, true);
        return n;
    }
    if (n == 0) {
        if (!f->follow)
            f->eof = true;
        at_end(f, !f->follow);
        return 0;
    }
    if (f->fmt == MCP_FMT_CC_JSON_ARRAY) {
        if (f->whole.len + (size_t)n > MCP_FMT_ARRAY_MAX) {
            if (f->whole.len > 0)
                f->st.skipped++;
            mcp_buf_free(&f->whole);
            f->whole.len = 0;
            f->line_skip = true;
        }
        if (!f->line_skip)
            mcp_buf_append(&f->whole, f->in, (size_t)n);
        return n;
    }
    f->inlen = (size_t)n;
    split(f);
    return n;
}

ssize_t mcp_fmt_read(void *arg, char *buf, size_t cap, char *err)
{
    struct mcp_fmt *f = arg;

    while (f->outpos == f->out.len) {
        mcp_buf_reset(&f->out);
        f->outpos = 0;
        if (f->eof)
            return 0;
        if (f->failed) {
            f->eof = true;
            mcp_errf(err, "%s", f->err);
            return -1;
        }
        if (pull(f) == 0 && f->follow && f->out.len == 0)
            return 0;
    }
    {
        size_t n = f->out.len - f->outpos;

        if (n > cap)
            n = cap;
        memcpy(buf, f->out.data + f->outpos, n);
        f->outpos += n;
        return (ssize_t)n;
    }
}

void mcp_fmt_stats(const struct mcp_fmt *f, struct mcp_fmt_stats *s)
{
    *s = f->st;
}

size_t mcp_fmt_pending(const struct mcp_fmt *f)
{
    return f->line.len + f->whole.len;
}

void mcp_fmt_destroy(struct mcp_fmt *f)
{
    if (f == NULL)
        return;
    fmt_json_free(f);
    free(f->server);
    free(f->in);
    mcp_buf_free(&f->line);
    mcp_buf_free(&f->out);
    mcp_buf_free(&f->whole);
    mcp_buf_free(&f->rec);
    mcp_buf_free(&f->stderr_lines);
    mcp_buf_free(&f->rec_server);
    mcp_buf_free(&f->attach);
    for (size_t i = 0; i < f->nspans; i++)
        free(f->spans[i].server);
    free(f->spans);
    free(f);
}
