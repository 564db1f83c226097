/* fuzz_http.c - libFuzzer target for the request routing of follow's
 * metrics listener (analyzer/output/metrics_http.c,
 * mcp_metrics_http_route).
 *
 * The input is a request as bytes arrive (at most the listener's
 * MCP_HTTP_MAX_REQUEST). Checked, abort() on a violation: the answer is
 * one of 0, 200, 400, 404, 405; 200 only for a request line that starts
 * "GET /metrics" or "HEAD /metrics" (head set for HEAD only); every prefix
 * shorter than the end of the headers answers 0 and every longer one the
 * same as the whole input (bytes arriving one by one, or all at once, get
 * the same answer).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "output/metrics_http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *req = (const char *)data;
    bool head, h2;
    int code, first = -1;

    if (size > MCP_HTTP_MAX_REQUEST)
        size = MCP_HTTP_MAX_REQUEST;
    code = mcp_metrics_http_route(req, size, &head);
    if (code != 0 && code != 200 && code != 400 && code != 404 && code != 405)
        abort();
    if (code == 200 && !((size >= 12 && memcmp(req, "GET /metrics", 12) == 0 &&
                          !head) ||
                         (size >= 13 && memcmp(req, "HEAD /metrics", 13) == 0 &&
                          head)))
        abort();
    if (code != 200 && head)
        abort();
    for (size_t k = 0; k <= size; k++) {
        int c = mcp_metrics_http_route(req, k, &h2);

        if (first < 0 && c != 0)
            first = (int)k;
        if (first >= 0 && (c != code || h2 != head))
            abort();
    }
    if ((first < 0) != (code == 0))
        abort();
    return 0;
}
