/* engine.c - windows, expectations, grouping, cooldown and alerts in log
 * time. See engine.h for the semantics. */
#include "engine/engine.h"

#include <stdlib.h>
#include <string.h>

#include "engine/engine_int.h"
#include "base/strmap.h"
#include "base/template.h"
#include "base/timeparse.h"
#include "base/util.h"

/* --- groups ------------------------------------------------------------ */

static void build_key(const struct mcp_rule *r, const struct mcp_event *ev,
                      struct mcp_buf *key, const char **vals, bool *complete)
{
    *complete = true;
    for (int i = 0; i < r->n_group_by; i++) {
        const char *v = NULL;
        const struct mcp_pattern *pat =
            ev->kind == MCP_EV_MATCH ? r->match : r->expect;

        if (ev->kind == MCP_EV_MATCH) {
            int cap = -1;

            for (int c = 0; c < mcp_pattern_ncaptures(pat); c++) {
                int grp;
                mcp_pattern_capture_name(pat, c, &grp);
                if (grp == r->group_cap[i])
                    cap = c;
            }
            if (cap >= 0 && cap < ev->ncaps)
                v = ev->cap[cap];
            else if (r->group_cap[i] < 0)
                v = mcp_event_value(ev, NULL, r->group_by[i],
                                    strlen(r->group_by[i]));
        } else {
            v = mcp_event_value(ev, pat, r->group_by[i],
                                strlen(r->group_by[i]));
        }
        if (v == NULL)
            *complete = false;
        vals[i] = v;
        if (i > 0)
            mcp_buf_putc(key, ',');
        mcp_buf_puts(key, v ? v : "");
    }
}

struct group *engine_get_group(struct mcp_engine *e, uint32_t rule,
                               const char *key, const char **vals)
{
    struct rstate *rs = &e->r[rule];
    const struct mcp_rule *r = &e->rs->rules[rule];
    struct group **slot, *g;

    if (rs->groups.n >= MCP_ENGINE_MAX_GROUPS &&
        mcp_strmap_get(&rs->groups, key) == NULL)
        return NULL;
    slot = (struct group **)mcp_strmap_slot(&rs->groups, key);
    if (*slot != NULL)
        return *slot;
    g = mcp_calloc(1, sizeof(*g));
    g->key = mcp_strdup(key);
    for (int i = 0; i < r->n_group_by; i++)
        g->values[i] = mcp_strdup(vals[i] ? vals[i] : "");
    if (r->has_threshold) {
        g->rcap = (size_t)r->threshold_count + 1;
        g->ring = mcp_calloc(g->rcap, sizeof(int64_t));
    }
    *slot = g;
    return g;
}

static void count_group(struct rstate *rs, const struct mcp_rule *r,
                        const char *key)
{
    size_t **slot;

    if (r->n_group_by == 0)
        return;
    if (rs->counts.n >= MCP_ENGINE_MAX_GROUPS &&
        mcp_strmap_get(&rs->counts, key) == NULL) {
        rs->stats.groups_dropped++;
        if (mcp_keyset_add(&rs->dropped, key) == 1)
            rs->stats.keys_dropped++;
        return;
    }
    slot = (size_t **)mcp_strmap_slot(&rs->counts, key);
    if (*slot == NULL) {
        if (rs->stats.ngroups == rs->capgroups) {
            rs->capgroups = rs->capgroups ? rs->capgroups * 2 : 16;
            rs->stats.groups = mcp_realloc(
                rs->stats.groups, rs->capgroups * sizeof(*rs->stats.groups));
        }
        rs->stats.groups[rs->stats.ngroups].key = NULL; /* set below */
        rs->stats.groups[rs->stats.ngroups].count = 0;
        *slot = (size_t *)(uintptr_t)(++rs->stats.ngroups);
    }
    rs->stats.groups[(uintptr_t)*slot - 1].count++;
}

/* --- thresholds -------------------------------------------------------- */

static void ring_insert(struct group *g, int64_t t)
{
    size_t i;

    if (g->rn == g->rcap) {
        if (t < g->ring[0])
            return; /* older than everything we keep: irrelevant */
        memmove(g->ring, g->ring + 1, (g->rn - 1) * sizeof(int64_t));
        g->rn--;
    }
    i = g->rn;
    while (i > 0 && g->ring[i - 1] > t) {
        g->ring[i] = g->ring[i - 1];
        i--;
    }
    g->ring[i] = t;
    g->rn++;
}

/* A match of a threshold rule. Returns g's alert when the match is
 * counted in it: it fired on it, or was firing (its condition holding, or
 * met again within its cooldown). */
static struct mcp_alert *on_threshold(struct mcp_engine *e, uint32_t rule,
                                      struct group *g,
                                      const struct mcp_event *ev, int64_t t)
{
    const struct mcp_rule *r = &e->rs->rules[rule];
    struct mcp_alert *a = g->alert;
    bool fresh;
    int64_t resolve_at;

    ring_insert(g, t);
    g->seq++;
    if (a != NULL && a->firing && a->cleared == MCP_TIME_NONE) {
        a->count++;
        g->last_seq = g->seq;
        engine_note_line(a, ev);
        engine_render(e, a, ev);
        engine_tell(e, a, MCP_STATUS_UPDATE);
    } else {
        /* More than `count` in (now - window, now]: the oldest of the
         * newest count+1 is still inside the window. */
        if (g->rn < g->rcap || g->ring[0] <= e->now - r->window_ms)
            return NULL;
        a = engine_trigger(e, rule, g, t, &fresh);
        if (!fresh) {
            /* Met again within its cooldown: the matches since the last
             * one counted in it. */
            uint64_t from = g->seq - g->rn;

            if (g->last_seq > from)
                from = g->last_seq;
            a->count += g->seq - from;
        } else {
            a->count = g->rn;
        }
        g->last_seq = g->seq;
        engine_note_line(a, ev);
        engine_render(e, a, ev);
        engine_tell(e, a, fresh ? MCP_STATUS_FIRING : MCP_STATUS_UPDATE);
    }
    /* Its condition clears when the oldest kept time leaves the window. */
    resolve_at = g->ring[0] + r->window_ms;
    g->gen++;
    engine_heap_push(e, (struct timer){.when = resolve_at, .kind = T_RESOLVE,
                                .rule = rule, .g = g, .gen = g->gen});
    return a;
}

/* --- expectations ------------------------------------------------------ */

static void drop_pend(struct rstate *rs, struct pend *p)
{
    for (size_t i = 0; i < rs->npend; i++)
        if (rs->pend[i] == p) {
            memmove(rs->pend + i, rs->pend + i + 1,
                    (rs->npend - i - 1) * sizeof(*rs->pend));
            rs->npend--;
            break;
        }
    free(p);
}

static void on_expect_start(struct mcp_engine *e, uint32_t rule,
                            struct group *g, const struct mcp_event *ev,
                            int64_t t)
{
    const struct mcp_rule *r = &e->rs->rules[rule];
    struct rstate *rs = &e->r[rule];
    struct pend *p;

    if (rs->npend >= MAX_PENDING) {
        /* Make room: the oldest expectation that has missed already only
         * waits for a late follow-up; its alert stays as it is. Open ones
         * are never dropped. */
        size_t i = 0;

        while (i < rs->npend && !(rs->pend[i]->missed && !rs->pend[i]->done))
            i++;
        if (i == rs->npend) {
            rs->stats.expect_dropped++;
            return;
        }
        drop_pend(rs, rs->pend[i]);
    }
    p = mcp_calloc(1, sizeof(*p));
    p->start = t;
    p->deadline = t + r->within_ms;
    p->g = g;
    p->exp = SIZE_MAX;
    if (e->nexps < MAX_EXPECTATIONS) {
        struct mcp_expectation *x;

        if (e->nexps == e->capexps) {
            e->capexps = e->capexps ? e->capexps * 2 : 16;
            e->exps = mcp_realloc(e->exps, e->capexps * sizeof(*e->exps));
        }
        x = &e->exps[e->nexps];
        memset(x, 0, sizeof(*x));
        x->rule = rule;
        x->key = mcp_strdup(g->key);
        x->start = t;
        x->met = MCP_TIME_NONE;
        x->input = ev->input;
        x->lineno = ev->lineno;
        for (int c = 0; c < mcp_pattern_ncaptures(r->match); c++)
            if (strcmp(mcp_pattern_capture_name(r->match, c, NULL),
                       "pid") == 0 && c < ev->ncaps && ev->cap[c] != NULL)
                x->cap_pid = mcp_strdup(ev->cap[c]);
        p->exp = e->nexps++;
    }
    if (rs->npend == rs->cappend) {
        rs->cappend = rs->cappend ? rs->cappend * 2 : 16;
        rs->pend = mcp_realloc(rs->pend, rs->cappend * sizeof(*rs->pend));
    }
    rs->pend[rs->npend++] = p;
    engine_heap_push(e, (struct timer){.when = p->deadline, .kind = T_DEADLINE,
                                .rule = rule, .g = g, .p = p});
}

/* A follow-up meets the newest open expectation (of its group when it
 * carries the group's captures). Newest first, because a startup that
 * hangs must not take the readiness line of the next one. Every open
 * expectation is newer than every missed one (all share one `within`), so
 * the first candidate from the newest end is open if any is; when it has
 * missed already, it is met late. */
static void on_follow(struct mcp_engine *e, uint32_t rule,
                      const struct mcp_event *ev, int64_t t)
{
    const struct mcp_rule *r = &e->rs->rules[rule];
    struct rstate *rs = &e->r[rule];
    struct mcp_buf key;
    const char *vals[MCP_RULE_MAX_GROUP];
    bool complete;
    struct pend *best = NULL;

    mcp_buf_init(&key);
    build_key(r, ev, &key, vals, &complete);
    /* Bounded: with time running backwards (merged clocks, replayed
     * files) the list could hold many newer entries to skip. */
    for (size_t i = rs->npend, seen = 0; i-- > 0 && seen < 256; seen++) {
        struct pend *p = rs->pend[i];

        if (p->done || p->start > t)
            continue;
        if (r->n_group_by > 0 && complete &&
            strcmp(p->g->key, key.data ? key.data : "") != 0)
            continue;
        best = p;
        break;
    }
    mcp_buf_free(&key);
    if (best == NULL)
        return;
    if (best->exp != SIZE_MAX)
        e->exps[best->exp].met = t;
    if (best->missed) {
        struct mcp_alert *a = best->g->alert;

        if (a != NULL && a->firing && a->outstanding > 0 &&
            --a->outstanding == 0) {
            engine_note_line(a, ev);
            engine_clear(e, best->g, t, false);
        }
    }
    /* Its deadline timer still points at it: mark it, free on pop. */
    best->done = true;
    if (!best->missed) {
        /* the timer will find it done */
        return;
    }
    drop_pend(rs, best);
}

static void on_deadline(struct mcp_engine *e, struct timer *tm)
{
    struct pend *p = tm->p;
    struct rstate *rs = &e->r[tm->rule];
    struct mcp_alert *a;
    bool fresh;

    if (p->done) {
        drop_pend(rs, p);
        return;
    }
    p->missed = true;
    if (p->exp != SIZE_MAX)
        e->exps[p->exp].missed = true;
    a = engine_trigger(e, tm->rule, p->g, tm->when, &fresh);
    a->count++;
    a->outstanding++;
    engine_render(e, a, NULL);
    engine_tell(e, a, fresh ? MCP_STATUS_FIRING : MCP_STATUS_UPDATE);
}

/* --- plain alerting rules ---------------------------------------------- */

/* A match of a plain alerting rule raises an alert, or goes on with the
 * one waiting out its cooldown; its condition clears at once. once: g
 * lives for this call only (past the group cap), so the alert resolves
 * at once whatever the cooldown. */
static struct mcp_alert *on_plain(struct mcp_engine *e, uint32_t rule,
                                  struct group *g,
                                  const struct mcp_event *ev, int64_t t,
                                  bool once)
{
    struct mcp_alert *a;
    bool fresh;

    a = engine_trigger(e, rule, g, t, &fresh);
    a->count++;
    engine_note_line(a, ev);
    engine_render(e, a, ev);
    engine_tell(e, a, fresh ? MCP_STATUS_FIRING : MCP_STATUS_UPDATE);
    engine_clear(e, g, t, once);
    return a;
}

/* A match whose key is past the group cap has no state to count in: a
 * threshold or an expectation would need it, so they raise nothing (the
 * match is counted in groups_dropped). A plain rule's alert is its line
 * alone: it fires with the line's own labels, on a group that lives for
 * this call only, and resolves at once (no cooldown: nothing could go on
 * with it). */
static struct mcp_alert *past_cap(struct mcp_engine *e,
                                  const struct mcp_event *ev, const char *key,
                                  const char **vals, int64_t t)
{
    const struct mcp_rule *r = &e->rs->rules[ev->rule];
    struct group once;

    if (r->has_threshold || r->has_expect)
        return NULL;
    memset(&once, 0, sizeof(once));
    once.key = (char *)key;
    for (int i = 0; i < r->n_group_by; i++)
        once.values[i] = (char *)vals[i];
    return on_plain(e, ev->rule, &once, ev, t, true);
}

/* --- feeding ----------------------------------------------------------- */

struct mcp_engine *mcp_engine_create(const struct mcp_ruleset *rs,
                                     mcp_alert_fn fn, void *arg)
{
    struct mcp_engine *e = mcp_calloc(1, sizeof(*e));

    e->rs = rs;
    e->fn = fn;
    e->fnarg = arg;
    e->r = mcp_calloc(rs->n + 1, sizeof(*e->r));
    for (size_t i = 0; i < rs->n; i++) {
        mcp_strmap_init(&e->r[i].groups);
        mcp_strmap_init(&e->r[i].counts);
        mcp_keyset_init(&e->r[i].dropped, MCP_ENGINE_MAX_DROPPED_KEYS);
    }
    e->now = MCP_TIME_NONE;
    e->repeat_burst = 1;
    return e;
}

void mcp_engine_set_repeat(struct mcp_engine *e, int64_t ms, unsigned burst)
{
    e->repeat_ms = ms > 0 ? ms : 0;
    e->repeat_burst = burst > 0 ? burst : 1;
}

/* A repeat of g's alert falls due at `when` while the clock moves to now:
 * the next one is an interval later, or, once this move has told
 * repeat_burst of them, the first of the schedule after now. */
static void repeat(struct mcp_engine *e, struct group *g, int64_t when,
                   int64_t now)
{
    struct mcp_alert *a = g->alert;

    if (a == NULL || !a->firing || a->next_repeat != when ||
        e->repeat_ms <= 0)
        return;
    if (g->rep_move != e->moves) {
        g->rep_move = e->moves;
        g->rep_n = 0;
    }
    if (++g->rep_n >= e->repeat_burst)
        when += (now - when) / e->repeat_ms * e->repeat_ms;
    engine_arm_repeat(e, a, when);
    engine_tell(e, a, MCP_STATUS_REPEAT);
}

void mcp_engine_advance(struct mcp_engine *e, int64_t now)
{
    if (now == MCP_TIME_NONE)
        return;
    e->moves++;
    while (e->nheap > 0 && e->heap[0].when <= now) {
        struct timer t = engine_heap_pop(e);

        if (e->now == MCP_TIME_NONE || t.when > e->now)
            e->now = t.when;
        if (t.kind == T_DEADLINE) {
            on_deadline(e, &t);
        } else if (t.kind == T_REPEAT) {
            repeat(e, t.g, t.when, now);
        } else if (t.gen != t.g->gen || t.g->alert == NULL ||
                   !t.g->alert->firing) {
            /* stale: the group moved on */
        } else if (t.kind == T_COOL) {
            engine_clear(e, t.g, t.when, true);
        } else if (t.g->alert->cleared == MCP_TIME_NONE) {
            engine_clear(e, t.g, t.when, false);
        }
    }
    if (e->now == MCP_TIME_NONE || now > e->now)
        e->now = now;
}

const struct mcp_alert *mcp_engine_feed(struct mcp_engine *e,
                                        const struct mcp_event *ev)
{
    const struct mcp_rule *r = &e->rs->rules[ev->rule];
    struct rstate *rs = &e->r[ev->rule];
    int64_t t = ev->ts;
    struct mcp_buf key;
    const char *vals[MCP_RULE_MAX_GROUP];
    bool complete;
    struct group *g;
    struct mcp_alert *fed = NULL;

    if (t != MCP_TIME_NONE)
        mcp_engine_advance(e, t);
    else
        t = e->now;
    if (ev->kind == MCP_EV_FOLLOW) {
        if (t != MCP_TIME_NONE)
            on_follow(e, ev->rule, ev, t);
        return NULL;
    }
    rs->stats.matches++;
    mcp_buf_init(&key);
    build_key(r, ev, &key, vals, &complete);
    mcp_buf_putc(&key, '\0'); /* data never NULL below */
    count_group(rs, r, key.data);
    if (r->severity != MCP_SEV_NONE && t != MCP_TIME_NONE) {
        g = engine_get_group(e, ev->rule, key.data, vals);
        if (g == NULL)
            fed = past_cap(e, ev, key.data, vals, t);
        else if (r->has_threshold)
            fed = on_threshold(e, ev->rule, g, ev, t);
        else if (r->has_expect)
            on_expect_start(e, ev->rule, g, ev, t);
        else
            fed = on_plain(e, ev->rule, g, ev, t, false);
    }
    mcp_buf_free(&key);
    return fed;
}

int64_t mcp_engine_next_due(const struct mcp_engine *e)
{
    return e->nheap > 0 ? e->heap[0].when : MCP_TIME_NONE;
}

int64_t mcp_engine_now(const struct mcp_engine *e)
{
    return e->now;
}

const struct mcp_rule_stats *mcp_engine_stats(struct mcp_engine *e,
                                              size_t rule)
{
    struct rstate *rs = &e->r[rule];

    /* Keys live in the counts map, in the same insertion order. */
    for (size_t i = 0; i < rs->stats.ngroups; i++)
        rs->stats.groups[i].key = rs->counts.entries[i].key;
    return &rs->stats;
}

struct mcp_alert *const *mcp_engine_alerts(const struct mcp_engine *e,
                                           size_t *n)
{
    *n = e->nalerts;
    return e->alerts;
}

const struct mcp_expectation *mcp_engine_expectations(
    const struct mcp_engine *e, size_t *n)
{
    *n = e->nexps;
    return e->exps;
}


void mcp_engine_destroy(struct mcp_engine *e)
{
    if (e == NULL)
        return;
    /* Pending expectations are referenced by the rule lists and by
     * deadline timers: free through the lists, and done ones (no longer
     * listed after their deadline ran) through the timers. */
    for (size_t i = 0; i < e->nheap; i++)
        if (e->heap[i].kind == T_DEADLINE && e->heap[i].p->done) {
            bool listed = false;
            struct rstate *rs = &e->r[e->heap[i].rule];

            for (size_t j = 0; j < rs->npend; j++)
                if (rs->pend[j] == e->heap[i].p)
                    listed = true;
            if (!listed)
                free(e->heap[i].p);
        }
    for (size_t i = 0; i < e->rs->n; i++) {
        struct rstate *rs = &e->r[i];

        for (size_t j = 0; j < rs->groups.n; j++)
            engine_free_group(rs->groups.entries[j].value);
        for (size_t j = 0; j < rs->npend; j++)
            free(rs->pend[j]);
        free(rs->pend);
        mcp_strmap_free(&rs->groups);
        mcp_strmap_free(&rs->counts);
        mcp_keyset_clear(&rs->dropped);
        free(rs->stats.groups);
    }
    for (size_t i = 0; i < e->nalerts; i++)
        engine_free_alert(e->alerts[i]);
    for (size_t i = 0; i < e->nexps; i++) {
        free(e->exps[i].key);
        free(e->exps[i].cap_pid);
    }
    free(e->exps);
    free(e->alerts);
    free(e->heap);
    free(e->r);
    free(e);
}
