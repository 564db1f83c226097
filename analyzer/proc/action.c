/* action.c - follow's cleanup action: `mcplog cleanup` as a child
 * process, never waited for in a blocking call (action.h).
 *
 * The child is started as the command sink's is, with mcp_spawn
 * (base/spawn.h, STYLE.md 15): an argv list, its own process group (a
 * terminal's Ctrl-C for follow does not cut a cleanup short between its
 * SIGTERM and its SIGKILL), an empty signal mask and default
 * dispositions; stdin and stdout /dev/null, stderr a pipe.
 * Our end of the pipe is non-blocking; the child is reaped by pid with
 * WNOHANG. Until it is reaped its pid cannot be reused, and nothing here
 * ever signals it. */
#include "proc/action.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/spawn.h"
#include "base/util.h"

#define LINE_MAX_KEPT 1024         /* longer output lines are cut */

extern char **environ;

struct mcp_action {
    const struct mcp_config *c;
    char *exe;                     /* the program, or NULL */
    bool self;                     /* exe is this mcplog's own path */
    pid_t pid;                     /* running child, or 0 */
    int fd;                        /* our end of its output, or -1 */
    char *rule;                    /* the rule that started it */
    bool ever;                     /* a child was started once */
    int64_t last_start;            /* monotonic ms */
    struct mcp_buf line;           /* a partial output line */
};

/* The path of this mcplog, resolved now: /proc/self/exe itself would do
 * for exec, except under valgrind, where it names the valgrind tool (and
 * readlink() is answered with the program's path). NULL when unknown. */
static char *self_path(void)
{
    char buf[4096];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

    if (n <= 0 || buf[0] != '/')
        return NULL;
    buf[n] = '\0';
    return mcp_strdup(buf);
}

struct mcp_action *mcp_action_create(const struct mcp_config *c,
                                     const char *exe)
{
    struct mcp_action *a = mcp_calloc(1, sizeof(*a));

    a->c = c;
    a->exe = exe ? mcp_strdup(exe) : self_path();
    a->self = exe == NULL;
    a->fd = -1;
    mcp_buf_init(&a->line);
    return a;
}

bool mcp_action_running(const struct mcp_action *a)
{
    return a->pid > 0;
}

static void tell(mcp_notice_fn fn, void *arg, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void tell(mcp_notice_fn fn, void *arg, const char *fmt, ...)
{
    char msg[MCP_ERRLEN];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (fn != NULL)
        fn(msg, arg);
}

/* Start the child; returns its pid, or -1 with errno-style rc in *e. */
static pid_t spawn(struct mcp_action *a, int err_wr, int *e)
{
    const struct mcp_cleanup_conf *cc = &a->c->proc.cleanup;
    char *argv[8];
    int n = 0;
    const char *what;
    pid_t pid = -1;
    int rc;

    argv[n++] = "mcplog";
    argv[n++] = "cleanup";
    argv[n++] = "--yes";
    if (cc->dry_run)
        argv[n++] = "--dry-run";
    if (a->c->path != NULL) {
        argv[n++] = "--config";
        argv[n++] = a->c->path;
    }
    argv[n] = NULL;

    /* Our own path, unless it is gone (mcplog was removed or replaced
     * while follow runs: " (deleted)"): then the running file. */
    rc = mcp_spawn(&pid,
                   !a->self || (a->exe && access(a->exe, X_OK) == 0)
                       ? a->exe : "/proc/self/exe",
                   argv, environ, -1, err_wr, &what);
    *e = rc;
    return rc == 0 ? pid : -1;
}

bool mcp_action_cleanup(struct mcp_action *a, const char *rule,
                        int64_t now_mono, mcp_notice_fn fn, void *arg)
{
    const struct mcp_cleanup_conf *cc = &a->c->proc.cleanup;
    int p[2], e = 0;
    char ago[32], iv[32];

    if (!cc->enabled) {
        tell(fn, arg, "cleanup action of %s: off (cleanup: {enabled: true} "
             "in mcplog.yaml turns it on)", rule);
        return false;
    }
    if (a->pid > 0) {
        tell(fn, arg, "cleanup action of %s: skipped, the one started by "
             "%s is still running", rule, a->rule);
        return false;
    }
    if (a->ever && now_mono - a->last_start < cc->min_interval_ms) {
        mcp_duration_format((now_mono - a->last_start) / 1000 * 1000, ago,
                            sizeof(ago));
        mcp_duration_format(cc->min_interval_ms, iv, sizeof(iv));
        tell(fn, arg, "cleanup action of %s: skipped, the last one started "
             "%s ago (at most one per %s)", rule, ago, iv);
        return false;
    }
    if (pipe2(p, O_CLOEXEC) != 0) {
        tell(fn, arg, "cleanup action of %s: pipe: %s", rule,
             strerror(errno));
        return false;
    }
    a->pid = spawn(a, p[1], &e);
    close(p[1]);
    if (a->pid < 0) {
        a->pid = 0;
        close(p[0]);
        tell(fn, arg, "cleanup action of %s: cannot run %s: %s", rule,
             a->exe ? a->exe : "mcplog", strerror(e));
        return false;
    }
    fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) | O_NONBLOCK);
    a->fd = p[0];
    free(a->rule);
    a->rule = mcp_strdup(rule);
    a->ever = true;
    a->last_start = now_mono;
    mcp_buf_reset(&a->line);
    tell(fn, arg, "cleanup action of %s: started mcplog cleanup%s (pid %d)",
         rule, cc->dry_run ? " --dry-run" : "", (int)a->pid);
    return true;
}

/* One line of the child's: "mcplog: cleanup: 1234: SIGTERM sent" is told
 * as "cleanup: 1234: SIGTERM sent"; any other line gets "cleanup: " in
 * front. */
static void emit_line(struct mcp_action *a, mcp_notice_fn fn,
                      void *arg)
{
    const char *p = a->line.data;
    size_t n = a->line.len;

    if (n > 0 && p[n - 1] == '\r')
        n--;
    if (n >= 8 && memcmp(p, "mcplog: ", 8) == 0) {
        p += 8;
        n -= 8;
    }
    if (n >= 9 && memcmp(p, "cleanup: ", 9) == 0) {
        p += 9;
        n -= 9;
    }
    if (n > 0)
        tell(fn, arg, "cleanup: %.*s", (int)n, p);
    mcp_buf_reset(&a->line);
}

/* Read what is there; returns true at end of file. */
static bool drain(struct mcp_action *a, mcp_notice_fn fn, void *arg)
{
    char buf[4096];

    for (;;) {
        ssize_t n = read(a->fd, buf, sizeof(buf));

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return false;
        if (n <= 0)
            return true;
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] == '\n')
                emit_line(a, fn, arg);
            else if (a->line.len < LINE_MAX_KEPT)
                mcp_buf_putc(&a->line, buf[i]);
        }
    }
}

bool mcp_action_poll(struct mcp_action *a, mcp_notice_fn fn, void *arg)
{
    int status;
    pid_t r;

    if (a->pid <= 0)
        return false;
    if (a->fd >= 0 && drain(a, fn, arg)) {
        emit_line(a, fn, arg);
        close(a->fd);
        a->fd = -1;
    }
    do
        r = waitpid(a->pid, &status, WNOHANG);
    while (r < 0 && errno == EINTR);
    if (r == 0)
        return true;
    /* Exited (or, r < 0, not ours to wait for any more): what it wrote
     * last is in the pipe still. */
    if (a->fd >= 0) {
        drain(a, fn, arg);
        emit_line(a, fn, arg);
        close(a->fd);
        a->fd = -1;
    }
    if (r < 0)
        tell(fn, arg, "cleanup action of %s: waitpid: %s", a->rule,
             strerror(errno));
    else if (WIFEXITED(status))
        tell(fn, arg, "cleanup action of %s: mcplog cleanup exited with "
             "status %d", a->rule, WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        tell(fn, arg, "cleanup action of %s: mcplog cleanup killed by "
             "signal %d", a->rule, WTERMSIG(status));
    a->pid = 0;
    return false;
}

void mcp_action_destroy(struct mcp_action *a, int64_t wait_ms,
                        mcp_notice_fn fn, void *arg)
{
    int64_t until = mcp_mono_ms() + wait_ms;

    if (a == NULL)
        return;
    while (mcp_action_poll(a, fn, arg) && mcp_mono_ms() < until) {
        struct timespec ts = {0, 20 * 1000 * 1000};

        nanosleep(&ts, NULL);
    }
    if (a->pid > 0)
        tell(fn, arg, "cleanup action of %s: mcplog cleanup (pid %d) "
             "still running, left to finish", a->rule, (int)a->pid);
    if (a->fd >= 0)
        close(a->fd);
    free(a->rule);
    free(a->exe);
    mcp_buf_free(&a->line);
    free(a);
}
