/* procconf.h - the server-process settings of mcplog.yaml: which
 * processes are the MCP server (`server:`), the health thresholds
 * (`health:`), cleanup (`cleanup:`) and the follow probes (`probes:`).
 * Parsed by procconf.c from the nodes config.c hands over
 * (docs/mcplog.yaml.5):
 *
 *   server:
 *     dir: ~/hestai-mcp-server      # the server's folder (absolute or ~/)
 *     match:                        # any of these; default [{python: server.py}]
 *       - {python: server.py}       # a python running DIR/server.py (absolute)
 *       - {cwd: true}               # a python interpreter whose cwd is DIR
 *       - {argv: '/opt/zen/bin/zen-mcp-server( .*)?'}  # whole command line
 *       - {exe: /usr/local/bin/zen-mcp-server}         # /proc/PID/exe
 *     all_users: false              # only processes of our own uid
 *     logs: ~/hestai-mcp-server/logs   # default DIR/logs
 *   health:
 *     max_processes: 2              # WARNING above
 *     min_processes: 1              # CRITICAL below
 *     rss_warn: 500MB               # WARNING above, per process
 *     restarts: {count: 1, window: 7d}     # WARNING above
 *     reconnects: {count: 5, window: 1h}   # CRITICAL above
 *     log_dir_warn: 1GiB            # WARNING above
 *     newest_line_warn: 1h          # WARNING when the newest line is older
 *   cleanup:
 *     enabled: false                # follow's cleanup action
 *     dry_run: true                 # follow's action only reports its plan
 *     keep: newest                  # newest | oldest
 *     prefer_writer: true           # prefer those with the log open to write
 *     writer_window: 5m             # ... if the log changed within this window
 *     grace: 5s                     # SIGTERM, then SIGKILL after this
 *     min_interval: 10m             # follow's action at most this often
 *   probes:
 *     enabled: true
 *     interval: 30s
 *
 * Every value is filled (defaults for what is absent), so callers read
 * the struct without checking what was given. */
#ifndef MCP_PROCCONF_H
#define MCP_PROCCONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <yaml.h>

struct mcp_yaml;
struct mcp_pattern;

/* One `server: match:` entry. */
enum mcp_match_kind {
    MCP_MATCH_PYTHON,              /* python interpreter runs DIR/<arg>,
                                      given absolute (resolved paths) */
    MCP_MATCH_CWD,                 /* python interpreter with cwd DIR */
    MCP_MATCH_ARGV,                /* pattern matches the whole command line */
    MCP_MATCH_EXE,                 /* /proc/PID/exe is exactly <arg> */
};

struct mcp_proc_match {
    enum mcp_match_kind kind;
    char *arg;                     /* PYTHON: script name ("server.py");
                                      ARGV: the pattern as written; EXE: the
                                      path (~/ expanded); CWD: NULL */
    struct mcp_pattern *re;        /* ARGV: compiled, anchored at both ends */
};

enum mcp_keep {
    MCP_KEEP_NEWEST,
    MCP_KEEP_OLDEST,
    MCP_KEEP_PID,                  /* only from the command line (--keep PID) */
};

struct mcp_server_conf {
    char *dir;                     /* absolute, ~/ expanded; NULL: not set */
    char *logs;                    /* absolute; NULL when neither logs nor
                                      dir is set (default DIR/logs) */
    struct mcp_proc_match *match;  /* nmatch entries (at least 1) */
    size_t nmatch;
    bool match_default;            /* match: was absent */
    bool all_users;                /* false: only our uid */
};

struct mcp_health_conf {
    long max_processes;            /* 2: WARNING when more run */
    long min_processes;            /* 1: CRITICAL when fewer run */
    uint64_t rss_warn;             /* bytes, 500 MB: WARNING above */
    long restarts_count;           /* 1: WARNING when more ... */
    int64_t restarts_window_ms;    /* ... within 7d */
    long reconnects_count;         /* 5: CRITICAL when more ... */
    int64_t reconnects_window_ms;  /* ... within 1h */
    uint64_t log_dir_warn;         /* bytes, 1 GiB: WARNING above */
    int64_t newest_line_warn_ms;   /* 1h: WARNING when the newest line is
                                      older (0: check off) */
};

struct mcp_cleanup_conf {
    bool enabled;                  /* false: follow's action is off */
    bool dry_run;                  /* true: follow's action only plans */
    enum mcp_keep keep;            /* NEWEST or OLDEST */
    bool prefer_writer;            /* true */
    int64_t writer_window_ms;      /* 5m */
    int64_t grace_ms;              /* 5s */
    int64_t min_interval_ms;       /* 10m */
};

struct mcp_probes_conf {
    bool enabled;                  /* true */
    int64_t interval_ms;           /* 30s */
};

struct mcp_procconf {
    struct mcp_server_conf server;
    struct mcp_health_conf health;
    struct mcp_cleanup_conf cleanup;
    struct mcp_probes_conf probes;
};

/* Defaults, then the sections given (each may be NULL; y may be NULL when
 * all are). Returns 0, or -1 with "file:line:col: cause" in err; on error
 * pc holds nothing that needs freeing (mcp_procconf_free is still safe).
 * The caller frees pc with mcp_procconf_free(). */
int mcp_procconf_load(struct mcp_procconf *pc, struct mcp_yaml *y,
                      yaml_node_t *server, yaml_node_t *health,
                      yaml_node_t *cleanup, yaml_node_t *probes, char *err);

/* --server-dir DIR of ps, cleanup and health: server.dir becomes DIR
 * (made absolute from the current folder; it must be a folder) and
 * server.logs DIR/logs, whatever the config said: the command line
 * wins. Returns 0, or -1 with "--server-dir DIR: cause" in err. */
int mcp_procconf_server_dir(struct mcp_procconf *pc, const char *dir,
                            char *err);

/* Print the keys of the sections named in names (NULL-terminated:
 * "server", "health", "cleanup", "probes"), their types, defaults and
 * help, from the tables that read them (`mcplog health --help`). */
void mcp_procconf_help(const char *const *names, FILE *out);

/* Free what load allocated (safe on a zeroed or freed struct). */
void mcp_procconf_free(struct mcp_procconf *pc);

#endif
