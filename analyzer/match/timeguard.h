/* timeguard.h - one line's time must not move a stream's clock.
 *
 * A stream is the lines of one log family in order: in scan its files,
 * oldest first; in follow what its tails deliver. Its clock is the latest
 * time accepted from it. Only lines that carry their own timestamp are
 * judged; continuation lines carry the time of their record's line.
 *
 * - A line dated at most MCP_TIME_JUMP_MS (1 h) after the reference (the
 *   clock; in follow the log clock now when that is later) is accepted,
 *   and so is any line dated before it (time may go back: lines of one
 *   file are never reordered, they keep their own earlier time).
 * - A line dated later than that is a suspect: it is accepted when the
 *   next MCP_TIME_CONFIRM (3) lines with a time agree with it (each dated
 *   more than 1 h after the reference and no more than 1 h before the
 *   suspect): a real jump, such as a server restarted after downtime or a
 *   quiet night in an activity log. As soon as one of them does not
 *   agree, the suspect is an outlier.
 * - An outlier carries the reference's time (the clock: the latest time
 *   accepted before it), and so do the events of its continuation lines.
 *   It is still matched and shown; it counts as a time jump.
 * - The first line of a stream (with no reference yet) starts the clock.
 * - At the end of a stream (scan) fewer lines can confirm: a suspect
 *   that the lines after it agree with (at least one) is accepted; a last
 *   line with nothing after it is an outlier.
 * - Live (follow), a line dated after the ceiling (the wall clock plus
 *   MCP_TIME_SKEW_MS, 5 min) is taken as arriving now (the reference) and
 *   never confirms anything; and since follow cannot wait for lines that
 *   are not written yet, a suspect still undecided at the end of a chunk
 *   goes out as an outlier, while the lines that follow may still confirm
 *   it, from then on.
 *
 * To decide, events are held back from a suspect's line until it is
 * decided (scan: across chunks and files of the family; at most
 * MCP_TIMEGUARD_HOLD bytes of events, then it is taken as an outlier).
 */
#ifndef MCP_TIMEGUARD_H
#define MCP_TIMEGUARD_H

#include <stdbool.h>
#include <stdint.h>

#include "match/event.h"
#include "input/framer.h"

#define MCP_TIME_JUMP_MS (3600 * 1000LL)   /* how far ahead is a jump */
#define MCP_TIME_CONFIRM 3                  /* lines that confirm a jump */
#define MCP_TIME_SKEW_MS (5 * 60 * 1000LL)  /* follow: tolerated ahead of
                                               the wall clock */
#define MCP_TIMEGUARD_HOLD (8u * 1024 * 1024)

enum mcp_tg_kind {
    MCP_TG_OWN = 0,      /* carries its own time */
    MCP_TG_JUMP = 1,     /* outlier: carries the reference's time */
    MCP_TG_WALL = 2,     /* live: dated after the ceiling, taken as now */
};

/* What a line with its own time carries, told in line order (live: by
 * the end of the chunk call that delivered it): every line that carries
 * another time than its own; of the lines accepted at once, each run's
 * first and last (so a source's first and last times are always told). */
struct mcp_tg_line {
    uint32_t input;
    uint64_t lineno;
    int64_t own;         /* the time written on it */
    int64_t ts;          /* the time it carries */
    enum mcp_tg_kind kind;
};

typedef void (*mcp_tg_fn)(const struct mcp_tg_line *l, void *arg);

struct mcp_timeguard;

/* A guard for one stream. live: follow's rules (ceiling, no waiting past
 * a chunk). fn (may be NULL) is told of every line with its own time. */
struct mcp_timeguard *mcp_timeguard_create(bool live, mcp_tg_fn fn,
                                           void *arg);

/* Live: the log clock now (the reference is never earlier) and the
 * ceiling (wall clock + skew); MCP_TIME_NONE for none. Call before each
 * chunk. */
void mcp_timeguard_bounds(struct mcp_timeguard *g, int64_t floor,
                          int64_t ceiling);

/* Judge the lines of chunk c, read from input `input` of the stream's
 * source `source` (scan: the input; follow: the tail, so that lines that
 * go on a record of an earlier chunk find it). `in` holds the events the
 * matcher found in c, in line order: they are moved (not copied) to the
 * end of `out` with the time their line carries, in order, as soon as it
 * is decided; `in` is left empty. Live, everything is out on return. */
void mcp_timeguard_chunk(struct mcp_timeguard *g, uint64_t source,
                         uint32_t input, const struct mcp_chunk *c,
                         struct mcp_batch *in, struct mcp_batch *out);

/* The stream has ended: decide what is held (a suspect that nothing
 * refuted is accepted) and move the remaining events to out. The clock
 * is kept: the guard may go on with another stream's lines later. */
void mcp_timeguard_finish(struct mcp_timeguard *g, struct mcp_batch *out);

/* Live: the time the line at decoded offset `offset` of the last chunk
 * carries, given its own time `own` (for lines shown without a match). */
int64_t mcp_timeguard_line_time(const struct mcp_timeguard *g,
                                uint64_t offset, int64_t own);

void mcp_timeguard_destroy(struct mcp_timeguard *g);

#endif
