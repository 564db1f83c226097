/* strmap.h - a small hash map from strings to pointers (open addressing).
 * Keys are copied; values are borrowed (the caller frees them). Iteration
 * order is insertion order, so reports are deterministic. */
#ifndef MCP_STRMAP_H
#define MCP_STRMAP_H

#include <stddef.h>

struct mcp_strmap {
    size_t *slots;      /* index+1 into entries, 0 = empty */
    size_t nslots;
    struct mcp_strmap_entry {
        char *key;
        size_t hash;
        void *value;
    } *entries;
    size_t n, cap;
};

void mcp_strmap_init(struct mcp_strmap *m);
/* Value for key, or NULL. */
void *mcp_strmap_get(const struct mcp_strmap *m, const char *key);
/* Address of the value slot for key, inserting NULL when absent. */
void **mcp_strmap_slot(struct mcp_strmap *m, const char *key);
/* Free the keys and tables (not the values). */
void mcp_strmap_free(struct mcp_strmap *m);

#endif
