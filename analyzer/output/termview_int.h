/* termview_int.h - what termview.c (event, line and notice lines),
 * termview_alert.c (alert lines) and termview_status.c (the status line
 * and its per-rule counts) share. Not for other modules. */
#ifndef MCP_TERMVIEW_INT_H
#define MCP_TERMVIEW_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/util.h"
#include "output/termview.h"

#define SGR_RESET "\033[0m"
#define SGR_BOLD "\033[1m"
#define SGR_DIM "\033[2m"
#define SGR_REVERSE "\033[7m"
#define SGR_RESOLVED "\033[1;32m"
#define ERASE "\r\033[K"

#define NSNAP 62            /* rates over 60 s of 1 s redraws, + 1 */

/* syslog priorities of the lines, when stdout is the journal */
#define PRIO_CRIT 2
#define PRIO_WARNING 4
#define PRIO_NOTICE 5
#define PRIO_INFO 6

struct snap {
    int64_t t;
    uint64_t *count;        /* nrules values */
};

struct firing {
    uint64_t id;
};

struct mcp_termview {
    FILE *out;
    int fd;
    const struct mcp_ruleset *rs;
    struct mcp_termview_opts o;
    bool color, tty, status_on;
    bool journal;           /* out is the journal: "<N>" before each line */
    bool journal_err;       /* so is stderr (notices when not a TTY) */

    struct mcp_buf buf;     /* the line(s) being built */
    int hold;               /* > 0: alert lines wait in held */
    struct mcp_buf held;
    char date[16];          /* date of the last separator, "" before */

    /* status line */
    struct mcp_buf st;      /* its last rendered text (with SGR) */
    bool drawn, shown;      /* rendered once; on the screen now */
    int64_t last_draw;
    size_t nrules;
    char **names;           /* copies: rs may be gone after a reload */
    uint64_t *count;        /* MATCH events per rule */
    struct snap snap[NSNAP];
    int nsnap, snap_head;   /* ring: snap_head is the next slot */

    struct firing *firing;
    size_t nfiring, capfiring;
};

/* termview.c: an SGR code when colour is on (code may be NULL); write
 * what was built (erasing the status line first; into held while lines
 * are held); start a line of syslog priority prio ("<prio>" in the
 * journal); the time column at the start of a line, after a date line
 * when the day changed (lead: an SGR code or NULL, after the priority);
 * a rule's name, bold; the rule of index i, or NULL; the syslog priority
 * of a severity. */
void termview_sgr(struct mcp_termview *v, const char *code);
void termview_put(struct mcp_termview *v);
void termview_line_start(struct mcp_termview *v, int prio);
void termview_put_time(struct mcp_termview *v, int64_t ms, const char *lead,
                       int prio);
void termview_put_rule(struct mcp_termview *v, const struct mcp_rule *r);
const struct mcp_rule *termview_rule(const struct mcp_termview *v,
                                     uint32_t i);
int termview_prio(enum mcp_severity s);
const char *termview_sev_sgr(enum mcp_severity s);

/* termview_alert.c: forget the firing alerts (destroy). */
void termview_free_alerts(struct mcp_termview *v);

/* termview_status.c: take the rule names of rs (counts kept for the
 * names that stay, rates restarted); free them; draw the status line
 * rendered last (erased by the next output line). */
void termview_take_rules(struct mcp_termview *v,
                         const struct mcp_ruleset *rs);
void termview_free_rules(struct mcp_termview *v);
void termview_draw_status(struct mcp_termview *v);

#endif
