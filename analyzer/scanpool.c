/* scanpool.c - scan's workers (spec: scanpool.h).
 *
 * Everything below is guarded by one mutex; a task runs outside it.
 *
 * A job is one group of chunks of one file (prefetch.h): read, then
 * matched, then merged. Once matched, its chunks' buffer goes back to the
 * spare list and only its events wait for the merge: they are several
 * times smaller than the text they came from, which is what lets a later
 * file be read and matched well ahead of the merge.
 *
 * Tasks, in the order a worker looks for them:
 *  1. match the oldest job waiting to be matched;
 *  2. read the next job of a family's earliest unfinished file (its head);
 *  3. read the next job of a later file of a family.
 * A worker with nothing to do waits on `work`; the merge waits on `done`.
 *
 * Bounds (per family): raw_jobs jobs read and not matched yet (RAW_JOBS,
 * or 2 more than the workers if that is more; one of them only for the
 * head); HEAD_EVENTS bytes of matched events of the head and
 * the ended files before it waiting for the merge; LATER_EVENTS bytes of
 * those of later files; EXTRA_OPEN files open beyond the heads (in all).
 * Progress: the merge waits for a job of the file it is in. That job is
 * being read or matched, or the file is the family's head with no matched
 * job: its own events are then 0, a raw job always gets matched (matching
 * never waits), so the head can read. No task waits for anything, so the
 * merge always gets its next job, and memory does not grow with the
 * input.
 *
 * Order: each file's jobs are kept in a list in reading order; the merge
 * takes a family's files in order and each file's jobs in order. Warnings
 * (open failures, damage, notes) are printed when a file ends and all
 * earlier files of its family have been reported, in file order as when
 * one thread read each family.
 */
#include "scanpool.h"

#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "matcher.h"
#include "prefetch.h"
#include "textout.h"
#include "util.h"

#define RAW_JOBS 4
#define HEAD_EVENTS (512u << 10)
#define LATER_EVENTS (1u << 20)
#define EXTRA_OPEN 1
#define MAX_THREADS 64

enum { J_READY, J_RUNNING, J_DONE };

struct job {
    size_t input;
    struct mcp_chunks *raw;     /* until matched */
    struct mcp_batch out;
    int state;
    struct job *next;           /* in its file's list */
    struct job *qnext;          /* in the queue to match */
};

struct src {
    size_t input;
    struct mcp_prefetch *pf;    /* the reading worker's */
    bool open;                  /* pf is set, or being set */
    bool busy;                  /* a worker reads it now */
    bool ended;                 /* every job of it has been read */
    char *open_err;             /* it could not be opened */
    struct mcp_prefetch_end end;
    struct job *head, *tail;
    size_t held;                /* bytes of its matched, unmerged events */
};

struct fam {
    struct src *src;
    size_t n;
    size_t first;               /* earliest file not ended: the head */
    size_t cons;                /* the file the merge reads (<= first) */
    size_t report;              /* the next file to report */
    size_t raw;                 /* jobs being read, or read and unmatched */
};

struct worker {
    struct mcp_scanpool *pool;
    pthread_t tid;
    struct mcp_matcher *m;
    size_t selected;            /* input the matcher is set for */
};

struct mcp_scanpool {
    struct mcp_logset *ls;
    const struct mcp_ruleset *rs;
    size_t max_line;
    unsigned max_inflate;
    struct fam *fam;
    size_t nfam;
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    struct job *queue, *queue_tail; /* jobs to match */
    struct mcp_chunks **spare;  /* chunk buffers for reuse */
    size_t nspare;
    size_t opened;              /* files open or opening */
    size_t raw_jobs;            /* bound of unmatched jobs per family */
    size_t idle;                /* workers waiting on `work` */
    bool merge_waits;           /* the merge waits on `done` */
    struct worker *w;
    size_t nw;
};

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

static void warn_input(const char *what, const char *msg)
{
    struct mcp_buf b;

    mcp_buf_init(&b);
    mcp_sanitize_term(&b, msg, strlen(msg));
    mcp_warnf("%s%s", what, b.data ? b.data : "");
    mcp_buf_free(&b);
}

/* Write the ended files' figures into the log set and print their
 * warnings, in file order. */
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
            in->first_ts = s->end.first_ts;
            in->last_ts = s->end.last_ts;
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

/* Wake a waiting worker (it wakes the next if there is more to do), and
 * the merge if it waits: fewer wake-ups than broadcasting each change. */
static void wake_worker(struct mcp_scanpool *p)
{
    if (p->idle > 0)
        pthread_cond_signal(&p->work);
}

static void wake_merge(struct mcp_scanpool *p)
{
    if (p->merge_waits)
        pthread_cond_signal(&p->done);
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

/* Matched events waiting in files [from, to). */
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

        if (f->raw + 1 >= p->raw_jobs ||
            held(f, f->first + 1, f->n) >= LATER_EVENTS)
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
static void read_task(struct mcp_scanpool *p, struct fam *f, struct src *s)
{
    struct job *j = mcp_calloc(1, sizeof(*j));
    struct mcp_prefetch *pf = s->pf;
    struct mcp_prefetch_end end;
    const char *path = p->ls->inputs[s->input].path;
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
    if (pf == NULL)
        pf = mcp_prefetch_open(path, p->max_line, p->max_inflate, err);
    if (pf != NULL)
        more = mcp_prefetch_fill(pf, j->raw, &end);
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
        wake_merge(p);
    }
    wake_worker(p);
}

/* Match job j (the lock is not held). */
static void match_task(struct worker *w, struct job *j)
{
    const struct mcp_input *in = &w->pool->ls->inputs[j->input];
    struct mcp_chunks *cs = j->raw;

    if (w->selected != j->input) {
        mcp_matcher_select(w->m, in->role, in->role_name, in->base,
                           (uint32_t)j->input);
        w->selected = j->input;
    }
    for (size_t i = 0; i < cs->n; i++) {
        struct mcp_chunk c = cs->chunk[i];

        c.data = cs->buf + cs->at[i];
        mcp_matcher_chunk(w->m, &c, &j->out);
    }
}

static struct src *src_of(struct mcp_scanpool *p, size_t input,
                          struct fam **out)
{
    struct fam *f = &p->fam[p->ls->inputs[input].family];

    *out = f;
    return &f->src[input - p->ls->families[f - p->fam].first];
}

static bool all_read(const struct mcp_scanpool *p)
{
    for (size_t i = 0; i < p->nfam; i++)
        if (p->fam[i].first < p->fam[i].n)
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

        if (j != NULL) {
            p->queue = j->qnext;
            if (p->queue == NULL)
                p->queue_tail = NULL;
            j->state = J_RUNNING;
            if (p->queue != NULL)
                wake_worker(p);
            pthread_mutex_unlock(&p->mu);
            match_task(w, j);
            pthread_mutex_lock(&p->mu);
            j->state = J_DONE;
            s = src_of(p, j->input, &f);
            s->held += j->out.bytes;
            f->raw--;
            spare_put(p, j->raw);
            j->raw = NULL;
            wake_merge(p);
            wake_worker(p);
            continue;
        }
        if ((s = pick_read(p, &f)) != NULL) {
            if (p->queue != NULL)
                wake_worker(p);
            read_task(p, f, s);
            continue;
        }
        if (all_read(p))
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
    while (b == NULL && f->cons < f->n) {
        struct src *s = &f->src[f->cons];
        struct job *j = s->head;

        if (j == NULL && s->ended) {
            f->cons++;
            continue;
        }
        if (j == NULL || j->state != J_DONE) {
            p->merge_waits = true;
            pthread_cond_wait(&p->done, &p->mu);
            p->merge_waits = false;
            continue;
        }
        s->head = j->next;
        if (s->head == NULL)
            s->tail = NULL;
        s->held -= j->out.bytes;
        wake_worker(p);
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
                                        unsigned threads, char *err)
{
    struct mcp_scanpool *p = mcp_calloc(1, sizeof(*p));

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
    p->raw_jobs = threads + 2 > RAW_JOBS ? threads + 2 : RAW_JOBS;
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
    for (size_t i = 0; i < p->nfam; i++)
        free(p->fam[i].src);
    free(p->fam);
    free(p->spare);
    free(p->w);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->work);
    pthread_cond_destroy(&p->done);
    free(p);
}
