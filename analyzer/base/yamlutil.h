/* yamlutil.h - a loaded YAML document (libyaml) and the small helpers the
 * config loaders share: node access by id, scalars as C strings, and
 * "file:line:col: " error prefixes from libyaml marks.
 *
 * libyaml marks are 0-based and count characters, not bytes; every
 * position this module prints is 1-based (line and column).
 *
 * Aliases are resolved by libyaml into shared nodes, and a node may alias
 * itself (&a [*a]). Callers walk a fixed schema, never recursively, so a
 * cyclic document cannot make them loop.
 */
#ifndef MCP_YAMLUTIL_H
#define MCP_YAMLUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

struct mcp_yaml {
    yaml_document_t doc;
    const char *file; /* borrowed: used in messages */
    bool loaded;
};

/* Parse data[0..len) as exactly one YAML document (an empty stream is an
 * empty document: mcp_yaml_root() returns NULL). Returns 0, or -1 with
 * "file:line:col: libyaml's problem" in err. Documents nested more than 64
 * levels deep or with more than 1000 anchors or 10000 aliases are refused
 * (libyaml's cost grows with their square). On success the caller owns
 * the document and frees it with mcp_yaml_free(); on error nothing is
 * held. */
int mcp_yaml_load(struct mcp_yaml *y, const char *file, const char *data,
                  size_t len, char *err);

/* Read the file at path (at most 16 MiB) and load it as above, with path
 * in messages (borrowed: it must outlive y). */
int mcp_yaml_load_file(struct mcp_yaml *y, const char *path, char *err);

/* The config files named by path: path itself when it is not a folder;
 * otherwise the regular files of the folder ending in .yaml or .yml, in
 * strcmp order, except dot files (as a shell glob would skip them) and a
 * file named skip (may be NULL). Returns 0 and a malloc'd array of n
 * malloc'd paths (the caller frees each and the array), or -1 with err. */
int mcp_yaml_list(const char *path, const char *skip, char ***files,
                  size_t *n, char *err);

/* Free the document (safe on a zeroed or already freed struct). */
void mcp_yaml_free(struct mcp_yaml *y);

/* The root node, or NULL for an empty document. Nodes are borrowed from
 * the document until mcp_yaml_free(). */
yaml_node_t *mcp_yaml_root(struct mcp_yaml *y);

/* The node of a mapping pair or sequence item id, or NULL. */
yaml_node_t *mcp_yaml_node(struct mcp_yaml *y, int id);

/* The value of a scalar node as a NUL-terminated string (borrowed), or
 * NULL when n is not a scalar or the value holds a NUL byte ("\0" in a
 * double-quoted scalar), which C strings could not carry faithfully. */
const char *mcp_yaml_str(const yaml_node_t *n);

/* Index the pairs of mapping map by keys[0..n): knode[i] and vnode[i]
 * are the key and value nodes of keys[i], or NULL when it is absent.
 * Returns 0, or -1 with *bad the offending key node and its cause in cause
 * (MCP_ERRLEN bytes): a key that is not a string, a duplicate key, or an
 * unknown key, with "did you mean" for a near miss. */
int mcp_yaml_keys(struct mcp_yaml *y, const yaml_node_t *map,
                  const char *const *keys, int n, yaml_node_t **knode,
                  yaml_node_t **vnode, yaml_node_t **bad, char *cause);

/* The value node of key in mapping map, or NULL (absent, or map is not a
 * mapping). */
yaml_node_t *mcp_yaml_get(struct mcp_yaml *y, const yaml_node_t *map,
                          const char *key);

/* Whether n is a plain null scalar: empty, "~", "null", "Null", "NULL". */
bool mcp_yaml_is_null(const yaml_node_t *n);

/* Parse a YAML boolean: true/false/yes/no/on/off (any letter case).
 * Returns 0 and sets *v, or -1 when n is not one of them. */
int mcp_yaml_bool(const yaml_node_t *n, bool *v);

/* Write "file:line:col: " for mark m (plus col_add columns, for positions
 * inside a scalar) into buf. Returns buf. */
char *mcp_yaml_where(const struct mcp_yaml *y, yaml_mark_t m, size_t col_add,
                     char *buf, size_t len);

/* Write "file:line:col: " for mark m, then the formatted cause, into err
 * (MCP_ERRLEN bytes; the first error wins, as mcp_errf). Returns -1, so
 * that a loader can `return mcp_yaml_fail(...)`. */
int mcp_yaml_fail(const struct mcp_yaml *y, yaml_mark_t m, char *err,
                  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The same at node n; without a document or a node (a default value),
 * the cause alone. */
int mcp_yaml_fail_node(const struct mcp_yaml *y, const yaml_node_t *n,
                       char *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The value of scalar node n (borrowed), or NULL with "WHAT must be a
 * string" at n in err (a mapping, a list, or a value holding a NUL). */
const char *mcp_yaml_need_str(const struct mcp_yaml *y, const yaml_node_t *n,
                              const char *what, char *err);

/* The 0-based column offset, from the start of scalar node n, of the
 * character at byte offset off in its value: best effort for positions
 * inside patterns and templates. It is exact for a scalar written on one
 * line, plain or quoted, when the quoted text has no escapes other than ''
 * in single quotes; otherwise (block scalars, folded lines, backslash
 * escapes) it returns 0, the start of the scalar. */
size_t mcp_yaml_scalar_col(const yaml_node_t *n, size_t off);

/* Copy s into buf for an error message: control bytes become \xNN, and
 * text longer than about 60 bytes is cut with "...". Returns buf. */
char *mcp_yaml_show(const char *s, char *buf, size_t len);

#endif
