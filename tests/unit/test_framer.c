/* test_framer.c - unit tests for analyzer/framer.c.
 *
 * Input comes from an in-memory source whose read callback hands out 1..N
 * bytes at a time (fixed piece lists or a seeded generator), so that line
 * ends, CRLF pairs and records straddle read boundaries. Every run goes
 * through check_chunks(), which holds the framer to framer.h: chunks end in
 * '\n', line counts and numbers add up, offsets map each byte back to the
 * input, a cut line is last in its chunk, carry_ts follows last_ts.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "input/framer.h"
#include "base/timeparse.h"
#include "base/util.h"

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

/* Keep a copy of chunk c in o. */
static void out_add(struct out *o, const struct mcp_chunk *c)
{
    o->c = realloc(o->c, (o->n + 1) * sizeof(*o->c));
    assert_non_null(o->c);
    o->c[o->n] = *c;
    char *copy = malloc(c->len);
    assert_non_null(copy);
    memcpy(copy, c->data, c->len);
    o->c[o->n++].data = copy;
    o->all = realloc(o->all, o->all_len + c->len);
    assert_non_null(o->all);
    memcpy(o->all + o->all_len, c->data, c->len);
    o->all_len += c->len;
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
        out_add(&o, &c);
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
    /* At the end: past every byte read, not the '\n' supplied. */
    assert_int_equal(mcp_framer_consumed(f), s->pos);
    assert_int_equal(mcp_framer_next_line(f), 1 + o.st.lines);
    assert_false(mcp_framer_pending(f));
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

/* ---- follow mode --------------------------------------------------------
 *
 * A live source models a file being written: data[0, avail) has been
 * written so far, and a read returns 0 ("no more bytes for now") once it
 * has caught up. Tests move avail forward between mcp_framer_next() calls.
 */
struct live {
    const char *data;
    size_t avail, pos;
    size_t maxread;       /* bytes per read at most (0: cap) */
    size_t fail_at;       /* return -1 once pos reaches this (SIZE_MAX: no) */
    int failed;
    size_t calls, zeros;  /* callback calls, and those that returned 0 */
    uintptr_t lo, hi;     /* address span of the buffers handed to reads */
};

static ssize_t live_read(void *arg, char *buf, size_t cap, char *err)
{
    struct live *s = arg;
    size_t n = cap;

    s->calls++;
    if (s->lo == 0 || (uintptr_t)buf < s->lo)
        s->lo = (uintptr_t)buf;
    if ((uintptr_t)(buf + cap) > s->hi)
        s->hi = (uintptr_t)(buf + cap);
    if (!s->failed && s->pos == s->fail_at) {
        s->failed = 1;
        mcp_errf(err, "boom at %zu", s->pos);
        return -1;
    }
    if (s->pos == s->avail) {
        s->zeros++;
        return 0;
    }
    if (s->maxread && n > s->maxread)
        n = s->maxread;
    if (n > s->avail - s->pos)
        n = s->avail - s->pos;
    if (s->fail_at != SIZE_MAX && !s->failed && n > s->fail_at - s->pos)
        n = s->fail_at - s->pos;
    memcpy(buf, s->data + s->pos, n);
    s->pos += n;
    return (ssize_t)n;
}

static struct live live_of(const char *data, size_t avail)
{
    struct live s;

    memset(&s, 0, sizeof(s));
    s.data = data;
    s.avail = avail;
    s.fail_at = SIZE_MAX;
    return s;
}

/* Take chunks into o until mcp_framer_next() returns 0 or -1; returns how
 * many chunks were taken, and the final result in o->last. */
static size_t drain(struct mcp_framer *f, struct out *o)
{
    struct mcp_chunk c;
    size_t n = 0;
    int r;

    while ((r = mcp_framer_next(f, &c, o->err)) == 1) {
        out_add(o, &c);
        n++;
    }
    o->last = r;
    return n;
}

/* One chunk c holding exactly the text want. */
static void assert_chunk(const struct mcp_chunk *c, const char *want,
                         uint64_t offset, uint64_t first_line)
{
    assert_int_equal(c->len, strlen(want));
    assert_memory_equal(c->data, want, c->len);
    assert_int_equal(c->offset, offset);
    assert_int_equal(c->first_line, first_line);
    assert_int_equal(c->lines, nl_count(want, strlen(want)));
}

/* Scenarios 51/52: "abc", nothing for a while, then "def\n" is one line;
 * a line written in three pieces is one line. */
static void test_follow_piecewise(void **state)
{
    const char in[] = "abcdef\n";
    struct live s = live_of(in, 3);
    struct mcp_framer *f;
    struct out o;

    (void)state;
    memset(&o, 0, sizeof(o));
    f = mcp_framer_create(0, MCP_FRAMER_FOLLOW, live_read, &s);
    assert_false(mcp_framer_pending(f));
    assert_int_equal(drain(f, &o), 0);
    assert_int_equal(o.last, 0);
    assert_true(mcp_framer_pending(f));
    assert_int_equal(mcp_framer_consumed(f), 0);
    assert_int_equal(mcp_framer_next_line(f), 1);
    assert_int_equal(s.zeros, 1);
    /* Each later call reads again; still nothing. */
    assert_int_equal(drain(f, &o), 0);
    assert_int_equal(drain(f, &o), 0);
    assert_int_equal(s.zeros, 3);
    assert_true(mcp_framer_pending(f));
    s.avail = 7;
    assert_int_equal(drain(f, &o), 1);
    assert_int_equal(o.last, 0);
    assert_chunk(&o.c[0], "abcdef\n", 0, 1);
    assert_int_equal(o.c[0].long_lines, 0);
    assert_false(mcp_framer_pending(f));
    assert_int_equal(mcp_framer_consumed(f), 7);
    assert_int_equal(mcp_framer_next_line(f), 2);
    /* finish() with nothing held: no more chunks. */
    mcp_framer_finish(f);
    assert_int_equal(drain(f, &o), 0);
    assert_int_equal(o.n, 1);
    mcp_framer_stats(f, &o.st);
    assert_int_equal(o.st.lines, 1);
    assert_int_equal(o.st.bytes, 7);
    assert_string_equal(o.err, "");
    mcp_framer_destroy(f);
    out_free(&o);

    /* Three write()s: "ab", "cd", "ef\n"; also with one-byte reads. */
    for (size_t maxread = 0; maxread <= 1; maxread++) {
        static const size_t steps[] = {2, 4, 7};

        s = live_of(in, 0);
        s.maxread = maxread;
        memset(&o, 0, sizeof(o));
        f = mcp_framer_create(0, MCP_FRAMER_FOLLOW, live_read, &s);
        for (size_t i = 0; i < 3; i++) {
            s.avail = steps[i];
            assert_int_equal(drain(f, &o), i == 2 ? 1 : 0);
            assert_int_equal(o.last, 0);
            assert_int_equal(mcp_framer_pending(f), i < 2);
        }
        assert_int_equal(o.n, 1);
        assert_chunk(&o.c[0], "abcdef\n", 0, 1);
        mcp_framer_destroy(f);
        out_free(&o);
    }
}

/* CRLF with the read boundary at every place, a "no more bytes" between
 * the two parts; and '\r' as byte 8191, '\n' as byte 8192 (scenario 50). */
static void test_follow_crlf_split(void **state)
{
    const char in[] = "first\r\nsecond\r\n\r\nthird\r\n";
    const size_t len = sizeof(in) - 1;
    static const char *want[] = {"first", "second", "", "third"};

    (void)state;
    for (size_t cut = 1; cut < len; cut++) {
        struct live s = live_of(in, cut);
        struct mcp_framer *f =
            mcp_framer_create(0, MCP_FRAMER_FOLLOW, live_read, &s);
        struct out o;

        memset(&o, 0, sizeof(o));
        drain(f, &o);
        assert_int_equal(o.last, 0);
        /* Only complete lines so far: the pending part is held. */
        assert_int_equal(o.all_len, (size_t)(memrchr(in, '\n', cut) ?
                         (const char *)memrchr(in, '\n', cut) - in + 1 : 0));
        assert_int_equal(mcp_framer_pending(f), in[cut - 1] != '\n');
        s.avail = len;
        drain(f, &o);
        assert_false(mcp_framer_pending(f));
        mcp_framer_finish(f);
        drain(f, &o);
        mcp_framer_stats(f, &o.st);
        check_chunks(&o, in, len, MCP_MAX_LINE_DEFAULT, true);
        assert_int_equal(o.all_len, len);
        assert_memory_equal(o.all, in, len);
        size_t k = 0;
        for (size_t i = 0; i < o.n; i++) {
            const char *p = o.c[i].data, *end = p + o.c[i].len;
            while (p < end) {
                size_t n = mcp_line_trim(p, end);
                assert_true(k < 4);
                assert_int_equal(n, strlen(want[k]));
                assert_memory_equal(p, want[k], n);
                k++;
                p = (const char *)memchr(p, '\n', (size_t)(end - p)) + 1;
            }
        }
        assert_int_equal(k, 4);
        mcp_framer_destroy(f);
        out_free(&o);
    }

    /* '\r' at byte 8191 of the stream, '\n' at 8192, reads of 8192. */
    char big[8191 + 2 + 5];
    memset(big, 'a', 8191);
    memcpy(big + 8191, "\r\nnext\n", 7);
    struct live s = live_of(big, 8192);
    s.maxread = 8192;
    struct mcp_framer *f =
        mcp_framer_create(0, MCP_FRAMER_FOLLOW, live_read, &s);
    struct out o;
    memset(&o, 0, sizeof(o));
    assert_int_equal(drain(f, &o), 0);
    assert_true(mcp_framer_pending(f));
    s.avail = sizeof(big);
    assert_int_equal(drain(f, &o), 1);
    assert_int_equal(o.c[0].lines, 2);
    assert_int_equal(o.c[0].len, sizeof(big));
    assert_int_equal(mcp_line_trim(o.c[0].data, o.c[0].data + o.c[0].len),
                     8191);
    const char *second = o.c[0].data + 8193;
    assert_int_equal(mcp_line_trim(second, o.c[0].data + o.c[0].len), 4);
    assert_memory_equal(second, "next", 4);
    mcp_framer_destroy(f);
    out_free(&o);
}

/* finish(): the partial line goes out once, completed, counted; the
 * callback is not called again; a second finish() changes nothing. */
static void test_follow_finish(void **state)
{
    const char in[] = "2025-12-10 14:36:02,114 - a\ndef";
    struct live s = live_of(in, sizeof(in) - 1);
    struct mcp_framer *f;
    struct out o;

    (void)state;
    memset(&o, 0, sizeof(o));
    f = mcp_framer_create(0, MCP_FRAMER_FOLLOW | MCP_FRAMER_RECORDS,
                          live_read, &s);
    assert_int_equal(drain(f, &o), 1);
    assert_chunk(&o.c[0], "2025-12-10 14:36:02,114 - a\n", 0, 1);
    assert_true(mcp_framer_pending(f));
    assert_int_equal(mcp_framer_consumed(f), 28);
    size_t calls = s.calls;
    mcp_framer_finish(f);
    assert_false(mcp_framer_pending(f));
    mcp_framer_finish(f);
    assert_int_equal(drain(f, &o), 1);
    assert_int_equal(o.last, 0);
    assert_chunk(&o.c[1], "def\n", 28, 2);
    assert_int_equal(o.c[1].carry_ts, 1765377362114LL);
    assert_int_equal(o.c[1].first_ts, MCP_TIME_NONE);
    assert_int_equal(mcp_framer_consumed(f), 31);
    assert_int_equal(mcp_framer_next_line(f), 3);
    mcp_framer_finish(f);
    assert_int_equal(drain(f, &o), 0);
    assert_int_equal(drain(f, &o), 0);
    assert_int_equal(s.calls, calls);
    assert_int_equal(o.n, 2);
    mcp_framer_stats(f, &o.st);
    assert_int_equal(o.st.lines, 2);
    assert_int_equal(o.st.bytes, 31);
    check_chunks(&o, in, sizeof(in) - 1, MCP_MAX_LINE_DEFAULT, true);
    mcp_framer_destroy(f);
    out_free(&o);

    /* finish() before anything was read: nothing, and no read. */
    s = live_of(in, sizeof(in) - 1);
    memset(&o, 0, sizeof(o));
    f = mcp_framer_create(0, MCP_FRAMER_FOLLOW, live_read, &s);
    mcp_framer_finish(f);
    assert_int_equal(drain(f, &o), 0);
    assert_int_equal(s.calls, 0);
    assert_int_equal(o.n, 0);
    mcp_framer_destroy(f);
    out_free(&o);

    /* Without FOLLOW, finish() ends the input where it is. */
    s = live_of(in, sizeof(in) - 1);
    s.maxread = 30; /* the first line and "de" */
    memset(&o, 0, sizeof(o));
    f = mcp_framer_create(0, 0, live_read, &s);
    struct mcp_chunk c;
    assert_int_equal(mcp_framer_next(f, &c, o.err), 1);
    out_add(&o, &c);
    mcp_framer_finish(f);
    assert_int_equal(drain(f, &o), 1);
    assert_chunk(&o.c[1], "de\n", 28, 2);
    assert_int_equal(s.calls, 1);
    mcp_framer_destroy(f);
    out_free(&o);
}

/* set_origin(): offsets, line numbers and the time in force start where
 * the caller says, in either mode. */
static void test_follow_origin(void **state)
{
    const char in[] = "cont\n2025-12-10 14:36:02,114 - a\nmore\n";
    const int64_t t0 = 1765300000000LL;

    (void)state;
    for (int flags = 0; flags <= MCP_FRAMER_FOLLOW; flags += 2) {
        struct live s = live_of(in, sizeof(in) - 1);
        struct mcp_framer *f = mcp_framer_create(0, flags, live_read, &s);
        struct out o;

        memset(&o, 0, sizeof(o));
        mcp_framer_set_origin(f, 1000, 50, t0);
        mcp_framer_set_origin(f, 5000, 70, t0); /* the last one counts */
        assert_int_equal(mcp_framer_consumed(f), 5000);
        assert_int_equal(mcp_framer_next_line(f), 70);
        assert_int_equal(drain(f, &o), 1);
        assert_chunk(&o.c[0], in, 5000, 70);
        assert_int_equal(o.c[0].carry_ts, t0);
        assert_int_equal(o.c[0].first_ts, 1765377362114LL);
        assert_int_equal(o.c[0].last_ts, 1765377362114LL);
        assert_int_equal(mcp_framer_consumed(f), 5000 + sizeof(in) - 1);
        assert_int_equal(mcp_framer_next_line(f), 73);
        mcp_framer_destroy(f);
        out_free(&o);
    }

    /* A cut line after an origin: its chunk and the next are exact. */
    char big[100];
    memset(big, 'x', sizeof(big));
    memcpy(big + 90, "\nok\n", 4);
    struct live s = live_of(big, 94);
    struct mcp_framer *f =
        mcp_framer_create(16, MCP_FRAMER_FOLLOW, live_read, &s);
    struct out o;
    memset(&o, 0, sizeof(o));
    mcp_framer_set_origin(f, 1ULL << 33, 1000000, MCP_TIME_NONE);
    assert_int_equal(drain(f, &o), 2);
    assert_int_equal(o.c[0].offset, 1ULL << 33);
    assert_int_equal(o.c[0].len, 17);
    assert_int_equal(o.c[0].long_lines, 1);
    assert_int_equal(o.c[1].offset, (1ULL << 33) + 91);
    assert_int_equal(o.c[1].first_line, 1000001);
    assert_int_equal(mcp_framer_consumed(f), (1ULL << 33) + 94);
    mcp_framer_destroy(f);
    out_free(&o);
}

/* set_origin() once reading has started is a programming error. */
static void test_follow_origin_late_asserts(void **state)
{
    int status;
    pid_t pid;

    (void)state;
    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        struct live s = live_of("a\n", 2);
        struct mcp_framer *f =
            mcp_framer_create(0, MCP_FRAMER_FOLLOW, live_read, &s);
        struct mcp_chunk c;
        char err[MCP_ERRLEN] = "";

        if (fd >= 0)
            dup2(fd, 2); /* hide the assert message */
        (void)mcp_framer_next(f, &c, err);
        mcp_framer_set_origin(f, 10, 2, MCP_TIME_NONE);
        _exit(0); /* not reached */
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
}

/* consumed() and next_line() after each chunk, through a long line that
 * arrives whole and one that arrives in pieces (held until its '\n'). */
static void test_follow_consumed(void **state)
{
    char in[256];
    size_t n = 0;

    (void)state;
    n += (size_t)sprintf(in + n, "short\n");                 /* 0..6 */
    memset(in + n, 'x', 40);                                  /* 6..46 */
    n += 40;
    in[n++] = '\n';                                           /* ..47 */
    n += (size_t)sprintf(in + n, "pre\n");                    /* ..51 */
    memset(in + n, 'y', 52);                                  /* 51..103 */
    n += 52;
    n += (size_t)sprintf(in + n, "\nafter\n");                /* ..111 */

    struct live s = live_of(in, 6);
    struct mcp_framer *f =
        mcp_framer_create(16, MCP_FRAMER_FOLLOW, live_read, &s);
    struct out o;
    memset(&o, 0, sizeof(o));

    assert_int_equal(drain(f, &o), 1);
    assert_chunk(&o.c[0], "short\n", 0, 1);
    assert_int_equal(mcp_framer_consumed(f), 6);
    assert_int_equal(mcp_framer_next_line(f), 2);

    s.avail = 47; /* the x line whole: cut at once */
    assert_int_equal(drain(f, &o), 1);
    assert_int_equal(o.c[1].len, 17);
    assert_int_equal(o.c[1].long_lines, 1);
    assert_memory_equal(o.c[1].data, "xxxxxxxxxxxxxxxx\n", 17);
    assert_int_equal(o.c[1].offset, 6);
    assert_int_equal(mcp_framer_consumed(f), 47);
    assert_int_equal(mcp_framer_next_line(f), 3);
    assert_false(mcp_framer_pending(f));

    s.avail = 51 + 20; /* "pre\n" and 20 y: "pre" goes, the y line waits */
    assert_int_equal(drain(f, &o), 1);
    assert_chunk(&o.c[2], "pre\n", 47, 3);
    assert_int_equal(mcp_framer_consumed(f), 51);
    assert_int_equal(mcp_framer_next_line(f), 4);
    assert_true(mcp_framer_pending(f));

    s.avail = 51 + 35; /* more y, still no '\n' */
    assert_int_equal(drain(f, &o), 0);
    assert_int_equal(o.last, 0);
    assert_int_equal(mcp_framer_consumed(f), 51);
    assert_int_equal(mcp_framer_next_line(f), 4);
    assert_true(mcp_framer_pending(f));

    s.avail = n; /* the rest of the y line, its '\n' and "after\n" */
    assert_int_equal(drain(f, &o), 2);
    assert_int_equal(o.c[3].offset, 51);
    assert_int_equal(o.c[3].first_line, 4);
    assert_int_equal(o.c[3].len, 17);
    assert_int_equal(o.c[3].lines, 1);
    assert_int_equal(o.c[3].long_lines, 1);
    assert_memory_equal(o.c[3].data, "yyyyyyyyyyyyyyyy\n", 17);
    assert_chunk(&o.c[4], "after\n", 104, 5);
    assert_int_equal(mcp_framer_consumed(f), 110);
    assert_int_equal(mcp_framer_next_line(f), 6);
    assert_false(mcp_framer_pending(f));
    mcp_framer_finish(f);
    assert_int_equal(drain(f, &o), 0);
    mcp_framer_stats(f, &o.st);
    assert_int_equal(o.st.long_lines, 2);
    assert_int_equal(o.st.lines, 5);
    check_chunks(&o, in, n, 16, true);
    mcp_framer_destroy(f);
    out_free(&o);

    /* A cut line still waiting for its '\n' at finish(): it goes out, and
     * consumed() covers every byte read. */
    s = live_of(in + 51, 52); /* 52 y, no '\n' */
    s.maxread = 10;
    memset(&o, 0, sizeof(o));
    f = mcp_framer_create(16, MCP_FRAMER_FOLLOW, live_read, &s);
    assert_int_equal(drain(f, &o), 0);
    assert_true(mcp_framer_pending(f));
    assert_int_equal(mcp_framer_consumed(f), 0);
    mcp_framer_finish(f);
    assert_false(mcp_framer_pending(f));
    assert_int_equal(drain(f, &o), 1);
    assert_int_equal(o.c[0].len, 17);
    assert_int_equal(o.c[0].long_lines, 1);
    assert_int_equal(mcp_framer_consumed(f), 52);
    assert_int_equal(mcp_framer_next_line(f), 2);
    mcp_framer_destroy(f);
    out_free(&o);
}

/* reset(): everything held is dropped, numbering restarts, and the end,
 * finish() and a read error are forgotten. */
static void test_follow_reset(void **state)
{
    const char old[] = "2025-12-10 14:36:02,114 - a\nhalf";
    const char fresh[] = "new\nlines\n";
    struct live s = live_of(old, sizeof(old) - 1);
    struct mcp_framer *f;
    struct out o;

    (void)state;
    memset(&o, 0, sizeof(o));
    f = mcp_framer_create(0, MCP_FRAMER_FOLLOW, live_read, &s);
    assert_int_equal(drain(f, &o), 1);
    assert_true(mcp_framer_pending(f));
    /* Truncated: the caller rewinds the source and resets. */
    s = live_of(fresh, sizeof(fresh) - 1);
    mcp_framer_reset(f, 0, 1);
    assert_false(mcp_framer_pending(f));
    assert_int_equal(mcp_framer_consumed(f), 0);
    assert_int_equal(mcp_framer_next_line(f), 1);
    assert_int_equal(drain(f, &o), 1);
    assert_chunk(&o.c[1], fresh, 0, 1);
    assert_int_equal(o.c[1].carry_ts, MCP_TIME_NONE); /* "half" is gone */
    assert_int_equal(mcp_framer_consumed(f), 10);

    /* After finish() and the end, reset() reads again; set_origin() may
     * follow it. */
    mcp_framer_finish(f);
    assert_int_equal(drain(f, &o), 0);
    s = live_of(fresh, sizeof(fresh) - 1);
    s.pos = 4;
    mcp_framer_reset(f, 4, 2);
    mcp_framer_set_origin(f, 4, 2, 1765377362114LL);
    assert_int_equal(drain(f, &o), 1);
    assert_chunk(&o.c[2], "lines\n", 4, 2);
    assert_int_equal(o.c[2].carry_ts, 1765377362114LL);

    /* After a read error. */
    s = live_of(old, sizeof(old) - 1);
    s.fail_at = 30;
    mcp_framer_reset(f, 0, 1);
    assert_int_equal(drain(f, &o), 2);
    assert_int_equal(o.last, -1);
    assert_string_equal(o.err, "boom at 30");
    assert_chunk(&o.c[4], "ha\n", 28, 2);
    assert_int_equal(drain(f, &o), 0);
    s = live_of(fresh, sizeof(fresh) - 1);
    mcp_framer_reset(f, 0, 1);
    o.err[0] = '\0';
    assert_int_equal(drain(f, &o), 1);
    assert_int_equal(o.last, 0);
    assert_string_equal(o.err, "");
    assert_chunk(&o.c[5], fresh, 0, 1);
    mcp_framer_stats(f, &o.st);
    assert_int_equal(o.st.lines, 1 + 2 + 1 + 2 + 2);
    assert_int_equal(o.st.bytes, 32 + 10 + 6 + 30 + 10);
    mcp_framer_destroy(f);
    out_free(&o);
}

/* Scenario 49 while following: a 10 MB line written in 100 pieces with
 * "no more bytes" between them. The reads only ever see one buffer of
 * max_line + 256 KiB + 1 bytes, nothing of the line goes out before its
 * '\n', and the lines around it are delivered. Then the same as the last
 * line, ended by finish(). */
static void test_follow_ten_mb_line(void **state)
{
    const size_t big = 10 * 1024 * 1024, ml = MCP_MAX_LINE_DEFAULT;
    const size_t bufsize = ml + 256 * 1024 + 1;
    char *in = malloc(big + 64);
    size_t n = 0;

    (void)state;
    assert_non_null(in);
    n += (size_t)sprintf(in, "before\n");
    memset(in + n, 'x', big);
    n += big;
    n += (size_t)sprintf(in + n, "\nafter\n");
    for (int last = 0; last <= 1; last++) {
        struct live s = live_of(in, 7);
        struct mcp_framer *f = mcp_framer_create(
            0, MCP_FRAMER_FOLLOW | MCP_FRAMER_RECORDS, live_read, &s);
        struct out o;
        size_t piece = big / 100;

        memset(&o, 0, sizeof(o));
        assert_int_equal(drain(f, &o), 1);
        assert_chunk(&o.c[0], "before\n", 0, 1);
        for (int i = 0; i < 100; i++) {
            s.avail = i == 99 ? 7 + big : s.avail + piece;
            assert_int_equal(drain(f, &o), 0);
            assert_int_equal(o.last, 0);
            assert_true(mcp_framer_pending(f));
            assert_int_equal(mcp_framer_consumed(f), 7);
            assert_true(s.hi - s.lo <= bufsize);
        }
        assert_int_equal(s.pos, 7 + big);
        if (!last) {
            s.avail = n;
            assert_int_equal(drain(f, &o), 2);
        } else {
            mcp_framer_finish(f);
            assert_int_equal(drain(f, &o), 1);
        }
        assert_int_equal(o.last, 0);
        assert_int_equal(o.c[1].offset, 7);
        assert_int_equal(o.c[1].first_line, 2);
        assert_int_equal(o.c[1].len, ml + 1);
        assert_int_equal(o.c[1].long_lines, 1);
        assert_int_equal(o.c[1].lines, 1);
        assert_memory_equal(o.c[1].data, in + 7, ml);
        assert_int_equal(o.c[1].data[ml], '\n');
        if (!last) {
            assert_chunk(&o.c[2], "after\n", 7 + big + 1, 3);
            assert_int_equal(mcp_framer_consumed(f), n);
        } else {
            assert_int_equal(mcp_framer_consumed(f), 7 + big);
        }
        for (size_t i = 0; i < o.n; i++)
            assert_true(o.c[i].len <= ml + 1);
        assert_true(s.hi - s.lo <= bufsize);
        mcp_framer_stats(f, &o.st);
        assert_int_equal(o.st.long_lines, 1);
        assert_int_equal(o.st.lines, last ? 2 : 3);
        check_chunks(&o, in, last ? 7 + big : n, ml, true);
        mcp_framer_destroy(f);
        out_free(&o);
    }
    free(in);
}

/* RECORDS + FOLLOW: no hold-back. Each complete line goes out as soon as
 * it is read, traceback or not. */
static void test_follow_records_no_holdback(void **state)
{
    const size_t len = sizeof(tb_log) - 1;
    struct live s = live_of(tb_log, len);
    struct mcp_framer *f;
    struct out o;

    (void)state;
    /* Everything in one read: one chunk, before any read returns 0. */
    memset(&o, 0, sizeof(o));
    f = mcp_framer_create(0, MCP_FRAMER_RECORDS | MCP_FRAMER_FOLLOW,
                          live_read, &s);
    struct mcp_chunk c;
    assert_int_equal(mcp_framer_next(f, &c, o.err), 1);
    assert_int_equal(c.len, len);
    assert_int_equal(c.lines, 9);
    assert_int_equal(s.zeros, 0);
    mcp_framer_destroy(f);

    /* Line by line: every line is its own chunk right away, including the
     * timestamped ERROR line before its traceback has been written. */
    s = live_of(tb_log, 0);
    f = mcp_framer_create(0, MCP_FRAMER_RECORDS | MCP_FRAMER_FOLLOW,
                          live_read, &s);
    for (int i = 0; i < 9; i++) {
        const char *e = memchr(tb_log + s.avail, '\n', len - s.avail);
        size_t from = s.avail;

        s.avail = (size_t)(e - tb_log) + 1;
        assert_int_equal(drain(f, &o), 1);
        assert_int_equal(o.c[i].offset, from);
        assert_int_equal(o.c[i].len, s.avail - from);
        assert_int_equal(o.c[i].first_line, (uint64_t)i + 1);
        assert_int_equal(mcp_framer_consumed(f), s.avail);
    }
    mcp_framer_finish(f);
    assert_int_equal(drain(f, &o), 0);
    mcp_framer_stats(f, &o.st);
    check_chunks(&o, tb_log, len, MCP_MAX_LINE_DEFAULT, true);
    mcp_framer_destroy(f);
    out_free(&o);
}

/* A read error in follow mode: held data first (the partial line
 * completed), then -1 once, then 0, as without FOLLOW. Also while a cut
 * line waits for its '\n'. */
static void test_follow_read_error(void **state)
{
    const char in[] = "a\npartial";
    struct live s = live_of(in, 5);
    struct mcp_framer *f;
    struct out o;

    (void)state;
    memset(&o, 0, sizeof(o));
    f = mcp_framer_create(0, MCP_FRAMER_FOLLOW, live_read, &s);
    assert_int_equal(drain(f, &o), 1);
    assert_int_equal(o.last, 0);
    s.avail = 9;
    s.fail_at = 9;
    assert_int_equal(drain(f, &o), 1);
    assert_int_equal(o.last, -1);
    assert_string_equal(o.err, "boom at 9");
    assert_chunk(&o.c[1], "partial\n", 2, 2);
    assert_false(mcp_framer_pending(f));
    assert_int_equal(drain(f, &o), 0);
    assert_int_equal(drain(f, &o), 0);
    mcp_framer_finish(f); /* no effect after the end */
    assert_int_equal(drain(f, &o), 0);
    assert_int_equal(o.n, 2);
    mcp_framer_destroy(f);
    out_free(&o);

    char big[60];
    memset(big, 'q', sizeof(big));
    s = live_of(big, 40);
    s.fail_at = 50;
    memset(&o, 0, sizeof(o));
    f = mcp_framer_create(8, MCP_FRAMER_FOLLOW, live_read, &s);
    assert_int_equal(drain(f, &o), 0);
    assert_int_equal(o.last, 0);
    s.avail = 60;
    assert_int_equal(drain(f, &o), 1);
    assert_int_equal(o.last, -1);
    assert_int_equal(o.c[0].len, 9);
    assert_int_equal(o.c[0].long_lines, 1);
    assert_int_equal(mcp_framer_consumed(f), 50);
    mcp_framer_destroy(f);
    out_free(&o);
}

/* Random text through random reads with "no more bytes" sprinkled in,
 * finish() at the end: the same lines as a run without FOLLOW, and at
 * every 0 the framer has handed out exactly the complete lines read. */
static void test_follow_random(void **state)
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
        int flags = seed & 1 ? MCP_FRAMER_RECORDS : 0;
        size_t ml = seed % 3 == 0 ? 24 : 64;
        struct src ref_src = src_of(in, n);
        struct out ref = run(&ref_src, ml, flags);

        struct live s = live_of(in, 0);
        struct mcp_framer *f =
            mcp_framer_create(ml, flags | MCP_FRAMER_FOLLOW, live_read, &s);
        struct out o;
        memset(&o, 0, sizeof(o));
        s.maxread = 1 + seed % 40;
        while (s.avail < n) {
            r ^= r << 13;
            r ^= r >> 17;
            r ^= r << 5;
            s.avail += 1 + r % 60;
            if (s.avail > n)
                s.avail = n;
            drain(f, &o);
            assert_int_equal(o.last, 0);
            /* Caught up: every complete line read has gone out. */
            assert_int_equal(s.pos, s.avail);
            const char *nl = memrchr(in, '\n', s.pos);
            uint64_t done = nl ? (uint64_t)(nl - in) + 1 : 0;
            assert_int_equal(mcp_framer_consumed(f), done);
            assert_int_equal(mcp_framer_next_line(f), 1 + nl_count(in, done));
            assert_int_equal(mcp_framer_pending(f), done < s.pos);
        }
        mcp_framer_finish(f);
        drain(f, &o);
        assert_int_equal(o.last, 0);
        assert_int_equal(mcp_framer_consumed(f), n);
        mcp_framer_stats(f, &o.st);
        check_chunks(&o, in, n, ml, true);
        assert_int_equal(o.all_len, ref.all_len);
        assert_memory_equal(o.all, ref.all, ref.all_len);
        assert_int_equal(o.st.lines, ref.st.lines);
        assert_int_equal(o.st.long_lines, ref.st.long_lines);
        mcp_framer_destroy(f);
        out_free(&o);
        out_free(&ref);
    }
}

static int setup(void **state)
{
    (void)state;
    return mcp_time_set_tz("UTC", NULL);
}

/* mcp_line_count against a byte-by-byte count: every length from 0 to 300
 * at every alignment, newlines at random places, and bytes that differ
 * from '\n' in one bit. */
static void test_line_count(void **state)
{
    static const char bytes[] = {'\n', '\n', 'a', 0x0b, 0x08, 0x4a, 0x00,
                                 (char)0x8a, ' '};
    char buf[320];
    uint32_t x = 88172645u;

    (void)state;
    for (size_t len = 0; len <= 300; len++)
        for (size_t align = 0; align < 8; align++) {
            uint64_t want = 0;

            for (size_t i = 0; i < len; i++) {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                buf[align + i] = bytes[x % sizeof(bytes)];
                want += buf[align + i] == '\n';
            }
            assert_int_equal(mcp_line_count(buf + align, len), want);
        }
    memset(buf, '\n', sizeof(buf));
    assert_int_equal(mcp_line_count(buf, sizeof(buf)), sizeof(buf));
}

/* mcp_chunk_line walks a chunk's lines: text without "\n" or "\r\n",
 * numbers from first_line, decoded offsets from the chunk's offset. */
static void test_chunk_lines(void **state)
{
    static const char data[] = "a\r\nbb\n\nccc\n";
    struct mcp_chunk c = {.data = data, .len = sizeof(data) - 1,
                          .offset = 100, .first_line = 5, .lines = 4};
    struct mcp_line l = {0};
    struct mcp_chunk none = {.data = data, .len = 0, .first_line = 1};

    (void)state;
    assert_true(mcp_chunk_line(&c, &l));
    assert_int_equal(l.len, 1);
    assert_memory_equal(l.text, "a", 1);
    assert_int_equal(l.lineno, 5);
    assert_int_equal(l.offset, 100);
    assert_true(mcp_chunk_line(&c, &l));
    assert_int_equal(l.len, 2);
    assert_memory_equal(l.text, "bb", 2);
    assert_int_equal(l.lineno, 6);
    assert_int_equal(l.offset, 103);
    assert_true(mcp_chunk_line(&c, &l));
    assert_int_equal(l.len, 0);
    assert_int_equal(l.lineno, 7);
    assert_int_equal(l.offset, 106);
    assert_true(mcp_chunk_line(&c, &l));
    assert_int_equal(l.len, 3);
    assert_memory_equal(l.text, "ccc", 3);
    assert_int_equal(l.lineno, 8);
    assert_int_equal(l.offset, 107);
    assert_false(mcp_chunk_line(&c, &l));
    memset(&l, 0, sizeof(l));
    assert_false(mcp_chunk_line(&none, &l));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_line_count),
        cmocka_unit_test(test_chunk_lines),
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
        cmocka_unit_test(test_follow_piecewise),
        cmocka_unit_test(test_follow_crlf_split),
        cmocka_unit_test(test_follow_finish),
        cmocka_unit_test(test_follow_origin),
        cmocka_unit_test(test_follow_origin_late_asserts),
        cmocka_unit_test(test_follow_consumed),
        cmocka_unit_test(test_follow_reset),
        cmocka_unit_test(test_follow_ten_mb_line),
        cmocka_unit_test(test_follow_records_no_holdback),
        cmocka_unit_test(test_follow_read_error),
        cmocka_unit_test(test_follow_random),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
