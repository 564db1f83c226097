/* template.c - summary templates. */
#include "base/template.h"

static bool is_name_start(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool is_name_char(char c)
{
    return is_name_start(c) || (c >= '0' && c <= '9');
}

int mcp_template_check(const char *tmpl, mcp_template_known_fn known,
                       void *arg, size_t *erroff, char *err)
{
    const char *p = tmpl;

    while (*p != '\0') {
        if (p[0] == '{' && p[1] == '{') {
            p += 2;
            continue;
        }
        if (p[0] == '}' && p[1] == '}') {
            p += 2;
            continue;
        }
        if (*p == '}') {
            *erroff = (size_t)(p - tmpl);
            mcp_errf(err, "unmatched '}' (write '}}' for a literal brace)");
            return -1;
        }
        if (*p != '{') {
            p++;
            continue;
        }
        const char *name = p + 1, *q = name;

        if (!is_name_start(*q)) {
            *erroff = (size_t)(p - tmpl);
            mcp_errf(err, "'{' must start a placeholder such as {count} "
                     "(write '{{' for a literal brace)");
            return -1;
        }
        while (is_name_char(*q))
            q++;
        if (*q != '}') {
            *erroff = (size_t)(p - tmpl);
            mcp_errf(err, "unterminated placeholder '{%.*s'",
                     (int)(q - name), name);
            return -1;
        }
        if (known != NULL && !known(name, (size_t)(q - name), arg)) {
            *erroff = (size_t)(p - tmpl);
            mcp_errf(err, "unknown placeholder {%.*s}", (int)(q - name),
                     name);
            return -1;
        }
        p = q + 1;
    }
    return 0;
}

void mcp_template_render(struct mcp_buf *out, const char *tmpl,
                         mcp_template_value_fn value, void *arg)
{
    const char *p = tmpl;

    while (*p != '\0') {
        if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
            mcp_buf_putc(out, p[0]);
            p += 2;
            continue;
        }
        if (*p == '{') {
            const char *q = p + 1;

            while (*q != '\0' && *q != '}')
                q++;
            if (*q == '}') {
                value(out, p + 1, (size_t)(q - p - 1), arg);
                p = q + 1;
                continue;
            }
        }
        mcp_buf_putc(out, *p++);
    }
}
