/* test_termview.c - the `follow` view: exact text lines with and without
 * colour, alert lines, --quiet, --all, JSON objects, hostile log text, the
 * colour decision and the status line (through a pseudo-terminal). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "engine/engine.h"
#include "match/event.h"
#include "match/rules.h"
#include "output/termview.h"
#include "base/textout.h"
#include "base/timeparse.h"
#include "base/util.h"

#define S 1000LL
#define M (60 * S)
#define DAY (24 * 60 * M)
#define T0 1765377362114LL /* 2025-12-10 14:36:02.114 UTC */

static const char RULES[] =
    "rules:\n"
    "  - name: reconnect-failures\n"
    "    match: 'Reconnect failed for (?<server>\\S+)'\n"
    "    group_by: [server]\n"
    "    threshold: {count: 2, window: 1m}\n"
    "    severity: critical\n"
    "    summary: '{count} reconnect failures of {server}'\n"
    "  - name: tool-calls\n"
    "    match: 'TOOL_CALL: (?<tool>\\S+)(?: from (?<client>\\S+))?'\n"
    "    group_by: [tool]\n"
    "  - name: warn-thing\n"
    "    match: 'WARN (?<what>.*)'\n"
    "    severity: warning\n"
    "  - name: startup\n"
    "    match: 'Starting pid=(?<pid>\\d+)'\n"
    "    expect: {match: 'ready pid=(?<rpid>\\d+)', within: 30s}\n"
    "    severity: info\n";

enum { R_RECONNECT, R_TOOLS, R_WARN, R_STARTUP };

/* Output captured in memory (not a TTY: out_fd -1). */
struct fx {
    struct mcp_ruleset rs;
    char *buf;
    size_t len;
    FILE *f;
    struct mcp_termview *v;
};

static int group_setup(void **state)
{
    (void)state;
    unsetenv("NO_COLOR");
    return mcp_time_set_tz("UTC", NULL);
}

static struct fx *fx_new(enum mcp_color_mode color, bool json, bool quiet,
                         bool all)
{
    struct fx *f = mcp_calloc(1, sizeof(*f));
    struct mcp_termview_opts o = {color, json, quiet, all, true};
    char err[MCP_ERRLEN] = "";

    mcp_ruleset_init(&f->rs);
    if (mcp_rules_load_buffer(&f->rs, "test.yaml", RULES, strlen(RULES),
                              err) != 0)
        fail_msg("rules: %s", err);
    f->f = open_memstream(&f->buf, &f->len);
    assert_non_null(f->f);
    f->v = mcp_termview_create(f->f, -1, &f->rs, &o);
    return f;
}

/* Everything written so far (NUL-terminated by open_memstream). */
static const char *out(struct fx *f)
{
    mcp_termview_flush(f->v);
    return f->buf;
}

static void fx_free(struct fx *f)
{
    mcp_termview_destroy(f->v);
    fclose(f->f);
    free(f->buf);
    mcp_ruleset_free(&f->rs);
    free(f);
}

/* An event of rule at t whose named captures n0 = v0 and n1 = v1 are set
 * (names may be NULL). The pattern (match, or expect.match for FOLLOW)
 * decides the capture index of each name. */
static struct mcp_event *mkev(const struct mcp_ruleset *rs, int rule,
                              int kind, int64_t t, const char *line,
                              size_t len, const char *n0, const char *v0,
                              const char *n1, const char *v1)
{
    const struct mcp_rule *r = &rs->rules[rule];
    const struct mcp_pattern *p = kind == MCP_EV_FOLLOW ? r->expect
                                                        : r->match;
    const char *caps[MCP_PATTERN_MAX_CAPS] = {NULL};
    size_t lens[MCP_PATTERN_MAX_CAPS] = {0};
    int ncaps = mcp_pattern_ncaptures(p);
    struct mcp_event *ev;

    for (int i = 0; i < ncaps; i++) {
        const char *name = mcp_pattern_capture_name(p, i, NULL);

        if (n0 != NULL && strcmp(name, n0) == 0)
            caps[i] = v0;
        if (n1 != NULL && strcmp(name, n1) == 0)
            caps[i] = v1;
        lens[i] = caps[i] ? strlen(caps[i]) : 0;
    }
    ev = mcp_event_create(line, len, NULL, 0, ncaps, caps, lens, NULL, NULL);
    ev->rule = (uint32_t)rule;
    ev->kind = (uint8_t)kind;
    ev->ts = t;
    ev->own_ts = true;
    ev->lineno = 42;
    return ev;
}

/* The capture names of the test rules, by rule. */
static const char *const CAP1[] = {"server", "tool", "what", "pid"};

/* Show an event; c0 is the rule's first capture (for startup FOLLOW:
 * rpid), c1 tool-calls' client. */
static void show(struct fx *f, int rule, int kind, int64_t t,
                 const char *line, const char *c0, const char *c1)
{
    const char *n0 = kind == MCP_EV_FOLLOW ? "rpid" : CAP1[rule];
    struct mcp_event *ev = mkev(&f->rs, rule, kind, t, line, strlen(line),
                                n0, c0, "client", c1);

    mcp_termview_event(f->v, ev, "logs/mcp_server.log");
    mcp_event_free(ev);
}

/* Show one line matched by n rules: rule[i] with its first capture c[i];
 * alert[i] the alert it raised or fed (0: none), of severity sev[i]. */
static void show_line(struct fx *f, int64_t t, const char *line, int n,
                      const int *rule, const char *const *c,
                      const uint64_t *alert, const enum mcp_severity *sev)
{
    struct mcp_termview_hit h[4] = {{0}};
    struct mcp_event *ev[4];

    for (int i = 0; i < n; i++) {
        ev[i] = mkev(&f->rs, rule[i], MCP_EV_MATCH, t, line, strlen(line),
                     CAP1[rule[i]], c[i], NULL, NULL);
        h[i] = (struct mcp_termview_hit){ev[i], alert[i], sev[i]};
    }
    mcp_termview_events(f->v, h, (size_t)n, "logs/mcp_server.log");
    for (int i = 0; i < n; i++)
        mcp_event_free(ev[i]);
}

/* Show one line of rule that raised or fed alert id of severity sev. */
static void show_fed(struct fx *f, int rule, int64_t t, const char *line,
                     const char *c0, uint64_t id, enum mcp_severity sev)
{
    show_line(f, t, line, 1, &rule, &c0, &id, &sev);
}

/* A hand-made alert of reconnect-failures{server=...}. */
struct alert_fx {
    struct mcp_alert a;
    char value[64];
    char summary[256];
};

static void mkalert(struct alert_fx *x, uint32_t rule, const char *server,
                    int64_t start, int64_t end, uint64_t count,
                    const char *summary)
{
    memset(x, 0, sizeof(*x));
    x->a.id = 7;
    x->a.rule = rule;
    x->a.severity = MCP_SEV_CRITICAL;
    if (server != NULL) {
        snprintf(x->value, sizeof(x->value), "%s", server);
        x->a.nlabels = 1;
        x->a.label_name[0] = "server";
        x->a.label_value[0] = x->value;
    }
    x->a.start = start;
    x->a.end = end;
    x->a.at = end != MCP_TIME_NONE ? end : start;
    x->a.cleared = MCP_TIME_NONE;
    x->a.count = count;
    x->a.firing = end == MCP_TIME_NONE;
    if (summary != NULL) {
        snprintf(x->summary, sizeof(x->summary), "%s", summary);
        x->a.summary = x->summary;
    }
}

/* --- text events ------------------------------------------------------- */

/* A line that fed no alert: "-" and neutral; one that did: its alert's
 * severity. Follow-up hits are not shown. */
static void test_event_plain(void **state)
{
    struct fx *f = fx_new(MCP_COLOR_NEVER, false, false, false);

    (void)state;
    show(f, R_RECONNECT, MCP_EV_MATCH, T0, "Reconnect failed for hestai",
         "hestai", NULL);
    show_fed(f, R_RECONNECT, T0, "Reconnect failed for hestai", "hestai", 3,
             MCP_SEV_CRITICAL);
    show(f, R_TOOLS, MCP_EV_MATCH, T0 + 1, "TOOL_CALL: read_file", "read_file",
         NULL);
    show(f, R_TOOLS, MCP_EV_MATCH, T0 + 2, "TOOL_CALL: ls from cli", "ls",
         "cli");
    show_fed(f, R_WARN, T0 + DAY, "WARN disk", "disk", 4, MCP_SEV_WARNING);
    show_fed(f, R_WARN, MCP_TIME_NONE, "WARN x", "x", 5, MCP_SEV_WARNING);
    show(f, R_STARTUP, MCP_EV_FOLLOW, T0 + DAY + 5, "ready pid=12", "12",
         NULL);
    assert_string_equal(out(f),
        "-- 2025-12-10 --\n"
        "14:36:02.114  -         reconnect-failures{server=hestai}  "
        "Reconnect failed for hestai\n"
        "14:36:02.114  critical  reconnect-failures{server=hestai}  "
        "Reconnect failed for hestai\n"
        "14:36:02.115  -         tool-calls{tool=read_file}  "
        "TOOL_CALL: read_file\n"
        "14:36:02.116  -         tool-calls{tool=ls,client=cli}  "
        "TOOL_CALL: ls from cli\n"
        "-- 2025-12-11 --\n"
        "14:36:02.114  warning   warn-thing{what=disk}  WARN disk\n"
        "--:--:--.---  warning   warn-thing{what=x}  WARN x\n");
    fx_free(f);
}

/* One line matched by several rules is shown once with every rule name
 * and every capture once; the most severe alert it fed gives SEV; a
 * capture that repeats the text (free text: a space, or over 32 bytes)
 * is left out unless it is a group_by label; a record's traceback shows
 * its last line (issue 13 item 1: the old view showed the line once per
 * rule, in each rule's severity, with message= captures). */
static void test_event_merged(void **state)
{
    struct fx *f = fx_new(MCP_COLOR_NEVER, false, false, false);
    struct fx *g = fx_new(MCP_COLOR_NEVER, false, false, true);
    const int two[] = {R_RECONNECT, R_TOOLS};
    const char *cv[] = {"h", "h"};
    const uint64_t none[] = {0, 0}, one[] = {0, 9};
    const enum mcp_severity sevs[] = {MCP_SEV_NONE, MCP_SEV_WARNING};
    const char *tb = "Traceback (most recent call last):\n"
                     "  File \"x.py\", line 1\nValueError: bad \x1b[2J\n";
    struct mcp_event *ev;
    struct mcp_termview_hit h;

    (void)state;
    show_line(f, T0, "Reconnect failed for h TOOL_CALL: h", 2, two, cv, none,
              sevs);
    show_line(f, T0, "Reconnect failed for h TOOL_CALL: h", 2, two, cv, one,
              sevs);
    /* "what" is free text (a space): left out */
    show(f, R_WARN, MCP_EV_MATCH, T0, "WARN disk full", "disk full", NULL);
    /* over 32 bytes: left out; a label of that length is not */
    show(f, R_WARN, MCP_EV_MATCH, T0,
         "WARN 0123456789012345678901234567890123",
         "0123456789012345678901234567890123", NULL);
    show(f, R_TOOLS, MCP_EV_MATCH, T0,
         "TOOL_CALL: a-very-long-tool-name-of-40-bytes-xx from cli",
         "a-very-long-tool-name-of-40-bytes-xx", "cli");
    ev = mcp_event_create("WARN boom", 9, tb, strlen(tb), 0, NULL, NULL,
                          NULL, NULL);
    ev->rule = R_WARN;
    ev->ts = T0;
    h = (struct mcp_termview_hit){ev, 2, MCP_SEV_WARNING};
    mcp_termview_events(f->v, &h, 1, "p");
    mcp_termview_events(g->v, &h, 1, "p"); /* --all: the lines show it */
    mcp_event_free(ev);
    assert_string_equal(out(f),
        "-- 2025-12-10 --\n"
        "14:36:02.114  -         reconnect-failures,tool-calls"
        "{server=h,tool=h}  Reconnect failed for h TOOL_CALL: h\n"
        "14:36:02.114  warning   reconnect-failures,tool-calls"
        "{server=h,tool=h}  Reconnect failed for h TOOL_CALL: h\n"
        "14:36:02.114  -         warn-thing  WARN disk full\n"
        "14:36:02.114  -         warn-thing  "
        "WARN 0123456789012345678901234567890123\n"
        "14:36:02.114  -         tool-calls{tool=a-very-long-tool-name-of-"
        "40-bytes-xx,client=cli}  TOOL_CALL: a-very-long-tool-name-of-40-"
        "bytes-xx from cli\n"
        "14:36:02.114  warning   warn-thing  WARN boom\n"
        "              traceback ends: ValueError: bad \\x1b[2J\n");
    assert_string_equal(out(g),
        "-- 2025-12-10 --\n"
        "14:36:02.114  warning   warn-thing  WARN boom\n");
    fx_free(f);
    fx_free(g);
}

/* Colour only on a line that raised or fed an alert; any other matched
 * line is dim (SGR 2) as a whole. */
static void test_event_color(void **state)
{
    struct fx *f = fx_new(MCP_COLOR_ALWAYS, false, false, false);

    (void)state;
    show_fed(f, R_RECONNECT, T0, "Reconnect failed for hestai", "hestai", 1,
             MCP_SEV_CRITICAL);
    show(f, R_TOOLS, MCP_EV_MATCH, T0, "TOOL_CALL: ls", "ls", NULL);
    show_fed(f, R_WARN, T0, "WARN w", "w", 2, MCP_SEV_WARNING);
    show_fed(f, R_STARTUP, T0, "Starting pid=3", "3", 3, MCP_SEV_INFO);
    show(f, R_WARN, MCP_EV_MATCH, T0, "WARN w", "w", NULL);
    assert_string_equal(out(f),
        "\033[2m-- 2025-12-10 --\033[0m\n"
        "14:36:02.114  \033[1;31mcritical\033[0m  "
        "\033[1mreconnect-failures\033[0m{server=hestai}  "
        "Reconnect failed for hestai\n"
        "\033[2m14:36:02.114  -         tool-calls{tool=ls}  "
        "TOOL_CALL: ls\033[0m\n"
        "14:36:02.114  \033[33mwarning\033[0m   "
        "\033[1mwarn-thing\033[0m{what=w}  WARN w\n"
        "14:36:02.114  \033[36minfo\033[0m      "
        "\033[1mstartup\033[0m{pid=3}  Starting pid=3\n"
        "\033[2m14:36:02.114  -         warn-thing{what=w}  WARN w"
        "\033[0m\n");
    fx_free(f);
}

/* A line longer than the event keeps ends in an ellipsis. */
static void test_event_cut(void **state)
{
    struct fx *f = fx_new(MCP_COLOR_NEVER, false, false, false);
    size_t n = MCP_EVENT_LINE_MAX + 10;
    char *line = mcp_malloc(n + 1);
    const char *o;
    size_t len;

    (void)state;
    memset(line, 'a', n);
    memcpy(line, "WARN ", 5);
    line[n] = '\0';
    show(f, R_WARN, MCP_EV_MATCH, T0, line, "x", NULL);
    o = out(f);
    len = strlen(o);
    assert_true(len > 10);
    assert_string_equal(o + len - 7, "aaa…\n");
    /* date line, time, severity, rule{labels}, kept line, "…\n" */
    assert_int_equal(len, 17 + 14 + 10 + 18 + 2 + MCP_EVENT_LINE_MAX + 4);
    free(line);
    fx_free(f);
}

/* --- alerts ------------------------------------------------------------ */

/* One story per alert: ▲ at its start, ↻ with the count and the time of
 * the change, ↻ still firing with its time, ▼ at its end; an alert that
 * resolved at the instant it fired shows its ▲ line only; a silenced
 * alert is marked (issue 13 item 2: updates had no line outside --quiet
 * and the repeat line no time). */
static void test_alert_lines(void **state)
{
    struct fx *f = fx_new(MCP_COLOR_NEVER, false, false, false);
    struct alert_fx x;

    (void)state;
    mkalert(&x, R_RECONNECT, "hestai", T0, MCP_TIME_NONE, 3,
            "3 reconnect failures of hestai");
    mcp_termview_alert(f->v, &x.a, MCP_STATUS_FIRING, false);
    x.a.count = 4;
    x.a.at = T0 + 20 * S;
    mcp_termview_alert(f->v, &x.a, MCP_STATUS_UPDATE, false);
    x.a.at = T0 + 4 * M;
    mcp_termview_alert(f->v, &x.a, MCP_STATUS_REPEAT, false);
    x.a.end = x.a.at = T0 + 5 * M + 1500;
    mcp_termview_alert(f->v, &x.a, MCP_STATUS_RESOLVED, false);
    /* A plain rule without cooldown: only the ▲ line. */
    mkalert(&x, R_WARN, NULL, T0 + 6 * M, MCP_TIME_NONE, 1, NULL);
    x.a.severity = MCP_SEV_WARNING;
    mcp_termview_alert(f->v, &x.a, MCP_STATUS_FIRING, false);
    x.a.end = x.a.start;
    mcp_termview_alert(f->v, &x.a, MCP_STATUS_RESOLVED, false);
    mkalert(&x, R_WARN, NULL, T0 + 7 * M, MCP_TIME_NONE, 1, NULL);
    x.a.severity = MCP_SEV_WARNING;
    mcp_termview_alert(f->v, &x.a, MCP_STATUS_FIRING, true);
    x.a.end = x.a.at = T0 + 12 * M;
    mcp_termview_alert(f->v, &x.a, MCP_STATUS_RESOLVED, true);
    assert_string_equal(out(f),
        "-- 2025-12-10 --\n"
        "14:36:02.114  ▲ ALERT critical reconnect-failures{server=hestai} "
        "count=3: 3 reconnect failures of hestai\n"
        "14:36:22.114  ↻ critical reconnect-failures{server=hestai} "
        "count=4\n"
        "14:40:02.114  ↻ still firing critical "
        "reconnect-failures{server=hestai} count=4: 3 reconnect failures "
        "of hestai\n"
        "14:41:03.614  ▼ RESOLVED critical reconnect-failures{server=hestai} "
        "count=4 after 5m1.5s\n"
        "14:42:02.114  ▲ ALERT warning warn-thing count=1\n"
        "14:43:02.114  ▲ ALERT warning warn-thing count=1 (silenced)\n"
        "14:48:02.114  ▼ RESOLVED warning warn-thing count=1 after 5m "
        "(silenced)\n");
    fx_free(f);
}

static void test_alert_color(void **state)
{
    struct fx *f = fx_new(MCP_COLOR_ALWAYS, false, false, false);
    struct alert_fx x;

    (void)state;
    mkalert(&x, R_RECONNECT, "hestai", T0, MCP_TIME_NONE, 3, "boom");
    mcp_termview_alert(f->v, &x.a, MCP_STATUS_FIRING, false);
    x.a.count = 9;
    mcp_termview_alert(f->v, &x.a, MCP_STATUS_UPDATE, false);
    mcp_termview_alert(f->v, &x.a, MCP_STATUS_REPEAT, false);
    x.a.end = T0 + M;
    mcp_termview_alert(f->v, &x.a, MCP_STATUS_RESOLVED, false);
    assert_string_equal(out(f),
        "\033[2m-- 2025-12-10 --\033[0m\n"
        "14:36:02.114  \033[1;7;31m▲ ALERT critical\033[0m "
        "\033[1mreconnect-failures\033[0m{server=hestai} count=3: boom\n"
        "\033[2m14:36:02.114  ↻ critical reconnect-failures{server=hestai} "
        "count=9\033[0m\n"
        "14:36:02.114  \033[1;7;31m↻ still firing critical\033[0m "
        "\033[1mreconnect-failures\033[0m{server=hestai} count=9: boom\n"
        "14:37:02.114  \033[1;32m▼ RESOLVED critical\033[0m "
        "\033[1mreconnect-failures\033[0m{server=hestai} count=9 after 1m\n");
    fx_free(f);
}

/* A line's events are fed with the view held: the line comes first,
 * after its date line, then the alert lines it raised, which need no
 * date line of their own (a first version wrote the line above the date
 * line: the alert line had taken it while held). */
static void test_hold_order(void **state)
{
    struct fx *f = fx_new(MCP_COLOR_NEVER, false, false, false);
    struct alert_fx x;

    (void)state;
    mcp_termview_day(f->v, T0);
    mcp_termview_hold(f->v);
    mkalert(&x, R_RECONNECT, "h", T0, MCP_TIME_NONE, 1, NULL);
    mcp_termview_alert(f->v, &x.a, MCP_STATUS_FIRING, false);
    show_fed(f, R_RECONNECT, T0, "Reconnect failed for h", "h", 1,
             MCP_SEV_CRITICAL);
    mcp_termview_release(f->v);
    mcp_termview_day(f->v, T0 + 1);          /* same day: nothing */
    assert_string_equal(out(f),
        "-- 2025-12-10 --\n"
        "14:36:02.114  critical  reconnect-failures{server=h}  "
        "Reconnect failed for h\n"
        "14:36:02.114  ▲ ALERT critical reconnect-failures{server=h} "
        "count=1\n");
    fx_free(f);
}

/* --quiet: no events or lines; every alert line. */
static void test_quiet(void **state)
{
    struct fx *f = fx_new(MCP_COLOR_NEVER, false, true, true);
    struct alert_fx x;

    (void)state;
    show(f, R_RECONNECT, MCP_EV_MATCH, T0, "Reconnect failed for a", "a",
         NULL);
    mcp_termview_line(f->v, "p", 1, T0, "plain", 5);
    mkalert(&x, R_RECONNECT, "a", T0, MCP_TIME_NONE, 3, "s");
    mcp_termview_alert(f->v, &x.a, MCP_STATUS_FIRING, false);
    x.a.count = 4;
    x.a.at = T0 + M;
    mcp_termview_alert(f->v, &x.a, MCP_STATUS_UPDATE, false);
    x.a.end = T0 + 2 * M;
    mcp_termview_alert(f->v, &x.a, MCP_STATUS_RESOLVED, false);
    assert_string_equal(out(f),
        "-- 2025-12-10 --\n"
        "14:36:02.114  ▲ ALERT critical reconnect-failures{server=a} "
        "count=3: s\n"
        "14:37:02.114  ↻ critical reconnect-failures{server=a} count=4\n"
        "14:38:02.114  ▼ RESOLVED critical reconnect-failures{server=a} "
        "count=4 after 2m\n");
    fx_free(f);
}

/* An alert without a time (a line without one): "--:--:--.---". */
static void test_alert_no_time(void **state)
{
    struct fx *f = fx_new(MCP_COLOR_ALWAYS, false, true, false);
    struct alert_fx x;

    (void)state;
    mkalert(&x, R_RECONNECT, "a", MCP_TIME_NONE, MCP_TIME_NONE, 3, NULL);
    mcp_termview_alert(f->v, &x.a, MCP_STATUS_FIRING, false);
    x.a.count = 9;
    mcp_termview_alert(f->v, &x.a, MCP_STATUS_UPDATE, false);
    assert_string_equal(out(f),
        "--:--:--.---  \033[1;7;31m▲ ALERT critical\033[0m "
        "\033[1mreconnect-failures\033[0m{server=a} count=3\n"
        "\033[2m--:--:--.---  ↻ critical reconnect-failures{server=a} "
        "count=9\033[0m\n");
    fx_free(f);
}

/* --all: unmatched lines, dim with colour; without --all none. */
static void test_all(void **state)
{
    struct fx *f = fx_new(MCP_COLOR_NEVER, false, false, true);
    struct fx *g = fx_new(MCP_COLOR_ALWAYS, false, false, true);
    struct fx *h = fx_new(MCP_COLOR_NEVER, false, false, false);

    (void)state;
    mcp_termview_line(f->v, "p", 1, T0, "hello", 5);
    mcp_termview_line(f->v, "p", 2, MCP_TIME_NONE, "  cont", 6);
    show(f, R_WARN, MCP_EV_MATCH, T0, "WARN w", "w", NULL);
    assert_string_equal(out(f),
        "-- 2025-12-10 --\n"
        "14:36:02.114            hello\n"
        "--:--:--.---              cont\n"
        "14:36:02.114  -         warn-thing{what=w}  WARN w\n");
    mcp_termview_line(g->v, "p", 1, T0, "hello", 5);
    mcp_termview_line(g->v, "p", 1, MCP_TIME_NONE, "x", 1);
    assert_string_equal(out(g),
        "\033[2m-- 2025-12-10 --\033[0m\n"
        "\033[2m14:36:02.114            hello\033[0m\n"
        "\033[2m--:--:--.---            x\033[0m\n");
    mcp_termview_line(h->v, "p", 1, T0, "hello", 5);
    assert_string_equal(out(h), "");
    fx_free(f);
    fx_free(g);
    fx_free(h);
}

/* --- JSON -------------------------------------------------------------- */

static void test_json(void **state)
{
    struct fx *f = fx_new(MCP_COLOR_ALWAYS, true, false, true);
    struct alert_fx x;

    (void)state;
    show(f, R_TOOLS, MCP_EV_MATCH, T0, "TOOL_CALL: ls", "ls", NULL);
    show_fed(f, R_RECONNECT, MCP_TIME_NONE, "Reconnect failed for \"q\"",
             "\"q\"", 7, MCP_SEV_CRITICAL);
    mcp_termview_line(f->v, "logs/a.log", 9, T0, "plain", 5);
    mcp_termview_line(f->v, NULL, 10, MCP_TIME_NONE, "x\ty", 3);
    mkalert(&x, R_RECONNECT, "hestai", T0, MCP_TIME_NONE, 3, "3 failures");
    mcp_termview_alert(f->v, &x.a, MCP_STATUS_FIRING, false);
    x.a.count = 4;
    mcp_termview_alert(f->v, &x.a, MCP_STATUS_UPDATE, false);
    x.a.end = x.a.at = T0 + M;
    mcp_termview_alert(f->v, &x.a, MCP_STATUS_RESOLVED, false);
    mkalert(&x, R_WARN, NULL, T0, T0, 1, NULL);
    x.a.id = 8;
    x.a.severity = MCP_SEV_WARNING;
    mcp_termview_alert(f->v, &x.a, MCP_STATUS_RESOLVED, true);
    mcp_termview_notice(f->v, "logs/a.log was rotated, reopening");
    mcp_termview_tick(f->v, 5000); /* no status line in JSON */
    assert_string_equal(out(f),
        "{\"type\":\"event\",\"time\":\"2025-12-10T14:36:02.114Z\","
        "\"rule\":\"tool-calls\",\"severity\":\"none\","
        "\"captures\":{\"tool\":\"ls\"},\"file\":\"logs/mcp_server.log\","
        "\"line\":42,\"text\":\"TOOL_CALL: ls\",\"alert\":null}\n"
        "{\"type\":\"event\",\"time\":null,\"rule\":\"reconnect-failures\","
        "\"severity\":\"critical\",\"captures\":{\"server\":\"\\\"q\\\"\"},"
        "\"file\":\"logs/mcp_server.log\",\"line\":42,"
        "\"text\":\"Reconnect failed for \\\"q\\\"\",\"alert\":7}\n"
        "{\"type\":\"line\",\"time\":\"2025-12-10T14:36:02.114Z\","
        "\"file\":\"logs/a.log\",\"line\":9,\"text\":\"plain\"}\n"
        "{\"type\":\"line\",\"time\":null,\"file\":null,\"line\":10,"
        "\"text\":\"x\\ty\"}\n"
        "{\"type\":\"alert\",\"status\":\"firing\",\"id\":7,"
        "\"rule\":\"reconnect-failures\",\"severity\":\"critical\","
        "\"labels\":{\"server\":\"hestai\"},"
        "\"start\":\"2025-12-10T14:36:02.114Z\",\"end\":null,\"count\":3,"
        "\"summary\":\"3 failures\",\"time\":\"2025-12-10T14:36:02.114Z\","
        "\"silenced\":false}\n"
        "{\"type\":\"alert\",\"status\":\"update\",\"id\":7,"
        "\"rule\":\"reconnect-failures\",\"severity\":\"critical\","
        "\"labels\":{\"server\":\"hestai\"},"
        "\"start\":\"2025-12-10T14:36:02.114Z\",\"end\":null,\"count\":4,"
        "\"summary\":\"3 failures\",\"time\":\"2025-12-10T14:36:02.114Z\","
        "\"silenced\":false}\n"
        "{\"type\":\"alert\",\"status\":\"resolved\",\"id\":7,"
        "\"rule\":\"reconnect-failures\",\"severity\":\"critical\","
        "\"labels\":{\"server\":\"hestai\"},"
        "\"start\":\"2025-12-10T14:36:02.114Z\","
        "\"end\":\"2025-12-10T14:37:02.114Z\",\"count\":4,"
        "\"summary\":\"3 failures\",\"time\":\"2025-12-10T14:37:02.114Z\","
        "\"silenced\":false}\n"
        "{\"type\":\"alert\",\"status\":\"resolved\",\"id\":8,"
        "\"rule\":\"warn-thing\",\"severity\":\"warning\",\"labels\":{},"
        "\"start\":\"2025-12-10T14:36:02.114Z\","
        "\"end\":\"2025-12-10T14:36:02.114Z\",\"count\":1,"
        "\"summary\":null,\"time\":\"2025-12-10T14:36:02.114Z\","
        "\"silenced\":true}\n"
        "{\"type\":\"notice\",\"message\":\"logs/a.log was rotated, "
        "reopening\"}\n");
    fx_free(f);
}

/* JSON --quiet: alerts and notices only; without --all no lines. */
static void test_json_quiet(void **state)
{
    struct fx *f = fx_new(MCP_COLOR_NEVER, true, true, true);
    struct fx *g = fx_new(MCP_COLOR_NEVER, true, false, false);
    struct alert_fx x;

    (void)state;
    show(f, R_TOOLS, MCP_EV_MATCH, T0, "TOOL_CALL: ls", "ls", NULL);
    mcp_termview_line(f->v, "p", 1, T0, "plain", 5);
    mkalert(&x, R_RECONNECT, NULL, T0, MCP_TIME_NONE, 3, NULL);
    mcp_termview_alert(f->v, &x.a, MCP_STATUS_FIRING, false);
    assert_string_equal(out(f),
        "{\"type\":\"alert\",\"status\":\"firing\",\"id\":7,"
        "\"rule\":\"reconnect-failures\",\"severity\":\"critical\","
        "\"labels\":{},\"start\":\"2025-12-10T14:36:02.114Z\","
        "\"end\":null,\"count\":3,\"summary\":null,"
        "\"time\":\"2025-12-10T14:36:02.114Z\",\"silenced\":false}\n");
    mcp_termview_line(g->v, "p", 1, T0, "plain", 5);
    assert_string_equal(out(g), "");
    fx_free(f);
    fx_free(g);
}

/* --- hostile text ------------------------------------------------------ */

/* RELIABILITY.md 80-81: every trick at once, with a NUL inside. */
static const char HOSTILE[] =
    "WARN A\x1b[2JB\x1b]0;PWNED\x07"
    "C\x1b]8;;http://evil\x07link\x1b]8;;\x07"
    " 8bit\x9b" "31m c1\xc2\x9b" "31m cr\rbs\b rlo\xe2\x80\xae"
    "txt nul\0z bad\xff\xc3 zw\xe2\x80\x8b clip\x1b]52;c;Zm9v"
    " end\x1b]0;unterminated";
#define HOSTILE_LEN (sizeof(HOSTILE) - 1)

/* What mcp_sanitize_term makes of HOSTILE after "WARN ". */
static const char VISIBLE[] =
    "A\\x1b[2JB\\x1b]0;PWNED\\x07"
    "C\\x1b]8;;http://evil\\x07link\\x1b]8;;\\x07"
    " 8bit\\x9b31m c1\\u{009b}31m cr\\x0dbs\\x08 rlo\\u{202e}"
    "txt nul\\x00z bad\\xff\\xc3 zw\\u{200b} clip\\x1b]52;c;Zm9v"
    " end\\x1b]0;unterminated";

static bool has(const char *s, size_t n, const char *needle, size_t m)
{
    return memmem(s, n, needle, m) != NULL;
}

/* Nothing an attacker could use: the output must be valid UTF-8 with no
 * control character but '\n' and TAB (ESC only when allow_esc: our own
 * codes, checked separately), no DEL, no C1 (raw or as C2 xx) and, unless
 * json, no bidi or invisible format character. mcp_json_string keeps
 * U+202E and U+200B as they are: valid JSON, decoded by any consumer. */
static void assert_inert(const char *s, size_t n, bool allow_esc, bool json)
{
    const unsigned char *p = (const unsigned char *)s;

    for (size_t i = 0; i < n;) {
        uint32_t c;
        size_t len = mcp_utf8_decode(p + i, n - i, &c);

        if (len == 0)
            fail_msg("invalid UTF-8 byte 0x%02x at %zu", p[i], i);
        if ((c < 0x20 && c != '\n' && c != '\t' &&
             !(c == 0x1b && allow_esc)) ||
            (c >= 0x7f && c <= 0x9f))
            fail_msg("control character U+%04X at %zu", c, i);
        if (!json && ((c >= 0x200b && c <= 0x200f) ||
                      (c >= 0x202a && c <= 0x202e) ||
                      (c >= 0x2066 && c <= 0x2069) || c == 0xfeff))
            fail_msg("format character U+%04X at %zu", c, i);
        i += len;
    }
    assert_false(has(s, n, "\x9b", 1));
    assert_false(has(s, n, "\xc2\x9b", 2));
    assert_false(has(s, n, "\x07", 1));
    assert_false(has(s, n, "\x08", 1));
    assert_false(has(s, n, "\r", 1) && !allow_esc);
    if (!json)
        assert_false(has(s, n, "\xe2\x80\xae", 3));
}

/* Remove our own SGR codes ("\033[" digits and ';' then 'm') and the
 * status line's erase ("\r\033[K"); what is left must hold no ESC. */
static size_t strip_ours(char *s, size_t n)
{
    size_t i = 0, o = 0;

    while (i < n) {
        if (s[i] == '\r' && i + 3 < n && memcmp(s + i, "\r\033[K", 4) == 0) {
            i += 4;
            continue;
        }
        if (s[i] == '\033' && i + 1 < n && s[i + 1] == '[') {
            size_t k = i + 2;

            while (k < n && ((s[k] >= '0' && s[k] <= '9') || s[k] == ';'))
                k++;
            if (k < n && s[k] == 'm') {
                i = k + 1;
                continue;
            }
        }
        s[o++] = s[i++];
    }
    return o;
}

static void feed_hostile(struct fx *f)
{
    /* the capture as a C string: up to the NUL */
    struct mcp_event *ev = mkev(&f->rs, R_WARN, MCP_EV_MATCH, T0, HOSTILE,
                                HOSTILE_LEN, "what", HOSTILE + 5, NULL,
                                NULL);
    struct alert_fx x;

    mcp_termview_event(f->v, ev, "logs/evil\x1b[2J\r.log");
    mcp_event_free(ev);
    /* a label (shown whatever it holds), cut at the NUL of its C string */
    ev = mkev(&f->rs, R_RECONNECT, MCP_EV_MATCH, T0,
              "Reconnect failed for x\x1b[2J\0y",
              sizeof("Reconnect failed for x\x1b[2J\0y") - 1, "server",
              "x\x1b[2J\0y", NULL, NULL);
    mcp_termview_event(f->v, ev, "p");
    mcp_event_free(ev);
    mcp_termview_line(f->v, "logs/evil\x1b]0;x\x07.log", 3, T0, HOSTILE,
                      HOSTILE_LEN);
    mkalert(&x, R_RECONNECT, "srv\x1b[2J\xe2\x80\xae", T0, MCP_TIME_NONE, 3,
            "sum \x1b]8;;http://evil\x07 \xc2\x9b\r\b");
    mcp_termview_alert(f->v, &x.a, MCP_STATUS_FIRING, false);
    x.a.end = T0 + S;
    mcp_termview_alert(f->v, &x.a, MCP_STATUS_RESOLVED, false);
}

static void test_hostile_never(void **state)
{
    struct fx *f = fx_new(MCP_COLOR_NEVER, false, false, true);
    const char *o;

    (void)state;
    feed_hostile(f);
    o = out(f);
    assert_int_equal(strlen(o), f->len); /* no NUL came through */
    assert_inert(o, f->len, false, false);
    assert_null(memchr(o, 0x1b, f->len));
    assert_non_null(strstr(o, VISIBLE));
    assert_non_null(strstr(o, "\\x1b[2J"));
    assert_non_null(strstr(o, "\\x1b]0;PWNED\\x07"));
    assert_non_null(strstr(o, "\\x1b]8;;http://evil\\x07"));
    assert_non_null(strstr(o, "{server=srv\\x1b[2J\\u{202e}}"));
    assert_non_null(strstr(o, "count=3: sum \\x1b]8;;http://evil\\x07 "
                              "\\u{009b}\\x0d\\x08\n"));
    /* the event's label stops at the NUL of its C string; free text (a
     * space) is left to the line */
    assert_non_null(strstr(o, "reconnect-failures{server=x\\x1b[2J}  "
                              "Reconnect failed for x\\x1b[2J\\x00y\n"));
    assert_non_null(strstr(o, "warn-thing  WARN A\\x1b[2JB"));
    fx_free(f);
}

static void test_hostile_color(void **state)
{
    struct fx *f = fx_new(MCP_COLOR_ALWAYS, false, false, true);
    char *copy;
    size_t n;

    (void)state;
    feed_hostile(f);
    out(f);
    copy = mcp_malloc(f->len + 1);
    memcpy(copy, f->buf, f->len + 1);
    n = strip_ours(copy, f->len);
    copy[n] = '\0';
    assert_null(memchr(copy, 0x1b, n));
    assert_inert(copy, n, false, false);
    assert_inert(f->buf, f->len, true, false);
    assert_non_null(strstr(copy, VISIBLE));
    free(copy);
    fx_free(f);
}

static void test_hostile_json(void **state)
{
    struct fx *f = fx_new(MCP_COLOR_ALWAYS, true, false, true);
    const char *o;

    (void)state;
    feed_hostile(f);
    mcp_termview_notice(f->v, "rotated \x1b[2J\x9b");
    o = out(f);
    assert_int_equal(strlen(o), f->len);
    assert_inert(o, f->len, false, true);
    assert_null(memchr(o, 0x1b, f->len));
    assert_non_null(strstr(o,
        "\"text\":\"WARN A\\u001b[2JB\\u001b]0;PWNED\\u0007"
        "C\\u001b]8;;http://evil\\u0007link\\u001b]8;;\\u0007"
        " 8bit\\ufffd31m c1\\u009b31m cr\\rbs\\u0008 rlo\xe2\x80\xae"
        "txt nul\\u0000z bad\\ufffd\\ufffd zw\xe2\x80\x8b "
        "clip\\u001b]52;c;Zm9v end\\u001b]0;unterminated\",\"alert\":null}\n"));
    assert_non_null(strstr(o, "\"captures\":{\"what\":\"A\\u001b[2JB"));
    assert_non_null(strstr(o, "\"file\":\"logs/evil\\u001b[2J\\r.log\""));
    assert_non_null(strstr(o, "{\"type\":\"notice\",\"message\":\"rotated "
                              "\\u001b[2J\\ufffd\"}\n"));
    fx_free(f);
}

/* A notice when out is not a TTY goes to stderr, sanitized. */
static void test_notice_stderr(void **state)
{
    struct fx *f = fx_new(MCP_COLOR_ALWAYS, false, false, false);
    FILE *tmp = tmpfile();
    int saved;
    char got[256] = "";
    size_t n;

    (void)state;
    assert_non_null(tmp);
    fflush(stderr);
    saved = dup(2);
    dup2(fileno(tmp), 2);
    mcp_termview_notice(f->v, "a.log was rotated\x1b[2J, reopening");
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    rewind(tmp);
    n = fread(got, 1, sizeof(got) - 1, tmp);
    got[n] = '\0';
    fclose(tmp);
    assert_string_equal(got,
                        "mcplog: a.log was rotated\\x1b[2J, reopening\n");
    assert_string_equal(out(f), "");
    fx_free(f);
}

/* The engine drives the view: threshold fires, updates, resolves. */
static void on_alert(const struct mcp_alert *a, enum mcp_alert_status t,
                     void *arg)
{
    mcp_termview_alert(arg, a, t, false);
}

static void test_with_engine(void **state)
{
    struct fx *f = fx_new(MCP_COLOR_NEVER, false, true, false);
    struct mcp_engine *e = mcp_engine_create(&f->rs, on_alert, f->v);

    (void)state;
    for (int i = 0; i < 4; i++) {
        struct mcp_event *ev = mkev(&f->rs, R_RECONNECT, MCP_EV_MATCH,
                                    T0 + i * S, "Reconnect failed for "
                                    "hestai", 27, "server", "hestai", NULL,
                                    NULL);

        mcp_termview_event(f->v, ev, "p");
        mcp_engine_feed(e, ev);
        mcp_event_free(ev);
    }
    mcp_engine_advance(e, T0 + 2 * M);
    assert_string_equal(out(f),
        "-- 2025-12-10 --\n"
        "14:36:04.114  ▲ ALERT critical reconnect-failures{server=hestai} "
        "count=3: 3 reconnect failures of hestai\n"
        "14:36:05.114  ↻ critical reconnect-failures{server=hestai} "
        "count=4\n"
        "14:37:03.114  ▼ RESOLVED critical reconnect-failures{server=hestai} "
        "count=4 after 59s\n");
    mcp_engine_destroy(e);
    fx_free(f);
}

/* --- terminal: colour decision and the status line ---------------------- */

struct pty {
    int master, slave;
    FILE *f;
};

/* A raw pseudo-terminal of cols columns; false when none can be had. */
static bool pty_open(struct pty *p, int cols)
{
    struct termios tio;
    struct winsize ws = {.ws_row = 24, .ws_col = (unsigned short)cols};
    char *name;

    p->master = posix_openpt(O_RDWR | O_NOCTTY);
    if (p->master < 0)
        return false;
    if (grantpt(p->master) != 0 || unlockpt(p->master) != 0 ||
        (name = ptsname(p->master)) == NULL) {
        close(p->master);
        return false;
    }
    p->slave = open(name, O_RDWR | O_NOCTTY);
    if (p->slave < 0) {
        close(p->master);
        return false;
    }
    assert_int_equal(tcgetattr(p->slave, &tio), 0);
    cfmakeraw(&tio);
    assert_int_equal(tcsetattr(p->slave, TCSANOW, &tio), 0);
    assert_int_equal(ioctl(p->slave, TIOCSWINSZ, &ws), 0);
    p->f = fdopen(dup(p->slave), "w");
    assert_non_null(p->f);
    return true;
}

static void pty_close(struct pty *p)
{
    fclose(p->f);
    close(p->slave);
    close(p->master);
}

/* Everything the terminal received so far (waits briefly for it). */
static char *pty_read(struct pty *p)
{
    struct mcp_buf b;
    struct pollfd pfd = {.fd = p->master, .events = POLLIN};
    char chunk[4096];

    mcp_buf_init(&b);
    mcp_buf_puts(&b, "");
    while (poll(&pfd, 1, 100) > 0) {
        ssize_t n = read(p->master, chunk, sizeof(chunk));

        if (n <= 0)
            break;
        mcp_buf_append(&b, chunk, (size_t)n);
    }
    return mcp_buf_steal(&b);
}

#define PTY_OR_SKIP(p, cols)                                             \
    do {                                                                  \
        if (!pty_open(p, cols)) {                                         \
            print_message("no pseudo-terminal here: skipped\n");         \
            skip();                                                       \
        }                                                                 \
    } while (0)

static void assert_read(struct pty *p, const char *want)
{
    char *got = pty_read(p);

    assert_string_equal(got, want);
    free(got);
}

static struct mcp_termview *pty_view(struct pty *p, struct mcp_ruleset *rs,
                                     enum mcp_color_mode color, bool json)
{
    struct mcp_termview_opts o = {color, json, false, false, true};

    return mcp_termview_create(p->f, p->slave, rs, &o);
}

static void load_rules(struct mcp_ruleset *rs)
{
    char err[MCP_ERRLEN] = "";

    mcp_ruleset_init(rs);
    if (mcp_rules_load_buffer(rs, "test.yaml", RULES, strlen(RULES),
                              err) != 0)
        fail_msg("rules: %s", err);
}

static void tty_event(struct mcp_termview *v, const struct mcp_ruleset *rs,
                      int rule, int64_t t, const char *line, const char *c0)
{
    struct mcp_event *ev = mkev(rs, rule, MCP_EV_MATCH, t, line,
                                strlen(line), CAP1[rule], c0, NULL, NULL);

    mcp_termview_event(v, ev, "p");
    mcp_event_free(ev);
}

/* A line of rule that fed alert 1 of severity sev. */
static void tty_fed(struct mcp_termview *v, const struct mcp_ruleset *rs,
                    int rule, const char *line, const char *c0,
                    enum mcp_severity sev)
{
    struct mcp_event *ev = mkev(rs, rule, MCP_EV_MATCH, MCP_TIME_NONE, line,
                                strlen(line), CAP1[rule], c0, NULL, NULL);
    struct mcp_termview_hit h = {ev, 1, sev};

    mcp_termview_events(v, &h, 1, "p");
    mcp_event_free(ev);
}

/* AUTO: colour on a TTY unless NO_COLOR is set and not empty; never
 * when out is not a TTY. */
static void test_color_auto(void **state)
{
    struct mcp_ruleset rs;
    struct pty p;
    struct mcp_termview *v;
    struct fx *f;

    (void)state;
    PTY_OR_SKIP(&p, 80);
    load_rules(&rs);
    v = pty_view(&p, &rs, MCP_COLOR_AUTO, false);
    tty_fed(v, &rs, R_WARN, "WARN a", "a", MCP_SEV_WARNING);
    mcp_termview_flush(v);
    mcp_termview_destroy(v);
    assert_read(&p, "--:--:--.---  \033[33mwarning\033[0m   "
                    "\033[1mwarn-thing\033[0m{what=a}  WARN a\n");

    setenv("NO_COLOR", "1", 1);
    v = pty_view(&p, &rs, MCP_COLOR_AUTO, false);
    tty_fed(v, &rs, R_WARN, "WARN a", "a", MCP_SEV_WARNING);
    mcp_termview_destroy(v);
    assert_read(&p, "--:--:--.---  warning   warn-thing{what=a}  WARN a\n");

    /* ALWAYS wins over NO_COLOR; --json never colours */
    v = pty_view(&p, &rs, MCP_COLOR_ALWAYS, false);
    tty_event(v, &rs, R_TOOLS, MCP_TIME_NONE, "TOOL_CALL: x", "x");
    mcp_termview_destroy(v);
    assert_read(&p, "\033[2m--:--:--.---  -         tool-calls{tool=x}"
                    "  TOOL_CALL: x\033[0m\n");

    setenv("NO_COLOR", "", 1);
    v = pty_view(&p, &rs, MCP_COLOR_AUTO, false);
    tty_event(v, &rs, R_TOOLS, MCP_TIME_NONE, "TOOL_CALL: x", "x");
    mcp_termview_destroy(v);
    assert_read(&p, "\033[2m--:--:--.---  -         tool-calls{tool=x}"
                    "  TOOL_CALL: x\033[0m\n");
    unsetenv("NO_COLOR");

    f = fx_new(MCP_COLOR_AUTO, false, false, false);
    tty_event(f->v, &f->rs, R_TOOLS, MCP_TIME_NONE, "TOOL_CALL: x", "x");
    assert_string_equal(out(f), "--:--:--.---  -         tool-calls{tool=x}"
                                "  TOOL_CALL: x\n");
    fx_free(f);
    mcp_ruleset_free(&rs);
    pty_close(&p);
}

static void test_status_line(void **state)
{
    struct mcp_ruleset rs;
    struct pty p;
    struct mcp_termview *v;
    struct alert_fx x;

    (void)state;
    PTY_OR_SKIP(&p, 70);
    load_rules(&rs);
    v = pty_view(&p, &rs, MCP_COLOR_NEVER, false);

    mcp_termview_flush(v);          /* nothing drawn yet */
    assert_read(&p, "");
    mcp_termview_tick(v, 10000);
    assert_read(&p, "\r\033[Kmcplog  0 firing | no matches yet");

    /* lines erase the status line; flush redraws the cached text */
    tty_event(v, &rs, R_TOOLS, MCP_TIME_NONE, "TOOL_CALL: a", "a");
    tty_event(v, &rs, R_TOOLS, MCP_TIME_NONE, "TOOL_CALL: b", "b");
    mcp_termview_flush(v);
    assert_read(&p, "\r\033[K"
                    "--:--:--.---  -         tool-calls{tool=a}  "
                    "TOOL_CALL: a\n"
                    "--:--:--.---  -         tool-calls{tool=b}  "
                    "TOOL_CALL: b\n"
                    "\r\033[Kmcplog  0 firing | no matches yet");

    /* at most once a second */
    mcp_termview_tick(v, 10999);
    assert_read(&p, "");
    mcp_termview_tick(v, 11000);
    assert_read(&p, "\r\033[Kmcplog  0 firing | tool-calls 2 (120/min)");

    /* rate over the oldest redraw within 60 s: 10000 is 61 s old, 11000
     * is 60 s old; one decimal under 10/min */
    for (int i = 0; i < 3; i++)
        tty_event(v, &rs, R_WARN, MCP_TIME_NONE, "WARN w", "w");
    mkalert(&x, R_RECONNECT, "h", MCP_TIME_NONE, MCP_TIME_NONE, 3, NULL);
    mcp_termview_alert(v, &x.a, MCP_STATUS_FIRING, false);
    free(pty_read(&p));
    mcp_termview_tick(v, 71000);
    assert_read(&p, "\r\033[Kmcplog  1 firing | tool-calls 2 (0.0/min)  "
                    "warn-thing 3 (3.0/min)");

    /* a gap longer than the window: rates against the newest redraw */
    mcp_termview_tick(v, 200000);
    assert_read(&p, "\r\033[Kmcplog  1 firing | tool-calls 2 (0.0/min)  "
                    "warn-thing 3 (0.0/min)");

    /* truncated to the width minus three columns (room for the "^C" a
     * terminal echoes on Ctrl-C: a status line that wraps cannot be
     * erased), "…" at the cut: 67 columns of 70 */
    tty_event(v, &rs, R_RECONNECT, MCP_TIME_NONE, "Reconnect failed for h", "h");
    free(pty_read(&p));
    mcp_termview_tick(v, 201000);
    assert_read(&p, "\r\033[Kmcplog  1 firing | reconnect-failures 1 (60/min)"
                    "  tool-calls 2 (0.…");

    /* a notice on a TTY: a plain "-- " line (dim with colour) */
    mcp_termview_notice(v, "a.log was rotated\x1b[2J");
    mcp_termview_flush(v);
    assert_read(&p, "\r\033[K-- a.log was rotated\\x1b[2J\n"
                    "\r\033[Kmcplog  1 firing | reconnect-failures 1 (60/min)"
                    "  tool-calls 2 (0.…");

    /* resolving takes it off the firing count; destroy erases */
    x.a.end = T0;
    mcp_termview_alert(v, &x.a, MCP_STATUS_RESOLVED, false);
    free(pty_read(&p));
    mcp_termview_tick(v, 202000);
    free(pty_read(&p));
    mcp_termview_destroy(v);
    assert_read(&p, "\r\033[K");
    mcp_ruleset_free(&rs);
    pty_close(&p);
}

static void test_status_color_and_json(void **state)
{
    struct mcp_ruleset rs;
    struct pty p;
    struct mcp_termview *v;

    (void)state;
    PTY_OR_SKIP(&p, 80);
    load_rules(&rs);
    v = pty_view(&p, &rs, MCP_COLOR_ALWAYS, false);
    mcp_termview_notice(v, "hi");
    mcp_termview_tick(v, 0);
    assert_read(&p, "\033[2m-- hi\033[0m\n"
                    "\r\033[K\033[7mmcplog  0 firing | no matches yet\033[0m");
    mcp_termview_destroy(v);
    assert_read(&p, "\r\033[K");

    v = pty_view(&p, &rs, MCP_COLOR_ALWAYS, true);
    tty_event(v, &rs, R_WARN, MCP_TIME_NONE, "WARN a", "a");
    mcp_termview_tick(v, 0);
    mcp_termview_tick(v, 5000);
    mcp_termview_destroy(v);
    assert_read(&p, "{\"type\":\"event\",\"time\":null,\"rule\":\"warn-thing\","
                    "\"severity\":\"warning\",\"captures\":{\"what\":\"a\"},"
                    "\"file\":\"p\",\"line\":42,\"text\":\"WARN a\","
                    "\"alert\":null}\n");
    mcp_ruleset_free(&rs);
    pty_close(&p);
}

/* After a restore or reload the caller re-syncs the firing set: alerts
 * that vanished from the engine no longer count, restored ones do, and a
 * resolution of an unknown alert changes nothing. */
static void test_sync_alerts(void **state)
{
    struct mcp_ruleset rs;
    struct pty p;
    struct mcp_termview *v;
    struct alert_fx x, y, z;
    struct mcp_alert *list[2];

    (void)state;
    PTY_OR_SKIP(&p, 80);
    load_rules(&rs);
    v = pty_view(&p, &rs, MCP_COLOR_NEVER, false);
    mkalert(&x, R_RECONNECT, "a", T0, MCP_TIME_NONE, 3, NULL);
    mcp_termview_alert(v, &x.a, MCP_STATUS_FIRING, false);
    mcp_termview_tick(v, 0);
    free(pty_read(&p));
    mkalert(&y, R_RECONNECT, "b", T0, MCP_TIME_NONE, 5, NULL);
    y.a.id = 9;
    mkalert(&z, R_RECONNECT, "c", T0, T0 + S, 4, NULL);
    z.a.id = 10;
    list[0] = &y.a;
    list[1] = &z.a;
    mcp_termview_sync_alerts(v, list, 2);
    x.a.end = T0 + S;
    mcp_termview_alert(v, &x.a, MCP_STATUS_RESOLVED, false); /* gone: no-op */
    mcp_termview_tick(v, 1000);
    free(pty_read(&p));
    mcp_termview_tick(v, 2000);
    assert_read(&p, "\r\033[Kmcplog  1 firing | no matches yet");
    y.a.end = T0 + S;
    mcp_termview_alert(v, &y.a, MCP_STATUS_RESOLVED, false);
    mcp_termview_alert(v, &y.a, MCP_STATUS_RESOLVED, false);
    mcp_termview_tick(v, 3000);
    free(pty_read(&p));
    mcp_termview_tick(v, 4000);
    assert_read(&p, "\r\033[Kmcplog  0 firing | no matches yet");
    mcp_termview_destroy(v);
    free(pty_read(&p));
    mcp_ruleset_free(&rs);
    pty_close(&p);
}

/* Rule names from a rule file are sanitized in the status line too, and
 * counts follow a rule by name across a reload. */
static void test_status_rule_names(void **state)
{
    struct mcp_ruleset rs, evil;
    struct mcp_rule r[2];
    struct pty p;
    struct mcp_termview *v;
    struct mcp_event *ev;
    char *got;

    (void)state;
    PTY_OR_SKIP(&p, 200);
    load_rules(&rs);
    v = pty_view(&p, &rs, MCP_COLOR_NEVER, false);
    tty_event(v, &rs, R_WARN, MCP_TIME_NONE, "WARN a", "a");
    tty_event(v, &rs, R_TOOLS, MCP_TIME_NONE, "TOOL_CALL: a", "a");
    free(pty_read(&p));

    memset(r, 0, sizeof(r));
    r[0].name = "warn-thing";
    r[1].name = "evil\x1b]0;x\x07\xc2\x9b\xe2\x80\xae";
    evil.rules = r;
    evil.n = 2;
    evil.cap = 2;
    mcp_termview_set_rules(v, &evil);
    ev = mcp_event_create("boom\x1b[2J", 8, NULL, 0, 0, NULL, NULL, NULL, NULL);
    ev->rule = 1;
    ev->ts = MCP_TIME_NONE;
    mcp_termview_event(v, ev, "p");
    mcp_event_free(ev);
    mcp_termview_tick(v, 0);
    got = pty_read(&p);
    assert_string_equal(got,
        "--:--:--.---  -         evil\\x1b]0;x\\x07\\u{009b}"
        "\\u{202e}  boom\\x1b[2J\n"
        "\r\033[Kmcplog  0 firing | warn-thing 1  "
        "evil\\x1b]0;x\\x07\\u{009b}\\u{202e} 1");
    free(got);
    mcp_termview_destroy(v);
    free(pty_read(&p));
    mcp_ruleset_free(&rs);
    pty_close(&p);
}

/* mcp_term_cut: cut after MCP_TERM_FIELD_MAX bytes, never inside a
 * UTF-8 character, escaped, "…" only when cut; mcp_term_pad pads the
 * escaped text. */
static void test_term_field_and_pad(void **state)
{
    char *s = malloc(MCP_TERM_FIELD_MAX + 16);
    struct mcp_buf b;

    (void)state;
    mcp_buf_init(&b);
    /* exactly the limit: whole, no mark */
    memset(s, 'a', MCP_TERM_FIELD_MAX);
    mcp_term_cut(&b, s, MCP_TERM_FIELD_MAX, MCP_TERM_FIELD_MAX);
    assert_int_equal(b.len, MCP_TERM_FIELD_MAX);
    /* one more byte: cut, marked */
    mcp_buf_reset(&b);
    s[MCP_TERM_FIELD_MAX] = 'b';
    mcp_term_cut(&b, s, MCP_TERM_FIELD_MAX + 1, MCP_TERM_FIELD_MAX);
    assert_int_equal(b.len, MCP_TERM_FIELD_MAX + 3);
    assert_memory_equal(b.data + MCP_TERM_FIELD_MAX, "…", 3);
    /* a 2-byte character across the limit is dropped whole */
    mcp_buf_reset(&b);
    memcpy(s + MCP_TERM_FIELD_MAX - 1, "\xc3\xa9zz", 4);
    mcp_term_cut(&b, s, MCP_TERM_FIELD_MAX + 3, MCP_TERM_FIELD_MAX);
    assert_int_equal(b.len, MCP_TERM_FIELD_MAX - 1 + 3);
    assert_memory_equal(b.data + MCP_TERM_FIELD_MAX - 1, "…", 3);
    /* all ESC: the largest a field can get, 4 * MAX + 3 */
    mcp_buf_reset(&b);
    memset(s, 0x1b, MCP_TERM_FIELD_MAX + 16);
    mcp_term_cut(&b, s, MCP_TERM_FIELD_MAX + 16, MCP_TERM_FIELD_MAX);
    assert_int_equal(b.len, 4 * MCP_TERM_FIELD_MAX + 3);
    assert_memory_equal(b.data, "\\x1b\\x1b", 8);
    /* NULL appends nothing */
    mcp_buf_reset(&b);
    mcp_term_field(&b, NULL);
    assert_int_equal(b.len, 0);
    /* pad: escaped width counts, longer text is not cut */
    mcp_term_pad(&b, "a\x1b", 9);
    mcp_buf_putc(&b, '|');
    mcp_term_pad(&b, "\x07\x07\x07", 4);
    mcp_buf_putc(&b, '|');
    assert_string_equal(b.data, "a\\x1b    |\\x07\\x07\\x07|");
    mcp_buf_free(&b);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event_plain),
        cmocka_unit_test(test_event_merged),
        cmocka_unit_test(test_event_color),
        cmocka_unit_test(test_event_cut),
        cmocka_unit_test(test_alert_lines),
        cmocka_unit_test(test_alert_color),
        cmocka_unit_test(test_hold_order),
        cmocka_unit_test(test_quiet),
        cmocka_unit_test(test_alert_no_time),
        cmocka_unit_test(test_all),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_json_quiet),
        cmocka_unit_test(test_hostile_never),
        cmocka_unit_test(test_hostile_color),
        cmocka_unit_test(test_hostile_json),
        cmocka_unit_test(test_notice_stderr),
        cmocka_unit_test(test_with_engine),
        cmocka_unit_test(test_color_auto),
        cmocka_unit_test(test_status_line),
        cmocka_unit_test(test_status_color_and_json),
        cmocka_unit_test(test_sync_alerts),
        cmocka_unit_test(test_status_rule_names),
        cmocka_unit_test(test_term_field_and_pad),
    };

    return cmocka_run_group_tests(tests, group_setup, NULL);
}
