/* report.h - the scan report, for people (text) and for programs (JSON).
 *
 * Every text that came from a log goes through textout.h: terminal
 * escaping in the text report, JSON escaping in the JSON document.
 */
#ifndef MCP_REPORT_H
#define MCP_REPORT_H

#include <stdio.h>

#include "logset.h"
#include "rules.h"
#include "scan.h"

#define MCP_REPORT_VERSION "1"

/* Write the human report to fp. */
void mcp_report_text(FILE *fp, const struct mcp_logset *ls,
                     const struct mcp_ruleset *rs, struct mcp_scan *s);

/* Write the JSON document to fp (one document, pretty-printed). */
void mcp_report_json(FILE *fp, const struct mcp_logset *ls,
                     const struct mcp_ruleset *rs, struct mcp_scan *s);

#endif
