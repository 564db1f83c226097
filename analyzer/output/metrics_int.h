/* metrics_int.h - what metrics.c (the registry, feeding it) and
 * metrics_render.c (the text exposition) share. Not for other modules. */
#ifndef MCP_METRICS_INT_H
#define MCP_METRICS_INT_H

#include "base/strmap.h"
#include "output/metrics.h"

/* Histogram bounds, in ms. */
static const int64_t tool_bounds[] = {50, 100, 250, 500, 1000, 2500,
                                      5000, 10000, 30000, 60000, 120000};
static const int64_t ready_bounds[] = {500, 1000, 2000, 5000, 10000, 15000,
                                       30000, 60000, 120000, 300000};
#define NTOOLB (sizeof(tool_bounds) / sizeof(tool_bounds[0]))
#define NREADYB (sizeof(ready_bounds) / sizeof(ready_bounds[0]))
#define MAXB 12

struct hist {
    uint64_t bucket[MAXB];   /* cumulative at render; here per bucket */
    uint64_t count;
    int64_t sum_ms;
};

struct tool_series {
    size_t server;           /* index into servers */
    char *tool;
    uint64_t calls, failures;
    struct hist dur;
};

struct server_series {
    char *name;
    uint64_t startups;
    struct hist ready;
    int64_t pending;         /* an open startup's time, or MCP_TIME_NONE */
};

struct family {
    char *name, *role;
    uint64_t lines;
    int64_t newest;
};

struct rule_series {
    uint64_t matches;
    uint64_t trans[4];       /* firing, update, repeat, resolved */
};

struct mcp_metrics {
    struct family *fam;
    size_t nfam;
    long max_tools;
    const struct mcp_ruleset *rs;
    struct mcp_strmap rule_by_name;  /* name -> slot + 1 */
    struct rule_series *rules;
    size_t nrules;
    size_t *slot;                    /* rule index -> slot */
    /* Rule indexes (-1: none) of the rules named in metrics.h. */
    long tool_rule, startup_rule, call_rule, connect_rule;
    struct server_series *srv;
    size_t nsrv;
    struct mcp_strmap srv_by_name;
    struct tool_series *tools;
    size_t ntools;
    struct mcp_strmap tool_by_key;   /* "server\ntool" -> index + 1 */
};

/* The histogram bucket of ms (bounds in ms, nb of them) counted in h. */
void metrics_observe(struct hist *h, const int64_t *bounds, size_t nb,
                     int64_t ms);

#endif
