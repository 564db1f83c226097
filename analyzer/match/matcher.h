/* matcher.h - apply the compiled rules to chunks of lines.
 *
 * The matcher searches whole chunks rather than line by line: one pass
 * finds the literal prefilters of all the patterns that have a selective
 * one (litsel.h), the others get a multi-line PCRE2 (JIT) search each.
 * Each candidate is
 * then verified against its own line alone, so whole-chunk searching can
 * never change what matches. Rules whose patterns are the same text share
 * one search. Hits become events in line order.
 *
 * One matcher per thread: it owns match data and JIT stacks.
 */
#ifndef MCP_MATCHER_H
#define MCP_MATCHER_H

#include <stdbool.h>
#include <stdint.h>

#include "match/event.h"
#include "input/framer.h"
#include "match/rules.h"

struct mcp_matcher;

/* Prepare the searches for every rule of rs (borrowed: it must outlive the
 * matcher). */
struct mcp_matcher *mcp_matcher_create(const struct mcp_ruleset *rs);

/* Select the rules that apply to the next input (its role, role name and
 * file base name) and the index stamped on events. role_name NULL selects
 * every rule whatever its source (test-rules on text of unknown origin). */
void mcp_matcher_select(struct mcp_matcher *m, enum mcp_role role,
                        const char *role_name, const char *base,
                        uint32_t input);

/* The input selected last is structured (record lines, format.h): a
 * pattern sees the message of a record line, or the whole of a
 * continuation line; attached context lines are never matched; events
 * get the record's fields; a stderr record (level "stderr") and its
 * continuation lines are matched by the rules that apply to the role
 * "stderr", the others by those of the input's role. Call after
 * mcp_matcher_select (which turns it off). */
void mcp_matcher_structured(struct mcp_matcher *m, bool on);

/* The input selected last is about server (a server log tied to a
 * client's name for it, clients.h; borrowed, may be NULL): its events
 * get the field "server" when a record gives none. Call after
 * mcp_matcher_select (which clears it). */
void mcp_matcher_server(struct mcp_matcher *m, const char *server);

/* Match one chunk. Events are appended to out in line order (rule order
 * within a line, match before follow-up). Returns the number added. */
size_t mcp_matcher_chunk(struct mcp_matcher *m, const struct mcp_chunk *c,
                         struct mcp_batch *out);

/* Matches of rule i abandoned because a PCRE2 limit was hit. */
uint64_t mcp_matcher_limit_errors(const struct mcp_matcher *m, size_t i);

void mcp_matcher_destroy(struct mcp_matcher *m);

#endif
