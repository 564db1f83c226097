/* test_inflate.c - the reader's inflate bound (reader.h): a gzip member
 * past MCP_INFLATE_FLOOR and over the ratio is damage, cut at the same
 * byte whatever the caller's buffer size; whole members, other ratios and
 * no bound read in full.
 *
 * Bombs are made as tests/e2e/gzbomb.py makes them: one 1 MiB chunk of a
 * 64-byte log line deflated once and ended with a full flush (byte
 * aligned, no reference before it), repeated, then an empty final block
 * and the real CRC-32 (crc32_combine) and length.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include "input/reader.h"
#include "base/util.h"

#define CHUNK (1u << 20)
#define LINE "2025-12-10 14:00:00,000 - __main__ - INFO - tool call done 12ms\n"

static char tmpdir[64];

/* Append a member of reps x CHUNK bytes of LINE to fp; returns its size. */
static size_t bomb(FILE *fp, unsigned reps)
{
    static const unsigned char head[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
    unsigned char *chunk = malloc(CHUNK), *piece = malloc(CHUNK);
    unsigned char tail[8];
    uLong crc1, crc = crc32(0, NULL, 0);
    size_t plen, size = 0;
    z_stream z;

    assert_non_null(chunk);
    assert_non_null(piece);
    for (size_t i = 0; i < CHUNK; i += sizeof(LINE) - 1)
        memcpy(chunk + i, LINE, sizeof(LINE) - 1);
    memset(&z, 0, sizeof(z));
    assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, -15, 8,
                                  Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = chunk;
    z.avail_in = CHUNK;
    z.next_out = piece;
    z.avail_out = CHUNK;
    assert_int_equal(deflate(&z, Z_FULL_FLUSH), Z_OK);
    assert_int_equal(z.avail_in, 0);
    plen = CHUNK - z.avail_out;
    deflateEnd(&z);
    crc1 = crc32(0, chunk, CHUNK);
    assert_int_equal(fwrite(head, 1, sizeof(head), fp), sizeof(head));
    for (unsigned i = 0; i < reps; i++) {
        assert_int_equal(fwrite(piece, 1, plen, fp), plen);
        crc = crc32_combine(crc, crc1, CHUNK);
        size += CHUNK;
    }
    assert_int_equal(fwrite("\x03\x00", 1, 2, fp), 2);
    for (int i = 0; i < 4; i++) {
        tail[i] = (unsigned char)(crc >> (8 * i));
        tail[4 + i] = (unsigned char)(size >> (8 * i));
    }
    assert_int_equal(fwrite(tail, 1, 8, fp), 8);
    free(chunk);
    free(piece);
    return sizeof(head) + (size_t)reps * plen + 10;
}

/* One small ordinary member; returns its size. */
static size_t small(FILE *fp)
{
    static const char text[] = "2025-12-10 13:59:59,000 - x - INFO - hi\n";
    unsigned char out[256];
    z_stream z;

    memset(&z, 0, sizeof(z));
    assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8,
                                  Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (Bytef *)text;
    z.avail_in = sizeof(text) - 1;
    z.next_out = out;
    z.avail_out = sizeof(out);
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    deflateEnd(&z);
    assert_int_equal(fwrite(out, 1, sizeof(out) - z.avail_out, fp),
                     sizeof(out) - z.avail_out);
    return sizeof(out) - z.avail_out;
}

struct got {
    uint64_t bytes;
    bool failed;
    char err[MCP_ERRLEN];
};

/* Read path to the end in reads of cap bytes under the bound ratio. */
static struct got read_bounded(const char *path, size_t cap, unsigned ratio)
{
    char *buf = malloc(cap);
    struct got g;
    struct mcp_reader *r;
    ssize_t n;

    assert_non_null(buf);
    memset(&g, 0, sizeof(g));
    r = mcp_reader_open(path, g.err);
    assert_non_null(r);
    if (ratio != 0)
        mcp_reader_set_max_inflate(r, ratio);
    while ((n = mcp_reader_read(r, buf, cap, g.err)) > 0)
        g.bytes += (uint64_t)n;
    g.failed = n < 0;
    assert_int_equal(mcp_reader_read(r, buf, cap, g.err), 0);
    mcp_reader_close(r);
    free(buf);
    return g;
}

static char *path_of(const char *name)
{
    static char path[128];

    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    return path;
}

/* A small member, then a 96 MiB bomb member (343:1): cut after exactly
 * 64 MiB of the bomb, at the same byte for any read size, the message
 * naming the bomb member's offset. */
static void test_bomb_cut(void **state)
{
    const size_t caps[] = {4093, 1 << 20};
    char *path = path_of("bomb.gz"), want[MCP_ERRLEN];
    FILE *fp = fopen(path, "wb");
    size_t first;

    (void)state;
    assert_non_null(fp);
    first = small(fp);
    bomb(fp, 96);
    assert_int_equal(fclose(fp), 0);
    for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
        struct got g = read_bounded(path, caps[i], 0);

        assert_true(g.failed);
        assert_int_equal(g.bytes, 40 + (uint64_t)MCP_INFLATE_FLOOR);
        snprintf(want, sizeof(want), "%s: inflate ratio over 200:1 in the "
                 "gzip member at offset %zu", path, first);
        assert_string_equal(g.err, want);
    }
    /* 300:1 is under the bomb's 343:1: cut there too, and said so. */
    struct got g = read_bounded(path, 1 << 20, 300);
    assert_int_equal(g.bytes, 40 + (uint64_t)MCP_INFLATE_FLOOR);
    snprintf(want, sizeof(want), "%s: inflate ratio over 300:1 in the gzip "
             "member at offset %zu", path, first);
    assert_string_equal(g.err, want);
    /* 400:1 and no bound: everything. */
    g = read_bounded(path, 1 << 20, 400);
    assert_false(g.failed);
    assert_int_equal(g.bytes, 40 + 96ull * CHUNK);
    g = read_bounded(path, 1 << 20, MCP_INFLATE_NONE);
    assert_false(g.failed);
    assert_int_equal(g.bytes, 40 + 96ull * CHUNK);
    assert_string_equal(g.err, "");
}

/* A member that ends exactly at the floor is whole: not damage. */
static void test_bomb_at_floor(void **state)
{
    char *path = path_of("floor.gz");
    FILE *fp = fopen(path, "wb");
    struct got g;

    (void)state;
    assert_non_null(fp);
    bomb(fp, MCP_INFLATE_FLOOR / CHUNK);
    assert_int_equal(fclose(fp), 0);
    g = read_bounded(path, 65536, 0);
    assert_false(g.failed);
    assert_int_equal(g.bytes, (uint64_t)MCP_INFLATE_FLOOR);
}

static int setup(void **state)
{
    (void)state;
    strcpy(tmpdir, "/tmp/mcplog-test-inflate-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path_of("bomb.gz"));
    unlink(path_of("floor.gz"));
    return rmdir(tmpdir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bomb_cut),
        cmocka_unit_test(test_bomb_at_floor),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
