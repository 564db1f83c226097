/* silence.h - silences: "do not notify about RULE [with these labels]
 * until T", kept in a file beside the checkpoint (STATE.silences) so that
 * `mcplog silence` and a running `mcplog follow` share them.
 *
 * File format, one silence per line (fields escaped as in the checkpoint,
 * mcp_buf_escape):
 *   silence ID CREATED_MS ENDS_MS =RULE N =NAME =VALUE ... =COMMENT
 * Writers take an flock on the file and replace it atomically (tmp, fsync,
 * rename); follow re-reads it when its identity or mtime changes.
 *
 * Bounds: a reader takes at most MCP_SILENCE_MAX_FILE bytes. Each field of
 * a silence has a cap and a file holds at most MCP_SILENCE_MAX silences,
 * chosen so that the longest possible file is under that (checked at
 * compile time in silence.c): what mcplog writes, it can always read.
 */
#ifndef MCP_SILENCE_H
#define MCP_SILENCE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "match/rules.h"

#define MCP_SILENCE_MAX_FILE (4 * 1024 * 1024) /* bytes a reader takes */
#define MCP_SILENCE_MAX 256                    /* silences in a file */
#define MCP_SILENCE_MAX_RULE 256               /* bytes of the rule glob */
#define MCP_SILENCE_MAX_NAME 64                /* ... of a label name */
#define MCP_SILENCE_MAX_VALUE 256              /* ... of a label value */
#define MCP_SILENCE_MAX_COMMENT 1024           /* ... of the comment */

struct mcp_silence {
    char id[17];
    int64_t created, ends;       /* wall-clock ms */
    char *rule;                  /* a glob(7) */
    int nlabels;
    char *label_name[MCP_RULE_MAX_GROUP];
    char *label_value[MCP_RULE_MAX_GROUP];
    char *comment;
};

struct mcp_silences {
    char *path;
    struct mcp_silence *v;
    size_t n;
    dev_t dev;                   /* identity of the file last read */
    ino_t ino;
    int64_t mtime_ns;
    bool present;
    char *warn;                  /* the file was over MCP_SILENCE_MAX_FILE:
                                    why part of it was not read, or NULL */
    bool failed;                 /* the file at dev/ino/mtime could not be
                                    read: not retried until it changes */
};

/* The silences file for the checkpoint at state_path. malloc'd. */
char *mcp_silence_path(const char *state_path);

/* Read path into s (a missing file is no silence; only a regular file is
 * read). Malformed lines are skipped. A file over MCP_SILENCE_MAX_FILE
 * (written by something else) gives the silences of its first
 * MCP_SILENCE_MAX_FILE bytes, with s->warn saying so. Returns 0, or -1
 * with the cause in err. */
int mcp_silences_load(struct mcp_silences *s, const char *path, char *err);

/* Re-read when the file changed since the last load. Returns 1 when it
 * was re-read, 0 when unchanged, -1 on error (the old set stays, and the
 * same file is not tried again until it changes). */
int mcp_silences_refresh(struct mcp_silences *s, char *err);

/* Whether sl's fields are within the caps above. Returns 0, or -1 with
 * the first field over its cap in err ("the comment is longer than 1024
 * bytes"). */
int mcp_silence_check(const struct mcp_silence *sl, char *err);

/* Change the file under an exclusive lock: add sl (its id is filled in),
 * or end the silence id now (expire). At MCP_SILENCE_MAX silences, an add
 * first forgets the silences that ended earliest. Return 0; -1 with err
 * on an I/O error or an unknown id ("no silence with id ..."); -2 with err
 * when the add is refused (a field over its cap, MCP_SILENCE_MAX in force,
 * or a file over MCP_SILENCE_MAX_FILE: expire rewrites such a file without
 * its unread part, and says so in warn, MCP_ERRLEN bytes, else ""). */
int mcp_silence_add(const char *path, struct mcp_silence *sl, char *err);
int mcp_silence_expire(const char *path, const char *id, int64_t now,
                       char *warn, char *err);

/* The silence that holds for this alert at wall time now, or NULL. */
const struct mcp_silence *mcp_silence_match(const struct mcp_silences *s,
                                            const char *rule, int nlabels,
                                            const char *const *name,
                                            const char *const *value,
                                            int64_t now);

void mcp_silences_free(struct mcp_silences *s);
void mcp_silence_free(struct mcp_silence *sl);

#endif
