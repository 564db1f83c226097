/* test_timeguard.c - unit tests for analyzer/timeguard.c.
 *
 * A stream is written as lines "S label" (S: seconds after T0, "9999" for
 * a forged 9999-12-31 line, "-" for a continuation line); every line gets
 * one event, timed as the matcher times it (its own time, or its
 * record's). The chunks are cut after the given line counts, so that
 * suspects and their followers straddle chunk boundaries. The result is
 * the list of times the events carry, in seconds after T0 ("F" for the
 * forged time), and the lines the callback was told carry another time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "match/timeguard.h"
#include "base/timeparse.h"
#include "base/util.h"

#define T0 1765375200000LL /* 2025-12-10 14:00:00 UTC */
#define FORGED 253402300799000LL

struct run {
    char told[256];      /* lines not on their own time: "J<line>" for a
                            jump, "W<line>" after the wall clock */
    char times[1024];    /* the events' times, space separated */
    uint64_t lines_told;
};

static void on_line(const struct mcp_tg_line *l, void *arg)
{
    struct run *r = arg;
    size_t n = strlen(r->told);

    r->lines_told++;
    if (l->kind == MCP_TG_OWN)
        return;
    snprintf(r->told + n, sizeof(r->told) - n, "%s%c%llu", n ? " " : "",
             l->kind == MCP_TG_JUMP ? 'J' : 'W',
             (unsigned long long)l->lineno);
}

static void put_time(struct run *r, int64_t ts)
{
    size_t n = strlen(r->times);

    if (ts == FORGED)
        snprintf(r->times + n, sizeof(r->times) - n, "%sF", n ? " " : "");
    else if (ts == MCP_TIME_NONE)
        snprintf(r->times + n, sizeof(r->times) - n, "%s-", n ? " " : "");
    else
        snprintf(r->times + n, sizeof(r->times) - n, "%s%lld", n ? " " : "",
                 (long long)((ts - T0) / 1000));
}

/* The text of a stream spec ("0 a|9999 b|- c|...") and its line times. */
static size_t build(const char *spec, char *text, int64_t *own)
{
    size_t len = 0, n = 0;
    char buf[512];
    char *save = NULL;

    snprintf(buf, sizeof(buf), "%s", spec);
    for (char *tok = strtok_r(buf, "|", &save); tok;
         tok = strtok_r(NULL, "|", &save), n++) {
        char when[32], label[64];

        sscanf(tok, "%31s %63s", when, label);
        if (strcmp(when, "-") == 0) {
            own[n] = MCP_TIME_NONE;
            len += (size_t)sprintf(text + len, "  at %s\n", label);
        } else {
            int64_t t = strcmp(when, "9999") == 0
                            ? FORGED
                            : T0 + atoll(when) * 1000;
            char ts[40];

            own[n] = t;
            mcp_time_format_log(t, ts, sizeof(ts));
            len += (size_t)sprintf(text + len, "%s - root - INFO - %s\n", ts,
                                   label);
        }
    }

    return n;
}

/* Run spec through a guard, chunks of cuts[i] lines (0 ends the list:
 * the rest is one chunk). live: floor and ceiling as given. */
static void run_guard(struct run *r, const char *spec, const int *cuts,
                      bool live, int64_t floor, int64_t ceiling)
{
    char text[4096];
    int64_t own[64];
    size_t nlines = build(spec, text, own), line = 0;
    struct mcp_timeguard *g;
    struct mcp_batch in, out;
    const char *p = text;
    int64_t carry = MCP_TIME_NONE;
    uint64_t offset = 0;

    memset(r, 0, sizeof(*r));
    mcp_batch_init(&in);
    mcp_batch_init(&out);
    g = mcp_timeguard_create(live, on_line, r);
    while (line < nlines) {
        size_t take = *cuts ? (size_t)*cuts++ : nlines - line;
        struct mcp_chunk c = {.data = p, .offset = offset,
                              .first_line = line + 1, .carry_ts = carry};
        const char *q = p;

        if (take > nlines - line)
            take = nlines - line;
        for (size_t i = 0; i < take; i++, line++) {
            const char *nl = strchr(q, '\n');
            struct mcp_event *ev =
                mcp_event_create(q, (size_t)(nl - q), NULL, 0, 0, NULL, NULL, NULL, NULL);

            if (own[line] != MCP_TIME_NONE)
                carry = own[line];
            ev->ts = carry;
            ev->own_ts = own[line] != MCP_TIME_NONE;
            ev->lineno = line + 1;
            ev->offset = offset + (uint64_t)(q - p);
            mcp_batch_push(&in, ev);
            q = nl + 1;
        }
        c.len = (size_t)(q - p);
        c.lines = take;
        c.first_ts = c.last_ts = MCP_TIME_NONE;
        for (size_t i = line - take; i < line; i++)
            if (own[i] != MCP_TIME_NONE) {
                if (c.first_ts == MCP_TIME_NONE)
                    c.first_ts = own[i];
                c.last_ts = own[i];
            }
        if (live)
            mcp_timeguard_bounds(g, floor, ceiling);
        mcp_timeguard_chunk(g, 1, 0, &c, &in, &out);
        assert_int_equal(in.n, 0);
        if (live)
            assert_int_equal(out.n, (size_t)line);
        offset += c.len;
        p = q;
    }
    if (!live)
        mcp_timeguard_finish(g, &out);
    assert_int_equal(out.n, nlines);
    for (size_t i = 0; i < out.n; i++) {
        assert_int_equal(out.ev[i]->lineno, i + 1); /* in order */
        put_time(r, out.ev[i]->ts);
    }
    mcp_batch_free(&out);
    mcp_batch_free(&in);
    mcp_timeguard_destroy(g);
}

static const int one_chunk[] = {0};
static const int line_by_line[] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0};

/* One forged line between lines of 14:00: it carries the time before it,
 * continuation lines of it too; the lines after keep theirs. */
static void test_forged(void **state)
{
    const char *spec = "0 a|9999 forged|- arg|1 b|2 c|3 d";
    struct run r;

    (void)state;
    run_guard(&r, spec, one_chunk, false, 0, 0);
    assert_string_equal(r.times, "0 0 0 1 2 3");
    assert_string_equal(r.told, "J2");
    run_guard(&r, spec, line_by_line, false, 0, 0);
    assert_string_equal(r.times, "0 0 0 1 2 3");
    assert_string_equal(r.told, "J2");
}

/* A restart 3 h later, confirmed by the next three lines, however the
 * chunks fall: every line keeps its own time. */
static void test_real_jump(void **state)
{
    const char *spec = "0 a|10800 pid|- more|10801 ready|10802 x|10803 y";
    static const int split[] = {2, 2, 0};
    struct run r;

    (void)state;
    run_guard(&r, spec, one_chunk, false, 0, 0);
    assert_string_equal(r.times, "0 10800 10800 10801 10802 10803");
    assert_string_equal(r.told, "");
    run_guard(&r, spec, line_by_line, false, 0, 0);
    assert_string_equal(r.times, "0 10800 10800 10801 10802 10803");
    run_guard(&r, spec, split, false, 0, 0);
    assert_string_equal(r.times, "0 10800 10800 10801 10802 10803");
    /* A sparse log: every line more than 1 h after the one before; the
     * last one, with nothing after it to confirm it, is an outlier. */
    run_guard(&r, "0 a|7200 b|14400 c|21600 d|28800 e", one_chunk, false, 0,
              0);
    assert_string_equal(r.times, "0 7200 14400 21600 21600");
    assert_string_equal(r.told, "J5");
}

/* A jump refuted by a later follower: lines that agreed with it are
 * judged on their own, against the clock. */
static void test_refuted_late(void **state)
{
    struct run r;

    (void)state;
    run_guard(&r, "0 a|9000 b|9001 c|5 d|6 e", one_chunk, false, 0, 0);
    assert_string_equal(r.times, "0 0 0 5 6");
    assert_string_equal(r.told, "J2 J3");
}

/* At the end: one line after the suspect is enough; a last line alone is
 * an outlier. */
static void test_end_of_stream(void **state)
{
    struct run r;

    (void)state;
    run_guard(&r, "0 a|7200 b|7201 c", one_chunk, false, 0, 0);
    assert_string_equal(r.times, "0 7200 7201");
    run_guard(&r, "0 a|7200 b", one_chunk, false, 0, 0);
    assert_string_equal(r.times, "0 0");
    assert_string_equal(r.told, "J2");
    run_guard(&r, "0 a|7200 b|- tb", line_by_line, false, 0, 0);
    assert_string_equal(r.times, "0 0 0");
}

/* Backwards: earlier lines keep their own times, the clock stays; the
 * first line of a stream starts the clock. */
static void test_backwards(void **state)
{
    struct run r;

    (void)state;
    run_guard(&r, "0 a|-7200 b|-7199 c|10 d", one_chunk, false, 0, 0);
    assert_string_equal(r.times, "0 -7200 -7199 10");
    assert_string_equal(r.told, "");
    run_guard(&r, "- x|7200 a|0 b|1 c|2 d", one_chunk, false, 0, 0);
    assert_string_equal(r.times, "- 7200 0 1 2");
}

/* Live: after the ceiling, a line is taken as now (the floor, or the
 * clock when later) and confirms nothing; a suspect at the end of a chunk
 * goes out on the reference's time, and later lines may confirm it. */
static void test_live(void **state)
{
    struct run r;
    int64_t floor = T0 + 10 * 1000, ceiling = T0 + 20 * 1000;

    (void)state;
    run_guard(&r, "0 a|9999 forged|1 b", one_chunk, true, floor, ceiling);
    assert_string_equal(r.times, "0 10 1");
    assert_string_equal(r.told, "W2");
    /* no floor yet: the clock */
    run_guard(&r, "0 a|9999 forged|1 b", one_chunk, true, MCP_TIME_NONE,
              ceiling);
    assert_string_equal(r.times, "0 0 1");
    /* no floor, no clock: the wall clock (ceiling - skew) */
    run_guard(&r, "9999 forged|1 b", one_chunk, true, MCP_TIME_NONE,
              T0 + MCP_TIME_SKEW_MS);
    assert_string_equal(r.times, "0 1");
    /* a jump of 2 h, line by line: out as now until three lines agree */
    run_guard(&r, "0 a|7200 b|7201 c|7202 d|7203 e|7204 f", line_by_line,
              true, floor, MCP_TIME_NONE);
    assert_string_equal(r.times, "0 10 10 10 7203 7204");
    assert_string_equal(r.told, "J2 J3 J4");
    /* ... in one chunk the followers are there: own times */
    run_guard(&r, "0 a|7200 b|7201 c|7202 d|7203 e", one_chunk, true, floor,
              MCP_TIME_NONE);
    assert_string_equal(r.times, "0 7200 7201 7202 7203");
    /* a forged line last in its chunk, refuted by the next chunk */
    run_guard(&r, "0 a|9000 forged|- arg|1 b", (const int[]){3, 0}, true,
              floor, MCP_TIME_NONE);
    assert_string_equal(r.times, "0 10 10 1");
    assert_string_equal(r.told, "J2");
}

/* Two sources in one guard (a live and a draining tail): a continuation
 * line at the start of a chunk belongs to its own source's record. */
static void test_sources(void **state)
{
    struct mcp_timeguard *g;
    struct run r;
    struct mcp_batch in, out;
    const char a1[] = "2025-12-10 14:00:00,000 - a\n"
                      "9999-12-31 23:59:59,000 - forged\n";
    const char b1[] = "2025-12-10 14:00:01,000 - b\n";
    const char a2[] = "  continued\n2025-12-10 14:00:02,000 - c\n";
    struct mcp_chunk c;
    struct mcp_event *ev;

    (void)state;
    memset(&r, 0, sizeof(r));
    mcp_batch_init(&in);
    mcp_batch_init(&out);
    g = mcp_timeguard_create(false, on_line, &r);
    c = (struct mcp_chunk){.data = a1, .len = strlen(a1), .offset = 0,
                           .first_line = 1, .lines = 2,
                           .carry_ts = MCP_TIME_NONE, .first_ts = T0,
                           .last_ts = FORGED};
    mcp_timeguard_chunk(g, 1, 0, &c, &in, &out);
    c = (struct mcp_chunk){.data = b1, .len = strlen(b1), .offset = 0,
                           .first_line = 1, .lines = 1,
                           .carry_ts = MCP_TIME_NONE, .first_ts = T0 + 1000,
                           .last_ts = T0 + 1000};
    mcp_timeguard_chunk(g, 2, 1, &c, &in, &out);
    ev = mcp_event_create("  continued", 11, NULL, 0, 0, NULL, NULL, NULL, NULL);
    ev->ts = FORGED;
    ev->offset = strlen(a1);
    ev->lineno = 3;
    mcp_batch_push(&in, ev);
    c = (struct mcp_chunk){.data = a2, .len = strlen(a2),
                           .offset = strlen(a1), .first_line = 3, .lines = 2,
                           .carry_ts = FORGED, .first_ts = T0 + 2000,
                           .last_ts = T0 + 2000};
    mcp_timeguard_chunk(g, 1, 0, &c, &in, &out);
    mcp_timeguard_finish(g, &out);
    assert_int_equal(out.n, 1);
    assert_int_equal(out.ev[0]->ts, T0); /* the forged line carries a's */
    assert_string_equal(r.told, "J2");
    mcp_batch_free(&out);
    mcp_batch_free(&in);
    mcp_timeguard_destroy(g);
}

/* A jump followed by more continuation lines (with matches) than may be
 * held: it is decided as an outlier then, and they go out on the clock;
 * nothing waits any more. */
static void test_hold_limit(void **state)
{
    enum { N = 40000 };
    struct mcp_timeguard *g;
    struct run r;
    struct mcp_batch in, out;
    struct mcp_buf text;
    struct mcp_chunk c;

    (void)state;
    memset(&r, 0, sizeof(r));
    mcp_batch_init(&in);
    mcp_batch_init(&out);
    mcp_buf_init(&text);
    mcp_buf_puts(&text, "2025-12-10 14:00:00,000 - a\n"
                        "2025-12-10 16:00:00,000 - b\n");
    for (int i = 0; i < N; i++) {
        struct mcp_event *ev =
            mcp_event_create("  more", 6, NULL, 0, 0, NULL, NULL, NULL, NULL);

        ev->ts = T0 + 7200 * 1000;
        ev->lineno = 3 + (uint64_t)i;
        ev->offset = text.len;
        mcp_batch_push(&in, ev);
        mcp_buf_puts(&text, "  more\n");
    }
    c = (struct mcp_chunk){.data = text.data, .len = text.len,
                           .first_line = 1, .lines = N + 2,
                           .carry_ts = MCP_TIME_NONE, .first_ts = T0,
                           .last_ts = T0 + 7200 * 1000};
    g = mcp_timeguard_create(false, on_line, &r);
    mcp_timeguard_chunk(g, 1, 0, &c, &in, &out);
    assert_int_equal(out.n, N); /* all out before the end of the stream */
    assert_int_equal(out.ev[0]->ts, T0);
    assert_int_equal(out.ev[N - 1]->ts, T0);
    assert_string_equal(r.told, "J2");
    mcp_timeguard_finish(g, &out);
    assert_int_equal(out.n, N);
    mcp_batch_free(&out);
    mcp_batch_free(&in);
    mcp_buf_free(&text);
    mcp_timeguard_destroy(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forged),
        cmocka_unit_test(test_real_jump),
        cmocka_unit_test(test_refuted_late),
        cmocka_unit_test(test_end_of_stream),
        cmocka_unit_test(test_backwards),
        cmocka_unit_test(test_live),
        cmocka_unit_test(test_sources),
        cmocka_unit_test(test_hold_limit),
    };
    char err[MCP_ERRLEN];

    if (mcp_time_set_tz("UTC", err) != 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
