/* procmatch.c - the server.match rules applied to one process
 * description (procs.h: mcp_procs_match). Pure: no /proc access except
 * realpath() on the paths compared. */
#include "proc/procs_int.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match/pattern.h"
#include "base/util.h"

/* --- matching ------------------------------------------------------------- */

const char *mcp_path_base(const char *path)
{
    const char *s = strrchr(path, '/');

    return s ? s + 1 : path;
}

/* python, python3, python3.11 (a resolved /proc/PID/exe never is a
 * venv's symlink, so this sees the real interpreter). */
static bool is_python(const char *exe)
{
    const char *b;

    if (exe == NULL)
        return false;
    b = mcp_path_base(exe);
    if (strncmp(b, "python", 6) != 0)
        return false;
    b += 6;
    while (*b >= '0' && *b <= '9')
        b++;
    if (*b == '.' && b[1] >= '0' && b[1] <= '9') {
        b++;
        while (*b >= '0' && *b <= '9')
            b++;
    }
    return *b == '\0' || strcmp(b, " (deleted)") == 0;
}

/* The script a python command line runs, or NULL (-c, -m, stdin). */
static const char *python_script(char *const *argv, int argc)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];

        if (strcmp(a, "--") == 0)
            return i + 1 < argc ? argv[i + 1] : NULL;
        if (a[0] != '-')
            return a;
        if (strcmp(a, "-") == 0)
            return NULL;
        if (a[1] == '-') {
            if (strcmp(a, "--check-hash-based-pycs") == 0)
                i++;
            continue;
        }
        for (const char *c = a + 1; *c != '\0'; c++) {
            if (*c == 'c' || *c == 'm')
                return NULL;
            if (*c == 'W' || *c == 'X') {
                if (c[1] == '\0')
                    i++;
                break;
            }
        }
    }
    return NULL;
}

char *mcp_path_normalize(const char *path)
{
    size_t n = strlen(path), o = 0;
    char *r = mcp_malloc(n + 2);

    for (const char *p = path; *p != '\0';) {
        const char *e;
        size_t l;

        while (*p == '/')
            p++;
        if (*p == '\0')
            break;
        e = strchr(p, '/');
        l = e ? (size_t)(e - p) : strlen(p);
        if (l == 1 && p[0] == '.') {
            /* skip */
        } else if (l == 2 && p[0] == '.' && p[1] == '.') {
            while (o > 0 && r[o - 1] != '/')
                o--;
            if (o > 0)
                o--;
        } else {
            r[o++] = '/';
            memcpy(r + o, p, l);
            o += l;
        }
        p += l;
    }
    if (o == 0)
        r[o++] = '/';
    r[o] = '\0';
    return r;
}

/* The file the kernel opens for the absolute path p, as far as it can
 * be known now: realpath(p); for a file that is gone (a script deleted
 * while it runs), its resolved folder and its name. NULL when not even
 * the folder resolves. */
static char *resolve(const char *p)
{
    char *r = realpath(p, NULL), *dir, *rd;
    const char *slash = strrchr(p, '/'), *name;

    if (r != NULL || slash == NULL)
        return r;
    name = slash + 1;
    if (*name == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return NULL;
    dir = mcp_strndup(p, (size_t)(slash - p));
    rd = realpath(dir[0] != '\0' ? dir : "/", NULL);
    free(dir);
    if (rd == NULL)
        return NULL;
    r = mcp_path_join(strcmp(rd, "/") == 0 ? "" : rd, name);
    free(rd);
    return r;
}

/* Do a and b read as the same path once "." and ".." are folded by
 * hand? (Only to tell a near miss: the kernel does not fold them so.) */
static bool reads_same(const char *a, const char *b)
{
    char *na = mcp_path_normalize(a), *nb = mcp_path_normalize(b);
    bool same = strcmp(na, nb) == 0;

    free(na);
    free(nb);
    return same;
}

static char *fmt(const char *f, const char *a, const char *b)
{
    size_t n = strlen(f) + strlen(a) + strlen(b) + 1;
    char *r = mcp_malloc(n);

    snprintf(r, n, f, a, b);
    return r;
}

static char *joined(char *const *argv, int argc)
{
    struct mcp_buf b;

    mcp_buf_init(&b);
    for (int i = 0; i < argc; i++) {
        if (i > 0)
            mcp_buf_putc(&b, ' ');
        mcp_buf_puts(&b, argv[i]);
    }
    mcp_buf_putc(&b, '\0');
    b.len--;
    return mcp_buf_steal(&b);
}

/* Does the anchored pattern match the whole of s? */
static bool whole_match(const struct mcp_pattern *re, const char *s)
{
    struct mcp_match *m = mcp_match_create();
    size_t len = strlen(s), so, eo;
    bool ok;

    ok = mcp_pattern_exec(re, m, s, len, 0) == 1 &&
         mcp_match_group(m, 0, &so, &eo) == 1 && so == 0 && eo == len;
    mcp_match_destroy(m);
    return ok;
}

/* The python rule for script (DIR-relative, as configured): 1 with
 * *why set when the process runs DIR/script, the paths compared
 * resolved; 0 otherwise, then with *near set (when still NULL) if it
 * only seems to: a relative script path that names DIR/script from the
 * cwd it has now, or an absolute one that reads as DIR/script but
 * resolves elsewhere (or not at all). */
static int python_rule(const char *script, const char *dir_real,
                       const char *exe, char *const *argv, int argc,
                       const char *cwd, char **why, char **near)
{
    const char *scr;
    char *want_lex, *want, *got;
    int hit = 0;

    if (dir_real == NULL || !is_python(exe) ||
        (scr = python_script(argv, argc)) == NULL)
        return 0;
    want_lex = mcp_path_join(dir_real, script);
    want = resolve(want_lex);
    if (scr[0] != '/') {
        /* python resolved it against its cwd at start; that cwd is
         * gone from view once the process chdir()s: never a match */
        char *from_now = cwd != NULL && cwd[0] == '/'
                             ? mcp_path_join(cwd, scr) : NULL;

        got = from_now != NULL ? resolve(from_now) : NULL;
        if (*near == NULL && from_now != NULL &&
            ((got != NULL && want != NULL && strcmp(got, want) == 0) ||
             reads_same(from_now, want_lex)))
            *near = fmt("not matched: relative script path %s, the folder "
                        "it started in cannot be known%s", scr, "");
        free(from_now);
    } else {
        got = resolve(scr);
        if (got != NULL && want != NULL && strcmp(got, want) == 0) {
            *why = fmt("%s runs %s", mcp_path_base(exe), got);
            hit = 1;
        } else if (*near == NULL && reads_same(scr, want_lex)) {
            *near = got != NULL
                        ? fmt("not matched: %s resolves to %s", scr, got)
                        : fmt("not matched: %s does not resolve%s", scr, "");
        }
    }
    free(got);
    free(want);
    free(want_lex);
    return hit;
}

/* Does rule m (entry i) hold? Sets *why when it does; a python rule may
 * set *near when it does not. */
static bool rule_holds(const struct mcp_proc_match *m, size_t i,
                       const char *dir_real, const char *exe,
                       char *const *argv, int argc, const char *cwd,
                       char **why, char **near)
{
    switch (m->kind) {
    case MCP_MATCH_PYTHON:
        return python_rule(m->arg, dir_real, exe, argv, argc, cwd, why,
                           near) != 0;
    case MCP_MATCH_CWD:
        if (dir_real != NULL && is_python(exe) && cwd != NULL &&
            strcmp(cwd, dir_real) == 0) {
            *why = fmt("%s with cwd %s", mcp_path_base(exe), cwd);
            return true;
        }
        return false;
    case MCP_MATCH_ARGV: {
        char *line, num[32];
        bool ok;

        if (argc == 0 || m->re == NULL)
            return false;
        line = joined(argv, argc);
        ok = whole_match(m->re, line);
        free(line);
        if (ok) {
            snprintf(num, sizeof(num), "%zu", i + 1);
            *why = fmt("argv matches pattern %s%s", num, "");
        }
        return ok;
    }
    case MCP_MATCH_EXE: {
        size_t l = strlen(m->arg);
        char *r;
        bool ok;

        if (exe == NULL)
            return false;
        ok = strcmp(exe, m->arg) == 0 ||
             (strncmp(exe, m->arg, l) == 0 &&
              strcmp(exe + l, " (deleted)") == 0);
        if (!ok && (r = realpath(m->arg, NULL)) != NULL) {
            ok = strcmp(exe, r) == 0;
            free(r);
        }
        if (ok)
            *why = fmt("exe is %s%s", exe, "");
        return ok;
    }
    }
    return false;
}

int mcp_procs_match(const struct mcp_procconf *pc, const char *dir_real,
                    const char *exe, char *const *argv, int argc,
                    const char *cwd, char **why)
{
    const struct mcp_server_conf *s = &pc->server;
    char *near = NULL;

    *why = NULL;
    for (size_t i = 0; i < s->nmatch; i++)
        if (rule_holds(&s->match[i], i, dir_real, exe, argv, argc, cwd, why,
                       &near)) {
            free(near);
            return (int)i;
        }
    *why = near;
    return -1;
}

char *mcp_proc_cmdline(const struct mcp_proc *p)
{
    if (p->argc == 0)
        return fmt("[%s]%s", p->exe ? mcp_path_base(p->exe) : "?", "");
    return joined(p->argv, p->argc);
}
