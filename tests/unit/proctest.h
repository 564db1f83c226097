/* proctest.h - helpers of the process-matching unit tests
 * (test_procs.c, test_procmatch.c, test_orphans.c): load the process
 * sections of a config from YAML text, match one process description,
 * set up processes for the keeper choice. */
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
#include "proc/cleanup.h"
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

/* Four processes for the keeper choice, oldest first (pids 100-103,
 * start ticks 1000-1003, no log open, none an orphan), and o as the
 * default cleanup: section (newest, prefer_writer, 5m window) makes it. */
static inline void choose_setup(struct mcp_proc *v, struct mcp_cleanup_opts *o)
{
    struct mcp_cleanup_conf cc = {.keep = MCP_KEEP_NEWEST,
                                  .prefer_writer = true,
                                  .writer_window_ms = 300000,
                                  .grace_ms = 5000};

    memset(v, 0, 4 * sizeof(*v));
    for (int i = 0; i < 4; i++) {
        v[i].pid = 100 + i;
        v[i].start_ticks = 1000 + (uint64_t)i;
        v[i].log_write_age_ms = -1;
        v[i].log_modified_age_ms = -1;
    }
    mcp_cleanup_opts_init(o, &cc);
}

#define A(...) ((char *const[]){__VA_ARGS__, NULL})
#define DIR_ "/srv/hestai"
#define PY "/usr/bin/python3.11"

#endif
