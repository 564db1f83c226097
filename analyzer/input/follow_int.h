/* follow_int.h - what follow.c (rounds, rotations) and follow_resume.c
 * (start positions, checkpoints) share. Not for other modules. */
#ifndef MCP_FOLLOW_INT_H
#define MCP_FOLLOW_INT_H

#include <stdarg.h>
#include <sys/types.h>

#include "input/follow.h"

#define SEEN_MAX 64

/* A generation of content read before: a file closed after draining, or
 * the old content of a file truncated under us. */
struct seen {
    dev_t dev;
    ino_t ino;
    struct mcp_fingerprint fp;
    uint64_t consumed;
};

struct mcp_follow {
    struct mcp_follow_opts o;
    struct mcp_ffamily *fam;
    size_t nfam;
    char **dirs;
    size_t ndirs;
    int *dir_wd;
    mcp_follow_chunk_fn chunk;
    mcp_notice_fn notice;
    void *arg;
    struct seen seen[SEEN_MAX];
    size_t nseen, seen_next;
    int64_t start_wall;      /* seconds: files older are not "missed" */
    int ifd;                 /* inotify, or -1 (polling) */
    size_t budget;           /* bytes left in this round */
    int64_t deadline;        /* mono ms: the round is cut after it */
    bool cut;                /* this round was cut at its deadline */
};

/* A file of a family in its folder (rotated member or live name). */
struct follow_member {
    char *path;
    int cls;
    int64_t key;
    bool gz;
};

void follow_notice(struct mcp_follow *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
char *follow_join(const char *dir, const char *name);
/* Open a tail of family ff (with its inotify watch, read in the family's
 * format); NULL, with a notice unless the file does not exist. */
struct mcp_tail *follow_open_tail(struct mcp_follow *f,
                                  const struct mcp_ffamily *ff,
                                  const char *path,
                                  uint64_t offset, uint64_t line,
                                  int64_t carry);
/* Open the live file of family fi at offset. NULL when it cannot be
 * followed now: nothing there is left to the caller; anything else at the
 * name (a FIFO, a device, a folder, an unreadable file) is reported once
 * per object and cause ("..., not followed") and tried again quietly at
 * each look. Announces a file that appeared or became readable. */
struct mcp_tail *follow_open_live(struct mcp_follow *f, size_t fi,
                                  uint64_t offset, uint64_t line,
                                  int64_t carry);
void follow_add_drain(struct mcp_ffamily *ff, struct mcp_tail *t,
                      int64_t deadline);
/* Whether dev/ino is the family's live tail or one of its drains. */
bool follow_is_current(const struct mcp_ffamily *ff, dev_t dev, ino_t ino);

/* A file of a client's tree (follow_tree.c): where it was left. */
struct follow_tfile {
    dev_t dev;
    ino_t ino;
    uint64_t offset;
};

/* A client's tree family fi (ff->tree): list its files (at most once a
 * second unless first) and open those with something new as drains:
 * first (at the start), every file from its start with --from-start,
 * else none (their ends are remembered); later, a new file from its
 * start, a known one from where it was left. */
void follow_tree_look(struct mcp_follow *f, size_t fi, int64_t now,
                      bool first);
/* A tree's tail is being closed: remember where it was left. */
void follow_tree_closed(struct mcp_ffamily *ff, const struct mcp_tail *t);
/* The family's files in its folder, oldest first (live name last). */
struct follow_member *follow_list_members(const struct mcp_ffamily *ff,
                                          size_t *n);
void follow_free_members(struct follow_member *m, size_t n);
/* follow_watch.c: watch the families' folders (once each); watch and
 * unwatch a tail's inode (nothing without inotify). */
void follow_watch_dirs(struct mcp_follow *f);
void follow_watch_tail(struct mcp_follow *f, struct mcp_tail *t);
void follow_unwatch_tail(struct mcp_follow *f, struct mcp_tail *t);

/* follow_discover.c: a tail whose name now points elsewhere gets the
 * rotated name its file has now in the family's folder, or " (deleted)"
 * when it has none, so its lines are labelled with their real source.
 * Discovery: the family's plain files changed since follow started and
 * not read are read as draining tails, a copy of a known generation from
 * where that generation was left, anything unknown from its start. */
void follow_relabel(struct mcp_ffamily *ff, struct mcp_tail *t);
void follow_discover(struct mcp_follow *f, size_t fi, int64_t now);

#endif
