/* procconf.c - load the server:, health:, cleanup: and probes: sections
 * of mcplog.yaml (procconf.h; docs/mcplog.yaml.5). */
#include "conf/procconf.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/path.h"
#include "match/pattern.h"
#include "base/util.h"
#include "base/yamlutil.h"

#define SHOW(s) mcp_yaml_show((s), (char[96]){0}, 96)

struct ctx {
    struct mcp_yaml *y;
    char *err;
};

__attribute__((format(printf, 3, 4))) static int
fail(struct ctx *x, yaml_node_t *n, const char *fmt, ...)
{
    char where[MCP_ERRLEN] = "", cause[MCP_ERRLEN];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(cause, sizeof(cause), fmt, ap);
    va_end(ap);
    if (x->y != NULL && n != NULL)
        mcp_yaml_where(x->y, n->start_mark, 0, where, sizeof(where));
    mcp_errf(x->err, "%s%s", where, cause);
    return -1;
}

/* Index the keys of section map; what is "server" etc. */
static int keys(struct ctx *x, yaml_node_t *map, const char *what,
                const char *const *k, int n, yaml_node_t **vn)
{
    yaml_node_t *kn[16], *bad = NULL;
    char cause[MCP_ERRLEN] = "";

    if (map->type != YAML_MAPPING_NODE)
        return fail(x, map, "%s must be a mapping", what);
    if (mcp_yaml_keys(x->y, map, k, n, kn, vn, &bad, cause) != 0)
        return fail(x, bad, "%s: %s", what, cause);
    return 0;
}

static const char *scalar(struct ctx *x, yaml_node_t *n, const char *what)
{
    const char *s = mcp_yaml_str(n);

    if (n->type != YAML_SCALAR_NODE || s == NULL) {
        fail(x, n, "%s must be a string", what);
        return NULL;
    }
    return s;
}

static int get_bool(struct ctx *x, yaml_node_t *n, const char *what, bool *v)
{
    if (n == NULL)
        return 0;
    if (mcp_yaml_bool(n, v) != 0)
        return fail(x, n, "%s must be true or false", what);
    return 0;
}

static int get_dur(struct ctx *x, yaml_node_t *n, const char *what,
                   int64_t min_ms, int64_t *v)
{
    const char *s;
    char derr[MCP_ERRLEN] = "";
    int64_t ms;

    if (n == NULL)
        return 0;
    if ((s = scalar(x, n, what)) == NULL)
        return -1;
    if (mcp_duration_parse(s, &ms, derr) != 0)
        return fail(x, n, "%s: %s", what, derr);
    if (ms < min_ms) {
        char b[32];

        mcp_duration_format(min_ms, b, sizeof(b));
        return fail(x, n, "%s must be at least %s", what, b);
    }
    *v = ms;
    return 0;
}

static int get_long(struct ctx *x, yaml_node_t *n, const char *what,
                    long lo, long hi, long *v)
{
    const char *s;
    char *end;
    long l;

    if (n == NULL)
        return 0;
    if ((s = scalar(x, n, what)) == NULL)
        return -1;
    l = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || !isdigit((unsigned char)*s) || l < lo ||
        l > hi)
        return fail(x, n, "%s must be an integer from %ld to %ld, not '%s'",
                    what, lo, hi, SHOW(s));
    *v = l;
    return 0;
}

static int get_size(struct ctx *x, yaml_node_t *n, const char *what,
                    uint64_t *v)
{
    const char *s;
    char serr[MCP_ERRLEN] = "";

    if (n == NULL)
        return 0;
    if ((s = scalar(x, n, what)) == NULL)
        return -1;
    if (mcp_size_parse(s, v, serr) != 0)
        return fail(x, n, "%s: %s", what, serr);
    return 0;
}

static int get_path(struct ctx *x, yaml_node_t *n, const char *what,
                    char **v)
{
    const char *s;

    if (n == NULL)
        return 0;
    if ((s = scalar(x, n, what)) == NULL)
        return -1;
    free(*v);
    *v = mcp_path_expand(s);
    if (*v == NULL)
        return fail(x, n, "%s must be an absolute path or start with ~/, "
                    "not '%s'", what, SHOW(s));
    return 0;
}

/* --- server: -------------------------------------------------------------- */

static const char *const match_keys[] = {"python", "cwd", "argv", "exe"};

/* Compile an argv pattern so that it must match the whole command line:
 * the source alone first (so errors point into what the user wrote, and
 * a source that compiles alone has balanced groups), then wrapped as
 * \A(?:SRC)\z. mcp_procs_match also checks the match spans the line. */
static int compile_argv(struct ctx *x, yaml_node_t *n, const char *src,
                        struct mcp_pattern **out)
{
    char perr[MCP_ERRLEN] = "", where[MCP_ERRLEN];
    struct mcp_pattern *p;
    size_t off = 0;
    char *w;

    p = mcp_pattern_compile(src, 0, &off, perr);
    if (p == NULL) {
        mcp_yaml_where(x->y, n->start_mark, mcp_yaml_scalar_col(n, off),
                       where, sizeof(where));
        mcp_errf(x->err, "%sargv pattern error at offset %zu: %s", where,
                 off, perr);
        return -1;
    }
    mcp_pattern_free(p);
    w = mcp_malloc(strlen(src) + 16);
    sprintf(w, "\\A(?:%s)\\z", src);
    p = mcp_pattern_compile(w, 0, &off, perr);
    free(w);
    if (p == NULL)
        return fail(x, n, "argv pattern '%s' cannot be anchored: %s",
                    SHOW(src), perr);
    *out = p;
    return 0;
}

static int load_match_entry(struct ctx *x, struct mcp_proc_match *m,
                            yaml_node_t *n)
{
    yaml_node_t *vn[4] = {NULL, NULL, NULL, NULL};
    const char *s;
    int given = -1;
    bool b;

    if (keys(x, n, "server: match entry", match_keys, 4, vn) != 0)
        return -1;
    for (int i = 0; i < 4; i++)
        if (vn[i] != NULL) {
            if (given >= 0)
                return fail(x, n, "server: match entry has both '%s' and "
                            "'%s': write one per entry", match_keys[given],
                            match_keys[i]);
            given = i;
        }
    if (given < 0)
        return fail(x, n, "server: match entry needs one of python, cwd, "
                    "argv or exe");
    m->kind = (enum mcp_match_kind)given;
    switch (m->kind) {
    case MCP_MATCH_PYTHON:
        if ((s = scalar(x, vn[0], "python")) == NULL)
            return -1;
        if (*s == '\0' || *s == '/' || strstr(s, "..") != NULL)
            return fail(x, vn[0], "python: '%s' must be a script path "
                        "relative to server: dir (such as server.py)",
                        SHOW(s));
        m->arg = mcp_strdup(s);
        break;
    case MCP_MATCH_CWD:
        if (mcp_yaml_bool(vn[1], &b) != 0 || !b)
            return fail(x, vn[1], "cwd: must be true (drop the entry to "
                        "turn it off)");
        break;
    case MCP_MATCH_ARGV:
        if ((s = scalar(x, vn[2], "argv")) == NULL)
            return -1;
        if (*s == '\0')
            return fail(x, vn[2], "argv: the pattern is empty");
        if (compile_argv(x, vn[2], s, &m->re) != 0)
            return -1;
        m->arg = mcp_strdup(s);
        break;
    case MCP_MATCH_EXE:
        return get_path(x, vn[3], "exe", &m->arg);
    }
    return 0;
}

static const char *const server_keys[] = {"dir", "match", "all_users",
                                          "logs"};

static int load_server(struct ctx *x, struct mcp_server_conf *s,
                       yaml_node_t *n)
{
    yaml_node_t *vn[4] = {NULL, NULL, NULL, NULL};

    if (mcp_yaml_is_null(n))
        return 0;
    if (keys(x, n, "server", server_keys, 4, vn) != 0)
        return -1;
    if (get_path(x, vn[0], "server: dir", &s->dir) != 0 ||
        get_bool(x, vn[2], "server: all_users", &s->all_users) != 0 ||
        get_path(x, vn[3], "server: logs", &s->logs) != 0)
        return -1;
    if (vn[1] != NULL) {
        yaml_node_t *l = vn[1];
        size_t cnt;

        if (l->type != YAML_SEQUENCE_NODE)
            return fail(x, l, "server: match must be a list of entries "
                        "such as {python: server.py}");
        cnt = (size_t)(l->data.sequence.items.top -
                       l->data.sequence.items.start);
        if (cnt == 0)
            return fail(x, l, "server: match is empty (leave it out for "
                        "the default)");
        /* Replace the default entry. */
        free(s->match[0].arg);
        free(s->match);
        s->match = mcp_calloc(cnt, sizeof(*s->match));
        s->nmatch = 0;
        s->match_default = false;
        for (size_t i = 0; i < cnt; i++) {
            yaml_node_t *it = mcp_yaml_node(x->y,
                                            l->data.sequence.items.start[i]);

            s->nmatch++;
            if (it == NULL || load_match_entry(x, &s->match[i], it) != 0)
                return -1;
        }
    }
    return 0;
}

/* --- health:, cleanup:, probes: ------------------------------------------- */

static const char *const window_keys[] = {"count", "window"};

static int load_window(struct ctx *x, yaml_node_t *n, const char *what,
                       long *count, int64_t *window)
{
    yaml_node_t *vn[2] = {NULL, NULL};

    if (n == NULL)
        return 0;
    if (keys(x, n, what, window_keys, 2, vn) != 0)
        return -1;
    return get_long(x, vn[0], "count", 0, 1000000, count) == 0 &&
                   get_dur(x, vn[1], "window", 1000, window) == 0
               ? 0
               : -1;
}

static const char *const health_keys[] = {
    "max_processes", "min_processes", "rss_warn", "restarts", "reconnects",
    "log_dir_warn", "newest_line_warn"};

static int load_health(struct ctx *x, struct mcp_health_conf *h,
                       yaml_node_t *n)
{
    yaml_node_t *vn[7] = {NULL};

    if (mcp_yaml_is_null(n))
        return 0;
    if (keys(x, n, "health", health_keys, 7, vn) != 0)
        return -1;
    if (get_long(x, vn[0], "max_processes", 0, 100000, &h->max_processes) ||
        get_long(x, vn[1], "min_processes", 0, 100000, &h->min_processes) ||
        get_size(x, vn[2], "rss_warn", &h->rss_warn) ||
        load_window(x, vn[3], "restarts", &h->restarts_count,
                    &h->restarts_window_ms) ||
        load_window(x, vn[4], "reconnects", &h->reconnects_count,
                    &h->reconnects_window_ms) ||
        get_size(x, vn[5], "log_dir_warn", &h->log_dir_warn))
        return -1;
    if (vn[6] != NULL) {
        const char *s = scalar(x, vn[6], "newest_line_warn");

        if (s == NULL)
            return -1;
        if (strcmp(s, "off") == 0 || strcmp(s, "0") == 0)
            h->newest_line_warn_ms = 0;
        else if (get_dur(x, vn[6], "newest_line_warn", 1000,
                         &h->newest_line_warn_ms) != 0)
            return -1;
    }
    if (h->min_processes > h->max_processes)
        return fail(x, vn[1] ? vn[1] : n, "health: min_processes (%ld) is "
                    "above max_processes (%ld)", h->min_processes,
                    h->max_processes);
    return 0;
}

static const char *const cleanup_keys[] = {
    "enabled", "dry_run", "keep", "prefer_writer", "writer_window", "grace",
    "min_interval"};

static int load_cleanup(struct ctx *x, struct mcp_cleanup_conf *c,
                        yaml_node_t *n)
{
    yaml_node_t *vn[7] = {NULL};

    if (mcp_yaml_is_null(n))
        return 0;
    if (keys(x, n, "cleanup", cleanup_keys, 7, vn) != 0)
        return -1;
    if (get_bool(x, vn[0], "enabled", &c->enabled) ||
        get_bool(x, vn[1], "dry_run", &c->dry_run) ||
        get_bool(x, vn[3], "prefer_writer", &c->prefer_writer) ||
        get_dur(x, vn[4], "writer_window", 1000, &c->writer_window_ms) ||
        get_dur(x, vn[5], "grace", 0, &c->grace_ms) ||
        get_dur(x, vn[6], "min_interval", 1000, &c->min_interval_ms))
        return -1;
    if (c->grace_ms > 3600 * 1000)
        return fail(x, vn[5], "grace must be at most 1h");
    if (vn[2] != NULL) {
        const char *s = scalar(x, vn[2], "keep");

        if (s == NULL)
            return -1;
        if (strcmp(s, "newest") == 0)
            c->keep = MCP_KEEP_NEWEST;
        else if (strcmp(s, "oldest") == 0)
            c->keep = MCP_KEEP_OLDEST;
        else
            return fail(x, vn[2], "keep must be newest or oldest, not '%s'",
                        SHOW(s));
    }
    return 0;
}

static const char *const probes_keys[] = {"enabled", "interval"};

static int load_probes(struct ctx *x, struct mcp_probes_conf *p,
                       yaml_node_t *n)
{
    yaml_node_t *vn[2] = {NULL, NULL};

    if (mcp_yaml_is_null(n))
        return 0;
    if (keys(x, n, "probes", probes_keys, 2, vn) != 0)
        return -1;
    return get_bool(x, vn[0], "enabled", &p->enabled) == 0 &&
                   get_dur(x, vn[1], "interval", 100, &p->interval_ms) == 0
               ? 0
               : -1;
}

/* --- loading -------------------------------------------------------------- */

static void defaults(struct mcp_procconf *pc)
{
    memset(pc, 0, sizeof(*pc));
    pc->server.match = mcp_calloc(1, sizeof(*pc->server.match));
    pc->server.match[0].kind = MCP_MATCH_PYTHON;
    pc->server.match[0].arg = mcp_strdup("server.py");
    pc->server.nmatch = 1;
    pc->server.match_default = true;
    pc->health.max_processes = 2;
    pc->health.min_processes = 1;
    pc->health.rss_warn = 500ULL * 1000 * 1000;
    pc->health.restarts_count = 1;
    pc->health.restarts_window_ms = 7LL * 24 * 3600 * 1000;
    pc->health.reconnects_count = 5;
    pc->health.reconnects_window_ms = 3600LL * 1000;
    pc->health.log_dir_warn = 1ULL << 30;
    pc->health.newest_line_warn_ms = 3600LL * 1000;
    pc->cleanup.dry_run = true;
    pc->cleanup.keep = MCP_KEEP_NEWEST;
    pc->cleanup.prefer_writer = true;
    pc->cleanup.writer_window_ms = 5LL * 60 * 1000;
    pc->cleanup.grace_ms = 5000;
    pc->cleanup.min_interval_ms = 10LL * 60 * 1000;
    pc->probes.enabled = true;
    pc->probes.interval_ms = 30000;
}

int mcp_procconf_load(struct mcp_procconf *pc, struct mcp_yaml *y,
                      yaml_node_t *server, yaml_node_t *health,
                      yaml_node_t *cleanup, yaml_node_t *probes, char *err)
{
    struct ctx x = {y, err};

    defaults(pc);
    if ((server != NULL && load_server(&x, &pc->server, server) != 0) ||
        (health != NULL && load_health(&x, &pc->health, health) != 0) ||
        (cleanup != NULL && load_cleanup(&x, &pc->cleanup, cleanup) != 0) ||
        (probes != NULL && load_probes(&x, &pc->probes, probes) != 0)) {
        mcp_procconf_free(pc);
        return -1;
    }
    if (pc->server.logs == NULL && pc->server.dir != NULL) {
        size_t l = strlen(pc->server.dir);

        pc->server.logs = mcp_malloc(l + 6);
        memcpy(pc->server.logs, pc->server.dir, l);
        strcpy(pc->server.logs + l - (pc->server.dir[l - 1] == '/'),
               "/logs");
    }
    return 0;
}

void mcp_procconf_free(struct mcp_procconf *pc)
{
    for (size_t i = 0; i < pc->server.nmatch; i++) {
        free(pc->server.match[i].arg);
        if (pc->server.match[i].re != NULL)
            mcp_pattern_free(pc->server.match[i].re);
    }
    free(pc->server.match);
    free(pc->server.dir);
    free(pc->server.logs);
    memset(pc, 0, sizeof(*pc));
}
