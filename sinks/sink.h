/* sink.h - the interface every alert sink implements (STYLE.md 1-3).
 *
 * A sink is one exported const struct mcp_sink_ops, like Fluent Bit's
 * out_*_plugin: a name, an options table, the size of its context, and
 * init / emit / flush / destroy. Everything else in sinks/NAME.c is static.
 *
 * Life of a sink instance (one `sinks:` entry of mcplog.yaml):
 *   1. the core allocates ctx_size zeroed bytes and fills them from the
 *      config through the options table (base/optset.h): unknown keys,
 *      wrong types and missing required options are config errors;
 *   2. init(ctx, name, err) in the main thread: check the options further,
 *      open what needs opening. -1 with err is a config error (exit 2);
 *   3. emit(ctx, alert, err) in the dispatcher thread, one alert
 *      transition at a time; never in two threads at once. It answers
 *      OK, RETRY (a transient failure: the dispatcher retries with
 *      exponential backoff) or FAIL (given up; err says why);
 *   4. flush(ctx) when the queue is empty (may be NULL);
 *   5. destroy(ctx) once, at exit, after the last emit (may be NULL), and
 *      also after a failed init (so it must cope with a half-set-up ctx).
 *      The core frees the option values and ctx itself.
 *
 * Nothing a sink receives from an alert is trusted: labels, summary and
 * the line come from the log (STYLE.md 16). Each sink escapes for its own
 * output, and never builds a path, a shell string or a sink name from it.
 */
#ifndef MCP_SINK_H
#define MCP_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/alertview.h"
#include "base/mcp.h"
#include "base/optset.h"

enum mcp_sink_result {
    MCP_SINK_OK = 0,
    MCP_SINK_RETRY = 1,
    MCP_SINK_FAIL = 2,
};

/* One alert transition, as the dispatcher hands it to the sinks: a
 * self-contained copy (the engine's alert may change or go while it waits
 * in the queue). Every string is NUL-terminated and owned by the message.
 * last_line holds raw log bytes (last_line_len of them; it may hold NULs
 * and invalid UTF-8): sinks escape it. */
struct mcp_sink_alert {
    char *key;                 /* rule + labels: the dedup key (stable) */
    char *rule;
    char *description;         /* "" when the rule has none */
    enum mcp_severity severity;
    enum mcp_alert_status status;
    int nlabels;
    char *label_name[MCP_MAX_LABELS];
    char *label_value[MCP_MAX_LABELS];
    int64_t start;             /* log time, ms since the epoch */
    int64_t end;               /* MCP_TIME_NONE unless resolved */
    int64_t sent;              /* wall time the transition was queued */
    uint64_t count;
    char *summary;
    char *last_line;
    size_t last_line_len;
    char *context_last;        /* last continuation line (traceback), or NULL */
    char *source;              /* file the last line came from, or "" */
    char *host;                /* this machine's name */
    bool replay;               /* from `scan --replay`: not live */
};

struct mcp_sink_ops {
    const char *name;          /* the `type:` of a sinks entry */
    const char *help;          /* one line for `mcplog sinks` */
    const struct mcp_opt *opts; /* ends with a {NULL} entry */
    size_t ctx_size;
    int (*init)(void *ctx, const char *instance, char *err);
    enum mcp_sink_result (*emit)(void *ctx, const struct mcp_sink_alert *a,
                                 char *err);
    void (*flush)(void *ctx);
    void (*destroy)(void *ctx);
    /* What the sink delivers to, for `mcplog sinks list`, from its
     * options alone (before init): a path, a URL with its credentials
     * and query values hidden, a program. Written into buf (len bytes),
     * raw: the caller escapes it. May be NULL. */
    void (*target)(const void *ctx, char *buf, size_t len);
};

/* Every sink type, ending with NULL (sinks/registry.c). */
extern const struct mcp_sink_ops *const mcp_sink_types[];

/* The sink type called name, or NULL. */
const struct mcp_sink_ops *mcp_sink_type(const char *name);

/* The alert as every output reads it (borrowed from a). */
struct mcp_alert_view mcp_sink_alert_view(const struct mcp_sink_alert *a);

/* Write the JSON object for a (one line, no newline) to b: the shape the
 * command sink's stdin, the file sink and the webhook's `json` format
 * share (docs/mcplog.1 "ALERT JSON"). */
struct mcp_buf;
void mcp_sink_alert_json(struct mcp_buf *b, const struct mcp_sink_alert *a);

/* The alert key: "rule" or "rule{name=value,...}" (malloc'd). */
char *mcp_sink_key(const char *rule, int nlabels, const char *const *name,
                   const char *const *value);

/* Free what a message owns (not a itself). */
void mcp_sink_alert_free(struct mcp_sink_alert *a);

#endif
