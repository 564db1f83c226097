/* rules_read.c - one rule file's YAML into staged rules (rules_int.h):
 * the schema of mcplog-rules(5), each value checked and compiled, every
 * error as "file:line:col: rule 'name': cause".
 *
 * Error positions come from libyaml marks (yamlutil.c): the value node for
 * a bad value, the key node for an unknown or duplicate key, the rule's
 * mapping for a missing key. For a regex or template error the column
 * points at the offending character when the scalar sits on one line
 * (mcp_yaml_scalar_col()), otherwise at the start of the scalar.
 */
#include <fnmatch.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/strmap.h"
#include "base/template.h"
#include "base/util.h"
#include "base/yamlutil.h"
#include "match/pattern.h"
#include "match/event.h"
#include "match/rules.h"
#include "match/rules_int.h"

struct ctx {
    struct mcp_yaml *y;
    const char *name; /* of the rule being read, once known */
    char *err;
};

enum {
    K_NAME, K_DESCRIPTION, K_SOURCE, K_MATCH, K_EXCLUDE, K_GROUP_BY,
    K_THRESHOLD, K_EXPECT, K_SEVERITY, K_SUMMARY, K_COOLDOWN, K_ENABLED,
    K_ACTION, NKEYS
};

static const char *const rule_keys[NKEYS] = {
    "name", "description", "source", "match", "exclude", "group_by",
    "threshold", "expect", "severity", "summary", "cooldown", "enabled",
    "action",
};
static const char *const top_keys[] = {"rules"};

/* --- messages ---------------------------------------------------------- */

__attribute__((format(printf, 4, 5))) static int
fail(struct ctx *c, yaml_mark_t m, size_t col_add, const char *fmt, ...)
{
    char where[MCP_ERRLEN], cause[MCP_ERRLEN];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(cause, sizeof(cause), fmt, ap);
    va_end(ap);
    mcp_yaml_where(c->y, m, col_add, where, sizeof(where));
    if (c->name != NULL)
        mcp_errf(c->err, "%srule '%s': %s", where, c->name, cause);
    else
        mcp_errf(c->err, "%s%s", where, cause);
    return -1;
}

#define SHOW(s) mcp_yaml_show((s), (char[96]){0}, 96)

/* Index the keys of mapping map (see mcp_yaml_keys()); where prefixes
 * the message for a nested mapping ("threshold: "). */
static int collect(struct ctx *c, yaml_node_t *map,
                   const char *const *keys, int n, const char *where,
                   yaml_node_t **knode, yaml_node_t **vnode)
{
    yaml_node_t *bad = NULL;
    char cause[MCP_ERRLEN] = "";

    if (mcp_yaml_keys(c->y, map, keys, n, knode, vnode, &bad, cause) == 0)
        return 0;
    return fail(c, bad->start_mark, 0, "%s%s", where ? where : "", cause);
}

static const char *need_str(struct ctx *c, yaml_node_t *n, const char *key)
{
    const char *s = mcp_yaml_str(n);

    if (n->type != YAML_SCALAR_NODE)
        fail(c, n->start_mark, 0, "'%s' must be a string", key);
    else if (s == NULL)
        fail(c, n->start_mark, 0, "'%s' contains a NUL character", key);
    return s;
}

static int need_duration(struct ctx *c, yaml_node_t *n, const char *key,
                         bool positive, int64_t *ms, char **src)
{
    const char *s = need_str(c, n, key);
    char cause[MCP_ERRLEN] = "";

    if (s == NULL)
        return -1;
    if (mcp_duration_parse(s, ms, cause) < 0)
        return fail(c, n->start_mark, 0, "%s: %s", key, cause);
    if (positive && *ms <= 0)
        return fail(c, n->start_mark, 0, "%s must be greater than 0", key);
    if (src != NULL)
        *src = mcp_strdup(s);
    return 0;
}

static int need_count(struct ctx *c, yaml_node_t *n, int64_t *v)
{
    const char *s = need_str(c, n, "count"), *p;

    if (s == NULL)
        return -1;
    p = *s == '+' ? s + 1 : s;
    if (*p == '\0' || strspn(p, "0123456789") != strlen(p))
        return fail(c, n->start_mark, 0,
                    "count must be an integer >= 0, not '%s'", SHOW(s));
    *v = 0;
    for (; *p != '\0'; p++) {
        if (*v > (INT64_MAX - 9) / 10)
            return fail(c, n->start_mark, 0, "count %s is too large",
                        SHOW(s));
        *v = *v * 10 + (*p - '0');
    }
    return 0;
}

/* Compile a rule pattern (flags 0), refusing empty, blank and
 * empty-matching patterns: each would match every line. */
static int need_pattern(struct ctx *c, yaml_node_t *n, const char *key,
                        char **src, struct mcp_pattern **pat)
{
    const char *s = need_str(c, n, key);
    char cause[MCP_ERRLEN] = "";
    size_t off = 0;

    if (s == NULL)
        return -1;
    if (*s == '\0')
        return fail(c, n->start_mark, 0, "empty pattern");
    if (s[strspn(s, " \t\r\n\f\v")] == '\0')
        return fail(c, n->start_mark, 0, "pattern is only whitespace");
    *pat = mcp_pattern_compile(s, 0, &off, cause);
    if (*pat == NULL)
        return fail(c, n->start_mark, mcp_yaml_scalar_col(n, off),
                    "pattern error at offset %zu: %s", off, cause);
    *src = mcp_strdup(s);
    if (mcp_pattern_matches_empty(*pat))
        return fail(c, n->start_mark, 0, "pattern matches the empty "
                    "string; it would match every line");
    return 0;
}

/* --- one rule ------------------------------------------------------------ */

static bool valid_name(const char *s)
{
    if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
        return false;
    return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_.-") ==
           strlen(s);
}

static int read_group_by(struct ctx *c, yaml_node_t *n, struct mcp_rule *r)
{
    if (n->type != YAML_SEQUENCE_NODE)
        return fail(c, n->start_mark, 0,
                    "group_by must be a list of capture names, e.g. [tool]");
    for (yaml_node_item_t *it = n->data.sequence.items.start;
         it < n->data.sequence.items.top; it++) {
        yaml_node_t *in = mcp_yaml_node(c->y, *it);
        const char *s = need_str(c, in, "group_by"), *cn = NULL;
        int i, grp = -1, ncap = r->match ? mcp_pattern_ncaptures(r->match)
                                         : 0;

        if (s == NULL)
            return -1;
        if (r->n_group_by == MCP_RULE_MAX_GROUP)
            return fail(c, in->start_mark, 0,
                        "group_by has more than %d names",
                        MCP_RULE_MAX_GROUP);
        for (i = 0; i < r->n_group_by; i++)
            if (strcmp(r->group_by[i], s) == 0)
                return fail(c, in->start_mark, 0,
                            "group_by names '%s' twice", SHOW(s));
        for (i = 0; i < ncap; i++) {
            cn = mcp_pattern_capture_name(r->match, i, &grp);
            if (strcmp(cn, s) == 0)
                break;
        }
        if (i == ncap && mcp_field_index(s, strlen(s)) >= 0) {
            grp = -1; /* a structured record's field (format.h) */
        } else if (i == ncap) {
            struct mcp_buf names;

            mcp_buf_init(&names);
            for (i = 0; i < ncap; i++)
                mcp_buf_printf(&names, "%s%s", i ? ", " : "",
                               mcp_pattern_capture_name(r->match, i, NULL));
            fail(c, in->start_mark, 0,
                 "group_by: '%s' is not a named group of match nor a field "
                 "(server, session, level) (%s%s)",
                 SHOW(s), ncap ? "named groups: " : "match has no named "
                 "groups", names.data ? names.data : "");
            mcp_buf_free(&names);
            return -1;
        }
        r->group_by[r->n_group_by] = mcp_strdup(s);
        r->group_cap[r->n_group_by++] = grp;
    }
    return 0;
}

struct known {
    const struct mcp_rule *r;
    const char *misuse; /* set when {window}/{within} lacks its clause */
};

static bool known_placeholder(const char *name, size_t len, void *arg)
{
    static const char *const builtin[] = {"count", "rule", "severity",
                                          "line"};
    struct known *k = arg;
    int n = k->r->match ? mcp_pattern_ncaptures(k->r->match) : 0;

#define IS(s) (strlen(s) == len && memcmp(name, (s), len) == 0)
    for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++)
        if (IS(builtin[i]))
            return true;
    for (int i = 0; i < n; i++)
        if (IS(mcp_pattern_capture_name(k->r->match, i, NULL)))
            return true;
    if (mcp_field_index(name, len) >= 0)
        return true;
    if (IS("window") && !k->r->has_threshold)
        k->misuse = "{window} needs a threshold";
    else if (IS("within") && !k->r->has_expect)
        k->misuse = "{within} needs an expect";
    else if (IS("window") || IS("within"))
        return true;
#undef IS
    return false;
}

/* threshold: {count, window} or expect: {match, within}. */
static int read_clause(struct ctx *c, yaml_node_t *n, bool expect,
                       struct mcp_rule *r)
{
    static const char *const keys[2][2] = {{"count", "window"},
                                           {"match", "within"}};
    const char *what = expect ? "expect" : "threshold";
    yaml_node_t *k[2], *v[2];

    if (n->type != YAML_MAPPING_NODE)
        return fail(c, n->start_mark, 0, "%s must be a mapping {%s}", what,
                    expect ? "match: PATTERN, within: DURATION"
                           : "count: N, window: DURATION");
    if (collect(c, n, keys[expect], 2, expect ? "expect: " : "threshold: ",
                k, v) < 0)
        return -1;
    for (int i = 0; i < 2; i++)
        if (v[i] == NULL)
            return fail(c, n->start_mark, 0, "%s needs '%s'", what,
                        keys[expect][i]);
    if (expect) {
        r->has_expect = true;
        if (need_pattern(c, v[0], "match", &r->expect_src, &r->expect) < 0)
            return -1;
        return need_duration(c, v[1], "within", true, &r->within_ms,
                             &r->within_src);
    }
    r->has_threshold = true;
    if (need_count(c, v[0], &r->threshold_count) < 0)
        return -1;
    return need_duration(c, v[1], "window", true, &r->window_ms,
                         &r->window_src);
}

/* The fields that need more than a string copy, in dependency order:
 * group_by and summary need match; summary needs threshold and expect. */
static int read_body(struct ctx *c, yaml_node_t **k, yaml_node_t **v,
                     struct mcp_rule *r)
{
    const char *s;

    if (v[K_SOURCE] != NULL) {
        if ((s = need_str(c, v[K_SOURCE], "source")) == NULL)
            return -1;
        if (*s == '\0')
            return fail(c, v[K_SOURCE]->start_mark, 0, "source is empty "
                        "(use server, activity, any or a file glob)");
        if (strcmp(s, "server") == 0)
            r->source = MCP_SRC_SERVER;
        else if (strcmp(s, "activity") == 0)
            r->source = MCP_SRC_ACTIVITY;
        else if (strcmp(s, "any") != 0) {
            r->source = MCP_SRC_GLOB;
            r->source_glob = mcp_strdup(s);
        }
    }
    if (v[K_DESCRIPTION] != NULL) {
        if ((s = need_str(c, v[K_DESCRIPTION], "description")) == NULL)
            return -1;
        r->description = mcp_strdup(s);
    }
    if (v[K_MATCH] != NULL &&
        need_pattern(c, v[K_MATCH], "match", &r->match_src, &r->match) < 0)
        return -1;
    if (v[K_EXCLUDE] != NULL &&
        need_pattern(c, v[K_EXCLUDE], "exclude", &r->exclude_src,
                     &r->exclude) < 0)
        return -1;
    if (v[K_GROUP_BY] != NULL && read_group_by(c, v[K_GROUP_BY], r) < 0)
        return -1;
    for (int i = K_THRESHOLD; i <= K_EXPECT; i++)
        if (v[i] != NULL && read_clause(c, v[i], i == K_EXPECT, r) < 0)
            return -1;
    if (v[K_SEVERITY] != NULL) {
        int sev;

        if ((s = need_str(c, v[K_SEVERITY], "severity")) == NULL)
            return -1;
        sev = mcp_severity_parse(s);
        if (sev < 0)
            return fail(c, v[K_SEVERITY]->start_mark, 0, "unknown severity "
                        "'%s' (use info, warning or critical)", SHOW(s));
        r->severity = (enum mcp_severity)sev;
    }
    for (int i = K_THRESHOLD; i <= K_EXPECT; i++)
        if (k[i] != NULL && r->severity == MCP_SEV_NONE)
            return fail(c, k[i]->start_mark, 0, "%s needs a severity "
                        "(info, warning or critical)", rule_keys[i]);
    if (v[K_ACTION] != NULL) {
        if ((s = need_str(c, v[K_ACTION], "action")) == NULL)
            return -1;
        if (strcmp(s, "cleanup") != 0)
            return fail(c, v[K_ACTION]->start_mark, 0, "unknown action '%s' "
                        "(the one action is cleanup)", SHOW(s));
        if (r->severity == MCP_SEV_NONE)
            return fail(c, k[K_ACTION]->start_mark, 0, "action needs a "
                        "severity (info, warning or critical)");
        r->action = MCP_RULE_ACTION_CLEANUP;
    }
    if (v[K_SUMMARY] != NULL) {
        struct known kn = {r, NULL};
        char cause[MCP_ERRLEN] = "";
        size_t off = 0;

        if ((s = need_str(c, v[K_SUMMARY], "summary")) == NULL)
            return -1;
        if (mcp_template_check(s, known_placeholder, &kn, &off, cause) < 0)
            return fail(c, v[K_SUMMARY]->start_mark,
                        mcp_yaml_scalar_col(v[K_SUMMARY], off), "summary: %s",
                        kn.misuse ? kn.misuse : cause);
        r->summary = mcp_strdup(s);
    }
    if (v[K_COOLDOWN] != NULL &&
        need_duration(c, v[K_COOLDOWN], "cooldown", false, &r->cooldown_ms,
                      NULL) < 0)
        return -1;
    return 0;
}

void rules_free_rule(struct mcp_rule *r)
{
    free(r->name);
    free(r->description);
    free(r->source_glob);
    free(r->match_src);
    mcp_pattern_free(r->match);
    free(r->exclude_src);
    mcp_pattern_free(r->exclude);
    for (int i = 0; i < r->n_group_by; i++)
        free(r->group_by[i]);
    free(r->window_src);
    free(r->expect_src);
    mcp_pattern_free(r->expect);
    free(r->within_src);
    free(r->summary);
    free(r->file);
    memset(r, 0, sizeof(*r));
}

static int read_rule(struct ctx *c, yaml_node_t *n, struct staged *st)
{
    yaml_node_t *k[NKEYS], *v[NKEYS];
    struct mcp_rule *r = &st->r;
    const char *name;

    c->name = NULL;
    if (n->type != YAML_MAPPING_NODE)
        return fail(c, n->start_mark, 0,
                    "a rule must be a mapping (name: ..., match: ...)");
    /* Find a valid name first, so that later messages can carry it. */
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
         p < n->data.mapping.pairs.top; p++) {
        const char *key = mcp_yaml_str(mcp_yaml_node(c->y, p->key));

        if (key == NULL || strcmp(key, "name") != 0)
            continue;
        name = mcp_yaml_str(mcp_yaml_node(c->y, p->value));
        if (name != NULL && valid_name(name))
            c->name = name;
        break;
    }
    if (collect(c, n, rule_keys, NKEYS, NULL, k, v) < 0)
        return -1;
    if (v[K_NAME] == NULL)
        return fail(c, n->start_mark, 0, "missing required key 'name'");
    if ((name = need_str(c, v[K_NAME], "name")) == NULL)
        return -1;
    if (!valid_name(name))
        return fail(c, v[K_NAME]->start_mark, 0, "bad rule name '%s': use "
                    "a-z, 0-9, '_', '.' and '-', starting with a letter or "
                    "digit", SHOW(name));
    r->name = mcp_strdup(name);
    r->file = mcp_strdup(c->y->file);
    r->line = (int)n->start_mark.line + 1;
    r->col = (int)n->start_mark.column + 1;
    st->enabled = true;
    if (v[K_ENABLED] != NULL && mcp_yaml_bool(v[K_ENABLED], &st->enabled) < 0)
        return fail(c, v[K_ENABLED]->start_mark, 0,
                    "enabled must be true or false");
    if (k[K_THRESHOLD] != NULL && k[K_EXPECT] != NULL) {
        yaml_node_t *later = k[K_THRESHOLD]->start_mark.index >
                                     k[K_EXPECT]->start_mark.index
                                 ? k[K_THRESHOLD]
                                 : k[K_EXPECT];

        return fail(c, later->start_mark, 0,
                    "threshold and expect exclude each other");
    }
    if (v[K_MATCH] == NULL && st->enabled)
        return fail(c, n->start_mark, 0, "missing required key 'match'");
    return read_body(c, k, v, r);
}

/* --- a file ------------------------------------------------------------ */

static struct staged *stage_add(struct stage *s)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 16;
        s->v = mcp_realloc(s->v, s->cap * sizeof(*s->v));
    }
    memset(&s->v[s->n], 0, sizeof(s->v[0]));
    return &s->v[s->n++];
}

static int read_list(struct ctx *c, yaml_node_t *list, struct stage *s)
{
    struct mcp_strmap seen; /* name -> staged index + 1, this file only */
    int rc = 0;

    mcp_strmap_init(&seen);
    for (yaml_node_item_t *it = list->data.sequence.items.start;
         rc == 0 && it < list->data.sequence.items.top; it++) {
        yaml_node_t *n = mcp_yaml_node(c->y, *it);
        struct staged *st = stage_add(s);
        void **slot;

        if ((rc = read_rule(c, n, st)) < 0)
            break;
        slot = mcp_strmap_slot(&seen, st->r.name);
        if (*slot != NULL) {
            const struct mcp_rule *first = &s->v[(uintptr_t)*slot - 1].r;

            rc = fail(c, n->start_mark, 0, "duplicate rule name (first "
                      "defined at %d:%d)", first->line, first->col);
        }
        *slot = (void *)(uintptr_t)s->n;
    }
    mcp_strmap_free(&seen);
    return rc;
}

static int read_rules(struct ctx *c, struct stage *s)
{
    yaml_node_t *root = mcp_yaml_root(c->y), *k[1], *v[1];

    if (root == NULL || mcp_yaml_is_null(root))
        return 0;
    if (root->type != YAML_MAPPING_NODE)
        return fail(c, root->start_mark, 0, "expected a mapping with a "
                    "'rules' list at the top level");
    if (collect(c, root, top_keys, 1, NULL, k, v) < 0)
        return -1;
    if (v[0] == NULL || mcp_yaml_is_null(v[0]))
        return 0;
    if (v[0]->type != YAML_SEQUENCE_NODE)
        return fail(c, v[0]->start_mark, 0, "'rules' must be a list");
    return read_list(c, v[0], s);
}

int rules_read_doc(struct mcp_yaml *y, struct stage *s, char *err)
{
    struct ctx c = {y, NULL, err};

    return read_rules(&c, s);
}
