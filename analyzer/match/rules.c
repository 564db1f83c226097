/* rules.c - rule files (YAML) into a compiled rule set.
 *
 * Loading is two-phase so that a bad file never half-changes a rule set:
 * every file of one mcp_rules_load() call is parsed into a staging list
 * (each entry a compiled rule plus its `enabled` flag), and only when all
 * of them are valid is the list merged into the caller's set, in order:
 * an enabled rule replaces the rule of the same name in place or is
 * appended; a disabled one removes the rule of that name and is dropped.
 * Merging only moves memory (allocation failure exits), so it cannot fail.
 *
 * A disabling entry needs only `name` and `enabled: false`; any other key
 * it has is still checked, so a typo in a temporarily disabled rule is
 * reported as it would be in an enabled one.
 *
 * One document's rules are read in rules_read.c; here: files and
 * folders, the staging and the merge, the sources of a command.
 */
#include "match/rules.h"
#include "match/event.h"
#include "match/rules_int.h"

#include <fnmatch.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/path.h"
#include "base/strmap.h"
#include "base/util.h"
#include "base/yamlutil.h"

/* --- files ------------------------------------------------------------- */

static void stage_free(struct stage *s)
{
    for (size_t i = 0; i < s->n; i++)
        rules_free_rule(&s->v[i].r);
    free(s->v);
}

static int load_buffer(struct stage *s, const char *name, const char *data,
                       size_t len, char *err)
{
    struct mcp_yaml y;
    int rc;

    if (mcp_yaml_load(&y, name, data, len, err) < 0)
        return -1;
    rc = rules_read_doc(&y, s, err);
    mcp_yaml_free(&y);
    return rc;
}

/* Load path (a file, or the rule files of a folder) into s. */
static int load_path(struct stage *s, const char *path, char *err)
{
    char **files = NULL;
    size_t n = 0;
    int rc = 0;

    if (mcp_yaml_list(path, "mcplog.yaml", &files, &n, err) < 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        struct mcp_yaml y;
        const char *base = strrchr(files[i], '/');

        /* A folder's probes.yaml is follow's alone (a file named on its
         * own is loaded: then files[0] is path itself). */
        if (strcmp(files[i], path) != 0 && base != NULL &&
            (strcmp(base + 1, MCP_RULES_PROBES) == 0 ||
             strcmp(base + 1, MCP_RULES_CLIENTS) == 0)) {
            free(files[i]);
            continue;
        }
        if (rc == 0 && mcp_yaml_load_file(&y, files[i], err) == 0) {
            rc = rules_read_doc(&y, s, err);
            mcp_yaml_free(&y);
        } else {
            rc = -1;
        }
        free(files[i]);
    }
    free(files);
    return rc;
}

/* Apply the staged entries in order (see the top comment). */
static void merge(struct mcp_ruleset *rs, struct stage *s)
{
    struct mcp_strmap at; /* name -> index in rs + 1; NULL once removed */
    size_t keep = 0;

    mcp_strmap_init(&at);
    for (size_t i = 0; i < rs->n; i++)
        *mcp_strmap_slot(&at, rs->rules[i].name) = (void *)(uintptr_t)(i + 1);
    for (size_t i = 0; i < s->n; i++) {
        struct mcp_rule *r = &s->v[i].r;
        void **slot = mcp_strmap_slot(&at, r->name);
        size_t idx = (uintptr_t)*slot;

        if (idx != 0)
            rules_free_rule(&rs->rules[idx - 1]); /* name NULL: removed */
        if (!s->v[i].enabled) {
            *slot = NULL;
            rules_free_rule(r);
            continue;
        }
        if (idx == 0) {
            if (rs->n == rs->cap) {
                rs->cap = rs->cap ? 2 * rs->cap : 16;
                rs->rules = mcp_realloc(rs->rules,
                                        rs->cap * sizeof(*rs->rules));
            }
            idx = ++rs->n;
            *slot = (void *)(uintptr_t)idx;
        }
        rs->rules[idx - 1] = *r;
        memset(r, 0, sizeof(*r));
    }
    s->n = 0;
    mcp_strmap_free(&at);
    for (size_t i = 0; i < rs->n; i++)
        if (rs->rules[i].name != NULL)
            rs->rules[keep++] = rs->rules[i];
    rs->n = keep;
}

/* --- the sources of a command --------------------------------------------- */

/* The probe (or client) rules of a rules folder, when it has them. */
static int load_named(struct mcp_ruleset *rs, const char *dir,
                      const char *name, char *err)
{
    char path[PATH_MAX + 32];

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if (access(path, F_OK) != 0)
        return 0;
    return mcp_rules_load(rs, path, err);
}

/* A rules folder, then its probes.yaml and clients.yaml when src wants
 * them. */
static int load_folder(struct mcp_ruleset *rs, const char *dir,
                       const struct mcp_rule_sources *src, char *err)
{
    if (mcp_rules_load(rs, dir, err) != 0 ||
        (src->probes && load_named(rs, dir, MCP_RULES_PROBES, err) != 0) ||
        (src->clients && load_named(rs, dir, MCP_RULES_CLIENTS, err) != 0))
        return -1;
    return 0;
}

int mcp_rules_load_sources(struct mcp_ruleset *rs,
                           const struct mcp_rule_sources *src, char *err)
{
    char user[PATH_MAX];
    struct stat st;

    if (!src->no_default &&
        load_folder(rs, mcp_path_rules_dir(), src, err) != 0)
        return -1;
    if (!src->no_default &&
        mcp_path_xdg("XDG_CONFIG_HOME", ".config", "mcplog/rules", user,
                     sizeof(user)) &&
        stat(user, &st) == 0 && S_ISDIR(st.st_mode) &&
        load_folder(rs, user, src, err) != 0)
        return -1;
    for (size_t i = 0; i < src->npaths; i++)
        if (mcp_rules_load(rs, src->paths[i], err) != 0)
            return -1;
    return 0;
}

/* --- public API ---------------------------------------------------------- */

void mcp_ruleset_init(struct mcp_ruleset *rs)
{
    memset(rs, 0, sizeof(*rs));
}

/* Commit the staged rules when every file loaded (rc == 0). */
static int finish(struct mcp_ruleset *rs, struct stage *s, int rc)
{
    if (rc == 0)
        merge(rs, s);
    stage_free(s);
    return rc;
}

int mcp_rules_load(struct mcp_ruleset *rs, const char *path, char *err)
{
    struct stage s = {0};

    return finish(rs, &s, load_path(&s, path, err));
}

int mcp_rules_load_buffer(struct mcp_ruleset *rs, const char *name,
                          const char *data, size_t len, char *err)
{
    struct stage s = {0};

    return finish(rs, &s,
                  load_buffer(&s, name ? name : "<buffer>", data, len, err));
}

int mcp_ruleset_find(const struct mcp_ruleset *rs, const char *name)
{
    for (size_t i = 0; i < rs->n; i++)
        if (strcmp(rs->rules[i].name, name) == 0)
            return (int)i;
    return -1;
}

void mcp_ruleset_free(struct mcp_ruleset *rs)
{
    for (size_t i = 0; i < rs->n; i++)
        rules_free_rule(&rs->rules[i]);
    free(rs->rules);
    mcp_ruleset_init(rs);
}

bool mcp_rule_applies(const struct mcp_rule *r, enum mcp_role role,
                      const char *role_name, const char *base)
{
    switch (r->source) {
    case MCP_SRC_ANY:
        return true;
    case MCP_SRC_SERVER:
        return role == MCP_ROLE_SERVER;
    case MCP_SRC_ACTIVITY:
        return role == MCP_ROLE_ACTIVITY;
    case MCP_SRC_GLOB: {
        /* Alternatives separated by commas ("server,stderr"), each a
         * glob on the role name or the file's base name. */
        char one[256];

        for (const char *p = r->source_glob; *p;) {
            const char *comma = strchr(p, ',');
            size_t n = comma ? (size_t)(comma - p) : strlen(p);

            if (n < sizeof(one)) {
                memcpy(one, p, n);
                one[n] = '\0';
                if ((role_name != NULL && fnmatch(one, role_name, 0) == 0) ||
                    (base != NULL && fnmatch(one, base, 0) == 0))
                    return true;
            }
            p += n + (comma != NULL);
        }
        return false;
    }
    }
    return false;
}

bool mcp_rules_event_server(const struct mcp_ruleset *rs,
                            const struct mcp_event *ev, const char *name)
{
    const struct mcp_rule *r;
    const char *v;

    if (ev->rule >= rs->n)
        return true;
    r = &rs->rules[ev->rule];
    v = mcp_event_value(ev, ev->kind == MCP_EV_FOLLOW ? r->expect : r->match,
                        "server", 6);
    return v == NULL || strcmp(v, name) == 0;
}
