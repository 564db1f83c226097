/* webhook_int.h - the parts of the webhook sink that need no network:
 * URL redaction and the Alertmanager body (sinks/webhook_am.c). Shared by
 * sinks/webhook.c and tests/unit/test_webhook_redact.c; not a public API.
 */
#ifndef MCP_WEBHOOK_INT_H
#define MCP_WEBHOOK_INT_H

#include <stdint.h>

#include "sinks/sink.h"
#include "base/util.h"

/* How much of the log line (and of the traceback line) goes into the
 * Alertmanager annotations, in bytes of the raw line. */
#define MCP_WEBHOOK_AM_TEXT_MAX 1024

/* The URL u made fit for a message: userinfo ("user:pass@") becomes
 * "***@", every query value becomes "***" ("?token=abc&x" gives
 * "?token=***&***"), a fragment becomes "#***"; scheme, host, port and
 * path are kept. Works on any text, parseable or not. Returns a new
 * string the caller frees. */
char *mcp_webhook_redact(const char *u);

/* Append to b the Alertmanager label name for name: characters outside
 * [a-zA-Z0-9_] become '_', and a leading digit (or an empty name) gets a
 * '_' in front, so the result matches [a-zA-Z_][a-zA-Z0-9_]*. */
void mcp_webhook_am_label_name(struct mcp_buf *b, const char *name);

/* Write to b (appending) the body Alertmanager's POST /api/v2/alerts takes
 * for a: a JSON array of one alert. now is the wall time of sending (ms);
 * while firing, endsAt is now + ttl (ttl 0: no endsAt, so Alertmanager's
 * resolve_timeout applies); resolved: endsAt is the alert's end. Times
 * later than now are moved back to now. generator is the generatorURL,
 * or NULL / "" for "mcplog://HOST/RULE". */
void mcp_webhook_am_body(struct mcp_buf *b, const struct mcp_sink_alert *a,
                         const char *generator, int64_t now, int64_t ttl);

#endif
