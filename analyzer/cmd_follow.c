/* cmd_follow.c - `mcplog follow`: follow the logs live, through rotation,
 * resumable, on the same engine as scan. */
#include <errno.h>
#include <getopt.h>
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

#include "action.h"
#include "cli.h"
#include "config.h"
#include "engine.h"
#include "evloop.h"
#include "follow.h"
#include "follow_clock.h"
#include "logset.h"
#include "matcher.h"
#include "notify.h"
#include "probes.h"
#include "rules.h"
#include "silence.h"
#include "state.h"
#include "termview.h"
#include "timeparse.h"
#include "util.h"

static const char follow_usage[] =
    "usage: mcplog follow [options] [DIR|FILE...]\n"
    "\n"
    "Follow MCP server logs live (default ./logs) through every kind of\n"
    "rotation, apply the rules, and show events and alerts.\n"
    "\n"
    "  --from-start           read the live files from their start\n"
    "  --since TIME           ... from their start, showing lines at or\n"
    "                         after TIME\n"
    "  --replay               first read the rotated archives, oldest first\n"
    "  --state FILE           checkpoint (default $XDG_STATE_HOME/mcplog/"
    "state)\n"
    "  --no-state             no checkpoint\n"
    "  --poll                 poll with stat instead of inotify\n"
    "  --poll-interval DUR    polling interval (default 1s)\n"
    "  --grace DUR            keep rotated files open this long after\n"
    "                         their last growth (default 5s)\n"
    "  --all                  show every line, not only matches\n"
    "  --quiet                show alerts only\n"
    "  --json                 one JSON object per event, line or alert\n"
    "  --color WHEN           auto, always or never (default auto)\n"
    "  --no-status            no status line on a terminal\n"
    "  --rules PATH           also load rules from a file or folder\n"
    "  --no-default-rules     skip the shipped and user rules\n"
    "  --config FILE          sinks and routes (default: the user's\n"
    "                         mcplog.yaml, else the shipped one)\n"
    "  --source NAME=PATH     also follow a file with the role NAME\n"
    "  --tz ZONE              zone of the logs' naive times\n"
    "  --max-line BYTES       longest line kept whole (default 1048576)\n"
    "  --max-inflate RATIO    gzip: a member inflating over RATIO:1\n"
    "                         past 64 MiB is damage (default 200, 0: none)\n"
    "  -h, --help             this help\n"
    "\n"
    "SIGINT and SIGTERM save the checkpoint and exit; SIGHUP reloads the\n"
    "rules.\n";

enum {
    OPT_FROM_START = 256, OPT_SINCE, OPT_REPLAY, OPT_STATE, OPT_NO_STATE,
    OPT_POLL, OPT_POLL_INTERVAL, OPT_GRACE, OPT_ALL, OPT_QUIET, OPT_JSON,
    OPT_COLOR, OPT_NO_STATUS, OPT_RULES, OPT_NO_DEFAULT, OPT_SOURCE, OPT_TZ,
    OPT_MAX_LINE, OPT_MAX_INFLATE, OPT_CONFIG,
};

static const struct option follow_opts[] = {
    {"from-start", no_argument, NULL, OPT_FROM_START},
    {"since", required_argument, NULL, OPT_SINCE},
    {"replay", no_argument, NULL, OPT_REPLAY},
    {"state", required_argument, NULL, OPT_STATE},
    {"no-state", no_argument, NULL, OPT_NO_STATE},
    {"poll", no_argument, NULL, OPT_POLL},
    {"poll-interval", required_argument, NULL, OPT_POLL_INTERVAL},
    {"grace", required_argument, NULL, OPT_GRACE},
    {"all", no_argument, NULL, OPT_ALL},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"json", no_argument, NULL, OPT_JSON},
    {"color", required_argument, NULL, OPT_COLOR},
    {"no-status", no_argument, NULL, OPT_NO_STATUS},
    {"rules", required_argument, NULL, OPT_RULES},
    {"no-default-rules", no_argument, NULL, OPT_NO_DEFAULT},
    {"source", required_argument, NULL, OPT_SOURCE},
    {"tz", required_argument, NULL, OPT_TZ},
    {"max-line", required_argument, NULL, OPT_MAX_LINE},
    {"max-inflate", required_argument, NULL, OPT_MAX_INFLATE},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* The input index of the probes' lines (probes.h): no file has it. */
#define PROBE_INPUT UINT32_MAX

/* The longest a wake-up reads before the loop turns (see rounds()). */
#define WAKE_MS 100

struct fctx {
    struct mcp_ruleset rs;
    struct mcp_rule_sources src;
    struct mcp_engine *engine;
    struct mcp_matcher *matcher;
    struct mcp_termview *view;
    struct mcp_config conf;
    struct mcp_notify *notify;
    struct mcp_follow *follow;
    struct mcp_evloop *loop;
    struct mcp_evtimer *safety, *poller, *due, *probe;
    struct mcp_evtimer *more;        /* reading goes on at once */
    struct mcp_probes *probes;       /* NULL: probes off */
    struct mcp_action *action;       /* the cleanup action */
    struct mcp_buf probe_lines;
    uint64_t probe_offset, probe_lineno; /* of the virtual "probe" input */
    struct mcp_batch batch;          /* the matcher's events of a chunk */
    struct mcp_batch timed;          /* ... with the time each carries */
    struct mcp_fclock *clock;        /* the log clock between lines */
    const char *state_path;
    bool all;
    int64_t since;
    bool dirty;
    int64_t last_sync;
    int64_t last_prune;              /* monotonic ms */
    char *silences;                  /* the silences file */
    const char *cur_path;            /* file of the event being fed */
    int exit_code;
};

static int usage_error(const char *msg)
{
    mcp_cli_error(msg);
    fputs("Try 'mcplog follow --help'.\n", stderr);
    return MCP_EXIT_USAGE;
}

/* Log time now: the newest log time seen plus the wall time since. Lets
 * expectations fire (startup-not-ready 30 s after a startup) even when
 * nothing more is written; windows still count lines by their log time. */
static int64_t log_now(const struct fctx *x)
{
    return mcp_fclock_now(x->clock);
}

static void on_action_notice(const char *msg, void *arg)
{
    struct fctx *x = arg;

    mcp_termview_notice(x->view, msg);
}

static void on_alert(const struct mcp_alert *a, enum mcp_transition t,
                     void *arg)
{
    struct fctx *x = arg;

    const char *source = x->cur_path;

    if (source == NULL && a->last_line != NULL) {
        size_t nf;
        struct mcp_ffamily *fams = mcp_follow_families(x->follow, &nf);

        if (a->last_input < nf)
            source = fams[a->last_input].path;
    }
    if (x->notify == NULL || mcp_notify_alert(x->notify, a, t, source, false))
        mcp_termview_alert(x->view, a, t);
    /* After the alert's own line, so the action's notices follow it. */
    if (t == MCP_ALERT_FIRING && x->action != NULL &&
        x->rs.rules[a->rule].action == MCP_RULE_ACTION_CLEANUP)
        mcp_action_cleanup(x->action, x->rs.rules[a->rule].name,
                           mcp_mono_ms(), on_action_notice, x);
}

static void on_sink_msg(const char *text, void *arg)
{
    struct fctx *x = arg;

    mcp_termview_notice(x->view, text);
}

static void on_delivery(int fd, uint32_t events, void *arg)
{
    struct fctx *x = arg;

    (void)fd;
    (void)events;
    mcp_notify_poll(x->notify, on_sink_msg, x);
}

static void on_notice(const char *msg, void *arg)
{
    struct fctx *x = arg;

    mcp_termview_notice(x->view, msg);
}

static void feed_event(struct fctx *x, const struct mcp_event *ev,
                       const char *path)
{
    if (x->since != MCP_TIME_NONE && ev->ts != MCP_TIME_NONE &&
        ev->ts < x->since)
        return;
    mcp_fclock_seen(x->clock, ev->ts);
    /* Probe lines are not shown (one per probe interval while a
     * condition lasts): their alerts are. */
    if (ev->kind == MCP_EV_MATCH && ev->input != PROBE_INPUT)
        mcp_termview_event(x->view, ev, path);
    x->cur_path = path; /* the source of what the engine tells now */
    mcp_engine_feed(x->engine, ev);
    x->cur_path = NULL;
}

/* With --all, lines that matched nothing are shown too, in order, each
 * with the time it carries. */
static void show_all(struct fctx *x, const struct mcp_chunk *c, size_t fi,
                     const char *path)
{
    const char *p = c->data, *end = c->data + c->len;
    uint64_t lineno = c->first_line;
    int64_t ts = c->carry_ts;
    size_t e = 0;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *next = nl ? nl + 1 : end;
        int64_t own;
        bool matched = false;

        if (mcp_time_parse_prefix(p, (size_t)(end - p), &own))
            ts = mcp_fclock_line_time(x->clock, fi,
                                      c->offset + (uint64_t)(p - c->data),
                                      own);
        while (e < x->timed.n && x->timed.ev[e]->lineno == lineno) {
            if (x->timed.ev[e]->kind == MCP_EV_MATCH)
                matched = true;
            feed_event(x, x->timed.ev[e++], path);
        }
        if (!matched && (x->since == MCP_TIME_NONE ||
                         (ts != MCP_TIME_NONE && ts >= x->since)))
            mcp_termview_line(x->view, path, lineno, ts, p,
                              mcp_line_trim(p, next));
        lineno++;
        p = next;
    }
}

static void on_chunk(const struct mcp_chunk *c, const struct mcp_ffamily *fam,
                     uint32_t fi, const char *path, void *arg)
{
    struct fctx *x = arg;

    mcp_matcher_select(x->matcher, fam->role, fam->role_name, fam->base, fi);
    mcp_matcher_chunk(x->matcher, c, &x->batch);
    mcp_fclock_chunk(x->clock, fi, path, c, &x->batch, &x->timed);
    if (x->all)
        show_all(x, c, fi, path);
    else
        for (size_t i = 0; i < x->timed.n; i++)
            feed_event(x, x->timed.ev[i], path);
    mcp_batch_clear(&x->timed);
    x->dirty = true;
}

static void checkpoint(struct fctx *x, bool force_sync)
{
    size_t n, nf;
    struct mcp_fpos *pos;
    struct mcp_ffamily *fams;
    char err[MCP_ERRLEN] = "";
    int64_t now = mcp_mono_ms();
    bool sync = force_sync || now - x->last_sync >= 1000;
    struct mcp_buf eng;

    /* Output first: a line is shown before the checkpoint that passes
     * it, so a crash in between shows it again (at most one batch) and
     * never loses it. */
    mcp_termview_flush(x->view);
    if (x->state_path == NULL || (!x->dirty && !force_sync))
        return;
    pos = mcp_follow_positions(x->follow, &n);
    fams = mcp_follow_families(x->follow, &nf);
    mcp_buf_init(&eng);
    mcp_engine_save(x->engine, &eng);
    if (mcp_state_save(x->state_path, pos, n, fams, eng.data, eng.len, sync,
                       err) != 0)
        mcp_termview_notice(x->view, err);
    else if (sync)
        x->last_sync = now;
    mcp_buf_free(&eng);
    mcp_follow_free_positions(pos, n);
    x->dirty = false;
}

static void arm_due(struct fctx *x)
{
    int64_t due = mcp_engine_next_due(x->engine), now = log_now(x);

    if (due == MCP_TIME_NONE || now == MCP_TIME_NONE) {
        mcp_evtimer_disarm(x->due);
        return;
    }
    mcp_evtimer_arm(x->due, due > now ? due - now + 1 : 1, 0);
}

/* Once a second: ended alerts and idle groups are forgotten and unused
 * buffer pages go back to the kernel, so memory stays flat however long
 * follow runs (also while it catches up, and with rotated files held
 * open for their grace period). */
static void maybe_prune(struct fctx *x)
{
    int64_t now = mcp_mono_ms();

    if (now - x->last_prune >= 1000) {
        char err[MCP_ERRLEN] = "";

        if (x->notify != NULL && x->silences != NULL) {
            int rc = mcp_notify_silences(x->notify, x->silences, err);

            if (rc < 0) {
                mcp_termview_notice(x->view, err);
            } else if (rc > 0) {
                char msg[128];

                snprintf(msg, sizeof(msg), "silences changed: %zu in force",
                         mcp_notify_active_silences(x->notify));
                mcp_termview_notice(x->view, msg);
                if (err[0] != '\0') /* the file was too large */
                    mcp_termview_notice(x->view, err);
            }
        }
        mcp_engine_prune(x->engine);
        mcp_follow_trim(x->follow);
#ifdef __GLIBC__
        malloc_trim(0); /* freed heap pages back to the kernel too */
#endif
        x->last_prune = now;
    }
}

/* Read what is there, in rounds, for about ms (reading stops at the end
 * of the first MCP_FOLLOW_SLICE past it; WAKE_MS for a wake-up): a writer
 * faster than us must not keep the loop from signals, timers and
 * deliveries. What is left is read when the loop turns again, at once
 * (x->more). */
static void rounds(struct fctx *x, int64_t ms)
{
    int64_t end = mcp_mono_ms() + ms;
    bool more;

    while ((more = mcp_follow_round(x->follow, mcp_mono_ms(), end) >=
                   MCP_FOLLOW_BATCH)) {
        checkpoint(x, false);
        maybe_prune(x);
        if (mcp_mono_ms() >= end)
            break;
    }
    if (log_now(x) != MCP_TIME_NONE)
        mcp_engine_advance(x->engine, log_now(x));
    checkpoint(x, false);
    arm_due(x);
    if (more && x->more != NULL)
        mcp_evtimer_arm_now(x->more);
}

static void on_more(struct mcp_evtimer *t, void *arg)
{
    (void)t;
    rounds(arg, WAKE_MS);
}

static void on_inotify(int fd, uint32_t events, void *arg)
{
    struct fctx *x = arg;

    (void)fd;
    (void)events;
    mcp_follow_drain_inotify(x->follow);
    rounds(x, WAKE_MS);
}

static void on_timer(struct mcp_evtimer *t, void *arg)
{
    struct fctx *x = arg;

    (void)t;
    rounds(x, WAKE_MS);
    maybe_prune(x);
    if (x->action != NULL)
        mcp_action_poll(x->action, on_action_notice, x);
    mcp_termview_tick(x->view, mcp_mono_ms());
}

/* The probes' lines are the chunk of a virtual input "probe" (role name
 * "probe", input index PROBE_INPUT: no file), timed at the log clock now
 * (the wall clock before any line was seen), and go through the same
 * matcher and engine as the logs. */
static void on_probe(struct mcp_evtimer *t, void *arg)
{
    struct fctx *x = arg;
    char notice[MCP_ERRLEN];
    int64_t now = mcp_mono_ms(), next;

    mcp_buf_reset(&x->probe_lines);
    next = mcp_probes_run(x->probes, now, &x->probe_lines, notice);
    if (notice[0] != '\0')
        mcp_termview_notice(x->view, notice);
    if (x->probe_lines.len > 0) {
        struct mcp_chunk c = {.data = x->probe_lines.data,
                              .len = x->probe_lines.len,
                              .offset = x->probe_offset,
                              .first_line = x->probe_lineno + 1,
                              .first_ts = MCP_TIME_NONE,
                              .last_ts = MCP_TIME_NONE};

        for (size_t i = 0; i < c.len; i++)
            c.lines += c.data[i] == '\n';
        c.carry_ts = log_now(x) != MCP_TIME_NONE ? log_now(x) : mcp_wall_ms();
        mcp_matcher_select(x->matcher, MCP_ROLE_OTHER, "probe", "probe",
                           PROBE_INPUT);
        mcp_matcher_chunk(x->matcher, &c, &x->batch);
        for (size_t i = 0; i < x->batch.n; i++)
            feed_event(x, x->batch.ev[i], "probe");
        mcp_batch_clear(&x->batch);
        x->probe_offset += c.len;
        x->probe_lineno += c.lines;
        x->dirty = true;
        checkpoint(x, false);
        arm_due(x);
    }
    mcp_evtimer_arm(t, next > now ? next - now : 1, 0);
}

static void on_due(struct mcp_evtimer *t, void *arg)
{
    struct fctx *x = arg;

    (void)t;
    if (log_now(x) != MCP_TIME_NONE)
        mcp_engine_advance(x->engine, log_now(x));
    x->dirty = true; /* an alert may have fired or resolved */
    checkpoint(x, false);
    arm_due(x);
}

/* After a restore the view learns which alerts are firing (restored
 * alerts are not announced again). */
static void sync_view(struct fctx *x, struct mcp_engine *e)
{
    size_t n;
    struct mcp_alert *const *a = mcp_engine_alerts(e, &n);

    mcp_termview_sync_alerts(x->view, a, n);
    if (x->notify != NULL)
        mcp_notify_restored(x->notify, a, n);
}

static void reload(struct fctx *x)
{
    struct mcp_ruleset rs;
    struct mcp_buf saved;

    if (mcp_cli_load_rules(&rs, &x->src) != 0) {
        mcp_termview_notice(x->view, "reload failed: the rules in force "
                                     "stay (see the error above)");
        return;
    }
    /* The old engine and matcher point at x->rs: save the alert state and
     * free them before x->rs changes, then build the new ones on it. The
     * state of rules that did not change carries over. */
    mcp_buf_init(&saved);
    mcp_engine_save(x->engine, &saved);
    mcp_engine_destroy(x->engine);
    mcp_matcher_destroy(x->matcher);
    mcp_ruleset_free(&x->rs);
    x->rs = rs;
    x->engine = mcp_engine_create(&x->rs, on_alert, x);
    mcp_engine_set_repeat(x->engine, x->conf.repeat_interval_ms, 1);
    x->matcher = mcp_matcher_create(&x->rs);
    mcp_engine_load(x->engine, saved.data ? saved.data : "", saved.len,
                    MCP_TIME_NONE, MCP_TIME_NONE);
    mcp_buf_free(&saved);
    mcp_termview_set_rules(x->view, &x->rs);
    sync_view(x, x->engine);
    mcp_termview_notice(x->view, "rules reloaded");
}

static void on_signal(int signo, void *arg)
{
    struct fctx *x = arg;

    if (signo == SIGHUP) {
        reload(x);
        return;
    }
    rounds(x, 0); /* what is pending, cut after its first full slice */
    checkpoint(x, true);
    mcp_evloop_stop(x->loop);
}

/* Read the rotated archives of every family, oldest first, before going
 * live (--replay). */
static void replay(struct fctx *x, struct mcp_logset *ls)
{
    for (size_t fi = 0; fi < ls->nfam; fi++) {
        const struct mcp_family *lf = &ls->families[fi];
        size_t nf;
        struct mcp_ffamily *fams = mcp_follow_families(x->follow, &nf);

        for (size_t i = lf->first; i < lf->first + lf->count; i++) {
            const struct mcp_input *in = &ls->inputs[i];

            if (strcmp(in->path, fams[fi].path) == 0)
                continue;
            mcp_follow_read_file(x->follow, fi, in->path);
        }
    }
}

int mcp_cmd_follow(int argc, char **argv)
{
    struct fctx x = {.since = MCP_TIME_NONE};
    struct mcp_follow_opts fo = {.grace_ms = 5000, .start = MCP_START_END};
    struct mcp_termview_opts vo = {.status = true};
    const char *sources[64], *since = NULL, *config = NULL;
    size_t nsources = 0;
    bool poll_mode = false, no_state = false, do_replay = false;
    int64_t poll_ms = 1000;
    char err[MCP_ERRLEN] = "";
    struct mcp_logset ls;
    struct mcp_state st;
    int c, ifd = -1, lock = -1;
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};

    x.state_path = mcp_state_default_path();
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", follow_opts, NULL)) != -1) {
        switch (c) {
        case OPT_FROM_START:
            fo.start = MCP_START_BEGIN;
            break;
        case OPT_SINCE:
            since = optarg;
            fo.start = MCP_START_BEGIN;
            break;
        case OPT_REPLAY:
            do_replay = true;
            fo.start = MCP_START_BEGIN;
            break;
        case OPT_STATE:
            x.state_path = optarg;
            break;
        case OPT_NO_STATE:
            no_state = true;
            break;
        case OPT_POLL:
            poll_mode = true;
            break;
        case OPT_POLL_INTERVAL:
        case OPT_GRACE: {
            int64_t ms;

            if (mcp_duration_parse(optarg, &ms, err) != 0 || ms <= 0)
                return usage_error(err[0] ? err : "duration must be > 0");
            if (c == OPT_GRACE)
                fo.grace_ms = ms;
            else
                poll_ms = ms;
            break;
        }
        case OPT_ALL:
            vo.all = true;
            x.all = true;
            break;
        case OPT_QUIET:
            vo.quiet = true;
            break;
        case OPT_JSON:
            vo.json = true;
            break;
        case OPT_COLOR:
            if (strcmp(optarg, "auto") == 0)
                vo.color = MCP_COLOR_AUTO;
            else if (strcmp(optarg, "always") == 0)
                vo.color = MCP_COLOR_ALWAYS;
            else if (strcmp(optarg, "never") == 0)
                vo.color = MCP_COLOR_NEVER;
            else
                return usage_error("--color takes auto, always or never");
            break;
        case OPT_NO_STATUS:
            vo.status = false;
            break;
        case OPT_RULES:
            if (mcp_cli_add_rules_path(&x.src, optarg) != 0)
                return MCP_EXIT_USAGE;
            break;
        case OPT_NO_DEFAULT:
            x.src.no_default = true;
            break;
        case OPT_SOURCE:
            if (strchr(optarg, '=') == NULL || optarg[0] == '=')
                return usage_error("--source takes NAME=PATH");
            if (nsources == sizeof(sources) / sizeof(sources[0]))
                return usage_error("too many --source options");
            sources[nsources++] = optarg;
            break;
        case OPT_TZ:
            if (mcp_time_set_tz(optarg, err) != 0)
                return usage_error(err);
            break;
        case OPT_MAX_LINE: {
            char *end;
            unsigned long long v = strtoull(optarg, &end, 10);

            if (*end != '\0' || v < 64 || v > 256ull * 1024 * 1024)
                return usage_error("--max-line takes a byte count from 64 "
                                   "to 268435456");
            fo.max_line = (size_t)v;
            break;
        }
        case OPT_MAX_INFLATE:
            if (mcp_cli_max_inflate(optarg, &fo.max_inflate, err) != 0)
                return usage_error(err);
            break;
        case OPT_CONFIG:
            config = optarg;
            break;
        case 'h':
            fputs(follow_usage, stdout);
            return MCP_EXIT_OK;
        default:
            mcp_cli_bad_option(c, argv, "follow");
            return MCP_EXIT_USAGE;
        }
    }
    if (since != NULL && mcp_time_parse_arg(since, &x.since) != 0)
        return usage_error("bad time for --since");
    if (no_state)
        x.state_path = NULL;
    x.src.probes = true;
    if (mcp_cli_load_rules(&x.rs, &x.src) != 0)
        return MCP_EXIT_USAGE;
    if (mcp_config_load(&x.conf, config, err) != 0) {
        mcp_cli_error(err);
        mcp_ruleset_free(&x.rs);
        return MCP_EXIT_USAGE;
    }
    /* The checkpoint is ours alone, in a folder that is ours alone (with
     * --no-state, the silences' folder is still checked). */
    if (x.state_path != NULL)
        lock = mcp_state_claim(x.state_path, err);
    if (x.state_path != NULL ? lock < 0
                             : mcp_state_check_dir(mcp_state_default_path(),
                                                   false, err) != 0) {
        mcp_cli_error(err);
        mcp_ruleset_free(&x.rs);
        mcp_config_free(&x.conf);
        return MCP_EXIT_USAGE;
    }

    if (mcp_cli_logset(&ls, argv + optind, argc - optind, sources, nsources,
                       true, err) != 0) {
        mcp_cli_error(err);
        mcp_ruleset_free(&x.rs);
        mcp_config_free(&x.conf);
        if (lock >= 0)
            close(lock);
        return MCP_EXIT_USAGE;
    }

    /* A bigger buffer for output to a pipe or file (one write per 64 KiB,
     * flushed after every batch anyway). */
    if (!isatty(STDOUT_FILENO))
        setvbuf(stdout, NULL, _IOFBF, 64 * 1024);
    x.view = mcp_termview_create(stdout, STDOUT_FILENO, &x.rs, &vo);
    x.engine = mcp_engine_create(&x.rs, on_alert, &x);
    mcp_engine_set_repeat(x.engine, x.conf.repeat_interval_ms, 1);
    x.matcher = mcp_matcher_create(&x.rs);
    x.follow = mcp_follow_create(&ls, &fo, on_chunk, on_notice, &x);
    {
        size_t nf;

        mcp_follow_families(x.follow, &nf);
        x.clock = mcp_fclock_create(nf, on_notice, &x);
    }
    x.loop = mcp_evloop_create(err);
    if (x.loop == NULL ||
        mcp_evloop_signals(x.loop, sigs, 3, on_signal, &x, err) != 0) {
        mcp_cli_error(err);
        x.exit_code = MCP_EXIT_USAGE;
        goto out;
    }
    /* The sinks, each behind its own delivery thread. */
    x.notify = mcp_notify_create(&x.conf, &x.rs, err);
    if (x.notify == NULL ||
        mcp_evloop_add_fd(x.loop, mcp_notify_fd(x.notify), EPOLLIN,
                          on_delivery, &x, err) != 0) {
        mcp_cli_error(err);
        x.exit_code = MCP_EXIT_USAGE;
        goto out;
    }
    /* Silences live beside the checkpoint (beside the default one with
     * --no-state); read now, re-read once a second when changed. */
    x.silences = mcp_silence_path(x.state_path ? x.state_path
                                               : mcp_state_default_path());
    (void)mcp_notify_silences(x.notify, x.silences, err);
    if (err[0] != '\0') { /* unreadable, or too large to read in full */
        mcp_termview_notice(x.view, err);
        err[0] = '\0';
    }

    /* Resume from the checkpoint when there is one for these files. */
    memset(&st, 0, sizeof(st));
    if (x.state_path != NULL) {
        int rc = mcp_state_load(x.state_path, &st, err);

        if (rc < 0) {
            mcp_termview_notice(x.view, err);
            mcp_termview_notice(x.view, "starting without the checkpoint");
        }
    }
    if (st.npos > 0 || st.engine.len > 0) {
        size_t nf;
        struct mcp_ffamily *fams = mcp_follow_families(x.follow, &nf);

        for (size_t i = 0; i < st.npos; i++) {
            st.pos[i].family = UINT32_MAX;
            for (size_t k = 0; k < nf; k++)
                if (strcmp(st.fam_path[i], fams[k].path) == 0)
                    st.pos[i].family = (uint32_t)k;
        }
        st.saved = mcp_fclock_restore(x.clock, x.engine,
                                      st.engine.data ? st.engine.data : "",
                                      st.engine.len, st.saved);
        sync_view(&x, x.engine);
    }
    /* inotify first, so that the files opened below get their watches. */
    if (!poll_mode) {
        ifd = mcp_follow_inotify(x.follow, err);
        if (ifd < 0 ||
            mcp_evloop_add_fd(x.loop, ifd, EPOLLIN, on_inotify, &x, err) != 0) {
            mcp_termview_notice(x.view, err);
            mcp_termview_notice(x.view, "inotify unavailable: polling");
            poll_mode = true;
        }
    }
    if (do_replay && st.npos == 0)
        replay(&x, &ls);
    mcp_follow_open(x.follow, st.pos, st.npos, st.saved, mcp_mono_ms());
    mcp_state_free(&st);

    /* A slow safety re-stat (events can be lost), or the polling timer. */
    x.safety = mcp_evloop_add_timer(x.loop, on_timer, &x, err);
    x.due = mcp_evloop_add_timer(x.loop, on_due, &x, err);
    x.more = mcp_evloop_add_timer(x.loop, on_more, &x, err);
    if (x.safety == NULL || x.due == NULL || x.more == NULL) {
        mcp_cli_error(err);
        x.exit_code = MCP_EXIT_USAGE;
        goto out;
    }
    mcp_evtimer_arm(x.safety, poll_mode ? poll_ms : 1000,
                    poll_mode ? poll_ms : 1000);
    /* The probes measure the first folder followed (./logs by default),
     * else server.logs; the first run comes after the catch-up below. */
    {
        const char *dir = optind == argc && nsources == 0 ? "logs" : NULL;
        struct stat sb;

        for (int i = optind; i < argc && dir == NULL; i++)
            if (stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode))
                dir = argv[i];
        x.probes = mcp_probes_create(&x.conf, dir);
    }
    x.action = mcp_action_create(&x.conf, NULL);
    mcp_buf_init(&x.probe_lines);
    if (x.probes != NULL) {
        x.probe = mcp_evloop_add_timer(x.loop, on_probe, &x, err);
        if (x.probe == NULL) {
            mcp_cli_error(err);
            x.exit_code = MCP_EXIT_USAGE;
            goto out;
        }
        mcp_evtimer_arm(x.probe, 1, 0);
    }
    rounds(&x, WAKE_MS);
    if (mcp_evloop_run(x.loop) != 0) {
        mcp_cli_error("the event loop failed");
        x.exit_code = MCP_EXIT_USAGE;
    }
out:
    /* A cleanup under way gets its grace period and a few seconds more
     * to finish and report. */
    if (x.action != NULL)
        mcp_action_destroy(x.action, x.conf.proc.cleanup.grace_ms + 5000,
                           on_action_notice, &x);
    mcp_probes_destroy(x.probes);
    mcp_buf_free(&x.probe_lines);
    /* What is queued for the sinks gets a few seconds to go out. */
    if (x.notify != NULL)
        mcp_notify_destroy(x.notify, 5000, on_sink_msg, &x);
    mcp_termview_destroy(x.view);
    mcp_batch_free(&x.batch);
    mcp_batch_free(&x.timed);
    mcp_fclock_destroy(x.clock);
    mcp_follow_destroy(x.follow);
    mcp_matcher_destroy(x.matcher);
    mcp_engine_destroy(x.engine);
    mcp_evloop_destroy(x.loop);
    mcp_logset_free(&ls);
    mcp_ruleset_free(&x.rs);
    mcp_config_free(&x.conf);
    free(x.silences);
    if (lock >= 0)
        close(lock); /* the checkpoint is free for another follow */
    return x.exit_code;
}
