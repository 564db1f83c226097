/* timeexpr.h - times as people type them, for --since and --until, in
 * the forms journalctl(1) takes:
 *
 *   2025-12-10 14:00[:SS]     a date and time (no seconds needed), local
 *   2025-12-10                that day's midnight, local
 *   2025-12-10T14:00:00+01:00 ISO 8601 (timeparse.h), with a zone or local
 *   14:00[:SS]                today at that time, local
 *   today yesterday tomorrow  midnight, local
 *   now
 *   2h ago, -30m, +1h         now minus or plus a duration: 1h30m,
 *                             "1 h 30 min", "2 hours" (units ms, s, sec,
 *                             m, min, h, hour, d, day, w, week, plurals)
 *   @1765375200[.5]           seconds since 1970-01-01 UTC
 *
 * "Local" is the process zone: --tz (mcp_time_set_tz) else TZ. "Now" is
 * given by the caller (the wall clock; a fixed one in tests).
 */
#ifndef MCP_TIMEEXPR_H
#define MCP_TIMEEXPR_H

#include <stdint.h>

/* Parse s, one of the forms above, relative to now (ms since the
 * epoch). Returns 0 with *out in ms, or -1 with "bad time 'S': ..." and
 * the forms accepted in err (MCP_ERRLEN bytes). */
int mcp_time_parse_expr(const char *s, int64_t now, int64_t *out, char *err);

#endif
