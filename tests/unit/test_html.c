/* test_html.c - the incident page's pieces: the HTML escaper and the JSON
 * for a script block (textout.c), the bounded time bins (timebins.c), the
 * error templates (cluster.c). Exact outputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/textout.h"
#include "base/timebins.h"
#include "base/util.h"
#include "output/incident.h"

static void html_is(const char *in, size_t n, size_t max, const char *want)
{
    struct mcp_buf b;

    mcp_buf_init(&b);
    mcp_html_cut(&b, in, n, max);
    mcp_buf_putc(&b, '\0');
    assert_string_equal(b.data, want);
    mcp_buf_free(&b);
}

static void test_html_markup(void **state)
{
    (void)state;
    html_is("a<b>&\"c'", 8, 100, "a&lt;b&gt;&amp;&quot;c&#39;");
    html_is("</script><!--", 13, 100, "&lt;/script&gt;&lt;!--");
    html_is("<img src=x onerror=alert(1)>", 28, 100,
            "&lt;img src=x onerror=alert(1)&gt;");
    html_is("&lt;", 4, 100, "&amp;lt;");
}

static void test_html_visible(void **state)
{
    (void)state;
    /* ESC, BEL, C1 (U+009B), bidi override, line separator, NUL */
    html_is("\x1b[31mred\x07", 9, 100, "\\x1b[31mred\\x07");
    html_is("c1 \xc2\x9b x", 7, 100, "c1 \\u{009b} x");
    html_is("\xe2\x80\xaegpj", 6, 100, "\\u{202e}gpj");
    html_is("a\xe2\x80\xa8" "b", 5, 100, "a\\u{2028}b");
    html_is("a\0b", 3, 100, "a\\x00b");
    /* an invalid byte becomes U+FFFD (the page is UTF-8) */
    html_is("a\xff" "b", 3, 100, "a\xef\xbf\xbd" "b");
    /* TAB and plain UTF-8 stay */
    html_is("\tcaf\xc3\xa9", 6, 100, "\tcaf\xc3\xa9");
}

static void test_html_lines(void **state)
{
    struct mcp_buf b;

    (void)state;
    mcp_buf_init(&b);
    mcp_html_lines(&b, "a\n<b>\r\n\x1b", 8, 100);
    mcp_buf_putc(&b, '\0');
    assert_string_equal(b.data, "a\n&lt;b&gt;\\x0d\n\\x1b");
    mcp_buf_free(&b);
    html_is("a\nb", 3, 100, "a\\x0ab");   /* one-line text: visible */
}

static void test_html_cut(void **state)
{
    (void)state;
    html_is("abcdef", 6, 3, "abc…");
    /* not in the middle of a character, nor of an escape */
    html_is("ab\xc3\xa9", 4, 3, "ab…");
    html_is("<<<<", 4, 2, "&lt;&lt;…");
}

static void script_is(const char *in, const char *want)
{
    struct mcp_buf b;

    mcp_buf_init(&b);
    mcp_json_for_html(&b, in, strlen(in), true);
    mcp_buf_putc(&b, '\0');
    assert_string_equal(b.data, want);
    mcp_buf_free(&b);
}

static void test_json_for_html(void **state)
{
    struct mcp_buf j;

    (void)state;
    script_is("[\"</script><!--&\"]",
              "[\"\\u003c/script\\u003e\\u003c!--\\u0026\"]");
    script_is("\"\xe2\x80\xae x\"", "\"\\u202e x\"");
    /* for a <pre>: only the invisible characters, the markup is left to
     * the HTML escaper */
    mcp_buf_init(&j);
    mcp_json_for_html(&j, "\"<\xe2\x80\x8b>\"", 7, false);
    mcp_buf_putc(&j, '\0');
    assert_string_equal(j.data, "\"<\\u200b>\"");
    mcp_buf_free(&j);
    /* U+2028 and U+2029 are already escaped by the JSON escaper */
    mcp_buf_init(&j);
    mcp_json_string(&j, "a\xe2\x80\xa8" "b\xe2\x80\xa9", 8);
    mcp_buf_putc(&j, '\0');
    assert_string_equal(j.data, "\"a\\u2028b\\u2029\"");
    mcp_buf_free(&j);
}

static void test_timebins_exact(void **state)
{
    struct mcp_timebins b;
    uint64_t out[4] = {0};

    (void)state;
    mcp_timebins_init(&b, 64);
    mcp_timebins_add(&b, 0, 1);
    mcp_timebins_add(&b, 999, 1);       /* same second */
    mcp_timebins_add(&b, 1000, 1);
    mcp_timebins_add(&b, 3500, 2);
    assert_int_equal(b.width, 1000);
    assert_int_equal(b.n, 3);
    assert_int_equal(mcp_timebins_total(&b), 5);
    mcp_timebins_spread(&b, 0, 4000, out, 4);
    assert_int_equal(out[0], 2);
    assert_int_equal(out[1], 1);
    assert_int_equal(out[2], 0);
    assert_int_equal(out[3], 2);
    mcp_timebins_free(&b);
}

static void test_timebins_bounded(void **state)
{
    struct mcp_timebins b;
    uint64_t out[10] = {0}, sum = 0;

    (void)state;
    /* A day of one line a second, and an outlier 70 years ahead: at most
     * cap entries, the width doubled as needed, nothing lost. */
    mcp_timebins_init(&b, 64);
    for (int64_t s = 0; s < 86400; s++)
        mcp_timebins_add(&b, s * 1000, 1);
    mcp_timebins_add(&b, 70LL * 365 * 86400 * 1000, 1);
    assert_true(b.n <= 64);
    assert_int_equal(b.width, 2048000);
    assert_int_equal(mcp_timebins_total(&b), 86401);
    mcp_timebins_spread(&b, 0, 86400000, out, 10);
    for (int i = 0; i < 10; i++)
        sum += out[i];
    assert_int_equal(sum, 86400);   /* the outlier is off the axis */
    mcp_timebins_free(&b);
}

static void template_is(const char *msg, const char *want)
{
    struct mcp_buf b;

    mcp_buf_init(&b);
    mcp_incident_template(&b, msg, strlen(msg), 200);
    mcp_buf_putc(&b, '\0');
    assert_string_equal(b.data, want);
    mcp_buf_free(&b);
}

static void test_templates(void **state)
{
    struct mcp_buf b;

    (void)state;
    template_is("Cannot access workspace /workspace: [Errno 30] Read-only "
                "file system: '/workspace'",
                "Cannot access workspace <path>: [Errno <n>] Read-only "
                "file system: '<path>'");
    template_is("thread 80d0ad80-56db-48d0-b52e-25ccc4c84da8 lost",
                "thread <id> lost");
    template_is("at 0x7f3a2c00 and deadbeef12", "at <hex> and <id>");
    template_is("model gpt-5 after 4 attempts: 503",
                "model gpt-<n> after <n> attempts: <n>");
    template_is("Read/Write required", "Read/Write required");
    template_is("see ~/x/y.txt", "see <path>");
    template_is("open(/etc/x) [/a/b] k=/c/d", "open(<path>) [<path>] k=<path>");
    /* markup is not a path: the '/' follows '<' */
    template_is("close </script> x", "close </script> x");
    mcp_buf_init(&b);
    mcp_incident_template(&b, "abcdef", 6, 3);
    mcp_buf_putc(&b, '\0');
    assert_string_equal(b.data, "abc");
    mcp_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_html_markup),
        cmocka_unit_test(test_html_visible),
        cmocka_unit_test(test_html_lines),
        cmocka_unit_test(test_html_cut),
        cmocka_unit_test(test_json_for_html),
        cmocka_unit_test(test_timebins_exact),
        cmocka_unit_test(test_timebins_bounded),
        cmocka_unit_test(test_templates),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
