/* desktop.c - the desktop notification sink: one freedesktop notification
 * per alert key, sent with libnotify, updated in place while the alert
 * fires and turned into a "Resolved: ..." notification when it ends.
 *
 * This file is the sink: its options, the text, and the alert key ->
 * NotifyNotification map. desktop_bus.c owns the session bus connection
 * and libnotify's process-wide state, and bounds every D-Bus step by the
 * `timeout` option (libnotify alone would wait 25 s, connect without a
 * bound, autolaunch a bus and SIGTERM mcplog when the bus goes away: see
 * there).
 *
 * Text: the summary is plain text (the specification says so, and dunst,
 * GNOME Shell and mako quote it before rendering), the body is Pango
 * markup, so it is escaped once with g_markup_escape_text. Before either,
 * shown_str() passes it through the terminal view's escaper
 * (mcp_text_cut: C0 controls, NUL and DEL as \xNN, C1, bidi and invisible
 * format characters as \u{NNNN}), invalid UTF-8 repaired as U+FFFD
 * (GVariant would refuse it), and caps the length.
 */
#include <glib.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "sinks/desktop_int.h"
#include "sinks/sink.h"
#include "base/textout.h"
#include "base/util.h"

#define SUMMARY_CAP 300     /* bytes of summary shown */
#define LABEL_CAP 200       /* bytes of a label value shown */
#define LINE_CAP 1000       /* bytes of the last log line shown */
#define CONTEXT_CAP 500     /* bytes of the traceback line shown */

/* --- text ---------------------------------------------------------------- */

/* At most cap bytes of s, safe to show (see the top of the file). */
static void shown_str(struct mcp_buf *out, const char *s, size_t cap)
{
    mcp_text_cut(out, s, strlen(s), cap);
}

/* The notification summary (plain text): the alert's summary, or its rule
 * when it has none, prefixed "Resolved: " once the alert has ended. Never
 * empty (libnotify refuses an empty summary). */
static void make_summary(struct mcp_buf *b, const struct mcp_sink_alert *a)
{
    const char *s = a->summary && a->summary[0] ? a->summary : a->rule;

    if (a->status == MCP_STATUS_RESOLVED)
        mcp_buf_puts(b, "Resolved: ");
    shown_str(b, s, SUMMARY_CAP);
    if (b->len == 0)
        mcp_buf_puts(b, "mcplog alert");
}

/* The body as plain text, one field a line; the caller escapes it. */
static void make_body(struct mcp_buf *b, const struct mcp_sink_alert *a)
{
    mcp_buf_puts(b, "rule: ");
    shown_str(b, a->rule, LABEL_CAP);
    if (a->nlabels > 0) {
        mcp_buf_puts(b, "\nlabels: ");
        for (int i = 0; i < a->nlabels; i++) {
            if (i > 0)
                mcp_buf_puts(b, ", ");
            shown_str(b, a->label_name[i], LABEL_CAP);
            mcp_buf_putc(b, '=');
            shown_str(b, a->label_value[i], LABEL_CAP);
        }
    }
    mcp_buf_printf(b, "\ncount: %llu", (unsigned long long)a->count);
    if (a->last_line && a->last_line_len > 0) {
        mcp_buf_puts(b, "\nline: ");
        mcp_text_cut(b, a->last_line, a->last_line_len, LINE_CAP);
    }
    if (a->context_last) {
        mcp_buf_puts(b, "\ntraceback: ");
        shown_str(b, a->context_last, CONTEXT_CAP);
    }
}

/* --- the alert key -> notification map ----------------------------------- */

static struct dk_slot *slot_find(struct desktop *d, const char *key)
{
    for (int i = 0; i < DK_MAX_KEYS; i++)
        if (d->slots[i].key && strcmp(d->slots[i].key, key) == 0)
            return &d->slots[i];
    return NULL;
}

/* A slot for a new key: a free one, else the least recently shown one
 * (that alert's next transition then opens a new notification). */
static struct dk_slot *slot_take(struct desktop *d, const char *key)
{
    struct dk_slot *old = &d->slots[0];

    for (int i = 0; i < DK_MAX_KEYS; i++) {
        if (!d->slots[i].key) {
            old = &d->slots[i];
            break;
        }
        if (d->slots[i].used < old->used)
            old = &d->slots[i];
    }
    dk_slot_free(old);
    old->key = mcp_strdup(key);
    return old;
}

/* --- the sink ------------------------------------------------------------ */

static NotifyUrgency urgency(enum mcp_severity s)
{
    switch (s) {
    case MCP_SEV_CRITICAL:
        return NOTIFY_URGENCY_CRITICAL;
    case MCP_SEV_WARNING:
        return NOTIFY_URGENCY_NORMAL;
    default:
        return NOTIFY_URGENCY_LOW;
    }
}

static int init(void *ctx, const char *instance, char *err)
{
    struct desktop *d = ctx;
    int64_t ms;

    (void)instance;
    if (d->timeout_ms <= 0 || d->timeout_ms > INT_MAX) {
        mcp_errf(err, "timeout: must be more than 0 and less than 24d");
        return -1;
    }
    if (!d->expire || strcmp(d->expire, "default") == 0) {
        d->expire_ms = NOTIFY_EXPIRES_DEFAULT;
    } else if (strcmp(d->expire, "never") == 0) {
        d->expire_ms = NOTIFY_EXPIRES_NEVER;
    } else {
        char derr[MCP_ERRLEN] = "";

        if (mcp_duration_parse(d->expire, &ms, derr) < 0) {
            mcp_errf(err, "expire: %s (or 'default', 'never')", derr);
            return -1;
        }
        if (ms <= 0 || ms > INT32_MAX) {
            mcp_errf(err, "expire: must be more than 0 and less than 24d "
                          "(or 'default', 'never')");
            return -1;
        }
        d->expire_ms = (int32_t)ms;
    }
    if (d->icon && !g_utf8_validate(d->icon, -1, NULL)) {
        mcp_errf(err, "icon: not valid UTF-8");
        return -1;
    }
    return dk_open(d, err);
}

/* Show a's transition: update the key's notification in place (a new one
 * for a new key), and forget the key once resolved. Under dk_lock(), after
 * dk_ready(). */
static int show(struct desktop *d, const struct mcp_sink_alert *a,
                int64_t deadline, char *err)
{
    struct dk_slot *s = slot_find(d, a->key);
    struct mcp_buf summary, body;
    char *markup;
    gint id = 0;
    int rc;

    mcp_buf_init(&summary);
    mcp_buf_init(&body);
    make_summary(&summary, a);
    make_body(&body, a);
    markup = g_markup_escape_text(body.data, (gssize)body.len);
    if (!s)
        s = slot_take(d, a->key);
    if (!s->n) {
        s->n = notify_notification_new(summary.data, markup, d->icon);
        if (s->id > 0 && s->id <= G_MAXINT32)  /* after a reset */
            g_object_set(s->n, "id", (gint)s->id, NULL);
    } else {
        notify_notification_update(s->n, summary.data, markup, d->icon);
    }
    notify_notification_set_urgency(s->n, urgency(a->severity));
    notify_notification_set_timeout(s->n, d->expire_ms);
    g_free(markup);
    mcp_buf_free(&summary);
    mcp_buf_free(&body);

    rc = dk_show(d, s->n, deadline, err);
    if (rc == 0) {
        g_object_get(s->n, "id", &id, NULL);
        s->id = (uint32_t)id;
        s->used = ++d->clock;
    }
    if ((rc == 0 && a->status == MCP_STATUS_RESOLVED) ||
        (rc != 0 && s->id == 0))       /* nothing on screen to update */
        dk_slot_free(s);
    return rc;
}

static enum mcp_sink_result emit(void *ctx, const struct mcp_sink_alert *a,
                                 char *err)
{
    struct desktop *d = ctx;
    int64_t deadline = g_get_monotonic_time() + d->timeout_ms * 1000;
    int rc;

    dk_lock();
    rc = dk_ready(d, deadline, err);
    if (rc == 0)
        rc = show(d, a, deadline, err);
    dk_unlock();
    return rc == 0 ? MCP_SINK_OK : MCP_SINK_FAIL;
}

static void destroy(void *ctx)
{
    dk_close(ctx);
}

static const struct mcp_opt opts[] = {
    MCP_OPT("timeout", MCP_OPT_DURATION, "5s", false,
            offsetof(struct desktop, timeout_ms),
            "bound on one delivery: connecting to the session bus, checking "
            "the notification service answers, and libnotify's Notify call"),
    MCP_OPT("expire", MCP_OPT_STR, "default", false,
            offsetof(struct desktop, expire),
            "how long the notification stays: a duration, 'never', or "
            "'default' (the notification server decides)"),
    MCP_OPT("icon", MCP_OPT_STR, NULL, false, offsetof(struct desktop, icon),
            "icon name (from the icon theme) or file path; none by default"),
    {0},
};

/* The desktop sink type (sinks/registry.c). Every failure is FAIL, never
 * RETRY: no bus, no notification service, or one that does not answer
 * within `timeout` would not be helped by retrying the same alert soon;
 * the next alert probes again (and reconnects if the connection was lost). */
static void target(const void *ctx, char *buf, size_t len)
{
    (void)ctx;
    snprintf(buf, len, "the session's notification service");
}

const struct mcp_sink_ops mcp_sink_desktop = {
    .name = "desktop",
    .help = "desktop notification through libnotify (dunst, GNOME, KDE...), "
            "one per alert, updated in place",
    .opts = opts,
    .ctx_size = sizeof(struct desktop),
    .init = init,
    .emit = emit,
    .flush = NULL,
    .destroy = destroy,
    .target = target,
};
