/* cmd_rules.c - `mcplog rules`: the rules in force, and where each came
 * from (shipped, user, --rules), as scan and follow load them. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "base/path.h"
#include "base/textout.h"
#include "base/util.h"
#include "cli/cli.h"

static const char ru_usage[] =
    "usage: mcplog rules [--rules PATH] [--no-default-rules] [--names]\n"
    "\n"
    "List the rules in force, in the order they are loaded: the shipped\n"
    "rules, the user's (~/.config/mcplog/rules), then each --rules PATH; a\n"
    "later rule of the same name replaces an earlier one. The probe rules\n"
    "(input probe, probes.yaml) are follow's only. FROM says which source\n"
    "and the file and line of the rule.\n"
    "\n"
    "  --rules PATH           also load rules from a file or folder\n"
    "  --no-default-rules     skip the shipped and user rules\n"
    "  --names                the names alone, one a line\n"
    "  -h, --help             this help\n";

enum { OPT_NAMES = 256 };

static const struct option ru_opts[] = {
    {"rules", required_argument, NULL, MCP_CLI_OPT_RULES},
    {"no-default-rules", no_argument, NULL, MCP_CLI_OPT_NO_DEFAULT},
    {"names", no_argument, NULL, OPT_NAMES},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Whether path lies in the folder dir. */
static bool under(const char *path, const char *dir)
{
    size_t l = strlen(dir);

    return l > 0 && strncmp(path, dir, l) == 0 && path[l] == '/';
}

static void list(const struct mcp_ruleset *rs, bool names)
{
    char user[PATH_MAX] = "";
    struct mcp_buf b;

    if (!mcp_path_xdg("XDG_CONFIG_HOME", ".config", "mcplog/rules", user,
                      sizeof(user)))
        user[0] = '\0';
    mcp_buf_init(&b);
    if (!names && rs->n > 0)
        mcp_buf_printf(&b, "%-20s %-9s %-8s %-20s %s\n", "RULE", "SEVERITY",
                       "INPUT", "WHEN", "FROM");
    for (size_t i = 0; i < rs->n; i++) {
        const struct mcp_rule *r = &rs->rules[i];
        struct mcp_buf when;

        if (names) {
            mcp_term_str(&b, r->name);
            mcp_buf_putc(&b, '\n');
            continue;
        }
        mcp_buf_init(&when);
        mcp_cli_rule_when(&when, r);
        mcp_term_pad(&b, r->name, 20);
        mcp_buf_printf(&b, " %-9s ",
                       r->severity ? mcp_severity_name(r->severity) : "count");
        mcp_term_pad(&b, mcp_cli_rule_input(r), 8);
        mcp_buf_putc(&b, ' ');
        mcp_term_pad(&b, when.data, 20);
        mcp_buf_printf(&b, " %s ",
                       under(r->file, mcp_path_rules_dir()) ? "shipped"
                       : under(r->file, user)              ? "user"
                                                           : "--rules");
        mcp_term_str(&b, r->file);
        mcp_buf_printf(&b, ":%d\n", r->line);
        mcp_buf_free(&when);
    }
    if (!names && rs->n == 0)
        mcp_buf_puts(&b, "no rules in force\n");
    fwrite(b.data, 1, b.len, stdout);
    mcp_buf_free(&b);
}

int mcp_cmd_rules(int argc, char **argv)
{
    struct mcp_cli_common co = {0};
    struct mcp_ruleset rs;
    bool names = false;
    int c;

    optind = 1;
    while ((c = mcp_cli_getopt(argc, argv, ":h", ru_opts, &co, "rules")) !=
           -1) {
        switch (c) {
        case MCP_CLI_OPT_ERROR:
            return MCP_EXIT_USAGE;
        case OPT_NAMES:
            names = true;
            break;
        case 'h':
            fputs(ru_usage, stdout);
            return MCP_EXIT_OK;
        default:
            mcp_cli_bad_option(c, argv, "rules", ru_opts);
            return MCP_EXIT_USAGE;
        }
    }
    if (optind != argc)
        return mcp_cli_usage("rules", "rules takes no arguments");
    co.rules.probes = true;
    if (mcp_cli_load_rules(&rs, &co.rules) != 0)
        return MCP_EXIT_USAGE;
    list(&rs, names);
    mcp_ruleset_free(&rs);
    return MCP_EXIT_OK;
}
