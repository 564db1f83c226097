/* cleanup.h - terminate stale duplicate MCP server processes, safely.
 *
 * The engine behind `mcplog cleanup` and follow's cleanup action:
 *
 *   1. plan: find the matching processes (procs.h) with a pidfd opened
 *      for each at discovery, and choose the one to keep (--keep PID,
 *      else by these rules in order, each narrowing the candidates when
 *      any of them qualify): (a) the processes with a live client, not
 *      orphans (procs.h), when there are orphans too; (b) with
 *      prefer_writer, those that have a current log open for writing
 *      while that log changed within writer_window; (c) the newest (or
 *      oldest) of what is left. The choice depends on nothing that flips
 *      between runs (not on who appended last), so a dry run shows the
 *      plan a real run carries out when nothing changed. With
 *      orphans_only there is no keeper: every orphan is terminated,
 *      every other process kept;
 *   2. run: for every other process, read its start time again; if it
 *      changed, the pid now belongs to another process: it is reported
 *      "pid reused: not signalled" and never signalled. Otherwise SIGTERM
 *      goes through pidfd_send_signal, which can only reach the process
 *      the pidfd was opened for (a process that exited answers ESRCH,
 *      "already gone"). Then wait up to grace for the pidfds to become
 *      readable (they do when the process exits), SIGKILL the survivors
 *      the same way, wait again, and report each outcome.
 *
 * Reentrant: no globals, no exit(), no output of its own except through
 * the log callback, so it can run in a thread or a child process.
 */
#ifndef MCP_CLEANUP_H
#define MCP_CLEANUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/mcp.h"
#include "conf/procconf.h"
#include "proc/procs.h"

struct mcp_json;

enum mcp_cleanup_result {
    MCP_CLEANUP_KEPT,              /* the process kept */
    MCP_CLEANUP_PLANNED,           /* to terminate (dry run, or not run yet) */
    MCP_CLEANUP_TERMINATED,        /* exited after SIGTERM */
    MCP_CLEANUP_KILLED,            /* exited after SIGKILL */
    MCP_CLEANUP_GONE,              /* exited before it was signalled */
    MCP_CLEANUP_REUSED,            /* its pid names another process now */
    MCP_CLEANUP_FAILED,            /* a signal failed (errnum), or it
                                      survived SIGKILL (errnum 0) */
};

struct mcp_cleanup_opts {
    enum mcp_keep keep;
    pid_t keep_pid;                /* MCP_KEEP_PID */
    bool prefer_writer;
    int64_t writer_window_ms;
    int64_t grace_ms;              /* SIGTERM to SIGKILL */
    int64_t kill_wait_ms;          /* after SIGKILL; 0: 2 s */
    bool dry_run;                  /* plan and report, signal nothing */
    bool orphans_only;             /* --orphans: terminate the orphans,
                                      keep every other process */
    const char *pause_file;        /* test hook (MCPLOG_TEST_CLEANUP_PAUSE):
                                      run waits until this file exists
                                      before the start-time checks */
    /* Every action as one line ("cleanup: 1234: SIGTERM sent"); may be
     * NULL. Called from the thread running the engine. */
    mcp_notice_fn log;
    void *log_arg;
};

struct mcp_cleanup_plan {
    struct mcp_proc *procs;        /* the matching processes, oldest first */
    size_t n;
    long keep;                     /* index of the keeper, -1 when n == 0
                                      or orphans_only */
    char *keep_reason;             /* what decided: "newest", "oldest",
                                      "--keep PID", "the only process with
                                      the current log open for writing",
                                      "newest of the 3 processes with the
                                      current log open for writing",
                                      "the only process with a live
                                      client", "newest of the 2 processes
                                      with a live client and the current
                                      log open for writing", "--orphans" */
    bool orphans_only;             /* planned with o->orphans_only */
    enum mcp_cleanup_result *result;   /* n entries */
    int *errnum;                   /* n entries: errno of a failure */
    int64_t *exit_ms;              /* n entries: signal to exit, or -1 */
    char **log;                    /* every action line, nlog entries */
    size_t nlog;
    bool dry_run;                  /* the plan was run dry */
    bool ran;                      /* mcp_cleanup_run was called */
};

/* Options from the `cleanup:` config (not dry: that is the command's
 * flag; follow's action sets dry_run from the config itself). */
void mcp_cleanup_opts_init(struct mcp_cleanup_opts *o,
                           const struct mcp_cleanup_conf *c);

/* Choose the keeper among procs[0..n) (sorted oldest first) as o says.
 * Returns its index and a malloc'd reason in *reason, -1 when n == 0,
 * or -2 with err set when o->keep is a PID that is not in the list. */
long mcp_cleanup_choose(const struct mcp_proc *procs, size_t n,
                        const struct mcp_cleanup_opts *o, char **reason,
                        char *err);

/* Discover the processes (with pidfds unless o->dry_run) and choose the
 * keeper. Returns 0 with plan filled (free with mcp_cleanup_plan_free),
 * or -1 with err set and nothing held. */
int mcp_cleanup_plan(struct mcp_cleanup_plan *plan,
                     const struct mcp_procconf *pc,
                     const struct mcp_cleanup_opts *o, char *err);

/* How many processes the plan terminates (all but the keeper; with
 * orphans_only, the orphans). */
size_t mcp_cleanup_count(const struct mcp_cleanup_plan *plan);

/* Carry the plan out (or, with o->dry_run, only log what would be done).
 * Blocks for up to grace + kill_wait. Returns the number of failures
 * (results MCP_CLEANUP_FAILED). */
size_t mcp_cleanup_run(struct mcp_cleanup_plan *plan,
                       const struct mcp_cleanup_opts *o);

/* Free the plan (closes the pidfds). Safe on a zeroed plan. */
void mcp_cleanup_plan_free(struct mcp_cleanup_plan *plan);

/* The result's JSON name: kept, planned, terminated, killed, gone,
 * reused, failed. */
const char *mcp_cleanup_result_name(enum mcp_cleanup_result r);

/* The plan (and results, once run) as one JSON object:
 *   {"dry_run": B, "orphans_only": B, "keep": PID|null,
 *    "keep_reason": S,
 *    "processes": [{the members of mcp_proc_json_fields (procs.h),
 *                   "action": "keep"|"terminate", "result": NAME,
 *                   "error": S|null}],
 *    "log": [S...], "failed": N} */
void mcp_cleanup_json(const struct mcp_cleanup_plan *plan,
                      struct mcp_json *j);

#endif
