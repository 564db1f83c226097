/* procparent.c - who started a server process, and whether its client
 * is gone (procs.h: mcp_proc_parent_classify; procs_int.h:
 * mcp_proc_read_parent).
 *
 * When a process exits, Linux hands its children to the nearest
 * ancestor that asked to be a "child subreaper" (prctl
 * PR_SET_CHILD_SUBREAPER: systemd --user does, for every app of a
 * desktop session), else to PID 1 of their PID namespace. Neither ever
 * starts an MCP server over stdio: a server whose parent is one of them
 * lost the client that started it (Claude Code leaves a server that has
 * not finished connecting running when it gives up, and `claude mcp
 * list` exits before its SIGTERM). /proc does not tell whether a process
 * is a subreaper, so the service manager is known by name (systemd);
 * PID 1 of a namespace by the NSpid line of its status. A launcher
 * between client and server (a shell running a script, uv, npx) is
 * looked through, one level: its being adopted makes the server an
 * orphan too. Nothing else makes one: a parent mcplog does not know (a
 * client such as Cursor, a wrapper) is a live client. */
#include "proc/procs_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Is the name of path (its last component) one of names? */
static bool named(const char *path, const char *const *names)
{
    const char *b;

    if (path == NULL)
        return false;
    b = mcp_path_base(path);
    for (; *names != NULL; names++)
        if (strcmp(b, *names) == 0)
            return true;
    return false;
}

/* exe when readable, else comm: what a process runs. */
static const char *runs(const struct mcp_parent_desc *d)
{
    return d->exe != NULL ? d->exe : d->comm;
}

static const char *arg(const struct mcp_parent_desc *d, int i)
{
    return d->argv != NULL && i < d->argc ? d->argv[i] : NULL;
}

enum mcp_parent_kind mcp_proc_parent_classify(const struct mcp_parent_desc *d,
                                              char **name)
{
    static const char *const claude[] = {"claude", NULL};
    static const char *const claude_exe[] = {"claude", "claude.exe", NULL};
    static const char *const desktop[] = {"Claude", "claude-desktop", NULL};
    static const char *const systemd[] = {"systemd", NULL};
    static const char *const shells[] = {"sh", "bash", "dash", "zsh", "ksh",
                                         "mksh", "fish", "csh", "tcsh",
                                         "busybox", NULL};
    static const char *const uv[] = {"uv", "uvx", NULL};
    static const char *const npx[] = {"npx", NULL};
    const char *a0 = arg(d, 0), *a1 = arg(d, 1), *r = runs(d);

    if (d->pid == 1 || d->ns_init) {
        *name = mcp_strdup("init");
        return MCP_PARENT_INIT;
    }
    if (named(r, systemd)) {
        *name = mcp_strdup("systemd");
        return MCP_PARENT_SUBREAPER;
    }
    if (named(a0, claude) || named(d->exe, claude_exe) ||
        named(d->comm, claude) ||
        (a1 != NULL && ends_with(a1, "claude-code/cli.js"))) {
        *name = mcp_strdup("claude");
        return MCP_PARENT_CLIENT;
    }
    if (named(a0, desktop) || named(d->exe, desktop) ||
        (a1 != NULL && ends_with(a1, "claude-desktop/app.asar"))) {
        *name = mcp_strdup("Claude");
        return MCP_PARENT_CLIENT;
    }
    if (named(r, shells)) {
        *name = mcp_strdup(mcp_path_base(r));
        return MCP_PARENT_SHELL;
    }
    if (named(d->exe, uv) || named(a0, uv)) {
        *name = mcp_strdup(mcp_path_base(named(d->exe, uv) ? d->exe : a0));
        return MCP_PARENT_LAUNCHER;
    }
    if (named(a0, npx) || named(a1, npx)) {
        *name = mcp_strdup("npx");
        return MCP_PARENT_LAUNCHER;
    }
    *name = mcp_strdup(d->comm != NULL ? d->comm
                       : d->exe != NULL ? mcp_path_base(d->exe)
                                        : "?");
    return MCP_PARENT_OTHER;
}

const char *mcp_parent_kind_name(enum mcp_parent_kind k)
{
    switch (k) {
    case MCP_PARENT_UNKNOWN: return "unknown";
    case MCP_PARENT_CLIENT: return "client";
    case MCP_PARENT_SHELL: return "shell";
    case MCP_PARENT_LAUNCHER: return "launcher";
    case MCP_PARENT_INIT: return "init";
    case MCP_PARENT_SUBREAPER: return "subreaper";
    case MCP_PARENT_OTHER: return "other";
    }
    return "?";
}

/* What /proc says about one process, owned. */
struct pdesc {
    struct mcp_parent_desc d;
    pid_t ppid;
    char *comm, *exe, **argv;
};

/* Whether the NSpid line of status text ends in " 1" (or "\t1"). */
static bool nspid_is_init(const char *status)
{
    const char *l = status != NULL ? strstr(status, "\nNSpid:") : NULL;
    const char *end, *last;

    if (l == NULL)
        return false;
    l += 7;
    end = strchr(l, '\n');
    if (end == NULL)
        end = l + strlen(l);
    last = end;
    while (last > l && (last[-1] < '0' || last[-1] > '9'))
        last--;
    end = last;
    while (last > l && last[-1] >= '0' && last[-1] <= '9')
        last--;
    return end - last == 1 && *last == '1';
}

static void pdesc_free(struct pdesc *p)
{
    free(p->comm);
    free(p->exe);
    for (int i = 0; i < p->d.argc; i++)
        free(p->argv[i]);
    free(p->argv);
}

/* Read pid's comm, exe, cmdline, NSpid and PPid. Returns 0, or -1 when
 * it is gone (nothing held). */
static int pdesc_read(pid_t pid, struct pdesc *p)
{
    struct mcp_proc_ent e;
    char path[64], *s;
    size_t len = 0;

    memset(p, 0, sizeof(*p));
    if (pid <= 0 || mcp_proc_read_stat(pid, &e) != 0)
        return -1;
    p->ppid = e.ppid;
    p->d.pid = pid;
    snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
    p->comm = mcp_proc_slurp(path, 64, &len);
    if (p->comm != NULL && len > 0 && p->comm[len - 1] == '\n')
        p->comm[len - 1] = '\0';
    snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
    p->exe = mcp_proc_readlink(path);
    snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
    s = mcp_proc_slurp(path, 1 << 16, &len);
    if (s != NULL)
        p->argv = mcp_proc_split_cmdline(s, len, &p->d.argc);
    free(s);
    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    s = mcp_proc_slurp(path, 65536, NULL);
    p->d.ns_init = nspid_is_init(s);
    free(s);
    p->d.comm = p->comm;
    p->d.exe = p->exe;
    p->d.argv = p->argv;
    return 0;
}

/* "init (PID 1)", "the init of a PID namespace (PID 4711)", "the
 * subreaper systemd (PID 1523)". */
static void adopter(struct mcp_buf *b, enum mcp_parent_kind k, pid_t pid)
{
    if (k == MCP_PARENT_SUBREAPER)
        mcp_buf_printf(b, "the subreaper systemd (PID %d)", (int)pid);
    else if (pid == 1)
        mcp_buf_puts(b, "init (PID 1)");
    else
        mcp_buf_printf(b, "the init of a PID namespace (PID %d)", (int)pid);
}

static bool adopts(enum mcp_parent_kind k)
{
    return k == MCP_PARENT_INIT || k == MCP_PARENT_SUBREAPER;
}

void mcp_proc_read_parent(struct mcp_proc *p)
{
    struct pdesc pd, gd;
    enum mcp_parent_kind gk;
    struct mcp_buf b;
    char *gname = NULL;

    p->parent = NULL;
    p->parent_kind = MCP_PARENT_UNKNOWN;
    p->orphan = false;
    p->orphan_reason = NULL;
    if (pdesc_read(p->ppid, &pd) != 0)
        return;
    p->parent_kind = mcp_proc_parent_classify(&pd.d, &p->parent);
    mcp_buf_init(&b);
    if (adopts(p->parent_kind)) {
        mcp_buf_puts(&b, "adopted by ");
        adopter(&b, p->parent_kind, p->ppid);
    } else if ((p->parent_kind == MCP_PARENT_SHELL ||
                p->parent_kind == MCP_PARENT_LAUNCHER) &&
               pdesc_read(pd.ppid, &gd) == 0) {
        gk = mcp_proc_parent_classify(&gd.d, &gname);
        if (adopts(gk)) {
            mcp_buf_printf(&b, "launcher %s (PID %d) adopted by ", p->parent,
                           (int)p->ppid);
            adopter(&b, gk, pd.ppid);
        }
        free(gname);
        pdesc_free(&gd);
    }
    if (b.len > 0) {
        p->orphan = true;
        p->orphan_reason = mcp_buf_steal(&b);
    }
    mcp_buf_free(&b);
    pdesc_free(&pd);
}
