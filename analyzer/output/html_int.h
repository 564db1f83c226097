/* html_int.h - shared by the parts of the incident page (html*.c). */
#ifndef MCP_HTML_INT_H
#define MCP_HTML_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/engine.h"
#include "output/html.h"

/* A server process as the page shows it. */
struct html_proc {
    int64_t start;
    int64_t ready;          /* MCP_TIME_NONE: never (or not yet) */
    int64_t end;            /* the family's last line before the next
                               start, or its last line */
    bool missed;            /* not ready within the rule's time */
    const char *pid;        /* from the log, or NULL */
    size_t fam;
};

struct html_page {
    struct mcp_buf *b;
    const struct mcp_html_in *in;
    int64_t t0, t1;         /* the axis; t1 > t0 when has_time */
    bool has_time;
    struct html_proc *procs;
    size_t nprocs;
};

/* Geometry shared by the timeline and the rates: the plot's left edge
 * and width in SVG units. */
#define HTML_W 1000
#define HTML_LEFT 200
#define HTML_PLOT 780

/* Log-derived text, escaped and cut at MCP_HTML_TEXT_MAX (or max). */
void html_text(struct html_page *p, const char *s);
void html_textn(struct html_page *p, const char *s, size_t n, size_t max);
/* A time as the logs write it ("-" for none); a duration. */
void html_time(struct html_page *p, int64_t t);
void html_dur(struct html_page *p, int64_t ms);
/* x of time t on the plot (clamped to it). */
double html_x(const struct html_page *p, int64_t t);
/* The family an input belongs to. */
size_t html_family_of(const struct mcp_logset *ls, uint32_t input);

/* The charts (html_chart.c). */
void html_timeline(struct html_page *p);
void html_rates(struct html_page *p);
void html_sparkline(struct html_page *p, const struct mcp_timebins *b);

/* The tables (html_tables.c). */
void html_startups(struct html_page *p);
void html_tools(struct html_page *p);
void html_clusters(struct html_page *p);
void html_alerts(struct html_page *p);

#endif
