/* webhook_am.c - what the webhook sink computes without the network: the
 * redacted form of its URL for messages, and the body Alertmanager's
 * POST /api/v2/alerts takes.
 *
 * Alertmanager's view of time (docs: "Alerts API", and its resolve_timeout):
 * an alert is firing while endsAt lies in the future and resolved once it
 * has passed; an alert posted without endsAt gets now + resolve_timeout
 * (5m by default) and resolves by itself unless it is posted again before
 * then. Prometheus copes by re-posting every minute; mcplog posts only on
 * transitions (firing, update, repeat, resolved), which may be hours
 * apart. So a firing alert carries endsAt = now + firing_ttl (24h by
 * default, longer than any sensible repeat interval): each update or
 * repeat pushes it further, a resolve sets it to the alert's end, and an
 * alert whose mcplog went away for good resolves itself after firing_ttl.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/textout.h"
#include "sinks/webhook_int.h"

/* ---- redaction ------------------------------------------------------ */

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* Whether [p, end) looks like host[:port]: a bracketed IPv6 address or a
 * name without ':', then an optional all-digit port. Anything else (e.g.
 * "user:pa" from "user:pa/ss@host", a password with an unescaped '/') is
 * not shown. */
static int hostport_ok(const char *p, const char *end)
{
    if (p < end && *p == '[') {
        while (p < end && *p != ']') {
            if (!(is_digit(*p) || (*p >= 'a' && *p <= 'f') ||
                  (*p >= 'A' && *p <= 'F') || *p == ':' || *p == '.' ||
                  *p == '%' || *p == '['))
                return 0;
            p++;
        }
        if (p == end)
            return 0;
        p++;
    } else {
        while (p < end && *p != ':')
            p++;
    }
    if (p == end)
        return 1;
    if (*p != ':')
        return 0;
    for (p++; p < end; p++)
        if (!is_digit(*p))
            return 0;
    return 1;
}

char *mcp_webhook_redact(const char *u)
{
    struct mcp_buf b;
    const char *sep = strstr(u, "://");
    const char *auth = u, *aend, *at = NULL, *p;

    mcp_buf_init(&b);
    if (sep != NULL && (size_t)(sep - u) < strcspn(u, "/?#@")) {
        mcp_buf_append(&b, u, (size_t)(sep + 3 - u));
        auth = sep + 3;
    }
    aend = auth + strcspn(auth, "/?#");
    for (p = auth; p < aend; p++)
        if (*p == '@')
            at = p;
    if (at == NULL && !hostport_ok(auth, aend)) {
        /* Perhaps userinfo with a '/' in it: hide up to the last '@'
         * before the query. */
        const char *qend = auth + strcspn(auth, "?#");

        for (p = aend; p < qend; p++)
            if (*p == '@')
                at = p;
        if (at != NULL)
            aend = at + 1 + strcspn(at + 1, "/?#");
    }
    if (at != NULL) {
        mcp_buf_puts(&b, "***@");
        auth = at + 1;
    }
    if (hostport_ok(auth, aend))
        mcp_buf_append(&b, auth, (size_t)(aend - auth));
    else
        mcp_buf_puts(&b, "***");
    p = aend;

    size_t n = strcspn(p, "?#");

    mcp_buf_append(&b, p, n);
    p += n;
    if (*p == '?') {
        mcp_buf_putc(&b, '?');
        p++;
        while (*p != '\0' && *p != '#') {
            const char *eq;

            n = strcspn(p, "&#");
            eq = memchr(p, '=', n);
            if (eq != NULL)
                mcp_buf_append(&b, p, (size_t)(eq + 1 - p));
            if (n > 0)
                mcp_buf_puts(&b, "***");
            p += n;
            if (*p == '&') {
                mcp_buf_putc(&b, '&');
                p++;
            }
        }
    }
    if (*p == '#')
        mcp_buf_puts(&b, p[1] != '\0' ? "#***" : "#");
    return mcp_buf_steal(&b);
}

/* ---- the Alertmanager body ------------------------------------------ */

void mcp_webhook_am_label_name(struct mcp_buf *b, const char *name)
{
    if (!((*name >= 'a' && *name <= 'z') || (*name >= 'A' && *name <= 'Z') ||
          *name == '_'))
        mcp_buf_putc(b, '_');
    for (const char *p = name; *p != '\0'; p++) {
        char c = *p;

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              is_digit(c) || c == '_'))
            c = '_';
        mcp_buf_putc(b, c);
    }
}

/* RFC 3339 in UTC with milliseconds: "2025-12-10T14:36:02.114Z". The zone
 * is always Z: mcp_time_format_iso() may write a "+HH:MM:SS" offset for
 * historical zones, which RFC 3339 lacks. */
static void put_time(struct mcp_json *j, int64_t ms)
{
    const int64_t max = 253402300799999LL; /* 9999-12-31T23:59:59.999Z */
    char buf[80];
    struct tm tm;
    time_t s;

    if (ms < 0)
        ms = 0;
    if (ms > max)
        ms = max;
    s = (time_t)(ms / 1000);
    gmtime_r(&s, &tm);
    snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
             tm.tm_min, tm.tm_sec, (int)(ms % 1000));
    mcp_json_str(j, buf);
}

/* Log text for an annotation: at most MCP_WEBHOOK_AM_TEXT_MAX bytes of it
 * (cut on a UTF-8 boundary, "…" marks the cut), control characters,
 * escapes and invalid UTF-8 shown visibly (mcp_term_cut). */
static void put_text(struct mcp_json *j, const char *s, size_t n)
{
    struct mcp_buf t;

    mcp_buf_init(&t);
    mcp_term_cut(&t, s, n, MCP_WEBHOOK_AM_TEXT_MAX);
    mcp_json_strn(j, t.data, t.len);
    mcp_buf_free(&t);
}

static void put_pct(struct mcp_buf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
            is_digit((char)*p) || *p == '-' || *p == '.' || *p == '_' ||
            *p == '~')
            mcp_buf_putc(b, (char)*p);
        else
            mcp_buf_printf(b, "%%%02X", *p);
    }
}

#define NAMES_MAX (3 + MCP_MAX_LABELS)

static int name_used(char *const *names, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], s) == 0)
            return 1;
    return 0;
}

void mcp_webhook_am_body(struct mcp_buf *b, const struct mcp_sink_alert *a,
                         const char *generator, int64_t now, int64_t ttl)
{
    char *names[NAMES_MAX];
    int nnames = 0;
    struct mcp_json j;
    int64_t start, end;

    mcp_json_init(&j, b, false);
    mcp_json_begin_arr(&j);
    mcp_json_begin_obj(&j);

    /* Labels: ours first; an alert label whose name is taken is renamed
     * exported_NAME, as Prometheus does with clashing target labels. */
    mcp_json_key(&j, "labels");
    mcp_json_begin_obj(&j);
    names[nnames++] = mcp_strdup("alertname");
    mcp_json_key(&j, "alertname");
    mcp_json_str(&j, a->rule);
    names[nnames++] = mcp_strdup("severity");
    mcp_json_key(&j, "severity");
    mcp_json_str(&j, mcp_severity_name(a->severity));
    names[nnames++] = mcp_strdup("instance");
    mcp_json_key(&j, "instance");
    mcp_json_str(&j, a->host != NULL ? a->host : "");
    for (int i = 0; i < a->nlabels && i < MCP_MAX_LABELS; i++) {
        struct mcp_buf nb;

        mcp_buf_init(&nb);
        mcp_webhook_am_label_name(&nb, a->label_name[i]);
        while (name_used(names, nnames, nb.data)) {
            struct mcp_buf x;

            mcp_buf_init(&x);
            mcp_buf_puts(&x, "exported_");
            mcp_buf_append(&x, nb.data, nb.len);
            mcp_buf_free(&nb);
            nb = x;
        }
        mcp_json_key(&j, nb.data);
        mcp_json_str(&j, a->label_value[i] != NULL ? a->label_value[i] : "");
        names[nnames++] = mcp_buf_steal(&nb);
    }
    mcp_json_end_obj(&j);
    for (int i = 0; i < nnames; i++)
        free(names[i]);

    mcp_json_key(&j, "annotations");
    mcp_json_begin_obj(&j);
    if (a->summary != NULL && a->summary[0] != '\0') {
        mcp_json_key(&j, "summary");
        put_text(&j, a->summary, strlen(a->summary));
    }
    if (a->description != NULL && a->description[0] != '\0') {
        mcp_json_key(&j, "description");
        put_text(&j, a->description, strlen(a->description));
    }
    if (a->last_line != NULL && a->last_line_len > 0) {
        mcp_json_key(&j, "line");
        put_text(&j, a->last_line, a->last_line_len);
    }
    if (a->context_last != NULL && a->context_last[0] != '\0') {
        mcp_json_key(&j, "context");
        put_text(&j, a->context_last, strlen(a->context_last));
    }
    if (a->source != NULL && a->source[0] != '\0') {
        mcp_json_key(&j, "source");
        put_text(&j, a->source, strlen(a->source));
    }
    {
        char cnt[32];

        snprintf(cnt, sizeof(cnt), "%llu", (unsigned long long)a->count);
        mcp_json_key(&j, "count");
        mcp_json_str(&j, cnt);
    }
    mcp_json_end_obj(&j);

    /* Alertmanager compares endsAt with its own clock: a log clock ahead
     * of ours (a wrong --tz) must not keep a resolved alert firing. */
    start = a->start == MCP_TIME_NONE || a->start > now ? now : a->start;
    mcp_json_key(&j, "startsAt");
    put_time(&j, start);
    if (a->status == MCP_STATUS_RESOLVED) {
        end = a->end == MCP_TIME_NONE || a->end > now ? now : a->end;
        if (end < start)
            end = start;
        mcp_json_key(&j, "endsAt");
        put_time(&j, end);
    } else if (ttl > 0) {
        mcp_json_key(&j, "endsAt");
        put_time(&j, now + ttl);
    }

    mcp_json_key(&j, "generatorURL");
    if (generator != NULL && generator[0] != '\0') {
        mcp_json_str(&j, generator);
    } else {
        struct mcp_buf g;

        mcp_buf_init(&g);
        mcp_buf_puts(&g, "mcplog://");
        put_pct(&g, a->host != NULL ? a->host : "");
        mcp_buf_putc(&g, '/');
        put_pct(&g, a->rule);
        mcp_json_strn(&j, g.data, g.len);
        mcp_buf_free(&g);
    }
    mcp_json_end_obj(&j);
    mcp_json_end_arr(&j);
}
