/* cmd_mcp.c - `mcplog mcp`: mcplog as an MCP server over stdio (the
 * server is mcpserver/; this file reads the options and guards stdout). */
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/jsonrpc.h"
#include "base/statedir.h"
#include "base/util.h"
#include "cli/cli.h"
#include "conf/config.h"
#include "mcpserver/server.h"

static const char mcp_usage[] =
    "usage: mcplog mcp [options] [DIR|FILE...]\n"
    "\n"
    "Serve MCP over stdio (JSON-RPC 2.0, one message per line), so that\n"
    "the agent of an MCP client can ask what is wrong with its servers.\n"
    "Tools: status, scan, explain_server, and cleanup when mcplog.yaml\n"
    "has mcp: {allow_cleanup: true}. The options are the tools' defaults;\n"
    "DIR|FILE are the logs they read (default server.logs, else ./logs).\n"
    "Only protocol goes to stdout; every notice goes to stderr.\n"
    "\n"
    "  --config FILE          mcplog.yaml (server:, health:, cleanup:, mcp:)\n"
    "  --server-dir DIR       the server's folder (server: dir; its logs\n"
    "                         DIR/logs unless server: logs is set)\n"
    "  --rules PATH           also load rules from a file or folder\n"
    "  --no-default-rules     skip the shipped and user rules\n"
    "  --tz ZONE              zone of the logs' naive times (default: TZ)\n"
    "  --max-inflate RATIO    gzip: a member inflating over RATIO:1\n"
    "                         past 64 MiB is damage (default 200, 0: none)\n"
    "  --state FILE           follow's checkpoint, read by status (default\n"
    "                         $XDG_STATE_HOME/mcplog/state)\n"
    "  --max-request BYTES    longest request line (default 1 MiB, at most\n"
    "                         64 MiB)\n"
    "  -h, --help             this help\n";

enum { OPT_CONFIG = 256, OPT_SERVER_DIR, OPT_STATE, OPT_MAX_REQUEST };

static const struct option mcp_opts[] = {
    MCP_CLI_COMMON_OPTIONS,
    {"config", required_argument, NULL, OPT_CONFIG},
    {"server-dir", required_argument, NULL, OPT_SERVER_DIR},
    {"state", required_argument, NULL, OPT_STATE},
    {"max-request", required_argument, NULL, OPT_MAX_REQUEST},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* The protocol gets its own descriptor; fd 1 becomes stderr, so that
 * nothing else (a library's printf, a stray message) can reach the
 * client's stdout. Returns the protocol's fd, or -1. */
static int guard_stdout(void)
{
    int fd;

    fflush(stdout);
    fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
    if (fd < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
        return -1;
    return fd;
}

int mcp_cmd_mcp(int argc, char **argv)
{
    struct mcp_cli_common co = {0};
    struct mcp_srv_opts so = {0};
    struct mcp_rule_sources fsrc;
    const char *config = NULL, *server_dir = NULL;
    char err[MCP_ERRLEN] = "";
    struct mcp_config conf;
    struct mcp_ruleset rs, rsf;
    int c, fd, rc;

    so.state_path = mcp_state_default_path();
    optind = 1;
    while ((c = mcp_cli_getopt(argc, argv, ":h", mcp_opts, &co, "mcp")) !=
           -1) {
        switch (c) {
        case MCP_CLI_OPT_ERROR:
            return MCP_EXIT_USAGE;
        case OPT_CONFIG:
            config = optarg;
            break;
        case OPT_SERVER_DIR:
            server_dir = optarg;
            break;
        case OPT_STATE:
            so.state_path = optarg;
            break;
        case OPT_MAX_REQUEST: {
            uint64_t b;

            if (mcp_size_parse(optarg, &b, err) != 0 || b < 1024 ||
                b > 64u * 1024 * 1024)
                return mcp_cli_usage("mcp", "--max-request takes a size "
                                            "from 1KiB to 64MiB");
            so.max_request = (size_t)b;
            break;
        }
        case 'h':
            fputs(mcp_usage, stdout);
            return MCP_EXIT_OK;
        default:
            mcp_cli_bad_option(c, argv, "mcp", mcp_opts);
            return MCP_EXIT_USAGE;
        }
    }
    if (mcp_cli_config(&conf, config, server_dir, err) != 0) {
        mcp_cli_error(err);
        return MCP_EXIT_USAGE;
    }
    /* The client rules always: every tool may read the clients' logs. */
    co.rules.clients = true;
    fsrc = co.rules;
    fsrc.probes = true;
    if (mcp_cli_load_rules(&rs, &co.rules) != 0) {
        mcp_config_free(&conf);
        return MCP_EXIT_USAGE;
    }
    if (mcp_cli_load_rules(&rsf, &fsrc) != 0) {
        mcp_ruleset_free(&rs);
        mcp_config_free(&conf);
        return MCP_EXIT_USAGE;
    }
    so.conf = &conf;
    so.rs = &rs;
    so.rs_follow = &rsf;
    so.paths = argv + optind;
    so.npaths = argc - optind;
    so.max_inflate = co.max_inflate;
    so.max_line = co.max_line;
    signal(SIGPIPE, SIG_IGN);
    fd = guard_stdout();
    if (fd < 0) {
        mcp_warnf("mcp: cannot set up stdout");
        rc = MCP_EXIT_USAGE;
    } else {
        rc = mcp_srv_run(&so, STDIN_FILENO, fd) == 0 ? MCP_EXIT_OK
                                                      : MCP_EXIT_DAMAGED;
        close(fd);
    }
    mcp_ruleset_free(&rsf);
    mcp_ruleset_free(&rs);
    mcp_config_free(&conf);
    return rc;
}
