/* test_rules.c - rule loading (analyzer/rules.c, analyzer/yamlutil.c).
 *
 * Every error case asserts the exact message, file:line:col included:
 * messages are part of the interface (tests and users read them).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "match/pattern.h"
#include "match/rules.h"
#include "base/util.h"

/* --- helpers ------------------------------------------------------------ */

static int load(struct mcp_ruleset *rs, const char *name, const char *yaml,
                char *err)
{
    err[0] = '\0';
    return mcp_rules_load_buffer(rs, name, yaml, strlen(yaml), err);
}

/* yaml must be refused with exactly msg, leaving an empty set empty. */
static void check_error(const char *yaml, const char *msg)
{
    struct mcp_ruleset rs;
    char err[MCP_ERRLEN];

    mcp_ruleset_init(&rs);
    assert_int_equal(load(&rs, "t.yaml", yaml, err), -1);
    assert_string_equal(err, msg);
    assert_int_equal(rs.n, 0);
    mcp_ruleset_free(&rs);
}

static void check_ok(struct mcp_ruleset *rs, const char *name,
                     const char *yaml)
{
    char err[MCP_ERRLEN];

    if (load(rs, name, yaml, err) != 0)
        fail_msg("unexpected error: %s", err);
    assert_string_equal(err, "");
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static void remove_tree(const char *dir)
{
    char cmd[600];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static bool matches(const struct mcp_pattern *p, const char *s)
{
    struct mcp_match *m = mcp_match_create();
    int rc = mcp_pattern_exec(p, m, s, strlen(s), 0);

    mcp_match_destroy(m);
    return rc == 1;
}

/* --- valid files -------------------------------------------------------- */

static void test_full_rule(void **state)
{
    struct mcp_ruleset rs;
    const struct mcp_rule *r;
    const char *yaml =
        "# comment\n"
        "rules:\n"
        "  - name: tool-call-rate\n"
        "    description: too many calls of one tool\n"
        "    source: activity\n"
        "    match: 'TOOL_CALL: (?<tool>\\S+) with (?<args>.*)'\n"
        "    exclude: 'TOOL_CALL: ping'\n"
        "    group_by: [tool, args]\n"
        "    threshold: {count: 60, window: 1m30s}\n"
        "    severity: warning\n"
        "    summary: '{count} calls of {tool} in {window} ({rule}, "
        "{severity}, {line}, {{x}})'\n"
        "    cooldown: 10m\n"
        "    enabled: yes\n"
        "  - name: startup.not_ready-2\n"
        "    source: server\n"
        "    match: ' - root - INFO - Process PID: (?<pid>\\d+)'\n"
        "    expect:\n"
        "      match: 'Server ready - waiting for tool requests'\n"
        "      within: 30s\n"
        "    severity: critical\n"
        "    summary: not ready after {within} (pid {pid})\n"
        "  - name: counter\n"
        "    match: Failed\n"
        "    source: 'mcp-server-*.log'\n"
        "    threshold:\n"
        "      count: 0\n"
        "      window: 500ms\n"
        "    severity: info\n";

    (void)state;
    mcp_ruleset_init(&rs);
    check_ok(&rs, "rules/tools.yaml", yaml);
    assert_int_equal(rs.n, 3);

    r = &rs.rules[0];
    assert_string_equal(r->name, "tool-call-rate");
    assert_string_equal(r->description, "too many calls of one tool");
    assert_int_equal(r->source, MCP_SRC_ACTIVITY);
    assert_null(r->source_glob);
    assert_string_equal(r->match_src, "TOOL_CALL: (?<tool>\\S+) with (?<args>.*)");
    assert_non_null(r->match);
    assert_true(matches(r->match, "x TOOL_CALL: read with {}"));
    assert_string_equal(r->exclude_src, "TOOL_CALL: ping");
    assert_true(matches(r->exclude, "TOOL_CALL: ping with"));
    assert_int_equal(r->n_group_by, 2);
    assert_string_equal(r->group_by[0], "tool");
    assert_int_equal(r->group_cap[0], 1);
    assert_string_equal(r->group_by[1], "args");
    assert_int_equal(r->group_cap[1], 2);
    assert_true(r->has_threshold);
    assert_int_equal(r->threshold_count, 60);
    assert_int_equal(r->window_ms, 90000);
    assert_string_equal(r->window_src, "1m30s");
    assert_false(r->has_expect);
    assert_null(r->expect);
    assert_null(r->expect_src);
    assert_null(r->within_src);
    assert_int_equal(r->severity, MCP_SEV_WARNING);
    assert_string_equal(r->summary, "{count} calls of {tool} in {window} "
                                    "({rule}, {severity}, {line}, {{x}})");
    assert_int_equal(r->cooldown_ms, 600000);
    assert_string_equal(r->file, "rules/tools.yaml");
    assert_int_equal(r->line, 3);
    assert_int_equal(r->col, 5);

    r = &rs.rules[1];
    assert_string_equal(r->name, "startup.not_ready-2");
    assert_null(r->description);
    assert_int_equal(r->source, MCP_SRC_SERVER);
    assert_null(r->exclude_src);
    assert_null(r->exclude);
    assert_int_equal(r->n_group_by, 0);
    assert_false(r->has_threshold);
    assert_null(r->window_src);
    assert_true(r->has_expect);
    assert_string_equal(r->expect_src,
                        "Server ready - waiting for tool requests");
    assert_true(matches(r->expect, "x Server ready - waiting for tool "
                                   "requests"));
    assert_int_equal(r->within_ms, 30000);
    assert_string_equal(r->within_src, "30s");
    assert_int_equal(r->severity, MCP_SEV_CRITICAL);
    assert_string_equal(r->summary, "not ready after {within} (pid {pid})");
    assert_int_equal(r->cooldown_ms, 0);
    assert_int_equal(r->line, 14);
    assert_int_equal(r->col, 5);

    r = &rs.rules[2];
    assert_int_equal(r->source, MCP_SRC_GLOB);
    assert_string_equal(r->source_glob, "mcp-server-*.log");
    assert_int_equal(r->threshold_count, 0);
    assert_int_equal(r->window_ms, 500);
    assert_int_equal(r->severity, MCP_SEV_INFO);
    assert_null(r->summary);
    assert_int_equal(mcp_ruleset_find(&rs, "counter"), 2);
    assert_int_equal(mcp_ruleset_find(&rs, "nope"), -1);
    mcp_ruleset_free(&rs);
    assert_int_equal(rs.n, 0);
    assert_null(rs.rules);
}

static void test_defaults_and_empty_files(void **state)
{
    static const char *const empty[] = {
        "", "# only a comment\n", "rules: []\n", "rules:\n", "---\n",
        "{}\n", "rules: ~\n",
    };
    struct mcp_ruleset rs;
    const struct mcp_rule *r;

    (void)state;
    mcp_ruleset_init(&rs);
    for (size_t i = 0; i < sizeof(empty) / sizeof(empty[0]); i++) {
        check_ok(&rs, "t.yaml", empty[i]);
        assert_int_equal(rs.n, 0);
    }
    assert_int_equal(mcp_rules_load_buffer(&rs, NULL, NULL, 0,
                                           (char[MCP_ERRLEN]){0}), 0);
    check_ok(&rs, "t.yaml", "rules:\n- {name: '0a', match: 'abc'}\n");
    assert_int_equal(rs.n, 1);
    r = &rs.rules[0];
    assert_int_equal(r->source, MCP_SRC_ANY);
    assert_int_equal(r->severity, MCP_SEV_NONE);
    assert_false(r->has_threshold);
    assert_false(r->has_expect);
    assert_int_equal(r->cooldown_ms, 0);
    assert_int_equal(r->line, 2);
    assert_int_equal(r->col, 3);
    mcp_ruleset_free(&rs);
}

/* --- errors ------------------------------------------------------------- */

static void test_error_keys(void **state)
{
    (void)state;
    check_error("rules:\n"
                "  - name: tool-call-rate\n"
                "    match: abc\n"
                "    treshold: {count: 1, window: 1m}\n",
                "t.yaml:4:5: rule 'tool-call-rate': unknown key 'treshold' "
                "(did you mean 'threshold'?)");
    check_error("rules:\n- {name: x, match: abc, nmae: y}\n",
                "t.yaml:2:25: rule 'x': unknown key 'nmae' "
                "(did you mean 'name'?)");
    check_error("rules:\n- {name: x, match: abc, colour: red}\n",
                "t.yaml:2:25: rule 'x': unknown key 'colour'");
    check_error("rules:\n- {name: x, match: abc, match: abd}\n",
                "t.yaml:2:25: rule 'x': duplicate key 'match'");
    check_error("rules:\n- {name: x, match: abc, [a]: 1}\n",
                "t.yaml:2:25: rule 'x': keys must be plain strings");
    check_error("rules:\n- {name: x, match: abc, \"\\x01\": 1}\n",
                "t.yaml:2:25: rule 'x': unknown key '\\x01'");
    /* Before the name is known (or when it is bad) there is no prefix. */
    check_error("rules:\n- {name: X, match: abc, bad: 1}\n",
                "t.yaml:2:25: unknown key 'bad'");
    check_error("rules:\n"
                "  - match: abc\n"
                "    severity: info\n",
                "t.yaml:2:5: missing required key 'name'");
    check_error("rules:\n"
                "  - name: no-match\n"
                "    severity: info\n",
                "t.yaml:2:5: rule 'no-match': missing required key 'match'");
    check_error("rules:\n- {name: x, match: abc, threshold: {count: 1, "
                "window: 1m, win: 2}}\n",
                "t.yaml:2:59: rule 'x': threshold: unknown key 'win' "
                "(did you mean 'window'?)");
    check_error("rules:\n- {name: x, match: abc, severity: info, "
                "threshold: {count: 1}}\n",
                "t.yaml:2:52: rule 'x': threshold needs 'window'");
    check_error("rules:\n- {name: x, match: abc, severity: info, "
                "expect: {within: 1s}}\n",
                "t.yaml:2:49: rule 'x': expect needs 'match'");
}

static void test_error_values(void **state)
{
    (void)state;
    check_error("rules:\n- name: Tool Rate\n  match: abc\n",
                "t.yaml:2:9: bad rule name 'Tool Rate': use a-z, 0-9, '_', "
                "'.' and '-', starting with a letter or digit");
    check_error("rules:\n- name: -x\n  match: abc\n",
                "t.yaml:2:9: bad rule name '-x': use a-z, 0-9, '_', "
                "'.' and '-', starting with a letter or digit");
    check_error("rules:\n- name: [x]\n  match: abc\n",
                "t.yaml:2:9: 'name' must be a string");
    check_error("rules:\n- name: x\n  match: abc\n  severity: info\n"
                "  threshold: {count: 5, window: 5x}\n",
                "t.yaml:5:33: rule 'x': window: bad duration '5x': unknown "
                "unit at 'x' (use ms, s, m, h, d, w)");
    check_error("rules:\n- name: x\n  match: abc\n  severity: info\n"
                "  threshold: {count: 5, window: 30}\n",
                "t.yaml:5:33: rule 'x': window: bad duration '30': a unit "
                "is required (ms, s, m, h, d, w)");
    check_error("rules:\n- name: x\n  match: abc\n  severity: info\n"
                "  threshold: {count: 5, window: 0s}\n",
                "t.yaml:5:33: rule 'x': window must be greater than 0");
    check_error("rules:\n- name: x\n  match: abc\n  severity: info\n"
                "  expect: {match: def, within: 0ms}\n",
                "t.yaml:5:32: rule 'x': within must be greater than 0");
    check_error("rules:\n- name: x\n  match: abc\n  cooldown: soon\n",
                "t.yaml:4:13: rule 'x': cooldown: bad duration 'soon': "
                "expected a number at 'soon'");
    check_error("rules:\n- name: x\n  match: abc\n  severity: info\n"
                "  threshold: {count: -1, window: 1m}\n",
                "t.yaml:5:22: rule 'x': count must be an integer >= 0, "
                "not '-1'");
    check_error("rules:\n- name: x\n  match: abc\n  severity: info\n"
                "  threshold: {count: 1.5, window: 1m}\n",
                "t.yaml:5:22: rule 'x': count must be an integer >= 0, "
                "not '1.5'");
    check_error("rules:\n- name: x\n  match: abc\n  severity: info\n"
                "  threshold: {count: 99999999999999999999, window: 1m}\n",
                "t.yaml:5:22: rule 'x': count 99999999999999999999 is too "
                "large");
    check_error("rules:\n- name: x\n  match: abc\n  severity: info\n"
                "  threshold: 5\n",
                "t.yaml:5:14: rule 'x': threshold must be a mapping "
                "{count: N, window: DURATION}");
    check_error("rules:\n- name: x\n  match: abc\n  severity: high\n",
                "t.yaml:4:13: rule 'x': unknown severity 'high' (use info, "
                "warning or critical)");
    check_error("rules:\n- name: x\n  match: abc\n  enabled: maybe\n",
                "t.yaml:4:12: rule 'x': enabled must be true or false");
    check_error("rules:\n- name: x\n  match: abc\n  source: ''\n",
                "t.yaml:4:11: rule 'x': source is empty (use server, "
                "activity, any or a file glob)");
    check_error("rules:\n- name: x\n  match: [abc]\n",
                "t.yaml:3:10: rule 'x': 'match' must be a string");
    check_error("rules:\n- name: x\n  match: \"a\\0b\"\n",
                "t.yaml:3:10: rule 'x': 'match' contains a NUL character");
}

static void test_error_combinations(void **state)
{
    (void)state;
    check_error("rules:\n- name: x\n  match: abc\n  severity: info\n"
                "  threshold: {count: 5, window: 1m}\n"
                "  expect: {match: def, within: 1m}\n",
                "t.yaml:6:3: rule 'x': threshold and expect exclude each "
                "other");
    check_error("rules:\n- name: x\n  match: abc\n"
                "  threshold: {count: 5, window: 1m}\n",
                "t.yaml:4:3: rule 'x': threshold needs a severity (info, "
                "warning or critical)");
    check_error("rules:\n- name: x\n  match: abc\n"
                "  expect: {match: def, within: 1m}\n",
                "t.yaml:4:3: rule 'x': expect needs a severity (info, "
                "warning or critical)");
    check_error("rules:\n- name: x\n  match: abc\n"
                "  summary: 'saw {foo}'\n",
                "t.yaml:4:17: rule 'x': summary: unknown placeholder {foo}");
    check_error("rules:\n- name: x\n  match: abc\n"
                "  summary: 'saw {count} in {window}'\n",
                "t.yaml:4:28: rule 'x': summary: {window} needs a threshold");
    check_error("rules:\n- name: x\n  match: abc\n  severity: info\n"
                "  threshold: {count: 5, window: 1m}\n"
                "  summary: 'late by {within}'\n",
                "t.yaml:6:21: rule 'x': summary: {within} needs an expect");
    check_error("rules:\n- name: x\n  match: abc\n"
                "  summary: 'a } b'\n",
                "t.yaml:4:15: rule 'x': summary: unmatched '}' (write '}}' "
                "for a literal brace)");
    check_error("rules:\n- name: x\n  match: 'TOOL: (?<tool>\\S+)'\n"
                "  group_by: [tool, name]\n",
                "t.yaml:4:20: rule 'x': group_by: 'name' is not a named "
                "group of match nor a field (server, session, level) "
                "(named groups: tool)");
    check_error("rules:\n- name: x\n  match: 'TOOL: (\\S+)'\n"
                "  group_by: [tool]\n",
                "t.yaml:4:14: rule 'x': group_by: 'tool' is not a named "
                "group of match nor a field (server, session, level) "
                "(match has no named groups)");
    check_error("rules:\n- name: x\n  match: '(?<t>a)b'\n"
                "  group_by: [t, t]\n",
                "t.yaml:4:17: rule 'x': group_by names 't' twice");
    check_error("rules:\n- name: x\n  match: '(?<t>a)b'\n"
                "  group_by: t\n",
                "t.yaml:4:13: rule 'x': group_by must be a list of capture "
                "names, e.g. [tool]");
    check_error("rules:\n- name: x\n"
                "  match: '(?<a>a)(?<b>b)(?<c>c)(?<d>d)(?<e>e)(?<f>f)"
                "(?<g>g)(?<h>h)(?<i>i)'\n"
                "  group_by: [a, b, c, d, e, f, g, h, i]\n",
                "t.yaml:4:38: rule 'x': group_by has more than 8 names");
    check_error("rules:\n"
                "  - {name: a, match: abc}\n"
                "  - {name: b, match: abd}\n"
                "  - {name: a, match: abe}\n",
                "t.yaml:4:5: rule 'a': duplicate rule name (first defined "
                "at 2:5)");
}

static void test_error_patterns(void **state)
{
    (void)state;
    /* Quoted on one line: the column is that of the offending character
     * (quote + offset), here the end of the pattern. */
    check_error("rules:\n- name: x\n  match: '('\n",
                "t.yaml:3:12: rule 'x': pattern error at offset 1: missing "
                "closing parenthesis");
    check_error("\n\n\n\n\n\n\n\n\n\n\nrules:\n"
                "  - name: tool-call-rate\n"
                "    match: TOOL_CALL(x\n",
                "t.yaml:14:23: rule 'tool-call-rate': pattern error at "
                "offset 11: missing closing parenthesis");
    check_error("rules:\n- name: x\n  match: 'x\\p{Bogus}'\n",
                "t.yaml:3:21: rule 'x': pattern error at offset 10: unknown "
                "property after \\P or \\p");
    check_error("rules:\n- name: x\n  match: (?<n>a)(?<n>b)\n",
                "t.yaml:3:22: rule 'x': pattern error at offset 12: two "
                "named subpatterns have the same name (PCRE2_DUPNAMES not "
                "set)");
    /* Multi-byte characters count as one column, as libyaml counts. */
    check_error("rules:\n- name: x\n  match: 'é)'\n",
                "t.yaml:3:12: rule 'x': pattern error at offset 2: "
                "unmatched closing parenthesis");
    /* '' inside single quotes is one character of the value, two in the
     * file. */
    check_error("rules:\n- name: x\n  match: 'it''s)'\n",
                "t.yaml:3:16: rule 'x': pattern error at offset 4: "
                "unmatched closing parenthesis");
    /* Escapes in double quotes: the column falls back to the scalar. */
    check_error("rules:\n- name: x\n  match: \"\\x41b)\"\n",
                "t.yaml:3:10: rule 'x': pattern error at offset 2: "
                "unmatched closing parenthesis");
    check_error("rules:\n- name: x\n  match: \"ab)\"\n",
                "t.yaml:3:13: rule 'x': pattern error at offset 2: "
                "unmatched closing parenthesis");
    /* Block scalars fall back to the scalar's start too. */
    check_error("rules:\n- name: x\n  match: |\n    ab)\n",
                "t.yaml:3:10: rule 'x': pattern error at offset 2: "
                "unmatched closing parenthesis");
    check_error("rules:\n- name: x\n  match: ''\n",
                "t.yaml:3:10: rule 'x': empty pattern");
    check_error("rules:\n- name: x\n  match:\n",
                "t.yaml:3:9: rule 'x': empty pattern");
    check_error("rules:\n- name: x\n  match: ' \t '\n",
                "t.yaml:3:10: rule 'x': pattern is only whitespace");
    check_error("rules:\n- name: x\n  match: '^'\n",
                "t.yaml:3:10: rule 'x': pattern matches the empty string; "
                "it would match every line");
    check_error("rules:\n- name: x\n  match: '.*'\n",
                "t.yaml:3:10: rule 'x': pattern matches the empty string; "
                "it would match every line");
    check_error("rules:\n- name: x\n  match: abc\n  exclude: 'a?'\n",
                "t.yaml:4:12: rule 'x': pattern matches the empty string; "
                "it would match every line");
    check_error("rules:\n- name: x\n  match: abc\n  severity: info\n"
                "  expect: {match: '(x|)', within: 1s}\n",
                "t.yaml:5:19: rule 'x': pattern matches the empty string; "
                "it would match every line");
}

static void test_error_structure(void **state)
{
    (void)state;
    check_error("rules:\n  - name: b\n    match: a: b\n",
                "t.yaml:3:13: mapping values are not allowed in this "
                "context");
    check_error("rules: [ {name: a, match: abc}\n",
                "t.yaml:2:1: did not find expected ',' or ']' (while "
                "parsing a flow sequence at 1:8)");
    check_error("rules: [\"abc\n",
                "t.yaml:2:1: found unexpected end of stream (while "
                "scanning a quoted scalar at 1:9)");
    /* Encoding errors: libyaml gives a byte offset, shown as line:col. */
    check_error("rules:\n  - name: a\n    match: \"\xff\"\n",
                "t.yaml:3:13: invalid leading UTF-8 octet (0xff)");
    check_error("rules:\n  - name: é\x01\n",
                "t.yaml:2:12: control characters are not allowed (0x01)");
    check_error("rules: *nope\n",
                "t.yaml:1:8: found undefined alias");
    check_error("- a\n- b\n",
                "t.yaml:1:1: expected a mapping with a 'rules' list at the "
                "top level");
    check_error("just text\n",
                "t.yaml:1:1: expected a mapping with a 'rules' list at the "
                "top level");
    check_error("rules: []\nsinks: []\n", "t.yaml:2:1: unknown key 'sinks'");
    check_error("rulez: []\n",
                "t.yaml:1:1: unknown key 'rulez' (did you mean 'rules'?)");
    check_error("rules: {name: a}\n", "t.yaml:1:8: 'rules' must be a list");
    check_error("rules:\n  - just a string\n",
                "t.yaml:2:5: a rule must be a mapping (name: ..., "
                "match: ...)");
    check_error("rules:\n  - [a, b]\n",
                "t.yaml:2:5: a rule must be a mapping (name: ..., "
                "match: ...)");
    check_error("rules: &a [*a]\n",
                "t.yaml:1:8: a rule must be a mapping (name: ..., "
                "match: ...)");
    check_error("rules: []\n---\nrules: []\n",
                "t.yaml:2:1: only one YAML document is allowed");
}

/* libyaml's cost grows with the square of nesting depth and of anchors:
 * the loader bounds them instead of hanging on a hostile file. */
static void test_error_limits(void **state)
{
    struct mcp_buf b;
    char want[200];

    (void)state;
    mcp_buf_init(&b);
    mcp_buf_puts(&b, "rules: ");
    for (int i = 0; i < 100000; i++)
        mcp_buf_putc(&b, '[');
    check_error(b.data, "t.yaml:1:71: nested too deeply");

    mcp_buf_reset(&b);
    mcp_buf_puts(&b, "rules: []\nx:\n");
    for (int i = 0; i < 1001; i++)
        mcp_buf_printf(&b, "- &a%d x\n", i);
    check_error(b.data, "t.yaml:1003:3: too many anchors");

    mcp_buf_reset(&b);
    mcp_buf_puts(&b, "rules: []\nx:\n- &a x\n");
    for (int i = 0; i < 10001; i++)
        mcp_buf_puts(&b, "- *a\n");
    check_error(b.data, "t.yaml:10004:3: too many aliases");

    /* Long or odd text in messages is cut and made visible. */
    mcp_buf_reset(&b);
    mcp_buf_puts(&b, "rules:\n- {name: x, match: abc, \"");
    for (int i = 0; i < 100; i++)
        mcp_buf_putc(&b, 'k');
    mcp_buf_puts(&b, "\\e\": 1}\n");
    snprintf(want, sizeof(want), "t.yaml:2:25: rule 'x': unknown key "
             "'%.60s...'", b.data + 32);
    check_error(b.data, want);
    mcp_buf_free(&b);
}

/* --- merging ------------------------------------------------------------ */

static void test_override_and_disable(void **state)
{
    struct mcp_ruleset rs;
    char err[MCP_ERRLEN];

    (void)state;
    mcp_ruleset_init(&rs);
    check_ok(&rs, "shipped.yaml",
             "rules:\n"
             "  - {name: a, match: aaa}\n"
             "  - {name: b, match: bbb, severity: info}\n"
             "  - {name: c, match: ccc}\n"
             "  - {name: d, match: ddd}\n");
    check_ok(&rs, "user.yaml",
             "rules:\n"
             "  - {name: e, match: eee}\n"
             "  - {name: b, match: BBB, severity: critical}\n"
             "  - {name: c, enabled: false}\n"
             "  - {name: zz, enabled: no}\n"
             "  - {name: d, match: ddd, enabled: off}\n");
    assert_int_equal(rs.n, 3);
    assert_string_equal(rs.rules[0].name, "a");
    assert_string_equal(rs.rules[1].name, "b");
    assert_string_equal(rs.rules[1].match_src, "BBB");
    assert_int_equal(rs.rules[1].severity, MCP_SEV_CRITICAL);
    assert_string_equal(rs.rules[1].file, "user.yaml");
    assert_int_equal(rs.rules[1].line, 3);
    assert_string_equal(rs.rules[2].name, "e");
    assert_int_equal(mcp_ruleset_find(&rs, "c"), -1);
    assert_int_equal(mcp_ruleset_find(&rs, "zz"), -1);

    /* A disabled rule is still checked. */
    assert_int_equal(load(&rs, "user.yaml",
                          "rules:\n- {name: a, enabled: false, sevrity: x}\n",
                          err), -1);
    assert_string_equal(err, "user.yaml:2:29: rule 'a': unknown key "
                             "'sevrity' (did you mean 'severity'?)");
    assert_int_equal(rs.n, 3);
    /* Re-enable by defining it again. */
    check_ok(&rs, "more.yaml", "rules:\n- {name: c, match: ccc2}\n");
    assert_int_equal(rs.n, 4);
    assert_string_equal(rs.rules[3].match_src, "ccc2");
    mcp_ruleset_free(&rs);
}

static void test_buffer_all_or_nothing(void **state)
{
    struct mcp_ruleset rs;
    struct mcp_rule *before;
    char err[MCP_ERRLEN];

    (void)state;
    mcp_ruleset_init(&rs);
    check_ok(&rs, "a.yaml", "rules:\n- {name: a, match: aaa}\n");
    before = rs.rules;
    assert_int_equal(load(&rs, "b.yaml",
                          "rules:\n"
                          "- {name: a, match: AAA}\n"
                          "- {name: b, match: bbb}\n"
                          "- {name: c, match: '('}\n", err), -1);
    assert_string_equal(err, "b.yaml:4:22: rule 'c': pattern error at "
                             "offset 1: missing closing parenthesis");
    assert_int_equal(rs.n, 1);
    assert_ptr_equal(rs.rules, before);
    assert_string_equal(rs.rules[0].match_src, "aaa");
    assert_string_equal(rs.rules[0].file, "a.yaml");
    mcp_ruleset_free(&rs);
}

static void test_directory(void **state)
{
    char dir[] = "/tmp/test_rules.XXXXXX", sub[600], path[600];
    struct mcp_ruleset rs;
    char err[MCP_ERRLEN] = "";

    (void)state;
    assert_non_null(mkdtemp(dir));
    write_file(dir, "20-user.yml",
               "rules:\n"
               "  - {name: base-b, match: user-b}\n"
               "  - {name: base-c, enabled: false}\n"
               "  - {name: user-x, match: xxx}\n");
    write_file(dir, "10-base.yaml",
               "rules:\n"
               "  - {name: base-a, match: aaa}\n"
               "  - {name: base-b, match: bbb}\n"
               "  - {name: base-c, match: ccc}\n");
    write_file(dir, "Z-caps.yaml", "rules:\n  - {name: caps, match: zzz}\n");
    /* Not rules: the routing config, dot files, other suffixes, folders. */
    write_file(dir, "mcplog.yaml", "sinks: [not, rules]\n");
    write_file(dir, ".hidden.yaml", "garbage: [\n");
    write_file(dir, "notes.txt", "garbage: [\n");
    write_file(dir, "old.yaml.bak", "garbage: [\n");
    snprintf(sub, sizeof(sub), "%s/sub.yaml", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    write_file(sub, "inner.yaml", "garbage: [\n");

    mcp_ruleset_init(&rs);
    check_ok(&rs, "pre.yaml", "rules:\n- {name: pre, match: ppp}\n");
    if (mcp_rules_load(&rs, dir, err) != 0)
        fail_msg("%s", err);
    assert_int_equal(rs.n, 5);
    /* "Z" < "a"... in strcmp order: 10-base, 20-user, Z-caps. */
    assert_string_equal(rs.rules[0].name, "pre");
    assert_string_equal(rs.rules[1].name, "base-a");
    assert_string_equal(rs.rules[2].name, "base-b");
    assert_string_equal(rs.rules[2].match_src, "user-b");
    snprintf(path, sizeof(path), "%s/20-user.yml", dir);
    assert_string_equal(rs.rules[2].file, path);
    assert_string_equal(rs.rules[3].name, "user-x");
    assert_string_equal(rs.rules[4].name, "caps");
    assert_int_equal(mcp_ruleset_find(&rs, "base-c"), -1);

    /* A folder given with a trailing slash names files without "//". */
    mcp_ruleset_free(&rs);
    snprintf(path, sizeof(path), "%s/", dir);
    assert_int_equal(mcp_rules_load(&rs, path, err), 0);
    snprintf(path, sizeof(path), "%s/10-base.yaml", dir);
    assert_string_equal(rs.rules[0].file, path);

    /* A single file is loaded even if it is called mcplog.yaml. */
    mcp_ruleset_free(&rs);
    assert_int_equal(mcp_rules_load(&rs, path, err), 0);
    assert_int_equal(rs.n, 3);
    mcp_ruleset_free(&rs);
    remove_tree(dir);
}

static void test_directory_all_or_nothing(void **state)
{
    char dir[] = "/tmp/test_rules.XXXXXX", msg[700], path[600];
    struct mcp_ruleset rs;
    char err[MCP_ERRLEN] = "";

    (void)state;
    assert_non_null(mkdtemp(dir));
    write_file(dir, "a.yaml",
               "rules:\n"
               "  - {name: keep, match: NEW}\n"
               "  - {name: added, match: added}\n");
    write_file(dir, "b.yaml",
               "rules:\n"
               "  - {name: fine, match: fine}\n"
               "  - name: broken\n"
               "    match: abc\n"
               "    threshold: {count: 1, window: 1m}\n");
    mcp_ruleset_init(&rs);
    check_ok(&rs, "old.yaml", "rules:\n- {name: keep, match: OLD}\n");
    assert_int_equal(mcp_rules_load(&rs, dir, err), -1);
    snprintf(msg, sizeof(msg), "%s/b.yaml:5:5: rule 'broken': threshold "
             "needs a severity (info, warning or critical)", dir);
    assert_string_equal(err, msg);
    assert_int_equal(rs.n, 1);
    assert_string_equal(rs.rules[0].match_src, "OLD");
    assert_string_equal(rs.rules[0].file, "old.yaml");

    /* Duplicate names across files of one folder: the later overrides. */
    write_file(dir, "b.yaml", "rules:\n  - {name: keep, match: B}\n");
    err[0] = '\0';
    assert_int_equal(mcp_rules_load(&rs, dir, err), 0);
    assert_int_equal(rs.n, 2);
    assert_string_equal(rs.rules[0].match_src, "B");
    assert_string_equal(rs.rules[1].name, "added");

    /* Unreadable paths. */
    snprintf(path, sizeof(path), "%s/missing.yaml", dir);
    err[0] = '\0';
    assert_int_equal(mcp_rules_load(&rs, path, err), -1);
    snprintf(msg, sizeof(msg), "%s: No such file or directory", path);
    assert_string_equal(err, msg);
    assert_int_equal(symlink("/nonexistent/x", path), 0);
    err[0] = '\0';
    assert_int_equal(mcp_rules_load(&rs, dir, err), -1);
    assert_string_equal(err, msg);
    assert_int_equal(rs.n, 2);
    mcp_ruleset_free(&rs);
    remove_tree(dir);
}

/* --- names and sources -------------------------------------------------- */

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(mcp_severity_name(MCP_SEV_NONE), "none");
    assert_string_equal(mcp_severity_name(MCP_SEV_INFO), "info");
    assert_string_equal(mcp_severity_name(MCP_SEV_WARNING), "warning");
    assert_string_equal(mcp_severity_name(MCP_SEV_CRITICAL), "critical");
    assert_int_equal(mcp_severity_parse("info"), MCP_SEV_INFO);
    assert_int_equal(mcp_severity_parse("warning"), MCP_SEV_WARNING);
    assert_int_equal(mcp_severity_parse("critical"), MCP_SEV_CRITICAL);
    assert_int_equal(mcp_severity_parse("none"), -1);
    assert_int_equal(mcp_severity_parse("Critical"), -1);
    assert_int_equal(mcp_severity_parse(""), -1);
    assert_string_equal(mcp_role_name(MCP_ROLE_SERVER), "server");
    assert_string_equal(mcp_role_name(MCP_ROLE_ACTIVITY), "activity");
    assert_string_equal(mcp_role_name(MCP_ROLE_OTHER), "other");
}

static void test_applies(void **state)
{
    struct mcp_ruleset rs;
    const struct mcp_rule *any, *srv, *act, *glob, *role;

    (void)state;
    mcp_ruleset_init(&rs);
    check_ok(&rs, "t.yaml",
             "rules:\n"
             "  - {name: any, match: abc, source: any}\n"
             "  - {name: srv, match: abc, source: server}\n"
             "  - {name: act, match: abc, source: activity}\n"
             "  - {name: glob, match: abc, source: 'mcp_*.log'}\n"
             "  - {name: role, match: abc, source: 'web?'}\n");
    any = &rs.rules[0];
    srv = &rs.rules[1];
    act = &rs.rules[2];
    glob = &rs.rules[3];
    role = &rs.rules[4];
    assert_int_equal(glob->source, MCP_SRC_GLOB);

    assert_true(mcp_rule_applies(any, MCP_ROLE_OTHER, "other", "x.log"));
    assert_true(mcp_rule_applies(any, MCP_ROLE_SERVER, "server", NULL));
    assert_true(mcp_rule_applies(srv, MCP_ROLE_SERVER, "server",
                                 "mcp_server.log"));
    assert_false(mcp_rule_applies(srv, MCP_ROLE_ACTIVITY, "activity",
                                  "mcp_server.log"));
    assert_false(mcp_rule_applies(srv, MCP_ROLE_OTHER, "server", "x"));
    assert_true(mcp_rule_applies(act, MCP_ROLE_ACTIVITY, "activity", "a"));
    assert_false(mcp_rule_applies(act, MCP_ROLE_SERVER, "server", "a"));
    assert_false(mcp_rule_applies(act, MCP_ROLE_OTHER, "other", "a"));
    /* Globs: against the base name or the role name. */
    assert_true(mcp_rule_applies(glob, MCP_ROLE_SERVER, "server",
                                 "mcp_server.log"));
    assert_true(mcp_rule_applies(glob, MCP_ROLE_OTHER, "other",
                                 "mcp_x.log"));
    assert_false(mcp_rule_applies(glob, MCP_ROLE_OTHER, "other",
                                  "mcp_server.log.1"));
    assert_false(mcp_rule_applies(glob, MCP_ROLE_SERVER, "server", NULL));
    assert_true(mcp_rule_applies(role, MCP_ROLE_OTHER, "web1", "x.log"));
    assert_false(mcp_rule_applies(role, MCP_ROLE_OTHER, "web12", "x.log"));
    assert_true(mcp_rule_applies(role, MCP_ROLE_OTHER, NULL, "webz"));
    mcp_ruleset_free(&rs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_rule),
        cmocka_unit_test(test_defaults_and_empty_files),
        cmocka_unit_test(test_error_keys),
        cmocka_unit_test(test_error_values),
        cmocka_unit_test(test_error_combinations),
        cmocka_unit_test(test_error_patterns),
        cmocka_unit_test(test_error_structure),
        cmocka_unit_test(test_error_limits),
        cmocka_unit_test(test_override_and_disable),
        cmocka_unit_test(test_buffer_all_or_nothing),
        cmocka_unit_test(test_directory),
        cmocka_unit_test(test_directory_all_or_nothing),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_applies),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
