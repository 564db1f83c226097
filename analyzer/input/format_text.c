/* format_text.c - bracketed client lines.
 *
 *   claude-code-debug       <ISO> [LEVEL] MCP server "NAME": message
 *                           <ISO> [LEVEL] MCP server "NAME" message
 *                           <ISO> [LEVEL] mcp__NAME__TOOL tool error ...
 *                           (other lines of the debug log are skipped)
 *   claude-desktop          <ISO> [level] [server] message
 *                           <ISO> [level] message        (2024 builds)
 *   claude-desktop-server   <ISO> [server] [level] message
 *
 * A record is its line and the lines after it without a time of their
 * own. In the debug log those continue the message (a "Server stderr:"
 * block written raw); in a per-server Desktop log they are the server's
 * stderr, except the lines of a multi-line "{ metadata: ... }" dump that
 * a message ending in '{' opens and a line starting with '}' closes. A
 * trailing " { metadata: ... }" is cut from a message. A server name may
 * hold brackets when they are balanced ("[hestai [dev]]").
 */
#include <string.h>

#include "input/format_int.h"
#include "base/timeparse.h"

struct head {
    int64_t ts;
    char level[16];
    const char *server, *msg;
    size_t server_len, msg_len;
};

/* "[word] " at *p: the word (letters only, lowered into level). */
static bool level_at(const char **p, const char *end, char *level)
{
    const char *q = *p + 1;
    size_t n = 0;

    if (*p >= end || **p != '[')
        return false;
    while (q < end && ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z'))) {
        if (n == 15)
            return false;
        level[n++] = (char)(*q >= 'A' && *q <= 'Z' ? *q + 32 : *q);
        q++;
    }
    level[n] = '\0';
    if (n == 0 || q + 1 >= end || q[0] != ']' || q[1] != ' ')
        return false;
    if (strcmp(level, "warning") == 0)
        strcpy(level, "warn");
    *p = q + 2;
    return true;
}

/* "[name] " at *p with balanced brackets inside the name. */
static bool server_at(const char **p, const char *end, const char **name,
                      size_t *len)
{
    int depth = 0;

    if (*p >= end || **p != '[')
        return false;
    for (const char *q = *p; q < end; q++) {
        if (*q == '[')
            depth++;
        else if (*q == ']' && --depth == 0) {
            if (q + 1 >= end || q[1] != ' ')
                return false;
            *name = *p + 1;
            *len = (size_t)(q - *p - 1);
            *p = q + 2;
            return *len > 0;
        }
    }
    return false;
}

/* MCP server "NAME": msg / MCP server "NAME" msg / mcp__NAME__TOOL ... */
static bool debug_server(struct head *h)
{
    const char *p = h->msg, *end = h->msg + h->msg_len, *q;

    if (fmt_starts(p, h->msg_len, "MCP server \"")) {
        p += 12;
        q = memchr(p, '"', (size_t)(end - p));
        if (q == NULL)
            return false;
        h->server = p;
        h->server_len = (size_t)(q - p);
        q++;
        if (q < end && *q == ':')
            q++;
        if (q < end && *q == ' ')
            q++;
        h->msg = q;
        h->msg_len = (size_t)(end - q);
        return true;
    }
    if (fmt_starts(p, h->msg_len, "mcp__")) {
        p += 5;
        q = memmem(p, (size_t)(end - p), "__", 2);
        if (q == NULL || q == p)
            return false;
        h->server = p;
        h->server_len = (size_t)(q - p);
        return true;
    }
    return false;
}

/* The server a 2024 Desktop line names ("... MCP server NAME..."). */
static void desktop_2024_server(struct head *h)
{
    const char *end = h->msg + h->msg_len;
    const char *p = memmem(h->msg, h->msg_len, "MCP server ", 11), *q;

    if (p == NULL)
        return;
    p += 11;
    for (q = p; q < end && *q != ' ' && *q != '.' && *q != '!' && *q != ':';
         q++)
        ;
    if (q > p) {
        h->server = p;
        h->server_len = (size_t)(q - p);
    }
}

static void cut_metadata(struct head *h)
{
    const char *m = h->msg, *at = NULL;

    if (h->msg_len == 0 || m[h->msg_len - 1] != '}')
        return;
    for (const char *q = m; (q = memmem(q, h->msg_len - (size_t)(q - m),
                                        " { metadata: ", 13)) != NULL; q++)
        at = q;
    if (at != NULL)
        h->msg_len = (size_t)(at - m);
}

static bool head_of(struct mcp_fmt *f, const char *p, size_t n,
                    struct head *h)
{
    const char *end = p + n;
    size_t k = mcp_time_parse_iso(p, n, &h->ts);

    memset(h->level, 0, sizeof(h->level));
    h->server = NULL;
    h->server_len = 0;
    if (k == 0 || k >= n || p[k] != ' ')
        return false;
    p += k + 1;
    switch (f->fmt) {
    case MCP_FMT_CC_DEBUG:
        if (!level_at(&p, end, h->level))
            return false;
        break;
    case MCP_FMT_DESKTOP:
        if (!level_at(&p, end, h->level))
            return false;
        if (!server_at(&p, end, &h->server, &h->server_len))
            h->server = NULL;
        break;
    default:
        if (!server_at(&p, end, &h->server, &h->server_len) ||
            !level_at(&p, end, h->level))
            return false;
        break;
    }
    h->msg = p;
    h->msg_len = (size_t)(end - p);
    if (f->fmt == MCP_FMT_CC_DEBUG) {
        if (!debug_server(h))
            h->level[0] = '\0'; /* not about an MCP server: skipped */
    } else {
        if (h->server == NULL)
            desktop_2024_server(h);
        cut_metadata(h);
    }
    return true;
}

void fmt_text_flush(struct mcp_fmt *f)
{
    if (f->rec_open && f->rec_level[0] != '\0') {
        fmt_message(f, f->rec_ts, f->rec_level, f->rec_server.data,
                    f->rec_server.len, NULL, 0, f->rec.data ? f->rec.data : "",
                    f->rec.len);
        if (f->stderr_lines.len > 0)
            fmt_stderr(f, f->rec_ts, f->rec_server.data, f->rec_server.len,
                       f->stderr_lines.data, f->stderr_lines.len);
    }
    f->rec_open = false;
    f->rec_dump = false;
    mcp_buf_reset(&f->rec);
    mcp_buf_reset(&f->stderr_lines);
}

/* Append a line to b, after a '\n' when sep (bounded). */
static void add_line(struct mcp_buf *b, const char *p, size_t n, bool sep)
{
    if (b->len + n + 1 > MCP_FMT_LINE_MAX)
        return;
    if (sep)
        mcp_buf_putc(b, '\n');
    mcp_buf_append(b, p, n);
}

void fmt_text_line(struct mcp_fmt *f, const char *p, size_t n)
{
    struct head h;

    if (head_of(f, p, n, &h)) {
        fmt_text_flush(f);
        f->rec_open = true;
        f->rec_ts = h.ts;
        memcpy(f->rec_level, h.level, sizeof(f->rec_level));
        mcp_buf_reset(&f->rec_server);
        if (h.server != NULL)
            mcp_buf_append(&f->rec_server, h.server, h.server_len);
        else if (f->server != NULL && f->fmt == MCP_FMT_DESKTOP_SERVER)
            mcp_buf_puts(&f->rec_server, f->server);
        mcp_buf_append(&f->rec, h.msg, h.msg_len);
        f->rec_dump = f->fmt != MCP_FMT_CC_DEBUG && h.msg_len > 0 &&
                      h.msg[h.msg_len - 1] == '{';
        if (f->rec_level[0] == '\0')
            f->st.skipped++;
        return;
    }
    if (!f->rec_open) {
        /* Nothing to continue (the start of a file, or a record that went
         * out while following). A Desktop per-server line is stderr. */
        if (f->fmt == MCP_FMT_DESKTOP_SERVER)
            fmt_stderr(f, f->last_ts, f->server,
                       f->server ? strlen(f->server) : 0, p, n);
        else if (f->fmt != MCP_FMT_CC_DEBUG)
            mcp_format_record(&f->out, MCP_TIME_NONE, "", NULL, 0, NULL, 0,
                              p, n);
        return;
    }
    if (f->fmt == MCP_FMT_DESKTOP_SERVER && !f->rec_dump) {
        add_line(&f->stderr_lines, p, n, f->stderr_lines.len > 0);
        return;
    }
    add_line(&f->rec, p, n, true);
    if (f->rec_dump && n > 0 && p[0] == '}')
        f->rec_dump = false;
}
