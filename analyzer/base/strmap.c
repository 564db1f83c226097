/* strmap.c - string map with insertion-ordered entries. */
#include "base/strmap.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"

static size_t hash_str(const char *s)
{
    return (size_t)mcp_fnv1a(MCP_FNV1A_INIT, s, strlen(s));
}

void mcp_strmap_init(struct mcp_strmap *m)
{
    memset(m, 0, sizeof(*m));
}

static size_t find(const struct mcp_strmap *m, const char *key, size_t h)
{
    size_t i = h & (m->nslots - 1);

    for (;;) {
        size_t s = m->slots[i];

        if (s == 0)
            return i;
        if (m->entries[s - 1].hash == h &&
            strcmp(m->entries[s - 1].key, key) == 0)
            return i;
        i = (i + 1) & (m->nslots - 1);
    }
}

void *mcp_strmap_get(const struct mcp_strmap *m, const char *key)
{
    size_t i;

    if (m->nslots == 0)
        return NULL;
    i = find(m, key, hash_str(key));
    return m->slots[i] ? m->entries[m->slots[i] - 1].value : NULL;
}

static void grow(struct mcp_strmap *m)
{
    size_t ns = m->nslots ? m->nslots * 2 : 16;

    free(m->slots);
    m->slots = mcp_calloc(ns, sizeof(size_t));
    m->nslots = ns;
    for (size_t e = 0; e < m->n; e++) {
        size_t i = m->entries[e].hash & (ns - 1);

        while (m->slots[i] != 0)
            i = (i + 1) & (ns - 1);
        m->slots[i] = e + 1;
    }
}

void **mcp_strmap_slot(struct mcp_strmap *m, const char *key)
{
    size_t h = hash_str(key), i;

    if ((m->n + 1) * 2 > m->nslots)
        grow(m);
    i = find(m, key, h);
    if (m->slots[i] == 0) {
        if (m->n == m->cap) {
            m->cap = m->cap ? m->cap * 2 : 16;
            m->entries = mcp_realloc(m->entries,
                                     m->cap * sizeof(*m->entries));
        }
        m->entries[m->n].key = mcp_strdup(key);
        m->entries[m->n].hash = h;
        m->entries[m->n].value = NULL;
        m->slots[i] = ++m->n;
    }
    return &m->entries[m->slots[i] - 1].value;
}

void mcp_strmap_free(struct mcp_strmap *m)
{
    for (size_t e = 0; e < m->n; e++)
        free(m->entries[e].key);
    free(m->entries);
    free(m->slots);
    mcp_strmap_init(m);
}
