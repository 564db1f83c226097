/* cli.c - rule sources and messages shared by the subcommands. */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "input/logset.h"
#include "base/path.h"
#include "input/reader.h"
#include "base/textout.h"
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

void mcp_cli_bad_option(int c, char **argv, const char *cmd)
{
    char msg[MCP_ERRLEN];
    const char *opt = optind > 0 ? argv[optind - 1] : "";

    if (c == ':')
        snprintf(msg, sizeof(msg), "%s: option '%s' needs a value", cmd,
                 opt);
    else
        snprintf(msg, sizeof(msg), "%s: unknown option '%s'", cmd, opt);
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
