/* litsel.c - the prefilter pass (spec: litsel.h). */
#include "match/litsel.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "match/litset.h"
#include "match/prefilter.h"
#include "base/util.h"

struct cands {
    const char **at;
    size_t n, cap;
    bool unsorted;
};

/* The sample a literal set is tuned on: follow's first chunks can be a
 * line or two, so a set tuned on less is compiled again when a chunk
 * twice as large comes (a few times at most). */
#define SAMPLE_WANT (64u * 1024)

/* One selection: its key and its literal set. */
struct sel {
    bool *active;
    bool compiled;             /* set is made (NULL: no literals) */
    struct mcp_litset *set;
    size_t sample;             /* bytes of text it was tuned on */
    uint32_t *owner;           /* literal -> probe */
};

struct mcp_litsel {
    const struct mcp_prefilter *const *pf;
    size_t n;
    struct cands *cands;       /* per probe */
    struct sel *sels;          /* every selection met so far (few: roles) */
    size_t nsels;
    size_t cur;                /* index into sels, or nsels: none */
    const char *data;          /* the chunk being scanned */
};

struct mcp_litsel *mcp_litsel_create(const struct mcp_prefilter *const *pf,
                                     size_t n)
{
    struct mcp_litsel *ls = mcp_calloc(1, sizeof(*ls));

    ls->pf = pf;
    ls->n = n;
    ls->cands = mcp_calloc(n + 1, sizeof(*ls->cands));
    return ls;
}

void mcp_litsel_select(struct mcp_litsel *ls, const bool *active)
{
    size_t i;

    for (i = 0; i < ls->nsels; i++)
        if (ls->n == 0 ||
            memcmp(ls->sels[i].active, active, ls->n * sizeof(bool)) == 0)
            break;
    if (i == ls->nsels) {
        ls->sels = mcp_realloc(ls->sels, (i + 1) * sizeof(*ls->sels));
        memset(&ls->sels[i], 0, sizeof(ls->sels[i]));
        ls->sels[i].active = mcp_calloc(ls->n + 1, sizeof(bool));
        if (ls->n > 0)
            memcpy(ls->sels[i].active, active, ls->n * sizeof(bool));
        ls->nsels++;
    }
    ls->cur = i;
}

static void compile(struct mcp_litsel *ls, struct sel *s, const char *data,
                    size_t len)
{
    const char **lit = NULL;
    size_t *litlen = NULL, n = 0;

    mcp_litset_free(s->set);
    free(s->owner);
    s->owner = NULL;
    s->compiled = true;
    s->sample = len;
    for (size_t i = 0; i < ls->n; i++) {
        const struct mcp_prefilter *pf = ls->pf[i];

        if (!s->active[i] || pf == NULL || pf->n == 0)
            continue;
        lit = mcp_realloc(lit, (n + (size_t)pf->n) * sizeof(*lit));
        litlen = mcp_realloc(litlen, (n + (size_t)pf->n) * sizeof(*litlen));
        s->owner = mcp_realloc(s->owner, (n + (size_t)pf->n) *
                                             sizeof(*s->owner));
        for (int k = 0; k < pf->n; k++, n++) {
            lit[n] = pf->lit[k];
            litlen[n] = pf->len[k];
            s->owner[n] = (uint32_t)i;
        }
    }
    s->set = mcp_litset_compile(lit, litlen, n, data, len);
    free(lit);
    free(litlen);
}

/* A literal of probe owner[lit] starts at pos: its line is a candidate. */
static void on_literal(void *arg, size_t pos, unsigned lit)
{
    struct mcp_litsel *ls = arg;
    struct cands *c = &ls->cands[ls->sels[ls->cur].owner[lit]];
    const char *nl = memrchr(ls->data, '\n', pos);
    const char *at = nl ? nl + 1 : ls->data;

    if (c->n > 0) {
        if (c->at[c->n - 1] == at)
            return; /* the same line again */
        if (c->at[c->n - 1] > at)
            c->unsorted = true;
    }
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 64;
        c->at = mcp_realloc(c->at, c->cap * sizeof(*c->at));
    }
    c->at[c->n++] = at;
}

static int cmp_ptr(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;

    return x < y ? -1 : x > y;
}

void mcp_litsel_scan(struct mcp_litsel *ls, const char *data, size_t len)
{
    struct sel *s;

    for (size_t i = 0; i < ls->n; i++) {
        ls->cands[i].n = 0;
        ls->cands[i].unsorted = false;
    }
    if (ls->cur >= ls->nsels)
        return;
    s = &ls->sels[ls->cur];
    if (!s->compiled || (s->set != NULL && s->sample < SAMPLE_WANT &&
                         len >= 2 * s->sample && len > 4096))
        compile(ls, s, data, len);
    ls->data = data;
    mcp_litset_scan(s->set, data, len, on_literal, ls);
    for (size_t i = 0; i < ls->n; i++) {
        struct cands *c = &ls->cands[i];
        size_t k = 0;

        if (!c->unsorted)
            continue;
        /* Literals of one probe with different fingerprint offsets can
         * come out of order: sort, then drop repeated lines. */
        qsort(c->at, c->n, sizeof(*c->at), cmp_ptr);
        for (size_t j = 0; j < c->n; j++)
            if (k == 0 || c->at[j] != c->at[k - 1])
                c->at[k++] = c->at[j];
        c->n = k;
    }
}

const char *const *mcp_litsel_cands(const struct mcp_litsel *ls, size_t i,
                                    size_t *n)
{
    *n = ls->cands[i].n;
    return ls->cands[i].at;
}

void mcp_litsel_destroy(struct mcp_litsel *ls)
{
    if (ls == NULL)
        return;
    for (size_t i = 0; i < ls->n; i++)
        free(ls->cands[i].at);
    for (size_t i = 0; i < ls->nsels; i++) {
        free(ls->sels[i].active);
        free(ls->sels[i].owner);
        mcp_litset_free(ls->sels[i].set);
    }
    free(ls->sels);
    free(ls->cands);
    free(ls);
}
