/* util.h - error buffers, allocation, durations and small string helpers.
 *
 * Error policy (STYLE.md 10-11): functions return 0 / -1 (or a count) and
 * fill a caller-supplied `char err[MCP_ERRLEN]`. The first error written
 * wins: mcp_errf() does nothing when err[0] is already set, so a low-level
 * cause is never overwritten by a vaguer message from a caller.
 */
#ifndef MCP_UTIL_H
#define MCP_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MCP_ERRLEN 1024

/* Sentinel for "no timestamp known". */
#define MCP_TIME_NONE INT64_MIN

/* Write a formatted message into err (MCP_ERRLEN bytes) unless err already
 * holds one. err may be NULL, in which case nothing is written. */
void mcp_errf(char *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Print "mcplog: <message>\n" to stderr. The message is printed as given:
 * callers must sanitize anything that came from a log (mcp_sanitize_term). */
void mcp_warnf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Allocation that never returns NULL: on failure prints a message and
 * exits with status 2. */
void *mcp_malloc(size_t n);
void *mcp_calloc(size_t n, size_t size);
void *mcp_realloc(void *p, size_t n);
char *mcp_strdup(const char *s);
char *mcp_strndup(const char *s, size_t n);

/* Parse a duration such as "30s", "1h", "1h30m", "500ms", "7d", "2w" into
 * milliseconds. A bare number is rejected (a unit is required). Returns 0
 * and sets *ms, or -1 with a description of the problem in err. */
int mcp_duration_parse(const char *s, int64_t *ms, char *err);

/* Render a duration in milliseconds as the shortest exact text, e.g.
 * 3600000 -> "1h", 90000 -> "1m30s", 1500 -> "1.5s". buf must hold 32 bytes. */
void mcp_duration_format(int64_t ms, char *buf, size_t len);

/* Milliseconds of CLOCK_MONOTONIC and of the wall clock (CLOCK_REALTIME). */
int64_t mcp_mono_ms(void);
int64_t mcp_wall_ms(void);

/* Parse a size: a number with an optional fraction and a unit B, KB, MB,
 * GB, TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024), K/M/G
 * alone meaning KiB/MiB/GiB; case-insensitive, a space before the unit
 * allowed. A unit is required, as for durations: a bare number is an
 * error that suggests NMB or NMiB. Returns 0 and sets *bytes, or -1 with
 * the cause in err. */
int mcp_size_parse(const char *s, uint64_t *bytes, char *err);

/* Render bytes for people: "512 B", "1.5 KiB", "612 MiB", "1.0 GiB".
 * buf should hold 32 bytes. Returns buf. */
char *mcp_size_format(uint64_t bytes, char *buf, size_t len);

/* "Did you mean": the word of words[0..n) nearest to key (edit distance
 * with transpositions, at most 1 for words of 4 letters or fewer, else
 * 2; a cut-short key of 3 letters or more counts as 1), or NULL when none
 * is near. One function for every suggestion: YAML keys, commands,
 * options, rule and sink names. The result is one of words (borrowed). */
const char *mcp_suggest(const char *key, const char *const *words, size_t n);

struct stat;

/* Whether st describes a regular file. If not, err (may be NULL) says
 * what it is instead, "PATH: is a directory" or "PATH: not a regular
 * file (fifo)" (character device, block device, socket), and errno is
 * EISDIR for a directory, EINVAL for another type. */
bool mcp_is_regular(const struct stat *st, const char *path, char *err);

/* Open path read-only if it is a regular file, without ever waiting on
 * it: stat, then open O_NONBLOCK|O_NOCTTY|O_CLOEXEC (a FIFO or a device
 * swapped in meanwhile cannot block), fstat again, then back to blocking
 * mode. Returns the descriptor (st filled when not NULL), or -1 with err
 * and errno: the system's (ENOENT when nothing is there, EACCES), or as
 * mcp_is_regular() sets it. */
int mcp_open_regular(const char *path, struct stat *st, char *err);

/* A growable byte buffer. `data` is always NUL-terminated (the NUL is not
 * counted in len), so it can be handed to printf-style code when the content
 * is known to hold no NUL. */
struct mcp_buf {
    char *data;
    size_t len;
    size_t cap;
};

void mcp_buf_init(struct mcp_buf *b);
void mcp_buf_free(struct mcp_buf *b);
void mcp_buf_reset(struct mcp_buf *b);
void mcp_buf_append(struct mcp_buf *b, const void *p, size_t n);
void mcp_buf_putc(struct mcp_buf *b, char c);
void mcp_buf_puts(struct mcp_buf *b, const char *s);
void mcp_buf_printf(struct mcp_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Append s[0..n) as one space-free token: "=" then the bytes, with
 * anything outside '!'..'~' and '%' written as %XX. "=" alone is the
 * empty string. mcp_unescape reverses it (a missing "=" is tolerated). */
void mcp_buf_escape(struct mcp_buf *b, const char *s, size_t n);
char *mcp_unescape(const char *s, size_t n, size_t *outlen);

/* Take ownership of the data (the buffer is left empty). */
char *mcp_buf_steal(struct mcp_buf *b);

/* FNV-1a (64 bit): the hash of fingerprints, checkpoints, rule states,
 * plan ids and the string tables. Start with MCP_FNV1A_INIT, and pass the
 * result back in as h to hash more bytes after p[0..n). */
#define MCP_FNV1A_INIT 1469598103934665603ULL
static inline uint64_t mcp_fnv1a(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;

    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ULL;
    return h;
}

#endif
