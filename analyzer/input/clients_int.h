/* clients_int.h - what clients.c (finding files) and clients_reg.c (the
 * registrations, the sessions a connection log covers) share. */
#ifndef MCP_CLIENTS_INT_H
#define MCP_CLIENTS_INT_H

#include "input/clients.h"

/* One registered server: its name and where it runs. */
struct reg {
    char *name;
    char *scope;         /* "user scope" or the project's folder */
    char **paths;        /* command, args and cwd that are paths */
    char **what;         /* "command", "args", "cwd", parallel */
    size_t npaths;
};

struct regs {
    struct reg *r;
    size_t n;
};

/* Read the registrations of the Claude Code config file at path (a
 * missing or unreadable file: none). */
void regs_read(struct regs *rs, const char *path);
void regs_free(struct regs *rs);

/* The registered name whose slug is slug, or NULL. */
const char *regs_name_of_slug(const struct regs *rs, const char *slug);

/* Tie each logs folder of ls to a registration: a path of the
 * registration (command, an argument, cwd) inside the folder's parent
 * (the server's checkout). Sets in->server of the folder's inputs. */
void regs_tie(const struct regs *rs, struct mcp_logset *ls,
              struct mcp_ties *ties);

/* The sessionId of the first record of a connection log (malloc'd), or
 * NULL. */
char *conn_log_session(const char *path);

/* A Claude Desktop per-server log: the server named by its records and
 * the time of its first and last record. Returns false when it has none
 * (or is over 64 MiB). */
bool desktop_span(const char *path, char **server, int64_t *first,
                  int64_t *last);

#endif
