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
 * - With MCP_FRAMER_FOLLOW (tailing a live file) a read returning 0 means
 *   "no more bytes for now": mcp_framer_next() hands out the complete lines
 *   it holds, or returns 0 and keeps the partial last line, and reads again
 *   on the next call. A partial line is only ever completed by
 *   mcp_framer_finish() or a read error. Likewise a cut line goes out only
 *   once its real '\n' has been read (or at finish); until then just its
 *   first max_line bytes are held, so memory stays bounded however many
 *   reads the line spans. FOLLOW turns off the RECORDS hold-back
 *   (latency over whole records): with both flags, chunks end at the last
 *   complete line held, as without RECORDS.
 * - The buffer is allocated once at create: max_line + 256 KiB + 1 bytes.
 */
#ifndef MCP_FRAMER_H
#define MCP_FRAMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Read callback: like mcp_reader_read(). Returns bytes, 0 at the end (with
 * MCP_FRAMER_FOLLOW: no bytes for now), or -1 with the cause in err. */
typedef ssize_t (*mcp_read_fn)(void *arg, char *buf, size_t cap, char *err);

#define MCP_FRAMER_RECORDS 0x1
#define MCP_FRAMER_FOLLOW  0x2

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
 * kept whole (MCP_MAX_LINE_DEFAULT when 0). flags: MCP_FRAMER_RECORDS,
 * MCP_FRAMER_FOLLOW. The framer does not own arg; the stream starts at
 * offset 0, line 1, with no time in force (see mcp_framer_set_origin()). */
struct mcp_framer *mcp_framer_create(size_t max_line, int flags,
                                     mcp_read_fn fn, void *arg);

/* Set where the stream starts, before the first read (the caller has put
 * the source at offset, e.g. a checkpoint or the end of a file): chunks
 * report offsets from offset, lines numbered from first_line (1-based),
 * and carry_ts (or MCP_TIME_NONE) is the time in force before the first
 * byte. Calling it once reading has started is a programming error
 * (assert); after mcp_framer_reset() it may be called again. */
void mcp_framer_set_origin(struct mcp_framer *f, uint64_t offset,
                           uint64_t first_line, int64_t carry_ts);

/* Next chunk. Returns 1 with *c filled, 0 at the end, or -1 once when the
 * read callback failed: the framer first returns every byte it holds as
 * chunks (the partial last line completed), then -1 with err, then 0.
 * FOLLOW: 0 also means "no complete line yet"; the partial line is kept,
 * and the next call reads again. The end is then only mcp_framer_finish()
 * or a read error. */
int mcp_framer_next(struct mcp_framer *f, struct mcp_chunk *c, char *err);

/* The input has really ended (e.g. a rotated file closed after its grace
 * period). The read callback is not called again: the following
 * mcp_framer_next() calls return what is held, the partial last line
 * completed with a supplied '\n' (counted as a line), then 0. Call it
 * after mcp_framer_next() returned 0, or bytes not read yet are lost. Does
 * nothing after the end or a read error. Any mode. */
void mcp_framer_finish(struct mcp_framer *f);

/* Drop everything held and restart at offset with line first_line and no
 * time in force, as if just created there (e.g. truncation was detected
 * and the caller rewound the source to 0). Clears the end, a pending read
 * error and finish(). Stats keep counting. */
void mcp_framer_reset(struct mcp_framer *f, uint64_t offset,
                      uint64_t first_line);

/* Stream offset just past the last line handed out: origin + bytes of all
 * chunks so far, with the discarded bytes of cut lines, without a supplied
 * '\n'. With FOLLOW it stays on a line boundary (a cut line goes out only
 * after its '\n') until finish() or a read error completes a partial line:
 * the offset to checkpoint, never repeating or losing a line on resume.
 * Without FOLLOW it counts a cut line's discarded bytes as they are read. */
uint64_t mcp_framer_consumed(const struct mcp_framer *f);

/* Number of the next line to be handed out; with FOLLOW, of the line at
 * consumed(): set_origin(consumed, next_line, time in force) resumes, the
 * time in force being the last chunk's last_ts, else its carry_ts. */
uint64_t mcp_framer_next_line(const struct mcp_framer *f);

/* Whether the bytes read so far end inside a line: a partial line is held
 * (FOLLOW: waiting for its '\n'), or the rest of a cut line is being
 * discarded. False once finish() or a read error has completed it. */
bool mcp_framer_pending(const struct mcp_framer *f);

void mcp_framer_stats(const struct mcp_framer *f, struct mcp_framer_stats *s);

/* Free f (NULL is fine). The read callback's arg is the caller's. */
void mcp_framer_destroy(struct mcp_framer *f);

/* Give the buffer's pages past the bytes held back to the kernel (they
 * come back zeroed on the next read). Between calls to next(): follow
 * trims idle tails once a second, so rotated files in their grace period
 * cost no memory. */
void mcp_framer_trim(struct mcp_framer *f);

/* Number of '\n' bytes in p[0..n), 32 bytes at a time with AVX2 when
 * the CPU has it (a word at a time otherwise). p is only read. */
uint64_t mcp_line_count(const char *p, size_t n);

/* One line of a chunk: its text without the '\n' (and a '\r' before it),
 * its number and its decoded offset. */
struct mcp_line {
    const char *text;    /* into the chunk's data; NULL: before the first */
    size_t len;
    uint64_t lineno;
    uint64_t offset;
};

/* Walk the lines of c: start with l zeroed; each call moves l to the next
 * line and returns true, or returns false after the last one. The lines
 * are the framer's: what a caller shows next to the matcher's events
 * (follow --all) is never framed a second time. */
bool mcp_chunk_line(const struct mcp_chunk *c, struct mcp_line *l);

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
