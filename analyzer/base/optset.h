/* optset.h - options as a table (STYLE.md 3, Fluent Bit's config_map):
 * key, type, default, offset into a context, help. One setter fills a
 * context from a YAML mapping through its table: every sink's options,
 * the keys every sink shares, and the server:, health:, cleanup: and
 * probes: sections of mcplog.yaml, with the same checks, the same error
 * messages and help printed from the same table.
 *
 * Messages name the key (or the entry's label) and the cause, after the
 * position of the offending node: "file:line:col: grace: bad duration
 * '5': a unit is required (ms, s, m, h, d, w)".
 */
#ifndef MCP_OPTSET_H
#define MCP_OPTSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct mcp_yaml;
struct yaml_node_s;

/* Option types. The context field at `offset` has this C type:
 *   STR       char *          (NULL when absent and no default)
 *   INT       long            within min..max when max > min
 *   BOOL      bool
 *   DURATION  int64_t         milliseconds ("30s", "500ms", "2m"), at
 *                             least min, at most max when max > 0; each
 *                             of `words` ("off", "never") means 0
 *   STRLIST   char **         NULL-terminated, or NULL when absent
 *   SEVERITY  int             enum mcp_severity
 *   SIZE      uint64_t        bytes ("500MB", "1GiB": mcp_size_parse)
 *   PATH      char *          absolute, "~" and "~/" expanded; NULL when
 *                             absent
 *   ENUM      int             the index of the value in `words`
 *   MAP       (a struct)      a mapping read through the table `sub`,
 *                             into the context at offset; absent or null:
 *                             the sub table's defaults
 *   CUSTOM    (anything)      read by `set` (also called, with a NULL
 *                             node, when the key is absent) */
enum mcp_opt_type {
    MCP_OPT_STR = 0,
    MCP_OPT_INT,
    MCP_OPT_BOOL,
    MCP_OPT_DURATION,
    MCP_OPT_STRLIST,
    MCP_OPT_SEVERITY,
    MCP_OPT_SIZE,
    MCP_OPT_PATH,
    MCP_OPT_ENUM,
    MCP_OPT_MAP,
    MCP_OPT_CUSTOM,
};

struct mcp_opt {
    const char *key;
    enum mcp_opt_type type;
    const char *def;           /* default as config text, NULL for none */
    bool required;
    size_t offset;             /* into the context */
    const char *help;
    int64_t min, max;          /* INT, DURATION bounds (see above) */
    const char *const *words;  /* ENUM values, DURATION words for 0;
                                  NULL-terminated */
    const struct mcp_opt *sub; /* MAP: its table */
    const char *label;         /* how messages name it (NULL: the key) */
    /* CUSTOM: read node n (NULL: absent) into field; -1 with err. */
    int (*set)(struct mcp_yaml *y, struct yaml_node_s *n, void *field,
               char *err);
};

/* A table entry of the common shape: key, type, default, required,
 * offset, help (write the other fields as designated initializers). */
#define MCP_OPT(key_, type_, def_, required_, offset_, help_)               \
    {.key = (key_), .type = (type_), .def = (def_),                        \
     .required = (required_), .offset = (offset_), .help = (help_)}

/* Fill ctx from the mapping node map of y through opts (ending with a
 * {NULL} entry): defaults for absent keys, types and bounds checked,
 * required keys enforced, unknown keys refused by name ("did you mean").
 * map NULL or a null scalar: only the defaults. Keys listed in skip
 * (NULL-terminated, may be NULL) are left for the caller. section (may be
 * NULL) prefixes the messages about the mapping itself: "server: unknown
 * key 'dri'". Returns 0, or -1 with "file:line:col: cause" in err (what
 * was set so far is freed by mcp_opt_free). */
int mcp_opt_set(const struct mcp_opt *opts, void *ctx, struct mcp_yaml *y,
                struct yaml_node_s *map, const char *section,
                const char *const *skip, char *err);

/* Free the strings and lists the table set in ctx (and set them NULL). */
void mcp_opt_free(const struct mcp_opt *opts, void *ctx);

/* Print the table, a line per key: "  key  type  help (default: X)";
 * MAP entries as "key.sub". */
void mcp_opt_help(const struct mcp_opt *opts, FILE *out);

#endif
