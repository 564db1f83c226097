/* rules_int.h - what rules.c (files, staging, the merge) and
 * rules_read.c (one document's rules) share. Not for other modules. */
#ifndef MCP_RULES_INT_H
#define MCP_RULES_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "match/rules.h"

struct staged {
    struct mcp_rule r;
    bool enabled;
};

struct stage {
    struct staged *v;
    size_t n, cap;
};

struct mcp_yaml;

/* Read the rules of document y (a mapping with a `rules` list; empty is
 * fine) into s, after what s holds. Returns 0, or -1 with "file:line:col:
 * cause" in err (what was staged stays in s, for stage_free). */
int rules_read_doc(struct mcp_yaml *y, struct stage *s, char *err);

/* Free what a rule owns (its name becomes NULL). */
void rules_free_rule(struct mcp_rule *r);

#endif
