/* procs.c - find the MCP server processes in /proc (procs.h). */
#include "procs.h"

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

#include "util.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

#define PF_KTHREAD 0x00200000u
#define MAX_CHAIN 4096              /* ppid walks: bounded against loops */

/* One /proc/PID/stat as read in the first pass. */
struct ent {
    pid_t pid, ppid;
    char state;
    unsigned flags;
    uint64_t start;
    uint64_t rss_pages;
};

/* The identity of one current log file. */
struct logid {
    bool ok;
    dev_t dev;
    ino_t ino;
    char *path;
};

/* --- small readers -------------------------------------------------------- */

/* Read a whole (small) file into a malloc'd NUL-terminated buffer. */
static char *slurp(const char *path, size_t max, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    size_t cap = 4096, n = 0;
    char *b;

    if (fd < 0)
        return NULL;
    b = mcp_malloc(cap + 1);
    for (;;) {
        ssize_t r;

        if (n == cap) {
            if (cap >= max)
                break;
            cap *= 2;
            b = mcp_realloc(b, cap + 1);
        }
        r = read(fd, b + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            free(b);
            close(fd);
            return NULL;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    b[n] = '\0';
    if (len != NULL)
        *len = n;
    return b;
}

static char *readlink_dup(const char *path)
{
    size_t cap = 256;

    for (;;) {
        char *b = mcp_malloc(cap);
        ssize_t r = readlink(path, b, cap);

        if (r < 0) {
            free(b);
            return NULL;
        }
        if ((size_t)r < cap) {
            b[r] = '\0';
            return b;
        }
        free(b);
        if (cap >= 65536)
            return NULL;
        cap *= 4;
    }
}

/* Parse /proc/PID/stat text: the fields after "(comm)", which may itself
 * hold spaces and parentheses (so: after the last ')'). */
static int parse_stat(const char *s, struct ent *e)
{
    const char *p = strrchr(s, ')');
    unsigned long long v[22];
    int f = 3;

    if (p == NULL || p[1] != ' ')
        return -1;
    p += 2;
    e->state = *p++;
    /* fields 4.. are numbers (some may be negative: skip the sign) */
    while (f < 24) {
        char *end;

        while (*p == ' ')
            p++;
        f++;
        if (*p == '-')
            p++;
        v[f - 4] = strtoull(p, &end, 10);
        if (end == p)
            return -1;
        p = end;
    }
    e->ppid = (pid_t)v[0];
    e->flags = (unsigned)v[9 - 4];
    e->start = v[22 - 4];
    e->rss_pages = v[24 - 4];
    return 0;
}

static int read_stat(pid_t pid, struct ent *e)
{
    char path[64], *s;
    int rc;

    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    s = slurp(path, 4096, NULL);
    if (s == NULL)
        return -1;
    e->pid = pid;
    rc = parse_stat(s, e);
    free(s);
    return rc;
}

int mcp_proc_stat_start(pid_t pid, uint64_t *start_ticks, char *state)
{
    struct ent e;

    if (read_stat(pid, &e) != 0)
        return -1;
    *start_ticks = e.start;
    if (state != NULL)
        *state = e.state;
    return 0;
}

int mcp_proc_check(const struct mcp_proc *p)
{
    uint64_t start;
    char state;

    if (mcp_proc_stat_start(p->pid, &start, &state) != 0)
        return 0;
    if (start != p->start_ticks)
        return 2;
    return state == 'Z' || state == 'X' ? 0 : 1;
}

static int real_uid(pid_t pid, uid_t *uid)
{
    char path[64], *s, *u;
    int rc = -1;

    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    s = slurp(path, 65536, NULL);
    if (s == NULL)
        return -1;
    u = strstr(s, "\nUid:");
    if (u != NULL) {
        *uid = (uid_t)strtoul(u + 5, NULL, 10);
        rc = 0;
    }
    free(s);
    return rc;
}

/* Split /proc/PID/cmdline (NUL-separated, normally NUL-terminated). */
static char **split_cmdline(const char *b, size_t len, int *argc)
{
    char **v;
    int n = 0;

    for (size_t i = 0; i < len; i++)
        if (b[i] == '\0' || i + 1 == len)
            n++;
    v = mcp_calloc((size_t)n + 1, sizeof(*v));
    n = 0;
    for (size_t i = 0, s = 0; i < len; i++)
        if (b[i] == '\0' || i + 1 == len) {
            size_t e = b[i] == '\0' ? i : i + 1;

            v[n++] = mcp_strndup(b + s, e - s);
            s = i + 1;
        }
    *argc = n;
    return v;
}

static char *join(const char *a, const char *b)
{
    size_t la = strlen(a);
    char *r = mcp_malloc(la + strlen(b) + 2);

    memcpy(r, a, la);
    r[la] = '/';
    strcpy(r + la + 1, b);
    return r;
}

/* --- log files ------------------------------------------------------------ */

static void logs_init(const struct mcp_procconf *pc, struct logid *l)
{
    static const char *const names[2] = {"mcp_server.log", "mcp_activity.log"};
    char *dir;

    memset(l, 0, 2 * sizeof(*l));
    if (pc->server.logs == NULL)
        return;
    dir = realpath(pc->server.logs, NULL);
    for (int i = 0; i < 2; i++) {
        struct stat st;

        l[i].path = join(dir ? dir : pc->server.logs, names[i]);
        if (stat(l[i].path, &st) == 0 && S_ISREG(st.st_mode)) {
            l[i].ok = true;
            l[i].dev = st.st_dev;
            l[i].ino = st.st_ino;
        }
    }
    free(dir);
}

static int64_t now_real_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Which current log files p has open; for those open for writing where
 * p's offset is the file's end (it appended last), the write age. */
static void scan_fds(struct mcp_proc *p, const struct logid *l)
{
    char path[96];
    struct dirent *d;
    DIR *dir;

    p->log_write_age_ms = -1;
    if (!l[0].ok && !l[1].ok)
        return;
    snprintf(path, sizeof(path), "/proc/%d/fd", (int)p->pid);
    dir = opendir(path);
    if (dir == NULL)
        return;
    while ((d = readdir(dir)) != NULL) {
        struct stat st;
        char *info, *pos, *flags;
        unsigned long long off;
        unsigned long fl;
        int which = -1;

        char *end;
        long fdn = strtol(d->d_name, &end, 10);

        if (d->d_name[0] < '0' || d->d_name[0] > '9' || *end != '\0')
            continue;
        snprintf(path, sizeof(path), "/proc/%d/fd/%ld", (int)p->pid, fdn);
        if (stat(path, &st) != 0)
            continue;
        for (int i = 0; i < 2; i++)
            if (l[i].ok && st.st_dev == l[i].dev && st.st_ino == l[i].ino)
                which = i;
        if (which < 0)
            continue;
        p->logs_open = true;
        snprintf(path, sizeof(path), "/proc/%d/fdinfo/%ld", (int)p->pid,
                 fdn);
        info = slurp(path, 65536, NULL);
        if (info == NULL)
            continue;
        pos = strstr(info, "pos:");
        flags = strstr(info, "flags:");
        if (pos != NULL && flags != NULL) {
            off = strtoull(pos + 4, NULL, 10);
            fl = strtoul(flags + 6, NULL, 8);
            if ((fl & O_ACCMODE) != O_RDONLY && (off_t)off == st.st_size) {
                int64_t age = now_real_ms() -
                              ((int64_t)st.st_mtim.tv_sec * 1000 +
                               st.st_mtim.tv_nsec / 1000000);

                if (age < 0)
                    age = 0;
                if (p->log_write_age_ms < 0 || age < p->log_write_age_ms)
                    p->log_write_age_ms = age;
            }
        }
        free(info);
    }
    closedir(dir);
}

/* --- discovery ------------------------------------------------------------ */

static int cmp_ent(const void *a, const void *b)
{
    const struct ent *x = a, *y = b;

    return (x->pid > y->pid) - (x->pid < y->pid);
}

static const struct ent *find_ent(const struct ent *v, size_t n, pid_t pid)
{
    struct ent key = {.pid = pid};

    return bsearch(&key, v, n, sizeof(*v), cmp_ent);
}

/* The outermost mcplog of the chain self, parent, grandparent ... of
 * processes running our own executable: when `follow` runs `cleanup` as
 * its action, follow is the top, and follow's other helpers (command
 * sinks) are then ours too. Usually self. */
static pid_t family_top(const struct ent *v, size_t n, pid_t self)
{
    struct stat me, st;
    char path[64];
    const struct ent *e;
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
static bool is_ours(const struct ent *v, size_t n, pid_t pid, pid_t self,
                    pid_t top)
{
    const struct ent *e;
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

static int list_proc(struct ent **out, size_t *n, char *err)
{
    DIR *d = opendir("/proc");
    struct dirent *de;
    struct ent *v = NULL;
    size_t cnt = 0, cap = 0;

    if (d == NULL) {
        mcp_errf(err, "/proc: %s", strerror(errno));
        return -1;
    }
    while ((de = readdir(d)) != NULL) {
        char *end;
        long pid = strtol(de->d_name, &end, 10);
        struct ent e;

        if (*end != '\0' || pid <= 0 || de->d_name[0] == '\0')
            continue;
        if (read_stat((pid_t)pid, &e) != 0)
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

int mcp_procs_find(const struct mcp_procconf *pc, bool open_pidfds,
                   struct mcp_proc **out, size_t *n, char *err)
{
    struct ent *v = NULL;
    size_t nv = 0, cnt = 0;
    struct mcp_proc *r = NULL;
    struct logid logs[2];
    pid_t self = getpid(), top;
    uid_t me = getuid();
    long hz = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
    struct timespec bt;
    int64_t boot_now_ms, real_now_ms;
    char *dir_real = NULL;
    int rc = 0;

    *out = NULL;
    *n = 0;
    if (needs_dir(pc) && pc->server.dir == NULL) {
        mcp_errf(err, "no server directory: set server: dir in mcplog.yaml "
                 "(the python and cwd match rules need it)");
        return -1;
    }
    if (pc->server.dir != NULL) {
        dir_real = realpath(pc->server.dir, NULL);
        if (dir_real == NULL)
            dir_real = mcp_path_normalize(pc->server.dir);
    }
    if (list_proc(&v, &nv, err) != 0) {
        free(dir_real);
        return -1;
    }
    top = family_top(v, nv, self);
    logs_init(pc, logs);
    clock_gettime(CLOCK_BOOTTIME, &bt);
    boot_now_ms = (int64_t)bt.tv_sec * 1000 + bt.tv_nsec / 1000000;
    real_now_ms = now_real_ms();
    if (hz <= 0)
        hz = 100;
    for (size_t i = 0; i < nv && rc == 0; i++) {
        const struct ent *e = &v[i];
        char path[64], *cl, *why = NULL;
        struct mcp_proc p;
        size_t len = 0;
        int idx;

        if (e->state == 'Z' || e->state == 'X' || (e->flags & PF_KTHREAD) ||
            is_ours(v, nv, e->pid, self, top))
            continue;
        memset(&p, 0, sizeof(p));
        p.pidfd = -1;
        p.pid = e->pid;
        p.ppid = e->ppid;
        p.start_ticks = e->start;
        if (real_uid(e->pid, &p.uid) != 0 ||
            (!pc->server.all_users && p.uid != me))
            continue;
        snprintf(path, sizeof(path), "/proc/%d/exe", (int)e->pid);
        p.exe = readlink_dup(path);
        snprintf(path, sizeof(path), "/proc/%d/cwd", (int)e->pid);
        p.cwd = readlink_dup(path);
        snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)e->pid);
        cl = slurp(path, 1 << 20, &len);
        if (cl != NULL)
            p.argv = split_cmdline(cl, len, &p.argc);
        else
            p.argv = mcp_calloc(1, sizeof(*p.argv));
        free(cl);
        idx = mcp_procs_match(pc, dir_real, p.exe, p.argv, p.argc, p.cwd,
                              &why);
        if (idx < 0) {
            proc_clear(&p);
            continue;
        }
        p.why = why;
        p.match_index = idx;
        p.rss_bytes = e->rss_pages * (uint64_t)(page > 0 ? page : 4096);
        p.uptime_ms = boot_now_ms - (int64_t)(e->start * 1000 / (uint64_t)hz);
        if (p.uptime_ms < 0)
            p.uptime_ms = 0;
        p.start_ms = real_now_ms - p.uptime_ms;
        scan_fds(&p, logs);
        if (open_pidfds) {
            int o = open_pidfd(&p, err);

            if (o != 0) {
                proc_clear(&p);
                if (o < 0)
                    rc = -1;
                continue;
            }
        }
        r = mcp_realloc(r, (cnt + 1) * sizeof(*r));
        r[cnt++] = p;
    }
    free(v);
    free(dir_real);
    for (int i = 0; i < 2; i++)
        free(logs[i].path);
    if (rc != 0) {
        mcp_procs_free(r, cnt);
        return -1;
    }
    if (cnt > 1)
        qsort(r, cnt, sizeof(*r), cmp_proc);
    *out = r;
    *n = cnt;
    return 0;
}

void mcp_procs_free(struct mcp_proc *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        proc_clear(&v[i]);
    free(v);
}
