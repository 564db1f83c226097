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
    "usage: mcplog sinks [list] [--config FILE] [--names]\n"
    "       mcplog sinks types\n"
    "       mcplog sinks --help TYPE\n"
    "       mcplog sinks test NAME [options]\n"
    "\n"
    "`list` shows the sinks of the config: name, type, the routes that\n"
    "reach each, and its target (a URL's credentials and query values\n"
    "hidden, a command's program without its arguments); without a verb,\n"
    "the same, then the sink types. `types` lists the types, --help TYPE\n"
    "the options of one. `test` sends a test alert through the sink NAME\n"
    "of the config, one transition per --status entry, for the same alert\n"
    "key, and reports each outcome and each retry (exit 0 when all were\n"
    "delivered, else 1).\n"
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
    } else if (d->result == MCP_SINK_RETRY) {
        char wait[32];

        mcp_duration_format(d->retry_ms, wait, sizeof(wait));
        mcp_buf_printf(&b, "attempt %u/%u in %s: %s", d->attempts + 1,
                       d->max_attempts, wait, d->err);
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

/* What route r matches: "severity warning, rule errors" or "every alert". */
static void route_desc(struct mcp_buf *b, const struct mcp_route *r)
{
    size_t start = b->len;

    if (r->severities != 0) {
        mcp_buf_puts(b, "severity");
        for (int s = MCP_SEV_INFO, k = 0; s <= MCP_SEV_CRITICAL; s++)
            if (r->severities & (1u << s))
                mcp_buf_printf(b, "%s%s", k++ ? "|" : " ",
                               mcp_severity_name((enum mcp_severity)s));
    }
    for (size_t i = 0; r->rules != NULL && r->rules[i] != NULL; i++) {
        mcp_buf_puts(b, i == 0 ? (b->len > start ? ", rule " : "rule ")
                               : "|");
        mcp_term_str(b, r->rules[i]);
    }
    for (size_t i = 0; i < r->nlabels; i++) {
        mcp_buf_puts(b, b->len > start ? ", " : "");
        mcp_term_str(b, r->label_name[i]);
        mcp_buf_putc(b, '=');
        mcp_term_str(b, r->label_glob[i]);
    }
    if (b->len == start)
        mcp_buf_puts(b, "every alert");
    if (r->cont)
        mcp_buf_puts(b, " (continue)");
}

/* The sinks of the config: name, type, the routes reaching each (their
 * numbers, then what each matches), the target. names: names only. */
static void list_sinks(const struct mcp_config *conf, bool names)
{
    struct mcp_buf b;
    bool *used = mcp_calloc(conf->nroutes + 1, sizeof(*used));
    char target[1024];

    mcp_buf_init(&b);
    if (!names) {
        mcp_buf_puts(&b, "config: ");
        mcp_term_str(&b, conf->path ? conf->path
                                    : "(built in: no config file found)");
        mcp_buf_putc(&b, '\n');
        if (conf->nsinks == 0)
            mcp_buf_puts(&b, "no sinks configured\n");
        else
            mcp_buf_printf(&b, "%-16s %-8s %-8s %s\n", "NAME", "TYPE",
                           "ROUTES", "TARGET");
    }
    for (size_t k = 0; k < conf->nsinks; k++) {
        const struct mcp_sink_conf *s = &conf->sinks[k];
        size_t col;

        if (names) {
            mcp_term_str(&b, s->name);
            mcp_buf_putc(&b, '\n');
            continue;
        }
        mcp_term_pad(&b, s->name, 16);
        mcp_buf_printf(&b, " %-8s ", s->ops->name);
        col = b.len;
        for (size_t r = 0; r < conf->nroutes; r++)
            for (size_t i = 0; i < conf->routes[r].nsinks; i++)
                if (conf->routes[r].sinks[i] == k) {
                    mcp_buf_printf(&b, "%s%zu", b.len > col ? "," : "",
                                   r + 1);
                    used[r] = true;
                    break;
                }
        if (b.len == col)
            mcp_buf_puts(&b, "none");
        while (b.len < col + 8)
            mcp_buf_putc(&b, ' ');
        target[0] = '\0';
        if (s->ops->target != NULL)
            s->ops->target(s->ctx, target, sizeof(target));
        mcp_buf_putc(&b, ' ');
        mcp_term_str(&b, target);
        mcp_buf_putc(&b, '\n');
    }
    for (size_t r = 0; r < conf->nroutes && !names; r++)
        if (used[r]) {
            mcp_buf_printf(&b, "route %zu: ", r + 1);
            route_desc(&b, &conf->routes[r]);
            mcp_buf_putc(&b, '\n');
        }
    fwrite(b.data, 1, b.len, stdout);
    mcp_buf_free(&b);
    free(used);
}

static const struct option ls_opts[] = {
    {"config", required_argument, NULL, 'c'},
    {"names", no_argument, NULL, 'n'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* sinks [list] [--config FILE] [--names]; with_types: then the types. */
static int list_cmd(int argc, char **argv, bool with_types)
{
    const char *config = NULL;
    bool names = false;
    char err[MCP_ERRLEN] = "";
    struct mcp_config conf;
    int c;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", ls_opts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 'n': names = true; break;
        case 'h': fputs(sk_usage, stdout); return MCP_EXIT_OK;
        default:
            mcp_cli_bad_option(c, argv, "sinks list", ls_opts);
            return MCP_EXIT_USAGE;
        }
    }
    if (optind != argc)
        return mcp_cli_usage("sinks", "sinks list takes no arguments");
    if (mcp_config_load(&conf, config, err) != 0) {
        mcp_cli_error(err);
        return MCP_EXIT_USAGE;
    }
    list_sinks(&conf, names);
    mcp_config_free(&conf);
    if (with_types && !names) {
        printf("\nsink types (mcplog sinks --help TYPE):\n");
        list_types();
    }
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
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", sk_opts, NULL)) != -1) {
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
            mcp_cli_bad_option(c, argv, "sinks test", sk_opts);
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
    mcp_dispatch_report_retries(d);
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
    if (argc >= 2 && strcmp(argv[1], "list") == 0)
        return list_cmd(argc - 1, argv + 1, false);
    if (argc >= 2 && strcmp(argv[1], "types") == 0 && argc == 2)
        return list_types();
    if (argc < 2 || (argv[1][0] == '-' && strcmp(argv[1], "--help") != 0 &&
                     strcmp(argv[1], "-h") != 0))
        return list_cmd(argc, argv, true);
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
    {
        static const char *const verbs[] = {"list", "types", "test"};
        const char *hint = mcp_suggest(argv[1], verbs, 3);
        char msg[256];

        snprintf(msg, sizeof(msg), "sinks: unknown verb '%.64s'%s%s%s",
                 argv[1], hint ? " (did you mean '" : "", hint ? hint : "",
                 hint ? "'?)" : "");
        return mcp_cli_usage("sinks", msg);
    }
}
