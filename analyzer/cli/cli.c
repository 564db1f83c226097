/* cli.c - rule sources and messages shared by the subcommands. */
#include "cli/cli.h"

#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/config.h"
#include "input/clients.h"
#include "input/logset.h"
#include "base/path.h"
#include "input/reader.h"
#include "base/textout.h"
#include "base/timeexpr.h"
#include "base/timeparse.h"
#include "base/util.h"

int mcp_cli_add_rules_path(struct mcp_rule_sources *src, const char *path)
{
    if (src->npaths == sizeof(src->paths) / sizeof(src->paths[0])) {
        mcp_warnf("too many --rules options");
        return -1;
    }
    src->paths[src->npaths++] = path;
    return 0;
}

int mcp_cli_load_rules(struct mcp_ruleset *rs,
                       const struct mcp_rule_sources *src)
{
    char err[MCP_ERRLEN] = "";

    mcp_ruleset_init(rs);
    if (mcp_rules_load_sources(rs, src, err) == 0)
        return 0;
    mcp_cli_error(err);
    mcp_ruleset_free(rs);
    return -1;
}

const char *mcp_cli_rule_input(const struct mcp_rule *r)
{
    return r->source == MCP_SRC_GLOB       ? r->source_glob
           : r->source == MCP_SRC_SERVER   ? "server"
           : r->source == MCP_SRC_ACTIVITY ? "activity"
                                           : "any";
}

void mcp_cli_rule_when(struct mcp_buf *b, const struct mcp_rule *r)
{
    if (r->has_threshold)
        mcp_buf_printf(b, "more than %lld in %s",
                       (long long)r->threshold_count, r->window_src);
    else if (r->has_expect)
        mcp_buf_printf(b, "expect within %s", r->within_src);
    else if (r->severity != MCP_SEV_NONE)
        mcp_buf_puts(b, "every match");
    else
        mcp_buf_puts(b, "counts");
}

void mcp_cli_check_rule(const char *cmd, const char *name)
{
    struct mcp_rule_sources src = {.probes = true};
    struct mcp_ruleset rs;
    char err[MCP_ERRLEN] = "", msg[MCP_ERRLEN];
    const char **names;
    const char *hint;

    mcp_ruleset_init(&rs);
    if (mcp_rules_load_sources(&rs, &src, err) != 0) {
        mcp_ruleset_free(&rs);
        return;
    }
    names = mcp_calloc(rs.n + 1, sizeof(*names));
    for (size_t i = 0; i < rs.n; i++) {
        if (fnmatch(name, rs.rules[i].name, 0) == 0)
            goto out;
        names[i] = rs.rules[i].name;
    }
    hint = mcp_suggest(name, names, rs.n);
    snprintf(msg, sizeof(msg), "%s: no loaded rule is called '%s'%s%s%s",
             cmd, name, hint ? " (did you mean '" : "", hint ? hint : "",
             hint ? "'?)" : "");
    mcp_cli_error(msg);
out:
    free(names);
    mcp_ruleset_free(&rs);
}

int mcp_cli_time(const char *cmd, const char *opt, const char *arg,
                 int64_t *t)
{
    char err[MCP_ERRLEN] = "", msg[MCP_ERRLEN + 32];

    if (arg == NULL || mcp_time_parse_expr(arg, mcp_wall_ms(), t, err) == 0)
        return 0;
    snprintf(msg, sizeof(msg), "--%s: %s", opt, err);
    mcp_cli_usage(cmd, msg);
    return -1;
}

int mcp_cli_config(struct mcp_config *c, const char *path,
                   const char *server_dir, char *err)
{
    if (mcp_config_load(c, path, err) != 0)
        return -1;
    if (server_dir != NULL &&
        mcp_procconf_server_dir(&c->proc, server_dir, err) != 0) {
        mcp_config_free(c);
        return -1;
    }
    return 0;
}

void mcp_cli_no_logs(const char *cmd, char *msg, size_t len)
{
    snprintf(msg, len, "no ./logs here: give the logs folder, e.g. mcplog %s "
             "~/hestai-mcp-server/logs", cmd);
}

int mcp_cli_config_clients(struct mcp_cli_common *co, const char *config)
{
    struct mcp_config cc;
    char err[MCP_ERRLEN] = "";

    if (co->clients_set)
        return 0;
    if (mcp_config_load(&cc, config, err) != 0) {
        mcp_cli_error(err);
        return -1;
    }
    co->clients = cc.clients;
    co->clients_set = cc.clients_set;
    mcp_config_free(&cc);
    return 0;
}

int mcp_cli_default_logs(const char *cmd, int npaths, size_t nsources)
{
    struct stat st;
    char msg[160];

    if (npaths > 0 || nsources > 0 || lstat("logs", &st) == 0 ||
        errno != ENOENT)
        return 0;
    mcp_cli_no_logs(cmd, msg, sizeof(msg));
    mcp_cli_error(msg);
    return -1;
}

int mcp_cli_time_range(const char *since, const char *until, int64_t now,
                       int64_t *s, int64_t *u, char *err)
{
    char e[MCP_ERRLEN] = "", a[MCP_TIME_ISO_LEN], b[MCP_TIME_ISO_LEN];

    if (since != NULL && mcp_time_parse_expr(since, now, s, e) != 0) {
        mcp_errf(err, "--since: %s", e);
        return -1;
    }
    if (until != NULL && mcp_time_parse_expr(until, now, u, e) != 0) {
        mcp_errf(err, "--until: %s", e);
        return -1;
    }
    if (since != NULL && until != NULL && *s > *u) {
        mcp_time_format_iso(*s, a, sizeof(a));
        mcp_time_format_iso(*u, b, sizeof(b));
        mcp_errf(err, "--since (%s) is later than --until (%s)", a, b);
        return -1;
    }
    return 0;
}

void mcp_cli_error(const char *msg)
{
    mcp_term_warn(msg);
}

int mcp_cli_max_inflate(const char *arg, unsigned *ratio, char *err)
{
    char *end;
    unsigned long v;

    errno = 0;
    v = strtoul(arg, &end, 10);
    if (arg[0] < '0' || arg[0] > '9' || *end != '\0' || errno != 0 ||
        v > 1000000) {
        mcp_errf(err, "--max-inflate takes a whole ratio (inflated bytes per "
                 "compressed byte) up to 1000000, or 0 for no bound");
        return -1;
    }
    *ratio = v == 0 ? MCP_INFLATE_NONE : (unsigned)v;
    return 0;
}

void mcp_cli_option_msg(char *msg, size_t len, int c, char **argv,
                        const char *cmd, const struct option *longopts)
{
    const char *opt = optind > 0 ? argv[optind - 1] : "";
    const char *names[128], *hint = NULL;
    char name[64];
    size_t n = 0, l;

    if (c == ':') {
        snprintf(msg, len, "%s: option '%s' needs a value", cmd, opt);
        return;
    }
    /* "--name=value" or "--name": the name alone, against the table. */
    l = strncmp(opt, "--", 2) == 0 ? strcspn(opt + 2, "=") : 0;
    if (l > 0 && l < sizeof(name)) {
        memcpy(name, opt + 2, l);
        name[l] = '\0';
        for (; longopts[n].name != NULL && n < 128; n++) {
            names[n] = longopts[n].name;
            if (strcmp(name, names[n]) == 0 && opt[2 + l] == '=') {
                snprintf(msg, len, "%s: option '--%s' takes no value", cmd,
                         name);
                return;
            }
        }
        hint = mcp_suggest(name, names, n);
    }
    if (hint != NULL)
        snprintf(msg, len, "%s: unknown option '%s' (did you mean '--%s'?)",
                 cmd, opt, hint);
    else
        snprintf(msg, len, "%s: unknown option '%s'", cmd, opt);
}

void mcp_cli_bad_option(int c, char **argv, const char *cmd,
                        const struct option *longopts)
{
    char msg[MCP_ERRLEN];

    mcp_cli_option_msg(msg, sizeof(msg), c, argv, cmd, longopts);
    mcp_cli_usage(cmd, msg);
}

int mcp_cli_usage(const char *cmd, const char *msg)
{
    mcp_cli_error(msg);
    fprintf(stderr, "Try 'mcplog %s --help'.\n", cmd);
    return MCP_EXIT_USAGE;
}

/* "mcplog: msg" and the hint to the command's help; -1. */
static int usage(const char *cmd, const char *msg)
{
    mcp_cli_usage(cmd, msg);
    return -1;
}

/* Take option c into o when it is a shared one: 1, 0 when it is not, -1
 * after an error. */
static int common_opt(struct mcp_cli_common *o, int c, const char *arg,
                      const char *cmd)
{
    char err[MCP_ERRLEN] = "";

    switch (c) {
    case MCP_CLI_OPT_RULES:
        return mcp_cli_add_rules_path(&o->rules, arg) == 0 ? 1 : -1;
    case MCP_CLI_OPT_NO_DEFAULT:
        o->rules.no_default = true;
        return 1;
    case MCP_CLI_OPT_TZ:
        if (mcp_time_set_tz(arg, err) != 0)
            return usage(cmd, err);
        o->tz = arg;
        return 1;
    case MCP_CLI_OPT_MAX_INFLATE:
        if (mcp_cli_max_inflate(arg, &o->max_inflate, err) != 0)
            return usage(cmd, err);
        return 1;
    case MCP_CLI_OPT_SOURCE:
        if (strchr(arg, '=') == NULL || arg[0] == '=')
            return usage(cmd, "--source takes NAME=PATH");
        if (o->nsources == MCP_CLI_MAX_SOURCES)
            return usage(cmd, "too many --source options");
        o->sources[o->nsources++] = arg;
        return 1;
    case MCP_CLI_OPT_CLIENT:
        if (mcp_clients_parse(arg, &o->clients, err) != 0)
            return usage(cmd, err);
        o->clients_set = true;
        return 1;
    case MCP_CLI_OPT_SERVER:
        if (arg[0] == '\0')
            return usage(cmd, "--server takes a server name");
        o->server = arg;
        return 1;
    case MCP_CLI_OPT_MAX_LINE: {
        char *end;
        unsigned long long v = strtoull(arg, &end, 10);

        if (*end != '\0' || v < 64 || v > 256ull * 1024 * 1024)
            return usage(cmd, "--max-line takes a byte count from 64 to "
                              "268435456");
        o->max_line = (size_t)v;
        return 1;
    }
    default:
        return 0;
    }
}

int mcp_cli_getopt(int argc, char **argv, const char *shortopts,
                   const struct option *longopts, struct mcp_cli_common *o,
                   const char *cmd)
{
    int c, rc;

    opterr = 0;
    while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        rc = common_opt(o, c, optarg, cmd);
        if (rc < 0)
            return MCP_CLI_OPT_ERROR;
        if (rc == 0)
            return c;
    }
    return -1;
}
