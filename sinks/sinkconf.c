/* sinkconf.c - read one `sinks:` entry of mcplog.yaml (sinkconf.h). */
#include "sinks/sinkconf.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "base/yamlutil.h"

#define SHOW(s) mcp_yaml_show((s), (char[96]){0}, 96)

static const char *const common_keys[] = {"type", "retries", "backoff",
                                          "max_backoff", "queue", NULL};

struct ctx {
    struct mcp_yaml *y;
    char *err;
};

#define fail(x, m, ...) mcp_yaml_fail((x)->y, (m), (x)->err, __VA_ARGS__)
#define scalar(x, n, what) mcp_yaml_need_str((x)->y, (n), (what), (x)->err)

static int common(struct ctx *x, struct mcp_sink_conf *s, yaml_node_t **vn)
{
    const char *t;

    s->retries = 5;
    s->backoff_ms = 1000;
    s->max_backoff_ms = 60000;
    s->queue = 256;
    for (int i = 1; i <= 4; i++) {
        char derr[MCP_ERRLEN] = "";
        char *end;

        if (vn[i] == NULL)
            continue;
        t = scalar(x, vn[i], common_keys[i]);
        if (t == NULL)
            return -1;
        if (i == 1 || i == 4) {
            long v = strtol(t, &end, 10);

            if (*t == '\0' || *end != '\0' || v < (i == 1 ? 0 : 1) ||
                v > (i == 1 ? 100 : 100000))
                return fail(x, vn[i]->start_mark, "'%s' must be an integer "
                            "from %d to %d, not '%s'", common_keys[i],
                            i == 1 ? 0 : 1, i == 1 ? 100 : 100000, SHOW(t));
            if (i == 1)
                s->retries = v;
            else
                s->queue = v;
        } else if (mcp_duration_parse(t, i == 2 ? &s->backoff_ms
                                                : &s->max_backoff_ms,
                                      derr) != 0) {
            return fail(x, vn[i]->start_mark, "'%s': %s", common_keys[i], derr);
        }
    }
    return 0;
}

int mcp_sinkconf_load(struct mcp_sink_conf *s, struct mcp_yaml *y,
                      yaml_node_t *kn, yaml_node_t *vn, char *err)
{
    struct ctx xs = {y, err}, *x = &xs;
    yaml_node_t *ckn[5], *cvn[5];
    const char *name = scalar(x, kn, "a sink name"), *type;
    char where[MCP_ERRLEN];

    if (name == NULL)
        return -1;
    if (strcmp(name, "terminal") == 0 || strncmp(name, "type:", 5) == 0 ||
        *name == '\0')
        return fail(x, kn->start_mark, "'%s' cannot name a sink (reserved)",
                    SHOW(name));
    if (vn->type != YAML_MAPPING_NODE)
        return fail(x, vn->start_mark, "sink '%s' must be a mapping",
                    SHOW(name));
    /* Only the common keys here; the sink's own are checked below. */
    memset(ckn, 0, sizeof(ckn));
    memset(cvn, 0, sizeof(cvn));
    for (yaml_node_pair_t *p = vn->data.mapping.pairs.start;
         p < vn->data.mapping.pairs.top; p++) {
        yaml_node_t *k = mcp_yaml_node(x->y, p->key);
        const char *ks = k ? mcp_yaml_str(k) : NULL;

        for (int i = 0; i < 5; i++)
            if (ks != NULL && strcmp(ks, common_keys[i]) == 0) {
                ckn[i] = k;
                cvn[i] = mcp_yaml_node(x->y, p->value);
            }
    }
    if (cvn[0] == NULL)
        return fail(x, vn->start_mark, "sink '%s': 'type' is required (%s)",
                    SHOW(name), "desktop, command, webhook or file");
    type = scalar(x, cvn[0], "type");
    if (type == NULL)
        return -1;
    s->ops = mcp_sink_type(type);
    if (s->ops == NULL)
        return fail(x, cvn[0]->start_mark, "sink '%s': unknown type '%s' "
                    "(use desktop, command, webhook or file)", SHOW(name),
                    SHOW(type));
    s->name = mcp_strdup(name);
    mcp_yaml_where(x->y, kn->start_mark, 0, where, sizeof(where));
    s->where = mcp_strdup(where);
    s->ctx = mcp_calloc(1, s->ops->ctx_size ? s->ops->ctx_size : 1);
    if (common(x, s, cvn) != 0)
        return -1;
    if (mcp_sinkopt_set(s->ops->opts, s->ctx, x->y, vn, common_keys, x->err) != 0)
        return -1;
    return 0;
}

void mcp_sinkconf_free(struct mcp_sink_conf *s)
{
    if (s->ops != NULL && s->ctx != NULL)
        mcp_sinkopt_free(s->ops->opts, s->ctx);
    free(s->ctx);
    free(s->name);
    free(s->where);
    memset(s, 0, sizeof(*s));
}
