/* test_timeexpr.c - unit tests for analyzer/base/timeexpr.c: every form
 * of --since / --until against fixed clocks ("now" injected) and fixed
 * zones.
 *
 * Expected epochs were computed independently with Python 3's zoneinfo,
 * e.g. datetime.fromisoformat("2025-12-10T00:00").replace(
 *          tzinfo=ZoneInfo("Europe/Paris")).timestamp() == 1765321200
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "base/timeexpr.h"
#include "base/timeparse.h"
#include "base/util.h"

/* 2025-12-10T15:30:45.250Z: 16:30:45.250 in Paris. */
#define NOW 1765380645250LL

static void set_tz(const char *tz)
{
    char err[MCP_ERRLEN] = "";

    assert_int_equal(mcp_time_set_tz(tz, err), 0);
}

static int64_t at(const char *s, int64_t now)
{
    char err[MCP_ERRLEN] = "";
    int64_t t = 42;

    assert_int_equal(mcp_time_parse_expr(s, now, &t, err), 0);
    assert_string_equal(err, "");
    return t;
}

static void bad(const char *s, const char *want)
{
    char err[MCP_ERRLEN] = "";
    int64_t t = 42;

    assert_int_equal(mcp_time_parse_expr(s, NOW, &t, err), -1);
    assert_int_equal(t, 42);
    assert_string_equal(err, want);
}

static void test_words(void **state)
{
    (void)state;
    set_tz("Europe/Paris");
    assert_int_equal(at("now", NOW), NOW);
    assert_int_equal(at("today", NOW), 1765321200000LL);
    assert_int_equal(at("yesterday", NOW), 1765234800000LL);
    assert_int_equal(at("tomorrow", NOW), 1765407600000LL);
}

static void test_clock_times(void **state)
{
    (void)state;
    set_tz("Europe/Paris");
    /* 14:00 is today at 14:00, as journalctl reads it, even when that is
     * in the future. */
    assert_int_equal(at("14:00", NOW), 1765371600000LL);
    assert_int_equal(at("14:00:30", NOW), 1765371630000LL);
    assert_int_equal(at("00:00", NOW), 1765321200000LL);
    assert_int_equal(at("23:59:59", NOW), 1765407599000LL);
    assert_int_equal(at("2025-12-10 14:00", NOW), 1765371600000LL);
    assert_int_equal(at("2025-12-10T14:00", NOW), 1765371600000LL);
    assert_int_equal(at("2025-12-10 14:00:30", NOW), 1765371630000LL);
    assert_int_equal(at("2025-12-10", NOW), 1765321200000LL);
    assert_int_equal(at("2025-12-10T14:00:00Z", NOW), 1765375200000LL);
    assert_int_equal(at("2025-12-10T14:00:00+01:00", NOW), 1765371600000LL);
}

static void test_relative(void **state)
{
    (void)state;
    set_tz("Europe/Paris");
    assert_int_equal(at("2h ago", NOW), NOW - 7200000);
    assert_int_equal(at("-30m", NOW), NOW - 1800000);
    assert_int_equal(at("+1h", NOW), NOW + 3600000);
    assert_int_equal(at("1h30m ago", NOW), NOW - 5400000);
    assert_int_equal(at("1 h 30 min ago", NOW), NOW - 5400000);
    assert_int_equal(at("2 hours ago", NOW), NOW - 7200000);
    assert_int_equal(at("1.5h ago", NOW), NOW - 5400000);
    assert_int_equal(at("90 seconds ago", NOW), NOW - 90000);
    assert_int_equal(at("3 days ago", NOW), NOW - 3 * 86400000LL);
    assert_int_equal(at("-1w", NOW), NOW - 7 * 86400000LL);
    assert_int_equal(at("-500ms", NOW), NOW - 500);
    /* Relative to the clock given, whatever the zone. */
    set_tz("Asia/Tokyo");
    assert_int_equal(at("2h ago", NOW), NOW - 7200000);
}

static void test_epoch(void **state)
{
    (void)state;
    set_tz("Europe/Paris");
    assert_int_equal(at("@1765375200", NOW), 1765375200000LL);
    assert_int_equal(at("@1765375200.5", NOW), 1765375200500LL);
    assert_int_equal(at("@1765375200.123456", NOW), 1765375200123LL);
    assert_int_equal(at("@0", NOW), 0);
}

/* The local day is the zone's: the same instant is the 11th in Paris
 * and Tokyo, the 10th in Los Angeles. */
static void test_zone_day(void **state)
{
    int64_t late = 1765409400000LL; /* 2025-12-10T23:30Z */

    (void)state;
    set_tz("Europe/Paris");
    assert_int_equal(at("today", late), 1765407600000LL);
    set_tz("Asia/Tokyo");
    assert_int_equal(at("today", late), 1765378800000LL);
    set_tz("America/Los_Angeles");
    assert_int_equal(at("today", late), 1765353600000LL);
    set_tz("UTC");
    assert_int_equal(at("today", late), 1765324800000LL);
    set_tz("+05:30");
    /* 2025-12-11 05:00 there: midnight +05:30 is 18:30Z the day before. */
    assert_int_equal(at("today", late), 1765391400000LL);
}

static void test_calendar_edges(void **state)
{
    (void)state;
    set_tz("Europe/Paris");
    /* New year's night: 2026-01-01 00:30 in Paris. */
    assert_int_equal(at("yesterday", 1767223800000LL), 1767135600000LL);
    assert_int_equal(at("today", 1767223800000LL), 1767222000000LL);
    assert_int_equal(at("tomorrow", 1767223800000LL), 1767308400000LL);
    /* DST starts 2025-03-30 (02:00 -> 03:00): midnight is +01:00; 02:30
     * does not exist and takes the offset before the gap. */
    assert_int_equal(at("today", 1743336000000LL), 1743289200000LL);
    assert_int_equal(at("02:30", 1743336000000LL), 1743298200000LL);
    assert_int_equal(at("yesterday", 1743415200000LL), 1743289200000LL);
    /* DST ends 2025-10-26: 02:30 happens twice; the first is taken. */
    assert_int_equal(at("02:30", 1761480000000LL), 1761438600000LL);
    set_tz("UTC");
    assert_int_equal(at("yesterday", 1709287200000LL), 1709164800000LL);
}

static void test_errors(void **state)
{
    static const char forms[] =
        ": use e.g. 2h ago, -30m, today, yesterday, 14:00, 2025-12-10 "
        "14:00, 2025-12-10T14:00:00+01:00 or @1765375200";
    static const char *const other[] = {
        "25:00", "14:60", "2025-02-30 14:00", "@", "@1.", "@-5", "", " ago",
    };
    char want[512];

    (void)state;
    set_tz("Europe/Paris");
    bad("yesterdy", "bad time 'yesterdy' (did you mean 'yesterday'?)");
    bad("tody", "bad time 'tody' (did you mean 'today'?)");
    bad("2x ago",
        "bad time '2x ago': '2x' is not a duration such as 2h, 30min or "
        "1h30m");
    bad("-", "bad time '-': '' is not a duration such as 2h, 30min or 1h30m");
    bad("-30", "bad time '-30': '30' is not a duration such as 2h, 30min or "
        "1h30m");
    bad("-1000000w", "bad time '-1000000w': out of range (years 0 to 9999)");
    /* Anything else: the forms accepted. */
    for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
        snprintf(want, sizeof(want), "bad time '%s'%s", other[i], forms);
        bad(other[i], want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_words),
        cmocka_unit_test(test_clock_times),
        cmocka_unit_test(test_relative),
        cmocka_unit_test(test_epoch),
        cmocka_unit_test(test_zone_day),
        cmocka_unit_test(test_calendar_edges),
        cmocka_unit_test(test_errors),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
