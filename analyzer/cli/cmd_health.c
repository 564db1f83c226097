/* cmd_health.c - `mcplog health`: a Nagios-style check of the MCP server
 * (processes, memory, restarts, reconnect failures, the logs folder), and
 * its two outputs: the plugin text and the JSON document (health.h).
 *
 * Exit status is the plugin convention: 0 OK, 1 WARNING, 2 CRITICAL,
 * 3 UNKNOWN. A monitoring system only understands 0-3, so problems that
 * other commands report with exit 2 (bad options, a bad config, bad rules)
 * are UNKNOWN (3) here, with the cause on stderr and in the status line. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "conf/config.h"
#include "proc/health.h"
#include "health_run.h"
#include "base/textout.h"
#include "base/timeparse.h"
#include "base/util.h"

/* Perf data labels (Nagios: 'label'=value[UOM];warn;crit;min;max). */
static const char *const perf[MCP_HC_N] = {
    "processes", "rss_max", "restarts", "reconnect_failures", "log_dir",
    "newest_line_age",
};

/* --- output --------------------------------------------------------------- */

/* The check indexes, non-OK first, worst first, stable. */
static void order(const struct mcp_health *h, int *idx)
{
    int k = 0;

    for (int r = 3; r >= 0; r--)
        for (int i = 0; i < MCP_HC_N; i++)
            if (mcp_health_rank(h->c[i].status) == r)
                idx[k++] = i;
}

static void summary_line(const struct mcp_health *h, struct mcp_buf *out)
{
    int idx[MCP_HC_N];

    order(h, idx);
    mcp_buf_printf(out, "MCPLOG %s - ", mcp_health_status_name(h->status));
    for (int i = 0; i < MCP_HC_N; i++)
        mcp_buf_printf(out, "%s%s", i ? ", " : "", h->c[idx[i]].summary);
}

/* Perf data: value[UOM];warn;crit;min. Thresholds are Nagios ranges: "N"
 * alerts above N, "N:" below N. */
static void perfdata(const struct mcp_health *h, struct mcp_buf *out)
{
    for (int i = 0; i < MCP_HC_N; i++) {
        const struct mcp_health_check *c = &h->c[i];
        const char *uom = strcmp(c->unit, "bytes") == 0     ? "B"
                          : strcmp(c->unit, "seconds") == 0 ? "s"
                                                            : "";

        if (!c->has_value)
            continue;
        mcp_buf_printf(out, " %s=%lld%s;", perf[i], (long long)c->value, uom);
        if (c->has_threshold && i != MCP_HC_RECONNECTS)
            mcp_buf_printf(out, "%lld", (long long)c->threshold);
        mcp_buf_putc(out, ';');
        if (i == MCP_HC_RECONNECTS)
            mcp_buf_printf(out, "%lld", (long long)c->threshold);
        else if (c->has_min)
            mcp_buf_printf(out, "%lld:", (long long)c->min);
        mcp_buf_puts(out, ";0");
    }
}

void mcp_health_text(const struct mcp_health *h, struct mcp_buf *out)
{
    summary_line(h, out);
    mcp_buf_puts(out, " |");
    perfdata(h, out);
    mcp_buf_putc(out, '\n');
    for (int i = 0; i < MCP_HC_N; i++)
        mcp_buf_printf(out, "%s: %s - %s\n", h->c[i].name,
                       mcp_health_status_name(h->c[i].status),
                       h->c[i].detail);
}

void mcp_health_json(const struct mcp_health *h, struct mcp_buf *out,
                     bool pretty)
{
    struct mcp_json j;
    struct mcp_buf s;

    mcp_buf_init(&s);
    summary_line(h, &s);
    mcp_json_init(&j, out, pretty);
    mcp_json_begin_obj(&j);
    mcp_json_key(&j, "status");
    mcp_json_str(&j, mcp_health_status_name(h->status));
    mcp_json_key(&j, "code");
    mcp_json_int(&j, h->status);
    mcp_json_key(&j, "summary");
    mcp_json_str(&j, s.data);
    mcp_json_key(&j, "time");
    mcp_json_time(&j, h->now);
    mcp_json_key(&j, "logs");
    mcp_json_str(&j, h->logdir);
    mcp_json_key(&j, "checks");
    mcp_json_begin_arr(&j);
    for (int i = 0; i < MCP_HC_N; i++) {
        const struct mcp_health_check *c = &h->c[i];

        mcp_json_begin_obj(&j);
        mcp_json_key(&j, "name");
        mcp_json_str(&j, c->name);
        mcp_json_key(&j, "status");
        mcp_json_str(&j, mcp_health_status_name(c->status));
        mcp_json_key(&j, "value");
        if (c->has_value)
            mcp_json_int(&j, c->value);
        else
            mcp_json_null(&j);
        mcp_json_key(&j, "threshold");
        if (c->has_threshold)
            mcp_json_int(&j, c->threshold);
        else
            mcp_json_null(&j);
        if (c->has_min) {
            mcp_json_key(&j, "min");
            mcp_json_int(&j, c->min);
        }
        if (c->window_ms > 0) {
            mcp_json_key(&j, "window");
            mcp_json_int(&j, c->window_ms / 1000);
        }
        mcp_json_key(&j, "unit");
        mcp_json_str(&j, c->unit);
        mcp_json_key(&j, "detail");
        mcp_json_str(&j, c->detail);
        mcp_json_end_obj(&j);
    }
    mcp_json_end_arr(&j);
    mcp_json_key(&j, "processes");
    mcp_json_begin_arr(&j);
    for (size_t i = 0; i < h->nprocs; i++) {
        mcp_json_begin_obj(&j);
        mcp_json_key(&j, "pid");
        mcp_json_int(&j, h->procs[i].pid);
        mcp_json_key(&j, "start");
        mcp_json_time(&j, h->procs[i].start_ms);
        mcp_json_key(&j, "rss");
        mcp_json_int(&j, (int64_t)h->procs[i].rss_bytes);
        mcp_json_end_obj(&j);
    }
    mcp_json_end_arr(&j);
    mcp_json_end_obj(&j);
    mcp_buf_putc(out, '\n');
    mcp_buf_free(&s);
}

static const char health_usage[] =
    "usage: mcplog health [options] [DIR]\n"
    "\n"
    "Check the MCP server as a Nagios plugin would: the server processes,\n"
    "their memory, restarts and reconnect failures in the logs (DIR,\n"
    "default server.logs from mcplog.yaml or --server-dir, else ./logs),\n"
    "the logs folder's size and the age of its newest line. One status\n"
    "line, a line per check; exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.\n"
    "\n"
    "  --json                 one JSON document instead\n"
    "  --config FILE          mcplog.yaml (server:, health: thresholds)\n"
    "  --server-dir DIR       the server's folder (server: dir; its logs\n"
    "                         DIR/logs), no YAML needed\n"
    "  --rules PATH           also load rules from a file or folder\n"
    "  --no-default-rules     skip the shipped and user rules\n"
    "  --since TIME           count restarts and reconnect failures from\n"
    "                         TIME (2h ago, today, 14:00, ...) instead of\n"
    "                         over their windows\n"
    "  --tz ZONE              zone of the logs' naive times (default: TZ)\n"
    "  --max-inflate RATIO    gzip: a member inflating over RATIO:1\n"
    "                         past 64 MiB is damage (default 200, 0: none)\n"
    "  -h, --help             this help\n";

enum {
    OPT_JSON = 256, OPT_CONFIG, OPT_RULES, OPT_NO_DEFAULT, OPT_TZ,
    OPT_MAX_INFLATE, OPT_SERVER_DIR, OPT_SINCE,
};

static const struct option health_opts[] = {
    {"json", no_argument, NULL, OPT_JSON},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"server-dir", required_argument, NULL, OPT_SERVER_DIR},
    {"rules", required_argument, NULL, OPT_RULES},
    {"no-default-rules", no_argument, NULL, OPT_NO_DEFAULT},
    {"tz", required_argument, NULL, OPT_TZ},
    {"max-inflate", required_argument, NULL, OPT_MAX_INFLATE},
    {"since", required_argument, NULL, OPT_SINCE},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Write text to stdout, each line made safe for a terminal. */
static void put_term(const char *text)
{
    struct mcp_buf b;
    const char *p = text;

    mcp_buf_init(&b);
    while (*p != '\0') {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);

        mcp_sanitize_term(&b, p, n);
        mcp_buf_putc(&b, '\n');
        p += n + (nl != NULL);
    }
    fwrite(b.data ? b.data : "", 1, b.len, stdout);
    mcp_buf_free(&b);
}

/* The check could not run at all: UNKNOWN, with the cause on stderr (as
 * every mcplog message) and in the status line (what Nagios shows). */
static int unknown(bool json, const char *cause)
{
    struct mcp_buf b;

    mcp_cli_error(cause);
    mcp_buf_init(&b);
    if (json) {
        struct mcp_json j;
        struct mcp_buf s;

        mcp_buf_init(&s);
        mcp_buf_printf(&s, "MCPLOG UNKNOWN - %s", cause);
        mcp_json_init(&j, &b, true);
        mcp_json_begin_obj(&j);
        mcp_json_key(&j, "status");
        mcp_json_str(&j, "UNKNOWN");
        mcp_json_key(&j, "code");
        mcp_json_int(&j, MCP_HEALTH_UNKNOWN);
        mcp_json_key(&j, "summary");
        mcp_json_str(&j, s.data);
        mcp_json_key(&j, "error");
        mcp_json_str(&j, cause);
        mcp_json_end_obj(&j);
        mcp_buf_putc(&b, '\n');
        fwrite(b.data, 1, b.len, stdout);
        mcp_buf_free(&s);
    } else {
        mcp_buf_puts(&b, "MCPLOG UNKNOWN - ");
        mcp_term_str(&b, cause);
        mcp_buf_putc(&b, '\n');
        put_term(b.data);
    }
    mcp_buf_free(&b);
    fflush(stdout);
    return MCP_HEALTH_UNKNOWN;
}

int mcp_cmd_health(int argc, char **argv)
{
    struct mcp_rule_sources src = {0};
    const char *config = NULL, *server_dir = NULL, *dir, *since_arg = NULL;
    int64_t since = MCP_TIME_NONE;
    bool json = false;
    char err[MCP_ERRLEN] = "", msg[MCP_ERRLEN + 64], missing[MCP_ERRLEN];
    struct mcp_config conf;
    struct mcp_ruleset rs;
    struct mcp_health h;
    struct mcp_buf out;
    unsigned max_inflate = 0;
    int c;

    optind = 1;
    opterr = 0;
    /* --json first, so that even a bad option is answered in JSON. */
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--json") == 0)
            json = true;
    while ((c = getopt_long(argc, argv, ":h", health_opts, NULL)) != -1) {
        switch (c) {
        case OPT_JSON:
            json = true;
            break;
        case OPT_CONFIG:
            config = optarg;
            break;
        case OPT_SERVER_DIR:
            server_dir = optarg;
            break;
        case OPT_RULES:
            if (mcp_cli_add_rules_path(&src, optarg) != 0)
                return unknown(json, "too many --rules options");
            break;
        case OPT_NO_DEFAULT:
            src.no_default = true;
            break;
        case OPT_TZ:
            if (mcp_time_set_tz(optarg, err) != 0)
                return unknown(json, err);
            break;
        case OPT_MAX_INFLATE:
            if (mcp_cli_max_inflate(optarg, &max_inflate, err) != 0)
                return unknown(json, err);
            break;
        case OPT_SINCE:
            since_arg = optarg;
            break;
        case 'h':
            fputs(health_usage, stdout);
            mcp_procconf_help((const char *const[]){"server", "health", NULL},
                              stdout);
            return MCP_HEALTH_OK;
        default:
            mcp_cli_option_msg(msg, sizeof(msg) - 32, c, argv, "health",
                               health_opts);
            strcat(msg, " (try 'mcplog health --help')");
            return unknown(json, msg);
        }
    }
    if (argc - optind > 1)
        return unknown(json, "health: one logs folder at most");

    if (mcp_cli_config(&conf, config, server_dir, err) != 0)
        return unknown(json, err);
    if (mcp_cli_load_rules(&rs, &src) != 0) {
        mcp_config_free(&conf);
        return unknown(json, "health: the rules could not be loaded (see "
                             "the message above)");
    }
    dir = optind < argc          ? argv[optind]
          : conf.proc.server.logs ? conf.proc.server.logs
                                  : "logs";

    mcp_health_init(&h, mcp_wall_ms(), dir);
    /* --since against h.now, so that "2h ago" is a window of 2h. */
    if (mcp_cli_time_range(since_arg, NULL, h.now, &since, NULL, err) != 0) {
        snprintf(msg, sizeof(msg), "health: %s", err);
        mcp_health_free(&h);
        mcp_ruleset_free(&rs);
        mcp_config_free(&conf);
        return unknown(json, msg);
    }
    if (since != MCP_TIME_NONE && since > h.now)
        since = h.now; /* "tomorrow": nothing to count */
    /* No DIR, no server.logs and no ./logs: say what to give. */
    missing[0] = '\0';
    if (optind == argc && conf.proc.server.logs == NULL) {
        mcp_cli_no_logs("health", missing, sizeof(missing));
        strncat(missing, ", or --server-dir DIR",
                sizeof(missing) - strlen(missing) - 1);
    }
    mcp_health_gather(&h, &conf.proc, &rs, max_inflate, since,
                      missing[0] ? missing : NULL, NULL);

    mcp_buf_init(&out);
    if (json) {
        mcp_health_json(&h, &out, true);
        fwrite(out.data, 1, out.len, stdout);
    } else {
        mcp_health_text(&h, &out);
        put_term(out.data);
    }
    mcp_buf_free(&out);
    c = h.status;
    if (fflush(stdout) != 0 || ferror(stdout))
        c = MCP_HEALTH_UNKNOWN;
    mcp_health_free(&h);
    mcp_ruleset_free(&rs);
    mcp_config_free(&conf);
    return c;
}
