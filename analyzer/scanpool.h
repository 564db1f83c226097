/* scanpool.h - scan's worker threads: the work below the family.
 *
 * One thread per family left a core idle whenever one family (the server
 * log) holds most of the bytes. Here a pool of workers (one per CPU) does
 * two kinds of tasks for all families at once:
 *  - read a file: open it, decode and frame its next chunks into a job
 *    (prefetch.h). One worker at a time per file, so each file is read in
 *    order, but several files of a family, and of different families, are
 *    read at the same time;
 *  - match a job: any worker, with its own matcher.
 * The merge takes each family's events through mcp_scanpool_next in file
 * order and line order, exactly as one thread per family produced them.
 */
#ifndef MCP_SCANPOOL_H
#define MCP_SCANPOOL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "match/event.h"
#include "input/logset.h"
#include "match/rules.h"

struct mcp_scanpool;

/* Start reading every input of ls (its figures, damage and notes are
 * written into ls->inputs as each file ends; warnings are printed in file
 * order within a family) on `threads` workers (0: mcp_scanpool_threads()).
 * line_bins (scan's line_times; NULL: none): one set of time bins per
 * family, which the family's lines are counted into by their own time,
 * and its events given their prev_ts (event.h). ls, rs, line_bins and
 * cancel are borrowed until mcp_scanpool_finish; cancel may be NULL:
 * once another thread sets it, no more is read (every file ends at its
 * next job), so the merge drains quickly. Returns NULL with err when no
 * worker thread can start. */
struct mcp_timebins;
struct mcp_scanpool *mcp_scanpool_start(struct mcp_logset *ls,
                                        const struct mcp_ruleset *rs,
                                        size_t max_line, unsigned max_inflate,
                                        unsigned threads,
                                        struct mcp_timebins *line_bins,
                                        const atomic_bool *cancel, char *err);

/* The next events of family fam, in order (a batch the caller frees with
 * mcp_batch_free and free), or NULL when the family has no more. Waits
 * for the workers. One caller thread. */
struct mcp_batch *mcp_scanpool_next(struct mcp_scanpool *p, size_t fam);

/* Wait for the workers (call after every family returned NULL), add each
 * rule's PCRE2 limit errors to limit_errors[0..rs->n), free p. */
void mcp_scanpool_finish(struct mcp_scanpool *p, uint64_t *limit_errors);

/* Workers by default: MCPLOG_SCAN_THREADS when set (1-64), else the CPUs
 * online (at most 16). */
unsigned mcp_scanpool_threads(void);

#endif
