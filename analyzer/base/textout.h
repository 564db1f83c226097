/* textout.h - the escaping functions for text that came from a log.
 *
 * Log text is hostile (STYLE.md 16). Every output has one function here:
 * - terminal: control characters, ESC (and so CSI/OSC sequences), DEL, C1
 *   controls (raw bytes 0x80-0x9f and U+0080-U+009F), bidi overrides and
 *   invisible format characters are written visibly as \xNN or \u{NNNN};
 *   invalid UTF-8 bytes as \xNN. TAB is kept. Nothing is interpreted.
 * - JSON: full string escaping, invalid UTF-8 replaced by U+FFFD.
 * - HTML: the terminal's visible escapes, U+FFFD for invalid bytes, and
 *   the markup characters as character references (mcp_html_cut); JSON
 *   in a script block with < > & escaped too (mcp_json_for_html).
 */
#ifndef MCP_TEXTOUT_H
#define MCP_TEXTOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/util.h"

/* Append s[0..n) to out, safe for a terminal. Returns true when anything
 * had to be escaped. */
bool mcp_sanitize_term(struct mcp_buf *out, const char *s, size_t n);

/* The same for a NUL-terminated s (NULL appends nothing). */
void mcp_term_str(struct mcp_buf *out, const char *s);

/* Write the NUL-terminated s to fp, safe for a terminal. */
void mcp_term_fputs(const char *s, FILE *fp);

/* Print "mcplog: <msg>" to stderr with msg escaped for the terminal
 * (mcp_warnf with mcp_term_str). */
void mcp_term_warn(const char *msg);

/* mcp_term_str, then spaces up to width bytes of what it appended: the
 * escaped form of "%-*s", for a column of names or paths. */
void mcp_term_pad(struct mcp_buf *out, const char *s, int width);

/* s[0..n) cut after max bytes (backed off to the start of a UTF-8
 * character), escaped as mcp_sanitize_term does, then "…" when it was
 * cut: at most 4 * max + 3 bytes are appended. */
void mcp_term_cut(struct mcp_buf *out, const char *s, size_t n, size_t max);

/* The same for a display that needs valid UTF-8 (a desktop notification):
 * an invalid byte becomes U+FFFD instead of \xNN. */
void mcp_text_cut(struct mcp_buf *out, const char *s, size_t n, size_t max);

/* The same for HTML text or an attribute value in quotes: escaped as
 * mcp_text_cut does (controls, C1, bidi shown visibly; valid UTF-8), and
 * & < > " ' as character references, so that nothing from a log becomes
 * markup. s NULL appends nothing. */
void mcp_html_cut(struct mcp_buf *out, const char *s, size_t n, size_t max);

/* mcp_html_cut for a <pre> block of several lines: '\n' is kept (CR
 * and every other control still shown visibly). */
void mcp_html_lines(struct mcp_buf *out, const char *s, size_t n,
                    size_t max);

/* mcp_html_cut of the NUL-terminated s at MCP_TERM_FIELD_MAX bytes. */
void mcp_html_field(struct mcp_buf *out, const char *s);

/* Append the JSON text json[0..n) (from mcp_json_*: U+2028, U+2029 and
 * controls already escaped) with bidi and invisible format characters as
 * \uXXXX (the same JSON value, nothing hidden). script: for a
 * <script type="application/json"> block, < > & become \u003c \u003e
 * \u0026 too (they can only stand inside strings), so that no "</script>"
 * or "<!--" can end or change the block; else the caller HTML-escapes
 * the result (mcp_html_lines) for a <pre>. */
void mcp_json_for_html(struct mcp_buf *out, const char *json, size_t n,
                       bool script);

/* A text field of a text view (a capture, a label value, a summary, a
 * group key): the NUL-terminated s (NULL appends nothing) cut like an
 * event's line, mcp_term_cut at MCP_TERM_FIELD_MAX bytes. */
#define MCP_TERM_FIELD_MAX 2048
void mcp_term_field(struct mcp_buf *out, const char *s);

/* Append s[0..n) as a JSON string literal (with quotes). Returns true when
 * invalid UTF-8 was replaced. */
bool mcp_json_string(struct mcp_buf *out, const char *s, size_t n);

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when the bytes at s
 * are not a valid sequence (overlong, surrogate, out of range, cut off).
 * *cp receives the code point. */
size_t mcp_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* Whether [p, p+n) is valid UTF-8. ASCII runs are skipped a word at a
 * time: log lines are mostly ASCII. */
bool mcp_utf8_valid(const char *p, size_t n);

/* out = [p, p+n) with every invalid byte replaced by U+FFFD, so that
 * patterns see a character there, as they would in any editor; under
 * PCRE2_MATCH_INVALID_UTF an invalid byte matches nothing, not even '.',
 * and a line such as "ERROR - x\xffy" would escape '(?<m>.*)$'. */
void mcp_utf8_repair(struct mcp_buf *out, const char *p, size_t n);

/* A tiny JSON writer on top of mcp_json_string: it tracks commas. */
struct mcp_json {
    struct mcp_buf *out;
    int depth;
    bool need_comma[32];
    bool pretty;
    bool after_key;
};

void mcp_json_init(struct mcp_json *j, struct mcp_buf *out, bool pretty);
void mcp_json_begin_obj(struct mcp_json *j);
void mcp_json_end_obj(struct mcp_json *j);
void mcp_json_begin_arr(struct mcp_json *j);
void mcp_json_end_arr(struct mcp_json *j);
void mcp_json_key(struct mcp_json *j, const char *k);
void mcp_json_str(struct mcp_json *j, const char *s);
void mcp_json_strn(struct mcp_json *j, const char *s, size_t n);
void mcp_json_int(struct mcp_json *j, int64_t v);
void mcp_json_bool(struct mcp_json *j, bool v);
void mcp_json_null(struct mcp_json *j);
/* An ISO 8601 time with milliseconds, or null for MCP_TIME_NONE. */
void mcp_json_time(struct mcp_json *j, int64_t ms);

#endif
