/* notify.c - engine transitions to sink messages (see notify.h). Runs in
 * the main thread; the dispatcher does the delivering. */
#include "output/notify.h"
#include "output/router.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sinks/dispatch.h"
#include "output/silence.h"
#include "base/textout.h"
#include "base/util.h"

#define MAX_TRACKED 4096
#define WARN_EVERY_MS (10 * 60000) /* the same sink and cause */

struct tracked {
    uint64_t id;
    int64_t last_update;        /* monotonic ms of the last update sent */
    bool told;                  /* a sink was told it fires */
};

struct warned {
    char *what;                 /* "sink: cause" */
    int64_t last;               /* monotonic ms it was last shown */
    unsigned long held;         /* repeats not shown since */
};

struct mcp_notify {
    struct mcp_config *c;
    const struct mcp_ruleset *rs;
    struct mcp_dispatch *d;
    bool *want;
    char host[256];
    struct tracked *tr;
    size_t ntr, captr;
    struct warned *w;
    size_t nw;
    struct mcp_silences sil;
    bool has_sil;
    bool blocking;              /* replay: wait for queue room */
    int64_t (*clock)(void *);   /* for update_interval; NULL: monotonic */
    void *clock_arg;
    mcp_notify_term_fn term_fn; /* the terminal target, or NULL */
    void *term_arg;
    struct mcp_notify_stats st;
    uint64_t (*per)[4];         /* per sink: ok, retry, failed, dropped */
};

struct mcp_notify *mcp_notify_create(struct mcp_config *c,
                                     const struct mcp_ruleset *rs, char *err)
{
    struct mcp_notify *n = mcp_calloc(1, sizeof(*n));

    n->c = c;
    n->rs = rs;
    n->d = mcp_dispatch_create(c->sinks, c->nsinks, err);
    if (n->d == NULL) {
        free(n);
        return NULL;
    }
    n->want = mcp_calloc(c->nsinks ? c->nsinks : 1, sizeof(*n->want));
    n->per = mcp_calloc(c->nsinks ? c->nsinks : 1, sizeof(*n->per));
    if (gethostname(n->host, sizeof(n->host) - 1) != 0)
        strcpy(n->host, "localhost");
    return n;
}

static struct tracked *track(struct mcp_notify *n, uint64_t id, bool add)
{
    for (size_t i = 0; i < n->ntr; i++)
        if (n->tr[i].id == id)
            return &n->tr[i];
    if (!add)
        return NULL;
    if (n->ntr == MAX_TRACKED) {
        /* Full: forget the one changed longest ago. */
        size_t old = 0;

        for (size_t i = 1; i < n->ntr; i++)
            if (n->tr[i].last_update < n->tr[old].last_update)
                old = i;
        n->tr[old] = (struct tracked){id, MCP_TIME_NONE, false};
        return &n->tr[old];
    }
    if (n->ntr == n->captr) {
        n->captr = n->captr ? n->captr * 2 : 16;
        n->tr = mcp_realloc(n->tr, n->captr * sizeof(*n->tr));
    }
    n->tr[n->ntr] = (struct tracked){id, MCP_TIME_NONE, false};
    return &n->tr[n->ntr++];
}

static void untrack(struct mcp_notify *n, uint64_t id)
{
    for (size_t i = 0; i < n->ntr; i++)
        if (n->tr[i].id == id) {
            n->tr[i] = n->tr[--n->ntr];
            return;
        }
}

/* The last line of a traceback (the exception), for the sinks. */
static char *context_last(const struct mcp_alert *a)
{
    const char *s = a->context, *end, *start;

    if (s == NULL)
        return NULL;
    end = s + strlen(s);
    while (end > s && (end[-1] == '\n' || end[-1] == '\r'))
        end--;
    start = end;
    while (start > s && start[-1] != '\n')
        start--;
    return end > start ? mcp_strndup(start, (size_t)(end - start)) : NULL;
}

/* Whether transition t of a is told at all (the same for every target:
 * the sinks, the terminal and its JSON lines tell one story): an update
 * comes at most once per update_interval per alert. Keeps the alert's
 * lifecycle; *told (may be NULL) gets whether a sink was told it fires. */
static bool decide(struct mcp_notify *n, const struct mcp_alert *a,
                   enum mcp_alert_status t, bool silenced, bool *told)
{
    int64_t now = n->clock ? n->clock(n->clock_arg) : mcp_mono_ms();
    struct tracked *k;

    if (t == MCP_STATUS_RESOLVED) {
        k = track(n, a->id, false);
        *told = k != NULL ? k->told : !silenced;
        untrack(n, a->id);
        /* Resolved at the instant it fired (a plain rule's line, no
         * cooldown): one event, its firing said it all. */
        return a->end != a->start;
    }
    k = track(n, a->id, true);
    if (t == MCP_STATUS_UPDATE && k->last_update != MCP_TIME_NONE &&
        now - k->last_update < n->c->update_interval_ms)
        return false;
    k->last_update = now;
    *told = k->told;
    if (!silenced)
        k->told = true;
    return true;
}

/* Queue transition t of a for the sinks n->want names. A silenced alert
 * reaches no sink; a resolution reaches them when they were told it
 * fires (silence or not), and only then; the first transition they are
 * told (an update after a silence ended) is a firing. */
static void to_sinks(struct mcp_notify *n, const struct mcp_alert *a,
                     enum mcp_alert_status t, const char *source, bool replay,
                     bool silenced, bool told)
{
    const struct mcp_rule *r = &n->rs->rules[a->rule];
    struct mcp_sink_alert m;
    bool any = false;

    for (size_t i = 0; i < n->c->nsinks; i++)
        any |= n->want[i];
    if (!any)
        return;
    if (t == MCP_STATUS_RESOLVED ? !told : silenced) {
        n->st.silenced++;
        return;
    }
    if (t != MCP_STATUS_RESOLVED && !told)
        t = MCP_STATUS_FIRING;
    memset(&m, 0, sizeof(m));
    m.key = mcp_sink_key(r->name, a->nlabels, a->label_name,
                         (const char *const *)a->label_value);
    m.rule = (char *)r->name;
    m.description = (char *)(r->description ? r->description : "");
    m.severity = a->severity;
    m.status = t;
    m.nlabels = a->nlabels;
    for (int i = 0; i < a->nlabels; i++) {
        m.label_name[i] = (char *)a->label_name[i];
        m.label_value[i] = a->label_value[i];
    }
    m.start = a->start;
    m.end = t == MCP_STATUS_RESOLVED ? a->end : MCP_TIME_NONE;
    m.sent = mcp_wall_ms();
    m.count = a->count;
    m.summary = a->summary ? a->summary : (char *)"";
    m.last_line = a->last_line ? a->last_line : (char *)"";
    m.last_line_len = a->last_line ? a->last_line_len : 0;
    m.context_last = context_last(a);
    m.source = (char *)(source ? source : "");
    m.host = n->host;
    m.replay = replay;
    for (size_t i = 0; i < n->c->nsinks; i++) {
        if (!n->want[i])
            continue;
        n->st.queued++;
        if (mcp_dispatch_send(n->d, i, &m, n->blocking) != 0) {
            n->st.dropped++;
            n->per[i][3]++;
        }
    }
    free(m.key);
    free(m.context_last);
}

void mcp_notify_alert(struct mcp_notify *n, const struct mcp_alert *a,
                      enum mcp_alert_status t, const char *source, bool replay)
{
    const struct mcp_rule *r = &n->rs->rules[a->rule];
    bool terminal, silenced, told = false;

    terminal = mcp_router_route(n->c, r->name, a->severity, a->nlabels,
                                a->label_name,
                                (const char *const *)a->label_value, n->want);
    silenced = n->has_sil &&
               mcp_silence_match(&n->sil, r->name, a->nlabels, a->label_name,
                                 (const char *const *)a->label_value,
                                 mcp_wall_ms()) != NULL;
    if (!decide(n, a, t, silenced, &told))
        return;
    to_sinks(n, a, t, source, replay, silenced, told);
    if (terminal && n->term_fn != NULL)
        n->term_fn(a, t, silenced, n->term_arg);
}

void mcp_notify_set_terminal(struct mcp_notify *n, mcp_notify_term_fn fn,
                             void *arg)
{
    n->term_fn = fn;
    n->term_arg = arg;
}

void mcp_notify_restored(struct mcp_notify *n, struct mcp_alert *const *a,
                         size_t na)
{
    for (size_t i = 0; i < na; i++)
        if (a[i]->firing) {
            struct tracked *k = track(n, a[i]->id, true);

            if (k != NULL) {
                k->last_update = mcp_mono_ms();
                k->told = true;
            }
        }
}

int mcp_notify_silences(struct mcp_notify *n, const char *path, char *err)
{
    int rc;

    if (!n->has_sil) {
        n->has_sil = true;
        rc = mcp_silences_load(&n->sil, path, err) == 0 ? 1 : -1;
    } else {
        rc = mcp_silences_refresh(&n->sil, err);
    }
    if (rc == 1 && n->sil.warn != NULL)
        mcp_errf(err, "%s", n->sil.warn);
    return rc;
}

size_t mcp_notify_active_silences(const struct mcp_notify *n)
{
    size_t k = 0;
    int64_t now = mcp_wall_ms();

    for (size_t i = 0; n->has_sil && i < n->sil.n; i++)
        if (n->sil.v[i].created <= now && now < n->sil.v[i].ends)
            k++;
    return k;
}

void mcp_notify_set_replay(struct mcp_notify *n, int64_t (*clock)(void *),
                           void *arg)
{
    n->blocking = true;
    n->clock = clock;
    n->clock_arg = arg;
}

int mcp_notify_fd(const struct mcp_notify *n)
{
    return mcp_dispatch_fd(n->d);
}

struct poll_ctx {
    struct mcp_notify *n;
    mcp_notice_fn msg;
    void *arg;
};

static void outcome(const struct mcp_delivery *d, void *arg)
{
    struct poll_ctx *p = arg;
    struct mcp_notify *n = p->n;
    struct mcp_buf what, text;
    struct warned *w = NULL;
    int64_t now = mcp_mono_ms();
    long si = mcp_config_sink(n->c, d->sink);

    if (si >= 0) {
        n->per[si][1] += d->attempts > 1 ? d->attempts - 1 : 0;
        n->per[si][d->result == MCP_SINK_OK ? 0 : 2]++;
    }
    if (d->result == MCP_SINK_OK) {
        n->st.delivered++;
        return;
    }
    n->st.failed++;
    mcp_buf_init(&what);
    mcp_buf_printf(&what, "sink %s: %s", d->sink, d->err);
    for (size_t i = 0; i < n->nw; i++)
        if (strcmp(n->w[i].what, what.data) == 0)
            w = &n->w[i];
    if (w == NULL) {
        n->w = mcp_realloc(n->w, (n->nw + 1) * sizeof(*n->w));
        w = &n->w[n->nw++];
        w->what = mcp_strdup(what.data);
        w->last = MCP_TIME_NONE;
        w->held = 0;
    }
    if (w->last != MCP_TIME_NONE && now - w->last < WARN_EVERY_MS) {
        w->held++;
        mcp_buf_free(&what);
        return;
    }
    mcp_buf_init(&text);
    mcp_buf_printf(&text, "sink %s: %s alert %s not delivered after %u "
                   "attempt%s: %s", d->sink, mcp_alert_status_name(d->status),
                   d->key, d->attempts, d->attempts == 1 ? "" : "s", d->err);
    if (w->held > 0)
        mcp_buf_printf(&text, " (and %lu more like it)", w->held);
    if (p->msg != NULL)
        p->msg(text.data, p->arg);
    w->last = now;
    w->held = 0;
    mcp_buf_free(&text);
    mcp_buf_free(&what);
}

void mcp_notify_poll(struct mcp_notify *n,
                     mcp_notice_fn msg, void *arg)
{
    struct poll_ctx p = {n, msg, arg};

    mcp_dispatch_results(n->d, outcome, &p);
}

const uint64_t (*mcp_notify_sink_counts(const struct mcp_notify *n,
                                        size_t *count))[4]
{
    *count = n->c->nsinks;
    return (const uint64_t (*)[4])n->per;
}

void mcp_notify_stats(const struct mcp_notify *n, struct mcp_notify_stats *s)
{
    *s = n->st;
}

size_t mcp_notify_wait(struct mcp_notify *n, int64_t timeout_ms,
                       mcp_notice_fn msg, void *arg)
{
    struct poll_ctx p = {n, msg, arg};

    return mcp_dispatch_wait(n->d, timeout_ms, outcome, &p);
}

size_t mcp_notify_pending(struct mcp_notify *n, struct mcp_buf *what)
{
    size_t total = 0;

    for (size_t i = 0; i < n->c->nsinks; i++) {
        size_t k = mcp_dispatch_pending_at(n->d, i);

        if (k == 0)
            continue;
        if (total > 0)
            mcp_buf_puts(what, ", ");
        mcp_buf_printf(what, "%zu for %s", k, n->c->sinks[i].name);
        total += k;
    }
    return total;
}

void mcp_notify_destroy(struct mcp_notify *n, int64_t grace_ms,
                        mcp_notice_fn msg, void *arg)
{
    struct poll_ctx p = {n, msg, arg};

    if (n == NULL)
        return;
    mcp_dispatch_wait(n->d, grace_ms, outcome, &p);
    mcp_dispatch_destroy(n->d, 0, outcome, &p);
    for (size_t i = 0; i < n->nw; i++)
        free(n->w[i].what);
    free(n->w);
    free(n->tr);
    free(n->want);
    free(n->per);
    if (n->has_sil)
        mcp_silences_free(&n->sil);
    free(n);
}
