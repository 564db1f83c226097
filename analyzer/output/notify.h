/* notify.h - from engine transitions to the sinks: routing, the update
 * rate limit, the copy handed to the dispatcher, and outcome messages.
 *
 * What every target is told, the sinks and the terminal view (text and
 * JSON lines) alike (docs/mcplog.1 "Alert lifecycle"), one story per
 * alert:
 *   firing    once, when it fires;
 *   update    its count or summary changed (also: triggered again within
 *             its cooldown), at most once per update_interval per alert
 *             (the latest state goes out);
 *   repeat    still firing after repeat_interval;
 *   resolved  once, when it ended.
 * A silenced alert reaches no sink (the terminal still shows it, marked),
 * except that a sink told it fires is told when it resolves.
 */
#ifndef MCP_NOTIFY_H
#define MCP_NOTIFY_H

#include <stdbool.h>

#include "conf/config.h"
#include "engine/engine.h"
#include "match/rules.h"

struct mcp_notify;

/* Start the sinks of c (c and rs are borrowed and must outlive n).
 * Returns NULL with the cause in err when a sink cannot start. */
struct mcp_notify *mcp_notify_create(struct mcp_config *c,
                                     const struct mcp_ruleset *rs,
                                     char *err);

/* The terminal target: told a transition of a (the same the sinks are
 * told), with silenced when a silence keeps it from the sinks. */
typedef void (*mcp_notify_term_fn)(const struct mcp_alert *a,
                                   enum mcp_alert_status t, bool silenced,
                                   void *arg);

/* The terminal view, a target of the routes as the sinks are: fn is told
 * every transition routed to `terminal` (and those no route takes),
 * after the sinks' copies were queued. Without it (scan --replay) the
 * terminal is no target. */
void mcp_notify_set_terminal(struct mcp_notify *n, mcp_notify_term_fn fn,
                             void *arg);

/* Route one transition: queue it for its sinks, then tell the terminal
 * target. source is the file its last line came from (may be NULL).
 * replay marks alerts from scan --replay. */
void mcp_notify_alert(struct mcp_notify *n, const struct mcp_alert *a,
                      enum mcp_alert_status t, const char *source, bool replay);

/* Alerts restored from a checkpoint: their sinks were told before the
 * restart, so an update waits a full update_interval from now. */
void mcp_notify_restored(struct mcp_notify *n, struct mcp_alert *const *a,
                         size_t na);

/* Replay (scan --replay): a full queue makes mcp_notify_alert() wait
 * instead of dropping, and update_interval runs on clock (log time). */
void mcp_notify_set_replay(struct mcp_notify *n, int64_t (*clock)(void *),
                           void *arg);

/* Deliveries queued or under way: returns how many; what gets them per
 * sink, "2 for ops, 1 for desktop" (appended; sink names are the
 * config's). */
size_t mcp_notify_pending(struct mcp_notify *n, struct mcp_buf *what);

/* Wait until every queued alert was delivered or given up (at most
 * timeout_ms), passing failures to msg; returns how many are left. */
size_t mcp_notify_wait(struct mcp_notify *n, int64_t timeout_ms,
                       mcp_notice_fn msg, void *arg);

/* The fd that turns readable when delivery outcomes wait. */
int mcp_notify_fd(const struct mcp_notify *n);

/* Collect the outcomes: each failure is passed to msg (sanitized text),
 * the same sink and cause at most once in 10 minutes, with a count of
 * those held back. */
void mcp_notify_poll(struct mcp_notify *n,
                     mcp_notice_fn msg, void *arg);

/* Honour the silences file at path (silence.h): the first call reads it,
 * later ones re-read it when it changed. Returns 1 when (re)read (err
 * then holds a warning when the file was too large to read in full), 0
 * when unchanged, -1 with err (the silences in force stay). See the top
 * for what a silence holds back. */
int mcp_notify_silences(struct mcp_notify *n, const char *path, char *err);

/* Silences in force now. */
size_t mcp_notify_active_silences(const struct mcp_notify *n);

/* Deliveries so far: queued, delivered, failed, dropped, silenced. */
struct mcp_notify_stats {
    unsigned long long queued, delivered, failed, dropped, silenced;
};
void mcp_notify_stats(const struct mcp_notify *n, struct mcp_notify_stats *s);

/* Deliveries per sink (indexes of the config's sinks), for the metrics:
 * [0] delivered, [1] retries (attempts after the first), [2] failed
 * after the last attempt, [3] dropped (its queue was full). Returns the
 * array (valid until destroy) and its length in n. */
const uint64_t (*mcp_notify_sink_counts(const struct mcp_notify *n,
                                        size_t *count))[4];

/* Give queued alerts up to grace_ms, then stop every sink. */
void mcp_notify_destroy(struct mcp_notify *n, int64_t grace_ms,
                        mcp_notice_fn msg, void *arg);

#endif
