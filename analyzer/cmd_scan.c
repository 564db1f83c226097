/* cmd_scan.c - `mcplog scan`: post-mortem analysis of a log set. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "framer.h"
#include "logset.h"
#include "report.h"
#include "rules.h"
#include "scan.h"
#include "timeparse.h"
#include "util.h"

static const char scan_usage[] =
    "usage: mcplog scan [options] [DIR|FILE...]\n"
    "\n"
    "Analyse MCP server logs (default ./logs): mcp_server.log,\n"
    "mcp_activity.log and their rotated members, plain or gzip.\n"
    "\n"
    "  --json                 one JSON document instead of the report\n"
    "  --rules PATH           also load rules from a file or folder\n"
    "  --no-default-rules     skip the shipped and user rules\n"
    "  --source NAME=PATH     add a file with the role NAME\n"
    "  --since TIME           only lines at or after TIME\n"
    "  --until TIME           only lines before TIME\n"
    "  --tz ZONE              zone of the logs' naive times (default: TZ)\n"
    "  --fail-on SEVERITY     exit 3 when an alert of SEVERITY or worse "
    "fired\n"
    "  --max-line BYTES       longest line kept whole (default 1048576)\n"
    "  -h, --help             this help\n";

enum {
    OPT_JSON = 256,
    OPT_RULES,
    OPT_NO_DEFAULT,
    OPT_SOURCE,
    OPT_SINCE,
    OPT_UNTIL,
    OPT_TZ,
    OPT_FAIL_ON,
    OPT_MAX_LINE,
};

static const struct option scan_opts[] = {
    {"json", no_argument, NULL, OPT_JSON},
    {"rules", required_argument, NULL, OPT_RULES},
    {"no-default-rules", no_argument, NULL, OPT_NO_DEFAULT},
    {"source", required_argument, NULL, OPT_SOURCE},
    {"since", required_argument, NULL, OPT_SINCE},
    {"until", required_argument, NULL, OPT_UNTIL},
    {"tz", required_argument, NULL, OPT_TZ},
    {"fail-on", required_argument, NULL, OPT_FAIL_ON},
    {"max-line", required_argument, NULL, OPT_MAX_LINE},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int usage_error(const char *msg)
{
    mcp_cli_error(msg);
    fputs("Try 'mcplog scan --help'.\n", stderr);
    return MCP_EXIT_USAGE;
}

static int parse_time_opt(const char *name, const char *arg, int64_t *t)
{
    char err[MCP_ERRLEN];

    if (arg == NULL || mcp_time_parse_arg(arg, t) == 0)
        return 0;
    snprintf(err, sizeof(err), "bad time for --%s: '%s' (use 2025-12-10, "
             "2025-12-10T14:00:00 or with a zone)", name, arg);
    usage_error(err);
    return -1;
}

static int add_path(struct mcp_logset *ls, const char *path, char *err)
{
    struct stat st;

    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return mcp_logset_add_dir(ls, path, err);
    return mcp_logset_add_file(ls, path, NULL, err);
}

int mcp_cmd_scan(int argc, char **argv)
{
    struct mcp_rule_sources src = {0};
    struct mcp_scan_opts so = {.since = MCP_TIME_NONE,
                               .until = MCP_TIME_NONE};
    const char *sources[64];
    size_t nsources = 0;
    const char *since = NULL, *until = NULL;
    bool json = false;
    int fail_on = 0, c, rc = MCP_EXIT_OK;
    char err[MCP_ERRLEN] = "";
    struct mcp_ruleset rs;
    struct mcp_logset ls;
    struct mcp_scan scan;

    optind = 1;
    opterr = 0; /* our own messages, starting with "mcplog: " */
    while ((c = getopt_long(argc, argv, ":h", scan_opts, NULL)) != -1) {
        switch (c) {
        case OPT_JSON:
            json = true;
            break;
        case OPT_RULES:
            if (mcp_cli_add_rules_path(&src, optarg) != 0)
                return MCP_EXIT_USAGE;
            break;
        case OPT_NO_DEFAULT:
            src.no_default = true;
            break;
        case OPT_SOURCE:
            if (strchr(optarg, '=') == NULL || optarg[0] == '=')
                return usage_error("--source takes NAME=PATH");
            if (nsources == sizeof(sources) / sizeof(sources[0]))
                return usage_error("too many --source options");
            sources[nsources++] = optarg;
            break;
        case OPT_SINCE:
            since = optarg;
            break;
        case OPT_UNTIL:
            until = optarg;
            break;
        case OPT_TZ:
            if (mcp_time_set_tz(optarg, err) != 0)
                return usage_error(err);
            break;
        case OPT_FAIL_ON:
            fail_on = mcp_severity_parse(optarg);
            if (fail_on <= 0)
                return usage_error("--fail-on takes info, warning or "
                                   "critical");
            break;
        case OPT_MAX_LINE: {
            char *end;
            unsigned long long v = strtoull(optarg, &end, 10);

            if (*end != '\0' || v < 64 || v > 256ull * 1024 * 1024)
                return usage_error("--max-line takes a byte count from 64 "
                                   "to 268435456");
            so.max_line = (size_t)v;
            break;
        }
        case 'h':
            fputs(scan_usage, stdout);
            return MCP_EXIT_OK;
        default:
            mcp_cli_bad_option(c, argv, "scan");
            return MCP_EXIT_USAGE;
        }
    }

    /* Times are read after every option, so that --tz applies to them
     * wherever it stands on the command line. */
    if (parse_time_opt("since", since, &so.since) != 0 ||
        parse_time_opt("until", until, &so.until) != 0)
        return MCP_EXIT_USAGE;
    if (mcp_cli_load_rules(&rs, &src) != 0)
        return MCP_EXIT_USAGE;
    mcp_logset_init(&ls);
    for (int i = optind; i < argc && err[0] == '\0'; i++)
        add_path(&ls, argv[i], err);
    for (size_t i = 0; i < nsources && err[0] == '\0'; i++) {
        char *name = mcp_strdup(sources[i]);
        char *eq = strchr(name, '=');

        *eq = '\0';
        mcp_logset_add_file(&ls, eq + 1, name, err);
        free(name);
    }
    if (err[0] == '\0' && optind == argc && nsources == 0)
        add_path(&ls, "logs", err);
    if (err[0] != '\0') {
        mcp_cli_error(err);
        mcp_logset_free(&ls);
        mcp_ruleset_free(&rs);
        return MCP_EXIT_USAGE;
    }
    mcp_logset_finish(&ls);

    if (mcp_scan_run(&ls, &rs, &so, &scan, err) != 0) {
        mcp_cli_error(err);
        rc = MCP_EXIT_USAGE;
    } else {
        size_t n;
        struct mcp_alert *const *al = mcp_engine_alerts(scan.engine, &n);

        if (json)
            mcp_report_json(stdout, &ls, &rs, &scan);
        else
            mcp_report_text(stdout, &ls, &rs, &scan);
        if (scan.damaged)
            rc = MCP_EXIT_DAMAGED;
        for (size_t i = 0; fail_on > 0 && i < n; i++)
            if ((int)al[i]->severity >= fail_on)
                rc = MCP_EXIT_ALERT;
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        mcp_warnf("error writing the report");
        rc = MCP_EXIT_USAGE;
    }
    mcp_scan_free(&scan);
    mcp_logset_free(&ls);
    mcp_ruleset_free(&rs);
    return rc;
}
