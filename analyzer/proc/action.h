/* action.h - follow's cleanup action: an alert whose rule says
 * `action: cleanup` runs `mcplog cleanup` as a child process.
 *
 * The child is this very mcplog (the path /proc/self/exe links to, read
 * at create; /proc/self/exe itself when that path is gone) started with
 * posix_spawn and an argv list, never a shell:
 *   mcplog cleanup --yes [--dry-run] [--config FILE]
 * --dry-run unless the config says cleanup: {enabled: true,
 * dry_run: false}; FILE is the config follow loaded. follow never blocks
 * on it: the child's stderr, where `mcplog cleanup` logs every action on
 * one line ("mcplog: cleanup: 1234: SIGTERM sent"), is read without
 * blocking, a line at a time, and each line becomes a notice (its stdout,
 * the same plan as a table, goes to /dev/null); the child
 * is reaped with waitpid(pid, WNOHANG) - its own pid only, never -1.
 * `mcplog cleanup` never counts its ancestors as candidates, so follow
 * (its parent) is never one.
 *
 * Policy: off unless cleanup.enabled; at most one child at a time; at
 * most one start per cleanup.min_interval (10 m), counted from the last
 * start. Every decision (started, skipped and why, the child's lines, its
 * exit) is told as a notice.
 */
#ifndef MCP_ACTION_H
#define MCP_ACTION_H

#include <stdbool.h>
#include <stdint.h>

#include "conf/config.h"

struct mcp_action;


/* The action on the settings of c (borrowed: it must outlive the
 * action). exe is the program to run (NULL: this mcplog). */
struct mcp_action *mcp_action_create(const struct mcp_config *c,
                                     const char *exe);

/* An alert of rule `rule` that names the cleanup action fired, at
 * now_mono (monotonic ms). Starts the child unless the action is off,
 * rate-limited or still running; tells fn which. Returns true when a
 * child was started. */
bool mcp_action_cleanup(struct mcp_action *a, const char *rule,
                        int64_t now_mono, mcp_notice_fn fn,
                        void *arg);

/* Collect the child's output and exit without blocking: each complete
 * line goes to fn as "cleanup: ...", and its exit as one more notice.
 * Call it on a timer (follow's 1 s timer). Returns true while a child is
 * running. */
bool mcp_action_poll(struct mcp_action *a, mcp_notice_fn fn,
                     void *arg);

/* Whether a child is running. */
bool mcp_action_running(const struct mcp_action *a);

/* Wait up to wait_ms for a running child, collecting its output as
 * mcp_action_poll does, then free a. A child still running then is left
 * to finish on its own (it is in its own process group, so a Ctrl-C
 * meant for follow does not cut a cleanup short), and not reaped. */
void mcp_action_destroy(struct mcp_action *a, int64_t wait_ms,
                        mcp_notice_fn fn, void *arg);

#endif
