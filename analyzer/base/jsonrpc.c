/* jsonrpc.c - JSON-RPC 2.0 lines: the bounded reader, the parser and
 * the two writers (jsonrpc.h). */
#include "base/jsonrpc.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A complete line, or the place of a line over the bound. */
struct item {
    char *line;
    size_t n;
    bool too_large;
};

struct mcp_rpc_reader {
    size_t max;
    struct mcp_buf part;           /* the line being read */
    bool skipping;                 /* dropping an oversized line */
    struct item *q;                /* complete lines, oldest first */
    size_t head, n, cap;
};

struct mcp_rpc_reader *mcp_rpc_reader_create(size_t max)
{
    struct mcp_rpc_reader *r = mcp_calloc(1, sizeof(*r));

    r->max = max ? max : MCP_RPC_MAX_DEFAULT;
    mcp_buf_init(&r->part);
    return r;
}

void mcp_rpc_reader_destroy(struct mcp_rpc_reader *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->n; i++)
        free(r->q[r->head + i].line);
    free(r->q);
    mcp_buf_free(&r->part);
    free(r);
}

static void push(struct mcp_rpc_reader *r, char *line, size_t n, bool big)
{
    if (r->head > 0 && r->head + r->n == r->cap) {
        memmove(r->q, r->q + r->head, r->n * sizeof(*r->q));
        r->head = 0;
    }
    if (r->head + r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 8;
        r->q = mcp_realloc(r->q, r->cap * sizeof(*r->q));
    }
    r->q[r->head + r->n++] = (struct item){line, n, big};
}

/* The line in part is complete: queue it unless it is blank. */
static void take_part(struct mcp_rpc_reader *r)
{
    const char *s = r->part.data ? r->part.data : "";
    size_t n = r->part.len;
    bool blank = true;

    for (size_t i = 0; i < n && blank; i++)
        blank = s[i] == ' ' || s[i] == '\t' || s[i] == '\r';
    if (!blank)
        push(r, mcp_strndup(s, n), n, false);
    mcp_buf_reset(&r->part);
}

void mcp_rpc_reader_feed(struct mcp_rpc_reader *r, const char *p, size_t n)
{
    while (n > 0) {
        const char *nl = memchr(p, '\n', n);
        size_t k = nl ? (size_t)(nl - p) : n;

        if (!r->skipping && r->part.len + k > r->max) {
            /* Over the bound: answered once, never parsed. */
            mcp_buf_reset(&r->part);
            push(r, NULL, 0, true);
            r->skipping = true;
        }
        if (!r->skipping)
            mcp_buf_append(&r->part, p, k);
        if (nl == NULL)
            return;
        if (r->skipping)
            r->skipping = false;
        else
            take_part(r);
        p += k + 1;
        n -= k + 1;
    }
}

void mcp_rpc_reader_eof(struct mcp_rpc_reader *r)
{
    if (!r->skipping && r->part.len > 0)
        take_part(r);
    r->skipping = false;
}

static void bad(struct mcp_rpc_msg *m, int code, const char *msg)
{
    m->kind = MCP_RPC_BAD;
    m->code = code;
    snprintf(m->message, sizeof(m->message), "%s", msg);
}

int mcp_rpc_reader_next(struct mcp_rpc_reader *r, struct mcp_rpc_msg *m)
{
    struct item it;

    if (r->n == 0)
        return 0;
    it = r->q[r->head++];
    r->n--;
    if (r->n == 0)
        r->head = 0;
    if (it.too_large) {
        char msg[96];

        memset(m, 0, sizeof(*m));
        snprintf(msg, sizeof(msg), "request too large (over %zu bytes)",
                 r->max);
        bad(m, MCP_RPC_TOO_LARGE, msg);
        return 1;
    }
    mcp_rpc_parse(it.line, it.n, m);
    free(it.line);
    return 1;
}

/* An id MCP accepts: a string or an integer (never null, never a
 * fraction). */
static bool good_id(struct json_object *id)
{
    return json_object_is_type(id, json_type_string) ||
           json_object_is_type(id, json_type_int);
}

void mcp_rpc_parse(const char *line, size_t n, struct mcp_rpc_msg *m)
{
    struct json_tokener *tok = json_tokener_new_ex(MCP_RPC_MAX_DEPTH);
    struct json_object *v = NULL, *id = NULL, *method = NULL;
    bool has_id;
    size_t used;

    memset(m, 0, sizeof(*m));
    while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == ' ' ||
                     line[n - 1] == '\t'))
        n--;
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
                                    JSON_TOKENER_VALIDATE_UTF8);
    if (n <= (size_t)INT32_MAX)
        v = json_tokener_parse_ex(tok, line, (int)n);
    used = tok != NULL ? json_tokener_get_parse_end(tok) : 0;
    if (v == NULL || json_tokener_get_error(tok) != json_tokener_success ||
        used != n) {
        json_object_put(v);
        json_tokener_free(tok);
        bad(m, MCP_RPC_PARSE_ERROR, "parse error: not one JSON value");
        return;
    }
    json_tokener_free(tok);
    m->root = v;
    if (json_object_is_type(v, json_type_array)) {
        bad(m, MCP_RPC_INVALID_REQUEST, "invalid request: batches are not "
                                         "supported");
        return;
    }
    if (!json_object_is_type(v, json_type_object)) {
        bad(m, MCP_RPC_INVALID_REQUEST, "invalid request: not an object");
        return;
    }
    /* json-c gives JSON null as NULL: has_id tells "id": null from no id. */
    has_id = json_object_object_get_ex(v, "id", &id);
    if (has_id && good_id(id))
        m->id = id;
    {
        struct json_object *ver = NULL;

        if (!json_object_object_get_ex(v, "jsonrpc", &ver) ||
            !json_object_is_type(ver, json_type_string) ||
            strcmp(json_object_get_string(ver), "2.0") != 0) {
            bad(m, MCP_RPC_INVALID_REQUEST, "invalid request: \"jsonrpc\" "
                                             "must be \"2.0\"");
            return;
        }
    }
    if (json_object_object_get_ex(v, "method", &method)) {
        if (!json_object_is_type(method, json_type_string)) {
            bad(m, MCP_RPC_INVALID_REQUEST, "invalid request: \"method\" "
                                             "must be a string");
            return;
        }
        m->method = json_object_get_string(method);
        json_object_object_get_ex(v, "params", &m->params);
        if (!has_id) {
            m->kind = MCP_RPC_NOTIFICATION;
            return;
        }
        if (m->id == NULL) {
            bad(m, MCP_RPC_INVALID_REQUEST, "invalid request: \"id\" must "
                                             "be a string or an integer");
            return;
        }
        m->kind = MCP_RPC_REQUEST;
        return;
    }
    if (json_object_object_get_ex(v, "result", NULL) ||
        json_object_object_get_ex(v, "error", NULL)) {
        m->kind = MCP_RPC_RESPONSE;
        return;
    }
    bad(m, MCP_RPC_INVALID_REQUEST, "invalid request: no \"method\"");
}

void mcp_rpc_msg_free(struct mcp_rpc_msg *m)
{
    json_object_put(m->root);
    memset(m, 0, sizeof(*m));
}

void mcp_rpc_write(struct mcp_buf *out, struct json_object *o)
{
    size_t len = 0;
    const char *s = json_object_to_json_string_length(
        o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);

    mcp_buf_append(out, s, len);
}

static struct json_object *envelope(struct json_object *id)
{
    struct json_object *o = json_object_new_object();

    json_object_object_add(o, "jsonrpc", json_object_new_string("2.0"));
    json_object_object_add(o, "id", id ? json_object_get(id) : NULL);
    return o;
}

void mcp_rpc_result(struct mcp_buf *out, struct json_object *id,
                    struct json_object *result)
{
    struct json_object *o = envelope(id);

    json_object_object_add(o, "result", result);
    mcp_rpc_write(out, o);
    mcp_buf_putc(out, '\n');
    json_object_put(o);
}

void mcp_rpc_error(struct mcp_buf *out, struct json_object *id, int code,
                   const char *message, struct json_object *data)
{
    struct json_object *o = envelope(id), *e = json_object_new_object();

    json_object_object_add(e, "code", json_object_new_int(code));
    json_object_object_add(e, "message", json_object_new_string(message));
    if (data != NULL)
        json_object_object_add(e, "data", data);
    json_object_object_add(o, "error", e);
    mcp_rpc_write(out, o);
    mcp_buf_putc(out, '\n');
    json_object_put(o);
}
