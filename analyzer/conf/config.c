/* config.c - load mcplog.yaml (sinks, routes, repeat_interval) and route
 * alerts through its table. */
#include "conf/config.h"

#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/optset.h"
#include "base/path.h"
#include "base/util.h"
#include "base/yamlutil.h"
#include "input/clients.h"

#define SHOW(s) mcp_yaml_show((s), (char[96]){0}, 96)

static const char *const route_keys[] = {"match", "sinks", "continue"};
static const char *const match_keys[] = {"severity", "rule", "labels"};

struct ctx {
    struct mcp_yaml *y;
    struct mcp_config *c;
    char *err;
};

#define fail(x, m, ...) mcp_yaml_fail((x)->y, (m), (x)->err, __VA_ARGS__)
#define scalar(x, n, what) mcp_yaml_need_str((x)->y, (n), (what), (x)->err)

static int keys(struct ctx *x, yaml_node_t *map, const char *const *k, int n,
                const char *what, yaml_node_t **kn, yaml_node_t **vn)
{
    yaml_node_t *bad = NULL;
    char cause[MCP_ERRLEN] = "";

    if (map->type != YAML_MAPPING_NODE)
        return fail(x, map->start_mark, "%s must be a mapping", what);
    if (mcp_yaml_keys(x->y, map, k, n, kn, vn, &bad, cause) == 0)
        return 0;
    return fail(x, bad->start_mark, "%s%s", what, cause);
}

/* A string or a list of strings, as a NULL-terminated list. */
static char **str_list(struct ctx *x, yaml_node_t *n, const char *what)
{
    char **l;
    size_t cnt;

    if (n->type == YAML_SCALAR_NODE) {
        const char *s = scalar(x, n, what);

        if (s == NULL)
            return NULL;
        l = mcp_calloc(2, sizeof(*l));
        l[0] = mcp_strdup(s);
        return l;
    }
    if (n->type != YAML_SEQUENCE_NODE) {
        fail(x, n->start_mark, "%s must be a string or a list of strings",
             what);
        return NULL;
    }
    cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    l = mcp_calloc(cnt + 1, sizeof(*l));
    for (size_t i = 0; i < cnt; i++) {
        yaml_node_t *it = mcp_yaml_node(x->y, n->data.sequence.items.start[i]);
        const char *s = it ? scalar(x, it, what) : NULL;

        if (s == NULL) {
            for (size_t k = 0; k < i; k++)
                free(l[k]);
            free(l);
            return NULL;
        }
        l[i] = mcp_strdup(s);
    }
    return l;
}

static void free_list(char **l)
{
    for (size_t i = 0; l != NULL && l[i] != NULL; i++)
        free(l[i]);
    free(l);
}

/* --- routes --------------------------------------------------------------- */

/* Add every target named by one `sinks:` item to r. */
static int add_target(struct ctx *x, struct mcp_route *r, yaml_node_t *n)
{
    const struct mcp_config *c = x->c;
    const char *s = scalar(x, n, "a route's sink");
    long i;

    if (s == NULL)
        return -1;
    if (strcmp(s, "terminal") == 0) {
        r->terminal = true;
        return 0;
    }
    if (strncmp(s, "type:", 5) == 0) {
        if (mcp_sink_type(s + 5) == NULL)
            return fail(x, n->start_mark, "'%s': unknown sink type '%s'",
                        SHOW(s), SHOW(s + 5));
        for (size_t k = 0; k < c->nsinks; k++)
            if (strcmp(c->sinks[k].ops->name, s + 5) == 0) {
                r->sinks = mcp_realloc(r->sinks,
                                       (r->nsinks + 1) * sizeof(*r->sinks));
                r->sinks[r->nsinks++] = k;
            }
        return 0;
    }
    i = mcp_config_sink(c, s);
    if (i < 0)
        return fail(x, n->start_mark, "route names sink '%s', which is not "
                    "defined under 'sinks' (nor 'terminal' or 'type:TYPE')",
                    SHOW(s));
    r->sinks = mcp_realloc(r->sinks, (r->nsinks + 1) * sizeof(*r->sinks));
    r->sinks[r->nsinks++] = (size_t)i;
    return 0;
}

static int load_match(struct ctx *x, struct mcp_route *r, yaml_node_t *m)
{
    yaml_node_t *kn[3], *vn[3];
    char **sev;

    if (keys(x, m, match_keys, 3, "match: ", kn, vn) != 0)
        return -1;
    if (vn[0] != NULL) {
        sev = str_list(x, vn[0], "severity");
        if (sev == NULL)
            return -1;
        for (size_t i = 0; sev[i] != NULL; i++) {
            int v = mcp_severity_parse(sev[i]);

            if (v < 0) {
                fail(x, vn[0]->start_mark, "unknown severity '%s' (use "
                     "info, warning or critical)", SHOW(sev[i]));
                free_list(sev);
                return -1;
            }
            r->severities |= 1u << v;
        }
        free_list(sev);
    }
    if (vn[1] != NULL && (r->rules = str_list(x, vn[1], "rule")) == NULL)
        return -1;
    if (vn[2] != NULL) {
        yaml_node_t *l = vn[2];

        if (l->type != YAML_MAPPING_NODE)
            return fail(x, l->start_mark, "labels must be a mapping of "
                        "label name to glob");
        for (yaml_node_pair_t *p = l->data.mapping.pairs.start;
             p < l->data.mapping.pairs.top; p++) {
            const char *k = scalar(x, mcp_yaml_node(x->y, p->key), "a label");
            const char *v = k ? scalar(x, mcp_yaml_node(x->y, p->value),
                                       "a label glob") : NULL;

            if (v == NULL)
                return -1;
            r->label_name = mcp_realloc(r->label_name,
                                        (r->nlabels + 1) * sizeof(char *));
            r->label_glob = mcp_realloc(r->label_glob,
                                        (r->nlabels + 1) * sizeof(char *));
            r->label_name[r->nlabels] = mcp_strdup(k);
            r->label_glob[r->nlabels++] = mcp_strdup(v);
        }
    }
    return 0;
}

static int load_routes(struct ctx *x, yaml_node_t *seq)
{
    struct mcp_config *c = x->c;

    if (seq->type != YAML_SEQUENCE_NODE)
        return fail(x, seq->start_mark, "routes must be a list");
    for (yaml_node_item_t *it = seq->data.sequence.items.start;
         it < seq->data.sequence.items.top; it++) {
        yaml_node_t *n = mcp_yaml_node(x->y, *it), *kn[3], *vn[3];
        struct mcp_route *r;

        if (keys(x, n, route_keys, 3, "route: ", kn, vn) != 0)
            return -1;
        c->routes = mcp_realloc(c->routes, (c->nroutes + 1) * sizeof(*r));
        r = &c->routes[c->nroutes++];
        memset(r, 0, sizeof(*r));
        if (vn[0] != NULL && load_match(x, r, vn[0]) != 0)
            return -1;
        if (vn[1] == NULL)
            return fail(x, n->start_mark, "route: 'sinks' is required");
        if (vn[1]->type != YAML_SEQUENCE_NODE)
            return fail(x, vn[1]->start_mark, "route: 'sinks' must be a list");
        for (yaml_node_item_t *s = vn[1]->data.sequence.items.start;
             s < vn[1]->data.sequence.items.top; s++)
            if (add_target(x, r, mcp_yaml_node(x->y, *s)) != 0)
                return -1;
        if (vn[2] != NULL && mcp_yaml_bool(vn[2], &r->cont) != 0)
            return fail(x, vn[2]->start_mark, "continue must be true or false");
    }
    return 0;
}

/* The runbook's escalation table, for a config without routes; every
 * file sink (a journal) gets every alert. */
static void default_routes(struct mcp_config *c)
{
    static const unsigned sev[3] = {1u << MCP_SEV_INFO, 1u << MCP_SEV_WARNING,
                                    1u << MCP_SEV_CRITICAL};

    c->routes = mcp_calloc(3, sizeof(*c->routes));
    c->nroutes = 3;
    for (int i = 0; i < 3; i++) {
        struct mcp_route *r = &c->routes[i];

        r->severities = sev[i];
        r->terminal = true;
        for (size_t k = 0; k < c->nsinks; k++) {
            const char *t = c->sinks[k].ops->name;

            if (strcmp(t, "file") == 0 ||
                (i > 0 && strcmp(t, "desktop") == 0) ||
                (i == 2 && (strcmp(t, "command") == 0 ||
                            strcmp(t, "webhook") == 0))) {
                r->sinks = mcp_realloc(r->sinks,
                                       (r->nsinks + 1) * sizeof(*r->sinks));
                r->sinks[r->nsinks++] = k;
            }
        }
    }
}

/* --- loading -------------------------------------------------------------- */

/* The top level of the file: the alert lifecycle's intervals, and the
 * nodes of the sections read by their own loaders below. */
struct top {
    int64_t repeat_ms, update_ms;
    yaml_node_t *node[7];          /* sinks, routes, server, health,
                                      cleanup, probes, clients */
    bool allow_cleanup;            /* mcp: allow_cleanup */
    struct mcp_metrics_conf metrics;
};

static int keep_node(struct mcp_yaml *y, yaml_node_t *n, void *field,
                     char *err)
{
    (void)y;
    (void)err;
    *(yaml_node_t **)field = n;
    return 0;
}

static const char *const never_words[] = {"never", "0", NULL};

#define NODE(key_, i)                                                       \
    {.key = (key_), .type = MCP_OPT_CUSTOM, .set = keep_node,              \
     .offset = offsetof(struct top, node) + (i) * sizeof(yaml_node_t *)}

#define MET(f) offsetof(struct mcp_metrics_conf, f)

static const struct mcp_opt metrics_opts[] = {
    {.key = "listen", .type = MCP_OPT_STR, .offset = MET(listen),
     .label = "metrics: listen",
     .help = "follow answers GET /metrics at HOST:PORT (off when absent)"},
    {.key = "listen_any", .type = MCP_OPT_BOOL, .def = "false",
     .offset = MET(listen_any), .label = "metrics: listen_any",
     .help = "allow a listen address that is not loopback"},
    {.key = "file", .type = MCP_OPT_PATH, .offset = MET(file),
     .label = "metrics: file",
     .help = "rewrite this .prom file atomically (textfile collector)"},
    {.key = "interval", .type = MCP_OPT_DURATION, .def = "15s",
     .offset = MET(interval_ms), .min = 1000, .max = 3600 * 1000LL,
     .label = "metrics: interval", .help = "how often the file is rewritten"},
    {.key = "server", .type = MCP_OPT_STR, .offset = MET(server),
     .label = "metrics: server",
     .help = "the server label (default: the server's folder name)"},
    {.key = "max_tools", .type = MCP_OPT_INT, .def = "100",
     .offset = MET(max_tools), .min = 2, .max = 10000,
     .label = "metrics: max_tools",
     .help = "(server, tool) series kept; past it tool=\"(other)\""},
    {0},
};

static const struct mcp_opt mcp_opts[] = {
    {.key = "allow_cleanup", .type = MCP_OPT_BOOL, .def = "false",
     .offset = offsetof(struct top, allow_cleanup),
     .help = "mcplog mcp offers the cleanup tool (it may terminate "
             "server processes when the user confirms its plan)"},
    {0},
};

static const struct mcp_opt top_opts[] = {
    {.key = "repeat_interval", .type = MCP_OPT_DURATION, .def = "4h",
     .offset = offsetof(struct top, repeat_ms), .words = never_words,
     .help = "re-send a firing alert this often (never: not at all)"},
    {.key = "update_interval", .type = MCP_OPT_DURATION, .def = "1m",
     .offset = offsetof(struct top, update_ms),
     .help = "at most one update per alert this often"},
    NODE("sinks", 0), NODE("routes", 1), NODE("server", 2),
    NODE("health", 3), NODE("cleanup", 4), NODE("probes", 5),
    {.key = "metrics", .type = MCP_OPT_MAP, .sub = metrics_opts,
     .offset = offsetof(struct top, metrics)},
    {.key = "mcp", .type = MCP_OPT_MAP, .sub = mcp_opts},
    NODE("clients", 6),
    {0},
};

static int load_sinks(struct ctx *x, yaml_node_t *map)
{
    struct mcp_config *c = x->c;

    if (map->type != YAML_MAPPING_NODE)
        return fail(x, map->start_mark, "sinks must be a mapping of name to "
                    "sink");
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
         p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = mcp_yaml_node(x->y, p->key);

        if (k != NULL && mcp_yaml_str(k) != NULL &&
            mcp_config_sink(c, mcp_yaml_str(k)) >= 0)
            return fail(x, k->start_mark, "sink '%s' is defined twice",
                        SHOW(mcp_yaml_str(k)));
        c->sinks = mcp_realloc(c->sinks, (c->nsinks + 1) * sizeof(*c->sinks));
        memset(&c->sinks[c->nsinks], 0, sizeof(*c->sinks));
        if (mcp_sinkconf_load(&c->sinks[c->nsinks++], x->y, k,
                              mcp_yaml_node(x->y, p->value), x->err) != 0)
            return -1;
    }
    return 0;
}

/* clients: [claude-code, ...]: the clients whose logs scan and follow
 * read when no --client is given (input/clients.h). */
static int load_clients(struct ctx *x, yaml_node_t *seq)
{
    struct mcp_config *c = x->c;

    if (seq->type != YAML_SEQUENCE_NODE)
        return fail(x, seq->start_mark, "clients must be a list, e.g. "
                    "[claude-code, claude-desktop]");
    c->clients_set = true;
    for (yaml_node_item_t *i = seq->data.sequence.items.start;
         i < seq->data.sequence.items.top; i++) {
        yaml_node_t *n = mcp_yaml_node(x->y, *i);
        char why[MCP_ERRLEN];

        if (n == NULL || mcp_yaml_str(n) == NULL ||
            mcp_clients_parse(mcp_yaml_str(n), &c->clients, why) != 0)
            return fail(x, n ? n->start_mark : seq->start_mark, "clients: %s",
                        n && mcp_yaml_str(n) ? why : "each entry must be a "
                        "client name");
    }
    return 0;
}

/* The document: y NULL without a file (the built-in defaults: the
 * runbook's routes), root NULL for an empty file (no routes at all). */
static int load_doc(struct mcp_config *c, struct mcp_yaml *y,
                    yaml_node_t *root, char *err)
{
    struct ctx x = {y, c, err};
    struct top t;

    memset(&t, 0, sizeof(t));
    if (root != NULL && root->type != YAML_MAPPING_NODE)
        return fail(&x, root->start_mark, "the configuration must be a "
                    "mapping");
    if (mcp_opt_set(top_opts, &t, y, root, NULL, NULL, err) != 0) {
        mcp_opt_free(top_opts, &t);
        return -1;
    }
    c->repeat_interval_ms = t.repeat_ms;
    c->update_interval_ms = t.update_ms;
    c->metrics = t.metrics;
    c->mcp_allow_cleanup = t.allow_cleanup;
    if (t.node[0] != NULL && !mcp_yaml_is_null(t.node[0]) &&
        load_sinks(&x, t.node[0]) != 0)
        return -1;
    if (mcp_procconf_load(&c->proc, y, t.node[2], t.node[3], t.node[4],
                          t.node[5], err) != 0)
        return -1;
    if (t.node[6] != NULL && !mcp_yaml_is_null(t.node[6]) &&
        load_clients(&x, t.node[6]) != 0)
        return -1;
    if (t.node[1] != NULL)
        return load_routes(&x, t.node[1]);
    if (y == NULL || root != NULL)
        default_routes(c);
    return 0;
}

static bool readable(const char *p)
{
    return access(p, R_OK) == 0;
}

int mcp_config_load(struct mcp_config *c, const char *path, char *err)
{
    char user[PATH_MAX], shipped[PATH_MAX + 32];
    struct mcp_yaml y;
    int rc;

    memset(c, 0, sizeof(*c));
    if (path == NULL && getenv("MCPLOG_CONFIG") != NULL &&
        *getenv("MCPLOG_CONFIG") != '\0')
        path = getenv("MCPLOG_CONFIG");
    if (path == NULL) {
        mcp_path_xdg("XDG_CONFIG_HOME", ".config", "mcplog/mcplog.yaml",
                     user, sizeof(user));
        snprintf(shipped, sizeof(shipped), "%s/mcplog.yaml",
                 mcp_path_rules_dir());
        if (user[0] != '\0' && readable(user))
            path = user;
        else if (readable(shipped))
            path = shipped;
    }
    if (path == NULL)
        return load_doc(c, NULL, NULL, err);
    c->path = mcp_strdup(path);
    if (mcp_yaml_load_file(&y, c->path, err) != 0) {
        mcp_config_free(c);
        return -1;
    }
    rc = load_doc(c, &y, mcp_yaml_root(&y), err);
    mcp_yaml_free(&y);
    if (rc != 0)
        mcp_config_free(c);
    return rc;
}

void mcp_config_free(struct mcp_config *c)
{
    for (size_t i = 0; i < c->nsinks; i++)
        mcp_sinkconf_free(&c->sinks[i]);
    free(c->sinks);
    for (size_t i = 0; i < c->nroutes; i++) {
        struct mcp_route *r = &c->routes[i];

        free_list(r->rules);
        for (size_t k = 0; k < r->nlabels; k++) {
            free(r->label_name[k]);
            free(r->label_glob[k]);
        }
        free(r->label_name);
        free(r->label_glob);
        free(r->sinks);
    }
    free(c->routes);
    free(c->path);
    mcp_procconf_free(&c->proc);
    free(c->metrics.listen);
    free(c->metrics.file);
    free(c->metrics.server);
    memset(c, 0, sizeof(*c));
}

long mcp_config_sink(const struct mcp_config *c, const char *name)
{
    for (size_t i = 0; i < c->nsinks; i++)
        if (strcmp(c->sinks[i].name, name) == 0)
            return (long)i;
    return -1;
}
