/* termview_int.h - what termview.c (event, alert and notice lines) and
 * termview_status.c (the status line and its per-rule counts) share. Not
 * for other modules. */
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

#define NSNAP 12            /* rates over 10 s of 1 s redraws, + 1 */

struct snap {
    int64_t t;
    uint64_t *count;        /* nrules values */
};

struct firing {
    uint64_t id;
    uint64_t shown;         /* count in the last line shown for it */
};

struct mcp_termview {
    FILE *out;
    int fd;
    const struct mcp_ruleset *rs;
    struct mcp_termview_opts o;
    bool color, tty, status_on;

    struct mcp_buf buf;     /* the line(s) being built */
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

/* termview_status.c: take the rule names of rs (counts kept for the
 * names that stay, rates restarted); free them; draw the status line
 * rendered last (erased by the next output line). */
void termview_take_rules(struct mcp_termview *v,
                         const struct mcp_ruleset *rs);
void termview_free_rules(struct mcp_termview *v);
void termview_draw_status(struct mcp_termview *v);

#endif
