/* engine.h - the single place with alert logic.
 *
 * The engine receives events (from scan or follow alike), in time order as
 * far as the sources allow, and drives per rule and per group (the values
 * of the rule's group_by captures):
 *
 * - counting: matches per rule and per group;
 * - thresholds: an alert fires when more than `count` matches fall in the
 *   sliding `window` (t - window, t], and resolves at the log time the
 *   window drops back to `count` or fewer;
 * - expectations: a match opens an expectation that the follow-up pattern
 *   must meet within `within`; when it does not, an alert fires at the
 *   deadline, and resolves if the follow-up arrives late;
 * - plain alerting rules (a severity, no threshold or expect): a match
 *   raises an alert whose condition clears at once, at its line;
 * - cooldown: an alert whose condition has cleared resolves only when
 *   `cooldown` has passed without a new trigger for its key; a trigger in
 *   that time goes on with the same alert (an UPDATE). One incident is
 *   one alert: FIRING, UPDATEs, one RESOLVED. Without cooldown an alert
 *   resolves when its condition clears (a plain rule's at its line);
 * - repeat: an alert still firing repeat_interval after it fired (or last
 *   repeated) is told again as REPEAT, a bounded number of times per move
 *   of the clock (mcp_engine_set_repeat).
 *
 * Time is the log's time only. The engine's clock is the latest event time
 * seen, moved on by mcp_engine_advance() (follow adds wall-clock ticks).
 * Nothing here reads the system clock.
 */
#ifndef MCP_ENGINE_H
#define MCP_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/alertview.h"
#include "match/event.h"
#include "match/rules.h"

struct mcp_alert {
    uint64_t id;             /* 1, 2, ... in order of firing */
    uint32_t rule;
    enum mcp_severity severity;
    int nlabels;
    const char *label_name[MCP_RULE_MAX_GROUP]; /* borrowed from rule */
    char *label_value[MCP_RULE_MAX_GROUP];
    char *key;               /* label values joined by ',' ("" if none) */
    int64_t start;
    int64_t end;             /* MCP_TIME_NONE while firing */
    uint64_t count;          /* matches (or missed expectations) in it */
    char *summary;           /* rendered at the last change */
    char *last_line;         /* last line that fed it (raw bytes) */
    size_t last_line_len;
    char *context;           /* continuation lines of that line, or NULL */
    uint32_t last_input;
    uint64_t last_lineno;
    bool firing;             /* until RESOLVED: also while it waits out
                                its cooldown (cleared set) */
    int64_t cleared;         /* log time its condition cleared, while it
                                waits out the rule's cooldown; else NONE */
    int64_t at;              /* log time of its latest transition */
    uint64_t outstanding;    /* expect: missed expectations not yet met */
    int64_t next_repeat;     /* log time of the next REPEAT, or NONE */
};

/* One expectation (for reports: startups and their time to ready). */
struct mcp_expectation {
    uint32_t rule;
    char *key;
    int64_t start;
    int64_t met;             /* follow-up time, or MCP_TIME_NONE */
    bool missed;             /* deadline passed before it was met */
    uint32_t input;
    uint64_t lineno;
    char *cap_pid;           /* value of a capture named "pid", or NULL */
};

/* The callback is told every transition (mcp.h): FIRING (new), UPDATE
 * (count or summary changed while firing, including a trigger within its
 * cooldown), REPEAT (still firing, repeat_interval after it fired or last
 * repeated), RESOLVED (once per alert). a->at is the log time of the
 * transition. */
typedef void (*mcp_alert_fn)(const struct mcp_alert *a,
                             enum mcp_alert_status t, void *arg);

struct mcp_engine;

/* Alert a, of the rule called rule, as every output reads it (borrowed
 * from a: valid while a is). */
struct mcp_alert_view mcp_engine_alert_view(const struct mcp_alert *a,
                                            const char *rule);

/* rs is borrowed and must outlive the engine. fn (may be NULL) is told of
 * every alert transition as it happens. */
struct mcp_engine *mcp_engine_create(const struct mcp_ruleset *rs,
                                     mcp_alert_fn fn, void *arg);

/* Repeat firing alerts every ms of log time (0, the default: never).
 * One move of the clock (a feed or an advance) tells at most `burst`
 * repeats per alert (0 counts as 1); the next is then the first of the
 * schedule after the new time. follow passes 1: after downtime (or any
 * jump of its clock) one repeat, never one per missed interval; scan's
 * replay passes MCP_ENGINE_REPEAT_BURST: faithful to log time over a
 * real gap, never a storm. Set it before mcp_engine_load(). */
void mcp_engine_set_repeat(struct mcp_engine *e, int64_t ms, unsigned burst);
#define MCP_ENGINE_REPEAT_BURST 1000

/* Feed one event. The engine takes ownership of nothing: ev stays the
 * caller's. Events with ts MCP_TIME_NONE take the engine's clock.
 * Returns the alert the event raised or fed: one that fired on it, or was
 * firing and counted it (a threshold's window while the threshold is
 * exceeded, a plain rule's alert, also within its cooldown); NULL
 * otherwise (a counting rule, an expectation opened or met, a match
 * below the threshold). Borrowed: valid until the next call. */
const struct mcp_alert *mcp_engine_feed(struct mcp_engine *e,
                                        const struct mcp_event *ev);

/* Move the clock to now (log time) and fire what falls due: missed
 * expectations and threshold resolutions, in time order. */
void mcp_engine_advance(struct mcp_engine *e, int64_t now);

/* Forget what only a report needs: groups with nothing left in their
 * window and no firing alert (one waiting out its cooldown fires); alerts
 * that have ended and are no longer their group's last alert; per-group
 * match counts and expectation records. follow calls
 * it so that memory stays flat however long it runs; scan never does. */
void mcp_engine_prune(struct mcp_engine *e);

/* When the next timer falls due (a deadline, a resolution, the end of a
 * cooldown), in log
 * time, or MCP_TIME_NONE when none is pending. follow sleeps until then. */
int64_t mcp_engine_next_due(const struct mcp_engine *e);

/* The clock: latest time seen, or MCP_TIME_NONE. */
int64_t mcp_engine_now(const struct mcp_engine *e);

/* Results. Arrays are owned by the engine and valid until destroy. */
struct mcp_rule_stats {
    uint64_t matches;        /* MATCH events (every matching line) */
    uint64_t alerts;
    uint64_t limit_errors;   /* filled in by the caller (matcher) */
    struct mcp_group_count {
        const char *key;
        uint64_t count;
    } *groups;               /* insertion order */
    size_t ngroups;
    uint64_t groups_dropped; /* matches in groups past the cap */
    uint64_t keys_dropped;   /* distinct keys past the cap; saturates at
                              * MCP_ENGINE_MAX_DROPPED_KEYS ("or more") */
    uint64_t expect_dropped; /* expectations not tracked: too many open */
};

const struct mcp_rule_stats *mcp_engine_stats(struct mcp_engine *e,
                                              size_t rule);
struct mcp_alert *const *mcp_engine_alerts(const struct mcp_engine *e,
                                           size_t *n);
const struct mcp_expectation *mcp_engine_expectations(
    const struct mcp_engine *e, size_t *n);

void mcp_engine_destroy(struct mcp_engine *e);

/* Append the alert state (windows, current alerts and cooldowns, open and
 * missed expectations, the clock) to out as "engine ..." lines, for a
 * checkpoint or a reload (engine_state.c). */
struct mcp_buf;
void mcp_engine_save(const struct mcp_engine *e, struct mcp_buf *out);

/* Restore what mcp_engine_save wrote into a fresh engine. Rules whose
 * definition changed (or are gone) start fresh; malformed lines are
 * skipped. Alerts restored are not announced again. Times are range
 * checked: into MCP_TIME_MIN..MCP_TIME_MAX, no window, alert or
 * expectation time after the clock, a deadline within `within` of its
 * start, a repeat within one interval of the clock. A saved clock later
 * than limit (MCP_TIME_NONE: no limit) is taken back to `to`; then the
 * saved clock is returned, else MCP_TIME_NONE. */
int64_t mcp_engine_load(struct mcp_engine *e, const char *data, size_t len,
                        int64_t limit, int64_t to);

/* Most distinct groups tracked per rule (memory bound). A key past it is
 * counted in the rule's total, groups_dropped and keys_dropped, but has
 * no alert state: a threshold or expect rule raises no alert for it, a
 * plain alerting rule raises one per line (without cooldown). */
#define MCP_ENGINE_MAX_GROUPS 10000
/* Most distinct keys past the cap counted per rule (keys_dropped). */
#define MCP_ENGINE_MAX_DROPPED_KEYS 100000

#endif
