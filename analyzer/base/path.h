/* path.h - where mcplog's files are: the shipped rules, the user's
 * folders (XDG base directories), "~/" in configured paths, and the size
 * of a folder. One place, one behaviour: every command and sink that
 * names a file asks here.
 */
#ifndef MCP_PATH_H
#define MCP_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The folder of the shipped rules: $MCPLOG_DATADIR/rules, else rules/
 * next to the executable (a build tree), else the installed
 * MCP_DATADIR/rules. Returns a static buffer. */
const char *mcp_path_rules_dir(void);

/* A user path under an XDG base directory: "$VAR/SUB" when the variable
 * var (XDG_CONFIG_HOME, XDG_STATE_HOME) holds an absolute path, else
 * "$HOME/FALLBACK/SUB" when HOME is set and not empty (fallback ".config",
 * ".local/state"). Writes it into buf and returns true, or returns false
 * (buf "") when neither is set. */
bool mcp_path_xdg(const char *var, const char *fallback, const char *sub,
                  char *buf, size_t len);

/* A configured path with "~" or a leading "~/" taken as $HOME (which
 * must then be an absolute path); any other path is copied as it is.
 * Returns a malloc'd string, or NULL with the cause in err. */
char *mcp_path_tilde(const char *path, char *err);

/* The same for a path that must be absolute: absolute, "~" or "~/...".
 * Returns a malloc'd copy, or NULL when the path is relative (neither /
 * nor ~), "~user", or $HOME is not absolute for a ~ path. */
char *mcp_path_expand(const char *path);

/* Bytes of the regular files under dir (apparent sizes, recursive to 16
 * levels, symlinks not followed, one file system). Returns 0, or -1 with
 * err (dir cannot be opened). Unreadable subfolders are skipped. */
int mcp_dir_size(const char *dir, uint64_t *bytes, char *err);

#endif
