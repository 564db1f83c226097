/* optset.c - the one table-driven option setter (optset.h): fill, free,
 * help. */
#include "base/optset.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/mcp.h"
#include "base/path.h"
#include "base/util.h"
#include "base/yamlutil.h"

#define SHOW(s) mcp_yaml_show((s), (char[96]){0}, 96)
#define MAX_KEYS 64

struct ctx {
    struct mcp_yaml *y;
    char *err;
};

/* The error at node n (no position without a document or a node). */
#define fail(x, n, ...) mcp_yaml_fail_node((x)->y, (n), (x)->err, __VA_ARGS__)

static void *field(void *ctx, const struct mcp_opt *o)
{
    return (char *)ctx + o->offset;
}

static const char *label(const struct mcp_opt *o)
{
    return o->label != NULL ? o->label : o->key;
}

/* "a", "a or b", "a, b or c". */
static void join_words(const char *const *w, char *buf, size_t len)
{
    size_t n = 0, k = 0;

    while (w[n] != NULL)
        n++;
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++)
        k += (size_t)snprintf(buf + k, k < len ? len - k : 0, "%s%s",
                              i == 0 ? "" : i + 1 == n ? " or " : ", ", w[i]);
}

static int set_int(struct ctx *x, const struct mcp_opt *o, void *ctx,
                   const char *s, yaml_node_t *n)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (!(isdigit((unsigned char)s[0]) ||
          (s[0] == '-' && isdigit((unsigned char)s[1]))) ||
        *end != '\0' || errno != 0 ||
        (o->max > o->min && (v < o->min || v > o->max))) {
        if (o->max > o->min)
            return fail(x, n, "%s must be an integer from %lld to %lld, not "
                        "'%s'", label(o), (long long)o->min,
                        (long long)o->max, SHOW(s));
        return fail(x, n, "%s must be an integer, not '%s'", label(o),
                    SHOW(s));
    }
    *(long *)field(ctx, o) = v;
    return 0;
}

static int set_duration(struct ctx *x, const struct mcp_opt *o, void *ctx,
                        const char *s, yaml_node_t *n)
{
    char derr[MCP_ERRLEN] = "", b[32];
    int64_t ms;

    for (size_t i = 0; o->words != NULL && o->words[i] != NULL; i++)
        if (strcmp(s, o->words[i]) == 0) {
            *(int64_t *)field(ctx, o) = 0;
            return 0;
        }
    if (mcp_duration_parse(s, &ms, derr) != 0)
        return fail(x, n, "%s: %s", label(o), derr);
    if (ms < o->min) {
        mcp_duration_format(o->min, b, sizeof(b));
        return fail(x, n, "%s must be at least %s", label(o), b);
    }
    if (o->max > 0 && ms > o->max) {
        mcp_duration_format(o->max, b, sizeof(b));
        return fail(x, n, "%s must be at most %s", label(o), b);
    }
    *(int64_t *)field(ctx, o) = ms;
    return 0;
}

/* A scalar value s (from node n, NULL for a default) of option o. */
static int set_scalar(struct ctx *x, const struct mcp_opt *o, void *ctx,
                      const char *s, yaml_node_t *n)
{
    char cause[MCP_ERRLEN] = "", words[256];
    uint64_t bytes;
    int v;

    switch (o->type) {
    case MCP_OPT_STR:
        free(*(char **)field(ctx, o));
        *(char **)field(ctx, o) = mcp_strdup(s);
        return 0;
    case MCP_OPT_INT:
        return set_int(x, o, ctx, s, n);
    case MCP_OPT_BOOL:
        *(bool *)field(ctx, o) = strcmp(s, "true") == 0;
        return 0;
    case MCP_OPT_DURATION:
        return set_duration(x, o, ctx, s, n);
    case MCP_OPT_SEVERITY:
        if ((v = mcp_severity_parse(s)) < 0)
            return fail(x, n, "%s must be info, warning or critical, not "
                        "'%s'", label(o), SHOW(s));
        *(int *)field(ctx, o) = v;
        return 0;
    case MCP_OPT_SIZE:
        if (mcp_size_parse(s, &bytes, cause) != 0)
            return fail(x, n, "%s: %s", label(o), cause);
        *(uint64_t *)field(ctx, o) = bytes;
        return 0;
    case MCP_OPT_PATH:
        free(*(char **)field(ctx, o));
        if ((*(char **)field(ctx, o) = mcp_path_expand(s)) == NULL)
            return fail(x, n, "%s must be an absolute path or start with "
                        "~/, not '%s'", label(o), SHOW(s));
        return 0;
    case MCP_OPT_ENUM:
        for (int i = 0; o->words[i] != NULL; i++)
            if (strcmp(s, o->words[i]) == 0) {
                *(int *)field(ctx, o) = i;
                return 0;
            }
        join_words(o->words, words, sizeof(words));
        return fail(x, n, "%s must be %s, not '%s'", label(o), words,
                    SHOW(s));
    default:
        return fail(x, n, "%s: no scalar form", label(o));
    }
}

static int set_list(struct ctx *x, const struct mcp_opt *o, void *ctx,
                    yaml_node_t *v)
{
    size_t n;
    char **list;

    if (v->type != YAML_SEQUENCE_NODE)
        return fail(x, v, "%s must be a list of strings", label(o));
    n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    list = mcp_calloc(n + 1, sizeof(*list));
    *(char ***)field(ctx, o) = list;
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *it = mcp_yaml_node(x->y, v->data.sequence.items.start[i]);
        const char *s = it ? mcp_yaml_str(it) : NULL;

        if (it == NULL || it->type != YAML_SCALAR_NODE || s == NULL)
            return fail(x, it != NULL ? it : v, "%s: item %zu must be a "
                        "string without NUL", label(o), i + 1);
        list[i] = mcp_strdup(s);
    }
    return 0;
}

static int set_node(struct ctx *x, const struct mcp_opt *o, void *ctx,
                    yaml_node_t *v)
{
    const char *s;

    switch (o->type) {
    case MCP_OPT_STRLIST:
        return set_list(x, o, ctx, v);
    case MCP_OPT_BOOL:
        if (mcp_yaml_bool(v, (bool *)field(ctx, o)) != 0)
            return fail(x, v, "%s must be true or false", label(o));
        return 0;
    case MCP_OPT_MAP:
        return mcp_opt_set(o->sub, field(ctx, o), x->y, v, label(o), NULL,
                           x->err);
    case MCP_OPT_CUSTOM:
        return o->set(x->y, v, field(ctx, o), x->err);
    default:
        break;
    }
    s = mcp_yaml_str(v);
    if (v->type != YAML_SCALAR_NODE || s == NULL)
        return fail(x, v, "%s must be a string", label(o));
    return set_scalar(x, o, ctx, s, v);
}

static int set_default(struct ctx *x, const struct mcp_opt *o, void *ctx)
{
    if (o->type == MCP_OPT_MAP)
        return mcp_opt_set(o->sub, field(ctx, o), x->y, NULL, label(o), NULL,
                           x->err);
    if (o->type == MCP_OPT_CUSTOM)
        return o->set(x->y, NULL, field(ctx, o), x->err);
    if (o->def == NULL)
        return 0;
    return set_scalar(x, o, ctx, o->def, NULL);
}

int mcp_opt_set(const struct mcp_opt *opts, void *ctx, struct mcp_yaml *y,
                yaml_node_t *map, const char *section,
                const char *const *skip, char *err)
{
    struct ctx x = {y, err};
    const char *keys[MAX_KEYS];
    yaml_node_t *knode[MAX_KEYS], *vnode[MAX_KEYS], *bad = NULL;
    char cause[MCP_ERRLEN] = "";
    int n = 0, nopts = 0;

    for (; opts[nopts].key != NULL && n < MAX_KEYS; nopts++)
        keys[n++] = opts[nopts].key;
    for (size_t i = 0; skip != NULL && skip[i] != NULL && n < MAX_KEYS; i++)
        keys[n++] = skip[i];
    memset(vnode, 0, sizeof(vnode));
    if (map != NULL && mcp_yaml_is_null(map))
        map = NULL;
    if (map != NULL && map->type != YAML_MAPPING_NODE)
        return fail(&x, map, "%s must be a mapping",
                    section != NULL ? section : "the document");
    if (map != NULL &&
        mcp_yaml_keys(y, map, keys, n, knode, vnode, &bad, cause) != 0)
        return fail(&x, bad, "%s%s%s", section != NULL ? section : "",
                    section != NULL ? ": " : "", cause);
    for (int i = 0; i < nopts; i++) {
        const struct mcp_opt *o = &opts[i];

        if (vnode[i] != NULL) {
            if (set_node(&x, o, ctx, vnode[i]) != 0)
                return -1;
        } else if (o->required) {
            return fail(&x, map, "%s is required", label(o));
        } else if (set_default(&x, o, ctx) != 0) {
            return -1;
        }
    }
    return 0;
}

void mcp_opt_free(const struct mcp_opt *opts, void *ctx)
{
    for (size_t i = 0; opts[i].key != NULL; i++) {
        const struct mcp_opt *o = &opts[i];

        if (o->type == MCP_OPT_STR || o->type == MCP_OPT_PATH) {
            free(*(char **)field(ctx, o));
            *(char **)field(ctx, o) = NULL;
        } else if (o->type == MCP_OPT_STRLIST) {
            char **l = *(char ***)field(ctx, o);

            for (size_t k = 0; l != NULL && l[k] != NULL; k++)
                free(l[k]);
            free(l);
            *(char ***)field(ctx, o) = NULL;
        } else if (o->type == MCP_OPT_MAP) {
            mcp_opt_free(o->sub, field(ctx, o));
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
    case MCP_OPT_SIZE: return "size";
    case MCP_OPT_PATH: return "path";
    case MCP_OPT_ENUM: return "word";
    case MCP_OPT_MAP: return "mapping";
    case MCP_OPT_CUSTOM: return "list";
    }
    return "?";
}

static void help(const struct mcp_opt *opts, const char *prefix, FILE *out)
{
    for (size_t i = 0; opts[i].key != NULL; i++) {
        const struct mcp_opt *o = &opts[i];
        char name[64], words[256];

        snprintf(name, sizeof(name), "%s%s", prefix, o->key);
        if (o->type == MCP_OPT_MAP) {
            snprintf(name, sizeof(name), "%s%s.", prefix, o->key);
            help(o->sub, name, out);
            continue;
        }
        fprintf(out, "  %-16s %-9s %s", name, type_name(o->type), o->help);
        if (o->type == MCP_OPT_ENUM) {
            join_words(o->words, words, sizeof(words));
            fprintf(out, ": %s", words);
        }
        if (o->required)
            fprintf(out, " (required)");
        else if (o->def != NULL)
            fprintf(out, " (default: %s)", o->def);
        fputc('\n', out);
    }
}

void mcp_opt_help(const struct mcp_opt *opts, FILE *out)
{
    help(opts, "", out);
}
