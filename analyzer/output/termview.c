/* termview.c - the terminal (and JSON lines) view of `mcplog follow`.
 *
 * Text output, one line each (fields separated by two spaces; TIME is the
 * local "HH:MM:SS.mmm", or "--:--:--.---" when the line has no time):
 *
 *   -- 2025-12-10 --                        date, before the first timed
 *                                           line of each new local day
 *   TIME  SEV       rules{name=value,...}  text   a matched line
 *                 traceback ends: LAST      its record's last continuation
 *                                           line (not with --all)
 *   TIME            text                    unmatched (--all)
 *   alert lines (termview_alert.c)
 *   -- message                              notice (TTY only)
 *
 * A matched line is shown once, whatever the number of rules that matched
 * it: `rules` is their names joined by ',' (rule order), the captures
 * those of every rule, each name=value once, in pattern order. A capture
 * that repeats the text is left out: free text (it holds a space or a tab,
 * or is over 32 bytes) that is no rule's group_by label (the line shows
 * it). SEV is the severity of the most severe alert the line raised or
 * fed while it fired (mcp_engine_feed), padded to 8 columns; "-" when it
 * fed none: counting rules, a match below a threshold, an expectation
 * opened. A line cut at MCP_EVENT_LINE_MAX ends in "…"; capture values
 * and --all lines are cut the same way (mcp_term_field), so a 1 MiB line
 * prints kilobytes, not megabytes. Follow-up hits of `expect` patterns
 * are not shown. --quiet shows alert lines and notices only, and wins
 * over --all.
 *
 * Colour (SGR; off unless decided on): a line that raised or fed an alert
 * has its SEV in the severity's colour (critical bold red, warning
 * yellow, info cyan) and its rule names bold; any other matched line is
 * dim (SGR 2) as a whole, as are unmatched lines, date lines and notices.
 * The status line (TTY, text mode, status option) is termview_status.c.
 *
 * The journal: when stdout is the journal (JOURNAL_STREAM names its
 * device and inode), every text line starts with a syslog priority,
 * "<2>" for critical, "<4>" warning, "<6>" info: a matched line has the
 * priority of its SEV ("<6>" for "-"), date and unmatched lines "<6>";
 * alert lines as termview_alert.c says; notices on stderr "<5>" when it
 * is the journal too. journalctl -p warning then shows what fired.
 *
 * JSON (--json; no colour, no status line, no date lines, no priority),
 * one compact object per line, keys in this order (a contract: tests
 * parse them):
 *   {"type":"event","time":ISO|null,"rule":R,"severity":"none"|S,
 *    "captures":{name:value,...},"file":P|null,"line":N,"text":T,
 *    "alert":ID|null}
 *   {"type":"line","time":ISO|null,"file":P|null,"line":N,"text":T}
 *   alert objects (termview_alert.c)
 *   {"type":"notice","message":T}
 * An event object is written per rule (every capture); "alert" is the id
 * of the alert it raised or fed, as for the text's SEV.
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
#include <sys/stat.h>
#include <unistd.h>

#include "base/textout.h"
#include "base/timeparse.h"
#include "base/util.h"

/* A capture over this many bytes is left out of a line (see the top). */
#define CAP_SHOWN_MAX 32

const char *termview_sev_sgr(enum mcp_severity s)
{
    switch (s) {
    case MCP_SEV_CRITICAL: return "\033[1;31m";
    case MCP_SEV_WARNING: return "\033[33m";
    case MCP_SEV_INFO: return "\033[36m";
    default: return NULL;
    }
}

int termview_prio(enum mcp_severity s)
{
    switch (s) {
    case MCP_SEV_CRITICAL: return PRIO_CRIT;
    case MCP_SEV_WARNING: return PRIO_WARNING;
    default: return PRIO_INFO;
    }
}

void termview_sgr(struct mcp_termview *v, const char *code)
{
    if (v->color && code != NULL)
        mcp_buf_puts(&v->buf, code);
}

const struct mcp_rule *termview_rule(const struct mcp_termview *v,
                                     uint32_t i)
{
    return v->rs != NULL && i < v->rs->n ? &v->rs->rules[i] : NULL;
}

void termview_put(struct mcp_termview *v)
{
    if (v->buf.len == 0)
        return;
    if (v->hold > 0) {
        mcp_buf_append(&v->held, v->buf.data, v->buf.len);
        mcp_buf_reset(&v->buf);
        return;
    }
    if (v->shown) {
        fputs(ERASE, v->out);
        v->shown = false;
    }
    fwrite(v->buf.data, 1, v->buf.len, v->out);
    mcp_buf_reset(&v->buf);
}

void termview_line_start(struct mcp_termview *v, int prio)
{
    if (v->journal)
        mcp_buf_printf(&v->buf, "<%d>", prio);
}

/* The date line, when day (YYYY-MM-DD) is not the last one shown. */
static void put_date(struct mcp_termview *v, const char *day)
{
    if (strcmp(day, v->date) == 0)
        return;
    strcpy(v->date, day);
    termview_line_start(v, PRIO_INFO);
    termview_sgr(v, SGR_DIM);
    mcp_buf_printf(&v->buf, "-- %s --", day);
    termview_sgr(v, SGR_RESET);
    mcp_buf_putc(&v->buf, '\n');
}

void mcp_termview_day(struct mcp_termview *v, int64_t ts)
{
    char t[MCP_TIME_ISO_LEN];

    if (v->o.json || ts == MCP_TIME_NONE)
        return;
    mcp_time_format_log(ts, t, sizeof(t));
    if (strlen(t) != MCP_PYTIME_LEN)
        return;
    t[10] = '\0';
    put_date(v, t);
    termview_put(v);
}

void termview_put_time(struct mcp_termview *v, int64_t ms, const char *lead,
                       int prio)
{
    char t[MCP_TIME_ISO_LEN];

    if (ms != MCP_TIME_NONE) {
        mcp_time_format_log(ms, t, sizeof(t));
        if (strlen(t) != MCP_PYTIME_LEN)
            ms = MCP_TIME_NONE;
    }
    if (ms == MCP_TIME_NONE) {
        termview_line_start(v, prio);
        termview_sgr(v, lead);
        mcp_buf_puts(&v->buf, "--:--:--.---");
        return;
    }
    t[10] = '\0';
    t[19] = '.';
    put_date(v, t);
    termview_line_start(v, prio);
    termview_sgr(v, lead);
    mcp_buf_puts(&v->buf, t + 11);
}

void termview_put_rule(struct mcp_termview *v, const struct mcp_rule *r)
{
    termview_sgr(v, SGR_BOLD);
    mcp_term_str(&v->buf, r ? r->name : "?");
    termview_sgr(v, SGR_RESET);
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

/* "JOURNAL_STREAM=dev:ino" names fd's file. */
static bool is_journal(int fd)
{
    const char *js = getenv("JOURNAL_STREAM");
    unsigned long long dev, ino;
    struct stat st;
    char tail;

    if (fd < 0 || js == NULL ||
        sscanf(js, "%llu:%llu%c", &dev, &ino, &tail) != 2 ||
        fstat(fd, &st) != 0)
        return false;
    return (unsigned long long)st.st_dev == dev &&
           (unsigned long long)st.st_ino == ino;
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
    v->journal = !o->json && !v->tty && is_journal(out_fd);
    v->journal_err = !o->json && is_journal(STDERR_FILENO);
    v->status_on = v->tty && o->status && !o->json;
    mcp_buf_init(&v->buf);
    mcp_buf_init(&v->st);
    mcp_buf_init(&v->held);
    termview_take_rules(v, rs);
    return v;
}

void mcp_termview_set_rules(struct mcp_termview *v,
                            const struct mcp_ruleset *rs)
{
    termview_take_rules(v, rs);
}

void mcp_termview_hold(struct mcp_termview *v)
{
    v->hold++;
}

void mcp_termview_release(struct mcp_termview *v)
{
    if (v->hold > 0 && --v->hold == 0 && v->held.len > 0) {
        mcp_buf_append(&v->buf, v->held.data, v->held.len);
        mcp_buf_reset(&v->held);
        termview_put(v);
    }
}

/* --- events and lines -------------------------------------------------- */

/* Write what was built now, before the lines held back (the alerts the
 * line being shown raised). */
static void put_now(struct mcp_termview *v)
{
    int hold = v->hold;

    v->hold = 0;
    termview_put(v);
    v->hold = hold;
}

static void json_event(struct mcp_termview *v, const struct mcp_rule *r,
                       const struct mcp_termview_hit *h, const char *path)
{
    const struct mcp_event *ev = h->ev;
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
    mcp_json_key(&j, "alert");
    if (h->alert != 0)
        mcp_json_int(&j, (int64_t)h->alert);
    else
        mcp_json_null(&j);
    mcp_json_end_obj(&j);
    mcp_buf_putc(&v->buf, '\n');
}

/* Whether capture `name` is a group_by label of one of the line's rules. */
static bool is_label(const struct mcp_termview *v,
                     const struct mcp_termview_hit *h, size_t n,
                     const char *name)
{
    for (size_t i = 0; i < n; i++) {
        const struct mcp_rule *r = termview_rule(v, h[i].ev->rule);

        for (int k = 0; r != NULL && k < r->n_group_by; k++)
            if (strcmp(r->group_by[k], name) == 0)
                return true;
    }
    return false;
}

/* Whether value is free text that the line shows anyway: it holds a
 * space or a tab, or is over CAP_SHOWN_MAX bytes. */
static bool repeats_text(const char *value)
{
    return strlen(value) > CAP_SHOWN_MAX || strpbrk(value, " \t") != NULL;
}

/* "{name=value,...}" of every rule of the line (see the top). */
static void put_captures(struct mcp_termview *v,
                         const struct mcp_termview_hit *h, size_t n)
{
    const char *name[MCP_PATTERN_MAX_CAPS], *value[MCP_PATTERN_MAX_CAPS];
    int nshown = 0;

    for (size_t i = 0; i < n; i++) {
        const struct mcp_event *ev = h[i].ev;
        const struct mcp_pattern *p =
            event_pattern(termview_rule(v, ev->rule), ev);
        int idx[MCP_PATTERN_MAX_CAPS], grp[MCP_PATTERN_MAX_CAPS];
        int nc = cap_order(p, ev, idx, grp);

        for (int k = 0; k <= nc && nshown < MCP_PATTERN_MAX_CAPS; k++) {
            const char *cn = "server", *cv = ev->field[MCP_FIELD_SERVER];
            bool dup = false;

            if (k < nc) {
                cn = mcp_pattern_capture_name(p, idx[k], NULL);
                cv = ev->cap[idx[k]];
            } else if (cv == NULL || mcp_event_value(ev, p, cn, 6) != cv) {
                /* Past the captures: a client's event is labelled with
                 * its server (the record's field) unless a capture
                 * names it. */
                continue;
            }
            for (int s = 0; s < nshown && !dup; s++)
                dup = strcmp(name[s], cn) == 0 && strcmp(value[s], cv) == 0;
            if (dup || (k < nc && !is_label(v, h, n, cn) && repeats_text(cv)))
                continue;
            name[nshown] = cn;
            value[nshown++] = cv;
        }
    }
    mcp_labels_term(&v->buf, nshown, name, value);
}

/* The last non-empty line of a record's continuation lines. */
static void put_traceback(struct mcp_termview *v, const struct mcp_event *ev,
                          int prio, bool fed)
{
    const char *s = ev->context, *end = s + ev->context_len, *start;

    while (end > s && (end[-1] == '\n' || end[-1] == '\r'))
        end--;
    start = end;
    while (start > s && start[-1] != '\n')
        start--;
    if (end == start)
        return;
    termview_line_start(v, prio);
    termview_sgr(v, fed ? NULL : SGR_DIM);
    mcp_buf_printf(&v->buf, "%14straceback ends: ", "");
    mcp_term_cut(&v->buf, start, (size_t)(end - start), MCP_TERM_FIELD_MAX);
    termview_sgr(v, fed ? NULL : SGR_RESET);
    mcp_buf_putc(&v->buf, '\n');
}

void mcp_termview_events(struct mcp_termview *v,
                         const struct mcp_termview_hit *hits, size_t nhits,
                         const char *path)
{
    struct mcp_termview_hit h[64];
    enum mcp_severity sev = MCP_SEV_NONE;
    const struct mcp_event *first = NULL, *ctx = NULL;
    const char *sevname;
    bool fed = false;
    size_t n = 0;
    int prio;

    /* A line matched by more than 64 rules shows the first 64. */
    for (size_t i = 0; i < nhits; i++) {
        const struct mcp_event *ev = hits[i].ev;

        if (ev->kind != MCP_EV_MATCH)
            continue;
        if (ev->rule < v->nrules)
            v->count[ev->rule]++;
        if (n < sizeof(h) / sizeof(h[0]))
            h[n++] = hits[i];
    }
    if (n == 0 || v->o.quiet)
        return;
    if (v->o.json) {
        for (size_t i = 0; i < n; i++)
            json_event(v, termview_rule(v, h[i].ev->rule), &h[i], path);
        put_now(v);
        return;
    }
    first = h[0].ev;
    for (size_t i = 0; i < n; i++) {
        if (h[i].alert != 0) {
            fed = true;
            if (h[i].severity > sev)
                sev = h[i].severity;
        }
        if (ctx == NULL && h[i].ev->context != NULL)
            ctx = h[i].ev;
    }
    sevname = fed ? mcp_severity_name(sev) : "-";
    prio = fed ? termview_prio(sev) : PRIO_INFO;
    termview_put_time(v, first->ts, fed ? NULL : SGR_DIM, prio);
    mcp_buf_puts(&v->buf, "  ");
    termview_sgr(v, fed ? termview_sev_sgr(sev) : NULL);
    mcp_buf_puts(&v->buf, sevname);
    termview_sgr(v, fed && termview_sev_sgr(sev) ? SGR_RESET : NULL);
    mcp_buf_printf(&v->buf, "%*s  ", (int)(8 - strlen(sevname)), "");
    for (size_t i = 0; i < n; i++) {
        const struct mcp_rule *r = termview_rule(v, h[i].ev->rule);

        if (i > 0)
            mcp_buf_putc(&v->buf, ',');
        if (fed)
            termview_put_rule(v, r);
        else
            mcp_term_str(&v->buf, r ? r->name : "?");
    }
    put_captures(v, h, n);
    mcp_buf_puts(&v->buf, "  ");
    mcp_sanitize_term(&v->buf, first->line, first->line_len);
    if (first->line_cut)
        mcp_buf_puts(&v->buf, "…");
    termview_sgr(v, fed ? NULL : SGR_RESET);
    mcp_buf_putc(&v->buf, '\n');
    if (ctx != NULL && !v->o.all)
        put_traceback(v, ctx, prio, fed);
    put_now(v);
}

void mcp_termview_event(struct mcp_termview *v, const struct mcp_event *ev,
                        const char *path)
{
    struct mcp_termview_hit h = {ev, 0, MCP_SEV_NONE};

    mcp_termview_events(v, &h, 1, path);
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
        termview_put(v);
        return;
    }
    termview_put_time(v, ts, SGR_DIM, PRIO_INFO);
    mcp_buf_printf(&v->buf, "%12s", "");
    mcp_term_cut(&v->buf, text, len, MCP_TERM_FIELD_MAX);
    termview_sgr(v, SGR_RESET);
    mcp_buf_putc(&v->buf, '\n');
    termview_put(v);
}

/* --- notices and the end ----------------------------------------------- */

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
        termview_put(v);
        return;
    }
    if (!v->tty) {
        struct mcp_buf b;

        mcp_buf_init(&b);
        mcp_term_str(&b, msg);
        if (v->journal_err)
            fprintf(stderr, "<%d>mcplog: %s\n", PRIO_NOTICE,
                    b.data ? b.data : "");
        else
            mcp_warnf("%s", b.data ? b.data : "");
        mcp_buf_free(&b);
        return;
    }
    termview_sgr(v, SGR_DIM);
    mcp_buf_puts(&v->buf, "-- ");
    mcp_term_str(&v->buf, msg);
    termview_sgr(v, SGR_RESET);
    mcp_buf_putc(&v->buf, '\n');
    termview_put(v);
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
    v->hold = 1;
    mcp_termview_release(v);
    if (v->shown)
        fputs(ERASE, v->out);
    fflush(v->out);
    termview_free_rules(v);
    termview_free_alerts(v);
    mcp_buf_free(&v->buf);
    mcp_buf_free(&v->st);
    mcp_buf_free(&v->held);
    free(v);
}
