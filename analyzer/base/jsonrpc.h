/* jsonrpc.h - JSON-RPC 2.0 over a byte stream, one message per line (the
 * MCP stdio transport), with json-c.
 *
 * The reader takes bytes as they come and hands out one message per
 * line: a request (method and id), a notification (method, no id), a
 * response (ignored by a server), or a bad message with the error to
 * answer:
 *   -32700 parse error      not JSON, invalid UTF-8, nested over 64 deep,
 *                           or text after the value
 *   -32600 invalid request  not an object, a batch (an array: MCP has
 *                           none since 2025-06-18), no "jsonrpc": "2.0",
 *                           an id that is not a string or an integer
 *   -32000 too large        a line over the reader's bound; its bytes are
 *                           dropped up to the next newline, unparsed
 * Blank lines are skipped. Nothing here writes anywhere: the writers
 * append one line to a buffer the caller sends.
 */
#ifndef MCP_JSONRPC_H
#define MCP_JSONRPC_H

#include <stdbool.h>
#include <stddef.h>

#include "base/util.h"

struct json_object;

#define MCP_RPC_MAX_DEFAULT (1024 * 1024)  /* bytes of one request line */
#define MCP_RPC_MAX_DEPTH 64

enum {
    MCP_RPC_PARSE_ERROR = -32700,
    MCP_RPC_INVALID_REQUEST = -32600,
    MCP_RPC_METHOD_NOT_FOUND = -32601,
    MCP_RPC_INVALID_PARAMS = -32602,
    MCP_RPC_INTERNAL_ERROR = -32603,
    MCP_RPC_TOO_LARGE = -32000,
};

enum mcp_rpc_kind {
    MCP_RPC_REQUEST,
    MCP_RPC_NOTIFICATION,
    MCP_RPC_RESPONSE,
    MCP_RPC_BAD,
};

struct mcp_rpc_msg {
    enum mcp_rpc_kind kind;
    struct json_object *root;      /* the parsed line (owned), or NULL */
    struct json_object *id;        /* borrowed from root: a string or an
                                      integer; NULL for a notification or
                                      when it could not be read */
    const char *method;            /* borrowed from root, or NULL */
    struct json_object *params;    /* borrowed from root, or NULL */
    int code;                      /* MCP_RPC_BAD: the error to answer */
    char message[96];              /* ... and its message */
};

struct mcp_rpc_reader;

/* A reader whose lines may hold up to max bytes (0: MCP_RPC_MAX_DEFAULT).
 * Free with mcp_rpc_reader_destroy. */
struct mcp_rpc_reader *mcp_rpc_reader_create(size_t max);
void mcp_rpc_reader_destroy(struct mcp_rpc_reader *r);

/* Append n bytes read from the stream. Memory held stays under about
 * max + n bytes: the part of an oversized line is dropped as it comes. */
void mcp_rpc_reader_feed(struct mcp_rpc_reader *r, const char *p, size_t n);

/* The stream ended: a last line without its newline is still a message. */
void mcp_rpc_reader_eof(struct mcp_rpc_reader *r);

/* The next message: 1 with *m filled (free with mcp_rpc_msg_free), 0
 * when no complete line is buffered. */
int mcp_rpc_reader_next(struct mcp_rpc_reader *r, struct mcp_rpc_msg *m);

/* Parse one line (without its newline) into *m, as the reader does.
 * Always fills *m; free it with mcp_rpc_msg_free. */
void mcp_rpc_parse(const char *line, size_t n, struct mcp_rpc_msg *m);

void mcp_rpc_msg_free(struct mcp_rpc_msg *m);

/* Append {"jsonrpc":"2.0","id":ID,"result":RESULT} and a newline to out.
 * result is taken over (freed here); id is borrowed (NULL writes null). */
void mcp_rpc_result(struct mcp_buf *out, struct json_object *id,
                    struct json_object *result);

/* Append {"jsonrpc":"2.0","id":ID,"error":{"code":C,"message":M}} and a
 * newline; data (taken over, may be NULL) becomes error.data. */
void mcp_rpc_error(struct mcp_buf *out, struct json_object *id, int code,
                   const char *message, struct json_object *data);

/* Append the JSON text of o (plain, "/" not escaped) to out. */
void mcp_rpc_write(struct mcp_buf *out, struct json_object *o);

#endif
