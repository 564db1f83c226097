/* test_orphans.c - what a server's parent is (mcp_proc_parent_classify)
 * and the keeper choice when some servers are orphans
 * (mcp_cleanup_choose: a live client first, then the writers, then
 * newest or oldest). The processes themselves: tests/e2e/t_orphans.sh. */
#include "proctest.h"

/* argv and argc of a literal list */
#define AV(...) ((char *const[]){__VA_ARGS__, NULL}), \
    (int)(sizeof((char *const[]){__VA_ARGS__}) / sizeof(char *))

/* The kind of one description, its name compared with want_name. */
static enum mcp_parent_kind kind(pid_t pid, const char *comm, const char *exe,
                                 bool ns_init, const char *want_name,
                                 char *const *argv, int argc)
{
    struct mcp_parent_desc d = {.pid = pid, .comm = comm, .exe = exe,
                                .argv = argv, .argc = argc,
                                .ns_init = ns_init};
    char *name = NULL;
    enum mcp_parent_kind k = mcp_proc_parent_classify(&d, &name);

    assert_non_null(name);
    assert_string_equal(name, want_name);
    free(name);
    return k;
}

static void test_classify(void **state)
{
    (void)state;
    /* the adopters: PID 1, PID 1 of a namespace, the user manager */
    assert_int_equal(kind(1, "process_api", NULL, false, "init",
                          AV("/process_api")), MCP_PARENT_INIT);
    assert_int_equal(kind(4711, "sh", "/usr/bin/dash", true, "init",
                          AV("sh", "-c", "x")), MCP_PARENT_INIT);
    assert_int_equal(kind(1523, "systemd", "/usr/lib/systemd/systemd", false,
                          "systemd", AV("/lib/systemd/systemd", "--user")),
                     MCP_PARENT_SUBREAPER);
    assert_int_equal(kind(1523, "systemd", NULL, false, "systemd",
                          AV("/lib/systemd/systemd", "--user")),
                     MCP_PARENT_SUBREAPER);
    /* Claude Code as observed (2.1.197: the native binary), as node
     * running cli.js, and known by comm alone */
    assert_int_equal(kind(20669, "claude",
                          "/opt/t/npm/node_modules/@anthropic-ai/claude-code/"
                          "bin/claude.exe", false, "claude",
                          AV("/opt/t/npm/node_modules/.bin/claude", "mcp",
                            "list")), MCP_PARENT_CLIENT);
    assert_int_equal(kind(300, "node", "/usr/bin/node", false, "claude",
                          AV("node", "/usr/lib/node_modules/@anthropic-ai/"
                                    "claude-code/cli.js")),
                     MCP_PARENT_CLIENT);
    assert_int_equal(kind(301, "claude", NULL, false, "claude", AV("claude")),
                     MCP_PARENT_CLIENT);
    /* Claude desktop */
    assert_int_equal(kind(302, "electron",
                          "/usr/lib/claude-desktop/node_modules/electron/dist/"
                          "electron", false, "Claude",
                          AV("/usr/lib/claude-desktop/node_modules/electron/"
                            "dist/electron",
                            "/usr/lib/claude-desktop/app.asar")),
                     MCP_PARENT_CLIENT);
    assert_int_equal(kind(303, "claude-desktop", "/opt/Claude/claude-desktop",
                          false, "Claude", AV("/opt/Claude/claude-desktop")),
                     MCP_PARENT_CLIENT);
    /* shells and launchers, named by what they run */
    assert_int_equal(kind(310, "run-server.sh", "/usr/bin/bash", false, "bash",
                          AV("/bin/bash", "./run-server.sh")),
                     MCP_PARENT_SHELL);
    assert_int_equal(kind(311, "zsh", NULL, false, "zsh", AV("-zsh")),
                     MCP_PARENT_SHELL);
    assert_int_equal(kind(312, "uv", "/home/u/.local/bin/uv", false, "uv",
                          AV("uv", "run", "server.py")), MCP_PARENT_LAUNCHER);
    assert_int_equal(kind(313, "node", "/usr/bin/node", false, "npx",
                          AV("node", "/usr/bin/npx", "-y", "srv")),
                     MCP_PARENT_LAUNCHER);
    /* anything else is a live parent mcplog does not know, by comm */
    assert_int_equal(kind(320, "cursor", "/usr/share/cursor/cursor", false,
                          "cursor", AV("/usr/share/cursor/cursor")),
                     MCP_PARENT_OTHER);
    assert_int_equal(kind(321, NULL, "/opt/x/helper", false, "helper",
                          AV("helper")), MCP_PARENT_OTHER);
    assert_int_equal(kind(322, NULL, NULL, false, "?", NULL, 0),
                     MCP_PARENT_OTHER);
    /* near names are not the client, the manager or a shell */
    assert_int_equal(kind(330, "node", "/usr/bin/node", false, "node",
                          AV("node", "/x/claude-code/cli.js.bak")),
                     MCP_PARENT_OTHER);
    assert_int_equal(kind(331, "claudex", "/usr/bin/claudex", false,
                          "claudex", AV("claudex")), MCP_PARENT_OTHER);
    assert_int_equal(kind(332, "systemd-journal",
                          "/usr/lib/systemd/systemd-journald", false,
                          "systemd-journal", AV("systemd-journald")),
                     MCP_PARENT_OTHER);
    assert_int_equal(kind(333, "bashful", "/opt/bashful", false, "bashful",
                          AV("bashful")), MCP_PARENT_OTHER);
    assert_string_equal(mcp_parent_kind_name(MCP_PARENT_UNKNOWN), "unknown");
    assert_string_equal(mcp_parent_kind_name(MCP_PARENT_CLIENT), "client");
    assert_string_equal(mcp_parent_kind_name(MCP_PARENT_SHELL), "shell");
    assert_string_equal(mcp_parent_kind_name(MCP_PARENT_LAUNCHER),
                        "launcher");
    assert_string_equal(mcp_parent_kind_name(MCP_PARENT_INIT), "init");
    assert_string_equal(mcp_parent_kind_name(MCP_PARENT_SUBREAPER),
                        "subreaper");
    assert_string_equal(mcp_parent_kind_name(MCP_PARENT_OTHER), "other");
}

/* Choose among v[0..n) and check the index and the reason. */
static void chose(const struct mcp_proc *v, size_t n,
                  const struct mcp_cleanup_opts *o, long want,
                  const char *want_reason)
{
    char err[MCP_ERRLEN] = "", *why = NULL;

    assert_int_equal(mcp_cleanup_choose(v, n, o, &why, err), want);
    assert_string_equal(why, want_reason);
    free(why);
}

/* v[0], v[1] have a live client, v[2], v[3] are orphans, oldest first. */
static void test_choose_orphans(void **state)
{
    struct mcp_proc v[4];
    struct mcp_cleanup_opts o;

    (void)state;
    choose_setup(v, &o);
    v[2].orphan = v[3].orphan = true;
    chose(v, 4, &o, 1, "newest of the 2 processes with a live client");
    o.keep = MCP_KEEP_OLDEST;
    chose(v, 4, &o, 0, "oldest of the 2 processes with a live client");
    o.keep = MCP_KEEP_NEWEST;
    chose(v, 3, &o, 1, "newest of the 2 processes with a live client");
    /* one live client among orphans */
    v[1].orphan = true;
    chose(v, 4, &o, 0, "the only process with a live client");
    /* all orphans: the rule does not narrow */
    v[0].orphan = true;
    chose(v, 4, &o, 3, "newest");
    /* no orphan: as before */
    for (int i = 0; i < 4; i++)
        v[i].orphan = false;
    chose(v, 4, &o, 3, "newest");
    /* the newest orphan writes the log (and wrote last), the oldest live
     * one too: the live one */
    v[2].orphan = v[3].orphan = true;
    v[3].log_open_write = true;
    v[3].log_modified_age_ms = 100;
    v[3].log_write_age_ms = 100;
    chose(v, 4, &o, 1, "newest of the 2 processes with a live client");
    v[0].log_open_write = true;
    v[0].log_modified_age_ms = 100;
    chose(v, 4, &o, 0, "the only process with a live client and the current "
                       "log open for writing");
    v[1].log_open_write = true;
    v[1].log_modified_age_ms = 200;
    chose(v, 4, &o, 1, "newest of the 2 processes with a live client and the "
                       "current log open for writing");
    /* without the writer rule: the newest live one */
    o.prefer_writer = false;
    v[1].log_open_write = false;
    chose(v, 4, &o, 1, "newest of the 2 processes with a live client");
    /* --keep PID keeps an orphan when told */
    o.keep = MCP_KEEP_PID;
    o.keep_pid = 103;
    chose(v, 4, &o, 3, "--keep 103");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classify),
        cmocka_unit_test(test_choose_orphans),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
