/* prefilter.c - required literals of a regex, read from its source.
 *
 * A recursive descent over the pattern text:
 *   alt  := seq ('|' seq)*     requires: the union of each seq's set
 *   seq  := item*              requires: the best set among its literal
 *                              runs and its mandatory groups
 * A literal run is a maximal stretch of characters that must appear
 * consecutively. Quantifiers that allow zero repeats ('?', '*', '{0')
 * remove the item before them; '+' keeps the character but ends the run.
 * Classes, '.', anchors, escapes of letters and digits end a run.
 * Lookarounds are skipped; any other "(?" construct (inline options,
 * conditionals, callouts, branch reset) or \Q...\E makes the whole
 * derivation give up.
 */
#include "match/prefilter.h"

#include <string.h>

struct lset {
    bool valid;     /* false: nothing known to be required */
    int n;
    char s[MCP_PREFILTER_MAX][MCP_PREFILTER_LEN];
    size_t len[MCP_PREFILTER_MAX];
};

struct parser {
    const char *p;
    bool fail;      /* gave up: no prefilter at all */
};

static size_t minlen(const struct lset *l)
{
    size_t m = (size_t)-1;

    if (!l->valid || l->n == 0)
        return 0;
    for (int i = 0; i < l->n; i++)
        if (l->len[i] < m)
            m = l->len[i];
    return m;
}

/* Keep the better of *best and *cand. */
static void consider(struct lset *best, const struct lset *cand)
{
    size_t mb = minlen(best), mc = minlen(cand);

    if (!cand->valid || cand->n == 0)
        return;
    if (!best->valid || mc > mb || (mc == mb && cand->n < best->n))
        *best = *cand;
}

static void consider_run(struct lset *best, const char *run, size_t len)
{
    struct lset c;

    if (len == 0)
        return;
    c.valid = true;
    c.n = 1;
    memcpy(c.s[0], run, len);
    c.len[0] = len;
    consider(best, &c);
}

static size_t utf8_len(unsigned char c)
{
    if (c < 0x80)
        return 1;
    if ((c & 0xe0) == 0xc0)
        return 2;
    if ((c & 0xf0) == 0xe0)
        return 3;
    if ((c & 0xf8) == 0xf0)
        return 4;
    return 1;
}

static const char *skip_class(const char *p)
{
    p++;
    if (*p == '^')
        p++;
    if (*p == ']')
        p++;
    while (*p != '\0' && *p != ']') {
        if (*p == '\\' && p[1] == 'Q')
            return NULL; /* \Q...\E can hide the closing ']' */
        if (*p == '\\' && p[1] != '\0') {
            p++;
        } else if (*p == '[' && p[1] == ':') {
            const char *e = strstr(p + 2, ":]");

            if (e != NULL)
                p = e + 1;
        }
        p++;
    }
    return *p == ']' ? p + 1 : NULL;
}

/* After '{': a quantifier {n}, {n,}, {n,m}. Returns the byte after it and
 * whether its minimum is zero, or NULL when it is not a quantifier.
 * PCRE2 10.43 and later (as Perl 5.34) also read {,m} as {0,m} and allow
 * spaces and tabs inside the braces; 10.42 reads those as literal text.
 * Taking them as quantifiers is right for the new versions and only
 * conservative for the old. */
static const char *quantifier_body(const char *p, bool *zero)
{
    const char *q = p + 1;
    bool digits = false, lo_zero = true;

    q += strspn(q, " \t");
    while (*q >= '0' && *q <= '9') {
        lo_zero = lo_zero && *q == '0';
        digits = true;
        q++;
    }
    q += strspn(q, " \t");
    if (*q == ',') {
        q++;
        q += strspn(q, " \t");
        while (*q >= '0' && *q <= '9') {
            digits = true;
            q++;
        }
        q += strspn(q, " \t");
    }
    if (*q != '}' || !digits)
        return NULL;
    *zero = lo_zero;
    return q + 1;
}

/* Skip a lazy or possessive suffix after a quantifier. */
static const char *skip_suffix(const char *p)
{
    return (*p == '?' || *p == '+') ? p + 1 : p;
}

static struct lset parse_alt(struct parser *ps);

/* Skip the rest of an escape whose letter was already consumed. */
static void skip_escape_body(struct parser *ps, char letter)
{
    const char *p = ps->p;

    if (strchr("xpPNogk", letter) != NULL && *p == '{') {
        const char *e = strchr(p, '}');

        ps->p = e ? e + 1 : p + strlen(p);
    } else if ((letter == 'k' || letter == 'g') && (*p == '<' || *p == '\'')) {
        const char *e = strchr(p + 1, *p == '<' ? '>' : '\'');

        ps->p = e ? e + 1 : p + strlen(p);
    } else if ((letter == 'c' || letter == 'p' || letter == 'P') &&
               *p != '\0') {
        ps->p = p + 1; /* \cX, and \pL: a one-letter property */
    } else if (letter == 'x') {
        /* \x41: up to two hex digits belong to the escape. */
        for (int i = 0; i < 2 && *p != '\0' &&
                        strchr("0123456789abcdefABCDEF", *p) != NULL; i++)
            p++;
        ps->p = p;
    } else if ((letter >= '0' && letter <= '9') || letter == 'g') {
        /* \012 (octal), \12 (octal or backreference), \g1, \g-1: the
         * digits are part of the escape, never literal text. */
        if (letter == 'g' && (*p == '-' || *p == '+'))
            p++;
        while (*p >= '0' && *p <= '9')
            p++;
        ps->p = p;
    } else if (letter == 'Q') {
        ps->fail = true;
    }
}

static struct lset parse_seq(struct parser *ps)
{
    struct lset best = {.valid = false};
    char run[MCP_PREFILTER_LEN];
    size_t rlen = 0, last = 0;
    bool prev_lit = false;

#define END_RUN()                                                            \
    do {                                                                     \
        consider_run(&best, run, rlen);                                      \
        rlen = 0;                                                            \
        prev_lit = false;                                                    \
    } while (0)

    while (!ps->fail && *ps->p != '\0' && *ps->p != '|' && *ps->p != ')') {
        const char *p = ps->p;
        unsigned char c = (unsigned char)*p;
        char lit[4];
        size_t clen;

        if (c == '(') {
            struct lset inner;
            bool skip = false, zero = false;

            END_RUN();
            if (p[1] == '?') {
                if (p[2] == ':' || p[2] == '>') {
                    ps->p = p + 3;
                } else if (p[2] == '<' && p[3] != '=' && p[3] != '!') {
                    const char *e = strchr(p + 3, '>');

                    if (e == NULL) {
                        ps->fail = true;
                        break;
                    }
                    ps->p = e + 1;
                } else if (p[2] == 'P' && p[3] == '<') {
                    const char *e = strchr(p + 4, '>');

                    if (e == NULL) {
                        ps->fail = true;
                        break;
                    }
                    ps->p = e + 1;
                } else if (p[2] == '\'') {
                    const char *e = strchr(p + 3, '\'');

                    if (e == NULL) {
                        ps->fail = true;
                        break;
                    }
                    ps->p = e + 1;
                } else if (p[2] == '=' || p[2] == '!' ||
                           (p[2] == '<' && (p[3] == '=' || p[3] == '!'))) {
                    ps->p = p + (p[2] == '<' ? 4 : 3); /* lookaround */
                    skip = true;
                } else {
                    ps->fail = true; /* options, conditionals, ... */
                    break;
                }
            } else if (p[1] == '*') {
                ps->fail = true; /* (*VERB) */
                break;
            } else {
                ps->p = p + 1;
            }
            inner = parse_alt(ps);
            if (ps->fail)
                break;
            if (*ps->p != ')') {
                ps->fail = true;
                break;
            }
            ps->p++;
            if (*ps->p == '?' || *ps->p == '*') {
                zero = true;
                ps->p = skip_suffix(ps->p + 1);
            } else if (*ps->p == '+') {
                ps->p = skip_suffix(ps->p + 1);
            } else if (*ps->p == '{') {
                const char *q = quantifier_body(ps->p, &zero);

                if (q != NULL)
                    ps->p = skip_suffix(q);
            }
            if (!skip && !zero)
                consider(&best, &inner);
            continue;
        }
        if (c == '[') {
            END_RUN();
            ps->p = skip_class(p);
            if (ps->p == NULL) {
                ps->fail = true;
                break;
            }
            continue;
        }
        if (c == '.' || c == '^' || c == '$') {
            END_RUN();
            ps->p = p + 1;
            continue;
        }
        if (c == '?' || c == '*' || c == '{') {
            bool zero = true;
            const char *q = c == '{' ? quantifier_body(p, &zero) : p + 1;

            if (q == NULL) {
                /* A literal '{' in PCRE2: treat as a run break. */
                END_RUN();
                ps->p = p + 1;
                continue;
            }
            if (zero && prev_lit)
                rlen = last; /* the previous character is optional */
            END_RUN();
            ps->p = skip_suffix(q);
            continue;
        }
        if (c == '+') {
            END_RUN();
            ps->p = skip_suffix(p + 1);
            continue;
        }
        if (c == '\\') {
            unsigned char e = (unsigned char)p[1];

            if (e == '\0') {
                ps->fail = true;
                break;
            }
            if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') ||
                (e >= '0' && e <= '9') || e >= 0x80) {
                END_RUN();
                ps->p = p + 2;
                skip_escape_body(ps, (char)e);
                continue;
            }
            lit[0] = (char)e;
            clen = 1;
            ps->p = p + 2;
        } else {
            clen = utf8_len(c);
            for (size_t i = 0; i < clen; i++) {
                if (p[i] == '\0') {
                    ps->fail = true;
                    break;
                }
                lit[i] = p[i];
            }
            if (ps->fail)
                break;
            ps->p = p + clen;
        }
        if (rlen + clen >= sizeof(run))
            END_RUN();
        last = rlen;
        memcpy(run + rlen, lit, clen);
        rlen += clen;
        prev_lit = true;
    }
    END_RUN();
#undef END_RUN
    return best;
}

static struct lset parse_alt(struct parser *ps)
{
    struct lset acc = parse_seq(ps);

    while (!ps->fail && *ps->p == '|') {
        struct lset next;

        ps->p++;
        next = parse_seq(ps);
        if (!acc.valid || !next.valid || acc.n + next.n > MCP_PREFILTER_MAX) {
            acc.valid = false;
            acc.n = 0;
            continue; /* keep parsing to find the group's end */
        }
        for (int i = 0; i < next.n; i++) {
            memcpy(acc.s[acc.n], next.s[i], next.len[i]);
            acc.len[acc.n] = next.len[i];
            acc.n++;
        }
    }
    return acc;
}

void mcp_prefilter_derive(const char *src, bool caseless,
                          struct mcp_prefilter *pf)
{
    struct parser ps = {src, false};
    struct lset l;

    memset(pf, 0, sizeof(*pf));
    if (caseless)
        return;
    l = parse_alt(&ps);
    if (ps.fail || *ps.p != '\0' || !l.valid)
        return;
    pf->n = l.n;
    for (int i = 0; i < l.n; i++) {
        memcpy(pf->lit[i], l.s[i], l.len[i]);
        pf->len[i] = l.len[i];
    }
}

size_t mcp_prefilter_minlen(const struct mcp_prefilter *pf)
{
    size_t m = (size_t)-1;

    if (pf->n == 0)
        return 0;
    for (int i = 0; i < pf->n; i++)
        if (pf->len[i] < m)
            m = pf->len[i];
    return m;
}
