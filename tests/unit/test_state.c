/* test_state.c - unit tests for the state files' safety in
 * analyzer/state.c: atomic replace through planted links, the follow
 * lock, the folder rule, what a checkpoint read accepts. Everything in a
 * mkdtemp() folder (mode 0700).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "state.h"
#include "tmpdir.h"
#include "base/util.h"

static char *at(const char *name)
{
    static char buf[4][256];
    static int k;

    k = (k + 1) % 4;
    snprintf(buf[k], sizeof(buf[k]), "%s/%s", tmpdir, name);
    return buf[k];
}

static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static char *get(const char *path)
{
    static char buf[256];
    FILE *f = fopen(path, "r");
    size_t n;

    assert_non_null(f);
    n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* A link planted at PATH.tmp, or a leftover there: replaced, never
 * written through. */
static void test_replace_never_through_tmp(void **state)
{
    char err[MCP_ERRLEN] = "";
    struct stat st;

    (void)state;
    put(at("victim"), "precious\n");
    assert_int_equal(symlink(at("victim"), at("st.tmp")), 0);
    assert_int_equal(mcp_state_replace(at("st"), "new\n", 4, true, err), 0);
    assert_string_equal(err, "");
    assert_string_equal(get(at("victim")), "precious\n");
    assert_string_equal(get(at("st")), "new\n");
    assert_int_equal(lstat(at("st"), &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(lstat(at("st.tmp"), &st), -1);

    put(at("st.tmp"), "leftover of a crash\n");
    assert_int_equal(mcp_state_replace(at("st"), "newer\n", 6, false, err), 0);
    assert_string_equal(get(at("st")), "newer\n");
    assert_int_equal(lstat(at("st.tmp"), &st), -1);
}

/* One claim per checkpoint: the second names the first's PID; a link at
 * the lock's name is refused; the checkpoint must be a regular file. */
static void test_claim(void **state)
{
    char err[MCP_ERRLEN] = "", want[MCP_ERRLEN + 64];
    int fd, again;

    (void)state;
    fd = mcp_state_claim(at("cp"), err);
    assert_true(fd >= 0);
    assert_string_equal(err, "");
    again = mcp_state_claim(at("cp"), err);
    assert_int_equal(again, -1);
    snprintf(want, sizeof(want),
             "checkpoint %s is in use by another mcplog follow (pid %ld)",
             at("cp"), (long)getpid());
    assert_string_equal(err, want);
    close(fd);
    err[0] = '\0';
    fd = mcp_state_claim(at("cp"), err);
    assert_true(fd >= 0);
    close(fd);

    put(at("victim2"), "precious\n");
    assert_int_equal(symlink(at("victim2"), at("cl.lock")), 0);
    assert_int_equal(mcp_state_claim(at("cl"), err), -1);
    snprintf(want, sizeof(want), "%s: Too many levels of symbolic links",
             at("cl.lock"));
    assert_string_equal(err, want);
    assert_string_equal(get(at("victim2")), "precious\n");

    err[0] = '\0';
    assert_int_equal(mkfifo(at("ff"), 0600), 0);
    assert_int_equal(mcp_state_claim(at("ff"), err), -1);
    snprintf(want, sizeof(want), "%s: not a regular file (fifo)", at("ff"));
    assert_string_equal(err, want);
    err[0] = '\0';
    assert_int_equal(mcp_state_claim("/dev/zero", err), -1);
    assert_string_equal(err,
                        "/dev/zero: not a regular file (character device)");
}

/* The folder: the user's alone, or refused; missing passes unless it is
 * to be created (then 0700). */
static void test_check_dir(void **state)
{
    char err[MCP_ERRLEN] = "", want[MCP_ERRLEN + 64];
    struct stat st;

    (void)state;
    assert_int_equal(mkdir(at("shared"), 0700), 0);
    assert_int_equal(chmod(at("shared"), 02775), 0);
    assert_int_equal(mcp_state_check_dir(at("shared/state"), true, err), -1);
    snprintf(want, sizeof(want), "%s: the state folder is writable by group "
             "or others (mode 2775); refusing it", at("shared"));
    assert_string_equal(err, want);
    assert_int_equal(chmod(at("shared"), 0755), 0);
    err[0] = '\0';
    assert_int_equal(mcp_state_check_dir(at("shared/state"), true, err), 0);
    assert_string_equal(err, "");

    assert_int_equal(mcp_state_check_dir(at("none/state"), false, err), 0);
    assert_int_equal(stat(at("none"), &st), -1);
    assert_int_equal(mcp_state_check_dir(at("new/deeper/state"), true, err),
                     0);
    assert_int_equal(stat(at("new/deeper"), &st), 0);
    assert_int_equal(st.st_mode & 07777, 0700);
}

/* A checkpoint read: missing is none, a FIFO or an oversized file is
 * refused without blocking or reading. */
static void test_load_limits(void **state)
{
    char err[MCP_ERRLEN] = "", want[MCP_ERRLEN + 64];
    struct mcp_state st;
    FILE *f;

    (void)state;
    assert_int_equal(mcp_state_load(at("missing"), &st, err), 0);
    assert_string_equal(err, "");
    mcp_state_free(&st);

    assert_int_equal(mkfifo(at("lf"), 0600), 0);
    assert_int_equal(mcp_state_load(at("lf"), &st, err), -1);
    snprintf(want, sizeof(want), "%s: not a regular file (fifo)", at("lf"));
    assert_string_equal(err, want);
    mcp_state_free(&st);

    f = fopen(at("big"), "w");
    assert_non_null(f);
    assert_int_equal(ftruncate(fileno(f), MCP_STATE_MAX + 1), 0);
    fclose(f);
    err[0] = '\0';
    assert_int_equal(mcp_state_load(at("big"), &st, err), -1);
    snprintf(want, sizeof(want), "%s: too large (over 64 MiB)", at("big"));
    assert_string_equal(err, want);
    mcp_state_free(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replace_never_through_tmp),
        cmocka_unit_test(test_claim),
        cmocka_unit_test(test_check_dir),
        cmocka_unit_test(test_load_limits),
    };

    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
