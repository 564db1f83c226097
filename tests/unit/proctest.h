/* proctest.h - helpers of the process-matching unit tests
 * (test_procs.c, test_procmatch.c): load the process sections of a
 * config from YAML text, match one process description. */
#ifndef MCP_PROCTEST_H
#define MCP_PROCTEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conf/procconf.h"
#include "proc/procs.h"
#include "base/util.h"
#include "base/yamlutil.h"

/* Load the four sections from YAML text as config.c would. */
static inline int load(struct mcp_procconf *pc, const char *text, char *err)
{
    static const char *const sections[] = {"server", "health", "cleanup",
                                           "probes"};
    struct mcp_yaml y;
    yaml_node_t *root, *kn[4] = {0}, *vn[4] = {0}, *bad = NULL;
    char cause[MCP_ERRLEN] = "";
    int rc;

    err[0] = '\0';
    if (mcp_yaml_load(&y, "t.yaml", text, strlen(text), err) != 0)
        return -1;
    root = mcp_yaml_root(&y);
    if (root != NULL &&
        mcp_yaml_keys(&y, root, sections, 4, kn, vn, &bad, cause) != 0) {
        mcp_yaml_free(&y);
        snprintf(err, MCP_ERRLEN, "%s", cause);
        return -1;
    }
    rc = mcp_procconf_load(pc, &y, vn[0], vn[1], vn[2], vn[3], err);
    mcp_yaml_free(&y);
    return rc;
}

/* Match a process description; returns the rule index and checks why. */
static inline int match(const struct mcp_procconf *pc, const char *dir,
                 const char *exe, const char *cwd, const char *want_why,
                 char *const *argv)
{
    char *why = NULL;
    int argc = 0, idx;

    while (argv[argc] != NULL)
        argc++;
    idx = mcp_procs_match(pc, dir, exe, argv, argc, cwd, &why);
    if (want_why != NULL)
        assert_string_equal(why != NULL ? why : "(none)", want_why);
    free(why);
    return idx;
}

#define A(...) ((char *const[]){__VA_ARGS__, NULL})
#define DIR_ "/srv/hestai"
#define PY "/usr/bin/python3.11"

#endif
