/* metrics_http.h - the minimal HTTP/1.1 responder of `mcplog follow
 * --metrics-listen`: `GET /metrics` (a query string allowed) answers 200
 * with the text exposition (Content-Type: text/plain; version=0.0.4),
 * HEAD the same without the body; another method 405, another path 404,
 * a request that is not HTTP 400. One response per connection
 * (Connection: close).
 *
 * It runs on follow's event loop and never blocks it: the listening and
 * accepted sockets are non-blocking, a request is read as it arrives and
 * answered as the socket takes it (EPOLLOUT). Bounds: a request (line and
 * headers) of at most MCP_HTTP_MAX_REQUEST bytes (else 431), each
 * connection closed MCP_HTTP_TIMEOUT_MS after it was accepted whatever it
 * did (slow clients, slow readers), at most MCP_HTTP_MAX_CONN at once: one
 * more closes the oldest connection that has not sent its whole request
 * (a slow client holding a slot: a scrape still gets in), or, when every
 * one is being answered, is closed at once; the backlog never fills. Out
 * of descriptors (EMFILE), accepting pauses for 250 ms rather than wake
 * the loop at once again.
 */
#ifndef MCP_METRICS_HTTP_H
#define MCP_METRICS_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "base/evloop.h"
#include "base/util.h"

#define MCP_HTTP_MAX_REQUEST 8192
#define MCP_HTTP_TIMEOUT_MS 5000
#define MCP_HTTP_MAX_CONN 16

/* Fill out with the metrics (called for each GET /metrics). */
typedef void (*mcp_http_body_fn)(struct mcp_buf *out, void *arg);

struct mcp_metrics_http;

/* Route the request in req (len bytes, read so far; not NUL-terminated):
 * 0 while its headers are not complete (no empty line yet), else 200 for
 * GET or HEAD /metrics (a query string allowed; *head set for HEAD), 404
 * for another path, 405 for another method on /metrics, 400 when the
 * request line is not "METHOD /PATH HTTP/1.x". Pure: no I/O. */
int mcp_metrics_http_route(const char *req, size_t len, bool *head);

/* Parse "HOST:PORT" ("127.0.0.1:9464", "[::1]:9464", "localhost:9464";
 * port 0: any free port) and check it: unless any, the address must be a
 * loopback one. Returns 0, or -1 with the cause in err (a usage error). */
int mcp_metrics_http_check(const char *addr, bool any, char *err);

/* Listen on addr (checked as above) and serve on loop. bound (at least
 * 64 bytes) gets the address really bound ("127.0.0.1:41234"). Returns
 * NULL with err. */
struct mcp_metrics_http *mcp_metrics_http_open(struct mcp_evloop *loop,
                                               const char *addr, bool any,
                                               mcp_http_body_fn body,
                                               void *arg, char *bound,
                                               char *err);

/* Requests answered so far, by status (200, 404, 405, other), and the
 * connections closed by the timeout, evicted at the limit or refused. */
struct mcp_http_stats {
    unsigned long long ok, not_found, bad_method, bad, timeouts, evicted,
        refused;
};
void mcp_metrics_http_stats(const struct mcp_metrics_http *h,
                            struct mcp_http_stats *s);

/* Close every connection and the listening socket. h may be NULL. */
void mcp_metrics_http_close(struct mcp_metrics_http *h);

#endif
