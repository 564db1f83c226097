/* litset.c - many literals in one pass (spec: litset.h).
 *
 * Compile:
 *  1. W = min(3, shortest literal). Each literal gets a fingerprint: the
 *     W bytes at the offset where that W-gram is rarest in the sample
 *     (counted in a small hashed table), so " - WARNING - " is looked for
 *     by "WAR", not by " - ", which is in every log line.
 *  2. Literals with the same fingerprint share a bucket; while there are
 *     more than 8 buckets, the two whose union accepts the fewest byte
 *     triples are merged.
 *  3. For fingerprint position j (0..2) two 16-entry tables give, for the
 *     low and the high nibble of a byte, the buckets that allow that
 *     nibble there; a byte b allows lo[j][b & 15] & hi[j][b >> 4]. With
 *     W < 3 the positions past W allow every byte.
 * Scan: at position i the buckets that may match are the AND over j of
 * what data[i + j] allows (pshufb does 16 or 32 lookups at once); a bucket
 * bit left over means: compare its literals, each at i - its offset.
 */
#include "match/litset.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define LITSET_X86 1
#endif

#include "base/util.h"

#define NBUCKET 8
#define SAMPLE_MAX (64 * 1024)
#define HBITS 12

struct lit {
    char *s;
    size_t len;
    size_t off;             /* fingerprint offset */
};

struct mcp_litset {
    struct lit *lit;
    size_t n;
    size_t w;               /* fingerprint width, 1..3 */
    uint8_t lo[3][16], hi[3][16];
    uint8_t tab[3][256];    /* lo & hi per byte, for the scalar loop */
    unsigned *bucket[NBUCKET]; /* literal numbers */
    size_t nbucket[NBUCKET];
};

/* --- compile ------------------------------------------------------------ */

static unsigned gram_hash(const unsigned char *p, size_t w)
{
    uint32_t v = p[0];

    for (size_t j = 1; j < w; j++)
        v = v << 8 | p[j];
    return (v * 2654435761u) >> (32 - HBITS);
}

/* Rough rarity of a byte in log text when there is no sample: letters,
 * digits, blanks and the separators of a log line are common. */
static unsigned static_rank(unsigned char c)
{
    if (c == ' ' || c == '-' || c == ':' || c == ',' || c == '.' ||
        (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'))
        return 4;
    if (c >= 'A' && c <= 'Z')
        return 2;
    return 1;
}

static void choose_offsets(struct mcp_litset *s, const char *sample,
                           size_t sample_len)
{
    uint16_t *cnt = mcp_calloc((size_t)1 << HBITS, sizeof(*cnt));
    const unsigned char *sp = (const unsigned char *)sample;

    if (sample_len > SAMPLE_MAX)
        sample_len = SAMPLE_MAX;
    for (size_t i = 0; sample != NULL && i + s->w <= sample_len; i++) {
        unsigned h = gram_hash(sp + i, s->w);

        if (cnt[h] < UINT16_MAX)
            cnt[h]++;
    }
    for (size_t k = 0; k < s->n; k++) {
        struct lit *l = &s->lit[k];
        uint64_t best = UINT64_MAX;

        for (size_t o = 0; o + s->w <= l->len; o++) {
            const unsigned char *p = (const unsigned char *)l->s + o;
            uint64_t score = (uint64_t)cnt[gram_hash(p, s->w)] << 16;

            for (size_t j = 0; j < s->w; j++)
                score += static_rank(p[j]);
            if (score < best) {
                best = score;
                l->off = o;
            }
        }
    }
    free(cnt);
}

/* Nibble masks of a group of literals: bit x of lo[j] / hi[j] set when
 * some member has low / high nibble x at fingerprint position j. */
struct group {
    uint16_t lo[3], hi[3];
    unsigned *lits;
    size_t n;
};

static uint64_t group_cost(const uint16_t *lo, const uint16_t *hi, size_t w)
{
    uint64_t c = 1;

    for (size_t j = 0; j < w; j++)
        c *= (uint64_t)__builtin_popcount(lo[j]) *
             (uint64_t)__builtin_popcount(hi[j]);
    return c;
}

static uint64_t merged_cost(const struct group *a, const struct group *b,
                            size_t w)
{
    uint16_t lo[3], hi[3];

    for (size_t j = 0; j < w; j++) {
        lo[j] = a->lo[j] | b->lo[j];
        hi[j] = a->hi[j] | b->hi[j];
    }
    return group_cost(lo, hi, w) - group_cost(a->lo, a->hi, w) -
           group_cost(b->lo, b->hi, w);
}

static const unsigned char *fp_of(const struct mcp_litset *s, unsigned k)
{
    return (const unsigned char *)s->lit[k].s + s->lit[k].off;
}

static void make_buckets(struct mcp_litset *s)
{
    struct group *g = mcp_calloc(s->n, sizeof(*g));
    size_t ng = 0;

    for (unsigned k = 0; k < s->n; k++) {
        size_t i;

        for (i = 0; i < ng; i++)
            if (memcmp(fp_of(s, g[i].lits[0]), fp_of(s, k), s->w) == 0)
                break;
        if (i == ng) {
            ng++;
            for (size_t j = 0; j < s->w; j++) {
                g[i].lo[j] = (uint16_t)(1u << (fp_of(s, k)[j] & 15));
                g[i].hi[j] = (uint16_t)(1u << (fp_of(s, k)[j] >> 4));
            }
        }
        g[i].lits = mcp_realloc(g[i].lits, (g[i].n + 1) * sizeof(unsigned));
        g[i].lits[g[i].n++] = k;
    }
    while (ng > NBUCKET) {
        size_t ba = 0, bb = 1;
        uint64_t best = UINT64_MAX;

        for (size_t a = 0; a < ng; a++)
            for (size_t b = a + 1; b < ng; b++) {
                uint64_t c = merged_cost(&g[a], &g[b], s->w);

                if (c < best) {
                    best = c;
                    ba = a;
                    bb = b;
                }
            }
        for (size_t j = 0; j < s->w; j++) {
            g[ba].lo[j] |= g[bb].lo[j];
            g[ba].hi[j] |= g[bb].hi[j];
        }
        g[ba].lits = mcp_realloc(g[ba].lits,
                                 (g[ba].n + g[bb].n) * sizeof(unsigned));
        memcpy(g[ba].lits + g[ba].n, g[bb].lits, g[bb].n * sizeof(unsigned));
        g[ba].n += g[bb].n;
        free(g[bb].lits);
        g[bb] = g[--ng];
    }
    for (size_t b = 0; b < ng; b++) {
        for (size_t j = 0; j < 3; j++)
            for (unsigned x = 0; x < 16; x++) {
                if (j >= s->w || (g[b].lo[j] >> x & 1))
                    s->lo[j][x] |= (uint8_t)(1u << b);
                if (j >= s->w || (g[b].hi[j] >> x & 1))
                    s->hi[j][x] |= (uint8_t)(1u << b);
            }
        s->bucket[b] = g[b].lits;
        s->nbucket[b] = g[b].n;
    }
    for (size_t j = 0; j < 3; j++)
        for (unsigned c = 0; c < 256; c++)
            s->tab[j][c] = s->lo[j][c & 15] & s->hi[j][c >> 4];
    free(g);
}

struct mcp_litset *mcp_litset_compile(const char *const *lit,
                                      const size_t *len, size_t n,
                                      const char *sample, size_t sample_len)
{
    struct mcp_litset *s;

    if (n == 0)
        return NULL;
    s = mcp_calloc(1, sizeof(*s));
    s->lit = mcp_calloc(n, sizeof(*s->lit));
    s->n = n;
    s->w = 3;
    for (size_t k = 0; k < n; k++) {
        s->lit[k].s = mcp_calloc(1, len[k] ? len[k] : 1);
        memcpy(s->lit[k].s, lit[k], len[k]);
        s->lit[k].len = len[k];
        if (len[k] < s->w)
            s->w = len[k];
    }
    if (s->w == 0)
        s->w = 1; /* an empty literal is never reported */
    choose_offsets(s, sample, sample_len);
    make_buckets(s);
    return s;
}

void mcp_litset_free(struct mcp_litset *s)
{
    if (s == NULL)
        return;
    for (size_t k = 0; k < s->n; k++)
        free(s->lit[k].s);
    for (size_t b = 0; b < NBUCKET; b++)
        free(s->bucket[b]);
    free(s->lit);
    free(s);
}

/* --- scan --------------------------------------------------------------- */

/* Position i may hold the fingerprints of the buckets in bits: compare. */
static void confirm(const struct mcp_litset *s, const char *data, size_t len,
                    size_t i, unsigned bits, mcp_litset_fn fn, void *arg)
{
    while (bits != 0) {
        unsigned b = (unsigned)__builtin_ctz(bits);

        bits &= bits - 1;
        for (size_t t = 0; t < s->nbucket[b]; t++) {
            unsigned k = s->bucket[b][t];
            const struct lit *l = &s->lit[k];

            if (i >= l->off && l->len > 0 && i - l->off + l->len <= len &&
                memcmp(data + i - l->off, l->s, l->len) == 0)
                fn(arg, i - l->off, k);
        }
    }
}

/* Positions [from, len - w] one byte at a time. */
static void scan_scalar(const struct mcp_litset *s, const char *data,
                        size_t len, size_t from, mcp_litset_fn fn, void *arg)
{
    const unsigned char *p = (const unsigned char *)data;

    if (len < s->w)
        return;
    for (size_t i = from; i + s->w <= len; i++) {
        unsigned bits = s->tab[0][p[i]];

        if (bits != 0 && s->w > 1)
            bits &= s->tab[1][p[i + 1]];
        if (bits != 0 && s->w > 2)
            bits &= s->tab[2][p[i + 2]];
        if (bits != 0)
            confirm(s, data, len, i, bits, fn, arg);
    }
}

#ifdef LITSET_X86
/* Positions i + k for each bit k of hit, with their buckets in b[k]. */
static void confirm_mask(const struct mcp_litset *s, const char *data,
                         size_t len, size_t i, uint32_t hit, const uint8_t *b,
                         mcp_litset_fn fn, void *arg)
{
    while (hit != 0) {
        unsigned k = (unsigned)__builtin_ctz(hit);

        hit &= hit - 1;
        confirm(s, data, len, i + k, b[k], fn, arg);
    }
}

__attribute__((target("ssse3"))) static void
scan_ssse3(const struct mcp_litset *s, const char *data, size_t len,
           mcp_litset_fn fn, void *arg)
{
    const __m128i nib = _mm_set1_epi8(0x0f), zero = _mm_setzero_si128();
    __m128i lo[3], hi[3];
    size_t i = 0;

    for (int j = 0; j < 3; j++) {
        lo[j] = _mm_loadu_si128((const __m128i *)s->lo[j]);
        hi[j] = _mm_loadu_si128((const __m128i *)s->hi[j]);
    }
    for (; i + 16 + 2 <= len; i += 16) {
        __m128i m = _mm_set1_epi8(-1);

        for (int j = 0; j < 3; j++) {
            __m128i x = _mm_loadu_si128((const __m128i *)(data + i + j));
            __m128i l = _mm_and_si128(x, nib);
            __m128i h = _mm_and_si128(_mm_srli_epi16(x, 4), nib);

            m = _mm_and_si128(m, _mm_and_si128(_mm_shuffle_epi8(lo[j], l),
                                               _mm_shuffle_epi8(hi[j], h)));
        }
        uint32_t hit = ~(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(m, zero)) &
                       0xffffu;

        if (hit != 0) {
            uint8_t b[16];

            _mm_storeu_si128((__m128i *)b, m);
            confirm_mask(s, data, len, i, hit, b, fn, arg);
        }
    }
    scan_scalar(s, data, len, i, fn, arg);
}

__attribute__((target("avx2"))) static void
scan_avx2(const struct mcp_litset *s, const char *data, size_t len,
          mcp_litset_fn fn, void *arg)
{
    const __m256i nib = _mm256_set1_epi8(0x0f), zero = _mm256_setzero_si256();
    __m256i lo[3], hi[3];
    size_t i = 0;

    for (int j = 0; j < 3; j++) {
        lo[j] = _mm256_broadcastsi128_si256(
            _mm_loadu_si128((const __m128i *)s->lo[j]));
        hi[j] = _mm256_broadcastsi128_si256(
            _mm_loadu_si128((const __m128i *)s->hi[j]));
    }
    for (; i + 32 + 2 <= len; i += 32) {
        __m256i m = _mm256_set1_epi8(-1);

        for (int j = 0; j < 3; j++) {
            __m256i x = _mm256_loadu_si256((const __m256i *)(data + i + j));
            __m256i l = _mm256_and_si256(x, nib);
            __m256i h = _mm256_and_si256(_mm256_srli_epi16(x, 4), nib);

            m = _mm256_and_si256(
                m, _mm256_and_si256(_mm256_shuffle_epi8(lo[j], l),
                                    _mm256_shuffle_epi8(hi[j], h)));
        }
        uint32_t hit =
            ~(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(m, zero));

        if (hit != 0) {
            uint8_t b[32];

            _mm256_storeu_si256((__m256i *)b, m);
            confirm_mask(s, data, len, i, hit, b, fn, arg);
        }
    }
    scan_scalar(s, data, len, i, fn, arg);
}
#endif

static int chosen = -1; /* enum mcp_litset_impl, -1: not decided */

static bool supported(enum mcp_litset_impl impl)
{
#ifdef LITSET_X86
    if (impl == MCP_LITSET_AVX2)
        return __builtin_cpu_supports("avx2");
    if (impl == MCP_LITSET_SSSE3)
        return __builtin_cpu_supports("ssse3");
#endif
    return impl == MCP_LITSET_SCALAR;
}

static enum mcp_litset_impl current(void)
{
    int c = __atomic_load_n(&chosen, __ATOMIC_RELAXED);

    if (c < 0) {
        c = supported(MCP_LITSET_AVX2)    ? MCP_LITSET_AVX2
            : supported(MCP_LITSET_SSSE3) ? MCP_LITSET_SSSE3
                                          : MCP_LITSET_SCALAR;
        __atomic_store_n(&chosen, c, __ATOMIC_RELAXED);
    }
    return (enum mcp_litset_impl)c;
}

bool mcp_litset_use(enum mcp_litset_impl impl)
{
    if (impl == MCP_LITSET_AUTO) {
        __atomic_store_n(&chosen, -1, __ATOMIC_RELAXED);
        return true;
    }
    if (!supported(impl))
        return false;
    __atomic_store_n(&chosen, (int)impl, __ATOMIC_RELAXED);
    return true;
}

const char *mcp_litset_impl_name(void)
{
    switch (current()) {
    case MCP_LITSET_AVX2:
        return "avx2";
    case MCP_LITSET_SSSE3:
        return "ssse3";
    default:
        return "scalar";
    }
}

void mcp_litset_scan(const struct mcp_litset *s, const char *data,
                     size_t len, mcp_litset_fn fn, void *arg)
{
    if (s == NULL)
        return;
#ifdef LITSET_X86
    switch (current()) {
    case MCP_LITSET_AVX2:
        scan_avx2(s, data, len, fn, arg);
        return;
    case MCP_LITSET_SSSE3:
        scan_ssse3(s, data, len, fn, arg);
        return;
    default:
        break;
    }
#endif
    scan_scalar(s, data, len, 0, fn, arg);
}
