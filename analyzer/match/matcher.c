/* matcher.c - whole-chunk searches, per-line verification, events.
 *
 * For each chunk:
 *  1. every active search ("probe": one distinct pattern text and the
 *     rules that use it) finds candidate lines: the lines holding one of
 *     its literals (one pass finds the literals of every probe: litsel.c),
 *     or a multi-line PCRE2 search. A candidate line is verified by
 *     matching the pattern against that line alone (the rule's own
 *     compiled pattern), so ^, $ and \s behave exactly as on a single line.
 *  2. every verified line becomes one event per rule using the probe
 *     (after that rule's exclude pattern), with its captures, a copy of the
 *     line and, for alerting rules, the record's continuation lines.
 *  3. events are sorted into line order and given their line number and
 *     log time in one forward pass, so time costs O(chunk), not O(hits x
 *     record length).
 */
#include "match/matcher.h"

#include <stdlib.h>
#include <string.h>

#include "input/format.h"
#include "match/litsel.h"
#include "match/prefilter.h"
#include "base/textout.h"
#include "base/timeparse.h"
#include "base/util.h"

/* A literal shorter than this is not selective enough to beat a regex
 * search (" - " is in every line). */
#define MIN_LITERAL 5

struct target {
    uint32_t rule;
    uint8_t kind;
};

struct probe {
    const char *src;
    const struct mcp_pattern *line;  /* borrowed from the rule */
    struct mcp_pattern *multi;       /* owned, NULL with a prefilter */
    const struct mcp_prefilter *pf;  /* borrowed; NULL: regex search */
    struct target *targets;
    size_t ntargets;
    bool active;
};

struct hit {
    size_t pos;          /* line start in the chunk */
    uint32_t rule;
    uint8_t kind;
    struct mcp_event *ev;
};

struct mcp_matcher {
    const struct mcp_ruleset *rs;
    struct probe *probes;
    size_t nprobes;
    bool *rule_active;
    bool *rule_stderr;   /* structured: the rules of stderr records */
    bool structured;
    const char *server;              /* the input's server (borrowed) */
    struct mcp_record rec;           /* the candidate's record (structured) */
    bool rec_stderr;
    bool *rule_context;  /* gather continuation lines for this rule */
    uint64_t *limit_errors;
    struct mcp_match *md;
    uint32_t input;
    struct hit *hits;
    size_t nhits, caphits;
    const char **cand;               /* candidate line starts */
    size_t ncand, capcand;
    struct mcp_litsel *lits;         /* the prefilter pass */
    const struct mcp_prefilter **pfs; /* per probe, for lits */
    bool *probe_active;              /* per probe, for lits */
    struct mcp_buf fixed;            /* a line with invalid UTF-8 repaired */
    struct mcp_buf ctx;              /* a structured record's context */
    const char **badutf;             /* lines of the chunk holding invalid
                                        UTF-8 (regex probes need them) */
    size_t nbad, capbad;
    bool bad_known;
};

static void add_target(struct mcp_matcher *m, const char *src,
                       const struct mcp_pattern *pat, uint32_t rule,
                       uint8_t kind)
{
    struct probe *p = NULL;

    for (size_t i = 0; i < m->nprobes; i++)
        if (strcmp(m->probes[i].src, src) == 0)
            p = &m->probes[i];
    if (p == NULL) {
        const struct mcp_prefilter *pf = mcp_pattern_prefilter(pat);

        m->probes = mcp_realloc(m->probes,
                                (m->nprobes + 1) * sizeof(*m->probes));
        p = &m->probes[m->nprobes++];
        memset(p, 0, sizeof(*p));
        p->src = src;
        p->line = pat;
        if (pf->n > 0 && mcp_prefilter_minlen(pf) >= MIN_LITERAL) {
            p->pf = pf;
        } else {
            size_t off;
            char err[MCP_ERRLEN] = "";

            /* Compiled before as a line pattern, so this cannot fail in
             * practice; if it does, fall back to per-line matching. */
            p->multi = mcp_pattern_compile(src, MCP_PAT_MULTILINE, &off, err);
        }
    }
    p->targets = mcp_realloc(p->targets,
                             (p->ntargets + 1) * sizeof(*p->targets));
    p->targets[p->ntargets].rule = rule;
    p->targets[p->ntargets].kind = kind;
    p->ntargets++;
}

struct mcp_matcher *mcp_matcher_create(const struct mcp_ruleset *rs)
{
    struct mcp_matcher *m = mcp_calloc(1, sizeof(*m));

    m->rs = rs;
    m->rule_active = mcp_calloc(rs->n + 1, sizeof(bool));
    m->rule_stderr = mcp_calloc(rs->n + 1, sizeof(bool));
    m->rule_context = mcp_calloc(rs->n + 1, sizeof(bool));
    m->limit_errors = mcp_calloc(rs->n + 1, sizeof(uint64_t));
    m->md = mcp_match_create();
    for (size_t i = 0; i < rs->n; i++) {
        const struct mcp_rule *r = &rs->rules[i];

        add_target(m, r->match_src, r->match, (uint32_t)i, MCP_EV_MATCH);
        if (r->has_expect)
            add_target(m, r->expect_src, r->expect, (uint32_t)i,
                       MCP_EV_FOLLOW);
        m->rule_context[i] = r->severity != MCP_SEV_NONE;
    }
    m->pfs = mcp_calloc(m->nprobes + 1, sizeof(*m->pfs));
    m->probe_active = mcp_calloc(m->nprobes + 1, sizeof(bool));
    for (size_t i = 0; i < m->nprobes; i++)
        m->pfs[i] = m->probes[i].pf;
    m->lits = mcp_litsel_create(m->pfs, m->nprobes);
    return m;
}

void mcp_matcher_select(struct mcp_matcher *m, enum mcp_role role,
                        const char *role_name, const char *base,
                        uint32_t input)
{
    m->input = input;
    m->structured = false;
    m->server = NULL;
    for (size_t i = 0; i < m->rs->n; i++) {
        m->rule_active[i] =
            role_name == NULL ||
            mcp_rule_applies(&m->rs->rules[i], role, role_name, base);
        m->rule_stderr[i] =
            role_name == NULL ||
            mcp_rule_applies(&m->rs->rules[i], MCP_ROLE_STDERR,
                             mcp_role_name(MCP_ROLE_STDERR), base);
    }
    mcp_matcher_structured(m, false);
}

void mcp_matcher_structured(struct mcp_matcher *m, bool on)
{
    m->structured = on;
    for (size_t i = 0; i < m->nprobes; i++) {
        struct probe *p = &m->probes[i];

        p->active = false;
        for (size_t t = 0; t < p->ntargets; t++)
            if (m->rule_active[p->targets[t].rule] ||
                (on && m->rule_stderr[p->targets[t].rule]))
                p->active = true;
        m->probe_active[i] = p->active;
    }
    mcp_litsel_select(m->lits, m->probe_active);
}

void mcp_matcher_server(struct mcp_matcher *m, const char *server)
{
    m->server = server;
}

/* The rules of the current line: a stderr record's or the input's. */
static bool applies(const struct mcp_matcher *m, uint32_t rule)
{
    if (m->structured && m->rec_stderr)
        return m->rule_stderr[rule];
    return m->rule_active[rule];
}

static bool has_own_ts(const char *p, const char *end)
{
    int64_t ts;

    return mcp_time_parse_prefix(p, (size_t)(end - p), &ts) > 0;
}

static void push_hit(struct mcp_matcher *m, size_t pos, uint32_t rule,
                     uint8_t kind, struct mcp_event *ev)
{
    if (m->nhits == m->caphits) {
        m->caphits = m->caphits ? m->caphits * 2 : 256;
        m->hits = mcp_realloc(m->hits, m->caphits * sizeof(*m->hits));
    }
    m->hits[m->nhits].pos = pos;
    m->hits[m->nhits].rule = rule;
    m->hits[m->nhits].kind = kind;
    m->hits[m->nhits].ev = ev;
    m->nhits++;
}

/* The line starting at line0 matched probe p (m->md holds the match):
 * [ls, ls+len) is what the pattern saw (the line, or a record's message),
 * subj that text or its UTF-8 repair. */
static void emit(struct mcp_matcher *m, const struct probe *p,
                 const char *data, const char *end, const char *line0,
                 const char *ls, size_t len, const char *subj)
{
    const char *fields[MCP_NFIELDS] = {NULL, NULL, NULL};
    size_t flen[MCP_NFIELDS] = {0, 0, 0};
    const char *caps[MCP_PATTERN_MAX_CAPS];
    size_t caplen[MCP_PATTERN_MAX_CAPS];
    int ncaps = mcp_pattern_ncaptures(p->line);
    const char *ctx = NULL;
    size_t ctxlen = 0;
    bool ctx_done = false;

    for (int i = 0; i < ncaps; i++) {
        int group;
        size_t so, eo;

        mcp_pattern_capture_name(p->line, i, &group);
        if (mcp_match_group(m->md, group, &so, &eo)) {
            caps[i] = subj + so;
            caplen[i] = eo - so;
        } else {
            caps[i] = NULL;
            caplen[i] = 0;
        }
    }
    for (size_t t = 0; t < p->ntargets; t++) {
        const struct target *tg = &p->targets[t];
        const struct mcp_rule *r = &m->rs->rules[tg->rule];
        struct mcp_event *ev;

        if (!applies(m, tg->rule))
            continue;
        if (r->exclude != NULL) {
            /* The exclude match clobbers m->md; captures were copied out
             * above as pointers into the subject, which stay valid. */
            int x = mcp_pattern_exec(r->exclude, m->md, subj,
                                     subj == ls ? len : m->fixed.len, 0);

            if (x == 1)
                continue;
            if (x < 0)
                m->limit_errors[tg->rule]++;
        }
        if (m->rule_context[tg->rule] && !ctx_done) {
            const char *q = ls + len;

            ctx_done = true;
            while (q < end && *q != '\n')
                q++;
            if (q < end)
                q++;
            ctx = q;
            while (q < end && !has_own_ts(q, end) &&
                   (size_t)(q - ctx) < MCP_EVENT_CONTEXT_MAX) {
                const char *nl = memchr(q, '\n', (size_t)(end - q));

                q = nl ? nl + 1 : end;
            }
            ctxlen = (size_t)(q - ctx);
            if (ctxlen > 0 && ctx[ctxlen - 1] == '\n')
                ctxlen--;
            if (ctxlen == 0)
                ctx = NULL;
            if (m->structured && ctx != NULL) {
                /* Attached context lines lose their marking tab. */
                mcp_buf_reset(&m->ctx);
                for (size_t i = 0; i < ctxlen; i++)
                    if (!(ctx[i] == '\t' && (i == 0 || ctx[i - 1] == '\n')))
                        mcp_buf_putc(&m->ctx, ctx[i]);
                ctx = m->ctx.data;
                ctxlen = m->ctx.len;
            }
        }
        if (m->structured && m->rec.level != NULL) {
            fields[MCP_FIELD_SERVER] = m->rec.server;
            flen[MCP_FIELD_SERVER] = m->rec.server_len;
            fields[MCP_FIELD_SESSION] = m->rec.session;
            flen[MCP_FIELD_SESSION] = m->rec.session_len;
            fields[MCP_FIELD_LEVEL] = m->rec.level;
            flen[MCP_FIELD_LEVEL] = m->rec.level_len;
        }
        if (fields[MCP_FIELD_SERVER] == NULL && m->server != NULL) {
            fields[MCP_FIELD_SERVER] = m->server;
            flen[MCP_FIELD_SERVER] = strlen(m->server);
        }
        ev = mcp_event_create(ls, len, ctx, ctxlen, ncaps, caps, caplen,
                              m->structured || m->server ? fields : NULL,
                              flen);
        ev->rule = tg->rule;
        ev->kind = tg->kind;
        ev->input = m->input;
        push_hit(m, (size_t)(line0 - data), tg->rule, tg->kind, ev);
    }
}

static const char *line_start(const char *data, const char *at)
{
    const char *nl = memrchr(data, '\n', (size_t)(at - data));

    return nl ? nl + 1 : data;
}

/* Structured: the record of the line [ls, ls+len) into m->rec (its own
 * when it is a record line, else the nearest record line before it in
 * the chunk; none: m->rec.level NULL). Returns whether ls is a record
 * line. */
static bool find_record(struct mcp_matcher *m, const char *data,
                        const char *end, const char *ls, size_t len)
{
    bool own = mcp_record_split(ls, len, &m->rec);
    const char *q = ls;

    while (!own && q > data) {
        const char *prev = line_start(data, q - 1);

        if (mcp_record_split(prev, mcp_line_trim(prev, end), &m->rec))
            break;
        q = prev;
    }
    if (!own && q <= data)
        m->rec.level = NULL;
    m->rec_stderr = m->rec.level != NULL && m->rec.level_len == 6 &&
                    memcmp(m->rec.level, "stderr", 6) == 0;
    return own;
}

/* Verify the line starting at ls; returns the start of the next line. */
static const char *verify(struct mcp_matcher *m, const struct probe *p,
                          const char *data, const char *end, const char *ls)
{
    const char *nl = memchr(ls, '\n', (size_t)(end - ls));
    const char *next = nl ? nl + 1 : end;
    size_t len = mcp_line_trim(ls, next);
    const char *line0 = ls;
    const char *subj;
    size_t slen;
    int rc;

    if (m->structured) {
        if (len > 0 && ls[0] == '\t')
            return next; /* attached context: never matched */
        if (find_record(m, data, end, ls, len)) {
            ls = m->rec.text;
            len = m->rec.text_len;
        }
    }
    subj = ls;
    slen = len;
    if (!mcp_utf8_valid(ls, len)) {
        mcp_utf8_repair(&m->fixed, ls, len);
        subj = m->fixed.data;
        slen = m->fixed.len;
    }
    rc = mcp_pattern_exec(p->line, m->md, subj, slen, 0);
    if (rc == 1)
        emit(m, p, data, end, line0, ls, len, subj);
    else if (rc < 0)
        for (size_t t = 0; t < p->ntargets; t++)
            m->limit_errors[p->targets[t].rule]++;
    return next;
}

static int cmp_ptr(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;

    return x < y ? -1 : x > y;
}

static void push_cand(struct mcp_matcher *m, const char *ls)
{
    if (m->ncand == m->capcand) {
        m->capcand = m->capcand ? m->capcand * 2 : 256;
        m->cand = mcp_realloc(m->cand, m->capcand * sizeof(*m->cand));
    }
    m->cand[m->ncand++] = ls;
}


/* The lines of the chunk that hold invalid UTF-8, found once per chunk.
 * A chunk-wide regex search cannot see through invalid bytes, so these
 * lines are always candidates for regex-searched probes. */
static void find_bad_lines(struct mcp_matcher *m, const char *data,
                           const char *end)
{
    const char *ls = data;

    m->nbad = 0;
    m->bad_known = true;
    while (ls < end) {
        const char *nl = memchr(ls, '\n', (size_t)(end - ls));
        const char *next = nl ? nl + 1 : end;

        if (!mcp_utf8_valid(ls, (size_t)(next - ls))) {
            if (m->nbad == m->capbad) {
                m->capbad = m->capbad ? m->capbad * 2 : 64;
                m->badutf = mcp_realloc(m->badutf,
                                        m->capbad * sizeof(*m->badutf));
            }
            m->badutf[m->nbad++] = ls;
        }
        ls = next;
    }
}

/* A probe without a prefilter: a multi-line JIT search over the chunk,
 * every line past a PCRE2 limit, and the lines with invalid UTF-8. */
static void search(struct mcp_matcher *m, const struct probe *p,
                   const char *data, const char *end)
{
    const char *at = data;

    if (!m->bad_known)
        find_bad_lines(m, data, end);
    m->ncand = 0;
    for (size_t i = 0; i < m->nbad; i++)
        push_cand(m, m->badutf[i]);
    /* Structured: the message does not start the line (^ would not hold
     * there), so every line is a candidate. */
    while (at < end && p->multi != NULL && !m->structured) {
        int rc = mcp_pattern_exec(p->multi, m->md, data,
                                  (size_t)(end - data), (size_t)(at - data));
        size_t so, eo;
        const char *ls, *nl;

        if (rc == 0) {
            at = end;
            break;
        }
        if (rc < 0)
            break; /* limit over the whole chunk: go line by line */
        mcp_match_group(m->md, 0, &so, &eo);
        ls = line_start(data, data + so);
        push_cand(m, ls);
        nl = memchr(ls, '\n', (size_t)(end - ls));
        at = nl ? nl + 1 : end;
    }
    /* What the chunk-wide search could not cover: every line. */
    for (const char *ls = at; ls < end;) {
        const char *nl = memchr(ls, '\n', (size_t)(end - ls));

        push_cand(m, ls);
        ls = nl ? nl + 1 : end;
    }
    if (m->ncand > 1)
        qsort(m->cand, m->ncand, sizeof(*m->cand), cmp_ptr);
    for (size_t i = 0; i < m->ncand; i++)
        if (i == 0 || m->cand[i] != m->cand[i - 1])
            verify(m, p, data, end, m->cand[i]);
}

static int cmp_hit(const void *a, const void *b)
{
    const struct hit *x = a, *y = b;

    if (x->pos != y->pos)
        return x->pos < y->pos ? -1 : 1;
    if (x->rule != y->rule)
        return x->rule < y->rule ? -1 : 1;
    return (int)x->kind - (int)y->kind;
}

size_t mcp_matcher_chunk(struct mcp_matcher *m, const struct mcp_chunk *c,
                         struct mcp_batch *out)
{
    const char *data = c->data, *end = c->data + c->len;
    size_t prev = 0;
    uint64_t lineno = c->first_line;
    int64_t ts = c->carry_ts;   /* time in force at position prev */
    bool prev_checked = false;  /* ts already accounts for line at prev */

    m->nhits = 0;
    m->bad_known = false;
    mcp_litsel_scan(m->lits, data, c->len);
    for (size_t i = 0; i < m->nprobes; i++) {
        const struct probe *p = &m->probes[i];
        const char *const *cand;
        size_t n;

        if (!p->active)
            continue;
        if (p->pf == NULL) {
            search(m, p, data, end);
            continue;
        }
        cand = mcp_litsel_cands(m->lits, i, &n);
        for (size_t k = 0; k < n; k++)
            verify(m, p, data, end, cand[k]);
    }
    if (m->nhits == 0)
        return 0;
    qsort(m->hits, m->nhits, sizeof(*m->hits), cmp_hit);

    for (size_t i = 0; i < m->nhits; i++) {
        struct hit *h = &m->hits[i];
        struct mcp_event *ev = h->ev;
        int64_t own;
        size_t n;

        if (h->pos != prev || !prev_checked) {
            lineno += mcp_line_count(data + prev, h->pos - prev);
            n = mcp_time_parse_prefix(data + h->pos,
                                      (size_t)(end - data - h->pos), &own);
            if (n > 0) {
                ts = own;
            } else {
                /* Walk back to the nearest line with its own time, but
                 * not past the previous hit, whose time is known. */
                const char *q = data + h->pos;
                size_t stop = prev_checked ? prev : 0;

                while (q > data + stop) {
                    const char *ls = line_start(data, q - 1);

                    if (mcp_time_parse_prefix(ls, (size_t)(end - ls),
                                              &own) > 0) {
                        ts = own;
                        break;
                    }
                    q = ls;
                }
                if (!prev_checked && q <= data)
                    ts = c->carry_ts;
            }
            prev = h->pos;
            prev_checked = true;
            ev->own_ts = n > 0;
        } else {
            ev->own_ts = i > 0 && m->hits[i - 1].ev->own_ts;
        }
        ev->ts = ts;
        ev->lineno = lineno;
        ev->offset = c->offset + h->pos;
        mcp_batch_push(out, ev);
    }
    return m->nhits;
}

uint64_t mcp_matcher_limit_errors(const struct mcp_matcher *m, size_t i)
{
    return m->limit_errors[i];
}

void mcp_matcher_destroy(struct mcp_matcher *m)
{
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->nprobes; i++) {
        mcp_pattern_free(m->probes[i].multi);
        free(m->probes[i].targets);
    }
    free(m->probes);
    mcp_litsel_destroy(m->lits);
    free(m->pfs);
    free(m->probe_active);
    free(m->rule_active);
    free(m->rule_stderr);
    free(m->rule_context);
    free(m->limit_errors);
    free(m->hits);
    free(m->cand);
    free(m->badutf);
    mcp_buf_free(&m->fixed);
    mcp_buf_free(&m->ctx);
    mcp_match_destroy(m->md);
    free(m);
}
