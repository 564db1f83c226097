/* pattern.c - PCRE2 behind a small interface. The only file that includes
 * <pcre2.h> (STYLE.md 4).
 *
 * Why these options:
 * - PCRE2_UTF | PCRE2_MATCH_INVALID_UTF: log bytes are not guaranteed to be
 *   UTF-8. With MATCH_INVALID_UTF, PCRE2 (>= 10.34) treats invalid
 *   sequences as characters that match nothing, so both the interpreter and
 *   the JIT are safe on any subject (RELIABILITY.md 59). We never pass
 *   PCRE2_NO_UTF_CHECK.
 * - Limits: the match limit bounds the work per match (the JIT honours it),
 *   the depth and heap limits bound the interpreter. Hitting one is
 *   reported as -1 to the caller, which counts it per rule.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "match/pattern.h"

#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "match/prefilter.h"
#include "base/util.h"

#define MATCH_LIMIT 1000000u
#define DEPTH_LIMIT 10000u
#define HEAP_LIMIT_KIB 20000u
#define OVECTOR_PAIRS 32

struct mcp_pattern {
    pcre2_code *code;
    bool jit;
    int ncaps;
    char *cap_name[MCP_PATTERN_MAX_CAPS];
    int cap_group[MCP_PATTERN_MAX_CAPS];
    struct mcp_prefilter pf; /* literal prefilter (pf.n == 0: none) */
};

struct mcp_match {
    pcre2_match_data *md;
    pcre2_match_context *mc;
    pcre2_jit_stack *js;
    int rc; /* result of the last exec */
};

/* --- compile ------------------------------------------------------------ */

static void load_names(struct mcp_pattern *pat)
{
    uint32_t count = 0, entry = 0;
    PCRE2_SPTR table = NULL;

    pcre2_pattern_info(pat->code, PCRE2_INFO_NAMECOUNT, &count);
    if (count == 0)
        return;
    pcre2_pattern_info(pat->code, PCRE2_INFO_NAMEENTRYSIZE, &entry);
    pcre2_pattern_info(pat->code, PCRE2_INFO_NAMETABLE, &table);
    for (uint32_t i = 0; i < count && i < MCP_PATTERN_MAX_CAPS; i++) {
        const unsigned char *e = table + (size_t)i * entry;

        pat->cap_group[i] = (e[0] << 8) | e[1];
        pat->cap_name[i] = mcp_strdup((const char *)e + 2);
        pat->ncaps++;
    }
}

struct mcp_pattern *mcp_pattern_compile(const char *src, int flags,
                                        size_t *erroffset, char *err)
{
    uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
    int errcode = 0;
    PCRE2_SIZE off = 0;
    pcre2_code *code;
    struct mcp_pattern *pat;
    uint32_t namecount = 0;

    if (flags & MCP_PAT_MULTILINE)
        opts |= PCRE2_MULTILINE;
    if (flags & MCP_PAT_CASELESS)
        opts |= PCRE2_CASELESS;
    code = pcre2_compile((PCRE2_SPTR)src, PCRE2_ZERO_TERMINATED, opts,
                         &errcode, &off, NULL);
    if (code == NULL) {
        PCRE2_UCHAR msg[256];

        pcre2_get_error_message(errcode, msg, sizeof(msg));
        *erroffset = off;
        mcp_errf(err, "%s", (const char *)msg);
        return NULL;
    }
    pcre2_pattern_info(code, PCRE2_INFO_NAMECOUNT, &namecount);
    if (namecount > MCP_PATTERN_MAX_CAPS) {
        pcre2_code_free(code);
        *erroffset = 0;
        mcp_errf(err, "too many named groups (%u, at most %d)", namecount,
                 MCP_PATTERN_MAX_CAPS);
        return NULL;
    }
    pat = mcp_calloc(1, sizeof(*pat));
    pat->code = code;
    pat->jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
    load_names(pat);
    mcp_prefilter_derive(src, (flags & MCP_PAT_CASELESS) != 0, &pat->pf);
    return pat;
}

void mcp_pattern_free(struct mcp_pattern *p)
{
    if (p == NULL)
        return;
    pcre2_code_free(p->code);
    for (int i = 0; i < p->ncaps; i++)
        free(p->cap_name[i]);
    free(p);
}

bool mcp_pattern_matches_empty(const struct mcp_pattern *p)
{
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(p->code,
                                                                NULL);
    int rc = pcre2_match(p->code, (PCRE2_SPTR) "", 0, 0, 0, md, NULL);

    pcre2_match_data_free(md);
    return rc >= 0;
}

int mcp_pattern_ncaptures(const struct mcp_pattern *p)
{
    return p->ncaps;
}

const char *mcp_pattern_capture_name(const struct mcp_pattern *p, int i,
                                     int *group)
{
    if (i < 0 || i >= p->ncaps)
        return NULL;
    if (group != NULL)
        *group = p->cap_group[i];
    return p->cap_name[i];
}

const char *mcp_pattern_literal(const struct mcp_pattern *p, size_t *len)
{
    if (p->pf.n != 1 || p->pf.len[0] < 3) {
        *len = 0;
        return NULL;
    }
    *len = p->pf.len[0];
    return p->pf.lit[0];
}

const struct mcp_prefilter *mcp_pattern_prefilter(const struct mcp_pattern *p)
{
    return &p->pf;
}

bool mcp_pattern_jit(const struct mcp_pattern *p)
{
    return p->jit;
}

/* --- matching ----------------------------------------------------------- */

struct mcp_match *mcp_match_create(void)
{
    struct mcp_match *m = mcp_calloc(1, sizeof(*m));

    m->md = pcre2_match_data_create(OVECTOR_PAIRS, NULL);
    m->mc = pcre2_match_context_create(NULL);
    if (m->md == NULL || m->mc == NULL) {
        mcp_warnf("out of memory creating PCRE2 match data");
        exit(2);
    }
    pcre2_set_match_limit(m->mc, MATCH_LIMIT);
    pcre2_set_depth_limit(m->mc, DEPTH_LIMIT);
    pcre2_set_heap_limit(m->mc, HEAP_LIMIT_KIB);
    /* Each thread has its own JIT stack; 1 MiB is ample for log rules. */
    m->js = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, NULL);
    if (m->js != NULL)
        pcre2_jit_stack_assign(m->mc, NULL, m->js);
    return m;
}

void mcp_match_destroy(struct mcp_match *m)
{
    if (m == NULL)
        return;
    pcre2_match_data_free(m->md);
    pcre2_match_context_free(m->mc);
    if (m->js != NULL)
        pcre2_jit_stack_free(m->js);
    free(m);
}

int mcp_pattern_exec(const struct mcp_pattern *p, struct mcp_match *m,
                     const char *subject, size_t len, size_t start)
{
    int rc = pcre2_match(p->code, (PCRE2_SPTR)subject, len, start, 0, m->md,
                         m->mc);

    m->rc = rc;
    if (rc >= 0)
        return 1; /* rc == 0: matched, ovector too small for all groups */
    if (rc == PCRE2_ERROR_NOMATCH || rc == PCRE2_ERROR_PARTIAL)
        return 0;
    return -1; /* match/depth/heap limit, JIT stack, or other error */
}

int mcp_match_group(const struct mcp_match *m, int n, size_t *so, size_t *eo)
{
    PCRE2_SIZE *ov;
    uint32_t pairs;

    if (m->rc < 0 || n < 0)
        return 0;
    pairs = m->rc == 0 ? pcre2_get_ovector_count(m->md) : (uint32_t)m->rc;
    if ((uint32_t)n >= pairs)
        return 0;
    ov = pcre2_get_ovector_pointer(m->md);
    if (ov[2 * n] == PCRE2_UNSET)
        return 0;
    *so = ov[2 * n];
    *eo = ov[2 * n + 1];
    return 1;
}
