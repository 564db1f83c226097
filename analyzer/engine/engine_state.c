/* engine_state.c - save and restore the engine's alert state.
 *
 * What is kept, per alerting rule: each group's newest window times and
 * counters, its current (or last, for cooldown) alert, and the open or
 * missed expectations. A rule's state is tied to a hash of its definition:
 * after a reload, or a restart with edited rules, a rule that changed
 * starts fresh while the others carry on. Counting statistics are not
 * kept (they describe a run, not an alert).
 *
 * Lines (one record each, space-separated, strings from
 * mcp_buf_escape):
 *   engine clock NOW NEXTID
 *   engine rule NAME HASH
 *   engine group NAME KEY SEQ LASTSEQ NVALS VAL... NRING T...
 *   engine alert NAME KEY ID START END COUNT FIRING OUTSTANDING SUMMARY LINE
 *                NEXT_REPEAT (optional: older checkpoints lack it)
 *     (END of a firing alert: the time its condition cleared while it
 *     waits out its cooldown, else MCP_TIME_NONE)
 *   engine pend NAME KEY START DEADLINE MISSED
 *
 * A checkpoint is read back with its times range checked (engine.h): the
 * clock first (a separate pass, so the order of the lines does not
 * matter), then everything else is clamped against it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_int.h"
#include "match/pattern.h"
#include "base/timeparse.h"
#include "base/util.h"

static uint64_t mix(uint64_t h, const char *s)
{
    if (s == NULL)
        s = "\x01";
    h = mcp_fnv1a(h, s, strlen(s));
    return mcp_fnv1a(h, "\xff", 1);
}

/* A hash of everything that gives a rule's state its meaning. */
static uint64_t rule_hash(const struct mcp_rule *r)
{
    uint64_t h = MCP_FNV1A_INIT;
    char num[96];

    h = mix(h, r->name);
    h = mix(h, r->match_src);
    h = mix(h, r->exclude_src);
    h = mix(h, r->expect_src);
    h = mix(h, r->source_glob);
    for (int i = 0; i < r->n_group_by; i++)
        h = mix(h, r->group_by[i]);
    snprintf(num, sizeof(num), "%d %d %lld %lld %lld %d %d", (int)r->source,
             (int)r->has_threshold, (long long)r->threshold_count,
             (long long)r->window_ms, (long long)r->within_ms,
             (int)r->severity, (int)r->has_expect);
    return mix(h, num);
}

static void esc(struct mcp_buf *b, const char *s)
{
    mcp_buf_putc(b, ' ');
    mcp_buf_escape(b, s ? s : "", s ? strlen(s) : 0);
}

void mcp_engine_save(const struct mcp_engine *e, struct mcp_buf *out)
{
    mcp_buf_printf(out, "engine clock %lld %llu\n", (long long)e->now,
                   (unsigned long long)e->next_id);
    for (size_t i = 0; i < e->rs->n; i++) {
        const struct mcp_rule *r = &e->rs->rules[i];
        const struct rstate *rs = &e->r[i];

        if (r->severity == MCP_SEV_NONE)
            continue;
        mcp_buf_puts(out, "engine rule");
        esc(out, r->name);
        mcp_buf_printf(out, " %016" PRIx64 "\n", rule_hash(r));
        for (size_t k = 0; k < rs->groups.n; k++) {
            const struct group *g = rs->groups.entries[k].value;
            const struct mcp_alert *a = g->alert;

            mcp_buf_puts(out, "engine group");
            esc(out, r->name);
            esc(out, g->key);
            mcp_buf_printf(out, " %llu %llu %d", (unsigned long long)g->seq,
                           (unsigned long long)g->last_seq, r->n_group_by);
            for (int v = 0; v < r->n_group_by; v++)
                esc(out, g->values[v]);
            mcp_buf_printf(out, " %zu", g->rn);
            for (size_t t = 0; t < g->rn; t++)
                mcp_buf_printf(out, " %lld", (long long)g->ring[t]);
            mcp_buf_putc(out, '\n');
            if (a == NULL)
                continue;
            mcp_buf_puts(out, "engine alert");
            esc(out, r->name);
            esc(out, g->key);
            mcp_buf_printf(out, " %llu %lld %lld %llu %d %llu",
                           (unsigned long long)a->id, (long long)a->start,
                           (long long)(a->firing ? a->cleared : a->end),
                           (unsigned long long)a->count,
                           a->firing ? 1 : 0,
                           (unsigned long long)a->outstanding);
            esc(out, a->summary);
            mcp_buf_putc(out, ' ');
            mcp_buf_escape(out, a->last_line ? a->last_line : "",
                           a->last_line ? a->last_line_len : 0);
            mcp_buf_printf(out, " %lld\n", (long long)a->next_repeat);
        }
        for (size_t k = 0; k < rs->npend; k++) {
            const struct pend *p = rs->pend[k];

            if (p->done)
                continue;
            mcp_buf_puts(out, "engine pend");
            esc(out, r->name);
            esc(out, p->g->key);
            mcp_buf_printf(out, " %lld %lld %d\n", (long long)p->start,
                           (long long)p->deadline, p->missed ? 1 : 0);
        }
    }
}

/* --- load ------------------------------------------------------------------ */

#define MAX_TOK 96

struct loader {
    struct mcp_engine *e;
    char *tok[MAX_TOK];
    size_t len[MAX_TOK];
    int n;
    int *rule_ok;        /* per current rule: 1 when its hash matched */
};

static int find_rule(struct loader *L, const char *tok, size_t len)
{
    char *name = mcp_unescape(tok, len, NULL);
    int i = mcp_ruleset_find(L->e->rs, name);

    free(name);
    return i >= 0 && L->rule_ok[i] ? i : -1;
}

static char *str(struct loader *L, int i)
{
    return mcp_unescape(L->tok[i], L->len[i], NULL);
}

static long long num(struct loader *L, int i)
{
    return strtoll(L->tok[i], NULL, 10);
}

/* A saved counter (written with %llu: read back the same way). */
static uint64_t unum(struct loader *L, int i)
{
    return strtoull(L->tok[i], NULL, 10);
}

/* A saved time: into [MCP_TIME_MIN, MCP_TIME_MAX], and not after the
 * clock (everything saved happened by then). */
static int64_t saved_time(struct loader *L, int i)
{
    long long v = num(L, i);

    if (v < MCP_TIME_MIN)
        v = MCP_TIME_MIN;
    if (v > MCP_TIME_MAX)
        v = MCP_TIME_MAX;
    if (L->e->now != MCP_TIME_NONE && v > L->e->now)
        v = L->e->now;
    return v;
}

static int cmp_time(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return x < y ? -1 : x > y;
}

static void load_group(struct loader *L)
{
    struct mcp_engine *e = L->e;
    int rule, nv, at;
    const struct mcp_rule *r;
    char *key, *vals[MCP_RULE_MAX_GROUP] = {0};
    struct group *g;
    size_t nring;

    if (L->n < 7 || (rule = find_rule(L, L->tok[2], L->len[2])) < 0)
        return;
    r = &e->rs->rules[rule];
    nv = (int)num(L, 6);
    if (nv != r->n_group_by || L->n < 8 + nv)
        return;
    key = str(L, 3);
    for (int v = 0; v < nv; v++)
        vals[v] = str(L, 7 + v);
    g = engine_get_group(e, (uint32_t)rule, key, (const char **)vals);
    if (g == NULL)
        goto out;
    g->seq = unum(L, 4);
    g->last_seq = unum(L, 5);
    at = 7 + nv;
    nring = (size_t)num(L, at++);
    for (size_t t = 0; t < nring && at < L->n; t++, at++)
        if (g->rcap > 0) {
            if (g->rn == g->rcap) {
                memmove(g->ring, g->ring + 1,
                        (g->rn - 1) * sizeof(*g->ring));
                g->rn--;
            }
            g->ring[g->rn++] = saved_time(L, at);
        }
    if (g->rn > 1)
        qsort(g->ring, g->rn, sizeof(*g->ring), cmp_time);
out:
    free(key);
    for (int v = 0; v < nv; v++)
        free(vals[v]);
}

static void load_alert(struct loader *L)
{
    struct mcp_engine *e = L->e;
    int rule;
    const struct mcp_rule *r;
    char *key;
    struct group *g;
    struct mcp_alert *a;
    size_t ll;

    if ((L->n != 12 && L->n != 13) ||
        (rule = find_rule(L, L->tok[2], L->len[2])) < 0)
        return;
    r = &e->rs->rules[rule];
    key = str(L, 3);
    g = mcp_strmap_get(&e->r[rule].groups, key);
    free(key);
    if (g == NULL)
        return;
    a = mcp_calloc(1, sizeof(*a));
    a->id = unum(L, 4);
    a->rule = (uint32_t)rule;
    a->severity = r->severity;
    a->nlabels = r->n_group_by;
    for (int i = 0; i < r->n_group_by; i++) {
        a->label_name[i] = r->group_by[i];
        a->label_value[i] = mcp_strdup(g->values[i] ? g->values[i] : "");
    }
    a->key = mcp_strdup(g->key);
    a->start = saved_time(L, 5);
    a->at = a->start;
    a->firing = num(L, 8) != 0;
    /* Firing: no end, maybe the time its condition cleared (waiting out
     * its cooldown); ended: not before its start. */
    a->end = a->firing ? MCP_TIME_NONE : saved_time(L, 6);
    a->cleared = a->firing && num(L, 6) != MCP_TIME_NONE ? saved_time(L, 6)
                                                         : MCP_TIME_NONE;
    if (a->cleared != MCP_TIME_NONE && a->cleared < a->start)
        a->cleared = a->start;
    if (!a->firing && a->end < a->start)
        a->end = a->start;
    a->count = unum(L, 7);
    a->outstanding = unum(L, 9);
    a->summary = str(L, 10);
    a->last_line = mcp_unescape(L->tok[11], L->len[11], &ll);
    a->last_line_len = ll;
    a->next_repeat = MCP_TIME_NONE;
    if (a->id > e->next_id)
        e->next_id = a->id;
    engine_add_alert(e, a);
    g->alert = a;
    if (a->firing && e->repeat_ms > 0) {
        /* Keep the repeat schedule; without one (an older checkpoint, or
         * repeat newly configured), or one more than an interval away, the
         * next repeat is counted from now. One in the past is told once
         * (mcp_engine_advance), however far back. */
        int64_t next = L->n == 13 ? num(L, 12) : MCP_TIME_NONE;
        int64_t now = e->now != MCP_TIME_NONE ? e->now : a->start;

        if (next != MCP_TIME_NONE && next < MCP_TIME_MIN)
            next = MCP_TIME_MIN;
        if (next == MCP_TIME_NONE || next > now + e->repeat_ms)
            engine_arm_repeat(e, a, now);
        else {
            a->next_repeat = next;
            engine_heap_push(e, (struct timer){.when = next, .kind = T_REPEAT,
                                               .rule = (uint32_t)rule,
                                               .g = g});
        }
    }
    if (a->cleared != MCP_TIME_NONE) {
        g->gen++;
        engine_heap_push(e, (struct timer){.when = a->cleared + r->cooldown_ms,
                                           .kind = T_COOL,
                                           .rule = (uint32_t)rule, .g = g,
                                           .gen = g->gen});
    } else if (a->firing && r->has_threshold && g->rn > 0) {
        g->gen++;
        engine_heap_push(e, (struct timer){.when = g->ring[0] + r->window_ms,
                                           .kind = T_RESOLVE,
                                           .rule = (uint32_t)rule, .g = g,
                                           .gen = g->gen});
    } else if (a->firing && !r->has_threshold && !r->has_expect) {
        /* A plain rule's alert firing without a cleared time (from an
         * older checkpoint: there, it never fires long) ends now. */
        a->cleared = e->now != MCP_TIME_NONE ? e->now : a->start;
        engine_heap_push(e, (struct timer){.when = a->cleared,
                                           .kind = T_COOL,
                                           .rule = (uint32_t)rule, .g = g,
                                           .gen = ++g->gen});
    }
}

static void load_pend(struct loader *L)
{
    struct mcp_engine *e = L->e;
    int rule;
    char *key;
    struct group *g;
    struct rstate *rs;
    struct pend *p;

    if (L->n != 7 || (rule = find_rule(L, L->tok[2], L->len[2])) < 0)
        return;
    key = str(L, 3);
    g = mcp_strmap_get(&e->r[rule].groups, key);
    free(key);
    rs = &e->r[rule];
    if (g == NULL || rs->npend >= MAX_PENDING)
        return;
    p = mcp_calloc(1, sizeof(*p));
    p->start = saved_time(L, 4);
    /* The deadline is `within` after the start (the rule's hash holds
     * `within`): one before the start or later than that is taken as
     * start + within. */
    p->deadline = num(L, 5);
    if (p->deadline < p->start ||
        p->deadline > p->start + e->rs->rules[rule].within_ms)
        p->deadline = p->start + e->rs->rules[rule].within_ms;
    p->missed = num(L, 6) != 0;
    p->g = g;
    p->exp = SIZE_MAX;
    if (rs->npend == rs->cappend) {
        rs->cappend = rs->cappend ? rs->cappend * 2 : 16;
        rs->pend = mcp_realloc(rs->pend, rs->cappend * sizeof(*rs->pend));
    }
    rs->pend[rs->npend++] = p;
    if (!p->missed)
        engine_heap_push(e, (struct timer){.when = p->deadline,
                                           .kind = T_DEADLINE,
                                           .rule = (uint32_t)rule, .g = g,
                                           .p = p});
}

/* "engine clock NOW NEXTID": the later clock and the larger id. A clock
 * before MCP_TIME_MIN means none; after MCP_TIME_MAX, MCP_TIME_MAX. */
static void load_clock(struct loader *L, int64_t *saved)
{
    struct mcp_engine *e = L->e;
    long long now = num(L, 2);

    if (now > MCP_TIME_MAX)
        now = MCP_TIME_MAX;
    if (now >= MCP_TIME_MIN && (*saved == MCP_TIME_NONE || now > *saved))
        *saved = now;
    if (unum(L, 3) > e->next_id)
        e->next_id = unum(L, 3);
}

/* One line of the state; pass 0 reads the clock only, pass 1 the rest. */
static void load_line(struct loader *L, const char *p, size_t n, int pass,
                      int64_t *saved)
{
    struct mcp_engine *e = L->e;
    char *line = mcp_strndup(p, n), *save = NULL;

    L->n = 0;
    for (char *t = strtok_r(line, " ", &save); t && L->n < MAX_TOK;
         t = strtok_r(NULL, " ", &save)) {
        L->tok[L->n] = t;
        L->len[L->n++] = strlen(t);
    }
    if (L->n < 2 || strcmp(L->tok[0], "engine") != 0) {
        free(line);
        return;
    }
    if (strcmp(L->tok[1], "clock") == 0) {
        if (pass == 0 && L->n == 4)
            load_clock(L, saved);
    } else if (pass == 0) {
        /* the rest in pass 1 */
    } else if (strcmp(L->tok[1], "rule") == 0 && L->n == 4) {
        char *name = str(L, 2);
        int i = mcp_ruleset_find(e->rs, name);

        if (i >= 0 &&
            strtoull(L->tok[3], NULL, 16) == rule_hash(&e->rs->rules[i]))
            L->rule_ok[i] = 1;
        free(name);
    } else if (strcmp(L->tok[1], "group") == 0) {
        load_group(L);
    } else if (strcmp(L->tok[1], "alert") == 0) {
        load_alert(L);
    } else if (strcmp(L->tok[1], "pend") == 0) {
        load_pend(L);
    }
    free(line);
}

int64_t mcp_engine_load(struct mcp_engine *e, const char *data, size_t len,
                        int64_t limit, int64_t to)
{
    struct loader L = {.e = e};
    int64_t saved = MCP_TIME_NONE, was = MCP_TIME_NONE;

    L.rule_ok = mcp_calloc(e->rs->n + 1, sizeof(int));
    for (int pass = 0; pass < 2; pass++) {
        const char *p = data, *end = data + len;

        if (pass == 1) {
            /* The clock is known: everything else is checked against
             * it. */
            if (saved != MCP_TIME_NONE && limit != MCP_TIME_NONE &&
                saved > limit) {
                was = saved;
                saved = to;
            }
            if (saved != MCP_TIME_NONE &&
                (e->now == MCP_TIME_NONE || saved > e->now))
                e->now = saved;
        }
        while (p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            const char *le = nl ? nl : end;

            load_line(&L, p, (size_t)(le - p), pass, &saved);
            p = nl ? nl + 1 : end;
        }
    }
    free(L.rule_ok);
    return was;
}
