/* fuzz_fmt_array.c - libFuzzer target for the format stage
 * (analyzer/input/format*.c): the older Claude Code .txt, one JSON array read whole.
 * The driver and its checks: fmt_driver.h. */
#include "fmt_driver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    if (len < 2)
        return 0;
    fuzz_format(MCP_FMT_CC_JSON_ARRAY, data, len);
    return 0;
}
