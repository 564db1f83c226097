/* command_run.c - run one child process for the command sink (STYLE.md 15).
 *
 * The child is started with mcp_spawn (base/spawn.h: posix_spawn, its own
 * process group so a timeout can end the child and whatever it started,
 * an empty signal mask and default dispositions, every descriptor above 2
 * closed), with stdin a pipe carrying the alert and stderr a pipe.
 *
 * The calling thread waits with poll() on a pidfd, the stdin pipe and the
 * stderr pipe: no SIGCHLD handler (the main thread owns signals) and no
 * busy loop. Where pidfd_open is missing (Linux before 5.3, valgrind),
 * waitid(WNOHANG | WNOWAIT) every 10 ms instead. Nothing else in mcplog
 * waits for children, so ours is ours to reap, and the child is reaped
 * only at the very end: until waitpid()
 * its pid, and so its process group id, cannot be reused, so kill(-pid)
 * can only ever reach the child's own group.
 *
 * Timeout: SIGTERM to the group; when the child is gone, or kill_grace
 * later, SIGKILL to the group (so grandchildren that ignored SIGTERM go
 * too); then reap. On a normal exit the group is left alone: a command
 * may start something that outlives it on purpose. Its stdin and stderr
 * pipes are closed on our side as soon as the child has exited, so a
 * grandchild that keeps them open never makes mcplog wait.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/spawn.h"
#include "sinks/command_int.h"

/* After the child exits, at most this much more stderr is read: a
 * grandchild that keeps writing must not keep us here. */
#define DRAIN_MAX (64 * 1024)

/* How often the exit is checked when there is no pidfd. */
#define FALLBACK_MS 10

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* Move fd above 2, so that the child's dup2 onto 0/1/2 never hits one of
 * our own pipe ends (mcplog may run with 0, 1 or 2 closed). */
static int above_stdio(int fd)
{
    int n;

    if (fd > 2)
        return fd;
    n = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    close(fd);
    return n;
}

/* A close-on-exec pipe whose ends are both above 2. */
static int make_pipe(int p[2])
{
    if (pipe2(p, O_CLOEXEC) != 0)
        return -1;
    p[0] = above_stdio(p[0]);
    p[1] = above_stdio(p[1]);
    if (p[0] < 0 || p[1] < 0) {
        int e = errno;

        close_fd(&p[0]);
        close_fd(&p[1]);
        errno = e;
        return -1;
    }
    return 0;
}

/* Signal the child's group, and the child itself in case it moved to
 * another group. Both are safe: the child is not reaped yet, so neither
 * id can name anything else. */
static void signal_child(pid_t pid, int pidfd, int sig)
{
    kill(-pid, sig);
    if (pidfd >= 0)
        pidfd_send_signal(pidfd, sig, NULL, 0);
    else
        kill(pid, sig);
}

/* Without a pidfd: whether the child has exited, leaving it unreaped
 * (WNOWAIT), so its pid stays pinned. */
static bool exited_nowait(pid_t pid)
{
    siginfo_t si;

    si.si_pid = 0;
    return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
           si.si_pid != 0;
}

/* Read what stderr has now (non-blocking) into res; at most max bytes in
 * all. Closes *fd at end of file or on an error. */
static void read_stderr(int *fd, struct mcp_command_result *res, size_t max)
{
    char buf[4096];
    size_t total = 0;

    while (*fd >= 0 && total < max) {
        ssize_t n = read(*fd, buf, sizeof(buf));

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n <= 0) {
            close_fd(fd);
            return;
        }
        total += (size_t)n;
        size_t room = sizeof(res->err) - res->errlen;
        size_t keep = (size_t)n < room ? (size_t)n : room;

        memcpy(res->err + res->errlen, buf, keep);
        res->errlen += keep;
    }
}

/* Write more of the input (non-blocking). Closes *fd when all is written,
 * or when the child will not take it (EPIPE: it closed stdin or exited;
 * that is its business, not an error). */
static void write_stdin(int *fd, const char *in, size_t len, size_t *off)
{
    while (*fd >= 0 && *off < len) {
        ssize_t n = write(*fd, in + *off, len - *off);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n < 0) {
            close_fd(fd);
            return;
        }
        *off += (size_t)n;
    }
    close_fd(fd);
}

static void not_run(struct mcp_command_result *res, const char *what, int e)
{
    res->end = MCP_COMMAND_NOT_RUN;
    res->what = what;
    res->code = e;
}

/* Start the child; returns its pid, or -1 with res filled. */
static pid_t spawn(const struct mcp_command *c, int in_rd, int err_wr,
                   struct mcp_command_result *res)
{
    const char *what;
    pid_t pid = -1;
    int rc = mcp_spawn(&pid, c->path, c->argv, c->envp, in_rd, err_wr, &what);

    if (rc != 0) {
        not_run(res, what, rc);
        return -1;
    }
    return pid;
}

/* Feed stdin, collect stderr, and enforce the timeout until the child has
 * exited (it is then a zombie, not reaped). Returns the end to report when
 * the timeout struck, or MCP_COMMAND_EXITED when it did not. With pidfd
 * -1 (no pidfd_open: a kernel before 5.3, or valgrind), the exit is seen
 * by polling waitid every FALLBACK_MS instead. */
static enum mcp_command_end supervise(const struct mcp_command *c, pid_t pid,
                                      int pidfd, int *in_wr, int *err_rd,
                                      const char *in, size_t inlen,
                                      struct mcp_command_result *res)
{
    enum { RUNNING, TERMED, KILLED } phase = RUNNING;
    int64_t deadline = now_ms() + c->timeout;
    size_t off = 0;

    for (;;) {
        struct pollfd p[3];
        int wait = -1;

        if (phase != KILLED) {
            int64_t left = deadline - now_ms();

            wait = left <= 0 ? 0 : left > 60000 ? 60000 : (int)left;
        }
        if (pidfd < 0 && (wait < 0 || wait > FALLBACK_MS))
            wait = FALLBACK_MS;
        p[0] = (struct pollfd){.fd = pidfd, .events = POLLIN};
        p[1] = (struct pollfd){.fd = *in_wr, .events = POLLOUT};
        p[2] = (struct pollfd){.fd = *err_rd, .events = POLLIN};
        if (poll(p, 3, wait) < 0) {
            /* EINTR, or ENOMEM: look again (after a pause for ENOMEM) */
            if (errno != EINTR)
                nanosleep(&(struct timespec){0, 10 * 1000000}, NULL);
            p[0].revents = p[1].revents = p[2].revents = 0;
        }
        if (p[1].revents != 0)
            write_stdin(in_wr, in, inlen, &off);
        if (p[2].revents != 0)
            read_stderr(err_rd, res, SIZE_MAX);
        if (pidfd >= 0 ? (p[0].revents & POLLIN) != 0 : exited_nowait(pid))
            break;
        if (phase == KILLED || now_ms() < deadline)
            continue;
        if (phase == RUNNING) {
            signal_child(pid, pidfd, SIGTERM);
            phase = TERMED;
            deadline = now_ms() + c->kill_grace;
        } else {
            signal_child(pid, pidfd, SIGKILL);
            phase = KILLED;
        }
    }
    if (phase == TERMED) {
        /* The child went on SIGTERM; what it left in its group goes now,
         * while its pid still pins the group id. */
        kill(-pid, SIGKILL);
        return MCP_COMMAND_TERMINATED;
    }
    return phase == KILLED ? MCP_COMMAND_KILLED : MCP_COMMAND_EXITED;
}

void mcp_command_run(const struct mcp_command *c, const char *input,
                     size_t inlen, struct mcp_command_result *res)
{
    int in[2] = {-1, -1}, er[2] = {-1, -1};
    int pidfd = -1, status = 0;
    sigset_t pipeset, old, pending;
    bool pipe_was_pending;
    enum mcp_command_end timed;
    pid_t pid;

    memset(res, 0, sizeof(*res));
    /* A write to a stdin the child closed raises SIGPIPE in this thread:
     * block it here (thread-local, mcplog's dispositions stay as they
     * are) and consume it below if it was not pending before. */
    sigemptyset(&pipeset);
    sigaddset(&pipeset, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipeset, &old);
    sigpending(&pending);
    pipe_was_pending = sigismember(&pending, SIGPIPE);

    if (make_pipe(in) != 0 || make_pipe(er) != 0) {
        not_run(res, "pipe", errno);
        goto out;
    }
    fcntl(in[1], F_SETFL, O_NONBLOCK);
    fcntl(er[0], F_SETFL, O_NONBLOCK);
    pid = spawn(c, in[0], er[1], res);
    close_fd(&in[0]);
    close_fd(&er[1]);
    if (pid < 0)
        goto out;
    pidfd = pidfd_open(pid, 0);
    timed = supervise(c, pid, pidfd, &in[1], &er[0], input, inlen, res);
    close_fd(&in[1]);
    read_stderr(&er[0], res, DRAIN_MAX);
    close_fd(&er[0]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    close_fd(&pidfd);
    if (timed != MCP_COMMAND_EXITED) {
        res->end = timed;
    } else if (WIFSIGNALED(status)) {
        res->end = MCP_COMMAND_SIGNALED;
        res->code = WTERMSIG(status);
    } else {
        res->end = MCP_COMMAND_EXITED;
        res->code = WEXITSTATUS(status);
    }
out:
    close_fd(&in[0]);
    close_fd(&in[1]);
    close_fd(&er[0]);
    close_fd(&er[1]);
    if (!pipe_was_pending) {
        struct timespec zero = {0, 0};

        sigpending(&pending);
        if (sigismember(&pending, SIGPIPE))
            sigtimedwait(&pipeset, NULL, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}
