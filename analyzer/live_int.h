/* live_int.h - what live.c (the session: loop, checkpoints, reload),
 * live_feed.c (chunks to the matcher, events to the engine, alerts to
 * notify) and live_replay.c (--replay) share. Not for other modules. */
#ifndef MCP_LIVE_INT_H
#define MCP_LIVE_INT_H

#include "base/evloop.h"
#include "base/util.h"
#include "conf/config.h"
#include "engine/engine.h"
#include "follow_clock.h"
#include "input/follow.h"
#include "input/clients.h"
#include "input/logset.h"
#include "live.h"
#include "match/event.h"
#include "match/matcher.h"
#include "output/metrics.h"
#include "output/notify.h"
#include "output/termview.h"
#include "proc/action.h"
#include "proc/probes.h"

struct mcp_live {
    struct mcp_live_opts o;
    struct mcp_ruleset rs;
    struct mcp_config conf;
    struct mcp_logset ls;
    struct mcp_ties ties;            /* logs folders tied to client names */
    bool have_ls;
    int lock;                        /* the checkpoint's claim, or -1 */
    struct mcp_engine *engine;
    struct mcp_matcher *matcher;
    struct mcp_termview *view;
    struct mcp_notify *notify;
    struct mcp_follow *follow;
    struct mcp_fclock *clock;        /* the log clock between lines */
    struct mcp_evloop *loop;
    struct mcp_evtimer *safety, *due, *probe;
    struct mcp_evtimer *more;        /* reading goes on at once */
    struct mcp_probes *probes;       /* NULL: probes off */
    struct mcp_action *action;       /* the cleanup action */
    struct mcp_buf probe_lines;
    uint64_t probe_offset, probe_lineno; /* of the virtual "probe" input */
    struct mcp_batch batch;          /* the matcher's events of a chunk */
    struct mcp_batch timed;          /* ... with the time each carries */
    struct mcp_termview_hit *hits;   /* a line's events, for the view */
    size_t caphits;
    struct mcp_event **kept;         /* a line's events of --server */
    size_t capkept;
    char **other;                    /* input nfam + i: path other[i] */
    size_t nother;
    bool dirty;                      /* fed since the last checkpoint */
    int64_t last_sync;
    int64_t last_prune;              /* monotonic ms */
    char *silences;                  /* the silences file */
    struct mcp_metrics *metrics;     /* NULL: no metrics wanted */
    struct mcp_metrics_http *http;   /* GET /metrics, or NULL */
    struct mcp_evtimer *mfile;       /* the textfile's timer, or NULL */
    const char *mfile_path;
    bool mfile_failing;              /* its last write failed (told) */
};

/* live_feed.c. A notice for the view (mcp_notice_fn, arg the session). */
void live_notice(const char *msg, void *arg);

/* follow's chunk callback: match, time and feed one chunk of family fi
 * read from path (with --all, show the lines no rule matched). */
void live_chunk(const struct mcp_chunk *c, const struct mcp_ffamily *fam,
                uint32_t fi, const char *path, void *arg);

/* The probes' lines, the chunk of the virtual input "probe" (role name
 * "probe": no file), timed at the log clock now (the wall clock before
 * any line was seen), through the same matcher and engine. */
void live_probes(struct mcp_live *l, const struct mcp_buf *lines);

/* The engine's alert callback: to notify (which routes it to the view and
 * the sinks), with the file of its last line; a firing alert of a rule
 * with `action: cleanup` starts the cleanup action. */
void live_alert(const struct mcp_alert *a, enum mcp_alert_status t,
                void *arg);

/* notify's terminal target: the view. */
void live_terminal(const struct mcp_alert *a, enum mcp_alert_status t,
                   bool silenced, void *arg);

/* live_replay.c: read the rotated archives of every family (not the
 * live files) through live_chunk, merged in time order (--replay). */
void live_replay(struct mcp_live *l);

/* live_metrics.c. Whether metrics are wanted (an option or the config). */
bool live_metrics_wanted(const struct mcp_live *l);

/* The registry when wanted (after the follower, before any reading). */
void live_metrics_create(struct mcp_live *l);

/* Serve and write them (after the loop exists): the listener (its
 * address told as a notice) and the textfile, written at once and every
 * metrics.interval. Returns 0, or -1 with err (a bad listen address: a
 * usage error). */
int live_metrics_start(struct mcp_live *l, char *err);

/* Close the listener, write the textfile a last time, free the registry. */
void live_metrics_stop(struct mcp_live *l);

/* Free the names of the inputs met so far. */
void live_free_inputs(struct mcp_live *l);

#endif
