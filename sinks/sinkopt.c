/* sinkopt.c - the one setter that fills every sink's context from its
 * options table (STYLE.md 3), frees it, and prints it as help. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sinks/sinkconf.h"
#include "base/util.h"
#include "base/yamlutil.h"

#define SHOW(s) mcp_yaml_show((s), (char[96]){0}, 96)

static void *field(void *ctx, const struct mcp_sink_opt *o)
{
    return (char *)ctx + o->offset;
}

static int set_scalar(const struct mcp_sink_opt *o, void *ctx,
                      const char *s, char *cause)
{
    char *end;

    switch (o->type) {
    case MCP_OPT_STR:
        *(char **)field(ctx, o) = mcp_strdup(s);
        return 0;
    case MCP_OPT_INT: {
        long v;

        errno = 0;
        v = strtol(s, &end, 10);
        if (*s == '\0' || *end != '\0' || errno != 0) {
            snprintf(cause, MCP_ERRLEN, "'%s' must be an integer, not '%s'",
                     o->key, SHOW(s));
            return -1;
        }
        *(long *)field(ctx, o) = v;
        return 0;
    }
    case MCP_OPT_DURATION: {
        char derr[MCP_ERRLEN] = "";

        if (mcp_duration_parse(s, (int64_t *)field(ctx, o), derr) != 0) {
            snprintf(cause, MCP_ERRLEN, "'%.64s': %.900s", o->key, derr);
            return -1;
        }
        return 0;
    }
    case MCP_OPT_SEVERITY: {
        int v = mcp_severity_parse(s);

        if (v < 0) {
            snprintf(cause, MCP_ERRLEN,
                     "'%s' must be info, warning or critical, not '%s'",
                     o->key, SHOW(s));
            return -1;
        }
        *(int *)field(ctx, o) = v;
        return 0;
    }
    default:
        break;
    }
    snprintf(cause, MCP_ERRLEN, "'%s': no scalar form", o->key);
    return -1;
}

static int set_node(const struct mcp_sink_opt *o, void *ctx,
                    struct mcp_yaml *y, yaml_node_t *v, yaml_mark_t *m,
                    char *cause)
{
    *m = v->start_mark;
    if (o->type == MCP_OPT_STRLIST) {
        size_t n = 0;
        char **list;

        if (v->type != YAML_SEQUENCE_NODE) {
            snprintf(cause, MCP_ERRLEN, "'%s' must be a list of strings",
                     o->key);
            return -1;
        }
        n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
        list = mcp_calloc(n + 1, sizeof(*list));
        *(char ***)field(ctx, o) = list;
        for (size_t i = 0; i < n; i++) {
            yaml_node_t *it = mcp_yaml_node(y, v->data.sequence.items.start[i]);
            const char *s = it ? mcp_yaml_str(it) : NULL;

            if (it == NULL || it->type != YAML_SCALAR_NODE || s == NULL) {
                if (it != NULL)
                    *m = it->start_mark;
                snprintf(cause, MCP_ERRLEN,
                         "'%s': item %zu must be a string without NUL", o->key,
                         i + 1);
                return -1;
            }
            list[i] = mcp_strdup(s);
        }
        return 0;
    }
    if (o->type == MCP_OPT_BOOL) {
        if (mcp_yaml_bool(v, (bool *)field(ctx, o)) != 0) {
            snprintf(cause, MCP_ERRLEN, "'%s' must be true or false", o->key);
            return -1;
        }
        return 0;
    }
    if (v->type != YAML_SCALAR_NODE || mcp_yaml_str(v) == NULL) {
        snprintf(cause, MCP_ERRLEN, "'%s' must be a %s", o->key,
                 o->type == MCP_OPT_STR ? "string without NUL" : "scalar");
        return -1;
    }
    return set_scalar(o, ctx, mcp_yaml_str(v), cause);
}

static int set_default(const struct mcp_sink_opt *o, void *ctx, char *cause)
{
    if (o->def == NULL)
        return 0;
    if (o->type == MCP_OPT_BOOL) {
        *(bool *)field(ctx, o) = strcmp(o->def, "true") == 0;
        return 0;
    }
    if (o->type == MCP_OPT_STRLIST)
        return 0;
    return set_scalar(o, ctx, o->def, cause);
}

int mcp_sinkopt_set(const struct mcp_sink_opt *opts, void *ctx,
                    struct mcp_yaml *y, struct yaml_node_s *mnode,
                    const char *const *skip, char *err)
{
    const char *keys[64];
    yaml_node_t *knode[64], *vnode[64], *bad = NULL;
    char cause[MCP_ERRLEN] = "", where[MCP_ERRLEN];
    int n = 0, nopts = 0;
    yaml_mark_t m;

    for (; opts[nopts].key != NULL; nopts++)
        keys[n++] = opts[nopts].key;
    for (size_t i = 0; skip != NULL && skip[i] != NULL && n < 64; i++)
        keys[n++] = skip[i];
    if (mcp_yaml_keys(y, mnode, keys, n, knode, vnode, &bad, cause) != 0) {
        m = bad->start_mark;
        goto fail;
    }
    for (int i = 0; i < nopts; i++) {
        const struct mcp_sink_opt *o = &opts[i];

        if (vnode[i] == NULL) {
            m = mnode->start_mark;
            if (o->required) {
                snprintf(cause, MCP_ERRLEN, "'%s' is required", o->key);
                goto fail;
            }
            if (set_default(o, ctx, cause) != 0)
                goto fail;
        } else if (set_node(o, ctx, y, vnode[i], &m, cause) != 0) {
            goto fail;
        }
    }
    return 0;
fail:
    mcp_yaml_where(y, m, 0, where, sizeof(where));
    mcp_errf(err, "%s%s", where, cause);
    return -1;
}

void mcp_sinkopt_free(const struct mcp_sink_opt *opts, void *ctx)
{
    for (size_t i = 0; opts[i].key != NULL; i++) {
        const struct mcp_sink_opt *o = &opts[i];

        if (o->type == MCP_OPT_STR) {
            free(*(char **)field(ctx, o));
            *(char **)field(ctx, o) = NULL;
        } else if (o->type == MCP_OPT_STRLIST) {
            char **l = *(char ***)field(ctx, o);

            for (size_t k = 0; l != NULL && l[k] != NULL; k++)
                free(l[k]);
            free(l);
            *(char ***)field(ctx, o) = NULL;
        }
    }
}

static const char *type_name(enum mcp_opt_type t)
{
    switch (t) {
    case MCP_OPT_STR: return "string";
    case MCP_OPT_INT: return "integer";
    case MCP_OPT_BOOL: return "boolean";
    case MCP_OPT_DURATION: return "duration";
    case MCP_OPT_STRLIST: return "list";
    case MCP_OPT_SEVERITY: return "severity";
    }
    return "?";
}

void mcp_sinkopt_help(const struct mcp_sink_ops *ops, FILE *out)
{
    fprintf(out, "%s: %s\n\noptions:\n", ops->name, ops->help);
    for (size_t i = 0; ops->opts[i].key != NULL; i++) {
        const struct mcp_sink_opt *o = &ops->opts[i];

        fprintf(out, "  %-16s %-9s %s", o->key, type_name(o->type), o->help);
        if (o->required)
            fprintf(out, " (required)");
        else if (o->def != NULL)
            fprintf(out, " (default: %s)", o->def);
        fputc('\n', out);
    }
    fprintf(out,
            "\ncommon to every sink:\n"
            "  %-16s %-9s %s\n  %-16s %-9s %s\n  %-16s %-9s %s\n"
            "  %-16s %-9s %s\n",
            "retries", "integer", "attempts after the first on a transient "
            "failure (default: 5)",
            "backoff", "duration", "first retry delay, doubling (default: 1s)",
            "max_backoff", "duration", "longest retry delay (default: 1m)",
            "queue", "integer", "alerts waiting for this sink before new "
            "ones are dropped (default: 256)");
}
