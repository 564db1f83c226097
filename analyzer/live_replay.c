/* live_replay.c - follow --replay (live_int.h): the rotated archives of
 * every family, read before going live, merged in time order as scan
 * merges its families.
 *
 * Each family is one stream: its archives oldest first (plain or gzip),
 * framed in whole records (MCP_FRAMER_RECORDS). The key of a stream is
 * the time of its next line: its own time, or for a line without one (a
 * traceback) the time in force, so that a record's continuation lines go
 * with it. The stream of the smallest key (a line with no time at all
 * first; ties to the lower family, as in scan) gives a run of lines up to
 * the first whose key passes the other streams' smallest; the run goes
 * through live_chunk as a chunk of its own (a slice of the framer's
 * chunk: its offset, first line and time in force are the slice's). A
 * chunk whose last time goes first goes whole, unwalked (a family alone:
 * every chunk). */
#include <stdlib.h>
#include <string.h>

#include "base/timeparse.h"
#include "input/format.h"
#include "input/framer.h"
#include "input/reader.h"
#include "live_int.h"

struct stream {
    size_t fi;                 /* the family */
    const char **paths;        /* its archives, oldest first (borrowed) */
    size_t npaths, next;       /* next: the archive to open next */
    const char *path;          /* the one being read */
    struct mcp_reader *r;
    struct mcp_fmt *fmt;       /* a client's format stage, or NULL */
    struct mcp_framer *fr;
    struct mcp_chunk c;        /* the framer's chunk being handed out */
    struct mcp_line ln;        /* the last line handed out of it */
    int64_t carry;             /* the time in force before the next line */
    bool have;                 /* c holds lines not handed out */
};

static void close_file(struct stream *s)
{
    mcp_framer_destroy(s->fr);
    mcp_fmt_destroy(s->fmt);
    mcp_reader_close(s->r);
    s->fr = NULL;
    s->fmt = NULL;
    s->r = NULL;
    s->have = false;
}

/* Make s hold a line not handed out yet, opening its next archives as
 * needed (a file that cannot be read is told and skipped). Returns false
 * when s has no line left. */
static bool fill(struct mcp_live *l, struct stream *s)
{
    size_t nf;
    const struct mcp_ffamily *fam = &mcp_follow_families(l->follow,
                                                         &nf)[s->fi];
    char err[MCP_ERRLEN];
    struct mcp_line peek;
    int rc;

    for (;;) {
        if (s->have) {
            peek = s->ln;
            if (mcp_chunk_line(&s->c, &peek))
                return true;
            s->have = false;
        }
        if (s->fr != NULL) {
            err[0] = '\0';
            rc = mcp_framer_next(s->fr, &s->c, err);
            if (rc == 1) {
                memset(&s->ln, 0, sizeof(s->ln));
                s->carry = s->c.carry_ts;
                s->have = true;
                continue;
            }
            if (rc < 0)
                live_notice(err, l);
            close_file(s);
        }
        if (s->next == s->npaths)
            return false;
        s->path = s->paths[s->next++];
        err[0] = '\0';
        s->r = mcp_reader_open(s->path, err);
        if (s->r == NULL) {
            live_notice(err, l);
            continue;
        }
        mcp_reader_set_max_inflate(s->r, l->o.follow.max_inflate);
        if (fam->format != MCP_FMT_TEXT) {
            /* A client's archive: its record lines (format.h). */
            s->fmt = mcp_fmt_create(fam->format, fam->server, false,
                                    (mcp_read_fn)mcp_reader_read, s->r);
            s->fr = mcp_framer_create(l->o.follow.max_line,
                                      MCP_FRAMER_RECORDS, mcp_fmt_read,
                                      s->fmt);
        } else {
            s->fr = mcp_framer_create(l->o.follow.max_line,
                                      MCP_FRAMER_RECORDS,
                                      (mcp_read_fn)mcp_reader_read, s->r);
        }
    }
}

/* The line after ln in s's chunk (there is one: fill), and its key. */
static struct mcp_line next_line(const struct stream *s, int64_t *key,
                                 bool *own)
{
    struct mcp_line n = s->ln;
    int64_t t;

    mcp_chunk_line(&s->c, &n);
    *own = mcp_time_parse_prefix(n.text,
                                 (size_t)(s->c.data + s->c.len - n.text),
                                 &t) > 0;
    *key = *own ? t : s->carry;
    return n;
}

/* Whether key a of family fa goes before key b of family fb. */
static bool before(int64_t a, size_t fa, int64_t b, size_t fb)
{
    return a < b || (a == b && fa < fb);
}

/* Hand s's lines out as one chunk while their key goes before (lim,
 * limfi) (every line when there is no other stream: lim_any false),
 * within its current chunk. */
static void run(struct mcp_live *l, struct stream *s, bool lim_any,
                int64_t lim, size_t limfi)
{
    size_t nf;
    struct mcp_ffamily *fams = mcp_follow_families(l->follow, &nf);
    struct mcp_chunk sub = {0};
    const char *end = NULL;
    struct mcp_line peek = s->ln;

    /* A chunk not started whose last time goes first (a family alone:
     * every chunk) goes whole, its lines not walked. */
    if (s->ln.text == NULL &&
        (!lim_any || before(s->c.last_ts != MCP_TIME_NONE ? s->c.last_ts
                                                           : s->carry,
                            s->fi, lim, limfi))) {
        if (s->c.last_ts != MCP_TIME_NONE)
            s->carry = s->c.last_ts;
        s->have = false;
        live_chunk(&s->c, &fams[s->fi], (uint32_t)s->fi, s->path, l);
        return;
    }
    sub.carry_ts = s->carry;
    sub.first_ts = sub.last_ts = MCP_TIME_NONE;
    while (mcp_chunk_line(&s->c, &peek)) {
        int64_t key;
        bool own;
        struct mcp_line n = next_line(s, &key, &own);

        if (sub.lines > 0 && lim_any && !before(key, s->fi, lim, limfi))
            break;
        if (sub.lines == 0) {
            sub.data = n.text;
            sub.offset = n.offset;
            sub.first_line = n.lineno;
        }
        if (own) {
            if (sub.first_ts == MCP_TIME_NONE)
                sub.first_ts = key;
            sub.last_ts = key;
            s->carry = key;
        }
        sub.lines++;
        end = n.text + n.len;
        while (end < s->c.data + s->c.len && *end != '\n')
            end++; /* past a '\r' the line's length leaves out */
        end++;
        s->ln = n;
        peek = n;
    }
    sub.len = (size_t)(end - sub.data);
    live_chunk(&sub, &fams[s->fi], (uint32_t)s->fi, s->path, l);
}

void live_replay(struct mcp_live *l)
{
    size_t nf;
    struct mcp_ffamily *fams = mcp_follow_families(l->follow, &nf);
    struct stream *st = mcp_calloc(l->ls.nfam ? l->ls.nfam : 1, sizeof(*st));
    const char **paths = mcp_calloc(l->ls.n ? l->ls.n : 1, sizeof(*paths));
    size_t np = 0;

    for (size_t fi = 0; fi < l->ls.nfam; fi++) {
        const struct mcp_family *lf = &l->ls.families[fi];

        st[fi].fi = fi;
        st[fi].paths = paths + np;
        for (size_t i = lf->first; i < lf->first + lf->count; i++)
            if (strcmp(l->ls.inputs[i].path, fams[fi].path) != 0)
                paths[np++] = l->ls.inputs[i].path;
        st[fi].npaths = (size_t)(paths + np - st[fi].paths);
    }
    for (;;) {
        struct stream *best = NULL, *second = NULL;
        int64_t bkey = 0, skey = 0;

        for (size_t fi = 0; fi < l->ls.nfam; fi++) {
            int64_t key;
            bool own;

            if (!fill(l, &st[fi]))
                continue;
            next_line(&st[fi], &key, &own);
            if (best == NULL || before(key, fi, bkey, best->fi)) {
                second = best;
                skey = bkey;
                best = &st[fi];
                bkey = key;
            } else if (second == NULL || before(key, fi, skey, second->fi)) {
                second = &st[fi];
                skey = key;
            }
        }
        if (best == NULL)
            break;
        run(l, best, second != NULL, skey, second ? second->fi : 0);
    }
    for (size_t fi = 0; fi < l->ls.nfam; fi++)
        close_file(&st[fi]);
    free(paths);
    free(st);
}
