/* util.c - error buffers, allocation, durations, growable buffers. */
#include "base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void mcp_errf(char *err, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL || err[0] != '\0')
        return;
    va_start(ap, fmt);
    vsnprintf(err, MCP_ERRLEN, fmt, ap);
    va_end(ap);
}

void mcp_warnf(const char *fmt, ...)
{
    va_list ap;
    char msg[MCP_ERRLEN + 64];

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    /* One write per message so lines from threads do not interleave. */
    fprintf(stderr, "mcplog: %s\n", msg);
}

bool mcp_is_regular(const struct stat *st, const char *path, char *err)
{
    const char *kind = S_ISFIFO(st->st_mode)  ? "fifo"
                       : S_ISCHR(st->st_mode)  ? "character device"
                       : S_ISBLK(st->st_mode)  ? "block device"
                       : S_ISSOCK(st->st_mode) ? "socket"
                                               : "unknown type";

    if (S_ISREG(st->st_mode))
        return true;
    if (S_ISDIR(st->st_mode)) {
        mcp_errf(err, "%s: is a directory", path);
        errno = EISDIR;
    } else {
        mcp_errf(err, "%s: not a regular file (%s)", path, kind);
        errno = EINVAL;
    }
    return false;
}

int mcp_open_regular(const char *path, struct stat *st, char *err)
{
    struct stat tmp;
    int fd = -1, e;

    if (st == NULL)
        st = &tmp;
    /* The type first: a device is never opened (opening one can have
     * effects), a FIFO never waited on. */
    if (stat(path, st) != 0)
        goto bad;
    if (!mcp_is_regular(st, path, err))
        return -1;
    fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, st) != 0)
        goto bad;
    if (!mcp_is_regular(st, path, err)) { /* swapped in meanwhile */
        e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    (void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    return fd;
bad:
    e = errno;
    if (fd >= 0)
        close(fd);
    mcp_errf(err, "%s: %s", path, strerror(e));
    errno = e;
    return -1;
}

static void oom(size_t n)
{
    fprintf(stderr, "mcplog: out of memory (%zu bytes)\n", n);
    exit(2);
}

void *mcp_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);

    if (p == NULL)
        oom(n);
    return p;
}

void *mcp_calloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);

    if (p == NULL)
        oom(n * size);
    return p;
}

void *mcp_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);

    if (q == NULL)
        oom(n);
    return q;
}

char *mcp_strdup(const char *s)
{
    return mcp_strndup(s, strlen(s));
}

char *mcp_strndup(const char *s, size_t n)
{
    char *p = mcp_malloc(n + 1);

    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

int mcp_duration_parse(const char *s, int64_t *ms, char *err)
{
    const char *p = s;
    int64_t total = 0;
    int parts = 0;

    if (s == NULL || *s == '\0') {
        mcp_errf(err, "empty duration");
        return -1;
    }
    while (*p != '\0') {
        int64_t num = 0, frac = 0, fracdiv = 1, unit;
        int digits = 0;

        if (*p < '0' || *p > '9') {
            mcp_errf(err, "bad duration '%s': expected a number at '%s'",
                     s, p);
            return -1;
        }
        while (*p >= '0' && *p <= '9') {
            if (num > (INT64_MAX - 9) / 10) {
                mcp_errf(err, "bad duration '%s': too large", s);
                return -1;
            }
            num = num * 10 + (*p++ - '0');
            digits++;
        }
        if (*p == '.') {
            p++;
            if (*p < '0' || *p > '9') {
                mcp_errf(err, "bad duration '%s': digits expected after '.'",
                         s);
                return -1;
            }
            while (*p >= '0' && *p <= '9') {
                if (fracdiv < 1000000000) {
                    frac = frac * 10 + (*p - '0');
                    fracdiv *= 10;
                }
                p++;
            }
        }
        if (strncmp(p, "ms", 2) == 0) {
            unit = 1;
            p += 2;
        } else if (*p == 's') {
            unit = 1000;
            p++;
        } else if (*p == 'm') {
            unit = 60 * 1000;
            p++;
        } else if (*p == 'h') {
            unit = 3600 * 1000;
            p++;
        } else if (*p == 'd') {
            unit = 24 * 3600 * 1000LL;
            p++;
        } else if (*p == 'w') {
            unit = 7 * 24 * 3600 * 1000LL;
            p++;
        } else if (*p == '\0') {
            mcp_errf(err, "bad duration '%s': a unit is required "
                     "(ms, s, m, h, d, w)", s);
            return -1;
        } else {
            mcp_errf(err, "bad duration '%s': unknown unit at '%s' "
                     "(use ms, s, m, h, d, w)", s, p);
            return -1;
        }
        (void)digits;
        if (num > INT64_MAX / unit / 2) {
            mcp_errf(err, "bad duration '%s': too large", s);
            return -1;
        }
        total += num * unit + frac * unit / fracdiv;
        if (total < 0 || total > INT64_MAX / 4) {
            mcp_errf(err, "bad duration '%s': too large", s);
            return -1;
        }
        parts++;
    }
    *ms = total;
    return 0;
}

void mcp_duration_format(int64_t ms, char *buf, size_t len)
{
    static const struct {
        const char *u;
        int64_t ms;
    } units[] = {
        {"w", 7 * 24 * 3600 * 1000LL}, {"d", 24 * 3600 * 1000LL},
        {"h", 3600 * 1000LL},          {"m", 60 * 1000LL},
        {"s", 1000LL},
    };
    size_t off = 0;

    if (len == 0)
        return;
    buf[0] = '\0';
    if (ms < 0) {
        snprintf(buf, len, "-");
        off = 1;
        ms = -ms;
    }
    if (ms == 0) {
        snprintf(buf + off, len - off, "0s");
        return;
    }
    if (ms < 1000) {
        snprintf(buf + off, len - off, "%lldms", (long long)ms);
        return;
    }
    /* Sub-second remainder with larger units: show seconds with decimals. */
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (ms >= units[i].ms) {
            int64_t q = ms / units[i].ms;

            if (units[i].ms == 1000 && ms % 1000 != 0) {
                int64_t rem = ms % 1000;
                int w = 3;

                while (rem % 10 == 0) {
                    rem /= 10;
                    w--;
                }
                off += (size_t)snprintf(buf + off, off < len ? len - off : 0,
                                        "%lld.%0*llds", (long long)q, w,
                                        (long long)rem);
                return;
            }
            off += (size_t)snprintf(buf + off, off < len ? len - off : 0,
                                    "%lld%s", (long long)q, units[i].u);
            ms -= q * units[i].ms;
            if (off >= len)
                return;
        }
    }
    if (ms > 0)
        snprintf(buf + off, off < len ? len - off : 0, "%lldms",
                 (long long)ms);
}

void mcp_buf_init(struct mcp_buf *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void mcp_buf_free(struct mcp_buf *b)
{
    free(b->data);
    mcp_buf_init(b);
}

void mcp_buf_reset(struct mcp_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

static void buf_reserve(struct mcp_buf *b, size_t extra)
{
    size_t need = b->len + extra + 1;

    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    b->data = mcp_realloc(b->data, cap);
    b->cap = cap;
}

void mcp_buf_append(struct mcp_buf *b, const void *p, size_t n)
{
    buf_reserve(b, n);
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void mcp_buf_putc(struct mcp_buf *b, char c)
{
    mcp_buf_append(b, &c, 1);
}

void mcp_buf_puts(struct mcp_buf *b, const char *s)
{
    mcp_buf_append(b, s, strlen(s));
}

void mcp_buf_printf(struct mcp_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    /* Format into the free space first; grow and format again only when
     * it did not fit. */
    buf_reserve(b, 64);
    va_start(ap, fmt);
    n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->data[b->len] = '\0';
        return;
    }
    if ((size_t)n >= b->cap - b->len) {
        buf_reserve(b, (size_t)n);
        va_start(ap, fmt);
        vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
    }
    b->len += (size_t)n;
}

void mcp_buf_escape(struct mcp_buf *b, const char *s, size_t n)
{
    mcp_buf_putc(b, '=');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c <= ' ' || c >= 0x7f || c == '%')
            mcp_buf_printf(b, "%%%02X", c);
        else
            mcp_buf_putc(b, (char)c);
    }
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

char *mcp_unescape(const char *s, size_t n, size_t *outlen)
{
    char *out = mcp_malloc(n + 1), *o = out;
    size_t i = 0;

    if (n > 0 && s[0] == '=')
        i = 1;
    for (; i < n; i++) {
        if (s[i] == '%' && i + 2 < n &&
            hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            *o++ = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
            continue;
        }
        *o++ = s[i];
    }
    *o = '\0';
    if (outlen != NULL)
        *outlen = (size_t)(o - out);
    return out;
}

char *mcp_buf_steal(struct mcp_buf *b)
{
    char *p = b->data;

    if (p == NULL)
        p = mcp_strdup("");
    mcp_buf_init(b);
    return p;
}

/* --- clocks and sizes ----------------------------------------------------- */

int64_t mcp_mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t mcp_wall_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int mcp_size_parse(const char *s, uint64_t *bytes, char *err)
{
    static const struct {
        const char *name;
        uint64_t mult;
    } units[] = {
        {"b", 1},
        {"kb", 1000ULL}, {"mb", 1000000ULL}, {"gb", 1000000000ULL},
        {"tb", 1000000000000ULL},
        {"k", 1ULL << 10}, {"m", 1ULL << 20}, {"g", 1ULL << 30},
        {"t", 1ULL << 40},
        {"kib", 1ULL << 10}, {"mib", 1ULL << 20}, {"gib", 1ULL << 30},
        {"tib", 1ULL << 40},
    };
    const char *p = s;
    uint64_t num = 0, frac = 0, fracdiv = 1;
    int digits = 0;

    while (*p >= '0' && *p <= '9') {
        if (num > (UINT64_MAX - 9) / 10) {
            mcp_errf(err, "size '%s' is too large", s);
            return -1;
        }
        num = num * 10 + (uint64_t)(*p++ - '0');
        digits++;
    }
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') {
            if (fracdiv < 1000000000ULL) {
                frac = frac * 10 + (uint64_t)(*p - '0');
                fracdiv *= 10;
            }
            p++;
            digits++;
        }
    }
    if (digits == 0) {
        mcp_errf(err, "bad size '%s': expected a number such as 500MB, "
                 "1GiB or 512KiB", s);
        return -1;
    }
    if (*p == '\0') {
        /* As durations: "rss_warn: 500" was 500 bytes, not what anyone
         * meant. */
        mcp_errf(err, "bad size '%s': a unit is required, such as %sMB or "
                 "%sMiB (B, KB, MB, GB, TB, KiB, MiB, GiB or TiB)", s, s, s);
        return -1;
    }
    if (*p == ' ')
        p++;
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (strcasecmp(p, units[i].name) != 0)
            continue;
        if (num > UINT64_MAX / units[i].mult) {
            mcp_errf(err, "size '%s' is too large", s);
            return -1;
        }
        *bytes = num * units[i].mult +
                 (uint64_t)((long double)frac * units[i].mult / fracdiv);
        return 0;
    }
    mcp_errf(err, "bad size '%s': unknown unit '%s' (use B, KB, MB, GB, TB, "
             "KiB, MiB, GiB or TiB)", s, p);
    return -1;
}

char *mcp_size_format(uint64_t bytes, char *buf, size_t len)
{
    static const char *const unit[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = (double)bytes;
    int u = -1;

    if (bytes < 1024) {
        snprintf(buf, len, "%llu B", (unsigned long long)bytes);
        return buf;
    }
    while (v >= 1024 && u < 4) {
        v /= 1024;
        u++;
    }
    snprintf(buf, len, v < 10 ? "%.1f %s" : "%.0f %s", v, unit[u]);
    return buf;
}

/* Edit distance with adjacent transpositions, for "did you mean". */
static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), d[24][24];

    if (la >= 24 || lb >= 24)
        return 99;
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            size_t v = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);

            if (d[i - 1][j] + 1 < v)
                v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
                a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    }
    return d[la][lb];
}

const char *mcp_suggest(const char *key, const char *const *keys, size_t n)
{
    const char *best = NULL;
    size_t bd = 99;

    for (size_t i = 0; i < n; i++) {
        size_t d = distance(key, keys[i]);

        /* A cut-short key ("win" for "window") is a near miss too. */
        if (strlen(key) >= 3 && strncmp(key, keys[i], strlen(key)) == 0)
            d = 1;

        if (d < bd && d <= (strlen(keys[i]) <= 4 ? 1u : 2u)) {
            bd = d;
            best = keys[i];
        }
    }
    return best;
}
