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
    if (strcmp(argv[1], "scan") == 0)
        return mcp_cmd_scan(argc - 1, argv + 1);
    if (strcmp(argv[1], "follow") == 0)
        return mcp_cmd_follow(argc - 1, argv + 1);
    if (strcmp(argv[1], "test-rules") == 0)
        return mcp_cmd_test_rules(argc - 1, argv + 1);
    if (strcmp(argv[1], "routes") == 0)
        return mcp_cmd_routes(argc - 1, argv + 1);
    if (strcmp(argv[1], "silence") == 0)
        return mcp_cmd_silence(argc - 1, argv + 1);
    if (strcmp(argv[1], "ps") == 0)
        return mcp_cmd_ps(argc - 1, argv + 1);
    if (strcmp(argv[1], "cleanup") == 0)
        return mcp_cmd_cleanup(argc - 1, argv + 1);
    if (strcmp(argv[1], "health") == 0)
        return mcp_cmd_health(argc - 1, argv + 1);
    if (strcmp(argv[1], "sinks") == 0)
        return mcp_cmd_sinks(argc - 1, argv + 1);
    mcp_cli_error("unknown command (try 'mcplog --help')");
    return MCP_EXIT_USAGE;
}
