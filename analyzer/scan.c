/* scan.c - the workers read and match (scanpool.c), a merge by time,
 * one engine. */
#include "scan.h"

#include <stdlib.h>
#include <string.h>

#include "scanpool.h"
#include "base/timeparse.h"
#include "base/util.h"

static bool cancelled(const atomic_bool *c)
{
    return c != NULL && atomic_load(c);
}

/* The merge's place in one family's stream of events. */
struct family_head {
    struct mcp_batch *cur;
    size_t pos;
    bool eof;
};

/* The head event of family f, fetching batches as needed; NULL at end. */
static const struct mcp_event *head(struct mcp_scanpool *pool,
                                    struct family_head *h, size_t f)
{
    while (!h->eof && (h->cur == NULL || h->pos >= h->cur->n)) {
        if (h->cur != NULL) {
            mcp_batch_free(h->cur);
            free(h->cur);
        }
        h->cur = mcp_scanpool_next(pool, f);
        h->pos = 0;
        if (h->cur == NULL)
            h->eof = true;
    }
    return h->eof ? NULL : h->cur->ev[h->pos];
}

int mcp_scan_run(struct mcp_logset *ls, const struct mcp_ruleset *rs,
                 const struct mcp_scan_opts *o, struct mcp_scan *out,
                 char *err)
{
    size_t nf = ls->nfam;
    struct family_head *heads;
    struct mcp_scanpool *pool;

    memset(out, 0, sizeof(*out));
    out->engine = mcp_engine_create(rs, o->on_alert, o->arg);
    mcp_engine_set_repeat(out->engine, o->repeat_ms,
                          MCP_ENGINE_REPEAT_BURST);
    out->limit_errors = mcp_calloc(rs->n + 1, sizeof(uint64_t));
    if (o->line_times) {
        out->nline_bins = nf;
        out->line_bins = mcp_calloc(nf ? nf : 1, sizeof(*out->line_bins));
        for (size_t f = 0; f < nf; f++)
            mcp_timebins_init(&out->line_bins[f], MCP_SCAN_LINE_BINS);
    }
    pool = mcp_scanpool_start(ls, rs, o->max_line, o->max_inflate, 0,
                              out->line_bins, o->cancel, err);
    if (pool == NULL)
        return -1;
    heads = mcp_calloc(nf ? nf : 1, sizeof(*heads));

    /* Merge: always feed the earliest head. Events without a time go
     * first (they take the engine's clock). Ties keep family order. */
    for (;;) {
        struct family_head *best = NULL;
        const struct mcp_event *bev = NULL;

        for (size_t f = 0; f < nf; f++) {
            const struct mcp_event *ev = head(pool, &heads[f], f);

            if (ev == NULL)
                continue;
            if (bev == NULL || ev->ts < bev->ts) {
                best = &heads[f];
                bev = ev;
            }
        }
        if (best == NULL)
            break;
        best->pos++;
        /* Cancelled: the workers read no more; drain what they hold. */
        if (cancelled(o->cancel))
            continue;
        if (bev->ts != MCP_TIME_NONE &&
            ((o->since != MCP_TIME_NONE && bev->ts < o->since) ||
             (o->until != MCP_TIME_NONE && bev->ts >= o->until)))
            continue;
        if (o->server != NULL && !mcp_rules_event_server(rs, bev, o->server))
            continue;
        if (o->on_event != NULL)
            o->on_event(bev, o->arg);
        mcp_engine_feed(out->engine, bev);
    }
    mcp_scanpool_finish(pool, out->limit_errors);
    free(heads); /* every family ran to its end: no batch is left */
    /* The log goes on after its last match: move the clock to the last
     * time any input shows (before --until), so that a startup followed
     * only by unmatched lines is still found never ready, and what
     * resolved before the end is resolved. */
    int64_t end = MCP_TIME_NONE;

    for (size_t i = 0; i < ls->n; i++)
        if (ls->inputs[i].last_ts != MCP_TIME_NONE &&
            (end == MCP_TIME_NONE || ls->inputs[i].last_ts > end))
            end = ls->inputs[i].last_ts;
    if (end != MCP_TIME_NONE && o->until != MCP_TIME_NONE && end >= o->until)
        end = o->until - 1;
    out->cancelled = cancelled(o->cancel);
    if (end != MCP_TIME_NONE && !out->cancelled)
        mcp_engine_advance(out->engine, end);
    for (size_t i = 0; i < ls->n; i++) {
        out->lines += ls->inputs[i].lines;
        out->bytes += ls->inputs[i].bytes;
        out->time_jumps += ls->inputs[i].time_jumps;
        if (ls->inputs[i].damaged)
            out->damaged = true;
    }
    for (size_t i = 0; i < rs->n; i++)
        out->matches += mcp_engine_stats(out->engine, i)->matches;
    return 0;
}

void mcp_scan_free(struct mcp_scan *s)
{
    mcp_engine_destroy(s->engine);
    free(s->limit_errors);
    for (size_t f = 0; s->line_bins != NULL && f < s->nline_bins; f++)
        mcp_timebins_free(&s->line_bins[f]);
    free(s->line_bins);
    memset(s, 0, sizeof(*s));
}
