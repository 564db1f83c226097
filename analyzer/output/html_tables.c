/* html_tables.c - the incident page's tables: startups, tools, error
 * clusters, alerts with their JSON. */
#include <stdlib.h>
#include <string.h>

#include "base/textout.h"
#include "base/timeparse.h"
#include "output/html_int.h"

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted v[0..n), n > 0. */
static int64_t pct(const int64_t *v, size_t n, unsigned q)
{
    size_t r = (n * q + 99) / 100;

    return v[r > 0 ? r - 1 : 0];
}

static void family_name(struct html_page *p, size_t f)
{
    const struct mcp_logset *ls = p->in->ls;
    const char *path = ls->inputs[ls->families[f].first].path;
    const char *slash = strrchr(path, '/');

    if (slash != NULL) {
        html_textn(p, path, (size_t)(slash - path + 1), MCP_HTML_TEXT_MAX);
    }
    html_text(p, ls->families[f].name);
}

static void startup_summary(struct html_page *p)
{
    int64_t *v = mcp_calloc(p->nprocs + 1, sizeof(*v));

    mcp_buf_puts(p->b, "<table id=\"startup-summary\"><tr><th>server log"
                       "</th><th class=\"n\">starts</th><th class=\"n\">"
                       "never ready</th><th class=\"n\">p50</th>"
                       "<th class=\"n\">p90</th><th class=\"n\">max</th>"
                       "</tr>\n");
    for (size_t f = 0; f < p->in->ls->nfam; f++) {
        size_t n = 0, starts = 0, never = 0;

        for (size_t i = 0; i < p->nprocs; i++) {
            if (p->procs[i].fam != f)
                continue;
            starts++;
            if (p->procs[i].ready != MCP_TIME_NONE)
                v[n++] = p->procs[i].ready - p->procs[i].start;
            else if (p->procs[i].missed)
                never++;
        }
        if (starts == 0)
            continue;
        qsort(v, n, sizeof(*v), cmp_i64);
        mcp_buf_puts(p->b, "<tr><td class=\"m\">");
        family_name(p, f);
        mcp_buf_printf(p->b, "</td><td class=\"n\">%zu</td><td class=\"n"
                             "%s\">%zu</td>",
                       starts, never > 0 ? " bad" : "", never);
        for (unsigned q = 0; q < 3; q++) {
            mcp_buf_puts(p->b, "<td class=\"n\">");
            if (n > 0)
                html_dur(p, q == 2 ? v[n - 1] : pct(v, n, q ? 90 : 50));
            else
                mcp_buf_puts(p->b, "-");
            mcp_buf_puts(p->b, "</td>");
        }
        mcp_buf_puts(p->b, "</tr>\n");
    }
    mcp_buf_puts(p->b, "</table>\n");
    free(v);
}

void html_startups(struct html_page *p)
{
    size_t n = p->nprocs < MCP_HTML_MAX_ROWS ? p->nprocs : MCP_HTML_MAX_ROWS;

    mcp_buf_puts(p->b, "<section id=\"startups\">\n<h2>Startups</h2>\n");
    if (p->in->inc->r_startup < 0) {
        mcp_buf_puts(p->b, "<p>The startup-not-ready rule is not loaded."
                           "</p>\n</section>\n");
        return;
    }
    startup_summary(p);
    mcp_buf_puts(p->b, "<details><summary>Every start</summary>\n<table>"
                       "<tr><th>started</th><th>pid</th><th>ready after"
                       "</th><th>last line before the next start</th>"
                       "</tr>\n");
    for (size_t i = 0; i < n; i++) {
        const struct html_proc *pr = &p->procs[i];

        mcp_buf_puts(p->b, "<tr><td class=\"t\">");
        html_time(p, pr->start);
        mcp_buf_puts(p->b, "</td><td class=\"m\">");
        html_text(p, pr->pid);
        mcp_buf_puts(p->b, "</td><td>");
        if (pr->ready != MCP_TIME_NONE) {
            html_dur(p, pr->ready - pr->start);
            if (pr->missed)
                mcp_buf_puts(p->b, " <span class=\"bad\">late</span>");
        } else {
            mcp_buf_puts(p->b, pr->missed
                                   ? "<span class=\"bad\">never ready</span>"
                                   : "pending at the end");
        }
        mcp_buf_puts(p->b, "</td><td class=\"t\">");
        html_time(p, pr->end);
        mcp_buf_puts(p->b, "</td></tr>\n");
    }
    mcp_buf_puts(p->b, "</table>\n");
    if (p->nprocs > n)
        mcp_buf_printf(p->b, "<p class=\"note\">%zu more starts not listed"
                             "</p>\n", p->nprocs - n);
    mcp_buf_puts(p->b, "</details>\n</section>\n");
}

static int cmp_tool(const void *a, const void *b)
{
    const struct mcp_incident_tool *x = a, *y = b;

    if (x->calls != y->calls)
        return x->calls > y->calls ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* p50 / p90 / max of the times the clients logged, and how many. */
static void latency(struct html_page *p, const struct mcp_clientstats_tool *c)
{
    if (c->timed == 0) {
        mcp_buf_puts(p->b, "-");
        return;
    }
    html_dur(p, c->p50);
    mcp_buf_puts(p->b, " / ");
    html_dur(p, c->p90);
    mcp_buf_puts(p->b, " / ");
    html_dur(p, c->max);
    mcp_buf_printf(p->b, " (%llu)", (unsigned long long)c->timed);
}

void html_tools(struct html_page *p)
{
    const struct mcp_incident *inc = p->in->inc;
    struct mcp_incident_tool *t =
        mcp_calloc(inc->ntools + 1, sizeof(*t));
    size_t na;
    struct mcp_alert *const *al = mcp_engine_alerts(p->in->fig->engine, &na);

    mcp_buf_puts(p->b, "<section id=\"tools\">\n<h2>Tools</h2>\n");
    if (inc->r_tools < 0) {
        mcp_buf_puts(p->b, "<p>The tool-calls rule is not loaded.</p>\n"
                           "</section>\n");
        free(t);
        return;
    }
    if (inc->ntools > 0)
        memcpy(t, inc->tools, inc->ntools * sizeof(*t));
    qsort(t, inc->ntools, sizeof(*t), cmp_tool);
    mcp_buf_puts(p->b, "<table><tr><th>tool</th><th class=\"n\">calls</th>"
                       "<th class=\"n\">failures</th><th class=\"n\">"
                       "latency p50 / p90 / max (calls)</th><th>bursts "
                       "(tool-call-rate)</th>"
                       "</tr>\n");
    for (size_t i = 0; i < inc->ntools; i++) {
        struct mcp_clientstats_tool ct;
        uint64_t fails;
        size_t bursts = 0;

        mcp_clientstats_tool(p->in->clients, t[i].name, &ct);
        fails = mcp_incident_failures(inc, t[i].name) + ct.failed;

        mcp_buf_puts(p->b, "<tr><td class=\"m\">");
        html_text(p, t[i].name);
        mcp_buf_printf(p->b, "</td><td class=\"n\">%llu</td><td class=\"n"
                             "%s\">%llu</td><td class=\"n\">",
                       (unsigned long long)t[i].calls,
                       fails > 0 ? " bad" : "",
                       (unsigned long long)fails);
        latency(p, &ct);
        mcp_buf_puts(p->b, "</td><td>");
        for (size_t k = 0; k < na && inc->r_rate >= 0; k++) {
            if ((int)al[k]->rule != inc->r_rate ||
                strcmp(al[k]->key, t[i].name) != 0)
                continue;
            if (bursts++ < 5) {
                mcp_buf_puts(p->b, bursts > 1 ? "<br>" : "");
                html_time(p, al[k]->start);
                mcp_buf_printf(p->b, ": %llu calls",
                               (unsigned long long)al[k]->count);
            }
        }
        if (bursts > 5)
            mcp_buf_printf(p->b, "<br>and %zu more", bursts - 5);
        mcp_buf_puts(p->b, "</td></tr>\n");
    }
    mcp_buf_puts(p->b, "</table>\n<p class=\"note\">Failures: errors "
                       "logged by tools.&lt;tool&gt;, and calls the client "
                       "logged as failed. Latency: the time of each call the "
                       "clients logged, completed or failed (--client).");
    if (inc->tools_dropped > 0)
        mcp_buf_printf(p->b, " %llu calls of tools past the first %d not "
                             "listed.",
                       (unsigned long long)inc->tools_dropped,
                       MCP_INCIDENT_MAX_TOOLS);
    mcp_buf_puts(p->b, "</p>\n</section>\n");
    free(t);
}

static int cmp_cluster(const void *a, const void *b)
{
    const struct mcp_incident_cluster *x =
        *(const struct mcp_incident_cluster *const *)a;
    const struct mcp_incident_cluster *y =
        *(const struct mcp_incident_cluster *const *)b;

    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return x->first < y->first ? -1 : x->first > y->first;
}

void html_clusters(struct html_page *p)
{
    const struct mcp_incident *inc = p->in->inc;
    const struct mcp_incident_cluster **c =
        mcp_calloc(inc->nclusters + 1, sizeof(*c));
    size_t n = inc->nclusters < MCP_HTML_MAX_CLUSTERS ? inc->nclusters
                                                      : MCP_HTML_MAX_CLUSTERS;

    mcp_buf_puts(p->b, "<section id=\"clusters\">\n<h2>Error clusters</h2>"
                       "\n");
    for (size_t i = 0; i < inc->nclusters; i++)
        c[i] = &inc->clusters[i];
    qsort(c, inc->nclusters, sizeof(*c), cmp_cluster);
    mcp_buf_puts(p->b, "<table><tr><th class=\"n\">count</th><th>message "
                       "(numbers, ids, paths masked)</th><th>first</th>"
                       "<th>last</th><th>over time</th></tr>\n");
    for (size_t i = 0; i < n; i++) {
        mcp_buf_printf(p->b, "<tr class=\"cluster\"><td class=\"n\">%llu"
                             "</td><td class=\"m\">",
                       (unsigned long long)c[i]->count);
        html_text(p, c[i]->tmpl);
        mcp_buf_puts(p->b, "<details><summary>sample</summary><pre>");
        html_textn(p, c[i]->sample, c[i]->sample_len, MCP_HTML_SAMPLE_MAX);
        if (c[i]->context != NULL) {
            mcp_buf_putc(p->b, '\n');
            mcp_html_lines(p->b, c[i]->context, c[i]->context_len,
                           MCP_HTML_TRACE_MAX);
        }
        mcp_buf_puts(p->b, "</pre>");
        html_text(p, p->in->ls->inputs[c[i]->input].base);
        mcp_buf_printf(p->b, ":%llu</details></td><td class=\"t\">",
                       (unsigned long long)c[i]->lineno);
        html_time(p, c[i]->first);
        mcp_buf_puts(p->b, "</td><td class=\"t\">");
        html_time(p, c[i]->last);
        mcp_buf_puts(p->b, "</td><td class=\"spark\">");
        html_sparkline(p, &c[i]->bins);
        mcp_buf_puts(p->b, "</td></tr>\n");
    }
    mcp_buf_puts(p->b, "</table>\n");
    if (inc->r_errors < 0)
        mcp_buf_puts(p->b, "<p class=\"note\">The errors rule is not "
                           "loaded.</p>\n");
    if (inc->nclusters > n || inc->clusters_dropped > 0)
        mcp_buf_printf(p->b, "<p class=\"note\">Not listed: %zu smaller "
                             "clusters, and %llu errors past the %d "
                             "clusters tracked.</p>\n",
                       inc->nclusters - n,
                       (unsigned long long)inc->clusters_dropped,
                       MCP_INCIDENT_MAX_CLUSTERS);
    mcp_buf_puts(p->b, "</section>\n");
    free(c);
}

/* The alerts as a JSON array, one alert a line (so that two pages diff
 * alert by alert): HTML-escaped for the appendix, or for the script
 * block. */
static void alerts_json(struct html_page *p, struct mcp_alert *const *al,
                        size_t n, bool script)
{
    struct mcp_buf jb;
    struct mcp_json j;

    mcp_buf_init(&jb);
    mcp_buf_puts(&jb, "[\n");
    for (size_t i = 0; i < n; i++) {
        mcp_json_init(&j, &jb, false);
        mcp_report_json_alert(&j, p->in->ls, p->in->rs, al[i], false);
        mcp_buf_puts(&jb, i + 1 < n ? ",\n" : "\n");
    }
    mcp_buf_puts(&jb, "]");
    if (script) {
        mcp_json_for_html(p->b, jb.data, jb.len, true);
    } else {
        struct mcp_buf v;

        mcp_buf_init(&v);
        mcp_json_for_html(&v, jb.data, jb.len, false);
        mcp_html_lines(p->b, v.data, v.len, v.len);
        mcp_buf_free(&v);
    }
    mcp_buf_free(&jb);
}

void html_alerts(struct html_page *p)
{
    size_t n, shown;
    struct mcp_alert *const *al = mcp_engine_alerts(p->in->fig->engine, &n);
    static const char *const sev[4] = {"none", "info", "warning",
                                       "critical"};

    shown = n < MCP_HTML_MAX_ALERTS ? n : MCP_HTML_MAX_ALERTS;
    mcp_buf_printf(p->b, "<section id=\"alerts\">\n<h2>Alerts (%zu)</h2>\n"
                         "<table><tr><th>start</th><th>end</th><th>"
                         "severity</th><th>rule</th><th>labels</th>"
                         "<th class=\"n\">count</th><th>summary</th>"
                         "</tr>\n", n);
    for (size_t i = 0; i < shown; i++) {
        const struct mcp_alert *a = al[i];
        const char *s = sev[(unsigned)a->severity < 4 ? a->severity : 0];

        mcp_buf_puts(p->b, "<tr><td class=\"t\">");
        html_time(p, a->start);
        mcp_buf_puts(p->b, "</td><td class=\"t\">");
        if (a->end != MCP_TIME_NONE)
            html_time(p, a->end);
        else
            mcp_buf_puts(p->b, "firing at the end");
        mcp_buf_printf(p->b, "</td><td class=\"sev %s\">%s</td>"
                             "<td class=\"rule\">", s, s);
        html_text(p, p->in->rs->rules[a->rule].name);
        mcp_buf_puts(p->b, "</td><td class=\"m\">");
        for (int k = 0; k < a->nlabels; k++) {
            mcp_buf_puts(p->b, k > 0 ? ", " : "");
            html_text(p, a->label_name[k]);
            mcp_buf_putc(p->b, '=');
            html_text(p, a->label_value[k]);
        }
        mcp_buf_printf(p->b, "</td><td class=\"n\">%llu</td><td>",
                       (unsigned long long)a->count);
        html_text(p, a->summary);
        mcp_buf_puts(p->b, "</td></tr>\n");
    }
    mcp_buf_puts(p->b, "</table>\n");
    if (shown < n)
        mcp_buf_printf(p->b, "<p class=\"note\">%zu more alerts not listed "
                             "here nor in the JSON below: mcplog scan "
                             "--json has them all.</p>\n", n - shown);
    mcp_buf_printf(p->b, "<details id=\"alerts-json\"><summary>The %zu "
                         "alerts as JSON (as mcplog scan --json writes "
                         "them)</summary>\n<pre id=\"alerts-json-text\">", shown);
    alerts_json(p, al, shown, false);
    mcp_buf_puts(p->b, "</pre>\n</details>\n<script type=\"application/"
                       "json\" id=\"mcplog-alerts\">");
    alerts_json(p, al, shown, true);
    mcp_buf_puts(p->b, "</script>\n</section>\n");
}
