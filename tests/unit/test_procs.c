/* test_procs.c - the server-process matcher's argv, exe and cwd rules
 * (the python rule: test_procmatch.c), the server/health/cleanup/probes
 * config, sizes, the keeper choice, and discovery's exclusion of
 * mcplog's own family. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

#include "proc/cleanup.h"
#include "base/path.h"
#include "conf/procconf.h"
#include "proc/procs.h"
#include "proctest.h"
#include "base/util.h"

static void test_argv_anchored(void **state)
{
    struct mcp_procconf pc;
    char err[MCP_ERRLEN];

    (void)state;
    assert_int_equal(load(&pc,
                          "server:\n"
                          "  match:\n"
                          "    - {argv: 'a|b'}\n"
                          "    - {argv: '/opt/zen/bin/zen-mcp-server( .*)?'}\n",
                          err),
                     0);
    assert_false(pc.server.match_default);
    assert_int_equal(match(&pc, NULL, "/opt/zen/bin/zen-mcp-server", "/",
                           "argv matches pattern 2",
                           A("/opt/zen/bin/zen-mcp-server")), 1);
    assert_int_equal(match(&pc, NULL, "/x", "/", NULL,
                           A("/opt/zen/bin/zen-mcp-server", "--port", "7")),
                     1);
    /* the pattern only as a substring, or a prefix of a longer name */
    assert_int_equal(match(&pc, NULL, "/bin/sh", "/", NULL,
                           A("sh", "-c", "/opt/zen/bin/zen-mcp-server")), -1);
    assert_int_equal(match(&pc, NULL, "/x", "/", NULL,
                           A("/opt/zen/bin/zen-mcp-server-decoy")), -1);
    assert_int_equal(match(&pc, NULL, "/x", "/", NULL,
                           A("x/opt/zen/bin/zen-mcp-server")), -1);
    /* an alternation is anchored as a whole */
    assert_int_equal(match(&pc, NULL, "/x", "/", "argv matches pattern 1",
                           A("a")), 0);
    assert_int_equal(match(&pc, NULL, "/x", "/", NULL, A("xa")), -1);
    assert_int_equal(match(&pc, NULL, "/x", "/", NULL, A("ab")), -1);
    assert_int_equal(match(&pc, NULL, "/x", "/", NULL, A("b", "")), -1);
    /* no argv (kernel thread, cleared cmdline) never matches */
    assert_int_equal(match(&pc, NULL, "/x", "/", NULL, A(NULL)), -1);
    mcp_procconf_free(&pc);
}

static void test_exe_and_cwd(void **state)
{
    struct mcp_procconf pc;
    char err[MCP_ERRLEN];

    (void)state;
    assert_int_equal(load(&pc,
                          "server:\n"
                          "  dir: /srv/hestai/\n"
                          "  match:\n"
                          "    - {exe: /usr/local/bin/zen-mcp-server}\n"
                          "    - {cwd: true}\n",
                          err),
                     0);
    assert_string_equal(pc.server.dir, "/srv/hestai/");
    assert_string_equal(pc.server.logs, "/srv/hestai/logs");
    assert_int_equal(match(&pc, DIR_, "/usr/local/bin/zen-mcp-server", "/",
                           "exe is /usr/local/bin/zen-mcp-server",
                           A("whatever")), 0);
    assert_int_equal(match(&pc, DIR_,
                           "/usr/local/bin/zen-mcp-server (deleted)", "/",
                           NULL, A("x")), 0);
    assert_int_equal(match(&pc, DIR_, "/usr/local/bin/zen-mcp-server2", "/",
                           NULL, A("x")), -1);
    assert_int_equal(match(&pc, DIR_, "/usr/local/bin/zen-mcp-serve", "/",
                           NULL, A("x")), -1);
    assert_int_equal(match(&pc, DIR_, "/opt/usr/local/bin/zen-mcp-server",
                           "/", NULL, A("x")), -1);
    /* cwd: any python whose cwd is exactly DIR */
    assert_int_equal(match(&pc, DIR_, PY, DIR_,
                           "python3.11 with cwd /srv/hestai",
                           A("python3", "-m", "hestai")), 1);
    assert_int_equal(match(&pc, DIR_, PY, "/srv/hestai/logs", NULL,
                           A("python3", "-m", "hestai")), -1);
    assert_int_equal(match(&pc, DIR_, PY, "/srv/hestai2", NULL,
                           A("python3", "-m", "hestai")), -1);
    assert_int_equal(match(&pc, DIR_, "/usr/bin/bash", DIR_, NULL,
                           A("bash")), -1);
    mcp_procconf_free(&pc);
}

static void expect_error(const char *text, const char *want)
{
    struct mcp_procconf pc;
    char err[MCP_ERRLEN];

    assert_int_equal(load(&pc, text, err), -1);
    assert_string_equal(err, want);
    mcp_procconf_free(&pc);
}

static void test_config_errors(void **state)
{
    (void)state;
    expect_error("server: {dri: /x}\n",
                 "t.yaml:1:10: server: unknown key 'dri' (did you mean "
                 "'dir'?)");
    expect_error("server: {dir: srv}\n",
                 "t.yaml:1:15: server: dir must be an absolute path or "
                 "start with ~/, not 'srv'");
    expect_error("server:\n  match:\n    - {argv: 'ab(c'}\n",
                 "t.yaml:3:19: argv pattern error at offset 4: missing "
                 "closing parenthesis");
    expect_error("server:\n  match:\n    - {python: server.py, cwd: true}\n",
                 "t.yaml:3:7: server: match entry has both 'python' and "
                 "'cwd': write one per entry");
    expect_error("server:\n  match:\n    - {cwd: false}\n",
                 "t.yaml:3:13: cwd: must be true (drop the entry to turn it "
                 "off)");
    expect_error("server:\n  match:\n    - {python: /abs/server.py}\n",
                 "t.yaml:3:16: python: '/abs/server.py' must be a script "
                 "path relative to server: dir (such as server.py)");
    expect_error("server:\n  match: []\n",
                 "t.yaml:2:10: server: match is empty (leave it out for the "
                 "default)");
    expect_error("health: {rss_warn: 5XB}\n",
                 "t.yaml:1:20: rss_warn: bad size '5XB': unknown unit 'XB' "
                 "(use B, KB, MB, GB, TB, KiB, MiB, GiB or TiB)");
    /* A bare number is no longer bytes: a unit is required, as for
     * durations (issue 13: rss_warn: 500 was 500 bytes). */
    expect_error("health:\n  rss_warn: 500\n",
                 "t.yaml:2:13: rss_warn: bad size '500': a unit is required, "
                 "such as 500MB or 500MiB (B, KB, MB, GB, TB, KiB, MiB, GiB "
                 "or TiB)");
    expect_error("health: {log_dir_warn: 0}\n",
                 "t.yaml:1:24: log_dir_warn: bad size '0': a unit is "
                 "required, such as 0MB or 0MiB (B, KB, MB, GB, TB, KiB, MiB, "
                 "GiB or TiB)");
    expect_error("health: {min_processes: 3}\n",
                 "t.yaml:1:25: health: min_processes (3) is above "
                 "max_processes (2)");
    expect_error("health: {restarts: {count: -1}}\n",
                 "t.yaml:1:28: count must be an integer from 0 to 1000000, "
                 "not '-1'");
    expect_error("cleanup: {keep: 1234}\n",
                 "t.yaml:1:17: keep must be newest or oldest, not '1234'");
    expect_error("cleanup: {grace: 5}\n",
                 "t.yaml:1:18: grace: bad duration '5': a unit is required "
                 "(ms, s, m, h, d, w)");
    expect_error("probes: {interval: 10ms}\n",
                 "t.yaml:1:20: interval must be at least 100ms");
}

static void test_config_values(void **state)
{
    struct mcp_procconf pc;
    char err[MCP_ERRLEN];

    (void)state;
    /* defaults */
    assert_int_equal(load(&pc, "", err), 0);
    assert_null(pc.server.dir);
    assert_null(pc.server.logs);
    assert_false(pc.server.all_users);
    assert_int_equal(pc.health.max_processes, 2);
    assert_int_equal(pc.health.min_processes, 1);
    assert_int_equal(pc.health.rss_warn, 500000000ULL);
    assert_int_equal(pc.health.restarts_count, 1);
    assert_int_equal(pc.health.restarts_window_ms, 7LL * 86400 * 1000);
    assert_int_equal(pc.health.reconnects_count, 5);
    assert_int_equal(pc.health.reconnects_window_ms, 3600 * 1000);
    assert_int_equal(pc.health.log_dir_warn, 1ULL << 30);
    assert_int_equal(pc.health.newest_line_warn_ms, 3600 * 1000);
    assert_false(pc.cleanup.enabled);
    assert_true(pc.cleanup.dry_run);
    assert_int_equal(pc.cleanup.keep, MCP_KEEP_NEWEST);
    assert_true(pc.cleanup.prefer_writer);
    assert_int_equal(pc.cleanup.writer_window_ms, 300000);
    assert_int_equal(pc.cleanup.grace_ms, 5000);
    assert_int_equal(pc.cleanup.min_interval_ms, 600000);
    assert_true(pc.probes.enabled);
    assert_int_equal(pc.probes.interval_ms, 30000);
    mcp_procconf_free(&pc);
    /* everything given */
    setenv("HOME", "/home/u", 1);
    assert_int_equal(load(&pc,
                          "server: {dir: ~/srv, logs: /var/log/mcp, "
                          "all_users: yes}\n"
                          "health: {max_processes: 3, min_processes: 0, "
                          "rss_warn: 1GiB, restarts: {count: 2, window: 1d}, "
                          "reconnects: {count: 0, window: 30m}, "
                          "log_dir_warn: 512KiB, newest_line_warn: off}\n"
                          "cleanup: {enabled: true, dry_run: false, keep: "
                          "oldest, prefer_writer: false, writer_window: 1m, "
                          "grace: 0s, min_interval: 1h}\n"
                          "probes: {enabled: false, interval: 200ms}\n",
                          err),
                     0);
    assert_string_equal(pc.server.dir, "/home/u/srv");
    assert_string_equal(pc.server.logs, "/var/log/mcp");
    assert_true(pc.server.all_users);
    assert_int_equal(pc.health.max_processes, 3);
    assert_int_equal(pc.health.min_processes, 0);
    assert_int_equal(pc.health.rss_warn, 1ULL << 30);
    assert_int_equal(pc.health.restarts_count, 2);
    assert_int_equal(pc.health.restarts_window_ms, 86400 * 1000);
    assert_int_equal(pc.health.reconnects_count, 0);
    assert_int_equal(pc.health.reconnects_window_ms, 1800 * 1000);
    assert_int_equal(pc.health.log_dir_warn, 512 * 1024);
    assert_int_equal(pc.health.newest_line_warn_ms, 0);
    assert_true(pc.cleanup.enabled);
    assert_false(pc.cleanup.dry_run);
    assert_int_equal(pc.cleanup.keep, MCP_KEEP_OLDEST);
    assert_false(pc.cleanup.prefer_writer);
    assert_int_equal(pc.cleanup.writer_window_ms, 60000);
    assert_int_equal(pc.cleanup.grace_ms, 0);
    assert_int_equal(pc.cleanup.min_interval_ms, 3600000);
    assert_false(pc.probes.enabled);
    assert_int_equal(pc.probes.interval_ms, 200);
    mcp_procconf_free(&pc);
}

static void test_sizes(void **state)
{
    uint64_t v = 0;
    char err[MCP_ERRLEN] = "", buf[32];

    (void)state;
    assert_int_equal(mcp_size_parse("500MB", &v, err), 0);
    assert_int_equal(v, 500000000ULL);
    assert_int_equal(mcp_size_parse("1GiB", &v, err), 0);
    assert_int_equal(v, 1073741824ULL);
    assert_int_equal(mcp_size_parse("512KiB", &v, err), 0);
    assert_int_equal(v, 524288);
    assert_int_equal(mcp_size_parse("1.5G", &v, err), 0);
    assert_int_equal(v, 1610612736ULL);
    assert_int_equal(mcp_size_parse("42B", &v, err), 0);
    assert_int_equal(v, 42);
    assert_int_equal(mcp_size_parse("42", &v, err), -1);
    assert_string_equal(err, "bad size '42': a unit is required, such as "
                             "42MB or 42MiB (B, KB, MB, GB, TB, KiB, MiB, GiB "
                             "or TiB)");
    err[0] = '\0';
    assert_int_equal(mcp_size_parse("1.5", &v, err), -1);
    assert_string_equal(err, "bad size '1.5': a unit is required, such as "
                             "1.5MB or 1.5MiB (B, KB, MB, GB, TB, KiB, MiB, "
                             "GiB or TiB)");
    err[0] = '\0';
    assert_int_equal(mcp_size_parse("2 mb", &v, err), 0);
    assert_int_equal(v, 2000000);
    assert_int_equal(mcp_size_parse("MB", &v, err), -1);
    assert_string_equal(err, "bad size 'MB': expected a number such as "
                             "500MB, 1GiB or 512KiB");
    err[0] = '\0';
    assert_int_equal(mcp_size_parse("99999999999999999999", &v, err), -1);
    assert_string_equal(err, "size '99999999999999999999' is too large");
    err[0] = '\0';
    assert_int_equal(mcp_size_parse("20000000TiB", &v, err), -1);
    assert_string_equal(err, "size '20000000TiB' is too large");
    assert_string_equal(mcp_size_format(512, buf, sizeof(buf)), "512 B");
    assert_string_equal(mcp_size_format(1536, buf, sizeof(buf)), "1.5 KiB");
    assert_string_equal(mcp_size_format(612ULL << 20, buf, sizeof(buf)),
                        "612 MiB");
    assert_string_equal(mcp_proc_age_format(5000, buf, sizeof(buf)), "5s");
    assert_string_equal(mcp_proc_age_format(725000, buf, sizeof(buf)),
                        "12m05s");
    assert_string_equal(mcp_proc_age_format(4 * 3600000LL + 720000, buf,
                                            sizeof(buf)),
                        "4h12m");
    assert_string_equal(mcp_proc_age_format(3 * 86400000LL + 4 * 3600000LL,
                                            buf, sizeof(buf)),
                        "3d04h");
}

static void test_paths(void **state)
{
    char *p;

    (void)state;
    setenv("HOME", "/home/u/", 1);
    p = mcp_path_expand("~/srv");
    assert_string_equal(p, "/home/u/srv");
    free(p);
    p = mcp_path_expand("~");
    assert_string_equal(p, "/home/u");
    free(p);
    assert_null(mcp_path_expand("~other/srv"));
    assert_null(mcp_path_expand("srv"));
    assert_null(mcp_path_expand(""));
    p = mcp_path_normalize("//a/./b//../c/");
    assert_string_equal(p, "/a/c");
    free(p);
    p = mcp_path_normalize("/../..");
    assert_string_equal(p, "/");
    free(p);
}

/* The keeper: newest / oldest / PID; the processes with the current log
 * open for writing (changed within writer_window) preferred, ties among
 * them by start time, no matter who appended last. */
static void test_choose(void **state)
{
    struct mcp_proc v[4];
    struct mcp_cleanup_opts o;
    char err[MCP_ERRLEN] = "", *why = NULL;

    (void)state;
    choose_setup(v, &o);
    assert_int_equal(mcp_cleanup_choose(v, 3, &o, &why, err), 2);
    assert_string_equal(why, "newest");
    free(why);
    o.keep = MCP_KEEP_OLDEST;
    assert_int_equal(mcp_cleanup_choose(v, 3, &o, &why, err), 0);
    assert_string_equal(why, "oldest");
    free(why);
    /* the middle one has the log open for writing, changed 3 s ago */
    v[1].log_open_write = true;
    v[1].log_modified_age_ms = 3000;
    o.keep = MCP_KEEP_NEWEST;
    assert_int_equal(mcp_cleanup_choose(v, 3, &o, &why, err), 1);
    assert_string_equal(why, "the only process with the current log open "
                             "for writing");
    free(why);
    /* ... but not when the log changed longer ago than writer_window */
    o.writer_window_ms = 2000;
    assert_int_equal(mcp_cleanup_choose(v, 3, &o, &why, err), 2);
    assert_string_equal(why, "newest");
    free(why);
    o.writer_window_ms = 300000;
    o.prefer_writer = false;
    assert_int_equal(mcp_cleanup_choose(v, 3, &o, &why, err), 2);
    assert_string_equal(why, "newest");
    free(why);
    /* three write one log in turns, a fourth (the newest) does not: the
     * newest writer is kept, no matter who appended last (its fd
     * offset at the end: log_write_age_ms), and the reason says what
     * decided */
    o.prefer_writer = true;
    for (int last = 0; last < 3; last++) {
        for (int i = 0; i < 3; i++) {
            v[i].log_open_write = true;
            v[i].log_modified_age_ms = 1000;
            v[i].log_write_age_ms = i == last ? 1000 : -1;
        }
        o.keep = MCP_KEEP_NEWEST;
        assert_int_equal(mcp_cleanup_choose(v, 4, &o, &why, err), 2);
        assert_string_equal(why, "newest of the 3 processes with the "
                                 "current log open for writing");
        free(why);
        o.keep = MCP_KEEP_OLDEST;
        assert_int_equal(mcp_cleanup_choose(v, 4, &o, &why, err), 0);
        assert_string_equal(why, "oldest of the 3 processes with the "
                                 "current log open for writing");
        free(why);
    }
    /* a log open read-only (a tail) is no writing */
    for (int i = 0; i < 3; i++)
        v[i].log_open_write = false;
    o.keep = MCP_KEEP_NEWEST;
    assert_int_equal(mcp_cleanup_choose(v, 4, &o, &why, err), 3);
    assert_string_equal(why, "newest");
    free(why);
    o.keep = MCP_KEEP_PID;
    o.keep_pid = 100;
    assert_int_equal(mcp_cleanup_choose(v, 3, &o, &why, err), 0);
    assert_string_equal(why, "--keep 100");
    free(why);
    o.keep_pid = 99;
    assert_int_equal(mcp_cleanup_choose(v, 3, &o, &why, err), -2);
    assert_string_equal(err, "--keep 99: not a matching server process");
    assert_null(why);
    o.keep = MCP_KEEP_NEWEST;
    assert_int_equal(mcp_cleanup_choose(v, 0, &o, &why, err), -1);
    assert_null(why);
}

/* Discovery never lists this process's children, but does list a
 * process with the same command line that is not ours (a grandchild
 * whose parent exited, reparented away from us). Both are /bin/sh
 * under an argv[0] unique to this run, reading a pipe this test holds:
 * they exit when it is closed (or when the test dies), so nothing here
 * is ever signalled. pidfds are left to the end-to-end test: valgrind
 * does not know pidfd_open. */
static void exec_reader(const char *name, int rfd, int wfd)
{
    dup2(rfd, 0);
    close(rfd);
    close(wfd);
    execl("/bin/sh", name, "-c", "read x", (char *)NULL);
    _exit(127);
}

/* Wait until pid has exec'd: its cmdline starts with name. */
static void wait_exec(pid_t pid, const char *name)
{
    for (int tries = 0; tries < 500; tries++) {
        char path[64], buf[128] = "";
        FILE *f;

        snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
        f = fopen(path, "r");
        if (f != NULL) {
            (void)!fread(buf, 1, sizeof(buf) - 1, f);
            fclose(f);
        }
        if (strcmp(buf, name) == 0)
            return;
        usleep(10000);
    }
}

static void test_find_excludes_own_family(void **state)
{
    struct mcp_procconf pc;
    struct mcp_proc *v = NULL;
    size_t n = 99;
    char err[MCP_ERRLEN] = "", name[64], yaml[256];
    pid_t child, mid, orphan = 0;
    int hold[2], fds[2];

    (void)state;
    snprintf(name, sizeof(name), "mcplog-test-orphan-%d", (int)getpid());
    snprintf(yaml, sizeof(yaml), "server:\n  match:\n    - {argv: '%s -c "
             "read x'}\n", name);
    assert_int_equal(load(&pc, yaml, err), 0);
    assert_int_equal(pipe(hold), 0);
    /* a child: ours, so never a candidate */
    child = fork();
    assert_true(child >= 0);
    if (child == 0)
        exec_reader(name, hold[0], hold[1]);
    wait_exec(child, name);
    assert_int_equal(mcp_procs_find(&pc, false, &v, &n, err), 0);
    assert_int_equal(n, 0);
    mcp_procs_free(v, n);
    /* from a child running this same executable (as follow runs
     * cleanup), the child's sibling is family too */
    assert_int_equal(pipe(fds), 0);
    mid = fork();
    assert_true(mid >= 0);
    if (mid == 0) {
        size_t cn = 99;
        struct mcp_proc *cv = NULL;

        if (mcp_procs_find(&pc, false, &cv, &cn, err) != 0)
            cn = 98;
        (void)!write(fds[1], &cn, sizeof(cn));
        _exit(0);
    }
    close(fds[1]);
    assert_int_equal(read(fds[0], &n, sizeof(n)), (ssize_t)sizeof(n));
    close(fds[0]);
    waitpid(mid, NULL, 0);
    assert_int_equal(n, 0);
    /* an orphan: its parent exits, it lives on (reparented) */
    assert_int_equal(pipe(fds), 0);
    mid = fork();
    assert_true(mid >= 0);
    if (mid == 0) {
        pid_t g = fork();

        if (g == 0) {
            close(fds[0]);
            close(fds[1]);
            exec_reader(name, hold[0], hold[1]);
        }
        (void)!write(fds[1], &g, sizeof(g));
        _exit(0);
    }
    close(fds[1]);
    assert_int_equal(read(fds[0], &orphan, sizeof(orphan)),
                     (ssize_t)sizeof(orphan));
    close(fds[0]);
    waitpid(mid, NULL, 0);
    wait_exec(orphan, name);
    n = 0;
    v = NULL;
    assert_int_equal(mcp_procs_find(&pc, false, &v, &n, err), 0);
    close(hold[0]);
    close(hold[1]); /* EOF: both readers exit */
    waitpid(child, NULL, 0);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].pid, orphan);
    assert_int_equal(v[0].pidfd, -1);
    assert_int_equal(v[0].match_index, 0);
    assert_int_equal(v[0].argc, 3);
    assert_string_equal(v[0].why, "argv matches pattern 1");
    mcp_procs_free(v, n);
    mcp_procconf_free(&pc);
}

static void test_find_needs_dir(void **state)
{
    struct mcp_procconf pc;
    struct mcp_proc *v = NULL;
    size_t n = 0;
    char err[MCP_ERRLEN] = "";

    (void)state;
    assert_int_equal(load(&pc, "", err), 0);
    assert_int_equal(mcp_procs_find(&pc, false, &v, &n, err), -1);
    assert_string_equal(err, "no server directory: give --server-dir DIR "
                             "or set server: dir in mcplog.yaml (the python "
                             "and cwd match rules need it)");
    mcp_procconf_free(&pc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_argv_anchored),
        cmocka_unit_test(test_exe_and_cwd),
        cmocka_unit_test(test_config_errors),
        cmocka_unit_test(test_config_values),
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_paths),
        cmocka_unit_test(test_choose),
        cmocka_unit_test(test_find_excludes_own_family),
        cmocka_unit_test(test_find_needs_dir),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
