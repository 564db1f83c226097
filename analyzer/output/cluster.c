/* cluster.c - error messages grouped by their masked template. */
#include "output/incident.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"

static bool is_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
           (c >= 'A' && c <= 'F');
}

static bool is_word(unsigned char c)
{
    return is_hex(c) || (c >= 'g' && c <= 'z') || (c >= 'G' && c <= 'Z') ||
           c == '_';
}

/* Length of an id at p: a run of hex digits and '-' of 8 or more bytes
 * with a digit in it, not part of a longer word; 0 when none. */
static size_t id_len(const unsigned char *p, size_t n)
{
    size_t i = 0;
    bool digit = false;

    while (i < n && (is_hex(p[i]) || p[i] == '-')) {
        digit = digit || (p[i] >= '0' && p[i] <= '9');
        i++;
    }
    if (i < 8 || !digit || (i < n && is_word(p[i])))
        return 0;
    return i;
}

/* A path starts with '/' (or "~/") at the start or after a space, quote,
 * '(', '[', '=' or ':', and runs to a space, quote, ',', ':' or closing
 * bracket. */
static bool path_start(const unsigned char *p, size_t i)
{
    return i == 0 || p[i - 1] == ' ' || p[i - 1] == '\'' ||
           p[i - 1] == '"' || p[i - 1] == '(' || p[i - 1] == '[' ||
           p[i - 1] == '=' || p[i - 1] == ':';
}

static size_t path_len(const unsigned char *p, size_t n)
{
    size_t i = 0;

    if (n >= 2 && p[0] == '~' && p[1] == '/')
        i = 2;
    else if (n >= 2 && p[0] == '/' && p[1] != ' ')
        i = 1;
    else
        return 0;
    while (i < n && p[i] != ' ' && p[i] != '\'' && p[i] != '"' &&
           p[i] != ')' && p[i] != ']' && p[i] != '}' && p[i] != ',' &&
           p[i] != ':')
        i++;
    return i;
}

void mcp_incident_template(struct mcp_buf *out, const char *msg, size_t n,
                           size_t max)
{
    const unsigned char *p = (const unsigned char *)msg;
    size_t start = out->len, i = 0;
    bool boundary = true;   /* the byte before is not part of a word */

    while (i < n && out->len - start < max) {
        size_t k;

        if (boundary && (k = id_len(p + i, n - i)) > 0) {
            mcp_buf_puts(out, "<id>");
            i += k;
        } else if (boundary && n - i > 2 && p[i] == '0' &&
                   (p[i + 1] == 'x' || p[i + 1] == 'X') && is_hex(p[i + 2])) {
            i += 2;
            while (i < n && is_hex(p[i]))
                i++;
            mcp_buf_puts(out, "<hex>");
        } else if (path_start(p, i) && (k = path_len(p + i, n - i)) > 0) {
            mcp_buf_puts(out, "<path>");
            i += k;
        } else if (p[i] >= '0' && p[i] <= '9') {
            while (i < n && ((p[i] >= '0' && p[i] <= '9') || p[i] == '.'))
                i++;
            mcp_buf_puts(out, "<n>");
            boundary = false;
            continue;
        } else {
            mcp_buf_putc(out, (char)p[i]);
            i++;
        }
        boundary = i == 0 || !is_word(p[i - 1]);
        boundary = boundary && (i == 0 || p[i - 1] != '/');
    }
    if (out->len - start > max) {
        /* Not in the middle of a UTF-8 character. */
        size_t cut = start + max;

        while (cut > start && ((unsigned char)out->data[cut] & 0xc0) == 0x80)
            cut--;
        out->len = cut;
        out->data[cut] = '\0';
    }
}
