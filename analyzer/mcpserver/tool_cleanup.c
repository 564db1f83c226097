/* tool_cleanup.c - the cleanup tool: a dry run returns the plan and its
 * id; confirm: true with that id carries it out, refused when the plan
 * changed since (other processes, other start times, another keeper). */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "base/textout.h"
#include "base/util.h"
#include "mcpserver/srv_int.h"
#include "proc/cleanup.h"

/* The plan's id: FNV-1a over what the plan does to which process
 * (pid, start time, keep or terminate) and whether only orphans. */
static void plan_id(const struct mcp_cleanup_plan *p, char *out, size_t len)
{
    uint64_t h = MCP_FNV1A_INIT;
    char item[96];

    snprintf(item, sizeof(item), "orphans=%d;", p->orphans_only);
    for (size_t i = 0; i < p->n || item[0] != '\0'; i++) {
        h = mcp_fnv1a(h, item, strlen(item));
        item[0] = '\0';
        if (i < p->n)
            snprintf(item, sizeof(item), "%d:%llu:%s;", (int)p->procs[i].pid,
                     (unsigned long long)p->procs[i].start_ticks,
                     (long)i == p->keep ? "keep"
                     : p->orphans_only && !p->procs[i].orphan ? "keep"
                                                              : "term");
    }
    snprintf(out, len, "plan-%016llx", (unsigned long long)h);
}

static void log_stderr(const char *line, void *arg)
{
    (void)arg;
    mcp_term_warn(line);
}

static struct json_object *plan_json(const struct mcp_cleanup_plan *p)
{
    struct mcp_buf b;
    struct mcp_json j;
    struct json_object *o;

    mcp_buf_init(&b);
    mcp_json_init(&j, &b, false);
    mcp_cleanup_json(p, &j);
    o = mcp_srv_from_text(b.data, b.len);
    mcp_buf_free(&b);
    return o;
}

struct json_object *mcp_tool_cleanup(struct mcp_srv *s,
                                     struct json_object *args, char *err)
{
    static const char *const names[] = {"confirm", "plan_id", "orphans_only",
                                        NULL};
    struct json_object *v = NULL, *res;
    bool confirm = false, orphans = false;
    const char *want = mcp_srv_arg_str(args, "plan_id");
    struct mcp_cleanup_opts o;
    struct mcp_cleanup_plan plan;
    char id[32];

    if (!s->o->conf->mcp_allow_cleanup) {
        mcp_errf(err, "cleanup is off: it needs mcp: {allow_cleanup: true} "
                 "in mcplog.yaml");
        return NULL;
    }
    if (mcp_srv_args(args, names, "bsb", err) != 0)
        return NULL;
    if (args != NULL && json_object_object_get_ex(args, "confirm", &v))
        confirm = json_object_get_boolean(v);
    if (args != NULL && json_object_object_get_ex(args, "orphans_only", &v))
        orphans = json_object_get_boolean(v);
    if (confirm && want == NULL) {
        mcp_errf(err, "confirm needs the plan_id of a dry run (call cleanup "
                 "without confirm first and show the user its plan)");
        return NULL;
    }
    mcp_cleanup_opts_init(&o, &s->o->conf->proc.cleanup);
    o.dry_run = !confirm;
    o.orphans_only = orphans;
    o.log = log_stderr;
    if (mcp_cleanup_plan(&plan, &s->o->conf->proc, &o, err) != 0)
        return NULL;
    plan_id(&plan, id, sizeof(id));
    if (confirm && strcmp(id, want) != 0) {
        mcp_errf(err, "refused: the plan changed since %.40s (other "
                 "processes or start times); nothing signalled. The plan "
                 "now is %s: run cleanup without confirm to show it",
                 want, id);
        mcp_cleanup_plan_free(&plan);
        return NULL;
    }
    mcp_cleanup_run(&plan, &o);
    res = json_object_new_object();
    json_object_object_add(res, "plan_id", json_object_new_string(id));
    json_object_object_add(res, "confirmed", json_object_new_boolean(confirm));
    json_object_object_add(res, "terminate", json_object_new_int64(
                               (int64_t)mcp_cleanup_count(&plan)));
    json_object_object_add(res, "plan", plan_json(&plan));
    json_object_object_add(res, "next", json_object_new_string(
        confirm ? "done: see each process's result"
                : "nothing was signalled; to carry this plan out, ask the "
                  "user, then call cleanup with confirm: true and this "
                  "plan_id"));
    mcp_cleanup_plan_free(&plan);
    return res;
}
