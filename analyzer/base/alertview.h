/* alertview.h - one alert as every output shows it.
 *
 * The engine keeps its alerts (engine.h), the dispatcher hands the sinks
 * self-contained copies (sinks/sink.h); every output reads either one
 * through this view, so that the fields they share are written by one
 * function: the JSON of termview's alert lines, the sinks' alert object
 * and the scan report's alerts, and the labels of the text views.
 */
#ifndef MCP_ALERTVIEW_H
#define MCP_ALERTVIEW_H

#include <stdint.h>

#include "base/mcp.h"
#include "base/textout.h"
#include "base/util.h"

struct mcp_alert_view {
    const char *rule;
    enum mcp_severity severity;
    int nlabels;                   /* at most MCP_MAX_LABELS */
    const char *const *label_name;
    const char *const *label_value;
    int64_t start;                 /* log time, ms since the epoch */
    int64_t end;                   /* MCP_TIME_NONE while firing */
    uint64_t count;
    const char *summary;           /* NULL: null in JSON */
};

/* Write the fields every JSON output of an alert has, in this order:
 * "labels" (an object, label name to value), "start", "end" (ISO 8601 or
 * null), "count", "summary". The caller writes its own fields around
 * them. */
void mcp_alert_view_json(struct mcp_json *j, const struct mcp_alert_view *v);

/* Append the labels as a text view shows them, "{name=value,...}" (nothing
 * when n is 0): names escaped for the terminal, values cut and escaped as
 * any field from a log (mcp_term_field; a NULL value shows as empty). */
void mcp_labels_term(struct mcp_buf *b, int n, const char *const *name,
                     const char *const *value);

#endif
