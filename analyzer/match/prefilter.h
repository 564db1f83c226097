/* prefilter.h - literal prefilters derived from a regex source.
 *
 * A prefilter is a small set of byte strings such that every match of the
 * pattern contains at least one of them. The matcher finds candidate lines
 * with memmem on each string and verifies each candidate with the real
 * pattern, so a prefilter only ever costs speed when it is weak, and would
 * lose matches if it were wrong: the derivation is conservative and gives
 * up (n = 0) on anything it does not fully understand.
 *
 * From '^\S+ - (?<level>ERROR|CRITICAL) - (?<m>.*)$' it derives
 * {"ERROR", "CRITICAL"}; from 'TOOL_CALL: (?<t>\S+) with' the single
 * string "TOOL_CALL: ".
 */
#ifndef MCP_PREFILTER_H
#define MCP_PREFILTER_H

#include <stdbool.h>
#include <stddef.h>

#define MCP_PREFILTER_MAX 4
#define MCP_PREFILTER_LEN 256

struct mcp_prefilter {
    int n;                               /* 0: none known */
    char lit[MCP_PREFILTER_MAX][MCP_PREFILTER_LEN];
    size_t len[MCP_PREFILTER_MAX];
};

/* Derive the best prefilter for src: the set whose shortest member is
 * longest (fewer members on a tie). caseless patterns get none. */
void mcp_prefilter_derive(const char *src, bool caseless,
                          struct mcp_prefilter *pf);

/* Length of the shortest member (0 when n == 0). */
size_t mcp_prefilter_minlen(const struct mcp_prefilter *pf);

#endif
