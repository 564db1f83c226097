/* litset.h - find many literal strings in one pass over a buffer.
 *
 * The matcher's prefilter: every rule literal of the input's role is
 * searched at once, reading each byte once, instead of one memmem pass per
 * literal. The method is Teddy's (Hyperscan, ripgrep): each literal is
 * represented by a 3-byte fingerprint taken where its bytes are rarest in
 * the data, the fingerprints are spread over 8 buckets, and a SIMD shuffle
 * on the low and high nibble of each byte tells, 32 (AVX2) or 16 (SSSE3)
 * positions at a time, which buckets may match there; only those positions
 * are compared with the literals. A portable scalar loop does the same
 * with byte tables where the CPU has neither (or off x86).
 *
 * Hits are exact: every occurrence of every literal is reported, whatever
 * the fingerprints; they only decide the speed.
 */
#ifndef MCP_LITSET_H
#define MCP_LITSET_H

#include <stdbool.h>
#include <stddef.h>

struct mcp_litset;

/* Called for each occurrence: pos is where literal number lit starts in
 * the buffer. Occurrences come in the order of their fingerprints: by
 * start within one literal, but not across literals of different
 * fingerprint offsets. */
typedef void (*mcp_litset_fn)(void *arg, size_t pos, unsigned lit);

/* Compile n literals (lit[i] of len[i] >= 1 bytes, copied; NULs allowed).
 * sample (may be NULL) is text like the text to be searched: fingerprints
 * are chosen where it holds them least. Returns NULL when n == 0. */
struct mcp_litset *mcp_litset_compile(const char *const *lit,
                                      const size_t *len, size_t n,
                                      const char *sample, size_t sample_len);

/* Report every occurrence of every literal in data[0..len) to fn. */
void mcp_litset_scan(const struct mcp_litset *s, const char *data,
                     size_t len, mcp_litset_fn fn, void *arg);

void mcp_litset_free(struct mcp_litset *s);

/* The search loops, for tests and benchmarks. mcp_litset_use() makes
 * every later scan use impl, and returns false (changing nothing) when
 * this CPU cannot run it. MCP_LITSET_AUTO: the best one (the default). */
enum mcp_litset_impl {
    MCP_LITSET_AUTO,
    MCP_LITSET_SCALAR,
    MCP_LITSET_SSSE3,
    MCP_LITSET_AVX2,
};
bool mcp_litset_use(enum mcp_litset_impl impl);

/* The loop in use: "avx2", "ssse3" or "scalar". */
const char *mcp_litset_impl_name(void);

#endif
