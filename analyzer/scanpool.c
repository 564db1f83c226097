/* scanpool.c - scan's workers (spec: scanpool.h).
 *
 * Everything below is guarded by one mutex; a task runs outside it.
 *
 * A job is one group of chunks of one file (prefetch.h). It is read, then
 * matched (any worker), then judged in time by its family's guard
 * (timeguard.h: the family's lines are one stream, so its jobs are judged
 * one at a time, in file and line order), then merged. Once judged, its
 * text goes back to the spare list and only its events wait for the
 * merge.
 *
 * Tasks, in the order a worker looks for them:
 *  1. judge the next jobs of a family whose guard is free and whose next
 *     job (in order) is matched; at the family's end, finish its guard;
 *  2. match the oldest job waiting to be matched;
 *  3. read the next job of a family's earliest unfinished file (its head);
 *  4. read the next job of a later file of a family.
 * A worker with nothing to do waits on `work`; the merge waits on `done`.
 *
 * Bounds (per family): raw_jobs jobs read and not judged yet (RAW_JOBS, or
 * 4 more than the workers if that is more; RESERVE of them only for the
 * head); HEAD_EVENTS bytes of matched events of the head and the ended
 * files before it waiting for the merge, HEAD_EVENTS + LATER_EVENTS in
 * all (counted from the match on: events can be far larger than their
 * text); EXTRA_OPEN files open beyond the heads (in all). Progress: the
 * merge waits for the next job of the file it is in. That job is being
 * read, matched or judged (matching never waits; a matched job that is
 * next in order can always be judged), or the file is the family's head
 * without a job: its own events are then 0 and the jobs of later files
 * leave it RESERVE, so the head can read. No task waits for anything, so
 * the merge always gets its next job, and memory does not grow with the
 * input (the guard's own hold is bounded by MCP_TIMEGUARD_HOLD).
 *
 * Order: each file's jobs are kept in a list in reading order; the guard
 * and the merge take a family's files in order and each file's jobs in
 * order. Warnings (open failures, damage, notes) are printed when a file
 * ends and all earlier files of its family have been reported, in file
 * order as when one thread read each family.
 */
#include "scanpool.h"

#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scanpool_int.h"
#include "base/util.h"

#define RAW_JOBS 6
#define RESERVE 2
#define HEAD_EVENTS (512u << 10)
#define LATER_EVENTS (1u << 20)
#define EXTRA_OPEN 1
#define MAX_THREADS 64

unsigned mcp_scanpool_threads(void)
{
    const char *e = getenv("MCPLOG_SCAN_THREADS");
    long n;

    if (e != NULL && *e != '\0') {
        char *end;

        n = strtol(e, &end, 10);
        if (*end == '\0' && n >= 1 && n <= MAX_THREADS)
            return (unsigned)n;
    }
    n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 16 ? 16 : (unsigned)n;
}

/* Open files that are not their family's head. */
static size_t extra_open(const struct mcp_scanpool *p)
{
    size_t heads = 0;

    for (size_t i = 0; i < p->nfam; i++) {
        const struct fam *f = &p->fam[i];

        if (f->first < f->n && f->src[f->first].open)
            heads++;
    }
    return p->opened - heads;
}

/* Judged events waiting in files [from, to). */
static size_t held(const struct fam *f, size_t from, size_t to)
{
    size_t sum = 0;

    for (size_t k = from; k < to && k < f->n; k++)
        sum += f->src[k].held;
    return sum;
}

/* A file to read next (family in *out), or NULL: a head if one may read,
 * else a later file. */
static struct src *pick_read(struct mcp_scanpool *p, struct fam **out)
{
    for (size_t i = 0; i < p->nfam; i++) {
        struct fam *f = &p->fam[i];
        struct src *s = &f->src[f->first];

        if (f->first < f->n && !s->busy && f->raw < p->raw_jobs &&
            held(f, f->cons, f->first + 1) < HEAD_EVENTS) {
            *out = f;
            return s;
        }
    }
    for (size_t i = 0; i < p->nfam; i++) {
        struct fam *f = &p->fam[i];

        if (f->raw + RESERVE >= p->raw_jobs ||
            held(f, f->cons, f->n) >= HEAD_EVENTS + LATER_EVENTS)
            continue;
        for (size_t k = f->first + 1; k < f->n; k++) {
            struct src *s = &f->src[k];

            if (s->ended || s->busy)
                continue;
            if (!s->open && extra_open(p) >= EXTRA_OPEN)
                break;
            *out = f;
            return s;
        }
    }
    return NULL;
}

/* The file of input i. */
static struct src *src_of(struct mcp_scanpool *p, size_t i)
{
    size_t fi = (size_t)p->ls->inputs[i].family;

    return &p->fam[fi].src[i - p->ls->families[fi].first];
}

/* A family whose guard has work, or NULL. */
static struct fam *pick_judge(struct mcp_scanpool *p)
{
    for (size_t i = 0; i < p->nfam; i++)
        if (mcp_scantask_judge_ready(&p->fam[i]))
            return &p->fam[i];
    return NULL;
}

/* Every file read and every guard finished: nothing more to do. */
static bool all_done(const struct mcp_scanpool *p)
{
    for (size_t i = 0; i < p->nfam; i++)
        if (p->fam[i].first < p->fam[i].n || !p->fam[i].guard_done)
            return false;
    return true;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct mcp_scanpool *p = w->pool;

    pthread_mutex_lock(&p->mu);
    for (;;) {
        struct job *j = p->queue;
        struct fam *f = NULL;
        struct src *s;

        if ((f = pick_judge(p)) != NULL) {
            mcp_scantask_judge(p, f);
            continue;
        }
        if (j != NULL) {
            p->queue = j->qnext;
            if (p->queue == NULL)
                p->queue_tail = NULL;
            j->state = J_RUNNING;
            if (p->queue != NULL)
                mcp_scanpool_wake_worker(p);
            pthread_mutex_unlock(&p->mu);
            mcp_scantask_match(w, j);
            pthread_mutex_lock(&p->mu);
            j->state = J_MATCHED;
            src_of(p, j->input)->held += j->out.bytes;
            mcp_scanpool_wake_worker(p);
            continue;
        }
        if ((s = pick_read(p, &f)) != NULL) {
            mcp_scantask_read(p, f, s);
            continue;
        }
        if (all_done(p))
            break;
        p->idle++;
        pthread_cond_wait(&p->work, &p->mu);
        p->idle--;
    }
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

struct mcp_batch *mcp_scanpool_next(struct mcp_scanpool *p, size_t fi)
{
    struct fam *f = &p->fam[fi];
    struct mcp_batch *b = NULL;

    pthread_mutex_lock(&p->mu);
    while (b == NULL) {
        struct src *s = f->cons < f->n ? &f->src[f->cons] : NULL;
        struct job *j = s != NULL ? s->head : NULL;

        if (s != NULL && j == NULL && s->ended) {
            f->cons++;
            continue;
        }
        if (s == NULL && f->guard_done) {
            /* The end: what the guard held until it finished. */
            if (f->rest.n > 0) {
                b = mcp_calloc(1, sizeof(*b));
                *b = f->rest;
                mcp_batch_init(&f->rest);
            }
            break;
        }
        if (s == NULL || j == NULL || j->state != J_DONE) {
            p->merge_waits = true;
            pthread_cond_wait(&p->done, &p->mu);
            p->merge_waits = false;
            continue;
        }
        s->head = j->next;
        if (s->head == NULL)
            s->tail = NULL;
        s->held -= j->out.bytes;
        mcp_scanpool_wake_worker(p);
        if (j->out.n > 0) {
            b = mcp_calloc(1, sizeof(*b));
            *b = j->out;
        } else {
            mcp_batch_free(&j->out);
        }
        free(j);
    }
    pthread_mutex_unlock(&p->mu);
    return b;
}

struct mcp_scanpool *mcp_scanpool_start(struct mcp_logset *ls,
                                        const struct mcp_ruleset *rs,
                                        size_t max_line, unsigned max_inflate,
                                        unsigned threads,
                                        struct mcp_timebins *line_bins,
                                        const atomic_bool *cancel, char *err)
{
    struct mcp_scanpool *p = mcp_calloc(1, sizeof(*p));

    p->cancel = cancel;
    p->ls = ls;
    p->rs = rs;
    p->max_line = max_line;
    p->max_inflate = max_inflate;
    p->nfam = ls->nfam;
    p->fam = mcp_calloc(p->nfam + 1, sizeof(*p->fam));
    for (size_t i = 0; i < p->nfam; i++) {
        struct fam *f = &p->fam[i];

        f->n = ls->families[i].count;
        f->src = mcp_calloc(f->n + 1, sizeof(*f->src));
        for (size_t k = 0; k < f->n; k++)
            f->src[k].input = ls->families[i].first + k;
        f->guard = mcp_timeguard_create(false, mcp_scantask_line_time, p);
        f->line_bins = line_bins != NULL ? &line_bins[i] : NULL;
        f->prev_own = MCP_TIME_NONE;
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->done, NULL);
    if (threads == 0)
        threads = mcp_scanpool_threads();
    /* Events are allocated by the workers and freed by the merge. With an
     * arena per thread (glibc's default), each arena keeps its own
     * high-water mark of the events in flight: 2 workers cost 3-5 MiB
     * more RSS than 1. One arena keeps one mark; the CPU time is the same
     * (tcache takes most allocations without the lock). */
    mallopt(M_ARENA_MAX, 1);
    p->raw_jobs = threads + 4 > RAW_JOBS ? threads + 4 : RAW_JOBS;
    p->w = mcp_calloc(threads, sizeof(*p->w));
    p->spare = mcp_calloc(threads + p->nfam, sizeof(*p->spare));
    pthread_mutex_lock(&p->mu);
    for (unsigned i = 0; i < threads; i++) {
        struct worker *w = &p->w[p->nw];

        w->pool = p;
        w->m = mcp_matcher_create(rs);
        w->selected = SIZE_MAX;
        if (pthread_create(&w->tid, NULL, worker_main, w) != 0) {
            mcp_matcher_destroy(w->m);
            break;
        }
        p->nw++;
    }
    pthread_mutex_unlock(&p->mu);
    if (p->nw == 0) {
        mcp_errf(err, "cannot start a reader thread");
        mcp_scanpool_finish(p, NULL);
        return NULL;
    }
    return p;
}

void mcp_scanpool_finish(struct mcp_scanpool *p, uint64_t *limit_errors)
{
    for (size_t i = 0; i < p->nw; i++) {
        pthread_join(p->w[i].tid, NULL);
        for (size_t r = 0; limit_errors != NULL && r < p->rs->n; r++)
            limit_errors[r] += mcp_matcher_limit_errors(p->w[i].m, r);
        mcp_matcher_destroy(p->w[i].m);
    }
    while (p->nspare > 0) {
        struct mcp_chunks *cs = p->spare[--p->nspare];

        mcp_chunks_free(cs);
        free(cs);
    }
    for (size_t i = 0; i < p->nfam; i++) {
        mcp_timeguard_destroy(p->fam[i].guard);
        mcp_batch_free(&p->fam[i].rest);
        free(p->fam[i].src);
    }
    free(p->fam);
    free(p->spare);
    free(p->w);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->work);
    pthread_cond_destroy(&p->done);
    free(p);
}
