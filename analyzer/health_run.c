/* health_run.c - the measurements of `mcplog health` (health_run.h). */
#include "health_run.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "base/path.h"
#include "base/timeparse.h"
#include "base/util.h"
#include "input/logset.h"
#include "proc/procs.h"
#include "scan.h"

struct tally {
    int rst, rec;                  /* rule indexes, or -1 */
    int64_t rst_from, rec_from;    /* counted when ts > from */
    int64_t rst_n, rec_n;
};

static void on_event(const struct mcp_event *ev, void *arg)
{
    struct tally *t = arg;

    if (ev->kind != MCP_EV_MATCH || ev->ts == MCP_TIME_NONE)
        return;
    if ((int)ev->rule == t->rst && ev->ts > t->rst_from)
        t->rst_n++;
    if ((int)ev->rule == t->rec && ev->ts > t->rec_from)
        t->rec_n++;
}

/* Read the log set of h->logdir through the real pipeline (mcp_scan_run
 * with the rules rs, gzip under the bound max_inflate, as
 * mcp_reader_set_max_inflate) and fill restarts, reconnects, newest_line
 * and log_dir. Problems become UNKNOWN checks, never a failure. since
 * (or MCP_TIME_NONE) replaces both count windows by [since, now]. */
static void health_logs(struct mcp_health *h, const struct mcp_health_conf *hc0,
                        const struct mcp_ruleset *rs, unsigned max_inflate,
                        const char *missing, int64_t since,
                        const atomic_bool *cancel)
{
    struct mcp_health_conf hcs = *hc0;
    const struct mcp_health_conf *hc = &hcs;

    struct tally t = {0};
    struct mcp_scan_opts so = {.since = MCP_TIME_NONE, .until = MCP_TIME_NONE,
                               .max_inflate = max_inflate,
                               .on_event = on_event, .arg = &t,
                               .cancel = cancel};
    struct mcp_logset ls;
    struct mcp_scan scan;
    char err[MCP_ERRLEN] = "";
    int64_t newest = MCP_TIME_NONE, widest;
    uint64_t bytes = 0;

    if (mcp_dir_size(h->logdir, &bytes, err) != 0) {
        struct stat st;

        /* The caller's default folder is missing: its words. */
        if (missing != NULL && lstat(h->logdir, &st) != 0 && errno == ENOENT)
            snprintf(err, sizeof(err), "%s", missing);
        mcp_health_dir(h, hc, 0, err);
        mcp_health_counts(h, hc, 0, 0, MCP_TIME_NONE, err);
        return;
    }
    mcp_health_dir(h, hc, bytes, NULL);

    if (since != MCP_TIME_NONE) {
        /* The checks say "in the last W": W is now - since. Counted
         * when ts > from, so from is a millisecond before since. */
        hcs.restarts_window_ms = h->now - since;
        hcs.reconnects_window_ms = h->now - since;
    }
    t.rst = mcp_ruleset_find(rs, "restarts");
    t.rec = mcp_ruleset_find(rs, "reconnect-failures");
    t.rst_from = h->now - hc->restarts_window_ms - (since != MCP_TIME_NONE);
    t.rec_from = h->now - hc->reconnects_window_ms - (since != MCP_TIME_NONE);
    /* Older events cannot count: skip them before the engine. */
    widest = hc->restarts_window_ms > hc->reconnects_window_ms
                 ? hc->restarts_window_ms : hc->reconnects_window_ms;
    so.since = h->now - widest;
    mcp_logset_init(&ls);
    memset(&scan, 0, sizeof(scan));
    if (mcp_logset_add_dir(&ls, h->logdir, err) != 0) {
        mcp_logset_free(&ls);
        mcp_health_counts(h, hc, 0, 0, MCP_TIME_NONE, err);
        return;
    }
    mcp_logset_finish(&ls);
    if (mcp_scan_run(&ls, rs, &so, &scan, err) != 0 || scan.cancelled) {
        mcp_health_counts(h, hc, 0, 0, MCP_TIME_NONE,
                          err[0] ? err : "cancelled");
    } else {
        for (size_t i = 0; i < ls.n; i++)
            if (ls.inputs[i].last_ts != MCP_TIME_NONE &&
                (newest == MCP_TIME_NONE || ls.inputs[i].last_ts > newest))
                newest = ls.inputs[i].last_ts;
        mcp_health_counts(h, hc, t.rst >= 0 ? t.rst_n : -1,
                          t.rec >= 0 ? t.rec_n : -1, newest, NULL);
    }
    mcp_scan_free(&scan);
    mcp_logset_free(&ls);
}

void mcp_health_gather(struct mcp_health *h, const struct mcp_procconf *pc,
                       const struct mcp_ruleset *rs, unsigned max_inflate,
                       int64_t since, const char *missing,
                       const atomic_bool *cancel)
{
    struct mcp_proc *procs = NULL;
    size_t nprocs = 0;
    char err[MCP_ERRLEN] = "";

    if (mcp_procs_find(pc, false, &procs, &nprocs, err) != 0) {
        mcp_health_procs(h, &pc->health, NULL, 0, err);
    } else {
        mcp_health_procs(h, &pc->health, procs, nprocs, NULL);
        mcp_procs_free(procs, nprocs);
    }
    health_logs(h, &pc->health, rs, max_inflate, missing, since, cancel);
    mcp_health_finish(h);
}
