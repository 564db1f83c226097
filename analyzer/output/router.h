/* router.h - the routing of alerts: which sinks, and whether the
 * terminal view, get an alert, by its severity, rule and labels, from the
 * routes of mcplog.yaml (read by conf/config.c). notify.c routes every
 * transition through it; `mcplog routes test` shows its answer.
 */
#ifndef MCP_ROUTER_H
#define MCP_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#include "base/mcp.h"
#include "conf/config.h"

/* Route an alert: set want[i] for every enabled sink i (c->nsinks
 * entries) that should receive it, and return whether the terminal view should show
 * it. An alert no route matches goes nowhere but the terminal. */
bool mcp_router_route(const struct mcp_config *c, const char *rule,
                     enum mcp_severity sev, int nlabels,
                     const char *const *label_name,
                     const char *const *label_value, bool *want);

/* The indexes of the routes mcp_router_route would use for this alert,
 * in order, into hit (room for c->nroutes); returns how many. */
size_t mcp_router_matching(const struct mcp_config *c, const char *rule,
                           enum mcp_severity sev, int nlabels,
                           const char *const *label_name,
                           const char *const *label_value, size_t *hit);

#endif
