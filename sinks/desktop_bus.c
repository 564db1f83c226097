/* desktop_bus.c - the desktop sink's session bus and libnotify, with every
 * step bounded by the sink's `timeout` (desktop_int.h).
 *
 * libnotify sends the notifications, but left to itself (libnotify 0.8.1,
 * glib 2.74) it is unbounded in three places:
 *   1. it takes the session bus with g_bus_get_sync(): no time limit, it
 *      may autolaunch a bus with dbus-launch, and that shared connection
 *      has exit-on-close set (a bus going away would SIGTERM mcplog);
 *   2. it makes its D-Bus proxy on first use - also when a
 *      NotifyNotification is disposed - with StartServiceByName,
 *      GetNameOwner and GetServerInformation calls, and every call it
 *      makes, Notify included, has glib's default timeout of 25 s;
 *   3. the proxy subscribes to the service's signals, which glib queues as
 *      sources in the main context the proxy was made in; no main loop
 *      runs in mcplog, so they would pile up.
 * So, in each emit, in this order:
 *   1. the shared session bus connection is made here, by g_bus_get() on
 *      our own GMainContext, waited for until the deadline; libnotify's
 *      g_bus_get_sync() then returns that connection. The address is first
 *      looked up as glib will (DBUS_SESSION_BUS_ADDRESS, else
 *      <runtime dir>/bus): with neither, nothing is started. exit-on-close
 *      is turned off in the completion callback, which runs before the
 *      connection's "closed" signal can (both are dispatched from our
 *      context, in order). A filter drops every incoming signal in glib's
 *      worker thread: mcplog uses none (no actions, no closed callbacks),
 *      and nothing is queued;
 *   2. a GetServerInformation call with the time left checks the service
 *      answers (bus activation may start it); else libnotify is not called;
 *   3. libnotify's proxy is made once, right after such a check, by
 *      notify_get_server_info(); NotifyNotification objects exist only
 *      while it exists, so disposing one never makes a proxy;
 *   4. every libnotify call that talks to the bus runs under a watchdog
 *      thread that closes the connection at the deadline: glib then fails
 *      the pending call at once ("The connection is closed"). The next
 *      emit finds the connection closed and resets: drops every
 *      notification object, notify_uninit() and notify_init() (libnotify's
 *      proxy goes, and with it its reference to the connection), drops the
 *      connection (glib's weak singleton is cleared) and connects afresh.
 *      A bus that goes away is handled the same way.
 * A connect that outlives its deadline is not cancelled: the next emit
 * waits for the same attempt (glib's Hello call takes no cancellable, so a
 * cancelled attempt could keep a thread busy for 25 s).
 * What is left, knowingly: <runtime dir>/bus vanishing between our look
 * and glib's would let glib try dbus-launch (it does only with $DISPLAY
 * set); a bus that hangs with our socket buffer full keeps the watchdog's
 * close from finishing, and libnotify's call then ends at its own 25 s;
 * under Flatpak or Snap libnotify talks to the notification portal, which
 * the check does not cover.
 *
 * libnotify keeps process-wide state without locks, so all desktop sink
 * instances share this module and take turns (lib.lock): one instance may
 * wait for another's delivery (at most that one's timeout) before its own.
 * Other sinks, and reading the logs, never wait for it: each sink instance
 * has its own dispatcher thread.
 */
#include <gio/gio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sinks/desktop_int.h"
#include "base/util.h"

#define BUS_NAME "org.freedesktop.Notifications"
#define BUS_PATH "/org/freedesktop/Notifications"

static struct {
    pthread_mutex_t lock;
    int users;                  /* open instances */
    struct desktop *open;       /* ... listed */
    GMainContext *mc;           /* where the connection, its g_bus_get()
                                   and libnotify's proxy deliver; run by
                                   whoever holds the lock */
    GDBusConnection *conn;      /* glib's shared session bus connection */
    guint filter;
    bool connecting;            /* a g_bus_get() is under way */
    GError *connect_error;      /* how the last one failed */
    GCancellable *cancel;       /* ... for the last one (at exit) */
    bool closing;               /* our close of conn is under way */
    bool proxy;                 /* libnotify's proxy exists */
} lib = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* The watchdog: closes wd.conn when armed past wd.deadline. */
static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    bool started, quit, armed, fired, closing;
    int64_t deadline;           /* monotonic, us (g_get_monotonic_time) */
    GDBusConnection *conn;      /* a reference while armed */
} wd = {.mu = PTHREAD_MUTEX_INITIALIZER};

static int64_t left_ms(int64_t deadline)
{
    int64_t ms = (deadline - g_get_monotonic_time()) / 1000;

    return ms > 0 ? ms : 1;
}

static void timeout_text(const struct desktop *d, char *buf, size_t len)
{
    mcp_duration_format(d->timeout_ms, buf, len);
}

/* --- the watchdog thread ------------------------------------------------- */

static void *wd_run(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&wd.mu);
    while (!wd.quit) {
        if (!wd.armed) {
            pthread_cond_wait(&wd.cv, &wd.mu);
        } else if (g_get_monotonic_time() < wd.deadline) {
            struct timespec ts = {(time_t)(wd.deadline / 1000000),
                                  (long)(wd.deadline % 1000000) * 1000L};

            pthread_cond_timedwait(&wd.cv, &wd.mu, &ts);
        } else {
            GDBusConnection *c = wd.conn;   /* stays ours until disarmed */

            wd.armed = false;
            wd.fired = true;
            wd.closing = true;
            pthread_mutex_unlock(&wd.mu);
            /* Its own main context; fails the calls waiting for replies. */
            g_dbus_connection_close_sync(c, NULL, NULL);
            pthread_mutex_lock(&wd.mu);
            wd.closing = false;
            pthread_cond_broadcast(&wd.cv);
        }
    }
    pthread_mutex_unlock(&wd.mu);
    return NULL;
}

static int wd_start(char *err)
{
    pthread_condattr_t ca;
    int e;

    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&wd.cv, &ca);
    pthread_condattr_destroy(&ca);
    wd.quit = wd.armed = wd.fired = wd.closing = false;
    e = pthread_create(&wd.thread, NULL, wd_run, NULL);
    if (e != 0) {
        pthread_cond_destroy(&wd.cv);
        mcp_errf(err, "cannot start a thread: %s", strerror(e));
        return -1;
    }
    wd.started = true;
    return 0;
}

static void wd_stop(void)
{
    if (!wd.started)
        return;
    pthread_mutex_lock(&wd.mu);
    wd.quit = true;
    pthread_cond_broadcast(&wd.cv);
    pthread_mutex_unlock(&wd.mu);
    pthread_join(wd.thread, NULL);
    pthread_cond_destroy(&wd.cv);
    wd.started = false;
}

static void wd_arm(int64_t deadline)
{
    pthread_mutex_lock(&wd.mu);
    wd.conn = g_object_ref(lib.conn);
    wd.deadline = deadline;
    wd.fired = false;
    wd.armed = true;
    pthread_cond_broadcast(&wd.cv);
    pthread_mutex_unlock(&wd.mu);
}

/* Disarm; whether the watchdog closed the connection. */
static bool wd_disarm(void)
{
    GDBusConnection *c;
    bool fired;

    pthread_mutex_lock(&wd.mu);
    while (wd.closing)
        pthread_cond_wait(&wd.cv, &wd.mu);
    wd.armed = false;
    fired = wd.fired;
    c = wd.conn;
    wd.conn = NULL;
    pthread_mutex_unlock(&wd.mu);
    g_object_unref(c);
    return fired;
}

/* --- our main context ---------------------------------------------------- */

static gboolean on_deadline(gpointer data)
{
    *(bool *)data = true;
    return G_SOURCE_REMOVE;
}

/* Run lib.mc while *pending, until deadline. */
static void run_while(const bool *pending, int64_t deadline)
{
    GSource *t = g_timeout_source_new((guint)left_ms(deadline));
    bool late = false;

    g_source_set_callback(t, on_deadline, &late, NULL);
    g_source_attach(t, lib.mc);
    while (*pending && !late)
        g_main_context_iteration(lib.mc, TRUE);
    g_source_destroy(t);
    g_source_unref(t);
}

/* Dispatch what is ready: a late g_bus_get() result, the "closed" signal
 * of a connection, the destroy notifications of a proxy's signal
 * subscriptions. Each holds memory (and references) until it runs. */
static void drain(void)
{
    while (g_main_context_iteration(lib.mc, FALSE))
        ;
}

/* --- the connection ------------------------------------------------------ */

static GDBusMessage *drop_signals(GDBusConnection *c, GDBusMessage *m,
                                  gboolean incoming, gpointer data)
{
    (void)c;
    (void)data;
    if (incoming &&
        g_dbus_message_get_message_type(m) == G_DBUS_MESSAGE_TYPE_SIGNAL) {
        g_object_unref(m);
        return NULL;
    }
    return m;
}

/* g_bus_get() done (dispatched from lib.mc, under the lock). */
static void on_bus(GObject *src, GAsyncResult *res, gpointer data)
{
    GError *ge = NULL;
    GDBusConnection *c = g_bus_get_finish(res, &ge);

    (void)src;
    (void)data;
    lib.connecting = false;
    if (c == NULL) {
        g_clear_error(&lib.connect_error);
        lib.connect_error = ge;
        return;
    }
    g_dbus_connection_set_exit_on_close(c, FALSE);
    lib.filter = g_dbus_connection_add_filter(c, drop_signals, NULL, NULL);
    lib.conn = c;
}

/* Whether glib would find a session bus without starting one: it takes
 * DBUS_SESSION_BUS_ADDRESS (even empty: then it fails), else
 * <runtime dir>/bus if it exists, else runs dbus-launch --autolaunch. */
static int bus_findable(char *err)
{
    char *path;
    bool there;

    if (g_getenv("DBUS_SESSION_BUS_ADDRESS") != NULL)
        return 0;
    path = g_build_filename(g_get_user_runtime_dir(), "bus", NULL);
    there = g_file_test(path, G_FILE_TEST_EXISTS);
    if (!there)
        mcp_errf(err, "no session bus (DBUS_SESSION_BUS_ADDRESS is not set "
                      "and there is no %s)", path);
    g_free(path);
    return there ? 0 : -1;
}

static int bus_connect(const struct desktop *d, int64_t deadline, char *err)
{
    char tbuf[32];

    if (!lib.connecting) {
        g_clear_error(&lib.connect_error);  /* a late answer: try again */
        if (bus_findable(err) < 0)
            return -1;
        g_clear_object(&lib.cancel);
        lib.cancel = g_cancellable_new();
        lib.connecting = true;
        /* The connection remembers this context: its "closed" signal is
         * delivered here, after on_bus() has turned exit-on-close off. */
        g_main_context_push_thread_default(lib.mc);
        g_bus_get(G_BUS_TYPE_SESSION, lib.cancel, on_bus, NULL);
        g_main_context_pop_thread_default(lib.mc);
    }
    run_while(&lib.connecting, deadline);
    if (lib.conn)
        return 0;
    if (lib.connecting) {
        timeout_text(d, tbuf, sizeof tbuf);
        mcp_errf(err, "the session bus did not answer within %s", tbuf);
    } else {
        mcp_errf(err, "cannot connect to the session bus: %s",
                 lib.connect_error->message);
        g_clear_error(&lib.connect_error);
    }
    return -1;
}

/* Forget the connection and everything libnotify built on it. */
static void reset(void)
{
    for (struct desktop *d = lib.open; d; d = d->next)
        for (int i = 0; i < DK_MAX_KEYS; i++)
            g_clear_object(&d->slots[i].n);
    /* Unconditional: a failed notify_get_server_info() may have left a
     * proxy on the old connection. No notification exists, so this makes
     * no D-Bus call. */
    notify_uninit();
    notify_init("mcplog");
    lib.proxy = false;
    if (lib.conn) {
        g_dbus_connection_remove_filter(lib.conn, lib.filter);
        g_clear_object(&lib.conn);
    }
    drain();
}

static void on_closed(GObject *src, GAsyncResult *res, gpointer data)
{
    (void)data;
    g_dbus_connection_close_finish(G_DBUS_CONNECTION(src), res, NULL);
    lib.closing = false;
}

/* The last instance is gone: close everything, waiting at most timeout
 * for the bus. What the bus does not finish in time is left (a few
 * objects, never freed). */
static void teardown(int64_t timeout_ms)
{
    int64_t deadline = g_get_monotonic_time() + timeout_ms * 1000;

    wd_stop();
    if (lib.connecting) {
        g_cancellable_cancel(lib.cancel);
        run_while(&lib.connecting, deadline);
        lib.connecting = false;         /* if still not done: abandoned */
    }
    g_clear_object(&lib.cancel);
    g_clear_error(&lib.connect_error);
    notify_uninit();                    /* no notification is left */
    lib.proxy = false;
    if (lib.conn) {
        g_dbus_connection_remove_filter(lib.conn, lib.filter);
        if (!g_dbus_connection_is_closed(lib.conn)) {
            lib.closing = true;
            g_main_context_push_thread_default(lib.mc);
            g_dbus_connection_close(lib.conn, NULL, on_closed, NULL);
            g_main_context_pop_thread_default(lib.mc);
            run_while(&lib.closing, deadline);
            lib.closing = false;
        }
        g_clear_object(&lib.conn);
    }
    drain();
    g_main_context_unref(lib.mc);
    lib.mc = NULL;
}

/* --- calls --------------------------------------------------------------- */

/* Say why a call to the service failed, in words that stay the same from
 * one failure to the next (the core rate-limits repeated messages). */
static void call_error(const struct desktop *d, GError *ge, char *err)
{
    char tbuf[32];

    timeout_text(d, tbuf, sizeof tbuf);
    if (ge == NULL) {
        mcp_errf(err, "libnotify could not reach the notification service");
    } else if (g_error_matches(ge, G_DBUS_ERROR,
                               G_DBUS_ERROR_SERVICE_UNKNOWN) ||
               g_error_matches(ge, G_DBUS_ERROR,
                               G_DBUS_ERROR_NAME_HAS_NO_OWNER)) {
        mcp_errf(err, "no notification service on the session bus "
                      "(nothing owns " BUS_NAME ")");
    } else if (g_error_matches(ge, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) ||
               g_error_matches(ge, G_DBUS_ERROR, G_DBUS_ERROR_TIMEOUT) ||
               g_error_matches(ge, G_DBUS_ERROR, G_DBUS_ERROR_NO_REPLY) ||
               g_error_matches(ge, G_DBUS_ERROR, G_DBUS_ERROR_TIMED_OUT)) {
        mcp_errf(err, "the notification service did not answer within %s",
                 tbuf);
    } else if (g_error_matches(ge, G_IO_ERROR, G_IO_ERROR_CLOSED)) {
        mcp_errf(err, "the session bus closed the connection");
    } else {
        char *name = g_dbus_error_get_remote_error(ge);
        bool spawn = name && g_str_has_prefix(name, "org.freedesktop.DBus."
                                                    "Error.Spawn.");

        g_free(name);
        g_dbus_error_strip_remote_error(ge);
        if (spawn)                          /* bus activation failed */
            mcp_errf(err, "the notification service could not be started: "
                          "%s", ge->message);
        else
            mcp_errf(err, "the notification service refused the "
                          "notification: %s", ge->message);
    }
}

static int check_service(const struct desktop *d, int64_t deadline,
                         char *err)
{
    GError *ge = NULL;
    GVariant *r = g_dbus_connection_call_sync(
        lib.conn, BUS_NAME, BUS_PATH, BUS_NAME, "GetServerInformation",
        NULL, G_VARIANT_TYPE("(ssss)"), G_DBUS_CALL_FLAGS_NONE,
        (gint)left_ms(deadline), NULL, &ge);

    if (r) {
        g_variant_unref(r);
        return 0;
    }
    call_error(d, ge, err);
    g_error_free(ge);
    return -1;
}

/* libnotify's proxy, made now that the service has just answered. */
static int proxy_make(const struct desktop *d, int64_t deadline, char *err)
{
    char tbuf[32];
    gboolean ok;

    if (lib.proxy)
        return 0;
    wd_arm(deadline);
    /* Its signal subscriptions go to lib.mc (and are filtered anyway). */
    g_main_context_push_thread_default(lib.mc);
    ok = notify_get_server_info(NULL, NULL, NULL, NULL);
    g_main_context_pop_thread_default(lib.mc);
    if (ok)
        lib.proxy = true;
    if (wd_disarm()) {          /* the connection is closed: reset next */
        timeout_text(d, tbuf, sizeof tbuf);
        mcp_errf(err, "the notification service did not answer within %s",
                 tbuf);
        return -1;
    }
    if (!ok) {
        call_error(d, NULL, err);
        return -1;
    }
    return 0;
}

/* --- the interface (desktop_int.h) --------------------------------------- */

int dk_open(struct desktop *d, char *err)
{
    pthread_mutex_lock(&lib.lock);
    if (lib.users == 0) {
        if (!notify_init("mcplog")) {
            pthread_mutex_unlock(&lib.lock);
            mcp_errf(err, "libnotify: notify_init failed");
            return -1;
        }
        if (wd_start(err) < 0) {
            notify_uninit();
            pthread_mutex_unlock(&lib.lock);
            return -1;
        }
        lib.mc = g_main_context_new();
    }
    lib.users++;
    d->next = lib.open;
    lib.open = d;
    d->open = true;
    pthread_mutex_unlock(&lib.lock);
    return 0;
}

void dk_close(struct desktop *d)
{
    if (!d->open)
        return;
    pthread_mutex_lock(&lib.lock);
    for (int i = 0; i < DK_MAX_KEYS; i++)
        dk_slot_free(&d->slots[i]);
    for (struct desktop **p = &lib.open; *p; p = &(*p)->next)
        if (*p == d) {
            *p = d->next;
            break;
        }
    d->open = false;
    if (--lib.users == 0)
        teardown(d->timeout_ms);
    pthread_mutex_unlock(&lib.lock);
}

void dk_lock(void)
{
    pthread_mutex_lock(&lib.lock);
}

void dk_unlock(void)
{
    drain();
    pthread_mutex_unlock(&lib.lock);
}

int dk_ready(const struct desktop *d, int64_t deadline, char *err)
{
    if (lib.conn && g_dbus_connection_is_closed(lib.conn))
        reset();                /* the bus went away, or the watchdog */
    if (!lib.conn && bus_connect(d, deadline, err) < 0)
        return -1;
    if (check_service(d, deadline, err) < 0)
        return -1;
    return proxy_make(d, deadline, err);
}

int dk_show(const struct desktop *d, NotifyNotification *n, int64_t deadline,
            char *err)
{
    char tbuf[32];
    GError *ge = NULL;
    gboolean ok;
    bool fired;

    wd_arm(deadline);
    g_main_context_push_thread_default(lib.mc);
    ok = notify_notification_show(n, &ge);
    g_main_context_pop_thread_default(lib.mc);
    fired = wd_disarm();
    if (ok)
        return 0;
    if (fired) {
        timeout_text(d, tbuf, sizeof tbuf);
        mcp_errf(err, "the notification service did not answer within %s",
                 tbuf);
    } else {
        call_error(d, ge, err);
    }
    g_clear_error(&ge);
    return -1;
}

void dk_slot_free(struct dk_slot *s)
{
    g_clear_object(&s->n);
    free(s->key);
    s->key = NULL;
    s->id = 0;
    s->used = 0;
}
