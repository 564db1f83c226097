/* logset.h - which files make up the logs, in what order.
 *
 * A log set is a list of inputs grouped into families. A family is one log
 * (mcp_server.log, mcp_activity.log, or a file given with --source) and its
 * rotated members, ordered oldest first:
 *
 *   dateext archives   name-YYYYMMDD[HH][.gz], by date
 *   timed archives     name.YYYY-MM-DD[_HH-MM[-SS]][.gz], by date
 *   numbered archives  name.N[.gz], highest N first (Python's .1...5 and
 *                      logrotate's .N / .N.gz, delaycompress included)
 *   the live file      name
 *
 * When both name.N and name.N.gz exist (logrotate is compressing right
 * now), the plain file is complete and the .gz is not yet: the plain file
 * is read and the .gz skipped, with a note.
 */
#ifndef MCP_LOGSET_H
#define MCP_LOGSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/mcp.h"
#include "input/format.h"

/* Claude Desktop: a per-server log covers server's records in
 * [first, last]; mcp.log's copies of them are dropped. */
struct mcp_span {
    char *server;
    int64_t first, last;
};

struct mcp_input {
    char *path;          /* as it will be opened */
    char *role_name;     /* "server", "activity", or the --source NAME */
    enum mcp_role role;
    char *base;          /* file base name, for rule source globs */
    int family;          /* index into mcp_logset.families */
    enum mcp_format format; /* MCP_FMT_TEXT for a server's own logs */
    char *server;        /* a client file: the server it is about (from
                            its folder or name), or NULL */
    char *client;        /* a client file: "claude-code", ... or NULL */
    int tree;            /* follow: path is a client's folder tree
                            (MCP_TREE_*, clients.h), 0: a file */
    struct mcp_span *spans;  /* records to drop (Claude Desktop) */
    size_t nspans;

    /* Filled while reading (by the family's thread). */
    bool compressed;
    uint64_t bytes;      /* decoded bytes */
    uint64_t file_bytes; /* bytes on disk */
    uint64_t lines;
    uint64_t long_lines;
    int64_t first_ts, last_ts; /* times of its first and last lines
                                  (as the time guard has them) */
    uint64_t time_jumps; /* lines dated too far ahead (timeguard.h) */
    bool damaged;
    char *damage;        /* message, or NULL */
    char *note;          /* non-fatal note (trailing garbage, skipped .gz) */
};

struct mcp_family {
    char *name;          /* e.g. "mcp_server.log" or the --source NAME */
    size_t first, count; /* its inputs are inputs[first .. first+count) */
};

struct mcp_logset {
    struct mcp_input *inputs;
    size_t n, cap;
    struct mcp_family *families;
    size_t nfam;
    char **notes;        /* discovery notes, e.g. skipped duplicates */
    size_t nnotes;
};

void mcp_logset_init(struct mcp_logset *ls);

/* Add a folder: find mcp_server.log and mcp_activity.log and their rotated
 * members. A folder holding neither is an error. Returns 0 or -1 (err). */
int mcp_logset_add_dir(struct mcp_logset *ls, const char *dir, char *err);

/* For follow: add a folder's two known logs by name even when they do
 * not exist yet (follow waits for them). Existing rotated members are
 * added as mcp_logset_add_dir would. Returns 0 or -1 (err: the folder
 * cannot be read). */
int mcp_logset_add_dir_expected(struct mcp_logset *ls, const char *dir,
                                char *err);

/* Add one file. role_name NULL: the role comes from the base name
 * (mcp_server.log* -> server, mcp_activity.log* -> activity, else the file
 * is its own family named after its base name with role "other").
 * Otherwise role_name names the family ("server" and "activity" set those
 * roles). Returns 0 or -1 (err: the file cannot be stat'ed or is not a
 * regular file). */
int mcp_logset_add_file(struct mcp_logset *ls, const char *path,
                        const char *role_name, char *err);

/* Add a client's file (clients.c) to the family named family (files
 * of one family are read in the order added): role "client", format
 * fmt, server (may be NULL), client the client's name. Returns the
 * input, valid until the next add or finish. */
struct mcp_input *mcp_logset_add_client(struct mcp_logset *ls,
                                        const char *path, const char *family,
                                        enum mcp_format fmt,
                                        const char *server,
                                        const char *client);

/* The format stage for a client input (in->format not MCP_FMT_TEXT):
 * its server and spans, reading through inner(arg). Free it with
 * mcp_fmt_destroy. */
struct mcp_fmt *mcp_input_format(const struct mcp_input *in, bool follow,
                                 mcp_read_fn inner, void *arg);

/* The role a file's base name implies: "server" for mcp_server.log and
 * its rotated members, "activity" likewise, NULL for any other name. */
const char *mcp_logset_role_of(const char *base);

/* Group the inputs into families and order each family oldest first.
 * Call once after adding everything. Duplicate paths are dropped. */
void mcp_logset_finish(struct mcp_logset *ls);

void mcp_logset_free(struct mcp_logset *ls);

/* The rotation rank of a member name relative to its family base name:
 * returns false when name is not base or a rotated member of base.
 * Otherwise *cls is 0 for dated archives, 1 for numbered, 2 for the live
 * file, *key orders within a class (older first), *gz tells a .gz suffix.
 * Exposed for unit tests. */
bool mcp_logset_member(const char *base, const char *name, int *cls,
                       int64_t *key, bool *gz);

/* Fill ls from the command line: each of paths[0..npaths) (a folder is
 * a logs folder; with follow, its families may be missing yet), then each
 * --source NAME=PATH of sources[0..nsources) (NAME@FORMAT=PATH: read in
 * that format, format.h; the role "client" is a client's), then the files of the
 * clients in the mask `clients` (clients.h; the folders given are tied
 * to their servers' names into ties, which may be NULL without clients),
 * or ./logs when paths, sources and clients are all empty. Returns 0 with
 * ls finished, or -1 with the first error in err and ls freed. ls is
 * initialised here. */
struct mcp_ties;

/* Whether one of the --source NAME=PATH in sources[0..n) names a format
 * (NAME@FORMAT=PATH): then the client rules are wanted too. */
bool mcp_sources_formatted(const char *const *sources, size_t n);

int mcp_logset_from_args(struct mcp_logset *ls, char **paths, int npaths,
                         const char *const *sources, size_t nsources,
                         unsigned clients, struct mcp_ties *ties,
                         bool follow, char *err);

#endif
