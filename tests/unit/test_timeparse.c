/* test_timeparse.c - unit tests for analyzer/timeparse.c.
 *
 * Expected epochs were computed independently with Python 3's
 * calendar.timegm and zoneinfo (fold=0), e.g.
 *   datetime.fromisoformat("2025-10-26T02:30").replace(
 *       tzinfo=ZoneInfo("Europe/Paris")).timestamp() == 1761438600
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/timeparse.h"
#include "base/util.h"

static void set_tz(const char *tz)
{
    char err[MCP_ERRLEN] = "";

    assert_int_equal(mcp_time_set_tz(tz, err), 0);
    assert_string_equal(err, "");
}

static int64_t py(const char *s)
{
    int64_t t = 42;
    size_t n = mcp_time_parse_python(s, strlen(s), &t);

    assert_int_equal(n, MCP_PYTIME_LEN);
    return t;
}

static void py_bad(const char *s)
{
    int64_t t = 42;

    assert_int_equal(mcp_time_parse_python(s, strlen(s), &t), 0);
    assert_int_equal(t, 42); /* untouched on failure */
}

static int64_t iso(const char *s, size_t want_len)
{
    int64_t t = 42;

    assert_int_equal(mcp_time_parse_iso(s, strlen(s), &t), want_len);
    return t;
}

static void fmt_iso(int64_t ms, const char *want)
{
    char buf[MCP_TIME_ISO_LEN];

    mcp_time_format_iso(ms, buf, sizeof(buf));
    assert_string_equal(buf, want);
}

static void fmt_log(int64_t ms, const char *want)
{
    char buf[MCP_TIME_ISO_LEN];

    mcp_time_format_log(ms, buf, sizeof(buf));
    assert_string_equal(buf, want);
}

static void test_python_utc(void **state)
{
    (void)state;
    set_tz("UTC");
    assert_int_equal(py("2025-12-10 14:36:02,114"), 1765377362114LL);
    assert_int_equal(py("2025-12-10 14:36:02.114"), 1765377362114LL);
    /* Trailing text is not consumed. */
    assert_int_equal(py("2025-12-10 14:36:02,114 - server - INFO - x"),
                     1765377362114LL);
    assert_int_equal(py("2024-02-29 00:00:00,000"), 1709164800000LL);
    assert_int_equal(py("2000-02-29 12:00:00,001"), 951825600001LL);
    assert_int_equal(py("1900-03-01 00:00:00,000"), -2203891200000LL);
    assert_int_equal(py("0001-01-01 00:00:00,000"), -62135596800000LL);
    assert_int_equal(py("9999-12-31 23:59:59,999"), 253402300799999LL);
    /* A leap second reads as the first second of the next minute. */
    assert_int_equal(py("2016-12-31 23:59:60,000"), 1483228800000LL);
    /* Negative epoch: the last millisecond of 1969. */
    assert_int_equal(py("1969-12-31 23:59:59,999"), -1);
}

static void test_python_invalid(void **state)
{
    (void)state;
    set_tz("UTC");
    py_bad("2025-02-29 00:00:00,000"); /* not a leap year */
    py_bad("1900-02-29 00:00:00,000"); /* century, not a leap year */
    py_bad("2025-13-01 00:00:00,000");
    py_bad("2025-00-01 00:00:00,000");
    py_bad("2025-04-31 00:00:00,000");
    py_bad("2025-01-00 00:00:00,000");
    py_bad("2025-01-32 00:00:00,000");
    py_bad("2025-01-01 24:00:00,000");
    py_bad("2025-01-01 00:60:00,000");
    py_bad("2025-01-01 00:00:61,000");
    py_bad("2025-01-01T00:00:00,000"); /* 'T' is the ISO form */
    py_bad("2025-01-01 00:00:00:000");
    py_bad("2025-01-01 00:00:00,00x");
    py_bad("2025-1-01 00:00:00,000");
    py_bad("Traceback (most recent call last):");
    py_bad("");
    /* One byte short. */
    int64_t t;
    assert_int_equal(mcp_time_parse_python("2025-01-01 00:00:00,000", 22, &t),
                     0);
    /* Not NUL-terminated: only n bytes are looked at. */
    char raw[MCP_PYTIME_LEN];
    memcpy(raw, "2025-12-10 14:36:02,114", MCP_PYTIME_LEN);
    assert_int_equal(mcp_time_parse_python(raw, sizeof(raw), &t), 23);
    assert_int_equal(t, 1765377362114LL);
}

static void test_iso_forms(void **state)
{
    (void)state;
    set_tz("UTC");
    assert_int_equal(iso("2025-12-10T14:36:02Z", 20), 1765377362000LL);
    assert_int_equal(iso("2025-12-10 14:36:02Z", 20), 1765377362000LL);
    assert_int_equal(iso("2025-12-10T15:36:02+01:00", 25), 1765377362000LL);
    assert_int_equal(iso("2025-12-10T15:36:02+0100", 24), 1765377362000LL);
    assert_int_equal(iso("2025-12-10T15:36:02+01", 22), 1765377362000LL);
    assert_int_equal(iso("2025-12-10T09:06:02-05:30", 25), 1765377362000LL);
    assert_int_equal(iso("2025-12-10T14:36:02-00:00", 25), 1765377362000LL);
    /* Fractions: any number of digits, milliseconds kept (truncated). */
    assert_int_equal(iso("2025-12-10T14:36:02.1Z", 22), 1765377362100LL);
    assert_int_equal(iso("2025-12-10T14:36:02.12Z", 23), 1765377362120LL);
    assert_int_equal(iso("2025-12-10T14:36:02.114Z", 24), 1765377362114LL);
    assert_int_equal(iso("2025-12-10T14:36:02.123456789Z", 30),
                     1765377362123LL);
    assert_int_equal(iso("2025-12-10T14:36:02.1239999999999+00:00", 39),
                     1765377362123LL);
    assert_int_equal(iso("2025-12-10T14:36:02,5Z", 22), 1765377362500LL);
    /* No zone: local time (UTC here). Following text is not consumed. */
    assert_int_equal(iso("2025-12-10T14:36:02", 19), 1765377362000LL);
    assert_int_equal(iso("2025-12-10 14:36:02,114 - x", 23), 1765377362114LL);
    assert_int_equal(iso("2025-12-10T14:36:02. x", 19), 1765377362000LL);
    assert_int_equal(iso("2025-12-10T14:36:02+1", 19), 1765377362000LL);
    assert_int_equal(iso("2025-12-10T14:36:02+24:00", 19), 1765377362000LL);
    /* Explicit zone with a negative result. */
    assert_int_equal(iso("1970-01-01T00:59:59.999+01:00", 29), -1);
    /* Rejected. */
    int64_t t = 42;
    assert_int_equal(mcp_time_parse_iso("2025-12-10X14:36:02Z", 20, &t), 0);
    assert_int_equal(mcp_time_parse_iso("2025-02-29T14:36:02Z", 20, &t), 0);
    assert_int_equal(mcp_time_parse_iso("2025-12-10T14:36", 16, &t), 0);
    assert_int_equal(mcp_time_parse_iso("2025-12-10T25:00:00Z", 20, &t), 0);
    assert_int_equal(t, 42);
}

static void test_prefix(void **state)
{
    int64_t t = 42;
    const char *s;

    (void)state;
    set_tz("UTC");
    s = "2025-12-10 14:36:02,114 - mcp_activity - INFO - TOOL_CALL: x";
    assert_int_equal(mcp_time_parse_prefix(s, strlen(s), &t), 23);
    assert_int_equal(t, 1765377362114LL);
    s = "2025-12-10T14:36:02.5Z hello";
    assert_int_equal(mcp_time_parse_prefix(s, strlen(s), &t), 22);
    assert_int_equal(t, 1765377362500LL);
    t = 42;
    s = "  File \"server.py\", line 12, in <module>";
    assert_int_equal(mcp_time_parse_prefix(s, strlen(s), &t), 0);
    s = "\033[0;32m✓\033[0m Python cache cleared";
    assert_int_equal(mcp_time_parse_prefix(s, strlen(s), &t), 0);
    assert_int_equal(mcp_time_parse_prefix("", 0, &t), 0);
    assert_int_equal(t, 42);
}

static void test_arg(void **state)
{
    int64_t t = 42;

    (void)state;
    set_tz("UTC");
    assert_int_equal(mcp_time_parse_arg("2025-12-10", &t), 0);
    assert_int_equal(t, 1765324800000LL);
    assert_int_equal(mcp_time_parse_arg("2025-12-10T14:36:02Z", &t), 0);
    assert_int_equal(t, 1765377362000LL);
    assert_int_equal(mcp_time_parse_arg("2025-12-10 14:36:02,114", &t), 0);
    assert_int_equal(t, 1765377362114LL);
    t = 42;
    assert_int_equal(mcp_time_parse_arg("", &t), -1);
    assert_int_equal(mcp_time_parse_arg("2025-12-10 ", &t), -1);
    assert_int_equal(mcp_time_parse_arg("2025-12-10T14:36:02Z junk", &t), -1);
    assert_int_equal(mcp_time_parse_arg("2025-13-10", &t), -1);
    assert_int_equal(mcp_time_parse_arg("2025-02-29", &t), -1);
    assert_int_equal(mcp_time_parse_arg("yesterday", &t), -1);
    assert_int_equal(t, 42);
    set_tz("Europe/Paris");
    assert_int_equal(mcp_time_parse_arg("2025-12-10", &t), 0);
    assert_int_equal(t, 1765321200000LL);
}

static void test_set_tz(void **state)
{
    char err[MCP_ERRLEN];

    (void)state;
    err[0] = '\0';
    assert_int_equal(mcp_time_set_tz("Nowhere/City", err), -1);
    assert_string_equal(err, "unknown time zone 'Nowhere/City' "
                        "(no /usr/share/zoneinfo/Nowhere/City)");
    const char *bad[] = {"../../etc/passwd", "/etc/localtime", "Europe/./Paris",
                         "Europe//Paris", "Europe/Paris;", "", "+2", "+24:00",
                         "+02:60", "+02:0", "+02:00x", "02:00", NULL};
    for (int i = 0; bad[i] != NULL; i++) {
        err[0] = '\0';
        assert_int_equal(mcp_time_set_tz(bad[i], err), -1);
        assert_true(err[0] != '\0');
    }
    /* First error wins: an earlier message is kept. */
    strcpy(err, "earlier");
    assert_int_equal(mcp_time_set_tz("Nowhere/City", err), -1);
    assert_string_equal(err, "earlier");
}

static void test_paris(void **state)
{
    (void)state;
    set_tz("Europe/Paris");
    assert_int_equal(py("2025-07-01 12:00:00,000"), 1751364000000LL);
    assert_int_equal(py("2025-12-10 14:36:02,000"), 1765373762000LL);
    assert_int_equal(py("1970-01-01 00:59:59,999"), -1);
    /* Around the spring-forward gap (02:00 -> 03:00 on 2025-03-30). */
    assert_int_equal(py("2025-03-30 01:59:59,000"), 1743296399000LL);
    assert_int_equal(py("2025-03-30 03:00:00,000"), 1743296400000LL);
    /* 02:30 does not exist: read with the offset before the gap (+01:00),
     * like Python's fold=0 and glibc's mktime: 01:30Z, shown as 03:30. */
    assert_int_equal(py("2025-03-30 02:30:00,000"), 1743298200000LL);
    fmt_iso(1743298200000LL, "2025-03-30T03:30:00.000+02:00");
    /* Explicit offsets ignore the zone. */
    assert_int_equal(iso("2025-03-30T02:30:00+01:00", 25), 1743298200000LL);
    assert_int_equal(iso("2025-07-01T12:00:00Z", 20), 1751371200000LL);
}

/* 2025-10-26 02:30 happens twice in Paris (00:30Z at +02:00, 01:30Z at
 * +01:00). glibc's mktime(tm_isdst = -1) answers either, depending on the
 * previous call; the parser always takes the first (fold=0), whatever was
 * converted before. set_tz() again empties the hour cache. */
static void test_paris_ambiguous(void **state)
{
    const char *before[] = {"2025-07-01 12:00:00,000",
                            "2025-01-01 12:00:00,000",
                            "2025-10-26 03:00:00,000",
                            "2025-10-26 01:00:00,000"};

    (void)state;
    for (size_t i = 0; i < sizeof(before) / sizeof(before[0]); i++) {
        set_tz("Europe/Paris");
        (void)py(before[i]);
        assert_int_equal(py("2025-10-26 02:30:00,000"), 1761438600000LL);
        assert_int_equal(py("2025-10-26 02:00:00,000"), 1761436800000LL);
        assert_int_equal(py("2025-10-26 02:59:59,999"), 1761440399999LL);
    }
    assert_int_equal(py("2025-10-26 03:00:00,000"), 1761444000000LL);
    fmt_iso(1761438600000LL, "2025-10-26T02:30:00.000+02:00");
    fmt_iso(1761442200000LL, "2025-10-26T02:30:00.000+01:00");
}

static void test_cache_follows_tz(void **state)
{
    (void)state;
    set_tz("UTC");
    assert_int_equal(py("2025-12-10 14:36:02,114"), 1765377362114LL);
    set_tz("Europe/Paris");
    assert_int_equal(py("2025-12-10 14:36:02,114"), 1765373762114LL);
    set_tz("+02:00");
    assert_int_equal(py("2025-12-10 14:36:02,114"), 1765370162114LL);
    set_tz("-0530");
    assert_int_equal(py("2025-12-10 14:36:02,114"), 1765397162114LL);
    set_tz("+02");
    assert_int_equal(py("2025-12-10 14:36:02,114"), 1765370162114LL);
}

static void test_format(void **state)
{
    (void)state;
    set_tz("UTC");
    fmt_iso(1765377362114LL, "2025-12-10T14:36:02.114Z");
    fmt_log(1765377362114LL, "2025-12-10 14:36:02,114");
    fmt_iso(0, "1970-01-01T00:00:00.000Z");
    /* Negative values round towards minus infinity. */
    fmt_iso(-1, "1969-12-31T23:59:59.999Z");
    fmt_iso(-1000, "1969-12-31T23:59:59.000Z");
    fmt_iso(-1001, "1969-12-31T23:59:58.999Z");
    fmt_log(-1, "1969-12-31 23:59:59,999");
    set_tz("Europe/Paris");
    fmt_iso(1765377362114LL, "2025-12-10T15:36:02.114+01:00");
    fmt_iso(1751364000000LL, "2025-07-01T12:00:00.000+02:00");
    fmt_log(1765377362114LL, "2025-12-10 15:36:02,114");
    fmt_iso(-1, "1970-01-01T00:59:59.999+01:00");
    /* Paris kept local mean time (+00:09:21) until 1911. */
    fmt_iso(-2203891200000LL, "1900-03-01T00:09:21.000+00:09:21");
    assert_int_equal(iso("1900-03-01T00:09:21.000+00:09:21", 32),
                     -2203891200000LL);
    set_tz("-05:30");
    fmt_iso(1765377362114LL, "2025-12-10T09:06:02.114-05:30");
    set_tz("+00:00");
    fmt_iso(1765377362114LL, "2025-12-10T14:36:02.114Z");
    /* A short buffer truncates, NUL-terminated. */
    char small[11];
    mcp_time_format_iso(1765377362114LL, small, sizeof(small));
    assert_string_equal(small, "2025-12-10");
}

/* format -> parse gives the same instant, in several zones, including
 * negative epochs and both sides of DST changes. */
static void test_round_trip(void **state)
{
    const char *zones[] = {"UTC", "Europe/Paris", "+02:00", "-0530",
                           "America/New_York", "Asia/Kolkata"};
    const int64_t values[] = {0, -1, -999, -1000, -1001, 1765377362114LL,
                              1743296399999LL, 1743296400000LL,
                              1761438600000LL, 1761442200000LL,
                              -2203891200000LL, 951825600001LL};
    char buf[MCP_TIME_ISO_LEN];

    (void)state;
    for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
        set_tz(zones[z]);
        for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
            int64_t t = 42;

            mcp_time_format_iso(values[i], buf, sizeof(buf));
            assert_int_equal(mcp_time_parse_iso(buf, strlen(buf), &t),
                             strlen(buf));
            assert_int_equal(t, values[i]);
            assert_int_equal(mcp_time_parse_arg(buf, &t), 0);
            assert_int_equal(t, values[i]);
        }
    }
    /* The log form has no zone: it round-trips except in the repeated
     * hour, where the first occurrence is chosen. */
    set_tz("Europe/Paris");
    mcp_time_format_log(1761442200000LL, buf, sizeof(buf));
    assert_string_equal(buf, "2025-10-26 02:30:00,000");
    assert_int_equal(py(buf), 1761438600000LL);
    mcp_time_format_log(-1001, buf, sizeof(buf));
    assert_int_equal(py(buf), -1001);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_python_utc),
        cmocka_unit_test(test_python_invalid),
        cmocka_unit_test(test_iso_forms),
        cmocka_unit_test(test_prefix),
        cmocka_unit_test(test_arg),
        cmocka_unit_test(test_set_tz),
        cmocka_unit_test(test_paris),
        cmocka_unit_test(test_paris_ambiguous),
        cmocka_unit_test(test_cache_follows_tz),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_round_trip),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
