/* test_logset.c - which files make up a log family, and their order. */
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

#include "input/logset.h"
#include "base/util.h"

static char dir[256];

static int make_dir(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/mcplog-logset-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
    char cmd[512];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void touch(const char *name)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("x\n", f);
    fclose(f);
}

/* The base names of the inputs, space separated. */
static void order(const struct mcp_logset *ls, char *out, size_t len)
{
    out[0] = '\0';
    for (size_t i = 0; i < ls->n; i++) {
        size_t n = strlen(out);

        snprintf(out + n, len - n, "%s%s", i ? " " : "", ls->inputs[i].base);
    }
}

static void test_member_names(void **state)
{
    int cls;
    int64_t key;
    bool gz;
    const char *b = "mcp_server.log";

    (void)state;
    assert_true(mcp_logset_member(b, "mcp_server.log", &cls, &key, &gz));
    assert_int_equal(cls, 2);
    assert_false(gz);
    assert_true(mcp_logset_member(b, "mcp_server.log.3", &cls, &key, &gz));
    assert_int_equal(cls, 1);
    assert_int_equal(key, -3);
    assert_true(mcp_logset_member(b, "mcp_server.log.12.gz", &cls, &key,
                                  &gz));
    assert_int_equal(key, -12);
    assert_true(gz);
    assert_true(mcp_logset_member(b, "mcp_server.log-20251209", &cls, &key,
                                  &gz));
    assert_int_equal(cls, 0);
    assert_int_equal(key, 2025120900);
    assert_true(mcp_logset_member(b, "mcp_server.log-2025120913.gz", &cls,
                                  &key, &gz));
    assert_int_equal(key, 2025120913);
    assert_true(mcp_logset_member(b, "mcp_server.log.2025-12-09_13-05", &cls,
                                  &key, &gz));
    assert_int_equal(cls, 0);
    assert_int_equal(key, 20251209130500LL);
    assert_false(mcp_logset_member(b, "mcp_server.log.gz", &cls, &key, &gz));
    assert_false(mcp_logset_member(b, "mcp_server.log.bak", &cls, &key, &gz));
    assert_false(mcp_logset_member(b, "mcp_server.log.1x", &cls, &key, &gz));
    assert_false(mcp_logset_member(b, "mcp_server.log-2025", &cls, &key, &gz));
    assert_false(mcp_logset_member(b, "mcp_server.logs", &cls, &key, &gz));
    assert_false(mcp_logset_member(b, "xmcp_server.log", &cls, &key, &gz));
}

/* Python's RotatingFileHandler: .5 is the oldest. */
static void test_python_rotation(void **state)
{
    struct mcp_logset ls;
    char err[MCP_ERRLEN] = "", got[1024];

    (void)state;
    touch("mcp_server.log");
    for (int i = 1; i <= 5; i++) {
        char n[64];

        snprintf(n, sizeof(n), "mcp_server.log.%d", i);
        touch(n);
    }
    touch("mcp_activity.log.1");
    touch("mcp_activity.log.2");
    touch("mcp_activity.log");
    touch("notes.txt");
    mcp_logset_init(&ls);
    assert_int_equal(mcp_logset_add_dir(&ls, dir, err), 0);
    mcp_logset_finish(&ls);
    order(&ls, got, sizeof(got));
    assert_string_equal(got, "mcp_activity.log.2 mcp_activity.log.1 "
                             "mcp_activity.log mcp_server.log.5 "
                             "mcp_server.log.4 mcp_server.log.3 "
                             "mcp_server.log.2 mcp_server.log.1 "
                             "mcp_server.log");
    assert_int_equal(ls.nfam, 2);
    assert_string_equal(ls.families[0].name, "mcp_activity.log");
    assert_int_equal(ls.families[0].count, 3);
    assert_int_equal(ls.families[1].count, 6);
    assert_int_equal(ls.inputs[0].role, MCP_ROLE_ACTIVITY);
    assert_int_equal(ls.inputs[8].role, MCP_ROLE_SERVER);
    assert_string_equal(ls.inputs[8].role_name, "server");
    mcp_logset_free(&ls);
}

/* logrotate delaycompress: .1 plain, then .2.gz ...; numeric, not
 * lexical, order (.10 is older than .9). */
static void test_logrotate_delaycompress(void **state)
{
    struct mcp_logset ls;
    char err[MCP_ERRLEN] = "", got[1024];

    (void)state;
    touch("mcp_server.log");
    touch("mcp_server.log.1");
    touch("mcp_server.log.2.gz");
    touch("mcp_server.log.9.gz");
    touch("mcp_server.log.10.gz");
    mcp_logset_init(&ls);
    assert_int_equal(mcp_logset_add_dir(&ls, dir, err), 0);
    mcp_logset_finish(&ls);
    order(&ls, got, sizeof(got));
    assert_string_equal(got, "mcp_server.log.10.gz mcp_server.log.9.gz "
                             "mcp_server.log.2.gz mcp_server.log.1 "
                             "mcp_server.log");
    mcp_logset_free(&ls);
}

/* dateext archives are older than the live file, ordered by date. */
static void test_dateext(void **state)
{
    struct mcp_logset ls;
    char err[MCP_ERRLEN] = "", got[1024];

    (void)state;
    touch("mcp_activity.log");
    touch("mcp_activity.log-20251210");
    touch("mcp_activity.log-20251208.gz");
    touch("mcp_activity.log-20251209.gz");
    mcp_logset_init(&ls);
    assert_int_equal(mcp_logset_add_dir(&ls, dir, err), 0);
    mcp_logset_finish(&ls);
    order(&ls, got, sizeof(got));
    assert_string_equal(got, "mcp_activity.log-20251208.gz "
                             "mcp_activity.log-20251209.gz "
                             "mcp_activity.log-20251210 mcp_activity.log");
    mcp_logset_free(&ls);
}

/* Both name.1 and name.1.gz: logrotate is compressing; read the plain
 * file, skip the partial .gz with a note. */
static void test_compression_in_progress(void **state)
{
    struct mcp_logset ls;
    char err[MCP_ERRLEN] = "", got[1024];

    (void)state;
    touch("mcp_server.log");
    touch("mcp_server.log.1");
    touch("mcp_server.log.1.gz");
    touch("mcp_server.log.2.gz");
    mcp_logset_init(&ls);
    assert_int_equal(mcp_logset_add_dir(&ls, dir, err), 0);
    mcp_logset_finish(&ls);
    order(&ls, got, sizeof(got));
    assert_string_equal(got, "mcp_server.log.2.gz mcp_server.log.1 "
                             "mcp_server.log");
    assert_int_equal(ls.nnotes, 1);
    assert_non_null(strstr(ls.notes[0], "mcp_server.log.1.gz skipped"));
    mcp_logset_free(&ls);
}

static void test_empty_dir_is_an_error(void **state)
{
    struct mcp_logset ls;
    char err[MCP_ERRLEN] = "";

    (void)state;
    touch("other.log");
    mcp_logset_init(&ls);
    assert_int_equal(mcp_logset_add_dir(&ls, dir, err), -1);
    assert_non_null(strstr(err, "no mcp_server.log or mcp_activity.log"));
    mcp_logset_free(&ls);
}

/* Explicit files: roles from names, --source roles, duplicates dropped,
 * and members of a known family sorted even when given out of order. */
static void test_explicit_files(void **state)
{
    struct mcp_logset ls;
    char err[MCP_ERRLEN] = "", p1[512], p2[512], p3[512], got[1024];

    (void)state;
    touch("mcp_server.log");
    touch("mcp_server.log.2.gz");
    touch("restart-20251210.log");
    snprintf(p1, sizeof(p1), "%s/mcp_server.log", dir);
    snprintf(p2, sizeof(p2), "%s/mcp_server.log.2.gz", dir);
    snprintf(p3, sizeof(p3), "%s/restart-20251210.log", dir);
    mcp_logset_init(&ls);
    assert_int_equal(mcp_logset_add_file(&ls, p1, NULL, err), 0);
    assert_int_equal(mcp_logset_add_file(&ls, p2, NULL, err), 0);
    assert_int_equal(mcp_logset_add_file(&ls, p1, NULL, err), 0);
    assert_int_equal(mcp_logset_add_file(&ls, p3, "restarts", err), 0);
    mcp_logset_finish(&ls);
    order(&ls, got, sizeof(got));
    assert_string_equal(got, "mcp_server.log.2.gz mcp_server.log "
                             "restart-20251210.log");
    assert_int_equal(ls.nfam, 2);
    assert_string_equal(ls.inputs[2].role_name, "restarts");
    assert_int_equal(ls.inputs[2].role, MCP_ROLE_OTHER);
    mcp_logset_free(&ls);
}

static void test_missing_file(void **state)
{
    struct mcp_logset ls;
    char err[MCP_ERRLEN] = "", p[512];

    (void)state;
    snprintf(p, sizeof(p), "%s/nope.log", dir);
    mcp_logset_init(&ls);
    assert_int_equal(mcp_logset_add_file(&ls, p, NULL, err), -1);
    assert_non_null(strstr(err, "No such file or directory"));
    assert_int_equal(mcp_logset_add_file(&ls, dir, NULL, err), -1);
    mcp_logset_free(&ls);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_member_names),
        cmocka_unit_test_setup_teardown(test_python_rotation, make_dir,
                                        remove_dir),
        cmocka_unit_test_setup_teardown(test_logrotate_delaycompress,
                                        make_dir, remove_dir),
        cmocka_unit_test_setup_teardown(test_dateext, make_dir, remove_dir),
        cmocka_unit_test_setup_teardown(test_compression_in_progress,
                                        make_dir, remove_dir),
        cmocka_unit_test_setup_teardown(test_empty_dir_is_an_error, make_dir,
                                        remove_dir),
        cmocka_unit_test_setup_teardown(test_explicit_files, make_dir,
                                        remove_dir),
        cmocka_unit_test_setup_teardown(test_missing_file, make_dir,
                                        remove_dir),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
