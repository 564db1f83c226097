/* engine_prune.c - what follow forgets once a second so that memory stays
 * flat however long it runs (mcp_engine_prune, engine.h): idle groups,
 * ended alerts that are no longer their group's last, the records only a
 * report reads. scan never prunes. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "base/keyset.h"
#include "base/strmap.h"
#include "engine/engine_int.h"

void engine_free_group(struct group *g)
{
    free(g->key);
    for (int k = 0; k < MCP_RULE_MAX_GROUP; k++)
        free(g->values[k]);
    free(g->ring);
    free(g);
}

/* Whether group g of rule r holds nothing that can matter any more: no
 * match in its window, no firing alert (one waiting out its cooldown is
 * firing). */
static bool group_idle(const struct mcp_engine *e, const struct mcp_rule *r,
                       const struct group *g)
{
    if (g->pinned || e->now == MCP_TIME_NONE)
        return false;
    if (g->alert != NULL &&
        (g->alert->firing || g->alert->end == MCP_TIME_NONE))
        return false;
    return !(r->has_threshold && g->rn > 0 &&
             g->ring[g->rn - 1] > e->now - r->window_ms);
}

/* Drop idle groups. A group still named by a timer (even a stale one) or
 * an open expectation is kept: they hold its address. */
static void prune_groups(struct mcp_engine *e)
{
    for (size_t i = 0; i < e->nheap; i++)
        e->heap[i].g->pinned = true;
    for (size_t i = 0; i < e->rs->n; i++)
        for (size_t j = 0; j < e->r[i].npend; j++)
            e->r[i].pend[j]->g->pinned = true;
    for (size_t i = 0; i < e->rs->n; i++) {
        struct rstate *rs = &e->r[i];
        struct mcp_strmap keep;

        mcp_strmap_init(&keep);
        for (size_t j = 0; j < rs->groups.n; j++) {
            struct group *g = rs->groups.entries[j].value;

            if (group_idle(e, &e->rs->rules[i], g)) {
                engine_free_group(g);
                continue;
            }
            g->pinned = false;
            *mcp_strmap_slot(&keep, g->key) = g;
        }
        mcp_strmap_free(&rs->groups);
        rs->groups = keep;
        /* Per-group match counts serve reports only. */
        mcp_strmap_free(&rs->counts);
        mcp_keyset_clear(&rs->dropped);
        free(rs->stats.groups);
        rs->stats.groups = NULL;
        rs->stats.ngroups = 0;
        rs->capgroups = 0;
    }
}

void mcp_engine_prune(struct mcp_engine *e)
{
    size_t k = 0;

    prune_groups(e);

    for (size_t i = 0; i < e->nalerts; i++) {
        struct mcp_alert *a = e->alerts[i];
        struct group *g = mcp_strmap_get(&e->r[a->rule].groups, a->key);

        if (a->firing || (g != NULL && g->alert == a))
            e->alerts[k++] = a;
        else
            engine_free_alert(a);
    }
    e->nalerts = k;
    /* Expectation records serve reports only; open expectations keep
     * working without them. */
    for (size_t i = 0; i < e->rs->n; i++)
        for (size_t j = 0; j < e->r[i].npend; j++)
            e->r[i].pend[j]->exp = SIZE_MAX;
    for (size_t i = 0; i < e->nexps; i++) {
        free(e->exps[i].key);
        free(e->exps[i].cap_pid);
    }
    e->nexps = 0;
}
