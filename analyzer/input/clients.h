/* clients.h - finding what MCP clients wrote about their servers.
 *
 * --client NAME (claude-code, claude-desktop, auto, none) adds a client's
 * files to a log set, each with its format (format.h) and the server it
 * is about. Where they are (mcplog(1), CLIENTS):
 *
 *   Claude Code     ${XDG_CACHE_HOME:-~/.cache}/claude-cli-nodejs/
 *                     <project>/mcp-logs-<server>/ *.jsonl (and older
 *                     *.txt): the connection logs, one family per
 *                     project and server;
 *                   ~/.claude/projects/<project>/ *.jsonl: transcripts,
 *                     for the /mcp reconnect results, one family per
 *                     project;
 *                   ~/.claude/debug/<session>.txt: read only for a
 *                     session no connection log has (the debug log
 *                     repeats the connection logs: each event once);
 *                   ~/.claude.json: the registrations (mcpServers, user
 *                     and per project) give a folder's server name.
 *                   (~/.claude is $CLAUDE_CONFIG_DIR when set.)
 *   Claude Desktop  $XDG_CONFIG_HOME/Claude/logs (~/.config) and
 *                   ~/Library/Logs/Claude: mcp.log and
 *                   mcp-server-NAME.log; mcp.log's records that a
 *                   per-server log also holds are dropped.
 */
#ifndef MCP_CLIENTS_H
#define MCP_CLIENTS_H

#include <stdbool.h>
#include <stddef.h>

#include "input/logset.h"

#define MCP_CLIENT_CLAUDE_CODE    0x1u
#define MCP_CLIENT_CLAUDE_DESKTOP 0x2u
#define MCP_CLIENT_ALL            0x3u
#define MCP_CLIENT_AUTO           0x100u  /* every client whose files exist */

/* "claude-code", "claude-desktop", "auto", "none" -> bits into *mask
 * ("none" clears it). Returns 0, or -1 with err for another name. */
int mcp_clients_parse(const char *name, unsigned *mask, char *err);

/* A server folder given on the command line tied to a client's name for
 * the server (item "Which server" of mcplog(1) CLIENTS). */
struct mcp_tie {
    char *dir;          /* the logs folder, as given */
    char *server;       /* the client's name for it */
    char *how;          /* "command", "args" or "cwd" of which
                           registration ("~/.claude.json user scope") */
};

struct mcp_ties {
    struct mcp_tie *t;
    size_t n;
};

/* Add the files of the clients in mask to ls (before
 * mcp_logset_finish), and tie the logs folders already in ls to the
 * server names of the registrations: each input of a tied folder gets
 * in->server. follow: a tree input (in->tree) per client folder instead
 * of its files (a client explicitly named: also when the folder does not
 * exist yet). Notes go to ls->notes. Returns the number of client
 * files added; -1 with err when HOME is unusable. */
long mcp_clients_add(struct mcp_logset *ls, unsigned mask, bool follow,
                     struct mcp_ties *ties, char *err);

void mcp_ties_free(struct mcp_ties *t);

/* follow reads a client's folders as trees (follow.h): one family per
 * tree, its files found while it runs. */
enum {
    MCP_TREE_NONE = 0,
    MCP_TREE_CC_CONN,        /* <cache>/claude-cli-nodejs: <project>/
                                mcp-logs-<server>/ *.jsonl */
    MCP_TREE_CC_TRANSCRIPTS, /* ~/.claude/projects: <project>/ *.jsonl */
    MCP_TREE_DESKTOP,        /* Claude/logs: mcp.log, mcp-server-*.log */
};

/* The server a client's file at path is about, by its name as --client
 * finds it (a format's file in mcp-logs-<server>/ or named
 * mcp-server-<server>.log), or NULL. Caller frees. */
char *mcp_clients_server_of_path(int format, const char *path);

/* How many folder levels below its root a tree's files are. */
int mcp_clients_tree_depth(int tree);

/* Whether the file at rel ('/'-separated, below the tree's root) is one
 * the tree reads; if so (and fmt / server are not NULL) its format and
 * the server it is about (*server malloc'd: the registered name of a
 * connection log's folder, a Desktop log's name; NULL: named by its
 * records). */
bool mcp_clients_tree_file(int tree, const char *rel, enum mcp_format *fmt,
                           char **server);

/* The client's folder name for a name: every byte outside [A-Za-z0-9]
 * becomes '-'. Caller frees. */
char *mcp_client_slug(const char *name);

#endif
