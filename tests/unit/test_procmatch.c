/* test_procmatch.c - the python rule of server.match on a real folder
 * tree (made under $TMPDIR, removed at the end): resolved paths only,
 * relative script paths never matched, the near misses and their
 * reasons, the interpreter and option parsing. The tree:
 *
 *   R/srv/server.py          the server (server: dir: R/srv)
 *   R/srv/realsub/           a real folder: realsub/.. is srv
 *   R/srv/sub -> R/else/inner   a symlink: sub/.. is R/else
 *   R/else/server.py         what R/srv/sub/../server.py opens
 *   R/link -> R/srv          another name for the server's folder
 *   R/srv-old/server.py, R/srv/server.py.bak, R/srv/not-server.py
 */
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proctest.h"

/* The tree's root (realpath of the mkdtemp folder); paths under it
 * fit in BUFLEN. */
#define BUFLEN 1024
static char root[BUFLEN / 2];

/* root + rel, in one of a ring of buffers (a few live at once). */
static char *at(const char *rel)
{
    static char ring[8][BUFLEN];
    static int k;
    char *b = ring[k++ % 8];

    snprintf(b, sizeof(ring[0]), "%s%s", root, rel);
    return b;
}

static void touch(const char *rel)
{
    FILE *f = fopen(at(rel), "w");

    assert_non_null(f);
    fclose(f);
}

static int setup(void **state)
{
    const char *tmp = getenv("TMPDIR");
    char tmpl[PATH_MAX], *d, *r;

    (void)state;
    snprintf(tmpl, sizeof(tmpl), "%s/procmatch-XXXXXX",
             tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
    d = mkdtemp(tmpl);
    if (d == NULL || (r = realpath(d, NULL)) == NULL)
        return -1;
    if (strlen(r) >= sizeof(root)) {
        free(r);
        return -1;
    }
    snprintf(root, sizeof(root), "%s", r);
    free(r);
    if (mkdir(at("/srv"), 0700) || mkdir(at("/srv/realsub"), 0700) ||
        mkdir(at("/else"), 0700) || mkdir(at("/else/inner"), 0700) ||
        mkdir(at("/srv-old"), 0700) ||
        symlink(at("/else/inner"), at("/srv/sub")) ||
        symlink(at("/srv"), at("/link")))
        return -1;
    touch("/srv/server.py");
    touch("/else/server.py");
    touch("/srv-old/server.py");
    touch("/srv/server.py.bak");
    touch("/srv/not-server.py");
    return 0;
}

static int teardown(void **state)
{
    static const char *const files[] = {
        "/srv/server.py", "/else/server.py", "/srv-old/server.py",
        "/srv/server.py.bak", "/srv/not-server.py", "/srv/sub", "/link"};
    static const char *const dirs[] = {"/srv/realsub", "/srv", "/else/inner",
                                       "/else", "/srv-old", ""};

    (void)state;
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
        unlink(at(files[i]));
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
        rmdir(at(dirs[i]));
    return 0;
}

/* The default config (python: server.py) for R/srv. */
static void load_default(struct mcp_procconf *pc)
{
    char yaml[BUFLEN + 32], err[MCP_ERRLEN];

    snprintf(yaml, sizeof(yaml), "server: {dir: %s}\n", at("/srv"));
    assert_int_equal(load(pc, yaml, err), 0);
    assert_true(pc->server.match_default);
    assert_int_equal(pc->server.nmatch, 1);
}

/* Match with the resolved server dir R/srv; want is checked exactly. */
static int m(const struct mcp_procconf *pc, const char *exe, const char *cwd,
             const char *want, char *const *argv)
{
    char dir[BUFLEN];

    snprintf(dir, sizeof(dir), "%s", at("/srv"));
    return match(pc, dir, exe, cwd, want, argv);
}

static void test_absolute_resolved(void **state)
{
    struct mcp_procconf pc;
    char runs[BUFLEN + 32], s[BUFLEN];

    (void)state;
    load_default(&pc);
    snprintf(s, sizeof(s), "%s", at("/srv/server.py"));
    snprintf(runs, sizeof(runs), "python3.11 runs %s", s);
    assert_int_equal(m(&pc, PY, "/", runs, A("python3", s)), 0);
    /* other spellings of the same file: through a symlink to the
     * folder, ".." after a real folder, "." and "//" */
    assert_int_equal(m(&pc, PY, "/", runs,
                       A("python3", at("/link/server.py"))), 0);
    assert_int_equal(m(&pc, PY, "/", runs,
                       A("python3", at("/srv/realsub/../server.py"))), 0);
    assert_int_equal(m(&pc, PY, "/", runs,
                       A("python3", at("/srv/.//server.py"))), 0);
    /* interpreter options before the script */
    assert_int_equal(m(&pc, PY, "/", runs,
                       A("python3", "-u", "-W", "ignore", "-X", "dev", s,
                         "--port", "1")), 0);
    assert_int_equal(m(&pc, PY, "/", runs,
                       A("python3", "-OO", "-Wignore", "--", s)), 0);
    /* an upgraded interpreter still matches */
    snprintf(runs, sizeof(runs), "python3.12 (deleted) runs %s", s);
    assert_int_equal(m(&pc, "/usr/bin/python3.12 (deleted)", "/", runs,
                       A("python3", s)), 0);
    mcp_procconf_free(&pc);
}

/* A relative script path was resolved by python against its cwd at
 * start, which a chdir() since hides: never a match. When it names the
 * server's script from the cwd the process has now, it is a near miss
 * and says so. */
static void test_relative_never(void **state)
{
    static const char why_fmt[] = "not matched: relative script path %s, "
                                  "the folder it started in cannot be known";
    struct mcp_procconf pc;
    char why[256];

    (void)state;
    load_default(&pc);
    snprintf(why, sizeof(why), why_fmt, "server.py");
    assert_int_equal(m(&pc, PY, at("/srv"), why, A("python3", "server.py")),
                     -1);
    snprintf(why, sizeof(why), why_fmt, "./server.py");
    assert_int_equal(m(&pc, PY, at("/srv"), why,
                       A("python3", "./server.py", "--port", "1")), -1);
    snprintf(why, sizeof(why), why_fmt, "srv/server.py");
    assert_int_equal(m(&pc, PY, root, why, A("python3", "srv/server.py")),
                     -1);
    snprintf(why, sizeof(why), why_fmt, "../link/./server.py");
    assert_int_equal(m(&pc, PY, at("/else"), why,
                       A("python3", "../link/./server.py")), -1);
    /* from a folder with a server.py of its own: not even a near miss */
    assert_int_equal(m(&pc, PY, at("/else"), "(none)",
                       A("python3", "server.py")), -1);
    assert_int_equal(m(&pc, PY, "/tmp", "(none)", A("python3", "server.py")),
                     -1);
    mcp_procconf_free(&pc);
}

static void test_python_decoys(void **state)
{
    struct mcp_procconf pc;
    char why[3 * BUFLEN], s[BUFLEN];

    (void)state;
    load_default(&pc);
    snprintf(s, sizeof(s), "%s", at("/srv/server.py"));
    /* ".." after a symlink: the kernel opens R/else/server.py */
    snprintf(why, sizeof(why), "not matched: %s resolves to %s",
             at("/srv/sub/../server.py"), at("/else/server.py"));
    assert_int_equal(m(&pc, PY, "/", why,
                       A("python3", at("/srv/sub/../server.py"))), -1);
    /* ".." after a folder that does not exist: nothing to open */
    snprintf(why, sizeof(why), "not matched: %s does not resolve",
             at("/srv/missing/../server.py"));
    assert_int_equal(m(&pc, PY, "/", why,
                       A("python3", at("/srv/missing/../server.py"))), -1);
    /* other files, other folders, the name as a substring */
    assert_int_equal(m(&pc, PY, "/", "(none)",
                       A("python3", at("/srv/server.py.bak"))), -1);
    assert_int_equal(m(&pc, PY, "/", "(none)",
                       A("python3", at("/srv/not-server.py"))), -1);
    assert_int_equal(m(&pc, PY, "/", "(none)",
                       A("python3", at("/srv-old/server.py"))), -1);
    assert_int_equal(m(&pc, PY, "/", "(none)",
                       A("python3", at("/srv/sub/server.py"))), -1);
    assert_int_equal(m(&pc, PY, "/", "(none)",
                       A("python3", at("/srv/realsub/server.py"))), -1);
    /* server.py as an argument, not the script */
    assert_int_equal(m(&pc, PY, at("/srv"), "(none)",
                       A("python3", "tool.py", s)), -1);
    assert_int_equal(m(&pc, PY, "/", "(none)",
                       A("python3", "-c", "import x", s)), -1);
    assert_int_equal(m(&pc, PY, "/", "(none)",
                       A("python3", "-m", "server", s)), -1);
    assert_int_equal(m(&pc, PY, "/", "(none)", A("python3", "-", s)), -1);
    /* not a python interpreter, whatever argv[0] claims */
    assert_int_equal(m(&pc, "/usr/bin/sleep", "/", "(none)",
                       A("python3", s)), -1);
    assert_int_equal(m(&pc, "/usr/bin/python3-config", "/", "(none)",
                       A("python3", s)), -1);
    assert_int_equal(m(&pc, "/opt/pythonista", "/", "(none)",
                       A("python3", s)), -1);
    assert_int_equal(m(&pc, NULL, "/", "(none)", A("python3", s)), -1);
    /* no dir known: the rule cannot hold */
    assert_int_equal(match(&pc, NULL, PY, "/", "(none)", A("python3", s)),
                     -1);
    /* a python with cwd DIR running something else: not by default */
    assert_int_equal(m(&pc, PY, at("/srv"), "(none)",
                       A("python3", "other.py")), -1);
    mcp_procconf_free(&pc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_absolute_resolved),
        cmocka_unit_test(test_relative_never),
        cmocka_unit_test(test_python_decoys),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
