/* dispatch.h - delivers alert transitions to the sinks off the main
 * thread (ARCHITECTURE.md "sinks").
 *
 * Each sink instance gets one worker thread and one bounded queue, so a
 * slow webhook never delays the desktop, and reading and matching never
 * wait for delivery: mcp_dispatch_send() copies the alert and returns at
 * once; when the queue is full the alert is dropped and counted. The
 * worker calls emit(); on RETRY it waits backoff, 2 x backoff, ... (at
 * most max_backoff) and tries again, up to `retries` more times. Retry
 * lives here only, never in a sink.
 *
 * Outcomes come back to the main thread: eventfd mcp_dispatch_fd() turns
 * readable, and mcp_dispatch_results() hands each one to a callback in the
 * caller's thread (so printing stays in one thread).
 */
#ifndef MCP_DISPATCH_H
#define MCP_DISPATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "sinks/sinkconf.h"

struct mcp_dispatch;

struct mcp_delivery {
    const char *sink;          /* instance name */
    const char *key;           /* the alert's key */
    const char *rule;
    enum mcp_alert_status status;
    enum mcp_sink_result result; /* RETRY: a retry is coming (only with
                                    mcp_dispatch_report_retries) */
    unsigned attempts;         /* made so far */
    int64_t elapsed_ms;        /* from queueing to the outcome */
    const char *err;           /* "" on success */
    uint64_t dropped;          /* alerts dropped at this sink so far */
    unsigned max_attempts;     /* 1 + the sink's retries */
    int64_t retry_ms;          /* RETRY: the wait before the next attempt */
};

typedef void (*mcp_delivery_fn)(const struct mcp_delivery *d, void *arg);

/* Start every sink of sinks[0..n) that is not disabled (init in this
 * thread, then its worker). The array must outlive the dispatcher; sink
 * i of the other calls is sinks[i]. Returns NULL with "file:line:col:
 * sink 'NAME': cause" in err when an init fails (the ones started are
 * stopped). */
struct mcp_dispatch *mcp_dispatch_create(struct mcp_sink_conf *sinks,
                                         size_t n, char *err);

/* Queue a copy of a for sink i. When its queue is full: with wait, block
 * until there is room (scan --replay); without, return -1 (the alert is
 * dropped, counted, and reported with the next outcome). Returns 0 when
 * queued. Sink i must not be disabled. */
int mcp_dispatch_send(struct mcp_dispatch *d, size_t i,
                      const struct mcp_sink_alert *a, bool wait);

/* From now on, also hand each retry to the callbacks, as it is decided:
 * an outcome with result RETRY, the failed attempt's count and error, and
 * the wait before the next (`mcplog sinks test` prints them). Off by
 * default: follow only wants the final outcomes. */
void mcp_dispatch_report_retries(struct mcp_dispatch *d);

/* An eventfd that is readable while outcomes wait. */
int mcp_dispatch_fd(const struct mcp_dispatch *d);

/* Hand every waiting outcome to fn; returns how many. */
size_t mcp_dispatch_results(struct mcp_dispatch *d, mcp_delivery_fn fn,
                            void *arg);

/* Alerts queued or being delivered, over every sink; for sink i alone
 * (0 past the last). */
size_t mcp_dispatch_pending(struct mcp_dispatch *d);
size_t mcp_dispatch_pending_at(struct mcp_dispatch *d, size_t i);

/* Wait until nothing is pending or timeout_ms passed; outcomes go to fn
 * as they come. Returns what is still pending. */
size_t mcp_dispatch_wait(struct mcp_dispatch *d, int64_t timeout_ms,
                         mcp_delivery_fn fn, void *arg);

/* Stop: what is queued gets until grace_ms to go out (without retry
 * waits past that), the rest is dropped; then destroy every sink. A sink
 * stuck in emit delays this by up to its own timeout. fn (may be NULL)
 * gets the last outcomes. */
void mcp_dispatch_destroy(struct mcp_dispatch *d, int64_t grace_ms,
                          mcp_delivery_fn fn, void *arg);

#endif
