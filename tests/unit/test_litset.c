/* test_litset.c - analyzer/match/litset.c, the one-pass multi-literal search.
 *
 * Every occurrence of every literal must be reported, exactly once, by
 * every search loop this CPU can run (AVX2, SSSE3, scalar), whatever the
 * fingerprints: each case is compared with a naive search, and random
 * literal sets on random texts cover bucket merging (more than 8
 * fingerprints), short literals (fingerprints of 1 and 2 bytes), NUL and
 * high bytes, overlapping occurrences and both ends of the buffer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match/litset.h"

struct hit {
    size_t pos;
    unsigned lit;
};

struct hits {
    struct hit *h;
    size_t n, cap;
};

static void on_hit(void *arg, size_t pos, unsigned lit)
{
    struct hits *hs = arg;

    if (hs->n == hs->cap) {
        hs->cap = hs->cap ? 2 * hs->cap : 64;
        hs->h = realloc(hs->h, hs->cap * sizeof(*hs->h));
        assert_non_null(hs->h);
    }
    hs->h[hs->n].pos = pos;
    hs->h[hs->n].lit = lit;
    hs->n++;
}

static int cmp_hit(const void *a, const void *b)
{
    const struct hit *x = a, *y = b;

    if (x->pos != y->pos)
        return x->pos < y->pos ? -1 : 1;
    return x->lit < y->lit ? -1 : x->lit > y->lit;
}

/* Every (pos, lit) by brute force, sorted. */
static struct hits naive(const char *const *lit, const size_t *len, size_t n,
                         const char *data, size_t dlen)
{
    struct hits hs = {NULL, 0, 0};

    for (size_t i = 0; i < dlen; i++)
        for (unsigned k = 0; k < n; k++)
            if (len[k] > 0 && i + len[k] <= dlen &&
                memcmp(data + i, lit[k], len[k]) == 0)
                on_hit(&hs, i, k);
    return hs;
}

static const enum mcp_litset_impl impls[] = {
    MCP_LITSET_SCALAR, MCP_LITSET_SSSE3, MCP_LITSET_AVX2};

/* Compare every available loop with the naive search; returns how many
 * loops ran. */
static int check(const char *const *lit, const size_t *len, size_t n,
                 const char *data, size_t dlen, const char *sample,
                 size_t slen)
{
    struct mcp_litset *s = mcp_litset_compile(lit, len, n, sample, slen);
    struct hits want = naive(lit, len, n, data, dlen);
    int ran = 0;

    assert_non_null(s);
    for (size_t i = 0; i < sizeof(impls) / sizeof(impls[0]); i++) {
        struct hits got = {NULL, 0, 0};

        if (!mcp_litset_use(impls[i]))
            continue;
        ran++;
        mcp_litset_scan(s, data, dlen, on_hit, &got);
        if (got.n > 1)
            qsort(got.h, got.n, sizeof(*got.h), cmp_hit);
        if (got.n != want.n)
            fail_msg("%s: %zu hits, want %zu", mcp_litset_impl_name(), got.n,
                     want.n);
        for (size_t j = 0; j < got.n; j++)
            if (got.h[j].pos != want.h[j].pos ||
                got.h[j].lit != want.h[j].lit)
                fail_msg("%s: hit %zu is (%zu, %u), want (%zu, %u)",
                         mcp_litset_impl_name(), j, got.h[j].pos,
                         got.h[j].lit, want.h[j].pos, want.h[j].lit);
        free(got.h);
    }
    assert_true(mcp_litset_use(MCP_LITSET_AUTO));
    free(want.h);
    mcp_litset_free(s);
    return ran;
}

/* The loops this CPU runs: the scalar one, and SSSE3 and AVX2 on x86. */
static int loops(void)
{
#if defined(__x86_64__) || defined(__i386__)
    return 1 + (__builtin_cpu_supports("ssse3") ? 1 : 0) +
           (__builtin_cpu_supports("avx2") ? 1 : 0);
#else
    return 1;
#endif
}

static size_t lens(const char *const *lit, size_t *len, size_t n)
{
    for (size_t k = 0; k < n; k++)
        len[k] = strlen(lit[k]);
    return n;
}

/* The shipped rules' literals on log lines: each line found by the
 * literals it holds, at the right place, "ERROR" inside
 * "CONVERSATION_ERROR" too. */
static void test_log_literals(void **state)
{
    const char *lit[] = {
        "ERROR", "CRITICAL", "Failed to reconnect to ",
        " - root - INFO - Process PID: ", " - WARNING - ",
        " - WARNING - Thread not found: ", "CONVERSATION_ERROR: Thread ",
        " - INFO - Server ready - waiting for tool requests...",
        " - TOOL_CALL: ",
    };
    size_t len[9];
    const char text[] =
        "2025-12-10 14:36:02,114 - root - INFO - Process PID: 4242\n"
        "2025-12-10 14:36:03,000 - server - INFO - Server ready - waiting "
        "for tool requests...\n"
        "2025-12-10 14:36:04,000 - tools.chat - ERROR - boom\n"
        "2025-12-10 14:36:05,000 - server - WARNING - Thread not found: ab\n"
        "2025-12-10 14:36:06,000 - CONVERSATION_ERROR: Thread ab\n"
        "2025-12-10 14:36:07,000 - TOOL_CALL: chat with 2 arguments\n"
        "Failed to reconnect to hestai.\n"
        "2025-12-10 14:36:08,000 - x - CRITICAL - y\n";
    struct mcp_litset *s;
    struct hits got = {NULL, 0, 0};

    (void)state;
    lens(lit, len, 9);
    assert_int_equal(check(lit, len, 9, text, sizeof(text) - 1, text,
                           sizeof(text) - 1), loops());
    /* Exact positions with the default loop. */
    s = mcp_litset_compile(lit, len, 9, text, sizeof(text) - 1);
    mcp_litset_scan(s, text, sizeof(text) - 1, on_hit, &got);
    qsort(got.h, got.n, sizeof(*got.h), cmp_hit);
    assert_int_equal(got.n, 10);
    assert_int_equal(got.h[0].lit, 3);
    assert_int_equal(got.h[0].pos, 23);
    assert_int_equal(got.h[1].lit, 7);
    assert_int_equal(got.h[2].lit, 0); /* ERROR of the tools.chat line */
    assert_int_equal(got.h[3].lit, 4); /* both WARNING literals */
    assert_int_equal(got.h[4].lit, 5);
    assert_int_equal(got.h[3].pos, got.h[4].pos);
    assert_int_equal(got.h[5].lit, 6); /* CONVERSATION_ERROR ... */
    assert_int_equal(got.h[6].lit, 0); /* ... and ERROR inside it */
    assert_int_equal(got.h[6].pos, got.h[5].pos + 13);
    assert_int_equal(got.h[7].lit, 8);
    assert_int_equal(got.h[8].lit, 2);
    assert_string_equal(text + got.h[8].pos + 23, "hestai.\n"
                        "2025-12-10 14:36:08,000 - x - CRITICAL - y\n");
    assert_int_equal(got.h[9].lit, 1);
    free(got.h);
    mcp_litset_free(s);
}

/* Occurrences that overlap, touch both ends, or repeat a literal. */
static void test_edges(void **state)
{
    const char *lit[] = {"aaa", "aab", "aaa", "b"};
    size_t len[4];
    char text[200];

    (void)state;
    lens(lit, len, 4);
    for (size_t n = 0; n < sizeof(text); n++) {
        memset(text, 'a', n);
        if (n > 0)
            text[n - 1] = 'b';
        check(lit, len, 4, text, n, text, n);
    }
    /* Literals longer than the text, and no text at all. */
    const char *lng[] = {"abcdefghijklmnopqrstuvwxyz0123456789"};
    size_t ll = strlen(lng[0]);
    check(lng, &ll, 1, "abcdefghijklmnopqrstuvwxyz012345678", 35, NULL, 0);
    check(lng, &ll, 1, "", 0, NULL, 0);
    check(lng, &ll, 1, lng[0], ll, NULL, 0);
    assert_null(mcp_litset_compile(lng, &ll, 0, NULL, 0));
}

static uint32_t rnd(uint32_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    return *x;
}

/* Random sets of 1-24 literals of 1-12 bytes over a small alphabet (with
 * NUL and high bytes), planted in random text of 0-300 bytes. */
static void test_random(void **state)
{
    static const char alpha[] = {'a', 'b', 'c', ' ', '\n', '\0', '\xff',
                                 '\x80', 'E', 'R'};
    uint32_t x = 2463534242u;
    int ran = 0;

    (void)state;
    for (int round = 0; round < 3000; round++) {
        char store[24][12], text[300];
        const char *lit[24];
        size_t len[24], n = 1 + rnd(&x) % 24, tlen = rnd(&x) % 300;

        for (size_t k = 0; k < n; k++) {
            len[k] = 1 + rnd(&x) % (round % 3 == 0 ? 3 : 12);
            for (size_t j = 0; j < len[k]; j++)
                store[k][j] = alpha[rnd(&x) % sizeof(alpha)];
            lit[k] = store[k];
        }
        for (size_t i = 0; i < tlen; i++)
            text[i] = alpha[rnd(&x) % sizeof(alpha)];
        for (int p = 0; p < 4 && tlen > 0; p++) {
            size_t k = rnd(&x) % n, at = rnd(&x) % tlen;

            if (at + len[k] <= tlen)
                memcpy(text + at, lit[k], len[k]);
        }
        ran += check(lit, len, n, text, tlen, round % 2 ? text : NULL, tlen);
    }
    /* Each round ran every loop this CPU has. */
    assert_int_equal(ran, 3000 * loops());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_log_literals),
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_random),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
