/* fuzz_fmt_jsonl.c - libFuzzer target for the format stage
 * (analyzer/input/format*.c): byte 0 bit 0 picks the connection log (0) or a session transcript (1).
 * The driver and its checks: fmt_driver.h. */
#include "fmt_driver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    if (len < 2)
        return 0;
    fuzz_format((data[0] & 1) ? MCP_FMT_CC_TRANSCRIPT : MCP_FMT_CC_JSONL, data, len);
    return 0;
}
