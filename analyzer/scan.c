/* scan.c - one thread per log family, a merge by time, one engine. */
#include "scan.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "input/framer.h"
#include "match/matcher.h"
#include "input/prefetch.h"
#include "base/textout.h"
#include "match/timeguard.h"
#include "base/timeparse.h"
#include "base/util.h"

/* A family's queue holds at most this many bytes of events (and always at
 * least one batch), so a fast producer waits for the merge. */
#define QUEUE_BYTES (2u * 1024 * 1024)
#define QUEUE_SLOTS 64
/* A batch is handed over once it holds this much. */
#define BATCH_BYTES (128u * 1024)

struct queue {
    pthread_mutex_t mu;
    pthread_cond_t can_put, can_get;
    struct mcp_batch *slot[QUEUE_SLOTS];
    size_t head, n, bytes;
    bool done;
};

struct family_job {
    struct mcp_logset *ls;
    const struct mcp_ruleset *rs;
    size_t fam;
    size_t max_line;
    unsigned max_inflate;
    struct queue q;
    uint64_t *limit_errors;
    struct mcp_timeguard *guard;  /* the family's lines are one stream */
    struct mcp_batch found;       /* a chunk's events, before the guard */
    struct mcp_timebins *line_bins; /* line_times, else NULL */
    int64_t prev_own;             /* line_times: last own time seen */
    pthread_t tid;
    /* consumer side */
    struct mcp_batch *cur;
    size_t pos;
    bool eof;
};

static void q_put(struct queue *q, struct mcp_batch *b)
{
    pthread_mutex_lock(&q->mu);
    while (q->n == QUEUE_SLOTS || (q->n > 0 && q->bytes >= QUEUE_BYTES))
        pthread_cond_wait(&q->can_put, &q->mu);
    q->slot[(q->head + q->n) % QUEUE_SLOTS] = b;
    q->n++;
    q->bytes += b->bytes;
    pthread_cond_signal(&q->can_get);
    pthread_mutex_unlock(&q->mu);
}

static void q_finish(struct queue *q)
{
    pthread_mutex_lock(&q->mu);
    q->done = true;
    pthread_cond_signal(&q->can_get);
    pthread_mutex_unlock(&q->mu);
}

/* Next batch, or NULL when the producer is done and the queue empty. */
static struct mcp_batch *q_get(struct queue *q)
{
    struct mcp_batch *b = NULL;

    pthread_mutex_lock(&q->mu);
    while (q->n == 0 && !q->done)
        pthread_cond_wait(&q->can_get, &q->mu);
    if (q->n > 0) {
        b = q->slot[q->head];
        q->head = (q->head + 1) % QUEUE_SLOTS;
        q->n--;
        q->bytes -= b->bytes;
        pthread_cond_signal(&q->can_put);
    }
    pthread_mutex_unlock(&q->mu);
    return b;
}

static void flush_batch(struct family_job *j, struct mcp_batch **b)
{
    if ((*b)->n == 0)
        return;
    q_put(&j->q, *b);
    *b = mcp_calloc(1, sizeof(**b));
}

static void warn_input(const char *what, const char *msg)
{
    struct mcp_buf b;

    mcp_buf_init(&b);
    mcp_sanitize_term(&b, msg, strlen(msg));
    mcp_warnf("%s%s", what, b.data ? b.data : "");
    mcp_buf_free(&b);
}

static void mark_damaged(struct mcp_input *in, const char *err)
{
    in->damaged = true;
    in->damage = mcp_strdup(err);
    warn_input("", err);
}

/* line_times: count the chunk's lines by time and give each of its
 * events the own time of the line before it. found holds the chunk's
 * events in line order. */
static void line_times(struct family_job *j, const struct mcp_chunk *c)
{
    const char *p = c->data, *end = c->data + c->len;
    uint64_t lineno = c->first_line;
    size_t k = 0;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        int64_t ts;

        while (k < j->found.n && j->found.ev[k]->lineno <= lineno) {
            if (j->found.ev[k]->lineno == lineno)
                j->found.ev[k]->prev_ts = j->prev_own;
            k++;
        }
        if (len > 0 && *p >= '0' && *p <= '9' &&
            mcp_time_parse_prefix(p, len, &ts) > 0)
            j->prev_own = ts;
        if (j->prev_own != MCP_TIME_NONE)
            mcp_timebins_add(j->line_bins, j->prev_own, 1);
        lineno++;
        p = nl ? nl + 1 : end;
    }
}

/* Frame and match the current file of the prefetcher. */
static void read_input(struct family_job *j, struct mcp_matcher *m,
                       struct mcp_prefetch *pf, size_t idx,
                       struct mcp_batch **batch)
{
    struct mcp_input *in = &j->ls->inputs[idx];
    char err[MCP_ERRLEN] = "";
    struct mcp_framer *f;
    struct mcp_framer_stats st;
    struct mcp_chunk c;
    int rc;

    in->compressed = mcp_prefetch_compressed(pf);
    in->file_bytes = mcp_prefetch_file_size(pf);
    mcp_matcher_select(m, in->role, in->role_name, in->base, (uint32_t)idx);
    f = mcp_framer_create(j->max_line, MCP_FRAMER_RECORDS, mcp_prefetch_read,
                          pf);
    while ((rc = mcp_framer_next(f, &c, err)) == 1) {
        mcp_matcher_chunk(m, &c, &j->found);
        if (j->line_bins != NULL)
            line_times(j, &c);
        mcp_timeguard_chunk(j->guard, idx, (uint32_t)idx, &c, &j->found,
                            *batch);
        if ((*batch)->bytes >= BATCH_BYTES)
            flush_batch(j, batch);
    }
    if (rc < 0)
        mark_damaged(in, err);
    if (mcp_prefetch_warning(pf) != NULL) {
        in->note = mcp_strdup(mcp_prefetch_warning(pf));
        warn_input("warning: ", in->note);
    }
    mcp_framer_stats(f, &st);
    in->bytes = st.bytes;
    in->lines = st.lines;
    in->long_lines = st.long_lines;
    mcp_framer_destroy(f);
}

/* The time each line with its own time carries (the guard's verdict):
 * the input's first and last times, and its time jumps. */
static void on_line_time(const struct mcp_tg_line *l, void *arg)
{
    struct family_job *j = arg;
    struct mcp_input *in = &j->ls->inputs[l->input];

    if (in->first_ts == MCP_TIME_NONE)
        in->first_ts = l->ts;
    in->last_ts = l->ts;
    if (l->kind != MCP_TG_OWN)
        in->time_jumps++;
}

/* A family thread: its files are decoded on a prefetch thread, framed and
 * matched here, judged in time by the family's guard, and handed to the
 * merge in batches. */
static void *family_main(void *arg)
{
    struct family_job *j = arg;
    const struct mcp_family *fam = &j->ls->families[j->fam];
    struct mcp_matcher *m = mcp_matcher_create(j->rs);
    struct mcp_batch *batch = mcp_calloc(1, sizeof(*batch));
    const char **paths = mcp_calloc(fam->count, sizeof(*paths));
    char err[MCP_ERRLEN] = "";
    struct mcp_prefetch *pf;

    for (size_t i = 0; i < fam->count; i++)
        paths[i] = j->ls->inputs[fam->first + i].path;
    pf = mcp_prefetch_start(paths, fam->count, j->max_inflate, err);
    for (size_t i = fam->first; i < fam->first + fam->count; i++) {
        err[0] = '\0';
        if (pf == NULL)
            mark_damaged(&j->ls->inputs[i], "cannot start a decoding thread");
        else if (mcp_prefetch_next(pf, err) != 0)
            mark_damaged(&j->ls->inputs[i], err);
        else
            read_input(j, m, pf, i, &batch);
    }
    mcp_prefetch_stop(pf);
    free(paths);
    mcp_timeguard_finish(j->guard, batch);
    flush_batch(j, &batch);
    mcp_batch_free(batch);
    free(batch);
    for (size_t i = 0; i < j->rs->n; i++)
        j->limit_errors[i] = mcp_matcher_limit_errors(m, i);
    mcp_matcher_destroy(m);
    q_finish(&j->q);
    return NULL;
}

/* The head event of a family, fetching batches as needed; NULL at end. */
static const struct mcp_event *head(struct family_job *j)
{
    while (!j->eof && (j->cur == NULL || j->pos >= j->cur->n)) {
        if (j->cur != NULL) {
            mcp_batch_free(j->cur);
            free(j->cur);
        }
        j->cur = q_get(&j->q);
        j->pos = 0;
        if (j->cur == NULL)
            j->eof = true;
    }
    return j->eof ? NULL : j->cur->ev[j->pos];
}

int mcp_scan_run(struct mcp_logset *ls, const struct mcp_ruleset *rs,
                 const struct mcp_scan_opts *o, struct mcp_scan *out,
                 char *err)
{
    size_t nf = ls->nfam;
    struct family_job *jobs = mcp_calloc(nf ? nf : 1, sizeof(*jobs));
    size_t started = 0;

    memset(out, 0, sizeof(*out));
    out->nline_bins = o->line_times ? nf : 0;
    out->engine = mcp_engine_create(rs, o->on_alert, o->arg);
    mcp_engine_set_repeat(out->engine, o->repeat_ms,
                          MCP_ENGINE_REPEAT_BURST);
    out->limit_errors = mcp_calloc(rs->n + 1, sizeof(uint64_t));
    for (size_t f = 0; f < nf; f++) {
        struct family_job *j = &jobs[f];

        j->ls = ls;
        j->rs = rs;
        j->fam = f;
        j->max_line = o->max_line;
        j->max_inflate = o->max_inflate;
        j->limit_errors = mcp_calloc(rs->n + 1, sizeof(uint64_t));
        j->guard = mcp_timeguard_create(false, on_line_time, j);
        j->prev_own = MCP_TIME_NONE;
        if (o->line_times) {
            if (out->line_bins == NULL)
                out->line_bins = mcp_calloc(nf, sizeof(*out->line_bins));
            j->line_bins = &out->line_bins[f];
            mcp_timebins_init(j->line_bins, MCP_SCAN_LINE_BINS);
        }
        pthread_mutex_init(&j->q.mu, NULL);
        pthread_cond_init(&j->q.can_put, NULL);
        pthread_cond_init(&j->q.can_get, NULL);
        if (pthread_create(&j->tid, NULL, family_main, j) != 0) {
            mcp_errf(err, "cannot start a reader thread");
            break;
        }
        started++;
    }

    /* Merge: always feed the earliest head. Events without a time go
     * first (they take the engine's clock). Ties keep family order. */
    for (;;) {
        struct family_job *best = NULL;
        const struct mcp_event *bev = NULL;

        for (size_t f = 0; f < started; f++) {
            const struct mcp_event *ev = head(&jobs[f]);

            if (ev == NULL)
                continue;
            if (bev == NULL || ev->ts < bev->ts) {
                best = &jobs[f];
                bev = ev;
            }
        }
        if (best == NULL)
            break;
        best->pos++;
        if (bev->ts != MCP_TIME_NONE &&
            ((o->since != MCP_TIME_NONE && bev->ts < o->since) ||
             (o->until != MCP_TIME_NONE && bev->ts >= o->until)))
            continue;
        if (o->on_event != NULL)
            o->on_event(bev, o->arg);
        mcp_engine_feed(out->engine, bev);
    }
    for (size_t f = 0; f < started; f++) {
        struct family_job *j = &jobs[f];

        pthread_join(j->tid, NULL);
        for (size_t i = 0; i < rs->n; i++)
            out->limit_errors[i] += j->limit_errors[i];
    }
    for (size_t f = 0; f < nf; f++) {
        struct family_job *j = &jobs[f];

        if (j->cur != NULL) {
            mcp_batch_free(j->cur);
            free(j->cur);
        }
        free(j->limit_errors);
        mcp_timeguard_destroy(j->guard);
        mcp_batch_free(&j->found);
        if (f < started) {
            pthread_mutex_destroy(&j->q.mu);
            pthread_cond_destroy(&j->q.can_put);
            pthread_cond_destroy(&j->q.can_get);
        }
    }
    free(jobs);
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
    if (end != MCP_TIME_NONE && started == nf)
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
    return started == nf ? 0 : -1;
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
