/* engine_timer.c - the engine's timers (deadlines, resolutions,
 * repeats): a binary min-heap by time, first in first out among equal
 * times. The lowest part of the engine: engine.c and engine_alert.c arm
 * and fire through it, it calls neither. */
#include <stdbool.h>
#include <stdlib.h>

#include "engine/engine_int.h"
#include "base/util.h"

static bool t_less(const struct timer *a, const struct timer *b)
{
    if (a->when != b->when)
        return a->when < b->when;
    return a->order < b->order;
}

void engine_heap_push(struct mcp_engine *e, struct timer t)
{
    size_t i;

    if (e->nheap == e->capheap) {
        e->capheap = e->capheap ? e->capheap * 2 : 64;
        e->heap = mcp_realloc(e->heap, e->capheap * sizeof(*e->heap));
    }
    t.order = e->torder++;
    i = e->nheap++;
    e->heap[i] = t;
    while (i > 0 && t_less(&e->heap[i], &e->heap[(i - 1) / 2])) {
        struct timer tmp = e->heap[i];

        e->heap[i] = e->heap[(i - 1) / 2];
        e->heap[(i - 1) / 2] = tmp;
        i = (i - 1) / 2;
    }
}

struct timer engine_heap_pop(struct mcp_engine *e)
{
    struct timer top = e->heap[0];
    size_t i = 0;

    e->heap[0] = e->heap[--e->nheap];
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;

        if (l < e->nheap && t_less(&e->heap[l], &e->heap[m]))
            m = l;
        if (r < e->nheap && t_less(&e->heap[r], &e->heap[m]))
            m = r;
        if (m == i)
            break;
        struct timer tmp = e->heap[i];
        e->heap[i] = e->heap[m];
        e->heap[m] = tmp;
        i = m;
    }
    return top;
}
