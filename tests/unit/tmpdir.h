/* tmpdir.h - a private scratch folder for one unit test program (mode
 * 0700, under $TMPDIR when it is absolute and short enough, else /tmp;
 * short, so that tests can build paths in small buffers), made by the
 * group setup and removed with everything in it by the group teardown:
 * cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown). */
#ifndef MCP_TEST_TMPDIR_H
#define MCP_TEST_TMPDIR_H

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[64];

static int tmpdir_setup(void **state)
{
    const char *t = getenv("TMPDIR");
    int n = -1;

    (void)state;
    if (t != NULL && *t == '/')
        n = snprintf(tmpdir, sizeof(tmpdir), "%s/mcplog-%s-XXXXXX", t,
                     program_invocation_short_name);
    if (n < 0 || (size_t)n >= sizeof(tmpdir))
        snprintf(tmpdir, sizeof(tmpdir), "/tmp/mcplog-%.32s-XXXXXX",
                 program_invocation_short_name);
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int tmpdir_remove(const char *path, const struct stat *st, int type,
                         struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return type == FTW_DP ? rmdir(path) : unlink(path);
}

static int tmpdir_teardown(void **state)
{
    (void)state;
    return nftw(tmpdir, tmpdir_remove, 8, FTW_DEPTH | FTW_PHYS);
}

#endif
