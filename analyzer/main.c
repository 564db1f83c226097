/* main.c - mcplog: the command line, wiring only. */
#include <locale.h>
#include <stdio.h>
#include <string.h>

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
    "\n"
    "  mcplog COMMAND --help     options of a command\n"
    "  mcplog --version\n";

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
};

int main(int argc, char **argv)
{
    /* Byte semantics everywhere: log text is never locale-decoded. */
    setlocale(LC_ALL, "C");
    if (argc < 2) {
        fputs(usage, stderr);
        return MCP_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(usage, stdout);
        return MCP_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("mcplog %s\n", MCP_VERSION);
        return MCP_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    mcp_cli_error("unknown command (try 'mcplog --help')");
    return MCP_EXIT_USAGE;
}
