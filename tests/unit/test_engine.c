/* test_engine.c - windows, expectations, grouping, cooldown and the alert
 * lifecycle, driven event by event with exact times. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/engine.h"
#include "match/rules.h"
#include "base/timeparse.h"
#include "base/util.h"

#define S 1000LL
#define M (60 * S)
#define H (60 * M)
#define T0 1765375200000LL /* 2025-12-10 14:00:00 UTC */

struct fx {
    struct mcp_ruleset rs;
    struct mcp_engine *e;
    char log[4096];     /* transitions, "F:id:count R:id ..." */
};

static const char *tname[] = {
    [MCP_STATUS_FIRING] = "F", [MCP_STATUS_UPDATE] = "U",
    [MCP_STATUS_RESOLVED] = "R", [MCP_STATUS_REPEAT] = "P",
};

static void on_alert(const struct mcp_alert *a, enum mcp_alert_status t,
                     void *arg)
{
    struct fx *f = arg;
    size_t n = strlen(f->log);

    snprintf(f->log + n, sizeof(f->log) - n, "%s%s%llu:%llu", n ? " " : "",
             tname[t], (unsigned long long)a->id,
             (unsigned long long)a->count);
}

static struct fx *setup(const char *yaml)
{
    struct fx *f = mcp_calloc(1, sizeof(*f));
    char err[MCP_ERRLEN] = "";

    mcp_ruleset_init(&f->rs);
    if (mcp_rules_load_buffer(&f->rs, "test.yaml", yaml, strlen(yaml),
                              err) != 0)
        fail_msg("rules: %s", err);
    f->e = mcp_engine_create(&f->rs, on_alert, f);
    return f;
}

static void teardown_fx(struct fx *f)
{
    mcp_engine_destroy(f->e);
    mcp_ruleset_free(&f->rs);
    free(f);
}

/* Feed one event of rule `rule` (kind MATCH or FOLLOW) at time t with up
 * to two captures given as values in capture order. */
static void feed(struct fx *f, int rule, int kind, int64_t t,
                 const char *c0, const char *c1)
{
    const char *caps[2] = {c0, c1};
    size_t lens[2] = {c0 ? strlen(c0) : 0, c1 ? strlen(c1) : 0};
    int n = c1 ? 2 : c0 ? 1 : 0;
    struct mcp_event *ev = mcp_event_create("line", 4, NULL, 0, n, caps,
                                            lens, NULL, NULL);

    ev->rule = (uint32_t)rule;
    ev->kind = (uint8_t)kind;
    ev->ts = t;
    ev->own_ts = true;
    mcp_engine_feed(f->e, ev);
    mcp_event_free(ev);
}

static struct mcp_alert *const *alerts(struct fx *f, size_t *n)
{
    return mcp_engine_alerts(f->e, n);
}

static const char THRESH[] =
    "rules:\n"
    "  - name: storm\n"
    "    match: 'x'\n"
    "    threshold: {count: 5, window: 1h}\n"
    "    severity: critical\n"
    "    summary: '{count} in {window}'\n";

/* Exactly 5 in an hour is not "more than 5". */
static void test_threshold_not_exceeded(void **state)
{
    struct fx *f = setup(THRESH);
    size_t n;

    (void)state;
    for (int i = 0; i < 5; i++)
        feed(f, 0, MCP_EV_MATCH, T0 + i * 10 * M, NULL, NULL);
    alerts(f, &n);
    assert_int_equal(n, 0);
    assert_int_equal(mcp_engine_stats(f->e, 0)->matches, 5);
    teardown_fx(f);
}

/* The sixth within the hour fires; the alert resolves when the oldest of
 * the newest six leaves the window. */
static void test_threshold_fire_and_resolve(void **state)
{
    struct fx *f = setup(THRESH);
    struct mcp_alert *const *a;
    size_t n;

    (void)state;
    for (int i = 0; i < 6; i++)
        feed(f, 0, MCP_EV_MATCH, T0 + i * 10 * M, NULL, NULL);
    a = alerts(f, &n);
    assert_int_equal(n, 1);
    assert_true(a[0]->firing);
    assert_int_equal(a[0]->start, T0 + 50 * M);
    assert_int_equal(a[0]->count, 6);
    assert_string_equal(a[0]->summary, "6 in 1h");
    /* one more while firing: count 7; newest six now start at T0+10m */
    feed(f, 0, MCP_EV_MATCH, T0 + 55 * M, NULL, NULL);
    assert_int_equal(a[0]->count, 7);
    mcp_engine_advance(f->e, T0 + 70 * M - 1);
    assert_true(a[0]->firing);
    mcp_engine_advance(f->e, T0 + 70 * M);
    assert_false(a[0]->firing);
    assert_int_equal(a[0]->end, T0 + 10 * M + H);
    assert_string_equal(f->log, "F1:6 U1:7 R1:7");
    teardown_fx(f);
}

/* The window is (t - W, t]: an event exactly W older is outside. */
static void test_threshold_window_edge(void **state)
{
    struct fx *f = setup(THRESH);
    size_t n;

    (void)state;
    feed(f, 0, MCP_EV_MATCH, T0, NULL, NULL);
    for (int i = 1; i <= 4; i++)
        feed(f, 0, MCP_EV_MATCH, T0 + i * M, NULL, NULL);
    feed(f, 0, MCP_EV_MATCH, T0 + H, NULL, NULL); /* T0 has just left */
    alerts(f, &n);
    assert_int_equal(n, 0);
    feed(f, 0, MCP_EV_MATCH, T0 + H + 1, NULL, NULL); /* 6 in window */
    alerts(f, &n);
    assert_int_equal(n, 1);
    teardown_fx(f);
}

static const char GROUPED[] =
    "rules:\n"
    "  - name: rate\n"
    "    match: 'TOOL_CALL: (?<tool>\\S+)'\n"
    "    group_by: [tool]\n"
    "    threshold: {count: 2, window: 1m}\n"
    "    severity: warning\n"
    "    summary: '{tool} {count}'\n";

static void test_threshold_groups(void **state)
{
    struct fx *f = setup(GROUPED);
    struct mcp_alert *const *a;
    const struct mcp_rule_stats *st;
    size_t n;

    (void)state;
    feed(f, 0, MCP_EV_MATCH, T0, "chat", NULL);
    feed(f, 0, MCP_EV_MATCH, T0 + S, "debug", NULL);
    feed(f, 0, MCP_EV_MATCH, T0 + 2 * S, "chat", NULL);
    feed(f, 0, MCP_EV_MATCH, T0 + 3 * S, "debug", NULL);
    a = alerts(f, &n);
    assert_int_equal(n, 0); /* two each: not more than 2 */
    feed(f, 0, MCP_EV_MATCH, T0 + 4 * S, "chat", NULL);
    a = alerts(f, &n);
    assert_int_equal(n, 1);
    assert_string_equal(a[0]->key, "chat");
    assert_string_equal(a[0]->label_name[0], "tool");
    assert_string_equal(a[0]->label_value[0], "chat");
    assert_string_equal(a[0]->summary, "chat 3");
    st = mcp_engine_stats(f->e, 0);
    assert_int_equal(st->ngroups, 2);
    assert_string_equal(st->groups[0].key, "chat");
    assert_int_equal(st->groups[0].count, 3);
    assert_string_equal(st->groups[1].key, "debug");
    assert_int_equal(st->groups[1].count, 2);
    teardown_fx(f);
}

static const char EXPECT[] =
    "rules:\n"
    "  - name: ready\n"
    "    match: 'Process PID: (?<pid>\\d+)'\n"
    "    expect: {match: 'Server ready', within: 30s}\n"
    "    group_by: [pid]\n"
    "    severity: critical\n"
    "    summary: 'pid {pid} not ready within {within}'\n";

static void test_expect_met_in_time(void **state)
{
    struct fx *f = setup(EXPECT);
    const struct mcp_expectation *x;
    size_t n;

    (void)state;
    feed(f, 0, MCP_EV_MATCH, T0, "100", NULL);
    feed(f, 0, MCP_EV_FOLLOW, T0 + 400, NULL, NULL);
    mcp_engine_advance(f->e, T0 + H);
    alerts(f, &n);
    assert_int_equal(n, 0);
    x = mcp_engine_expectations(f->e, &n);
    assert_int_equal(n, 1);
    assert_int_equal(x[0].met, T0 + 400);
    assert_false(x[0].missed);
    assert_string_equal(x[0].cap_pid, "100");
    teardown_fx(f);
}

/* Missed at start + 30 s exactly, resolved by a late readiness line. */
static void test_expect_missed_then_late(void **state)
{
    struct fx *f = setup(EXPECT);
    struct mcp_alert *const *a;
    const struct mcp_expectation *x;
    size_t n;

    (void)state;
    feed(f, 0, MCP_EV_MATCH, T0, "100", NULL);
    mcp_engine_advance(f->e, T0 + 30 * S - 1);
    alerts(f, &n);
    assert_int_equal(n, 0);
    mcp_engine_advance(f->e, T0 + 30 * S);
    a = alerts(f, &n);
    assert_int_equal(n, 1);
    assert_int_equal(a[0]->start, T0 + 30 * S);
    assert_true(a[0]->firing);
    assert_string_equal(a[0]->summary, "pid 100 not ready within 30s");
    feed(f, 0, MCP_EV_FOLLOW, T0 + 45 * S, NULL, NULL);
    assert_false(a[0]->firing);
    assert_int_equal(a[0]->end, T0 + 45 * S);
    x = mcp_engine_expectations(f->e, &n);
    assert_true(x[0].missed);
    assert_int_equal(x[0].met, T0 + 45 * S);
    assert_string_equal(f->log, "F1:1 R1:1");
    teardown_fx(f);
}

/* A hung startup must not take the next startup's readiness line. */
static void test_expect_newest_first(void **state)
{
    struct fx *f = setup(EXPECT);
    struct mcp_alert *const *a;
    const struct mcp_expectation *x;
    size_t n;

    (void)state;
    feed(f, 0, MCP_EV_MATCH, T0, "100", NULL);          /* hangs */
    feed(f, 0, MCP_EV_MATCH, T0 + 10 * S, "200", NULL);
    feed(f, 0, MCP_EV_FOLLOW, T0 + 10 * S + 300, NULL, NULL);
    mcp_engine_advance(f->e, T0 + 5 * M);
    a = alerts(f, &n);
    assert_int_equal(n, 1);
    assert_string_equal(a[0]->label_value[0], "100");
    assert_int_equal(a[0]->start, T0 + 30 * S);
    assert_int_equal(a[0]->end, MCP_TIME_NONE);
    x = mcp_engine_expectations(f->e, &n);
    assert_int_equal(n, 2);
    assert_int_equal(x[0].met, MCP_TIME_NONE);
    assert_int_equal(x[1].met, T0 + 10 * S + 300);
    teardown_fx(f);
}

/* Interleaved startups both ready in time: no alert. */
static void test_expect_interleaved(void **state)
{
    struct fx *f = setup(EXPECT);
    size_t n;

    (void)state;
    feed(f, 0, MCP_EV_MATCH, T0, "805", NULL);
    feed(f, 0, MCP_EV_MATCH, T0 + 1400, "812", NULL);
    feed(f, 0, MCP_EV_FOLLOW, T0 + 1470, NULL, NULL);
    feed(f, 0, MCP_EV_FOLLOW, T0 + 2250, NULL, NULL);
    mcp_engine_advance(f->e, T0 + H);
    alerts(f, &n);
    assert_int_equal(n, 0);
    teardown_fx(f);
}

static const char PLAIN[] =
    "rules:\n"
    "  - name: errors\n"
    "    match: 'ERROR'\n"
    "    severity: warning\n"
    "    cooldown: 5m\n";

/* One incident, one alert: a match fires it, a match within the cooldown
 * after the last one goes on with it (an update), and it resolves when
 * the cooldown has passed with no match (issue 13 item 2: it used to end
 * and fire again for every match, "F1:1 R1:1 F1:2 R1:2 ..."). */
static void test_plain_cooldown(void **state)
{
    struct fx *f = setup(PLAIN);
    struct mcp_alert *const *a;
    size_t n;

    (void)state;
    feed(f, 0, MCP_EV_MATCH, T0, NULL, NULL);
    feed(f, 0, MCP_EV_MATCH, T0 + 4 * M, NULL, NULL);
    feed(f, 0, MCP_EV_MATCH, T0 + 8 * M, NULL, NULL);  /* 4 m after */
    a = alerts(f, &n);
    assert_true(a[0]->firing);
    assert_int_equal(a[0]->cleared, T0 + 8 * M);
    mcp_engine_advance(f->e, T0 + 13 * M - 1);
    assert_true(a[0]->firing);
    feed(f, 0, MCP_EV_MATCH, T0 + 14 * M, NULL, NULL); /* 6 m: new */
    a = alerts(f, &n);
    assert_int_equal(n, 2);
    assert_int_equal(a[0]->start, T0);
    assert_int_equal(a[0]->end, T0 + 13 * M);
    assert_int_equal(a[0]->at, T0 + 13 * M);
    assert_int_equal(a[0]->count, 3);
    assert_int_equal(a[1]->start, T0 + 14 * M);
    assert_true(a[1]->firing);
    assert_int_equal(a[1]->count, 1);
    /* exactly the cooldown after the last match: a new incident */
    mcp_engine_advance(f->e, T0 + 19 * M);
    feed(f, 0, MCP_EV_MATCH, T0 + 19 * M, NULL, NULL);
    alerts(f, &n);
    assert_int_equal(n, 3);
    assert_string_equal(f->log, "F1:1 U1:2 U1:3 R1:3 F2:1 R2:1 F3:1");
    assert_int_equal(mcp_engine_stats(f->e, 0)->alerts, 3);
    teardown_fx(f);
}

/* Without cooldown a plain rule's alert fires and resolves on its line;
 * what mcp_engine_feed returns says which alert a line raised or fed. */
static void test_plain_no_cooldown_fed(void **state)
{
    struct fx *f = setup("rules:\n  - name: e\n    match: 'x'\n"
                         "    severity: warning\n"
                         "  - name: s\n    match: 'y'\n"
                         "    threshold: {count: 1, window: 1m}\n"
                         "    severity: info\n"
                         "  - name: c\n    match: 'z'\n");
    const char *caps[1] = {NULL};
    size_t lens[1] = {0};
    struct mcp_event *ev = mcp_event_create("line", 4, NULL, 0, 0, caps,
                                            lens, NULL, NULL);
    const struct mcp_alert *fed;

    (void)state;
    ev->own_ts = true;
    ev->rule = 0;
    ev->ts = T0;
    fed = mcp_engine_feed(f->e, ev);
    assert_non_null(fed);
    assert_int_equal(fed->id, 1);
    assert_false(fed->firing);
    assert_int_equal(fed->end, T0);
    ev->rule = 1;                             /* below the threshold */
    assert_null(mcp_engine_feed(f->e, ev));
    ev->ts = T0 + S;                          /* fires */
    fed = mcp_engine_feed(f->e, ev);
    assert_non_null(fed);
    assert_int_equal(fed->id, 2);
    ev->ts = T0 + 2 * S;                      /* counted while firing */
    assert_ptr_equal(mcp_engine_feed(f->e, ev), fed);
    ev->rule = 2;                             /* counting rule */
    assert_null(mcp_engine_feed(f->e, ev));
    mcp_engine_advance(f->e, T0 + 62 * S);    /* resolved at T0+61s */
    ev->rule = 1;
    ev->ts = T0 + 63 * S;                     /* one in the window again */
    assert_null(mcp_engine_feed(f->e, ev));
    assert_string_equal(f->log, "F1:1 R1:1 F2:2 U2:3 R2:3");
    mcp_event_free(ev);
    teardown_fx(f);
}

/* A counting rule (no severity) never alerts. */
static void test_counting_rule(void **state)
{
    struct fx *f = setup("rules:\n  - name: c\n    match: 'x'\n");
    size_t n;

    (void)state;
    for (int i = 0; i < 100; i++)
        feed(f, 0, MCP_EV_MATCH, T0 + i, NULL, NULL);
    alerts(f, &n);
    assert_int_equal(n, 0);
    assert_int_equal(mcp_engine_stats(f->e, 0)->matches, 100);
    teardown_fx(f);
}

/* Events without a time take the clock; before any time they only count. */
static void test_no_time(void **state)
{
    struct fx *f = setup(THRESH);
    size_t n;

    (void)state;
    for (int i = 0; i < 10; i++)
        feed(f, 0, MCP_EV_MATCH, MCP_TIME_NONE, NULL, NULL);
    alerts(f, &n);
    assert_int_equal(n, 0);
    assert_int_equal(mcp_engine_stats(f->e, 0)->matches, 10);
    feed(f, 0, MCP_EV_MATCH, T0, NULL, NULL);
    for (int i = 0; i < 5; i++)
        feed(f, 0, MCP_EV_MATCH, MCP_TIME_NONE, NULL, NULL);
    alerts(f, &n);
    assert_int_equal(n, 1); /* six at T0 */
    teardown_fx(f);
}

/* A threshold alert whose window dropped back waits out its cooldown:
 * crossing the threshold again in that time goes on with it (adding the
 * matches not counted before), then it resolves a cooldown after the
 * window last dropped back. */
static void test_threshold_cooldown_reopen(void **state)
{
    struct fx *f = setup("rules:\n  - name: s\n    match: 'x'\n"
                         "    threshold: {count: 1, window: 1m}\n"
                         "    severity: info\n    cooldown: 10m\n");
    struct mcp_alert *const *a;
    size_t n;

    (void)state;
    feed(f, 0, MCP_EV_MATCH, T0, NULL, NULL);
    feed(f, 0, MCP_EV_MATCH, T0 + S, NULL, NULL);      /* fires, count 2 */
    /* The newest two are T0 and T0+1s: back to one match when T0 leaves
     * the window, at T0+1m; it waits out its cooldown until T0+11m. */
    mcp_engine_advance(f->e, T0 + 5 * M);
    a = alerts(f, &n);
    assert_int_equal(n, 1);
    assert_true(a[0]->firing);
    assert_int_equal(a[0]->cleared, T0 + M);
    feed(f, 0, MCP_EV_MATCH, T0 + 6 * M, NULL, NULL);  /* one: nothing */
    assert_int_equal(a[0]->cleared, T0 + M);
    feed(f, 0, MCP_EV_MATCH, T0 + 6 * M + S, NULL, NULL); /* goes on */
    a = alerts(f, &n);
    assert_int_equal(n, 1);
    assert_true(a[0]->firing);
    assert_int_equal(a[0]->cleared, MCP_TIME_NONE);
    assert_int_equal(a[0]->count, 4);
    /* the window drops back at 7m; resolved at 17m */
    mcp_engine_advance(f->e, T0 + 30 * M);
    assert_int_equal(a[0]->end, T0 + 17 * M);
    feed(f, 0, MCP_EV_MATCH, T0 + 31 * M, NULL, NULL);
    feed(f, 0, MCP_EV_MATCH, T0 + 31 * M + S, NULL, NULL); /* new alert */
    alerts(f, &n);
    assert_int_equal(n, 2);
    assert_string_equal(f->log, "F1:2 U1:4 R1:4 F2:2");
    teardown_fx(f);
}

/* An alert waiting out its cooldown is saved as such: restored, it
 * resolves when the cooldown ends, and a match before then goes on with
 * it; nothing is told at load. */
static void test_cooldown_restored(void **state)
{
    struct fx *f = setup(PLAIN), *g, *h;
    struct mcp_buf b;
    struct mcp_alert *const *a;
    size_t n;

    (void)state;
    feed(f, 0, MCP_EV_MATCH, T0, NULL, NULL);
    feed(f, 0, MCP_EV_MATCH, T0 + M, NULL, NULL);
    mcp_buf_init(&b);
    mcp_engine_save(f->e, &b);
    g = setup(PLAIN);
    mcp_engine_load(g->e, b.data, b.len, MCP_TIME_NONE, MCP_TIME_NONE);
    a = alerts(g, &n);
    assert_int_equal(n, 1);
    assert_true(a[0]->firing);
    assert_int_equal(a[0]->cleared, T0 + M);
    assert_int_equal(mcp_engine_next_due(g->e), T0 + 6 * M);
    mcp_engine_advance(g->e, T0 + 6 * M);
    assert_string_equal(g->log, "R1:2");
    h = setup(PLAIN);
    mcp_engine_load(h->e, b.data, b.len, MCP_TIME_NONE, MCP_TIME_NONE);
    feed(h, 0, MCP_EV_MATCH, T0 + 3 * M, NULL, NULL);
    mcp_engine_advance(h->e, T0 + 8 * M - 1);
    assert_string_equal(h->log, "U1:3");
    mcp_engine_advance(h->e, T0 + 8 * M);
    assert_string_equal(h->log, "U1:3 R1:3");
    mcp_buf_free(&b);
    teardown_fx(f);
    teardown_fx(g);
    teardown_fx(h);
}

/* An expect rule with a cooldown: a startup met late clears the alert,
 * another miss within the cooldown goes on with it. */
static void test_expect_cooldown(void **state)
{
    struct fx *f = setup("rules:\n  - name: up\n    match: 'start'\n"
                         "    expect: {match: 'ready', within: 30s}\n"
                         "    severity: critical\n    cooldown: 10m\n");

    (void)state;
    feed(f, 0, MCP_EV_MATCH, T0, NULL, NULL);
    feed(f, 0, MCP_EV_FOLLOW, T0 + 40 * S, NULL, NULL); /* late */
    feed(f, 0, MCP_EV_MATCH, T0 + 5 * M, NULL, NULL);
    mcp_engine_advance(f->e, T0 + 6 * M);               /* missed again */
    feed(f, 0, MCP_EV_FOLLOW, T0 + 7 * M, NULL, NULL);
    mcp_engine_advance(f->e, T0 + 17 * M - 1);
    assert_string_equal(f->log, "F1:1 U1:2");
    mcp_engine_advance(f->e, T0 + 17 * M);
    assert_string_equal(f->log, "F1:1 U1:2 R1:2");
    teardown_fx(f);
}

/* follow prunes: ended alerts and idle groups go; firing alerts stay
 * (also one waiting out its cooldown: test_prune_keeps_cooldown). */
static void test_prune(void **state)
{
    struct fx *f = setup("rules:\n  - name: e\n    match: 'x'\n"
                         "    severity: warning\n"
                         "  - name: s\n    match: 'y'\n"
                         "    threshold: {count: 0, window: 1h}\n"
                         "    severity: info\n");
    struct mcp_alert *const *a;
    size_t n;

    (void)state;
    feed(f, 0, MCP_EV_MATCH, T0, NULL, NULL);
    feed(f, 0, MCP_EV_MATCH, T0 + S, NULL, NULL);
    feed(f, 0, MCP_EV_MATCH, T0 + 2 * S, NULL, NULL);
    feed(f, 1, MCP_EV_MATCH, T0 + 3 * S, NULL, NULL); /* fires, 1 h */
    alerts(f, &n);
    assert_int_equal(n, 4);
    mcp_engine_prune(f->e);
    a = alerts(f, &n);
    assert_int_equal(n, 1); /* rule e has no cooldown: nothing to keep */
    assert_int_equal(a[0]->id, 4);
    assert_true(a[0]->firing);
    /* After pruning the engine goes on: ids keep counting. */
    feed(f, 0, MCP_EV_MATCH, T0 + 4 * S, NULL, NULL);
    a = alerts(f, &n);
    assert_int_equal(n, 2);
    assert_int_equal(a[1]->id, 5);
    teardown_fx(f);
}

/* An alert waiting out its cooldown fires: a prune keeps it, so a match
 * within the cooldown still goes on with it. */
static void test_prune_keeps_cooldown(void **state)
{
    struct fx *f = setup(PLAIN); /* errors, cooldown 5m */
    struct mcp_alert *const *a;
    size_t n;

    (void)state;
    feed(f, 0, MCP_EV_MATCH, T0, NULL, NULL);
    mcp_engine_advance(f->e, T0 + M);
    mcp_engine_prune(f->e);
    feed(f, 0, MCP_EV_MATCH, T0 + 2 * M, NULL, NULL);
    a = alerts(f, &n);
    assert_int_equal(n, 1);
    assert_int_equal(a[0]->count, 2);
    mcp_engine_advance(f->e, T0 + 20 * M);
    mcp_engine_prune(f->e);
    alerts(f, &n);
    assert_int_equal(n, 0);
    teardown_fx(f);
}

/* A firing alert repeats every repeat interval of log time after it
 * fired, also with no new line (advance), and stops once resolved. */
static void test_repeat(void **state)
{
    struct fx *f = setup(THRESH);

    (void)state;
    mcp_engine_set_repeat(f->e, 20 * M, MCP_ENGINE_REPEAT_BURST);
    for (int i = 0; i < 6; i++)
        feed(f, 0, MCP_EV_MATCH, T0 + i * M, NULL, NULL);
    /* fired at T0+5m: repeats at 25m and 45m; with the match at 30m the
     * newest six start at T0+1m, so it resolves at 61m, before 65m */
    mcp_engine_advance(f->e, T0 + 25 * M - 1);
    assert_string_equal(f->log, "F1:6");
    mcp_engine_advance(f->e, T0 + 25 * M);
    assert_string_equal(f->log, "F1:6 P1:6");
    feed(f, 0, MCP_EV_MATCH, T0 + 30 * M, NULL, NULL);
    mcp_engine_advance(f->e, T0 + 4 * H);
    assert_string_equal(f->log, "F1:6 P1:6 U1:7 P1:7 R1:7");
    teardown_fx(f);
}

/* The repeat schedule is part of the saved state: a restored firing
 * alert repeats when it would have, and is not told again at load. */
static void test_repeat_restored(void **state)
{
    struct fx *f = setup(THRESH), *g;
    struct mcp_buf b;

    (void)state;
    mcp_engine_set_repeat(f->e, 20 * M, MCP_ENGINE_REPEAT_BURST);
    for (int i = 0; i < 6; i++)
        feed(f, 0, MCP_EV_MATCH, T0 + i * M, NULL, NULL);
    mcp_engine_advance(f->e, T0 + 10 * M);
    mcp_buf_init(&b);
    mcp_engine_save(f->e, &b);
    g = setup(THRESH);
    mcp_engine_set_repeat(g->e, 20 * M, MCP_ENGINE_REPEAT_BURST);
    mcp_engine_load(g->e, b.data, b.len, MCP_TIME_NONE, MCP_TIME_NONE);
    mcp_buf_free(&b);
    mcp_engine_advance(g->e, T0 + 25 * M - 1);
    assert_string_equal(g->log, "");
    mcp_engine_advance(g->e, T0 + 25 * M);
    assert_string_equal(g->log, "P1:6");
    teardown_fx(f);
    teardown_fx(g);
}

/* Past the group cap (issue 10, item 7). Keys 0..9999 fill the groups;
 * 100 more keys, each once, after that. The pool of old lied: it took the
 * labels of its first key and fired "t10000 called 100 times". */
static void test_group_cap_threshold(void **state)
{
    struct fx *f = setup(GROUPED);
    const struct mcp_rule_stats *st;
    char k[16];
    size_t n;

    (void)state;
    for (int i = 0; i < MCP_ENGINE_MAX_GROUPS + 100; i++) {
        snprintf(k, sizeof(k), "t%05d", i);
        feed(f, 0, MCP_EV_MATCH, T0 + i * 5, k, NULL);
    }
    /* the keys past the cap again: still 100 keys, 200 matches */
    for (int i = MCP_ENGINE_MAX_GROUPS; i < MCP_ENGINE_MAX_GROUPS + 100; i++) {
        snprintf(k, sizeof(k), "t%05d", i);
        feed(f, 0, MCP_EV_MATCH, T0 + 51 * S, k, NULL);
    }
    alerts(f, &n);
    assert_int_equal(n, 0);
    assert_string_equal(f->log, "");
    st = mcp_engine_stats(f->e, 0);
    assert_int_equal(st->matches, MCP_ENGINE_MAX_GROUPS + 200);
    assert_int_equal(st->ngroups, MCP_ENGINE_MAX_GROUPS);
    assert_int_equal(st->groups_dropped, 200);
    assert_int_equal(st->keys_dropped, 100);
    /* a tracked key still alerts: three calls of t00000 in the window */
    feed(f, 0, MCP_EV_MATCH, T0 + 52 * S, "t00000", NULL);
    feed(f, 0, MCP_EV_MATCH, T0 + 53 * S, "t00000", NULL);
    assert_string_equal(f->log, "F1:3");
    teardown_fx(f);
}

static const char PLAIN_GROUPED[] =
    "rules:\n"
    "  - name: err\n"
    "    match: 'ERROR (?<logger>\\S+)'\n"
    "    group_by: [logger]\n"
    "    cooldown: 1h\n"
    "    severity: warning\n"
    "    summary: 'error from {logger}'\n";

/* A plain rule past the cap: each line its own alert with its own labels
 * (no cooldown: there is no state to reopen). */
static void test_group_cap_plain(void **state)
{
    struct fx *f = setup(PLAIN_GROUPED);
    struct mcp_alert *const *a;
    char k[16];
    size_t n;

    (void)state;
    for (int i = 0; i < MCP_ENGINE_MAX_GROUPS; i++) {
        snprintf(k, sizeof(k), "l%05d", i);
        feed(f, 0, MCP_EV_MATCH, T0, k, NULL);
    }
    f->log[0] = '\0';
    feed(f, 0, MCP_EV_MATCH, T0 + S, "late", NULL);
    feed(f, 0, MCP_EV_MATCH, T0 + 2 * S, "later", NULL);
    feed(f, 0, MCP_EV_MATCH, T0 + 3 * S, "late", NULL);
    a = alerts(f, &n);
    assert_int_equal(n, MCP_ENGINE_MAX_GROUPS + 3);
    assert_string_equal(f->log, "F10001:1 R10001:1 F10002:1 R10002:1 "
                                "F10003:1 R10003:1");
    assert_string_equal(a[MCP_ENGINE_MAX_GROUPS]->label_value[0], "late");
    assert_string_equal(a[MCP_ENGINE_MAX_GROUPS]->summary, "error from late");
    assert_string_equal(a[MCP_ENGINE_MAX_GROUPS + 1]->key, "later");
    assert_string_equal(a[MCP_ENGINE_MAX_GROUPS + 1]->label_value[0],
                        "later");
    assert_string_equal(a[MCP_ENGINE_MAX_GROUPS + 2]->label_value[0], "late");
    assert_int_equal(mcp_engine_stats(f->e, 0)->keys_dropped, 2);
    /* prune keeps nothing of them (no group holds them) */
    mcp_engine_prune(f->e);
    teardown_fx(f);
}

/* keys_dropped saturates at MCP_ENGINE_MAX_DROPPED_KEYS; the matches go
 * on being counted. */
static void test_group_cap_saturates(void **state)
{
    struct fx *f = setup(GROUPED);
    const struct mcp_rule_stats *st;
    char k[16];
    int total = MCP_ENGINE_MAX_GROUPS + MCP_ENGINE_MAX_DROPPED_KEYS + 5;

    (void)state;
    for (int i = 0; i < total; i++) {
        snprintf(k, sizeof(k), "t%07d", i);
        feed(f, 0, MCP_EV_MATCH, T0 + (int64_t)i * 2 * M, k, NULL);
    }
    st = mcp_engine_stats(f->e, 0);
    assert_int_equal(st->groups_dropped, MCP_ENGINE_MAX_DROPPED_KEYS + 5);
    assert_int_equal(st->keys_dropped, MCP_ENGINE_MAX_DROPPED_KEYS);
    teardown_fx(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threshold_not_exceeded),
        cmocka_unit_test(test_threshold_fire_and_resolve),
        cmocka_unit_test(test_threshold_window_edge),
        cmocka_unit_test(test_threshold_groups),
        cmocka_unit_test(test_expect_met_in_time),
        cmocka_unit_test(test_expect_missed_then_late),
        cmocka_unit_test(test_expect_newest_first),
        cmocka_unit_test(test_expect_interleaved),
        cmocka_unit_test(test_plain_cooldown),
        cmocka_unit_test(test_plain_no_cooldown_fed),
        cmocka_unit_test(test_counting_rule),
        cmocka_unit_test(test_no_time),
        cmocka_unit_test(test_threshold_cooldown_reopen),
        cmocka_unit_test(test_cooldown_restored),
        cmocka_unit_test(test_expect_cooldown),
        cmocka_unit_test(test_prune),
        cmocka_unit_test(test_prune_keeps_cooldown),
        cmocka_unit_test(test_repeat),
        cmocka_unit_test(test_repeat_restored),
        cmocka_unit_test(test_group_cap_threshold),
        cmocka_unit_test(test_group_cap_plain),
        cmocka_unit_test(test_group_cap_saturates),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
