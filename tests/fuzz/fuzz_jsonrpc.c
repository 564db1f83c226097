/* fuzz_jsonrpc.c - libFuzzer target for the request reader of `mcplog
 * mcp` (analyzer/base/jsonrpc.c).
 *
 * Input layout: byte 0 picks the line bound (16, 64, 4096 or 1 MiB), byte
 * 1 seeds the sizes of the pieces the stream is fed in (1 .. 1 + byte1 %
 * 64; the whole rest at once when byte1 is 0), the rest is the stream. The
 * messages must be the same whatever the pieces (compared with a run fed
 * everything at once); a request has a method and a string or integer id;
 * and the answer to every message (the error of a bad one, a result
 * echoing the id of a request) must be one line of JSON-RPC 2.0 that
 * json-c parses back strictly. abort() on any violation.
 */
#include <json-c/json.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/jsonrpc.h"
#include "base/util.h"

static const size_t bounds[4] = {16, 64, 4096, 1024 * 1024};

/* One message as text, for comparing two runs. */
static void describe(struct mcp_buf *out, const struct mcp_rpc_msg *m)
{
    mcp_buf_printf(out, "%d %d ", (int)m->kind, m->code);
    if (m->id != NULL)
        mcp_rpc_write(out, m->id);
    mcp_buf_printf(out, " %s\n", m->method ? m->method : "-");
}

static void check_answer(const struct mcp_rpc_msg *m)
{
    struct mcp_buf b;
    struct json_object *o, *v = NULL;
    struct json_tokener *tok;

    mcp_buf_init(&b);
    if (m->kind == MCP_RPC_BAD)
        mcp_rpc_error(&b, m->id, m->code, m->message, NULL);
    else
        mcp_rpc_result(&b, m->id, json_object_new_object());
    if (b.len == 0 || b.data[b.len - 1] != '\n' ||
        memchr(b.data, '\n', b.len - 1) != NULL)
        abort();
    tok = json_tokener_new();
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
                                    JSON_TOKENER_VALIDATE_UTF8);
    o = json_tokener_parse_ex(tok, b.data, (int)b.len - 1);
    if (o == NULL || json_tokener_get_error(tok) != json_tokener_success ||
        !json_object_object_get_ex(o, "jsonrpc", &v) ||
        strcmp(json_object_get_string(v), "2.0") != 0)
        abort();
    json_object_put(o);
    json_tokener_free(tok);
    mcp_buf_free(&b);
}

static void drain(struct mcp_rpc_reader *r, struct mcp_buf *log, bool check)
{
    struct mcp_rpc_msg m;

    while (mcp_rpc_reader_next(r, &m) == 1) {
        if (m.kind == MCP_RPC_REQUEST &&
            (m.method == NULL || m.id == NULL ||
             !(json_object_is_type(m.id, json_type_string) ||
               json_object_is_type(m.id, json_type_int))))
            abort();
        if (m.kind == MCP_RPC_BAD && m.code >= 0)
            abort();
        describe(log, &m);
        if (check)
            check_answer(&m);
        mcp_rpc_msg_free(&m);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mcp_rpc_reader *a, *b;
    struct mcp_buf la, lb;
    size_t pos = 2;
    uint32_t rng;

    if (size < 2)
        return 0;
    a = mcp_rpc_reader_create(bounds[data[0] & 3]);
    b = mcp_rpc_reader_create(bounds[data[0] & 3]);
    rng = data[1] * 2654435761u + 1;
    mcp_buf_init(&la);
    mcp_buf_init(&lb);
    while (pos < size) {
        size_t n = size - pos;

        if (data[1] != 0) {
            rng = rng * 1103515245u + 12345u;
            n = 1 + (rng >> 16) % (1 + data[1] % 64);
            if (n > size - pos)
                n = size - pos;
        }
        mcp_rpc_reader_feed(a, (const char *)data + pos, n);
        drain(a, &la, true);
        pos += n;
    }
    mcp_rpc_reader_eof(a);
    drain(a, &la, true);
    mcp_rpc_reader_feed(b, (const char *)data + 2, size - 2);
    mcp_rpc_reader_eof(b);
    drain(b, &lb, false);
    if (la.len != lb.len || (la.len > 0 && memcmp(la.data, lb.data, la.len)))
        abort();
    mcp_buf_free(&la);
    mcp_buf_free(&lb);
    mcp_rpc_reader_destroy(a);
    mcp_rpc_reader_destroy(b);
    return 0;
}
