/* health.c - the checks of `mcplog health` (health.h) and their output. */
#include "proc/health.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/textout.h"
#include "base/timeparse.h"


static const char *const names[MCP_HC_N] = {
    "processes", "memory", "restarts", "reconnects", "log_dir", "newest_line",
};
static const char *const units[MCP_HC_N] = {
    "processes", "bytes", "matches", "matches", "bytes", "seconds",
};

const char *mcp_health_status_name(enum mcp_health_status s)
{
    static const char *const n[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};

    return (unsigned)s < 4 ? n[s] : "UNKNOWN";
}

int mcp_health_rank(enum mcp_health_status s)
{
    static const int r[] = {0, 2, 3, 1};

    return (unsigned)s < 4 ? r[s] : 1;
}

char *mcp_health_age(int64_t ms, char *buf, size_t len)
{
    int64_t s = ms < 0 ? 0 : ms / 1000;

    if (s < 60)
        snprintf(buf, len, "%llds", (long long)s);
    else if (s < 3600)
        snprintf(buf, len, "%lldm", (long long)(s / 60));
    else if (s < 86400)
        snprintf(buf, len, "%lldh", (long long)(s / 3600));
    else
        snprintf(buf, len, "%lldd", (long long)(s / 86400));
    return buf;
}

/* Summary and detail may hold a path (the logs folder, an error about
 * it): escaped here, so each stays one line (a newline in a folder name
 * must not start a forged check line in the text output). */
static void set(struct mcp_health_check *c, enum mcp_health_status st,
                const char *summary, const char *detail)
{
    struct mcp_buf b;

    c->status = st;
    mcp_buf_init(&b);
    mcp_term_str(&b, summary);
    snprintf(c->summary, sizeof(c->summary), "%s", b.data ? b.data : "");
    mcp_buf_reset(&b);
    mcp_term_str(&b, detail);
    snprintf(c->detail, sizeof(c->detail), "%s", b.data ? b.data : "");
    mcp_buf_free(&b);
}

static void unknown(struct mcp_health_check *c, const char *cause)
{
    char s[sizeof(c->summary)];

    snprintf(s, sizeof(s), "%s unknown", c->name);
    c->has_value = false;
    set(c, MCP_HEALTH_UNKNOWN, s, cause);
}

void mcp_health_init(struct mcp_health *h, int64_t now, const char *logdir)
{
    memset(h, 0, sizeof(*h));
    h->now = now;
    h->logdir = mcp_strdup(logdir ? logdir : "");
    for (int i = 0; i < MCP_HC_N; i++) {
        h->c[i].name = names[i];
        h->c[i].unit = units[i];
        unknown(&h->c[i], "not run");
    }
    h->status = MCP_HEALTH_UNKNOWN;
}

void mcp_health_free(struct mcp_health *h)
{
    free(h->logdir);
    free(h->procs);
    memset(h, 0, sizeof(*h));
}

/* --- processes and memory ------------------------------------------------ */

/* "101,102" into buf: every pid, or those whose RSS is above over. */
static void list_pids(char *buf, size_t len, const struct mcp_proc *p,
                      size_t n, bool only_over, uint64_t over)
{
    size_t at = 0;
    int k = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < n && at + 24 < len; i++) {
        if (only_over && p[i].rss_bytes <= over)
            continue;
        at += (size_t)snprintf(buf + at, len - at, "%s%lld", k++ ? "," : "",
                               (long long)p[i].pid);
    }
}

void mcp_health_procs(struct mcp_health *h, const struct mcp_health_conf *hc,
                      const struct mcp_proc *p, size_t n, const char *cause)
{
    struct mcp_health_check *pc = &h->c[MCP_HC_PROCESSES];
    struct mcp_health_check *mc = &h->c[MCP_HC_MEMORY];
    char s[192], d[1024], pids[512], sz[32], lim[32];
    size_t over = 0, big = 0;

    if (cause != NULL) {
        unknown(pc, cause);
        unknown(mc, cause);
        return;
    }
    free(h->procs);
    h->procs = n ? mcp_calloc(n, sizeof(*h->procs)) : NULL;
    h->nprocs = n;
    for (size_t i = 0; i < n; i++) {
        h->procs[i].pid = p[i].pid;
        h->procs[i].start_ms = p[i].start_ms;
        h->procs[i].rss_bytes = p[i].rss_bytes;
        if (p[i].rss_bytes > hc->rss_warn)
            over++;
        if (p[i].rss_bytes > p[big].rss_bytes)
            big = i;
    }

    pc->has_value = pc->has_threshold = pc->has_min = true;
    pc->value = (int64_t)n;
    pc->threshold = hc->max_processes;
    pc->min = hc->min_processes;
    list_pids(pids, sizeof(pids), p, n, false, 0);
    snprintf(d, sizeof(d), "%zu server process%s (expected %ld to %ld)%s%s",
             n, n == 1 ? "" : "es", hc->min_processes, hc->max_processes,
             n ? ": pids " : "", pids);
    if (n == 0 && hc->min_processes > 0) {
        set(pc, MCP_HEALTH_CRITICAL, "no MCP server running", d);
    } else if ((long)n < hc->min_processes) {
        snprintf(s, sizeof(s), "%zu server process%s (fewer than %ld)", n,
                 n == 1 ? "" : "es", hc->min_processes);
        set(pc, MCP_HEALTH_CRITICAL, s, d);
    } else if ((long)n > hc->max_processes) {
        snprintf(s, sizeof(s), "%zu server processes (more than %ld)", n,
                 hc->max_processes);
        set(pc, MCP_HEALTH_WARNING, s, d);
    } else {
        snprintf(s, sizeof(s), "%zu server process%s", n, n == 1 ? "" : "es");
        set(pc, MCP_HEALTH_OK, s, d);
    }

    mc->has_threshold = true;
    mc->threshold = (int64_t)hc->rss_warn;
    mcp_size_format(hc->rss_warn, lim, sizeof(lim));
    if (n == 0) {
        mc->has_value = false;
        snprintf(d, sizeof(d), "no server process to measure (limit %s)", lim);
        set(mc, MCP_HEALTH_OK, "no RSS to check", d);
        return;
    }
    mc->has_value = true;
    mc->value = (int64_t)p[big].rss_bytes;
    mcp_size_format(p[big].rss_bytes, sz, sizeof(sz));
    if (over == 0) {
        snprintf(s, sizeof(s), "largest RSS %s", sz);
        snprintf(d, sizeof(d), "largest RSS %s (pid %lld), limit %s per "
                 "process", sz, (long long)p[big].pid, lim);
        set(mc, MCP_HEALTH_OK, s, d);
        return;
    }
    list_pids(pids, sizeof(pids), p, n, true, hc->rss_warn);
    if (over == 1)
        snprintf(s, sizeof(s), "pid %lld RSS %s (more than %s)",
                 (long long)p[big].pid, sz, lim);
    else
        snprintf(s, sizeof(s), "%zu processes above %s RSS", over, lim);
    snprintf(d, sizeof(d), "RSS above %s: pid%s %s; largest %s (pid %lld)",
             lim, over == 1 ? "" : "s", pids, sz, (long long)p[big].pid);
    set(mc, MCP_HEALTH_WARNING, s, d);
}

/* --- the logs ------------------------------------------------------------- */

/* A window for people: whole days as "7d" (mcp_duration_format would
 * say "1w"), anything else as mcp_duration_format does. */
static void window_text(int64_t ms, char *buf, size_t len)
{
    if (ms > 0 && ms % 86400000 == 0)
        snprintf(buf, len, "%lldd", (long long)(ms / 86400000));
    else
        mcp_duration_format(ms, buf, len);
}

static void count_check(struct mcp_health_check *c, int64_t v, long limit,
                        int64_t window_ms, const char *rule,
                        const char *what, const char *whats,
                        enum mcp_health_status bad)
{
    char s[192], d[1024], w[32];

    c->window_ms = window_ms;
    c->has_threshold = true;
    c->threshold = limit;
    window_text(window_ms, w, sizeof(w));
    if (v < 0) {
        snprintf(d, sizeof(d), "rule '%s' is not loaded (disabled, or "
                 "--no-default-rules)", rule);
        unknown(c, d);
        return;
    }
    c->has_value = true;
    c->value = v;
    snprintf(s, sizeof(s), "%lld %s in %s", (long long)v, v == 1 ? what : whats,
             w);
    snprintf(d, sizeof(d), "%lld match%s of rule '%s' in the last %s "
             "(limit %ld)", (long long)v, v == 1 ? "" : "es", rule, w, limit);
    if (v > limit) {
        size_t l = strlen(s);

        snprintf(s + l, sizeof(s) - l, " (more than %ld)", limit);
        set(c, bad, s, d);
    } else {
        set(c, MCP_HEALTH_OK, s, d);
    }
}

void mcp_health_counts(struct mcp_health *h, const struct mcp_health_conf *hc,
                       int64_t restarts, int64_t reconnects, int64_t newest,
                       const char *cause)
{
    struct mcp_health_check *nc = &h->c[MCP_HC_NEWEST_LINE];
    char s[192], d[1024], age[16], lim[32], when[40];

    if (cause != NULL) {
        unknown(&h->c[MCP_HC_RESTARTS], cause);
        unknown(&h->c[MCP_HC_RECONNECTS], cause);
        unknown(nc, cause);
        return;
    }
    count_check(&h->c[MCP_HC_RESTARTS], restarts, hc->restarts_count,
                hc->restarts_window_ms, "restarts", "restart", "restarts",
                MCP_HEALTH_WARNING);
    count_check(&h->c[MCP_HC_RECONNECTS], reconnects, hc->reconnects_count,
                hc->reconnects_window_ms, "reconnect-failures",
                "reconnect failure", "reconnect failures",
                MCP_HEALTH_CRITICAL);

    nc->has_threshold = hc->newest_line_warn_ms > 0;
    nc->threshold = hc->newest_line_warn_ms / 1000;
    window_text(hc->newest_line_warn_ms, lim, sizeof(lim));
    if (newest == MCP_TIME_NONE) {
        nc->has_value = false;
        snprintf(d, sizeof(d), "no timestamped line in %s", h->logdir);
        set(nc, nc->has_threshold ? MCP_HEALTH_WARNING : MCP_HEALTH_OK,
            "no log lines", d);
        return;
    }
    nc->has_value = true;
    nc->value = newest < h->now ? (h->now - newest) / 1000 : 0;
    mcp_health_age(h->now - newest, age, sizeof(age));
    mcp_time_format_log(newest, when, sizeof(when));
    snprintf(s, sizeof(s), "newest line %s ago", age);
    snprintf(d, sizeof(d), "newest line at %s, %s ago (%s%s)", when, age,
             nc->has_threshold ? "limit " : "check off",
             nc->has_threshold ? lim : "");
    if (nc->has_threshold && h->now - newest > hc->newest_line_warn_ms) {
        size_t l = strlen(s);

        snprintf(s + l, sizeof(s) - l, " (older than %s)", lim);
        set(nc, MCP_HEALTH_WARNING, s, d);
    } else {
        set(nc, MCP_HEALTH_OK, s, d);
    }
}

void mcp_health_dir(struct mcp_health *h, const struct mcp_health_conf *hc,
                    uint64_t bytes, const char *cause)
{
    struct mcp_health_check *c = &h->c[MCP_HC_LOG_DIR];
    char s[192], d[1024], sz[32], lim[32];

    c->has_threshold = true;
    c->threshold = (int64_t)hc->log_dir_warn;
    if (cause != NULL) {
        unknown(c, cause);
        return;
    }
    c->has_value = true;
    c->value = (int64_t)bytes;
    mcp_size_format(bytes, sz, sizeof(sz));
    mcp_size_format(hc->log_dir_warn, lim, sizeof(lim));
    snprintf(s, sizeof(s), "logs %s", sz);
    snprintf(d, sizeof(d), "%s holds %s (%llu bytes), limit %s", h->logdir,
             sz, (unsigned long long)bytes, lim);
    if (bytes > hc->log_dir_warn) {
        snprintf(s, sizeof(s), "logs %s (more than %s)", sz, lim);
        set(c, MCP_HEALTH_WARNING, s, d);
    } else {
        set(c, MCP_HEALTH_OK, s, d);
    }
}

void mcp_health_finish(struct mcp_health *h)
{
    h->status = MCP_HEALTH_OK;
    for (int i = 0; i < MCP_HC_N; i++)
        if (mcp_health_rank(h->c[i].status) > mcp_health_rank(h->status))
            h->status = h->c[i].status;
}
