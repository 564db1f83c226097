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

/* Initialise rs and load every source into it. Returns 0, or -1 after
 * printing the error ("mcplog: file:line:col: cause"), rs left empty. */
int mcp_cli_load_rules(struct mcp_ruleset *rs,
                       const struct mcp_rule_sources *src);

/* Add one --rules argument; -1 (with a message printed) when too many. */
int mcp_cli_add_rules_path(struct mcp_rule_sources *src, const char *path);

/* Parse --max-inflate RATIO: a whole number up to 1000000, 0 for no
 * bound. Returns 0 with *ratio in mcp_reader_set_max_inflate's terms, or
 * -1 with the message in err. */
int mcp_cli_max_inflate(const char *arg, unsigned *ratio, char *err);

/* The options scan, follow and test-rules share, parsed in one place:
 * put MCP_CLI_COMMON_OPTIONS (and, for the commands that read a log set,
 * MCP_CLI_INPUT_OPTIONS) in the command's getopt_long table and hand every
 * code getopt_long returns to mcp_cli_common_opt() first. */
enum {
    MCP_CLI_OPT_RULES = 1000,      /* --rules PATH */
    MCP_CLI_OPT_NO_DEFAULT,        /* --no-default-rules */
    MCP_CLI_OPT_TZ,                /* --tz ZONE */
    MCP_CLI_OPT_MAX_INFLATE,       /* --max-inflate RATIO */
    MCP_CLI_OPT_SOURCE,            /* --source NAME=PATH */
    MCP_CLI_OPT_MAX_LINE,          /* --max-line BYTES */
};
#define MCP_CLI_COMMON_OPTIONS                                              \
    {"rules", required_argument, NULL, MCP_CLI_OPT_RULES},                 \
    {"no-default-rules", no_argument, NULL, MCP_CLI_OPT_NO_DEFAULT},       \
    {"tz", required_argument, NULL, MCP_CLI_OPT_TZ},                       \
    {"max-inflate", required_argument, NULL, MCP_CLI_OPT_MAX_INFLATE}
#define MCP_CLI_INPUT_OPTIONS                                               \
    {"source", required_argument, NULL, MCP_CLI_OPT_SOURCE},               \
    {"max-line", required_argument, NULL, MCP_CLI_OPT_MAX_LINE}

#define MCP_CLI_MAX_SOURCES 64

struct mcp_cli_common {
    struct mcp_rule_sources rules;
    const char *sources[MCP_CLI_MAX_SOURCES]; /* --source NAME=PATH */
    size_t nsources;
    size_t max_line;               /* 0: MCP_MAX_LINE_DEFAULT */
    unsigned max_inflate;          /* 0: MCP_INFLATE_DEFAULT */
    const char *tz;                /* --tz as given (argv), or NULL */
};

/* getopt_long for the command cmd (opterr off: messages are ours) that
 * takes the shared options into o itself (--tz is applied at once, so
 * that it holds for the times read after the options). Returns the next
 * option of the command's own (a code, '?' or ':' for
 * mcp_cli_bad_option), -1 after the last, or MCP_CLI_OPT_ERROR after
 * printing the error of a shared one and "Try 'mcplog CMD --help'." (exit
 * 2). Start with optind = 1. */
#define MCP_CLI_OPT_ERROR (-2)
struct option;
int mcp_cli_getopt(int argc, char **argv, const char *shortopts,
                   const struct option *longopts, struct mcp_cli_common *o,
                   const char *cmd);

/* Report what getopt_long rejected (it returned c, '?' or ':') for the
 * subcommand cmd, with a hint to its --help. */
void mcp_cli_bad_option(int c, char **argv, const char *cmd);

/* A usage error of the command cmd: "mcplog: <msg>" (sanitized), then
 * "Try 'mcplog CMD --help'.". Returns MCP_EXIT_USAGE. */
int mcp_cli_usage(const char *cmd, const char *msg);

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
