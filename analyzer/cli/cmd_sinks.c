/* cmd_sinks.c - `mcplog sinks`: list the sink types, show one's options,
 * and send a test alert through a configured sink (the same config
 * loader, option setter and dispatcher `follow` uses). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "conf/config.h"
#include "sinks/dispatch.h"
#include "base/textout.h"
#include "base/util.h"

static const char sk_usage[] =
    "usage: mcplog sinks [--help TYPE]\n"
    "       mcplog sinks test NAME [options]\n"
    "\n"
    "Without arguments, list the sink types. --help TYPE shows the options\n"
    "of a type. `test` sends a test alert through the sink NAME of the\n"
    "config, one transition per --status entry, for the same alert key,\n"
    "and reports each outcome (exit 0 when all were delivered, else 1).\n"
    "\n"
    "  --config FILE          the config (default: the user's mcplog.yaml,\n"
    "                         else the shipped one)\n"
    "  --rule NAME            rule name (default: sinks-test)\n"
    "  --severity SEV         info, warning or critical (default: critical)\n"
    "  --status LIST          firing,update,repeat,resolved (default: firing)\n"
    "  --label NAME=VALUE     a label (repeatable)\n"
    "  --summary TEXT         (default: \"mcplog test alert\")\n"
    "  --description TEXT\n"
    "  --line TEXT            the last matching line; \\e \\n \\t \\\\ \\xHH\n"
    "                         escapes allowed\n"
    "  --context TEXT         the last traceback line (same escapes)\n"
    "  --count N              (default: 1)\n"
    "  --interval DURATION    pause between transitions (default: 0s)\n"
    "  -h, --help             this help\n";

enum {
    OPT_CONFIG = 256, OPT_RULE, OPT_SEVERITY, OPT_STATUS, OPT_LABEL,
    OPT_SUMMARY, OPT_DESCRIPTION, OPT_LINE, OPT_CONTEXT, OPT_COUNT,
    OPT_INTERVAL,
};

static const struct option sk_opts[] = {
    {"config", required_argument, NULL, OPT_CONFIG},
    {"rule", required_argument, NULL, OPT_RULE},
    {"severity", required_argument, NULL, OPT_SEVERITY},
    {"status", required_argument, NULL, OPT_STATUS},
    {"label", required_argument, NULL, OPT_LABEL},
    {"summary", required_argument, NULL, OPT_SUMMARY},
    {"description", required_argument, NULL, OPT_DESCRIPTION},
    {"line", required_argument, NULL, OPT_LINE},
    {"context", required_argument, NULL, OPT_CONTEXT},
    {"count", required_argument, NULL, OPT_COUNT},
    {"interval", required_argument, NULL, OPT_INTERVAL},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Undo the --line escapes into a malloc'd buffer of *len bytes. */
static char *unbackslash(const char *s, size_t *len)
{
    size_t n = strlen(s), o = 0;
    char *out = mcp_malloc(n + 1);

    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\\' || i + 1 == n) {
            out[o++] = s[i];
            continue;
        }
        i++;
        switch (s[i]) {
        case 'e': out[o++] = '\033'; break;
        case 'n': out[o++] = '\n'; break;
        case 't': out[o++] = '\t'; break;
        case 'r': out[o++] = '\r'; break;
        case '\\': out[o++] = '\\'; break;
        case 'x':
            if (i + 2 < n + 1 && hexval(s[i + 1]) >= 0 &&
                hexval(s[i + 2]) >= 0) {
                out[o++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
                i += 2;
                break;
            }
            /* fall through */
        default:
            out[o++] = '\\';
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    *len = o;
    return out;
}

static void print_outcome(const struct mcp_delivery *d, void *arg)
{
    int *failed = arg;
    struct mcp_buf b;

    mcp_buf_init(&b);
    mcp_buf_printf(&b, "sink %s: %s: ", d->sink,
                   mcp_alert_status_name(d->status));
    if (d->result == MCP_SINK_OK) {
        mcp_buf_puts(&b, "ok");
        if (d->attempts > 1)
            mcp_buf_printf(&b, " after %u attempts", d->attempts);
    } else {
        (*failed)++;
        mcp_buf_printf(&b, "failed after %u attempt%s: %s", d->attempts,
                       d->attempts == 1 ? "" : "s", d->err);
    }
    {
        struct mcp_buf t;

        mcp_buf_init(&t);
        mcp_sanitize_term(&t, b.data, b.len);
        printf("%s\n", t.data);
        mcp_buf_free(&t);
    }
    fflush(stdout);
    mcp_buf_free(&b);
}

static int list_types(void)
{
    for (size_t i = 0; mcp_sink_types[i] != NULL; i++)
        printf("%-10s %s\n", mcp_sink_types[i]->name, mcp_sink_types[i]->help);
    return MCP_EXIT_OK;
}

static int parse_status(const char *s, enum mcp_alert_status *st, size_t *n)
{
    char *copy = mcp_strdup(s), *save = NULL;

    *n = 0;
    for (char *t = strtok_r(copy, ",", &save); t != NULL;
         t = strtok_r(NULL, ",", &save)) {
        int found = -1;

        for (int k = MCP_STATUS_FIRING; k <= MCP_STATUS_RESOLVED; k++)
            if (strcmp(t, mcp_alert_status_name((enum mcp_alert_status)k)) == 0)
                found = k;
        if (found < 0 || *n == 16) {
            free(copy);
            return -1;
        }
        st[(*n)++] = (enum mcp_alert_status)found;
    }
    free(copy);
    return *n > 0 ? 0 : -1;
}

static int test_sink(int argc, char **argv)
{
    const char *config = NULL, *name, *status = "firing";
    struct mcp_sink_alert a;
    enum mcp_alert_status st[16];
    size_t nst;
    int64_t interval = 0;
    char err[MCP_ERRLEN] = "", host[256] = "";
    struct mcp_config conf;
    struct mcp_dispatch *d;
    int c, failed = 0, sev;
    long idx;

    memset(&a, 0, sizeof(a));
    a.severity = MCP_SEV_CRITICAL;
    a.count = 1;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", sk_opts, NULL)) != -1) {
        switch (c) {
        case OPT_CONFIG: config = optarg; break;
        case OPT_RULE: free(a.rule); a.rule = mcp_strdup(optarg); break;
        case OPT_SEVERITY:
            sev = mcp_severity_parse(optarg);
            if (sev < 0) {
                mcp_cli_error("sinks test: --severity: use info, warning or "
                              "critical");
                return MCP_EXIT_USAGE;
            }
            a.severity = (enum mcp_severity)sev;
            break;
        case OPT_STATUS: status = optarg; break;
        case OPT_LABEL: {
            const char *eq = strchr(optarg, '=');

            if (eq == NULL || eq == optarg || a.nlabels == MCP_RULE_MAX_GROUP) {
                mcp_cli_error("sinks test: --label wants NAME=VALUE (at most "
                              "8)");
                return MCP_EXIT_USAGE;
            }
            a.label_name[a.nlabels] = mcp_strndup(optarg, (size_t)(eq - optarg));
            a.label_value[a.nlabels++] = mcp_strdup(eq + 1);
            break;
        }
        case OPT_SUMMARY: free(a.summary); a.summary = mcp_strdup(optarg); break;
        case OPT_DESCRIPTION:
            free(a.description);
            a.description = mcp_strdup(optarg);
            break;
        case OPT_LINE:
            free(a.last_line);
            a.last_line = unbackslash(optarg, &a.last_line_len);
            break;
        case OPT_CONTEXT: {
            size_t n;

            free(a.context_last);
            a.context_last = unbackslash(optarg, &n);
            break;
        }
        case OPT_COUNT: a.count = strtoull(optarg, NULL, 10); break;
        case OPT_INTERVAL:
            if (mcp_duration_parse(optarg, &interval, err) != 0) {
                mcp_cli_error("sinks test: --interval: bad duration");
                return MCP_EXIT_USAGE;
            }
            break;
        case 'h': fputs(sk_usage, stdout); return MCP_EXIT_OK;
        default:
            mcp_cli_bad_option(c, argv, "sinks test");
            mcp_sink_alert_free(&a);
            return MCP_EXIT_USAGE;
        }
    }
    if (optind + 1 != argc || parse_status(status, st, &nst) != 0) {
        mcp_cli_error(optind + 1 != argc
                          ? "sinks test: give exactly one sink NAME"
                          : "sinks test: --status wants a list of firing, "
                            "update, repeat and resolved");
        mcp_sink_alert_free(&a);
        return MCP_EXIT_USAGE;
    }
    name = argv[optind];
    if (mcp_config_load(&conf, config, err) != 0) {
        mcp_cli_error(err);
        mcp_sink_alert_free(&a);
        return MCP_EXIT_USAGE;
    }
    idx = mcp_config_sink(&conf, name);
    if (idx < 0) {
        snprintf(err, sizeof(err), "sinks test: %s: no sink called '%s'",
                 conf.path ? conf.path : "(built-in config)", name);
        mcp_cli_error(err);
        mcp_config_free(&conf);
        mcp_sink_alert_free(&a);
        return MCP_EXIT_USAGE;
    }
    /* Only the sink under test is started. */
    if (idx != 0) {
        struct mcp_sink_conf t = conf.sinks[0];

        conf.sinks[0] = conf.sinks[idx];
        conf.sinks[idx] = t;
    }
    d = mcp_dispatch_create(conf.sinks, 1, err);
    if (d == NULL) {
        mcp_cli_error(err);
        mcp_config_free(&conf);
        mcp_sink_alert_free(&a);
        return MCP_EXIT_USAGE;
    }
    if (a.rule == NULL)
        a.rule = mcp_strdup("sinks-test");
    if (a.summary == NULL)
        a.summary = mcp_strdup("mcplog test alert");
    if (a.last_line == NULL)
        a.last_line = unbackslash("mcplog test line", &a.last_line_len);
    gethostname(host, sizeof(host) - 1);
    a.host = mcp_strdup(host);
    a.source = mcp_strdup("");
    a.key = mcp_sink_key(a.rule, a.nlabels, (const char *const *)a.label_name,
                         (const char *const *)a.label_value);
    a.start = mcp_wall_ms();
    a.end = MCP_TIME_NONE;
    for (size_t i = 0; i < nst; i++) {
        if (i > 0 && interval > 0) {
            struct timespec ts = {(time_t)(interval / 1000),
                                  (long)(interval % 1000) * 1000000L};

            nanosleep(&ts, NULL);
        }
        a.status = st[i];
        a.sent = mcp_wall_ms();
        if (st[i] == MCP_STATUS_RESOLVED)
            a.end = a.sent;
        if (mcp_dispatch_send(d, 0, &a, false) != 0) {
            fputs("sink ", stdout);
            mcp_term_fputs(name, stdout);
            printf(": %s: dropped: queue full\n",
                   mcp_alert_status_name(st[i]));
            failed++;
            continue;
        }
        mcp_dispatch_wait(d, 3600 * 1000, print_outcome, &failed);
    }
    mcp_dispatch_destroy(d, 0, print_outcome, &failed);
    mcp_config_free(&conf);
    mcp_sink_alert_free(&a);
    return failed ? 1 : MCP_EXIT_OK;
}

int mcp_cmd_sinks(int argc, char **argv)
{
    if (argc < 2)
        return list_types();
    if (strcmp(argv[1], "test") == 0)
        return test_sink(argc - 1, argv + 1);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        const struct mcp_sink_ops *ops;

        if (argc < 3) {
            fputs(sk_usage, stdout);
            return MCP_EXIT_OK;
        }
        ops = mcp_sink_type(argv[2]);
        if (ops == NULL) {
            mcp_cli_error("sinks: unknown sink type (try 'mcplog sinks')");
            return MCP_EXIT_USAGE;
        }
        mcp_sinkopt_help(ops, stdout);
        return MCP_EXIT_OK;
    }
    mcp_cli_error("sinks: unknown argument (try 'mcplog sinks --help')");
    return MCP_EXIT_USAGE;
}
