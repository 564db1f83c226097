/* format_int.h - what the files of the format stage share (format.c:
 * the read callback, raw lines, record lines; format_json.c: JSON;
 * format_text.c: bracketed lines). */
#ifndef MCP_FORMAT_INT_H
#define MCP_FORMAT_INT_H

#include "input/format.h"
#include "base/util.h"

struct fmt_span {
    char *server;
    int64_t first, last;
};

struct mcp_fmt {
    enum mcp_format fmt;
    char *server;            /* from the folder or file name, or NULL */
    bool follow;
    mcp_read_fn inner;
    void *arg;
    char *in;                /* raw bytes read, not yet split */
    size_t inpos, inlen;
    struct mcp_buf line;     /* a raw line spanning reads */
    bool line_skip;          /* discarding the rest of a too long line */
    bool eof;
    bool failed;
    char err[MCP_ERRLEN];
    struct mcp_buf out;      /* record lines not yet handed out */
    size_t outpos;
    struct mcp_buf whole;    /* MCP_FMT_CC_JSON_ARRAY: the file */
    void *tok;               /* json-c tokener */
    /* a bracketed record being assembled (format_text.c) */
    struct mcp_buf rec;      /* its message, continuation lines included */
    struct mcp_buf stderr_lines; /* raw stderr lines after it (Desktop) */
    int64_t rec_ts;
    char rec_level[16];
    struct mcp_buf rec_server;
    bool rec_open, rec_dump;
    /* the stderr of the current start, attached to its failure */
    struct mcp_buf attach;
    int64_t last_ts;         /* time of the last record */
    long long limit_ms;      /* "Starting connection with timeout of N" */
    struct fmt_span *spans;
    size_t nspans;
    struct mcp_fmt_stats st;
};

/* One raw line [p, p+n) (no '\n') of the JSON formats (format_json.c). */
void fmt_json_line(struct mcp_fmt *f, const char *p, size_t n);
/* The whole file of MCP_FMT_CC_JSON_ARRAY. */
void fmt_json_array(struct mcp_fmt *f, const char *p, size_t n);
void fmt_json_free(struct mcp_fmt *f);

/* One raw line of the bracketed formats (format_text.c), and the end of
 * the input (or of what is there for now): the record held goes out. */
void fmt_text_line(struct mcp_fmt *f, const char *p, size_t n);
void fmt_text_flush(struct mcp_fmt *f);

/* A client message of a record (format.c): a record line, with what
 * follows from it: "Server stderr: ..." split (and kept to attach), a
 * failed start's stderr attached, the attachment reset at a start. */
void fmt_message(struct mcp_fmt *f, int64_t ts, const char *level,
                 const char *server, size_t server_len, const char *session,
                 size_t session_len, const char *msg, size_t len);

/* Raw stderr lines written beside the client's records (Claude Desktop's
 * per-server log): split, and kept to attach. */
void fmt_stderr(struct mcp_fmt *f, int64_t ts, const char *server,
                size_t server_len, const char *p, size_t n);

/* Whether [p, p+n) starts with s. */
static inline bool fmt_starts(const char *p, size_t n, const char *s)
{
    size_t k = __builtin_strlen(s);

    return n >= k && __builtin_memcmp(p, s, k) == 0;
}

#endif
