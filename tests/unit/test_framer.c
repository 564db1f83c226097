/* test_framer.c - unit tests for analyzer/framer.c.
 *
 * Input comes from an in-memory source whose read callback hands out 1..N
 * bytes at a time (fixed piece lists or a seeded generator), so that line
 * ends, CRLF pairs and records straddle read boundaries. Every run goes
 * through check_chunks(), which holds the framer to framer.h: chunks end in
 * '\n', line counts and numbers add up, offsets map each byte back to the
 * input, a cut line is last in its chunk, carry_ts follows last_ts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "framer.h"
#include "timeparse.h"
#include "util.h"

struct src {
    const char *data;
    size_t len, pos;
    const size_t *pieces; /* piece sizes, cycled; NULL: use rng */
    size_t npieces, pi;
    uint32_t rng;         /* xorshift state; pieces 1..maxpiece */
    size_t maxpiece;
    size_t fail_at;       /* return -1 once pos reaches this (SIZE_MAX: no) */
    int ended;            /* 0 or -1 returned */
    int calls_after_end;
};

static ssize_t src_read(void *arg, char *buf, size_t cap, char *err)
{
    struct src *s = arg;
    size_t n;

    if (s->ended) {
        s->calls_after_end++;
        return 0;
    }
    if (s->pos == s->fail_at) {
        s->ended = 1;
        mcp_errf(err, "boom at %zu", s->pos);
        return -1;
    }
    if (s->pos == s->len) {
        s->ended = 1;
        return 0;
    }
    if (s->pieces != NULL) {
        n = s->pieces[s->pi++ % s->npieces];
    } else if (s->maxpiece > 0) {
        s->rng ^= s->rng << 13;
        s->rng ^= s->rng >> 17;
        s->rng ^= s->rng << 5;
        n = 1 + s->rng % s->maxpiece;
    } else {
        n = cap;
    }
    if (n > cap)
        n = cap;
    if (n > s->len - s->pos)
        n = s->len - s->pos;
    if (s->fail_at != SIZE_MAX && n > s->fail_at - s->pos)
        n = s->fail_at - s->pos;
    memcpy(buf, s->data + s->pos, n);
    s->pos += n;
    return (ssize_t)n;
}

struct out {
    struct mcp_chunk *c; /* data copied */
    size_t n;
    char *all;           /* every chunk concatenated */
    size_t all_len;
    int last;            /* 0 or -1: how the run ended */
    char err[MCP_ERRLEN];
    struct mcp_framer_stats st;
};

static void out_free(struct out *o)
{
    for (size_t i = 0; i < o->n; i++)
        free((char *)o->c[i].data);
    free(o->c);
    free(o->all);
}

static uint64_t nl_count(const char *p, size_t n)
{
    uint64_t k = 0;

    for (size_t i = 0; i < n; i++)
        k += p[i] == '\n';
    return k;
}

/* Check the run against framer.h; input is the whole byte stream. */
static void check_chunks(const struct out *o, const char *in, size_t in_len,
                         size_t max_line, bool full)
{
    uint64_t off = 0, line = 1, lines = 0, longs = 0;
    int64_t carry = MCP_TIME_NONE;

    for (size_t i = 0; i < o->n; i++) {
        const struct mcp_chunk *c = &o->c[i];

        assert_true(c->len > 0);
        assert_int_equal(c->data[c->len - 1], '\n');
        assert_int_equal(c->lines, nl_count(c->data, c->len));
        assert_int_equal(c->first_line, line);
        assert_int_equal(c->offset, off);
        assert_int_equal(c->carry_ts, carry);
        assert_true(c->long_lines <= 1);
        if (c->last_ts != MCP_TIME_NONE)
            carry = c->last_ts;
        assert_true((c->first_ts == MCP_TIME_NONE) ==
                    (c->last_ts == MCP_TIME_NONE));
        line += c->lines;
        lines += c->lines;
        longs += c->long_lines;
        /* Every line but a cut one is at most max_line bytes. */
        const char *p = c->data, *end = c->data + c->len;
        while (p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            assert_true((size_t)(nl - p) <= max_line);
            if (c->long_lines && nl + 1 == end)
                assert_int_equal((size_t)(nl - p), max_line);
            p = nl + 1;
        }
        if (c->long_lines) {
            /* The kept part is the input; then skip to the real '\n'. */
            assert_true(off + c->len - 1 <= in_len);
            assert_memory_equal(c->data, in + off, c->len - 1);
            const char *nl = memchr(in + off + c->len - 1, '\n',
                                    in_len - (off + c->len - 1));
            off = nl ? (uint64_t)(nl - in) + 1 : in_len;
        } else if (off + c->len == in_len + 1) {
            /* The '\n' supplied at the end of input. */
            assert_true(in_len == 0 || in[in_len - 1] != '\n');
            assert_memory_equal(c->data, in + off, c->len - 1);
            off += c->len - 1;
        } else {
            assert_true(off + c->len <= in_len);
            assert_memory_equal(c->data, in + off, c->len);
            off += c->len;
        }
    }
    assert_int_equal(o->st.lines, lines);
    assert_int_equal(o->st.long_lines, longs);
    if (full) {
        assert_int_equal(off, in_len);
        assert_int_equal(o->st.bytes, in_len);
        assert_int_equal(lines, nl_count(in, in_len) +
                                    (in_len > 0 && in[in_len - 1] != '\n'));
    }
}

/* Frame all of s; checks the source is never read after its end. */
static struct out run(struct src *s, size_t max_line, int flags)
{
    struct mcp_framer *f = mcp_framer_create(max_line, flags, src_read, s);
    struct out o;
    struct mcp_chunk c;
    int r;

    memset(&o, 0, sizeof(o));
    while ((r = mcp_framer_next(f, &c, o.err)) == 1) {
        assert_string_equal(o.err, "");
        o.c = realloc(o.c, (o.n + 1) * sizeof(*o.c));
        assert_non_null(o.c);
        o.c[o.n] = c;
        char *copy = malloc(c.len);
        assert_non_null(copy);
        memcpy(copy, c.data, c.len);
        o.c[o.n++].data = copy;
        o.all = realloc(o.all, o.all_len + c.len);
        assert_non_null(o.all);
        memcpy(o.all + o.all_len, c.data, c.len);
        o.all_len += c.len;
    }
    o.last = r;
    if (r == 0)
        assert_string_equal(o.err, "");
    /* After the end (or the one -1), only 0. */
    char before[MCP_ERRLEN];
    strcpy(before, o.err);
    assert_int_equal(mcp_framer_next(f, &c, o.err), 0);
    assert_int_equal(mcp_framer_next(f, &c, o.err), 0);
    assert_string_equal(o.err, before);
    assert_int_equal(s->calls_after_end, 0);
    mcp_framer_stats(f, &o.st);
    mcp_framer_destroy(f);
    return o;
}

static struct src src_of(const char *data, size_t len)
{
    struct src s;

    memset(&s, 0, sizeof(s));
    s.data = data;
    s.len = len;
    s.fail_at = SIZE_MAX;
    return s;
}

/* Run text through several read patterns; each must give the same lines. */
static void run_patterns(const char *in, size_t len, size_t max_line,
                         int flags, const char *want, size_t want_len)
{
    static const size_t ones[] = {1}, twos[] = {2, 1, 3};

    for (int k = 0; k < 5; k++) {
        struct src s = src_of(in, len);

        if (k == 1) {
            s.pieces = ones;
            s.npieces = 1;
        } else if (k == 2) {
            s.pieces = twos;
            s.npieces = 3;
        } else if (k >= 3) {
            s.rng = 0x9e3779b9u * (uint32_t)k;
            s.maxpiece = k == 3 ? 7 : 100;
        }
        struct out o = run(&s, max_line, flags);
        assert_int_equal(o.last, 0);
        check_chunks(&o, in, len, max_line ? max_line : MCP_MAX_LINE_DEFAULT,
                     true);
        assert_int_equal(o.all_len, want_len);
        assert_memory_equal(o.all, want, want_len);
        out_free(&o);
    }
}

static void test_empty(void **state)
{
    (void)state;
    for (int flags = 0; flags <= MCP_FRAMER_RECORDS; flags++) {
        struct src s = src_of("", 0);
        struct out o = run(&s, 0, flags);

        assert_int_equal(o.last, 0);
        assert_int_equal(o.n, 0);
        assert_int_equal(o.st.bytes, 0);
        assert_int_equal(o.st.lines, 0);
        out_free(&o);
    }
}

static void test_only_newline(void **state)
{
    (void)state;
    for (int flags = 0; flags <= MCP_FRAMER_RECORDS; flags++) {
        struct src s = src_of("\n", 1);
        struct out o = run(&s, 0, flags);

        assert_int_equal(o.n, 1);
        assert_int_equal(o.c[0].len, 1);
        assert_int_equal(o.c[0].lines, 1);
        assert_int_equal(o.c[0].offset, 0);
        assert_int_equal(o.c[0].first_line, 1);
        assert_int_equal(o.c[0].first_ts, MCP_TIME_NONE);
        check_chunks(&o, "\n", 1, MCP_MAX_LINE_DEFAULT, true);
        out_free(&o);
    }
}

static void test_lines_and_final_newline(void **state)
{
    const char in[] = "alpha\nbeta\n\ngamma";

    (void)state;
    run_patterns(in, sizeof(in) - 1, 0, 0, "alpha\nbeta\n\ngamma\n", 18);
    run_patterns(in, sizeof(in) - 1, 0, MCP_FRAMER_RECORDS,
                 "alpha\nbeta\n\ngamma\n", 18);
    /* One read: the complete lines go out at once; the end of input is
     * only known at the next read, which completes "gamma". */
    struct src s = src_of(in, sizeof(in) - 1);
    struct out o = run(&s, 0, 0);
    assert_int_equal(o.n, 2);
    assert_int_equal(o.c[0].lines, 3);
    assert_int_equal(o.c[0].len, 12);
    assert_int_equal(o.c[1].lines, 1);
    assert_int_equal(o.c[1].offset, 12);
    assert_int_equal(o.c[1].first_line, 4);
    out_free(&o);
}

/* '\r' as the last byte of one read and '\n' first of the next: the pair
 * stays one line end and mcp_line_trim() drops the '\r'. */
static void test_crlf_split(void **state)
{
    const char in[] = "first\r\nsecond\r\n\r\nthird\r\n";
    static const size_t split[] = {6, 100};

    (void)state;
    for (size_t cut = 1; cut < sizeof(in) - 1; cut++) {
        size_t pieces[] = {cut, 100};
        struct src s = src_of(in, sizeof(in) - 1);

        s.pieces = pieces;
        s.npieces = 2;
        struct out o = run(&s, 0, 0);
        check_chunks(&o, in, sizeof(in) - 1, MCP_MAX_LINE_DEFAULT, true);
        assert_int_equal(o.st.lines, 4);
        assert_memory_equal(o.all, in, sizeof(in) - 1);
        out_free(&o);
    }
    struct src s = src_of(in, sizeof(in) - 1);
    s.pieces = split; /* "first\r" | "\nsecond..." */
    s.npieces = 2;
    struct out o = run(&s, 0, 0);
    const char *want[] = {"first", "second", "", "third"};
    size_t k = 0;
    for (size_t i = 0; i < o.n; i++) {
        const char *p = o.c[i].data, *end = p + o.c[i].len;
        while (p < end) {
            size_t n = mcp_line_trim(p, end);
            assert_true(k < 4);
            assert_int_equal(n, strlen(want[k]));
            assert_memory_equal(p, want[k], n);
            k++;
            p = memchr(p, '\n', (size_t)(end - p)) + 1;
        }
    }
    assert_int_equal(k, 4);
    out_free(&o);
}

static void test_nul_and_bad_utf8(void **state)
{
    /* NULs, a lone continuation byte, "\xC8\n", a surrogate, a C1 CSI,
     * and a 4-byte sequence cut off at the end of input. */
    const char in[] = "a\0b\0\0c\n\x80\n\xC8\n\xED\xA0\x80 x\n\xC2\x9B[2J\n"
                      "\0\n\xF0\x9F\x98";
    const size_t len = sizeof(in) - 1;
    char want[sizeof(in) + 1];

    (void)state;
    memcpy(want, in, len);
    want[len] = '\n';
    run_patterns(in, len, 0, 0, want, len + 1);
    run_patterns(in, len, 0, MCP_FRAMER_RECORDS, want, len + 1);
}

static void test_long_line_small_cap(void **state)
{
    char in[256], want[256];
    size_t n = 0, w = 0;

    (void)state;
    n += (size_t)sprintf(in + n, "short\n");
    memset(in + n, 'x', 100);
    n += 100;
    n += (size_t)sprintf(in + n, "\nafter\n");
    w += (size_t)sprintf(want + w, "short\n");
    memset(want + w, 'x', 16);
    w += 16;
    w += (size_t)sprintf(want + w, "\nafter\n");
    run_patterns(in, n, 16, 0, want, w);
    run_patterns(in, n, 16, MCP_FRAMER_RECORDS, want, w);

    struct src s = src_of(in, n);
    struct out o = run(&s, 16, 0);
    assert_int_equal(o.n, 2); /* the cut line ends the first chunk */
    assert_int_equal(o.c[0].long_lines, 1);
    assert_int_equal(o.c[0].lines, 2);
    assert_int_equal(o.c[1].offset, 107);
    assert_int_equal(o.c[1].first_line, 3);
    assert_int_equal(o.st.long_lines, 1);
    out_free(&o);

    /* Exactly max_line bytes is not long; max_line + 1 is. */
    const char exact[] = "0123456789abcdef\n0123456789abcdefg\n";
    s = src_of(exact, sizeof(exact) - 1);
    o = run(&s, 16, 0);
    check_chunks(&o, exact, sizeof(exact) - 1, 16, true);
    assert_int_equal(o.st.long_lines, 1);
    assert_int_equal(o.all_len, 34);
    assert_memory_equal(o.all, "0123456789abcdef\n0123456789abcdef\n", 34);
    out_free(&o);

    /* Long last line without '\n', and two long lines in a row. */
    const char tail[] = "ok\nyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\nzzzzzzzzzzzzzzzzzzzzzzz";
    run_patterns(tail, sizeof(tail) - 1, 16, 0,
                 "ok\nyyyyyyyyyyyyyyyy\nzzzzzzzzzzzzzzzz\n", 37);
}

/* A 10 MB line between two normal lines, and as the last line without a
 * newline. The framer's buffer is allocated once at create (max_line +
 * 256 KiB + 1), so the line cannot make memory grow. */
static void test_ten_mb_line(void **state)
{
    const size_t big = 10 * 1024 * 1024, ml = MCP_MAX_LINE_DEFAULT;
    char *in = malloc(big + 64), *want = malloc(ml + 64);
    size_t n = 0, w = 0;

    (void)state;
    assert_non_null(in);
    assert_non_null(want);
    n += (size_t)sprintf(in, "2025-12-10 14:36:02,114 - before\n");
    memset(in + n, 'x', big);
    n += big;
    n += (size_t)sprintf(in + n, "\nafter\n");
    w += (size_t)sprintf(want, "2025-12-10 14:36:02,114 - before\n");
    memset(want + w, 'x', ml);
    w += ml;
    w += (size_t)sprintf(want + w, "\nafter\n");
    for (int flags = 0; flags <= MCP_FRAMER_RECORDS; flags++) {
        struct src s = src_of(in, n);

        s.rng = 12345;
        s.maxpiece = 300000;
        struct out o = run(&s, 0, flags);
        check_chunks(&o, in, n, ml, true);
        assert_int_equal(o.all_len, w);
        assert_memory_equal(o.all, want, w);
        assert_int_equal(o.st.long_lines, 1);
        assert_int_equal(o.st.lines, 3);
        assert_int_equal(o.c[o.n - 1].offset, 33 + big + 1);
        assert_int_equal(o.c[o.n - 1].first_line, 3);
        out_free(&o);
    }
    /* As the very last line, no newline. */
    n = 33 + big;
    w = 33 + ml;
    want[w++] = '\n';
    struct src s = src_of(in, n);
    struct out o = run(&s, 0, MCP_FRAMER_RECORDS);
    check_chunks(&o, in, n, ml, true);
    assert_int_equal(o.all_len, w);
    assert_memory_equal(o.all, want, w);
    assert_int_equal(o.st.long_lines, 1);
    assert_int_equal(o.st.lines, 2);
    out_free(&o);
    free(in);
    free(want);
}

static const char tb_log[] =
    "2025-12-10 14:36:02,114 - server - INFO - Server ready\n"
    "2025-12-10 14:36:03,000 - server - ERROR - Tool failed\n"
    "Traceback (most recent call last):\n"
    "  File \"server.py\", line 12, in handle\n"
    "    raise ValueError(\"x\")\n"
    "ValueError: x\n"
    "2025-12-10 14:36:04,500 - server - INFO - next\n"
    "continuation of next\n"
    "2025-12-10 14:36:05,000 - server - INFO - last\n";

/* Records mode: wherever the reads split the traceback, its lines stay in
 * the chunk of the line that starts the record. */
static void test_records_traceback(void **state)
{
    const size_t len = sizeof(tb_log) - 1;
    const char *err_line = strstr(tb_log, "2025-12-10 14:36:03");
    const char *next_line = strstr(tb_log, "2025-12-10 14:36:04");

    (void)state;
    for (size_t cut = 0; cut <= len; cut++) {
        for (int mode = 0; mode < 2; mode++) {
            size_t pieces[] = {cut ? cut : 1, mode ? 1 : 1000};
            struct src s = src_of(tb_log, len);

            s.pieces = pieces;
            s.npieces = 2;
            struct out o = run(&s, 0, MCP_FRAMER_RECORDS);
            check_chunks(&o, tb_log, len, MCP_MAX_LINE_DEFAULT, true);
            /* Chunks start only at lines with a timestamp. */
            for (size_t i = 0; i < o.n; i++) {
                int64_t t;
                assert_true(mcp_time_parse_prefix(o.c[i].data, o.c[i].len,
                                                  &t) > 0);
            }
            /* The ERROR line and its traceback are in one chunk. */
            size_t eo = (size_t)(err_line - tb_log);
            size_t no = (size_t)(next_line - tb_log);
            for (size_t i = 0; i < o.n; i++) {
                uint64_t a = o.c[i].offset, b = a + o.c[i].len;
                if (a <= eo && eo < b)
                    assert_true(no <= b);
            }
            out_free(&o);
        }
    }
}

static void test_timestamps(void **state)
{
    const char in[] = "orphan continuation\n"
                      "2025-12-10 14:36:02,114 - a\n"
                      "cont\n"
                      "2025-12-10T14:36:03.5Z b\n"
                      "cont\n";
    const char in2[] = "cont only\n";
    struct src s;
    struct out o;

    (void)state;
    s = src_of(in, sizeof(in) - 1);
    o = run(&s, 0, 0);
    assert_int_equal(o.n, 1);
    assert_int_equal(o.c[0].carry_ts, MCP_TIME_NONE);
    assert_int_equal(o.c[0].first_ts, 1765377362114LL);
    assert_int_equal(o.c[0].last_ts, 1765377363500LL);
    out_free(&o);

    /* Records mode, whole input in one read: the last record is held
     * back until the next read shows the end of input. */
    s = src_of(in, sizeof(in) - 1);
    o = run(&s, 0, MCP_FRAMER_RECORDS);
    assert_int_equal(o.n, 2);
    assert_int_equal(o.c[0].len, 53);
    assert_int_equal(o.c[0].first_ts, 1765377362114LL);
    assert_int_equal(o.c[0].last_ts, 1765377362114LL);
    assert_int_equal(o.c[1].first_line, 4);
    assert_int_equal(o.c[1].carry_ts, 1765377362114LL);
    assert_int_equal(o.c[1].first_ts, 1765377363500LL);
    assert_int_equal(o.c[1].last_ts, 1765377363500LL);
    out_free(&o);

    /* Records mode with line-sized reads: chunks split before each
     * timestamped line; carry_ts follows. */
    size_t pieces[] = {20, 28, 5, 24, 5};
    s = src_of(in, sizeof(in) - 1);
    s.pieces = pieces;
    s.npieces = 5;
    o = run(&s, 0, MCP_FRAMER_RECORDS);
    check_chunks(&o, in, sizeof(in) - 1, MCP_MAX_LINE_DEFAULT, true);
    assert_int_equal(o.n, 3);
    assert_int_equal(o.c[0].len, 20);
    assert_int_equal(o.c[0].first_ts, MCP_TIME_NONE);
    assert_int_equal(o.c[1].first_line, 2);
    assert_int_equal(o.c[1].lines, 2);
    assert_int_equal(o.c[1].carry_ts, MCP_TIME_NONE);
    assert_int_equal(o.c[1].first_ts, 1765377362114LL);
    assert_int_equal(o.c[1].last_ts, 1765377362114LL);
    assert_int_equal(o.c[2].carry_ts, 1765377362114LL);
    assert_int_equal(o.c[2].first_ts, 1765377363500LL);
    out_free(&o);

    /* A chunk without timestamps carries the previous one. */
    size_t one_each[] = {sizeof(in) - 1, sizeof(in2) - 1};
    char both[sizeof(in) + sizeof(in2)];
    memcpy(both, in, sizeof(in) - 1);
    memcpy(both + sizeof(in) - 1, in2, sizeof(in2) - 1);
    s = src_of(both, sizeof(in) + sizeof(in2) - 2);
    s.pieces = one_each;
    s.npieces = 2;
    o = run(&s, 0, 0);
    assert_int_equal(o.n, 2);
    assert_int_equal(o.c[1].carry_ts, 1765377363500LL);
    assert_int_equal(o.c[1].first_ts, MCP_TIME_NONE);
    assert_int_equal(o.c[1].last_ts, MCP_TIME_NONE);
    assert_int_equal(o.c[1].first_line, 6);
    out_free(&o);
}

/* A record bigger than the buffer is split (and nothing is lost). */
static void test_records_bigger_than_buffer(void **state)
{
    const size_t n = 700 * 1024;
    char *in = malloc(n);
    size_t k;

    (void)state;
    assert_non_null(in);
    k = (size_t)sprintf(in, "2025-12-10 14:36:02,114 - head\n");
    while (k + 20 < n)
        k += (size_t)sprintf(in + k, "  continuation %03zu\n", k % 1000);
    struct src s = src_of(in, k);
    s.rng = 7;
    s.maxpiece = 50000;
    struct out o = run(&s, 64, MCP_FRAMER_RECORDS);
    check_chunks(&o, in, k, 64, true);
    assert_true(o.n >= 3);
    assert_int_equal(o.all_len, k);
    assert_int_equal(o.c[1].carry_ts, 1765377362114LL);
    out_free(&o);
    free(in);
}

static void test_read_error(void **state)
{
    const char in[] = "2025-12-10 14:36:02,114 - a\ncont\npartial";
    struct src s;
    struct out o;

    (void)state;
    for (int flags = 0; flags <= MCP_FRAMER_RECORDS; flags++) {
        s = src_of(in, sizeof(in) - 1);
        s.fail_at = sizeof(in) - 1;
        s.rng = 3;
        s.maxpiece = 5;
        o = run(&s, 0, flags);
        assert_int_equal(o.last, -1);
        assert_string_equal(o.err, "boom at 40");
        check_chunks(&o, in, sizeof(in) - 1, MCP_MAX_LINE_DEFAULT, true);
        assert_int_equal(o.all_len, sizeof(in));
        assert_memory_equal(o.all, "2025-12-10 14:36:02,114 - a\ncont\n"
                            "partial\n", sizeof(in));
        out_free(&o);
    }
    /* Failing at once: -1, then 0. */
    s = src_of(in, sizeof(in) - 1);
    s.fail_at = 0;
    o = run(&s, 0, 0);
    assert_int_equal(o.last, -1);
    assert_int_equal(o.n, 0);
    assert_string_equal(o.err, "boom at 0");
    out_free(&o);

    /* Failing while discarding the rest of a cut line. */
    char big[200];
    memset(big, 'q', sizeof(big));
    big[0] = 'A';
    s = src_of(big, sizeof(big));
    s.fail_at = 150;
    o = run(&s, 32, MCP_FRAMER_RECORDS);
    assert_int_equal(o.last, -1);
    assert_int_equal(o.n, 1);
    assert_int_equal(o.c[0].long_lines, 1);
    assert_int_equal(o.c[0].len, 33);
    out_free(&o);
}

static ssize_t overrun_read(void *arg, char *buf, size_t cap, char *err)
{
    (void)arg;
    (void)buf;
    (void)err;
    return (ssize_t)cap + 1;
}

static void test_bad_callback(void **state)
{
    struct mcp_framer *f = mcp_framer_create(0, 0, overrun_read, NULL);
    char err[MCP_ERRLEN] = "";
    struct mcp_chunk c;

    (void)state;
    assert_int_equal(mcp_framer_next(f, &c, err), -1);
    assert_string_equal(err, "read callback overran its buffer");
    assert_int_equal(mcp_framer_next(f, &c, err), 0);
    mcp_framer_destroy(f);
    mcp_framer_destroy(NULL);
}

/* Random text (with timestamps, long lines, CR, NUL) through random read
 * sizes, both modes: the invariants of check_chunks() hold. */
static void test_random(void **state)
{
    static const char *parts[] = {
        "2025-12-10 14:36:02,114 - x - INFO - m\n", "cont\n", "\r\n", "\n",
        "\0", "2025-12-10T14:36:03Z y\n", "abcdefghijklmnopqrstuvwxyz",
        "2025-12-10 14:36", "\xff\xfe",
    };
    char in[4096];

    (void)state;
    for (uint32_t seed = 1; seed <= 300; seed++) {
        uint32_t r = seed * 2654435761u;
        size_t n = 0;

        while (n < sizeof(in) - 64) {
            r ^= r << 13;
            r ^= r >> 17;
            r ^= r << 5;
            const char *p = parts[r % 9];
            size_t k = r % 9 == 4 || r % 9 == 8 ? (r % 9 == 4 ? 1 : 2)
                                                : strlen(p);
            if ((r >> 8) % 50 == 0)
                break;
            memcpy(in + n, p, k);
            n += k;
        }
        struct src s = src_of(in, n);
        s.rng = seed;
        s.maxpiece = 1 + seed % 40;
        int flags = seed & 1 ? MCP_FRAMER_RECORDS : 0;
        size_t ml = seed % 3 == 0 ? 24 : 64;
        struct out o = run(&s, ml, flags);
        check_chunks(&o, in, n, ml, true);
        out_free(&o);
    }
}

static int setup(void **state)
{
    (void)state;
    return mcp_time_set_tz("UTC", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_only_newline),
        cmocka_unit_test(test_lines_and_final_newline),
        cmocka_unit_test(test_crlf_split),
        cmocka_unit_test(test_nul_and_bad_utf8),
        cmocka_unit_test(test_long_line_small_cap),
        cmocka_unit_test(test_ten_mb_line),
        cmocka_unit_test(test_records_traceback),
        cmocka_unit_test(test_timestamps),
        cmocka_unit_test(test_records_bigger_than_buffer),
        cmocka_unit_test(test_read_error),
        cmocka_unit_test(test_bad_callback),
        cmocka_unit_test(test_random),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
