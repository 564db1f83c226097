/* test_health.c - the checks of mcplog health from given figures (status,
 * summary, ranking, the Nagios line and perf data, JSON), the logs
 * folder's size, follow's probe lines, and the cleanup action's policy
 * (off, started, rate-limited, one at a time) with a stand-in child. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "proc/action.h"
#include "conf/config.h"
#include "base/evloop.h"
#include "proc/health.h"
#include "base/path.h"
#include "proc/probes.h"
#include "conf/procconf.h"
#include "base/timeparse.h"
#include "base/util.h"

#define S 1000LL
#define NOW 1765375200000LL /* 2025-12-10 14:00:00 UTC */

static struct mcp_health_conf defaults(void)
{
    struct mcp_procconf pc;
    struct mcp_health_conf hc;
    char err[MCP_ERRLEN] = "";

    assert_int_equal(mcp_procconf_load(&pc, NULL, NULL, NULL, NULL, NULL,
                                       err), 0);
    hc = pc.health;
    mcp_procconf_free(&pc);
    return hc;
}

static struct mcp_proc proc(pid_t pid, uint64_t rss)
{
    struct mcp_proc p;

    memset(&p, 0, sizeof(p));
    p.pid = pid;
    p.rss_bytes = rss;
    p.start_ms = NOW - 3600 * S;
    p.pidfd = -1;
    return p;
}

static char *text(const struct mcp_health *h)
{
    struct mcp_buf b;

    mcp_buf_init(&b);
    mcp_health_text(h, &b);
    return mcp_buf_steal(&b);
}

/* All OK: one process, calm logs. */
static void test_all_ok(void **state)
{
    struct mcp_health_conf hc = defaults();
    struct mcp_proc p[1] = {proc(101, 20 * 1024 * 1024)};
    struct mcp_health h;
    char *t;

    (void)state;
    mcp_health_init(&h, NOW, "/srv/logs");
    mcp_health_procs(&h, &hc, p, 1, NULL);
    mcp_health_counts(&h, &hc, 1, 0, NOW - 42 * S, NULL);
    mcp_health_dir(&h, &hc, 2048, NULL);
    mcp_health_finish(&h);
    assert_int_equal(h.status, MCP_HEALTH_OK);
    t = text(&h);
    assert_string_equal(t,
        "MCPLOG OK - 1 server process, largest RSS 20 MiB, 1 restart in 7d, "
        "0 reconnect failures in 1h, logs 2.0 KiB, newest line 42s ago | "
        "processes=1;2;1:;0 rss_max=20971520B;500000000;;0 restarts=1;1;;0 "
        "reconnect_failures=0;;5;0 log_dir=2048B;1073741824;;0 "
        "newest_line_age=42s;3600;;0\n"
        "processes: OK - 1 server process (expected 1 to 2): pids 101\n"
        "memory: OK - largest RSS 20 MiB (pid 101), limit 477 MiB per "
        "process\n"
        "restarts: OK - 1 match of rule 'restarts' in the last 7d (limit 1)\n"
        "reconnects: OK - 0 matches of rule 'reconnect-failures' in the last "
        "1h (limit 5)\n"
        "log_dir: OK - /srv/logs holds 2.0 KiB (2048 bytes), limit 1.0 GiB\n"
        "newest_line: OK - newest line at 2025-12-10 13:59:18,000, 42s ago "
        "(limit 1h)\n");
    free(t);
    mcp_health_free(&h);
}

/* Every threshold crossed: the worst first, then the others in order. */
static void test_thresholds(void **state)
{
    struct mcp_health_conf hc = defaults();
    struct mcp_proc p[3] = {proc(101, 600000000), proc(102, 1000),
                            proc(103, 700000000)};
    struct mcp_health h;
    char *t;

    (void)state;
    mcp_health_init(&h, NOW, "logs");
    mcp_health_procs(&h, &hc, p, 3, NULL);
    mcp_health_counts(&h, &hc, 2, 6, NOW - 2 * 3600 * S, NULL);
    mcp_health_dir(&h, &hc, 2ULL << 30, NULL);
    mcp_health_finish(&h);
    assert_int_equal(h.status, MCP_HEALTH_CRITICAL);
    assert_int_equal(h.c[MCP_HC_PROCESSES].status, MCP_HEALTH_WARNING);
    assert_int_equal(h.c[MCP_HC_MEMORY].status, MCP_HEALTH_WARNING);
    assert_int_equal(h.c[MCP_HC_MEMORY].value, 700000000);
    assert_int_equal(h.c[MCP_HC_RESTARTS].status, MCP_HEALTH_WARNING);
    assert_int_equal(h.c[MCP_HC_RECONNECTS].status, MCP_HEALTH_CRITICAL);
    assert_int_equal(h.c[MCP_HC_LOG_DIR].status, MCP_HEALTH_WARNING);
    assert_int_equal(h.c[MCP_HC_NEWEST_LINE].status, MCP_HEALTH_WARNING);
    t = text(&h);
    *strstr(t, " | ") = '\0';
    assert_string_equal(t,
        "MCPLOG CRITICAL - 6 reconnect failures in 1h (more than 5), "
        "3 server processes (more than 2), 2 processes above 477 MiB RSS, "
        "2 restarts in 7d (more than 1), logs 2.0 GiB (more than 1.0 GiB), "
        "newest line 2h ago (older than 1h)");
    free(t);
    assert_string_equal(h.c[MCP_HC_MEMORY].detail,
                        "RSS above 477 MiB: pids 101,103; largest 668 MiB "
                        "(pid 103)");
    mcp_health_free(&h);
}

/* No process: CRITICAL (min_processes 1); fewer than a higher min. */
static void test_processes_min(void **state)
{
    struct mcp_health_conf hc = defaults();
    struct mcp_proc p[1] = {proc(7, 1)};
    struct mcp_health h;

    (void)state;
    mcp_health_init(&h, NOW, "logs");
    mcp_health_procs(&h, &hc, NULL, 0, NULL);
    assert_int_equal(h.c[MCP_HC_PROCESSES].status, MCP_HEALTH_CRITICAL);
    assert_string_equal(h.c[MCP_HC_PROCESSES].summary,
                        "no MCP server running");
    assert_int_equal(h.c[MCP_HC_MEMORY].status, MCP_HEALTH_OK);
    assert_false(h.c[MCP_HC_MEMORY].has_value);
    hc.min_processes = 2;
    mcp_health_procs(&h, &hc, p, 1, NULL);
    assert_int_equal(h.c[MCP_HC_PROCESSES].status, MCP_HEALTH_CRITICAL);
    assert_string_equal(h.c[MCP_HC_PROCESSES].summary,
                        "1 server process (fewer than 2)");
    hc.min_processes = 0;
    mcp_health_procs(&h, &hc, NULL, 0, NULL);
    assert_int_equal(h.c[MCP_HC_PROCESSES].status, MCP_HEALTH_OK);
    mcp_health_free(&h);
}

/* Ranking: CRITICAL > WARNING > UNKNOWN > OK. */
static void test_ranking(void **state)
{
    struct mcp_health_conf hc = defaults();
    struct mcp_proc p[1] = {proc(1, 1)};
    struct mcp_health h;

    (void)state;
    mcp_health_init(&h, NOW, "logs");
    mcp_health_procs(&h, &hc, p, 1, NULL);
    mcp_health_counts(&h, &hc, 0, 0, NOW, NULL);
    mcp_health_dir(&h, &hc, 0, "logs: No such file or directory");
    mcp_health_finish(&h);
    assert_int_equal(h.status, MCP_HEALTH_UNKNOWN);
    mcp_health_counts(&h, &hc, 5, 0, NOW, NULL);
    mcp_health_finish(&h);
    assert_int_equal(h.status, MCP_HEALTH_WARNING);
    mcp_health_procs(&h, &hc, NULL, 0, NULL);
    mcp_health_finish(&h);
    assert_int_equal(h.status, MCP_HEALTH_CRITICAL);
    mcp_health_free(&h);
}

/* A rule that is not loaded, logs that cannot be read, no lines. */
static void test_unknowns(void **state)
{
    struct mcp_health_conf hc = defaults();
    struct mcp_health h;

    (void)state;
    mcp_health_init(&h, NOW, "logs");
    assert_int_equal(h.c[MCP_HC_PROCESSES].status, MCP_HEALTH_UNKNOWN);
    assert_string_equal(h.c[MCP_HC_PROCESSES].detail, "not run");
    mcp_health_counts(&h, &hc, -1, 3, MCP_TIME_NONE, NULL);
    assert_int_equal(h.c[MCP_HC_RESTARTS].status, MCP_HEALTH_UNKNOWN);
    assert_string_equal(h.c[MCP_HC_RESTARTS].summary, "restarts unknown");
    assert_int_equal(h.c[MCP_HC_RECONNECTS].status, MCP_HEALTH_OK);
    assert_int_equal(h.c[MCP_HC_NEWEST_LINE].status, MCP_HEALTH_WARNING);
    assert_string_equal(h.c[MCP_HC_NEWEST_LINE].summary, "no log lines");
    hc.newest_line_warn_ms = 0;
    mcp_health_counts(&h, &hc, 0, 0, MCP_TIME_NONE, NULL);
    assert_int_equal(h.c[MCP_HC_NEWEST_LINE].status, MCP_HEALTH_OK);
    mcp_health_counts(&h, &hc, 0, 0, NOW, "logs: Permission denied");
    assert_int_equal(h.c[MCP_HC_RECONNECTS].status, MCP_HEALTH_UNKNOWN);
    assert_string_equal(h.c[MCP_HC_RECONNECTS].detail,
                        "logs: Permission denied");
    mcp_health_procs(&h, &hc, NULL, 0, "/proc: Permission denied");
    assert_int_equal(h.c[MCP_HC_MEMORY].status, MCP_HEALTH_UNKNOWN);
    mcp_health_free(&h);
}

/* JSON: the keys, nulls for what is unknown, text escaped. */
static void test_json(void **state)
{
    struct mcp_health_conf hc = defaults();
    struct mcp_health h;
    struct mcp_buf b;

    (void)state;
    mcp_health_init(&h, NOW, "lo\"gs");
    mcp_health_procs(&h, &hc, NULL, 0, NULL);
    mcp_health_counts(&h, &hc, 0, 0, NOW - 5 * S, NULL);
    mcp_health_dir(&h, &hc, 10, NULL);
    mcp_health_finish(&h);
    mcp_buf_init(&b);
    mcp_health_json(&h, &b, false);
    assert_non_null(strstr(b.data, "{\"status\":\"CRITICAL\",\"code\":2,"));
    assert_non_null(strstr(b.data, "\"time\":\"2025-12-10T14:00:00.000Z\","
                                   "\"logs\":\"lo\\\"gs\",\"checks\":[{"
                                   "\"name\":\"processes\",\"status\":"
                                   "\"CRITICAL\",\"value\":0,\"threshold\":2,"
                                   "\"min\":1,\"unit\":\"processes\""));
    assert_non_null(strstr(b.data, "{\"name\":\"memory\",\"status\":\"OK\","
                                   "\"value\":null,"));
    assert_non_null(strstr(b.data, "\"name\":\"newest_line\",\"status\":"
                                   "\"OK\",\"value\":5,\"threshold\":3600,"));
    assert_non_null(strstr(b.data, "\"processes\":[]}\n"));
    mcp_buf_free(&b);
    mcp_health_free(&h);
}

static void test_age(void **state)
{
    char b[16];

    (void)state;
    assert_string_equal(mcp_health_age(-5, b, sizeof(b)), "0s");
    assert_string_equal(mcp_health_age(59999, b, sizeof(b)), "59s");
    assert_string_equal(mcp_health_age(60000, b, sizeof(b)), "1m");
    assert_string_equal(mcp_health_age(3599999, b, sizeof(b)), "59m");
    assert_string_equal(mcp_health_age(7200000, b, sizeof(b)), "2h");
    assert_string_equal(mcp_health_age(86400000LL * 3 + 5, b, sizeof(b)),
                        "3d");
}

/* --- the logs folder's size ------------------------------------------------ */

static void put(const char *path, size_t n)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    for (size_t i = 0; i < n; i++)
        fputc('x', f);
    fclose(f);
}

static char tmp[64];

static void mktmp(void)
{
    snprintf(tmp, sizeof(tmp), "/tmp/test_health.XXXXXX");
    assert_non_null(mkdtemp(tmp));
}

static void rmtmp(void)
{
    char cmd[128];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
    assert_int_equal(system(cmd), 0);
}

static void test_dir_size(void **state)
{
    char p[256], err[MCP_ERRLEN] = "";
    uint64_t bytes = 1;

    (void)state;
    mktmp();
    snprintf(p, sizeof(p), "%s/a.log", tmp);
    put(p, 100);
    snprintf(p, sizeof(p), "%s/sub", tmp);
    assert_int_equal(mkdir(p, 0700), 0);
    snprintf(p, sizeof(p), "%s/sub/b.log.gz", tmp);
    put(p, 23);
    snprintf(p, sizeof(p), "%s/link", tmp);
    assert_int_equal(symlink("/etc/passwd", p), 0);
    snprintf(p, sizeof(p), "%s/dirlink", tmp);
    assert_int_equal(symlink("/usr", p), 0);
    assert_int_equal(mcp_dir_size(tmp, &bytes, err), 0);
    assert_int_equal(bytes, 123);
    snprintf(p, sizeof(p), "%s/none", tmp);
    assert_int_equal(mcp_dir_size(p, &bytes, err), -1);
    assert_non_null(strstr(err, "/none: No such file or directory"));
    rmtmp();
}

/* --- probes --------------------------------------------------------------- */

static void conf_init(struct mcp_config *c)
{
    char err[MCP_ERRLEN] = "";

    memset(c, 0, sizeof(*c));
    assert_int_equal(mcp_procconf_load(&c->proc, NULL, NULL, NULL, NULL,
                                       NULL, err), 0);
}

/* No server in an empty folder: "no-server" at once, then not again until
 * the interval has passed; the logs folder above its limit. */
static void test_probes_lines(void **state)
{
    struct mcp_config c;
    struct mcp_probes *p;
    struct mcp_buf out;
    char notice[MCP_ERRLEN], path[256];
    int64_t next;

    (void)state;
    mktmp();
    conf_init(&c);
    c.proc.server.dir = mcp_strdup(tmp);
    c.proc.health.log_dir_warn = 10;
    c.proc.probes.interval_ms = 500;
    snprintf(path, sizeof(path), "%s/mcp_server.log", tmp);
    put(path, 2000);
    p = mcp_probes_create(&c, tmp);
    assert_non_null(p);
    mcp_buf_init(&out);
    next = mcp_probes_run(p, 1000, &out, notice);
    assert_int_equal(next, 1500);
    assert_string_equal(notice, "");
    assert_string_equal(out.data, "probe no-server procs=0 min=1\n"
                                  "probe log-dir-growth size=2.0 KiB "
                                  "limit=10 B\n");
    mcp_buf_reset(&out);
    assert_int_equal(mcp_probes_run(p, 1499, &out, notice), 1500);
    assert_int_equal(out.len, 0);
    c.proc.health.min_processes = 0;
    c.proc.health.log_dir_warn = 1 << 20;
    assert_int_equal(mcp_probes_run(p, 1500, &out, notice), 2000);
    assert_int_equal(out.len, 0);
    /* A failure is told once, its end once. */
    snprintf(path, sizeof(path), "%s/mcp_server.log", tmp);
    unlink(path);
    rmdir(tmp);
    assert_int_equal(mcp_probes_run(p, 2000, &out, notice), 2500);
    assert_non_null(strstr(notice, "log-dir probe: "));
    assert_non_null(strstr(notice, ": No such file or directory"));
    mcp_probes_run(p, 2500, &out, notice);
    assert_string_equal(notice, "");
    assert_int_equal(mkdir(tmp, 0700), 0);
    mcp_probes_run(p, 3000, &out, notice);
    assert_string_equal(notice, "log-dir probe works again");
    mcp_buf_free(&out);
    mcp_probes_destroy(p);
    c.proc.probes.enabled = false;
    assert_null(mcp_probes_create(&c, NULL));
    mcp_procconf_free(&c.proc);
    rmtmp();
}

/* --- the cleanup action ------------------------------------------------------- */

static char told[4096];

static void tell(const char *msg, void *arg)
{
    size_t n = strlen(told);

    (void)arg;
    snprintf(told + n, sizeof(told) - n, "%s\n", msg);
}

static void wait_done(struct mcp_action *a)
{
    for (int i = 0; i < 500 && mcp_action_poll(a, tell, NULL); i++) {
        struct timespec ts = {0, 10 * 1000 * 1000};

        nanosleep(&ts, NULL);
    }
    assert_false(mcp_action_running(a));
}

/* Replace "(pid N)" by "(pid X)" in told. */
static void mask_pids(void)
{
    char *p;

    while ((p = strstr(told, "(pid ")) != NULL && p[5] != 'X') {
        char *e = strchr(p, ')');

        memmove(p + 6, e, strlen(e) + 1);
        p[5] = 'X';
    }
}

static void test_action(void **state)
{
    struct mcp_config c;
    struct mcp_action *a;
    char exe[256];
    FILE *f;

    (void)state;
    mktmp();
    conf_init(&c);
    /* A stand-in for mcplog: what `mcplog cleanup` writes, on stderr. */
    snprintf(exe, sizeof(exe), "%s/fake", tmp);
    f = fopen(exe, "w");
    assert_non_null(f);
    fputs("#!/bin/sh\n"
          "echo \"table on stdout: not told\"\n"
          "echo \"mcplog: cleanup: args $*\" >&2\n"
          "printf 'mcplog: cleanup: 12: SIGTERM sent\\nlast line' >&2\n"
          "exit 3\n", f);
    fclose(f);
    assert_int_equal(chmod(exe, 0700), 0);
    a = mcp_action_create(&c, exe);

    told[0] = '\0';
    assert_false(mcp_action_cleanup(a, "r1", 1000, tell, NULL));
    assert_string_equal(told, "cleanup action of r1: off (cleanup: {enabled: "
                              "true} in mcplog.yaml turns it on)\n");

    c.proc.cleanup.enabled = true;
    told[0] = '\0';
    assert_true(mcp_action_cleanup(a, "r1", 1000, tell, NULL));
    assert_true(mcp_action_running(a));
    assert_false(mcp_action_cleanup(a, "r2", 1001, tell, NULL));
    wait_done(a);
    mask_pids();
    assert_string_equal(told,
        "cleanup action of r1: started mcplog cleanup --dry-run (pid X)\n"
        "cleanup action of r2: skipped, the one started by r1 is still "
        "running\n"
        "cleanup: args cleanup --yes --dry-run\n"
        "cleanup: 12: SIGTERM sent\n"
        "cleanup: last line\n"
        "cleanup action of r1: mcplog cleanup exited with status 3\n");

    told[0] = '\0';
    assert_false(mcp_action_cleanup(a, "r2", 1000 + 599999, tell, NULL));
    assert_string_equal(told, "cleanup action of r2: skipped, the last one "
                              "started 9m59s ago (at most one per 10m)\n");

    c.proc.cleanup.dry_run = false;
    c.path = "/x/mcplog.yaml";
    told[0] = '\0';
    assert_true(mcp_action_cleanup(a, "r2", 1000 + 600000, tell, NULL));
    wait_done(a);
    mask_pids();
    assert_string_equal(told,
        "cleanup action of r2: started mcplog cleanup (pid X)\n"
        "cleanup: args cleanup --yes --config /x/mcplog.yaml\n"
        "cleanup: 12: SIGTERM sent\n"
        "cleanup: last line\n"
        "cleanup action of r2: mcplog cleanup exited with status 3\n");
    mcp_action_destroy(a, 0, tell, NULL);

    /* A program that cannot be run is told, not fatal. (Under valgrind
     * posix_spawn forks and the child's exec fails: exit 127.) */
    a = mcp_action_create(&c, "/nonexistent/mcplog");
    told[0] = '\0';
    if (mcp_action_cleanup(a, "r3", 1, tell, NULL)) {
        wait_done(a);
        mask_pids();
        assert_string_equal(told, "cleanup action of r3: started mcplog "
                                  "cleanup (pid X)\n"
                                  "cleanup action of r3: mcplog cleanup "
                                  "exited with status 127\n");
    } else {
        assert_string_equal(told, "cleanup action of r3: cannot run "
                                  "/nonexistent/mcplog: No such file or "
                                  "directory\n");
    }
    mcp_action_destroy(a, 0, tell, NULL);
    c.path = NULL;
    mcp_procconf_free(&c.proc);
    rmtmp();
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_ok),
        cmocka_unit_test(test_thresholds),
        cmocka_unit_test(test_processes_min),
        cmocka_unit_test(test_ranking),
        cmocka_unit_test(test_unknowns),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_age),
        cmocka_unit_test(test_dir_size),
        cmocka_unit_test(test_probes_lines),
        cmocka_unit_test(test_action),
    };

    char err[MCP_ERRLEN] = "";

    /* Never run as anything's child with arguments: were the action ever
     * to start this program in place of mcplog, it must not run the tests
     * (and start itself) again. */
    if (argc > 1) {
        fprintf(stderr, "%s: takes no arguments\n", argv[0]);
        return 2;
    }
    if (mcp_time_set_tz("UTC", err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
