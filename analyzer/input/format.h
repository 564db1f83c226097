/* format.h - input formats: what a file's lines are made of.
 *
 * A server's own log (Python logging) is read as it is: MCP_FMT_TEXT,
 * no transformation, the fast path. A client's files are structured
 * (JSON lines, a JSON array, bracketed lines): the format stage sits
 * between the reader and the framer (a read callback wrapping the
 * reader's) and turns each record into a *record line*:
 *
 *   <time>\t<level>\t<server>\t<session>\t<message>
 *
 * time is ISO 8601 UTC with milliseconds ("2026-12-06T23:37:46.208Z"),
 * so the framer, the matcher and the time guard see a line that carries
 * its own time; level, server and session hold no tab, CR or LF. A
 * message of several lines goes on in continuation lines (no time at
 * their start: a continuation that starts with a time becomes a record
 * line of its own). A continuation line that starts with a tab is
 * *attached context* (the stderr of a failed start attached to the
 * failure): the matcher never matches it, an event's context shows it.
 * A real continuation line starting with a tab has it turned into a
 * space.
 *
 * The matcher (mcp_matcher_structured) runs a rule's pattern on the
 * message alone; time, level, server and session are fields
 * (mcp-rules(5), "Structured records").
 *
 * The server's stderr as the client kept it ("Server stderr: <lines>")
 * is split into the server's own lines: one record line per line that
 * starts with its own time (its time, level "stderr"), the first line
 * also when it has none (the record's time), the others continuation
 * lines of the line before (a traceback). Rules see these lines with the
 * role "stderr".
 *
 * JSON is parsed with json-c (docs/architecture.md says why), never by
 * hand; a raw line longer than MCP_FMT_LINE_MAX is skipped and counted.
 */
#ifndef MCP_FORMAT_H
#define MCP_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "input/framer.h"

struct mcp_buf;

enum mcp_format {
    MCP_FMT_TEXT = 0,          /* log lines as they are */
    MCP_FMT_CC_JSONL,          /* Claude Code connection log: one object
                                  per line, {"debug"|"error": msg,
                                  "timestamp", "sessionId", "cwd"} */
    MCP_FMT_CC_JSON_ARRAY,     /* older Claude Code .txt: one JSON array
                                  of such objects, read whole */
    MCP_FMT_CC_TRANSCRIPT,     /* session transcript: the /mcp reconnect
                                  results only */
    MCP_FMT_CC_DEBUG,          /* --debug log: <ISO> [LEVEL] message */
    MCP_FMT_DESKTOP,           /* Claude Desktop mcp.log:
                                  <ISO> [level] [server] message */
    MCP_FMT_DESKTOP_SERVER,    /* mcp-server-NAME.log:
                                  <ISO> [server] [level] message */
    MCP_FMT_COUNT,
};

/* A raw line (or a JSON array file) longer than this is skipped. */
#define MCP_FMT_LINE_MAX (4u * 1024 * 1024)
#define MCP_FMT_ARRAY_MAX (256u * 1024 * 1024)
/* Bytes of stderr attached to a failed start. */
#define MCP_FMT_ATTACH_MAX 4096
/* Longest server name and session kept in a record line. */
#define MCP_FMT_FIELD_MAX 256

/* "text", "claude-code-jsonl", "claude-code-json-array",
 * "claude-code-transcript", "claude-code-debug", "claude-desktop",
 * "claude-desktop-server". */
const char *mcp_format_name(enum mcp_format f);

/* A format's name (as mcp_format_name gives it) -> the format; -1 for
 * any other name. */
int mcp_format_parse(const char *name);

/* One record line taken apart (mcp_record_split). Pointers into the
 * line; lengths without NUL. */
struct mcp_record {
    int64_t ts;
    const char *level, *server, *session, *text;
    size_t level_len, server_len, session_len, text_len;
};

/* Whether [p, p+n) (one line, no '\n') is a record line; if so fills r
 * (r->text: the message). */
bool mcp_record_split(const char *p, size_t n, struct mcp_record *r);

/* Append the record line(s) of one record to out: ts (MCP_TIME_NONE: the
 * message goes out as continuation lines), level, server, session (NULL
 * for none), the message (may hold '\n'). */
void mcp_format_record(struct mcp_buf *out, int64_t ts, const char *level,
                       const char *server, size_t server_len,
                       const char *session, size_t session_len,
                       const char *msg, size_t len);

/* Append the server's stderr text [p, p+n) split into the server's own
 * lines (see above), the first line dated ts when it has no time. */
void mcp_format_stderr(struct mcp_buf *out, int64_t ts, const char *server,
                       size_t server_len, const char *session,
                       size_t session_len, const char *p, size_t n);

struct mcp_fmt_stats {
    uint64_t records;    /* records written */
    uint64_t bad;        /* raw lines that are not a record of the format */
    uint64_t skipped;    /* lines skipped unparsed (cannot match, too long) */
};

struct mcp_fmt;

/* The format stage for one input: reads raw bytes through inner(arg) and
 * hands out record lines (mcp_fmt_read is an mcp_read_fn). server: the
 * server the input is about (from its folder or file name), or NULL.
 * follow: a read of 0 means "nothing for now" (a record waits for its
 * continuation lines only until then). */
struct mcp_fmt *mcp_fmt_create(enum mcp_format f, const char *server,
                               bool follow, mcp_read_fn inner, void *arg);

/* Claude Desktop: records of server [name, name+len) dated within
 * [first, last] are dropped: a per-server log holds them too. */
void mcp_fmt_skip_span(struct mcp_fmt *f, const char *name, size_t len,
                       int64_t first, int64_t last);

ssize_t mcp_fmt_read(void *arg, char *buf, size_t cap, char *err);

void mcp_fmt_stats(const struct mcp_fmt *f, struct mcp_fmt_stats *s);

/* Raw bytes read through inner but not yet taken in as records (a line
 * whose newline has not come): a follower's position is the bytes read
 * minus these. */
size_t mcp_fmt_pending(const struct mcp_fmt *f);

/* Free f (NULL is fine). */
void mcp_fmt_destroy(struct mcp_fmt *f);

#endif
