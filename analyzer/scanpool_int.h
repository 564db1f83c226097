/* scanpool_int.h - what scanpool.c (the scheduler) shares with
 * scantask.c (the tasks' bodies). Internal to scan's pool. The lock
 * (p->mu) guards every field; "the lock is held" below means p->mu.
 */
#ifndef MCP_SCANPOOL_INT_H
#define MCP_SCANPOOL_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "match/event.h"
#include "input/logset.h"
#include "match/matcher.h"
#include "input/prefetch.h"
#include "match/rules.h"
#include "match/timeguard.h"
#include "base/timebins.h"

enum { J_READY, J_RUNNING, J_MATCHED, J_DONE };

struct job {
    size_t input;
    struct mcp_chunks *raw;     /* until judged */
    struct mcp_batch out;       /* matched events, then judged ones */
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
    struct job *judge;          /* its next job to judge, or NULL */
    size_t held;                /* bytes of its matched, unmerged events */
};

struct fam {
    struct src *src;
    size_t n;
    size_t first;               /* earliest file not ended: the head */
    size_t cons;                /* the file the merge reads (<= first) */
    size_t report;              /* the next file to report */
    size_t raw;                 /* jobs being read, or read, not judged */
    struct mcp_timeguard *guard;
    size_t gsrc;                /* the file the guard is in */
    bool guard_busy;            /* a worker judges this family's jobs */
    bool guard_done;            /* finished: `rest` holds what it held */
    struct mcp_batch rest;
    /* scan's line_times (the worker judging the family owns them): */
    struct mcp_timebins *line_bins; /* its lines by time, or NULL */
    int64_t prev_own;           /* the last own time of its lines */
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
    const atomic_bool *cancel;  /* set: read no more (scanpool.h) */
    struct fam *fam;
    size_t nfam;
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    struct job *queue, *queue_tail; /* jobs to match */
    struct mcp_chunks **spare;  /* chunk buffers for reuse */
    size_t nspare;
    size_t opened;              /* files open or opening */
    size_t raw_jobs;            /* bound of unjudged jobs per family */
    size_t idle;                /* workers waiting on `work` */
    bool merge_waits;           /* the merge waits on `done` */
    struct worker *w;
    size_t nw;
};

/* Wake a waiting worker (it wakes the next if there is more to do), and
 * the merge if it waits: fewer wake-ups than broadcasting each change.
 * The lock is held. */
static inline void mcp_scanpool_wake_worker(struct mcp_scanpool *p)
{
    if (p->idle > 0)
        pthread_cond_signal(&p->work);
}

static inline void mcp_scanpool_wake_merge(struct mcp_scanpool *p)
{
    if (p->merge_waits)
        pthread_cond_signal(&p->done);
}

/* Read the next job of s, opening it first if needed; when s ends, its
 * figures and warnings are reported (in file order). The lock is held on
 * entry and on return (released while reading). */
void mcp_scantask_read(struct mcp_scanpool *p, struct fam *f, struct src *s);

/* Match job j with w's matcher; the lock is not held (j is the caller's
 * while J_RUNNING). */
void mcp_scantask_match(struct worker *w, struct job *j);

/* Whether f's guard has work (its next job in order is matched, or every
 * job is judged and the guard not finished); moves the guard past the
 * ended files it has judged. The lock is held. */
bool mcp_scantask_judge_ready(struct fam *f);

/* Judge f's jobs in order while the next one is matched; at the end of
 * the family, finish its guard (what it held goes to f->rest). The lock
 * is held on entry and on return, and mcp_scantask_judge_ready(f) was
 * true. */
void mcp_scantask_judge(struct mcp_scanpool *p, struct fam *f);

/* The guard's callback (arg: the pool): an input's first and last times
 * and its time jumps. */
void mcp_scantask_line_time(const struct mcp_tg_line *l, void *arg);

#endif
