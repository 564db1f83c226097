/* srv_int.h - what the files of the MCP server share (server.h). */
#ifndef MCP_MCPSERVER_SRV_INT_H
#define MCP_MCPSERVER_SRV_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mcpserver/server.h"

struct json_object;

/* Bounds of a tool's result (mcplog(1), MCP SERVER). */
#define MCP_SRV_TEXT_MAX 1024      /* bytes of one log line or field */
#define MCP_SRV_TRACE_MAX 4096     /* bytes of one traceback */
#define MCP_SRV_LIST_MAX 50        /* entries of a list (alerts, ...) */
#define MCP_SRV_RESULT_MAX (256 * 1024) /* bytes of one result's JSON */

struct mcp_srv {
    const struct mcp_srv_opts *o;
    atomic_bool cancel;            /* the request running was cancelled */
};

/* A tool: its call returns the structuredContent (an object), or NULL
 * with the message of a tool error in err (bad arguments, a refusal, a
 * failure: the result then has isError true). */
struct mcp_tool {
    const char *name, *title, *description;
    const char *input_schema, *output_schema;  /* JSON text */
    bool read_only, destructive, idempotent;
    struct json_object *(*call)(struct mcp_srv *s, struct json_object *args,
                                char *err);
};

/* The tools offered, in order; *n of them. */
const struct mcp_tool *mcp_srv_tools(const struct mcp_srv *s, size_t *n);

struct json_object *mcp_tool_status(struct mcp_srv *s,
                                    struct json_object *args, char *err);
struct json_object *mcp_tool_scan(struct mcp_srv *s, struct json_object *args,
                                  char *err);
struct json_object *mcp_tool_explain(struct mcp_srv *s,
                                     struct json_object *args, char *err);
struct json_object *mcp_tool_cleanup(struct mcp_srv *s,
                                     struct json_object *args, char *err);

/* --- helpers (srv_json.c) --- */

/* Log text as a JSON string: cut after max bytes, control characters,
 * escapes and invalid UTF-8 shown visibly (the terminal escaper,
 * textout.h), "…" when cut. NULL gives JSON null. */
struct json_object *mcp_srv_text(const char *s, size_t n, size_t max);

/* Lines of log text (a traceback): each line as mcp_srv_text shows it,
 * joined by newlines, cut after max bytes in all. */
struct json_object *mcp_srv_lines(const char *s, size_t n, size_t max);

/* The same for a NUL-terminated s. */
struct json_object *mcp_srv_str(const char *s);

/* A log time as ISO 8601 (mcp_json_time), or null for MCP_TIME_NONE. */
struct json_object *mcp_srv_time(int64_t ms);

/* Parse JSON text written by the JSON writer of textout.h (n bytes)
 * into an object (NULL when it does not parse: a bug). */
struct json_object *mcp_srv_from_text(const char *s, size_t n);

/* Check args against the keys a tool takes: every key in names, of the
 * type given by the letter at the same place in types ('s' string, 'b'
 * boolean, 'a' array of strings, 'i' integer). Returns 0, or -1 with
 * "unknown argument 'x'" or "argument 'x' must be ..." in err. */
int mcp_srv_args(struct json_object *args, const char *const *names,
                 const char *types, char *err);

/* A string argument, or NULL when absent. */
const char *mcp_srv_arg_str(struct json_object *args, const char *name);

/* One alert of the engine as the scan report writes it (alertview.h):
 * {rule, severity, labels, start, end, count, summary}. */
struct mcp_ruleset;
struct mcp_alert;
struct json_object *mcp_srv_alert(const struct mcp_ruleset *rs,
                                  const struct mcp_alert *a);

/* Hold res (an object) to MCP_SRV_RESULT_MAX bytes of JSON: drop the
 * tracebacks, then keep the newest 10 alerts, then 5 of each list, each
 * step noted in res's "cut" array. Returns res, or NULL (res freed) with
 * err when even that is too large. */
struct json_object *mcp_srv_bound(struct json_object *res, char *err);

/* A time argument (timeexpr.h's forms: "2h ago", "yesterday", "14:00",
 * "2025-12-10 14:00", ...) against now into *t, MCP_TIME_NONE when
 * absent. Returns 0, or -1 with "argument 'since': bad time ..." in err. */
int mcp_srv_time_arg(struct json_object *args, const char *name, int64_t now,
                     int64_t *t, char *err);

/* Whether the request running was cancelled. */
bool mcp_srv_cancelled(struct mcp_srv *s);

#endif
