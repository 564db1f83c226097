/* clients.c - where Claude Code and Claude Desktop keep their logs. */
#include "input/clients.h"

#include <dirent.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "input/clients_int.h"
#include "base/path.h"
#include "base/util.h"

int mcp_clients_parse(const char *name, unsigned *mask, char *err)
{
    if (strcmp(name, "claude-code") == 0)
        *mask |= MCP_CLIENT_CLAUDE_CODE;
    else if (strcmp(name, "claude-desktop") == 0)
        *mask |= MCP_CLIENT_CLAUDE_DESKTOP;
    else if (strcmp(name, "auto") == 0)
        *mask |= MCP_CLIENT_ALL | MCP_CLIENT_AUTO;
    else if (strcmp(name, "none") == 0)
        *mask = 0;
    else {
        mcp_errf(err, "unknown client '%s' (use claude-code, claude-desktop, "
                 "auto or none)", name);
        return -1;
    }
    return 0;
}

char *mcp_client_slug(const char *name)
{
    char *s = mcp_strdup(name);

    for (char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9')))
            *p = '-';
    return s;
}

/* --- listing --------------------------------------------------------- */

struct names {
    char **v;
    size_t n;
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of dir (no dot files) that are regular files (dirs: false)
 * or folders (dirs: true), not through symlinks, in name order. */
static void list(const char *dir, bool dirs, struct names *out)
{
    DIR *d = opendir(dir);
    struct dirent *e;

    out->v = NULL;
    out->n = 0;
    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        struct stat st;
        char *p;

        if (e->d_name[0] == '.')
            continue;
        p = mcp_calloc(1, strlen(dir) + strlen(e->d_name) + 2);
        sprintf(p, "%s/%s", dir, e->d_name);
        if (lstat(p, &st) == 0 &&
            (dirs ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode))) {
            out->v = mcp_realloc(out->v, (out->n + 1) * sizeof(char *));
            out->v[out->n++] = mcp_strdup(e->d_name);
        }
        free(p);
    }
    closedir(d);
    if (out->n > 1)
        qsort(out->v, out->n, sizeof(char *), cmp_str);
}

static void names_free(struct names *n)
{
    for (size_t i = 0; i < n->n; i++)
        free(n->v[i]);
    free(n->v);
}

static bool ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);

    return a >= b && strcmp(s + a - b, suf) == 0;
}

static char *join(const char *a, const char *b)
{
    char *p = mcp_malloc(strlen(a) + strlen(b) + 2);

    sprintf(p, "%s/%s", a, b);
    return p;
}

static bool is_dir(const char *p)
{
    struct stat st;

    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Sort the files of dir in n by time of last change, oldest first (then
 * by name): transcripts are named by a random id, and follow takes the
 * last of a family as its live file. */
static void sort_by_mtime(const char *dir, struct names *n)
{
    for (size_t i = 1; i < n->n; i++) {
        for (size_t k = i; k > 0; k--) {
            char *a = join(dir, n->v[k - 1]), *b = join(dir, n->v[k]);
            struct stat sa, sb;
            bool swap = stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
                        (sa.st_mtim.tv_sec > sb.st_mtim.tv_sec ||
                         (sa.st_mtim.tv_sec == sb.st_mtim.tv_sec &&
                          sa.st_mtim.tv_nsec > sb.st_mtim.tv_nsec));

            free(a);
            free(b);
            if (!swap)
                break;
            char *t = n->v[k];
            n->v[k] = n->v[k - 1];
            n->v[k - 1] = t;
        }
    }
}

/* --- Claude Code ------------------------------------------------------ */

struct sessions {
    char **v;
    size_t n;
};

static bool has_session(const struct sessions *s, const char *id)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i], id) == 0)
            return true;
    return false;
}

/* One project's connection logs: a family per server folder. */
static long code_project(struct mcp_logset *ls, const char *root,
                         const char *proj, const struct regs *rs,
                         bool follow, struct sessions *seen)
{
    char *pdir = join(root, proj);
    struct names srv;
    long added = 0;

    list(pdir, true, &srv);
    for (size_t i = 0; i < srv.n; i++) {
        const char *slug = srv.v[i];
        char *sdir, *family;
        const char *name;
        struct names files;

        if (strncmp(slug, "mcp-logs-", 9) != 0)
            continue;
        name = regs_name_of_slug(rs, slug + 9);
        if (name == NULL)
            name = slug + 9;
        sdir = join(pdir, slug);
        family = mcp_malloc(strlen(proj) + strlen(name) + 16);
        sprintf(family, "claude-code/%s/%s", proj, name);
        list(sdir, false, &files);
        for (size_t k = 0; k < files.n; k++) {
            char *path = join(sdir, files.v[k]);
            bool jsonl = ends_with(files.v[k], ".jsonl");

            if (jsonl || (!follow && ends_with(files.v[k], ".txt"))) {
                char *sess = jsonl ? conn_log_session(path) : NULL;

                mcp_logset_add_client(ls, path, family,
                                      jsonl ? MCP_FMT_CC_JSONL
                                            : MCP_FMT_CC_JSON_ARRAY,
                                      name, "claude-code");
                added++;
                if (sess != NULL && !has_session(seen, sess)) {
                    seen->v = mcp_realloc(seen->v,
                                          (seen->n + 1) * sizeof(char *));
                    seen->v[seen->n++] = sess;
                } else {
                    free(sess);
                }
            }
            free(path);
        }
        names_free(&files);
        free(family);
        free(sdir);
    }
    names_free(&srv);
    free(pdir);
    return added;
}

static char *regfile_path(void)
{
    const char *home = getenv("HOME"), *cfg = getenv("CLAUDE_CONFIG_DIR");

    if (cfg != NULL && cfg[0] == '/')
        return join(cfg, ".claude.json");
    return home != NULL && home[0] == '/' ? join(home, ".claude.json")
                                          : NULL;
}

int mcp_clients_tree_depth(int tree)
{
    return tree == MCP_TREE_CC_CONN ? 2 : tree == MCP_TREE_CC_TRANSCRIPTS;
}

bool mcp_clients_tree_file(int tree, const char *rel, enum mcp_format *fmt,
                           char **server)
{
    const char *b = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
    enum mcp_format f;
    char *srv = NULL;

    if (tree == MCP_TREE_CC_CONN &&
        fnmatch("*/mcp-logs-*/*.jsonl", rel, FNM_PATHNAME) == 0) {
        f = MCP_FMT_CC_JSONL;
        if (server != NULL) {
            const char *s = strstr(rel, "/mcp-logs-") + 10;
            char *slug = mcp_strndup(s, (size_t)(strchr(s, '/') - s));
            char *rf = regfile_path();
            struct regs rs;
            const char *name;

            regs_read(&rs, rf ? rf : "");
            name = regs_name_of_slug(&rs, slug);
            srv = mcp_strdup(name ? name : slug);
            regs_free(&rs);
            free(rf);
            free(slug);
        }
    } else if (tree == MCP_TREE_CC_TRANSCRIPTS &&
               fnmatch("*/*.jsonl", rel, FNM_PATHNAME) == 0) {
        f = MCP_FMT_CC_TRANSCRIPT;
    } else if (tree == MCP_TREE_DESKTOP && strcmp(rel, "mcp.log") == 0) {
        f = MCP_FMT_DESKTOP;
    } else if (tree == MCP_TREE_DESKTOP && b == rel &&
               strncmp(rel, "mcp-server-", 11) == 0 && strlen(rel) > 15 &&
               ends_with(rel, ".log")) {
        f = MCP_FMT_DESKTOP_SERVER;
        if (server != NULL)
            srv = mcp_strndup(rel + 11, strlen(rel) - 15);
    } else {
        return false;
    }
    if (fmt != NULL)
        *fmt = f;
    if (server != NULL)
        *server = srv;
    else
        free(srv);
    return true;
}

/* follow: the tree at dir, when it exists or must (the client was named). */
static long add_tree(struct mcp_logset *ls, const char *dir, int tree,
                     const char *family, const char *client, bool must)
{
    struct mcp_input *in;

    if (!must && !is_dir(dir))
        return 0;
    in = mcp_logset_add_client(ls, dir, family, MCP_FMT_TEXT, NULL, client);
    in->tree = tree;
    return 1;
}

static long claude_code(struct mcp_logset *ls, bool follow, bool must,
                        char *err)
{
    const char *home = getenv("HOME"), *cfg = getenv("CLAUDE_CONFIG_DIR");
    char root[4096], *claude, *regfile;
    struct regs rs;
    struct names projects;
    struct sessions seen = {NULL, 0};
    long added = 0;

    if (home == NULL || home[0] != '/') {
        mcp_errf(err, "--client claude-code: HOME is not an absolute path");
        return -1;
    }
    claude = cfg != NULL && cfg[0] == '/' ? mcp_strdup(cfg)
                                          : join(home, ".claude");
    regfile = cfg != NULL && cfg[0] == '/' ? join(cfg, ".claude.json")
                                           : join(home, ".claude.json");
    if (follow) {
        char *pdir = join(claude, "projects");

        if (mcp_path_xdg("XDG_CACHE_HOME", ".cache", "claude-cli-nodejs",
                         root, sizeof(root)))
            added += add_tree(ls, root, MCP_TREE_CC_CONN,
                              "claude-code/connection-logs", "claude-code",
                              must);
        snprintf(root, sizeof(root), "%s/Library/Caches/claude-cli-nodejs",
                 home);
        added += add_tree(ls, root, MCP_TREE_CC_CONN,
                          "claude-code/connection-logs (macOS)",
                          "claude-code", false);
        added += add_tree(ls, pdir, MCP_TREE_CC_TRANSCRIPTS,
                          "claude-code/transcripts", "claude-code", must);
        free(pdir);
        free(regfile);
        free(claude);
        return added;
    }
    regs_read(&rs, regfile);
    /* The cache root: XDG (Linux), then ~/Library/Caches (macOS). */
    for (int r = 0; r < 2; r++) {
        if (r == 0 && !mcp_path_xdg("XDG_CACHE_HOME", ".cache",
                                    "claude-cli-nodejs", root, sizeof(root)))
            continue;
        if (r == 1)
            snprintf(root, sizeof(root), "%s/Library/Caches/claude-cli-nodejs",
                     home);
        list(root, true, &projects);
        for (size_t i = 0; i < projects.n; i++)
            added += code_project(ls, root, projects.v[i], &rs, follow,
                                  &seen);
        names_free(&projects);
    }

    /* Transcripts: the reconnect results; a family per project. */
    {
        char *pdir = join(claude, "projects");

        list(pdir, true, &projects);
        for (size_t i = 0; i < projects.n; i++) {
            char *dir = join(pdir, projects.v[i]), *family;
            struct names files;

            family = mcp_malloc(strlen(projects.v[i]) + 32);
            sprintf(family, "claude-code/%s/transcripts", projects.v[i]);
            list(dir, false, &files);
            sort_by_mtime(dir, &files);
            for (size_t k = 0; k < files.n; k++)
                if (ends_with(files.v[k], ".jsonl")) {
                    char *path = join(dir, files.v[k]);

                    mcp_logset_add_client(ls, path, family,
                                          MCP_FMT_CC_TRANSCRIPT, NULL,
                                          "claude-code");
                    added++;
                    free(path);
                }
            names_free(&files);
            free(family);
            free(dir);
        }
        names_free(&projects);
        free(pdir);
    }

    /* The debug logs of sessions no connection log has. */
    {
        char *ddir = join(claude, "debug");
        struct names files;

        list(ddir, false, &files);
        for (size_t k = 0; k < files.n; k++) {
            char *id = mcp_strdup(files.v[k]), *path;

            if (!ends_with(id, ".txt")) {
                free(id);
                continue;
            }
            id[strlen(id) - 4] = '\0';
            if (!has_session(&seen, id)) {
                path = join(ddir, files.v[k]);
                mcp_logset_add_client(ls, path, "claude-code/debug",
                                      MCP_FMT_CC_DEBUG, NULL, "claude-code");
                added++;
                free(path);
            }
            free(id);
        }
        names_free(&files);
        free(ddir);
    }
    for (size_t i = 0; i < seen.n; i++)
        free(seen.v[i]);
    free(seen.v);
    regs_free(&rs);
    free(regfile);
    free(claude);
    return added;
}

/* --- Claude Desktop --------------------------------------------------- */

static long desktop_dir(struct mcp_logset *ls, const char *dir)
{
    struct names files;
    struct mcp_span *spans = NULL;
    size_t nspans = 0;
    long added = 0;
    char *main = NULL;

    list(dir, false, &files);
    for (size_t k = 0; k < files.n; k++) {
        const char *b = files.v[k];
        char *path = join(dir, b), *name, *family, *srv = NULL;
        int64_t first, last;

        if (strcmp(b, "mcp.log") == 0) {
            main = path;
            continue;
        }
        if (strncmp(b, "mcp-server-", 11) != 0 || !ends_with(b, ".log")) {
            free(path);
            continue;
        }
        name = mcp_strndup(b + 11, strlen(b) - 15);
        family = mcp_malloc(strlen(dir) + strlen(name) + 32);
        sprintf(family, "claude-desktop/%s", name);
        mcp_logset_add_client(ls, path, family, MCP_FMT_DESKTOP_SERVER, name,
                              "claude-desktop");
        added++;
        if (desktop_span(path, &srv, &first, &last)) {
            spans = mcp_realloc(spans, (nspans + 1) * sizeof(*spans));
            spans[nspans].server = srv;
            spans[nspans].first = first;
            spans[nspans].last = last;
            nspans++;
        }
        free(family);
        free(name);
        free(path);
    }
    if (main != NULL) {
        struct mcp_input *in =
            mcp_logset_add_client(ls, main, "claude-desktop/mcp.log",
                                  MCP_FMT_DESKTOP, NULL, "claude-desktop");

        in->spans = spans;
        in->nspans = nspans;
        spans = NULL;
        nspans = 0;
        added++;
        free(main);
    }
    for (size_t i = 0; i < nspans; i++)
        free(spans[i].server);
    free(spans);
    names_free(&files);
    return added;
}

static long claude_desktop(struct mcp_logset *ls, bool follow, bool must)
{
    char dir[4096];
    const char *home = getenv("HOME");
    long added = 0;

    if (follow) {
        if (mcp_path_xdg("XDG_CONFIG_HOME", ".config", "Claude/logs", dir,
                         sizeof(dir)))
            added += add_tree(ls, dir, MCP_TREE_DESKTOP, "claude-desktop",
                              "claude-desktop", must);
        if (home != NULL && home[0] == '/') {
            snprintf(dir, sizeof(dir), "%s/Library/Logs/Claude", home);
            added += add_tree(ls, dir, MCP_TREE_DESKTOP,
                              "claude-desktop (macOS)", "claude-desktop",
                              false);
        }
        return added;
    }

    if (mcp_path_xdg("XDG_CONFIG_HOME", ".config", "Claude/logs", dir,
                     sizeof(dir)) && is_dir(dir))
        added += desktop_dir(ls, dir);
    if (home != NULL && home[0] == '/') {
        snprintf(dir, sizeof(dir), "%s/Library/Logs/Claude", home);
        if (is_dir(dir))
            added += desktop_dir(ls, dir);
    }
    return added;
}

long mcp_clients_add(struct mcp_logset *ls, unsigned mask, bool follow,
                     struct mcp_ties *ties, char *err)
{
    long added = 0, n;

    if (mask & MCP_CLIENT_CLAUDE_CODE) {
        const char *home = getenv("HOME"), *cfg = getenv("CLAUDE_CONFIG_DIR");

        if (home != NULL && home[0] == '/') {
            char *regfile = cfg != NULL && cfg[0] == '/'
                                ? join(cfg, ".claude.json")
                                : join(home, ".claude.json");
            struct regs rs;

            regs_read(&rs, regfile);
            regs_tie(&rs, ls, ties);
            regs_free(&rs);
            free(regfile);
        }
        if ((n = claude_code(ls, follow, !(mask & MCP_CLIENT_AUTO),
                             err)) < 0)
            return -1;
        added += n;
    }
    if (mask & MCP_CLIENT_CLAUDE_DESKTOP)
        added += claude_desktop(ls, follow, !(mask & MCP_CLIENT_AUTO));
    return added;
}

char *mcp_clients_server_of_path(int format, const char *path)
{
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    size_t n = strlen(base);

    if (format == MCP_FMT_DESKTOP_SERVER && strncmp(base, "mcp-server-", 11) == 0 &&
        n > 15 && strcmp(base + n - 4, ".log") == 0)
        return mcp_strndup(base + 11, n - 15);
    if ((format == MCP_FMT_CC_JSONL || format == MCP_FMT_CC_JSON_ARRAY) &&
        base != path) {
        const char *d = base - 1;

        while (d > path && d[-1] != '/')
            d--;
        if (strncmp(d, "mcp-logs-", 9) == 0 && base - 1 > d + 9)
            return mcp_strndup(d + 9, (size_t)(base - 1 - (d + 9)));
    }
    return NULL;
}
