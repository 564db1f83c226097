/* main.c - mcplog: the command line, wiring only. */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "cli/cli.h"

static const char usage[] =
    "usage: mcplog COMMAND [options]\n"
    "\n"
    "Log analysis and alerting for MCP servers (mcp_server.log,\n"
    "mcp_activity.log).\n"
    "\n"
    "commands:\n"
    "  scan         analyse a logs folder or files, live and archived\n"
    "  follow       follow the logs live through rotation, with alerts\n"
    "  test-rules   check the rules and show what they match\n"
    "  sinks        list the alert sinks; send a test alert through one\n"
    "  silence      add, list and expire silences\n"
    "  routes test  show where an alert would go\n"
    "  ps           list the MCP server processes and why each matched\n"
    "  cleanup      keep one server process, terminate the stale others\n"
    "  health       check the server, Nagios style (exit 0 to 3)\n"
    "  rules        list the rules in force and where each came from\n"
    "  mcp          serve MCP over stdio: tools for an agent\n"
    "\n"
    "  mcplog help COMMAND       options of a command (or COMMAND --help)\n"
    "  mcplog -V, --version\n";

/* The commands, as `mcplog NAME` runs them. */
static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
} commands[] = {
    {"scan", mcp_cmd_scan},
    {"follow", mcp_cmd_follow},
    {"test-rules", mcp_cmd_test_rules},
    {"routes", mcp_cmd_routes},
    {"silence", mcp_cmd_silence},
    {"ps", mcp_cmd_ps},
    {"cleanup", mcp_cmd_cleanup},
    {"health", mcp_cmd_health},
    {"sinks", mcp_cmd_sinks},
    {"rules", mcp_cmd_rules},
    {"mcp", mcp_cmd_mcp},
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* The command called name, or NULL after "mcplog: unknown command 'NAME'"
 * with the nearest command, or the hint to --help (exit 2). */
static int (*find(const char *name))(int, char **)
{
    static const char *const opts[] = {"help", "version"};
    const char *names[NCOMMANDS], *hint = NULL;
    char msg[256];

    for (size_t i = 0; i < NCOMMANDS; i++) {
        if (strcmp(name, commands[i].name) == 0)
            return commands[i].run;
        names[i] = commands[i].name;
    }
    if (name[0] != '-')
        hint = mcp_suggest(name, names, NCOMMANDS);
    else if (strncmp(name, "--", 2) == 0)
        hint = mcp_suggest(name + 2, opts, 2);
    if (hint != NULL)
        snprintf(msg, sizeof(msg), "unknown %s '%.64s' (did you mean "
                 "'%s%s'?)", name[0] == '-' ? "option" : "command", name,
                 name[0] == '-' ? "--" : "", hint);
    else
        snprintf(msg, sizeof(msg), "unknown %s '%.64s' (try 'mcplog "
                 "--help')", name[0] == '-' ? "option" : "command", name);
    mcp_cli_error(msg);
    return NULL;
}

int main(int argc, char **argv)
{
    int (*run)(int, char **);

    /* Byte semantics everywhere: log text is never locale-decoded. */
    setlocale(LC_ALL, "C");
    if (argc < 2) {
        fputs(usage, stderr);
        return MCP_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        (strcmp(argv[1], "help") == 0 && argc == 2)) {
        fputs(usage, stdout);
        return MCP_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
        printf("mcplog %s\n", MCP_VERSION);
        return MCP_EXIT_OK;
    }
    /* mcplog help CMD: the command's own --help. */
    if (strcmp(argv[1], "help") == 0) {
        char *help_argv[] = {argv[2], "--help", NULL};

        if (argc > 3) {
            mcp_cli_error("help takes one command (try 'mcplog --help')");
            return MCP_EXIT_USAGE;
        }
        if ((run = find(argv[2])) == NULL)
            return MCP_EXIT_USAGE;
        return run(2, help_argv);
    }
    if ((run = find(argv[1])) == NULL)
        return MCP_EXIT_USAGE;
    return run(argc - 1, argv + 1);
}
