/* statedir.h - the folder of mcplog's state: where it is, that it is the
 * user's alone, and the atomic replacement of a file in it. The
 * checkpoint (state.h) and the silences file (silence.h) live there and
 * are written through mcp_state_replace().
 */
#ifndef MCP_STATEDIR_H
#define MCP_STATEDIR_H

#include <stdbool.h>
#include <stddef.h>

/* Default path: $XDG_STATE_HOME/mcplog/state, else
 * ~/.local/state/mcplog/state. Static buffer. */
const char *mcp_state_default_path(void);

/* Create the folders leading to path (mode 0700). Returns 0 or -1. */
int mcp_state_mkdirs(const char *path);

/* The folder of a state file (checkpoint, silences) must be the user's
 * alone: owned by the effective uid and not writable by group or others
 * (else others could plant links at the names written there, or
 * silences). create: make missing folders first (0700); without it a
 * missing folder passes (nothing to read). Returns 0 or -1 (err). */
int mcp_state_check_dir(const char *path, bool create, char *err);

/* Replace path by data atomically: PATH.tmp is created anew (O_EXCL |
 * O_NOFOLLOW; a leftover, or a link planted there, is unlinked, never
 * written through), written, fsync'd when sync, renamed over path. The
 * caller must be the only writer (a lock). Returns 0 or -1 (err). */
int mcp_state_replace(const char *path, const char *data, size_t len,
                      bool sync, char *err);

/* The same with the new file's mode (0600 above): follow's metrics
 * textfile, read by node_exporter as another user, is 0644. */
int mcp_state_replace_mode(const char *path, const char *data, size_t len,
                           bool sync, unsigned mode, char *err);

#endif
