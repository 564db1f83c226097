/* cmd_cleanup.c - `mcplog cleanup`: keep one MCP server process,
 * terminate the others (the engine is cleanup.c). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc/cleanup.h"
#include "cli/cli.h"
#include "conf/config.h"
#include "base/textout.h"
#include "base/util.h"

static const char cl_usage[] =
    "usage: mcplog cleanup [--config FILE] [--server-dir DIR]\n"
    "                      [--keep oldest|newest|PID | --orphans]\n"
    "                      [--dry-run] [--yes] [--grace DUR] [--json]\n"
    "\n"
    "Keep one MCP server process (see mcplog ps) and terminate the others:\n"
    "SIGTERM, then SIGKILL after the grace period. Each process is held by\n"
    "a pidfd from discovery on and its start time is checked again before\n"
    "any signal, so a reused PID is never hit. The plan is printed first.\n"
    "\n"
    "  --config FILE          the config (default as for follow)\n"
    "  --server-dir DIR       the server's folder (server: dir), no YAML\n"
    "                         needed\n"
    "  --keep WHICH           newest (default), oldest, or a PID; among the\n"
    "                         processes with a live client when some are\n"
    "                         orphans, then among those with the current\n"
    "                         log open for writing when there are any\n"
    "                         (cleanup: prefer_writer), no matter who\n"
    "                         wrote last\n"
    "  --orphans              terminate only the orphans (their client\n"
    "                         exited: ps marks them), keep all the others\n"
    "  --dry-run              print the plan, signal nothing\n"
    "  -y, --yes              do not ask (required when stdin is not a\n"
    "                         terminal)\n"
    "  --grace DUR            SIGTERM to SIGKILL (default cleanup: grace, 5s)\n"
    "  --json                 the plan and the outcome as one JSON object\n"
    "  -h, --help             this help\n"
    "\n"
    "Exit status: 0 done (or nothing to do), 1 a process could not be\n"
    "terminated or the confirmation was declined, 2 usage or configuration.\n";

enum { OPT_CONFIG = 256, OPT_KEEP, OPT_ORPHANS, OPT_DRY, OPT_GRACE,
       OPT_JSON, OPT_SERVER_DIR };

static const struct option cl_opts[] = {
    {"config", required_argument, NULL, OPT_CONFIG},
    {"server-dir", required_argument, NULL, OPT_SERVER_DIR},
    {"keep", required_argument, NULL, OPT_KEEP},
    {"orphans", no_argument, NULL, OPT_ORPHANS},
    {"dry-run", no_argument, NULL, OPT_DRY},
    {"yes", no_argument, NULL, 'y'},
    {"grace", required_argument, NULL, OPT_GRACE},
    {"json", no_argument, NULL, OPT_JSON},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Action lines go to stderr, "mcplog: cleanup: ...". */
static void log_stderr(const char *line, void *arg)
{
    struct mcp_buf b;

    (void)arg;
    mcp_buf_init(&b);
    mcp_buf_puts(&b, "mcplog: ");
    mcp_sanitize_term(&b, line, strlen(line));
    mcp_buf_putc(&b, '\n');
    fwrite(b.data, 1, b.len, stderr);
    fflush(stderr);
    mcp_buf_free(&b);
}

static int parse_keep(const char *s, struct mcp_cleanup_opts *o)
{
    char *end;
    long pid;

    if (strcmp(s, "newest") == 0) {
        o->keep = MCP_KEEP_NEWEST;
        return 0;
    }
    if (strcmp(s, "oldest") == 0) {
        o->keep = MCP_KEEP_OLDEST;
        return 0;
    }
    pid = strtol(s, &end, 10);
    if (*s < '1' || *s > '9' || *end != '\0' || pid > 0x7fffffffL)
        return -1;
    o->keep = MCP_KEEP_PID;
    o->keep_pid = (pid_t)pid;
    return 0;
}

/* Ask on /dev/tty. Returns 1 yes, 0 no. */
static int confirm(size_t n)
{
    char ans[16] = "";
    FILE *tty = fopen("/dev/tty", "r+e");

    if (tty == NULL)
        return 0;
    fprintf(tty, "Terminate %zu process%s? [y/N] ", n, n == 1 ? "" : "es");
    fflush(tty);
    if (fgets(ans, sizeof(ans), tty) == NULL)
        ans[0] = '\0';
    fclose(tty);
    return ans[0] == 'y' || ans[0] == 'Y';
}

static void print_plan(const struct mcp_cleanup_plan *plan, bool dry)
{
    struct mcp_buf b;
    size_t n = mcp_cleanup_count(plan);

    mcp_buf_init(&b);
    if (plan->n == 0) {
        mcp_buf_puts(&b, "no MCP server process found: nothing to do\n");
    } else if (plan->orphans_only) {
        mcp_buf_printf(&b, "%zu matching process%s, %zu orphaned (--orphans)",
                       plan->n, plan->n == 1 ? "" : "es", n);
        if (n == 0)
            mcp_buf_puts(&b, ": nothing to terminate\n");
        else
            mcp_buf_printf(&b, ", %s %zu\n",
                           dry ? "would terminate" : "terminating", n);
    } else {
        mcp_buf_printf(&b, "%zu matching process%s; keeping %d (",
                       plan->n, plan->n == 1 ? "" : "es",
                       (int)plan->procs[plan->keep].pid);
        mcp_sanitize_term(&b, plan->keep_reason, strlen(plan->keep_reason));
        if (n == 0)
            mcp_buf_puts(&b, "): nothing to terminate\n");
        else
            mcp_buf_printf(&b, "), %s %zu\n",
                           dry ? "would terminate" : "terminating", n);
    }
    if (plan->n > 0) {
        mcp_proc_header(&b, "ACTION     ");
        for (size_t i = 0; i < plan->n; i++)
            mcp_proc_row(&b, plan->result[i] == MCP_CLEANUP_KEPT
                                 ? "keep       "
                                 : "terminate  ",
                         &plan->procs[i]);
    }
    fwrite(b.data, 1, b.len, stdout);
    fflush(stdout);
    mcp_buf_free(&b);
}

static const char *result_text(const struct mcp_cleanup_plan *plan, size_t i,
                                char *buf, size_t len)
{
    switch (plan->result[i]) {
    case MCP_CLEANUP_KEPT: return "kept";
    case MCP_CLEANUP_PLANNED: return "would be terminated (dry run)";
    case MCP_CLEANUP_TERMINATED: return "terminated (SIGTERM)";
    case MCP_CLEANUP_KILLED: return "killed (SIGKILL)";
    case MCP_CLEANUP_GONE: return "already gone";
    case MCP_CLEANUP_REUSED: return "pid reused: not signalled";
    case MCP_CLEANUP_FAILED:
        snprintf(buf, len, "failed: %s",
                 plan->errnum[i] ? strerror(plan->errnum[i])
                                 : "still running after SIGKILL");
        return buf;
    }
    return "?";
}

int mcp_cmd_cleanup(int argc, char **argv)
{
    const char *config = NULL, *keep = NULL, *grace = NULL,
               *server_dir = NULL;
    bool json = false, dry = false, yes = false, orphans = false;
    int c, rc = MCP_EXIT_OK;
    char err[MCP_ERRLEN] = "";
    struct mcp_config conf;
    struct mcp_cleanup_opts o;
    struct mcp_cleanup_plan plan;
    size_t failed;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":hy", cl_opts, NULL)) != -1) {
        switch (c) {
        case OPT_CONFIG: config = optarg; break;
        case OPT_SERVER_DIR: server_dir = optarg; break;
        case OPT_KEEP: keep = optarg; break;
        case OPT_ORPHANS: orphans = true; break;
        case OPT_DRY: dry = true; break;
        case 'y': yes = true; break;
        case OPT_GRACE: grace = optarg; break;
        case OPT_JSON: json = true; break;
        case 'h':
            fputs(cl_usage, stdout);
            mcp_procconf_help((const char *const[]){"server", "cleanup",
                                                    NULL}, stdout);
            return MCP_EXIT_OK;
        default:
            mcp_cli_bad_option(c, argv, "cleanup", cl_opts);
            return MCP_EXIT_USAGE;
        }
    }
    if (optind != argc) {
        mcp_cli_error("cleanup: no arguments expected (try 'mcplog cleanup "
                      "--help')");
        return MCP_EXIT_USAGE;
    }
    if (mcp_cli_config(&conf, config, server_dir, err) != 0) {
        mcp_cli_error(err);
        return MCP_EXIT_USAGE;
    }
    mcp_cleanup_opts_init(&o, &conf.proc.cleanup);
    o.dry_run = dry;
    o.orphans_only = orphans;
    o.log = log_stderr;
    o.pause_file = getenv("MCPLOG_TEST_CLEANUP_PAUSE");
    if (o.pause_file != NULL && *o.pause_file == '\0')
        o.pause_file = NULL;
    if (keep != NULL && parse_keep(keep, &o) != 0) {
        mcp_cli_error("cleanup: --keep takes oldest, newest or a PID");
        rc = MCP_EXIT_USAGE;
    } else if (keep != NULL && orphans) {
        mcp_cli_error("cleanup: --keep and --orphans exclude each other");
        rc = MCP_EXIT_USAGE;
    }
    if (grace != NULL) {
        char derr[MCP_ERRLEN] = "", msg[MCP_ERRLEN + 32];

        if (mcp_duration_parse(grace, &o.grace_ms, derr) != 0 ||
            o.grace_ms > 3600 * 1000) {
            snprintf(msg, sizeof(msg), "cleanup: --grace: %s",
                     derr[0] ? derr : "at most 1h");
            mcp_cli_error(msg);
            rc = MCP_EXIT_USAGE;
        }
    }
    if (rc != MCP_EXIT_OK) {
        mcp_config_free(&conf);
        return rc;
    }
    if (mcp_cleanup_plan(&plan, &conf.proc, &o, err) != 0) {
        char msg[MCP_ERRLEN + 16];

        snprintf(msg, sizeof(msg), "cleanup: %s", err);
        mcp_cli_error(msg);
        mcp_config_free(&conf);
        return MCP_EXIT_USAGE;
    }
    if (!json)
        print_plan(&plan, dry);
    if (!dry && !yes && mcp_cleanup_count(&plan) > 0) {
        if (!isatty(STDIN_FILENO)) {
            char msg[160];

            snprintf(msg, sizeof(msg), "cleanup: stdin is not a terminal: "
                     "refusing to terminate %zu process%s without --yes "
                     "(or use --dry-run)", mcp_cleanup_count(&plan),
                     mcp_cleanup_count(&plan) == 1 ? "" : "es");
            mcp_cli_error(msg);
            rc = MCP_EXIT_USAGE;
            goto out;
        }
        if (!confirm(mcp_cleanup_count(&plan))) {
            mcp_cli_error("cleanup: not confirmed: nothing signalled");
            rc = MCP_EXIT_DAMAGED;
            goto out;
        }
    }
    failed = mcp_cleanup_run(&plan, &o);
    if (json) {
        struct mcp_buf b;
        struct mcp_json j;

        mcp_buf_init(&b);
        mcp_json_init(&j, &b, false);
        mcp_cleanup_json(&plan, &j);
        mcp_buf_putc(&b, '\n');
        fwrite(b.data, 1, b.len, stdout);
        mcp_buf_free(&b);
    } else if (plan.n > 0 && mcp_cleanup_count(&plan) > 0) {
        char eb[160];

        for (size_t i = 0; i < plan.n; i++)
            if (plan.result[i] != MCP_CLEANUP_KEPT)
                printf("%d: %s\n", (int)plan.procs[i].pid,
                       result_text(&plan, i, eb, sizeof(eb)));
        if (dry)
            printf("dry run: nothing signalled\n");
    }
    if (failed > 0)
        rc = MCP_EXIT_DAMAGED;
out:
    mcp_cleanup_plan_free(&plan);
    mcp_config_free(&conf);
    return rc;
}
