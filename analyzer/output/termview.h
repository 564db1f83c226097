/* termview.h - how `mcplog follow` shows events and alerts.
 *
 * One line per matched log line: time, severity, the rules that matched
 * it, their captures and the sanitized line text; in colour only when it
 * raised or fed a firing alert, dim otherwise. Alerts are highlighted
 * when they fire and resolve, with their updates and repeats. On a TTY a
 * status line at the bottom shows per-rule counts and rates, redrawn at
 * most once a second. When stdout is the journal, each line starts with
 * its syslog priority. With --json every event, line and alert transition
 * is one JSON object per line instead.
 *
 * Every text from a log goes through textout.h (mcp_sanitize_term for the
 * terminal, mcp_json_string for JSON): nothing from a log is ever written
 * raw, so ESC/CSI/OSC sequences, C0/C1 controls and bidi overrides are
 * shown visibly and never interpreted.
 *
 * The exact line and object formats are documented at the top of
 * termview.c (tests and docs depend on them).
 */
#ifndef MCP_TERMVIEW_H
#define MCP_TERMVIEW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "engine/engine.h"
#include "match/event.h"
#include "match/rules.h"

enum mcp_color_mode { MCP_COLOR_AUTO = 0, MCP_COLOR_ALWAYS, MCP_COLOR_NEVER };

struct mcp_termview_opts {
    enum mcp_color_mode color; /* AUTO: colour when out is a TTY and
                                  NO_COLOR is unset or empty */
    bool json;                 /* one JSON object per line */
    bool quiet;                /* alerts only */
    bool all;                  /* also every line that matched no rule */
    bool status;               /* status line (only used on a TTY) */
};

struct mcp_termview;

/* out is borrowed (usually stdout); rs is borrowed and must outlive the
 * view (after a reload, call mcp_termview_set_rules). Returns NULL only on
 * allocation failure (never: mcp_malloc exits). */
struct mcp_termview *mcp_termview_create(FILE *out, int out_fd,
                                         const struct mcp_ruleset *rs,
                                         const struct mcp_termview_opts *o);

void mcp_termview_set_rules(struct mcp_termview *v,
                            const struct mcp_ruleset *rs);

/* One event of a line, with what the engine made of it. */
struct mcp_termview_hit {
    const struct mcp_event *ev;
    uint64_t alert;              /* id of the alert it raised or fed while
                                    firing (mcp_engine_feed), 0: none */
    enum mcp_severity severity;  /* that alert's severity */
};

/* The MATCH events of one log line (same input and line; FOLLOW events
 * are skipped): shown as one line naming every rule, coloured by the
 * most severe alert they raised or fed, dim when none. path is the file
 * it came from (borrowed). */
void mcp_termview_events(struct mcp_termview *v,
                         const struct mcp_termview_hit *h, size_t n,
                         const char *path);

/* One event that fed no alert: mcp_termview_events of it alone. */
void mcp_termview_event(struct mcp_termview *v, const struct mcp_event *ev,
                        const char *path);

/* Show the date line of ts now when its day is not the last one shown
 * (text mode): before a line's events are fed with the view held, so
 * that the line, shown first, comes after its date line and the alert
 * lines it raised need none. */
void mcp_termview_day(struct mcp_termview *v, int64_t ts);

/* Hold alert lines and notices back (hold) until release, which writes
 * them: while a line's events are fed to the engine, the alerts they
 * raise come out after the line itself. Nests. */
void mcp_termview_hold(struct mcp_termview *v);
void mcp_termview_release(struct mcp_termview *v);

/* A line no rule matched (only shown with `all`). ts may be
 * MCP_TIME_NONE. */
void mcp_termview_line(struct mcp_termview *v, const char *path,
                       uint64_t lineno, int64_t ts, const char *text,
                       size_t len);

/* An alert changed (what notify tells the terminal: the sinks' story).
 * silenced marks an alert a silence keeps from the sinks. */
void mcp_termview_alert(struct mcp_termview *v, const struct mcp_alert *a,
                        enum mcp_alert_status t, bool silenced);

/* Tell the view which alerts fire now: all n alerts of the engine (see
 * mcp_engine_alerts), of which those still firing are kept. Call it after
 * mcp_engine_load (checkpoint restore, reload), since restored alerts are
 * not announced and alerts of changed rules vanish without a resolution;
 * the status line's firing count would drift otherwise. Prints nothing. */
void mcp_termview_sync_alerts(struct mcp_termview *v,
                              struct mcp_alert *const *a, size_t n);

/* A notice from mcplog itself (rotation, truncation), shown dimmed on a
 * TTY and as {"type":"notice"} in JSON; plain text otherwise goes to
 * stderr as "mcplog: <msg>" ("<5>mcplog: <msg>" when stderr is the
 * journal). msg is sanitized. */
void mcp_termview_notice(struct mcp_termview *v, const char *msg);

/* Redraw the status line if a second has passed since the last redraw
 * (now_ms: a monotonic clock). Does nothing unless out is a TTY and the
 * status option is on. */
void mcp_termview_tick(struct mcp_termview *v, int64_t now_ms);

/* Flush buffered output (after each batch). */
void mcp_termview_flush(struct mcp_termview *v);

/* Clear the status line and free. */
void mcp_termview_destroy(struct mcp_termview *v);

#endif
