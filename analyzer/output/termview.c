/* termview.c - the terminal (and JSON lines) view of `mcplog follow`.
 *
 * Text output, one line each (fields separated by two spaces; TIME is the
 * local "HH:MM:SS.mmm", or "--:--:--.---" when the line has no time; SEV
 * is padded to 8 columns and is "-" for counting rules):
 *
 *   -- 2025-12-10 --                        date, before the first timed
 *                                           line of each new local day
 *   TIME  SEV       rule{name=value,...}  text          matched event
 *   TIME  SEV       rule{...} (follow-up)  text         expect.match hit
 *   TIME            text                                unmatched (--all)
 *   TIME  ▲ ALERT SEV rule{labels} count=N: summary     alert fired
 *                 ↻ rule{labels} count=N                count changed
 *                                                       (--quiet only)
 *   TIME  ▼ RESOLVED SEV rule{labels} count=N after D   alert resolved
 *   -- message                                          notice (TTY only)
 *
 * Labels of events are the named captures of the rule's pattern that took
 * part, in pattern order; labels of alerts are the group_by values. A
 * line cut at MCP_EVENT_LINE_MAX ends in "…"; capture and label values,
 * summaries and --all lines are cut the same way (mcp_term_field), so a
 * 1 MiB line prints kilobytes, not megabytes. Firing uses the alert's
 * start time, resolved its end. Plain alerting rules (a severity, no
 * threshold or expect) start and end on their line: only their ▲ line is
 * shown. Updates are shown only with --quiet (otherwise the event lines
 * already show the activity) and only when the count changed since the
 * last line shown for that alert. --quiet shows alert lines and notices
 * only, and wins over --all.
 *
 * Colour (SGR; off unless decided on): critical bold red, warning yellow,
 * info cyan, counting rules plain; rule names bold; ▲ segment reverse
 * video in the severity colour; ▼ segment bold green; ↻ lines, unmatched
 * lines, date separators and notices dim; the status line reverse video.
 *
 * The status line (TTY, text mode, status option) is termview_status.c.
 *
 * JSON (--json; no colour, no status line, no date lines), one compact
 * object per line, keys in this order (a contract: tests parse them):
 *   {"type":"event","time":ISO|null,"rule":R,"severity":"none"|S,
 *    "captures":{name:value,...},"file":P|null,"line":N,"text":T}
 *   {"type":"line","time":ISO|null,"file":P|null,"line":N,"text":T}
 *   {"type":"alert","status":"firing"|"update"|"repeat"|"resolved","id":N,
 *    "rule":R,"severity":S,"labels":{...},"start":ISO|null,
 *    "end":ISO|null,"count":N,"summary":T|null}
 *   {"type":"notice","message":T}
 * --quiet keeps alerts and notices; every update is written.
 *
 * Notices: a "-- " line on a TTY; "mcplog: msg" on stderr when out is
 * not a TTY (text mode); a notice object in JSON.
 *
 * Nothing from a log, a rule file or a path is written raw: text goes
 * through mcp_sanitize_term, JSON through the mcp_json writer.
 */
#include "output/termview.h"
#include "output/termview_int.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/textout.h"
#include "base/timeparse.h"
#include "base/util.h"

static const char *sev_sgr(enum mcp_severity s)
{
    switch (s) {
    case MCP_SEV_CRITICAL: return "\033[1;31m";
    case MCP_SEV_WARNING: return "\033[33m";
    case MCP_SEV_INFO: return "\033[36m";
    default: return NULL;
    }
}

static const char *alert_sgr(enum mcp_severity s)
{
    switch (s) {
    case MCP_SEV_CRITICAL: return "\033[1;7;31m";
    case MCP_SEV_WARNING: return "\033[1;7;33m";
    case MCP_SEV_INFO: return "\033[1;7;36m";
    default: return "\033[1;7m";
    }
}

static void sgr(struct mcp_termview *v, const char *code)
{
    if (v->color && code != NULL)
        mcp_buf_puts(&v->buf, code);
}

static const struct mcp_rule *rule_of(const struct mcp_termview *v,
                                      uint32_t i)
{
    return v->rs != NULL && i < v->rs->n ? &v->rs->rules[i] : NULL;
}

/* Write what was built, erasing the status line first. */
static void put(struct mcp_termview *v)
{
    if (v->buf.len == 0)
        return;
    if (v->shown) {
        fputs(ERASE, v->out);
        v->shown = false;
    }
    fwrite(v->buf.data, 1, v->buf.len, v->out);
    mcp_buf_reset(&v->buf);
}

/* The time column, preceded by a date separator line when the local date
 * differs from the last one shown; lead (an SGR code, may be NULL) starts
 * the line after the separator. */
static void put_time(struct mcp_termview *v, int64_t ms, const char *lead)
{
    char t[MCP_TIME_ISO_LEN];

    if (ms != MCP_TIME_NONE) {
        mcp_time_format_log(ms, t, sizeof(t));
        if (strlen(t) != MCP_PYTIME_LEN)
            ms = MCP_TIME_NONE;
    }
    if (ms == MCP_TIME_NONE) {
        sgr(v, lead);
        mcp_buf_puts(&v->buf, "--:--:--.---");
        return;
    }
    t[10] = '\0';
    t[19] = '.';
    if (strcmp(t, v->date) != 0) {
        strcpy(v->date, t);
        sgr(v, SGR_DIM);
        mcp_buf_printf(&v->buf, "-- %s --", t);
        sgr(v, SGR_RESET);
        mcp_buf_putc(&v->buf, '\n');
    }
    sgr(v, lead);
    mcp_buf_puts(&v->buf, t + 11);
}

static void put_rule(struct mcp_termview *v, const struct mcp_rule *r)
{
    sgr(v, SGR_BOLD);
    mcp_term_str(&v->buf, r ? r->name : "?");
    sgr(v, SGR_RESET);
}

static void put_alert_labels(struct mcp_buf *b, const struct mcp_alert *a)
{
    mcp_labels_term(b, a->nlabels, a->label_name,
                    (const char *const *)a->label_value);
}

/* "rule{labels} count=N", then ": summary" when wanted and there is one. */
static void put_alert_body(struct mcp_termview *v, const struct mcp_rule *r,
                           const struct mcp_alert *a, bool summary)
{
    put_rule(v, r);
    put_alert_labels(&v->buf, a);
    mcp_buf_printf(&v->buf, " count=%llu", (unsigned long long)a->count);
    if (summary && a->summary != NULL) {
        mcp_buf_puts(&v->buf, ": ");
        mcp_term_field(&v->buf, a->summary);
    }
}

static const struct mcp_pattern *event_pattern(const struct mcp_rule *r,
                                               const struct mcp_event *ev)
{
    if (r == NULL)
        return NULL;
    return ev->kind == MCP_EV_FOLLOW ? r->expect : r->match;
}

/* The event's capture indexes that took part, in pattern order (the
 * capture index is PCRE2's name-table order, which is alphabetical).
 * Returns how many. */
static int cap_order(const struct mcp_pattern *p, const struct mcp_event *ev,
                     int *idx, int *grp)
{
    int n = 0;

    for (int i = 0; p != NULL && i < ev->ncaps; i++) {
        int g = 0, k;

        if (ev->cap[i] == NULL ||
            mcp_pattern_capture_name(p, i, &g) == NULL)
            continue;
        for (k = n; k > 0 && grp[k - 1] > g; k--) {
            idx[k] = idx[k - 1];
            grp[k] = grp[k - 1];
        }
        idx[k] = i;
        grp[k] = g;
        n++;
    }
    return n;
}

/* --- creation ---------------------------------------------------------- */

struct mcp_termview *mcp_termview_create(FILE *out, int out_fd,
                                         const struct mcp_ruleset *rs,
                                         const struct mcp_termview_opts *o)
{
    struct mcp_termview *v = mcp_calloc(1, sizeof(*v));
    const char *nc;

    v->out = out;
    v->fd = out_fd;
    v->o = *o;
    v->tty = out_fd >= 0 && isatty(out_fd);
    switch (o->color) {
    case MCP_COLOR_ALWAYS:
        v->color = true;
        break;
    case MCP_COLOR_NEVER:
        v->color = false;
        break;
    default: /* https://no-color.org: set and not empty disables */
        nc = getenv("NO_COLOR");
        v->color = v->tty && (nc == NULL || nc[0] == '\0');
        break;
    }
    if (o->json)
        v->color = false;
    v->status_on = v->tty && o->status && !o->json;
    mcp_buf_init(&v->buf);
    mcp_buf_init(&v->st);
    termview_take_rules(v, rs);
    return v;
}

void mcp_termview_set_rules(struct mcp_termview *v,
                            const struct mcp_ruleset *rs)
{
    termview_take_rules(v, rs);
}

/* --- events and lines -------------------------------------------------- */

static void json_event(struct mcp_termview *v, const struct mcp_rule *r,
                       const struct mcp_event *ev, const char *path)
{
    const struct mcp_pattern *p = event_pattern(r, ev);
    int idx[MCP_PATTERN_MAX_CAPS], grp[MCP_PATTERN_MAX_CAPS];
    int n = cap_order(p, ev, idx, grp);
    struct mcp_json j;

    mcp_json_init(&j, &v->buf, false);
    mcp_json_begin_obj(&j);
    mcp_json_key(&j, "type");
    mcp_json_str(&j, "event");
    mcp_json_key(&j, "time");
    mcp_json_time(&j, ev->ts);
    mcp_json_key(&j, "rule");
    mcp_json_str(&j, r ? r->name : NULL);
    mcp_json_key(&j, "severity");
    mcp_json_str(&j, mcp_severity_name(r ? r->severity : MCP_SEV_NONE));
    mcp_json_key(&j, "captures");
    mcp_json_begin_obj(&j);
    for (int k = 0; k < n; k++) {
        mcp_json_key(&j, mcp_pattern_capture_name(p, idx[k], NULL));
        mcp_json_str(&j, ev->cap[idx[k]]);
    }
    mcp_json_end_obj(&j);
    for (int f = 0; f < MCP_NFIELDS; f++) {
        static const char *const fname[MCP_NFIELDS] = {"server", "session",
                                                       "level"};

        if (ev->field[f] == NULL)
            continue;
        mcp_json_key(&j, fname[f]);
        mcp_json_str(&j, ev->field[f]);
    }
    mcp_json_key(&j, "file");
    mcp_json_str(&j, path);
    mcp_json_key(&j, "line");
    mcp_json_int(&j, (int64_t)ev->lineno);
    mcp_json_key(&j, "text");
    mcp_json_strn(&j, ev->line, ev->line_len);
    mcp_json_end_obj(&j);
    mcp_buf_putc(&v->buf, '\n');
}

void mcp_termview_event(struct mcp_termview *v, const struct mcp_event *ev,
                        const char *path)
{
    const struct mcp_rule *r = rule_of(v, ev->rule);
    const struct mcp_pattern *p = event_pattern(r, ev);
    enum mcp_severity sev = r ? r->severity : MCP_SEV_NONE;
    const char *sevname = sev ? mcp_severity_name(sev) : "-";
    int idx[MCP_PATTERN_MAX_CAPS], grp[MCP_PATTERN_MAX_CAPS];
    const char *name[MCP_PATTERN_MAX_CAPS], *value[MCP_PATTERN_MAX_CAPS];
    int n;

    if (ev->kind == MCP_EV_MATCH && ev->rule < v->nrules)
        v->count[ev->rule]++;
    if (v->o.quiet)
        return;
    if (v->o.json) {
        json_event(v, r, ev, path);
        put(v);
        return;
    }
    put_time(v, ev->ts, NULL);
    mcp_buf_puts(&v->buf, "  ");
    sgr(v, sev_sgr(sev));
    mcp_buf_puts(&v->buf, sevname);
    sgr(v, sev_sgr(sev) ? SGR_RESET : NULL);
    mcp_buf_printf(&v->buf, "%*s  ", (int)(8 - strlen(sevname)), "");
    put_rule(v, r);
    n = cap_order(p, ev, idx, grp);
    for (int k = 0; k < n; k++) {
        name[k] = mcp_pattern_capture_name(p, idx[k], NULL);
        value[k] = ev->cap[idx[k]];
    }
    /* A client's event is labelled with its server (the record's field)
     * unless a capture already names it. */
    if (ev->field[MCP_FIELD_SERVER] != NULL && n < MCP_PATTERN_MAX_CAPS &&
        mcp_event_value(ev, p, "server", 6) == ev->field[MCP_FIELD_SERVER]) {
        name[n] = "server";
        value[n++] = ev->field[MCP_FIELD_SERVER];
    }
    mcp_labels_term(&v->buf, n, name, value);
    if (ev->kind == MCP_EV_FOLLOW)
        mcp_buf_puts(&v->buf, " (follow-up)");
    mcp_buf_puts(&v->buf, "  ");
    mcp_sanitize_term(&v->buf, ev->line, ev->line_len);
    if (ev->line_cut)
        mcp_buf_puts(&v->buf, "…");
    mcp_buf_putc(&v->buf, '\n');
    put(v);
}

void mcp_termview_line(struct mcp_termview *v, const char *path,
                       uint64_t lineno, int64_t ts, const char *text,
                       size_t len)
{
    struct mcp_json j;

    if (!v->o.all || v->o.quiet)
        return;
    if (v->o.json) {
        mcp_json_init(&j, &v->buf, false);
        mcp_json_begin_obj(&j);
        mcp_json_key(&j, "type");
        mcp_json_str(&j, "line");
        mcp_json_key(&j, "time");
        mcp_json_time(&j, ts);
        mcp_json_key(&j, "file");
        mcp_json_str(&j, path);
        mcp_json_key(&j, "line");
        mcp_json_int(&j, (int64_t)lineno);
        mcp_json_key(&j, "text");
        mcp_json_strn(&j, text, len);
        mcp_json_end_obj(&j);
        mcp_buf_putc(&v->buf, '\n');
        put(v);
        return;
    }
    put_time(v, ts, SGR_DIM);
    mcp_buf_printf(&v->buf, "%12s", "");
    mcp_term_cut(&v->buf, text, len, MCP_TERM_FIELD_MAX);
    sgr(v, SGR_RESET);
    mcp_buf_putc(&v->buf, '\n');
    put(v);
}

/* --- alerts ------------------------------------------------------------ */

static struct firing *find_firing(struct mcp_termview *v, uint64_t id)
{
    for (size_t i = v->nfiring; i-- > 0;)
        if (v->firing[i].id == id)
            return &v->firing[i];
    return NULL;
}

/* Track firing alerts (for the status line and for --quiet updates).
 * Returns whether an update line should be shown. */
static bool track(struct mcp_termview *v, const struct mcp_alert *a,
                  enum mcp_alert_status t)
{
    struct firing *f = find_firing(v, a->id);

    if (t == MCP_STATUS_RESOLVED) {
        if (f != NULL)
            *f = v->firing[--v->nfiring];
        return false;
    }
    if (f == NULL) {
        if (v->nfiring == v->capfiring) {
            v->capfiring = v->capfiring ? v->capfiring * 2 : 16;
            v->firing = mcp_realloc(v->firing,
                                    v->capfiring * sizeof(*v->firing));
        }
        f = &v->firing[v->nfiring++];
        f->id = a->id;
        f->shown = a->count;
        return false;
    }
    if (t == MCP_STATUS_FIRING || f->shown == a->count) {
        f->shown = a->count;
        return false;
    }
    f->shown = a->count;
    return true;
}

void mcp_termview_sync_alerts(struct mcp_termview *v,
                              struct mcp_alert *const *a, size_t n)
{
    v->nfiring = 0;
    for (size_t i = 0; i < n; i++)
        if (a[i]->firing)
            track(v, a[i], MCP_STATUS_FIRING);
}

static void json_alert(struct mcp_termview *v, const struct mcp_rule *r,
                       const struct mcp_alert *a, enum mcp_alert_status t)
{
    struct mcp_alert_view av = mcp_engine_alert_view(a, r ? r->name : NULL);
    struct mcp_json j;

    mcp_json_init(&j, &v->buf, false);
    mcp_json_begin_obj(&j);
    mcp_json_key(&j, "type");
    mcp_json_str(&j, "alert");
    mcp_json_key(&j, "status");
    mcp_json_str(&j, mcp_alert_status_name(t));
    mcp_json_key(&j, "id");
    mcp_json_int(&j, (int64_t)a->id);
    mcp_json_key(&j, "rule");
    mcp_json_str(&j, av.rule);
    mcp_json_key(&j, "severity");
    mcp_json_str(&j, mcp_severity_name(av.severity));
    mcp_alert_view_json(&j, &av);
    mcp_json_end_obj(&j);
    mcp_buf_putc(&v->buf, '\n');
}

void mcp_termview_alert(struct mcp_termview *v, const struct mcp_alert *a,
                        enum mcp_alert_status t)
{
    const struct mcp_rule *r = rule_of(v, a->rule);
    bool show_update = track(v, a, t);
    char d[32];

    if (v->o.json) {
        json_alert(v, r, a, t);
        put(v);
        return;
    }
    switch (t) {
    case MCP_STATUS_FIRING:
        put_time(v, a->start, NULL);
        mcp_buf_puts(&v->buf, "  ");
        sgr(v, alert_sgr(a->severity));
        mcp_buf_printf(&v->buf, "▲ ALERT %s",
                       mcp_severity_name(a->severity));
        sgr(v, SGR_RESET);
        mcp_buf_putc(&v->buf, ' ');
        put_alert_body(v, r, a, true);
        break;
    case MCP_STATUS_UPDATE:
        if (!v->o.quiet || !show_update)
            return;
        sgr(v, SGR_DIM);
        mcp_buf_printf(&v->buf, "%14s↻ ", "");
        mcp_term_str(&v->buf, r ? r->name : "?");
        put_alert_labels(&v->buf, a);
        mcp_buf_printf(&v->buf, " count=%llu", (unsigned long long)a->count);
        sgr(v, SGR_RESET);
        break;
    case MCP_STATUS_REPEAT:
        sgr(v, alert_sgr(a->severity));
        mcp_buf_printf(&v->buf, "%14s↻ still firing %s ", "",
                       mcp_severity_name(a->severity));
        sgr(v, SGR_RESET);
        put_alert_body(v, r, a, true);
        break;
    case MCP_STATUS_RESOLVED:
        /* A plain alerting rule's alert ends on its own line: its ▲ line
         * says it all. */
        if (r == NULL || (!r->has_threshold && !r->has_expect))
            return;
        put_time(v, a->end, NULL);
        mcp_buf_puts(&v->buf, "  ");
        sgr(v, SGR_RESOLVED);
        mcp_buf_printf(&v->buf, "▼ RESOLVED %s",
                       mcp_severity_name(a->severity));
        sgr(v, SGR_RESET);
        mcp_buf_putc(&v->buf, ' ');
        put_alert_body(v, r, a, false);
        if (a->start != MCP_TIME_NONE && a->end != MCP_TIME_NONE) {
            mcp_duration_format(a->end - a->start, d, sizeof(d));
            mcp_buf_printf(&v->buf, " after %s", d);
        }
        break;
    default:
        return;
    }
    mcp_buf_putc(&v->buf, '\n');
    put(v);
}

void mcp_termview_notice(struct mcp_termview *v, const char *msg)
{
    struct mcp_json j;

    if (msg == NULL)
        msg = "";
    if (v->o.json) {
        mcp_json_init(&j, &v->buf, false);
        mcp_json_begin_obj(&j);
        mcp_json_key(&j, "type");
        mcp_json_str(&j, "notice");
        mcp_json_key(&j, "message");
        mcp_json_str(&j, msg);
        mcp_json_end_obj(&j);
        mcp_buf_putc(&v->buf, '\n');
        put(v);
        return;
    }
    if (!v->tty) {
        struct mcp_buf b;

        mcp_buf_init(&b);
        mcp_term_str(&b, msg);
        mcp_warnf("%s", b.data ? b.data : "");
        mcp_buf_free(&b);
        return;
    }
    sgr(v, SGR_DIM);
    mcp_buf_puts(&v->buf, "-- ");
    mcp_term_str(&v->buf, msg);
    sgr(v, SGR_RESET);
    mcp_buf_putc(&v->buf, '\n');
    put(v);
}

void mcp_termview_flush(struct mcp_termview *v)
{
    if (v->status_on && v->drawn && !v->shown)
        termview_draw_status(v);
    fflush(v->out);
}

void mcp_termview_destroy(struct mcp_termview *v)
{
    if (v == NULL)
        return;
    if (v->shown)
        fputs(ERASE, v->out);
    fflush(v->out);
    termview_free_rules(v);
    free(v->firing);
    mcp_buf_free(&v->buf);
    mcp_buf_free(&v->st);
    free(v);
}
