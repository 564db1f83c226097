/* srv_scan.h - one scan for the scan and explain_server tools (the
 * driver of scan.c) over the logs and the clients' logs (input/clients.h),
 * and what they add to it: the clients' view per server (clientstats.h),
 * error clusters (events of the rule `errors` by signature: the logger
 * and the message with runs of digits as '#', at most 1000, one
 * traceback each) and the newest evidence lines (the rules
 * `reconnect-failures`, `errors`, and the client rules
 * `connection-failures`, `startup-timeout`, `startup-crash`,
 * `stdout-pollution`, `tool-failures`), each with the server it is about. */
#ifndef MCP_MCPSERVER_SRV_SCAN_H
#define MCP_MCPSERVER_SRV_SCAN_H

#include <stdbool.h>
#include <stdint.h>

#include "input/clients.h"
#include "input/logset.h"
#include "match/rules.h"
#include "scan.h"

struct json_object;
struct mcp_srv;
struct mcp_clientstats;

/* The kinds of evidence kept, and the client rules read. */
enum {
    MCP_SRV_EV_RECONNECT, MCP_SRV_EV_ERROR, MCP_SRV_EV_CLIENT, MCP_SRV_EV_N
};
enum {
    MCP_SRV_CR_FAILURE,            /* connection-failures */
    MCP_SRV_CR_TIMEOUT,            /* startup-timeout */
    MCP_SRV_CR_CRASH,              /* startup-crash */
    MCP_SRV_CR_STDOUT,             /* stdout-pollution */
    MCP_SRV_CR_TOOL,               /* tool-failures */
    MCP_SRV_CR_N
};

#define MCP_SRV_EVIDENCE_MAX 20

struct mcp_srv_cluster {
    char *sig;
    uint64_t count;
    int64_t first, last;
    uint32_t input;                /* the first one's origin */
    uint64_t lineno;
    char *line;                    /* the first one's line */
    size_t line_len;
    char *trace;                   /* the first traceback, or NULL */
    size_t trace_len;
};

struct mcp_srv_evidence {
    int64_t ts;
    uint32_t rule, input;
    uint64_t lineno;
    char *line, *context;
    size_t line_len, context_len;
    char *server;                  /* the server it is about (the value
                                      `server` of its rule), or NULL: a
                                      server's own log */
};

struct mcp_srv_scan {
    const struct mcp_ruleset *rs;
    struct mcp_logset ls;
    struct mcp_scan scan;
    bool logset_ok, ran;
    int error_rule, reconnect_rule;  /* rule indexes, or -1 */
    int logger_cap, message_cap;
    int client_rule[MCP_SRV_CR_N]; /* rule indexes, or -1 */
    unsigned clients;              /* the clients read (clients.h mask) */
    struct mcp_ties ties;
    struct mcp_clientstats *cstats;
    struct mcp_srv_cluster *cl;
    size_t ncl;
    uint64_t clusters_dropped;     /* errors past CLUSTERS_MAX signatures */
    /* The newest lines of each kind (MCP_SRV_EV_*), oldest first. */
    struct mcp_srv_evidence ev[MCP_SRV_EV_N][MCP_SRV_EVIDENCE_MAX];
    size_t nev[MCP_SRV_EV_N];
};

/* Scan paths (a JSON array of strings; NULL or empty: the server's
 * defaults) and the logs of clients (a JSON array of names, clients.h;
 * NULL: the config's clients:, else every client whose files exist) in
 * [since, until) (MCP_TIME_NONE: open). Returns 0 (x->scan holds the
 * results; scan.cancelled says whether it was cut short), or -1 with
 * err. Free x with mcp_srv_scan_free either way. */
int mcp_srv_scan_run(struct mcp_srv *s, struct json_object *paths,
                     struct json_object *clients, int64_t since,
                     int64_t until, struct mcp_srv_scan *x, char *err);

/* The count of rule r's events about the server called name (its
 * groups whose key is name, or starts with name and ',' when the rule
 * groups by server and more), 0 when r is -1. */
uint64_t mcp_srv_server_count(const struct mcp_srv_scan *x, int r,
                              const char *name);

/* The clients' view: clientstats's JSON object of servers (all, or
 * only the one called name when name is not NULL: its object, or
 * null). */
struct json_object *mcp_srv_clients(const struct mcp_srv_scan *x,
                                    const char *name);
void mcp_srv_scan_free(struct mcp_srv_scan *x);

/* "path:line" of an input's line, as log text (escaped, cut). */
struct json_object *mcp_srv_origin(const struct mcp_srv_scan *x,
                                   uint32_t input, uint64_t lineno);

/* The max largest clusters (sorts x->cl), each {signature, count, first,
 * last, example, origin, traceback}. */
struct json_object *mcp_srv_clusters(struct mcp_srv_scan *x, size_t max);

/* The newest max startups (expectations of the rule startup-not-ready),
 * each {pid, start, ready_after_ms, late, origin}; *total of them. */
struct json_object *mcp_srv_startups(const struct mcp_srv_scan *x,
                                     size_t max, size_t *total);

/* One evidence line: {time, rule, origin, line, traceback}. */
struct json_object *mcp_srv_evidence_json(const struct mcp_srv_scan *x,
                                          const struct mcp_srv_evidence *e);

#endif
