/* procview.c - the process table of `mcplog ps` and `mcplog cleanup`
 * (procs.h: mcp_proc_header, mcp_proc_row, mcp_proc_age_format), and
 * the members of their JSON objects (mcp_proc_json_fields). */
#include "proc/procs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/textout.h"
#include "base/util.h"

#define PARENT_WIDTH 22            /* a longer cell pushes WHY right */

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
    mcp_buf_printf(out, "%s%-7s %-19s %7s %9s %-14s %-*s %s\n", lead, "PID",
                   "START", "UPTIME", "RSS", "LOGS", PARENT_WIDTH, "PARENT",
                   "WHY");
}

/* The PARENT cell: "4711 claude", "1 init (orphan)", "-" when unknown;
 * the name escaped, then padded to PARENT_WIDTH (at least one space
 * follows). */
static void parent_cell(struct mcp_buf *out, const struct mcp_proc *p)
{
    size_t start = out->len, w;

    if (p->parent == NULL) {
        mcp_buf_puts(out, "-");
    } else {
        mcp_buf_printf(out, "%d ", (int)p->ppid);
        mcp_sanitize_term(out, p->parent, strlen(p->parent));
        if (p->orphan)
            mcp_buf_puts(out, " (orphan)");
    }
    w = out->len - start;
    mcp_buf_printf(out, "%*s", w < PARENT_WIDTH ? (int)(PARENT_WIDTH - w) + 1
                                                 : 1, "");
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
        snprintf(logs, sizeof(logs), "%s",
                 p->log_open_write ? "open (write)"
                 : p->logs_open   ? "open"
                                  : "no");
    }
    mcp_buf_printf(out, "%s%-7d %-19s %7s %9s %-14s ", lead, (int)p->pid,
                   start, up, rss, logs);
    parent_cell(out, p);
    mcp_sanitize_term(out, p->why, strlen(p->why));
    mcp_buf_printf(out, "\n%*s    ", (int)strlen(lead), "");
    cl = mcp_proc_cmdline(p);
    mcp_sanitize_term(out, cl, strlen(cl));
    free(cl);
    mcp_buf_putc(out, '\n');
}

/* An age in ms, or null when unknown (-1). */
static void json_age(struct mcp_json *j, const char *key, int64_t ms)
{
    mcp_json_key(j, key);
    if (ms >= 0)
        mcp_json_int(j, ms);
    else
        mcp_json_null(j);
}

/* A string, or null when s is NULL. */
static void json_text(struct mcp_json *j, const char *key, const char *s)
{
    mcp_json_key(j, key);
    if (s != NULL)
        mcp_json_str(j, s);
    else
        mcp_json_null(j);
}

void mcp_proc_json_fields(struct mcp_json *j, const struct mcp_proc *p)
{
    mcp_json_key(j, "pid");
    mcp_json_int(j, p->pid);
    mcp_json_key(j, "ppid");
    mcp_json_int(j, p->ppid);
    json_text(j, "parent", p->parent);
    mcp_json_key(j, "parent_kind");
    mcp_json_str(j, mcp_parent_kind_name(p->parent_kind));
    mcp_json_key(j, "orphan");
    mcp_json_bool(j, p->orphan);
    json_text(j, "orphan_reason", p->orphan_reason);
    mcp_json_key(j, "uid");
    mcp_json_int(j, p->uid);
    mcp_json_key(j, "start");
    mcp_json_time(j, p->start_ms);
    mcp_json_key(j, "uptime_ms");
    mcp_json_int(j, p->uptime_ms);
    mcp_json_key(j, "rss_bytes");
    mcp_json_int(j, (int64_t)p->rss_bytes);
    json_text(j, "exe", p->exe);
    json_text(j, "cwd", p->cwd);
    mcp_json_key(j, "argv");
    mcp_json_begin_arr(j);
    for (int k = 0; k < p->argc; k++)
        mcp_json_str(j, p->argv[k]);
    mcp_json_end_arr(j);
    mcp_json_key(j, "logs_open");
    mcp_json_bool(j, p->logs_open);
    mcp_json_key(j, "log_open_write");
    mcp_json_bool(j, p->log_open_write);
    json_age(j, "log_write_age_ms", p->log_write_age_ms);
    json_age(j, "log_modified_age_ms", p->log_modified_age_ms);
    mcp_json_key(j, "why");
    mcp_json_str(j, p->why);
    mcp_json_key(j, "match");
    if (p->match_index >= 0)
        mcp_json_int(j, p->match_index + 1);
    else
        mcp_json_null(j);
}
