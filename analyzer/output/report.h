/* report.h - the scan report, for people (text) and for programs (JSON).
 *
 * Every text that came from a log goes through textout.h: terminal
 * escaping in the text report, JSON escaping in the JSON document.
 */
#ifndef MCP_REPORT_H
#define MCP_REPORT_H

#include <stdio.h>

#include "input/logset.h"
#include "match/rules.h"
#include "engine/engine.h"

#define MCP_REPORT_VERSION "1"

/* What a scan found, as the report reads it: the engine's results and the
 * scan's figures (the scan fills it; the report never runs one). */
struct mcp_report_figures {
    struct mcp_engine *engine;
    const uint64_t *limit_errors;  /* per rule */
    uint64_t lines, bytes, matches;
    uint64_t time_jumps;
};

/* Write the human report to fp. */
void mcp_report_text(FILE *fp, const struct mcp_logset *ls,
                     const struct mcp_ruleset *rs,
                     const struct mcp_report_figures *s);

/* Write the JSON document to fp (one document, pretty-printed). */
void mcp_report_json(FILE *fp, const struct mcp_logset *ls,
                     const struct mcp_ruleset *rs,
                     const struct mcp_report_figures *s);

/* Write one alert as the JSON document's "alerts" array holds it (the
 * HTML page's appendix uses the same objects). */
struct mcp_json;
void mcp_report_json_alert(struct mcp_json *j, const struct mcp_logset *ls,
                           const struct mcp_ruleset *rs,
                           const struct mcp_alert *a);

#endif
