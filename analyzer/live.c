/* live.c - the session of `mcplog follow` (live.h): setting it up, the
 * event loop's callbacks, reading in rounds, checkpoints, pruning and
 * the reload. The data path (chunks, events, alerts) is live_feed.c. */
#include "live.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/statedir.h"
#include "base/textout.h"
#include "live_int.h"
#include "output/silence.h"
#include "state.h"

/* The longest a wake-up reads before the loop turns (see rounds()). */
#define WAKE_MS 100
/* What is queued for the sinks at exit gets this long to go out. */
#define DRAIN_MS 5000

static void on_delivery(int fd, uint32_t events, void *arg)
{
    struct mcp_live *l = arg;

    (void)fd;
    (void)events;
    mcp_notify_poll(l->notify, live_notice, l);
}

/* --- checkpoints and housekeeping --------------------------------------- */

static void checkpoint(struct mcp_live *l, bool force_sync)
{
    size_t n, nf;
    struct mcp_fpos *pos;
    struct mcp_ffamily *fams;
    char err[MCP_ERRLEN] = "";
    int64_t now = mcp_mono_ms();
    bool sync = force_sync || now - l->last_sync >= 1000;
    struct mcp_buf eng;

    /* Output first: a line is shown before the checkpoint that passes
     * it, so a crash in between shows it again (at most one batch) and
     * never loses it. */
    mcp_termview_flush(l->view);
    if (l->o.state_path == NULL || (!l->dirty && !force_sync))
        return;
    pos = mcp_follow_positions(l->follow, &n);
    fams = mcp_follow_families(l->follow, &nf);
    mcp_buf_init(&eng);
    mcp_engine_save(l->engine, &eng);
    if (mcp_state_save(l->o.state_path, pos, n, fams, eng.data, eng.len,
                       sync, err) != 0)
        mcp_termview_notice(l->view, err);
    else if (sync)
        l->last_sync = now;
    mcp_buf_free(&eng);
    mcp_follow_free_positions(pos, n);
    l->dirty = false;
}

/* Arm the due timer for the engine's next deadline. */
static void arm_due(struct mcp_live *l)
{
    int64_t due = mcp_engine_next_due(l->engine);
    int64_t now = mcp_fclock_now(l->clock);

    if (due == MCP_TIME_NONE || now == MCP_TIME_NONE) {
        mcp_evtimer_disarm(l->due);
        return;
    }
    mcp_evtimer_arm(l->due, due > now ? due - now + 1 : 1, 0);
}

/* Move the engine to the log clock now (the newest log time seen plus
 * the wall time since: startup-not-ready fires 30 s after a startup even
 * when nothing more is written), checkpoint, and sleep until its next
 * deadline. */
static void advance(struct mcp_live *l)
{
    int64_t now = mcp_fclock_now(l->clock);

    if (now != MCP_TIME_NONE)
        mcp_engine_advance(l->engine, now);
    checkpoint(l, false);
    arm_due(l);
}

/* Once a second: the silences file is re-read when it changed; ended
 * alerts and idle groups are forgotten and unused buffer pages go back
 * to the kernel, so memory stays flat however long follow runs (also
 * while it catches up, and with rotated files held open for their grace
 * period). */
static void maybe_prune(struct mcp_live *l)
{
    int64_t now = mcp_mono_ms();
    char err[MCP_ERRLEN] = "";
    int rc;

    if (now - l->last_prune < 1000)
        return;
    rc = mcp_notify_silences(l->notify, l->silences, err);
    if (rc < 0) {
        mcp_termview_notice(l->view, err);
    } else if (rc > 0) {
        char msg[128];

        snprintf(msg, sizeof(msg), "silences changed: %zu in force",
                 mcp_notify_active_silences(l->notify));
        mcp_termview_notice(l->view, msg);
        if (err[0] != '\0') /* the file was too large */
            mcp_termview_notice(l->view, err);
    }
    mcp_engine_prune(l->engine);
    mcp_follow_trim(l->follow);

#ifdef __GLIBC__
    malloc_trim(0); /* freed heap pages back to the kernel too */
#endif
    l->last_prune = now;
}

/* Read what is there, in rounds, for about ms (reading stops at the end
 * of the first MCP_FOLLOW_SLICE past it; WAKE_MS for a wake-up): a writer
 * faster than us must not keep the loop from signals, timers and
 * deliveries. What is left is read when the loop turns again, at once
 * (l->more). */
static void rounds(struct mcp_live *l, int64_t ms)
{
    int64_t end = mcp_mono_ms() + ms;
    bool more;

    while ((more = mcp_follow_round(l->follow, mcp_mono_ms(), end) >=
                   MCP_FOLLOW_BATCH)) {
        checkpoint(l, false);
        maybe_prune(l);
        if (mcp_mono_ms() >= end)
            break;
    }
    advance(l);
    if (more && l->more != NULL)
        mcp_evtimer_arm_now(l->more);
}

/* --- the loop's callbacks ------------------------------------------------ */

static void on_more(struct mcp_evtimer *t, void *arg)
{
    (void)t;
    rounds(arg, WAKE_MS);
}

static void on_inotify(int fd, uint32_t events, void *arg)
{
    struct mcp_live *l = arg;

    (void)fd;
    (void)events;
    mcp_follow_drain_inotify(l->follow);
    rounds(l, WAKE_MS);
}

static void on_timer(struct mcp_evtimer *t, void *arg)
{
    struct mcp_live *l = arg;

    (void)t;
    rounds(l, WAKE_MS);
    maybe_prune(l);
    if (l->action != NULL)
        mcp_action_poll(l->action, live_notice, l);
    mcp_termview_tick(l->view, mcp_mono_ms());
}

/* The probes are due: their lines go through the matcher and the
 * engine (live_probes), their notices to the view. */
static void on_probe(struct mcp_evtimer *t, void *arg)
{
    struct mcp_live *l = arg;
    char msg[MCP_ERRLEN];
    int64_t now = mcp_mono_ms(), next;

    mcp_buf_reset(&l->probe_lines);
    next = mcp_probes_run(l->probes, now, &l->probe_lines, msg);
    if (msg[0] != '\0')
        mcp_termview_notice(l->view, msg);
    if (l->probe_lines.len > 0) {
        live_probes(l, &l->probe_lines);
        checkpoint(l, false);
        arm_due(l);
    }
    mcp_evtimer_arm(t, next > now ? next - now : 1, 0);
}

static void on_due(struct mcp_evtimer *t, void *arg)
{
    struct mcp_live *l = arg;

    (void)t;
    l->dirty = true; /* an alert may fire or resolve */
    advance(l);
}

/* After a restore the view learns which alerts are firing (restored
 * alerts are not announced again), and notify that their sinks were
 * told. */
static void sync_alerts(struct mcp_live *l)
{
    size_t n;
    struct mcp_alert *const *a = mcp_engine_alerts(l->engine, &n);

    mcp_termview_sync_alerts(l->view, a, n);
    mcp_notify_restored(l->notify, a, n);
}

static void reload(struct mcp_live *l)
{
    struct mcp_ruleset rs;
    struct mcp_buf saved;
    char err[MCP_ERRLEN] = "";

    mcp_ruleset_init(&rs);
    if (mcp_rules_load_sources(&rs, &l->o.rules, err) != 0) {
        char msg[MCP_ERRLEN + 64];

        mcp_ruleset_free(&rs);
        /* Through the view, as every notice: on a TTY it erases the
         * status line first instead of being written onto its row. */
        snprintf(msg, sizeof(msg), "reload failed, the rules in force "
                 "stay: %s", err);
        mcp_termview_notice(l->view, msg);
        return;
    }
    /* The old engine and matcher point at l->rs: save the alert state and
     * free them before l->rs changes, then build the new ones on it. The
     * state of rules that did not change carries over. */
    mcp_buf_init(&saved);
    mcp_engine_save(l->engine, &saved);
    mcp_engine_destroy(l->engine);
    mcp_matcher_destroy(l->matcher);
    mcp_ruleset_free(&l->rs);
    l->rs = rs;
    l->engine = mcp_engine_create(&l->rs, live_alert, l);
    mcp_engine_set_repeat(l->engine, l->conf.repeat_interval_ms, 1);
    l->matcher = mcp_matcher_create(&l->rs);
    mcp_engine_load(l->engine, saved.data ? saved.data : "", saved.len,
                    MCP_TIME_NONE, MCP_TIME_NONE);
    mcp_buf_free(&saved);
    mcp_termview_set_rules(l->view, &l->rs);
    if (l->metrics != NULL)
        mcp_metrics_set_rules(l->metrics, &l->rs);
    sync_alerts(l);
    mcp_termview_notice(l->view, "rules reloaded");
}

static void on_signal(int signo, void *arg)
{
    struct mcp_live *l = arg;

    if (signo == SIGHUP) {
        reload(l);
        return;
    }
    rounds(l, 0); /* what is pending, cut after its first full slice */
    checkpoint(l, true);
    mcp_evloop_stop(l->loop);
}

/* --- the session ---------------------------------------------------------- */

/* "resuming from checkpoint (saved 2m ago)": its age in wall time, cut
 * to what a reader needs (seconds under a minute, minutes under a day,
 * hours from there; "0s" when saved in the future). */
static void resume_notice(struct mcp_live *l, int64_t saved)
{
    static const int64_t cut[][2] = {
        {60 * 1000LL, 1000},
        {24 * 3600 * 1000LL, 60 * 1000},
        {INT64_MAX, 3600 * 1000},
    };
    int64_t age = mcp_wall_ms() - saved;
    char d[32], msg[96];
    size_t i = 0;

    if (age < 0)
        age = 0;
    while (age >= cut[i][0])
        i++;
    mcp_duration_format(age - age % cut[i][1], d, sizeof(d));
    snprintf(msg, sizeof(msg), "resuming from checkpoint (saved %s ago)", d);
    mcp_termview_notice(l->view, msg);
}

/* Resume from the checkpoint when there is one for these files, then
 * open the files: where it says, or as the options say. */
static void open_files(struct mcp_live *l)
{
    struct mcp_state st;
    char err[MCP_ERRLEN] = "";

    memset(&st, 0, sizeof(st));
    if (l->o.state_path != NULL &&
        mcp_state_load(l->o.state_path, &st, err) < 0) {
        mcp_termview_notice(l->view, err);
        mcp_termview_notice(l->view, "starting without the checkpoint");
    }
    if (st.npos > 0 || st.engine.len > 0) {
        size_t nf;
        struct mcp_ffamily *fams = mcp_follow_families(l->follow, &nf);

        for (size_t i = 0; i < st.npos; i++) {
            st.pos[i].family = UINT32_MAX;
            for (size_t k = 0; k < nf; k++)
                if (strcmp(st.fam_path[i], fams[k].path) == 0)
                    st.pos[i].family = (uint32_t)k;
        }
        st.saved = mcp_fclock_restore(l->clock, l->engine,
                                      st.engine.data ? st.engine.data : "",
                                      st.engine.len, st.saved);
        resume_notice(l, st.saved);
        sync_alerts(l);
    }
    /* inotify first, so that the files opened below get their watches. */
    if (!l->o.poll) {
        int ifd = mcp_follow_inotify(l->follow, err);

        if (ifd < 0 || mcp_evloop_add_fd(l->loop, ifd, EPOLLIN, on_inotify,
                                         l, err) != 0) {
            mcp_termview_notice(l->view, err);
            mcp_termview_notice(l->view, "inotify unavailable: polling");
            l->o.poll = true;
        }
    }
    if (l->o.replay && st.npos == 0)
        live_replay(l);
    mcp_follow_open(l->follow, st.pos, st.npos, st.saved, mcp_mono_ms());
    mcp_state_free(&st);
}

/* The probes measure the first folder followed (./logs by default), else
 * server.logs; they run first after the catch-up of mcp_live_run. */
static int start_probes(struct mcp_live *l, char *err)
{
    const char *dir = l->o.npaths == 0 && l->o.nsources == 0 ? "logs" : NULL;
    struct stat sb;

    for (int i = 0; i < l->o.npaths && dir == NULL; i++)
        if (stat(l->o.paths[i], &sb) == 0 && S_ISDIR(sb.st_mode))
            dir = l->o.paths[i];
    l->probes = mcp_probes_create(&l->conf, dir);
    l->action = mcp_action_create(&l->conf, NULL);
    if (l->probes == NULL)
        return 0;
    l->probe = mcp_evloop_add_timer(l->loop, on_probe, l, err);
    if (l->probe == NULL)
        return -1;
    mcp_evtimer_arm(l->probe, 1, 0);
    return 0;
}

/* The loop, its signals and timers, and the sinks behind their delivery
 * threads. */
static int start_loop(struct mcp_live *l, char *err)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};

    l->loop = mcp_evloop_create(err);
    if (l->loop == NULL ||
        mcp_evloop_signals(l->loop, sigs, 3, on_signal, l, err) != 0)
        return -1;
    l->notify = mcp_notify_create(&l->conf, &l->rs, err);
    if (l->notify == NULL ||
        mcp_evloop_add_fd(l->loop, mcp_notify_fd(l->notify), EPOLLIN,
                          on_delivery, l, err) != 0)
        return -1;
    mcp_notify_set_terminal(l->notify, live_terminal, l);
    /* Silences live beside the checkpoint (beside the default one with
     * --no-state); read now, re-read once a second when changed. */
    l->silences = mcp_silence_path(l->o.state_path ? l->o.state_path
                                                   : mcp_state_default_path());
    (void)mcp_notify_silences(l->notify, l->silences, err);
    if (err[0] != '\0') { /* unreadable, or too large to read in full */
        mcp_termview_notice(l->view, err);
        err[0] = '\0';
    }
    open_files(l);
    /* A slow safety re-stat (events can be lost), or the polling timer. */
    l->safety = mcp_evloop_add_timer(l->loop, on_timer, l, err);
    l->due = mcp_evloop_add_timer(l->loop, on_due, l, err);
    l->more = mcp_evloop_add_timer(l->loop, on_more, l, err);
    if (l->safety == NULL || l->due == NULL || l->more == NULL)
        return -1;
    mcp_evtimer_arm(l->safety, l->o.poll ? l->o.poll_ms : 1000,
                    l->o.poll ? l->o.poll_ms : 1000);
    if (start_probes(l, err) != 0)
        return -1;
    return live_metrics_start(l, err);
}

/* The rules (with the probes'), the config, the claim on the checkpoint
 * (ours alone, in a folder ours alone; with --no-state the silences'
 * folder is still checked) and the log set. */
static int load(struct mcp_live *l, char *err)
{
    l->o.rules.probes = true;
    mcp_ruleset_init(&l->rs);
    if (mcp_config_load(&l->conf, l->o.config, err) != 0)
        return -1;
    /* --client, else the config's clients: */
    if (!l->o.clients_set && l->conf.clients_set)
        l->o.clients = l->conf.clients;
    l->o.rules.clients = l->o.clients != 0 ||
                         mcp_sources_formatted(l->o.sources, l->o.nsources);
    if (mcp_rules_load_sources(&l->rs, &l->o.rules, err) != 0)
        return -1;
    if (l->o.state_path != NULL) {
        l->lock = mcp_state_claim(l->o.state_path, err);
        if (l->lock < 0)
            return -1;
    } else if (mcp_state_check_dir(mcp_state_default_path(), false,
                                   err) != 0) {
        return -1;
    }
    if (mcp_logset_from_args(&l->ls, l->o.paths, l->o.npaths, l->o.sources,
                             l->o.nsources, l->o.clients, &l->ties, true,
                             err) != 0)
        return -1;
    l->have_ls = true;
    return 0;
}

struct mcp_live *mcp_live_create(const struct mcp_live_opts *o, char *err)
{
    struct mcp_live *l = mcp_calloc(1, sizeof(*l));
    size_t nf;

    l->o = *o;
    l->lock = -1;
    mcp_buf_init(&l->probe_lines);
    if (load(l, err) != 0) {
        mcp_live_destroy(l);
        return NULL;
    }
    /* A bigger buffer for output to a pipe or file (one write per 64 KiB,
     * flushed after every batch anyway). */
    if (!isatty(STDOUT_FILENO))
        setvbuf(stdout, NULL, _IOFBF, 64 * 1024);
    l->view = mcp_termview_create(stdout, STDOUT_FILENO, &l->rs, &l->o.view);
    l->engine = mcp_engine_create(&l->rs, live_alert, l);
    mcp_engine_set_repeat(l->engine, l->conf.repeat_interval_ms, 1);
    l->matcher = mcp_matcher_create(&l->rs);
    l->follow = mcp_follow_create(&l->ls, &l->o.follow, live_chunk, live_notice, l);
    mcp_follow_families(l->follow, &nf);
    l->clock = mcp_fclock_create(nf, live_notice, l);
    live_metrics_create(l);
    if (start_loop(l, err) != 0) {
        mcp_live_destroy(l);
        return NULL;
    }
    return l;
}

int mcp_live_run(struct mcp_live *l)
{
    rounds(l, WAKE_MS);
    return mcp_evloop_run(l->loop);
}

/* Before the sinks' queues get their DRAIN_MS, when something is queued:
 * say what is waited for, and let a second SIGINT or SIGTERM end mcplog
 * at once: their default action again (the checkpoint is written; one
 * already pending acts now). The notice
 * erased the status line and it is not drawn again, so a kill leaves
 * none behind. */
static void drain_notice(struct mcp_live *l)
{
    struct mcp_buf what, msg;
    sigset_t set;
    size_t n;

    mcp_buf_init(&what);
    n = mcp_notify_pending(l->notify, &what);
    if (n == 0) {
        /* No wait: a second signal (`timeout` sends its SIGTERM to the
         * child and to its process group) changes nothing. */
        mcp_buf_free(&what);
        return;
    }
    mcp_buf_init(&msg);
    mcp_buf_printf(&msg, "waiting up to %ds for %zu queued alert%s (%s); "
                   "Ctrl-C again to quit now", DRAIN_MS / 1000, n,
                   n == 1 ? "" : "s", what.data);
    mcp_termview_notice(l->view, msg.data);
    mcp_buf_free(&msg);
    mcp_buf_free(&what);
    fflush(stdout);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
}

void mcp_live_destroy(struct mcp_live *l)
{
    if (l == NULL)
        return;
    /* A cleanup under way gets its grace period and a few seconds more
     * to finish and report. */
    if (l->action != NULL)
        mcp_action_destroy(l->action, l->conf.proc.cleanup.grace_ms + 5000,
                           live_notice, l);
    /* Before the sinks' grace: the listener closes at once, the textfile
     * gets the last figures. */
    live_metrics_stop(l);
    mcp_probes_destroy(l->probes);
    mcp_buf_free(&l->probe_lines);
    /* What is queued for the sinks gets a few seconds to go out. */
    if (l->notify != NULL) {
        drain_notice(l);
        mcp_notify_destroy(l->notify, DRAIN_MS, live_notice, l);
    }
    mcp_termview_destroy(l->view);
    mcp_batch_free(&l->batch);
    mcp_batch_free(&l->timed);
    free(l->hits);
    free(l->kept);
    mcp_fclock_destroy(l->clock);
    mcp_follow_destroy(l->follow);
    mcp_matcher_destroy(l->matcher);
    mcp_engine_destroy(l->engine);
    mcp_evloop_destroy(l->loop);
    if (l->have_ls)
        mcp_logset_free(&l->ls);
    mcp_ties_free(&l->ties);
    mcp_ruleset_free(&l->rs);
    mcp_config_free(&l->conf);
    free(l->silences);
    live_free_inputs(l);
    if (l->lock >= 0)
        close(l->lock); /* the checkpoint is free for another follow */
    free(l);
}
