/* termview_alert.c - the alert lines of follow's view (termview.h).
 *
 * The view is told what notify tells the sinks: one story per alert,
 * FIRING once, UPDATEs (at most one per update_interval), REPEATs, one
 * RESOLVED. Text, one line each (TIME the local time of the transition):
 *
 *   TIME  ▲ ALERT SEV rule{labels} count=N: summary      it fired
 *   TIME  ↻ SEV rule{labels} count=N                     its count changed
 *   TIME  ↻ still firing SEV rule{labels} count=N: summary  repeat
 *   TIME  ▼ RESOLVED SEV rule{labels} count=N after D    it resolved
 *
 * Labels are the group_by values. TIME is the alert's start (▲), the log
 * time of the change (↻) and its end (▼). An alert that resolved at the
 * instant it fired (a plain rule without cooldown: its one line) shows its
 * ▲ line only. A silenced alert's lines end in " (silenced)": a silence
 * keeps it from the sinks, not from the terminal.
 *
 * Colour: the ▲ segment reverse video in the severity colour, the ↻ still
 * firing segment likewise, ↻ update lines dim, the ▼ segment bold green,
 * rule names bold. In the journal (termview.c) ▲, ↻ lines have the
 * priority of the alert's severity, ▼ lines "<5>" (notice).
 *
 * JSON, keys in this order:
 *   {"type":"alert","status":"firing"|"update"|"repeat"|"resolved","id":N,
 *    "rule":R,"severity":S,"labels":{...},"start":ISO|null,
 *    "end":ISO|null,"count":N,"summary":T|null,"time":ISO|null,
 *    "silenced":B}
 * ("time": the log time of the transition.)
 */
#include "output/termview.h"
#include "output/termview_int.h"

#include <stdlib.h>
#include <string.h>

#include "base/textout.h"
#include "base/timeparse.h"
#include "base/util.h"

static const char *alert_sgr(enum mcp_severity s)
{
    switch (s) {
    case MCP_SEV_CRITICAL: return "\033[1;7;31m";
    case MCP_SEV_WARNING: return "\033[1;7;33m";
    case MCP_SEV_INFO: return "\033[1;7;36m";
    default: return "\033[1;7m";
    }
}

/* "rule{labels} count=N", then ": summary" when wanted and there is one;
 * bold stays off inside a dim line. */
static void put_alert_body(struct mcp_termview *v, const struct mcp_rule *r,
                           const struct mcp_alert *a, bool summary,
                           bool bold)
{
    if (bold)
        termview_put_rule(v, r);
    else
        mcp_term_str(&v->buf, r ? r->name : "?");
    mcp_labels_term(&v->buf, a->nlabels, a->label_name,
                    (const char *const *)a->label_value);
    mcp_buf_printf(&v->buf, " count=%llu", (unsigned long long)a->count);
    if (summary && a->summary != NULL) {
        mcp_buf_puts(&v->buf, ": ");
        mcp_term_field(&v->buf, a->summary);
    }
}

static struct firing *find_firing(struct mcp_termview *v, uint64_t id)
{
    for (size_t i = v->nfiring; i-- > 0;)
        if (v->firing[i].id == id)
            return &v->firing[i];
    return NULL;
}

/* Track the firing alerts (for the status line). */
static void track(struct mcp_termview *v, const struct mcp_alert *a,
                  enum mcp_alert_status t)
{
    struct firing *f = find_firing(v, a->id);

    if (t == MCP_STATUS_RESOLVED) {
        if (f != NULL)
            *f = v->firing[--v->nfiring];
        return;
    }
    if (f == NULL) {
        if (v->nfiring == v->capfiring) {
            v->capfiring = v->capfiring ? v->capfiring * 2 : 16;
            v->firing = mcp_realloc(v->firing,
                                    v->capfiring * sizeof(*v->firing));
        }
        f = &v->firing[v->nfiring++];
        f->id = a->id;
    }
}

void mcp_termview_sync_alerts(struct mcp_termview *v,
                              struct mcp_alert *const *a, size_t n)
{
    v->nfiring = 0;
    for (size_t i = 0; i < n; i++)
        if (a[i]->firing)
            track(v, a[i], MCP_STATUS_FIRING);
}

void termview_free_alerts(struct mcp_termview *v)
{
    free(v->firing);
    v->firing = NULL;
    v->nfiring = v->capfiring = 0;
}

static void json_alert(struct mcp_termview *v, const struct mcp_rule *r,
                       const struct mcp_alert *a, enum mcp_alert_status t,
                       bool silenced)
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
    mcp_json_key(&j, "time");
    mcp_json_time(&j, a->at);
    mcp_json_key(&j, "silenced");
    mcp_json_bool(&j, silenced);
    mcp_json_end_obj(&j);
    mcp_buf_putc(&v->buf, '\n');
}

/* The leading segment of an alert line: "TIME  " then mark in sgr. */
static void put_head(struct mcp_termview *v, const struct mcp_alert *a,
                     int64_t when, const char *sgr, int prio,
                     const char *mark)
{
    termview_put_time(v, when, NULL, prio);
    mcp_buf_puts(&v->buf, "  ");
    termview_sgr(v, sgr);
    mcp_buf_printf(&v->buf, "%s %s", mark, mcp_severity_name(a->severity));
    termview_sgr(v, SGR_RESET);
    mcp_buf_putc(&v->buf, ' ');
}

void mcp_termview_alert(struct mcp_termview *v, const struct mcp_alert *a,
                        enum mcp_alert_status t, bool silenced)
{
    const struct mcp_rule *r = termview_rule(v, a->rule);
    int prio = termview_prio(a->severity);
    char d[32];

    track(v, a, t);
    if (v->o.json) {
        json_alert(v, r, a, t, silenced);
        termview_put(v);
        return;
    }
    switch (t) {
    case MCP_STATUS_FIRING:
        put_head(v, a, a->start, alert_sgr(a->severity), prio, "▲ ALERT");
        put_alert_body(v, r, a, true, true);
        break;
    case MCP_STATUS_UPDATE:
        termview_put_time(v, a->at, SGR_DIM, prio);
        mcp_buf_printf(&v->buf, "  ↻ %s ", mcp_severity_name(a->severity));
        put_alert_body(v, r, a, false, false);
        break;
    case MCP_STATUS_REPEAT:
        put_head(v, a, a->at, alert_sgr(a->severity), prio,
                 "↻ still firing");
        put_alert_body(v, r, a, true, true);
        break;
    case MCP_STATUS_RESOLVED:
        /* Fired and resolved on one line: its ▲ line says it all. */
        if (a->end == a->start)
            return;
        put_head(v, a, a->end, SGR_RESOLVED, PRIO_NOTICE, "▼ RESOLVED");
        put_alert_body(v, r, a, false, true);
        if (a->start != MCP_TIME_NONE && a->end != MCP_TIME_NONE) {
            mcp_duration_format(a->end - a->start, d, sizeof(d));
            mcp_buf_printf(&v->buf, " after %s", d);
        }
        break;
    default:
        return;
    }
    if (silenced)
        mcp_buf_puts(&v->buf, " (silenced)");
    if (t == MCP_STATUS_UPDATE)
        termview_sgr(v, SGR_RESET);
    mcp_buf_putc(&v->buf, '\n');
    termview_put(v);
}
