/* framer.c - split decoded bytes into lines and records (spec: framer.h).
 *
 * One buffer of cap = max_line + READ_SIZE + 1 bytes, never grown, mapped
 * on its own (mmap) so that mcp_framer_trim() can hand the pages past the
 * held bytes back to the kernel:
 *
 *   0 ..... start ........ ok_end .... nl_end ....... len ..... cap-1 | cap
 *           |<- checked lines ->|<- lines ->|<- partial ->|<- room ->| spare
 *
 * - [start, ok_end) are complete lines checked against max_line and not
 *   handed out yet; chunks are cut from there. [ok_end, nl_end) are
 *   complete lines not checked yet; [nl_end, len) is the partial last line.
 * - Before a read, held bytes are moved to the front (compact()).
 * - The last byte is never filled by a read: it takes the '\n' of an
 *   unterminated last line at the end of input.
 *
 * Cutting a long line (check_lines()), step by step:
 *   1. a complete line is longer than max_line, or the partial line is;
 *   2. keep its first max_line bytes and write '\n' after them. For a
 *      complete line, drop the rest of it and its '\n' and move the
 *      following bytes down; for the partial line, drop what is held of
 *      the rest and set discarding. The dropped count is trunc_skip;
 *   3. set cut: lines after the cut one are not checked, and form_chunk()
 *      always emits, until the chunk ending with the cut line has gone
 *      out. That emit() moves f->offset past the dropped bytes;
 *   4. while discarding, no chunk is pending (3), so the buffer is empty
 *      when reading resumes: read bytes up to and including the real '\n'
 *      only advance f->offset; the bytes after it are kept.
 * So the buffer never holds more than max_line bytes of one line, however
 * long the line is, and the offsets of later chunks stay exact.
 *
 * FOLLOW differs in three places:
 *   - a read of 0 bytes sets no end: next() returns 0 and the partial line
 *     stays; finish() sets the end (and completes that line) instead;
 *   - form_chunk() never holds records back;
 *   - a partial line cut in step 2 is not handed out before its real '\n'
 *     (it is still partial): form_chunk() emits the lines before it and
 *     then waits, the cut line (max_line bytes + '\n') stays at the front
 *     of the buffer, and step 4 adds the read bytes up to the '\n' to
 *     trunc_skip instead of f->offset. Reads then have READ_SIZE - 1 bytes
 *     of room. Once the '\n' is read (or at finish() or a read error), the
 *     cut line goes out as in step 3. So f->offset (consumed()) is always
 *     at a line boundary.
 */
#include "input/framer.h"
#include "base/timeparse.h"
#include "base/util.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#define READ_SIZE (256 * 1024)
#define MAX_LINE_LIMIT ((size_t)1 << 30) /* keeps cap far from overflow */
#define NO_POS SIZE_MAX

struct mcp_framer {
    mcp_read_fn fn;
    void *arg;
    size_t max_line;
    int flags;
    char *buf;
    size_t cap;
    size_t maplen;      /* cap rounded up to whole pages */
    size_t start;       /* first byte not handed out yet */
    size_t ok_end;      /* end of the checked complete lines (>= start) */
    size_t nl_end;      /* one past the last '\n' held (>= ok_end) */
    size_t len;         /* bytes held */
    bool cut;           /* the line ending at ok_end was cut (steps 2-3) */
    bool discarding;    /* dropping the rest of a cut line (step 4) */
    uint64_t trunc_skip;/* stream bytes dropped from the cut line so far */
    size_t ts_scan;     /* RECORDS: lines before this were looked at */
    size_t ts_last;     /* RECORDS: last timestamped line start, NO_POS */
    uint64_t offset;    /* stream offset of buf[start] */
    uint64_t line_no;   /* number of the line at buf[start] */
    int64_t carry_ts;
    bool eof;           /* the callback returned 0 or -1, or finish() */
    bool failed;        /* ... and it was -1: err holds the cause */
    bool done;
    bool started;       /* the callback has been called (set_origin) */
    bool supplied;      /* buf[len - 1] is a '\n' not in the stream */
    char err[MCP_ERRLEN];
    struct mcp_framer_stats st;
};

static size_t page_size(void)
{
    long p = sysconf(_SC_PAGESIZE);

    return p > 0 ? (size_t)p : 4096;
}

struct mcp_framer *mcp_framer_create(size_t max_line, int flags,
                                     mcp_read_fn fn, void *arg)
{
    struct mcp_framer *f = mcp_calloc(1, sizeof(*f));

    if (max_line == 0)
        max_line = MCP_MAX_LINE_DEFAULT;
    if (max_line > MAX_LINE_LIMIT)
        max_line = MAX_LINE_LIMIT;
    f->fn = fn;
    f->arg = arg;
    f->max_line = max_line;
    f->flags = flags;
    f->cap = max_line + READ_SIZE + 1;
    f->maplen = (f->cap + page_size() - 1) / page_size() * page_size();
    f->buf = mmap(NULL, f->maplen, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (f->buf == MAP_FAILED) {
        mcp_warnf("out of memory (a %zu-byte line buffer)", f->maplen);
        exit(2);
    }
    f->ts_last = NO_POS;
    f->line_no = 1;
    f->carry_ts = MCP_TIME_NONE;
    return f;
}

void mcp_framer_destroy(struct mcp_framer *f)
{
    if (f == NULL)
        return;
    munmap(f->buf, f->maplen);
    free(f);
}

static void compact(struct mcp_framer *f);

void mcp_framer_trim(struct mcp_framer *f)
{
    size_t from;

    /* What the next read would do anyway: the bytes held move to the
     * front, so only their pages stay. */
    compact(f);
    from = (f->len + page_size() - 1) / page_size() * page_size();

    if (from < f->maplen)
        (void)madvise(f->buf + from, f->maplen - from, MADV_DONTNEED);
}

void mcp_framer_stats(const struct mcp_framer *f, struct mcp_framer_stats *s)
{
    *s = f->st;
}

/* Count '\n' eight bytes at a time: after XOR with "\n\n\n\n\n\n\n\n" a
 * newline is a zero byte, and ~(((w & 0x7f..) + 0x7f..) | w | 0x7f..) has
 * exactly the high bit of each zero byte set (no carries cross bytes). */
static uint64_t count_nl_swar(const char *p, size_t n)
{
    const uint64_t ones = 0x0101010101010101ULL, low7 = ones * 0x7f;
    uint64_t count = 0, w, t;
    size_t i = 0;

    for (; i + 8 <= n; i += 8) {
        memcpy(&w, p + i, 8);
        w ^= ones * '\n';
        t = ~(((w & low7) + low7) | w | low7);
        count += ((t >> 7) * ones) >> 56;
    }
    for (; i < n; i++)
        count += p[i] == '\n';
    return count;
}

#if defined(__x86_64__) || defined(__i386__)
/* 32 bytes at a time: compare, take the mask, count its bits. */
__attribute__((target("avx2,popcnt"))) static uint64_t
count_nl_avx2(const char *p, size_t n)
{
    const __m256i nl = _mm256_set1_epi8('\n');
    uint64_t count = 0;
    size_t i = 0;

    for (; i + 32 <= n; i += 32) {
        __m256i v = _mm256_loadu_si256((const __m256i *)(p + i));

        count += (uint64_t)__builtin_popcount(
            (unsigned)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, nl)));
    }
    return count + count_nl_swar(p + i, n - i);
}
#endif

uint64_t mcp_line_count(const char *p, size_t n)
{
#if defined(__x86_64__) || defined(__i386__)
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt"))
        return count_nl_avx2(p, n);
#endif
    return count_nl_swar(p, n);
}

/* Start of the line that ends with the '\n' at e (d <= e). */
static const char *line_start(const char *d, const char *e)
{
    const char *nl = memrchr(d, '\n', (size_t)(e - d));

    return nl ? nl + 1 : d;
}

/* first_ts: scan forward to the first timestamped line. last_ts: walk back
 * from the end, stopping at that line at the latest. */
static void chunk_times(const char *d, size_t len, int64_t *first,
                        int64_t *last)
{
    const char *p = d, *end = d + len, *hit = NULL, *e;

    *first = *last = MCP_TIME_NONE;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));

        if (mcp_time_parse_prefix(p, (size_t)(nl - p), first)) {
            hit = p;
            break;
        }
        p = nl + 1;
    }
    if (hit == NULL)
        return;
    for (e = end - 1;; e = p - 1) {
        p = line_start(d, e);
        if (p <= hit) {
            *last = *first;
            return;
        }
        if (mcp_time_parse_prefix(p, (size_t)(e - p), last))
            return;
    }
}

/* RECORDS: find the last timestamped line among the complete lines not
 * looked at yet, walking back from ok_end (usually one line). */
static void scan_records(struct mcp_framer *f)
{
    size_t e = f->ok_end; /* one past the '\n' of the line looked at */
    int64_t t;

    while (e > f->ts_scan) {
        const char *nl = f->buf + e - 1;
        const char *p = line_start(f->buf + f->ts_scan, nl);

        if (mcp_time_parse_prefix(p, (size_t)(nl - p), &t)) {
            f->ts_last = (size_t)(p - f->buf);
            break;
        }
        e = (size_t)(p - f->buf);
    }
    f->ts_scan = f->ok_end;
}

static void emit(struct mcp_framer *f, struct mcp_chunk *c, size_t end)
{
    c->data = f->buf + f->start;
    c->len = end - f->start;
    c->offset = f->offset;
    c->first_line = f->line_no;
    c->lines = mcp_line_count(c->data, c->len);
    c->long_lines = 0;
    chunk_times(c->data, c->len, &c->first_ts, &c->last_ts);
    c->carry_ts = f->carry_ts;
    if (c->last_ts != MCP_TIME_NONE)
        f->carry_ts = c->last_ts;
    f->offset += c->len;
    if (f->supplied && end == f->len)
        f->offset--; /* keeps consumed() a stream offset */
    if (f->cut && end == f->ok_end) {
        /* The '\n' after a cut line is not in the stream; the dropped
         * bytes are. */
        f->offset += f->trunc_skip - 1;
        f->trunc_skip = 0;
        f->cut = false;
        c->long_lines = 1;
    }
    f->line_no += c->lines;
    f->st.lines += c->lines;
    f->start = end;
    if (f->ts_scan < end)
        f->ts_scan = end;
    if (f->ts_last != NO_POS && f->ts_last < end)
        f->ts_last = NO_POS;
}

/* Hand out held complete lines if the rules allow it now. Returns 1 when
 * *c was filled, 0 when more input is needed. */
static int form_chunk(struct mcp_framer *f, struct mcp_chunk *c)
{
    size_t end = f->ok_end;

    if (end == f->start)
        return 0;
    if (f->flags & MCP_FRAMER_FOLLOW) {
        if (f->discarding && !f->eof) {
            /* The cut partial line [end - max_line - 1, end) waits for its
             * '\n'; the lines before it may go. */
            end -= f->max_line + 1;
            if (end == f->start)
                return 0;
        }
    } else if ((f->flags & MCP_FRAMER_RECORDS) && !f->eof) {
        scan_records(f);
        if (f->ts_last != NO_POS && f->ts_last > f->start) {
            end = f->ts_last; /* hold the last record back */
        } else if (!f->cut && f->len - f->start < f->cap - 1) {
            /* The record that starts the held data may go on: read more
             * while there is room rather than split it. */
            return 0;
        }
    }
    emit(f, c, end);
    return 1;
}

static void compact(struct mcp_framer *f)
{
    size_t s = f->start;

    if (s == 0)
        return;
    memmove(f->buf, f->buf + s, f->len - s);
    f->len -= s;
    f->ok_end -= s;
    f->nl_end -= s;
    f->ts_scan -= s;
    if (f->ts_last != NO_POS)
        f->ts_last -= s;
    f->start = 0;
}

/* Steps 1-3 for the complete line [p, e) (its '\n' at e). */
static void cut_complete(struct mcp_framer *f, size_t p, size_t e)
{
    size_t keep_end = p + f->max_line, shrink = e - keep_end;

    f->trunc_skip = e - keep_end + 1;
    f->buf[keep_end] = '\n';
    memmove(f->buf + keep_end + 1, f->buf + e + 1, f->len - e - 1);
    f->len -= shrink;
    f->nl_end -= shrink;
    f->ok_end = keep_end + 1;
    f->cut = true;
    f->st.long_lines++;
}

/* Steps 1-3 for the partial line at nl_end (== ok_end here). */
static void cut_partial(struct mcp_framer *f)
{
    size_t keep_end = f->nl_end + f->max_line;

    f->trunc_skip = f->len - keep_end;
    f->buf[keep_end] = '\n';
    f->len = f->nl_end = f->ok_end = keep_end + 1;
    f->cut = true;
    f->discarding = true;
    f->st.long_lines++;
}

/* Move ok_end over the lines not checked yet, cutting the first long one.
 * When nothing from ok_end to len can be longer than max_line (nearly
 * always), no line is looked at. */
static void check_lines(struct mcp_framer *f)
{
    size_t p = f->ok_end;

    if (f->cut)
        return;
    if (f->len - p <= f->max_line) {
        f->ok_end = f->nl_end;
        return;
    }
    while (p < f->nl_end) {
        const char *nl = memchr(f->buf + p, '\n', f->nl_end - p);
        size_t e = (size_t)(nl - f->buf);

        if (e - p > f->max_line) {
            cut_complete(f, p, e);
            return;
        }
        p = e + 1;
    }
    f->ok_end = f->nl_end;
    if (f->len - f->nl_end > f->max_line)
        cut_partial(f);
}

static void fail(struct mcp_framer *f, const char *msg)
{
    if (f->err[0] == '\0')
        snprintf(f->err, sizeof(f->err), "%s", msg);
    f->failed = true;
    f->eof = true;
}

/* Read once. Returns false when the callback returned 0 with FOLLOW (no
 * bytes for now), true otherwise. */
static bool read_more(struct mcp_framer *f)
{
    size_t room, k;
    ssize_t n;
    char *p, *nl;

    compact(f);
    room = f->cap - 1 - f->len;
    if (room > READ_SIZE)
        room = READ_SIZE;
    if (room == 0) { /* cannot happen: see form_chunk() and check_lines() */
        fail(f, "framer buffer full");
        return true;
    }
    p = f->buf + f->len;
    f->started = true;
    n = f->fn(f->arg, p, room, f->err);
    if (n < 0 || (size_t)n > room) {
        fail(f, n < 0 ? "read error" : "read callback overran its buffer");
        return true;
    }
    if (n == 0) {
        if (f->flags & MCP_FRAMER_FOLLOW)
            return false;
        f->eof = true;
        return true;
    }
    f->st.bytes += (uint64_t)n;
    k = (size_t)n;
    if (f->discarding) {
        /* The buffer is empty here (step 3 in the header comment), or with
         * FOLLOW holds only the cut line, not handed out yet (f->cut). */
        uint64_t *skip = f->cut ? &f->trunc_skip : &f->offset;

        nl = memchr(p, '\n', k);
        if (nl == NULL) {
            *skip += k;
            return true;
        }
        size_t drop = (size_t)(nl - p) + 1;

        *skip += drop;
        f->discarding = false;
        k -= drop;
        memmove(p, nl + 1, k);
    }
    nl = k ? memrchr(p, '\n', k) : NULL;
    f->len += k;
    if (nl != NULL)
        f->nl_end = (size_t)(nl - f->buf) + 1;
    return true;
}

/* At the end: the spare byte takes the '\n' of an unterminated last line,
 * and a cut line waiting for its '\n' (FOLLOW) may go out without it. */
static void complete_last(struct mcp_framer *f)
{
    if (f->len > f->nl_end) {
        f->buf[f->len++] = '\n';
        f->nl_end = f->len;
        f->supplied = true;
    }
    f->discarding = false;
}

int mcp_framer_next(struct mcp_framer *f, struct mcp_chunk *c, char *err)
{
    for (;;) {
        if (f->done)
            return 0;
        if (f->eof)
            complete_last(f);
        check_lines(f);
        if (form_chunk(f, c))
            return 1;
        if (f->eof) {
            f->done = true;
            if (f->failed) {
                mcp_errf(err, "%s", f->err);
                return -1;
            }
            return 0;
        }
        if (!read_more(f))
            return 0; /* FOLLOW: no more bytes for now */
    }
}

void mcp_framer_finish(struct mcp_framer *f)
{
    if (f->eof)
        return;
    f->eof = true;
    complete_last(f);
}

void mcp_framer_set_origin(struct mcp_framer *f, uint64_t offset,
                           uint64_t first_line, int64_t carry_ts)
{
    assert(!f->started && "mcp_framer_set_origin() after reading started");
    f->offset = offset;
    f->line_no = first_line;
    f->carry_ts = carry_ts;
}

void mcp_framer_reset(struct mcp_framer *f, uint64_t offset,
                      uint64_t first_line)
{
    f->start = f->ok_end = f->nl_end = f->len = 0;
    f->cut = f->discarding = false;
    f->trunc_skip = 0;
    f->ts_scan = 0;
    f->ts_last = NO_POS;
    f->offset = offset;
    f->line_no = first_line;
    f->carry_ts = MCP_TIME_NONE;
    f->eof = f->failed = f->done = f->started = f->supplied = false;
    f->err[0] = '\0';
}

uint64_t mcp_framer_consumed(const struct mcp_framer *f)
{
    return f->offset;
}

uint64_t mcp_framer_next_line(const struct mcp_framer *f)
{
    return f->line_no;
}

bool mcp_framer_pending(const struct mcp_framer *f)
{
    return f->len > f->nl_end || f->discarding;
}

bool mcp_chunk_line(const struct mcp_chunk *c, struct mcp_line *l)
{
    const char *end = c->data + c->len, *p, *nl;

    if (l->text == NULL) {
        p = c->data;
        l->lineno = c->first_line;
    } else {
        p = memchr(l->text + l->len, '\n', (size_t)(end - l->text - l->len));
        p = p != NULL ? p + 1 : end;
        l->lineno++;
    }
    if (p >= end)
        return false;
    nl = memchr(p, '\n', (size_t)(end - p));
    l->text = p;
    l->len = (size_t)((nl != NULL ? nl : end) - p);
    if (l->len > 0 && p[l->len - 1] == '\r')
        l->len--;
    l->offset = c->offset + (uint64_t)(p - c->data);
    return true;
}
