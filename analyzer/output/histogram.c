/* histogram.c - matches per rule per local hour or day (histogram.h). */
#include "output/histogram.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/mcp.h"
#include "base/util.h"

struct rule_hist {
    struct mcp_histogram_bucket *b;
    size_t n, cap;
};

struct mcp_histogram {
    enum mcp_histogram_by by;
    size_t nrules;
    struct rule_hist *r;
};

int mcp_histogram_by_parse(const char *s)
{
    if (strcmp(s, "hour") == 0)
        return MCP_BY_HOUR;
    if (strcmp(s, "day") == 0)
        return MCP_BY_DAY;
    return 0;
}

int64_t mcp_histogram_bucket_of(int64_t ts, enum mcp_histogram_by by)
{
    time_t t = (time_t)(ts / 1000 - (ts % 1000 < 0));
    struct tm tm;

    if (localtime_r(&t, &tm) == NULL)
        return ts - (ts % 3600000 + 3600000) % 3600000;
    if (by == MCP_BY_HOUR)
        return ((int64_t)t - tm.tm_min * 60 - tm.tm_sec) * 1000;
    /* Midnight of that civil day: mktime finds its offset (a day that
     * starts in a DST change still starts at its first local second). */
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    tm.tm_isdst = -1;
    t = mktime(&tm);
    return (int64_t)t * 1000;
}

struct mcp_histogram *mcp_histogram_create(size_t nrules,
                                           enum mcp_histogram_by by)
{
    struct mcp_histogram *h = mcp_calloc(1, sizeof(*h));

    h->by = by;
    h->nrules = nrules;
    h->r = mcp_calloc(nrules ? nrules : 1, sizeof(*h->r));
    return h;
}

void mcp_histogram_destroy(struct mcp_histogram *h)
{
    if (h == NULL)
        return;
    for (size_t i = 0; i < h->nrules; i++)
        free(h->r[i].b);
    free(h->r);
    free(h);
}

void mcp_histogram_add(struct mcp_histogram *h, size_t rule, int64_t ts)
{
    struct rule_hist *r;
    int64_t start;
    size_t lo, hi;

    if (h == NULL || rule >= h->nrules || ts == MCP_TIME_NONE)
        return;
    r = &h->r[rule];
    start = mcp_histogram_bucket_of(ts, h->by);
    if (r->n > 0 && r->b[r->n - 1].start == start) {
        r->b[r->n - 1].count++;
        return;
    }
    /* Binary search for the place: the merge is in time order, but a
     * line without its own time or a time jump may come out of it. */
    lo = 0;
    hi = r->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (r->b[mid].start < start)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < r->n && r->b[lo].start == start) {
        r->b[lo].count++;
        return;
    }
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 16;
        r->b = mcp_realloc(r->b, r->cap * sizeof(*r->b));
    }
    memmove(r->b + lo + 1, r->b + lo, (r->n - lo) * sizeof(*r->b));
    r->b[lo].start = start;
    r->b[lo].count = 1;
    r->n++;
}

const struct mcp_histogram_bucket *mcp_histogram_rule(
    const struct mcp_histogram *h, size_t rule, size_t *n)
{
    if (h == NULL || rule >= h->nrules) {
        *n = 0;
        return NULL;
    }
    *n = h->r[rule].n;
    return h->r[rule].b;
}

enum mcp_histogram_by mcp_histogram_by(const struct mcp_histogram *h)
{
    return h->by;
}

static bool shown(const struct mcp_ruleset *rs, size_t i, int min_sev)
{
    return min_sev <= 0 || (int)rs->rules[i].severity >= min_sev;
}

static void label(char *buf, size_t len, int64_t start,
                  enum mcp_histogram_by by)
{
    time_t t = (time_t)(start / 1000);
    struct tm tm;

    if (localtime_r(&t, &tm) == NULL) {
        snprintf(buf, len, "?");
        return;
    }
    strftime(buf, len, by == MCP_BY_HOUR ? "%Y-%m-%d %H:00" : "%Y-%m-%d",
             &tm);
}

void mcp_histogram_text(struct mcp_buf *b, const struct mcp_histogram *h,
                        const struct mcp_ruleset *rs, int min_sev)
{
    bool any = false;

    mcp_buf_printf(b, "\nMatches by %s (local time):\n",
                   h->by == MCP_BY_HOUR ? "hour" : "day");
    for (size_t i = 0; i < h->nrules && i < rs->n; i++) {
        const struct rule_hist *r = &h->r[i];
        uint64_t max = 0;

        if (r->n == 0 || !shown(rs, i, min_sev))
            continue;
        any = true;
        for (size_t k = 0; k < r->n; k++)
            if (r->b[k].count > max)
                max = r->b[k].count;
        mcp_buf_printf(b, "  %s\n", rs->rules[i].name);
        for (size_t k = 0; k < r->n; k++) {
            char when[32];
            uint64_t w = (r->b[k].count * 40 + max - 1) / max;

            label(when, sizeof(when), r->b[k].start, h->by);
            mcp_buf_printf(b, "    %-16s %9llu  ", when,
                           (unsigned long long)r->b[k].count);
            for (uint64_t x = 0; x < w; x++)
                mcp_buf_putc(b, '#');
            mcp_buf_putc(b, '\n');
        }
    }
    if (!any)
        mcp_buf_puts(b, "  (no matches with a time)\n");
}

void mcp_histogram_json(struct mcp_json *j, const struct mcp_histogram *h,
                        const struct mcp_ruleset *rs, int min_sev)
{
    mcp_json_key(j, "histogram");
    mcp_json_begin_obj(j);
    mcp_json_key(j, "by");
    mcp_json_str(j, h->by == MCP_BY_HOUR ? "hour" : "day");
    mcp_json_key(j, "rules");
    mcp_json_begin_obj(j);
    for (size_t i = 0; i < h->nrules && i < rs->n; i++) {
        const struct rule_hist *r = &h->r[i];

        if (r->n == 0 || !shown(rs, i, min_sev))
            continue;
        mcp_json_key(j, rs->rules[i].name);
        mcp_json_begin_arr(j);
        for (size_t k = 0; k < r->n; k++) {
            mcp_json_begin_obj(j);
            mcp_json_key(j, "start");
            mcp_json_time(j, r->b[k].start);
            mcp_json_key(j, "matches");
            mcp_json_int(j, (int64_t)r->b[k].count);
            mcp_json_end_obj(j);
        }
        mcp_json_end_arr(j);
    }
    mcp_json_end_obj(j);
    mcp_json_end_obj(j);
}
