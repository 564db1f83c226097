/* histogram.h - matches per rule per local hour or day, for
 * `mcplog scan --by hour|day`. A bucket starts at a local hour or
 * midnight (the process zone: --tz, else TZ); a match without a time is
 * not counted. Buckets are kept in time order, empty ones are not.
 */
#ifndef MCP_HISTOGRAM_H
#define MCP_HISTOGRAM_H

#include <stddef.h>
#include <stdint.h>

#include "base/textout.h"
#include "base/util.h"
#include "match/rules.h"

enum mcp_histogram_by { MCP_BY_HOUR = 1, MCP_BY_DAY = 2 };

struct mcp_histogram;

struct mcp_histogram_bucket {
    int64_t start;  /* ms, the local hour or midnight */
    uint64_t count;
};

/* "hour" or "day" -> MCP_BY_HOUR / MCP_BY_DAY; 0 for anything else. */
int mcp_histogram_by_parse(const char *s);

/* The start of the bucket holding ts (ms): the local hour or midnight
 * (in a DST overlap, the hour as localtime(3) sees it). */
int64_t mcp_histogram_bucket_of(int64_t ts, enum mcp_histogram_by by);

/* A histogram of nrules rules; free with mcp_histogram_destroy. */
struct mcp_histogram *mcp_histogram_create(size_t nrules,
                                           enum mcp_histogram_by by);
void mcp_histogram_destroy(struct mcp_histogram *h);

/* Count one match of rule at ts; MCP_TIME_NONE or rule >= nrules is
 * ignored. Fastest when times come in order (scan's merge). */
void mcp_histogram_add(struct mcp_histogram *h, size_t rule, int64_t ts);

/* The buckets of rule, in time order (*n of them; borrowed until the next
 * add or the destroy), and what the buckets are. */
const struct mcp_histogram_bucket *mcp_histogram_rule(
    const struct mcp_histogram *h, size_t rule, size_t *n);
enum mcp_histogram_by mcp_histogram_by(const struct mcp_histogram *h);

/* Report sections: per rule with matches (and severity >= min_sev when
 * min_sev > 0), its buckets in time order. Text: "Matches by hour
 * (local time):", a rule name, then "    2025-12-10 14:00  COUNT  ###"
 * (the bar 1 to 40 wide, scaled to that rule's largest bucket). JSON:
 * "histogram": {"by": "hour", "rules": {NAME: [{"start": ISO,
 * "matches": N}, ...]}}. */
void mcp_histogram_text(struct mcp_buf *b, const struct mcp_histogram *h,
                        const struct mcp_ruleset *rs, int min_sev);
void mcp_histogram_json(struct mcp_json *j, const struct mcp_histogram *h,
                        const struct mcp_ruleset *rs, int min_sev);

#endif
