/* metrics.c - the metrics registry and its text exposition (metrics.h). */
#include "output/metrics.h"

#include <stdlib.h>
#include <string.h>

#include "base/mcp.h"
#include "base/strmap.h"
#include "base/textout.h"

#define OTHER "(other)"

/* Histogram bounds, in ms. */
static const int64_t tool_bounds[] = {50, 100, 250, 500, 1000, 2500,
                                      5000, 10000, 30000, 60000, 120000};
static const int64_t ready_bounds[] = {500, 1000, 2000, 5000, 10000, 15000,
                                       30000, 60000, 120000, 300000};
#define NTOOLB (sizeof(tool_bounds) / sizeof(tool_bounds[0]))
#define NREADYB (sizeof(ready_bounds) / sizeof(ready_bounds[0]))
#define MAXB 12

struct hist {
    uint64_t bucket[MAXB];   /* cumulative at render; here per bucket */
    uint64_t count;
    int64_t sum_ms;
};

struct tool_series {
    size_t server;           /* index into servers */
    char *tool;
    uint64_t calls, failures;
    struct hist dur;
};

struct server_series {
    char *name;
    uint64_t startups;
    struct hist ready;
    int64_t pending;         /* an open startup's time, or MCP_TIME_NONE */
};

struct family {
    char *name, *role;
    uint64_t lines;
    int64_t newest;
};

struct rule_series {
    uint64_t matches;
    uint64_t trans[4];       /* firing, update, repeat, resolved */
};

struct mcp_metrics {
    struct family *fam;
    size_t nfam;
    long max_tools;
    const struct mcp_ruleset *rs;
    struct mcp_strmap rule_by_name;  /* name -> slot + 1 */
    struct rule_series *rules;
    size_t nrules;
    size_t *slot;                    /* rule index -> slot */
    long tool_rule, tool_cap, startup_rule;
    struct server_series *srv;
    size_t nsrv;
    struct mcp_strmap srv_by_name;
    struct tool_series *tools;
    size_t ntools;
    struct mcp_strmap tool_by_key;   /* "server\ntool" -> index + 1 */
};

/* --- labels ------------------------------------------------------------- */

/* s as UTF-8 text without control characters (U+FFFD for them and for
 * invalid bytes), cut at max bytes (0: none); with esc, escaped for a
 * label value. */
static void clean(struct mcp_buf *out, const char *s, size_t n, size_t max,
                  bool esc)
{
    size_t i = 0, start = out->len;

    while (i < n) {
        uint32_t cp;
        size_t k = mcp_utf8_decode((const unsigned char *)s + i, n - i, &cp);
        size_t before = out->len;

        if (k == 0) { /* invalid: one byte as U+FFFD */
            k = 1;
            mcp_buf_puts(out, "\xef\xbf\xbd");
        } else if (esc && cp == '\\') {
            mcp_buf_puts(out, "\\\\");
        } else if (esc && cp == '"') {
            mcp_buf_puts(out, "\\\"");
        } else if (esc && cp == '\n') {
            mcp_buf_puts(out, "\\n");
        } else if (cp < 0x20 || cp == 0x7f) {
            mcp_buf_puts(out, "\xef\xbf\xbd");
        } else {
            mcp_buf_append(out, s + i, k);
        }
        if (max > 0 && out->len - start > max) {
            out->len = before;
            out->data[out->len] = '\0';
            break;
        }
        i += k;
    }
}

void mcp_metrics_label(struct mcp_buf *out, const char *s, size_t n,
                       size_t max)
{
    clean(out, s, n, max, true);
}

static void label(struct mcp_buf *out, const char *name, const char *v)
{
    mcp_buf_printf(out, "%s=\"", name);
    mcp_metrics_label(out, v, strlen(v), 0);
    mcp_buf_putc(out, '"');
}

/* A name from a log, cleaned and cut (escaped when rendered), as a key
 * of its own. */
static char *clean_name(const char *s)
{
    struct mcp_buf b;

    mcp_buf_init(&b);
    clean(&b, s, strlen(s), MCP_METRICS_NAME_MAX, false);
    return mcp_buf_steal(&b);
}

/* --- the registry ----------------------------------------------------------- */

static size_t server_of(struct mcp_metrics *m, const char *name)
{
    char *clean = clean_name(name);
    void **slot = NULL;

    if (mcp_strmap_get(&m->srv_by_name, clean) == NULL &&
        m->nsrv >= MCP_METRICS_MAX_SERVERS) {
        free(clean);
        clean = mcp_strdup(OTHER);
    }
    slot = mcp_strmap_slot(&m->srv_by_name, clean);
    if (*slot == NULL) {
        m->srv = mcp_realloc(m->srv, (m->nsrv + 1) * sizeof(*m->srv));
        memset(&m->srv[m->nsrv], 0, sizeof(*m->srv));
        m->srv[m->nsrv].name = clean;
        m->srv[m->nsrv].pending = MCP_TIME_NONE;
        *slot = (void *)(uintptr_t)(++m->nsrv);
        return m->nsrv - 1;
    }
    free(clean);
    return (size_t)(uintptr_t)*slot - 1;
}

static struct tool_series *tool_of(struct mcp_metrics *m, size_t server,
                                   const char *tool)
{
    char *clean = clean_name(tool);
    struct mcp_buf key;
    void **slot;

    mcp_buf_init(&key);
    mcp_buf_printf(&key, "%zu\n%s", server, clean);
    if (mcp_strmap_get(&m->tool_by_key, key.data) == NULL &&
        (long)m->ntools >= m->max_tools - 1 && strcmp(clean, OTHER) != 0) {
        /* The last series of the cap is kept for "(other)". */
        free(clean);
        clean = mcp_strdup(OTHER);
        mcp_buf_reset(&key);
        mcp_buf_printf(&key, "%zu\n%s", server, clean);
    }
    slot = mcp_strmap_slot(&m->tool_by_key, key.data);
    mcp_buf_free(&key);
    if (*slot == NULL) {
        m->tools = mcp_realloc(m->tools, (m->ntools + 1) * sizeof(*m->tools));
        memset(&m->tools[m->ntools], 0, sizeof(*m->tools));
        m->tools[m->ntools].server = server;
        m->tools[m->ntools].tool = clean;
        *slot = (void *)(uintptr_t)(++m->ntools);
        return &m->tools[m->ntools - 1];
    }
    free(clean);
    return &m->tools[(size_t)(uintptr_t)*slot - 1];
}

struct mcp_metrics *mcp_metrics_create(size_t nfam, const char *const *names,
                                       const char *const *role_names,
                                       const char *server, long max_tools)
{
    struct mcp_metrics *m = mcp_calloc(1, sizeof(*m));

    m->nfam = nfam;
    m->fam = mcp_calloc(nfam ? nfam : 1, sizeof(*m->fam));
    for (size_t i = 0; i < nfam; i++) {
        m->fam[i].name = mcp_strdup(names[i]);
        m->fam[i].role = mcp_strdup(role_names[i]);
        m->fam[i].newest = MCP_TIME_NONE;
    }
    m->max_tools = max_tools < 2 ? 2 : max_tools;
    m->tool_rule = m->startup_rule = -1;
    mcp_strmap_init(&m->rule_by_name);
    mcp_strmap_init(&m->srv_by_name);
    mcp_strmap_init(&m->tool_by_key);
    (void)server_of(m, server); /* the logs' own server: index 0 */
    return m;
}

void mcp_metrics_destroy(struct mcp_metrics *m)
{
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->nfam; i++) {
        free(m->fam[i].name);
        free(m->fam[i].role);
    }
    free(m->fam);
    free(m->rules);
    free(m->slot);
    for (size_t i = 0; i < m->nsrv; i++)
        free(m->srv[i].name);
    free(m->srv);
    for (size_t i = 0; i < m->ntools; i++)
        free(m->tools[i].tool);
    free(m->tools);
    mcp_strmap_free(&m->rule_by_name);
    mcp_strmap_free(&m->srv_by_name);
    mcp_strmap_free(&m->tool_by_key);
    free(m);
}

void mcp_metrics_set_rules(struct mcp_metrics *m,
                           const struct mcp_ruleset *rs)
{
    m->rs = rs;
    m->slot = mcp_realloc(m->slot, (rs->n ? rs->n : 1) * sizeof(*m->slot));
    m->tool_rule = m->startup_rule = m->tool_cap = -1;
    for (size_t i = 0; i < rs->n; i++) {
        const struct mcp_rule *r = &rs->rules[i];
        void **slot = mcp_strmap_slot(&m->rule_by_name, r->name);

        if (*slot == NULL) {
            size_t k = m->nrules++;

            m->rules = mcp_realloc(m->rules, m->nrules * sizeof(*m->rules));
            memset(&m->rules[k], 0, sizeof(*m->rules));
            *slot = (void *)(uintptr_t)(k + 1);
        }
        m->slot[i] = (size_t)(uintptr_t)*slot - 1;
        if (strcmp(r->name, MCP_METRICS_STARTUP_RULE) == 0 && r->has_expect)
            m->startup_rule = (long)i;
        if (strcmp(r->name, MCP_METRICS_TOOL_RULE) == 0)
            for (int c = 0; c < mcp_pattern_ncaptures(r->match); c++)
                if (strcmp(mcp_pattern_capture_name(r->match, c, NULL),
                           "tool") == 0) {
                    m->tool_rule = (long)i;
                    m->tool_cap = c;
                }
    }
}

void mcp_metrics_lines(struct mcp_metrics *m, size_t fam, uint64_t n,
                       int64_t newest_ts)
{
    if (fam >= m->nfam)
        return;
    m->fam[fam].lines += n;
    if (newest_ts != MCP_TIME_NONE)
        m->fam[fam].newest = newest_ts;
}

static void observe(struct hist *h, const int64_t *bounds, size_t nb,
                    int64_t ms)
{
    size_t i = 0;

    if (ms < 0)
        ms = 0;
    while (i < nb && ms > bounds[i])
        i++;
    h->bucket[i]++; /* i == nb: only +Inf */
    h->count++;
    h->sum_ms += ms;
}

void mcp_metrics_event(struct mcp_metrics *m, const struct mcp_event *ev)
{
    struct server_series *s = &m->srv[0];

    if (m->rs == NULL || ev->rule >= m->rs->n)
        return;
    if (ev->kind == MCP_EV_MATCH)
        m->rules[m->slot[ev->rule]].matches++;
    if ((long)ev->rule == m->tool_rule && ev->kind == MCP_EV_MATCH &&
        m->tool_cap >= 0 && m->tool_cap < ev->ncaps &&
        ev->cap[m->tool_cap] != NULL)
        tool_of(m, 0, ev->cap[m->tool_cap])->calls++;
    if ((long)ev->rule != m->startup_rule)
        return;
    if (ev->kind == MCP_EV_MATCH) {
        s->startups++;
        s->pending = ev->ts;
    } else if (s->pending != MCP_TIME_NONE && ev->ts != MCP_TIME_NONE) {
        observe(&s->ready, ready_bounds, NREADYB, ev->ts - s->pending);
        s->pending = MCP_TIME_NONE;
    }
}

void mcp_metrics_alert(struct mcp_metrics *m, const struct mcp_alert *a,
                       enum mcp_alert_status t)
{
    if (m->rs == NULL || a->rule >= m->rs->n || (int)t < 0 || (int)t > 3)
        return;
    m->rules[m->slot[a->rule]].trans[t]++;
}

void mcp_metrics_call(struct mcp_metrics *m, const struct mcp_metrics_call *c)
{
    struct tool_series *t = tool_of(m, server_of(m, c->server), c->tool);

    /* Not a call of mcplog_tool_calls_total: the server's activity log
     * counts it there (the same call would count twice); the client's
     * calls are the histogram's _count. */
    if (c->failed)
        t->failures++;
    if (c->duration_ms >= 0)
        observe(&t->dur, tool_bounds, NTOOLB, c->duration_ms);
}

void mcp_metrics_connect(struct mcp_metrics *m, const char *server,
                         int64_t ms)
{
    observe(&m->srv[server_of(m, server)].ready, ready_bounds, NREADYB, ms);
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
