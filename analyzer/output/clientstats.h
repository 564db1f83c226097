/* clientstats.h - the scan report's client section: what the clients
 * recorded about each server (mcplog(1), CLIENTS, "Reports").
 *
 * Fed with the events of the shipped client rules (rules/clients.yaml),
 * by rule name; the server is the event's value "server" (capture, else
 * the record's field), the session the record's field:
 *   client-connections   a connection attempt
 *   connection-failures  a failed attempt, with its reason
 *   client-connected     a handshake and its time (capture ms)
 *   client-tool-calls    a tool call that ended (capture tool; ms when it
 *                        completed, elapsed when it failed)
 * Bounds: at most MCP_CLIENTSTATS_SERVERS servers, MCP_CLIENTSTATS_TOOLS
 * tools per server and MCP_CLIENTSTATS_REASONS reasons per server (later
 * ones are counted as dropped); the percentiles (nearest rank) are of the
 * first MCP_CLIENTSTATS_SAMPLES times of each server or tool, the counts
 * and the maximum of all.
 */
#ifndef MCP_CLIENTSTATS_H
#define MCP_CLIENTSTATS_H

#include "base/textout.h"
#include "base/util.h"
#include "match/event.h"
#include "match/rules.h"

#define MCP_CLIENTSTATS_SERVERS 1024
#define MCP_CLIENTSTATS_TOOLS 256
#define MCP_CLIENTSTATS_REASONS 32
#define MCP_CLIENTSTATS_SAMPLES 65536

struct mcp_clientstats;

/* Statistics over the events of rules of rs (borrowed, must outlive). */
struct mcp_clientstats *mcp_clientstats_create(const struct mcp_ruleset *rs);

/* Count one event (of any rule: others are ignored). */
void mcp_clientstats_event(struct mcp_clientstats *c,
                           const struct mcp_event *ev);

/* Whether anything was counted. */
bool mcp_clientstats_any(const struct mcp_clientstats *c);

/* The section for the text report ("Clients:" and a block per server),
 * every name escaped for the terminal. */
void mcp_clientstats_text(const struct mcp_clientstats *c, struct mcp_buf *b);

/* The "clients" member of the JSON document: an object of servers;
 * nothing at all when c is NULL (no client was read). */
void mcp_clientstats_json(const struct mcp_clientstats *c,
                          struct mcp_json *j);

/* One tool's calls as the clients logged them, over every server (the
 * HTML page's tools table): calls ended, failed, and the nearest-rank
 * p50 / p90 (of the first MCP_CLIENTSTATS_SAMPLES times of each server's
 * tool) and the maximum of the times, in ms (-1 without a time). */
struct mcp_clientstats_tool {
    uint64_t calls, failed, timed;
    int64_t p50, p90, max;
};

/* Fill out for the tool called name; false when no client logged it (c
 * may be NULL). */
bool mcp_clientstats_tool(const struct mcp_clientstats *c, const char *name,
                          struct mcp_clientstats_tool *out);

void mcp_clientstats_destroy(struct mcp_clientstats *c);

#endif
