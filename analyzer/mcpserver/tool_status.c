/* tool_status.c - the status tool: what `mcplog health` knows, and the
 * alerts firing in a running follow, read from its checkpoint. */
#include <json-c/json.h>
#include <string.h>

#include "base/util.h"
#include "engine/engine.h"
#include "health_run.h"
#include "mcpserver/srv_int.h"
#include "mcpserver/srv_scan.h"
#include "state.h"

/* The logs folder the tools read by default. */
static const char *default_logs(const struct mcp_srv_opts *o)
{
    if (o->npaths > 0)
        return o->paths[0];
    return o->conf->proc.server.logs ? o->conf->proc.server.logs : "logs";
}

/* The firing alerts of follow's checkpoint at path. Reading never
 * takes follow's lock: the checkpoint is replaced atomically. */
static struct json_object *follow_json(const struct mcp_srv_opts *o)
{
    struct json_object *f = json_object_new_object();
    struct json_object *firing = json_object_new_array();
    struct mcp_state st;
    char err[MCP_ERRLEN] = "";
    int rc = o->state_path ? mcp_state_load(o->state_path, &st, err) : 0;

    json_object_object_add(f, "checkpoint", mcp_srv_str(o->state_path));
    json_object_object_add(f, "found", json_object_new_boolean(rc == 1));
    json_object_object_add(f, "error", rc < 0 ? mcp_srv_str(err) : NULL);
    if (rc == 1) {
        struct mcp_engine *e = mcp_engine_create(o->rs_follow, NULL, NULL);
        size_t n, shown = 0;
        struct mcp_alert *const *al;

        json_object_object_add(f, "saved", mcp_srv_time(st.saved));
        mcp_engine_load(e, st.engine.data ? st.engine.data : "",
                        st.engine.len, MCP_TIME_NONE, MCP_TIME_NONE);
        json_object_object_add(f, "clock", mcp_srv_time(mcp_engine_now(e)));
        al = mcp_engine_alerts(e, &n);
        for (size_t i = 0; i < n; i++)
            if (al[i]->firing && shown++ < MCP_SRV_LIST_MAX)
                json_object_array_add(firing, mcp_srv_alert(o->rs_follow, al[i]));
        json_object_object_add(f, "firing_total",
                               json_object_new_int64((int64_t)shown));
        mcp_engine_destroy(e);
        mcp_state_free(&st);
    } else {
        json_object_object_add(f, "saved", NULL);
        json_object_object_add(f, "clock", NULL);
        json_object_object_add(f, "firing_total", json_object_new_int(0));
    }
    json_object_object_add(f, "firing", firing);
    return f;
}

struct json_object *mcp_tool_status(struct mcp_srv *s,
                                    struct json_object *args, char *err)
{
    static const char *const names[] = {NULL};
    struct mcp_health h;
    struct mcp_buf b;
    struct json_object *res;

    if (mcp_srv_args(args, names, "", err) != 0)
        return NULL;
    mcp_health_init(&h, mcp_wall_ms(), default_logs(s->o));
    mcp_health_gather(&h, &s->o->conf->proc, s->o->rs, s->o->max_inflate,
                      MCP_TIME_NONE, NULL, &s->cancel);
    mcp_buf_init(&b);
    mcp_health_json(&h, &b, false);
    mcp_health_free(&h);
    res = mcp_srv_from_text(b.data, b.len);
    mcp_buf_free(&b);
    if (mcp_srv_cancelled(s) || res == NULL) {
        json_object_put(res);
        mcp_errf(err, "status: cancelled");
        return NULL;
    }
    json_object_object_add(res, "follow", follow_json(s->o));
    /* The clients' view of the last hour: connection failures and their
     * reasons per server. */
    {
        struct mcp_srv_scan x;
        struct json_object *none = json_object_new_array();
        char cerr[MCP_ERRLEN] = "";

        if (mcp_srv_scan_run(s, none, NULL, mcp_wall_ms() - 3600 * 1000,
                             MCP_TIME_NONE, &x, cerr) == 0 &&
            !x.scan.cancelled)
            json_object_object_add(res, "clients_last_hour",
                                   mcp_srv_clients(&x, NULL));
        else
            json_object_object_add(res, "clients_last_hour",
                                   json_object_new_object());
        mcp_srv_scan_free(&x);
        json_object_put(none);
        if (mcp_srv_cancelled(s)) {
            json_object_put(res);
            mcp_errf(err, "status: cancelled");
            return NULL;
        }
    }
    return res;
}
