/* metrics.h - follow's view of the logs as Prometheus metrics (the text
 * exposition format 0.0.4): a registry of counters, gauges and
 * histograms that the live driver feeds (lines, events, alerts) and
 * renders on demand (the HTTP responder of metrics_http.h, the textfile
 * written every metrics.interval). One way: nothing here feeds the
 * engine.
 *
 * Labels are bounded: a source is a role (server, activity, ...), a file a
 * family name, a rule a rule of the rule set, a sink a configured sink,
 * and tool and server names (from log lines) are capped: past
 * MCP_METRICS_MAX_SERVERS servers or `max_tools` (server, tool) series a
 * name becomes "(other)". The line itself, session and thread ids and
 * argument values never become labels. Samples carry no timestamps.
 *
 * Which rules feed which metric (mcplog(1) METRICS): every MATCH event
 * counts in mcplog_rule_matches_total{rule}; the rule named
 * MCP_METRICS_TOOL_RULE (capture `tool`) counts tool calls; the rule named
 * MCP_METRICS_STARTUP_RULE counts startups (its match) and times them to
 * ready (its expect.match). Client logs: the rule named
 * MCP_METRICS_CALL_RULE (values `server`, `tool`, and `ms` for a call
 * that completed or `elapsed` ("1.5s", "300ms") for one that failed) is
 * a mcp_metrics_call, the rule named MCP_METRICS_CONNECT_RULE (`server`,
 * `ms`) a mcp_metrics_connect.
 */
#ifndef MCP_METRICS_H
#define MCP_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/util.h"
#include "engine/engine.h"
#include "match/event.h"
#include "match/rules.h"

#define MCP_METRICS_TOOL_RULE "tool-calls"
#define MCP_METRICS_STARTUP_RULE "startup-not-ready"
#define MCP_METRICS_CALL_RULE "client-tool-calls"
#define MCP_METRICS_CONNECT_RULE "client-connected"
#define MCP_METRICS_MAX_SERVERS 32
#define MCP_METRICS_NAME_MAX 128     /* bytes of a tool or server name */

struct mcp_metrics;

/* A tool call as a client log reports it (the hook for client logs:
 * role client): the server and tool names (hostile text, capped and
 * escaped here), its duration in ms (< 0: not known) and whether it
 * failed. */
struct mcp_metrics_call {
    const char *server;
    const char *tool;
    int64_t duration_ms;
    bool failed;
};

/* What the driver knows at render time, beside what was fed. Arrays are
 * borrowed for the call. */
struct mcp_metrics_view {
    int64_t now_wall;                  /* ms since the epoch */
    const uint64_t *rotations, *truncations, *unread, *jumps; /* per family */
    size_t nsinks;
    const char *const *sink_names;
    const uint64_t (*sink_counts)[4];  /* ok, retry, failed, dropped */
    long processes;                    /* from the probes; < 0: unknown */
    struct mcp_alert *const *alerts;   /* the engine's alerts */
    size_t nalerts;
};

/* A registry for nfam families (names[i], role_names[i]; copied) with the
 * server label `server` (copied) and at most max_tools (server, tool)
 * series. */
struct mcp_metrics *mcp_metrics_create(size_t nfam, const char *const *names,
                                       const char *const *role_names,
                                       const char *server, long max_tools);
void mcp_metrics_destroy(struct mcp_metrics *m);

/* The rule set in force (borrowed until the next call or destroy): call
 * at the start and after each reload. Counts of rules that stay (by
 * name) carry over; the indexes of later events refer to rs. */
void mcp_metrics_set_rules(struct mcp_metrics *m,
                           const struct mcp_ruleset *rs);

/* n lines of family fam were read; newest_ts is the time of the newest
 * of them (MCP_TIME_NONE: none carried one). */
void mcp_metrics_lines(struct mcp_metrics *m, size_t fam, uint64_t n,
                       int64_t newest_ts);

/* An event fed to the engine (the metrics of its rule). */
void mcp_metrics_event(struct mcp_metrics *m, const struct mcp_event *ev);

/* An alert transition (mcplog_alert_transitions_total). */
void mcp_metrics_alert(struct mcp_metrics *m, const struct mcp_alert *a,
                       enum mcp_alert_status t);

/* Client logs: a tool call's outcome and duration (failures and the
 * duration histogram, whose _count is the client's calls; calls_total
 * stays the server's own count), and the time a client took to connect
 * to server (into mcplog_time_to_ready_seconds). */
void mcp_metrics_call(struct mcp_metrics *m, const struct mcp_metrics_call *c);
void mcp_metrics_connect(struct mcp_metrics *m, const char *server,
                         int64_t ms);

/* Append every metric, HELP and TYPE first, in a fixed order, to out. */
void mcp_metrics_render(struct mcp_metrics *m,
                        const struct mcp_metrics_view *v,
                        struct mcp_buf *out);

/* Append s (n bytes) as the inside of a label value: `\`, `"` and newline
 * escaped, other control characters and invalid UTF-8 as U+FFFD, cut at
 * max bytes (0: no cut) on a character boundary. */
void mcp_metrics_label(struct mcp_buf *out, const char *s, size_t n,
                       size_t max);

#endif
