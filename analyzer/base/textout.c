/* textout.c - terminal and JSON escaping, and a small JSON writer. */
#include "base/textout.h"

#include <stdio.h>
#include <string.h>

#include "base/timeparse.h"

size_t mcp_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    uint32_t c;
    size_t len, i;

    if (n == 0)
        return 0;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        len = 2;
        c = s[0] & 0x1f;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        len = 3;
        c = s[0] & 0x0f;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        len = 4;
        c = s[0] & 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3f);
    }
    if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
        c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return len;
}

/* Characters that change how the rest of a line is shown. */
static bool invisible_or_bidi(uint32_t c)
{
    return (c >= 0x80 && c <= 0x9f) ||            /* C1 controls */
           c == 0x061c || c == 0x200b || c == 0x200c || c == 0x200d ||
           c == 0x200e || c == 0x200f ||
           (c >= 0x202a && c <= 0x202e) ||        /* embeddings, overrides */
           (c >= 0x2066 && c <= 0x2069) ||        /* isolates */
           c == 0x2028 || c == 0x2029 || c == 0xfeff;
}

/* What the escaper writes for.  */
enum esc_mode {
    ESC_TERM = 0,   /* invalid bytes as \xNN */
    ESC_FFFD = 1,   /* invalid bytes as U+FFFD (valid UTF-8 out) */
    ESC_HTML = 2,   /* as ESC_FFFD, and & < > " ' as character references */
    ESC_HTML_LINES = 3, /* as ESC_HTML, and '\n' kept (a <pre> block) */
};

static bool html_special(unsigned char c)
{
    return c == '&' || c == '<' || c == '>' || c == '"' || c == '\'';
}

static void put_html_special(struct mcp_buf *out, unsigned char c)
{
    mcp_buf_puts(out, c == '&'   ? "&amp;"
                      : c == '<' ? "&lt;"
                      : c == '>' ? "&gt;"
                      : c == '"' ? "&quot;"
                                 : "&#39;");
}

/* The one escaper: s[0..n) to out, controls, DEL, C1, bidi and invisible
 * format characters shown as \xNN or \u{NNNN}; an invalid byte as \xNN,
 * or as U+FFFD (for a receiver that needs valid UTF-8); for HTML also the
 * markup characters as character references. */
static bool escape(struct mcp_buf *out, const char *s, size_t n,
                   enum esc_mode mode)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    bool escaped = false, fffd = mode != ESC_TERM;
    bool html = mode == ESC_HTML || mode == ESC_HTML_LINES;

    while (p < end) {
        const unsigned char *run = p;

        /* Fast path: printable ASCII. */
        while (p < end && *p >= 0x20 && *p < 0x7f &&
               (!html || !html_special(*p)))
            p++;
        if (p > run)
            mcp_buf_append(out, run, (size_t)(p - run));
        if (p >= end)
            break;
        if (html && html_special(*p)) {
            put_html_special(out, *p);
            p++;
            continue;
        }
        if (*p == '\t' || (*p == '\n' && mode == ESC_HTML_LINES)) {
            mcp_buf_putc(out, (char)*p);
            p++;
            continue;
        }
        if (*p < 0x80) {
            mcp_buf_printf(out, "\\x%02x", *p);
            escaped = true;
            p++;
            continue;
        }
        uint32_t cp;
        size_t len = mcp_utf8_decode(p, (size_t)(end - p), &cp);

        if (len == 0) {
            if (fffd)
                mcp_buf_puts(out, "\xef\xbf\xbd");
            else
                mcp_buf_printf(out, "\\x%02x", *p);
            escaped = true;
            p++;
        } else if (invisible_or_bidi(cp)) {
            mcp_buf_printf(out, "\\u{%04x}", cp);
            escaped = true;
            p += len;
        } else {
            mcp_buf_append(out, p, len);
            p += len;
        }
    }
    return escaped;
}

bool mcp_sanitize_term(struct mcp_buf *out, const char *s, size_t n)
{
    return escape(out, s, n, ESC_TERM);
}

void mcp_term_str(struct mcp_buf *out, const char *s)
{
    if (s != NULL)
        mcp_sanitize_term(out, s, strlen(s));
}

void mcp_term_fputs(const char *s, FILE *fp)
{
    struct mcp_buf b;

    mcp_buf_init(&b);
    mcp_term_str(&b, s);
    if (b.len > 0)
        fwrite(b.data, 1, b.len, fp);
    mcp_buf_free(&b);
}

void mcp_term_warn(const char *msg)
{
    struct mcp_buf b;

    mcp_buf_init(&b);
    mcp_term_str(&b, msg);
    mcp_warnf("%s", b.data ? b.data : "");
    mcp_buf_free(&b);
}

void mcp_term_pad(struct mcp_buf *out, const char *s, int width)
{
    size_t start = out->len;

    mcp_term_str(out, s);
    while (width > 0 && out->len - start < (size_t)width)
        mcp_buf_putc(out, ' ');
}

/* The cut of mcp_term_cut and mcp_text_cut. */
static void cut_escaped(struct mcp_buf *out, const char *s, size_t n,
                        size_t max, enum esc_mode mode)
{
    size_t cut = n;

    if (n > max) {
        cut = max;
        /* Not in the middle of a character: back off over at most three
         * continuation bytes. */
        for (int k = 0; k < 3 && cut > 0 &&
                        ((unsigned char)s[cut] & 0xc0) == 0x80; k++)
            cut--;
    }
    escape(out, s, cut, mode);
    if (cut < n)
        mcp_buf_puts(out, "…");
}

void mcp_term_cut(struct mcp_buf *out, const char *s, size_t n, size_t max)
{
    cut_escaped(out, s, n, max, ESC_TERM);
}

void mcp_text_cut(struct mcp_buf *out, const char *s, size_t n, size_t max)
{
    cut_escaped(out, s, n, max, ESC_FFFD);
}

void mcp_html_cut(struct mcp_buf *out, const char *s, size_t n, size_t max)
{
    if (s != NULL)
        cut_escaped(out, s, n, max, ESC_HTML);
}

void mcp_html_lines(struct mcp_buf *out, const char *s, size_t n,
                    size_t max)
{
    if (s != NULL)
        cut_escaped(out, s, n, max, ESC_HTML_LINES);
}

void mcp_html_field(struct mcp_buf *out, const char *s)
{
    if (s != NULL)
        cut_escaped(out, s, strlen(s), MCP_TERM_FIELD_MAX, ESC_HTML);
}

void mcp_json_for_html(struct mcp_buf *out, const char *json, size_t n,
                       bool script)
{
    for (size_t i = 0; i < n; i++) {
        char c = json[i];
        uint32_t cp;
        size_t len;

        if ((unsigned char)c >= 0x80 &&
            (len = mcp_utf8_decode((const unsigned char *)json + i, n - i,
                                   &cp)) > 0 &&
            invisible_or_bidi(cp)) {
            mcp_buf_printf(out, "\\u%04x", cp);
            i += len - 1;
        } else if (script && c == '<')
            mcp_buf_puts(out, "\\u003c");
        else if (script && c == '>')
            mcp_buf_puts(out, "\\u003e");
        else if (script && c == '&')
            mcp_buf_puts(out, "\\u0026");
        else
            mcp_buf_putc(out, c);
    }
}

void mcp_term_field(struct mcp_buf *out, const char *s)
{
    if (s != NULL)
        mcp_term_cut(out, s, strlen(s), MCP_TERM_FIELD_MAX);
}

bool mcp_json_string(struct mcp_buf *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    bool replaced = false;

    mcp_buf_putc(out, '"');
    while (p < end) {
        const unsigned char *run = p;

        while (p < end && *p >= 0x20 && *p < 0x7f && *p != '"' &&
               *p != '\\')
            p++;
        if (p > run)
            mcp_buf_append(out, run, (size_t)(p - run));
        if (p >= end)
            break;
        switch (*p) {
        case '"':
            mcp_buf_puts(out, "\\\"");
            p++;
            continue;
        case '\\':
            mcp_buf_puts(out, "\\\\");
            p++;
            continue;
        case '\n':
            mcp_buf_puts(out, "\\n");
            p++;
            continue;
        case '\r':
            mcp_buf_puts(out, "\\r");
            p++;
            continue;
        case '\t':
            mcp_buf_puts(out, "\\t");
            p++;
            continue;
        default:
            break;
        }
        if (*p < 0x20 || *p == 0x7f) {
            mcp_buf_printf(out, "\\u%04x", *p);
            p++;
            continue;
        }
        uint32_t cp;
        size_t len = mcp_utf8_decode(p, (size_t)(end - p), &cp);

        if (len == 0) {
            mcp_buf_puts(out, "\\ufffd");
            replaced = true;
            p++;
        } else if (cp == 0x2028 || cp == 0x2029 ||
                   (cp >= 0x80 && cp <= 0x9f)) {
            mcp_buf_printf(out, "\\u%04x", cp);
            p += len;
        } else {
            mcp_buf_append(out, p, len);
            p += len;
        }
    }
    mcp_buf_putc(out, '"');
    return replaced;
}

void mcp_json_init(struct mcp_json *j, struct mcp_buf *out, bool pretty)
{
    memset(j, 0, sizeof(*j));
    j->out = out;
    j->pretty = pretty;
}

static void indent(struct mcp_json *j)
{
    if (!j->pretty)
        return;
    mcp_buf_putc(j->out, '\n');
    for (int i = 0; i < j->depth; i++)
        mcp_buf_puts(j->out, "  ");
}

/* Before a value: a comma unless first, and the indent, unless the value
 * follows a key (the key did both). */
static void pre_value(struct mcp_json *j)
{
    if (j->after_key) {
        j->after_key = false;
        return;
    }
    if (j->depth > 0) {
        if (j->need_comma[j->depth])
            mcp_buf_putc(j->out, ',');
        j->need_comma[j->depth] = true;
        indent(j);
    }
}

static void begin(struct mcp_json *j, char c)
{
    pre_value(j);
    mcp_buf_putc(j->out, c);
    if (j->depth < 31)
        j->depth++;
    j->need_comma[j->depth] = false;
}

static void end(struct mcp_json *j, char c)
{
    bool had = j->need_comma[j->depth];

    j->depth--;
    if (had)
        indent(j);
    mcp_buf_putc(j->out, c);
}

void mcp_json_begin_obj(struct mcp_json *j) { begin(j, '{'); }
void mcp_json_end_obj(struct mcp_json *j) { end(j, '}'); }
void mcp_json_begin_arr(struct mcp_json *j) { begin(j, '['); }
void mcp_json_end_arr(struct mcp_json *j) { end(j, ']'); }

void mcp_json_key(struct mcp_json *j, const char *k)
{
    pre_value(j);
    mcp_json_string(j->out, k, strlen(k));
    mcp_buf_puts(j->out, j->pretty ? ": " : ":");
    j->after_key = true;
}

void mcp_json_strn(struct mcp_json *j, const char *s, size_t n)
{
    pre_value(j);
    mcp_json_string(j->out, s, n);
}

void mcp_json_str(struct mcp_json *j, const char *s)
{
    if (s == NULL) {
        mcp_json_null(j);
        return;
    }
    mcp_json_strn(j, s, strlen(s));
}

void mcp_json_int(struct mcp_json *j, int64_t v)
{
    pre_value(j);
    mcp_buf_printf(j->out, "%lld", (long long)v);
}

void mcp_json_bool(struct mcp_json *j, bool v)
{
    pre_value(j);
    mcp_buf_puts(j->out, v ? "true" : "false");
}

void mcp_json_null(struct mcp_json *j)
{
    pre_value(j);
    mcp_buf_puts(j->out, "null");
}

void mcp_json_time(struct mcp_json *j, int64_t ms)
{
    char buf[MCP_TIME_ISO_LEN];

    if (ms == MCP_TIME_NONE) {
        mcp_json_null(j);
        return;
    }
    mcp_time_format_iso(ms, buf, sizeof(buf));
    mcp_json_str(j, buf);
}

bool mcp_utf8_valid(const char *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p, *end = s + n;

    while (s < end) {
        uint32_t cp;
        size_t len;

        while (end - s >= 8) {
            uint64_t w;

            memcpy(&w, s, 8);
            if (w & 0x8080808080808080ull)
                break;
            s += 8;
        }
        while (s < end && *s < 0x80)
            s++;
        if (s >= end)
            break;
        len = mcp_utf8_decode(s, (size_t)(end - s), &cp);
        if (len == 0)
            return false;
        s += len;
    }
    return true;
}

void mcp_utf8_repair(struct mcp_buf *out, const char *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p, *end = s + n;

    mcp_buf_reset(out);
    while (s < end) {
        uint32_t cp;
        size_t len = mcp_utf8_decode(s, (size_t)(end - s), &cp);

        if (len == 0) {
            mcp_buf_append(out, "\xef\xbf\xbd", 3);
            s++;
        } else {
            mcp_buf_append(out, s, len);
            s += len;
        }
    }
}
