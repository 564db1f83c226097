/* tool_scan.c - the scan tool: the summary of a scan, bounded in size,
 * saying what it cut. */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeexpr.h"
#include "base/util.h"
#include "engine/engine.h"
#include "mcpserver/srv_int.h"
#include "mcpserver/srv_scan.h"

#define CLUSTERS_SHOWN 10
#define STARTUPS_SHOWN 20

int mcp_srv_time_arg(struct json_object *args, const char *name, int64_t now,
                     int64_t *t, char *err)
{
    const char *v = mcp_srv_arg_str(args, name);
    char why[MCP_ERRLEN] = "";

    *t = MCP_TIME_NONE;
    if (v == NULL || mcp_time_parse_expr(v, now, t, why) == 0)
        return 0;
    mcp_errf(err, "argument '%s': %s", name, why);
    return -1;
}

static void cut(struct json_object *cuts, const char *what, size_t shown,
                size_t total)
{
    struct json_object *o;

    if (shown >= total)
        return;
    o = json_object_new_object();
    json_object_object_add(o, "list", json_object_new_string(what));
    json_object_object_add(o, "shown", json_object_new_int64((int64_t)shown));
    json_object_object_add(o, "total", json_object_new_int64((int64_t)total));
    json_object_array_add(cuts, o);
}

static struct json_object *inputs_json(const struct mcp_srv_scan *x)
{
    struct json_object *o = json_object_new_object();
    struct json_object *damaged = json_object_new_array();
    int64_t first = MCP_TIME_NONE, last = MCP_TIME_NONE;

    for (size_t i = 0; i < x->ls.n; i++) {
        const struct mcp_input *in = &x->ls.inputs[i];

        if (in->first_ts != MCP_TIME_NONE &&
            (first == MCP_TIME_NONE || in->first_ts < first))
            first = in->first_ts;
        if (in->last_ts != MCP_TIME_NONE &&
            (last == MCP_TIME_NONE || in->last_ts > last))
            last = in->last_ts;
        if (in->damaged && json_object_array_length(damaged) < 10)
            json_object_array_add(damaged, mcp_srv_str(in->damage));
    }
    json_object_object_add(o, "files", json_object_new_int64((int64_t)x->ls.n));
    json_object_object_add(o, "lines",
                           json_object_new_int64((int64_t)x->scan.lines));
    json_object_object_add(o, "bytes",
                           json_object_new_int64((int64_t)x->scan.bytes));
    json_object_object_add(o, "first", mcp_srv_time(first));
    json_object_object_add(o, "last", mcp_srv_time(last));
    json_object_object_add(o, "damaged", damaged);
    return o;
}

static int by_calls(const void *a, const void *b)
{
    const struct mcp_group_count *x = a, *y = b;

    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    return strcmp(x->key, y->key);
}

static struct json_object *tools_json(struct mcp_srv_scan *x,
                                      struct json_object *cuts)
{
    struct json_object *arr = json_object_new_array();
    int r = mcp_ruleset_find(x->rs, "tool-calls");
    const struct mcp_rule_stats *st;
    struct mcp_group_count *g;

    if (r < 0)
        return arr;
    st = mcp_engine_stats(x->scan.engine, (size_t)r);
    g = mcp_calloc(st->ngroups + 1, sizeof(*g));
    if (st->ngroups > 0)
        memcpy(g, st->groups, st->ngroups * sizeof(*g));
    qsort(g, st->ngroups, sizeof(*g), by_calls);
    for (size_t i = 0; i < st->ngroups && i < MCP_SRV_LIST_MAX; i++) {
        struct json_object *o = json_object_new_object();

        json_object_object_add(o, "tool", mcp_srv_str(g[i].key));
        json_object_object_add(o, "calls",
                               json_object_new_int64((int64_t)g[i].count));
        json_object_array_add(arr, o);
    }
    cut(cuts, "tools", MCP_SRV_LIST_MAX, st->ngroups);
    free(g);
    return arr;
}

struct json_object *mcp_srv_startups(const struct mcp_srv_scan *x,
                                     size_t max, size_t *total)
{
    struct json_object *arr = json_object_new_array();
    int r = mcp_ruleset_find(x->rs, "startup-not-ready");
    size_t n, k = 0, from;
    const struct mcp_expectation *e =
        mcp_engine_expectations(x->scan.engine, &n);

    for (size_t i = 0; i < n; i++)
        k += (int)e[i].rule == r;
    *total = k;
    from = k > max ? k - max : 0;   /* the newest max */
    k = 0;
    for (size_t i = 0; i < n; i++) {
        struct json_object *o;

        if ((int)e[i].rule != r || k++ < from)
            continue;
        o = json_object_new_object();
        json_object_object_add(o, "pid", mcp_srv_str(e[i].cap_pid));
        json_object_object_add(o, "start", mcp_srv_time(e[i].start));
        json_object_object_add(o, "ready_after_ms",
                               e[i].met != MCP_TIME_NONE
                                   ? json_object_new_int64(e[i].met -
                                                           e[i].start)
                                   : NULL);
        json_object_object_add(o, "late", json_object_new_boolean(
                                              e[i].missed));
        json_object_object_add(o, "origin",
                               mcp_srv_origin(x, e[i].input, e[i].lineno));
        json_object_array_add(arr, o);
    }
    return arr;
}

struct json_object *mcp_tool_scan(struct mcp_srv *s, struct json_object *args,
                                  char *err)
{
    static const char *const names[] = {"paths", "since", "until",
                                        "clients", NULL};
    struct mcp_srv_scan x;
    struct json_object *res, *arr, *cuts, *paths = NULL, *clients = NULL;
    int64_t since, until;
    size_t n, total, from;
    struct mcp_alert *const *al;

    int64_t now = mcp_wall_ms();

    if (mcp_srv_args(args, names, "assa", err) != 0 ||
        mcp_srv_time_arg(args, "since", now, &since, err) != 0 ||
        mcp_srv_time_arg(args, "until", now, &until, err) != 0)
        return NULL;
    if (since != MCP_TIME_NONE && until != MCP_TIME_NONE && since > until) {
        mcp_errf(err, "argument 'since' is later than 'until'");
        return NULL;
    }
    if (args != NULL) {
        json_object_object_get_ex(args, "paths", &paths);
        json_object_object_get_ex(args, "clients", &clients);
    }
    if (mcp_srv_scan_run(s, paths, clients, since, until, &x, err) != 0) {
        mcp_srv_scan_free(&x);
        return NULL;
    }
    if (x.scan.cancelled) {
        mcp_srv_scan_free(&x);
        mcp_errf(err, "scan: cancelled");
        return NULL;
    }
    res = json_object_new_object();
    cuts = json_object_new_array();
    json_object_object_add(res, "since", mcp_srv_time(since));
    json_object_object_add(res, "until", mcp_srv_time(until));
    json_object_object_add(res, "inputs", inputs_json(&x));

    arr = json_object_new_array();
    for (size_t i = 0; i < x.rs->n; i++) {
        const struct mcp_rule_stats *st = mcp_engine_stats(x.scan.engine, i);
        struct json_object *o = json_object_new_object();

        json_object_object_add(o, "name", mcp_srv_str(x.rs->rules[i].name));
        json_object_object_add(o, "severity", x.rs->rules[i].severity > 0
            ? json_object_new_string(mcp_severity_name(x.rs->rules[i].severity))
            : NULL);
        json_object_object_add(o, "matches",
                               json_object_new_int64((int64_t)st->matches));
        json_object_object_add(o, "alerts",
                               json_object_new_int64((int64_t)st->alerts));
        json_object_array_add(arr, o);
    }
    json_object_object_add(res, "rules", arr);

    /* The newest alerts: "what happened overnight" is at the end. */
    al = mcp_engine_alerts(x.scan.engine, &n);
    from = n > MCP_SRV_LIST_MAX ? n - MCP_SRV_LIST_MAX : 0;
    arr = json_object_new_array();
    for (size_t i = from; i < n; i++)
        json_object_array_add(arr, mcp_srv_alert(x.rs, al[i]));
    cut(cuts, "alerts", n - from, n);
    json_object_object_add(res, "alerts", arr);

    json_object_object_add(res, "tools", tools_json(&x, cuts));
    arr = mcp_srv_startups(&x, STARTUPS_SHOWN, &total);
    cut(cuts, "startups", json_object_array_length(arr), total);
    json_object_object_add(res, "startups", arr);
    /* The clients' view per server: attempts, failures with reasons,
     * connect times, tool calls (clientstats.h). */
    json_object_object_add(res, "clients", mcp_srv_clients(&x, NULL));
    arr = mcp_srv_clusters(&x, CLUSTERS_SHOWN);
    cut(cuts, "error_clusters", json_object_array_length(arr),
        x.ncl + (x.clusters_dropped > 0));
    json_object_object_add(res, "error_clusters", arr);
    json_object_object_add(res, "cut", cuts);
    mcp_srv_scan_free(&x);
    return mcp_srv_bound(res, err);
}
