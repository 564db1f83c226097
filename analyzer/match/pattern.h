/* pattern.h - compiled regular expressions (PCRE2, the only file that
 * includes <pcre2.h> is pattern.c; STYLE.md 4).
 *
 * Patterns are compiled with PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, so log
 * bytes that are not valid UTF-8 are safe subjects (RELIABILITY.md 59), and
 * with the JIT when it is available (falling back to the interpreter, once
 * reported). Every match runs under match, depth and heap limits: a
 * catastrophic pattern costs bounded time and is counted, not hung on.
 *
 * A compiled pattern is shared read-only between threads. Each thread
 * matches through its own struct mcp_match (match data + JIT stack).
 */
#ifndef MCP_PATTERN_H
#define MCP_PATTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MCP_PATTERN_MAX_CAPS 16

struct mcp_pattern;
struct mcp_match;

/* Compile src (NUL-terminated). flags: MCP_PAT_MULTILINE makes ^ and $
 * match at line boundaries (used for whole-chunk searches). On error
 * returns NULL, err holds PCRE2's message, and *erroffset the offset in src
 * of the problem. */
#define MCP_PAT_MULTILINE 0x1
#define MCP_PAT_CASELESS 0x2
struct mcp_pattern *mcp_pattern_compile(const char *src, int flags,
                                        size_t *erroffset, char *err);
void mcp_pattern_free(struct mcp_pattern *p);

/* True when the pattern matches the empty string (rejected for rules). */
bool mcp_pattern_matches_empty(const struct mcp_pattern *p);

/* Named capture groups: count, and the name and group number of each.
 * Names are borrowed from the pattern. Duplicate names are not allowed. */
int mcp_pattern_ncaptures(const struct mcp_pattern *p);
const char *mcp_pattern_capture_name(const struct mcp_pattern *p, int i,
                                     int *group);

/* Longest literal byte string that every match must contain, derived from
 * the pattern source, or NULL when none of at least 3 bytes is known or
 * the best prefilter is a set (see mcp_pattern_prefilter). Borrowed. */
const char *mcp_pattern_literal(const struct mcp_pattern *p, size_t *len);

/* The literal prefilter: a set of strings one of which every match
 * contains (prefilter.h); n == 0 when none is known. Borrowed. */
struct mcp_prefilter;
const struct mcp_prefilter *mcp_pattern_prefilter(const struct mcp_pattern *p);

/* Per-thread match state. */
struct mcp_match *mcp_match_create(void);
void mcp_match_destroy(struct mcp_match *m);

/* Match p against subject[0..len) starting at start. Returns 1 on a match
 * (then mcp_match_group() gives the groups), 0 on no match, and -1 when a
 * resource limit was hit (counted by the caller as a limit error). */
int mcp_pattern_exec(const struct mcp_pattern *p, struct mcp_match *m,
                     const char *subject, size_t len, size_t start);

/* Group n of the last successful match of m: 1 and its bounds (offsets into
 * the subject), or 0 when the group did not take part. */
int mcp_match_group(const struct mcp_match *m, int n, size_t *so,
                    size_t *eo);

/* Whether the JIT compiler is in use (for test-rules and reports). */
bool mcp_pattern_jit(const struct mcp_pattern *p);

#endif
