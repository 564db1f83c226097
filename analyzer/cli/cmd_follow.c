/* cmd_follow.c - `mcplog follow`: follow the logs live, through rotation,
 * resumable, on the same engine as scan. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/statedir.h"
#include "base/timeparse.h"
#include "base/util.h"
#include "cli/cli.h"
#include "conf/procconf.h"
#include "live.h"
#include "output/metrics_http.h"

static const char follow_usage[] =
    "usage: mcplog follow [options] [DIR|FILE...]\n"
    "\n"
    "Follow MCP server logs live (default ./logs) through every kind of\n"
    "rotation, apply the rules, and show events and alerts.\n"
    "\n"
    "  --from-start           read the live files from their start\n"
    "  --since TIME           ... from their start, showing lines at or\n"
    "                         after TIME (2h ago, today, 14:00, ...)\n"
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
    "  --client NAME          also follow a client's logs of its servers:\n"
    "                         claude-code, claude-desktop, auto, none\n"
    "                         (repeatable; alone: only the client's)\n"
    "  --server NAME          only the events of this server\n"
    "  --tz ZONE              zone of the logs' naive times\n"
    "  --max-line BYTES       longest line kept whole (default 1048576)\n"
    "  --max-inflate RATIO    gzip: a member inflating over RATIO:1\n"
    "                         past 64 MiB is damage (default 200, 0: none)\n"
    "  --metrics-listen HOST:PORT\n"
    "                         answer GET /metrics (Prometheus) there;\n"
    "                         loopback only (port 0: any free port)\n"
    "  --metrics-listen-any   allow a listen address that is not loopback\n"
    "  --metrics-file PATH    rewrite a .prom file every metrics.interval\n"
    "                         (node_exporter's textfile collector)\n"
    "  -h, --help             this help\n"
    "\n"
    "SIGINT and SIGTERM save the checkpoint and exit; SIGHUP reloads the\n"
    "rules.\n";

enum {
    OPT_FROM_START = 256, OPT_SINCE, OPT_REPLAY, OPT_STATE, OPT_NO_STATE,
    OPT_POLL, OPT_POLL_INTERVAL, OPT_GRACE, OPT_ALL, OPT_QUIET, OPT_JSON,
    OPT_COLOR, OPT_NO_STATUS, OPT_CONFIG, OPT_METRICS_LISTEN,
    OPT_METRICS_ANY, OPT_METRICS_FILE,
};

static const struct option follow_opts[] = {
    MCP_CLI_COMMON_OPTIONS,
    MCP_CLI_INPUT_OPTIONS,
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
    {"config", required_argument, NULL, OPT_CONFIG},
    {"metrics-listen", required_argument, NULL, OPT_METRICS_LISTEN},
    {"metrics-listen-any", no_argument, NULL, OPT_METRICS_ANY},
    {"metrics-file", required_argument, NULL, OPT_METRICS_FILE},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

int mcp_cmd_follow(int argc, char **argv)
{
    struct mcp_live_opts o = {
        .follow = {.grace_ms = 5000, .start = MCP_START_END},
        .view = {.status = true},
        .since = MCP_TIME_NONE,
        .poll_ms = 1000,
    };
    struct mcp_cli_common co = {0};
    const char *since = NULL;
    bool no_state = false;
    char err[MCP_ERRLEN] = "";
    struct mcp_live *l;
    int c, rc;

    o.state_path = mcp_state_default_path();
    optind = 1;
    while ((c = mcp_cli_getopt(argc, argv, ":h", follow_opts, &co, "follow")) !=
           -1) {
        switch (c) {
        case MCP_CLI_OPT_ERROR:
            return MCP_EXIT_USAGE;
        case OPT_FROM_START:
            o.follow.start = MCP_START_BEGIN;
            break;
        case OPT_SINCE:
            since = optarg;
            o.follow.start = MCP_START_BEGIN;
            break;
        case OPT_REPLAY:
            o.replay = true;
            o.follow.start = MCP_START_BEGIN;
            break;
        case OPT_STATE:
            o.state_path = optarg;
            break;
        case OPT_NO_STATE:
            no_state = true;
            break;
        case OPT_POLL:
            o.poll = true;
            break;
        case OPT_POLL_INTERVAL:
        case OPT_GRACE: {
            int64_t ms;

            if (mcp_duration_parse(optarg, &ms, err) != 0 || ms <= 0)
                return mcp_cli_usage("follow",
                                     err[0] ? err : "duration must be > 0");
            if (c == OPT_GRACE)
                o.follow.grace_ms = ms;
            else
                o.poll_ms = ms;
            break;
        }
        case OPT_ALL:
            o.view.all = true;
            break;
        case OPT_QUIET:
            o.view.quiet = true;
            break;
        case OPT_JSON:
            o.view.json = true;
            break;
        case OPT_COLOR:
            if (strcmp(optarg, "auto") == 0)
                o.view.color = MCP_COLOR_AUTO;
            else if (strcmp(optarg, "always") == 0)
                o.view.color = MCP_COLOR_ALWAYS;
            else if (strcmp(optarg, "never") == 0)
                o.view.color = MCP_COLOR_NEVER;
            else
                return mcp_cli_usage("follow",
                                     "--color takes auto, always or never");
            break;
        case OPT_NO_STATUS:
            o.view.status = false;
            break;
        case OPT_CONFIG:
            o.config = optarg;
            break;
        case OPT_METRICS_LISTEN:
            o.metrics_listen = optarg;
            break;
        case OPT_METRICS_ANY:
            o.metrics_listen_any = true;
            break;
        case OPT_METRICS_FILE:
            o.metrics_file = optarg;
            break;
        case 'h':
            fputs(follow_usage, stdout);
            mcp_procconf_help((const char *const[]){"probes", "cleanup",
                                                    NULL}, stdout);
            return MCP_EXIT_OK;
        default:
            mcp_cli_bad_option(c, argv, "follow", follow_opts);
            return MCP_EXIT_USAGE;
        }
    }
    if (mcp_cli_time("follow", "since", since, &o.since) != 0)
        return MCP_EXIT_USAGE;
    if (mcp_cli_config_clients(&co, o.config) != 0)
        return MCP_EXIT_USAGE;
    /* A client alone needs no ./logs. */
    if (co.clients == 0 &&
        mcp_cli_default_logs("follow", argc - optind, co.nsources) != 0)
        return MCP_EXIT_USAGE;
    if (no_state)
        o.state_path = NULL;
    if (o.metrics_listen != NULL &&
        mcp_metrics_http_check(o.metrics_listen, o.metrics_listen_any,
                               err) != 0)
        return mcp_cli_usage("follow", err);
    o.paths = argv + optind;
    o.npaths = argc - optind;
    o.rules = co.rules;
    o.sources = co.sources;
    o.nsources = co.nsources;
    o.clients = co.clients;
    o.clients_set = co.clients_set;
    o.server = co.server;
    o.follow.max_line = co.max_line;
    o.follow.max_inflate = co.max_inflate;
    l = mcp_live_create(&o, err);
    if (l == NULL) {
        mcp_cli_error(err);
        return MCP_EXIT_USAGE;
    }
    rc = MCP_EXIT_OK;
    if (mcp_live_run(l) != 0) {
        mcp_cli_error("the event loop failed");
        rc = MCP_EXIT_USAGE;
    }
    mcp_live_destroy(l);
    return rc;
}
