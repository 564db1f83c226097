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

/* The probe rules of a rules folder, when it has them. */
static int load_probes(struct mcp_ruleset *rs, const char *dir, char *err)
{
    char path[PATH_MAX + 32];

    snprintf(path, sizeof(path), "%s/%s", dir, MCP_RULES_PROBES);
    if (access(path, F_OK) != 0)
        return 0;
    return mcp_rules_load(rs, path, err);
}

static int load_all(struct mcp_ruleset *rs,
                    const struct mcp_rule_sources *src, char *err)
{
    char user[PATH_MAX];
    struct stat st;

    if (!src->no_default &&
        (mcp_rules_load(rs, mcp_path_rules_dir(), err) != 0 ||
         (src->probes && load_probes(rs, mcp_path_rules_dir(), err) != 0)))
        return -1;
    if (!src->no_default &&
        mcp_path_xdg("XDG_CONFIG_HOME", ".config", "mcplog/rules", user,
                     sizeof(user)) &&
        stat(user, &st) == 0 && S_ISDIR(st.st_mode) &&
        (mcp_rules_load(rs, user, err) != 0 ||
         (src->probes && load_probes(rs, user, err) != 0)))
        return -1;
    for (size_t i = 0; i < src->npaths; i++)
        if (mcp_rules_load(rs, src->paths[i], err) != 0)
            return -1;
    return 0;
}

int mcp_cli_load_rules(struct mcp_ruleset *rs,
                       const struct mcp_rule_sources *src)
{
    char err[MCP_ERRLEN] = "";

    mcp_ruleset_init(rs);
    if (load_all(rs, src, err) == 0)
        return 0;
    mcp_cli_error(err);
    mcp_ruleset_free(rs);
    return -1;
}

void mcp_cli_error(const char *msg)
{
    struct mcp_buf b;

    mcp_buf_init(&b);
    mcp_sanitize_term(&b, msg, strlen(msg));
    mcp_warnf("%s", b.data ? b.data : "");
    mcp_buf_free(&b);
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
    mcp_cli_error(msg);
    fprintf(stderr, "Try 'mcplog %s --help'.\n", cmd);
}

static void add_path(struct mcp_logset *ls, const char *path, bool follow,
                     char *err)
{
    struct stat st;

    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        if (follow)
            mcp_logset_add_dir_expected(ls, path, err);
        else
            mcp_logset_add_dir(ls, path, err);
        return;
    }
    mcp_logset_add_file(ls, path, NULL, err);
}

int mcp_cli_logset(struct mcp_logset *ls, char **paths, int npaths,
                   const char *const *sources, size_t nsources, bool follow,
                   char *err)
{
    mcp_logset_init(ls);
    for (int i = 0; i < npaths && err[0] == '\0'; i++)
        add_path(ls, paths[i], follow, err);
    for (size_t i = 0; i < nsources && err[0] == '\0'; i++) {
        char *name = mcp_strdup(sources[i]);
        char *eq = strchr(name, '=');

        *eq = '\0'; /* checked when the option was read */
        mcp_logset_add_file(ls, eq + 1, name, err);
        free(name);
    }
    if (err[0] == '\0' && npaths == 0 && nsources == 0)
        add_path(ls, "logs", follow, err);
    if (err[0] != '\0') {
        mcp_logset_free(ls);
        return -1;
    }
    mcp_logset_finish(ls);
    return 0;
}
