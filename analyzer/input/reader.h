/* reader.h - bytes from a log file, plain or gzip.
 *
 * The reader's files are the only ones that include <zlib.h> and ISA-L's
 * <isa-l/igzip_lib.h> (STYLE.md 5; reader_zlib.c, reader_isal.c). gzip is
 * inflated with ISA-L when the build has it (pkg-config libisal; make
 * ISAL=0 leaves it out), with zlib otherwise; damage is always described
 * as zlib describes it (reader.c). The format is decided by the magic
 * bytes 1f 8b, never by the file name. Multi-member gzip files (cat a.gz
 * b.gz) are read in full: at a member's end with input left, the decoder
 * is reset and decoding goes on.
 */
#ifndef MCP_READER_H
#define MCP_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct mcp_reader;

/* The inflate bound (gzip bombs). A gzip member whose inflated size is
 * over RATIO times the compressed bytes it has used, once past
 * MCP_INFLATE_FLOOR inflated, is damage: "<path>: inflate ratio over
 * RATIO:1 in the gzip member at offset <M>", M where the member starts.
 * Real logs compress about 10:1 (runaway loops of one line up to ~90:1);
 * one line repeated compresses 130-1030:1 (deflate's ceiling). */
#define MCP_INFLATE_DEFAULT 200u      /* the default RATIO */
#define MCP_INFLATE_NONE 0xffffffffu  /* no bound */
#define MCP_INFLATE_FLOOR (64u << 20) /* bytes a member may always inflate */

/* Open path for reading (O_CLOEXEC). Returns NULL with the cause in err
 * ("<path>: <strerror>"). A zero-length file opens fine and reads as empty. */
struct mcp_reader *mcp_reader_open(const char *path, char *err);

/* Read up to cap decoded bytes into buf. Returns the count, 0 at the end,
 * or -1 when the input is damaged (truncated or corrupt gzip, read error,
 * a member over the inflate bound).
 * On -1, err holds "<path>: <cause> at offset <N>" where N is the offset in
 * the file (compressed bytes) where the damage was found (for the inflate
 * bound, where the member starts); everything returned before stays
 * valid, and later calls return 0: the rest of the file is not read.
 * Trailing bytes after the last gzip member that are not another member
 * (zero padding, garbage) end the stream: a warning is recorded
 * (mcp_reader_warning) but it is not damage. */
ssize_t mcp_reader_read(struct mcp_reader *r, char *buf, size_t cap,
                        char *err);

/* Set the inflate bound of r: RATIO, 0 for MCP_INFLATE_DEFAULT (what a
 * reader starts with) or MCP_INFLATE_NONE. */
void mcp_reader_set_max_inflate(struct mcp_reader *r, unsigned ratio);

/* Decode r's gzip with zlib even when the build has ISA-L (tests and
 * benchmarks compare the two). Call before the first read. Returns 0, or
 * -1 with err when zlib cannot start. Nothing to do for a plain file. */
int mcp_reader_force_zlib(struct mcp_reader *r, char *err);

/* The gzip decoder of this build: "isa-l" or "zlib". */
const char *mcp_reader_inflater(void);

/* True when the file is gzip. */
bool mcp_reader_compressed(const struct mcp_reader *r);

/* Size of the file on disk at open (bytes). */
uint64_t mcp_reader_file_size(const struct mcp_reader *r);

/* A non-fatal note from the last read (e.g. "ignored 512 trailing bytes
 * after the last gzip member at offset 1234"), or NULL. Borrowed; valid
 * until the next call on r. */
const char *mcp_reader_warning(const struct mcp_reader *r);

/* Close and free. NULL is allowed; closing twice is not. */
void mcp_reader_close(struct mcp_reader *r);

#endif
