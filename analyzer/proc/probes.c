/* probes.c - follow's process and logs-folder probes (probes.h). */
#include "proc/probes.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proc/health.h"
#include "base/path.h"
#include "proc/procs.h"

struct mcp_probes {
    const struct mcp_config *c;
    char *logdir;                  /* NULL: no log-dir probe */
    bool procs;                    /* the process probes run */
    int64_t interval_ms;
    int64_t next_due;              /* monotonic ms */
    char proc_err[MCP_ERRLEN];     /* the failure last told, or "" */
    char dir_err[MCP_ERRLEN];
    long nprocs;                   /* the last count, or -1 */
};

struct mcp_probes *mcp_probes_create(const struct mcp_config *c,
                                     const char *logdir)
{
    struct mcp_probes *p;

    if (!c->proc.probes.enabled)
        return NULL;
    p = mcp_calloc(1, sizeof(*p));
    p->c = c;
    p->nprocs = -1;
    if (logdir == NULL)
        logdir = c->proc.server.logs;
    p->logdir = logdir ? mcp_strdup(logdir) : NULL;
    /* Without server.dir the default match rule cannot work: the server
     * is not configured, which is no error here (follow is often run
     * for the logs alone). Explicit rules without a dir are tried, and
     * their error is told. */
    p->procs = c->proc.server.dir != NULL || !c->proc.server.match_default;
    p->interval_ms = c->proc.probes.interval_ms > 0
                         ? c->proc.probes.interval_ms : 30000;
    return p;
}

long mcp_probes_processes(const struct mcp_probes *p)
{
    return p != NULL ? p->nprocs : -1;
}

int64_t mcp_probes_interval(const struct mcp_probes *p)
{
    return p->interval_ms;
}

/* A size as mcplog prints it: "612 MiB", "1.2 GiB", "300 B". */
static void size_token(struct mcp_buf *out, uint64_t bytes)
{
    char s[32];

    mcp_buf_puts(out, mcp_size_format(bytes, s, sizeof(s)));
}

/* Tell a failure once, and its end once: append to notice ("; "
 * between two). */
static void track(char *last, const char *now_err, const char *what,
                  char *notice)
{
    size_t l = strlen(notice);
    const char *sep = l ? "; " : "";

    if (now_err[0] != '\0' && strcmp(last, now_err) != 0) {
        snprintf(last, MCP_ERRLEN, "%s", now_err);
        snprintf(notice + l, MCP_ERRLEN - l, "%s%s probe: %s", sep, what,
                 now_err);
    } else if (now_err[0] == '\0' && last[0] != '\0') {
        last[0] = '\0';
        snprintf(notice + l, MCP_ERRLEN - l, "%s%s probe works again", sep,
                 what);
    }
}

static void probe_procs(struct mcp_probes *p, struct mcp_buf *out,
                        char *notice)
{
    const struct mcp_health_conf *hc = &p->c->proc.health;
    struct mcp_proc *v = NULL;
    size_t n = 0;
    char err[MCP_ERRLEN] = "";

    if (mcp_procs_find(&p->c->proc, false, &v, &n, err) != 0) {
        track(p->proc_err, err, "process", notice);
        p->nprocs = -1;
        return;
    }
    p->nprocs = (long)n;
    track(p->proc_err, "", "process", notice);
    if ((long)n > hc->max_processes) {
        mcp_buf_printf(out, "probe stale-processes procs=%zu max=%ld pids=", n,
                       hc->max_processes);
        for (size_t i = 0; i < n; i++)
            mcp_buf_printf(out, "%s%lld", i ? "," : "", (long long)v[i].pid);
        mcp_buf_putc(out, '\n');
    }
    if ((long)n < hc->min_processes)
        mcp_buf_printf(out, "probe no-server procs=%zu min=%ld\n", n,
                       hc->min_processes);
    for (size_t i = 0; i < n; i++) {
        if (v[i].rss_bytes <= hc->rss_warn)
            continue;
        mcp_buf_printf(out, "probe server-memory-high pid=%lld rss=",
                       (long long)v[i].pid);
        size_token(out, v[i].rss_bytes);
        mcp_buf_puts(out, " limit=");
        size_token(out, hc->rss_warn);
        mcp_buf_putc(out, '\n');
    }
    mcp_procs_free(v, n);
}

static void probe_dir(struct mcp_probes *p, struct mcp_buf *out,
                      char *notice)
{
    const struct mcp_health_conf *hc = &p->c->proc.health;
    uint64_t bytes = 0;
    char err[MCP_ERRLEN] = "";

    if (p->logdir == NULL)
        return;
    if (mcp_dir_size(p->logdir, &bytes, err) != 0) {
        track(p->dir_err, err, "log-dir", notice);
        return;
    }
    track(p->dir_err, "", "log-dir", notice);
    if (bytes <= hc->log_dir_warn)
        return;
    mcp_buf_puts(out, "probe log-dir-growth size=");
    size_token(out, bytes);
    mcp_buf_puts(out, " limit=");
    size_token(out, hc->log_dir_warn);
    mcp_buf_putc(out, '\n');
}

int64_t mcp_probes_run(struct mcp_probes *p, int64_t now_mono,
                       struct mcp_buf *out, char *notice)
{
    notice[0] = '\0';
    if (now_mono < p->next_due)
        return p->next_due;
    if (p->procs)
        probe_procs(p, out, notice);
    probe_dir(p, out, notice);
    p->next_due = now_mono + p->interval_ms;
    return p->next_due;
}

void mcp_probes_destroy(struct mcp_probes *p)
{
    if (p == NULL)
        return;
    free(p->logdir);
    free(p);
}
