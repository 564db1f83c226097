/* test_jsonrpc.c - unit tests for analyzer/base/jsonrpc.c: the bounded
 * reader of `mcplog mcp`, the message kinds and errors, the writers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "base/jsonrpc.h"
#include "base/util.h"

/* Every message the reader gives for the stream s fed n bytes at a
 * time, one "kind code id method" line each, into out. */
static void run(const char *s, size_t bound, size_t piece, char *out,
                size_t len)
{
    struct mcp_rpc_reader *r = mcp_rpc_reader_create(bound);
    struct mcp_rpc_msg m;
    struct mcp_buf b;
    size_t n = strlen(s);

    mcp_buf_init(&b);
    for (size_t i = 0; i < n + piece; i += piece) {
        if (i < n)
            mcp_rpc_reader_feed(r, s + i, n - i < piece ? n - i : piece);
        else
            mcp_rpc_reader_eof(r);
        while (mcp_rpc_reader_next(r, &m) == 1) {
            mcp_buf_printf(&b, "%d %d ", (int)m.kind, m.code);
            if (m.id != NULL)
                mcp_rpc_write(&b, m.id);
            else
                mcp_buf_puts(&b, "-");
            mcp_buf_printf(&b, " %s|", m.method ? m.method : "-");
            mcp_rpc_msg_free(&m);
        }
    }
    snprintf(out, len, "%s", b.data ? b.data : "");
    mcp_buf_free(&b);
    mcp_rpc_reader_destroy(r);
}

static void test_kinds(void **state)
{
    char out[1024];
    const char *s =
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\n"
        "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\r\n"
        "\n   \n"
        "{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"result\":{}}\n"
        "{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"method\":\"tools/list\"}";

    (void)state;
    for (size_t piece = 1; piece <= 200; piece += 199) {
        run(s, 0, piece, out, sizeof(out));
        assert_string_equal(out, "0 0 1 ping|1 0 - notifications/initialized|"
                                 "2 0 \"a\" -|0 0 \"x\" tools/list|");
    }
}

static void test_errors(void **state)
{
    char out[1024];

    (void)state;
    run("nope\n[1]\n\"s\"\n{\"jsonrpc\":\"1.0\",\"id\":2,\"method\":\"m\"}\n"
        "{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"m\"}\n"
        "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"m\"}\n"
        "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":4}\n"
        "{\"jsonrpc\":\"2.0\",\"id\":4}\n"
        "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"m\"} x\n"
        "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"\xff\"}\n",
        0, 7, out, sizeof(out));
    assert_string_equal(out, "3 -32700 - -|3 -32600 - -|3 -32600 - -|"
                             "3 -32600 2 -|3 -32600 - m|3 -32600 - m|"
                             "3 -32600 3 -|3 -32600 4 -|3 -32700 - -|"
                             "3 -32700 - -|");
}

static void test_too_large(void **state)
{
    char out[1024], big[200];

    (void)state;
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    {
        char s[512];

        snprintf(s, sizeof(s), "%s\n{\"jsonrpc\":\"2.0\",\"id\":1,"
                 "\"method\":\"ping\"}\n%s", big, big);
        /* A line of exactly the bound is read; one byte more is not. */
        run(s, 199, 3, out, sizeof(out));
        assert_string_equal(out, "3 -32700 - -|0 0 1 ping|3 -32700 - -|");
        run(s, 198, 3, out, sizeof(out));
        assert_string_equal(out, "3 -32000 - -|0 0 1 ping|3 -32000 - -|");
    }
}

static void test_depth(void **state)
{
    char s[400], out[256];

    (void)state;
    memset(s, '[', 65);
    memset(s + 65, ']', 65);
    s[130] = '\0';
    run(s, 0, 1000, out, sizeof(out));
    assert_string_equal(out, "3 -32700 - -|");
    memset(s, '[', 64);
    memset(s + 64, ']', 64);
    s[128] = '\0';
    run(s, 0, 1000, out, sizeof(out));
    assert_string_equal(out, "3 -32600 - -|");
}

static void test_writers(void **state)
{
    struct mcp_buf b;
    struct json_object *id = json_object_new_string("a\"b");
    struct json_object *res = json_object_new_object();

    (void)state;
    mcp_buf_init(&b);
    json_object_object_add(res, "path", json_object_new_string("/x/y\n"));
    mcp_rpc_result(&b, id, res);
    mcp_rpc_error(&b, NULL, MCP_RPC_TOO_LARGE, "too large", NULL);
    assert_string_equal(b.data,
        "{\"jsonrpc\":\"2.0\",\"id\":\"a\\\"b\",\"result\":{\"path\":"
        "\"/x/y\\n\"}}\n"
        "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32000,"
        "\"message\":\"too large\"}}\n");
    json_object_put(id);
    mcp_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kinds),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_too_large),
        cmocka_unit_test(test_depth),
        cmocka_unit_test(test_writers),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
