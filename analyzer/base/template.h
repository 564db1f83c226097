/* template.h - summary templates: "{count} failures in {window}".
 *
 * A placeholder is {name} with name matching [A-Za-z_][A-Za-z0-9_]*.
 * "{{" and "}}" stand for literal braces. Anything else with a brace is an
 * error found when the rule is loaded, never at render time.
 */
#ifndef MCP_TEMPLATE_H
#define MCP_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/util.h"

/* Callback: is the placeholder name[0..len) known? */
typedef bool (*mcp_template_known_fn)(const char *name, size_t len,
                                      void *arg);

/* Check tmpl. Returns 0, or -1 with err set and *erroff the byte offset of
 * the problem in tmpl. */
int mcp_template_check(const char *tmpl, mcp_template_known_fn known,
                       void *arg, size_t *erroff, char *err);

/* Callback: append the value of placeholder name[0..len) to out. */
typedef void (*mcp_template_value_fn)(struct mcp_buf *out, const char *name,
                                      size_t len, void *arg);

/* Render a checked template into out (appends). */
void mcp_template_render(struct mcp_buf *out, const char *tmpl,
                         mcp_template_value_fn value, void *arg);

#endif
