/* clients_reg.c - Claude Code's registrations (~/.claude.json), the
 * session of a connection log, the span of a Desktop per-server log. */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "input/clients_int.h"
#include "base/util.h"

/* The config file is read whole up to this size. */
#define REG_MAX (64u * 1024 * 1024)
#define SPAN_MAX (64u * 1024 * 1024)

/* Read a regular file whole (at most max bytes); NULL when it cannot be. */
static char *slurp(const char *path, size_t max, size_t *len)
{
    struct stat st;
    int fd = mcp_open_regular(path, &st, NULL);
    char *buf;
    size_t n = 0;

    if (fd < 0)
        return NULL;
    if ((uint64_t)st.st_size > max) {
        close(fd);
        return NULL;
    }
    buf = mcp_malloc((size_t)st.st_size + 1);
    while (n < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + n, (size_t)st.st_size - n);

        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = '\0';
    *len = n;
    return buf;
}

static void reg_path(struct reg *r, const char *what, const char *p)
{
    if (p == NULL || p[0] != '/')
        return;
    r->paths = mcp_realloc(r->paths, (r->npaths + 1) * sizeof(char *));
    r->what = mcp_realloc(r->what, (r->npaths + 1) * sizeof(char *));
    r->paths[r->npaths] = mcp_strdup(p);
    r->what[r->npaths] = mcp_strdup(what);
    r->npaths++;
}

static void read_servers(struct regs *rs, struct json_object *servers,
                         const char *scope)
{
    if (servers == NULL || !json_object_is_type(servers, json_type_object))
        return;
    json_object_object_foreach(servers, name, def)
    {
        struct json_object *v;
        struct reg *r;

        rs->r = mcp_realloc(rs->r, (rs->n + 1) * sizeof(*rs->r));
        r = &rs->r[rs->n++];
        memset(r, 0, sizeof(*r));
        r->name = mcp_strdup(name);
        r->scope = mcp_strdup(scope);
        if (!json_object_is_type(def, json_type_object))
            continue;
        if (json_object_object_get_ex(def, "command", &v) &&
            json_object_is_type(v, json_type_string))
            reg_path(r, "command", json_object_get_string(v));
        if (json_object_object_get_ex(def, "cwd", &v) &&
            json_object_is_type(v, json_type_string))
            reg_path(r, "cwd", json_object_get_string(v));
        if (json_object_object_get_ex(def, "args", &v) &&
            json_object_is_type(v, json_type_array))
            for (size_t i = 0; i < json_object_array_length(v); i++) {
                struct json_object *a = json_object_array_get_idx(v, i);

                if (json_object_is_type(a, json_type_string))
                    reg_path(r, "args", json_object_get_string(a));
            }
    }
}

void regs_read(struct regs *rs, const char *path)
{
    size_t len = 0;
    char *text = slurp(path, REG_MAX, &len);
    struct json_tokener *tok;
    struct json_object *o, *v;

    memset(rs, 0, sizeof(*rs));
    if (text == NULL)
        return;
    tok = json_tokener_new_ex(64);
    o = len > 0 && len < INT_MAX ? json_tokener_parse_ex(tok, text, (int)len)
                                 : NULL;
    json_tokener_free(tok);
    free(text);
    if (o == NULL)
        return;
    if (json_object_object_get_ex(o, "mcpServers", &v))
        read_servers(rs, v, "user scope");
    if (json_object_object_get_ex(o, "projects", &v) &&
        json_object_is_type(v, json_type_object)) {
        json_object_object_foreach(v, proj, def)
        {
            struct json_object *s;

            if (json_object_is_type(def, json_type_object) &&
                json_object_object_get_ex(def, "mcpServers", &s))
                read_servers(rs, s, proj);
        }
    }
    json_object_put(o);
}

void regs_free(struct regs *rs)
{
    for (size_t i = 0; i < rs->n; i++) {
        for (size_t k = 0; k < rs->r[i].npaths; k++) {
            free(rs->r[i].paths[k]);
            free(rs->r[i].what[k]);
        }
        free(rs->r[i].paths);
        free(rs->r[i].what);
        free(rs->r[i].name);
        free(rs->r[i].scope);
    }
    free(rs->r);
    memset(rs, 0, sizeof(*rs));
}

const char *regs_name_of_slug(const struct regs *rs, const char *slug)
{
    for (size_t i = 0; i < rs->n; i++) {
        char *s = mcp_client_slug(rs->r[i].name);
        bool same = strcmp(s, slug) == 0;

        free(s);
        if (same)
            return rs->r[i].name;
    }
    return NULL;
}

/* Whether path is dir or inside it. */
static bool inside(const char *path, const char *dir)
{
    size_t n = strlen(dir);

    while (n > 1 && dir[n - 1] == '/')
        n--;
    return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

void regs_tie(const struct regs *rs, struct mcp_logset *ls,
              struct mcp_ties *ties)
{
    for (size_t i = 0; i < ls->n; i++) {
        struct mcp_input *in = &ls->inputs[i];
        char *dir, *parent, *slash, real[PATH_MAX];

        if (in->role == MCP_ROLE_CLIENT || in->server != NULL)
            continue;
        dir = mcp_strdup(in->path);
        if ((slash = strrchr(dir, '/')) != NULL)
            *slash = '\0';
        else
            strcpy(dir, ".");
        parent = realpath(dir, real) ? mcp_strdup(real) : NULL;
        if (parent != NULL && (slash = strrchr(parent, '/')) != NULL &&
            slash != parent)
            *slash = '\0';
        for (size_t r = 0; parent != NULL && r < rs->n && !in->server; r++)
            for (size_t k = 0; k < rs->r[r].npaths; k++) {
                struct mcp_buf how;
                bool known = false;

                if (!inside(rs->r[r].paths[k], parent))
                    continue;
                in->server = mcp_strdup(rs->r[r].name);
                if (ties == NULL)
                    break;
                for (size_t t = 0; t < ties->n; t++)
                    known |= strcmp(ties->t[t].dir, dir) == 0;
                if (known)
                    break;
                mcp_buf_init(&how);
                mcp_buf_printf(&how, "%s %s of the registration in %s",
                               rs->r[r].what[k], rs->r[r].paths[k],
                               rs->r[r].scope);
                ties->t = mcp_realloc(ties->t,
                                      (ties->n + 1) * sizeof(*ties->t));
                ties->t[ties->n].dir = mcp_strdup(dir);
                ties->t[ties->n].server = mcp_strdup(rs->r[r].name);
                ties->t[ties->n].how = mcp_buf_steal(&how);
                ties->n++;
                break;
            }
        free(parent);
        free(dir);
    }
}

void mcp_ties_free(struct mcp_ties *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->t[i].dir);
        free(t->t[i].server);
        free(t->t[i].how);
    }
    free(t->t);
    memset(t, 0, sizeof(*t));
}

char *conn_log_session(const char *path)
{
    char buf[8192];
    int fd = mcp_open_regular(path, NULL, NULL);
    ssize_t n;
    char *nl, *out = NULL;
    struct json_tokener *tok;
    struct json_object *o, *v;

    if (fd < 0)
        return NULL;
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return NULL;
    buf[n] = '\0';
    if ((nl = memchr(buf, '\n', (size_t)n)) == NULL)
        return NULL;
    tok = json_tokener_new_ex(32);
    o = json_tokener_parse_ex(tok, buf, (int)(nl - buf));
    json_tokener_free(tok);
    if (o != NULL && json_object_is_type(o, json_type_object) &&
        json_object_object_get_ex(o, "sessionId", &v) &&
        json_object_is_type(v, json_type_string))
        out = mcp_strdup(json_object_get_string(v));
    json_object_put(o);
    return out;
}

struct mem {
    const char *p;
    size_t n, pos;
};

static ssize_t mem_read(void *arg, char *buf, size_t cap, char *err)
{
    struct mem *m = arg;
    size_t k = m->n - m->pos < cap ? m->n - m->pos : cap;

    (void)err;
    memcpy(buf, m->p + m->pos, k);
    m->pos += k;
    return (ssize_t)k;
}

bool desktop_span(const char *path, char **server, int64_t *first,
                  int64_t *last)
{
    size_t len = 0;
    char *text = slurp(path, SPAN_MAX, &len), buf[65536];
    struct mem m = {text, len, 0};
    struct mcp_fmt *f;
    struct mcp_buf lines;
    ssize_t n;

    *server = NULL;
    *first = *last = MCP_TIME_NONE;
    if (text == NULL)
        return false;
    mcp_buf_init(&lines);
    f = mcp_fmt_create(MCP_FMT_DESKTOP_SERVER, NULL, false, mem_read, &m);
    while ((n = mcp_fmt_read(f, buf, sizeof(buf), NULL)) > 0)
        mcp_buf_append(&lines, buf, (size_t)n);
    mcp_fmt_destroy(f);
    free(text);
    for (const char *p = lines.data, *end = p + lines.len; p && p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        struct mcp_record r;

        if (mcp_record_split(p, (size_t)(nl - p), &r) &&
            !(r.level_len == 6 && memcmp(r.level, "stderr", 6) == 0)) {
            if (*server == NULL)
                *server = mcp_strndup(r.server, r.server_len);
            if (*first == MCP_TIME_NONE || r.ts < *first)
                *first = r.ts;
            if (*last == MCP_TIME_NONE || r.ts > *last)
                *last = r.ts;
        }
        p = nl + 1;
    }
    mcp_buf_free(&lines);
    return *server != NULL;
}
