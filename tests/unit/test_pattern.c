/* test_pattern.c - analyzer/pattern.c (PCRE2 wrapper) and the literal
 * prefilter it derives (analyzer/prefilter.c).
 *
 * The prefilter must be SAFE: every line the pattern matches contains at
 * least one of the derived strings, or the matcher would lose matches.
 * Each case below is checked two ways: on hand-picked witness subjects
 * (which must match), and exhaustively on every string up to a small
 * length over a small alphabet.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "match/pattern.h"
#include "match/prefilter.h"
#include "base/util.h"

static struct mcp_pattern *compile(const char *src, int flags)
{
    char err[MCP_ERRLEN] = "";
    size_t off = 0;
    struct mcp_pattern *p = mcp_pattern_compile(src, flags, &off, err);

    if (p == NULL)
        fail_msg("'%s' does not compile: %s at %zu", src, err, off);
    assert_string_equal(err, "");
    return p;
}

static int exec(const struct mcp_pattern *p, const char *s, size_t len)
{
    struct mcp_match *m = mcp_match_create();
    int rc = mcp_pattern_exec(p, m, s, len, 0);

    mcp_match_destroy(m);
    return rc;
}

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* --- prefilter safety ------------------------------------------------ */

static bool covered(const struct mcp_prefilter *pf, const char *s,
                    size_t len)
{
    if (pf->n == 0)
        return true; /* no prefilter: every line is tried */
    for (int i = 0; i < pf->n; i++)
        if (memmem(s, len, pf->lit[i], pf->len[i]) != NULL)
            return true;
    return false;
}

static void show_pf(const struct mcp_prefilter *pf, char *buf, size_t n)
{
    size_t o = 0;

    buf[0] = '\0';
    for (int i = 0; i < pf->n && o < n; i++)
        o += (size_t)snprintf(buf + o, n - o, " \"%.*s\"", (int)pf->len[i],
                              pf->lit[i]);
}

/* Every string of length <= maxlen over alphabet that p matches must be
 * covered by its prefilter. */
static void exhaust(const char *src, const struct mcp_pattern *p,
                    const char *alphabet, int maxlen)
{
    const struct mcp_prefilter *pf = mcp_pattern_prefilter(p);
    struct mcp_match *m = mcp_match_create();
    size_t k = strlen(alphabet);
    int idx[16] = {0};
    char s[16] = {0}, shown[1200];

    assert_true(maxlen < 16);
    for (int len = 0; len <= maxlen; len++) {
        memset(idx, 0, sizeof(idx));
        for (;;) {
            int i;

            for (i = 0; i < len; i++)
                s[i] = alphabet[idx[i]];
            if (mcp_pattern_exec(p, m, s, (size_t)len, 0) == 1 &&
                !covered(pf, s, (size_t)len)) {
                show_pf(pf, shown, sizeof(shown));
                fail_msg("UNSAFE prefilter for '%s': {%s } misses the "
                         "matching subject '%.*s'", src, shown, len, s);
            }
            for (i = len - 1; i >= 0 && ++idx[i] == (int)k; i--)
                idx[i] = 0;
            if (i < 0)
                break;
        }
    }
    mcp_match_destroy(m);
}

struct lit_case {
    const char *src;
    const char *literal;       /* mcp_pattern_literal(), NULL for none */
    const char *set[MCP_PREFILTER_MAX + 1]; /* the whole prefilter */
    const char *alphabet;      /* for the exhaustive check */
    int maxlen;
    const char *witness[4];    /* subjects that match */
};

static const struct lit_case lit_cases[] = {
    /* The examples of ARCHITECTURE.md and the brief. */
    {"TOOL_CALL: (?<tool>\\S+) with", "TOOL_CALL: ", {"TOOL_CALL: "},
     NULL, 0, {"x TOOL_CALL: read with 2 arguments"}},
    {" - root - INFO - Process PID: (?<pid>\\d+)",
     " - root - INFO - Process PID: ", {" - root - INFO - Process PID: "},
     NULL, 0, {"2025-01-01 - root - INFO - Process PID: 42"}},
    {"Server ready - waiting", "Server ready - waiting",
     {"Server ready - waiting"}, NULL, 0, {"x Server ready - waiting..."}},
    {"x\\.y\\.zz", "x.y.zz", {"x.y.zz"}, "x.yz", 6, {"x.y.zz"}},
    /* An optional character leaves the longest mandatory run. */
    {"ab?cde", "cde", {"cde"}, "abcde", 6, {"acde", "abcde"}},
    {"colou?r", "colo", {"colo"}, "colur", 6, {"color", "colour"}},
    {"é?abc", "abc", {"abc"}, "abcé", 5, {"abc", "éabc"}},
    {"ab\\.?cd", NULL, {"ab"}, "abcd.", 6, {"abcd", "ab.cd"}},
    {"abc{0}de", NULL, {"ab"}, "abcde", 6, {"abde"}},
    {"ab{0,2}c", NULL, {"a"}, "abc", 6, {"ac", "abbc"}},
    {"ab*c+d", NULL, {"a"}, "abcd", 6, {"acd", "abbccd"}},
    {"a+b+c+", NULL, {"a"}, "abc", 6, {"abc", "aabbcc"}},
    {"ab?c?", NULL, {"a"}, "abc", 5, {"a"}},
    {"\\d+ms", NULL, {"ms"}, "1ms", 5, {"12ms"}},
    /* Alternation: a set, or nothing when a branch has no literal. */
    {"a|bcd", NULL, {"a", "bcd"}, "abcd", 5, {"a", "bcd"}},
    {"(?:abc|abd)x", NULL, {"abc", "abd"}, "abcdx", 6, {"abcx", "abdx"}},
    {"(ab|a)c", NULL, {"c"}, "abc", 5, {"ac", "abc"}},
    {"abc|", NULL, {NULL}, "abc", 4, {"", "abc"}},
    {"a(b|)c", NULL, {"a"}, "abc", 5, {"ac", "abc"}},
    {"abc|abd|abe|abf|abg", NULL, {NULL}, "abcdefg", 4, {"abg"}},
    {"^\\S+ - (?<level>ERROR|CRITICAL) - ", NULL,
     {"ERROR", "CRITICAL"}, NULL, 0,
     {"x - ERROR - y", "x - CRITICAL - y"}},
    /* Groups: optional ones are skipped, mandatory ones count. */
    {"(abc)?def", "def", {"def"}, "abcdef", 6, {"def", "abcdef"}},
    {"(abc)*def", "def", {"def"}, "abcdef", 6, {"def"}},
    {"(abc){0}d", NULL, {"d"}, "abcd", 5, {"d"}},
    {"(abc)+", "abc", {"abc"}, "abc", 6, {"abc"}},
    {"x(?:ab)*y", NULL, {"x"}, "abxy", 6, {"xy", "xababy"}},
    {"(?:a|b)+c", NULL, {"c"}, "abc", 5, {"abc", "bc"}},
    /* Lookarounds are not consumed: skipped, never required. */
    {"(?<=abc)def", "def", {"def"}, "abcdef", 6, {"abcdef"}},
    {"abc(?=xyz)", "abc", {"abc"}, "abcxyz", 6, {"abcxyz"}},
    {"abc(?!d)", "abc", {"abc"}, "abcd", 5, {"abc"}},
    {"a\\Kbcd", "bcd", {"bcd"}, "abcd", 5, {"abcd"}},
    /* Inline options and verbs give up. */
    {"(?i)hello", NULL, {NULL}, NULL, 0, {"HELLO", "hello"}},
    {"a(?i:bcd)", NULL, {NULL}, NULL, 0, {"aBCD"}},
    {"(*UTF)abcd", NULL, {NULL}, NULL, 0, {"abcd"}},
    {"\\Qa.b\\E", NULL, {NULL}, NULL, 0, {"a.b"}},
    /* Classes and escaped metacharacters. */
    {"[ab]c[de]", NULL, {"c"}, "abcde", 4, {"acd", "bce"}},
    {"a\\+b\\?c\\|d", "a+b?c|d", {"a+b?c|d"}, NULL, 0, {"a+b?c|d"}},
    {"a]bc", "a]bc", {"a]bc"}, NULL, 0, {"a]bc"}},
    {"[]a]xyz", "xyz", {"xyz"}, "]axyz", 5, {"]xyz"}},
    {"[^]a]xyz", "xyz", {"xyz"}, "]axyz", 5, {"bxyz"}},
    {"[[:digit:]]xyz", "xyz", {"xyz"}, "1xyz", 5, {"7xyz"}},
    /* Escapes whose letter is followed by more of the escape: the digits
     * of \x41, \012, \g1 and the letter of \pL are not literal text. */
    {"\\x41BCD", "BCD", {"BCD"}, "ABCD14x", 5, {"ABCD"}},
    {"\\x{41}bcd", "bcd", {"bcd"}, NULL, 0, {"Abcd"}},
    {"\\pLabcd", "abcd", {"abcd"}, "Labcdx", 6, {"xabcd", "éabcd"}},
    {"\\p{L}abcd", "abcd", {"abcd"}, NULL, 0, {"éabcd"}},
    {"x\\012abc", "abc", {"abc"}, "x12abc\n", 6, {"x\nabc"}},
    {"(a)\\12xyz", "xyz", {"xyz"}, "a2xyz\n", 6, {"a\nxyz"}},
    {"(a)\\1xyz", "xyz", {"xyz"}, "a1xyz", 6, {"aaxyz"}},
    {"(a)\\g1xyz", "xyz", {"xyz"}, "a1xyz", 6, {"aaxyz"}},
    {"(a)\\g-1xyz", "xyz", {"xyz"}, "a1-xyz", 6, {"aaxyz"}},
    {"(?<n>a)\\k<n>xyz", "xyz", {"xyz"}, NULL, 0, {"aaxyz"}},
    {"\\cAbcd", "bcd", {"bcd"}, NULL, 0, {"\001bcd"}},
    {"\\0xyz", "xyz", {"xyz"}, NULL, 0, {"\0xyz"}},
    {"\\o{101}bcd", "bcd", {"bcd"}, NULL, 0, {"Abcd"}},
    {"\\N{U+41}bcd", "bcd", {"bcd"}, NULL, 0, {"Abcd"}},
    /* \Q...\E inside a class: the class ends at the second ']'. */
    {"[\\Q]abc\\E]", NULL, {NULL}, "]abc", 4, {"a", "]"}},
    /* PCRE2 10.42 reads "{,3}" and "{ 0,3}" as literal text, 10.43 and
     * later as quantifiers: only what is required under both counts. */
    {"ab{,3}cd", NULL, {"cd"}, NULL, 0, {NULL}},
    {"ab{ 0,3}cd", NULL, {"cd"}, NULL, 0, {NULL}},
    {"(xyz){,3}d", NULL, {"d"}, NULL, 0, {NULL}},
};

static void test_literal_derivation(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(lit_cases) / sizeof(lit_cases[0]); i++) {
        const struct lit_case *c = &lit_cases[i];
        struct mcp_pattern *p = compile(c->src, 0);
        const struct mcp_prefilter *pf = mcp_pattern_prefilter(p);
        const char *lit;
        size_t len, want_n = 0;
        char shown[1200];

        lit = mcp_pattern_literal(p, &len);
        show_pf(pf, shown, sizeof(shown));
        print_message("%-44s ->%s\n", c->src, shown);
        if (c->literal == NULL) {
            if (lit != NULL)
                fail_msg("'%s': literal '%.*s', expected none", c->src,
                         (int)len, lit);
        } else {
            if (lit == NULL || len != strlen(c->literal) ||
                memcmp(lit, c->literal, len) != 0)
                fail_msg("'%s': literal '%.*s', expected '%s'", c->src,
                         lit ? (int)len : 4, lit ? lit : "NULL",
                         c->literal);
        }
        while (c->set[want_n] != NULL)
            want_n++;
        if ((size_t)pf->n != want_n)
            fail_msg("'%s': prefilter {%s }, expected %zu strings", c->src,
                     shown, want_n);
        for (size_t j = 0; j < want_n; j++)
            if (pf->len[j] != strlen(c->set[j]) ||
                memcmp(pf->lit[j], c->set[j], pf->len[j]) != 0)
                fail_msg("'%s': prefilter {%s }, expected '%s' at %zu",
                         c->src, shown, c->set[j], j);
        for (size_t j = 0; j < 4 && c->witness[j] != NULL; j++) {
            size_t wl = strlen(c->witness[j]);

            if (strcmp(c->src, "\\0xyz") == 0)
                wl = 4; /* the witness starts with a NUL byte */
            if (exec(p, c->witness[j], wl) != 1)
                fail_msg("'%s' does not match witness '%s'", c->src,
                         c->witness[j]);
            if (!covered(pf, c->witness[j], wl))
                fail_msg("UNSAFE prefilter for '%s': {%s } misses the "
                         "matching subject '%s'", c->src, shown,
                         c->witness[j]);
        }
        if (c->alphabet != NULL)
            exhaust(c->src, p, c->alphabet, c->maxlen);
        mcp_pattern_free(p);
    }
}

/* Random patterns from a small grammar, each checked exhaustively: finds
 * derivation bugs no hand-written case thought of. Deterministic. */
static void test_literal_random(void **state)
{
    static const char *const atoms[] = {
        "a", "b", "c", "ab", "abc", "\\.", ".", "1", "\\d", "\\x61",
        "\\141", "\\pL", "\\p{Ll}", "\\cA", "\\Qa.\\E", "[ab]",
        "[^a]", "[\\Q]a\\E]", "^", "$", "\\b", "\\K", "(?=a)", "(?!b)",
        "(?<=a)", "a{,2}", "\\g1", "\\1",
    };
    static const char *const quants[] = {
        "?", "*", "+", "{0}", "{2}", "{0,2}", "{,2}", "{ 1}", "??", "*+",
        "{1,}",
    };
    static const char *const opens[] = {"(", "(?:", "(?<n>", "(?>"};
    unsigned long seed = 12345;
    int tried = 0, compiled = 0;

#define RND(n) ((seed = seed * 6364136223846793005UL + 1442695040888963407UL), \
                (int)((seed >> 33) % (unsigned long)(n)))
    (void)state;
    while (compiled < 250) {
        char src[256] = "";
        int depth = 0, ntok = 1 + RND(8), named = 0;
        char err[MCP_ERRLEN] = "";
        size_t off;
        struct mcp_pattern *p;

        for (int t = 0; t < ntok; t++) {
            int k = RND(10);

            if (k < 5) {
                strcat(src, atoms[RND(sizeof(atoms) / sizeof(atoms[0]))]);
            } else if (k < 7) {
                strcat(src, "a");
                strcat(src, quants[RND(sizeof(quants) / sizeof(quants[0]))]);
            } else if (k == 7 && depth < 3) {
                const char *o = opens[RND(4)];

                if (strcmp(o, "(?<n>") == 0 && named++)
                    o = "(";
                strcat(src, o);
                depth++;
            } else if (k == 8 && depth > 0) {
                strcat(src, ")");
                if (RND(2))
                    strcat(src, quants[RND(sizeof(quants) /
                                           sizeof(quants[0]))]);
                depth--;
            } else {
                strcat(src, "|");
            }
        }
        while (depth-- > 0)
            strcat(src, ")");
        tried++;
        p = mcp_pattern_compile(src, 0, &off, err);
        if (p == NULL)
            continue;
        compiled++;
        exhaust(src, p, "abc.1", 5);
        mcp_pattern_free(p);
    }
#undef RND
    print_message("%d random patterns tried, %d compiled and checked\n",
                  tried, compiled);
}

static void test_literal_caseless(void **state)
{
    struct mcp_pattern *p = compile("Failed to reconnect", MCP_PAT_CASELESS);
    size_t len = 99;

    (void)state;
    assert_null(mcp_pattern_literal(p, &len));
    assert_int_equal(len, 0);
    assert_int_equal(mcp_pattern_prefilter(p)->n, 0);
    assert_int_equal(exec(p, "FAILED TO RECONNECT", 19), 1);
    mcp_pattern_free(p);
}

/* --- compile ------------------------------------------------------------ */

static void test_compile_errors(void **state)
{
    static const struct {
        const char *src;
        size_t off;
        const char *msg;
    } bad[] = {
        {"(", 1, "missing closing parenthesis"},
        {"x\\p{Bogus}", 10, "unknown property after \\P or \\p"},
        {"(?<n>a)(?<n>b)", 12, "two named subpatterns have the same name "
                               "(PCRE2_DUPNAMES not set)"},
        {"a{2,1}", 5, "numbers out of order in {} quantifier"},
        {"\xff", 0, "UTF-8 error: illegal byte (0xfe or 0xff)"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char err[MCP_ERRLEN] = "";
        size_t off = 999;

        assert_null(mcp_pattern_compile(bad[i].src, 0, &off, err));
        assert_string_equal(err, bad[i].msg);
        assert_int_equal(off, bad[i].off);
    }
}

static void test_too_many_names(void **state)
{
    struct mcp_buf b;
    char err[MCP_ERRLEN] = "";
    size_t off = 99;
    struct mcp_pattern *p;

    (void)state;
    mcp_buf_init(&b);
    for (int i = 0; i < MCP_PATTERN_MAX_CAPS; i++)
        mcp_buf_printf(&b, "(?<g%d>x)", i);
    p = compile(b.data, 0);
    assert_int_equal(mcp_pattern_ncaptures(p), MCP_PATTERN_MAX_CAPS);
    mcp_pattern_free(p);
    mcp_buf_puts(&b, "(?<last>y)");
    assert_null(mcp_pattern_compile(b.data, 0, &off, err));
    assert_string_equal(err, "too many named groups (17, at most 16)");
    assert_int_equal(off, 0);
    mcp_buf_free(&b);
}

static void test_matches_empty(void **state)
{
    static const char *const empty[] = {"^", "$", ".*", "a?", "(x|)",
                                        "x|\\B", "(?=)", "a*b*"};
    static const char *const not_empty[] = {"a", ".", "^x", "a+", "\\d",
                                            "(?<p>x)?y"};

    (void)state;
    for (size_t i = 0; i < sizeof(empty) / sizeof(empty[0]); i++) {
        struct mcp_pattern *p = compile(empty[i], 0);

        if (!mcp_pattern_matches_empty(p))
            fail_msg("'%s' should match the empty string", empty[i]);
        mcp_pattern_free(p);
    }
    for (size_t i = 0; i < sizeof(not_empty) / sizeof(not_empty[0]); i++) {
        struct mcp_pattern *p = compile(not_empty[i], 0);

        if (mcp_pattern_matches_empty(p))
            fail_msg("'%s' should not match the empty string", not_empty[i]);
        mcp_pattern_free(p);
    }
}

/* --- matching ----------------------------------------------------------- */

static void test_named_captures(void **state)
{
    struct mcp_pattern *p =
        compile("TOOL_CALL: (?<tool>\\S+) with (?<args>\\d+) (arg)", 0);
    struct mcp_match *m = mcp_match_create();
    const char *s = "12:00 - TOOL_CALL: read_file with 2 arguments";
    size_t so = 0, eo = 0;
    int g = -1;

    (void)state;
    assert_int_equal(mcp_pattern_ncaptures(p), 2);
    /* Names come in PCRE2's name-table order (alphabetical). */
    assert_string_equal(mcp_pattern_capture_name(p, 0, &g), "args");
    assert_int_equal(g, 2);
    assert_string_equal(mcp_pattern_capture_name(p, 1, &g), "tool");
    assert_int_equal(g, 1);
    assert_string_equal(mcp_pattern_capture_name(p, 1, NULL), "tool");
    assert_null(mcp_pattern_capture_name(p, 2, &g));
    assert_null(mcp_pattern_capture_name(p, -1, &g));

    assert_int_equal(mcp_pattern_exec(p, m, s, strlen(s), 0), 1);
    assert_int_equal(mcp_match_group(m, 0, &so, &eo), 1);
    assert_int_equal(so, 8);
    assert_int_equal(eo, strlen(s) - 6);
    assert_int_equal(mcp_match_group(m, 1, &so, &eo), 1);
    assert_int_equal(eo - so, 9);
    assert_memory_equal(s + so, "read_file", 9);
    assert_int_equal(mcp_match_group(m, 2, &so, &eo), 1);
    assert_memory_equal(s + so, "2", eo - so);
    assert_int_equal(mcp_match_group(m, 3, &so, &eo), 1);
    assert_memory_equal(s + so, "arg", eo - so);
    assert_int_equal(mcp_match_group(m, 4, &so, &eo), 0);
    assert_int_equal(mcp_match_group(m, 40, &so, &eo), 0);
    assert_int_equal(mcp_match_group(m, -1, &so, &eo), 0);

    /* After a failed match no group is reported. */
    assert_int_equal(mcp_pattern_exec(p, m, "nothing", 7, 0), 0);
    assert_int_equal(mcp_match_group(m, 0, &so, &eo), 0);
    assert_int_equal(mcp_match_group(m, 1, &so, &eo), 0);

    /* A start offset skips what comes before. */
    assert_int_equal(mcp_pattern_exec(p, m, s, strlen(s), 9), 0);
    mcp_match_destroy(m);
    mcp_pattern_free(p);
}

static void test_group_not_participating(void **state)
{
    struct mcp_pattern *p = compile("(?<a>x)?(?<b>y)|(?<c>z)", 0);
    struct mcp_match *m = mcp_match_create();
    size_t so = 77, eo = 77;

    (void)state;
    assert_int_equal(mcp_pattern_exec(p, m, "--y--", 5, 0), 1);
    assert_int_equal(mcp_match_group(m, 1, &so, &eo), 0); /* a: unset */
    assert_int_equal(so, 77);
    assert_int_equal(mcp_match_group(m, 2, &so, &eo), 1); /* b */
    assert_int_equal(so, 2);
    assert_int_equal(eo, 3);
    assert_int_equal(mcp_match_group(m, 3, &so, &eo), 0); /* c: beyond */

    assert_int_equal(mcp_pattern_exec(p, m, "z", 1, 0), 1);
    assert_int_equal(mcp_match_group(m, 1, &so, &eo), 0);
    assert_int_equal(mcp_match_group(m, 2, &so, &eo), 0);
    assert_int_equal(mcp_match_group(m, 3, &so, &eo), 1);
    assert_int_equal(so, 0);

    /* An empty group that took part is reported, with so == eo. */
    mcp_pattern_free(p);
    p = compile("a(?<e>x*)b", 0);
    assert_int_equal(mcp_pattern_exec(p, m, "ab", 2, 0), 1);
    assert_int_equal(mcp_match_group(m, 1, &so, &eo), 1);
    assert_int_equal(so, 1);
    assert_int_equal(eo, 1);
    mcp_match_destroy(m);
    mcp_pattern_free(p);
}

static void test_catastrophic_backtracking(void **state)
{
    struct mcp_pattern *p = compile("^(a+)+$", 0);
    struct mcp_match *m = mcp_match_create();
    char s[64], *big;
    double t0;
    int rc;

    (void)state;
    memset(s, 'a', 40);
    s[40] = '!';
    t0 = now();
    assert_int_equal(mcp_pattern_exec(p, m, s, 41, 0), -1);
    /* Bounded: the match limit stops it (unbounded it takes hours). */
    assert_true(now() - t0 < 5.0);
    /* The same match state works again afterwards. */
    assert_int_equal(mcp_pattern_exec(p, m, s, 40, 0), 1);
    mcp_pattern_free(p);

    /* The 2019 Cloudflare pattern on a 64 KiB line without '='. */
    p = compile(".*(?:.*=.*)", 0);
    big = malloc(65536);
    assert_non_null(big);
    memset(big, 'x', 65536);
    t0 = now();
    rc = mcp_pattern_exec(p, m, big, 65536, 0);
    assert_true(rc == -1 || rc == 0);
    assert_true(now() - t0 < 5.0);
    free(big);
    mcp_match_destroy(m);
    mcp_pattern_free(p);
}

static void test_invalid_utf8_subjects(void **state)
{
    static const struct {
        const char *s;
        size_t len;
    } subj[] = {
        {"\xff abc", 5},
        {"abc \xc3", 5},                /* truncated sequence at the end */
        {"\xed\xa0\x80 abc", 7},        /* encoded surrogate */
        {"\xc0\xaf abc", 6},            /* overlong '/' */
        {"abc \xf4\x90\x80\x80", 8},    /* beyond U+10FFFF */
        {"\x80\x80\x80 abc \xfe", 9},   /* stray continuation bytes */
    };
    struct mcp_pattern *lit = compile("abc", 0);
    struct mcp_pattern *word = compile("(?<w>\\w+)", 0);
    struct mcp_pattern *any = compile("^.+$", 0);
    struct mcp_pattern *dot = compile("a.c", 0);
    struct mcp_match *m = mcp_match_create();

    (void)state;
    for (size_t i = 0; i < sizeof(subj) / sizeof(subj[0]); i++) {
        size_t so = 0, eo = 0;
        int rc;

        assert_int_equal(mcp_pattern_exec(lit, m, subj[i].s, subj[i].len, 0),
                         1);
        assert_int_equal(mcp_pattern_exec(word, m, subj[i].s, subj[i].len,
                                          0), 1);
        assert_int_equal(mcp_match_group(m, 1, &so, &eo), 1);
        assert_int_equal(eo - so, 3);
        assert_memory_equal(subj[i].s + so, "abc", 3);
        /* '.' never matches an invalid sequence: no whole-line match. */
        assert_int_equal(mcp_pattern_exec(any, m, subj[i].s, subj[i].len,
                                          0), 0);
        /* Every start offset, even inside a sequence, is safe. */
        for (size_t start = 0; start <= subj[i].len; start++) {
            rc = mcp_pattern_exec(dot, m, subj[i].s, subj[i].len, start);
            assert_true(rc == 0 || rc == 1);
        }
    }
    /* Valid multi-byte text still matches as characters. */
    assert_int_equal(mcp_pattern_exec(dot, m, "a\xc3\xa9" "c", 4, 0), 1);
    assert_int_equal(mcp_pattern_exec(dot, m, "a\xc3" "c", 3, 0), 0);
    mcp_match_destroy(m);
    mcp_pattern_free(lit);
    mcp_pattern_free(word);
    mcp_pattern_free(any);
    mcp_pattern_free(dot);
}

static void test_flags(void **state)
{
    struct mcp_pattern *p = compile("^abc$", 0);

    (void)state;
    assert_int_equal(exec(p, "x\nabc\ny", 7), 0);
    mcp_pattern_free(p);
    p = compile("^abc$", MCP_PAT_MULTILINE);
    assert_int_equal(exec(p, "x\nabc\ny", 7), 1);
    mcp_pattern_free(p);
    p = compile("abc", MCP_PAT_CASELESS | MCP_PAT_MULTILINE);
    assert_int_equal(exec(p, "xABCy", 5), 1);
    mcp_pattern_free(p);
    /* The JIT is reported either way; results do not depend on it. */
    p = compile("abc", 0);
    print_message("JIT in use: %s\n", mcp_pattern_jit(p) ? "yes" : "no");
    mcp_pattern_free(p);
    mcp_pattern_free(NULL);
    mcp_match_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_literal_derivation),
        cmocka_unit_test(test_literal_random),
        cmocka_unit_test(test_literal_caseless),
        cmocka_unit_test(test_compile_errors),
        cmocka_unit_test(test_too_many_names),
        cmocka_unit_test(test_matches_empty),
        cmocka_unit_test(test_named_captures),
        cmocka_unit_test(test_group_not_participating),
        cmocka_unit_test(test_catastrophic_backtracking),
        cmocka_unit_test(test_invalid_utf8_subjects),
        cmocka_unit_test(test_flags),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
