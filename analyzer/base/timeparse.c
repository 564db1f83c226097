/* timeparse.c - log timestamps: fixed-format parsers, local time, output.
 *
 * Local (naive) times are converted through a per-thread cache holding the
 * UTC epoch of the start of one local hour, keyed by (y, m, d, h) and the
 * zone generation. Every line of an hour hits the cache; a miss costs a few
 * localtime_r() calls.
 *
 * Why not mktime(tm_isdst = -1): glibc's mktime seeds its search with the
 * offset found by the previous call, so for an ambiguous wall time (the
 * repeated hour when DST ends) the answer depends on what was converted
 * before. Measured on this machine with Europe/Paris, 2025-10-26 02:30 gave
 * 00:30Z after a July time and 01:30Z after a January time. The parser must
 * be deterministic (two threads, two orders), so local_to_utc() below
 * resolves the wall time itself, with Python's fold=0 rule:
 *   - ambiguous (the hour happens twice): the earlier instant, i.e. the
 *     offset in force before the transition (02:30 -> 00:30Z);
 *   - nonexistent (the hour skipped when DST starts): the offset in force
 *     before the transition too (2025-03-30 02:30 -> 01:30Z, shown as
 *     03:30+02:00), which is also what glibc's mktime returns.
 *
 * Limitations of the per-hour cache (documented, accepted):
 *   - a transition that is not on a whole hour of local wall time (Lord
 *     Howe Island's 30-minute DST starting at 02:00 is on the hour; a few
 *     historical zones changed at :30 or :45) gives a wrong offset for the
 *     minutes of that hour after the change;
 *   - two transitions less than a day apart are not seen (the probes below
 *     look one day before and after);
 *   - the zone is read from TZ once per generation: changing TZ without
 *     mcp_time_set_tz() leaves stale caches.
 */
#include "base/timeparse.h"
#include "base/util.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* Bumped by mcp_time_set_tz(); caches made under another value are stale.
 * Written only before threads start (timeparse.h), so a plain variable. */
static unsigned tz_generation = 1;

struct hour_cache {
    unsigned gen;    /* 0: empty */
    int32_t key;     /* (y, m, d, h) packed by hour_key() */
    int64_t epoch;   /* UTC seconds of local hh:00:00 */
};

static _Thread_local struct hour_cache cache;

static bool is_digit(char c)
{
    return (unsigned)(c - '0') <= 9;
}

static int dig2(const char *p)
{
    return (p[0] - '0') * 10 + (p[1] - '0');
}

static bool all_digits(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_digit(p[i]))
            return false;
    return true;
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};

    return m == 2 && is_leap(y) ? 29 : mdays[m - 1];
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;

    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar:
 * whole years before y (with their leap days) counted from year 1, plus
 * the days before month m, minus the same count for 1970. */
static int64_t days_from_civil(int y, int m, int d)
{
    static const int before[12] = {0,   31,  59,  90,  120, 151,
                                   181, 212, 243, 273, 304, 334};
    int64_t yb = (int64_t)y - 1;
    int64_t days = yb * 365 + floor_div(yb, 4) - floor_div(yb, 100) +
                   floor_div(yb, 400);

    days += before[m - 1] + (m > 2 && is_leap(y)) + d - 1;
    return days - 719162; /* days from 0001-01-01 to 1970-01-01 */
}

static bool valid_date(int y, int m, int d)
{
    return m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

static bool valid_time(int h, int mi, int s)
{
    return h <= 23 && mi <= 59 && s <= 60;
}

static bool gmtoff_at(int64_t t, long *off)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (localtime_r(&tt, &tm) == NULL)
        return false;
    *off = tm.tm_gmtoff;
    return true;
}

/* UTC seconds for a local wall time given as seconds since the epoch "as
 * if UTC". The offsets a day before and a day after are the two that can
 * apply; each candidate is kept only if the zone really has that offset at
 * that instant. Both valid: ambiguous, take the earlier. Neither: a gap,
 * use the offset from before it. */
static bool local_to_utc(int64_t wall, int64_t *out)
{
    long before, after, chk;
    int64_t tb, ta;
    bool vb, va;

    if (!gmtoff_at(wall - 86400, &before) || !gmtoff_at(wall + 86400, &after))
        return false;
    tb = wall - before;
    if (before == after) {
        *out = tb;
        return true;
    }
    ta = wall - after;
    vb = gmtoff_at(tb, &chk) && chk == before;
    va = gmtoff_at(ta, &chk) && chk == after;
    if (vb && va)
        *out = tb < ta ? tb : ta;
    else if (va)
        *out = ta;
    else
        *out = tb;
    return true;
}

static int32_t hour_key(int y, int m, int d, int h)
{
    return ((y * 13 + m) * 32 + d) * 24 + h;
}

/* UTC seconds of local y-m-d h:00:00, cached per thread. */
static bool local_hour_start(int y, int m, int d, int h, int64_t *out)
{
    int32_t key = hour_key(y, m, d, h);
    int64_t t;

    if (cache.gen == tz_generation && cache.key == key) {
        *out = cache.epoch;
        return true;
    }
    if (!local_to_utc(days_from_civil(y, m, d) * 86400 + h * 3600, &t))
        return false;
    cache.gen = tz_generation;
    cache.key = key;
    cache.epoch = t;
    *out = t;
    return true;
}

/* "YYYY-MM-DD" + sep + "HH:MM:SS" at p (19 bytes known to be available).
 * sep is checked by the caller. Fills the fields and validates them. */
static bool parse_datetime(const char *p, int f[6])
{
    if (!all_digits(p, 4) || p[4] != '-' || !is_digit(p[5]) ||
        !is_digit(p[6]) || p[7] != '-' || !is_digit(p[8]) ||
        !is_digit(p[9]) || !is_digit(p[11]) || !is_digit(p[12]) ||
        p[13] != ':' || !is_digit(p[14]) || !is_digit(p[15]) ||
        p[16] != ':' || !is_digit(p[17]) || !is_digit(p[18]))
        return false;
    f[0] = dig2(p) * 100 + dig2(p + 2);
    f[1] = dig2(p + 5);
    f[2] = dig2(p + 8);
    f[3] = dig2(p + 11);
    f[4] = dig2(p + 14);
    f[5] = dig2(p + 17);
    return valid_date(f[0], f[1], f[2]) && valid_time(f[3], f[4], f[5]);
}

static bool local_ms(const int f[6], int ms, int64_t *out)
{
    int64_t hour;

    if (!local_hour_start(f[0], f[1], f[2], f[3], &hour))
        return false;
    *out = (hour + f[4] * 60 + f[5]) * 1000 + ms;
    return true;
}

size_t mcp_time_parse_python(const char *p, size_t n, int64_t *out)
{
    int f[6];

    if (n < MCP_PYTIME_LEN || p[10] != ' ' ||
        (p[19] != ',' && p[19] != '.') || !all_digits(p + 20, 3) ||
        !parse_datetime(p, f))
        return 0;
    if (!local_ms(f, dig2(p + 20) * 10 + (p[22] - '0'), out))
        return 0;
    return MCP_PYTIME_LEN;
}

/* Zone suffix at p: "Z", "+HH:MM", "+HHMM" or "+HH". Returns bytes used
 * (0: none, the time is local) and the offset east of UTC in seconds.
 * "+HH:MM:SS" is read too: mcp_time_format_iso() writes it for historical
 * local mean time offsets, and its output must parse back. */
static size_t parse_zone(const char *p, size_t n, long *off)
{
    int h, m = 0, s = 0;
    size_t used;

    if (n >= 1 && p[0] == 'Z') {
        *off = 0;
        return 1;
    }
    if (n < 3 || (p[0] != '+' && p[0] != '-') || !is_digit(p[1]) ||
        !is_digit(p[2]))
        return 0;
    h = dig2(p + 1);
    used = 3;
    if (n >= 6 && p[3] == ':' && is_digit(p[4]) && is_digit(p[5])) {
        m = dig2(p + 4);
        used = 6;
        if (n >= 9 && p[6] == ':' && is_digit(p[7]) && is_digit(p[8])) {
            s = dig2(p + 7);
            used = 9;
        }
    } else if (n >= 5 && is_digit(p[3]) && is_digit(p[4])) {
        m = dig2(p + 3);
        used = 5;
    }
    if (h > 23 || m > 59 || s > 59)
        return 0;
    *off = (h * 3600L + m * 60L + s) * (p[0] == '-' ? -1 : 1);
    return used;
}

size_t mcp_time_parse_iso(const char *p, size_t n, int64_t *out)
{
    int f[6], ms = 0;
    size_t i = 19, zn;
    long off;

    if (n < 19 || (p[10] != 'T' && p[10] != ' ') || !parse_datetime(p, f))
        return 0;
    if (i + 1 < n && (p[i] == '.' || p[i] == ',') && is_digit(p[i + 1])) {
        int kept = 0;

        /* Any number of digits; the first three are the milliseconds. */
        for (i++; i < n && is_digit(p[i]); i++) {
            if (kept < 3) {
                ms = ms * 10 + (p[i] - '0');
                kept++;
            }
        }
        for (; kept < 3; kept++)
            ms *= 10;
    }
    zn = parse_zone(p + i, n - i, &off);
    if (zn == 0)
        return local_ms(f, ms, out) ? i : 0;
    *out = (days_from_civil(f[0], f[1], f[2]) * 86400 + f[3] * 3600 +
            f[4] * 60 + f[5] - off) * 1000 + ms;
    return i + zn;
}

size_t mcp_time_parse_prefix(const char *p, size_t n, int64_t *out)
{
    size_t used = mcp_time_parse_python(p, n, out);

    return used ? used : mcp_time_parse_iso(p, n, out);
}

int mcp_time_parse_arg(const char *s, int64_t *out)
{
    size_t n = strlen(s);
    char tmp[20];
    int64_t t;
    int f[6];

    if (n > 0 && mcp_time_parse_iso(s, n, &t) == n) {
        *out = t;
        return 0;
    }
    if (n != 10)
        return -1;
    /* A date alone: borrow parse_datetime's checks with a fake midnight. */
    memcpy(tmp, s, 10);
    memcpy(tmp + 10, "T00:00:00", 9);
    if (!parse_datetime(tmp, f) || !local_hour_start(f[0], f[1], f[2], 0, &t))
        return -1;
    *out = t * 1000;
    return 0;
}

/* "+02:00", "-0530", "+02" -> POSIX TZ "<+0200>-02:00". POSIX counts the
 * offset west of Greenwich, so the sign is inverted; the quoted name is
 * what %Z prints. */
static bool numeric_tz(const char *tz, char *posix, size_t len)
{
    size_t n = strlen(tz);
    long off;
    int h, m;

    if (parse_zone(tz, n, &off) != n || tz[0] == 'Z' || off % 60 != 0)
        return false;
    h = (int)(labs(off) / 3600);
    m = (int)(labs(off) % 3600 / 60);
    snprintf(posix, len, "<%c%02d%02d>%c%02d:%02d", tz[0], h, m,
             tz[0] == '-' ? '+' : '-', h, m);
    return true;
}

/* A zone name is a relative path made of [A-Za-z0-9_+-] components, with
 * no "." or ".." component, naming a regular file under TZDIR. */
static bool valid_zone_name(const char *tz, char *err)
{
    const char *dir = getenv("TZDIR");
    char path[4096];
    struct stat st;
    const char *c = tz;

    if (*tz == '/' || strlen(tz) > 255)
        goto bad;
    for (const char *p = tz; ; p++) {
        if (*p == '/' || *p == '\0') {
            if (p == c || c[0] == '.')
                goto bad;
            if (*p == '\0')
                break;
            c = p + 1;
        } else if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                     is_digit(*p) || *p == '_' || *p == '+' || *p == '-')) {
            goto bad;
        }
    }
    if (dir == NULL || dir[0] == '\0')
        dir = "/usr/share/zoneinfo";
    snprintf(path, sizeof(path), "%s/%s", dir, tz);
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
        mcp_errf(err, "unknown time zone '%s' (no %s)", tz, path);
        return false;
    }
    return true;
bad:
    mcp_errf(err, "bad time zone '%s': expected a name such as "
             "Europe/Paris or UTC, or an offset such as +02:00", tz);
    return false;
}

int mcp_time_set_tz(const char *tz, char *err)
{
    char posix[32];
    const char *val = tz;

    if (tz == NULL || tz[0] == '\0') {
        mcp_errf(err, "empty time zone");
        return -1;
    }
    if (strcmp(tz, "UTC") == 0 || strcmp(tz, "Z") == 0) {
        val = "UTC0"; /* valid POSIX even without a zoneinfo file */
    } else if (tz[0] == '+' || tz[0] == '-') {
        if (!numeric_tz(tz, posix, sizeof(posix))) {
            mcp_errf(err, "bad time zone offset '%s': expected +HH:MM, "
                     "+HHMM or +HH (hours 0-23, minutes 0-59)", tz);
            return -1;
        }
        val = posix;
    } else if (!valid_zone_name(tz, err)) {
        return -1;
    }
    if (setenv("TZ", val, 1) != 0) {
        mcp_errf(err, "cannot set TZ to '%s'", val);
        return -1;
    }
    tzset();
    tz_generation++;
    if (tz_generation == 0) /* 0 marks an empty cache */
        tz_generation = 1;
    return 0;
}

static bool split_local(int64_t ms, struct tm *tm, int *frac)
{
    int64_t s = floor_div(ms, 1000);
    time_t t = (time_t)s;

    *frac = (int)(ms - s * 1000);
    return localtime_r(&t, tm) != NULL;
}

void mcp_time_format_iso(int64_t ms, char *buf, size_t len)
{
    struct tm tm;
    int frac, n;
    long off;

    if (len == 0)
        return;
    if (!split_local(ms, &tm, &frac)) {
        snprintf(buf, len, "(invalid time)");
        return;
    }
    n = snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03d",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                 tm.tm_min, tm.tm_sec, frac);
    if (n < 0 || (size_t)n >= len)
        return;
    off = tm.tm_gmtoff;
    if (off == 0) {
        snprintf(buf + n, len - (size_t)n, "Z");
        return;
    }
    char sign = off < 0 ? '-' : '+';

    off = labs(off);
    if (off % 60 != 0) /* historical local mean time, e.g. Paris before 1911 */
        snprintf(buf + n, len - (size_t)n, "%c%02ld:%02ld:%02ld", sign,
                 off / 3600, off % 3600 / 60, off % 60);
    else
        snprintf(buf + n, len - (size_t)n, "%c%02ld:%02ld", sign, off / 3600,
                 off % 3600 / 60);
}

void mcp_time_format_log(int64_t ms, char *buf, size_t len)
{
    struct tm tm;
    int frac;

    if (len == 0)
        return;
    if (!split_local(ms, &tm, &frac)) {
        snprintf(buf, len, "(invalid time)");
        return;
    }
    snprintf(buf, len, "%04d-%02d-%02d %02d:%02d:%02d,%03d",
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
             tm.tm_min, tm.tm_sec, frac);
}
