/* spawn.h - start a child process the one way mcplog does (STYLE.md 15),
 * for the command sink and follow's cleanup action alike.
 *
 * posix_spawn (glibc uses clone(CLONE_VFORK): safe in a threaded program,
 * nothing runs in the child but exec) of an argv list, never a shell,
 * with
 *  - its own process group (pgid = its pid), so that a timeout can end
 *    the child and whatever it started, and a terminal's Ctrl-C meant
 *    for mcplog does not reach it;
 *  - an empty signal mask and the default disposition for every signal
 *    (mcplog blocks SIGINT, SIGTERM and SIGHUP for its signalfd, and a
 *    sink's thread SIGPIPE: a child inheriting that could not be
 *    stopped);
 *  - stdin in_fd (or /dev/null), stdout /dev/null, stderr err_fd;
 *  - every other descriptor closed (closefrom), on top of O_CLOEXEC on
 *    everything mcplog opens.
 */
#ifndef MCP_SPAWN_H
#define MCP_SPAWN_H

#include <sys/types.h>

/* Start path with argv and envp. in_fd -1 means /dev/null. Returns 0
 * with the child's pid in *pid, or the error number with *what saying
 * which step failed: "posix_spawn setup" or "cannot run". */
int mcp_spawn(pid_t *pid, const char *path, char *const argv[],
              char *const envp[], int in_fd, int err_fd, const char **what);

#endif
