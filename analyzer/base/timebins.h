/* timebins.h - counts over time in bounded memory, for charts.
 *
 * Times are counted in bins of `width` ms aligned on the epoch (bin k
 * holds [k * width, (k + 1) * width)). The width starts at one second and
 * doubles whenever more than `cap` entries would be needed, so memory is
 * bounded by cap whatever the time span (a far-off outlier costs one
 * entry, not a range). The same times added in the same order give the
 * same bins. Not thread-safe: one owner at a time.
 */
#ifndef MCP_TIMEBINS_H
#define MCP_TIMEBINS_H

#include <stddef.h>
#include <stdint.h>

struct mcp_timebins {
    struct mcp_timebin {
        int64_t key;         /* bin number: floor(time / width) */
        uint64_t count;
    } *e;
    size_t n, cap;           /* entries used; most kept (at least 8) */
    int64_t width;           /* ms per bin */
};

/* An empty set of bins holding at most cap entries (8 when less). */
void mcp_timebins_init(struct mcp_timebins *b, size_t cap);

/* Count n at time t. */
void mcp_timebins_add(struct mcp_timebins *b, int64_t t, uint64_t n);

/* Add every count of b to out[0..nout), out[i] covering
 * [t0 + i * span / nout, t0 + (i + 1) * span / nout) with span = t1 - t0
 * (t1 > t0): each bin of b counts where its middle falls (the first or
 * last when the middle is outside but the bin overlaps [t0, t1)); bins
 * entirely outside [t0, t1) are left out. */
void mcp_timebins_spread(const struct mcp_timebins *b, int64_t t0,
                         int64_t t1, uint64_t *out, size_t nout);

/* Total of every count. */
uint64_t mcp_timebins_total(const struct mcp_timebins *b);

void mcp_timebins_free(struct mcp_timebins *b);

#endif
