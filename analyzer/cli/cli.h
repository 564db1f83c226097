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

/* The input a rule reads, as test-rules and rules show it: "server",
 * "activity", "any" or its source glob (borrowed from r). */
const char *mcp_cli_rule_input(const struct mcp_rule *r);

/* When rule r alerts, appended to b: "more than 5 in 1h", "expect within
 * 30s", "every match", or "counts" for a counting rule. */
struct mcp_buf;
void mcp_cli_rule_when(struct mcp_buf *b, const struct mcp_rule *r);

/* Warn "mcplog: CMD: no loaded rule is called 'X' (did you mean 'Y'?)"
 * when no rule of the shipped and user rules (follow's probe rules
 * included) matches the glob name (routes test --rule, silence add). A
 * warning only: the rule may come from a --rules of follow. Silent when
 * those rules do not load (follow and scan say why). */
void mcp_cli_check_rule(const char *cmd, const char *name);

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
    MCP_CLI_OPT_CLIENT,            /* --client NAME */
    MCP_CLI_OPT_SERVER,            /* --server NAME */
};
#define MCP_CLI_COMMON_OPTIONS                                              \
    {"rules", required_argument, NULL, MCP_CLI_OPT_RULES},                 \
    {"no-default-rules", no_argument, NULL, MCP_CLI_OPT_NO_DEFAULT},       \
    {"tz", required_argument, NULL, MCP_CLI_OPT_TZ},                       \
    {"max-inflate", required_argument, NULL, MCP_CLI_OPT_MAX_INFLATE}
#define MCP_CLI_INPUT_OPTIONS                                               \
    {"source", required_argument, NULL, MCP_CLI_OPT_SOURCE},               \
    {"max-line", required_argument, NULL, MCP_CLI_OPT_MAX_LINE},            \
    {"client", required_argument, NULL, MCP_CLI_OPT_CLIENT},               \
    {"server", required_argument, NULL, MCP_CLI_OPT_SERVER}

#define MCP_CLI_MAX_SOURCES 64

struct mcp_cli_common {
    struct mcp_rule_sources rules;
    const char *sources[MCP_CLI_MAX_SOURCES]; /* --source NAME=PATH */
    size_t nsources;
    size_t max_line;               /* 0: MCP_MAX_LINE_DEFAULT */
    unsigned max_inflate;          /* 0: MCP_INFLATE_DEFAULT */
    const char *tz;                /* --tz as given (argv), or NULL */
    unsigned clients;              /* --client (input/clients.h) */
    bool clients_set;              /* --client given (over the config's) */
    const char *server;            /* --server NAME, or NULL */
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

/* What getopt_long rejected (it returned c, '?' or ':') for the
 * subcommand cmd, as one message in msg (len bytes): the option named,
 * "needs a value", "takes no value", or "unknown option '--sumary' (did
 * you mean '--summary'?)" from the command's table longopts. */
void mcp_cli_option_msg(char *msg, size_t len, int c, char **argv,
                        const char *cmd, const struct option *longopts);

/* Print that message and the hint to the command's --help (exit 2). */
void mcp_cli_bad_option(int c, char **argv, const char *cmd,
                        const struct option *longopts);

/* A usage error of the command cmd: "mcplog: <msg>" (sanitized), then
 * "Try 'mcplog CMD --help'.". Returns MCP_EXIT_USAGE. */
int mcp_cli_usage(const char *cmd, const char *msg);

/* --since and --until (either may be NULL: *since / *until untouched)
 * against now (ms; the wall clock, read once). Returns 0, or -1 with
 * "--since: bad time ..." or "--since (A) is later than --until (B)" in
 * err (MCP_ERRLEN), printing nothing: scan makes it a usage error, health
 * an UNKNOWN. Call after every option was read (--tz). */
int mcp_cli_time_range(const char *since, const char *until, int64_t now,
                       int64_t *s, int64_t *u, char *err);

/* Read the time arg of option --opt of command cmd (timeexpr.h: "2h
 * ago", "today", "14:00", ... against the wall clock; NULL leaves *t).
 * Returns 0, or -1 after the usage error (exit 2). Call after every
 * option was read, so that --tz holds wherever it stands. */
int mcp_cli_time(const char *cmd, const char *opt, const char *arg,
                 int64_t *t);

/* Load the config as mcp_config_load (path may be NULL), then apply
 * --server-dir server_dir when not NULL (mcp_procconf_server_dir).
 * Returns 0, or -1 with the cause in err and nothing held. */
struct mcp_config;
int mcp_cli_config(struct mcp_config *c, const char *path,
                   const char *server_dir, char *err);

/* No --client: the clients of the configuration's clients: (config, or
 * the search of mcplog.yaml(5)) into co. Returns 0, or -1 after the
 * error message (a bad configuration: exit 2). */
int mcp_cli_config_clients(struct mcp_cli_common *co, const char *config);

/* Without a DIR, FILE or --source, scan and follow read ./logs; when
 * there is none, say what to give. Returns 0, or -1 after "mcplog: no
 * ./logs here: give the logs folder, e.g. mcplog CMD
 * ~/hestai-mcp-server/logs" (exit 2). mcp_cli_no_logs writes that text
 * (without "mcplog: ") into msg (len bytes) for health's checks. */
int mcp_cli_default_logs(const char *cmd, int npaths, size_t nsources);
void mcp_cli_no_logs(const char *cmd, char *msg, size_t len);

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
int mcp_cmd_rules(int argc, char **argv);
int mcp_cmd_mcp(int argc, char **argv);

#endif
