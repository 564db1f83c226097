/* test_reader.c - unit tests for analyzer/reader.c.
 *
 * gzip fixtures are made at test time with zlib (deflateInit2 with
 * windowBits 15 + 16 writes a gzip member; deflateSetHeader fills FNAME,
 * FCOMMENT and FEXTRA) and written to a mkdtemp() directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include "input/reader.h"
#include "tmpdir.h"
#include "base/util.h"

#define IN_SIZE (256 * 1024) /* reader.c's input buffer */


struct bytes {
    unsigned char *p;
    size_t len;
};

/* Grows by powers of two (the capacity is implied by len). */
static void bytes_add(struct bytes *b, const void *p, size_t n)
{
    size_t cap = 64;

    while (cap < b->len)
        cap *= 2;
    if (b->p == NULL || b->len + n > cap) {
        while (cap < b->len + n)
            cap *= 2;
        b->p = realloc(b->p, cap);
        assert_non_null(b->p);
    }
    if (n > 0)
        memcpy(b->p + b->len, p, n);
    b->len += n;
}

/* One gzip member holding data. With comment_len > 0 the header also
 * carries FNAME, FEXTRA and an FCOMMENT of that many 'c's. */
static void gz_member(struct bytes *out, const void *data, size_t len,
                      size_t comment_len)
{
    unsigned char extra[] = {'M', 'C', 4, 0, 1, 2, 3, 4};
    unsigned char buf[65536];
    char *comment = NULL;
    gz_header h;
    z_stream z;
    int ret;

    memset(&z, 0, sizeof(z));
    assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8,
                                  Z_DEFAULT_STRATEGY), Z_OK);
    if (comment_len > 0) {
        comment = malloc(comment_len + 1);
        assert_non_null(comment);
        memset(comment, 'c', comment_len);
        comment[comment_len] = '\0';
        memset(&h, 0, sizeof(h));
        h.text = 1;
        h.time = 1765377362;
        h.os = 3;
        h.extra = extra;
        h.extra_len = sizeof(extra);
        h.name = (Bytef *)"mcp_server.log.1";
        h.comment = (Bytef *)comment;
        h.hcrc = 1;
        assert_int_equal(deflateSetHeader(&z, &h), Z_OK);
    }
    z.next_in = (Bytef *)data;
    z.avail_in = (uInt)len;
    do {
        z.next_out = buf;
        z.avail_out = sizeof(buf);
        ret = deflate(&z, Z_FINISH);
        assert_true(ret == Z_OK || ret == Z_STREAM_END);
        bytes_add(out, buf, sizeof(buf) - z.avail_out);
    } while (ret != Z_STREAM_END);
    deflateEnd(&z);
    free(comment);
}

static char *write_file(const char *name, const void *p, size_t n)
{
    size_t n_path = strlen(tmpdir) + strlen(name) + 2;
    char *path = malloc(n_path);
    FILE *fp;

    assert_non_null(path);
    snprintf(path, n_path, "%s/%s", tmpdir, name);
    fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(p, 1, n, fp), n);
    assert_int_equal(fclose(fp), 0);
    return path;
}

/* Log-like text: n lines, each "2025-12-10 14:36:02,<i> - x - INFO - ...". */
static struct bytes log_text(int n)
{
    struct bytes b = {NULL, 0};
    char line[160];

    for (int i = 0; i < n; i++) {
        int k = snprintf(line, sizeof(line),
                         "2025-12-10 14:%02d:%02d,%03d - mcp_activity - INFO - "
                         "TOOL_CALL: chat with %d args seq=%u\n",
                         i / 3600 % 60, i / 60 % 60, i % 1000, i % 7,
                         (unsigned)(i * 2654435761u));
        bytes_add(&b, line, (size_t)k);
    }
    return b;
}

struct result {
    struct bytes data;
    int calls;
    bool failed;        /* a call returned -1 */
    char err[MCP_ERRLEN];
    bool compressed;
    char warn[200];
};

/* Read path to the end with reads of at most cap bytes; after -1 or 0,
 * check that two more calls return 0 and leave err alone. */
static struct result read_all(const char *path, size_t cap)
{
    struct result res;
    char *buf = malloc(cap);
    struct mcp_reader *r;
    ssize_t n;

    assert_non_null(buf);
    memset(&res, 0, sizeof(res));
    r = mcp_reader_open(path, res.err);
    assert_non_null(r);
    assert_string_equal(res.err, "");
    res.compressed = mcp_reader_compressed(r);
    for (;;) {
        n = mcp_reader_read(r, buf, cap, res.err);
        res.calls++;
        if (n <= 0)
            break;
        assert_true((size_t)n <= cap);
        assert_string_equal(res.err, "");
        bytes_add(&res.data, buf, (size_t)n);
    }
    res.failed = n < 0;
    if (!res.failed)
        assert_string_equal(res.err, "");
    else
        assert_true(res.err[0] != '\0');
    if (mcp_reader_warning(r) != NULL)
        snprintf(res.warn, sizeof(res.warn), "%s", mcp_reader_warning(r));
    char before[MCP_ERRLEN];
    strcpy(before, res.err);
    assert_int_equal(mcp_reader_read(r, buf, cap, res.err), 0);
    assert_int_equal(mcp_reader_read(r, buf, cap, res.err), 0);
    assert_string_equal(res.err, before);
    mcp_reader_close(r);
    free(buf);
    return res;
}

static void assert_bytes(const struct bytes *got, const void *want, size_t n)
{
    assert_int_equal(got->len, n);
    assert_memory_equal(got->p, want, n);
}

static void test_plain(void **state)
{
    const char text[] = "line one\nline \0two\n\xff\xfe bad utf-8\nlast";
    char *path = write_file("plain.log", text, sizeof(text) - 1);
    char err[MCP_ERRLEN] = "";
    struct mcp_reader *r;
    struct result res;

    (void)state;
    for (size_t cap = 1; cap <= 64; cap *= 4) {
        res = read_all(path, cap);
        assert_false(res.compressed);
        assert_false(res.failed);
        assert_bytes(&res.data, text, sizeof(text) - 1);
        free(res.data.p);
    }
    r = mcp_reader_open(path, err);
    assert_int_equal(mcp_reader_file_size(r), sizeof(text) - 1);
    assert_null(mcp_reader_warning(r));
    mcp_reader_close(r);
    free(path);
}

static void test_open_errors(void **state)
{
    char err[MCP_ERRLEN] = "";
    char path[128];

    (void)state;
    snprintf(path, sizeof(path), "%s/missing.log", tmpdir);
    assert_null(mcp_reader_open(path, err));
    char want[MCP_ERRLEN];
    snprintf(want, sizeof(want), "%s: No such file or directory", path);
    assert_string_equal(err, want);

    err[0] = '\0';
    assert_null(mcp_reader_open(tmpdir, err));
    snprintf(want, sizeof(want), "%s: is a directory", tmpdir);
    assert_string_equal(err, want);

    /* A FIFO is refused at once (opening it must not wait for a writer). */
    snprintf(path, sizeof(path), "%s/fifo", tmpdir);
    assert_int_equal(mkfifo(path, 0600), 0);
    err[0] = '\0';
    assert_null(mcp_reader_open(path, err));
    snprintf(want, sizeof(want), "%s: not a regular file (fifo)", path);
    assert_string_equal(err, want);
    unlink(path);

    /* A device is refused without being opened or read. */
    err[0] = '\0';
    assert_null(mcp_reader_open("/dev/zero", err));
    assert_string_equal(err, "/dev/zero: not a regular file (character device)");
    mcp_reader_close(NULL);
}

static void test_empty_and_tiny(void **state)
{
    char *empty = write_file("empty.log.gz", "", 0);
    char *one = write_file("one.gz", "\x1f", 1);
    char *magic = write_file("magic.gz", "\x1f\x8b", 2);
    struct result res;

    (void)state;
    res = read_all(empty, 4096);
    assert_false(res.compressed);
    assert_false(res.failed);
    assert_int_equal(res.data.len, 0);
    assert_int_equal(res.calls, 1);
    assert_string_equal(res.warn, "");

    res = read_all(one, 4096);
    assert_false(res.compressed);
    assert_bytes(&res.data, "\x1f", 1);
    free(res.data.p);

    /* Only the magic: gzip, cut short after 2 bytes. */
    res = read_all(magic, 4096);
    assert_true(res.compressed);
    assert_true(res.failed);
    assert_int_equal(res.data.len, 0);
    char want[MCP_ERRLEN];
    snprintf(want, sizeof(want), "%s: truncated gzip stream at offset 2",
             magic);
    assert_string_equal(res.err, want);
    free(empty);
    free(one);
    free(magic);
}

static void test_single_member(void **state)
{
    struct bytes text = log_text(5000), gz = {NULL, 0};
    struct result res;
    char *path;

    (void)state;
    gz_member(&gz, text.p, text.len, 0);
    path = write_file("single.log.gz", gz.p, gz.len);
    const size_t caps[] = {1, 7, 4096, 1 << 20};
    for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
        if (caps[i] == 1 && i == 0) {
            /* A 1-byte cap over 450 KB is slow under valgrind; use a
             * smaller text for it. */
            struct bytes small = log_text(50), sgz = {NULL, 0};
            gz_member(&sgz, small.p, small.len, 0);
            char *sp = write_file("small.gz", sgz.p, sgz.len);
            res = read_all(sp, 1);
            assert_bytes(&res.data, small.p, small.len);
            free(res.data.p);
            free(sp);
            free(small.p);
            free(sgz.p);
            continue;
        }
        res = read_all(path, caps[i]);
        assert_true(res.compressed);
        assert_false(res.failed);
        assert_string_equal(res.warn, "");
        assert_bytes(&res.data, text.p, text.len);
        free(res.data.p);
    }
    free(path);
    free(text.p);
    free(gz.p);
}

/* Detection is by magic only. */
static void test_names_do_not_matter(void **state)
{
    struct bytes gz = {NULL, 0};
    const char text[] = "2025-12-10 14:36:02,114 - root - INFO - hi\n";
    struct result res;
    char *a, *b;

    (void)state;
    gz_member(&gz, text, sizeof(text) - 1, 0);
    a = write_file("mcp_server.log.1", gz.p, gz.len);
    b = write_file("plain-text.log.gz", text, sizeof(text) - 1);
    res = read_all(a, 4096);
    assert_true(res.compressed);
    assert_bytes(&res.data, text, sizeof(text) - 1);
    free(res.data.p);
    res = read_all(b, 4096);
    assert_false(res.compressed);
    assert_bytes(&res.data, text, sizeof(text) - 1);
    free(res.data.p);
    free(a);
    free(b);
    free(gz.p);
}

static void test_multi_member(void **state)
{
    struct bytes gz = {NULL, 0};
    const char a[] = "first member line 1\nfirst member line 2\n";
    const char b[] = "second member line\n";
    const char want[] = "first member line 1\nfirst member line 2\n"
                        "second member line\nthird\n";
    struct result res;
    char *path;

    (void)state;
    gz_member(&gz, a, sizeof(a) - 1, 0);
    gz_member(&gz, "", 0, 0); /* an empty member in between */
    gz_member(&gz, b, sizeof(b) - 1, 20);
    gz_member(&gz, "third\n", 6, 0);
    path = write_file("multi.gz", gz.p, gz.len);
    for (size_t cap = 1; cap <= 4096; cap *= 8) {
        res = read_all(path, cap);
        assert_true(res.compressed);
        assert_false(res.failed);
        assert_string_equal(res.warn, "");
        assert_bytes(&res.data, want, sizeof(want) - 1);
        free(res.data.p);
    }
    free(path);
    free(gz.p);
}

/* FNAME, FCOMMENT, FEXTRA and FHCRC set; with a long comment the header
 * spans two reads of the input buffer, and the next member's magic can
 * straddle the buffer edge (member sizes IN_SIZE-2 .. IN_SIZE). */
static void test_header_fields_and_boundaries(void **state)
{
    const char a[] = "member one\n", b[] = "member two\n";
    struct bytes probe = {NULL, 0};

    (void)state;
    gz_member(&probe, a, sizeof(a) - 1, 100);
    size_t fixed = probe.len - 100; /* member size without the comment */
    free(probe.p);
    for (size_t target = IN_SIZE - 2; target <= IN_SIZE + 1; target++) {
        struct bytes gz = {NULL, 0};

        gz_member(&gz, a, sizeof(a) - 1, target - fixed);
        assert_int_equal(gz.len, target);
        gz_member(&gz, b, sizeof(b) - 1, 0);
        char *path = write_file("edge.gz", gz.p, gz.len);
        struct result res = read_all(path, 4096);
        assert_true(res.compressed);
        assert_false(res.failed);
        assert_string_equal(res.warn, "");
        assert_bytes(&res.data, "member one\nmember two\n", 22);
        free(res.data.p);

        /* Same edge, but one stray 0x1f after the last member. */
        gz.len = target;
        bytes_add(&gz, "\x1f", 1);
        free(path);
        path = write_file("edge1.gz", gz.p, gz.len);
        res = read_all(path, 4096);
        assert_false(res.failed);
        assert_bytes(&res.data, "member one\n", 11);
        char want[200];
        snprintf(want, sizeof(want), "ignored 1 trailing bytes after the "
                 "last gzip member at offset %zu", target);
        assert_string_equal(res.warn, want);
        free(res.data.p);
        free(path);
        free(gz.p);
    }
}

static void test_trailing_bytes(void **state)
{
    struct bytes text = log_text(300), gz = {NULL, 0};
    unsigned char zeros[512] = {0};
    struct result res;
    char want[200];
    char *path;

    (void)state;
    gz_member(&gz, text.p, text.len, 0);
    gz_member(&gz, text.p, text.len, 0);
    size_t members = gz.len;
    bytes_add(&gz, zeros, sizeof(zeros));
    path = write_file("padded.gz", gz.p, gz.len);
    res = read_all(path, 1000);
    assert_true(res.compressed);
    assert_false(res.failed);
    assert_int_equal(res.data.len, 2 * text.len);
    assert_memory_equal(res.data.p, text.p, text.len);
    assert_memory_equal(res.data.p + text.len, text.p, text.len);
    snprintf(want, sizeof(want), "ignored 512 trailing bytes after the last "
             "gzip member at offset %zu", members);
    assert_string_equal(res.warn, want);
    free(res.data.p);
    free(path);

    /* Garbage instead of zeros. */
    gz.len = members;
    bytes_add(&gz, "garbage\n", 8);
    path = write_file("garbage.gz", gz.p, gz.len);
    res = read_all(path, 1 << 20);
    assert_false(res.failed);
    assert_int_equal(res.data.len, 2 * text.len);
    snprintf(want, sizeof(want), "ignored 8 trailing bytes after the last "
             "gzip member at offset %zu", members);
    assert_string_equal(res.warn, want);
    free(res.data.p);
    free(path);
    free(text.p);
    free(gz.p);
}

/* Cut the file at pct percent: the bytes decoded before the cut come
 * first, then -1 naming the offset (the cut: all input was consumed). */
static void check_truncated(const struct bytes *text, const struct bytes *gz,
                            size_t cut, size_t min_decoded)
{
    char *path = write_file("cut.gz", gz->p, cut);
    char want[MCP_ERRLEN];
    struct result res;

    res = read_all(path, 65536);
    assert_true(res.compressed);
    assert_true(res.failed);
    assert_true(res.data.len >= min_decoded);
    assert_true(res.data.len <= text->len);
    assert_memory_equal(res.data.p, text->p, res.data.len);
    snprintf(want, sizeof(want), "%s: truncated gzip stream at offset %zu",
             path, cut);
    assert_string_equal(res.err, want);
    free(res.data.p);
    free(path);
}

static void test_truncated(void **state)
{
    struct bytes text = log_text(20000), gz = {NULL, 0};

    (void)state;
    gz_member(&gz, text.p, text.len, 0);
    assert_true(gz.len > 100000);
    check_truncated(&text, &gz, gz.len * 30 / 100, text.len / 10);
    check_truncated(&text, &gz, gz.len * 99 / 100, text.len * 9 / 10);
    /* Cut inside the CRC/ISIZE trailer: every byte decoded, then -1. */
    check_truncated(&text, &gz, gz.len - 3, text.len);
    /* Cut inside the second member's header. */
    struct bytes two = {NULL, 0};
    bytes_add(&two, gz.p, gz.len);
    gz_member(&two, "x\n", 2, 0);
    check_truncated(&text, &two, gz.len + 5, text.len);
    free(two.p);
    free(text.p);
    free(gz.p);
}

static struct result read_corrupt(const struct bytes *gz, size_t at,
                                  unsigned char mask, const char *name)
{
    struct bytes bad = {NULL, 0};
    char *path;
    struct result res;

    bytes_add(&bad, gz->p, gz->len);
    bad.p[at] ^= mask;
    path = write_file(name, bad.p, bad.len);
    res = read_all(path, 65536);
    assert_true(res.compressed);
    assert_true(res.failed);
    free(path);
    free(bad.p);
    return res;
}

static void test_corrupt(void **state)
{
    struct bytes text = log_text(20000), gz = {NULL, 0};
    char want[MCP_ERRLEN];
    struct result res;

    (void)state;
    gz_member(&gz, text.p, text.len, 0);

    /* A bit flipped in the middle of the deflate data. */
    res = read_corrupt(&gz, gz.len / 2, 0x10, "flip.gz");
    snprintf(want, sizeof(want), "%s/flip.gz: corrupt gzip data at offset ",
             tmpdir);
    assert_memory_equal(res.err, want, strlen(want));
    unsigned long long off = strtoull(res.err + strlen(want), NULL, 10);
    assert_true(off >= gz.len / 2 && off <= gz.len);
    /* Bytes before the damaged block are the original ones. */
    assert_true(res.data.len > text.len / 4);
    assert_memory_equal(res.data.p, text.p, text.len / 4);
    free(res.data.p);

    /* CRC trailer: all data decoded, the check fails at the end. */
    res = read_corrupt(&gz, gz.len - 6, 0x01, "crc.gz");
    snprintf(want, sizeof(want), "%s/crc.gz: corrupt gzip data at offset %zu: "
             "incorrect data check", tmpdir, gz.len - 4);
    assert_string_equal(res.err, want);
    assert_bytes(&res.data, text.p, text.len);
    free(res.data.p);

    /* ISIZE trailer. */
    res = read_corrupt(&gz, gz.len - 1, 0x80, "isize.gz");
    snprintf(want, sizeof(want), "%s/isize.gz: corrupt gzip data at offset "
             "%zu: incorrect length check", tmpdir, gz.len);
    assert_string_equal(res.err, want);
    free(res.data.p);

    /* Header: compression method 8 -> 9. zlib takes the method and flag
     * bytes together, so the damage is found at offset 4. */
    res = read_corrupt(&gz, 2, 0x01, "method.gz");
    snprintf(want, sizeof(want), "%s/method.gz: corrupt gzip data at offset "
             "4: unknown compression method", tmpdir);
    assert_string_equal(res.err, want);
    assert_int_equal(res.data.len, 0);
    free(res.data.p);
    free(text.p);
    free(gz.p);
}

/* Read path with the build's decoder and again with zlib
 * (mcp_reader_force_zlib): ISA-L hands damage to zlib, so both give the
 * same bytes, message and note (in a zlib-only build both reads are
 * zlib's). Returns how many of the reads failed (0 or 2). */
static int same_as_zlib(const char *path, size_t cap)
{
    struct result a, b;
    char *buf = malloc(cap);
    struct mcp_reader *r;
    ssize_t n;

    assert_non_null(buf);
    a = read_all(path, cap);
    memset(&b, 0, sizeof(b));
    r = mcp_reader_open(path, b.err);
    assert_non_null(r);
    assert_int_equal(mcp_reader_force_zlib(r, b.err), 0);
    while ((n = mcp_reader_read(r, buf, cap, b.err)) > 0)
        bytes_add(&b.data, buf, (size_t)n);
    b.failed = n < 0;
    if (mcp_reader_warning(r) != NULL)
        snprintf(b.warn, sizeof(b.warn), "%s", mcp_reader_warning(r));
    mcp_reader_close(r);
    free(buf);
    assert_string_equal(a.err, b.err);
    assert_string_equal(a.warn, b.warn);
    assert_int_equal(a.failed, b.failed);
    assert_bytes(&a.data, b.data.p, b.data.len);
    free(a.data.p);
    free(b.data.p);
    return a.failed + b.failed;
}

/* Two members and trailing bytes, cut at 300 places and with one bit
 * flipped at 300 places: the decoders agree on every file (bytes, message,
 * note), with reads of 64 KiB and of 1000 bytes (a zlib redo then starts
 * in the middle of a caller's read). A cut is damage unless it leaves one
 * byte (plain text, not gzip), falls at the end of a member, or leaves one
 * byte of the next (not a gzip magic: trailing bytes). */
static void test_decoders_agree(void **state)
{
    struct bytes text = log_text(6000), gz = {NULL, 0};
    size_t len1, len2;
    int failed = 0, want = 0;

    (void)state;
    gz_member(&gz, text.p, text.len, 40);
    len1 = gz.len;
    gz_member(&gz, text.p, text.len / 3, 0);
    len2 = gz.len;
    bytes_add(&gz, "tail", 4);
    for (size_t i = 0; i < 300; i++) {
        size_t at = 1 + i * (gz.len - 1) / 300;
        char *path = write_file("cut.gz", gz.p, at);

        failed += same_as_zlib(path, i % 2 ? 65536 : 1000);
        want += at == 1 || at == len1 || at == len1 + 1 || at >= len2 ? 0
                                                                       : 2;
        free(path);
    }
    assert_int_equal(failed, want);
    for (size_t i = 0; i < 300; i++) {
        size_t at = 2 + i * (gz.len - 6) / 300;
        struct bytes bad = {NULL, 0};
        char *path;

        bytes_add(&bad, gz.p, gz.len);
        bad.p[at] ^= (unsigned char)(1u << (i % 8));
        path = write_file("flip.gz", bad.p, bad.len);
        same_as_zlib(path, i % 2 ? 65536 : 1000);
        free(path);
        free(bad.p);
    }
    free(text.p);
    free(gz.p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_empty_and_tiny),
        cmocka_unit_test(test_single_member),
        cmocka_unit_test(test_names_do_not_matter),
        cmocka_unit_test(test_multi_member),
        cmocka_unit_test(test_header_fields_and_boundaries),
        cmocka_unit_test(test_trailing_bytes),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_corrupt),
        cmocka_unit_test(test_decoders_agree),
    };

    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
