/* command_int.h - internals of the command sink (sinks/command*.c).
 *
 * Not part of the sink interface. command.c holds the options, init and
 * emit; command_env.c builds the child's environment; command_run.c runs
 * one child (spawn, stdin, stderr, timeout, reaping).
 */
#ifndef MCP_COMMAND_INT_H
#define MCP_COMMAND_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sinks/sink.h"

/* ---- command_env.c ---- */

/* The environment a command starts from, before the alert's variables:
 * an owned array of owned "NAME=value" strings, names unique. */
struct mcp_command_env {
    char **vars;
    size_t n;
};

/* Build e from mcplog's environment (a snapshot, taken in the main thread:
 * the dispatcher thread must not read environ while it may change)
 * without any MCPLOG_* variable, or, with clear, only PATH, HOME and LANG;
 * then each "NAME=value" of extra (may be NULL) added or replacing.
 * Returns 0, or -1 with err when an extra entry is malformed or uses the
 * reserved MCPLOG_ prefix (e is then freed). */
int mcp_command_env_build(struct mcp_command_env *e, bool clear,
                          char *const *extra, char *err);

/* The value of name in e (borrowed), or NULL. */
const char *mcp_command_env_get(const struct mcp_command_env *e,
                                const char *name);

/* Free what e owns; e is left empty. */
void mcp_command_env_free(struct mcp_command_env *e);

/* Room needed for the alert's variables. */
#define MCP_COMMAND_ALERT_VARS (16 + MCP_MAX_LABELS)

/* Fill vars with the alert's "MCPLOG_*=value" strings (each allocated;
 * the caller frees them) and return how many. sink is the instance name.
 * Values are valid UTF-8 without NUL (see command_env.c). */
int mcp_command_env_alert(const char *sink, const struct mcp_sink_alert *a,
                          char **vars);

/* ---- command_run.c ---- */

/* How much of the child's stderr is kept (the rest is read and dropped). */
#define MCP_COMMAND_STDERR_MAX 4096

struct mcp_command {
    const char *path;          /* absolute path of the program */
    char *const *argv;         /* NULL-terminated, argv[0] as configured */
    char *const *envp;         /* NULL-terminated, the whole environment */
    int64_t timeout;           /* ms the child may run */
    int64_t kill_grace;        /* ms between SIGTERM and SIGKILL */
};

enum mcp_command_end {
    MCP_COMMAND_EXITED = 0,    /* code = exit status */
    MCP_COMMAND_SIGNALED,      /* code = the signal that ended it */
    MCP_COMMAND_TERMINATED,    /* timed out, ended after SIGTERM */
    MCP_COMMAND_KILLED,        /* timed out, still there after the grace */
    MCP_COMMAND_NOT_RUN,       /* code = errno, what = the call that failed */
};

struct mcp_command_result {
    enum mcp_command_end end;
    int code;
    const char *what;          /* static text, for MCP_COMMAND_NOT_RUN */
    char err[MCP_COMMAND_STDERR_MAX]; /* first bytes of stderr, raw */
    size_t errlen;
};

/* Run c once: write input[0..inlen) to its stdin and close it, collect
 * the start of its stderr, wait until it exits or the timeout ends it,
 * and reap it. Blocks the calling thread for at most about
 * timeout + kill_grace. Fills *res; never fails otherwise. The caller
 * owns everything; nothing is kept. Thread-safe (no global state; the
 * calling thread's SIGPIPE is blocked while it runs, then restored). */
void mcp_command_run(const struct mcp_command *c, const char *input,
                     size_t inlen, struct mcp_command_result *res);

#endif
