/* fuzz_timeexpr.c - libFuzzer target for analyzer/base/timeexpr.c, the
 * --since / --until parser (mcp_time_parse_expr).
 *
 * Input layout: byte 0 picks the clock ("now": 4 fixed instants, among
 * them one in a DST overlap and one near year 0) and the zone (UTC,
 * Europe/Paris, America/New_York, Pacific/Chatham), the rest (up to 200
 * bytes, cut at the first NUL) is the expression. Checked, abort() on
 * any violation:
 *   - a success gives a time within MCP_TIME_MIN..MCP_TIME_MAX and leaves
 *     err empty; a failure starts err with "bad time '" and leaves *out;
 *   - the same input gives the same answer twice;
 *   - "-X", "X ago" and "+X" agree: now - d, now - d, now + d.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeexpr.h"
#include "base/timeparse.h"
#include "base/util.h"

static const int64_t clocks[] = {
    1765380645250LL,  /* 2025-12-10T15:30:45.250Z */
    1761436800000LL,  /* 2025-10-26T00:00:00Z: Paris leaves DST at 01:00Z */
    -62135596800000LL + 86400000LL, /* 0001-01-02 */
    0,
};
static const char *const zones[] = {"UTC", "Europe/Paris",
                                    "America/New_York", "Pacific/Chatham"};

static int parse(const char *s, int64_t now, int64_t *out, char *err)
{
    int64_t sentinel = 0x5a5a5a5a;
    int rc;

    *out = sentinel;
    err[0] = '\0';
    rc = mcp_time_parse_expr(s, now, out, err);
    if (rc == 0 && (err[0] != '\0' || *out < MCP_TIME_MIN ||
                    *out > MCP_TIME_MAX))
        abort();
    if (rc == -1 && (strncmp(err, "bad time '", 10) != 0 ||
                     *out != sentinel || strlen(err) >= MCP_ERRLEN))
        abort();
    if (rc != 0 && rc != -1)
        abort();
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char s[256], alt[280], err[MCP_ERRLEN], err2[MCP_ERRLEN];
    int64_t now, v, v2, w;
    size_t n;
    int rc;

    if (size < 1)
        return 0;
    now = clocks[data[0] & 3];
    if (mcp_time_set_tz(zones[(data[0] >> 2) & 3], err) != 0)
        abort();
    n = size - 1 > 200 ? 200 : size - 1;
    memcpy(s, data + 1, n);
    s[n] = '\0';

    rc = parse(s, now, &v, err);
    if (parse(s, now, &v2, err2) != rc || (rc == 0 && v != v2) ||
        (rc != 0 && strcmp(err, err2) != 0))
        abort();

    /* "-X" = "X ago"; and then "+X" is as far the other way. */
    if (rc == 0 && s[0] == '-' && strlen(s) > 1) {
        snprintf(alt, sizeof(alt), "%s ago", s + 1);
        if (parse(alt, now, &w, err) != 0 || w != v)
            abort();
        snprintf(alt, sizeof(alt), "+%s", s + 1);
        if (parse(alt, now, &w, err) == 0 && w - now != now - v)
            abort();
    }
    return 0;
}
