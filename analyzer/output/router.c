/* router.c - where an alert goes: the routing table of mcplog.yaml
 * (conf/config.h) walked in order, first match wins unless `continue`
 * (router.h). */
#include "output/router.h"

#include <fnmatch.h>
#include <string.h>

static bool route_matches(const struct mcp_route *r, const char *rule,
                          enum mcp_severity sev, int nlabels,
                          const char *const *name, const char *const *value)
{
    bool ok = r->rules == NULL;

    if (r->severities != 0 && !(r->severities & (1u << sev)))
        return false;
    for (size_t i = 0; r->rules != NULL && r->rules[i] != NULL && !ok; i++)
        ok = fnmatch(r->rules[i], rule, 0) == 0;
    if (!ok)
        return false;
    for (size_t k = 0; k < r->nlabels; k++) {
        const char *v = NULL;

        for (int i = 0; i < nlabels && v == NULL; i++)
            if (strcmp(name[i], r->label_name[k]) == 0)
                v = value[i];
        if (v == NULL || fnmatch(r->label_glob[k], v, 0) != 0)
            return false;
    }
    return true;
}

size_t mcp_router_matching(const struct mcp_config *c,
                           const char *rule, enum mcp_severity sev,
                           int nlabels, const char *const *label_name,
                           const char *const *label_value, size_t *hit)
{
    size_t n = 0;

    for (size_t i = 0; i < c->nroutes; i++) {
        if (!route_matches(&c->routes[i], rule, sev, nlabels, label_name,
                           label_value))
            continue;
        hit[n++] = i;
        if (!c->routes[i].cont)
            break;
    }
    return n;
}

bool mcp_router_route(const struct mcp_config *c, const char *rule,
                     enum mcp_severity sev, int nlabels,
                     const char *const *label_name,
                     const char *const *label_value, bool *want)
{
    bool terminal = false, any = false;

    memset(want, 0, c->nsinks * sizeof(*want));
    for (size_t i = 0; i < c->nroutes; i++) {
        const struct mcp_route *r = &c->routes[i];

        if (!route_matches(r, rule, sev, nlabels, label_name, label_value))
            continue;
        any = true;
        terminal |= r->terminal;
        for (size_t k = 0; k < r->nsinks; k++)
            if (!c->sinks[r->sinks[k]].disabled)
                want[r->sinks[k]] = true;
        if (!r->cont)
            break;
    }
    return terminal || !any;
}
