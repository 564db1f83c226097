/* procconf.h - the server-process settings of mcplog.yaml: which
 * processes are the MCP server (`server:`), the health thresholds
 * (`health:`), cleanup (`cleanup:`) and the follow probes (`probes:`).
 * Parsed by procconf.c from the nodes config.c hands over. */
#ifndef MCP_PROCCONF_H
#define MCP_PROCCONF_H

#include <stdbool.h>
#include <stdint.h>
#include <yaml.h>

struct mcp_yaml;

struct mcp_procconf {
    bool set;                      /* placeholder until issue 5 lands */
};

/* Defaults, then the sections given (each may be NULL). Returns 0, or -1
 * with "file:line:col: cause" in err. */
int mcp_procconf_load(struct mcp_procconf *pc, struct mcp_yaml *y,
                      yaml_node_t *server, yaml_node_t *health,
                      yaml_node_t *cleanup, yaml_node_t *probes, char *err);

void mcp_procconf_free(struct mcp_procconf *pc);

#endif
