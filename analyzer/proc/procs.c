/* procs.c - find the MCP server processes in /proc (procs.h). */
#include "proc/procs_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

#define PF_KTHREAD 0x00200000u
#define MAX_CHAIN 4096              /* ppid walks: bounded against loops */

/* --- discovery ------------------------------------------------------------ */

static int cmp_ent(const void *a, const void *b)
{
    const struct mcp_proc_ent *x = a, *y = b;

    return (x->pid > y->pid) - (x->pid < y->pid);
}

static const struct mcp_proc_ent *find_ent(const struct mcp_proc_ent *v,
                                          size_t n, pid_t pid)
{
    struct mcp_proc_ent key = {.pid = pid};

    return bsearch(&key, v, n, sizeof(*v), cmp_ent);
}

/* The outermost mcplog of the chain self, parent, grandparent ... of
 * processes running our own executable: when `follow` runs `cleanup` as
 * its action, follow is the top, and follow's other helpers (command
 * sinks) are then ours too. Usually self. */
static pid_t family_top(const struct mcp_proc_ent *v, size_t n, pid_t self)
{
    struct stat me, st;
    char path[64];
    const struct mcp_proc_ent *e;
    pid_t top = self;
    int steps = 0;

    /* Same executable: same file (stat follows /proc/PID/exe). */
    if (stat("/proc/self/exe", &me) != 0)
        return self;
    while ((e = find_ent(v, n, top)) != NULL && e->ppid > 0 &&
           steps++ < MAX_CHAIN) {
        snprintf(path, sizeof(path), "/proc/%d/exe", (int)e->ppid);
        if (stat(path, &st) != 0 || st.st_dev != me.st_dev ||
            st.st_ino != me.st_ino)
            break;
        top = e->ppid;
    }
    return top;
}

/* Is pid one of ours: self, an ancestor, or a descendant of top? */
static bool is_ours(const struct mcp_proc_ent *v, size_t n, pid_t pid,
                    pid_t self, pid_t top)
{
    const struct mcp_proc_ent *e;
    pid_t p;
    int steps = 0;

    if (pid == self)
        return true;
    for (p = self; p > 0 && steps < MAX_CHAIN; steps++) {
        e = find_ent(v, n, p);
        if (e == NULL)
            break;
        p = e->ppid;
        if (p == pid)
            return true;
    }
    e = find_ent(v, n, pid);
    for (p = e ? e->ppid : 0, steps = 0; p > 0 && steps < MAX_CHAIN;
         steps++) {
        if (p == self || p == top)
            return true;
        e = find_ent(v, n, p);
        if (e == NULL)
            break;
        p = e->ppid;
    }
    return false;
}

static int list_proc(struct mcp_proc_ent **out, size_t *n, char *err)
{
    DIR *d = opendir("/proc");
    struct dirent *de;
    struct mcp_proc_ent *v = NULL;
    size_t cnt = 0, cap = 0;

    if (d == NULL) {
        mcp_errf(err, "/proc: %s", strerror(errno));
        return -1;
    }
    while ((de = readdir(d)) != NULL) {
        char *end;
        long pid = strtol(de->d_name, &end, 10);
        struct mcp_proc_ent e;

        if (*end != '\0' || pid <= 0 || de->d_name[0] == '\0')
            continue;
        if (mcp_proc_read_stat((pid_t)pid, &e) != 0)
            continue;
        if (cnt == cap) {
            cap = cap ? cap * 2 : 256;
            v = mcp_realloc(v, cap * sizeof(*v));
        }
        v[cnt++] = e;
    }
    closedir(d);
    qsort(v, cnt, sizeof(*v), cmp_ent);
    *out = v;
    *n = cnt;
    return 0;
}

static void proc_clear(struct mcp_proc *p)
{
    free(p->exe);
    free(p->cwd);
    free(p->why);
    free(p->parent);
    free(p->orphan_reason);
    for (int i = 0; i < p->argc; i++)
        free(p->argv[i]);
    free(p->argv);
    if (p->pidfd >= 0)
        close(p->pidfd);
    memset(p, 0, sizeof(*p));
    p->pidfd = -1;
}

/* Open a pidfd for p and make sure it names the process read: the start
 * time read again after the open must be the same. */
static int open_pidfd(struct mcp_proc *p, char *err)
{
    uint64_t start;
    char state;
    int fd = (int)syscall(SYS_pidfd_open, p->pid, 0);

    if (fd < 0) {
        if (errno == ENOSYS || errno == EINVAL) {
            mcp_errf(err, "pidfd_open: %s (Linux 5.3 or later is needed to "
                     "signal processes safely)", strerror(errno));
            return -1;
        }
        return 1; /* gone */
    }
    if (mcp_proc_stat_start(p->pid, &start, &state) != 0 ||
        start != p->start_ticks || state == 'Z' || state == 'X') {
        close(fd);
        return 1;
    }
    p->pidfd = fd;
    return 0;
}

static int cmp_proc(const void *a, const void *b)
{
    const struct mcp_proc *x = a, *y = b;

    if (x->start_ticks != y->start_ticks)
        return x->start_ticks < y->start_ticks ? -1 : 1;
    return (x->pid > y->pid) - (x->pid < y->pid);
}

static bool needs_dir(const struct mcp_procconf *pc)
{
    for (size_t i = 0; i < pc->server.nmatch; i++)
        if (pc->server.match[i].kind == MCP_MATCH_PYTHON ||
            pc->server.match[i].kind == MCP_MATCH_CWD)
            return true;
    return false;
}

/* The clocks a discovery pass converts start times with. */
struct clocks {
    int64_t boot_now_ms, real_now_ms;
    long hz, page;
};

/* Fill p from e and /proc (exe, cwd, cmdline). Returns -1 (p holds
 * nothing) when the process is not a candidate: another user's, unless
 * server.all_users. */
static int describe(const struct mcp_procconf *pc,
                    const struct mcp_proc_ent *e, const struct clocks *c,
                    struct mcp_proc *p)
{
    char path[64], *cl;
    size_t len = 0;

    memset(p, 0, sizeof(*p));
    p->pidfd = -1;
    p->match_index = -1;
    p->pid = e->pid;
    p->ppid = e->ppid;
    p->start_ticks = e->start;
    if (mcp_proc_real_uid(e->pid, &p->uid) != 0 ||
        (!pc->server.all_users && p->uid != getuid()))
        return -1;
    snprintf(path, sizeof(path), "/proc/%d/exe", (int)e->pid);
    p->exe = mcp_proc_readlink(path);
    snprintf(path, sizeof(path), "/proc/%d/cwd", (int)e->pid);
    p->cwd = mcp_proc_readlink(path);
    snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)e->pid);
    cl = mcp_proc_slurp(path, 1 << 20, &len);
    if (cl != NULL)
        p->argv = mcp_proc_split_cmdline(cl, len, &p->argc);
    else
        p->argv = mcp_calloc(1, sizeof(*p->argv));
    free(cl);
    p->rss_bytes = e->rss_pages * (uint64_t)c->page;
    p->uptime_ms =
        c->boot_now_ms - (int64_t)(e->start * 1000 / (uint64_t)c->hz);
    if (p->uptime_ms < 0)
        p->uptime_ms = 0;
    p->start_ms = c->real_now_ms - p->uptime_ms;
    return 0;
}

static void append(struct mcp_proc **v, size_t *n, const struct mcp_proc *p)
{
    *v = mcp_realloc(*v, (*n + 1) * sizeof(**v));
    (*v)[(*n)++] = *p;
}

int mcp_procs_find_all(const struct mcp_procconf *pc, bool open_pidfds,
                       struct mcp_proc **out, size_t *n,
                       struct mcp_proc **near, size_t *nnear, char *err)
{
    struct mcp_proc_ent *v = NULL;
    size_t nv = 0, cnt = 0, cnear = 0;
    struct mcp_proc *r = NULL, *rn = NULL;
    struct mcp_proc_logid logs[2];
    pid_t self = getpid(), top;
    struct timespec bt;
    struct clocks c;
    char *dir_real = NULL;
    int rc = 0;

    *out = NULL;
    *n = 0;
    if (near != NULL) {
        *near = NULL;
        *nnear = 0;
    }
    if (needs_dir(pc) && pc->server.dir == NULL) {
        mcp_errf(err, "no server directory: give --server-dir DIR or set "
                 "server: dir in mcplog.yaml (the python and cwd match "
                 "rules need it)");
        return -1;
    }
    /* a folder that does not resolve holds no server: compare resolved
     * paths only */
    if (pc->server.dir != NULL)
        dir_real = realpath(pc->server.dir, NULL);
    if (list_proc(&v, &nv, err) != 0) {
        free(dir_real);
        return -1;
    }
    top = family_top(v, nv, self);
    mcp_proc_logs_init(pc, logs);
    clock_gettime(CLOCK_BOOTTIME, &bt);
    c.boot_now_ms = (int64_t)bt.tv_sec * 1000 + bt.tv_nsec / 1000000;
    c.real_now_ms = mcp_proc_now_ms();
    c.hz = sysconf(_SC_CLK_TCK);
    c.page = sysconf(_SC_PAGESIZE);
    if (c.hz <= 0)
        c.hz = 100;
    if (c.page <= 0)
        c.page = 4096;
    for (size_t i = 0; i < nv && rc == 0; i++) {
        const struct mcp_proc_ent *e = &v[i];
        struct mcp_proc p;
        char *why = NULL;

        if (e->state == 'Z' || e->state == 'X' || (e->flags & PF_KTHREAD) ||
            is_ours(v, nv, e->pid, self, top) || describe(pc, e, &c, &p) != 0)
            continue;
        p.match_index = mcp_procs_match(pc, dir_real, p.exe, p.argv, p.argc,
                                        p.cwd, &why);
        p.why = why;
        if (p.match_index < 0 && (why == NULL || near == NULL)) {
            proc_clear(&p);
            continue;
        }
        mcp_proc_scan_fds(&p, logs, c.real_now_ms);
        mcp_proc_read_parent(&p);
        if (p.match_index < 0) {
            append(&rn, &cnear, &p);   /* shown, never signalled */
            continue;
        }
        if (open_pidfds) {
            int o = open_pidfd(&p, err);

            if (o != 0) {
                proc_clear(&p);
                if (o < 0)
                    rc = -1;
                continue;
            }
        }
        append(&r, &cnt, &p);
    }
    free(v);
    free(dir_real);
    mcp_proc_logs_free(logs);
    if (rc != 0) {
        mcp_procs_free(r, cnt);
        mcp_procs_free(rn, cnear);
        return -1;
    }
    if (cnt > 1)
        qsort(r, cnt, sizeof(*r), cmp_proc);
    if (cnear > 1)
        qsort(rn, cnear, sizeof(*rn), cmp_proc);
    *out = r;
    *n = cnt;
    if (near != NULL) {
        *near = rn;
        *nnear = cnear;
    }
    return 0;
}

int mcp_procs_find(const struct mcp_procconf *pc, bool open_pidfds,
                   struct mcp_proc **out, size_t *n, char *err)
{
    return mcp_procs_find_all(pc, open_pidfds, out, n, NULL, NULL, err);
}

void mcp_procs_free(struct mcp_proc *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        proc_clear(&v[i]);
    free(v);
}
