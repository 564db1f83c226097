/* srv_scan.c - one scan for the scan and explain_server tools: the real
 * driver (scan.c) over the log set asked for, with what the tools add:
 * error clusters and the newest evidence lines. */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "base/textout.h"
#include "base/util.h"
#include "mcpserver/srv_int.h"
#include "mcpserver/srv_scan.h"
#include "output/clientstats.h"

#define CLUSTERS_MAX 1000          /* distinct error signatures tracked */
#define SIG_MAX 200                /* bytes of a signature */

static int capture(const struct mcp_rule *r, const char *name)
{
    for (int i = 0; i < mcp_pattern_ncaptures(r->match); i++)
        if (strcmp(mcp_pattern_capture_name(r->match, i, NULL), name) == 0)
            return i;
    return -1;
}

/* The signature of an error: its logger and its message with every run
 * of digits as '#' (so "PID 41213" and "PID 805" are one cluster). */
static void signature(const struct mcp_event *ev, int logger, int msg,
                      char *out)
{
    const char *m = msg >= 0 && ev->cap[msg] ? ev->cap[msg] : ev->line;
    size_t k = 0;

    if (logger >= 0 && ev->cap[logger] != NULL) {
        k = (size_t)snprintf(out, SIG_MAX, "%s: ", ev->cap[logger]);
        if (k >= SIG_MAX)
            k = SIG_MAX - 1;
    }
    for (const char *p = m; *p != '\0' && k + 1 < SIG_MAX; p++) {
        if (*p >= '0' && *p <= '9') {
            while (p[1] >= '0' && p[1] <= '9')
                p++;
            out[k++] = '#';
        } else {
            out[k++] = *p;
        }
    }
    out[k] = '\0';
}

static void keep_evidence(struct mcp_srv_scan *x, const struct mcp_event *ev,
                          int k)
{
    struct mcp_srv_evidence *e, *v = x->ev[k];

    if (x->nev[k] == MCP_SRV_EVIDENCE_MAX) {
        free(v[0].line);
        free(v[0].context);
        free(v[0].server);
        memmove(v, v + 1, (x->nev[k] - 1) * sizeof(*v));
        x->nev[k]--;
    }
    e = &v[x->nev[k]++];
    e->ts = ev->ts;
    e->rule = ev->rule;
    e->input = ev->input;
    e->lineno = ev->lineno;
    e->line = mcp_strndup(ev->line, ev->line_len);
    e->line_len = ev->line_len;
    e->context = ev->context ? mcp_strndup(ev->context, ev->context_len)
                             : NULL;
    e->context_len = ev->context_len;
    {
        const char *v = mcp_event_value(ev, x->rs->rules[ev->rule].match,
                                        "server", 6);

        e->server = v != NULL ? mcp_strdup(v) : NULL;
    }
}

static void on_event(const struct mcp_event *ev, void *arg)
{
    struct mcp_srv_scan *x = arg;
    char sig[SIG_MAX];
    size_t i;

    mcp_clientstats_event(x->cstats, ev);
    if (ev->kind != MCP_EV_MATCH)
        return;
    if ((int)ev->rule == x->reconnect_rule)
        keep_evidence(x, ev, MCP_SRV_EV_RECONNECT);
    if ((int)ev->rule == x->error_rule)
        keep_evidence(x, ev, MCP_SRV_EV_ERROR);
    for (int k = 0; k < MCP_SRV_CR_N; k++)
        if ((int)ev->rule == x->client_rule[k])
            keep_evidence(x, ev, MCP_SRV_EV_CLIENT);
    if ((int)ev->rule != x->error_rule)
        return;
    signature(ev, x->logger_cap, x->message_cap, sig);
    for (i = 0; i < x->ncl; i++)
        if (strcmp(x->cl[i].sig, sig) == 0)
            break;
    if (i == x->ncl) {
        if (x->ncl == CLUSTERS_MAX) {
            x->clusters_dropped++;
            return;
        }
        x->cl = mcp_realloc(x->cl, (x->ncl + 1) * sizeof(*x->cl));
        memset(&x->cl[i], 0, sizeof(x->cl[i]));
        x->cl[i].sig = mcp_strdup(sig);
        x->cl[i].first = ev->ts;
        x->cl[i].input = ev->input;
        x->cl[i].lineno = ev->lineno;
        x->cl[i].line = mcp_strndup(ev->line, ev->line_len);
        x->cl[i].line_len = ev->line_len;
        x->ncl++;
    }
    x->cl[i].count++;
    x->cl[i].last = ev->ts;
    /* One traceback each: the first error of the cluster that has one. */
    if (x->cl[i].trace == NULL && ev->context != NULL) {
        x->cl[i].trace = mcp_strndup(ev->context, ev->context_len);
        x->cl[i].trace_len = ev->context_len;
    }
}

/* The clients to read: the names in the array, else the config's
 * clients:, else every client whose files exist. */
static int clients_mask(const struct mcp_srv_opts *o, struct json_object *a,
                        unsigned *mask, char *err)
{
    if (a == NULL) {
        *mask = o->conf->clients_set ? o->conf->clients
                                     : MCP_CLIENT_ALL | MCP_CLIENT_AUTO;
        return 0;
    }
    *mask = 0;
    for (size_t i = 0; i < json_object_array_length(a); i++) {
        char why[MCP_ERRLEN] = "";

        if (mcp_clients_parse(json_object_get_string(
                                  json_object_array_get_idx(a, i)),
                              mask, why) != 0) {
            mcp_errf(err, "argument 'clients': %s", why);
            return -1;
        }
    }
    return 0;
}

static const char *const client_rules[MCP_SRV_CR_N] = {
    "connection-failures", "startup-timeout", "startup-crash",
    "stdout-pollution", "tool-failures",
};

int mcp_srv_scan_run(struct mcp_srv *s, struct json_object *paths,
                     struct json_object *clients, int64_t since,
                     int64_t until, struct mcp_srv_scan *x, char *err)
{
    const struct mcp_srv_opts *o = s->o;
    struct mcp_scan_opts so = {.since = since, .until = until,
                               .max_line = o->max_line,
                               .max_inflate = o->max_inflate,
                               .on_event = on_event, .arg = x,
                               .cancel = &s->cancel};
    char *def[1];
    char **argv = o->paths;
    int argc = o->npaths;
    int rc;

    memset(x, 0, sizeof(*x));
    mcp_logset_init(&x->ls);
    x->rs = o->rs;
    x->cstats = mcp_clientstats_create(o->rs);
    for (int k = 0; k < MCP_SRV_CR_N; k++)
        x->client_rule[k] = mcp_ruleset_find(o->rs, client_rules[k]);
    if (clients_mask(o, clients, &x->clients, err) != 0)
        return -1;
    x->error_rule = mcp_ruleset_find(o->rs, "errors");
    x->reconnect_rule = mcp_ruleset_find(o->rs, "reconnect-failures");
    x->logger_cap = x->message_cap = -1;
    if (x->error_rule >= 0) {
        x->logger_cap = capture(&o->rs->rules[x->error_rule], "logger");
        x->message_cap = capture(&o->rs->rules[x->error_rule], "message");
    }
    if (paths != NULL && json_object_array_length(paths) > 0) {
        argc = (int)json_object_array_length(paths);
        argv = mcp_calloc((size_t)argc, sizeof(*argv));
        for (int i = 0; i < argc; i++)
            argv[i] = (char *)json_object_get_string(
                json_object_array_get_idx(paths, (size_t)i));
    } else if (paths != NULL) {
        /* [] : only the clients' logs, when any */
        if (x->clients == 0) {
            x->logset_ok = true;
            goto scan;
        }
        argv = NULL;
        argc = 0;
    } else if (argc == 0) {
        def[0] = o->conf->proc.server.logs ? o->conf->proc.server.logs
                                            : (char *)"logs";
        argv = def;
        argc = 1;
    }
    rc = mcp_logset_from_args(&x->ls, argv, argc, NULL, 0, x->clients,
                              &x->ties, false, err);
    if (argv != o->paths && argv != def && argv != NULL)
        free(argv);
    if (rc != 0)
        return -1;
    x->logset_ok = true;
scan:
    if (mcp_scan_run(&x->ls, o->rs, &so, &x->scan, err) != 0)
        return -1;
    x->ran = true;
    return 0;
}

void mcp_srv_scan_free(struct mcp_srv_scan *x)
{
    for (size_t i = 0; i < x->ncl; i++) {
        free(x->cl[i].sig);
        free(x->cl[i].line);
        free(x->cl[i].trace);
    }
    free(x->cl);
    mcp_clientstats_destroy(x->cstats);
    mcp_ties_free(&x->ties);
    for (int k = 0; k < MCP_SRV_EV_N; k++)
        for (size_t i = 0; i < x->nev[k]; i++) {
            free(x->ev[k][i].line);
            free(x->ev[k][i].context);
            free(x->ev[k][i].server);
        }
    if (x->ran)
        mcp_scan_free(&x->scan);
    mcp_logset_free(&x->ls);
    memset(x, 0, sizeof(*x));
}

struct json_object *mcp_srv_origin(const struct mcp_srv_scan *x,
                                   uint32_t input, uint64_t lineno)
{
    struct mcp_buf b;
    struct json_object *o;

    if (input >= x->ls.n)
        return NULL;
    mcp_buf_init(&b);
    mcp_buf_printf(&b, "%s:%llu", x->ls.inputs[input].path,
                   (unsigned long long)lineno);
    o = mcp_srv_text(b.data, b.len, MCP_SRV_TEXT_MAX);
    mcp_buf_free(&b);
    return o;
}

static int by_count(const void *a, const void *b)
{
    const struct mcp_srv_cluster *x = a, *y = b;

    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    return x->first < y->first ? -1 : x->first > y->first;
}

struct json_object *mcp_srv_clusters(struct mcp_srv_scan *x, size_t max)
{
    struct json_object *arr = json_object_new_array();

    if (x->ncl > 1)
        qsort(x->cl, x->ncl, sizeof(*x->cl), by_count);
    for (size_t i = 0; i < x->ncl && i < max; i++) {
        const struct mcp_srv_cluster *c = &x->cl[i];
        struct json_object *o = json_object_new_object();

        json_object_object_add(o, "signature", mcp_srv_str(c->sig));
        json_object_object_add(o, "count", json_object_new_int64(
                                               (int64_t)c->count));
        json_object_object_add(o, "first", mcp_srv_time(c->first));
        json_object_object_add(o, "last", mcp_srv_time(c->last));
        json_object_object_add(o, "example", mcp_srv_text(
                                   c->line, c->line_len, MCP_SRV_TEXT_MAX));
        json_object_object_add(o, "origin",
                               mcp_srv_origin(x, c->input, c->lineno));
        json_object_object_add(o, "traceback", mcp_srv_lines(
                                   c->trace, c->trace_len, MCP_SRV_TRACE_MAX));
        json_object_array_add(arr, o);
    }
    return arr;
}

struct json_object *mcp_srv_evidence_json(const struct mcp_srv_scan *x,
                                          const struct mcp_srv_evidence *e)
{
    struct json_object *o = json_object_new_object();

    json_object_object_add(o, "time", mcp_srv_time(e->ts));
    json_object_object_add(o, "rule", mcp_srv_str(x->rs->rules[e->rule].name));
    json_object_object_add(o, "origin", mcp_srv_origin(x, e->input, e->lineno));
    json_object_object_add(o, "line", mcp_srv_text(e->line, e->line_len,
                                                   MCP_SRV_TEXT_MAX));
    json_object_object_add(o, "traceback", mcp_srv_lines(
                               e->context, e->context_len, MCP_SRV_TRACE_MAX));
    return o;
}

uint64_t mcp_srv_server_count(const struct mcp_srv_scan *x, int r,
                              const char *name)
{
    const struct mcp_rule_stats *st;
    size_t len;
    uint64_t n = 0;

    if (r < 0)
        return 0;
    len = strlen(name);

    st = mcp_engine_stats(x->scan.engine, (size_t)r);
    for (size_t i = 0; i < st->ngroups; i++)
        if (strncmp(st->groups[i].key, name, len) == 0 &&
            (st->groups[i].key[len] == '\0' || st->groups[i].key[len] == ','))
            n += st->groups[i].count;
    return n;
}

struct json_object *mcp_srv_clients(const struct mcp_srv_scan *x,
                                    const char *name)
{
    struct mcp_buf b;
    struct mcp_json j;
    struct json_object *all, *o = NULL, *one = NULL;

    mcp_buf_init(&b);
    mcp_json_init(&j, &b, false);
    mcp_json_begin_obj(&j);
    mcp_clientstats_json(x->cstats, &j);   /* the member "clients" */
    mcp_json_end_obj(&j);
    all = mcp_srv_from_text(b.data, b.len);
    mcp_buf_free(&b);
    if (all != NULL && json_object_object_get_ex(all, "clients", &o))
        json_object_get(o);
    json_object_put(all);
    if (o == NULL)
        return name == NULL ? json_object_new_object() : NULL;
    if (name == NULL)
        return o;
    if (json_object_object_get_ex(o, name, &one))
        json_object_get(one);
    json_object_put(o);
    return one;
}
