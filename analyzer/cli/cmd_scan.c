/* cmd_scan.c - `mcplog scan`: post-mortem analysis of a log set. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/pager.h"
#include "conf/config.h"
#include "input/framer.h"
#include "input/clients.h"
#include "input/logset.h"
#include "output/html.h"
#include "output/incident.h"
#include "output/notify.h"
#include "output/histogram.h"
#include "output/report.h"
#include "match/rules.h"
#include "scan.h"
#include "base/timeparse.h"
#include "base/util.h"

static const char scan_usage[] =
    "usage: mcplog scan [options] [DIR|FILE...]\n"
    "\n"
    "Analyse MCP server logs (default ./logs): mcp_server.log,\n"
    "mcp_activity.log and their rotated members, plain or gzip.\n"
    "\n"
    "  --json                 one JSON document instead of the report\n"
    "  --html FILE            also write the incident page to FILE (- for\n"
    "                         stdout, instead of the report)\n"
    "  --html-stamp none      no generated-at line in the page (for\n"
    "                         byte-identical pages)\n"
    "  --summary              the rules, alerts (a line each) and tool\n"
    "                         calls tables only\n"
    "  --min-severity LEVEL   only rules and alerts of LEVEL (info,\n"
    "                         warning, critical) or worse\n"
    "  --by hour|day          matches per rule per local hour or day\n"
    "  --color WHEN           auto (a terminal, NO_COLOR unset), always\n"
    "                         or never\n"
    "  --no-pager             never through $PAGER (on a terminal the\n"
    "                         report goes through $PAGER, default less)\n"
    "  --rules PATH           also load rules from a file or folder\n"
    "  --no-default-rules     skip the shipped and user rules\n"
    "  --source NAME=PATH     add a file with the role NAME\n"
    "  --client NAME          also read a client's logs of its servers:\n"
    "                         claude-code, claude-desktop, auto, none\n"
    "                         (repeatable; alone: only the client's)\n"
    "  --server NAME          only the events of this server\n"
    "  --since TIME           only lines at or after TIME: 2025-12-10 14:00,\n"
    "                         today, yesterday, 14:00, 2h ago, -30m,\n"
    "                         @EPOCH (relative to the wall clock)\n"
    "  --until TIME           only lines before TIME\n"
    "  --tz ZONE              zone of the logs' naive times (default: TZ)\n"
    "  --fail-on SEVERITY     exit 3 when an alert of SEVERITY or worse "
    "fired\n"
    "  --max-line BYTES       longest line kept whole (default 1048576)\n"
    "  --max-inflate RATIO    gzip: a member inflating over RATIO:1\n"
    "                         past 64 MiB is damage (default 200, 0: none)\n"
    "  --replay               send the alerts, as they fire in log time,\n"
    "                         through the routes to the file sinks\n"
    "  --replay-sinks LIST    ... to these sinks instead (names, comma\n"
    "                         separated, or all): commands and webhooks\n"
    "                         only run when named here\n"
    "  --config FILE          sinks and routes for --replay\n"
    "  -h, --help             this help\n";

enum {
    OPT_JSON = 256,
    OPT_SINCE,
    OPT_UNTIL,
    OPT_FAIL_ON,
    OPT_REPLAY,
    OPT_REPLAY_SINKS,
    OPT_CONFIG,
    OPT_HTML,
    OPT_HTML_STAMP,
    OPT_SUMMARY,
    OPT_MIN_SEV,
    OPT_BY,
    OPT_COLOR,
    OPT_NO_PAGER,
};

static const struct option scan_opts[] = {
    MCP_CLI_COMMON_OPTIONS,
    MCP_CLI_INPUT_OPTIONS,
    {"json", no_argument, NULL, OPT_JSON},
    {"since", required_argument, NULL, OPT_SINCE},
    {"until", required_argument, NULL, OPT_UNTIL},
    {"fail-on", required_argument, NULL, OPT_FAIL_ON},
    {"replay", no_argument, NULL, OPT_REPLAY},
    {"replay-sinks", required_argument, NULL, OPT_REPLAY_SINKS},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"html", required_argument, NULL, OPT_HTML},
    {"html-stamp", required_argument, NULL, OPT_HTML_STAMP},
    {"summary", no_argument, NULL, OPT_SUMMARY},
    {"min-severity", required_argument, NULL, OPT_MIN_SEV},
    {"by", required_argument, NULL, OPT_BY},
    {"color", required_argument, NULL, OPT_COLOR},
    {"no-pager", no_argument, NULL, OPT_NO_PAGER},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* --- replay ------------------------------------------------------------- */

struct replay {
    struct mcp_logset *ls;
    struct mcp_config conf;
    struct mcp_notify *n;
    struct mcp_scan *scan;
    unsigned long failures;
    struct mcp_histogram *hist; /* --by, or NULL */
    struct mcp_clientstats *cstats; /* a client read: its section */
};

static void count_event(const struct mcp_event *ev, void *arg)
{
    struct replay *r = arg;

    if (ev->kind == MCP_EV_MATCH && r->hist != NULL)
        mcp_histogram_add(r->hist, ev->rule, ev->ts);
    if (r->cstats != NULL)
        mcp_clientstats_event(r->cstats, ev);
}

/* --color WHEN: colour on or off for stdout; -1 for a bad WHEN. */
static int color_for(const char *when)
{
    const char *nc = getenv("NO_COLOR");

    if (when == NULL || strcmp(when, "auto") == 0)
        return isatty(STDOUT_FILENO) && (nc == NULL || nc[0] == '\0');
    if (strcmp(when, "always") == 0)
        return 1;
    if (strcmp(when, "never") == 0)
        return 0;
    return -1;
}

static void replay_alert(const struct mcp_alert *a, enum mcp_alert_status t,
                         void *arg)
{
    struct replay *r = arg;

    mcp_notify_alert(r->n, a, t,
                     a->last_line != NULL && a->last_input < r->ls->n
                         ? r->ls->inputs[a->last_input].path
                         : NULL,
                     true);
}

static int64_t replay_clock(void *arg)
{
    struct replay *r = arg;

    return mcp_engine_now(r->scan->engine);
}

static void replay_msg(const char *text, void *arg)
{
    struct replay *r = arg;

    r->failures++;
    mcp_cli_error(text);
}

/* Keep the sinks named in list (or every one for "all"); without a list,
 * the file sinks. Returns 0, or -1 with err for an unknown name. */
static int replay_select(struct mcp_config *c, const char *list, char *err)
{
    for (size_t i = 0; i < c->nsinks; i++)
        c->sinks[i].disabled =
            list != NULL ? strcmp(list, "all") != 0
                         : strcmp(c->sinks[i].ops->name, "file") != 0;
    if (list == NULL || strcmp(list, "all") == 0)
        return 0;
    {
        char *copy = mcp_strdup(list), *save = NULL;
        int rc = 0;

        for (char *t = strtok_r(copy, ",", &save); t != NULL && rc == 0;
             t = strtok_r(NULL, ",", &save)) {
            long i = mcp_config_sink(c, t);

            if (i < 0) {
                mcp_errf(err, "--replay-sinks: %s has no sink called '%s'",
                         c->path ? c->path : "the built-in config", t);
                rc = -1;
            } else {
                c->sinks[i].disabled = false;
            }
        }
        free(copy);
        return rc;
    }
}

/* --- the HTML page ---------------------------------------------------- */

struct scan_html {
    const char *path;        /* --html, or NULL */
    bool stamp;
    struct mcp_incident inc;
    struct replay *rp;       /* --by: its histogram is fed as well */
};

static void html_event(const struct mcp_event *ev, void *arg)
{
    struct scan_html *h = arg;

    mcp_incident_event(&h->inc, ev);
    count_event(ev, h->rp);
}

/* Where the rules came from, for the page's header. */
static void rules_from(struct mcp_buf *b, const struct mcp_rule_sources *r)
{
    mcp_buf_puts(b, r->no_default ? "" : "the shipped and user rules");
    for (size_t i = 0; i < r->npaths; i++) {
        mcp_buf_puts(b, b->len > 0 ? ", " : "");
        mcp_buf_printf(b, "--rules %s", r->paths[i]);
    }
    if (b->len == 0)
        mcp_buf_puts(b, "nowhere");
}

/* Write the page to h->path ("-": stdout). Returns 0 or -1 (reported). */
static int write_html(struct scan_html *h, const struct mcp_logset *ls,
                      const struct mcp_ruleset *rs,
                      const struct mcp_cli_common *co,
                      const struct mcp_scan_opts *so,
                      const struct mcp_scan *scan,
                      const struct mcp_report_figures *fig)
{
    struct mcp_buf page, from;
    char stamp[MCP_TIME_ISO_LEN], err[MCP_ERRLEN] = "";
    struct mcp_html_in in = {
        .ls = ls, .rs = rs, .fig = fig, .inc = &h->inc,
        .line_bins = scan->line_bins, .nline_bins = scan->nline_bins,
        .since = so->since, .until = so->until,
    };
    int rc = 0;

    mcp_buf_init(&page);
    mcp_buf_init(&from);
    rules_from(&from, &co->rules);
    in.zone = co->tz;
    in.clients = h->rp->cstats;
    in.rules_from = from.data;
    if (h->stamp) {
        mcp_time_format_iso(mcp_wall_ms(), stamp, sizeof(stamp));
        in.stamp = stamp;
    }
    mcp_html_write(&page, &in);
    if (strcmp(h->path, "-") == 0) {
        fwrite(page.data, 1, page.len, stdout);
    } else {
        FILE *fp = fopen(h->path, "w");

        if (fp == NULL || fwrite(page.data, 1, page.len, fp) != page.len ||
            fclose(fp) != 0) {
            mcp_errf(err, "cannot write %s: %s", h->path, strerror(errno));
            mcp_cli_error(err);
            rc = -1;
        }
    }
    mcp_buf_free(&page);
    mcp_buf_free(&from);
    return rc;
}

int mcp_cmd_scan(int argc, char **argv)
{
    struct mcp_cli_common co = {0};
    struct mcp_scan_opts so = {.since = MCP_TIME_NONE,
                               .until = MCP_TIME_NONE};
    const char *since = NULL, *until = NULL;
    bool json = false, replay = false, no_pager = false;
    const char *replay_sinks = NULL, *config = NULL, *color = NULL;
    struct mcp_report_opts ro = {0};
    struct mcp_pager pager = {0};
    int by = 0;
    struct replay rp;
    int fail_on = 0, c, rc = MCP_EXIT_OK;
    char err[MCP_ERRLEN] = "";
    struct mcp_ruleset rs;
    struct mcp_logset ls;
    struct mcp_scan scan;
    struct scan_html html = {.stamp = true};
    bool html_stdout = false;
    struct mcp_ties ties = {NULL, 0};
    struct mcp_clientstats *cstats = NULL;

    optind = 1;
    while ((c = mcp_cli_getopt(argc, argv, ":h", scan_opts, &co, "scan")) !=
           -1) {
        switch (c) {
        case MCP_CLI_OPT_ERROR:
            return MCP_EXIT_USAGE;
        case OPT_JSON:
            json = true;
            break;
        case OPT_SINCE:
            since = optarg;
            break;
        case OPT_UNTIL:
            until = optarg;
            break;
        case OPT_FAIL_ON:
            fail_on = mcp_severity_parse(optarg);
            if (fail_on <= 0)
                return mcp_cli_usage("scan",
                                     "--fail-on takes info, warning or "
                                     "critical");
            break;
        case OPT_REPLAY:
            replay = true;
            break;
        case OPT_REPLAY_SINKS:
            replay = true;
            replay_sinks = optarg;
            break;
        case OPT_CONFIG:
            config = optarg;
            break;
        case OPT_HTML:
            if (optarg[0] == '\0')
                return mcp_cli_usage("scan", "--html takes a file name, "
                                             "or - for stdout");
            html.path = optarg;
            break;
        case OPT_HTML_STAMP:
            if (strcmp(optarg, "none") != 0 && strcmp(optarg, "now") != 0)
                return mcp_cli_usage("scan", "--html-stamp takes none or "
                                             "now");
            html.stamp = strcmp(optarg, "now") == 0;
            break;
        case OPT_SUMMARY:
            ro.summary = true;
            break;
        case OPT_MIN_SEV:
            ro.min_severity = mcp_severity_parse(optarg);
            if (ro.min_severity <= 0)
                return mcp_cli_usage("scan",
                                     "--min-severity takes info, warning "
                                     "or critical");
            break;
        case OPT_BY:
            by = mcp_histogram_by_parse(optarg);
            if (by == 0)
                return mcp_cli_usage("scan", "--by takes hour or day");
            break;
        case OPT_COLOR:
            color = optarg;
            if (color_for(color) < 0)
                return mcp_cli_usage("scan",
                                     "--color takes auto, always or never");
            break;
        case OPT_NO_PAGER:
            no_pager = true;
            break;
        case 'h':
            fputs(scan_usage, stdout);
            return MCP_EXIT_OK;
        default:
            mcp_cli_bad_option(c, argv, "scan", scan_opts);
            return MCP_EXIT_USAGE;
        }
    }

    if (html.path != NULL && replay)
        return mcp_cli_usage("scan", "--html and --replay do not go "
                                     "together");
    /* Times are read after every option, so that --tz applies to them
     * wherever it stands on the command line. */
    if (mcp_cli_time_range(since, until, mcp_wall_ms(), &so.since,
                           &so.until, err) != 0)
        return mcp_cli_usage("scan", err);
    so.max_line = co.max_line;
    so.max_inflate = co.max_inflate;
    if (mcp_cli_config_clients(&co, config) != 0)
        return MCP_EXIT_USAGE;
    /* A client alone needs no ./logs. */
    if (co.clients == 0 &&
        mcp_cli_default_logs("scan", argc - optind, co.nsources) != 0)
        return MCP_EXIT_USAGE;
    co.rules.clients = co.clients != 0 ||
                       mcp_sources_formatted(co.sources, co.nsources);
    if (mcp_cli_load_rules(&rs, &co.rules) != 0)
        return MCP_EXIT_USAGE;
    so.server = co.server;
    if (mcp_logset_from_args(&ls, argv + optind, argc - optind, co.sources,
                             co.nsources, co.clients, &ties, false,
                             err) != 0) {
        mcp_cli_error(err);
        mcp_ruleset_free(&rs);
        return MCP_EXIT_USAGE;
    }

    /* --replay: the same routes and sinks as follow, in log time; a full
     * queue waits instead of dropping. */
    memset(&rp, 0, sizeof(rp));
    memset(&scan, 0, sizeof(scan));
    so.arg = &rp;
    if (by != 0) {
        rp.hist = mcp_histogram_create(rs.n, (enum mcp_histogram_by)by);
        so.on_event = count_event;
    }
    if (replay) {
        if (mcp_config_load(&rp.conf, config, err) != 0 ||
            replay_select(&rp.conf, replay_sinks, err) != 0 ||
            (rp.n = mcp_notify_create(&rp.conf, &rs, err)) == NULL) {
            mcp_cli_error(err);
            mcp_config_free(&rp.conf);
            mcp_histogram_destroy(rp.hist);
            mcp_logset_free(&ls);
            mcp_ruleset_free(&rs);
            return MCP_EXIT_USAGE;
        }
        rp.scan = &scan;
        rp.ls = &ls;
        mcp_notify_set_replay(rp.n, replay_clock, &rp);
        so.on_alert = replay_alert;
        so.repeat_ms = rp.conf.repeat_interval_ms;
    }

    if (co.clients != 0) {
        /* The report's client section, from the client rules' events. */
        cstats = rp.cstats = mcp_clientstats_create(&rs);
        so.on_event = count_event;
    }
    if (html.path != NULL) {
        /* The page's events; --by's histogram and the client section
         * are fed from here too. */
        mcp_incident_init(&html.inc, &rs);
        html.rp = &rp;
        html_stdout = strcmp(html.path, "-") == 0;
        so.line_times = true;
        so.on_event = html_event;
        so.arg = &html;
    }
    if (mcp_scan_run(&ls, &rs, &so, &scan, err) != 0) {
        mcp_cli_error(err);
        rc = MCP_EXIT_USAGE;
    } else {
        size_t n;
        struct mcp_alert *const *al = mcp_engine_alerts(scan.engine, &n);

        struct mcp_report_figures fig = {
            scan.engine, scan.limit_errors, scan.lines, scan.bytes,
            scan.matches, scan.time_jumps, cstats,
        };

        ro.hist = rp.hist;
        ro.color = !json && color_for(color) == 1;
        if (html.path != NULL &&
            write_html(&html, &ls, &rs, &co, &so, &scan, &fig) != 0)
            rc = MCP_EXIT_USAGE;
        /* Not with --replay: its summary follows on stderr; nor with
         * --html -: the page is the output. */
        if (!no_pager && !replay && !html_stdout)
            mcp_pager_start(&pager);
        if (html_stdout)
            ;
        else if (json)
            mcp_report_json(stdout, &ls, &rs, &fig, &ro);
        else
            mcp_report_text(stdout, &ls, &rs, &fig, &ro);
        if (scan.damaged)
            rc = MCP_EXIT_DAMAGED;
        for (size_t i = 0; fail_on > 0 && i < n; i++)
            if ((int)al[i]->severity >= fail_on)
                rc = MCP_EXIT_ALERT;
    }
    if (rp.n != NULL) {
        struct mcp_notify_stats st;

        /* Every transition goes out (or is given up) before the exit. */
        mcp_notify_wait(rp.n, INT64_MAX / 4, replay_msg, &rp);
        mcp_notify_stats(rp.n, &st);
        mcp_notify_destroy(rp.n, 0, replay_msg, &rp);
        fprintf(stderr, "mcplog: replay: %llu sent to sinks, %llu delivered, "
                "%llu failed, %llu silenced\n", st.queued, st.delivered,
                st.failed, st.silenced);
        if (st.failed > 0 && rc == MCP_EXIT_OK)
            rc = MCP_EXIT_DAMAGED;
        mcp_config_free(&rp.conf);
    }
    /* Paged, a write error is the pager quit early: not a lost report. */
    if ((fflush(stdout) != 0 || ferror(stdout)) &&
        !mcp_pager_finish(&pager)) {
        mcp_warnf("error writing the report");
        rc = MCP_EXIT_USAGE;
    }
    if (html.path != NULL)
        mcp_incident_free(&html.inc);
    mcp_pager_finish(&pager);
    mcp_histogram_destroy(rp.hist);
    mcp_scan_free(&scan);
    mcp_logset_free(&ls);
    mcp_ruleset_free(&rs);
    mcp_ties_free(&ties);
    mcp_clientstats_destroy(cstats);
    return rc;
}
