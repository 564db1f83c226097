/* prefetch.h - read one log file ahead of the matchers.
 *
 * scan's work is split below the family (scanpool.h): a file is read
 * (plain or gzip) and framed into records in order, by one thread at a
 * time, and its chunks are copied out in groups (struct mcp_chunks) that
 * any thread can match. A chunk ends on a record boundary (framer.h) and
 * carries its first line number, offset and the time in force before it,
 * so it is matched exactly as the file's own thread would match it:
 * reading and framing stay sequential per file, matching does not.
 */
#ifndef MCP_PREFETCH_H
#define MCP_PREFETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "input/framer.h"

struct mcp_input;

/* A fill stops once it holds this much (a framer chunk is usually about
 * 256 KiB, so usually one chunk). */
#define MCP_CHUNKS_BYTES (128u * 1024)

/* Chunks of one file, copied out of the framer: what a worker matches. */
struct mcp_chunks {
    char *buf;                /* the chunks' bytes, back to back */
    size_t len, cap;
    struct mcp_chunk *chunk;  /* .data is NULL: chunk i starts at
                                 buf + at[i] (buf may move while filling) */
    size_t *at;
    size_t *evend;            /* the matcher's: events found up to the end
                                 of chunk i */
    size_t n, capn;
};

/* What a finished file tells about itself (for struct mcp_input). */
struct mcp_prefetch_end {
    bool compressed;
    uint64_t file_bytes, bytes, lines, long_lines;
    char *damage;              /* owned by the receiver, or NULL */
    char *note;                /* owned by the receiver, or NULL */
};

struct mcp_prefetch;

/* Open in's file (gzip under the inflate bound max_inflate, as
 * mcp_reader_set_max_inflate; lines cut at max_line, as
 * mcp_framer_create). A client's file (in->format not MCP_FMT_TEXT) is
 * read through its format stage (mcp_input_format): its chunks hold
 * record lines. NULL with err when it cannot be opened. */
struct mcp_prefetch *mcp_prefetch_open(const struct mcp_input *in,
                                       size_t max_line, unsigned max_inflate,
                                       char *err);

/* Fill cs (emptied first) with the next chunks, at least
 * MCP_CHUNKS_BYTES unless the file ends. Returns 1 when the file may go
 * on, 0 when it has ended (cs holds the last chunks, maybe none): then
 * *end is filled, and only mcp_prefetch_close remains to call. */
int mcp_prefetch_fill(struct mcp_prefetch *pf, struct mcp_chunks *cs,
                      struct mcp_prefetch_end *end);

/* Close and free (NULL is fine). */
void mcp_prefetch_close(struct mcp_prefetch *pf);

/* Free the buffers of cs (not the struct). */
void mcp_chunks_free(struct mcp_chunks *cs);

#endif
