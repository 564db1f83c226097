/* fuzz_registry.c - libFuzzer target for the reading of Claude Code's
 * registrations (~/.claude.json, analyzer/input/clients_reg.c): the input
 * is the file; its servers are looked up by slug. abort() when a name
 * found does not slug to the slug asked. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "input/clients.h"
#include "input/clients_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    int fd = memfd_create("claude.json", 0);
    char path[64];
    struct regs rs;

    if (fd < 0 || write(fd, data, len) != (ssize_t)len) {
        if (fd >= 0)
            close(fd);
        return 0;
    }
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    regs_read(&rs, path);
    for (size_t i = 0; i < rs.n; i++) {
        char *slug = mcp_client_slug(rs.r[i].name);
        const char *name = regs_name_of_slug(&rs, slug);
        char *back = name ? mcp_client_slug(name) : NULL;

        if (back == NULL || strcmp(back, slug) != 0)
            abort();
        free(back);
        free(slug);
    }
    regs_free(&rs);
    close(fd);
    return 0;
}
