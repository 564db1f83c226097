/* procconf.c - placeholder: the sections are refused until issue 5. */
#include "procconf.h"

#include <string.h>

#include "util.h"
#include "yamlutil.h"

int mcp_procconf_load(struct mcp_procconf *pc, struct mcp_yaml *y,
                      yaml_node_t *server, yaml_node_t *health,
                      yaml_node_t *cleanup, yaml_node_t *probes, char *err)
{
    yaml_node_t *given[4] = {server, health, cleanup, probes};
    char where[MCP_ERRLEN];

    memset(pc, 0, sizeof(*pc));
    for (int i = 0; i < 4; i++)
        if (given[i] != NULL) {
            mcp_yaml_where(y, given[i]->start_mark, 0, where, sizeof(where));
            mcp_errf(err, "%snot supported yet", where);
            return -1;
        }
    return 0;
}

void mcp_procconf_free(struct mcp_procconf *pc)
{
    memset(pc, 0, sizeof(*pc));
}
