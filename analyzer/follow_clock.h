/* follow_clock.h - the log clock of `mcplog follow`.
 *
 * The engine works in log time. Between lines the log clock runs on with
 * the wall clock from an anchor: the time of the newest line seen and the
 * wall time it was read (or, after a restart, the checkpoint's clock and
 * the wall time it was saved). It never runs ahead of the wall clock by
 * more than MCP_TIME_SKEW_MS (5 min).
 *
 * Each family's lines go through a time guard (timeguard.h, live rules):
 * a line dated after the wall clock + 5 min is taken as arriving now, and
 * a line dated over 1 h after the log clock is an outlier unless the next
 * lines confirm the jump. Notices: the first line dated after the wall
 * clock, once per family; time jumps, the first one per family, then at
 * most one notice a minute with the count so far.
 */
#ifndef MCP_FOLLOW_CLOCK_H
#define MCP_FOLLOW_CLOCK_H

#include <stdint.h>

#include "engine/engine.h"
#include "match/event.h"
#include "input/framer.h"


struct mcp_fclock;

/* A clock for nfam families, no anchor yet. notice(msg, arg) tells the
 * user (msg is unsanitized: it holds log paths). */
struct mcp_fclock *mcp_fclock_create(size_t nfam, mcp_notice_fn notice,
                                     void *arg);
void mcp_fclock_destroy(struct mcp_fclock *c);

/* Log time now (MCP_TIME_NONE before any anchor): the anchor's log time
 * plus the wall time since, capped at the wall clock + 5 min. */
int64_t mcp_fclock_now(const struct mcp_fclock *c);

/* An event of time ts was fed: it becomes the anchor when not behind the
 * log clock. */
void mcp_fclock_seen(struct mcp_fclock *c, int64_t ts);

/* Restore the engine's state from a checkpoint written at wall time
 * `saved`: a saved clock after the wall clock + 5 min is taken back to
 * the wall clock (with a notice), and the log clock goes on from the
 * engine's clock by the wall time since `saved` (clamped: never after
 * now), so deadlines that passed while mcplog was down fire at once.
 * Returns the `saved` time to trust (for the resume of the files). */
int64_t mcp_fclock_restore(struct mcp_fclock *c, struct mcp_engine *e,
                           const char *data, size_t len, int64_t saved);

/* Judge the lines of chunk c of family fam (read from `path`, a tail
 * whose address identifies it): in holds the matcher's events, moved to
 * out with the time each carries. */
void mcp_fclock_chunk(struct mcp_fclock *c, size_t fam, const char *path,
                      const struct mcp_chunk *ch, struct mcp_batch *in,
                      struct mcp_batch *out);

/* Time jumps counted so far in family fam (lines whose time was not
 * believed). */
uint64_t mcp_fclock_jumps(const struct mcp_fclock *c, size_t fam);

/* The time a line of the last chunk of family fam carries (at decoded
 * offset `offset`, with its own time `own`). */
int64_t mcp_fclock_line_time(const struct mcp_fclock *c, size_t fam,
                             uint64_t offset, int64_t own);

#endif
