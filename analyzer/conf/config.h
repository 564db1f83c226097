/* config.h - mcplog.yaml: the sinks, the routing table and the alert
 * lifecycle settings (docs/mcplog.yaml.5).
 *
 *   repeat_interval: 4h          # re-send a firing alert this often
 *   update_interval: 1m          # at most one update per alert this often
 *   metrics:                     # follow's Prometheus metrics (all off)
 *     listen: 127.0.0.1:9464     # GET /metrics (loopback unless listen_any)
 *     file: /var/lib/node_exporter/textfile/mcplog.prom
 *     interval: 15s              # the file's rewrite period
 *   sinks:
 *     desktop: {type: desktop}
 *     page:    {type: command, argv: [/usr/local/bin/page-me]}
 *   routes:                      # first match wins unless continue
 *     - match: {severity: critical, rule: 'reconnect-*', labels: {tool: chat}}
 *       sinks: [terminal, desktop, page]
 *       continue: true
 *
 * The file is the first of: --config PATH, $MCPLOG_CONFIG, $XDG_CONFIG_HOME/mcplog/
 * mcplog.yaml (~/.config when unset), the shipped rules/mcplog.yaml. A
 * config without `routes` gets the runbook's escalation table (info ->
 * terminal; warning -> terminal + desktop; critical -> terminal + desktop
 * + every command and webhook sink), and every file sink gets every alert.
 */
#ifndef MCP_CONFIG_H
#define MCP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "conf/procconf.h"
#include "sinks/sinkconf.h"

/* One route. Empty matchers match everything. */
struct mcp_route {
    unsigned severities;           /* bit (1 << severity); 0 = any */
    char **rules;                  /* fnmatch globs, NULL-terminated, or NULL */
    size_t nlabels;
    char **label_name;
    char **label_glob;
    bool terminal;                 /* the terminal view is a target */
    size_t *sinks;                 /* indexes into mcp_config.sinks */
    size_t nsinks;
    bool cont;                     /* go on matching after this route */
};

/* `metrics:` (follow's Prometheus metrics, output/metrics.h). */
struct mcp_metrics_conf {
    char *listen;                  /* HOST:PORT, or NULL: off */
    bool listen_any;               /* a non-loopback listen address is ok */
    char *file;                    /* the .prom textfile, or NULL: off */
    int64_t interval_ms;           /* textfile rewrite period (15s) */
    char *server;                  /* the server label; NULL: derived */
    long max_tools;                /* (server, tool) series cap (100) */
};

struct mcp_config {
    char *path;                    /* the file loaded, or NULL (built in) */
    struct mcp_sink_conf *sinks;
    size_t nsinks;
    struct mcp_route *routes;
    size_t nroutes;
    int64_t repeat_interval_ms;    /* 0: never repeat */
    int64_t update_interval_ms;    /* least time between two updates */
    struct mcp_procconf proc;      /* server:, health:, cleanup:, probes: */
    struct mcp_metrics_conf metrics;
    bool mcp_allow_cleanup;        /* mcp: {allow_cleanup: true}: `mcplog
                                      mcp` offers its cleanup tool */
    unsigned clients;              /* clients: (input/clients.h mask) */
    bool clients_set;              /* clients: given */
};

/* Load the config: path when not NULL, else the search above (a missing
 * user file is no error; neither is a missing shipped one: the built-in
 * defaults apply). Returns 0, or -1 with "file:line:col: cause" in err and
 * nothing held. */
int mcp_config_load(struct mcp_config *c, const char *path, char *err);

/* Free what load allocated, including the sinks' option values (call
 * after the sinks were destroyed). */
void mcp_config_free(struct mcp_config *c);

/* The index of the sink called name, or -1. */
long mcp_config_sink(const struct mcp_config *c, const char *name);

#endif
