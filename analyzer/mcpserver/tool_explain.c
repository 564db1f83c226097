/* tool_explain.c - the explain_server tool: one server's processes,
 * startups, failures and errors, and the likely cause in one sentence
 * with its evidence lines. */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "base/textout.h"
#include "base/util.h"
#include "engine/engine.h"
#include "mcpserver/srv_int.h"
#include "mcpserver/srv_scan.h"
#include "proc/procs.h"

#define WINDOW_MS (10 * 60 * 1000)
#define STARTUPS_SHOWN 10

/* The processes as `ps --json` writes them; *n and *orphans counted. */
static struct json_object *procs_json(const struct mcp_srv *s, size_t *n,
                                      size_t *orphans, char *perr)
{
    struct json_object *arr = json_object_new_array();
    struct mcp_proc *p = NULL;

    *n = *orphans = 0;
    if (mcp_procs_find(&s->o->conf->proc, false, &p, n, perr) != 0)
        return arr;
    for (size_t i = 0; i < *n; i++) {
        struct mcp_buf b;
        struct mcp_json j;

        *orphans += p[i].orphan;
        mcp_buf_init(&b);
        mcp_json_init(&j, &b, false);
        mcp_json_begin_obj(&j);
        mcp_proc_json_fields(&j, &p[i]);
        mcp_json_end_obj(&j);
        if (i < MCP_SRV_LIST_MAX)
            json_object_array_add(arr, mcp_srv_from_text(b.data, b.len));
        mcp_buf_free(&b);
    }
    mcp_procs_free(p, *n);
    return arr;
}

/* The reconnect failures of the server called name: their count (the
 * group server=name of the rule reconnect-failures) in *count, and the
 * alerts they raised. */
static struct json_object *failures_json(const struct mcp_srv_scan *x,
                                         const char *name, uint64_t *count)
{
    struct json_object *arr = json_object_new_array();
    size_t n;
    struct mcp_alert *const *al = mcp_engine_alerts(x->scan.engine, &n);
    const struct mcp_rule_stats *st;

    *count = 0;
    if (x->reconnect_rule < 0)
        return arr;
    st = mcp_engine_stats(x->scan.engine, (size_t)x->reconnect_rule);
    for (size_t i = 0; i < st->ngroups; i++)
        if (strcmp(st->groups[i].key, name) == 0)
            *count = st->groups[i].count;
    for (size_t i = 0; i < n; i++) {
        const struct mcp_alert *a = al[i];

        if ((int)a->rule != x->reconnect_rule || a->nlabels < 1 ||
            strcmp(a->label_value[0] ? a->label_value[0] : "", name) != 0)
            continue;
        json_object_array_add(arr, mcp_srv_alert(x->rs, a));
    }
    if (json_object_array_length(arr) > MCP_SRV_LIST_MAX)
        json_object_array_del_idx(arr, 0, json_object_array_length(arr) -
                                              MCP_SRV_LIST_MAX);
    return arr;
}

/* The evidence lines, in time order: the newest reconnect failures of
 * the server called name (5), and the newest errors (5) of the 10
 * minutes around them (any time when there is no failure). */
static struct json_object *evidence(const struct mcp_srv_scan *x,
                                    const char *name)
{
    struct json_object *arr = json_object_new_array();
    const struct mcp_srv_evidence *r[MCP_SRV_EVIDENCE_MAX], *e = x->ev[1];
    size_t nr = 0, ne = x->nev[1], r0, sel[MCP_SRV_EVIDENCE_MAX], ns = 0, i, k;
    int64_t from, to;

    for (i = 0; i < x->nev[0]; i++)
        if (x->ev[0][i].server != NULL &&
            strcmp(x->ev[0][i].server, name) == 0)
            r[nr++] = &x->ev[0][i];
    r0 = nr > 5 ? nr - 5 : 0;
    from = nr ? r[r0]->ts - WINDOW_MS : MCP_TIME_NONE;
    to = nr ? r[nr - 1]->ts + WINDOW_MS : MCP_TIME_NONE;

    for (i = ne; i-- > 0 && ns < 5;)
        if (nr == 0 || (e[i].ts >= from && e[i].ts <= to))
            sel[ns++] = i;
    /* Merge the two, oldest first. */
    for (i = r0, k = ns; i < nr || k > 0;) {
        if (k > 0 && (i == nr || e[sel[k - 1]].ts < r[i]->ts))
            json_object_array_add(arr, mcp_srv_evidence_json(x, &e[sel[--k]]));
        else
            json_object_array_add(arr, mcp_srv_evidence_json(x, r[i++]));
    }
    return arr;
}

/* The likely cause, first that holds: stale duplicates, a crash at
 * start, a start too slow (time-out), reconnect failures alone, none. */
static void cause(struct json_object *res, const struct mcp_srv *s,
                  size_t nprocs, size_t orphans, uint64_t failures,
                  struct json_object *startups, const char *name)
{
    struct json_object *c = json_object_new_object(), *last = NULL, *v;
    const char *kind;
    char text[512];
    size_t ns = json_object_array_length(startups);
    long max = s->o->conf->proc.health.max_processes;

    if (ns > 0)
        last = json_object_array_get_idx(startups, ns - 1);
    if ((long)nprocs > max || orphans > 0) {
        kind = "stale_duplicates";
        snprintf(text, sizeof(text), "%zu server processes run (%zu "
                 "orphaned, at most %ld expected): stale duplicates hold "
                 "on to the server, so the client's new connection fails; "
                 "cleanup keeps one.", nprocs, orphans, max);
    } else if (last != NULL && json_object_object_get_ex(last, "ready_after_ms", &v) &&
               v == NULL && nprocs == 0) {
        kind = "crash_at_start";
        snprintf(text, sizeof(text), "the last start (PID %s) never became "
                 "ready and no server process runs: it crashed at start "
                 "(see the errors and traceback in the evidence).",
                 json_object_get_string(json_object_object_get(last, "pid")));
    } else if (last != NULL &&
               json_object_get_boolean(json_object_object_get(last, "late"))) {
        kind = "timeout";
        snprintf(text, sizeof(text), "the last start (PID %s) was slow to "
                 "become ready: the client's connection time-out ran out "
                 "first.",
                 json_object_get_string(json_object_object_get(last, "pid")));
    } else if (failures > 0) {
        kind = "reconnect_failures";
        snprintf(text, sizeof(text), "%llu failed reconnects to %s, with "
                 "%zu server process%s running: see the evidence lines.",
                 (unsigned long long)failures, name, nprocs,
                 nprocs == 1 ? "" : "es");
    } else {
        kind = "none_found";
        snprintf(text, sizeof(text), "no failure of %s found in its logs "
                 "and processes.", name);
    }
    json_object_object_add(c, "kind", json_object_new_string(kind));
    json_object_object_add(c, "sentence", mcp_srv_str(text));
    json_object_object_add(res, "cause", c);
}

struct json_object *mcp_tool_explain(struct mcp_srv *s,
                                     struct json_object *args, char *err)
{
    static const char *const names[] = {"name", "paths", NULL};
    const char *name = mcp_srv_arg_str(args, "name");
    struct mcp_srv_scan x;
    struct json_object *res, *arr, *paths = NULL, *startups;
    char perr[MCP_ERRLEN] = "";
    size_t nprocs, orphans, total;
    uint64_t failures;

    if (mcp_srv_args(args, names, "sa", err) != 0)
        return NULL;
    if (name == NULL || name[0] == '\0') {
        mcp_errf(err, "argument 'name' is required: the server's name as "
                 "the client knows it");
        return NULL;
    }
    json_object_object_get_ex(args, "paths", &paths);
    if (mcp_srv_scan_run(s, paths, MCP_TIME_NONE, MCP_TIME_NONE, &x,
                         err) != 0 || x.scan.cancelled) {
        mcp_errf(err, "explain_server: cancelled");
        mcp_srv_scan_free(&x);
        return NULL;
    }
    res = json_object_new_object();
    json_object_object_add(res, "name", mcp_srv_str(name));
    json_object_object_add(res, "log_files",
                           json_object_new_int64((int64_t)x.ls.n));
    arr = procs_json(s, &nprocs, &orphans, perr);
    json_object_object_add(res, "processes", arr);
    json_object_object_add(res, "processes_error",
                           perr[0] ? mcp_srv_str(perr) : NULL);
    json_object_object_add(res, "orphans",
                           json_object_new_int64((int64_t)orphans));
    startups = mcp_srv_startups(&x, STARTUPS_SHOWN, &total);
    json_object_object_add(res, "startups", startups);
    json_object_object_add(res, "reconnect_alerts",
                           failures_json(&x, name, &failures));
    json_object_object_add(res, "reconnect_failures",
                           json_object_new_int64((int64_t)failures));
    /* The client's view of the server comes with the client logs. */
    json_object_object_add(res, "client_failures", json_object_new_array());
    json_object_object_add(res, "evidence", evidence(&x, name));
    cause(res, s, nprocs, orphans, failures, startups, name);
    json_object_object_add(res, "cut", json_object_new_array());
    mcp_srv_scan_free(&x);
    return mcp_srv_bound(res, err);
}
