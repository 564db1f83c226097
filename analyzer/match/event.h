/* event.h - what the matcher hands to the engine.
 *
 * An event is one rule hit on one line: the rule, the log time, where it
 * came from, the values of the pattern's named captures, a copy of the line
 * (capped) and, for alerting rules, the continuation lines that follow it
 * in its record (a traceback). One allocation per event: the struct, the
 * capture values and the texts live in one block freed by mcp_event_free.
 */
#ifndef MCP_EVENT_H
#define MCP_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "match/pattern.h"

#define MCP_EVENT_LINE_MAX 2048     /* bytes of the line kept */
#define MCP_EVENT_CONTEXT_MAX 4096  /* bytes of continuation lines kept */

/* The fields of a structured record (format.h), by index. */
enum mcp_field {
    MCP_FIELD_SERVER = 0,
    MCP_FIELD_SESSION = 1,
    MCP_FIELD_LEVEL = 2,
    MCP_NFIELDS = 3,
};

enum mcp_event_kind {
    MCP_EV_MATCH = 0,   /* the rule's match pattern */
    MCP_EV_FOLLOW = 1,  /* the rule's expect.match pattern */
};

struct mcp_event {
    int64_t ts;          /* log time; the record's time for continuation
                            lines; MCP_TIME_NONE when the file has none */
    bool own_ts;         /* the line carries its own timestamp */
    uint8_t kind;
    uint32_t rule;
    uint32_t input;      /* index into the log set's inputs */
    uint64_t lineno;     /* 1-based line number in the decoded input */
    uint64_t offset;     /* decoded byte offset of the line */
    int ncaps;           /* values parallel to the pattern's captures */
    const char *cap[MCP_PATTERN_MAX_CAPS]; /* NULL: did not take part */
    const char *line;    /* NUL-terminated copy (may hold other NULs;
                            use line_len) */
    size_t line_len;
    bool line_cut;       /* longer than MCP_EVENT_LINE_MAX */
    const char *context; /* continuation lines, '\n'-separated, or NULL */
    size_t context_len;
    int64_t prev_ts;     /* own time of the family's last line with one
                            before this line: set by scan's line_times
                            (scan.h), else MCP_TIME_NONE */
    /* A structured record's fields (server, session, level); NULL for a
     * plain line or an empty field. */
    const char *field[MCP_NFIELDS];
};

/* A batch of events in line order, as produced for one chunk. */
struct mcp_batch {
    struct mcp_event **ev;
    size_t n, cap;
    size_t bytes;        /* memory held, for queue bounds */
};

/* Build an event. caps[i] / caplen[i] give capture i (caps[i] NULL when
 * the group did not take part); fields[f] / flen[f] a structured
 * record's fields (fields NULL: a plain line). All texts are copied. */
struct mcp_event *mcp_event_create(const char *line, size_t line_len,
                                   const char *context, size_t context_len,
                                   int ncaps, const char *const *caps,
                                   const size_t *caplen,
                                   const char *const *fields,
                                   const size_t *flen);

/* "server", "session", "level" -> the field's index; -1 for any other. */
int mcp_field_index(const char *name, size_t len);

/* The value a rule sees under name for ev: the capture of pat of that
 * name when it took part, else the record's field of that name, else
 * NULL. Borrowed from ev. */
const char *mcp_event_value(const struct mcp_event *ev,
                            const struct mcp_pattern *pat, const char *name,
                            size_t len);
void mcp_event_free(struct mcp_event *e);

void mcp_batch_init(struct mcp_batch *b);
void mcp_batch_push(struct mcp_batch *b, struct mcp_event *e);
/* Free the events and reset the batch (keeps its array). */
void mcp_batch_clear(struct mcp_batch *b);
void mcp_batch_free(struct mcp_batch *b);

#endif
