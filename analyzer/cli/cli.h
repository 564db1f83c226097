/* cli.h - what the subcommands share: exit codes, rule sources. */
#ifndef MCP_CLI_H
#define MCP_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "base/mcp.h"
#include "match/rules.h"

enum {
    MCP_EXIT_OK = 0,
    MCP_EXIT_DAMAGED = 1,   /* some input was damaged */
    MCP_EXIT_USAGE = 2,     /* usage or configuration error */
    MCP_EXIT_ALERT = 3,     /* --fail-on: such an alert fired */
};

/* Where rules come from, in load order: the shipped rules and
 * $XDG_CONFIG_HOME/mcplog/rules (~/.config when unset), both unless
 * no_default, each followed by its probes.yaml when probes is set, then
 * each --rules PATH. */
struct mcp_rule_sources {
    bool no_default;
    bool probes;            /* follow: also the probes.yaml of the shipped
                               and the user folder, after each folder */
    const char *paths[32];
    size_t npaths;
};

/* Initialise rs and load every source into it. Returns 0, or -1 after
 * printing the error ("mcplog: file:line:col: cause"), rs left empty. */
int mcp_cli_load_rules(struct mcp_ruleset *rs,
                       const struct mcp_rule_sources *src);

/* Add one --rules argument; -1 (with a message printed) when too many. */
int mcp_cli_add_rules_path(struct mcp_rule_sources *src, const char *path);

/* Fill ls from the command line: each of paths[0..npaths) (a folder is
 * a logs folder; with follow, its families may be missing yet), then each
 * --source NAME=PATH of sources[0..nsources), or ./logs when both are
 * empty. Returns 0 with ls finished, or -1 with the first error in err
 * and ls freed. ls is initialised here. */
struct mcp_logset;
int mcp_cli_logset(struct mcp_logset *ls, char **paths, int npaths,
                   const char *const *sources, size_t nsources, bool follow,
                   char *err);

/* Parse --max-inflate RATIO: a whole number up to 1000000, 0 for no
 * bound. Returns 0 with *ratio in mcp_reader_set_max_inflate's terms, or
 * -1 with the message in err. */
int mcp_cli_max_inflate(const char *arg, unsigned *ratio, char *err);

/* Report what getopt_long rejected (it returned c, '?' or ':') for the
 * subcommand cmd, with a hint to its --help. */
void mcp_cli_bad_option(int c, char **argv, const char *cmd);

/* Print "mcplog: <msg>" with msg sanitized for the terminal. */
void mcp_cli_error(const char *msg);

int mcp_cmd_scan(int argc, char **argv);
int mcp_cmd_test_rules(int argc, char **argv);
int mcp_cmd_follow(int argc, char **argv);
int mcp_cmd_sinks(int argc, char **argv);
int mcp_cmd_silence(int argc, char **argv);
int mcp_cmd_routes(int argc, char **argv);
int mcp_cmd_ps(int argc, char **argv);
int mcp_cmd_cleanup(int argc, char **argv);
int mcp_cmd_health(int argc, char **argv);

#endif
