/* cleanup.c - the plan and the pidfd signalling engine (cleanup.h). */
#include "proc/cleanup.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "base/textout.h"
#include "base/util.h"

#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

#define PAUSE_MAX_MS (10LL * 60 * 1000)

static int64_t mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int64_t ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000};

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* Record one action line and hand it to the callback. */
__attribute__((format(printf, 3, 4))) static void
note(struct mcp_cleanup_plan *plan, const struct mcp_cleanup_opts *o,
     const char *fmt, ...)
{
    char line[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    plan->log = mcp_realloc(plan->log, (plan->nlog + 1) * sizeof(char *));
    plan->log[plan->nlog++] = mcp_strdup(line);
    if (o->log != NULL)
        o->log(line, o->log_arg);
}

static const char *errtext(int e, char *buf, size_t len)
{
    /* GNU strerror_r: returns the message (maybe not in buf). */
    return strerror_r(e, buf, len);
}

static int send_signal(int pidfd, int sig)
{
    return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

void mcp_cleanup_opts_init(struct mcp_cleanup_opts *o,
                           const struct mcp_cleanup_conf *c)
{
    memset(o, 0, sizeof(*o));
    o->keep = c->keep;
    o->prefer_writer = c->prefer_writer;
    o->writer_window_ms = c->writer_window_ms;
    o->grace_ms = c->grace_ms;
}

/* Is p a writer in o's sense: it has a current log open for writing,
 * and that log changed within writer_window? (A property of the process
 * and of the log, not of who appended last: several servers writing one
 * log in turns all are, so the choice among them does not flip.) */
static bool is_writer(const struct mcp_proc *p,
                      const struct mcp_cleanup_opts *o)
{
    return o->prefer_writer && p->log_open_write &&
           p->log_modified_age_ms >= 0 &&
           p->log_modified_age_ms <= o->writer_window_ms;
}

/* The reason of a choice among the candidates: "newest", "the only
 * process with a live client", "oldest of the 3 processes with a live
 * client and the current log open for writing". */
static char *choice_reason(const char *which, size_t held, size_t writers)
{
    const char *client = held > 0 ? "a live client" : "";
    const char *both = held > 0 && writers > 0 ? " and " : "";
    const char *log = writers > 0 ? "the current log open for writing" : "";
    size_t k = writers > 0 ? writers : held;
    char buf[192];

    if (k == 0)
        snprintf(buf, sizeof(buf), "%s", which);
    else if (k == 1)
        snprintf(buf, sizeof(buf), "the only process with %s%s%s", client,
                 both, log);
    else
        snprintf(buf, sizeof(buf), "%s of the %zu processes with %s%s%s",
                 which, k, client, both, log);
    return mcp_strdup(buf);
}

long mcp_cleanup_choose(const struct mcp_proc *procs, size_t n,
                        const struct mcp_cleanup_opts *o, char **reason,
                        char *err)
{
    const char *which = o->keep == MCP_KEEP_OLDEST ? "oldest" : "newest";
    size_t held = 0, writers = 0;
    long best = -1;
    char buf[128];

    *reason = NULL;
    if (o->keep == MCP_KEEP_PID) {
        for (size_t i = 0; i < n; i++)
            if (procs[i].pid == o->keep_pid) {
                snprintf(buf, sizeof(buf), "--keep %d", (int)o->keep_pid);
                *reason = mcp_strdup(buf);
                return (long)i;
            }
        mcp_errf(err, "--keep %d: not a matching server process",
                 (int)o->keep_pid);
        return -2;
    }
    if (n == 0)
        return -1;
    /* rule 1: a process with a live client over an orphan */
    for (size_t i = 0; i < n; i++)
        held += !procs[i].orphan;
    if (held == n)
        held = 0;                  /* no orphan: the rule does not narrow */
    /* rule 2: among those, the writers of the current log */
    for (size_t i = 0; i < n; i++)
        writers += (held == 0 || !procs[i].orphan) && is_writer(&procs[i], o);
    /* rule 3: procs are sorted by start (oldest first, then pid): the
     * first or the last candidate, so ties go by start time */
    for (size_t i = 0; i < n; i++) {
        if (held > 0 && procs[i].orphan)
            continue;
        if (writers > 0 && !is_writer(&procs[i], o))
            continue;
        if (best < 0 || o->keep == MCP_KEEP_NEWEST)
            best = (long)i;
    }
    *reason = choice_reason(which, held, writers);
    return best;
}

int mcp_cleanup_plan(struct mcp_cleanup_plan *plan,
                     const struct mcp_procconf *pc,
                     const struct mcp_cleanup_opts *o, char *err)
{
    memset(plan, 0, sizeof(*plan));
    plan->keep = -1;
    if (mcp_procs_find(pc, !o->dry_run, &plan->procs, &plan->n, err) != 0)
        return -1;
    plan->orphans_only = o->orphans_only;
    if (o->orphans_only)
        plan->keep_reason = mcp_strdup("--orphans");
    else
        plan->keep = mcp_cleanup_choose(plan->procs, plan->n, o,
                                        &plan->keep_reason, err);
    if (plan->keep == -2) {
        mcp_cleanup_plan_free(plan);
        return -1;
    }
    plan->result = mcp_calloc(plan->n ? plan->n : 1, sizeof(*plan->result));
    plan->errnum = mcp_calloc(plan->n ? plan->n : 1, sizeof(*plan->errnum));
    plan->exit_ms = mcp_calloc(plan->n ? plan->n : 1, sizeof(*plan->exit_ms));
    for (size_t i = 0; i < plan->n; i++) {
        bool keep = o->orphans_only ? !plan->procs[i].orphan
                                    : (long)i == plan->keep;

        plan->result[i] = keep ? MCP_CLEANUP_KEPT : MCP_CLEANUP_PLANNED;
        plan->exit_ms[i] = -1;
    }
    return 0;
}

size_t mcp_cleanup_count(const struct mcp_cleanup_plan *plan)
{
    size_t k = 0;

    for (size_t i = 0; i < plan->n; i++)
        k += plan->result[i] != MCP_CLEANUP_KEPT;
    return k;
}

/* Wait until every pidfd in fds[0..n) (-1 entries ignored) is readable
 * or deadline (monotonic ms) passes; done[i] set for those that exited,
 * at[i] the time they were seen to. */
static void wait_exits(const int *fds, size_t n, bool *done, int64_t *at,
                       int64_t start, int64_t deadline)
{
    struct pollfd *pf = mcp_calloc(n ? n : 1, sizeof(*pf));

    for (;;) {
        size_t np = 0, left = 0;
        int64_t now = mono_ms();
        int r;

        for (size_t i = 0; i < n; i++) {
            pf[i].fd = fds[i] >= 0 && !done[i] ? fds[i] : -1;
            pf[i].events = POLLIN;
            pf[i].revents = 0;
            if (pf[i].fd >= 0)
                left++;
            np++;
        }
        if (left == 0 || now >= deadline)
            break;
        r = poll(pf, np, (int)(deadline - now > 1000 ? 1000 : deadline - now));
        if (r < 0 && errno != EINTR)
            break;
        for (size_t i = 0; i < n && r > 0; i++)
            if (pf[i].fd >= 0 && (pf[i].revents & (POLLIN | POLLHUP | POLLERR))) {
                done[i] = true;
                at[i] = mono_ms() - start;
            }
    }
    free(pf);
}

static void wait_pause(struct mcp_cleanup_plan *plan,
                       const struct mcp_cleanup_opts *o)
{
    int64_t until = mono_ms() + PAUSE_MAX_MS;
    struct stat st;

    note(plan, o, "cleanup: waiting for %s (test hook)", o->pause_file);
    while (stat(o->pause_file, &st) != 0 && mono_ms() < until)
        sleep_ms(20);
}

size_t mcp_cleanup_run(struct mcp_cleanup_plan *plan,
                       const struct mcp_cleanup_opts *o)
{
    size_t n = plan->n, failed = 0;
    int *fds = mcp_calloc(n ? n : 1, sizeof(*fds));
    bool *done = mcp_calloc(n ? n : 1, sizeof(*done));
    int64_t *at = mcp_calloc(n ? n : 1, sizeof(*at));
    int64_t start, kill_wait = o->kill_wait_ms > 0 ? o->kill_wait_ms : 2000;
    char eb[128];
    size_t nterm = 0, nkill = 0;

    plan->ran = true;
    plan->dry_run = o->dry_run;
    if (plan->keep >= 0)
        note(plan, o, "cleanup: keeping %d (%s)",
             (int)plan->procs[plan->keep].pid, plan->keep_reason);
    for (size_t i = 0; i < n && plan->orphans_only; i++)
        if (plan->result[i] == MCP_CLEANUP_KEPT)
            note(plan, o, "cleanup: keeping %d (--orphans: not an orphan)",
                 (int)plan->procs[i].pid);
    if (o->dry_run) {
        for (size_t i = 0; i < n; i++)
            if (plan->result[i] == MCP_CLEANUP_PLANNED)
                note(plan, o, "cleanup: %d: would be terminated (dry run)",
                     (int)plan->procs[i].pid);
        goto out;
    }
    if (o->pause_file != NULL)
        wait_pause(plan, o);
    /* SIGTERM to every target whose identity still holds. */
    for (size_t i = 0; i < n; i++) {
        struct mcp_proc *p = &plan->procs[i];
        int chk;

        fds[i] = -1;
        if (plan->result[i] != MCP_CLEANUP_PLANNED)
            continue;
        chk = mcp_proc_check(p);
        if (chk == 0) {
            plan->result[i] = MCP_CLEANUP_GONE;
            note(plan, o, "cleanup: %d: already gone", (int)p->pid);
            continue;
        }
        if (chk == 2) {
            plan->result[i] = MCP_CLEANUP_REUSED;
            note(plan, o, "cleanup: %d: pid reused by another process: not "
                 "signalled", (int)p->pid);
            continue;
        }
        if (p->pidfd < 0 || send_signal(p->pidfd, SIGTERM) != 0) {
            int e = p->pidfd < 0 ? EBADF : errno;

            if (e == ESRCH) {
                plan->result[i] = MCP_CLEANUP_GONE;
                note(plan, o, "cleanup: %d: already gone", (int)p->pid);
            } else {
                plan->result[i] = MCP_CLEANUP_FAILED;
                plan->errnum[i] = e;
                failed++;
                note(plan, o, "cleanup: %d: SIGTERM failed: %s", (int)p->pid,
                     errtext(e, eb, sizeof(eb)));
            }
            continue;
        }
        note(plan, o, "cleanup: %d: SIGTERM sent", (int)p->pid);
        fds[i] = p->pidfd;
        nterm++;
    }
    start = mono_ms();
    if (nterm > 0)
        wait_exits(fds, n, done, at, start, start + o->grace_ms);
    for (size_t i = 0; i < n; i++) {
        struct mcp_proc *p = &plan->procs[i];
        char d[32];

        if (fds[i] < 0)
            continue;
        if (done[i]) {
            plan->result[i] = MCP_CLEANUP_TERMINATED;
            plan->exit_ms[i] = at[i];
            mcp_duration_format(at[i], d, sizeof(d));
            note(plan, o, "cleanup: %d: exited after SIGTERM (%s)",
                 (int)p->pid, at[i] > 0 ? d : "0s");
            fds[i] = -1;
            continue;
        }
        mcp_duration_format(o->grace_ms, d, sizeof(d));
        if (send_signal(p->pidfd, SIGKILL) != 0) {
            int e = errno;

            if (e == ESRCH) { /* exited between the poll and now */
                plan->result[i] = MCP_CLEANUP_TERMINATED;
                plan->exit_ms[i] = mono_ms() - start;
                note(plan, o, "cleanup: %d: exited after SIGTERM",
                     (int)p->pid);
            } else {
                plan->result[i] = MCP_CLEANUP_FAILED;
                plan->errnum[i] = e;
                failed++;
                note(plan, o, "cleanup: %d: SIGKILL failed: %s", (int)p->pid,
                     errtext(e, eb, sizeof(eb)));
            }
            fds[i] = -1;
            continue;
        }
        note(plan, o, "cleanup: %d: still running after %s: SIGKILL sent",
             (int)p->pid, o->grace_ms > 0 ? d : "0s");
        nkill++;
    }
    if (nkill > 0) {
        int64_t now = mono_ms();

        wait_exits(fds, n, done, at, start, now + kill_wait);
        for (size_t i = 0; i < n; i++) {
            struct mcp_proc *p = &plan->procs[i];

            if (fds[i] < 0)
                continue;
            if (done[i]) {
                plan->result[i] = MCP_CLEANUP_KILLED;
                plan->exit_ms[i] = at[i];
                note(plan, o, "cleanup: %d: killed (SIGKILL)", (int)p->pid);
            } else {
                plan->result[i] = MCP_CLEANUP_FAILED;
                failed++;
                note(plan, o, "cleanup: %d: still running after SIGKILL",
                     (int)p->pid);
            }
        }
    }
out:
    free(fds);
    free(done);
    free(at);
    return failed;
}

void mcp_cleanup_plan_free(struct mcp_cleanup_plan *plan)
{
    mcp_procs_free(plan->procs, plan->n);
    free(plan->keep_reason);
    free(plan->result);
    free(plan->errnum);
    free(plan->exit_ms);
    for (size_t i = 0; i < plan->nlog; i++)
        free(plan->log[i]);
    free(plan->log);
    memset(plan, 0, sizeof(*plan));
    plan->keep = -1;
}

const char *mcp_cleanup_result_name(enum mcp_cleanup_result r)
{
    switch (r) {
    case MCP_CLEANUP_KEPT: return "kept";
    case MCP_CLEANUP_PLANNED: return "planned";
    case MCP_CLEANUP_TERMINATED: return "terminated";
    case MCP_CLEANUP_KILLED: return "killed";
    case MCP_CLEANUP_GONE: return "gone";
    case MCP_CLEANUP_REUSED: return "reused";
    case MCP_CLEANUP_FAILED: return "failed";
    }
    return "?";
}

void mcp_cleanup_json(const struct mcp_cleanup_plan *plan,
                      struct mcp_json *j)
{
    size_t failed = 0;
    char eb[128];

    mcp_json_begin_obj(j);
    mcp_json_key(j, "dry_run");
    mcp_json_bool(j, plan->dry_run);
    mcp_json_key(j, "orphans_only");
    mcp_json_bool(j, plan->orphans_only);
    mcp_json_key(j, "keep");
    if (plan->keep >= 0)
        mcp_json_int(j, plan->procs[plan->keep].pid);
    else
        mcp_json_null(j);
    mcp_json_key(j, "keep_reason");
    if (plan->keep_reason != NULL)
        mcp_json_str(j, plan->keep_reason);
    else
        mcp_json_null(j);
    mcp_json_key(j, "processes");
    mcp_json_begin_arr(j);
    for (size_t i = 0; i < plan->n; i++) {
        const struct mcp_proc *p = &plan->procs[i];

        mcp_json_begin_obj(j);
        mcp_proc_json_fields(j, p);
        mcp_json_key(j, "action");
        mcp_json_str(j, plan->result[i] == MCP_CLEANUP_KEPT ? "keep"
                                                             : "terminate");
        mcp_json_key(j, "result");
        mcp_json_str(j, mcp_cleanup_result_name(plan->result[i]));
        mcp_json_key(j, "error");
        if (plan->result[i] == MCP_CLEANUP_FAILED) {
            failed++;
            mcp_json_str(j, plan->errnum[i] != 0
                                ? errtext(plan->errnum[i], eb, sizeof(eb))
                                : "still running after SIGKILL");
        } else {
            mcp_json_null(j);
        }
        mcp_json_end_obj(j);
    }
    mcp_json_end_arr(j);
    mcp_json_key(j, "log");
    mcp_json_begin_arr(j);
    for (size_t i = 0; i < plan->nlog; i++)
        mcp_json_str(j, plan->log[i]);
    mcp_json_end_arr(j);
    mcp_json_key(j, "failed");
    mcp_json_int(j, (int64_t)failed);
    mcp_json_end_obj(j);
}
