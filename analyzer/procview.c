/* procview.c - the process table of `mcplog ps` and `mcplog cleanup`
 * (procs.h: mcp_proc_header, mcp_proc_row, mcp_proc_age_format). */
#include "procs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "textout.h"
#include "util.h"

char *mcp_proc_age_format(int64_t ms, char *buf, size_t len)
{
    int64_t s = ms < 0 ? 0 : ms / 1000;

    if (s < 60)
        snprintf(buf, len, "%llds", (long long)s);
    else if (s < 3600)
        snprintf(buf, len, "%lldm%02llds", (long long)(s / 60),
                 (long long)(s % 60));
    else if (s < 86400)
        snprintf(buf, len, "%lldh%02lldm", (long long)(s / 3600),
                 (long long)(s / 60 % 60));
    else
        snprintf(buf, len, "%lldd%02lldh", (long long)(s / 86400),
                 (long long)(s / 3600 % 24));
    return buf;
}

void mcp_proc_header(struct mcp_buf *out, const char *lead)
{
    mcp_buf_printf(out, "%s%-7s %-19s %7s %9s %-14s %s\n", lead, "PID",
                   "START", "UPTIME", "RSS", "LOGS", "WHY");
}

void mcp_proc_row(struct mcp_buf *out, const char *lead,
                  const struct mcp_proc *p)
{
    char start[32] = "?", up[32], rss[32], logs[48], *cl;
    time_t t = (time_t)(p->start_ms / 1000);
    struct tm tm;

    if (localtime_r(&t, &tm) != NULL)
        strftime(start, sizeof(start), "%Y-%m-%d %H:%M:%S", &tm);
    mcp_proc_age_format(p->uptime_ms, up, sizeof(up));
    mcp_size_format(p->rss_bytes, rss, sizeof(rss));
    if (p->log_write_age_ms >= 0) {
        char a[32];

        snprintf(logs, sizeof(logs), "wrote %s ago",
                 mcp_proc_age_format(p->log_write_age_ms, a, sizeof(a)));
    } else {
        snprintf(logs, sizeof(logs), "%s", p->logs_open ? "open" : "no");
    }
    mcp_buf_printf(out, "%s%-7d %-19s %7s %9s %-14s ", lead, (int)p->pid,
                   start, up, rss, logs);
    mcp_sanitize_term(out, p->why, strlen(p->why));
    mcp_buf_printf(out, "\n%*s    ", (int)strlen(lead), "");
    cl = mcp_proc_cmdline(p);
    mcp_sanitize_term(out, cl, strlen(cl));
    free(cl);
    mcp_buf_putc(out, '\n');
}
