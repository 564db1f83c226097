/* metrics_render.c - the text exposition format 0.0.4 of the metrics
 * registry (metrics.h): HELP and TYPE, then the samples, in a fixed
 * order; no timestamps. */
#include <stdlib.h>
#include <string.h>

#include "base/mcp.h"
#include "output/metrics_int.h"

static void label(struct mcp_buf *out, const char *name, const char *v)
{
    mcp_buf_printf(out, "%s=\"", name);
    mcp_metrics_label(out, v, strlen(v), 0);
    mcp_buf_putc(out, '"');
}

/* --- rendering --------------------------------------------------------------- */

static void head(struct mcp_buf *o, const char *name, const char *type,
                 const char *help)
{
    mcp_buf_printf(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* ms as seconds: "1.5", "0.05", "-2" */
static void seconds(struct mcp_buf *o, int64_t ms)
{
    int64_t a = ms < 0 ? -ms : ms;
    char frac[8];
    int n;

    n = snprintf(frac, sizeof(frac), "%03lld", (long long)(a % 1000));
    while (n > 0 && frac[n - 1] == '0')
        frac[--n] = '\0';
    mcp_buf_printf(o, "%s%lld%s%s", ms < 0 ? "-" : "", (long long)(a / 1000),
                   n > 0 ? "." : "", frac);
}

static void hist(struct mcp_buf *o, const char *name, const char *labels,
                 const struct hist *h, const int64_t *bounds, size_t nb)
{
    uint64_t cum = 0;

    for (size_t i = 0; i < nb; i++) {
        cum += h->bucket[i];
        mcp_buf_printf(o, "%s_bucket{%s,le=\"", name, labels);
        seconds(o, bounds[i]);
        mcp_buf_printf(o, "\"} %llu\n", (unsigned long long)cum);
    }
    mcp_buf_printf(o, "%s_bucket{%s,le=\"+Inf\"} %llu\n", name, labels,
                   (unsigned long long)h->count);
    mcp_buf_printf(o, "%s_sum{%s} ", name, labels);
    seconds(o, h->sum_ms);
    mcp_buf_printf(o, "\n%s_count{%s} %llu\n", name, labels,
                   (unsigned long long)h->count);
}

/* The distinct roles of the families, in order: role index of family i. */
static size_t roles(const struct mcp_metrics *m, size_t *role_of,
                    size_t *first)
{
    size_t nr = 0;

    for (size_t i = 0; i < m->nfam; i++) {
        size_t r = 0;

        while (r < nr && strcmp(m->fam[first[r]].role, m->fam[i].role) != 0)
            r++;
        if (r == nr)
            first[nr++] = i;
        role_of[i] = r;
    }
    return nr;
}

/* A counter per role, summed over its families. */
static void per_source(struct mcp_buf *o, const struct mcp_metrics *m,
                       const char *name, const char *help,
                       const uint64_t *v, const size_t *role_of,
                       const size_t *first, size_t nr)
{
    head(o, name, "counter", help);
    for (size_t r = 0; r < nr; r++) {
        uint64_t sum = 0;

        for (size_t i = 0; i < m->nfam; i++)
            if (role_of[i] == r && v != NULL)
                sum += v[i];
        mcp_buf_printf(o, "%s{", name);
        label(o, "source", m->fam[first[r]].role);
        mcp_buf_printf(o, "} %llu\n", (unsigned long long)sum);
    }
}

static void render_sources(struct mcp_metrics *m,
                           const struct mcp_metrics_view *v,
                           struct mcp_buf *o)
{
    size_t *role_of = mcp_calloc(m->nfam + 1, sizeof(size_t));
    size_t *first = mcp_calloc(m->nfam + 1, sizeof(size_t));
    size_t nr = roles(m, role_of, first);

    head(o, "mcplog_lines_total", "counter",
         "Log lines read, by role and log family.");
    for (size_t i = 0; i < m->nfam; i++) {
        mcp_buf_puts(o, "mcplog_lines_total{");
        label(o, "source", m->fam[i].role);
        mcp_buf_putc(o, ',');
        label(o, "file", m->fam[i].name);
        mcp_buf_printf(o, "} %llu\n", (unsigned long long)m->fam[i].lines);
    }
    per_source(o, m, "mcplog_rotations_total",
               "Times a followed log's name moved to another file or went "
               "away.", v->rotations, role_of, first, nr);
    per_source(o, m, "mcplog_truncations_total",
               "Times a followed log was truncated or overwritten.",
               v->truncations, role_of, first, nr);
    per_source(o, m, "mcplog_bytes_unread_total",
               "Bytes of rotated files never read before they were closed "
               "(should stay 0).", v->unread, role_of, first, nr);
    per_source(o, m, "mcplog_time_jumps_total",
               "Lines whose time was not believed (time jumps).", v->jumps,
               role_of, first, nr);
    head(o, "mcplog_lag_seconds", "gauge",
         "Now minus the time of the newest line read.");
    for (size_t r = 0; r < nr; r++) {
        int64_t newest = MCP_TIME_NONE;

        for (size_t i = 0; i < m->nfam; i++)
            if (role_of[i] == r && m->fam[i].newest != MCP_TIME_NONE &&
                (newest == MCP_TIME_NONE || m->fam[i].newest > newest))
                newest = m->fam[i].newest;
        if (newest == MCP_TIME_NONE)
            continue;
        mcp_buf_puts(o, "mcplog_lag_seconds{");
        label(o, "source", m->fam[first[r]].role);
        mcp_buf_puts(o, "} ");
        seconds(o, v->now_wall - newest);
        mcp_buf_putc(o, '\n');
    }
    free(role_of);
    free(first);
}

static void render_rules(struct mcp_metrics *m,
                         const struct mcp_metrics_view *v, struct mcp_buf *o)
{
    static const char *const st[4] = {"firing", "update", "repeat",
                                      "resolved"};

    size_t nr = m->rs != NULL ? m->rs->n : 0;

    head(o, "mcplog_rule_matches_total", "counter", "Lines matched, by rule.");
    for (size_t i = 0; i < nr; i++) {
        mcp_buf_puts(o, "mcplog_rule_matches_total{");
        label(o, "rule", m->rs->rules[i].name);
        mcp_buf_printf(o, "} %llu\n",
                       (unsigned long long)m->rules[m->slot[i]].matches);
    }
    head(o, "mcplog_alerts_firing", "gauge", "Alerts firing now.");
    for (size_t i = 0; i < nr; i++) {
        const struct mcp_rule *r = &m->rs->rules[i];
        uint64_t n = 0;

        if (r->severity == MCP_SEV_NONE)
            continue;
        for (size_t a = 0; a < v->nalerts; a++)
            n += v->alerts[a]->rule == i && v->alerts[a]->firing;
        mcp_buf_puts(o, "mcplog_alerts_firing{");
        label(o, "rule", r->name);
        mcp_buf_putc(o, ',');
        label(o, "severity", mcp_severity_name(r->severity));
        mcp_buf_printf(o, "} %llu\n", (unsigned long long)n);
    }
    head(o, "mcplog_alert_transitions_total", "counter",
         "Alert transitions, by rule and status.");
    for (size_t i = 0; i < nr; i++)
        for (int s = 0; s < 4 && m->rs->rules[i].severity != MCP_SEV_NONE;
             s++) {
            mcp_buf_puts(o, "mcplog_alert_transitions_total{");
            label(o, "rule", m->rs->rules[i].name);
            mcp_buf_printf(o, ",status=\"%s\"} %llu\n", st[s],
                           (unsigned long long)m->rules[m->slot[i]].trans[s]);
        }
}

static void tool_labels(struct mcp_buf *l, const struct mcp_metrics *m,
                        const struct tool_series *t)
{
    mcp_buf_reset(l);
    label(l, "server", m->srv[t->server].name);
    mcp_buf_putc(l, ',');
    label(l, "tool", t->tool);
}

/* A counter per (server, tool): calls, or failures. */
static void tool_counter(struct mcp_buf *o, struct mcp_buf *l,
                         const struct mcp_metrics *m, const char *name,
                         const char *help, bool failures)
{
    head(o, name, "counter", help);
    for (size_t i = 0; i < m->ntools; i++) {
        tool_labels(l, m, &m->tools[i]);
        mcp_buf_printf(o, "%s{%s} %llu\n", name, l->data,
                       (unsigned long long)(failures ? m->tools[i].failures
                                                     : m->tools[i].calls));
    }
}

static void render_tools(struct mcp_metrics *m, struct mcp_buf *o)
{
    struct mcp_buf l;

    mcp_buf_init(&l);
    tool_counter(o, &l, m, "mcplog_tool_calls_total",
                 "Tool calls, by server and tool.", false);
    tool_counter(o, &l, m, "mcplog_tool_failures_total",
                 "Failed tool calls, by server and tool (from client logs).",
                 true);
    head(o, "mcplog_tool_duration_seconds", "histogram",
         "Tool call durations (from client logs).");
    for (size_t i = 0; i < m->ntools; i++)
        if (m->tools[i].dur.count > 0) {
            tool_labels(&l, m, &m->tools[i]);
            hist(o, "mcplog_tool_duration_seconds", l.data, &m->tools[i].dur,
                 tool_bounds, NTOOLB);
        }
    mcp_buf_free(&l);
}

static void render_servers(struct mcp_metrics *m,
                           const struct mcp_metrics_view *v,
                           struct mcp_buf *o)
{
    struct mcp_buf l;

    mcp_buf_init(&l);
    head(o, "mcplog_time_to_ready_seconds", "histogram",
         "Server start to ready (Process PID to Server ready), and client "
         "connect times.");
    for (size_t i = 0; i < m->nsrv; i++) {
        mcp_buf_reset(&l);
        label(&l, "server", m->srv[i].name);
        hist(o, "mcplog_time_to_ready_seconds", l.data, &m->srv[i].ready,
             ready_bounds, NREADYB);
    }
    head(o, "mcplog_server_startups_total", "counter", "Server startups.");
    mcp_buf_reset(&l);
    label(&l, "server", m->srv[0].name);
    mcp_buf_printf(o, "mcplog_server_startups_total{%s} %llu\n", l.data,
                   (unsigned long long)m->srv[0].startups);
    head(o, "mcplog_server_processes", "gauge",
         "Server processes running (from the probes).");
    if (v->processes >= 0)
        mcp_buf_printf(o, "mcplog_server_processes{%s} %ld\n", l.data,
                       v->processes);
    mcp_buf_free(&l);
}

void mcp_metrics_render(struct mcp_metrics *m,
                        const struct mcp_metrics_view *v, struct mcp_buf *o)
{
    static const char *const outcome[4] = {"ok", "retry", "failed",
                                           "dropped"};

    render_sources(m, v, o);
    render_rules(m, v, o);
    render_tools(m, o);
    render_servers(m, v, o);
    head(o, "mcplog_sink_deliveries_total", "counter",
         "Alert deliveries, by sink and outcome.");
    for (size_t s = 0; s < v->nsinks; s++)
        for (int k = 0; k < 4; k++) {
            mcp_buf_puts(o, "mcplog_sink_deliveries_total{");
            label(o, "sink", v->sink_names[s]);
            mcp_buf_printf(o, ",outcome=\"%s\"} %llu\n", outcome[k],
                           (unsigned long long)v->sink_counts[s][k]);
        }
    head(o, "mcplog_build_info", "gauge", "mcplog's version.");
    mcp_buf_printf(o, "mcplog_build_info{version=\"%s\"} 1\n", MCP_VERSION);
}
