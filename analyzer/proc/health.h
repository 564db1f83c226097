/* health.h - the checks of `mcplog health`, in the manner of a Nagios
 * plugin: each check is OK, WARNING, CRITICAL or UNKNOWN with a value, the
 * threshold it was held against and a detail; the overall status is the
 * worst, ranked CRITICAL > WARNING > UNKNOWN > OK (the monitoring-plugins
 * convention: a check that could not run does not hide one that failed).
 *
 *   processes    fewer than health.min_processes -> CRITICAL,
 *                more than health.max_processes  -> WARNING
 *   memory       a process's RSS above health.rss_warn -> WARNING
 *   restarts     matches of the rule `restarts` in the window ending now,
 *                more than health.restarts.count -> WARNING
 *   reconnects   matches of the rule `reconnect-failures` likewise,
 *                more than health.reconnects.count -> CRITICAL
 *   log_dir      bytes of the files under the logs folder (apparent size,
 *                recursive, symlinks not followed), above
 *                health.log_dir_warn -> WARNING
 *   newest_line  age of the newest timestamped line of the log set, older
 *                than health.newest_line_warn -> WARNING (0: check off)
 *
 * "Now" is the wall clock handed in: health is about now, never about the
 * log's own clock as a post-mortem scan is. Nothing here prints: the
 * caller formats with mcp_health_text() or mcp_health_json().
 */
#ifndef MCP_HEALTH_H
#define MCP_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/procconf.h"
#include "proc/procs.h"
#include "match/rules.h"
#include "base/util.h"

enum mcp_health_status {
    MCP_HEALTH_OK = 0,
    MCP_HEALTH_WARNING = 1,
    MCP_HEALTH_CRITICAL = 2,
    MCP_HEALTH_UNKNOWN = 3,        /* the check could not run */
};

enum mcp_health_id {
    MCP_HC_PROCESSES,
    MCP_HC_MEMORY,
    MCP_HC_RESTARTS,
    MCP_HC_RECONNECTS,
    MCP_HC_LOG_DIR,
    MCP_HC_NEWEST_LINE,
    MCP_HC_N,
};

struct mcp_health_check {
    const char *name;              /* "processes", "memory", ... (static) */
    const char *unit;              /* "processes", "bytes", "matches",
                                      "seconds" (static) */
    enum mcp_health_status status;
    bool has_value;
    int64_t value;
    bool has_threshold;
    int64_t threshold;             /* the limit above which it is not OK */
    bool has_min;
    int64_t min;                   /* processes: the limit below which */
    int64_t window_ms;             /* restarts, reconnects: the window */
    char summary[192];             /* short, for the status line */
    char detail[1024];             /* one line; paths in it are escaped
                                    * (mcp_sanitize_term) */
};

/* One process as health reports it (a copy: no pidfds held). */
struct mcp_health_proc {
    int64_t pid;
    int64_t start_ms;              /* wall clock, Unix ms */
    uint64_t rss_bytes;
};

struct mcp_health {
    int64_t now;                   /* wall clock, Unix ms */
    char *logdir;                  /* the logs folder checked (owned) */
    struct mcp_health_check c[MCP_HC_N];
    struct mcp_health_proc *procs; /* the matched processes (owned) */
    size_t nprocs;
    enum mcp_health_status status; /* set by mcp_health_finish() */
};

/* Start a report at wall time now for the logs folder logdir (copied):
 * every check UNKNOWN "not run". Free with mcp_health_free(). */
void mcp_health_init(struct mcp_health *h, int64_t now, const char *logdir);
void mcp_health_free(struct mcp_health *h);

/* The processes and memory checks from the processes found (p may be
 * NULL with n 0). cause non-NULL: the processes could not be listed; both
 * checks are UNKNOWN with it. */
void mcp_health_procs(struct mcp_health *h, const struct mcp_health_conf *hc,
                      const struct mcp_proc *p, size_t n, const char *cause);

/* The restarts, reconnects and newest_line checks from figures already
 * counted (by the scan of `mcplog health`, cmd_health.c): restarts and
 * reconnects are match counts in their windows, -1 when the rule is not
 * loaded; newest is the newest line's time or MCP_TIME_NONE. cause
 * non-NULL: the logs could not be read; the three checks are UNKNOWN. */
void mcp_health_counts(struct mcp_health *h, const struct mcp_health_conf *hc,
                       int64_t restarts, int64_t reconnects, int64_t newest,
                       const char *cause);

/* The log_dir check from its size in bytes, or cause when it could not
 * be measured. */
void mcp_health_dir(struct mcp_health *h, const struct mcp_health_conf *hc,
                    uint64_t bytes, const char *cause);

/* Set h->status: the worst check (CRITICAL > WARNING > UNKNOWN > OK). */
void mcp_health_finish(struct mcp_health *h);

/* The order of "worst": 3 CRITICAL, 2 WARNING, 1 UNKNOWN, 0 OK. */
int mcp_health_rank(enum mcp_health_status s);

/* "OK", "WARNING", "CRITICAL", "UNKNOWN". */
const char *mcp_health_status_name(enum mcp_health_status s);

/* The two outputs live with the command (cmd_health.c). */

/* Append the Nagios plugin output: the status line
 *   MCPLOG WARNING - 3 server processes (more than 2), ... | perfdata
 * (the non-OK checks first, worst first), then one line per check,
 *   processes: WARNING - detail
 * Text is appended raw: the caller sanitizes it for a terminal. */
void mcp_health_text(const struct mcp_health *h, struct mcp_buf *out);

/* Append the JSON document (pretty when pretty):
 *   {"status","code","summary","time","logs","checks":[{"name","status","value",
 *    "threshold","min"?,"window"?,"unit","detail"}],"processes":[{"pid",
 *    "start","rss"}]} */
void mcp_health_json(const struct mcp_health *h, struct mcp_buf *out,
                     bool pretty);

/* The coarse age for people: "42s", "5m", "3h", "2d" (floor of the
 * largest unit), into buf (16 bytes). Returns buf. */
char *mcp_health_age(int64_t ms, char *buf, size_t len);

#endif
