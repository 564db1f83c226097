/* keyset.c - a bounded set of 64-bit string hashes. */
#include "base/keyset.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"

/* FNV-1a, then the splitmix64 finalizer so that the low bits used for the
 * slot depend on every byte. Never 0 (the empty slot). */
static uint64_t hash_key(const char *s)
{
    uint64_t h = mcp_fnv1a(MCP_FNV1A_INIT, s, strlen(s));

    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 31;
    return h ? h : 1;
}

void mcp_keyset_init(struct mcp_keyset *s, size_t max)
{
    memset(s, 0, sizeof(*s));
    s->max = max;
}

static size_t find(const struct mcp_keyset *s, uint64_t h)
{
    size_t i = (size_t)h & (s->nslots - 1);

    while (s->slots[i] != 0 && s->slots[i] != h)
        i = (i + 1) & (s->nslots - 1);
    return i;
}

static void grow(struct mcp_keyset *s)
{
    size_t ns = s->nslots ? s->nslots * 2 : 64;
    uint64_t *old = s->slots;
    size_t on = s->nslots;

    s->slots = mcp_calloc(ns, sizeof(*s->slots));
    s->nslots = ns;
    for (size_t i = 0; i < on; i++)
        if (old[i] != 0)
            s->slots[find(s, old[i])] = old[i];
    free(old);
}

int mcp_keyset_add(struct mcp_keyset *s, const char *key)
{
    uint64_t h = hash_key(key);
    size_t i;

    if (s->nslots > 0 && s->slots[find(s, h)] == h)
        return 0;
    if (s->n >= s->max)
        return -1;
    /* Load at most one half. */
    if (2 * (s->n + 1) > s->nslots)
        grow(s);
    i = find(s, h);
    s->slots[i] = h;
    s->n++;
    return 1;
}

void mcp_keyset_clear(struct mcp_keyset *s)
{
    free(s->slots);
    s->slots = NULL;
    s->nslots = 0;
    s->n = 0;
}
