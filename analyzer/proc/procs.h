/* procs.h - find the MCP server processes in /proc (Linux).
 *
 * A process is a candidate when it is not mcplog itself, not one of its
 * ancestors (PPid chain up to 1), not one of its descendants (helpers,
 * children of sinks) nor of the outermost mcplog among its ancestors
 * (follow's other helpers when follow runs cleanup), not a kernel
 * thread, not a zombie, and - unless server.all_users - has our real
 * uid. A candidate matches when one of the server.match rules
 * (procconf.h) holds; the first rule that holds gives `why`:
 *   python:  "python3.11 runs /home/u/srv/server.py"
 *   cwd:     "python3.11 with cwd /home/u/srv"
 *   argv:    "argv matches pattern 2"
 *   exe:     "exe is /usr/local/bin/zen-mcp-server"
 * Nothing here matches on a substring of the command line: the python
 * rule compares resolved paths only (realpath, never ".." folded by
 * hand), argv patterns are anchored at both ends of the command line,
 * exe is compared for equality. A relative script path never matches:
 * python resolved it against its cwd at start, which a chdir() since
 * would hide, and the kernel keeps no record of it (CPython does not
 * keep the script open either). Such a process, and one whose absolute
 * script path only reads as the server's (DIR/link/../server.py), is a
 * near miss: not matched, with the reason in `why`
 * ("not matched: relative script path server.py, the folder it started
 * in cannot be known"), for `mcplog ps` to show.
 *
 * Each process found also gets its parent (procparent.c): its name and
 * kind, and whether it is an orphan, its client gone: the parent, or a
 * launcher shell/uv/npx that is the parent, was adopted by PID 1 of its
 * PID namespace or by the service manager (systemd, a subreaper).
 *
 * Reading another process's /proc entries races with its exit: a process
 * that vanishes while being read is skipped. Its identity is (pid,
 * start_ticks): a pid can be reused, the pair cannot within one boot.
 */
#ifndef MCP_PROCS_H
#define MCP_PROCS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "conf/procconf.h"

/* What a server's parent is (procparent.c). Only INIT and SUBREAPER
 * adopt processes whose parent exited: a server under one of them, or
 * under a launcher under one of them, is an orphan. */
enum mcp_parent_kind {
    MCP_PARENT_UNKNOWN,            /* ppid 0 (outside the PID namespace of
                                      /proc) or gone while being read */
    MCP_PARENT_CLIENT,             /* a known MCP client: claude, Claude */
    MCP_PARENT_SHELL,              /* sh, bash, dash, zsh, ksh, fish, ... */
    MCP_PARENT_LAUNCHER,           /* uv, uvx, npx */
    MCP_PARENT_INIT,               /* PID 1 of its PID namespace */
    MCP_PARENT_SUBREAPER,          /* the service manager (systemd --user) */
    MCP_PARENT_OTHER,              /* any other live process */
};

struct mcp_proc {
    pid_t pid;
    pid_t ppid;
    uid_t uid;                     /* real uid */
    uint64_t start_ticks;          /* field 22 of /proc/PID/stat */
    int64_t start_ms;              /* wall clock (Unix ms) of the start */
    int64_t uptime_ms;             /* at discovery */
    uint64_t rss_bytes;
    char *exe;                     /* readlink /proc/PID/exe, or NULL */
    char **argv;                   /* argc strings + NULL (cmdline split) */
    int argc;
    char *cwd;                     /* readlink /proc/PID/cwd, or NULL */
    bool logs_open;                /* has the current mcp_server.log or
                                      mcp_activity.log open (same inode) */
    bool log_open_write;           /* ... and open for writing */
    int64_t log_modified_age_ms;   /* log_open_write: now - the newest
                                      mtime of the current logs it has
                                      open for writing; else -1 */
    int64_t log_write_age_ms;      /* it has the current log open for
                                      writing and wrote last (its fd
                                      offset is the file's end): now - the
                                      file's mtime; else -1 (unknown) */
    char *parent;                  /* the parent's name: "claude",
                                      "Claude", "init", "systemd", else its
                                      exe's or comm's name; NULL when
                                      unknown. Process text: escape it */
    enum mcp_parent_kind parent_kind;
    bool orphan;                   /* its client exited (see above) */
    char *orphan_reason;           /* malloc'd, NULL unless orphan:
                                      "adopted by init (PID 1)" */
    char *why;                     /* why it matched, or for a near miss
                                      why not (see above) */
    int match_index;               /* index into server.match; -1 for a
                                      near miss */
    int pidfd;                     /* pidfd_open'ed at discovery, or -1 */
};

/* Find the matching processes, ordered by start (oldest first, then
 * pid). With open_pidfds, a pidfd is opened for each (pidfd_open), after
 * which the start time is read again: a process whose start changed in
 * between (its pid was reused) is dropped, so each pidfd refers to the
 * process described. Returns 0 and a malloc'd array of n entries (n may
 * be 0; *out may be NULL then), owned by the caller and freed with
 * mcp_procs_free(); or -1 with the cause in err (no server dir for a rule
 * that needs it, /proc unreadable, pidfd_open unsupported). Reentrant:
 * no globals, safe from any thread. */
int mcp_procs_find(const struct mcp_procconf *pc, bool open_pidfds,
                   struct mcp_proc **out, size_t *n, char *err);

/* mcp_procs_find, and when near is not NULL also the near misses (see
 * above; no pidfds, match_index -1, ordered the same way) in *near,
 * *nnear, freed by the caller with mcp_procs_free(). */
int mcp_procs_find_all(const struct mcp_procconf *pc, bool open_pidfds,
                       struct mcp_proc **out, size_t *n,
                       struct mcp_proc **near, size_t *nnear, char *err);

/* Free the array and everything in it, closing the pidfds. */
void mcp_procs_free(struct mcp_proc *v, size_t n);

/* The command line of p joined by single spaces (argv as matched), in a
 * malloc'd string; "[exe]" when argv is empty (kernel threads never
 * match, but a process may clear its cmdline). */
char *mcp_proc_cmdline(const struct mcp_proc *p);

/* The table `mcplog ps` and `mcplog cleanup` print: a header, then per
 * process one row (PID, START local time, UPTIME, RSS, LOGS: "no",
 * "open", "open (write)", or "wrote 3s ago", WHY) and an indented
 * command line. Text from the process (why, argv) goes through
 * mcp_sanitize_term. lead is printed before the columns (a fixed-width
 * action, or ""). */
struct mcp_buf;
void mcp_proc_header(struct mcp_buf *out, const char *lead);
void mcp_proc_row(struct mcp_buf *out, const char *lead,
                  const struct mcp_proc *p);

/* Render an uptime or age compactly: "5s", "12m05s", "4h12m", "3d04h".
 * Returns buf (32 bytes are enough). */
char *mcp_proc_age_format(int64_t ms, char *buf, size_t len);

/* Read field 22 (start time, clock ticks after boot) and the state
 * letter of /proc/PID/stat. Returns 0, or -1 when the process does not
 * exist (any more). */
int mcp_proc_stat_start(pid_t pid, uint64_t *start_ticks, char *state);

/* Whether p's process is the same (start time unchanged) and alive (not
 * a zombie): 1 alive and same, 0 gone or zombie, 2 the pid now belongs
 * to another process. */
int mcp_proc_check(const struct mcp_proc *p);

/* Lexically normalise an absolute path (no "//", "." or ".." left; ".."
 * at the root stays at the root). Returns a malloc'd string. */
char *mcp_path_normalize(const char *path);

/* Match one process description against the rules of pc (the pure part
 * of mcp_procs_find, for tests; it resolves paths with realpath): exe,
 * argv, cwd may be NULL/empty. dir_real is the resolved server dir (or
 * NULL). Returns the index of the first matching rule and writes why
 * (malloc'd) into *why; or -1 with *why NULL, or for a near miss the
 * malloc'd "not matched: ..." reason. */
int mcp_procs_match(const struct mcp_procconf *pc, const char *dir_real,
                    const char *exe, char *const *argv, int argc,
                    const char *cwd, char **why);

/* One process as the parent classifier sees it: /proc/PID/comm, exe
 * (NULL when unreadable), cmdline, and whether the last number of the
 * NSpid line of /proc/PID/status is 1 (it is PID 1 of its own PID
 * namespace). */
struct mcp_parent_desc {
    pid_t pid;
    const char *comm;
    const char *exe;
    char *const *argv;
    int argc;
    bool ns_init;
};

/* What d is, first rule that holds, with its name (malloc'd) in *name:
 * init (pid 1 or ns_init: "init"); subreaper (exe, else comm, named
 * systemd: "systemd"); client "claude" (argv[0], exe or comm named
 * claude, or exe claude.exe, or argv[1] ending in claude-code/cli.js)
 * or "Claude" (argv[0] or exe named Claude or claude-desktop, or argv[1]
 * ending in claude-desktop/app.asar); shell (exe, else comm, named sh,
 * bash, dash, zsh, ksh, mksh, fish, csh, tcsh, busybox); launcher (exe
 * or argv[0] named uv or uvx, argv[0] or argv[1] named npx); else other,
 * named by comm (else the exe's name, else "?"). Pure, for tests. */
enum mcp_parent_kind mcp_proc_parent_classify(const struct mcp_parent_desc *d,
                                              char **name);

/* The kind's JSON name: unknown, client, shell, launcher, init,
 * subreaper, other. */
const char *mcp_parent_kind_name(enum mcp_parent_kind k);

/* The members of p's JSON object (`ps --json`, `cleanup --json`, which
 * adds its own): pid, ppid, parent (null when unknown), parent_kind,
 * orphan, orphan_reason (null unless orphan), uid, start, uptime_ms, rss_bytes, exe, cwd
 * (null when unreadable), argv, logs_open, log_open_write,
 * log_write_age_ms, log_modified_age_ms (null when unknown), why, match
 * (the server.match entry from 1, null for a near miss). */
struct mcp_json;
void mcp_proc_json_fields(struct mcp_json *j, const struct mcp_proc *p);

#endif
