/* timeguard.c - one line's time must not move a stream's clock (the
 * policy is in timeguard.h).
 *
 * Every line of a chunk is looked at for a timestamp (line_time(): a
 * line in the same hour as the one before costs a compare), so that a
 * jump is counted and shown the same whether a rule matches it or not. A
 * line with one starts a record; the events of the chunk (in line order)
 * belong to the record of their line. While nothing is undecided a record
 * is judged at once and its events pass through; otherwise records wait
 * in a queue and events in a hold, both in order:
 *
 *   q:    [qh ...... th ......... dh ............. qn)
 *          told and   told (live:   first undecided
 *          decided    provisional)  record
 *
 * - decide() judges records from dh, looking at the records after a
 *   suspect (its followers);
 * - tell_ready() fixes the time of decided records from th, in order, and
 *   tells the callback; held events whose record is told go out;
 * - records before both th and dh are dropped (no held event can name
 *   them: events are in line order).
 * Sources (scan: an input; follow: a tail) remember their last record, so
 * continuation lines at the start of their next chunk find it.
 */
#include "match/timeguard.h"

#include <stdlib.h>
#include <string.h>

#include "base/timeparse.h"
#include "base/util.h"

#define NO_REC UINT64_MAX
#define NSOURCES 8

struct rec {
    uint32_t input;
    uint64_t lineno, offset;
    int64_t own, ts;
    uint8_t kind;
    bool done;           /* decided for good */
    bool told;           /* its time fixed for output (events may go) */
};

struct held {
    struct mcp_event *ev;
    uint64_t rec;        /* record it waits for, or NO_REC (time final) */
};

struct source {
    uint64_t key;
    uint64_t rec;        /* its last record, or NO_REC */
    int64_t ts;          /* the time that record carries (once told) */
    uint8_t kind;
    uint64_t used;       /* LRU stamp; 0: free slot */
};

struct override {
    uint64_t offset;
    int64_t ts;
};

struct mcp_timeguard {
    bool live;
    mcp_tg_fn fn;
    void *arg;
    int64_t clock, floor, ceiling;
    struct rec *q;
    size_t qh, th, dh, qn, qcap;
    uint64_t qseq;       /* number of the record at q[qh] */
    uint64_t nseq;       /* number of the next record */
    struct held *h;
    size_t hh, hn, hcap, hbytes;
    struct source src[NSOURCES];
    uint64_t stamp;
    struct override *ov; /* live: lines of the last chunk not on their
                            own time */
    size_t nov, capov;
    struct mcp_tg_line run_first, run_last; /* lines accepted at once */
    bool run_on;
    char memo[14];       /* "YYYY-MM-DD HH:" of the last line parsed */
    int64_t memo_base;   /* ... and the time of its hh:00:00,000 */
    bool memo_ok;
};

struct mcp_timeguard *mcp_timeguard_create(bool live, mcp_tg_fn fn,
                                           void *arg)
{
    struct mcp_timeguard *g = mcp_calloc(1, sizeof(*g));

    g->live = live;
    g->fn = fn;
    g->arg = arg;
    g->clock = g->floor = g->ceiling = MCP_TIME_NONE;
    return g;
}

void mcp_timeguard_destroy(struct mcp_timeguard *g)
{
    if (g == NULL)
        return;
    for (size_t i = g->hh; i < g->hn; i++)
        mcp_event_free(g->h[i].ev);
    free(g->h);
    free(g->q);
    free(g->ov);
    free(g);
}

void mcp_timeguard_bounds(struct mcp_timeguard *g, int64_t floor,
                          int64_t ceiling)
{
    g->floor = floor;
    g->ceiling = ceiling;
}

/* What a line is judged against: the clock, or the floor when later. */
static int64_t ref(const struct mcp_timeguard *g)
{
    if (g->clock == MCP_TIME_NONE)
        return g->floor;
    if (g->floor == MCP_TIME_NONE || g->clock > g->floor)
        return g->clock;
    return g->floor;
}

static size_t ev_bytes(const struct mcp_event *ev)
{
    return sizeof(*ev) + ev->line_len + ev->context_len + 64;
}

static struct source *find_source(struct mcp_timeguard *g, uint64_t key)
{
    struct source *s = &g->src[0];

    for (int i = 0; i < NSOURCES; i++) {
        if (g->src[i].used != 0 && g->src[i].key == key) {
            s = &g->src[i];
            s->used = ++g->stamp;
            return s;
        }
        if (g->src[i].used < s->used)
            s = &g->src[i];
    }
    s->key = key;
    s->rec = NO_REC;
    s->ts = MCP_TIME_NONE;
    s->kind = MCP_TG_OWN;
    s->used = ++g->stamp;
    return s;
}

/* Record seq's time is now ts (kind): sources that end with it learn it. */
static void source_note(struct mcp_timeguard *g, uint64_t seq, int64_t ts,
                        uint8_t kind)
{
    for (int i = 0; i < NSOURCES; i++)
        if (g->src[i].used != 0 && g->src[i].rec == seq) {
            g->src[i].ts = ts;
            g->src[i].kind = kind;
        }
}

static struct rec *rec_of(struct mcp_timeguard *g, uint64_t seq)
{
    if (seq == NO_REC || seq < g->qseq || seq - g->qseq >= g->qn - g->qh)
        return NULL;
    return &g->q[g->qh + (size_t)(seq - g->qseq)];
}

static void tell(struct mcp_timeguard *g, struct rec *r, uint64_t seq)
{
    struct mcp_tg_line l = {r->input, r->lineno, r->own, r->ts,
                            (enum mcp_tg_kind)r->kind};

    r->told = true;
    source_note(g, seq, r->ts, r->kind);
    if (g->live && r->kind != MCP_TG_OWN) {
        if (g->nov == g->capov) {
            g->capov = g->capov ? g->capov * 2 : 8;
            g->ov = mcp_realloc(g->ov, g->capov * sizeof(*g->ov));
        }
        g->ov[g->nov].offset = r->offset;
        g->ov[g->nov++].ts = r->ts;
    }
    if (g->fn != NULL)
        g->fn(&l, g->arg);
}

static void decided(struct mcp_timeguard *g, struct rec *r, int64_t ts,
                    uint8_t kind)
{
    r->done = true;
    r->ts = ts;
    r->kind = kind;
    if (kind == MCP_TG_OWN &&
        (g->clock == MCP_TIME_NONE || r->own > g->clock))
        g->clock = r->own;
    if (r->told) /* live: it went out provisionally; later lines of its
                    record carry the final time */
        source_note(g, g->qseq + (uint64_t)(r - &g->q[g->qh]), ts, kind);
}

/* Judge the records from dh on, as far as the lines held allow. */
static void decide(struct mcp_timeguard *g)
{
    while (g->dh < g->qn) {
        struct rec *r = &g->q[g->dh], *refuter = NULL;
        int64_t R = ref(g);
        int agree = 0;

        if (r->done) {
            g->dh++;
            continue;
        }
        if (R == MCP_TIME_NONE || r->own <= R + MCP_TIME_JUMP_MS) {
            decided(g, r, r->own, MCP_TG_OWN);
            continue;
        }
        for (size_t j = g->dh + 1; j < g->qn; j++) {
            const struct rec *f = &g->q[j];

            if (f->done) /* dated after the ceiling: no evidence */
                continue;
            if (f->own <= R + MCP_TIME_JUMP_MS ||
                f->own < r->own - MCP_TIME_JUMP_MS) {
                refuter = &g->q[j];
                break;
            }
            if (++agree >= MCP_TIME_CONFIRM)
                break;
        }
        if (refuter != NULL)
            decided(g, r, R, MCP_TG_JUMP);
        else if (agree >= MCP_TIME_CONFIRM)
            decided(g, r, r->own, MCP_TG_OWN);
        else
            return;
    }
}

static void tell_ready(struct mcp_timeguard *g)
{
    while (g->th < g->qn && g->q[g->th].done) {
        tell(g, &g->q[g->th], g->qseq + (g->th - g->qh));
        g->th++;
    }
}

static void put(struct mcp_batch *out, struct mcp_event *ev, int64_t ts,
                uint8_t kind)
{
    if (kind != MCP_TG_OWN && ev->ts != MCP_TIME_NONE)
        ev->ts = ts;
    mcp_batch_push(out, ev);
}

/* Held events whose record is told go out, in order; records nothing
 * refers to any more are dropped. */
static void release(struct mcp_timeguard *g, struct mcp_batch *out)
{
    while (g->hh < g->hn) {
        struct held *x = &g->h[g->hh];
        struct rec *r = rec_of(g, x->rec);

        if (r != NULL && !r->told)
            break;
        g->hbytes -= ev_bytes(x->ev);
        if (r != NULL)
            put(out, x->ev, r->ts, r->kind);
        else
            mcp_batch_push(out, x->ev);
        g->hh++;
    }
    if (g->hh == g->hn)
        g->hh = g->hn = 0;
    while (g->qh < g->th && g->qh < g->dh) {
        g->qh++;
        g->qseq++;
    }
    if (g->qh == g->qn) {
        g->qh = g->th = g->dh = g->qn = 0;
        g->qseq = g->nseq;
    } else if (g->qh > 64 && g->qh * 2 > g->qn) {
        memmove(g->q, g->q + g->qh, (g->qn - g->qh) * sizeof(*g->q));
        g->qn -= g->qh;
        g->th -= g->qh;
        g->dh -= g->qh;
        g->qh = 0;
    }
}

static void hold(struct mcp_timeguard *g, struct mcp_event *ev, uint64_t rec)
{
    if (g->hn == g->hcap) {
        if (g->hh > 0) {
            memmove(g->h, g->h + g->hh, (g->hn - g->hh) * sizeof(*g->h));
            g->hn -= g->hh;
            g->hh = 0;
        }
        if (g->hn == g->hcap) {
            g->hcap = g->hcap ? g->hcap * 2 : 64;
            g->h = mcp_realloc(g->h, g->hcap * sizeof(*g->h));
        }
    }
    g->h[g->hn].ev = ev;
    g->h[g->hn++].rec = rec;
    g->hbytes += ev_bytes(ev);
}

/* A line with its own time: judged at once when nothing waits, else
 * queued. Returns its record number. */
static uint64_t add_line(struct mcp_timeguard *g, uint32_t input,
                         uint64_t lineno, uint64_t offset, int64_t own)
{
    uint64_t seq = g->nseq++;
    struct rec r = {input, lineno, offset, own, own, MCP_TG_OWN, false,
                    false};
    int64_t R = ref(g);

    if (g->live && g->ceiling != MCP_TIME_NONE && own > g->ceiling) {
        r.done = true;
        r.kind = MCP_TG_WALL;
        r.ts = R != MCP_TIME_NONE ? R : g->ceiling - MCP_TIME_SKEW_MS;
    } else if (g->qh == g->qn &&
               (R == MCP_TIME_NONE || own <= R + MCP_TIME_JUMP_MS)) {
        r.done = true;
        if (g->clock == MCP_TIME_NONE || own > g->clock)
            g->clock = own;
    }
    if (r.done && g->qh == g->qn) {
        g->qseq = g->nseq;
        tell(g, &r, seq);
        return seq;
    }
    if (g->qn == g->qcap) {
        g->qcap = g->qcap ? g->qcap * 2 : 16;
        g->q = mcp_realloc(g->q, g->qcap * sizeof(*g->q));
    }
    if (g->qh == g->qn)
        g->qseq = seq;
    g->q[g->qn++] = r;
    decide(g);
    tell_ready(g);
    return seq;
}

/* An event on a line of record cur (NO_REC: none) of source s. */
static void place(struct mcp_timeguard *g, struct mcp_event *ev,
                  uint64_t cur, const struct source *s,
                  struct mcp_batch *out)
{
    struct rec *r = rec_of(g, cur);

    if (r != NULL) {
        if (!r->told || g->hh < g->hn) {
            hold(g, ev, cur);
            return;
        }
        put(out, ev, r->ts, r->kind);
        return;
    }
    /* Judged and dropped already: the source remembers its time. */
    if (cur != NO_REC && cur == s->rec && s->kind != MCP_TG_OWN &&
        ev->ts != MCP_TIME_NONE)
        ev->ts = s->ts;
    if (g->hh < g->hn)
        hold(g, ev, NO_REC);
    else
        mcp_batch_push(out, ev);
}

/* Live, at the end of a chunk: what is undecided goes out on the
 * reference's time (the suspects stay queued: later lines may still
 * confirm them). */
static void flush_live(struct mcp_timeguard *g, struct mcp_batch *out)
{
    decide(g);
    tell_ready(g);
    while (g->th < g->qn) {
        struct rec *r = &g->q[g->th];
        int64_t R = ref(g);

        if (r->done || R == MCP_TIME_NONE) { /* after the ceiling; or
                                                 (no reference) its own */
            tell(g, r, g->qseq + (g->th - g->qh));
            g->th++;
            continue;
        }
        r->ts = R;
        r->kind = MCP_TG_JUMP;
        tell(g, r, g->qseq + (g->th - g->qh));
        g->th++;
    }
    release(g, out);
}

/* Decide the first undecided record with what is known. At the end of
 * the stream fewer lines can confirm it: one that agrees is enough (none
 * refuted it, or decide() would have); a last line with nothing after it
 * is an outlier. When too much is held, it is an outlier. */
static void force(struct mcp_timeguard *g, bool at_end)
{
    struct rec *r;
    int64_t R = ref(g);
    bool followed = false;

    decide(g);
    if (g->dh == g->qn)
        return;
    r = &g->q[g->dh];
    for (size_t j = g->dh + 1; j < g->qn; j++)
        if (!g->q[j].done)
            followed = true;
    if (R == MCP_TIME_NONE || (at_end && followed))
        decided(g, r, r->own, MCP_TG_OWN);
    else
        decided(g, r, R, MCP_TG_JUMP);
    decide(g);
}

static bool digits(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned)(p[i] - '0') > 9)
            return false;
    return true;
}

/* Whether p and q start with the same 14 bytes (two word loads). */
static bool same14(const char *p, const char *q)
{
    uint64_t a, b, c, d;

    memcpy(&a, p, 8);
    memcpy(&b, q, 8);
    memcpy(&c, p + 6, 8);
    memcpy(&d, q + 6, 8);
    return a == b && c == d;
}

/* The time at the start of line p (n bytes), exactly as
 * mcp_time_parse_prefix() gives it. Every line is looked at, so a line in
 * the same local hour as the last one parsed here (the same
 * "YYYY-MM-DD HH:") costs a compare and seven digits. */
static bool line_time(struct mcp_timeguard *g, const char *p, size_t n,
                      int64_t *out)
{
    if (g->memo_ok && n >= MCP_PYTIME_LEN && same14(p, g->memo) &&
        p[16] == ':' && (p[19] == ',' || p[19] == '.') &&
        digits(p + 14, 2) && digits(p + 17, 2) && digits(p + 20, 3)) {
        int mi = (p[14] - '0') * 10 + (p[15] - '0');
        int se = (p[17] - '0') * 10 + (p[18] - '0');
        int ms = (p[20] - '0') * 100 + (p[21] - '0') * 10 + (p[22] - '0');

        if (mi <= 59 && se <= 60) {
            *out = g->memo_base + (mi * 60 + se) * 1000LL + ms;
            return true;
        }
    }
    if (mcp_time_parse_python(p, n, out) > 0) {
        memcpy(g->memo, p, 14);
        g->memo_base = *out - ((p[14] - '0') * 600 + (p[15] - '0') * 60 +
                               (p[17] - '0') * 10 + (p[18] - '0')) * 1000LL -
                       ((p[20] - '0') * 100 + (p[21] - '0') * 10 +
                        (p[22] - '0'));
        g->memo_ok = true;
        return true;
    }
    return mcp_time_parse_iso(p, n, out) > 0;
}

/* Lines accepted at once are told by runs: the first and the last. */
static void run_flush(struct mcp_timeguard *g)
{
    if (!g->run_on)
        return;
    g->run_on = false;
    if (g->fn == NULL)
        return;
    g->fn(&g->run_first, g->arg);
    if (g->run_last.lineno != g->run_first.lineno ||
        g->run_last.input != g->run_first.input)
        g->fn(&g->run_last, g->arg);
}

void mcp_timeguard_chunk(struct mcp_timeguard *g, uint64_t source,
                         uint32_t input, const struct mcp_chunk *c,
                         struct mcp_batch *in, struct mcp_batch *out)
{
    struct source *s = find_source(g, source);
    const char *p = c->data, *end = c->data + c->len;
    uint64_t lineno = c->first_line;
    uint64_t cur = c->carry_ts != MCP_TIME_NONE ? s->rec : NO_REC;
    size_t e = 0;

    g->nov = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *next = nl ? nl + 1 : end;
        uint64_t off = c->offset + (uint64_t)(p - c->data);
        int64_t own;

        if (line_time(g, p, (size_t)(next - p), &own)) {
            int64_t R = ref(g);

            /* The source ends with this record from now on; telling it
             * (now or later) updates what the source remembers. */
            s->rec = g->nseq;
            s->ts = own;
            s->kind = MCP_TG_OWN;
            if (g->qh == g->qn &&
                (!g->live || g->ceiling == MCP_TIME_NONE ||
                 own <= g->ceiling) &&
                (R == MCP_TIME_NONE || own <= R + MCP_TIME_JUMP_MS)) {
                /* The common case: accepted at once. */
                struct mcp_tg_line l = {input, lineno, own, own,
                                        MCP_TG_OWN};

                if (g->clock == MCP_TIME_NONE || own > g->clock)
                    g->clock = own;
                cur = g->nseq++;
                if (!g->run_on)
                    g->run_first = l;
                g->run_last = l;
                g->run_on = true;
            } else {
                run_flush(g);
                cur = add_line(g, input, lineno, off, own);
            }
        }
        while (e < in->n &&
               in->ev[e]->offset < off + (uint64_t)(next - p))
            place(g, in->ev[e++], cur, s, out);
        lineno++;
        p = next;
    }
    while (e < in->n)
        place(g, in->ev[e++], cur, s, out);
    run_flush(g);
    in->n = 0;
    in->bytes = 0;
    if (g->live) {
        flush_live(g, out);
        return;
    }
    while (g->hbytes > MCP_TIMEGUARD_HOLD && g->dh < g->qn) {
        force(g, false);
        tell_ready(g);
        release(g, out);
    }
    release(g, out);
}

void mcp_timeguard_finish(struct mcp_timeguard *g, struct mcp_batch *out)
{
    while (g->dh < g->qn) {
        force(g, true);
        tell_ready(g);
    }
    tell_ready(g);
    release(g, out);
    for (int i = 0; i < NSOURCES; i++)
        g->src[i].used = 0;
}

int64_t mcp_timeguard_line_time(const struct mcp_timeguard *g,
                                uint64_t offset, int64_t own)
{
    for (size_t i = 0; i < g->nov; i++)
        if (g->ov[i].offset == offset)
            return g->ov[i].ts;
    return own;
}
