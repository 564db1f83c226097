/* html.c - the incident page: head, header, verdict strip, and the
 * process model the timeline and the tables share. */
#include "output/html.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/textout.h"
#include "base/timeparse.h"
#include "output/html_int.h"

/* Nothing is loaded from anywhere: no default source, inline styles only
 * (the page has no style attribute and no log text in the style block),
 * no script runs (the JSON block is data), no base, no form target. */
static const char csp[] =
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; "
    "script-src 'none'; base-uri 'none'; form-action 'none'";

static const char css[] =
    "body{font:14px/1.4 system-ui,-apple-system,'DejaVu Sans',sans-serif;"
    "margin:24px auto;max-width:1040px;color:#1d2330;background:#fff}\n"
    "h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;"
    "border-bottom:1px solid #d8dce4;padding-bottom:3px}\n"
    ".sub{color:#5a6272;margin:0}.mono,pre,code,td.m{font-family:"
    "'DejaVu Sans Mono',ui-monospace,monospace;font-size:12px}\n"
    "table{border-collapse:collapse;width:100%;margin:6px 0}"
    "th,td{text-align:left;padding:3px 6px;border-bottom:1px solid #eceef2;"
    "vertical-align:top}th{background:#f4f5f8;font-weight:600}"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\n"
    "td.m{word-break:break-all}td.t{white-space:nowrap}"
    "td.spark{min-width:124px}\n"
    ".strip{display:flex;flex-wrap:wrap;gap:8px;margin:12px 0}"
    ".card{border:1px solid #d8dce4;border-radius:6px;padding:6px 12px;"
    "min-width:120px}.card b{display:block;font-size:20px}"
    ".card.critical{border-color:#c62828;background:#fdecea}"
    ".card.warning{border-color:#ef8f00;background:#fff4e0}"
    ".card.info{border-color:#1e6fd9;background:#e8f1fd}"
    ".card.ok{border-color:#2e7d32;background:#eaf5ea}\n"
    ".sev{font-weight:600}.sev.critical{color:#c62828}"
    ".sev.warning{color:#b86e00}.sev.info{color:#1e6fd9}\n"
    ".bad{color:#c62828;font-weight:600}.note{color:#5a6272}\n"
    "svg{display:block;width:100%;height:auto}"
    "svg text{font:11px 'DejaVu Sans',sans-serif;fill:#1d2330}"
    "svg .ax{stroke:#c9ced8;stroke-width:1}"
    "svg .lane{fill:#f7f8fa}"
    "svg .critical{fill:#c62828}svg .warning{fill:#ef8f00}"
    "svg .info{fill:#1e6fd9}svg .none{fill:#8a93a3}"
    "svg .boot{fill:#f2c14e}svg .up{fill:#4caf50}svg .down{fill:#c62828}"
    "svg .restart{fill:#1d2330}svg .spark{fill:#7a5cc7}"
    "svg .t0{fill:#1e6fd9}svg .t1{fill:#4caf50}svg .t2{fill:#ef8f00}"
    "svg .t3{fill:#7a5cc7}svg .t4{fill:#00897b}svg .t5{fill:#d81b60}"
    "svg .t6{fill:#8a93a3}svg .lines{fill:#5a6272}"
    "svg .errors{fill:#c62828}svg .retries{fill:#1e6fd9}\n"
    "details{margin:4px 0}summary{cursor:pointer;color:#1e4fa0}"
    "pre{background:#f4f5f8;padding:8px;overflow-x:auto;white-space:"
    "pre-wrap;word-break:break-all;margin:4px 0}\n"
    "@media print{body{margin:0;max-width:none;font-size:11px}"
    "h2{break-after:avoid}tr,svg{break-inside:avoid}"
    "details>summary{color:#1d2330}}\n"
    /* On paper the folded inputs and samples are shown (the JSON stays
     * folded); a browser without ::details-content ignores the rule. */
    "@media print{details:not(#alerts-json)::details-content{"
    "content-visibility:visible;display:block}}\n";

void html_textn(struct html_page *p, const char *s, size_t n, size_t max)
{
    mcp_html_cut(p->b, s, n, max);
}

void html_text(struct html_page *p, const char *s)
{
    if (s != NULL)
        mcp_html_cut(p->b, s, strlen(s), MCP_HTML_TEXT_MAX);
}

void html_time(struct html_page *p, int64_t t)
{
    char buf[MCP_TIME_ISO_LEN];

    if (t == MCP_TIME_NONE) {
        mcp_buf_puts(p->b, "-");
        return;
    }
    mcp_time_format_log(t, buf, sizeof(buf));
    mcp_buf_puts(p->b, buf);
}

void html_dur(struct html_page *p, int64_t ms)
{
    char buf[32];

    mcp_duration_format(ms < 0 ? 0 : ms, buf, sizeof(buf));
    mcp_buf_puts(p->b, buf);
}

double html_x(const struct html_page *p, int64_t t)
{
    double f;

    if (!p->has_time)
        return HTML_LEFT;
    f = (double)(t - p->t0) / (double)(p->t1 - p->t0);
    f = f < 0 ? 0 : f > 1 ? 1 : f;
    return HTML_LEFT + f * HTML_PLOT;
}

size_t html_family_of(const struct mcp_logset *ls, uint32_t input)
{
    for (size_t f = 0; f < ls->nfam; f++)
        if (input >= ls->families[f].first &&
            input < ls->families[f].first + ls->families[f].count)
            return f;
    return 0;
}

/* The axis: the inputs' first and last times, within --since/--until. */
static void axis(struct html_page *p)
{
    const struct mcp_logset *ls = p->in->ls;
    int64_t lo = MCP_TIME_NONE, hi = MCP_TIME_NONE;

    for (size_t i = 0; i < ls->n; i++) {
        const struct mcp_input *in = &ls->inputs[i];

        if (in->first_ts != MCP_TIME_NONE &&
            (lo == MCP_TIME_NONE || in->first_ts < lo))
            lo = in->first_ts;
        if (in->last_ts != MCP_TIME_NONE &&
            (hi == MCP_TIME_NONE || in->last_ts > hi))
            hi = in->last_ts;
    }
    if (lo != MCP_TIME_NONE && p->in->since != MCP_TIME_NONE &&
        lo < p->in->since)
        lo = p->in->since;
    if (hi != MCP_TIME_NONE && p->in->until != MCP_TIME_NONE &&
        hi >= p->in->until)
        hi = p->in->until - 1;
    p->has_time = lo != MCP_TIME_NONE && hi != MCP_TIME_NONE && hi >= lo;
    if (p->has_time) {
        p->t0 = lo;
        p->t1 = hi > lo ? hi + 1 : lo + 1000;
    }
}

/* The family's last own time. */
static int64_t family_last(const struct mcp_logset *ls, size_t f)
{
    int64_t t = MCP_TIME_NONE;

    for (size_t i = ls->families[f].first;
         i < ls->families[f].first + ls->families[f].count; i++)
        if (ls->inputs[i].last_ts != MCP_TIME_NONE &&
            (t == MCP_TIME_NONE || ls->inputs[i].last_ts > t))
            t = ls->inputs[i].last_ts;
    return t;
}

/* The line before the start at (input, lineno), as the scan saw it. */
static int64_t start_prev(const struct mcp_incident *inc, uint32_t input,
                          uint64_t lineno)
{
    for (size_t i = 0; i < inc->nstarts; i++)
        if (inc->starts[i].input == input && inc->starts[i].lineno == lineno)
            return inc->starts[i].prev_ts;
    return MCP_TIME_NONE;
}

/* Server processes: the startup rule's expectations, in start order; each
 * ends at its family's last line before the next start of the family. */
static void processes(struct html_page *p)
{
    const struct mcp_html_in *in = p->in;
    size_t n;
    const struct mcp_expectation *x =
        mcp_engine_expectations(in->fig->engine, &n);
    size_t k = 0;

    if (in->inc->r_startup < 0)
        return;
    p->procs = mcp_calloc(n + 1, sizeof(*p->procs));
    for (size_t i = 0; i < n; i++) {
        struct html_proc *pr;

        if ((int)x[i].rule != in->inc->r_startup)
            continue;
        pr = &p->procs[k++];
        pr->start = x[i].start;
        pr->ready = x[i].met;
        pr->missed = x[i].missed;
        pr->pid = x[i].cap_pid;
        pr->fam = html_family_of(in->ls, x[i].input);
        pr->end = family_last(in->ls, pr->fam);
        for (size_t j = i + 1; j < n; j++) {
            if ((int)x[j].rule != in->inc->r_startup ||
                html_family_of(in->ls, x[j].input) != pr->fam)
                continue;
            int64_t prev = start_prev(in->inc, x[j].input, x[j].lineno);

            if (prev != MCP_TIME_NONE)
                pr->end = prev;
            break;
        }
        if (pr->end != MCP_TIME_NONE && pr->end < pr->start)
            pr->end = pr->start;
    }
    p->nprocs = k;
}

static void header(struct html_page *p)
{
    const struct mcp_html_in *in = p->in;
    const struct mcp_logset *ls = in->ls;

    mcp_buf_puts(p->b, "<header>\n<h1>MCP server incident report</h1>\n"
                       "<p class=\"sub\" id=\"range\">");
    if (p->has_time) {
        html_time(p, p->t0);
        mcp_buf_puts(p->b, " to ");
        html_time(p, p->t1 - 1);
        mcp_buf_puts(p->b, " (");
        html_dur(p, p->t1 - 1 - p->t0);
        mcp_buf_puts(p->b, ")");
    } else {
        mcp_buf_puts(p->b, "no timestamped lines");
    }
    mcp_buf_puts(p->b, ", times in ");
    if (in->zone != NULL)
        html_text(p, in->zone);
    else if (getenv("TZ") != NULL && getenv("TZ")[0] != '\0')
        html_text(p, getenv("TZ"));
    else
        mcp_buf_puts(p->b, "local time");
    if (p->has_time) {
        time_t s = (time_t)(p->t0 / 1000);
        struct tm tm;

        if (localtime_r(&s, &tm) != NULL) {
            long off = tm.tm_gmtoff / 60;

            mcp_buf_printf(p->b, " (UTC%c%02ld:%02ld at the start)",
                           off < 0 ? '-' : '+', labs(off) / 60,
                           labs(off) % 60);
        }
    }
    if (in->since != MCP_TIME_NONE || in->until != MCP_TIME_NONE) {
        mcp_buf_puts(p->b, "; lines from ");
        html_time(p, in->since);
        mcp_buf_puts(p->b, " to before ");
        html_time(p, in->until);
    }
    mcp_buf_puts(p->b, "</p>\n");
    if (in->stamp != NULL) {
        mcp_buf_puts(p->b, "<p class=\"sub\">Generated ");
        html_text(p, in->stamp);
        mcp_buf_puts(p->b, " by mcplog</p>\n");
    }
    mcp_buf_printf(p->b, "<p class=\"sub\">%zu rules from ", in->rs->n);
    html_text(p, in->rules_from);
    mcp_buf_printf(p->b, "; %llu lines, %llu bytes decoded, %llu matches",
                   (unsigned long long)in->fig->lines,
                   (unsigned long long)in->fig->bytes,
                   (unsigned long long)in->fig->matches);
    if (in->fig->time_jumps > 0)
        mcp_buf_printf(p->b, ", %llu time jumps",
                       (unsigned long long)in->fig->time_jumps);
    mcp_buf_puts(p->b, "</p>\n</header>\n");
    mcp_buf_puts(p->b, "<details id=\"inputs\"><summary>Inputs: ");
    mcp_buf_printf(p->b, "%zu file%s</summary>\n<table><tr><th>file</th>"
                         "<th>role</th><th class=\"n\">lines</th>"
                         "<th class=\"n\">bytes</th><th>first</th>"
                         "<th>last</th><th>notes</th></tr>\n",
                   ls->n, ls->n == 1 ? "" : "s");
    for (size_t i = 0; i < ls->n; i++) {
        const struct mcp_input *f = &ls->inputs[i];

        mcp_buf_puts(p->b, "<tr><td class=\"m\">");
        html_text(p, f->path);
        mcp_buf_puts(p->b, f->compressed ? " (gzip)" : "");
        mcp_buf_puts(p->b, "</td><td>");
        html_text(p, f->role_name);
        mcp_buf_printf(p->b, "</td><td class=\"n\">%llu</td>"
                             "<td class=\"n\">%llu</td><td class=\"t\">",
                       (unsigned long long)f->lines,
                       (unsigned long long)f->bytes);
        html_time(p, f->first_ts);
        mcp_buf_puts(p->b, "</td><td class=\"t\">");
        html_time(p, f->last_ts);
        mcp_buf_puts(p->b, "</td><td>");
        if (f->damaged) {
            mcp_buf_puts(p->b, "<span class=\"bad\">damaged: ");
            html_text(p, f->damage);
            mcp_buf_puts(p->b, "</span> ");
        }
        if (f->note != NULL) {
            html_text(p, f->note);
            mcp_buf_putc(p->b, ' ');
        }
        if (f->long_lines > 0)
            mcp_buf_printf(p->b, "%llu long lines cut ",
                           (unsigned long long)f->long_lines);
        if (f->time_jumps > 0)
            mcp_buf_printf(p->b, "%llu time jumps",
                           (unsigned long long)f->time_jumps);
        mcp_buf_puts(p->b, "</td></tr>\n");
    }
    mcp_buf_puts(p->b, "</table>\n");
    for (size_t i = 0; i < ls->nnotes; i++) {
        mcp_buf_puts(p->b, "<p class=\"note\">");
        html_text(p, ls->notes[i]);
        mcp_buf_puts(p->b, "</p>\n");
    }
    mcp_buf_puts(p->b, "</details>\n");
}

static void card(struct html_page *p, const char *cls, const char *id,
                 uint64_t n, const char *what)
{
    mcp_buf_printf(p->b, "<div class=\"card %s\" id=\"%s\"><b>%llu</b>%s"
                         "</div>\n",
                   cls, id, (unsigned long long)n, what);
}

static void verdict(struct html_page *p)
{
    size_t n;
    struct mcp_alert *const *al = mcp_engine_alerts(p->in->fig->engine, &n);
    uint64_t sev[4] = {0}, never = 0, reconnects = 0;
    int64_t worst = -1, w_from = MCP_TIME_NONE, w_to = MCP_TIME_NONE;
    static const char *const names[4] = {"none", "info", "warning",
                                         "critical"};

    for (size_t i = 0; i < n; i++)
        if ((unsigned)al[i]->severity < 4)
            sev[al[i]->severity]++;
    for (size_t i = 0; i < p->nprocs; i++) {
        const struct html_proc *pr = &p->procs[i];

        if (pr->ready == MCP_TIME_NONE && pr->missed)
            never++;
        /* An outage: from a process's last line to the next ready one
         * of its family. */
        for (size_t j = i + 1; j < p->nprocs && pr->end != MCP_TIME_NONE;
             j++) {
            if (p->procs[j].fam != pr->fam ||
                p->procs[j].ready == MCP_TIME_NONE ||
                p->procs[j].ready < pr->end)
                continue;
            if (p->procs[j].ready - pr->end > worst) {
                worst = p->procs[j].ready - pr->end;
                w_from = pr->end;
                w_to = p->procs[j].ready;
            }
            break;
        }
    }
    /* Failed reconnects the server log shows, failed connections the
     * clients logged. */
    if (p->in->inc->r_reconnect >= 0)
        reconnects = mcp_engine_stats(p->in->fig->engine,
                                      (size_t)p->in->inc->r_reconnect)
                         ->matches;
    reconnects += p->in->inc->nclient[MCP_CLIENT_FAILURE];
    mcp_buf_puts(p->b, "<section id=\"verdict\"><div class=\"strip\">\n");
    for (int s = 3; s >= 1; s--) {
        char what[64];

        snprintf(what, sizeof(what), "%s alert%s", names[s],
                 sev[s] == 1 ? "" : "s");
        card(p, sev[s] > 0 ? names[s] : "ok", names[s], sev[s], what);
    }
    card(p, never > 0 ? "critical" : "ok", "never-ready", never,
         never == 1 ? "server never ready" : "servers never ready");
    card(p, p->nprocs > 1 ? "warning" : "ok", "starts", p->nprocs,
         p->nprocs == 1 ? "server start" : "server starts");
    card(p, reconnects > 0 ? "critical" : "ok", "reconnects", reconnects,
         reconnects == 1 ? "connection failure" : "connection failures");
    mcp_buf_printf(p->b, "<div class=\"card %s\" id=\"outage\"><b>",
                   worst > 0 ? "warning" : "ok");
    if (worst >= 0)
        html_dur(p, worst);
    else
        mcp_buf_puts(p->b, "none");
    mcp_buf_puts(p->b, "</b>longest outage");
    if (worst >= 0) {
        mcp_buf_puts(p->b, "<br><span class=\"note\">");
        html_time(p, w_from);
        mcp_buf_puts(p->b, " to ");
        html_time(p, w_to);
        mcp_buf_puts(p->b, "</span>");
    }
    mcp_buf_puts(p->b, "</div>\n</div></section>\n");
}

void mcp_html_write(struct mcp_buf *out, const struct mcp_html_in *in)
{
    struct html_page p = {.b = out, .in = in};

    axis(&p);
    processes(&p);
    mcp_buf_printf(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
                        "<meta charset=\"utf-8\">\n"
                        "<meta http-equiv=\"Content-Security-Policy\" "
                        "content=\"%s\">\n"
                        "<meta name=\"referrer\" content=\"no-referrer\">\n"
                        "<meta name=\"viewport\" content=\"width=device-"
                        "width, initial-scale=1\">\n"
                        "<meta name=\"generator\" content=\"mcplog\">\n"
                        "<title>mcplog incident report</title>\n"
                        "<style>\n%s</style>\n</head>\n<body>\n",
                   csp, css);
    header(&p);
    verdict(&p);
    html_timeline(&p);
    html_rates(&p);
    html_startups(&p);
    html_tools(&p);
    html_clusters(&p);
    html_alerts(&p);
    mcp_buf_puts(out, "<footer class=\"note\"><p>Written by mcplog scan "
                      "--html: no script runs and nothing is loaded from "
                      "anywhere; log text is shown as text.</p></footer>\n"
                      "</body>\n</html>\n");
    free(p.procs);
}
