/* incident.h - what the HTML incident page needs beyond the engine's
 * results, gathered from the events of a scan as they are fed.
 *
 * The page (html.h) reads the engine (alerts, expectations, rule stats),
 * the log set, the scan's line bins and this collector. The collector
 * knows the shipped rules by name: errors (error clusters, the errors
 * rate, tool failures by logger), tool-calls (calls per tool over time),
 * provider-retries, reconnect-failures and startup-not-ready (the line
 * before each start). A rule that is not loaded leaves its part empty.
 *
 * Everything is bounded: rates live in timebins (timebins.h), at most
 * MCP_INCIDENT_MAX_TOOLS tools and MCP_INCIDENT_MAX_CLUSTERS clusters are
 * tracked (the rest is counted), samples are cut.
 */
#ifndef MCP_INCIDENT_H
#define MCP_INCIDENT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/strmap.h"
#include "base/timebins.h"
#include "match/event.h"
#include "match/rules.h"

#define MCP_INCIDENT_MAX_TOOLS 64
#define MCP_INCIDENT_MAX_CLUSTERS 200
#define MCP_INCIDENT_MAX_STARTS 10000
#define MCP_INCIDENT_TEMPLATE_MAX 240   /* bytes of a cluster's template */
#define MCP_INCIDENT_RATE_BINS 8192     /* entries of a rate's timebins */
#define MCP_INCIDENT_SPARK_BINS 256     /* entries of a cluster's */

/* Kinds of client events drawn as markers (rules of rules/clients.yaml:
 * connection-failures, client-connections, startup-timeout,
 * startup-crash). */
enum mcp_incident_client {
    MCP_CLIENT_FAILURE = 0,
    MCP_CLIENT_CONNECT = 1,
    MCP_CLIENT_TIMEOUT = 2,
    MCP_CLIENT_CRASH = 3,
    MCP_CLIENT_NKINDS = 4,
};

struct mcp_incident_tool {
    char *name;
    uint64_t calls;              /* the server's activity log (0 for a
                                    tool only a client logged) */
    struct mcp_timebins bins;
};

struct mcp_incident_cluster {
    char *tmpl;                  /* masked message (cluster.c) */
    uint64_t count;
    int64_t first, last;
    struct mcp_timebins bins;
    char *sample;                /* the first line, as read (capped) */
    size_t sample_len;
    char *context;               /* its traceback, or NULL */
    size_t context_len;
    uint32_t input;
    uint64_t lineno;
};

struct mcp_incident_start {
    uint32_t input;
    uint64_t lineno;
    int64_t prev_ts;             /* the family's line before it */
};

struct mcp_incident {
    const struct mcp_ruleset *rs;
    int r_errors, r_tools, r_retries, r_reconnect, r_startup, r_rate;
    int c_message, c_logger, c_tool;  /* capture indexes, or -1 */
    int r_client[MCP_CLIENT_NKINDS];  /* client rules, or -1 */
    int r_client_tools;               /* client-tool-calls, or -1 */
    int c_ctool;                      /* its capture "tool", or -1 */
    struct mcp_timebins client[MCP_CLIENT_NKINDS];
    uint64_t nclient[MCP_CLIENT_NKINDS];
    struct mcp_timebins errors, retries, reconnects;
    struct mcp_strmap tool_map;       /* name -> index + 1 */
    struct mcp_incident_tool *tools;
    size_t ntools;
    uint64_t tools_dropped;           /* calls of tools past the cap */
    struct mcp_timebins tools_other;  /* their times */
    struct mcp_strmap fail_map;       /* tool -> failures + 1 (uintptr) */
    struct mcp_strmap cluster_map;    /* template -> index + 1 */
    struct mcp_incident_cluster *clusters;
    size_t nclusters;
    uint64_t clusters_dropped;        /* errors in clusters past the cap */
    struct mcp_incident_start *starts;
    size_t nstarts, starts_cap;
};

/* A collector for the rules of rs (borrowed: must outlive it). */
void mcp_incident_init(struct mcp_incident *inc,
                       const struct mcp_ruleset *rs);

/* Take in one event as fed to the engine (scan's on_event). ev is
 * borrowed: what is kept is copied. */
void mcp_incident_event(struct mcp_incident *inc,
                        const struct mcp_event *ev);

/* Tool failures counted for tool (errors from logger tools.<tool>). */
uint64_t mcp_incident_failures(const struct mcp_incident *inc,
                               const char *tool);

/* The template of an error message: numbers, ids (hex or uuid runs),
 * 0x... and paths masked as <n>, <id>, <hex>, <path>; cut at max bytes.
 * Appends to out (the raw bytes, not yet escaped for any output). */
struct mcp_buf;
void mcp_incident_template(struct mcp_buf *out, const char *msg, size_t n,
                           size_t max);

void mcp_incident_free(struct mcp_incident *inc);

#endif
