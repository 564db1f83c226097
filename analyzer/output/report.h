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
#include "output/clientstats.h"
#include "output/histogram.h"

#define MCP_REPORT_VERSION "1"

/* What a scan found, as the report reads it: the engine's results and the
 * scan's figures (the scan fills it; the report never runs one). */
struct mcp_report_figures {
    struct mcp_engine *engine;
    const uint64_t *limit_errors;  /* per rule */
    uint64_t lines, bytes, matches;
    uint64_t time_jumps;
    /* The client section (clientstats.h), or NULL: none. */
    const struct mcp_clientstats *clients;
};

/* How much of the report, and how (scan's options). Zeroed: all of it,
 * plain. */
struct mcp_report_opts {
    bool summary;      /* the rules, alerts (one line each) and tool-call
                          tables only; JSON: no inputs, expectations,
                          notes, nor alerts' last_line/origin/context */
    int min_severity;  /* 0: every rule; else only rules, alerts and
                          expectations of this severity or worse */
    bool color;        /* text: severities and headings in SGR colour */
    const struct mcp_histogram *hist; /* --by: per-rule matches, or NULL */
};

/* Write the human report to fp; o may be NULL (all of it, plain). */
void mcp_report_text(FILE *fp, const struct mcp_logset *ls,
                     const struct mcp_ruleset *rs,
                     const struct mcp_report_figures *s,
                     const struct mcp_report_opts *o);

/* Write the JSON document to fp (one document, pretty-printed); o as
 * for mcp_report_text (colour is never used). */
void mcp_report_json(FILE *fp, const struct mcp_logset *ls,
                     const struct mcp_ruleset *rs,
                     const struct mcp_report_figures *s,
                     const struct mcp_report_opts *o);

/* Write one alert as the JSON document's "alerts" array holds it (the
 * HTML page's appendix uses the same objects); summary: without
 * last_line, origin and context (--summary). */
struct mcp_json;
void mcp_report_json_alert(struct mcp_json *j, const struct mcp_logset *ls,
                           const struct mcp_ruleset *rs,
                           const struct mcp_alert *a, bool summary);

#endif
