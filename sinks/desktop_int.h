/* desktop_int.h - what the desktop sink's two files share: desktop.c (the
 * sink: options, text, the alert key -> notification map) and
 * desktop_bus.c (the session bus and the process's one libnotify, with
 * every step bounded by the sink's `timeout`). Not a public header. */
#ifndef MCP_DESKTOP_INT_H
#define MCP_DESKTOP_INT_H

#include <libnotify/notify.h>
#include <stdbool.h>
#include <stdint.h>

#define DK_MAX_KEYS 256     /* alerts remembered for update in place */

/* One alert's notification. n is NULL until the first show and again
 * after a reset (the bus connection was lost: every NotifyNotification is
 * dropped); id survives, so the next show still replaces the same
 * notification on screen. */
struct dk_slot {
    char *key;              /* the alert key; NULL when the slot is free */
    NotifyNotification *n;  /* ours (one reference) */
    uint32_t id;            /* the server's id, 0 before the first show */
    uint64_t used;          /* the instance's clock at the last show */
};

/* The context of one desktop sink instance (mcplog.yaml entry). */
struct desktop {
    int64_t timeout_ms;     /* option `timeout` */
    char *expire;           /* option `expire` */
    char *icon;             /* option `icon` */
    int32_t expire_ms;      /* -1: the server's default, 0: never */
    struct dk_slot slots[DK_MAX_KEYS];
    uint64_t clock;
    bool open;              /* dk_open() succeeded */
    struct desktop *next;   /* the open instances (desktop_bus.c) */
};

/* Join the process's desktop session: the first instance calls
 * notify_init("mcplog") and starts the watchdog thread. 0, or -1 with err.
 * Main thread (sink init). */
int dk_open(struct desktop *d, char *err);

/* Drop d's notifications (they stay on screen) and leave; the last
 * instance closes the bus connection (bounded by d->timeout_ms) and calls
 * notify_uninit(). Safe on an instance that never opened. */
void dk_close(struct desktop *d);

/* Every use of libnotify or the connection happens between dk_lock() and
 * dk_unlock(): libnotify keeps its state in globals without locks, and
 * desktop instances have one dispatcher thread each. dk_unlock() first
 * runs what glib queued for us (so nothing piles up between alerts). */
void dk_lock(void);
void dk_unlock(void);

/* Make sure a notification can be shown before deadline (monotonic, us):
 * connected to the session bus, the notification service answers (a
 * GetServerInformation call bounded by the time left; it may start the
 * service by bus activation), and libnotify is set up on that connection.
 * 0, or -1 with err (a cause that stays the same from one try to the
 * next). Under dk_lock(). */
int dk_ready(const struct desktop *d, int64_t deadline, char *err);

/* notify_notification_show(n), with a watchdog that closes the bus
 * connection at deadline, which makes libnotify's call (a fixed 25 s
 * D-Bus timeout) return at once. 0, or -1 with err. Only after dk_ready()
 * succeeded, under dk_lock(). */
int dk_show(const struct desktop *d, NotifyNotification *n, int64_t deadline,
            char *err);

/* Free a slot: unref its notification (without a D-Bus call: libnotify
 * is set up whenever a notification exists) and forget the key. */
void dk_slot_free(struct dk_slot *s);

#endif
