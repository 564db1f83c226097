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
 * damaged, not a regular file, over MCP_STATE_MAX or unreadable (err
 * says why; st is left empty). */
int mcp_state_load(const char *path, struct mcp_state *st, char *err);

void mcp_state_free(struct mcp_state *st);

/* Create the folders leading to path (mode 0700). Returns 0 or -1. */
int mcp_state_mkdirs(const char *path);

/* The folder of a state file (checkpoint, silences) must be the user's
 * alone: owned by the effective uid and not writable by group or others
 * (else others could plant links at the names written there, or
 * silences). create: make missing folders first (0700); without it a
 * missing folder passes (nothing to read). Returns 0 or -1 (err). */
int mcp_state_check_dir(const char *path, bool create, char *err);

/* Before follow reads the checkpoint at path: path must be a regular file
 * or absent, its folder passes mcp_state_check_dir (created if missing),
 * and the checkpoint is claimed: an exclusive flock on PATH.lock (opened
 * O_NOFOLLOW, our PID written in it), so a second follow on it is refused
 * with the first one's PID. Returns the lock's descriptor, to keep open
 * until exit, or -1 (err). */
int mcp_state_claim(const char *path, char *err);

/* Replace path by data atomically: PATH.tmp is created anew (O_EXCL |
 * O_NOFOLLOW; a leftover, or a link planted there, is unlinked, never
 * written through), written, fsync'd when sync, renamed over path. The
 * caller must be the only writer (a lock). Returns 0 or -1 (err). */
int mcp_state_replace(const char *path, const char *data, size_t len,
                      bool sync, char *err);

#endif
