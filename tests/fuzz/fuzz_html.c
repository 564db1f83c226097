/* fuzz_html.c - libFuzzer target for the incident page's escaping
 * (textout.c: mcp_html_cut, mcp_html_lines, mcp_json_for_html), the error
 * templates (cluster.c) and the time bins (timebins.c).
 *
 * Input layout: byte 0 sets the cut (1 + byte0 * 4 bytes, or no cut when
 * 0), the rest is hostile log text. Checked, with abort() on a violation:
 * the HTML is valid UTF-8 with no markup character outside a character
 * reference, no control character but TAB (and '\n' in lines), no C1,
 * bidi or invisible format character, and no more than 4 * cut + 3 + the
 * references' growth; the template of the text escapes the same way; the
 * JSON for a script block has no < > & and no bidi character; the time
 * bins keep at most their cap and every count.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/textout.h"
#include "base/timebins.h"
#include "base/util.h"
#include "output/incident.h"

static int hidden(uint32_t c)
{
    return (c >= 0x80 && c <= 0x9f) || c == 0x061c ||
           (c >= 0x200b && c <= 0x200f) || (c >= 0x202a && c <= 0x202e) ||
           (c >= 0x2066 && c <= 0x2069) || c == 0x2028 || c == 0x2029 ||
           c == 0xfeff;
}

static void check_html(const struct mcp_buf *b, int lines)
{
    const unsigned char *p = (const unsigned char *)b->data;
    size_t n = b->len, i = 0;

    while (i < n) {
        uint32_t cp;
        size_t len;

        if (p[i] == '&') {
            static const char *const refs[] = {"&amp;", "&lt;", "&gt;",
                                               "&quot;", "&#39;"};
            size_t k;

            for (k = 0; k < 5; k++)
                if (n - i >= strlen(refs[k]) &&
                    memcmp(p + i, refs[k], strlen(refs[k])) == 0)
                    break;
            if (k == 5)
                abort();
            i += strlen(refs[k]);
            continue;
        }
        if (p[i] == '<' || p[i] == '>' || p[i] == '"' || p[i] == '\'' ||
            p[i] == 0x7f ||
            (p[i] < 0x20 && p[i] != '\t' && !(lines && p[i] == '\n')))
            abort();
        len = mcp_utf8_decode(p + i, n - i, &cp);
        if (len == 0 || hidden(cp))
            abort();
        i += len;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mcp_buf b, t, j, s;
    struct mcp_timebins tb;
    size_t max;
    const char *text;

    if (size < 1)
        return 0;
    max = data[0] == 0 ? size : 1 + (size_t)data[0] * 4;
    text = (const char *)data + 1;
    size--;
    mcp_buf_init(&b);
    mcp_html_cut(&b, text, size, max);
    check_html(&b, 0);
    mcp_buf_reset(&b);
    mcp_html_lines(&b, text, size, max);
    check_html(&b, 1);
    mcp_buf_reset(&b);

    mcp_buf_init(&t);
    mcp_incident_template(&t, text, size, MCP_INCIDENT_TEMPLATE_MAX);
    if (t.len > MCP_INCIDENT_TEMPLATE_MAX)
        abort();
    mcp_html_cut(&b, t.data, t.len, max);
    check_html(&b, 0);

    mcp_buf_init(&j);
    mcp_buf_init(&s);
    mcp_json_string(&j, text, size);
    mcp_json_for_html(&s, j.data, j.len, true);
    for (size_t i = 0; i < s.len; i++) {
        uint32_t cp;
        size_t len;

        if (s.data[i] == '<' || s.data[i] == '>' || s.data[i] == '&')
            abort();
        len = mcp_utf8_decode((const unsigned char *)s.data + i, s.len - i,
                              &cp);
        if (len > 1 && hidden(cp))
            abort();
        if (len > 1)
            i += len - 1;
    }

    mcp_timebins_init(&tb, 16);
    for (size_t i = 0; i + 4 <= size; i += 4) {
        int32_t v;

        memcpy(&v, text + i, 4);
        mcp_timebins_add(&tb, (int64_t)v * 1000, 1);
        if (tb.n > tb.cap)
            abort();
    }
    if (mcp_timebins_total(&tb) != size / 4)
        abort();
    mcp_timebins_free(&tb);
    mcp_buf_free(&b);
    mcp_buf_free(&t);
    mcp_buf_free(&j);
    mcp_buf_free(&s);
    return 0;
}
