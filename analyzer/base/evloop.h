/* evloop.h - a small event loop: epoll, timerfd and signalfd (in the
 * manner of Redis's ae). Everything `mcplog follow` waits for goes through
 * it: inotify, timers and signals. It never polls in a busy loop: it
 * sleeps in epoll_wait until a descriptor is ready.
 */
#ifndef MCP_EVLOOP_H
#define MCP_EVLOOP_H

#include <stdbool.h>
#include <stdint.h>

struct mcp_evloop;
struct mcp_evtimer;

typedef void (*mcp_fd_fn)(int fd, uint32_t events, void *arg);
typedef void (*mcp_timer_fn)(struct mcp_evtimer *t, void *arg);
typedef void (*mcp_signal_fn)(int signo, void *arg);

/* Create a loop. Returns NULL with err set on failure. */
struct mcp_evloop *mcp_evloop_create(char *err);

/* Watch fd for events (EPOLLIN, ...). fn is called with the ready events.
 * Returns 0 or -1 (err). */
int mcp_evloop_add_fd(struct mcp_evloop *l, int fd, uint32_t events,
                      mcp_fd_fn fn, void *arg, char *err);
void mcp_evloop_del_fd(struct mcp_evloop *l, int fd);
/* Change the events a watched fd waits for (EPOLLIN to EPOLLOUT and
 * back). Returns 0, or -1 when fd is not watched or epoll refuses. */
int mcp_evloop_mod_fd(struct mcp_evloop *l, int fd, uint32_t events);

/* A timer (its own timerfd, CLOCK_MONOTONIC). Created disarmed. */
struct mcp_evtimer *mcp_evloop_add_timer(struct mcp_evloop *l,
                                         mcp_timer_fn fn, void *arg,
                                         char *err);
/* Fire once after delay_ms (> 0), then every interval_ms (0: once). */
void mcp_evtimer_arm(struct mcp_evtimer *t, int64_t delay_ms,
                     int64_t interval_ms);
void mcp_evtimer_disarm(struct mcp_evtimer *t);
/* Fire once at the next turn of the loop, without a sleep: with whatever
 * else is ready then (a signal, another timer), in any order. */
void mcp_evtimer_arm_now(struct mcp_evtimer *t);

/* Deliver these signals through the loop (they are blocked for the
 * process and read from a signalfd). Returns 0 or -1 (err). */
int mcp_evloop_signals(struct mcp_evloop *l, const int *sigs, int n,
                       mcp_signal_fn fn, void *arg, char *err);

/* Run until mcp_evloop_stop(). Returns 0, or -1 when epoll fails. */
int mcp_evloop_run(struct mcp_evloop *l);
void mcp_evloop_stop(struct mcp_evloop *l);

/* How many times epoll_wait has returned (for the idle wake-up bench). */
uint64_t mcp_evloop_wakeups(const struct mcp_evloop *l);

/* Free the loop, its timers and signal descriptor (not the watched fds). */
void mcp_evloop_destroy(struct mcp_evloop *l);

#endif
