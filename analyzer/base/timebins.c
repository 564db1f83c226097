/* timebins.c - counts over time in bounded memory. */
#include "base/timebins.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;

    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

void mcp_timebins_init(struct mcp_timebins *b, size_t cap)
{
    memset(b, 0, sizeof(*b));
    b->cap = cap < 8 ? 8 : cap;
    b->width = 1000;
}

static int cmp_key(const void *x, const void *y)
{
    const struct mcp_timebin *a = x, *c = y;

    return a->key < c->key ? -1 : a->key > c->key;
}

/* Sort and merge equal keys. */
static void merge(struct mcp_timebins *b)
{
    size_t w = 0;

    qsort(b->e, b->n, sizeof(*b->e), cmp_key);
    for (size_t i = 0; i < b->n; i++) {
        if (w > 0 && b->e[w - 1].key == b->e[i].key)
            b->e[w - 1].count += b->e[i].count;
        else
            b->e[w++] = b->e[i];
    }
    b->n = w;
}

/* Full: merge; while over half full, double the width. */
static void compact(struct mcp_timebins *b)
{
    merge(b);
    while (b->n > b->cap / 2 && b->width < INT64_MAX / 4) {
        b->width *= 2;
        for (size_t i = 0; i < b->n; i++)
            b->e[i].key = floor_div(b->e[i].key, 2);
        merge(b);
    }
}

void mcp_timebins_add(struct mcp_timebins *b, int64_t t, uint64_t n)
{
    int64_t k = floor_div(t, b->width);

    if (b->n > 0 && b->e[b->n - 1].key == k) {
        b->e[b->n - 1].count += n;
        return;
    }
    if (b->e == NULL)
        b->e = mcp_calloc(b->cap, sizeof(*b->e));
    if (b->n == b->cap) {
        compact(b);
        k = floor_div(t, b->width);
        if (b->n > 0 && b->e[b->n - 1].key == k) {
            b->e[b->n - 1].count += n;
            return;
        }
    }
    b->e[b->n].key = k;
    b->e[b->n].count = n;
    b->n++;
}

void mcp_timebins_spread(const struct mcp_timebins *b, int64_t t0,
                         int64_t t1, uint64_t *out, size_t nout)
{
    double span = (double)(t1 - t0);

    if (t1 <= t0 || nout == 0)
        return;
    for (size_t i = 0; i < b->n; i++) {
        double lo = (double)b->e[i].key * (double)b->width;
        double hi = lo + (double)b->width;
        double x = (lo + (double)b->width / 2.0 - (double)t0) / span *
                   (double)nout;

        if (hi <= (double)t0 || lo >= (double)t1)
            continue;
        x = x < 0 ? 0 : x >= (double)nout ? (double)nout - 1 : x;
        out[(size_t)x] += b->e[i].count;
    }
}

uint64_t mcp_timebins_total(const struct mcp_timebins *b)
{
    uint64_t t = 0;

    for (size_t i = 0; i < b->n; i++)
        t += b->e[i].count;
    return t;
}

void mcp_timebins_free(struct mcp_timebins *b)
{
    free(b->e);
    memset(b, 0, sizeof(*b));
}
