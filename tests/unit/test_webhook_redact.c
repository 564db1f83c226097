/* test_webhook_redact.c - the webhook sink's pure parts: the URL as
 * messages show it (no userinfo, no query values), Alertmanager label
 * names, and the Alertmanager body with its endsAt rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sinks/sink.h"
#include "base/util.h"
#include "sinks/webhook_int.h"

#define T0 1765375200000LL /* 2025-12-10 14:00:00 UTC */
#define H (3600 * 1000LL)

static void check_redact(const char *in, const char *want)
{
    char *got = mcp_webhook_redact(in);

    if (strcmp(got, want) != 0) {
        print_error("redact(%s)\n  want %s\n  got  %s\n", in, want, got);
        free(got);
        fail();
    }
    free(got);
}

static void test_redact_plain(void **state)
{
    (void)state;
    check_redact("", "");
    check_redact("http://127.0.0.1:9093", "http://127.0.0.1:9093");
    check_redact("https://am.example.com/api/v2/alerts",
                 "https://am.example.com/api/v2/alerts");
    check_redact("http://[::1]:8080/p", "http://[::1]:8080/p");
    check_redact("http://h/users/@me", "http://h/users/@me");
    check_redact("http://h/p?", "http://h/p?");
    check_redact("http://h/p#", "http://h/p#");
}

static void test_redact_userinfo(void **state)
{
    (void)state;
    check_redact("https://user:pass@example.com:8443/api/v2/alerts",
                 "https://***@example.com:8443/api/v2/alerts");
    check_redact("http://token@h/", "http://***@h/");
    check_redact("http://u:p@h?t=1", "http://***@h?t=***");
    check_redact("http://u:p@[::1]:8080/p", "http://***@[::1]:8080/p");
    /* unescaped '@', '/' and '?' inside the password */
    check_redact("http://us@er:p@ss@h/x", "http://***@h/x");
    check_redact("http://user:pa/ss@h/x", "http://***@h/x");
    check_redact("http://user:pa?ss@h/x", "http://***?***");
    /* not a host[:port]: hidden */
    check_redact("http://h:abc/p", "http://***/p");
    /* no scheme */
    check_redact("user:pass@host/p", "***@host/p");
}

static void test_redact_query(void **state)
{
    (void)state;
    check_redact("https://hooks.example.com/h?token=abc&x=1",
                 "https://hooks.example.com/h?token=***&x=***");
    check_redact("http://h/p?secret", "http://h/p?***");
    check_redact("http://h/p?a=&&b=2#frag", "http://h/p?a=***&&b=***#***");
    check_redact("http://h/p#access_token=abc", "http://h/p#***");
    check_redact("http://h/p?k=a=b", "http://h/p?k=***");
}

static void test_label_name(void **state)
{
    const char *in[] = {"tool", "Tool_2", "9lives", "a-b.c", "", "_x",
                        "\xc3\xbc"};
    const char *want[] = {"tool", "Tool_2", "_9lives", "a_b_c", "_", "_x",
                          "___"};

    (void)state;
    for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
        struct mcp_buf b;

        mcp_buf_init(&b);
        mcp_webhook_am_label_name(&b, in[i]);
        assert_string_equal(b.data, want[i]);
        mcp_buf_free(&b);
    }
}

static struct mcp_sink_alert alert(void)
{
    static char line[] = "l\033[31m\xff";
    struct mcp_sink_alert a;

    memset(&a, 0, sizeof(a));
    a.key = "k";
    a.rule = "r";
    a.description = "";
    a.severity = MCP_SEV_CRITICAL;
    a.status = MCP_STATUS_FIRING;
    a.start = T0;
    a.end = MCP_TIME_NONE;
    a.sent = T0 + 5000;
    a.count = 3;
    a.summary = "s";
    a.last_line = line;
    a.last_line_len = sizeof(line) - 1;
    a.source = "";
    a.host = "vm 1";
    return a;
}

static char *body(const struct mcp_sink_alert *a, const char *gen,
                  int64_t now, int64_t ttl)
{
    struct mcp_buf b;

    mcp_buf_init(&b);
    mcp_webhook_am_body(&b, a, gen, now, ttl);
    return mcp_buf_steal(&b);
}

/* Ours first; clashing and invalid names renamed; the line shown
 * visibly; endsAt = now + ttl while firing. */
static void test_am_firing(void **state)
{
    struct mcp_sink_alert a = alert();
    char *s;

    (void)state;
    a.nlabels = 4;
    a.label_name[0] = "tool";
    a.label_value[0] = "x";
    a.label_name[1] = "severity";
    a.label_value[1] = "y";
    a.label_name[2] = "a-b";
    a.label_value[2] = "z";
    a.label_name[3] = "a_b";
    a.label_value[3] = "w";
    s = body(&a, NULL, T0 + 5000, 24 * H);
    assert_string_equal(
        s, "[{\"labels\":{\"alertname\":\"r\",\"severity\":\"critical\","
           "\"instance\":\"vm 1\",\"tool\":\"x\",\"exported_severity\":\"y\","
           "\"a_b\":\"z\",\"exported_a_b\":\"w\"},"
           "\"annotations\":{\"summary\":\"s\","
           "\"line\":\"l\\\\x1b[31m\\\\xff\",\"count\":\"3\"},"
           "\"startsAt\":\"2025-12-10T14:00:00.000Z\","
           "\"endsAt\":\"2025-12-11T14:00:05.000Z\","
           "\"generatorURL\":\"mcplog://vm%201/r\"}]");
    free(s);
    /* ttl 0: no endsAt (Alertmanager's resolve_timeout applies) */
    s = body(&a, "http://x/y", T0 + 5000, 0);
    assert_null(strstr(s, "endsAt"));
    assert_non_null(strstr(s, "\"generatorURL\":\"http://x/y\"}]"));
    free(s);
}

/* Resolved: endsAt is the end; times after now are moved back to now,
 * and the end never precedes the start. */
static void test_am_resolved(void **state)
{
    struct mcp_sink_alert a = alert();
    char *s;

    (void)state;
    a.status = MCP_STATUS_RESOLVED;
    a.end = T0 + 2000;
    s = body(&a, NULL, T0 + 5000, 24 * H);
    assert_non_null(strstr(s, "\"startsAt\":\"2025-12-10T14:00:00.000Z\","
                              "\"endsAt\":\"2025-12-10T14:00:02.000Z\""));
    free(s);
    a.start = T0 + 9000;
    a.end = T0 + 10000;
    s = body(&a, NULL, T0 + 5000, 24 * H);
    assert_non_null(strstr(s, "\"startsAt\":\"2025-12-10T14:00:05.000Z\","
                              "\"endsAt\":\"2025-12-10T14:00:05.000Z\""));
    free(s);
    a.start = T0;
    a.end = T0 - 1000;
    s = body(&a, NULL, T0 + 5000, 24 * H);
    assert_non_null(strstr(s, "\"endsAt\":\"2025-12-10T14:00:00.000Z\""));
    free(s);
}

/* A huge line is cut at MCP_WEBHOOK_AM_TEXT_MAX bytes, on a UTF-8
 * boundary, and marked with an ellipsis. */
static void test_am_line_cap(void **state)
{
    struct mcp_sink_alert a = alert();
    size_t n = MCP_WEBHOOK_AM_TEXT_MAX + 100;
    char *line = mcp_malloc(n), *s, *want;

    (void)state;
    memset(line, 'a', n);
    /* a 2-byte character straddling the cut */
    line[MCP_WEBHOOK_AM_TEXT_MAX - 1] = '\xc3';
    line[MCP_WEBHOOK_AM_TEXT_MAX] = '\xa9';
    a.last_line = line;
    a.last_line_len = n;
    s = body(&a, NULL, T0 + 5000, 24 * H);
    want = mcp_malloc(MCP_WEBHOOK_AM_TEXT_MAX + 32);
    memcpy(want, "\"line\":\"", 8);
    memset(want + 8, 'a', MCP_WEBHOOK_AM_TEXT_MAX - 1);
    strcpy(want + 8 + MCP_WEBHOOK_AM_TEXT_MAX - 1, "\xe2\x80\xa6\",");
    assert_non_null(strstr(s, want));
    free(want);
    free(s);
    free(line);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_redact_plain),
        cmocka_unit_test(test_redact_userinfo),
        cmocka_unit_test(test_redact_query),
        cmocka_unit_test(test_label_name),
        cmocka_unit_test(test_am_firing),
        cmocka_unit_test(test_am_resolved),
        cmocka_unit_test(test_am_line_cap),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
