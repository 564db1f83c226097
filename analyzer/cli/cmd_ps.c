/* cmd_ps.c - `mcplog ps`: the MCP server processes and why each matched. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "conf/config.h"
#include "proc/procs.h"
#include "base/textout.h"
#include "base/util.h"

static const char ps_usage[] =
    "usage: mcplog ps [--config FILE] [--server-dir DIR] [--json]\n"
    "\n"
    "List the MCP server processes that `server:` in mcplog.yaml matches:\n"
    "PID, start time, uptime, RSS, whether each has the current log files\n"
    "open (and wrote to them last, how long ago), its parent (PID and\n"
    "name: claude, Claude, a shell, init, systemd...; \"(orphan)\" when its\n"
    "client exited and init or a subreaper adopted it), why it matched,\n"
    "and its command line. mcplog itself, its ancestors and its children\n"
    "are never listed; by default only processes of the same user are.\n"
    "Below them, near misses, never signalled: \"not matched: \" and why\n"
    "(a relative script path, or one that resolves elsewhere).\n"
    "\n"
    "  --config FILE          the config (default as for follow)\n"
    "  --server-dir DIR       the server's folder (server: dir), no YAML\n"
    "                         needed\n"
    "  --json                 one JSON object {\"processes\": [...],\n"
    "                         \"not_matched\": [...]}\n"
    "  -h, --help             this help\n";

enum { OPT_CONFIG = 256, OPT_JSON, OPT_SERVER_DIR };

static const struct option ps_opts[] = {
    {"config", required_argument, NULL, OPT_CONFIG},
    {"server-dir", required_argument, NULL, OPT_SERVER_DIR},
    {"json", no_argument, NULL, OPT_JSON},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* The processes v[0..n) as the JSON array under key. */
static void ps_json_list(struct mcp_json *j, const char *key,
                         const struct mcp_proc *v, size_t n)
{
    mcp_json_key(j, key);
    mcp_json_begin_arr(j);
    for (size_t i = 0; i < n; i++) {
        mcp_json_begin_obj(j);
        mcp_proc_json_fields(j, &v[i]);
        mcp_json_end_obj(j);
    }
    mcp_json_end_arr(j);
}

int mcp_cmd_ps(int argc, char **argv)
{
    const char *config = NULL, *server_dir = NULL;
    bool json = false;
    int c, rc = MCP_EXIT_OK;
    char err[MCP_ERRLEN] = "";
    struct mcp_config conf;
    struct mcp_proc *v = NULL, *near = NULL;
    struct mcp_buf b;
    size_t n = 0, nnear = 0;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", ps_opts, NULL)) != -1) {
        switch (c) {
        case OPT_CONFIG: config = optarg; break;
        case OPT_SERVER_DIR: server_dir = optarg; break;
        case OPT_JSON: json = true; break;
        case 'h':
            fputs(ps_usage, stdout);
            mcp_procconf_help((const char *const[]){"server", NULL}, stdout);
            return MCP_EXIT_OK;
        default:
            mcp_cli_bad_option(c, argv, "ps", ps_opts);
            return MCP_EXIT_USAGE;
        }
    }
    if (optind != argc) {
        mcp_cli_error("ps: no arguments expected (try 'mcplog ps --help')");
        return MCP_EXIT_USAGE;
    }
    if (mcp_cli_config(&conf, config, server_dir, err) != 0) {
        mcp_cli_error(err);
        return MCP_EXIT_USAGE;
    }
    if (mcp_procs_find_all(&conf.proc, false, &v, &n, &near, &nnear,
                           err) != 0) {
        char msg[MCP_ERRLEN + 8];

        snprintf(msg, sizeof(msg), "ps: %s", err);
        mcp_cli_error(msg);
        mcp_config_free(&conf);
        return MCP_EXIT_USAGE;
    }
    mcp_buf_init(&b);
    if (json) {
        struct mcp_json j;

        mcp_json_init(&j, &b, false);
        mcp_json_begin_obj(&j);
        ps_json_list(&j, "processes", v, n);
        ps_json_list(&j, "not_matched", near, nnear);
        mcp_json_end_obj(&j);
        mcp_buf_putc(&b, '\n');
    } else {
        if (n == 0)
            mcp_buf_puts(&b, "no MCP server process found\n");
        if (n + nnear > 0)
            mcp_proc_header(&b, "");
        for (size_t i = 0; i < n; i++)
            mcp_proc_row(&b, "", &v[i]);
        for (size_t i = 0; i < nnear; i++)
            mcp_proc_row(&b, "", &near[i]);
    }
    fwrite(b.data, 1, b.len, stdout);
    mcp_buf_free(&b);
    mcp_procs_free(v, n);
    mcp_procs_free(near, nnear);
    mcp_config_free(&conf);
    return rc;
}
