/* follow.h - follow a log set live, through every kind of rotation.
 *
 * Each family (a log name in a folder: mcp_server.log, mcp_activity.log,
 * or a --source file) has at most one live tail, the file its name points
 * at now, and any number of draining tails: files that were renamed or
 * deleted away but may still be written by processes that hold them open
 * (logrotate create without a reload, Python's RotatingFileHandler in
 * several processes). A draining tail is read to its end and kept open
 * until it has not grown for the grace period.
 *
 * A round (mcp_follow_round) reads what every tail has (at most
 * MCP_FOLLOW_BATCH bytes in all, so a checkpoint follows every batch), then
 * looks at each family's name:
 * - another file there (rename + create, atomic replace, delete and
 *   recreate): the old tail drains, the new file is read from its start;
 * - nothing there: the old tail drains; the name is watched for a new file;
 * - the same file, smaller than what was read or with other bytes before
 *   the read position (copytruncate, overwrite): the part of the old
 *   content not read yet is looked for in a rotated sibling with the same
 *   fingerprint and read from there, then the file is read from its start.
 * After a rotation the family's folder is also searched for files that
 * appeared and were rotated away between two looks (several processes
 * rotating one file): a file modified since mcplog started, not already
 * read (same inode, or same fingerprint = a copy of what was read) is read
 * from its start.
 */
#ifndef MCP_FOLLOW_H
#define MCP_FOLLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "base/mcp.h"
#include "input/framer.h"
#include "input/logset.h"
#include "input/tail.h"

#define MCP_FOLLOW_BATCH (256 * 1024)
/* A round reads a file this much at a time, looking at its deadline in
 * between. */
#define MCP_FOLLOW_SLICE (64 * 1024)
/* A client's tree: files remembered; past this, new files are not read. */
#define MCP_FOLLOW_TREE_MAX 65536

enum mcp_follow_start {
    MCP_START_END = 0,   /* like tail -F: only what is written from now */
    MCP_START_BEGIN,     /* the live files from their first byte */
};

struct follow_tfile;

struct mcp_follow_opts {
    size_t max_line;
    unsigned max_inflate; /* gzip bound (reader.h); 0: MCP_INFLATE_DEFAULT */
    int64_t grace_ms;
    enum mcp_follow_start start;
};

/* One family, as follow sees it. */
struct mcp_ffamily {
    char *name;          /* family name (base name or --source NAME) */
    char *path;          /* the live name */
    char *dir;           /* its folder */
    char *base;          /* its base name */
    char *role_name;
    enum mcp_role role;
    bool known;          /* a known log family (rotated members by name) */
    /* A client's files (input/clients.h): format (not MCP_FMT_TEXT for
     * every client family: its lines are record lines), the server they
     * are about (NULL: named by each record). */
    enum mcp_format format;
    char *server;
    /* A client's folder tree (MCP_TREE_*, clients.h; 0: none): path and
     * dir are its root; its files are found by listing it once a second
     * (no watch of its own, at most MCP_FOLLOW_TREE_MAX files), each read
     * as a draining tail while it grows, and reopened where it was left
     * when it grows again; each with its own format and server. Not in
     * the checkpoint: a restart starts such a family afresh. */
    int tree;
    int64_t looked;
    struct follow_tfile *tfiles;
    size_t ntfiles;
    struct mcp_tail *live;
    struct mcp_tail **drain;
    size_t ndrain;
    bool missing_noted;  /* nothing at the live name, said so */
    /* Something at the live name that cannot be followed (another file
     * type, unreadable), said so once: its identity, type and the cause. */
    bool blocked;
    dev_t blocked_dev;
    ino_t blocked_ino;
    unsigned blocked_type;   /* st_mode & S_IFMT */
    int blocked_errno;
    /* Counted for the metrics (output/metrics.h): the live name moved to
     * another file or went away; the live file was truncated; bytes of a
     * draining file left unread when it was closed. */
    uint64_t rotations, truncations, unread_bytes;
};

/* Where a file was left, for checkpoints. */
struct mcp_fpos {
    uint32_t family;
    char *path;
    uint64_t dev, ino;
    struct mcp_fingerprint fp;
    uint64_t offset;     /* end of the last complete line delivered */
    uint64_t line;       /* number of the next line */
    int64_t carry_ts;
    bool live;
};

/* Chunk callback: complete lines of family fam read from tail t. */
typedef void (*mcp_follow_chunk_fn)(const struct mcp_chunk *c,
                                    const struct mcp_ffamily *fam,
                                    uint32_t family, const char *path,
                                    void *arg);
struct mcp_follow;

/* Families from a finished log set: one per family, live name = the
 * family's live member (or, for a folder family whose live file is
 * missing, the name it will have). chunk gets the lines read, notice
 * the notices ("mcp_server.log was rotated, reopening" and the like). */
struct mcp_follow *mcp_follow_create(const struct mcp_logset *ls,
                                     const struct mcp_follow_opts *o,
                                     mcp_follow_chunk_fn chunk,
                                     mcp_notice_fn notice, void *arg);

/* Open the live files: at their end, or their start, or where the
 * positions say (a checkpoint written at saved_wall, wall-clock ms; files
 * rotated since are found by fingerprint, plain or gzip, and their rest
 * is read first; files written since are read in full). */
void mcp_follow_open(struct mcp_follow *f, const struct mcp_fpos *pos,
                     size_t npos, int64_t saved_wall, int64_t now_mono);

/* Read and look for rotations. Reading stops once deadline (monotonic ms)
 * has passed, at the end of a MCP_FOLLOW_SLICE. Returns the bytes read,
 * or MCP_FOLLOW_BATCH when the deadline cut the round short: there is
 * more to read at once while it returns MCP_FOLLOW_BATCH or more. */
size_t mcp_follow_round(struct mcp_follow *f, int64_t now_mono,
                        int64_t deadline);

/* The families and their count. */
struct mcp_ffamily *mcp_follow_families(struct mcp_follow *f, size_t *n);

/* Current positions of every tail (caller frees with
 * mcp_follow_free_positions). */
struct mcp_fpos *mcp_follow_positions(struct mcp_follow *f, size_t *n);
void mcp_follow_free_positions(struct mcp_fpos *p, size_t n);

/* Folders of the families (distinct). */
const char *const *mcp_follow_dirs(struct mcp_follow *f, size_t *n);

/* Use inotify: create the instance (watches on the folders and on every
 * open file are managed here). Returns its descriptor for the event loop,
 * or -1 with err (the caller then polls). */
int mcp_follow_inotify(struct mcp_follow *f, char *err);

/* Read and discard pending inotify events (they only say "look again").
 * Returns whether there were any. */
bool mcp_follow_drain_inotify(struct mcp_follow *f);

/* Between rounds: hand the open tails' unused buffer pages back to the
 * kernel (follow does it once a second). */
void mcp_follow_trim(struct mcp_follow *f);

void mcp_follow_destroy(struct mcp_follow *f);

#endif
