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
    e->server = k == 0 && x->server_cap >= 0 && ev->cap[x->server_cap]
                    ? mcp_strdup(ev->cap[x->server_cap])
                    : NULL;
}

static void on_event(const struct mcp_event *ev, void *arg)
{
    struct mcp_srv_scan *x = arg;
    char sig[SIG_MAX];
    size_t i;

    if (ev->kind != MCP_EV_MATCH)
        return;
    if ((int)ev->rule == x->reconnect_rule)
        keep_evidence(x, ev, 0);
    if ((int)ev->rule == x->error_rule)
        keep_evidence(x, ev, 1);
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

int mcp_srv_scan_run(struct mcp_srv *s, struct json_object *paths,
                     int64_t since, int64_t until, struct mcp_srv_scan *x,
                     char *err)
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
    x->error_rule = mcp_ruleset_find(o->rs, "errors");
    x->reconnect_rule = mcp_ruleset_find(o->rs, "reconnect-failures");
    x->logger_cap = x->message_cap = x->server_cap = -1;
    if (x->reconnect_rule >= 0)
        x->server_cap = capture(&o->rs->rules[x->reconnect_rule], "server");
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
    } else if (argc == 0) {
        def[0] = o->conf->proc.server.logs ? o->conf->proc.server.logs
                                            : (char *)"logs";
        argv = def;
        argc = 1;
    }
    rc = mcp_logset_from_args(&x->ls, argv, argc, NULL, 0, 0, NULL, false,
                              err);
    if (argv != o->paths && argv != def)
        free(argv);
    if (rc != 0)
        return -1;
    x->logset_ok = true;
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
    for (int k = 0; k < 2; k++)
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
