/* mcp.c - the names of the shared types (mcp.h). */
#include "base/mcp.h"

#include <string.h>

static const char *const sev_names[] = {"none", "info", "warning",
                                        "critical"};

const char *mcp_severity_name(enum mcp_severity s)
{
    return (unsigned)s < 4 ? sev_names[s] : "none";
}

int mcp_severity_parse(const char *s)
{
    for (int i = MCP_SEV_INFO; i <= MCP_SEV_CRITICAL; i++)
        if (strcmp(s, sev_names[i]) == 0)
            return i;
    return -1;
}

const char *mcp_role_name(enum mcp_role r)
{
    return r == MCP_ROLE_SERVER     ? "server"
           : r == MCP_ROLE_ACTIVITY ? "activity"
           : r == MCP_ROLE_CLIENT   ? "client"
           : r == MCP_ROLE_STDERR   ? "stderr"
                                    : "other";
}

const char *mcp_alert_status_name(enum mcp_alert_status s)
{
    switch (s) {
    case MCP_STATUS_FIRING: return "firing";
    case MCP_STATUS_UPDATE: return "update";
    case MCP_STATUS_REPEAT: return "repeat";
    case MCP_STATUS_RESOLVED: return "resolved";
    }
    return "?";
}
