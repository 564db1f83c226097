/* procread.c - the /proc readers of the process modules (procs_int.h):
 * small files, links, stat, status, cmdline, and which current log files
 * a process holds open. */
#include "proc/procs_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"

char *mcp_proc_slurp(const char *path, size_t max, size_t *len)
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

char *mcp_proc_readlink(const char *path)
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
static int parse_stat(const char *s, struct mcp_proc_ent *e)
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

int mcp_proc_read_stat(pid_t pid, struct mcp_proc_ent *e)
{
    char path[64], *s;
    int rc;

    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    s = mcp_proc_slurp(path, 4096, NULL);
    if (s == NULL)
        return -1;
    e->pid = pid;
    rc = parse_stat(s, e);
    free(s);
    return rc;
}

int mcp_proc_stat_start(pid_t pid, uint64_t *start_ticks, char *state)
{
    struct mcp_proc_ent e;

    if (mcp_proc_read_stat(pid, &e) != 0)
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

int mcp_proc_real_uid(pid_t pid, uid_t *uid)
{
    char path[64], *s, *u;
    int rc = -1;

    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    s = mcp_proc_slurp(path, 65536, NULL);
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

char **mcp_proc_split_cmdline(const char *b, size_t len, int *argc)
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

char *mcp_path_join(const char *a, const char *b)
{
    size_t la = strlen(a);
    char *r = mcp_malloc(la + strlen(b) + 2);

    memcpy(r, a, la);
    r[la] = '/';
    strcpy(r + la + 1, b);
    return r;
}

void mcp_proc_logs_init(const struct mcp_procconf *pc,
                        struct mcp_proc_logid *l)
{
    static const char *const names[2] = {"mcp_server.log", "mcp_activity.log"};
    char *dir;

    memset(l, 0, 2 * sizeof(*l));
    if (pc->server.logs == NULL)
        return;
    dir = realpath(pc->server.logs, NULL);
    for (int i = 0; i < 2; i++) {
        struct stat st;

        l[i].path = mcp_path_join(dir ? dir : pc->server.logs, names[i]);
        if (stat(l[i].path, &st) == 0 && S_ISREG(st.st_mode)) {
            l[i].ok = true;
            l[i].dev = st.st_dev;
            l[i].ino = st.st_ino;
        }
    }
    free(dir);
}

void mcp_proc_logs_free(struct mcp_proc_logid *l)
{
    for (int i = 0; i < 2; i++)
        free(l[i].path);
}

int64_t mcp_proc_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* min(*slot, age), where -1 is "none yet"; negative ages (a clock step
 * or a future mtime) count as 0. */
static void keep_min(int64_t *slot, int64_t age)
{
    if (age < 0)
        age = 0;
    if (*slot < 0 || age < *slot)
        *slot = age;
}

void mcp_proc_scan_fds(struct mcp_proc *p, const struct mcp_proc_logid *l,
                       int64_t now_ms)
{
    char path[96];
    struct dirent *d;
    DIR *dir;

    p->log_write_age_ms = -1;
    p->log_modified_age_ms = -1;
    if (!l[0].ok && !l[1].ok)
        return;
    snprintf(path, sizeof(path), "/proc/%d/fd", (int)p->pid);
    dir = opendir(path);
    if (dir == NULL)
        return;
    while ((d = readdir(dir)) != NULL) {
        struct stat st;
        char *info, *pos, *flags, *end;
        long fdn = strtol(d->d_name, &end, 10);
        int which = -1;

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
        info = mcp_proc_slurp(path, 65536, NULL);
        if (info == NULL)
            continue;
        pos = strstr(info, "pos:");
        flags = strstr(info, "flags:");
        if (pos != NULL && flags != NULL &&
            (strtoul(flags + 6, NULL, 8) & O_ACCMODE) != O_RDONLY) {
            int64_t age = now_ms - ((int64_t)st.st_mtim.tv_sec * 1000 +
                                    st.st_mtim.tv_nsec / 1000000);

            /* open for writing: the file's last change is this
             * writer's window test; its offset at the end means it
             * appended last */
            p->log_open_write = true;
            keep_min(&p->log_modified_age_ms, age);
            if ((off_t)strtoull(pos + 4, NULL, 10) == st.st_size)
                keep_min(&p->log_write_age_ms, age);
        }
        free(info);
    }
    closedir(dir);
}
