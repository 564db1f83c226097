/* mcp.h - the few types every stage and every sink shares: the version,
 * a rule's severity, an input's role, what happened to an alert, and the
 * notice callback. Nothing here knows about rules, files or sinks; the
 * stages above build on these names.
 */
#ifndef MCP_MCP_H
#define MCP_MCP_H

#define MCP_VERSION "0.1.0"

/* Most labels (group_by captures) an alert carries. */
#define MCP_MAX_LABELS 8

enum mcp_severity {
    MCP_SEV_NONE = 0,   /* counting rule: events, no alerts */
    MCP_SEV_INFO = 1,
    MCP_SEV_WARNING = 2,
    MCP_SEV_CRITICAL = 3,
};

/* The role of an input file, from its name or --source NAME=PATH. */
enum mcp_role {
    MCP_ROLE_OTHER = 0,
    MCP_ROLE_SERVER = 1,
    MCP_ROLE_ACTIVITY = 2,
    MCP_ROLE_CLIENT = 3,   /* a client's log of its servers (format.h) */
    MCP_ROLE_STDERR = 4,   /* a server's stderr as a client kept it */
};

/* What happened to an alert: the engine tells it, the router routes it,
 * every output (terminal, JSON lines, sinks) names it. */
enum mcp_alert_status {
    MCP_STATUS_FIRING = 0,   /* new, or reopened within its cooldown */
    MCP_STATUS_UPDATE = 1,   /* count or summary changed while firing */
    MCP_STATUS_REPEAT = 2,   /* still firing after repeat_interval */
    MCP_STATUS_RESOLVED = 3,
};

/* "none", "info", "warning", "critical" ("none" for any other value). */
const char *mcp_severity_name(enum mcp_severity s);

/* "info" / "warning" / "critical" -> value; -1 when unknown. */
int mcp_severity_parse(const char *s);

/* Name of a role: "server", "activity", "client", "stderr", "other". */
const char *mcp_role_name(enum mcp_role r);

/* "firing", "update", "repeat", "resolved" ("?" for any other value). */
const char *mcp_alert_status_name(enum mcp_alert_status s);

/* A notice from mcplog itself for the user ("mcp_server.log was rotated,
 * reopening"): msg is unsanitized text (it may hold paths from the
 * command line or log names) and is borrowed for the call only. */
typedef void (*mcp_notice_fn)(const char *msg, void *arg);

#endif
