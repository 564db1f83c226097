/* procconf.c - the server:, health:, cleanup: and probes: sections of
 * mcplog.yaml (procconf.h; docs/mcplog.yaml.5), read through option
 * tables (base/optset.h): defaults, types, bounds and messages as every
 * sink's options have them. */
#include "conf/procconf.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/optset.h"
#include "base/path.h"
#include "base/util.h"
#include "base/yamlutil.h"
#include "match/pattern.h"

#define SHOW(s) mcp_yaml_show((s), (char[96]){0}, 96)

struct ctx {
    struct mcp_yaml *y;
    char *err;
};

#define fail(x, n, ...) mcp_yaml_fail_node((x)->y, (n), (x)->err, __VA_ARGS__)

#define scalar(x, n, what) mcp_yaml_need_str((x)->y, (n), (what), (x)->err)

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

    yaml_node_t *kn[4], *bad = NULL;
    char cause[MCP_ERRLEN] = "";

    if (n->type != YAML_MAPPING_NODE)
        return fail(x, n, "server: match entry must be a mapping");
    if (mcp_yaml_keys(x->y, n, match_keys, 4, kn, vn, &bad, cause) != 0)
        return fail(x, bad, "server: match entry: %s", cause);
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
        if ((s = scalar(x, vn[3], "exe")) == NULL)
            return -1;
        if ((m->arg = mcp_path_expand(s)) == NULL)
            return fail(x, vn[3], "exe must be an absolute path or start "
                        "with ~/, not '%s'", SHOW(s));
        break;
    }
    return 0;
}

/* server: match, a list of entries; absent: {python: server.py}. */
static int set_match(struct mcp_yaml *y, yaml_node_t *l, void *field,
                     char *err)
{
    struct mcp_server_conf *s = field;
    struct ctx xs = {y, err}, *x = &xs;
    size_t cnt;

    if (l == NULL) {
        s->match = mcp_calloc(1, sizeof(*s->match));
        s->match[0].kind = MCP_MATCH_PYTHON;
        s->match[0].arg = mcp_strdup("server.py");
        s->nmatch = 1;
        s->match_default = true;
        return 0;
    }
    if (l->type != YAML_SEQUENCE_NODE)
        return fail(x, l, "server: match must be a list of entries such as "
                    "{python: server.py}");
    cnt = (size_t)(l->data.sequence.items.top - l->data.sequence.items.start);
    if (cnt == 0)
        return fail(x, l, "server: match is empty (leave it out for the "
                    "default)");
    s->match = mcp_calloc(cnt, sizeof(*s->match));
    for (size_t i = 0; i < cnt; i++) {
        yaml_node_t *it = mcp_yaml_node(y, l->data.sequence.items.start[i]);

        s->nmatch++;
        if (it == NULL || load_match_entry(x, &s->match[i], it) != 0)
            return -1;
    }
    return 0;
}

/* --- the tables ----------------------------------------------------------- */

#define SRV(f) offsetof(struct mcp_server_conf, f)
#define HLT(f) offsetof(struct mcp_health_conf, f)
#define CLN(f) offsetof(struct mcp_cleanup_conf, f)
#define PRB(f) offsetof(struct mcp_probes_conf, f)
#define SEC 1000LL

static const char *const keep_words[] = {"newest", "oldest", NULL};
static const char *const off_words[] = {"off", "0", NULL};

static const struct mcp_opt server_opts[] = {
    {.key = "dir", .type = MCP_OPT_PATH, .offset = SRV(dir),
     .label = "server: dir",
     .help = "the server's folder (absolute or ~/)"},
    {.key = "match", .type = MCP_OPT_CUSTOM, .offset = 0, .set = set_match,
     .help = "which processes are the server: python, cwd, argv or exe "
             "entries (default: [{python: server.py}])"},
    {.key = "all_users", .type = MCP_OPT_BOOL, .def = "false",
     .offset = SRV(all_users), .label = "server: all_users",
     .help = "also other users' processes"},
    {.key = "logs", .type = MCP_OPT_PATH, .offset = SRV(logs),
     .label = "server: logs", .help = "its logs folder (default: DIR/logs)"},
    {0},
};

static const struct mcp_opt restarts_opts[] = {
    {.key = "count", .type = MCP_OPT_INT, .def = "1",
     .offset = HLT(restarts_count), .min = 0, .max = 1000000,
     .help = "WARNING when more restarts ..."},
    {.key = "window", .type = MCP_OPT_DURATION, .def = "7d",
     .offset = HLT(restarts_window_ms), .min = SEC,
     .help = "... fall in this window ending now"},
    {0},
};

static const struct mcp_opt reconnects_opts[] = {
    {.key = "count", .type = MCP_OPT_INT, .def = "5",
     .offset = HLT(reconnects_count), .min = 0, .max = 1000000,
     .help = "CRITICAL when more reconnect failures ..."},
    {.key = "window", .type = MCP_OPT_DURATION, .def = "1h",
     .offset = HLT(reconnects_window_ms), .min = SEC,
     .help = "... fall in this window ending now"},
    {0},
};

static const struct mcp_opt health_opts[] = {
    {.key = "max_processes", .type = MCP_OPT_INT, .def = "2",
     .offset = HLT(max_processes), .min = 0, .max = 100000,
     .help = "WARNING when more server processes run"},
    {.key = "min_processes", .type = MCP_OPT_INT, .def = "1",
     .offset = HLT(min_processes), .min = 0, .max = 100000,
     .help = "CRITICAL when fewer run"},
    {.key = "rss_warn", .type = MCP_OPT_SIZE, .def = "500MB",
     .offset = HLT(rss_warn), .help = "WARNING above, per process"},
    {.key = "restarts", .type = MCP_OPT_MAP, .sub = restarts_opts},
    {.key = "reconnects", .type = MCP_OPT_MAP, .sub = reconnects_opts},
    {.key = "log_dir_warn", .type = MCP_OPT_SIZE, .def = "1GiB",
     .offset = HLT(log_dir_warn), .help = "WARNING above: the logs folder"},
    {.key = "newest_line_warn", .type = MCP_OPT_DURATION, .def = "1h",
     .offset = HLT(newest_line_warn_ms), .min = SEC, .words = off_words,
     .help = "WARNING when the newest line is older (off: no check)"},
    {0},
};

static const struct mcp_opt cleanup_opts[] = {
    {.key = "enabled", .type = MCP_OPT_BOOL, .def = "false",
     .offset = CLN(enabled), .help = "follow's cleanup action"},
    {.key = "dry_run", .type = MCP_OPT_BOOL, .def = "true",
     .offset = CLN(dry_run), .help = "follow's action only reports its plan"},
    {.key = "keep", .type = MCP_OPT_ENUM, .def = "newest",
     .offset = CLN(keep), .words = keep_words,
     .help = "the process kept"},
    {.key = "prefer_writer", .type = MCP_OPT_BOOL, .def = "true",
     .offset = CLN(prefer_writer),
     .help = "prefer those with the log open to write"},
    {.key = "writer_window", .type = MCP_OPT_DURATION, .def = "5m",
     .offset = CLN(writer_window_ms), .min = SEC,
     .help = "... if the log changed within this window"},
    {.key = "grace", .type = MCP_OPT_DURATION, .def = "5s",
     .offset = CLN(grace_ms), .min = 0, .max = 3600 * SEC,
     .help = "SIGTERM, then SIGKILL after this"},
    {.key = "min_interval", .type = MCP_OPT_DURATION, .def = "10m",
     .offset = CLN(min_interval_ms), .min = SEC,
     .help = "follow's action at most this often"},
    {0},
};

static const struct mcp_opt probes_opts[] = {
    {.key = "enabled", .type = MCP_OPT_BOOL, .def = "true",
     .offset = PRB(enabled), .help = "follow's probes"},
    {.key = "interval", .type = MCP_OPT_DURATION, .def = "30s",
     .offset = PRB(interval_ms), .min = 100,
     .help = "how often they run"},
    {0},
};

static const struct {
    const char *name;
    const struct mcp_opt *opts;
    size_t offset;
} sections[] = {
    {"server", server_opts, offsetof(struct mcp_procconf, server)},
    {"health", health_opts, offsetof(struct mcp_procconf, health)},
    {"cleanup", cleanup_opts, offsetof(struct mcp_procconf, cleanup)},
    {"probes", probes_opts, offsetof(struct mcp_procconf, probes)},
};

/* --- loading -------------------------------------------------------------- */

/* server.logs from server.dir: DIR/logs. */
static void default_logs(struct mcp_server_conf *s)
{
    size_t l = strlen(s->dir);

    free(s->logs);
    s->logs = mcp_malloc(l + 6);
    memcpy(s->logs, s->dir, l);
    strcpy(s->logs + l - (l > 1 && s->dir[l - 1] == '/'), "/logs");
}

int mcp_procconf_load(struct mcp_procconf *pc, struct mcp_yaml *y,
                      yaml_node_t *server, yaml_node_t *health,
                      yaml_node_t *cleanup, yaml_node_t *probes, char *err)
{
    yaml_node_t *node[4] = {server, health, cleanup, probes};
    struct ctx x = {y, err};
    struct mcp_health_conf *h = &pc->health;

    memset(pc, 0, sizeof(*pc));
    for (size_t i = 0; i < 4; i++)
        if (mcp_opt_set(sections[i].opts, (char *)pc + sections[i].offset,
                        y, node[i], sections[i].name, NULL, err) != 0) {
            mcp_procconf_free(pc);
            return -1;
        }
    if (h->min_processes > h->max_processes) {
        yaml_node_t *at = health != NULL && y != NULL
                              ? mcp_yaml_get(y, health, "min_processes")
                              : NULL;

        fail(&x, at != NULL ? at : health, "health: min_processes (%ld) is "
             "above max_processes (%ld)", h->min_processes,
             h->max_processes);
        mcp_procconf_free(pc);
        return -1;
    }
    if (pc->server.logs == NULL && pc->server.dir != NULL)
        default_logs(&pc->server);
    return 0;
}

int mcp_procconf_server_dir(struct mcp_procconf *pc, const char *dir,
                            char *err)
{
    struct stat st;
    char cwd[PATH_MAX];

    if (stat(dir, &st) != 0) {
        mcp_errf(err, "--server-dir %s: %s", dir, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        mcp_errf(err, "--server-dir %s: not a folder", dir);
        return -1;
    }
    free(pc->server.dir);
    if (dir[0] == '/') {
        pc->server.dir = mcp_strdup(dir);
    } else if (getcwd(cwd, sizeof(cwd)) != NULL) {
        pc->server.dir = mcp_malloc(strlen(cwd) + strlen(dir) + 2);
        sprintf(pc->server.dir, "%s/%s", cwd, dir);
    } else {
        pc->server.dir = NULL;
        mcp_errf(err, "--server-dir %s: the current folder: %s", dir,
                 strerror(errno));
        return -1;
    }
    default_logs(&pc->server);
    return 0;
}

void mcp_procconf_help(const char *const *names, FILE *out)
{
    for (size_t k = 0; names[k] != NULL; k++)
        for (size_t i = 0; i < 4; i++)
            if (strcmp(names[k], sections[i].name) == 0) {
                fprintf(out, "\n%s: in mcplog.yaml\n", sections[i].name);
                mcp_opt_help(sections[i].opts, out);
            }
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
