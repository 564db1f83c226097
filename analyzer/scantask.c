/* scantask.c - the bodies of scan's tasks (the scheduler and the bounds
 * are in scanpool.c): read a file's next job, match a job, judge a
 * family's jobs in time, and report each file as it ends.
 */
#include "scanpool_int.h"

#include <stdlib.h>
#include <string.h>

#include "base/textout.h"
#include "base/timeparse.h"
#include "base/util.h"

static void warn_input(const char *what, const char *msg)
{
    struct mcp_buf b;

    mcp_buf_init(&b);
    mcp_sanitize_term(&b, msg, strlen(msg));
    mcp_warnf("%s%s", what, b.data ? b.data : "");
    mcp_buf_free(&b);
}

/* Write the ended files' figures into the log set and print their
 * warnings, in file order. (Their first and last times come from the
 * guard: on_line_time.) */
static void report(struct mcp_scanpool *p, struct fam *f)
{
    while (f->report < f->n && f->src[f->report].ended) {
        struct src *s = &f->src[f->report++];
        struct mcp_input *in = &p->ls->inputs[s->input];
        const char *damage = s->open_err ? s->open_err : s->end.damage;

        if (s->open_err == NULL) {
            in->compressed = s->end.compressed;
            in->file_bytes = s->end.file_bytes;
            in->bytes = s->end.bytes;
            in->lines = s->end.lines;
            in->long_lines = s->end.long_lines;
        }
        if (damage != NULL) {
            in->damaged = true;
            in->damage = mcp_strdup(damage);
            warn_input("", damage);
        }
        if (s->end.note != NULL) {
            in->note = s->end.note;
            s->end.note = NULL;
            warn_input("warning: ", in->note);
        }
        free(s->open_err);
        s->open_err = NULL;
        free(s->end.damage);
        s->end.damage = NULL;
    }
}

/* The time each line with its own time carries (the guard's verdict):
 * the input's first and last times, and its time jumps. Called by the
 * worker that holds the family's guard. */
void mcp_scantask_line_time(const struct mcp_tg_line *l, void *arg)
{
    struct mcp_scanpool *p = arg;
    struct mcp_input *in = &p->ls->inputs[l->input];

    if (in->first_ts == MCP_TIME_NONE)
        in->first_ts = l->ts;
    in->last_ts = l->ts;
    if (l->kind != MCP_TG_OWN)
        in->time_jumps++;
}

/* Whether f's guard has work: its next job in order is matched, or every
 * job is judged and the guard is not finished yet. Moves the guard past
 * ended files it has judged. */
bool mcp_scantask_judge_ready(struct fam *f)
{
    if (f->guard_busy || f->guard_done)
        return false;
    while (f->gsrc < f->n && f->src[f->gsrc].judge == NULL &&
           f->src[f->gsrc].ended)
        f->gsrc++;
    if (f->gsrc == f->n)
        return true;
    return f->src[f->gsrc].judge != NULL &&
           f->src[f->gsrc].judge->state == J_MATCHED;
}

static struct mcp_chunks *spare_get(struct mcp_scanpool *p)
{
    if (p->nspare > 0)
        return p->spare[--p->nspare];
    return mcp_calloc(1, sizeof(struct mcp_chunks));
}

static void spare_put(struct mcp_scanpool *p, struct mcp_chunks *cs)
{
    if (p->nspare < p->nw + p->nfam) {
        p->spare[p->nspare++] = cs;
        return;
    }
    mcp_chunks_free(cs);
    free(cs);
}

/* Read the next job of s (the lock is held on entry and on return). */
void mcp_scantask_read(struct mcp_scanpool *p, struct fam *f, struct src *s)
{
    struct job *j = mcp_calloc(1, sizeof(*j));
    struct mcp_prefetch *pf = s->pf;
    struct mcp_prefetch_end end;
    const struct mcp_input *in = &p->ls->inputs[s->input];
    char err[MCP_ERRLEN] = "";
    int more = 0;

    memset(&end, 0, sizeof(end));
    j->raw = spare_get(p);
    j->input = s->input;
    s->busy = true;
    f->raw++;
    if (!s->open) {
        s->open = true;
        p->opened++;
    }
    pthread_mutex_unlock(&p->mu);
    /* Cancelled (`mcplog mcp`): the file ends here, unread. */
    if (p->cancel != NULL && atomic_load(p->cancel)) {
        /* nothing read: more stays 0 */
    } else {
        if (pf == NULL)
            pf = mcp_prefetch_open(in, p->max_line, p->max_inflate, err);
        if (pf != NULL)
            more = mcp_prefetch_fill(pf, j->raw, &end);
    }
    if (!more) {
        mcp_prefetch_close(pf);
        pf = NULL;
    }
    pthread_mutex_lock(&p->mu);
    s->pf = pf;
    s->busy = false;
    if (j->raw->n == 0) {
        f->raw--;
        spare_put(p, j->raw);
        free(j);
    } else {
        j->state = J_READY;
        if (s->tail != NULL)
            s->tail->next = j;
        else
            s->head = j;
        s->tail = j;
        if (s->judge == NULL)
            s->judge = j;
        if (p->queue_tail != NULL)
            p->queue_tail->qnext = j;
        else
            p->queue = j;
        p->queue_tail = j;
    }
    if (!more) {
        s->open = false;
        p->opened--;
        if (err[0] != '\0')
            s->open_err = mcp_strdup(err);
        else
            s->end = end;
        s->ended = true;
        while (f->first < f->n && f->src[f->first].ended)
            f->first++;
        report(p, f);
        mcp_scanpool_wake_merge(p);
    }
    mcp_scanpool_wake_worker(p);
}

/* Match job j (the lock is not held). */
void mcp_scantask_match(struct worker *w, struct job *j)
{
    const struct mcp_input *in = &w->pool->ls->inputs[j->input];
    struct mcp_chunks *cs = j->raw;

    if (w->selected != j->input) {
        mcp_matcher_select(w->m, in->role, in->role_name, in->base,
                           (uint32_t)j->input);
        mcp_matcher_server(w->m, in->server);
        if (in->format != MCP_FMT_TEXT)
            mcp_matcher_structured(w->m, true); /* record lines */
        w->selected = j->input;
    }
    for (size_t i = 0; i < cs->n; i++) {
        struct mcp_chunk c = cs->chunk[i];

        c.data = cs->buf + cs->at[i];
        mcp_matcher_chunk(w->m, &c, &j->out);
        cs->evend[i] = j->out.n;
    }
}

/* scan's line_times: count chunk c's lines by their own time
 * (continuation lines at their record's) and give each of its events, in
 * `in` in line order, the own time of the line before it. The family's
 * chunks come here in order, from the worker that holds its guard. */
static void line_times(struct fam *f, const struct mcp_chunk *c,
                       struct mcp_batch *in)
{
    const char *p = c->data, *end = c->data + c->len;
    uint64_t lineno = c->first_line;
    size_t k = 0;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        int64_t ts;

        while (k < in->n && in->ev[k]->lineno <= lineno) {
            if (in->ev[k]->lineno == lineno)
                in->ev[k]->prev_ts = f->prev_own;
            k++;
        }
        if (len > 0 && *p >= '0' && *p <= '9' &&
            mcp_time_parse_prefix(p, len, &ts) > 0)
            f->prev_own = ts;
        if (f->prev_own != MCP_TIME_NONE)
            mcp_timebins_add(f->line_bins, f->prev_own, 1);
        lineno++;
        p = nl ? nl + 1 : end;
    }
}

/* Judge job j's chunks in order (the lock is not held; the worker holds
 * the family's guard): its matched events are replaced by the judged
 * ones, which may include events of earlier jobs the guard held. */
static void judge_job(struct fam *f, struct job *j)
{
    struct mcp_chunks *cs = j->raw;
    struct mcp_batch found = j->out, judged;
    size_t from = 0;

    mcp_batch_init(&judged);
    for (size_t i = 0; i < cs->n; i++) {
        struct mcp_chunk c = cs->chunk[i];
        struct mcp_batch in;

        c.data = cs->buf + cs->at[i];
        mcp_batch_init(&in);
        in.ev = found.ev + from;
        in.n = in.cap = cs->evend[i] - from;
        if (f->line_bins != NULL)
            line_times(f, &c, &in);
        mcp_timeguard_chunk(f->guard, j->input, (uint32_t)j->input, &c, &in,
                            &judged);
        from = cs->evend[i];
    }
    free(found.ev); /* the events moved to `judged` or into the guard */
    j->out = judged;
}

/* The lock is held on entry and on return, and judge_ready(f) is true:
 * judge f's jobs in order while the next one is matched; at the end of the
 * family, finish its guard (what it still held goes to f->rest). */
void mcp_scantask_judge(struct mcp_scanpool *p, struct fam *f)
{
    do {
        struct src *s;
        struct job *j;

        f->guard_busy = true;
        if (f->gsrc == f->n) {
            pthread_mutex_unlock(&p->mu);
            mcp_timeguard_finish(f->guard, &f->rest);
            pthread_mutex_lock(&p->mu);
            f->guard_done = true;
            f->guard_busy = false;
            mcp_scanpool_wake_merge(p);
            return;
        }
        s = &f->src[f->gsrc];
        j = s->judge;
        s->held -= j->out.bytes; /* counted again once judged */
        pthread_mutex_unlock(&p->mu);
        judge_job(f, j);
        pthread_mutex_lock(&p->mu);
        s->judge = j->next;
        j->state = J_DONE;
        s->held += j->out.bytes;
        f->raw--;
        spare_put(p, j->raw);
        j->raw = NULL;
        f->guard_busy = false;
        mcp_scanpool_wake_merge(p);
        mcp_scanpool_wake_worker(p);
    } while (mcp_scantask_judge_ready(f));
}

