/* timeexpr.c - --since and --until as people type them (timeexpr.h).
 * The local forms are turned into "YYYY-MM-DDTHH:MM:SS" and read by the
 * ISO parser, so a time in a DST gap or overlap is resolved the one way
 * timeparse.c resolves the logs' own times. */
#include "base/timeexpr.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/timeparse.h"
#include "base/util.h"

#define FORMS "use e.g. 2h ago, -30m, today, yesterday, 14:00, " \
              "2025-12-10 14:00, 2025-12-10T14:00:00+01:00 or @1765375200"

static bool digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool letter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The unit words systemd.time(7) takes, as mcp_duration_parse's units. */
static const char *unit_of(const char *w, size_t n)
{
    static const struct {
        const char *word, *unit;
    } units[] = {
        {"ms", "ms"}, {"msec", "ms"},
        {"s", "s"}, {"sec", "s"}, {"secs", "s"}, {"second", "s"},
        {"seconds", "s"},
        {"m", "m"}, {"min", "m"}, {"mins", "m"}, {"minute", "m"},
        {"minutes", "m"},
        {"h", "h"}, {"hr", "h"}, {"hrs", "h"}, {"hour", "h"}, {"hours", "h"},
        {"d", "d"}, {"day", "d"}, {"days", "d"},
        {"w", "w"}, {"week", "w"}, {"weeks", "w"},
    };

    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (strlen(units[i].word) == n && strncmp(w, units[i].word, n) == 0)
            return units[i].unit;
    return NULL;
}

/* "1h30m", "1 h 30 min", "2 hours" -> ms. 0, or -1 with err. */
static int span(const char *s, const char *all, int64_t *ms, char *err)
{
    char canon[128], cause[MCP_ERRLEN] = "";
    size_t o = 0;
    const char *p = s;

    while (*p != '\0') {
        const char *num, *w, *u;

        while (*p == ' ')
            p++;
        if (*p == '\0')
            break;
        num = p;
        while (digit(*p) || *p == '.')
            p++;
        if (p == num)
            goto bad;
        while (*p == ' ')
            p++;
        w = p;
        while (letter(*p))
            p++;
        if ((u = unit_of(w, (size_t)(p - w))) == NULL)
            goto bad;
        if (o + (size_t)(w - num) + 3 >= sizeof(canon))
            goto bad;
        for (const char *c = num; c < w; c++)
            if (*c != ' ')
                canon[o++] = *c;
        o += (size_t)snprintf(canon + o, sizeof(canon) - o, "%s", u);
    }
    canon[o] = '\0';
    if (o > 0 && mcp_duration_parse(canon, ms, cause) == 0)
        return 0;
bad:
    mcp_errf(err, "bad time '%s': '%s' is not a duration such as 2h, 30min "
             "or 1h30m", all, s);
    return -1;
}

/* Midnight plus h:m:s, days after the local day of now. */
static int day_at(int64_t now, int days, int h, int m, int s, int64_t *out)
{
    time_t t = (time_t)(now / 1000 - (now % 1000 < 0));
    struct tm tm;
    char iso[80];
    int64_t v;

    if (localtime_r(&t, &tm) == NULL)
        return -1;
    /* Move the civil date alone: timegm and gmtime_r are plain calendar
     * arithmetic here, no zone involved. */
    tm.tm_mday += days;
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    tm.tm_isdst = 0;
    t = timegm(&tm);
    if (gmtime_r(&t, &tm) == NULL)
        return -1;
    snprintf(iso, sizeof(iso), "%04d-%02d-%02dT%02d:%02d:%02d",
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, h, m, s);
    if (mcp_time_parse_iso(iso, strlen(iso), &v) != strlen(iso))
        return -1;
    *out = v;
    return 0;
}

/* "HH:MM" or "HH:MM:SS": 0 with the fields, else -1. */
static int clock_time(const char *s, int *h, int *m, int *sec)
{
    size_t n = strlen(s);

    if ((n != 5 && n != 8) || !digit(s[0]) || !digit(s[1]) || s[2] != ':' ||
        !digit(s[3]) || !digit(s[4]) ||
        (n == 8 && (s[5] != ':' || !digit(s[6]) || !digit(s[7]))))
        return -1;
    *h = (s[0] - '0') * 10 + (s[1] - '0');
    *m = (s[3] - '0') * 10 + (s[4] - '0');
    *sec = n == 8 ? (s[6] - '0') * 10 + (s[7] - '0') : 0;
    return *h <= 23 && *m <= 59 && *sec <= 59 ? 0 : -1;
}

/* "@SECONDS[.FRACTION]" -> ms. */
static int epoch(const char *s, int64_t *out)
{
    int64_t sec = 0, ms = 0;
    int k = 0;
    const char *p = s;

    if (!digit(*p))
        return -1;
    for (; digit(*p); p++) {
        if (sec > MCP_TIME_MAX / 1000)
            return -1;
        sec = sec * 10 + (*p - '0');
    }
    if (*p == '.') {
        for (p++; digit(*p); p++, k++)
            if (k < 3)
                ms = ms * 10 + (*p - '0');
        if (k == 0)
            return -1;
        for (; k < 3; k++)
            ms *= 10;
    }
    if (*p != '\0')
        return -1;
    *out = sec * 1000 + ms;
    return 0;
}

int mcp_time_parse_expr(const char *s, int64_t now, int64_t *out, char *err)
{
    static const char *const days[] = {"yesterday", "today", "tomorrow"};
    size_t n = strlen(s);
    int64_t v = 0, d;
    int h, m, sec, rc = -1;
    char tmp[32];

    if (strcmp(s, "now") == 0) {
        v = now;
        rc = 0;
    }
    for (int i = 0; i < 3 && rc != 0; i++)
        if (strcmp(s, days[i]) == 0)
            rc = day_at(now, i - 1, 0, 0, 0, &v);
    if (rc != 0 && s[0] == '@') {
        rc = epoch(s + 1, &v);
    } else if (rc != 0 && (s[0] == '-' || s[0] == '+')) {
        if (span(s + 1, s, &d, err) != 0)
            return -1;
        v = s[0] == '-' ? now - d : now + d;
        rc = 0;
    } else if (rc != 0 && n > 4 && strcmp(s + n - 4, " ago") == 0) {
        char *what = mcp_strndup(s, n - 4);

        rc = span(what, s, &d, err);
        free(what);
        if (rc != 0)
            return -1;
        v = now - d;
    } else if (rc != 0 && clock_time(s, &h, &m, &sec) == 0) {
        rc = day_at(now, 0, h, m, sec, &v);
    } else if (rc != 0 && n == 16 && (s[10] == ' ' || s[10] == 'T') &&
               s[13] == ':') {
        /* A date and time without seconds. */
        snprintf(tmp, sizeof(tmp), "%.16s:00", s);
        rc = mcp_time_parse_arg(tmp, &v);
    } else if (rc != 0) {
        rc = mcp_time_parse_arg(s, &v);
    }
    if (rc == 0 && (v < MCP_TIME_MIN || v > MCP_TIME_MAX)) {
        mcp_errf(err, "bad time '%s': out of range (years 0 to 9999)", s);
        return -1;
    }
    if (rc != 0) {
        static const char *const words[] = {"now", "today", "yesterday",
                                            "tomorrow"};
        const char *hint = mcp_suggest(s, words, 4);

        if (hint != NULL)
            mcp_errf(err, "bad time '%s' (did you mean '%s'?)", s, hint);
        else
            mcp_errf(err, "bad time '%s': " FORMS, s);
        return -1;
    }
    *out = v;
    return 0;
}
