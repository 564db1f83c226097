/* test_format.c - unit tests for the format stage (analyzer/input/
 * format*.c): a client's records in, record lines out, read 7 bytes at a
 * time so that every record spans reads. The inputs are the real lines
 * of CLIENT-LOGS.md and tests/client (Claude Code 2.1.197, Claude Desktop
 * as published), some made hostile. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/timeparse.h"
#include "base/util.h"
#include "input/format.h"

struct src {
    const char *p;
    size_t n, pos;
};

static ssize_t rd(void *a, char *b, size_t cap, char *err)
{
    struct src *s = a;
    size_t k = s->n - s->pos;

    (void)err;
    if (k > cap)
        k = cap;
    if (k > 7)
        k = 7;
    memcpy(b, s->p + s->pos, k);
    s->pos += k;
    return (ssize_t)k;
}

/* The record lines of in read as fmt, tabs shown as '|', and the stats. */
static char *run(enum mcp_format fmt, const char *server, const char *in,
                 struct mcp_fmt_stats *st)
{
    struct src s = {in, strlen(in), 0};
    struct mcp_fmt *f = mcp_fmt_create(fmt, server, false, rd, &s);
    struct mcp_buf out;
    char buf[100], err[MCP_ERRLEN];
    ssize_t n;

    mcp_buf_init(&out);
    while ((n = mcp_fmt_read(f, buf, sizeof(buf), err)) > 0)
        for (ssize_t i = 0; i < n; i++)
            mcp_buf_putc(&out, buf[i] == '\t' ? '|' : buf[i]);
    assert_int_equal(n, 0);
    mcp_fmt_stats(f, st);
    mcp_fmt_destroy(f);
    mcp_buf_putc(&out, '\0');
    return mcp_buf_steal(&out);
}

#define EXPECT(fmt, server, in, want, nrec, nbad, nskip)                    \
    do {                                                                   \
        struct mcp_fmt_stats st_;                                          \
        char *got_ = run((fmt), (server), (in), &st_);                     \
        assert_string_equal(got_, (want));                                 \
        assert_int_equal(st_.records, (nrec));                             \
        assert_int_equal(st_.bad, (nbad));                                 \
        assert_int_equal(st_.skipped, (nskip));                            \
        free(got_);                                                        \
    } while (0)

/* Claude Code's connection log: the field map, the server's stderr split
 * into its own lines (its own time), a hostile session, bad lines, and
 * mcplog's slow-connect record. */
static void test_jsonl(void **state)
{
    (void)state;
    EXPECT(MCP_FMT_CC_JSONL, "hestai",
           "{\"debug\":\"Starting connection with timeout of 3000ms\","
           "\"timestamp\":\"2026-12-06T23:37:46.208Z\",\"sessionId\":\"s\\t1\","
           "\"cwd\":\"/p\"}\n"
           "{\"error\":\"Server stderr: 2026-12-06 23:37:46,440 - root - INFO"
           " - Process PID: 32658\\nTraceback (most recent call last):\\n\\tx"
           "\\n\",\"timestamp\":\"2026-12-06T23:37:46.450Z\",\"sessionId\":"
           "\"s1\"}\n"
           "{\"debug\":\"Successfully connected (transport: stdio) in 1245ms\","
           "\"timestamp\":\"2026-12-06T23:37:47.450Z\",\"sessionId\":\"s1\"}\n"
           "not json\n{\"debug\":5}\n",
           "2026-12-06T23:37:46.208Z|debug|hestai|s 1|Starting connection with timeout of 3000ms\n"
           "2026-12-06T23:37:46.450Z|error|hestai|s1|Server stderr:\n"
           "2026-12-06T23:37:46.440Z|stderr|hestai|s1|2026-12-06 23:37:46,440 - root - INFO - Process PID: 32658\n"
           "Traceback (most recent call last):\n"
           " x\n"
           "2026-12-06T23:37:47.450Z|debug|hestai|s1|Successfully connected (transport: stdio) in 1245ms\n"
           "2026-12-06T23:37:47.450Z|mcplog|hestai|s1|Slow connect: 1245 ms, more than a third of the 3000 ms limit\n",
           3, 2, 0);
}

/* A failed start gets that start's stderr attached (tab-marked lines). */
static void test_attach(void **state)
{
    (void)state;
    EXPECT(MCP_FMT_CC_JSONL, "crash",
           "{\"debug\":\"Starting connection with timeout of 3000ms\","
           "\"timestamp\":\"2026-12-06T23:37:46.208Z\",\"sessionId\":\"s1\"}\n"
           "{\"error\":\"Server stderr: crash starting\\nTraceback (most recent"
           " call last):\\nModuleNotFoundError: x\\n\",\"timestamp\":"
           "\"2026-12-06T23:37:46.300Z\",\"sessionId\":\"s1\"}\n"
           "{\"error\":\"Connection failed: MCP error -32000: Connection "
           "closed\",\"timestamp\":\"2026-12-06T23:37:46.301Z\",\"sessionId\":"
           "\"s1\"}\n",
           "2026-12-06T23:37:46.208Z|debug|crash|s1|Starting connection with timeout of 3000ms\n"
           "2026-12-06T23:37:46.300Z|error|crash|s1|Server stderr:\n"
           "2026-12-06T23:37:46.300Z|stderr|crash|s1|crash starting\n"
           "Traceback (most recent call last):\n"
           "ModuleNotFoundError: x\n"
           "2026-12-06T23:37:46.301Z|error|crash|s1|Connection failed: MCP error -32000: Connection closed\n"
           "|crash starting\n"
           "|Traceback (most recent call last):\n"
           "|ModuleNotFoundError: x\n",
           3, 0, 0);
}

/* Claude Desktop's per-server log: raw stderr lines, the metadata dump
 * dropped, a name with brackets. */
static void test_desktop_server(void **state)
{
    (void)state;
    EXPECT(MCP_FMT_DESKTOP_SERVER, "kicad",
           "2025-11-05T00:59:50.493Z [kicad] [info] Initializing server...\n"
           "Traceback (most recent call last):\n"
           "ModuleNotFoundError: No module named 'pcbnew'\n"
           "2025-11-05T00:59:50.916Z [kicad] [info] Server transport closed "
           "unexpectedly, this is likely\n"
           "2026-03-10T15:20:23.205Z [Hello [x]] [info] Shutting down "
           "server... { metadata: undefined }\n",
           "2025-11-05T00:59:50.493Z|info|kicad||Initializing server...\n"
           "2025-11-05T00:59:50.493Z|stderr|kicad||Traceback (most recent call last):\n"
           "ModuleNotFoundError: No module named 'pcbnew'\n"
           "2025-11-05T00:59:50.916Z|info|kicad||Server transport closed unexpectedly, this is likely\n"
           "|Traceback (most recent call last):\n"
           "|ModuleNotFoundError: No module named 'pcbnew'\n"
           "2026-03-10T15:20:23.205Z|info|Hello [x]||Shutting down server...\n",
           3, 0, 0);
}

/* Claude Code's --debug log (only its MCP server lines) and Claude
 * Desktop's mcp.log, 2025 and 2024 wordings. */
static void test_bracketed(void **state)
{
    (void)state;
    EXPECT(MCP_FMT_CC_DEBUG, NULL,
           "2026-12-06T23:37:46.208Z [DEBUG] MCP server \"hestai\": Starting "
           "connection with timeout of 3000ms\n"
           "2026-12-06T23:37:46.450Z [ERROR] MCP server \"hestai\" Server "
           "stderr: a\nb\n"
           "2026-12-06T23:37:46.460Z [DEBUG] other\n",
           "2026-12-06T23:37:46.208Z|debug|hestai||Starting connection with timeout of 3000ms\n"
           "2026-12-06T23:37:46.450Z|error|hestai||Server stderr:\n"
           "2026-12-06T23:37:46.450Z|stderr|hestai||a\n"
           "b\n",
           2, 0, 1);
    EXPECT(MCP_FMT_DESKTOP, NULL,
           "2025-11-05T00:59:50.916Z [error] [kicad] Server disconnected.\n"
           "2024-11-28T09:27:43.719Z [info] Attempting to connect to MCP "
           "server neo4j...\n",
           "2025-11-05T00:59:50.916Z|error|kicad||Server disconnected.\n"
           "2024-11-28T09:27:43.719Z|info|neo4j||Attempting to connect to MCP server neo4j...\n",
           2, 0, 0);
}

/* Transcripts: only a user message holding a reconnect result. */
static void test_transcript(void **state)
{
    (void)state;
    EXPECT(MCP_FMT_CC_TRANSCRIPT, NULL,
           "{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":"
           "\"<local-command-stdout>Failed to reconnect to crash: -32000"
           "</local-command-stdout>\"},\"timestamp\":\"2026-12-07T03:14:52.124Z\","
           "\"sessionId\":\"s\"}\n"
           "{\"type\":\"assistant\",\"message\":{\"content\":\"Failed to "
           "reconnect to nothing\"}}\n"
           "{\"type\":\"user\",\"message\":{\"content\":\"hello\"}}\n",
           "2026-12-07T03:14:52.124Z|info||s|<local-command-stdout>Failed to reconnect to crash: -32000</local-command-stdout>\n",
           1, 0, 1);
}

/* A record line taken apart. */
static void test_split(void **state)
{
    const char *l = "2026-12-06T23:37:46.450Z\terror\tcrash\ts1\tConnection failed: x";
    struct mcp_record r;
    int64_t t;

    (void)state;
    assert_true(mcp_record_split(l, strlen(l), &r));
    assert_int_equal(mcp_time_parse_iso("2026-12-06T23:37:46.450Z", 24, &t), 24);
    assert_int_equal(r.ts, t);
    assert_int_equal(r.level_len, 5);
    assert_memory_equal(r.level, "error", 5);
    assert_memory_equal(r.server, "crash", 5);
    assert_memory_equal(r.session, "s1", 2);
    assert_int_equal(r.text_len, strlen("Connection failed: x"));
    assert_false(mcp_record_split("2026-12-06 23:37:46,440 - root - INFO - x",
                                  41, &r));
    assert_int_equal(mcp_format_parse("claude-desktop-server"),
                     MCP_FMT_DESKTOP_SERVER);
    assert_int_equal(mcp_format_parse("claude"), -1);
}

int main(void)
{
    char err[MCP_ERRLEN] = "";
    /* The server's own naive times are read in TZ: fix it. */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jsonl),
        cmocka_unit_test(test_attach),
        cmocka_unit_test(test_desktop_server),
        cmocka_unit_test(test_bracketed),
        cmocka_unit_test(test_transcript),
        cmocka_unit_test(test_split),
    };

    if (mcp_time_set_tz("UTC", err) != 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
