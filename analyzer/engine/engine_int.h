/* engine_int.h - the engine's private state, shared by engine.c (the
 * logic) and engine_state.c (saving and restoring it for checkpoints and
 * rule reloads). Not for other modules. */
#ifndef MCP_ENGINE_INT_H
#define MCP_ENGINE_INT_H

#include "engine/engine.h"
#include "base/keyset.h"
#include "base/strmap.h"

#define MAX_PENDING 1000
#define MAX_EXPECTATIONS 100000

struct pend {
    int64_t start, deadline;
    size_t exp;                 /* index into e->exps, or SIZE_MAX */
    bool missed, done;
    struct group *g;
};

struct group {
    char *key;
    char *values[MCP_RULE_MAX_GROUP];
    int64_t *ring;              /* newest count+1 times, ascending */
    size_t rn, rcap;
    uint64_t seq;               /* matches seen in this group */
    struct mcp_alert *alert;    /* current, or last for cooldown */
    uint64_t last_seq;          /* last match counted into alert */
    uint64_t gen;               /* invalidates stale resolve timers */
    bool pinned;                /* mcp_engine_prune: still needed */
    uint64_t rep_move;          /* the move of the clock its alert last */
    unsigned rep_n;             /* repeated in, and how many times */
};

struct rstate {
    struct mcp_strmap groups;   /* key -> struct group * */
    struct mcp_strmap counts;   /* key -> (index+1) into stats.groups */
    struct mcp_keyset dropped;  /* keys past the cap of counts */
    struct mcp_rule_stats stats;
    size_t capgroups;
    struct pend **pend;         /* open expectations, in start order */
    size_t npend, cappend;
};

enum { T_RESOLVE, T_DEADLINE, T_REPEAT, T_COOL };

struct timer {
    int64_t when;
    int kind;
    uint32_t rule;
    struct group *g;
    struct pend *p;
    uint64_t gen;
    uint64_t order;             /* FIFO among equal times */
};

struct mcp_engine {
    uint64_t next_id;           /* id of the next new alert */
    const struct mcp_ruleset *rs;
    mcp_alert_fn fn;
    void *fnarg;
    struct rstate *r;
    int64_t now;
    int64_t repeat_ms;          /* 0: alerts do not repeat */
    unsigned repeat_burst;      /* most repeats per alert per move */
    uint64_t moves;             /* calls of mcp_engine_advance */
    struct timer *heap;
    size_t nheap, capheap;
    uint64_t torder;
    struct mcp_alert **alerts;
    size_t nalerts, capalerts;
    struct mcp_expectation *exps;
    size_t nexps, capexps;
};


/* engine_timer.c: add timer t (its order is set here); take the earliest
 * (e->nheap > 0). */
void engine_heap_push(struct mcp_engine *e, struct timer t);
struct timer engine_heap_pop(struct mcp_engine *e);

/* Internal helpers used by engine_state.c. */
/* The group of key, created if new; NULL when the rule already holds
 * MCP_ENGINE_MAX_GROUPS groups and key is not one of them: past the cap a
 * key has no alert state (no pooled group that would fire for keys it
 * does not know). */
struct group *engine_get_group(struct mcp_engine *e, uint32_t rule,
                               const char *key, const char **vals);
/* Free group g and what it owns (engine_prune.c). */
void engine_free_group(struct group *g);

/* Append an alert to the engine's list (takes ownership). */
void engine_add_alert(struct mcp_engine *e, struct mcp_alert *a);

/* Arm the repeat timer of alert a (just fired or repeated at t). */
void engine_arm_repeat(struct mcp_engine *e, struct mcp_alert *a, int64_t t);

/* engine_alert.c: render a's summary (ev, when given, supplies capture
 * values not among the labels); keep ev's line and context in a; tell the
 * callback; raise an alert for g at t (*fresh), or return the one firing
 * (one waiting out its cooldown goes on: its resolution is called off);
 * the condition of g's alert cleared at t: resolve it now (at_once, or no
 * cooldown) or when the cooldown has passed (T_COOL); free. */
void engine_render(struct mcp_engine *e, struct mcp_alert *a,
                   const struct mcp_event *ev);
void engine_note_line(struct mcp_alert *a, const struct mcp_event *ev);
void engine_tell(struct mcp_engine *e, struct mcp_alert *a,
                 enum mcp_alert_status t);
struct mcp_alert *engine_trigger(struct mcp_engine *e, uint32_t rule,
                                 struct group *g, int64_t t, bool *fresh);
void engine_clear(struct mcp_engine *e, struct group *g, int64_t t,
                  bool at_once);
void engine_free_alert(struct mcp_alert *a);

#endif
