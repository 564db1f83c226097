/* fuzz_fmt_bracket.c - libFuzzer target for the format stage
 * (analyzer/input/format*.c): byte 0 % 3 picks Claude Code's --debug log, Claude Desktop's mcp.log or its mcp-server-NAME.log.
 * The driver and its checks: fmt_driver.h. */
#include "fmt_driver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    if (len < 2)
        return 0;
    fuzz_format((enum mcp_format)(MCP_FMT_CC_DEBUG + data[0] % 3), data, len);
    return 0;
}
