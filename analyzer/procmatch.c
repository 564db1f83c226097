/* procmatch.c - the server.match rules applied to one process
 * description (procs.h: mcp_procs_match). Pure: no /proc access except
 * realpath() on the paths compared. */
#include "procs.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pattern.h"
#include "util.h"

/* --- matching ------------------------------------------------------------- */

static const char *base(const char *p)
{
    const char *s = strrchr(p, '/');

    return s ? s + 1 : p;
}

/* python, python3, python3.11 (a resolved /proc/PID/exe never is a
 * venv's symlink, so this sees the real interpreter). */
static bool is_python(const char *exe)
{
    const char *b;

    if (exe == NULL)
        return false;
    b = base(exe);
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

static char *join(const char *a, const char *b)
{
    size_t la = strlen(a);
    char *r = mcp_malloc(la + strlen(b) + 2);

    memcpy(r, a, la);
    r[la] = '/';
    strcpy(r + la + 1, b);
    return r;
}

/* Do paths a and b name the same file: lexically, or once resolved? */
static bool same_path(const char *a, const char *b)
{
    char *na = mcp_path_normalize(a), *nb = mcp_path_normalize(b), *ra, *rb;
    bool same = strcmp(na, nb) == 0;

    free(na);
    free(nb);
    if (same)
        return true;
    ra = realpath(a, NULL);
    rb = ra ? realpath(b, NULL) : NULL;
    same = rb != NULL && strcmp(ra, rb) == 0;
    free(ra);
    free(rb);
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

int mcp_procs_match(const struct mcp_procconf *pc, const char *dir_real,
                    const char *exe, char *const *argv, int argc,
                    const char *cwd, char **why)
{
    const struct mcp_server_conf *s = &pc->server;

    for (size_t i = 0; i < s->nmatch; i++) {
        const struct mcp_proc_match *m = &s->match[i];

        switch (m->kind) {
        case MCP_MATCH_PYTHON: {
            const char *scr;
            char *path, *want;
            bool ok;

            if (dir_real == NULL || !is_python(exe) ||
                (scr = python_script(argv, argc)) == NULL)
                break;
            if (scr[0] == '/')
                path = mcp_strdup(scr);
            else if (cwd != NULL && cwd[0] == '/')
                path = join(cwd, scr);
            else
                break;
            want = join(dir_real, m->arg);
            ok = same_path(path, want);
            free(want);
            if (ok) {
                char *n = mcp_path_normalize(path);

                *why = fmt("%s runs %s", base(exe), n);
                free(n);
                free(path);
                return (int)i;
            }
            free(path);
            break;
        }
        case MCP_MATCH_CWD:
            if (dir_real != NULL && is_python(exe) && cwd != NULL &&
                strcmp(cwd, dir_real) == 0) {
                *why = fmt("%s with cwd %s", base(exe), cwd);
                return (int)i;
            }
            break;
        case MCP_MATCH_ARGV: {
            char *line, num[32];
            bool ok;

            if (argc == 0 || m->re == NULL)
                break;
            line = joined(argv, argc);
            ok = whole_match(m->re, line);
            free(line);
            if (ok) {
                snprintf(num, sizeof(num), "%zu", i + 1);
                *why = fmt("argv matches pattern %s%s", num, "");
                return (int)i;
            }
            break;
        }
        case MCP_MATCH_EXE: {
            size_t l = strlen(m->arg);
            char *r;
            bool ok;

            if (exe == NULL)
                break;
            ok = strcmp(exe, m->arg) == 0 ||
                 (strncmp(exe, m->arg, l) == 0 &&
                  strcmp(exe + l, " (deleted)") == 0);
            if (!ok && (r = realpath(m->arg, NULL)) != NULL) {
                ok = strcmp(exe, r) == 0;
                free(r);
            }
            if (ok) {
                *why = fmt("exe is %s%s", exe, "");
                return (int)i;
            }
            break;
        }
        }
    }
    return -1;
}

char *mcp_proc_cmdline(const struct mcp_proc *p)
{
    if (p->argc == 0)
        return fmt("[%s]%s", p->exe ? base(p->exe) : "?", "");
    return joined(p->argv, p->argc);
}
