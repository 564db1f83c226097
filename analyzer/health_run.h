/* health_run.h - what `mcplog health` measures, run for any caller
 * (the health command, the status tool of `mcplog mcp`): the server
 * processes, and the logs folder read through the real pipeline
 * (mcp_scan_run with a tally of the rules `restarts` and
 * `reconnect-failures` in windows ending at h->now). */
#ifndef MCP_HEALTH_RUN_H
#define MCP_HEALTH_RUN_H

#include <stdatomic.h>
#include <stdint.h>

#include "conf/procconf.h"
#include "match/rules.h"
#include "proc/health.h"

/* Fill every check of h (started with mcp_health_init: its now and its
 * logs folder) and set its status (mcp_health_finish). pc gives the
 * server and the thresholds, rs the rules, max_inflate the gzip bound
 * (mcp_reader_set_max_inflate's terms); since (MCP_TIME_NONE: the
 * configured windows) replaces both count windows by [since, now];
 * missing (may be NULL) is the cause the checks give when the logs
 * folder does not exist (health's "no ./logs here: ..."); cancel (may
 * be NULL) stops the scan of the logs early (their checks are UNKNOWN
 * then). Problems become UNKNOWN checks, never a failure. */
void mcp_health_gather(struct mcp_health *h, const struct mcp_procconf *pc,
                       const struct mcp_ruleset *rs, unsigned max_inflate,
                       int64_t since, const char *missing,
                       const atomic_bool *cancel);

#endif
