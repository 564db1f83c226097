/* fuzz_framer.c - libFuzzer target for analyzer/framer.c.
 *
 * Input layout: byte 0 picks the mode (bit 0: MCP_FRAMER_RECORDS, bits 1-2:
 * max_line 64 / 1 / 7 / 300, bit 3: MCP_FRAMER_FOLLOW, bit 4: start at an
 * origin (mcp_framer_set_origin()), bit 7: fail the read once at a
 * position taken from byte 2), byte 1 seeds the read sizes (1 .. 1 +
 * byte1 % 64, or the whole room when byte1 is 0), the rest is the byte
 * stream. With FOLLOW the source also answers "no bytes for now" (0) at
 * random places and whenever it has caught up; the driver calls
 * mcp_framer_next() again, and mcp_framer_finish() once everything has been
 * read. Every chunk is checked against framer.h, the lines must be those a
 * plain run with whole-room reads gives, and abort() is called on any
 * violation.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input/framer.h"
#include "base/timeparse.h"
#include "base/util.h"

struct src {
    const uint8_t *data;
    size_t len, pos, fail_at, maxpiece;
    uint32_t rng;
    bool follow, zeroed;
    int ended, calls_after_end;
    uint64_t zeros;
};

static ssize_t src_read(void *arg, char *buf, size_t cap, char *err)
{
    struct src *s = arg;
    size_t n = cap;

    if (s->ended) {
        s->calls_after_end++;
        return 0;
    }
    if (s->pos == s->fail_at) {
        s->ended = 1;
        mcp_errf(err, "injected read error");
        return -1;
    }
    if (s->pos == s->len) {
        if (s->follow) { /* caught up: no bytes for now */
            s->zeros++;
            return 0;
        }
        s->ended = 1;
        return 0;
    }
    s->rng = s->rng * 1103515245u + 12345u;
    if (s->follow && !s->zeroed && (s->rng >> 28) < 5) {
        s->zeroed = true; /* the writer is slow; the next call has data */
        s->zeros++;
        return 0;
    }
    s->zeroed = false;
    if (s->maxpiece)
        n = 1 + (s->rng >> 8) % s->maxpiece;
    if (n > cap)
        n = cap;
    if (n > s->len - s->pos)
        n = s->len - s->pos;
    if (s->fail_at < s->len && n > s->fail_at - s->pos)
        n = s->fail_at - s->pos;
    memcpy(buf, s->data + s->pos, n);
    s->pos += n;
    return (ssize_t)n;
}

#define CHECK(cond)                                                        \
    do {                                                                   \
        if (!(cond)) {                                                     \
            fprintf(stderr, "fuzz_framer: check failed line %d: %s\n",     \
                    __LINE__, #cond);                                      \
            abort();                                                       \
        }                                                                  \
    } while (0)

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return mcp_time_set_tz("UTC", NULL);
}

static uint64_t count_nl(const uint8_t *p, size_t n)
{
    uint64_t k = 0;

    for (size_t i = 0; i < n; i++)
        k += p[i] == '\n';
    return k;
}

/* The reference: in[0, in_len) framed in one go without FOLLOW. */
static char *reference(const uint8_t *in, size_t in_len, size_t ml, int flags,
                       size_t *out_len, struct mcp_framer_stats *st)
{
    struct src s;
    struct mcp_framer *f;
    struct mcp_chunk c;
    char err[MCP_ERRLEN] = "", *out = malloc(in_len + 1);
    size_t n = 0;

    CHECK(out != NULL);
    memset(&s, 0, sizeof(s));
    s.data = in;
    s.len = in_len;
    s.fail_at = SIZE_MAX;
    f = mcp_framer_create(ml, flags, src_read, &s);
    while (mcp_framer_next(f, &c, err) == 1) {
        CHECK(n + c.len <= in_len + 1);
        memcpy(out + n, c.data, c.len);
        n += c.len;
    }
    CHECK(err[0] == '\0');
    mcp_framer_stats(f, st);
    mcp_framer_destroy(f);
    *out_len = n;
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t max_lines[4] = {64, 1, 7, 300};
    struct src s;
    struct mcp_framer *f;
    struct mcp_chunk c;
    char err[MCP_ERRLEN] = "", *got;
    uint64_t off = 0, line = 1, nchunks = 0, longs = 0;
    uint64_t origin = 0, first = 1;
    int64_t carry = MCP_TIME_NONE;
    bool prev_long = false, follow, finished = false;
    size_t in_len, ml, got_len = 0;
    const uint8_t *in;
    int flags, r;

    if (size < 3)
        return 0;
    flags = data[0] & 1 ? MCP_FRAMER_RECORDS : 0;
    follow = data[0] & 8;
    ml = max_lines[(data[0] >> 1) & 3];
    memset(&s, 0, sizeof(s));
    s.data = in = data + 3;
    s.len = in_len = size - 3;
    s.fail_at = SIZE_MAX;
    s.follow = follow;
    if (data[0] & 0x80) {
        s.fail_at = in_len ? data[2] % (in_len + 1) : 0;
        in_len = s.fail_at; /* what the framer can see */
    }
    s.maxpiece = data[1] ? 1 + data[1] % 64u : 0;
    s.rng = data[1] * 2654435761u + data[2];
    got = malloc(in_len + 1);
    CHECK(got != NULL);

    f = mcp_framer_create(ml, flags | (follow ? MCP_FRAMER_FOLLOW : 0),
                          src_read, &s);
    if (data[0] & 0x10) {
        origin = ((uint64_t)data[2] << 32) + data[1];
        first = 1 + data[2] * 1000003ULL;
        carry = 1765300000000LL + data[1];
        mcp_framer_set_origin(f, origin, first, carry);
    }
    CHECK(mcp_framer_consumed(f) == origin);
    CHECK(mcp_framer_next_line(f) == first);
    for (;;) {
        r = mcp_framer_next(f, &c, err);
        if (r == 0 && follow && !finished) {
            /* No bytes for now: every complete line read has gone out,
             * the rest is held (or, for a cut line, being skipped). */
            const uint8_t *q = s.pos ? memrchr(in, '\n', s.pos) : NULL;
            uint64_t done = q ? (uint64_t)(q - in) + 1 : 0;

            CHECK(err[0] == '\0');
            CHECK(off == done);
            CHECK(mcp_framer_consumed(f) == origin + done);
            CHECK(mcp_framer_next_line(f) == first + count_nl(in, done));
            CHECK(mcp_framer_pending(f) == (done < s.pos));
            CHECK(s.zeros <= 2 * size + 2); /* progress */
            if (s.pos == s.len && s.fail_at == SIZE_MAX) {
                mcp_framer_finish(f);
                CHECK(!mcp_framer_pending(f));
                s.ended = 1; /* the callback must not be called again */
                finished = true;
            }
            continue;
        }
        if (r != 1)
            break;

        const char *p, *end = c.data + c.len;
        uint64_t nl = 0;

        CHECK(err[0] == '\0');
        CHECK(c.len > 0 && c.data[c.len - 1] == '\n');
        CHECK(c.len <= ml + 256 * 1024 + 1);
        for (size_t i = 0; i < c.len; i++)
            nl += c.data[i] == '\n';
        CHECK(c.lines == nl);
        CHECK(c.first_line == first + line - 1);
        CHECK(c.offset == origin + off);
        CHECK(c.carry_ts == carry);
        CHECK(c.long_lines <= 1);
        CHECK((c.first_ts == MCP_TIME_NONE) == (c.last_ts == MCP_TIME_NONE));
        /* Line lengths: at most ml, a cut line (exactly ml) only last. */
        for (p = c.data; p < end;) {
            const char *e = memchr(p, '\n', (size_t)(end - p));

            CHECK((size_t)(e - p) <= ml);
            if (c.long_lines && e + 1 == end)
                CHECK((size_t)(e - p) == ml);
            p = e + 1;
        }
        /* Records: a chunk starts a record unless the previous one ended
         * with a cut line (the buffer cannot fill with inputs this small,
         * which is the only other reason to split a record). FOLLOW does
         * not hold records back. */
        if (flags && !follow && nchunks > 0 && !prev_long && in_len < 100000) {
            int64_t t;

            CHECK(mcp_time_parse_prefix(c.data, c.len, &t) > 0);
        }
        /* The bytes are the input's, at the offset claimed. With FOLLOW,
         * only finish() or the read error may end a line that has no '\n'
         * read yet (a cut line included). */
        bool at_end = finished || s.ended;
        if (c.long_lines) {
            CHECK(off + c.len - 1 <= in_len);
            CHECK(memcmp(c.data, in + off, c.len - 1) == 0);
            const uint8_t *q = memchr(in + off + c.len - 1, '\n',
                                      in_len - (off + c.len - 1));
            off = q ? (uint64_t)(q - in) + 1 : in_len;
            if (follow)
                CHECK(at_end || (q != NULL && off <= s.pos));
        } else if (off + c.len == in_len + 1) {
            CHECK(in_len == 0 || in[in_len - 1] != '\n');
            CHECK(memcmp(c.data, in + off, c.len - 1) == 0);
            CHECK(!follow || at_end);
            off = in_len;
        } else {
            CHECK(off + c.len <= in_len);
            CHECK(memcmp(c.data, in + off, c.len) == 0);
            off += c.len;
        }
        if (follow)
            CHECK(mcp_framer_consumed(f) == origin + off);
        else
            CHECK(mcp_framer_consumed(f) <= origin + off &&
                  mcp_framer_consumed(f) >= c.offset + c.len - 1);
        memcpy(got + got_len, c.data, c.len);
        got_len += c.len;
        if (c.last_ts != MCP_TIME_NONE)
            carry = c.last_ts;
        line += c.lines;
        longs += c.long_lines;
        prev_long = c.long_lines != 0;
        nchunks++;
        CHECK(mcp_framer_next_line(f) == first + line - 1);
    }
    CHECK(r == 0 || r == -1);
    CHECK(r == -1 ? s.fail_at == in_len && strcmp(err, "injected read error") == 0
                  : err[0] == '\0');
    CHECK(mcp_framer_next(f, &c, err) == 0);
    CHECK(s.calls_after_end == 0);
    CHECK(off == in_len);
    CHECK(mcp_framer_consumed(f) == origin + in_len);
    CHECK(!mcp_framer_pending(f));
    uint64_t want_lines = count_nl(in, in_len);
    want_lines += in_len > 0 && in[in_len - 1] != '\n';
    struct mcp_framer_stats st;
    mcp_framer_stats(f, &st);
    CHECK(st.lines == want_lines && line == want_lines + 1);
    CHECK(st.long_lines == longs);
    CHECK(st.bytes == in_len);
    mcp_framer_destroy(f);

    /* The same lines as a plain run reading everything at once. */
    struct mcp_framer_stats ref_st;
    size_t ref_len;
    char *ref = reference(in, in_len, ml, flags, &ref_len, &ref_st);
    CHECK(ref_len == got_len && memcmp(ref, got, got_len) == 0);
    CHECK(ref_st.lines == st.lines && ref_st.long_lines == st.long_lines);
    free(ref);
    free(got);
    return 0;
}
