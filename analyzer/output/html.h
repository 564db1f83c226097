/* html.h - the incident page: one self-contained HTML file.
 *
 * Inline CSS, inline SVG charts drawn here, no script to run (the only
 * script element is a JSON data block), a Content-Security-Policy that
 * forbids every outside request. The same input gives the same bytes:
 * the only wall-clock time is the optional generated-at stamp.
 *
 * Every text that came from a log (or a file name) goes through
 * mcp_html_cut (textout.h); the JSON through mcp_json_for_html.
 * Sizes are bounded: charts are binned (MCP_HTML_BINS columns), lanes,
 * rows and clusters capped (the constants below), samples cut.
 */
#ifndef MCP_HTML_H
#define MCP_HTML_H

#include <stdint.h>

#include "base/timebins.h"
#include "base/util.h"
#include "input/logset.h"
#include "match/rules.h"
#include "output/clientstats.h"
#include "output/incident.h"
#include "output/report.h"

#define MCP_HTML_BINS 120          /* columns of the rate charts */
#define MCP_HTML_MAX_PROCS 40      /* process lanes drawn */
#define MCP_HTML_MAX_KEYS 40       /* alert lanes drawn */
#define MCP_HTML_MAX_BARS 400      /* alert bars drawn in all */
#define MCP_HTML_MAX_ROWS 200      /* rows of the startups table */
#define MCP_HTML_MAX_CLUSTERS 50   /* error clusters shown */
#define MCP_HTML_MAX_ALERTS 1000   /* alerts in the table and the JSON */
#define MCP_HTML_TEXT_MAX 300      /* bytes of a label or a table cell */
#define MCP_HTML_SAMPLE_MAX 2048   /* bytes of a sample line */
#define MCP_HTML_TRACE_MAX 4096    /* bytes of a sample's traceback */

/* What the page is made from; everything borrowed. */
struct mcp_html_in {
    const struct mcp_logset *ls;
    const struct mcp_ruleset *rs;
    const struct mcp_report_figures *fig;
    const struct mcp_incident *inc;
    const struct mcp_clientstats *clients;  /* --client, or NULL */
    const struct mcp_timebins *line_bins;   /* one per family, or NULL */
    size_t nline_bins;
    int64_t since, until;          /* MCP_TIME_NONE: no bound */
    const char *zone;              /* --tz as given, or NULL: TZ / local */
    const char *rules_from;        /* where the rules came from (text) */
    const char *stamp;             /* generated-at text, or NULL: none */
};

/* Append the whole page to out. */
void mcp_html_write(struct mcp_buf *out, const struct mcp_html_in *in);

#endif
