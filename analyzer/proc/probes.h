/* probes.h - `mcplog follow`'s probes: the server processes (count, RSS)
 * and the logs folder's size, checked on an interval (probes.interval,
 * default 30 s) and written as synthetic log lines that follow feeds
 * through the SAME matcher and engine as the logs, as the input of role
 * "probe" (rules say `source: probe`; rules/probes.yaml ships four).
 *
 * A line is written on every run while its condition holds, and none
 * when it does not: a rule with `threshold: {count: 0, window: W}` fires
 * on the first line and resolves W after the last one (W a few
 * intervals). The lines, each ending in '\n':
 *
 *   probe stale-processes procs=3 max=2 pids=101,102,103
 *   probe no-server procs=0 min=1
 *   probe server-memory-high pid=101 rss=612 MiB limit=477 MiB
 *   probe log-dir-growth size=1.2 GiB limit=1.0 GiB
 *
 * The process probes run only when the server is configured (server.dir,
 * or match rules that need no dir); the log-dir probe only when there is
 * a folder to measure.
 *
 * (no-server: fewer than health.min_processes; stale-processes: more than
 * health.max_processes; server-memory-high: one line per process above
 * health.rss_warn; log-dir-growth: the logs folder above
 * health.log_dir_warn.) Nothing taken from a process or a path is written
 * into a line, so a line cannot be forged from outside: only numbers and
 * the fixed words above. Sizes are mcp_size_format's: a number, a space,
 * B, KiB, MiB, GiB, TiB or PiB.
 */
#ifndef MCP_PROBES_H
#define MCP_PROBES_H

#include <stdint.h>

#include "conf/config.h"
#include "base/util.h"

struct mcp_probes;

/* Probes on the settings of c (borrowed: it must outlive the probes).
 * logdir is the logs folder to measure (copied); NULL: c's server.logs,
 * and when that is unset too, no log-dir probe. Returns NULL when probes
 * are off (probes.enabled: false). The first run is due at once. */
struct mcp_probes *mcp_probes_create(const struct mcp_config *c,
                                     const char *logdir);

/* Run the probes if they are due at now_mono (monotonic ms), appending
 * their lines to out. A failure to list the processes (or to measure the
 * folder) is written to notice (MCP_ERRLEN bytes) the first time it
 * happens, and its end once ("process probe works again"); notice is
 * left empty otherwise. Returns when the next run is due (monotonic ms). */
int64_t mcp_probes_run(struct mcp_probes *p, int64_t now_mono,
                       struct mcp_buf *out, char *notice);

/* The server processes counted by the last process probe, or -1 (no
 * probe ran yet, it failed, the process probes are off, or p is NULL). */
long mcp_probes_processes(const struct mcp_probes *p);

/* The probes' interval in ms. */
int64_t mcp_probes_interval(const struct mcp_probes *p);

void mcp_probes_destroy(struct mcp_probes *p);

#endif
