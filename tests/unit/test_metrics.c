/* test_metrics.c - the metrics registry and its text exposition: label
 * cleaning and escaping, rule and tool counters, the tool cap with
 * "(other)", time to ready, the client hook (failures, durations,
 * connect times), the per-source counters and the whole rendering of a
 * small registry, line for line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/mcp.h"
#include "conf/config.h"
#include "base/util.h"
#include "match/event.h"
#include "match/rules.h"
#include "output/metrics.h"
#include "tmpdir.h"

#define T0 1765375200000LL /* 2025-12-10 14:00:00 UTC */

static const char rules_yaml[] =
    "rules:\n"
    "  - name: errors\n"
    "    source: server\n"
    "    match: 'ERROR (?<what>.*)'\n"
    "    severity: warning\n"
    "  - name: startup-not-ready\n"
    "    source: server\n"
    "    match: 'Process PID: (?<pid>\\d+)'\n"
    "    expect: {match: 'Server ready', within: 30s}\n"
    "    severity: critical\n"
    "  - name: tool-calls\n"
    "    source: activity\n"
    "    match: 'TOOL_CALL: (?<tool>\\S+) with'\n"
    "  - name: client-tool-calls\n"
    "    match: '^(?<server>\\S+): Tool ''(?<tool>[^'']+)'' (?:completed "
    "successfully in (?<ms>\\d+)ms|failed after (?<elapsed>[0-9.]+m?s): .*)$'\n"
    "  - name: client-connected\n"
    "    match: '^(?<server>\\S+): Successfully connected in (?<ms>\\d+)ms$'\n";

struct fx {
    struct mcp_ruleset rs;
    struct mcp_metrics *m;
    struct mcp_buf out;
};

static struct fx *setup(long max_tools)
{
    struct fx *f = mcp_calloc(1, sizeof(*f));
    char err[MCP_ERRLEN] = "";
    const char *names[] = {"mcp_server.log", "mcp_activity.log",
                           "extra.log"};
    const char *roles[] = {"server", "activity", "server"};

    mcp_ruleset_init(&f->rs);
    if (mcp_rules_load_buffer(&f->rs, "t.yaml", rules_yaml,
                              strlen(rules_yaml), err) != 0)
        fail_msg("rules: %s", err);
    f->m = mcp_metrics_create(3, names, roles, "hestai", max_tools);
    mcp_metrics_set_rules(f->m, &f->rs);
    mcp_buf_init(&f->out);
    return f;
}

static void done(struct fx *f)
{
    mcp_metrics_destroy(f->m);
    mcp_ruleset_free(&f->rs);
    mcp_buf_free(&f->out);
    free(f);
}

/* An event of rule r (kind k) at ts, with one capture value (or none). */
static void feed(struct fx *f, uint32_t r, int kind, int64_t ts,
                 const char *cap)
{
    const char *caps[1] = {cap};
    size_t len[1] = {cap ? strlen(cap) : 0};
    struct mcp_event *e = mcp_event_create("line", 4, NULL, 0, cap ? 1 : 0,
                                           caps, len, NULL, NULL);

    e->rule = r;
    e->kind = (uint8_t)kind;
    e->ts = ts;
    mcp_metrics_event(f->m, e);
    mcp_event_free(e);
}

/* An event of rule r with the captures given as "name=value" (the
 * others did not take part), in the pattern's capture order as the
 * matcher builds them; server, when not NULL, is the record's server
 * field (a client log's structured record). */
static void feed_record(struct fx *f, uint32_t r, const char *const *nv,
                        const char *server)
{
    const char *fields[MCP_NFIELDS] = {0};
    size_t flen[MCP_NFIELDS] = {0};
    const struct mcp_pattern *p = f->rs.rules[r].match;
    int n = mcp_pattern_ncaptures(p);
    const char *caps[8] = {0};
    size_t len[8] = {0};
    struct mcp_event *e;

    for (int c = 0; c < n; c++) {
        const char *name = mcp_pattern_capture_name(p, c, NULL);

        for (size_t k = 0; nv[k] != NULL; k++)
            if (strncmp(nv[k], name, strlen(name)) == 0 &&
                nv[k][strlen(name)] == '=') {
                caps[c] = nv[k] + strlen(name) + 1;
                len[c] = strlen(caps[c]);
            }
    }
    fields[MCP_FIELD_SERVER] = server;
    flen[MCP_FIELD_SERVER] = server ? strlen(server) : 0;
    e = mcp_event_create("line", 4, NULL, 0, n, caps, len,
                         server ? fields : NULL, server ? flen : NULL);
    e->rule = r;
    e->kind = MCP_EV_MATCH;
    e->ts = T0;
    mcp_metrics_event(f->m, e);
    mcp_event_free(e);
}

static void feed_named(struct fx *f, uint32_t r, const char *const *nv)
{
    feed_record(f, r, nv, NULL);
}

static const char *render(struct fx *f, const struct mcp_metrics_view *v)
{
    struct mcp_metrics_view empty = {.now_wall = T0, .processes = -1};

    mcp_buf_reset(&f->out);
    mcp_metrics_render(f->m, v ? v : &empty, &f->out);
    return f->out.data;
}

/* The exposition holds this exact line. */
static void has(const char *text, const char *line)
{
    size_t n = strlen(line);

    for (const char *p = text; (p = strstr(p, line)) != NULL; p++)
        if ((p == text || p[-1] == '\n') && p[n] == '\n')
            return;
    fprintf(stderr, "--- the exposition ---\n%s--- end ---\n", text);
    fail_msg("missing line: %s", line);
}

static void lacks(const char *text, const char *prefix)
{
    if (strstr(text, prefix) != NULL)
    {
        fprintf(stderr, "--- the exposition ---\n%s--- end ---\n", text);
        fail_msg("unexpected: %s", prefix);
    }
}

static void test_label(void **state)
{
    struct mcp_buf b;

    (void)state;
    mcp_buf_init(&b);
    mcp_metrics_label(&b, "a\"b\\c\nd", 7, 0);
    assert_string_equal(b.data, "a\\\"b\\\\c\\nd");
    mcp_buf_reset(&b);
    mcp_metrics_label(&b, "x\x01y\xffz\x1b", 6, 0);
    assert_string_equal(b.data, "x\xef\xbf\xbdy\xef\xbf\xbdz\xef\xbf\xbd");
    mcp_buf_reset(&b);
    /* Cut on a character boundary: "é" (2 bytes) does not fit in 4. */
    mcp_metrics_label(&b, "abc\xc3\xa9", 5, 4);
    assert_string_equal(b.data, "abc");
    mcp_buf_free(&b);
}

static void test_rules_and_tools(void **state)
{
    struct fx *f = setup(100);
    const char *t;

    (void)state;
    feed(f, 0, MCP_EV_MATCH, T0, "boom");
    feed(f, 0, MCP_EV_MATCH, T0, "again");
    feed(f, 2, MCP_EV_MATCH, T0, "chat");
    feed(f, 2, MCP_EV_MATCH, T0, "chat");
    feed(f, 2, MCP_EV_MATCH, T0, "say \"hi\"");
    feed(f, 1, MCP_EV_MATCH, T0, "42");
    feed(f, 1, MCP_EV_FOLLOW, T0 + 3500, NULL);
    feed(f, 1, MCP_EV_MATCH, T0 + 60000, "43"); /* never ready */
    t = render(f, NULL);
    has(t, "mcplog_rule_matches_total{rule=\"errors\"} 2");
    has(t, "mcplog_rule_matches_total{rule=\"startup-not-ready\"} 2");
    has(t, "mcplog_rule_matches_total{rule=\"tool-calls\"} 3");
    has(t, "mcplog_tool_calls_total{server=\"hestai\",tool=\"chat\"} 2");
    has(t, "mcplog_tool_calls_total{server=\"hestai\",tool=\"say \\\"hi\\\"\"} 1");
    has(t, "mcplog_server_startups_total{server=\"hestai\"} 2");
    has(t, "mcplog_time_to_ready_seconds_bucket{server=\"hestai\",le=\"2\"} 0");
    has(t, "mcplog_time_to_ready_seconds_bucket{server=\"hestai\",le=\"5\"} 1");
    has(t, "mcplog_time_to_ready_seconds_bucket{server=\"hestai\",le=\"+Inf\"} 1");
    has(t, "mcplog_time_to_ready_seconds_sum{server=\"hestai\"} 3.5");
    has(t, "mcplog_time_to_ready_seconds_count{server=\"hestai\"} 1");
    /* A counting rule has no alert series. */
    lacks(t, "mcplog_alerts_firing{rule=\"tool-calls\"");
    lacks(t, "mcplog_alert_transitions_total{rule=\"tool-calls\"");
    has(t, "mcplog_alerts_firing{rule=\"errors\",severity=\"warning\"} 0");
    lacks(t, "mcplog_server_processes{");
    done(f);
}

static void test_tool_cap(void **state)
{
    struct fx *f = setup(3);
    const char *t;

    (void)state;
    feed(f, 2, MCP_EV_MATCH, T0, "a");
    feed(f, 2, MCP_EV_MATCH, T0, "b");
    feed(f, 2, MCP_EV_MATCH, T0, "c");
    feed(f, 2, MCP_EV_MATCH, T0, "d");
    feed(f, 2, MCP_EV_MATCH, T0, "a");
    t = render(f, NULL);
    has(t, "mcplog_tool_calls_total{server=\"hestai\",tool=\"a\"} 2");
    has(t, "mcplog_tool_calls_total{server=\"hestai\",tool=\"b\"} 1");
    has(t, "mcplog_tool_calls_total{server=\"hestai\",tool=\"(other)\"} 2");
    lacks(t, "tool=\"c\"");
    lacks(t, "tool=\"d\"");
    done(f);
}

static void test_client_hook(void **state)
{
    struct fx *f = setup(100);
    struct mcp_metrics_call ok = {"zen", "chat", 120, false};
    struct mcp_metrics_call bad = {"zen", "chat", 7000, true};
    struct mcp_metrics_call unknown = {"zen", "debug", -1, true};
    const char *t;

    (void)state;
    mcp_metrics_call(f->m, &ok);
    mcp_metrics_call(f->m, &bad);
    mcp_metrics_call(f->m, &unknown);
    mcp_metrics_connect(f->m, "zen", 1200);
    t = render(f, NULL);
    /* Calls are counted from the server's log only, never twice. */
    has(t, "mcplog_tool_calls_total{server=\"zen\",tool=\"chat\"} 0");
    has(t, "mcplog_tool_failures_total{server=\"zen\",tool=\"chat\"} 1");
    has(t, "mcplog_tool_failures_total{server=\"zen\",tool=\"debug\"} 1");
    has(t, "mcplog_tool_duration_seconds_bucket{server=\"zen\",tool=\"chat\",le=\"0.1\"} 0");
    has(t, "mcplog_tool_duration_seconds_bucket{server=\"zen\",tool=\"chat\",le=\"0.25\"} 1");
    has(t, "mcplog_tool_duration_seconds_bucket{server=\"zen\",tool=\"chat\",le=\"10\"} 2");
    has(t, "mcplog_tool_duration_seconds_sum{server=\"zen\",tool=\"chat\"} 7.12");
    has(t, "mcplog_tool_duration_seconds_count{server=\"zen\",tool=\"chat\"} 2");
    lacks(t, "mcplog_tool_duration_seconds_count{server=\"zen\",tool=\"debug\"}");
    has(t, "mcplog_time_to_ready_seconds_bucket{server=\"zen\",le=\"1\"} 0");
    has(t, "mcplog_time_to_ready_seconds_bucket{server=\"zen\",le=\"2\"} 1");
    has(t, "mcplog_time_to_ready_seconds_sum{server=\"zen\"} 1.2");
    done(f);
}

static void test_sources_and_view(void **state)
{
    struct fx *f = setup(100);
    uint64_t rot[3] = {1, 0, 2}, tr[3] = {0, 4, 0}, unread[3] = {0, 0, 0},
             jumps[3] = {5, 0, 0};
    const char *sinks[] = {"am"};
    const uint64_t counts[1][4] = {{3, 2, 1, 0}};
    struct mcp_alert a = {.rule = 0, .severity = MCP_SEV_WARNING,
                          .firing = true};
    struct mcp_alert *alerts[] = {&a};
    struct mcp_metrics_view v = {
        .now_wall = T0 + 90500, .rotations = rot, .truncations = tr,
        .unread = unread, .jumps = jumps, .nsinks = 1, .sink_names = sinks,
        .sink_counts = counts, .processes = 2, .alerts = alerts,
        .nalerts = 1};
    const char *t;

    (void)state;
    mcp_metrics_lines(f->m, 0, 10, T0);
    mcp_metrics_lines(f->m, 2, 5, T0 + 500);
    mcp_metrics_lines(f->m, 1, 7, MCP_TIME_NONE);
    mcp_metrics_alert(f->m, &a, MCP_STATUS_FIRING);
    mcp_metrics_alert(f->m, &a, MCP_STATUS_RESOLVED);
    t = render(f, &v);
    has(t, "mcplog_lines_total{source=\"server\",file=\"mcp_server.log\"} 10");
    has(t, "mcplog_lines_total{source=\"activity\",file=\"mcp_activity.log\"} 7");
    has(t, "mcplog_lines_total{source=\"server\",file=\"extra.log\"} 5");
    has(t, "mcplog_rotations_total{source=\"server\"} 3");
    has(t, "mcplog_rotations_total{source=\"activity\"} 0");
    has(t, "mcplog_truncations_total{source=\"activity\"} 4");
    has(t, "mcplog_bytes_unread_total{source=\"server\"} 0");
    has(t, "mcplog_time_jumps_total{source=\"server\"} 5");
    has(t, "mcplog_lag_seconds{source=\"server\"} 90");
    lacks(t, "mcplog_lag_seconds{source=\"activity\"}");
    has(t, "mcplog_alerts_firing{rule=\"errors\",severity=\"warning\"} 1");
    has(t, "mcplog_alert_transitions_total{rule=\"errors\",status=\"firing\"} 1");
    has(t, "mcplog_alert_transitions_total{rule=\"errors\",status=\"resolved\"} 1");
    has(t, "mcplog_alert_transitions_total{rule=\"errors\",status=\"update\"} 0");
    has(t, "mcplog_sink_deliveries_total{sink=\"am\",outcome=\"ok\"} 3");
    has(t, "mcplog_sink_deliveries_total{sink=\"am\",outcome=\"retry\"} 2");
    has(t, "mcplog_sink_deliveries_total{sink=\"am\",outcome=\"failed\"} 1");
    has(t, "mcplog_sink_deliveries_total{sink=\"am\",outcome=\"dropped\"} 0");
    has(t, "mcplog_server_processes{server=\"hestai\"} 2");
    has(t, "mcplog_build_info{version=\"" MCP_VERSION "\"} 1");
    has(t, "# TYPE mcplog_tool_duration_seconds histogram");
    /* No timestamps: every sample line is NAME{...} VALUE. */
    for (const char *p = t; *p; p = strchr(p, '\n') + 1)
        if (*p != '#') {
            const char *e = strchr(p, '\n'), *sp = e;

            while (sp > p && sp[-1] != ' ')
                sp--;
            assert_true(memchr(p, '}', (size_t)(sp - p)) != NULL);
            assert_null(memchr(sp, ' ', (size_t)(e - sp)));
        }
    done(f);
}

/* The client rules feed the hook: a completed call (ms), a failed one
 * (elapsed, "1.5s" or "300ms"), a connection time. */
static void test_client_rules(void **state)
{
    struct fx *f = setup(100);
    const char *t;

    (void)state;
    feed_named(f, 3, (const char *[]){"server=zen", "tool=chat", "ms=120", NULL});
    feed_named(f, 3, (const char *[]){"server=zen", "tool=chat", "elapsed=1.5s",
                                      NULL});
    feed_named(f, 3, (const char *[]){"server=zen", "tool=debug",
                                      "elapsed=300ms", NULL});
    feed_named(f, 4, (const char *[]){"server=zen", "ms=800", NULL});
    t = render(f, NULL);
    has(t, "mcplog_rule_matches_total{rule=\"client-tool-calls\"} 3");
    has(t, "mcplog_tool_failures_total{server=\"zen\",tool=\"chat\"} 1");
    has(t, "mcplog_tool_failures_total{server=\"zen\",tool=\"debug\"} 1");
    has(t, "mcplog_tool_calls_total{server=\"zen\",tool=\"chat\"} 0");
    has(t, "mcplog_tool_duration_seconds_count{server=\"zen\",tool=\"chat\"} 2");
    has(t, "mcplog_tool_duration_seconds_sum{server=\"zen\",tool=\"chat\"} 1.62");
    has(t, "mcplog_tool_duration_seconds_bucket{server=\"zen\",tool=\"debug\",le=\"0.25\"} 0");
    has(t, "mcplog_tool_duration_seconds_bucket{server=\"zen\",tool=\"debug\",le=\"0.5\"} 1");
    has(t, "mcplog_time_to_ready_seconds_bucket{server=\"zen\",le=\"0.5\"} 0");
    has(t, "mcplog_time_to_ready_seconds_bucket{server=\"zen\",le=\"1\"} 1");
    has(t, "mcplog_time_to_ready_seconds_sum{server=\"zen\"} 0.8");
    done(f);
}

/* A client log's structured record carries server as a field, not a
 * capture: the series are that server's, not "(unknown)"'s. */
static void test_client_server_field(void **state)
{
    struct fx *f = setup(100);
    const char *t;

    (void)state;
    /* A connection is the first thing seen of a server: its series is
     * made by that same event. */
    feed_record(f, 4, (const char *[]){"ms=70", NULL}, "first");
    feed_record(f, 3, (const char *[]){"tool=search", "ms=40", NULL}, "ctx7");
    feed_record(f, 3, (const char *[]){"tool=search", "elapsed=2s", NULL},
                "ctx7");
    feed_record(f, 4, (const char *[]){"ms=300", NULL}, "ctx7");
    feed_record(f, 3, (const char *[]){"server=zen", "tool=chat", "ms=10",
                                       NULL}, "ctx7");
    t = render(f, NULL);
    has(t, "mcplog_tool_failures_total{server=\"ctx7\",tool=\"search\"} 1");
    has(t, "mcplog_tool_duration_seconds_count{server=\"ctx7\",tool=\"search\"} 2");
    has(t, "mcplog_tool_duration_seconds_sum{server=\"ctx7\",tool=\"search\"} 2.04");
    has(t, "mcplog_time_to_ready_seconds_count{server=\"ctx7\"} 1");
    has(t, "mcplog_time_to_ready_seconds_sum{server=\"ctx7\"} 0.3");
    has(t, "mcplog_time_to_ready_seconds_count{server=\"first\"} 1");
    has(t, "mcplog_time_to_ready_seconds_sum{server=\"first\"} 0.07");
    /* A capture of that name wins over the field. */
    has(t, "mcplog_tool_duration_seconds_count{server=\"zen\",tool=\"chat\"} 1");
    assert_null(strstr(t, "(unknown)"));
    assert_null(strstr(t, "server=\"ctx7\",tool=\"chat\""));
    done(f);
}

/* Counts of a rule carry over a reload by name. */
static void test_reload(void **state)
{
    struct fx *f = setup(100);
    struct mcp_ruleset rs2;
    char err[MCP_ERRLEN] = "";
    static const char y2[] = "rules:\n"
                             "  - name: tool-calls\n"
                             "    match: 'TOOL_CALL: (?<tool>\\S+) with'\n"
                             "  - name: errors\n"
                             "    match: 'ERROR'\n"
                             "    severity: critical\n";
    const char *t;

    (void)state;
    feed(f, 0, MCP_EV_MATCH, T0, "x");
    mcp_ruleset_init(&rs2);
    assert_int_equal(mcp_rules_load_buffer(&rs2, "t2.yaml", y2, strlen(y2),
                                           err), 0);
    mcp_metrics_set_rules(f->m, &rs2);
    feed(f, 1, MCP_EV_MATCH, T0, NULL);
    feed(f, 0, MCP_EV_MATCH, T0, "chat");
    t = render(f, NULL);
    has(t, "mcplog_rule_matches_total{rule=\"errors\"} 2");
    has(t, "mcplog_rule_matches_total{rule=\"tool-calls\"} 1");
    lacks(t, "rule=\"startup-not-ready\"");
    has(t, "mcplog_alerts_firing{rule=\"errors\",severity=\"critical\"} 0");
    has(t, "mcplog_tool_calls_total{server=\"hestai\",tool=\"chat\"} 1");
    mcp_metrics_set_rules(f->m, &f->rs);
    mcp_ruleset_free(&rs2);
    done(f);
}

/* config NAME TEXT: load TEXT as mcplog.yaml; returns load's result. */
static int config(struct mcp_config *c, const char *text, char *err)
{
    char path[128];
    FILE *fp;

    err[0] = '\0'; /* the first error wins: a fresh buffer each time */
    snprintf(path, sizeof(path), "%s/mcplog.yaml", tmpdir);
    fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    return mcp_config_load(c, path, err);
}

/* metrics: in mcplog.yaml: the defaults (all off), every key, the bounds. */
static void test_config(void **state)
{
    struct mcp_config c;
    char err[MCP_ERRLEN] = "";

    (void)state;
    assert_int_equal(config(&c, "repeat_interval: 4h\n", err), 0);
    assert_null(c.metrics.listen);
    assert_null(c.metrics.file);
    assert_null(c.metrics.server);
    assert_false(c.metrics.listen_any);
    assert_int_equal(c.metrics.interval_ms, 15000);
    assert_int_equal(c.metrics.max_tools, 100);
    mcp_config_free(&c);
    assert_int_equal(config(&c, "metrics:\n  listen: 127.0.0.1:9464\n"
                                "  listen_any: true\n  file: /x/m.prom\n"
                                "  interval: 2s\n  server: zen\n"
                                "  max_tools: 7\n", err), 0);
    assert_string_equal(c.metrics.listen, "127.0.0.1:9464");
    assert_true(c.metrics.listen_any);
    assert_string_equal(c.metrics.file, "/x/m.prom");
    assert_int_equal(c.metrics.interval_ms, 2000);
    assert_string_equal(c.metrics.server, "zen");
    assert_int_equal(c.metrics.max_tools, 7);
    mcp_config_free(&c);
    assert_int_equal(config(&c, "metrics:\n  interval: 500ms\n", err), -1);
    assert_non_null(strstr(err, "mcplog.yaml:2:13: metrics: interval must "
                                "be at least 1s"));
    assert_int_equal(config(&c, "metrics:\n  max_tools: 1\n", err), -1);
    assert_non_null(strstr(err, "mcplog.yaml:2:14: metrics: max_tools must "
                                "be an integer from 2 to 10000, not '1'"));
    assert_int_equal(config(&c, "metrics:\n  lisen: x\n", err), -1);
    assert_non_null(strstr(err, "mcplog.yaml:2:3: metrics: unknown key "
                                "'lisen' (did you mean 'listen'?)"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_label),
        cmocka_unit_test(test_rules_and_tools),
        cmocka_unit_test(test_tool_cap),
        cmocka_unit_test(test_client_hook),
        cmocka_unit_test(test_client_rules),
        cmocka_unit_test(test_client_server_field),
        cmocka_unit_test(test_sources_and_view),
        cmocka_unit_test(test_reload),
        cmocka_unit_test(test_config),
    };

    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
