/* keyset.h - a bounded set of strings kept as 64-bit hashes, for counting
 * distinct keys where the keys themselves are not worth their memory (the
 * group keys past the engine's group cap). Two keys with the same 64-bit
 * hash count once. */
#ifndef MCP_KEYSET_H
#define MCP_KEYSET_H

#include <stddef.h>
#include <stdint.h>

struct mcp_keyset {
    uint64_t *slots;    /* 0 = empty; open addressing, linear probing */
    size_t nslots, n, max;
};

/* An empty set that holds at most max keys (memory: at most 16 bytes per
 * key). Nothing is allocated until the first add. */
void mcp_keyset_init(struct mcp_keyset *s, size_t max);

/* Add the NUL-terminated key. Returns 1 when it was new, 0 when already
 * in, -1 when it is new but the set is full (it is not added). */
int mcp_keyset_add(struct mcp_keyset *s, const char *key);

/* Free the table; the set is empty again (same max). */
void mcp_keyset_clear(struct mcp_keyset *s);

#endif
