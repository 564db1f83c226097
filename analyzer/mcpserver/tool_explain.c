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

static int by_time(const void *a, const void *b)
{
    const struct mcp_srv_evidence *x = *(const struct mcp_srv_evidence *const *)a;
    const struct mcp_srv_evidence *y = *(const struct mcp_srv_evidence *const *)b;

    return x->ts < y->ts ? -1 : x->ts > y->ts;
}

static bool about(const struct mcp_srv_evidence *e, const char *name,
                  bool own)
{
    return e->server != NULL ? strcmp(e->server, name) == 0 : own;
}

/* The evidence lines, in time order: the newest 5 of the server's
 * reconnect failures and the newest 5 of its client-side failures, and
 * the newest 5 errors (its own log's, or the client's record of its
 * stderr) of the 10 minutes around them (of any time when there is no
 * failure). */
static struct json_object *evidence(const struct mcp_srv_scan *x,
                                    const char *name)
{
    const struct mcp_srv_evidence *pick[3 * 5 + 1];
    struct json_object *arr = json_object_new_array();
    size_t n = 0, anchors;
    int64_t from = MCP_TIME_NONE, to = MCP_TIME_NONE;
    static const int kinds[2] = {MCP_SRV_EV_RECONNECT, MCP_SRV_EV_CLIENT};

    for (int k = 0; k < 2; k++) {
        const struct mcp_srv_evidence *v = x->ev[kinds[k]];
        size_t got = 0;

        for (size_t i = x->nev[kinds[k]]; i-- > 0 && got < 5;)
            if (about(&v[i], name, false)) {
                pick[n++] = &v[i];
                got++;
            }
    }
    anchors = n;
    for (size_t i = 0; i < anchors; i++) {
        if (from == MCP_TIME_NONE || pick[i]->ts - WINDOW_MS < from)
            from = pick[i]->ts - WINDOW_MS;
        if (to == MCP_TIME_NONE || pick[i]->ts + WINDOW_MS > to)
            to = pick[i]->ts + WINDOW_MS;
    }
    for (size_t i = x->nev[MCP_SRV_EV_ERROR], got = 0; i-- > 0 && got < 5;) {
        const struct mcp_srv_evidence *e = &x->ev[MCP_SRV_EV_ERROR][i];

        if (about(e, name, true) &&
            (anchors == 0 || (e->ts >= from && e->ts <= to))) {
            pick[n++] = e;
            got++;
        }
    }
    qsort(pick, n, sizeof(*pick), by_time);
    for (size_t i = 0; i < n; i++)
        json_object_array_add(arr, mcp_srv_evidence_json(x, pick[i]));
    return arr;
}

/* The server's newest client-side failure: of the records of its last
 * second (one attempt: "Connection timeout triggered" and "Connection
 * failed" come together), the most telling, a crash before a time-out
 * before stdout pollution before a failed connection before a failed
 * tool call. NULL when it has none. */
static const struct mcp_srv_evidence *last_client(const struct mcp_srv_scan *x,
                                                  const char *name)
{
    static const int rank[MCP_SRV_CR_N] = {
        [MCP_SRV_CR_CRASH] = 5, [MCP_SRV_CR_TIMEOUT] = 4,
        [MCP_SRV_CR_STDOUT] = 3, [MCP_SRV_CR_FAILURE] = 2,
        [MCP_SRV_CR_TOOL] = 1,
    };
    const struct mcp_srv_evidence *best = NULL;
    int best_rank = 0;
    int64_t newest = MCP_TIME_NONE;

    for (size_t i = x->nev[MCP_SRV_EV_CLIENT]; i-- > 0;) {
        const struct mcp_srv_evidence *e = &x->ev[MCP_SRV_EV_CLIENT][i];
        int r = 0;

        if (!about(e, name, false))
            continue;
        if (newest == MCP_TIME_NONE)
            newest = e->ts;
        else if (e->ts < newest - 1000)
            break;
        for (int k = 0; k < MCP_SRV_CR_N; k++)
            if ((int)e->rule == x->client_rule[k])
                r = rank[k];
        if (r > best_rank) {
            best = e;
            best_rank = r;
        }
    }
    return best;
}

/* The causes read from the client's newest failure record, by its rule;
 * each sentence takes the server's name, the rule's count for it and
 * the record's line. */
static const struct {
    int cr;
    const char *kind, *fmt;
} client_causes[] = {
    {MCP_SRV_CR_CRASH, "crash_at_start",
     "%s exited during its start (%llu times; the client's last record: "
     "%s): see its stderr in the evidence."},
    {MCP_SRV_CR_TIMEOUT, "timeout",
     "%s did not answer the client's handshake in time (%llu times; the "
     "client's last record: %s): it starts too slowly, or hangs before "
     "reading stdin."},
    {MCP_SRV_CR_STDOUT, "stdout_pollution",
     "%s wrote %llu lines that are not JSON-RPC to its stdout, where only "
     "protocol may go (the last: %s): its logging or prints must go to "
     "stderr."},
    {MCP_SRV_CR_TOOL, "tool_failures",
     "%s connects, but its tool calls fail (%llu times; the client's last "
     "record: %s)."},
};
#define NCAUSES (sizeof(client_causes) / sizeof(*client_causes))

/* The index in client_causes of the record cl's rule; NCAUSES for none
 * (no record, or a plain connection failure). */
static size_t client_cause(const struct mcp_srv_scan *x,
                           const struct mcp_srv_evidence *cl)
{
    size_t k = 0;

    while (cl != NULL && k < NCAUSES &&
           (int)cl->rule != x->client_rule[client_causes[k].cr])
        k++;
    return cl != NULL ? k : NCAUSES;
}

/* The likely cause, first that holds: stale duplicates; then the kind
 * of the server's newest client-side failure (a crash at start, a
 * time-out, stdout pollution, a failed connection, failed tool calls);
 * then its own log's
 * last start (never ready with no process: a crash; late: a time-out);
 * reconnect failures; none. */
static void cause(struct json_object *res, const struct mcp_srv *s,
                  const struct mcp_srv_scan *x, size_t nprocs,
                  size_t orphans, uint64_t failures,
                  struct json_object *startups, const char *name)
{
    struct json_object *c = json_object_new_object(), *last = NULL, *v;
    const char *kind;
    char text[768];
    size_t ns = json_object_array_length(startups);
    long max = s->o->conf->proc.health.max_processes;
    const struct mcp_srv_evidence *cl = last_client(x, name);
    struct mcp_buf line;
    size_t k;

    mcp_buf_init(&line);
    if (cl != NULL)
        mcp_term_cut(&line, cl->line, cl->line_len, 300);
    if (ns > 0)
        last = json_object_array_get_idx(startups, ns - 1);
    if ((long)nprocs > max || orphans > 0) {
        kind = "stale_duplicates";
        snprintf(text, sizeof(text), "%zu server processes run (%zu "
                 "orphaned, at most %ld expected): stale duplicates hold "
                 "on to the server, so the client's new connection fails; "
                 "cleanup keeps one.", nprocs, orphans, max);
    } else if ((k = client_cause(x, cl)) < NCAUSES) {
        kind = client_causes[k].kind;
        snprintf(text, sizeof(text), client_causes[k].fmt, name,
                 (unsigned long long)mcp_srv_server_count(
                     x, x->client_rule[client_causes[k].cr], name),
                 line.data);
    } else if (cl != NULL) {
        kind = "connection_failures";
        snprintf(text, sizeof(text), "%llu failed connections to %s; the "
                 "client's last record: %s.", (unsigned long long)
                 mcp_srv_server_count(x, x->client_rule[MCP_SRV_CR_FAILURE], name),
                 name, line.data);
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
        snprintf(text, sizeof(text), "no failure of %s found in its logs, "
                 "its clients' logs and its processes.", name);
    }
    mcp_buf_free(&line);
    json_object_object_add(c, "kind", json_object_new_string(kind));
    json_object_object_add(c, "sentence", mcp_srv_str(text));
    json_object_object_add(res, "cause", c);
}

struct json_object *mcp_tool_explain(struct mcp_srv *s,
                                     struct json_object *args, char *err)
{
    static const char *const names[] = {"name", "paths", "clients", NULL};
    const char *name = mcp_srv_arg_str(args, "name");
    struct mcp_srv_scan x;
    struct json_object *res, *arr, *paths = NULL, *clients = NULL, *startups;
    char perr[MCP_ERRLEN] = "";
    size_t nprocs, orphans, total;
    uint64_t failures;

    if (mcp_srv_args(args, names, "saa", err) != 0)
        return NULL;
    if (name == NULL || name[0] == '\0') {
        mcp_errf(err, "argument 'name' is required: the server's name as "
                 "the client knows it");
        return NULL;
    }
    json_object_object_get_ex(args, "paths", &paths);
    json_object_object_get_ex(args, "clients", &clients);
    if (mcp_srv_scan_run(s, paths, clients, MCP_TIME_NONE, MCP_TIME_NONE, &x,
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
    /* The clients' view of it: attempts, failures and their reasons. */
    json_object_object_add(res, "client", mcp_srv_clients(&x, name));
    json_object_object_add(res, "evidence", evidence(&x, name));
    cause(res, s, &x, nprocs, orphans, failures, startups, name);
    json_object_object_add(res, "cut", json_object_new_array());
    mcp_srv_scan_free(&x);
    return mcp_srv_bound(res, err);
}
