/* fuzz_gzip.c - libFuzzer target for analyzer/reader.c.
 *
 * The input is the file: it is written to a memfd and read to the end
 * through mcp_reader, with read sizes cycling through a few caps (the
 * first one taken from the input's length) so that member and header
 * boundaries fall everywhere. Checks: counts stay within the cap, -1
 * comes with a message naming the file, and after 0 or -1 only 0 follows.
 * With ISA-L built in, the file is read first with zlib
 * (mcp_reader_force_zlib), then with ISA-L, and the reads must agree: the
 * same bytes, error message and note. The one exception is a block zlib
 * refuses for an incomplete Huffman code (ISA-L checks only for
 * over-subscribed ones; no gzip writer makes either): ISA-L decodes it,
 * so its read may keep more bytes, or end without damage; zlib's bytes
 * must still be a prefix of ISA-L's (reader.c).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "input/reader.h"
#include "base/util.h"

#define CHECK(cond)                                                        \
    do {                                                                   \
        if (!(cond)) {                                                     \
            fprintf(stderr, "fuzz_gzip: check failed line %d: %s\n",       \
                    __LINE__, #cond);                                      \
            abort();                                                       \
        }                                                                  \
    } while (0)

static int mfd = -1;
static char path[64];
static char out[65536];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    mfd = memfd_create("fuzz_gzip", MFD_CLOEXEC);
    if (mfd < 0)
        abort();
    snprintf(path, sizeof(path), "/proc/self/fd/%d", mfd);
    return 0;
}

struct outcome {
    uint64_t total;
    uint64_t hash;          /* FNV-1a of the bytes */
    uint64_t at;            /* in: a length (or UINT64_MAX) ... */
    uint64_t hash_at;       /* ... out: the hash of the bytes up to it */
    ssize_t last;           /* 0 or -1 */
    char err[MCP_ERRLEN];
    char note[MCP_ERRLEN];
};

/* Read the memfd to the end with one decoder; check the contract. */
static void read_once(const uint8_t *data, size_t size, bool zlib,
                      struct outcome *o)
{
    const size_t caps[4] = {1 + size % 97, 65536, 7, 4096};
    char *err = o->err;
    struct mcp_reader *r;
    uint64_t total = 0;
    ssize_t n;
    int i = 0;

    uint64_t at = o->at;

    memset(o, 0, sizeof(*o));
    o->at = at;
    o->hash = 14695981039346656037ull;
    if (at == 0)
        o->hash_at = o->hash;
    r = mcp_reader_open(path, err);
    CHECK(r != NULL);
    if (zlib)
        CHECK(mcp_reader_force_zlib(r, err) == 0);
    CHECK(mcp_reader_file_size(r) == size);
    CHECK(mcp_reader_compressed(r) ==
          (size >= 2 && data[0] == 0x1f && data[1] == 0x8b));
    do {
        size_t cap = caps[i++ % 4];

        n = mcp_reader_read(r, out, cap, err);
        CHECK(n >= -1 && n <= (ssize_t)cap);
        if (n > 0) {
            CHECK(err[0] == '\0');
            total += (uint64_t)n;
            for (ssize_t k = 0; k < n; k++) {
                o->hash = (o->hash ^ (unsigned char)out[k]) * 1099511628211ull;
                if (total - (uint64_t)n + (uint64_t)k + 1 == o->at)
                    o->hash_at = o->hash;
            }
        }
        const char *w = mcp_reader_warning(r);
        if (w != NULL)
            CHECK(strncmp(w, "ignored ", 8) == 0);
    } while (n > 0);
    if (n < 0)
        CHECK(strncmp(err, path, strlen(path)) == 0);
    else
        CHECK(err[0] == '\0');
    if (!mcp_reader_compressed(r))
        CHECK(total == size && n == 0);
    if (mcp_reader_warning(r) != NULL)
        snprintf(o->note, sizeof(o->note), "%s", mcp_reader_warning(r));
    CHECK(mcp_reader_read(r, out, sizeof(out), err) == 0);
    CHECK(mcp_reader_read(r, out, sizeof(out), err) == 0);
    mcp_reader_close(r);
    o->total = total;
    o->last = n;
}

/* zlib's messages for a Huffman code it refuses as incomplete. */
static bool incomplete_code(const char *err)
{
    static const char *const why[] = {
        ": invalid code lengths set", ": invalid literal/lengths set",
        ": invalid distances set", ": invalid code -- missing end-of-block",
    };
    size_t n = strlen(err);

    for (size_t i = 0; i < sizeof(why) / sizeof(why[0]); i++) {
        size_t k = strlen(why[i]);

        if (n >= k && strcmp(err + n - k, why[i]) == 0)
            return true;
    }
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct outcome a, b;

    if (ftruncate(mfd, 0) != 0 ||
        (size > 0 && pwrite(mfd, data, size, 0) != (ssize_t)size))
        abort();
    if (strcmp(mcp_reader_inflater(), "zlib") == 0) {
        a.at = UINT64_MAX;
        read_once(data, size, false, &a);
        return 0;
    }
    b.at = UINT64_MAX;
    read_once(data, size, true, &b);
    a.at = b.total;
    read_once(data, size, false, &a);
    CHECK(a.total >= b.total);
    CHECK(a.hash_at == b.hash);
    if (b.last < 0 && incomplete_code(b.err))
        return 0;
    CHECK(a.total == b.total);
    CHECK(a.last == b.last);
    CHECK(strcmp(a.err, b.err) == 0);
    CHECK(strcmp(a.note, b.note) == 0);
    return 0;
}
