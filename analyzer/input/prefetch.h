/* prefetch.h - read a family's files on a thread of their own.
 *
 * Decompression is the largest cost of a scan, and one log family (the
 * server log) usually holds almost all the bytes, so one thread per family
 * leaves a core idle. A prefetcher opens and decodes the family's files in
 * order on its own thread, a bounded ring of buffers ahead of the framer
 * and matcher, which then run on the family thread.
 */
#ifndef MCP_PREFETCH_H
#define MCP_PREFETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct mcp_prefetch;

/* Start decoding paths[0..n) (borrowed; they must outlive the
 * prefetcher), gzip under the inflate bound max_inflate (as
 * mcp_reader_set_max_inflate). Returns NULL with err when the thread
 * cannot start. */
struct mcp_prefetch *mcp_prefetch_start(const char *const *paths, size_t n,
                                        unsigned max_inflate, char *err);

/* Wait for the next file to be opened. Returns 0 when it is open (its
 * bytes follow through mcp_prefetch_read), -1 when it could not be opened
 * (err holds why; go on with the next), or 1 when there are no more. */
int mcp_prefetch_next(struct mcp_prefetch *pf, char *err);

/* Read callback for the framer (mcp_read_fn): decoded bytes of the current
 * file, 0 at its end, -1 once on damage (err), as mcp_reader_read. */
ssize_t mcp_prefetch_read(void *pf, char *buf, size_t cap, char *err);

/* About the current file: gzip or not, size on disk, and the reader's
 * non-fatal note (borrowed until the next mcp_prefetch_next), or NULL. */
bool mcp_prefetch_compressed(const struct mcp_prefetch *pf);
uint64_t mcp_prefetch_file_size(const struct mcp_prefetch *pf);
const char *mcp_prefetch_warning(const struct mcp_prefetch *pf);

/* Stop (the thread is told to finish early if needed), join, free. */
void mcp_prefetch_stop(struct mcp_prefetch *pf);

#endif
