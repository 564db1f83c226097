/* framer.h - split decoded bytes into lines and records.
 *
 * The framer pulls bytes through a read callback into one buffer and hands
 * out chunks: runs of complete lines, each ending in '\n', so that the
 * matcher can search a whole chunk at once instead of line by line.
 *
 * - A line is everything up to a '\n' byte. NUL bytes and invalid UTF-8 are
 *   kept as they are (lines are length-delimited, never C strings). A '\r'
 *   before the '\n' stays in the data; mcp_line_trim() drops it.
 * - A line longer than max_line keeps its first max_line bytes, then the
 *   framer writes '\n' and discards the rest up to the real '\n'. Such a
 *   line is counted in long_lines and is always the last line of its chunk,
 *   so offsets inside a chunk are exact (chunk->offset + position).
 * - A missing final newline is supplied at the end of input.
 * - With MCP_FRAMER_RECORDS the framer ends a chunk before the last line
 *   that starts with a timestamp when more input may follow, so that a
 *   record (a timestamped line and its continuation lines, e.g. a
 *   traceback) is never split across chunks unless it is bigger than the
 *   buffer.
 */
#ifndef MCP_FRAMER_H
#define MCP_FRAMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Read callback: like mcp_reader_read(). Returns bytes, 0 at the end, or -1
 * with the cause in err. */
typedef ssize_t (*mcp_read_fn)(void *arg, char *buf, size_t cap, char *err);

#define MCP_FRAMER_RECORDS 0x1

#define MCP_MAX_LINE_DEFAULT (1024 * 1024)

struct mcp_chunk {
    const char *data;    /* complete lines, each ending in '\n'; borrowed
                            until the next mcp_framer_next() */
    size_t len;
    uint64_t offset;     /* decoded-stream offset of data[0] */
    uint64_t first_line; /* 1-based number of the line at data[0] */
    uint64_t lines;      /* lines in this chunk */
    int64_t carry_ts;    /* timestamp of the last line with its own
                            timestamp before data[0], or MCP_TIME_NONE */
    int64_t first_ts;    /* first own timestamp in the chunk, or NONE */
    int64_t last_ts;     /* last own timestamp in the chunk, or NONE */
    uint64_t long_lines; /* lines in this chunk cut to max_line */
};

struct mcp_framer_stats {
    uint64_t bytes;      /* decoded bytes read */
    uint64_t lines;
    uint64_t long_lines;
};

struct mcp_framer;

/* Create a framer reading through fn(arg). max_line is the longest line
 * kept whole (MCP_MAX_LINE_DEFAULT when 0). flags: MCP_FRAMER_RECORDS. */
struct mcp_framer *mcp_framer_create(size_t max_line, int flags,
                                     mcp_read_fn fn, void *arg);

/* Next chunk. Returns 1 with *c filled, 0 at the end, or -1 once when the
 * read callback failed: the framer first returns every byte it holds as
 * chunks (the partial last line completed), then -1 with err, then 0. */
int mcp_framer_next(struct mcp_framer *f, struct mcp_chunk *c, char *err);

void mcp_framer_stats(const struct mcp_framer *f, struct mcp_framer_stats *s);

void mcp_framer_destroy(struct mcp_framer *f);

/* Length of the line starting at p, without its '\n' and a '\r' before it.
 * end is one past the chunk's last byte. */
static inline size_t mcp_line_trim(const char *p, const char *end)
{
    const char *nl = p;
    while (nl < end && *nl != '\n')
        nl++;
    if (nl > p && nl[-1] == '\r')
        nl--;
    return (size_t)(nl - p);
}

#endif
