/* sinkconf.h - one configured sink: a `sinks:` entry of mcplog.yaml read
 * into its type, the keys every sink shares (retries, backoff,
 * max_backoff, queue) and the sink's own options, each filled through
 * its options table by the one setter (base/optset.h).
 *
 *   sinks:
 *     page: {type: command, argv: [/usr/local/bin/page-me], retries: 2}
 *
 * The config loader (conf) reads the file and hands each entry here; the
 * dispatcher (dispatch.h) starts what was read. Nothing here knows about
 * routes or the rest of the config.
 */
#ifndef MCP_SINKCONF_H
#define MCP_SINKCONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sinks/sink.h"

/* One configured sink (a `sinks:` entry), options set, not yet started. */
struct mcp_sink_conf {
    char *name;
    char *where;                   /* "file:line:col: " of its entry */
    const struct mcp_sink_ops *ops;
    void *ctx;                     /* ops->ctx_size bytes, options filled */
    long retries;                  /* attempts after the first, on RETRY */
    int64_t backoff_ms;            /* first retry delay, doubling */
    int64_t max_backoff_ms;
    long queue;                    /* bounded queue length */
    bool disabled;                 /* not started, never routed to */
};

struct mcp_yaml;
struct yaml_node_s;

/* Read the entry named by key node kn with mapping node vn of document y
 * into s (zeroed by the caller): the name (not "terminal", not
 * "type:...", not empty), its type, the common keys and the sink's own
 * options. Returns 0, or -1 with "file:line:col: cause" in err; either
 * way s is freed with mcp_sinkconf_free(). */
int mcp_sinkconf_load(struct mcp_sink_conf *s, struct mcp_yaml *y,
                      struct yaml_node_s *kn, struct yaml_node_s *vn,
                      char *err);

/* Free what load allocated, the sink's option values included (call
 * after the sink was destroyed). Safe on a zeroed struct. */
void mcp_sinkconf_free(struct mcp_sink_conf *s);

/* Print the options of sink type ops, then the keys every sink shares
 * (for `mcplog sinks --help TYPE`), from their tables. */
void mcp_sinkopt_help(const struct mcp_sink_ops *ops, FILE *out);

#endif
