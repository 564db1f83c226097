/* litsel.h - the matcher's prefilter pass: the literals of every active
 * prefiltered search of a chunk, found in one pass.
 *
 * A matcher has "probes" (one per distinct pattern text), some with a
 * literal prefilter (prefilter.h). Which are active depends on the input's
 * role; for each such selection one literal set (litset.h) holds all the
 * literals of its active prefiltered probes, so a chunk is read once
 * whatever the number of rules. A line holding a literal of a probe is a
 * candidate of that probe; the matcher verifies it with the real pattern.
 */
#ifndef MCP_LITSEL_H
#define MCP_LITSEL_H

#include <stdbool.h>
#include <stddef.h>

struct mcp_prefilter;
struct mcp_litsel;

/* n probes; pf[i] is probe i's prefilter (borrowed: it must outlive the
 * object), NULL for a probe searched otherwise. No probe is active. */
struct mcp_litsel *mcp_litsel_create(const struct mcp_prefilter *const *pf,
                                     size_t n);

/* Make active[i] (n flags) the active probes. The literal set of a
 * selection is compiled on its first chunk (the chunk is the sample that
 * places the fingerprints) and kept for when the selection comes back. */
void mcp_litsel_select(struct mcp_litsel *ls, const bool *active);

/* Find the candidate lines of every active prefiltered probe in
 * data[0..len) (complete lines). */
void mcp_litsel_scan(struct mcp_litsel *ls, const char *data, size_t len);

/* Probe i's candidates from the last scan: line starts in increasing
 * order, each once. Borrowed until the next scan. */
const char *const *mcp_litsel_cands(const struct mcp_litsel *ls, size_t i,
                                    size_t *n);

void mcp_litsel_destroy(struct mcp_litsel *ls);

#endif
