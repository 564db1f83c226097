/* html_chart.c - the incident page's SVG: the timeline (process lanes,
 * alert lanes), the rates on the same axis, the clusters' sparklines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/textout.h"
#include "base/timeparse.h"
#include "output/html_int.h"

#define LANE 16         /* height of a lane */
#define AXIS 22         /* height of the time axis */
#define ROW 52          /* height of a rate row */
#define ROW_GAP 18
#define TOOL_CLASSES 6  /* tools drawn in their own colour; then "other" */
#define SPARK_BINS 30

static const char *const sev_class[4] = {"none", "info", "warning",
                                         "critical"};

static void rect(struct html_page *p, const char *cls, double x0, double x1,
                 double y, double h)
{
    if (x1 - x0 < 1.5)
        x1 = x0 + 1.5;
    mcp_buf_printf(p->b, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" "
                         "width=\"%.1f\" height=\"%.1f\">",
                   cls, x0, y, x1 - x0, h);
}

/* Ticks at round local times, at most about 8 of them, with labels; the
 * grid lines run down to height. */
static void ticks(struct html_page *p, int height)
{
    static const int64_t steps[] = {
        1000, 2000, 5000, 10000, 15000, 30000, 60000, 120000, 300000, 600000, 900000, 1800000, 3600000, 7200000,
        10800000, 21600000, 43200000, 86400000, 172800000, 604800000,
        1209600000, 2592000000LL, 7776000000LL, 31536000000LL};
    int64_t span = p->t1 - p->t0, step = steps[0], off = 0, t;
    time_t s = (time_t)(p->t0 / 1000);
    struct tm tm;

    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        step = steps[i];
        if (span / step <= 8)
            break;
    }
    if (localtime_r(&s, &tm) != NULL)
        off = (int64_t)tm.tm_gmtoff * 1000;
    t = ((p->t0 + off) / step) * step - off;
    if (t < p->t0)
        t += step;
    for (int k = 0; t < p->t1 && k < 40; t += step, k++) {
        char buf[MCP_TIME_ISO_LEN];
        double x = html_x(p, t);

        /* "YYYY-MM-DD HH:MM:SS,mmm": "MM-DD", "MM-DD HH:MM" or
         * "HH:MM:SS" by the step */
        mcp_time_format_log(t, buf, sizeof(buf));
        buf[step >= 86400000 ? 10 : step >= 60000 ? 16 : 19] = '\0';
        mcp_buf_printf(p->b, "<line class=\"ax\" x1=\"%.1f\" y1=\"%d\" "
                             "x2=\"%.1f\" y2=\"%d\"/>"
                             "<text x=\"%.1f\" y=\"12\" text-anchor=\""
                             "%s\">%s</text>\n",
                       x, AXIS - 6, x, height, x,
                       x > HTML_LEFT + HTML_PLOT - 40 ? "end" : "middle",
                       step >= 60000 ? buf + 5 : buf + 11);
    }
}

static void lane_label(struct html_page *p, int y, const char *a,
                       const char *b)
{
    mcp_buf_printf(p->b, "<rect class=\"lane\" x=\"%d\" y=\"%d\" "
                         "width=\"%d\" height=\"%d\"/>"
                         "<text x=\"4\" y=\"%d\">",
                   HTML_LEFT, y, HTML_PLOT, LANE - 2, y + LANE - 5);
    html_text(p, a);
    if (b != NULL && b[0] != '\0') {
        mcp_buf_putc(p->b, ' ');
        html_textn(p, b, strlen(b), 28);
    }
    mcp_buf_puts(p->b, "</text>\n");
}

static void group_title(struct html_page *p, int y, const char *t)
{
    mcp_buf_printf(p->b, "<text x=\"4\" y=\"%d\" font-weight=\"bold\">%s"
                         "</text>\n", y + 12, t);
}

static int proc_lanes(struct html_page *p, int y)
{
    size_t n = p->nprocs < MCP_HTML_MAX_PROCS ? p->nprocs
                                              : MCP_HTML_MAX_PROCS;

    group_title(p, y, "Server processes");
    y += 18;
    for (size_t i = 0; i < n; i++, y += LANE) {
        const struct html_proc *pr = &p->procs[i];
        double xs = html_x(p, pr->start);
        double xe = html_x(p, pr->end != MCP_TIME_NONE ? pr->end : p->t1);

        mcp_buf_printf(p->b, "<g class=\"proc\" id=\"proc-%zu\">", i);
        lane_label(p, y, "pid", pr->pid);
        if (pr->ready != MCP_TIME_NONE) {
            double xr = html_x(p, pr->ready);

            rect(p, "boot", xs, xr, y + 2, LANE - 6);
            mcp_buf_puts(p->b, "<title>starting: ");
            html_time(p, pr->start);
            mcp_buf_puts(p->b, ", ready after ");
            html_dur(p, pr->ready - pr->start);
            mcp_buf_puts(p->b, pr->missed ? " (late)" : "");
            mcp_buf_puts(p->b, "</title></rect>");
            rect(p, "up", xr, xe, y + 2, LANE - 6);
            mcp_buf_puts(p->b, "<title>ready ");
            html_time(p, pr->ready);
            mcp_buf_puts(p->b, ", last line ");
            html_time(p, pr->end);
            mcp_buf_puts(p->b, "</title></rect>");
        } else {
            rect(p, "down", xs, xe, y + 2, LANE - 6);
            mcp_buf_puts(p->b, "<title>started ");
            html_time(p, pr->start);
            mcp_buf_puts(p->b, pr->missed ? ", never ready"
                                          : ", not ready at the end");
            mcp_buf_puts(p->b, ", last line ");
            html_time(p, pr->end);
            mcp_buf_puts(p->b, "</title></rect>");
        }
        if (i > 0) {
            rect(p, "restart", xs - 1, xs + 1, y, LANE - 2);
            mcp_buf_puts(p->b, "<title>restart</title></rect>");
        }
        mcp_buf_puts(p->b, "</g>\n");
    }
    if (p->nprocs > n) {
        mcp_buf_printf(p->b, "<text x=\"4\" y=\"%d\">%zu more processes "
                             "(see Startups)</text>\n",
                       y + 12, p->nprocs - n);
        y += LANE;
    }
    if (p->nprocs == 0) {
        mcp_buf_printf(p->b, "<text x=\"4\" y=\"%d\">no server start "
                             "found</text>\n", y + 12);
        y += LANE;
    }
    return y;
}

/* One lane per alert key (rule and labels), in order of first firing. */
static int alert_lanes(struct html_page *p, int y)
{
    size_t n, nk = 0, bars = 0, keys_more = 0;
    struct mcp_alert *const *al = mcp_engine_alerts(p->in->fig->engine, &n);
    const struct mcp_alert *lane[MCP_HTML_MAX_KEYS];

    group_title(p, y, "Alerts");
    y += 18;
    for (size_t i = 0; i < n; i++) {
        size_t k;

        for (k = 0; k < nk; k++)
            if (lane[k]->rule == al[i]->rule &&
                strcmp(lane[k]->key, al[i]->key) == 0)
                break;
        if (k == nk && nk < MCP_HTML_MAX_KEYS)
            lane[nk++] = al[i];
        else if (k == nk)
            keys_more++;
    }
    for (size_t k = 0; k < nk; k++, y += LANE) {
        mcp_buf_printf(p->b, "<g class=\"alert-lane\" id=\"lane-%zu\">", k);
        lane_label(p, y, p->in->rs->rules[lane[k]->rule].name,
                   lane[k]->key);
        for (size_t i = 0; i < n && bars < MCP_HTML_MAX_BARS; i++) {
            const struct mcp_alert *a = al[i];

            if (a->rule != lane[k]->rule || strcmp(a->key, lane[k]->key))
                continue;
            bars++;
            rect(p, sev_class[(unsigned)a->severity < 4 ? a->severity : 0],
                 html_x(p, a->start),
                 html_x(p, a->end != MCP_TIME_NONE ? a->end : p->t1), y + 2,
                 LANE - 6);
            mcp_buf_printf(p->b, "<title>%s ",
                           sev_class[(unsigned)a->severity < 4 ? a->severity
                                                               : 0]);
            html_time(p, a->start);
            mcp_buf_puts(p->b, a->end != MCP_TIME_NONE ? " to " : " firing");
            if (a->end != MCP_TIME_NONE)
                html_time(p, a->end);
            mcp_buf_puts(p->b, ": ");
            html_text(p, a->summary);
            mcp_buf_puts(p->b, "</title></rect>");
        }
        mcp_buf_puts(p->b, "</g>\n");
    }
    if (keys_more > 0 || bars == MCP_HTML_MAX_BARS) {
        mcp_buf_printf(p->b, "<text x=\"4\" y=\"%d\">not drawn: %zu more "
                             "alerts past %d lanes or %d bars (see Alerts)"
                             "</text>\n",
                       y + 12, n - bars, MCP_HTML_MAX_KEYS,
                       MCP_HTML_MAX_BARS);
        y += LANE;
    }
    if (n == 0) {
        mcp_buf_printf(p->b, "<text x=\"4\" y=\"%d\">no alert</text>\n",
                       y + 12);
        y += LANE;
    }
    return y;
}

/* Client events where client logs were read: a lane per kind, a marker
 * in each of MARK_COLS columns that holds any (its tooltip the count). */
#define MARK_COLS 390
static int client_lanes(struct html_page *p, int y)
{
    static const char *const what[MCP_CLIENT_NKINDS] = {
        "connection failures", "connections", "handshake timeouts",
        "exits during start"};
    static const char *const cls[MCP_CLIENT_NKINDS] = {
        "critical", "info", "warning", "critical"};
    const struct mcp_incident *inc = p->in->inc;
    uint64_t total = 0;

    for (int k = 0; k < MCP_CLIENT_NKINDS; k++)
        total += inc->nclient[k];
    if (total == 0)
        return y;
    group_title(p, y + 8, "Client events");
    y += 26;
    for (int k = 0; k < MCP_CLIENT_NKINDS; k++) {
        uint64_t *v;
        char label[64];
        double w = (double)HTML_PLOT / MARK_COLS;

        if (inc->nclient[k] == 0)
            continue;
        v = mcp_calloc(MARK_COLS, sizeof(*v));
        mcp_timebins_spread(&inc->client[k], p->t0, p->t1, v, MARK_COLS);
        snprintf(label, sizeof(label), "%s (%llu)", what[k],
                 (unsigned long long)inc->nclient[k]);
        mcp_buf_printf(p->b, "<g class=\"client-lane\" id=\"client-%d\">",
                       k);
        lane_label(p, y, label, NULL);
        for (size_t i = 0; i < MARK_COLS; i++) {
            if (v[i] == 0)
                continue;
            rect(p, cls[k], HTML_LEFT + (double)i * w,
                 HTML_LEFT + (double)i * w + 2, y + 1, LANE - 4);
            mcp_buf_printf(p->b, "<title>%llu %s</title></rect>",
                           (unsigned long long)v[i], what[k]);
        }
        mcp_buf_puts(p->b, "</g>\n");
        free(v);
        y += LANE;
    }
    return y;
}

void html_timeline(struct html_page *p)
{
    struct mcp_buf *outer = p->b, body;
    int y;

    mcp_buf_puts(outer, "<section id=\"timeline\">\n<h2>Timeline</h2>\n");
    if (!p->has_time) {
        mcp_buf_puts(outer, "<p>No timestamped line: nothing to draw.</p>"
                            "\n</section>\n");
        return;
    }
    /* The height is known once the lanes are written. */
    mcp_buf_init(&body);
    p->b = &body;
    y = proc_lanes(p, AXIS);
    y = alert_lanes(p, y + 8);
    y = client_lanes(p, y);
    p->b = outer;
    mcp_buf_printf(outer, "<svg id=\"timeline-svg\" viewBox=\"0 0 %d %d\" "
                          "role=\"img\" aria-label=\"timeline\">\n",
                   HTML_W, y + 4);
    ticks(p, y);
    if (body.len > 0)
        mcp_buf_append(outer, body.data, body.len);
    mcp_buf_puts(outer, "</svg>\n</section>\n");
    mcp_buf_free(&body);
}

static void row(struct html_page *p, int y, const char *title,
                const char *cls, const uint64_t *v, uint64_t max)
{
    double w = (double)HTML_PLOT / MCP_HTML_BINS;

    mcp_buf_printf(p->b, "<text x=\"4\" y=\"%d\" font-weight=\"bold\">%s"
                         "</text><text x=\"4\" y=\"%d\">max %llu per "
                         "column</text>\n"
                         "<line class=\"ax\" x1=\"%d\" y1=\"%d\" x2=\"%d\" "
                         "y2=\"%d\"/>\n",
                   y + 14, title, y + 30, (unsigned long long)max,
                   HTML_LEFT, y + ROW, HTML_LEFT + HTML_PLOT, y + ROW);
    for (size_t i = 0; cls != NULL && i < MCP_HTML_BINS; i++) {
        double h;

        if (v[i] == 0)
            continue;
        h = (double)v[i] / (double)(max ? max : 1) * ROW;
        mcp_buf_printf(p->b, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" "
                             "width=\"%.1f\" height=\"%.1f\"/>",
                       cls, HTML_LEFT + (double)i * w, y + ROW - h,
                       w - 0.6, h);
    }
    mcp_buf_puts(p->b, "\n");
}

static uint64_t max_of(const uint64_t *v)
{
    uint64_t m = 0;

    for (size_t i = 0; i < MCP_HTML_BINS; i++)
        m = v[i] > m ? v[i] : m;
    return m;
}

static int cmp_tool(const void *a, const void *b)
{
    const struct mcp_incident_tool *x = *(const struct mcp_incident_tool *
                                              const *)a;
    const struct mcp_incident_tool *y = *(const struct mcp_incident_tool *
                                              const *)b;

    if (x->calls != y->calls)
        return x->calls > y->calls ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* Tool calls: one stack per column, the busiest tools first. */
static void tool_row(struct html_page *p, int y)
{
    const struct mcp_incident *inc = p->in->inc;
    const struct mcp_incident_tool **t =
        mcp_calloc(inc->ntools + 1, sizeof(*t));
    uint64_t (*v)[MCP_HTML_BINS] =
        mcp_calloc(TOOL_CLASSES + 1, sizeof(*v));
    uint64_t sum[MCP_HTML_BINS] = {0}, base[MCP_HTML_BINS] = {0}, max;
    double w = (double)HTML_PLOT / MCP_HTML_BINS;
    size_t nt = inc->ntools;

    for (size_t i = 0; i < nt; i++)
        t[i] = &inc->tools[i];
    qsort(t, nt, sizeof(*t), cmp_tool);
    for (size_t i = 0; i < nt; i++)
        mcp_timebins_spread(&t[i]->bins, p->t0, p->t1,
                            v[i < TOOL_CLASSES ? i : TOOL_CLASSES],
                            MCP_HTML_BINS);
    mcp_timebins_spread(&inc->tools_other, p->t0, p->t1, v[TOOL_CLASSES],
                        MCP_HTML_BINS);
    for (size_t c = 0; c <= TOOL_CLASSES; c++)
        for (size_t i = 0; i < MCP_HTML_BINS; i++)
            sum[i] += v[c][i];
    max = max_of(sum);
    row(p, y, "Tool calls", NULL, sum, max);
    for (size_t c = 0; c <= TOOL_CLASSES; c++) {
        for (size_t i = 0; i < MCP_HTML_BINS; i++) {
            double h0 = (double)base[i] / (double)(max ? max : 1) * ROW;
            double h = (double)v[c][i] / (double)(max ? max : 1) * ROW;

            if (v[c][i] == 0)
                continue;
            mcp_buf_printf(p->b, "<rect class=\"t%zu\" x=\"%.1f\" "
                                 "y=\"%.1f\" width=\"%.1f\" height=\"%.1f\""
                                 "/>",
                           c, HTML_LEFT + (double)i * w, y + ROW - h0 - h,
                           w - 0.6, h);
            base[i] += v[c][i];
        }
    }
    mcp_buf_puts(p->b, "\n");
    /* The legend, under the row. */
    for (size_t c = 0; c <= TOOL_CLASSES && c <= nt; c++) {
        double x = HTML_LEFT + (double)c * 110;

        if (c == nt && inc->tools_dropped == 0)
            break;
        mcp_buf_printf(p->b, "<rect class=\"t%zu\" x=\"%.1f\" y=\"%d\" "
                             "width=\"9\" height=\"9\"/><text x=\"%.1f\" "
                             "y=\"%d\">",
                       c, x, y + ROW + 6, x + 12, y + ROW + 14);
        if (c < TOOL_CLASSES && c < nt)
            html_textn(p, t[c]->name, strlen(t[c]->name), 14);
        else
            mcp_buf_puts(p->b, "other");
        mcp_buf_puts(p->b, "</text>");
    }
    mcp_buf_puts(p->b, "\n");
    free(v);
    free(t);
}

void html_rates(struct html_page *p)
{
    const struct mcp_html_in *in = p->in;
    uint64_t lines[MCP_HTML_BINS] = {0}, err[MCP_HTML_BINS] = {0},
             ret[MCP_HTML_BINS] = {0};
    int y = AXIS, h = AXIS + 4 * (ROW + ROW_GAP) + 16;

    mcp_buf_puts(p->b, "<section id=\"rates\">\n<h2>Rates</h2>\n");
    if (!p->has_time) {
        mcp_buf_puts(p->b, "<p>No timestamped line.</p>\n</section>\n");
        return;
    }
    for (size_t f = 0; f < in->nline_bins; f++)
        mcp_timebins_spread(&in->line_bins[f], p->t0, p->t1, lines,
                            MCP_HTML_BINS);
    mcp_timebins_spread(&in->inc->errors, p->t0, p->t1, err, MCP_HTML_BINS);
    mcp_timebins_spread(&in->inc->retries, p->t0, p->t1, ret,
                        MCP_HTML_BINS);
    mcp_buf_puts(p->b, "<p class=\"note\">One column is ");
    html_dur(p, (p->t1 - p->t0 + MCP_HTML_BINS - 1) / MCP_HTML_BINS);
    mcp_buf_puts(p->b, " of log time, on the timeline's axis.</p>\n");
    mcp_buf_printf(p->b, "<svg id=\"rates-svg\" viewBox=\"0 0 %d %d\" "
                         "role=\"img\" aria-label=\"rates\">\n",
                   HTML_W, h);
    ticks(p, h);
    row(p, y, "Lines", "lines", lines, max_of(lines));
    y += ROW + ROW_GAP;
    row(p, y, "Errors", "errors", err, max_of(err));
    y += ROW + ROW_GAP;
    tool_row(p, y);
    y += ROW + ROW_GAP + 6;
    row(p, y, "Provider retries", "retries", ret, max_of(ret));
    mcp_buf_puts(p->b, "</svg>\n</section>\n");
}

void html_sparkline(struct html_page *p, const struct mcp_timebins *b)
{
    uint64_t v[SPARK_BINS] = {0}, max = 0;

    if (!p->has_time)
        return;
    mcp_timebins_spread(b, p->t0, p->t1, v, SPARK_BINS);
    for (size_t i = 0; i < SPARK_BINS; i++)
        max = v[i] > max ? v[i] : max;
    mcp_buf_printf(p->b, "<svg class=\"sparkline\" viewBox=\"0 0 %d 16\" "
                         "width=\"%d\" height=\"16\">",
                   SPARK_BINS * 4, SPARK_BINS * 4);
    for (size_t i = 0; i < SPARK_BINS; i++) {
        double h;

        if (v[i] == 0)
            continue;
        h = 2 + (double)v[i] / (double)(max ? max : 1) * 14;
        mcp_buf_printf(p->b, "<rect class=\"spark\" x=\"%zu\" y=\"%.1f\" "
                             "width=\"3\" height=\"%.1f\"/>",
                       i * 4, 16 - h, h);
    }
    mcp_buf_puts(p->b, "</svg>");
}
