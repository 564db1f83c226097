/* procs_int.h - the /proc readers shared by procs.c (discovery),
 * procread.c (their home) and procmatch.c. Internal to the process
 * modules: nothing outside procs*.c / procmatch.c / procparent.c
 * includes it. */
#ifndef MCP_PROCS_INT_H
#define MCP_PROCS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "proc/procs.h"

/* One /proc/PID/stat as read in the first pass of discovery. */
struct mcp_proc_ent {
    pid_t pid, ppid;
    char state;
    unsigned flags;
    uint64_t start;
    uint64_t rss_pages;
};

/* The identity of one current log file (mcp_server.log, then
 * mcp_activity.log, in server.logs); ok is false when it does not
 * exist. */
struct mcp_proc_logid {
    bool ok;
    dev_t dev;
    ino_t ino;
    char *path;
};

/* Read a whole (small) file, at most max bytes, into a malloc'd
 * NUL-terminated buffer (its length in *len when len is not NULL).
 * Returns NULL when it cannot be opened or read. */
char *mcp_proc_slurp(const char *path, size_t max, size_t *len);

/* readlink(path) into a malloc'd string, or NULL. */
char *mcp_proc_readlink(const char *path);

/* Read /proc/PID/stat into e. Returns 0, or -1 when the process does
 * not exist (any more) or the text does not parse. */
int mcp_proc_read_stat(pid_t pid, struct mcp_proc_ent *e);

/* The real uid of pid (/proc/PID/status). Returns 0 or -1. */
int mcp_proc_real_uid(pid_t pid, uid_t *uid);

/* Split /proc/PID/cmdline text (NUL-separated, normally NUL-terminated)
 * into a malloc'd array of *argc malloc'd strings plus NULL. */
char **mcp_proc_split_cmdline(const char *b, size_t len, int *argc);

/* The last component of path (the text after its last '/'), borrowed
 * from path. */
const char *mcp_path_base(const char *path);

/* Read p's parent (p->ppid) from /proc: sets parent, parent_kind, orphan
 * and orphan_reason (procs.h, procparent.c). A parent that is gone or
 * outside /proc's PID namespace leaves kind unknown, no orphan. */
void mcp_proc_read_parent(struct mcp_proc *p);

/* a "/" b, malloc'd. */
char *mcp_path_join(const char *a, const char *b);

/* Fill l[0..2) with the current logs of pc (all !ok when server.logs is
 * unset); free with mcp_proc_logs_free. */
void mcp_proc_logs_init(const struct mcp_procconf *pc,
                        struct mcp_proc_logid *l);
void mcp_proc_logs_free(struct mcp_proc_logid *l);

/* Read p's descriptors (/proc/PID/fd, fdinfo) for the current logs l:
 * sets logs_open, log_open_write, log_write_age_ms and
 * log_modified_age_ms (procs.h); now_ms is the wall clock. */
void mcp_proc_scan_fds(struct mcp_proc *p, const struct mcp_proc_logid *l,
                       int64_t now_ms);

/* The wall clock in Unix ms. */
int64_t mcp_proc_now_ms(void);

#endif
