/* desktop.c - placeholder until the desktop sink lands (issue 4). */
#include "sink.h"
#include "util.h"

static enum mcp_sink_result emit(void *ctx, const struct mcp_sink_alert *a,
                                 char *err)
{
    (void)ctx;
    (void)a;
    mcp_errf(err, "the desktop sink is not built yet");
    return MCP_SINK_FAIL;
}

static const struct mcp_sink_opt opts[] = {{NULL, 0, NULL, false, 0, NULL}};

const struct mcp_sink_ops mcp_sink_desktop = {
    .name = "desktop",
    .help = "not built yet",
    .opts = opts,
    .ctx_size = 1,
    .emit = emit,
};
