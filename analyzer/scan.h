/* scan.h - read a whole log set through the pipeline into the engine.
 *
 * A pool of workers (scanpool.h) reads, frames and matches the files,
 * several at a time and a file's chunks on any core, and hands each
 * family's events over in file and line order. The calling thread merges
 * the families' streams by log time (a stable K-way merge: lines of one
 * file are never reordered, ties keep family order) and feeds the single
 * engine. Jobs in flight are bounded, so memory does not grow with the
 * input.
 */
#ifndef MCP_SCAN_H
#define MCP_SCAN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/timebins.h"
#include "engine/engine.h"
#include "input/logset.h"
#include "match/rules.h"

struct mcp_scan_opts {
    int64_t since;       /* MCP_TIME_NONE: no lower bound (inclusive) */
    int64_t until;       /* MCP_TIME_NONE: no upper bound (exclusive) */
    size_t max_line;     /* 0: MCP_MAX_LINE_DEFAULT */
    unsigned max_inflate; /* gzip bound (reader.h); 0: MCP_INFLATE_DEFAULT */
    int64_t repeat_ms;   /* engine repeat interval (replay); 0: none */
    mcp_alert_fn on_alert;
    void *arg;
    /* Called for every event fed to the engine (test-rules, replay);
     * may be NULL. */
    void (*on_event)(const struct mcp_event *ev, void *arg);
    /* For the HTML report: count every line by its own time into
     * line_bins (continuation lines at their record's time) and give each
     * event its prev_ts (event.h). Costs a timestamp parse per line. */
    bool line_times;
    /* When set (by another thread: `mcplog mcp`'s reader on a
     * notifications/cancelled), the workers read no more (each file
     * ends at its next job) and the merge feeds nothing more; may be
     * NULL. */
    const atomic_bool *cancel;
    /* --server: keep only the events of this server (a capture or field
     * "server"; events with no server at all are kept). NULL: all. */
    const char *server;
};

struct mcp_scan {
    struct mcp_engine *engine;
    uint64_t *limit_errors; /* per rule */
    bool damaged;           /* some input was damaged */
    bool cancelled;         /* o->cancel was set: the results are partial */
    uint64_t lines, bytes, matches;
    uint64_t time_jumps;    /* lines dated too far ahead (timeguard.h) */
    /* line_times: one per family (ls->families order), else NULL */
    struct mcp_timebins *line_bins;
    size_t nline_bins;
};

/* Most entries of a family's line_bins (timebins.h): 4096 bins over the
 * family's time span, whatever its length. */
#define MCP_SCAN_LINE_BINS 8192

/* Run the scan. Per-input figures are written into ls->inputs. Damage is
 * reported with mcp_warnf as it is found and recorded; it is not an error
 * here. Returns 0, or -1 when the scan could not run at all (err). */
int mcp_scan_run(struct mcp_logset *ls, const struct mcp_ruleset *rs,
                 const struct mcp_scan_opts *o, struct mcp_scan *out,
                 char *err);

void mcp_scan_free(struct mcp_scan *s);

#endif
