/* fuzz_gzip.c - libFuzzer target for analyzer/reader.c.
 *
 * The input is the file: it is written to a memfd and read to the end
 * through mcp_reader, with read sizes cycling through a few caps (the
 * first one taken from the input's length) so that member and header
 * boundaries fall everywhere. Checks: counts stay within the cap, -1
 * comes with a message naming the file, and after 0 or -1 only 0 follows.
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const size_t caps[4] = {1 + size % 97, 65536, 7, 4096};
    char err[MCP_ERRLEN] = "";
    struct mcp_reader *r;
    uint64_t total = 0;
    ssize_t n;
    int i = 0;

    if (ftruncate(mfd, 0) != 0 ||
        (size > 0 && pwrite(mfd, data, size, 0) != (ssize_t)size))
        abort();
    r = mcp_reader_open(path, err);
    CHECK(r != NULL);
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
    CHECK(mcp_reader_read(r, out, sizeof(out), err) == 0);
    CHECK(mcp_reader_read(r, out, sizeof(out), err) == 0);
    mcp_reader_close(r);
    return 0;
}
