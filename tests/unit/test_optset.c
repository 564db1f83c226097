/* test_optset.c - the one table-driven option setter (analyzer/base/
 * optset.c): defaults, every type, bounds, words, nested mappings,
 * custom readers, unknown and required keys, and the help printed from
 * the table. Every error asserts the exact message, file:line:col
 * included. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/optset.h"
#include "base/util.h"
#include "base/yamlutil.h"

struct conf {
    char *name;
    long n;
    bool on;
    int64_t wait;
    char **list;
    int sev;
    uint64_t size;
    char *path;
    int mode;
    long inner_a;
    int64_t inner_b;
    int custom_calls;
    bool custom_absent;
};

static const char *const modes[] = {"fast", "slow", "off", NULL};
static const char *const zero[] = {"never", "0", NULL};

static int custom(struct mcp_yaml *y, yaml_node_t *n, void *field, char *err)
{
    struct conf *c = field;

    (void)y;
    (void)err;
    c->custom_calls++;
    c->custom_absent = n == NULL;
    return 0;
}

static const struct mcp_opt inner[] = {
    {.key = "a", .type = MCP_OPT_INT, .def = "7",
     .offset = offsetof(struct conf, inner_a), .min = 1, .max = 9,
     .help = "a number"},
    {.key = "b", .type = MCP_OPT_DURATION, .def = "2s",
     .offset = offsetof(struct conf, inner_b), .help = "a time"},
    {0},
};

static const struct mcp_opt table[] = {
    {.key = "name", .type = MCP_OPT_STR, .def = "x",
     .offset = offsetof(struct conf, name), .help = "its name"},
    {.key = "n", .type = MCP_OPT_INT, .def = "3",
     .offset = offsetof(struct conf, n), .min = 0, .max = 10,
     .help = "how many"},
    {.key = "on", .type = MCP_OPT_BOOL, .def = "true",
     .offset = offsetof(struct conf, on), .label = "section: on",
     .help = "whether"},
    {.key = "wait", .type = MCP_OPT_DURATION, .def = "1m",
     .offset = offsetof(struct conf, wait), .min = 1000, .max = 3600000,
     .words = zero, .help = "how long"},
    {.key = "list", .type = MCP_OPT_STRLIST,
     .offset = offsetof(struct conf, list), .help = "some words"},
    {.key = "sev", .type = MCP_OPT_SEVERITY, .def = "warning",
     .offset = offsetof(struct conf, sev), .help = "a severity"},
    {.key = "size", .type = MCP_OPT_SIZE, .def = "1KiB",
     .offset = offsetof(struct conf, size), .help = "a size"},
    {.key = "path", .type = MCP_OPT_PATH,
     .offset = offsetof(struct conf, path), .help = "a file"},
    {.key = "mode", .type = MCP_OPT_ENUM, .def = "slow",
     .offset = offsetof(struct conf, mode), .words = modes,
     .help = "the mode"},
    {.key = "inner", .type = MCP_OPT_MAP, .sub = inner},
    {.key = "custom", .type = MCP_OPT_CUSTOM, .set = custom,
     .help = "anything"},
    {0},
};

static const struct mcp_opt needs[] = {
    {.key = "must", .type = MCP_OPT_STR, .required = true,
     .offset = offsetof(struct conf, name), .help = "required"},
    {0},
};

/* Set c from the mapping under the key "s" of text; -1 with err. */
static int set(const struct mcp_opt *t, struct conf *c, const char *text,
               char *err)
{
    struct mcp_yaml y;
    yaml_node_t *root;
    int rc;

    memset(c, 0, sizeof(*c));
    err[0] = '\0';
    if (mcp_yaml_load(&y, "t.yaml", text, strlen(text), err) != 0)
        return -2;
    root = mcp_yaml_root(&y);
    rc = mcp_opt_set(t, c, &y, root ? mcp_yaml_get(&y, root, "s") : NULL,
                     "s", NULL, err);
    mcp_yaml_free(&y);
    return rc;
}

static void test_defaults(void **state)
{
    struct conf c;
    char err[MCP_ERRLEN];

    (void)state;
    assert_int_equal(set(table, &c, "s: ~\n", err), 0);
    assert_string_equal(c.name, "x");
    assert_int_equal(c.n, 3);
    assert_true(c.on);
    assert_int_equal(c.wait, 60000);
    assert_null(c.list);
    assert_int_equal(c.sev, 2);
    assert_int_equal(c.size, 1024);
    assert_null(c.path);
    assert_int_equal(c.mode, 1);
    assert_int_equal(c.inner_a, 7);
    assert_int_equal(c.inner_b, 2000);
    assert_int_equal(c.custom_calls, 1);
    assert_true(c.custom_absent);
    mcp_opt_free(table, &c);
}

static void test_values(void **state)
{
    struct conf c;
    char err[MCP_ERRLEN];

    (void)state;
    setenv("HOME", "/home/u/", 1);
    assert_int_equal(set(table, &c,
                         "s: {name: y, n: 10, on: no, wait: never,\n"
                         "    list: [a, b], sev: critical, size: 1.5 KB,\n"
                         "    path: ~/f, mode: off, inner: {a: 9, b: 1h},\n"
                         "    custom: [anything, {goes: here}]}\n",
                         err), 0);
    assert_string_equal(err, "");
    assert_string_equal(c.name, "y");
    assert_int_equal(c.n, 10);
    assert_false(c.on);
    assert_int_equal(c.wait, 0);
    assert_string_equal(c.list[0], "a");
    assert_string_equal(c.list[1], "b");
    assert_null(c.list[2]);
    assert_int_equal(c.sev, 3);
    assert_int_equal(c.size, 1500);
    assert_string_equal(c.path, "/home/u/f");
    assert_int_equal(c.mode, 2);
    assert_int_equal(c.inner_a, 9);
    assert_int_equal(c.inner_b, 3600000);
    assert_int_equal(c.custom_calls, 1);
    assert_false(c.custom_absent);
    mcp_opt_free(table, &c);
    assert_null(c.name);
    assert_null(c.list);
    assert_null(c.path);
}

static void expect(const struct mcp_opt *t, const char *text,
                   const char *want)
{
    struct conf c;
    char err[MCP_ERRLEN];

    assert_int_equal(set(t, &c, text, err), -1);
    assert_string_equal(err, want);
    mcp_opt_free(t, &c);
}

static void test_errors(void **state)
{
    (void)state;
    expect(table, "s: {nmae: z}\n",
           "t.yaml:1:5: s: unknown key 'nmae' (did you mean 'name'?)");
    expect(table, "s: [1]\n", "t.yaml:1:4: s must be a mapping");
    expect(table, "s: {n: 11}\n",
           "t.yaml:1:8: n must be an integer from 0 to 10, not '11'");
    expect(table, "s: {n: +1}\n",
           "t.yaml:1:8: n must be an integer from 0 to 10, not '+1'");
    expect(table, "s: {on: maybe}\n",
           "t.yaml:1:9: section: on must be true or false");
    expect(table, "s: {wait: 5}\n",
           "t.yaml:1:11: wait: bad duration '5': a unit is required "
           "(ms, s, m, h, d, w)");
    expect(table, "s: {wait: 500ms}\n",
           "t.yaml:1:11: wait must be at least 1s");
    expect(table, "s: {wait: 2h}\n", "t.yaml:1:11: wait must be at most 1h");
    expect(table, "s: {list: a}\n",
           "t.yaml:1:11: list must be a list of strings");
    expect(table, "s: {list: [a, [b]]}\n",
           "t.yaml:1:15: list: item 2 must be a string without NUL");
    expect(table, "s: {sev: high}\n",
           "t.yaml:1:10: sev must be info, warning or critical, not 'high'");
    expect(table, "s: {size: 5XB}\n",
           "t.yaml:1:11: size: bad size '5XB': unknown unit 'XB' (use B, "
           "KB, MB, GB, TB, KiB, MiB, GiB or TiB)");
    expect(table, "s: {path: rel}\n",
           "t.yaml:1:11: path must be an absolute path or start with ~/, "
           "not 'rel'");
    expect(table, "s: {mode: medium}\n",
           "t.yaml:1:11: mode must be fast, slow or off, not 'medium'");
    expect(table, "s: {inner: {colour: 1}}\n",
           "t.yaml:1:13: inner: unknown key 'colour'");
    expect(table, "s: {inner: {a: 0}}\n",
           "t.yaml:1:16: a must be an integer from 1 to 9, not '0'");
    expect(table, "s: {name: [x]}\n", "t.yaml:1:11: name must be a string");
    expect(needs, "s: {}\n", "t.yaml:1:4: must is required");
}

static void test_help(void **state)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    (void)state;
    mcp_opt_help(table, f);
    fclose(f);
    assert_string_equal(text,
        "  name             string    its name (default: x)\n"
        "  n                integer   how many (default: 3)\n"
        "  on               boolean   whether (default: true)\n"
        "  wait             duration  how long (default: 1m)\n"
        "  list             list      some words\n"
        "  sev              severity  a severity (default: warning)\n"
        "  size             size      a size (default: 1KiB)\n"
        "  path             path      a file\n"
        "  mode             word      the mode: fast, slow or off "
        "(default: slow)\n"
        "  inner.a          integer   a number (default: 7)\n"
        "  inner.b          duration  a time (default: 2s)\n"
        "  custom           list      anything\n");
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_help),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
