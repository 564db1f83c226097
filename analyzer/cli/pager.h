/* pager.h - the text of scan (and any report) through $PAGER when
 * standard output is a terminal, as git and journalctl do.
 */
#ifndef MCP_PAGER_H
#define MCP_PAGER_H

#include <stdbool.h>
#include <sys/types.h>

struct mcp_pager {
    pid_t pid;      /* 0: not paging */
    int saved_out;  /* the terminal's stdout, restored at the end */
};

/* When stdout is a terminal and $PAGER is not "" or "cat" (unset: "less"),
 * start sh -c "$PAGER" with LESS=FRX when LESS is unset (quit when the
 * text fits, keep the colours) and make stdout its pipe. SIGPIPE is
 * ignored from then on: quitting the pager early is not an error. A pager
 * that cannot start leaves stdout alone. */
void mcp_pager_start(struct mcp_pager *p);

/* Flush stdout, give the terminal back to stdout (the pager sees the
 * end of its input) and wait for the pager (reaped by its pid). Returns
 * true when it was paging: a write error then only means the pager was
 * quit early (EPIPE), not a lost report. A no-op otherwise. */
bool mcp_pager_finish(struct mcp_pager *p);

#endif
