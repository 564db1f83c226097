/* timeparse.h - log timestamps.
 *
 * Time inside mcplog is int64_t milliseconds since the Unix epoch (UTC).
 * Python's logging writes naive local time ("2025-12-10 14:36:02,114");
 * it is converted with the process time zone, which `--tz` sets through
 * TZ before any thread starts (mcp_time_set_tz).
 */
#ifndef MCP_TIMEPARSE_H
#define MCP_TIMEPARSE_H

#include <stddef.h>
#include <stdint.h>

/* Every time a parser can produce lies in [MCP_TIME_MIN, MCP_TIME_MAX]
 * (years 0000 to 9999, a day of zone offset either side). Times read back
 * from a checkpoint are clamped into it, so that adding a duration (at
 * most INT64_MAX / 4, see mcp_duration_parse) never overflows. */
#define MCP_TIME_MIN (-62167305600000LL)
#define MCP_TIME_MAX (253402387200000LL)

/* Length of "YYYY-MM-DD HH:MM:SS,mmm". */
#define MCP_PYTIME_LEN 23

/* Set the zone used for naive timestamps and for output ("UTC",
 * "Europe/Paris", "+02:00", "-0530"). Call before threads start. Returns 0,
 * or -1 with the reason in err (MCP_ERRLEN bytes). */
int mcp_time_set_tz(const char *tz, char *err);

/* Parse Python's "YYYY-MM-DD HH:MM:SS,mmm" at p (n bytes available). Also
 * accepts '.' instead of ','. Fixed-format, no locale, no allocation; the
 * local-time conversion is cached per thread by hour. Returns the number of
 * bytes consumed (23), or 0 when p does not start with such a timestamp or
 * a field is out of range. */
size_t mcp_time_parse_python(const char *p, size_t n, int64_t *out);

/* Parse ISO 8601: "YYYY-MM-DDTHH:MM:SS" with an optional fraction
 * (".f" to ".fffffffff", or ","), then an optional "Z" or "+HH:MM" /
 * "+HHMM" / "+HH". Without a zone the time is local. A space may stand for
 * the 'T'. Returns bytes consumed or 0. */
size_t mcp_time_parse_iso(const char *p, size_t n, int64_t *out);

/* The framer's entry point: a line "has a timestamp" when it starts with
 * either form above. Tries the Python form first (the fast path). Returns
 * bytes consumed or 0. */
size_t mcp_time_parse_prefix(const char *p, size_t n, int64_t *out);

/* Parse a user-supplied time for --since / --until: any form accepted by
 * mcp_time_parse_iso, or a date alone ("2025-12-10", local midnight).
 * The whole string must be consumed. Returns 0 or -1. */
int mcp_time_parse_arg(const char *s, int64_t *out);

/* Format ms as ISO 8601 with milliseconds and the zone's offset:
 * "2025-12-10T14:36:02.114+01:00" ("Z" when the zone is UTC).
 * buf needs MCP_TIME_ISO_LEN bytes. */
#define MCP_TIME_ISO_LEN 40
void mcp_time_format_iso(int64_t ms, char *buf, size_t len);

/* Format ms like the logs do: "2025-12-10 14:36:02,114" (local). */
void mcp_time_format_log(int64_t ms, char *buf, size_t len);

#endif
