/* fuzz_rules.c - libFuzzer target: any bytes through the rule loader.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
 *       -I analyzer tests/fuzz/fuzz_rules.c analyzer/rules.c \
 *       analyzer/yamlutil.c analyzer/pattern.c analyzer/template.c \
 *       analyzer/util.c $(pkg-config --cflags --libs yaml-0.1 libpcre2-8)
 *   ./a.out -dict=tests/fuzz/rules.dict tests/fuzz/corpus/rules
 *
 * Each input is loaded twice into the same set (the second load exercises
 * override in place); a failed load must leave an error message and the
 * set unchanged, a successful one a set whose rules are all well formed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "match/pattern.h"
#include "match/rules.h"
#include "base/util.h"

static void check_set(const struct mcp_ruleset *rs)
{
    for (size_t i = 0; i < rs->n; i++) {
        const struct mcp_rule *r = &rs->rules[i];

        if (r->name == NULL || r->match == NULL || r->match_src == NULL ||
            mcp_ruleset_find(rs, r->name) != (int)i ||
            (r->has_threshold && r->has_expect) ||
            (r->source == MCP_SRC_GLOB) != (r->source_glob != NULL) ||
            r->n_group_by > MCP_RULE_MAX_GROUP)
            abort();
        for (int g = 0; g < r->n_group_by; g++)
            if (r->group_cap[g] <= 0)
                abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mcp_ruleset rs;
    char err[MCP_ERRLEN] = "";
    size_t n;

    mcp_ruleset_init(&rs);
    if (mcp_rules_load_buffer(&rs, "fuzz.yaml", (const char *)data, size,
                              err) == 0) {
        if (err[0] != '\0')
            abort();
        check_set(&rs);
        n = rs.n;
        if (mcp_rules_load_buffer(&rs, "again.yaml", (const char *)data,
                                  size, err) != 0 || rs.n != n)
            abort();
        check_set(&rs);
    } else if (err[0] == '\0' || rs.n != 0 ||
               memchr(err, '\0', sizeof(err)) == NULL) {
        abort();
    }
    mcp_ruleset_free(&rs);
    return 0;
}
