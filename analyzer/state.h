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

#include "input/follow.h"
#include "base/statedir.h"
#include "base/util.h"

/* The largest checkpoint read (a real one is kilobytes to a few MiB:
 * positions, and per alerting rule at most 10,000 groups of window
 * times); a larger file is rejected unread, like a damaged one. */
#define MCP_STATE_MAX (64 * 1024 * 1024)

struct mcp_state {
    struct mcp_fpos *pos;
    size_t npos;
    char **fam_path;     /* family path of each pos (parallel to pos) */
    struct mcp_buf engine; /* the "engine ..." lines, for mcp_engine_load */
    int64_t saved;       /* wall-clock ms when it was written */
};

/* Write atomically. fams gives the family path of each position's family
 * index. sync: fsync the file before the rename. Returns 0 or -1 (err). */
int mcp_state_save(const char *path, const struct mcp_fpos *pos,
                   size_t npos, const struct mcp_ffamily *fams,
                   const char *engine, size_t engine_len, bool sync,
                   char *err);

/* Read. Returns 1 when loaded, 0 when there is no file, -1 when it is
 * damaged, not a regular file, over MCP_STATE_MAX or unreadable (err
 * says why; st is left empty). */
int mcp_state_load(const char *path, struct mcp_state *st, char *err);

void mcp_state_free(struct mcp_state *st);

/* Before follow reads the checkpoint at path: path must be a regular file
 * or absent, its folder passes mcp_state_check_dir (created if missing),
 * and the checkpoint is claimed: an exclusive flock on PATH.lock (opened
 * O_NOFOLLOW, our PID written in it), so a second follow on it is refused
 * with the first one's PID. Returns the lock's descriptor, to keep open
 * until exit, or -1 (err). */
int mcp_state_claim(const char *path, char *err);

#endif
