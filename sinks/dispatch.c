/* dispatch.c - one worker thread and one bounded queue per sink instance
 * (see dispatch.h). Locking: each worker's queue has its own mutex and
 * condition; outcomes go through one mutex-protected list and an eventfd.
 * A sink's ctx is only touched by its worker between init and destroy. */
#include "sinks/dispatch.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"

struct item {
    struct mcp_sink_alert a;
    int64_t queued;            /* monotonic ms */
};

struct outcome {
    size_t sink;
    char *key, *rule, *err;
    enum mcp_alert_status status;
    enum mcp_sink_result result;
    unsigned attempts;
    int64_t elapsed;
    uint64_t dropped;
    int64_t retry_ms;
};

struct worker {
    struct mcp_dispatch *d;
    size_t index;
    struct mcp_sink_conf *conf;
    pthread_t thread;
    bool started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct item *ring;
    size_t cap, head, n;
    bool busy;                 /* an item is out of the ring, in delivery */
    bool closing;
    int64_t deadline;          /* when closing: give up after this */
    uint64_t dropped;
};

struct mcp_dispatch {
    struct mcp_sink_conf *sinks;
    struct worker *w;
    size_t nw;
    int efd;
    bool retries;              /* report each retry too */
    pthread_mutex_t mu;        /* outcomes */
    pthread_cond_t cv;         /* an outcome was added */
    struct outcome *out;
    size_t nout, capout;
};

static char *dup0(const char *s)
{
    return s != NULL ? mcp_strdup(s) : NULL;
}

static void copy_alert(struct mcp_sink_alert *d, const struct mcp_sink_alert *s)
{
    *d = *s;
    d->key = dup0(s->key);
    d->rule = dup0(s->rule);
    d->description = mcp_strdup(s->description ? s->description : "");
    for (int i = 0; i < s->nlabels; i++) {
        d->label_name[i] = dup0(s->label_name[i]);
        d->label_value[i] = dup0(s->label_value[i]);
    }
    d->summary = mcp_strdup(s->summary ? s->summary : "");
    d->last_line = mcp_malloc(s->last_line_len + 1);
    if (s->last_line_len > 0)
        memcpy(d->last_line, s->last_line, s->last_line_len);
    d->last_line[s->last_line_len] = '\0';
    d->context_last = dup0(s->context_last);
    d->source = mcp_strdup(s->source ? s->source : "");
    d->host = mcp_strdup(s->host ? s->host : "");
}

static void cond_init(pthread_cond_t *cv)
{
    pthread_condattr_t ca;

    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(cv, &ca);
    pthread_condattr_destroy(&ca);
}

/* Wait on cv until the monotonic time `until` (ms) or a signal. */
static void wait_until(pthread_cond_t *cv, pthread_mutex_t *mu, int64_t until)
{
    struct timespec ts = {(time_t)(until / 1000),
                          (long)(until % 1000) * 1000000L};

    pthread_cond_timedwait(cv, mu, &ts);
}

static void report(struct mcp_dispatch *d, struct worker *w,
                   const struct item *it, enum mcp_sink_result r,
                   unsigned attempts, const char *err, int64_t retry_ms)
{
    struct outcome *o;
    uint64_t one = 1;

    pthread_mutex_lock(&d->mu);
    if (d->nout == d->capout) {
        d->capout = d->capout ? d->capout * 2 : 16;
        d->out = mcp_realloc(d->out, d->capout * sizeof(*d->out));
    }
    o = &d->out[d->nout++];
    o->sink = w->index;
    o->key = mcp_strdup(it->a.key ? it->a.key : "");
    o->rule = mcp_strdup(it->a.rule ? it->a.rule : "");
    o->err = mcp_strdup(err);
    o->status = it->a.status;
    o->result = r;
    o->attempts = attempts;
    o->retry_ms = retry_ms;
    o->elapsed = mcp_mono_ms() - it->queued;
    pthread_mutex_lock(&w->mu);
    o->dropped = w->dropped;
    pthread_mutex_unlock(&w->mu);
    pthread_cond_broadcast(&d->cv);
    pthread_mutex_unlock(&d->mu);
    (void)!write(d->efd, &one, sizeof(one));
}

/* Deliver one item: emit, and on RETRY back off and emit again. */
static void deliver(struct worker *w, struct item *it)
{
    const struct mcp_sink_ops *ops = w->conf->ops;
    int64_t delay = w->conf->backoff_ms;
    unsigned attempts = 0;
    enum mcp_sink_result r;
    char err[MCP_ERRLEN];

    for (;;) {
        err[0] = '\0';
        attempts++;
        r = ops->emit(w->conf->ctx, &it->a, err);
        if (r != MCP_SINK_RETRY)
            break;
        if (attempts > (unsigned)w->conf->retries)
            break;
        if (w->d->retries)
            report(w->d, w, it, MCP_SINK_RETRY, attempts, err, delay);
        pthread_mutex_lock(&w->mu);
        {
            int64_t until = mcp_mono_ms() + delay;
            bool give_up = false;

            while (mcp_mono_ms() < until) {
                if (w->closing && until > w->deadline) {
                    give_up = true;
                    break;
                }
                wait_until(&w->cv, &w->mu, until);
            }
            pthread_mutex_unlock(&w->mu);
            if (give_up) {
                size_t l = strlen(err);

                snprintf(err + l, MCP_ERRLEN - l, " (no retry: shutting down)");
                break;
            }
        }
        delay = delay * 2 > w->conf->max_backoff_ms ? w->conf->max_backoff_ms
                                                    : delay * 2;
    }
    if (r == MCP_SINK_OK)
        err[0] = '\0';
    else if (err[0] == '\0')
        snprintf(err, sizeof(err), "failed");
    report(w->d, w, it, r == MCP_SINK_RETRY ? MCP_SINK_FAIL : r, attempts,
           err, 0);
}

static void *run(void *arg)
{
    struct worker *w = arg;

    pthread_mutex_lock(&w->mu);
    for (;;) {
        struct item it;

        while (w->n == 0 && !w->closing)
            pthread_cond_wait(&w->cv, &w->mu);
        if (w->n == 0)
            break;
        it = w->ring[w->head];
        w->head = (w->head + 1) % w->cap;
        w->n--;
        pthread_cond_broadcast(&w->cv); /* room for a waiting sender */
        if (w->closing && mcp_mono_ms() > w->deadline) {
            w->dropped++;
            mcp_sink_alert_free(&it.a);
            continue;
        }
        w->busy = true;
        pthread_mutex_unlock(&w->mu);
        deliver(w, &it);
        mcp_sink_alert_free(&it.a);
        pthread_mutex_lock(&w->mu);
        w->busy = false;
        if (w->n == 0 && w->conf->ops->flush != NULL) {
            pthread_mutex_unlock(&w->mu);
            w->conf->ops->flush(w->conf->ctx);
            pthread_mutex_lock(&w->mu);
        }
        pthread_cond_broadcast(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

static void stop_workers(struct mcp_dispatch *d, int64_t grace_ms)
{
    int64_t deadline = mcp_mono_ms() + grace_ms;

    for (size_t i = 0; i < d->nw; i++) {
        struct worker *w = &d->w[i];

        pthread_mutex_lock(&w->mu);
        w->closing = true;
        w->deadline = deadline;
        pthread_cond_broadcast(&w->cv);
        pthread_mutex_unlock(&w->mu);
    }
    for (size_t i = 0; i < d->nw; i++) {
        struct worker *w = &d->w[i];

        if (w->started)
            pthread_join(w->thread, NULL);
        w->started = false;
        if (!w->conf->disabled && w->conf->ops->destroy != NULL &&
            w->conf->ctx != NULL)
            w->conf->ops->destroy(w->conf->ctx);
        while (w->n > 0) {
            mcp_sink_alert_free(&w->ring[w->head].a);
            w->head = (w->head + 1) % w->cap;
            w->n--;
        }
        free(w->ring);
        w->ring = NULL;
        pthread_mutex_destroy(&w->mu);
        pthread_cond_destroy(&w->cv);
    }
}

static void free_outcomes(struct mcp_dispatch *d)
{
    for (size_t i = 0; i < d->nout; i++) {
        free(d->out[i].key);
        free(d->out[i].rule);
        free(d->out[i].err);
    }
    d->nout = 0;
}

struct mcp_dispatch *mcp_dispatch_create(struct mcp_sink_conf *sinks,
                                         size_t n, char *err)
{
    struct mcp_dispatch *d = mcp_calloc(1, sizeof(*d));

    d->sinks = sinks;
    d->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (d->efd < 0) {
        mcp_errf(err, "eventfd: %s", strerror(errno));
        free(d);
        return NULL;
    }
    pthread_mutex_init(&d->mu, NULL);
    cond_init(&d->cv);
    d->w = mcp_calloc(n ? n : 1, sizeof(*d->w));
    for (size_t i = 0; i < n; i++) {
        struct worker *w = &d->w[i];
        struct mcp_sink_conf *s = &sinks[i];
        char cause[MCP_ERRLEN] = "";

        w->d = d;
        w->index = i;
        w->conf = s;
        w->cap = (size_t)s->queue;
        w->ring = mcp_calloc(w->cap, sizeof(*w->ring));
        pthread_mutex_init(&w->mu, NULL);
        cond_init(&w->cv);
        d->nw = i + 1;
        if (s->disabled)
            continue;
        if (s->ops->init != NULL && s->ops->init(s->ctx, s->name, cause) != 0) {
            mcp_errf(err, "%ssink '%s': %s", s->where, s->name,
                     cause[0] ? cause : "cannot start");
            if (s->ops->destroy != NULL)
                s->ops->destroy(s->ctx);
            d->nw = i;
            pthread_mutex_destroy(&w->mu);
            pthread_cond_destroy(&w->cv);
            free(w->ring);
            mcp_dispatch_destroy(d, 0, NULL, NULL);
            return NULL;
        }
        if (pthread_create(&w->thread, NULL, run, w) != 0) {
            mcp_errf(err, "sink '%s': cannot start its thread", s->name);
            mcp_dispatch_destroy(d, 0, NULL, NULL);
            return NULL;
        }
        w->started = true;
    }
    return d;
}

int mcp_dispatch_send(struct mcp_dispatch *d, size_t i,
                      const struct mcp_sink_alert *a, bool wait)
{
    struct worker *w = &d->w[i];
    int rc = 0;

    pthread_mutex_lock(&w->mu);
    while (wait && w->n == w->cap && !w->closing)
        pthread_cond_wait(&w->cv, &w->mu);
    if (w->n == w->cap || w->closing) {
        w->dropped++;
        rc = -1;
    } else {
        struct item *it = &w->ring[(w->head + w->n) % w->cap];

        copy_alert(&it->a, a);
        it->queued = mcp_mono_ms();
        w->n++;
        pthread_cond_broadcast(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
    return rc;
}

void mcp_dispatch_report_retries(struct mcp_dispatch *d)
{
    d->retries = true;
}

int mcp_dispatch_fd(const struct mcp_dispatch *d)
{
    return d->efd;
}

size_t mcp_dispatch_results(struct mcp_dispatch *d, mcp_delivery_fn fn,
                            void *arg)
{
    struct outcome *out;
    size_t n;
    uint64_t v;

    (void)!read(d->efd, &v, sizeof(v));
    pthread_mutex_lock(&d->mu);
    out = d->out;
    n = d->nout;
    d->out = NULL;
    d->nout = d->capout = 0;
    pthread_mutex_unlock(&d->mu);
    for (size_t i = 0; i < n; i++) {
        struct mcp_delivery dl = {
            d->sinks[out[i].sink].name, out[i].key, out[i].rule,
            out[i].status, out[i].result, out[i].attempts, out[i].elapsed,
            out[i].err, out[i].dropped,
            1 + (unsigned)d->sinks[out[i].sink].retries, out[i].retry_ms,
        };

        if (fn != NULL)
            fn(&dl, arg);
        free(out[i].key);
        free(out[i].rule);
        free(out[i].err);
    }
    free(out);
    return n;
}

size_t mcp_dispatch_pending_at(struct mcp_dispatch *d, size_t i)
{
    size_t n;

    if (i >= d->nw)
        return 0;
    pthread_mutex_lock(&d->w[i].mu);
    n = d->w[i].n + (d->w[i].busy ? 1 : 0);
    pthread_mutex_unlock(&d->w[i].mu);
    return n;
}

size_t mcp_dispatch_pending(struct mcp_dispatch *d)
{
    size_t n = 0;

    for (size_t i = 0; i < d->nw; i++)
        n += mcp_dispatch_pending_at(d, i);
    return n;
}

size_t mcp_dispatch_wait(struct mcp_dispatch *d, int64_t timeout_ms,
                         mcp_delivery_fn fn, void *arg)
{
    int64_t until = mcp_mono_ms() + timeout_ms;
    size_t left;

    for (;;) {
        mcp_dispatch_results(d, fn, arg);
        left = mcp_dispatch_pending(d);
        if (left == 0 || mcp_mono_ms() >= until)
            break;
        pthread_mutex_lock(&d->mu);
        if (d->nout == 0) {
            int64_t t = mcp_mono_ms() + 50;

            wait_until(&d->cv, &d->mu, t < until ? t : until);
        }
        pthread_mutex_unlock(&d->mu);
    }
    mcp_dispatch_results(d, fn, arg);
    return left;
}

void mcp_dispatch_destroy(struct mcp_dispatch *d, int64_t grace_ms,
                          mcp_delivery_fn fn, void *arg)
{
    if (d == NULL)
        return;
    stop_workers(d, grace_ms);
    mcp_dispatch_results(d, fn, arg);
    free_outcomes(d);
    free(d->out);
    free(d->w);
    pthread_mutex_destroy(&d->mu);
    pthread_cond_destroy(&d->cv);
    close(d->efd);
    free(d);
}
