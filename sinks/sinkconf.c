/* sinkconf.c - read one `sinks:` entry of mcplog.yaml (sinkconf.h). */
#include "sinks/sinkconf.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "base/yamlutil.h"

#define SHOW(s) mcp_yaml_show((s), (char[96]){0}, 96)

struct ctx {
    struct mcp_yaml *y;
    char *err;
};

#define fail(x, m, ...) mcp_yaml_fail((x)->y, (m), (x)->err, __VA_ARGS__)
#define scalar(x, n, what) mcp_yaml_need_str((x)->y, (n), (what), (x)->err)

/* The keys every sink shares, in struct mcp_sink_conf. */
static const struct mcp_opt common_opts[] = {
    {.key = "retries", .type = MCP_OPT_INT, .def = "5",
     .offset = offsetof(struct mcp_sink_conf, retries),
     .help = "attempts after the first on a transient failure",
     .min = 0, .max = 100},
    MCP_OPT("backoff", MCP_OPT_DURATION, "1s", false,
            offsetof(struct mcp_sink_conf, backoff_ms),
            "first retry delay, doubling"),
    MCP_OPT("max_backoff", MCP_OPT_DURATION, "1m", false,
            offsetof(struct mcp_sink_conf, max_backoff_ms),
            "longest retry delay"),
    {.key = "queue", .type = MCP_OPT_INT, .def = "256",
     .offset = offsetof(struct mcp_sink_conf, queue),
     .help = "alerts waiting for this sink before new ones are dropped",
     .min = 1, .max = 100000},
    {0},
};

/* The keys of a sinks entry but those of table a: "type" and the keys of
 * table b, NULL-terminated into keys (room for MAX_KEYS). */
#define MAX_KEYS 64
static void other_keys(const struct mcp_opt *b, const char **keys)
{
    size_t n = 0;

    keys[n++] = "type";
    for (size_t i = 0; b[i].key != NULL && n < MAX_KEYS - 1; i++)
        keys[n++] = b[i].key;
    keys[n] = NULL;
}

int mcp_sinkconf_load(struct mcp_sink_conf *s, struct mcp_yaml *y,
                      yaml_node_t *kn, yaml_node_t *vn, char *err)
{
    struct ctx xs = {y, err}, *x = &xs;
    yaml_node_t *type_node = NULL;
    const char *name = scalar(x, kn, "a sink name"), *type, *skip[MAX_KEYS];
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
    /* The type first: it says which table the other keys are in. */
    type_node = mcp_yaml_get(x->y, vn, "type");
    if (type_node == NULL)
        return fail(x, vn->start_mark, "sink '%s': 'type' is required (%s)",
                    SHOW(name), "desktop, command, webhook or file");
    type = scalar(x, type_node, "type");
    if (type == NULL)
        return -1;
    s->ops = mcp_sink_type(type);
    if (s->ops == NULL)
        return fail(x, type_node->start_mark, "sink '%s': unknown type '%s' "
                    "(use desktop, command, webhook or file)", SHOW(name),
                    SHOW(type));
    s->name = mcp_strdup(name);
    mcp_yaml_where(x->y, kn->start_mark, 0, where, sizeof(where));
    s->where = mcp_strdup(where);
    s->ctx = mcp_calloc(1, s->ops->ctx_size ? s->ops->ctx_size : 1);
    /* The shared keys into s, the sink's own into its context, each
     * table leaving the other's keys alone. */
    other_keys(s->ops->opts, skip);
    if (mcp_opt_set(common_opts, s, x->y, vn, NULL, skip, x->err) != 0)
        return -1;
    other_keys(common_opts, skip);
    return mcp_opt_set(s->ops->opts, s->ctx, x->y, vn, NULL, skip, x->err);
}

void mcp_sinkconf_free(struct mcp_sink_conf *s)
{
    if (s->ops != NULL && s->ctx != NULL)
        mcp_opt_free(s->ops->opts, s->ctx);
    free(s->ctx);
    free(s->name);
    free(s->where);
    memset(s, 0, sizeof(*s));
}

void mcp_sinkopt_help(const struct mcp_sink_ops *ops, FILE *out)
{
    fprintf(out, "%s: %s\n\noptions:\n", ops->name, ops->help);
    mcp_opt_help(ops->opts, out);
    fprintf(out, "\ncommon to every sink:\n");
    mcp_opt_help(common_opts, out);
}
