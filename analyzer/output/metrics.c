/* metrics.c - the metrics registry and its text exposition (metrics.h). */
#include "output/metrics.h"

#include <stdlib.h>
#include <string.h>

#include "base/mcp.h"
#include "base/textout.h"
#include "output/metrics_int.h"

#define OTHER "(other)"



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
    m->tool_rule = m->startup_rule = m->call_rule = m->connect_rule = -1;
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
            m->tool_rule = (long)i;
        if (strcmp(r->name, MCP_METRICS_CALL_RULE) == 0)
            m->call_rule = (long)i;
        if (strcmp(r->name, MCP_METRICS_CONNECT_RULE) == 0)
            m->connect_rule = (long)i;
    }
}

/* The value called name in a MATCH event of rule r: its capture of that
 * name, else the structured record's field of that name, or NULL. */
static const char *value(const struct mcp_rule *r, const struct mcp_event *ev,
                         const char *name)
{
    return mcp_event_value(ev, r->match, name, strlen(name));
}

/* "300ms", "1.5s" -> ms; -1 when it is neither. */
static int64_t elapsed_ms(const char *s)
{
    char *end;
    double v = strtod(s, &end);

    if (end == s || v < 0 || v > 1e9)
        return -1;
    if (strcmp(end, "ms") == 0)
        return (int64_t)v;
    if (strcmp(end, "s") == 0)
        return (int64_t)(v * 1000);
    return -1;
}

/* A client log's tool call or connection, from the rules named
 * MCP_METRICS_CALL_RULE and MCP_METRICS_CONNECT_RULE. */
static void client_event(struct mcp_metrics *m, const struct mcp_rule *r,
                         const struct mcp_event *ev, bool call)
{
    const char *server = value(r, ev, "server");
    const char *ms = value(r, ev, "ms");

    if (server == NULL)
        server = "(unknown)";
    if (call) {
        const char *elapsed = value(r, ev, "elapsed");
        struct mcp_metrics_call c = {.server = server,
                                     .tool = value(r, ev, "tool"),
                                     .duration_ms = -1,
                                     .failed = ms == NULL && elapsed != NULL};

        if (c.tool == NULL)
            return;
        if (ms != NULL)
            c.duration_ms = elapsed_ms(ms) >= 0 ? elapsed_ms(ms)
                                                : (int64_t)atoll(ms);
        else if (elapsed != NULL)
            c.duration_ms = elapsed_ms(elapsed);
        mcp_metrics_call(m, &c);
    } else if (ms != NULL) {
        mcp_metrics_connect(m, server, (int64_t)atoll(ms));
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

void metrics_observe(struct hist *h, const int64_t *bounds, size_t nb,
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
    struct server_series *s;
    const struct mcp_rule *r;

    if (m->rs == NULL || ev->rule >= m->rs->n)
        return;
    r = &m->rs->rules[ev->rule];
    if (ev->kind == MCP_EV_MATCH) {
        const char *tool;

        m->rules[m->slot[ev->rule]].matches++;
        if ((long)ev->rule == m->tool_rule &&
            (tool = value(r, ev, "tool")) != NULL)
            tool_of(m, 0, tool)->calls++;
        if ((long)ev->rule == m->call_rule ||
            (long)ev->rule == m->connect_rule)
            client_event(m, r, ev, (long)ev->rule == m->call_rule);
    }
    if ((long)ev->rule != m->startup_rule)
        return;
    s = &m->srv[0]; /* after client_event, which may grow m->srv */
    if (ev->kind == MCP_EV_MATCH) {
        s->startups++;
        s->pending = ev->ts;
    } else if (s->pending != MCP_TIME_NONE && ev->ts != MCP_TIME_NONE) {
        metrics_observe(&s->ready, ready_bounds, NREADYB, ev->ts - s->pending);
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
        metrics_observe(&t->dur, tool_bounds, NTOOLB, c->duration_ms);
}

void mcp_metrics_connect(struct mcp_metrics *m, const char *server,
                         int64_t ms)
{
    /* server_of may grow m->srv: its index first, then the array. */
    size_t i = server_of(m, server);

    metrics_observe(&m->srv[i].ready, ready_bounds, NREADYB, ms);
}
