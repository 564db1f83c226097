/* rules.h - rule files (YAML, libyaml) and the compiled rule set.
 *
 * Schema (docs/mcplog-rules.5 is the reference):
 *
 *   rules:
 *     - name: tool-call-rate          # required, [a-z0-9][a-z0-9_.-]*, unique
 *       description: text             # optional
 *       source: activity              # server | activity | any | a glob
 *       match: 'TOOL_CALL: (?<tool>\S+) with'   # required, PCRE2
 *       exclude: 'pattern'            # optional
 *       group_by: [tool]              # capture names of `match`
 *       threshold: {count: 60, window: 1m}
 *       expect: {match: 'pattern', within: 30s}
 *       severity: warning             # info | warning | critical
 *       summary: '{count} calls of {tool} in {window}'
 *       cooldown: 10m
 *       enabled: true                 # false disables a rule of that name
 *
 * threshold and expect exclude each other. Errors carry file:line:col.
 */
#ifndef MCP_RULES_H
#define MCP_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/mcp.h"

struct mcp_pattern;

/* What an alert of the rule triggers in follow, besides the sinks. */
enum mcp_rule_action {
    MCP_RULE_ACTION_NONE = 0,
    MCP_RULE_ACTION_CLEANUP = 1,   /* mcplog cleanup, when cleanup is enabled */
};

enum mcp_source {
    MCP_SRC_ANY = 0,
    MCP_SRC_SERVER,
    MCP_SRC_ACTIVITY,
    MCP_SRC_GLOB,       /* source_glob is matched (fnmatch) against the
                           input's role name and its file's base name */
};

#define MCP_RULE_MAX_GROUP MCP_MAX_LABELS

struct mcp_rule {
    char *name;
    char *description;          /* may be NULL */
    enum mcp_source source;
    char *source_glob;          /* MCP_SRC_GLOB only */

    char *match_src;
    struct mcp_pattern *match;
    char *exclude_src;          /* NULL when absent */
    struct mcp_pattern *exclude;

    int n_group_by;
    char *group_by[MCP_RULE_MAX_GROUP];
    int group_cap[MCP_RULE_MAX_GROUP]; /* capture group number in match */

    bool has_threshold;
    int64_t threshold_count;    /* fires when more than this many ... */
    int64_t window_ms;          /* ... fall in this sliding window */
    char *window_src;           /* as written, for {window} */

    bool has_expect;
    char *expect_src;
    struct mcp_pattern *expect;
    int64_t within_ms;
    char *within_src;

    enum mcp_severity severity;
    char *summary;              /* template, NULL for the built-in default */
    int64_t cooldown_ms;        /* 0 when absent */
    enum mcp_rule_action action;     /* run when an alert of this rule fires */

    char *file;                 /* where it was defined */
    int line, col;
};

struct mcp_ruleset {
    struct mcp_rule *rules;
    size_t n;
    size_t cap;
};

void mcp_ruleset_init(struct mcp_ruleset *rs);

/* Load rules from path: a file, or a folder whose *.yaml and *.yml files
 * are read in name order (a file named mcplog.yaml is the routing config,
 * not rules, and is skipped; so is probes.yaml, the rules of follow's
 * probes, which only follow loads, by name: MCP_RULES_PROBES; and
 * clients.yaml, loaded with --client: MCP_RULES_CLIENTS). A rule whose name is already in rs replaces
 * it in place (so a user file can override a shipped rule, or disable it
 * with enabled: false); two rules of the same name in one file are an
 * error. Returns 0, or -1 with "file:line:col: cause" in err, leaving rs
 * unchanged. */
int mcp_rules_load(struct mcp_ruleset *rs, const char *path, char *err);

/* The file name of the probe rules in a rules folder (probes.h). */
#define MCP_RULES_PROBES "probes.yaml"
/* The file name of the client rules in a rules folder: loaded when the
 * command reads a client's logs (--client, clients.h). */
#define MCP_RULES_CLIENTS "clients.yaml"

/* Same, from a memory buffer; name is used in messages. */
int mcp_rules_load_buffer(struct mcp_ruleset *rs, const char *name,
                          const char *data, size_t len, char *err);

/* Where rules come from, in load order: the shipped rules and
 * $XDG_CONFIG_HOME/mcplog/rules (~/.config when unset), both unless
 * no_default, each followed by its probes.yaml when probes is set, then
 * each --rules PATH. */
struct mcp_rule_sources {
    bool no_default;
    bool probes;            /* follow: also the probes.yaml of the shipped
                               and the user folder, after each folder */
    bool clients;           /* --client: also their clients.yaml (after
                               probes.yaml) */
    const char *paths[32];
    size_t npaths;
};

/* Load every source of src into rs (initialised), in the order above:
 * a folder's probes.yaml after the folder when src->probes. Returns 0, or
 * -1 with "file:line:col: cause" in err (rs may then hold the rules of
 * the sources before the bad one: free it). */
int mcp_rules_load_sources(struct mcp_ruleset *rs,
                           const struct mcp_rule_sources *src, char *err);

/* Index of the rule called name, or -1. */
int mcp_ruleset_find(const struct mcp_ruleset *rs, const char *name);

/* Free every rule and the array. rs may be reused after init. */
void mcp_ruleset_free(struct mcp_ruleset *rs);

struct mcp_event;
/* --server NAME: whether event ev (of a rule of rs) is about server name:
 * its value "server" (a capture of the rule's pattern or the record's
 * field) is name, or it has none. */
bool mcp_rules_event_server(const struct mcp_ruleset *rs,
                            const struct mcp_event *ev, const char *name);

/* Whether rule r applies to an input of this role whose file base name is
 * base. */
bool mcp_rule_applies(const struct mcp_rule *r, enum mcp_role role,
                      const char *role_name, const char *base);

#endif
