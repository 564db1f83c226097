/* state.h - the follow checkpoint file.
 *
 * Text, one record per line, so a damaged file is easy to reason about:
 *
 *   mcplog-state 1
 *   saved <wall-clock ms when written>
 *   pos <family path> <file path> <dev> <ino> <fp len> <fp hash> <offset>
 *       <next line> <live 0|1>
 *   engine <...>                 (lines of mcp_engine_save, opaque here)
 *   end <hash of every byte before this line>
 *
 * Paths are percent-escaped. The file is written to a temporary name in
 * the same folder and renamed over the old one, so a reader (or a restart
 * after SIGKILL at any moment) sees either the old or the new checkpoint,
 * never a mix. A file that fails to parse or whose hash does not match is
 * rejected as a whole: the caller warns and starts fresh.
 */
#ifndef MCP_STATE_H
#define MCP_STATE_H

#include <stdbool.h>
#include <stddef.h>

#include "follow.h"
#include "util.h"

struct mcp_state {
    struct mcp_fpos *pos;
    size_t npos;
    char **fam_path;     /* family path of each pos (parallel to pos) */
    struct mcp_buf engine; /* the "engine ..." lines, for mcp_engine_load */
    int64_t saved;       /* wall-clock ms when it was written */
};

/* Default path: $XDG_STATE_HOME/mcplog/state, else
 * ~/.local/state/mcplog/state. Static buffer. */
const char *mcp_state_default_path(void);

/* Write atomically. fams gives the family path of each position's family
 * index. sync: fsync the file before the rename. Returns 0 or -1 (err). */
int mcp_state_save(const char *path, const struct mcp_fpos *pos,
                   size_t npos, const struct mcp_ffamily *fams,
                   const char *engine, size_t engine_len, bool sync,
                   char *err);

/* Read. Returns 1 when loaded, 0 when there is no file, -1 when it is
 * damaged (err says why; st is left empty). */
int mcp_state_load(const char *path, struct mcp_state *st, char *err);

void mcp_state_free(struct mcp_state *st);

/* Create the folders leading to path (mode 0700). Returns 0 or -1. */
int mcp_state_mkdirs(const char *path);

#endif
