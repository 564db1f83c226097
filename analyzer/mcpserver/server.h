/* server.h - `mcplog mcp`: mcplog as an MCP server over stdio.
 *
 * JSON-RPC 2.0, one message per line (base/jsonrpc.h). Methods:
 * initialize (protocol versions 2025-06-18 and 2025-11-25: the client's
 * when it is one of them, else the newest), ping, tools/list and
 * tools/call; notifications are ignored but notifications/cancelled,
 * which stops the request it names (a scan stops at its next chunk).
 * A reader thread takes stdin as it comes; requests are handled one at
 * a time, in order, on the calling thread, which alone writes to out_fd.
 * The tools (tools.c): status, scan, explain_server, and cleanup when
 * the config allows it.
 */
#ifndef MCP_MCPSERVER_SERVER_H
#define MCP_MCPSERVER_SERVER_H

#include <stddef.h>

#include "conf/config.h"
#include "match/rules.h"

struct mcp_srv_opts {
    const struct mcp_config *conf; /* mcplog.yaml, loaded (borrowed) */
    const struct mcp_ruleset *rs;  /* the rules of scan, explain_server and
                                      health's counts (borrowed) */
    const struct mcp_ruleset *rs_follow; /* the same and the probe rules:
                                      follow's, to read its checkpoint */
    char **paths;                  /* default logs (PATHS), or NULL: the
                                      config's server.logs, else ./logs */
    int npaths;
    unsigned max_inflate;          /* 0: MCP_INFLATE_DEFAULT */
    size_t max_line;               /* 0: MCP_MAX_LINE_DEFAULT */
    const char *state_path;        /* follow's checkpoint, read by status */
    size_t max_request;            /* bytes of a request line; 0: 1 MiB */
};

/* Serve requests from in_fd, answers to out_fd, until in_fd ends.
 * Returns 0 at the end of input, 1 when out_fd could not be written. */
int mcp_srv_run(const struct mcp_srv_opts *o, int in_fd, int out_fd);

#endif
