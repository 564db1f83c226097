/* incident.c - the HTML page's data, gathered from the scan's events. */
#include "output/incident.h"

#include <stdlib.h>
#include <string.h>

#include "base/timeparse.h"
#include "base/util.h"

static int find_cap(const struct mcp_ruleset *rs, int rule, const char *name)
{
    if (rule < 0)
        return -1;
    const struct mcp_pattern *p = rs->rules[rule].match;

    for (int i = 0; i < mcp_pattern_ncaptures(p); i++) {
        int group;

        if (strcmp(mcp_pattern_capture_name(p, i, &group), name) == 0)
            return i;
    }
    return -1;
}

void mcp_incident_init(struct mcp_incident *inc,
                       const struct mcp_ruleset *rs)
{
    memset(inc, 0, sizeof(*inc));
    inc->rs = rs;
    inc->r_errors = mcp_ruleset_find(rs, "errors");
    inc->r_tools = mcp_ruleset_find(rs, "tool-calls");
    inc->r_retries = mcp_ruleset_find(rs, "provider-retries");
    inc->r_reconnect = mcp_ruleset_find(rs, "reconnect-failures");
    inc->r_startup = mcp_ruleset_find(rs, "startup-not-ready");
    inc->r_rate = mcp_ruleset_find(rs, "tool-call-rate");
    inc->c_message = find_cap(rs, inc->r_errors, "message");
    inc->c_logger = find_cap(rs, inc->r_errors, "logger");
    inc->c_tool = find_cap(rs, inc->r_tools, "tool");
    inc->r_client[MCP_CLIENT_FAILURE] =
        mcp_ruleset_find(rs, "connection-failures");
    inc->r_client[MCP_CLIENT_CONNECT] =
        mcp_ruleset_find(rs, "client-connections");
    inc->r_client[MCP_CLIENT_TIMEOUT] =
        mcp_ruleset_find(rs, "startup-timeout");
    inc->r_client[MCP_CLIENT_CRASH] = mcp_ruleset_find(rs, "startup-crash");
    for (int k = 0; k < MCP_CLIENT_NKINDS; k++)
        mcp_timebins_init(&inc->client[k], MCP_INCIDENT_RATE_BINS);
    inc->r_client_tools = mcp_ruleset_find(rs, "client-tool-calls");
    inc->c_ctool = find_cap(rs, inc->r_client_tools, "tool");
    mcp_timebins_init(&inc->errors, MCP_INCIDENT_RATE_BINS);
    mcp_timebins_init(&inc->retries, MCP_INCIDENT_RATE_BINS);
    mcp_timebins_init(&inc->reconnects, MCP_INCIDENT_RATE_BINS);
    mcp_timebins_init(&inc->tools_other, MCP_INCIDENT_RATE_BINS);
    mcp_strmap_init(&inc->tool_map);
    mcp_strmap_init(&inc->fail_map);
    mcp_strmap_init(&inc->cluster_map);
}

static const char *cap(const struct mcp_event *ev, int i)
{
    return i >= 0 && i < ev->ncaps ? ev->cap[i] : NULL;
}

/* The tool called name, added when new; NULL past the cap. */
static struct mcp_incident_tool *tool_find(struct mcp_incident *inc,
                                           const char *name)
{
    void **slot;

    if (mcp_strmap_get(&inc->tool_map, name) == NULL) {
        if (inc->ntools == MCP_INCIDENT_MAX_TOOLS)
            return NULL;
        slot = mcp_strmap_slot(&inc->tool_map, name);
        inc->tools = mcp_realloc(inc->tools,
                                 (inc->ntools + 1) * sizeof(*inc->tools));
        memset(&inc->tools[inc->ntools], 0, sizeof(*inc->tools));
        inc->tools[inc->ntools].name = mcp_strdup(name);
        mcp_timebins_init(&inc->tools[inc->ntools].bins,
                          MCP_INCIDENT_RATE_BINS);
        *slot = (void *)(uintptr_t)(++inc->ntools);
    }
    slot = mcp_strmap_slot(&inc->tool_map, name);
    return &inc->tools[(uintptr_t)*slot - 1];
}

static void tool_call(struct mcp_incident *inc, const struct mcp_event *ev)
{
    const char *name = cap(ev, inc->c_tool);
    struct mcp_incident_tool *t;

    if (name == NULL)
        return;
    if ((t = tool_find(inc, name)) == NULL) {
        inc->tools_dropped++;
        mcp_timebins_add(&inc->tools_other, ev->ts, 1);
        return;
    }
    t->calls++;
    mcp_timebins_add(&t->bins, ev->ts, 1);
}

/* A call a client saw end: the tool is listed (its figures are the
 * clients' statistics, clientstats.h). */
static void client_tool(struct mcp_incident *inc, const struct mcp_event *ev)
{
    const char *name = cap(ev, inc->c_ctool);

    if (name != NULL)
        tool_find(inc, name);
}

/* An error from logger tools.<name>[.more] is a failure of tool <name>. */
static void tool_failure(struct mcp_incident *inc, const char *logger)
{
    struct mcp_buf name;

    if (logger == NULL || strncmp(logger, "tools.", 6) != 0 ||
        logger[6] == '\0')
        return;
    mcp_buf_init(&name);
    mcp_buf_append(&name, logger + 6, strcspn(logger + 6, "."));
    if (mcp_strmap_get(&inc->fail_map, name.data) != NULL ||
        inc->fail_map.n < MCP_INCIDENT_MAX_TOOLS) {
        void **slot = mcp_strmap_slot(&inc->fail_map, name.data);

        *slot = (void *)((uintptr_t)*slot + (*slot == NULL ? 2 : 1));
    }
    mcp_buf_free(&name);
}

uint64_t mcp_incident_failures(const struct mcp_incident *inc,
                               const char *tool)
{
    void *v = mcp_strmap_get(&inc->fail_map, tool);

    return v == NULL ? 0 : (uint64_t)(uintptr_t)v - 1;
}

/* A copy of p[0..n) that may hold NULs, NUL-terminated. */
static char *dup_bytes(const char *p, size_t n)
{
    char *s = mcp_malloc(n + 1);

    memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

static void error_line(struct mcp_incident *inc, const struct mcp_event *ev)
{
    const char *msg = cap(ev, inc->c_message);
    struct mcp_buf t;
    void **slot;

    mcp_timebins_add(&inc->errors, ev->ts, 1);
    tool_failure(inc, cap(ev, inc->c_logger));
    mcp_buf_init(&t);
    if (msg != NULL)
        mcp_incident_template(&t, msg, strlen(msg),
                              MCP_INCIDENT_TEMPLATE_MAX);
    else
        mcp_incident_template(&t, ev->line, ev->line_len,
                              MCP_INCIDENT_TEMPLATE_MAX);
    mcp_buf_putc(&t, '\0');
    slot = mcp_strmap_get(&inc->cluster_map, t.data) != NULL ||
                   inc->nclusters < MCP_INCIDENT_MAX_CLUSTERS
               ? mcp_strmap_slot(&inc->cluster_map, t.data)
               : NULL;
    if (slot == NULL) {
        inc->clusters_dropped++;
        mcp_buf_free(&t);
        return;
    }
    if (*slot == NULL) {
        struct mcp_incident_cluster *c;

        inc->clusters = mcp_realloc(inc->clusters, (inc->nclusters + 1) *
                                                       sizeof(*inc->clusters));
        c = &inc->clusters[inc->nclusters];
        memset(c, 0, sizeof(*c));
        c->tmpl = mcp_strdup(t.data);
        c->first = ev->ts;
        c->last = MCP_TIME_NONE;
        mcp_timebins_init(&c->bins, MCP_INCIDENT_SPARK_BINS);
        c->sample = dup_bytes(ev->line, ev->line_len);
        c->sample_len = ev->line_len;
        if (ev->context != NULL) {
            c->context = dup_bytes(ev->context, ev->context_len);
            c->context_len = ev->context_len;
        }
        c->input = ev->input;
        c->lineno = ev->lineno;
        *slot = (void *)(uintptr_t)(++inc->nclusters);
    }
    struct mcp_incident_cluster *c = &inc->clusters[(uintptr_t)*slot - 1];

    c->count++;
    if (c->first == MCP_TIME_NONE || (ev->ts != MCP_TIME_NONE &&
                                      ev->ts < c->first))
        c->first = ev->ts;
    if (ev->ts != MCP_TIME_NONE && (c->last == MCP_TIME_NONE ||
                                    ev->ts > c->last))
        c->last = ev->ts;
    mcp_timebins_add(&c->bins, ev->ts, 1);
    mcp_buf_free(&t);
}

void mcp_incident_event(struct mcp_incident *inc, const struct mcp_event *ev)
{
    int r = (int)ev->rule;

    if (ev->ts == MCP_TIME_NONE)
        return;
    if (ev->kind == MCP_EV_MATCH && r == inc->r_errors)
        error_line(inc, ev);
    else if (ev->kind == MCP_EV_MATCH && r == inc->r_tools)
        tool_call(inc, ev);
    else if (ev->kind == MCP_EV_MATCH && r == inc->r_retries)
        mcp_timebins_add(&inc->retries, ev->ts, 1);
    else if (ev->kind == MCP_EV_MATCH && r == inc->r_reconnect)
        mcp_timebins_add(&inc->reconnects, ev->ts, 1);
    else if (ev->kind == MCP_EV_MATCH && r == inc->r_client_tools)
        client_tool(inc, ev);
    for (int k = 0; k < MCP_CLIENT_NKINDS; k++)
        if (ev->kind == MCP_EV_MATCH && r == inc->r_client[k]) {
            inc->nclient[k]++;
            mcp_timebins_add(&inc->client[k], ev->ts, 1);
        }
    if (ev->kind == MCP_EV_MATCH && r == inc->r_startup &&
        inc->nstarts < MCP_INCIDENT_MAX_STARTS) {
        if (inc->nstarts == inc->starts_cap) {
            inc->starts_cap = inc->starts_cap ? inc->starts_cap * 2 : 64;
            inc->starts = mcp_realloc(inc->starts, inc->starts_cap *
                                                       sizeof(*inc->starts));
        }
        inc->starts[inc->nstarts++] = (struct mcp_incident_start){
            ev->input, ev->lineno, ev->prev_ts};
    }
}

void mcp_incident_free(struct mcp_incident *inc)
{
    for (size_t i = 0; i < inc->ntools; i++) {
        free(inc->tools[i].name);
        mcp_timebins_free(&inc->tools[i].bins);
    }
    free(inc->tools);
    for (size_t i = 0; i < inc->nclusters; i++) {
        struct mcp_incident_cluster *c = &inc->clusters[i];

        free(c->tmpl);
        free(c->sample);
        free(c->context);
        mcp_timebins_free(&c->bins);
    }
    free(inc->clusters);
    free(inc->starts);
    mcp_timebins_free(&inc->errors);
    mcp_timebins_free(&inc->retries);
    mcp_timebins_free(&inc->reconnects);
    mcp_timebins_free(&inc->tools_other);
    for (int k = 0; k < MCP_CLIENT_NKINDS; k++)
        mcp_timebins_free(&inc->client[k]);
    mcp_strmap_free(&inc->tool_map);
    mcp_strmap_free(&inc->fail_map);
    mcp_strmap_free(&inc->cluster_map);
    memset(inc, 0, sizeof(*inc));
}
