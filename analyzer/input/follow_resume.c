/* follow_resume.c - where following starts: at the end of the live
 * files, at their start, or where a checkpoint left off, across
 * rotations and compression that happened while mcplog was down; the
 * archives read in full by --replay; and the positions a checkpoint
 * records. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "input/follow.h"
#include "input/follow_int.h"
#include "input/reader.h"
#include "base/timeparse.h"
#include "base/util.h"

/* --- start and resume ------------------------------------------------------- */

/* Read a member through the reader (plain or gzip) from decoded offset
 * `from` to its end, now. */
static void read_whole(struct mcp_follow *f, size_t fi, const char *path,
                       uint64_t from, uint64_t line, int64_t carry)
{
    char err[MCP_ERRLEN] = "";
    struct mcp_reader *r = mcp_reader_open(path, err);
    struct mcp_framer *fr;
    struct mcp_fmt *fmt = NULL;
    struct mcp_chunk c;
    char *skip;
    int rc;

    if (r == NULL) {
        follow_notice(f, "%s", err);
        return;
    }
    mcp_reader_set_max_inflate(r, f->o.max_inflate);
    skip = mcp_malloc(65536);
    for (uint64_t left = from; left > 0;) {
        ssize_t n = mcp_reader_read(r, skip, left < 65536 ? (size_t)left
                                                          : 65536, err);

        if (n <= 0)
            break;
        left -= (uint64_t)n;
    }
    free(skip);
    if (f->fam[fi].format != MCP_FMT_TEXT) {
        /* A client's file: its record lines, numbered from 1. */
        fmt = mcp_fmt_create(f->fam[fi].format, f->fam[fi].server, false,
                             (mcp_read_fn)mcp_reader_read, r);
        fr = mcp_framer_create(f->o.max_line, 0, mcp_fmt_read, fmt);
    } else {
        fr = mcp_framer_create(f->o.max_line, 0,
                               (mcp_read_fn)mcp_reader_read, r);
        mcp_framer_set_origin(fr, from, line, carry);
    }
    while ((rc = mcp_framer_next(fr, &c, err)) == 1)
        f->chunk(&c, &f->fam[fi], (uint32_t)fi, path, f->arg);
    if (rc < 0)
        follow_notice(f, "%s", err);
    mcp_framer_destroy(fr);
    mcp_fmt_destroy(fmt);
    mcp_reader_close(r);
}

/* Whether the decoded head of path (plain or gzip) has fingerprint fp. */
static bool member_has_fp(const char *path, const struct mcp_fingerprint *fp)
{
    char err[MCP_ERRLEN] = "";
    struct mcp_reader *r;
    unsigned char buf[MCP_TAIL_FP_MAX];
    size_t got = 0;

    if (fp->len == 0 || (r = mcp_reader_open(path, err)) == NULL)
        return false;
    while (got < fp->len) {
        ssize_t n = mcp_reader_read(r, (char *)buf + got, fp->len - got, err);

        if (n <= 0)
            break;
        got += (size_t)n;
    }
    mcp_reader_close(r);
    if (got != fp->len)
        return false;
    return mcp_fnv1a(MCP_FNV1A_INIT, buf, got) == fp->hash;
}

static void start_fresh(struct mcp_follow *f, size_t fi)
{
    struct mcp_ffamily *ff = &f->fam[fi];
    uint64_t off = 0, lines = 0;
    int64_t ts = MCP_TIME_NONE;
    int fd;

    if (f->o.start == MCP_START_END &&
        (fd = mcp_open_regular(ff->path, NULL, NULL)) >= 0) {
        if (mcp_tail_find_end(fd, &off, &lines, &ts) != 0)
            off = lines = 0;
        close(fd);
    }
    ff->live = follow_open_live(f, fi, off, lines + 1, ts);
    if (ff->live == NULL && !ff->blocked)
        ff->missing_noted = true;
}

static int64_t mtime_ms(const char *path)
{
    struct stat st;

    if (stat(path, &st) != 0)
        return INT64_MIN;
    return (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
}

/* Resume a family from checkpointed positions: find each saved file by
 * identity (its fingerprint), at its name or among the rotated members,
 * plain or gzip, and read its rest. Members that match no saved position
 * are read in full when they were modified after the checkpoint was
 * written (they hold lines written while mcplog was down: a file created
 * and rotated meanwhile, or the new live file); older ones were read
 * before. Rotation numbers are not trusted for this: schemes differ. */
static void resume_family(struct mcp_follow *f, size_t fi,
                          const struct mcp_fpos *pos, size_t npos,
                          int64_t saved_wall, int64_t now)
{
    struct mcp_ffamily *ff = &f->fam[fi];
    size_t n = 0;
    struct follow_member *m = NULL;
    const struct mcp_fpos **at;
    long newest = -1;
    bool any = false;

    m = follow_list_members(ff, &n);
    at = mcp_calloc(n ? n : 1, sizeof(*at));
    for (size_t p = 0; p < npos; p++) {
        if (pos[p].family != fi)
            continue;
        any = true;
        /* A file that was empty has no fingerprint to be found by, and
         * nothing of it was read: what it holds now is new (below). */
        if (pos[p].fp.len == 0 && pos[p].offset == 0)
            continue;
        for (size_t i = 0; i < n; i++) {
            if (at[i] != NULL || !member_has_fp(m[i].path, &pos[p].fp))
                continue;
            at[i] = &pos[p];
            if ((long)i > newest)
                newest = (long)i;
            break;
        }
        if (newest < 0 || at[newest] != &pos[p]) {
            bool found = false;

            for (size_t i = 0; i < n; i++)
                found |= at[i] == &pos[p];
            if (!found)
                follow_notice(f, "%s (saved position %llu) is no longer there; "
                       "its unread rest is lost", pos[p].path,
                       (unsigned long long)pos[p].offset);
        }
    }
    if (!any) {
        free(at);
        follow_free_members(m, n);
        start_fresh(f, fi);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        bool live = m[i].cls == 2;
        uint64_t from = at[i] ? at[i]->offset : 0;
        uint64_t line = at[i] ? at[i]->line : 1;
        int64_t carry = at[i] ? at[i]->carry_ts : MCP_TIME_NONE;

        /* Not written since the checkpoint: read before. Not the live
         * file, which is followed whatever it holds. */
        if (at[i] == NULL && !live && mtime_ms(m[i].path) <= saved_wall)
            continue;
        if (m[i].gz) {
            read_whole(f, fi, m[i].path, from, line, carry);
            continue;
        }
        if (live) {
            ff->live = follow_open_live(f, fi, from, line, carry);
            continue;
        }
        struct mcp_tail *t = follow_open_tail(f, ff, m[i].path, from, line,
                                              carry);

        if (t != NULL)
            follow_add_drain(ff, t, now + f->o.grace_ms);
    }
    if (ff->live == NULL && !ff->blocked)
        ff->missing_noted = true;
    free(at);
    follow_free_members(m, n);
}

void mcp_follow_open(struct mcp_follow *f, const struct mcp_fpos *pos,
                     size_t npos, int64_t saved_wall, int64_t now)
{
    follow_watch_dirs(f);
    for (size_t fi = 0; fi < f->nfam; fi++) {
        if (f->fam[fi].tree) {
            follow_tree_look(f, fi, now, true);
            continue;
        }
        if (npos > 0)
            resume_family(f, fi, pos, npos, saved_wall, now);
        else
            start_fresh(f, fi);
        if (f->fam[fi].live == NULL && !f->fam[fi].blocked)
            follow_notice(f, "%s does not exist yet, waiting for it",
                   f->fam[fi].path);
    }
}

/* --- positions ------------------------------------------------------------- */

static void push_pos(struct mcp_fpos **v, size_t *n, uint32_t fi,
                     const struct mcp_tail *t, bool live)
{
    struct mcp_fpos *p;

    *v = mcp_realloc(*v, (*n + 1) * sizeof(**v));
    p = &(*v)[(*n)++];
    p->family = fi;
    p->path = mcp_strdup(t->path);
    p->dev = (uint64_t)t->dev;
    p->ino = (uint64_t)t->ino;
    p->fp = t->fp;
    p->offset = mcp_tail_consumed(t);
    p->line = mcp_framer_next_line(t->fr);
    p->carry_ts = MCP_TIME_NONE;
    p->live = live;
}

struct mcp_fpos *mcp_follow_positions(struct mcp_follow *f, size_t *n)
{
    struct mcp_fpos *v = NULL;

    *n = 0;
    for (size_t fi = 0; fi < f->nfam; fi++) {
        struct mcp_ffamily *ff = &f->fam[fi];

        if (ff->tree)
            continue; /* started afresh */
        for (size_t i = 0; i < ff->ndrain; i++)
            push_pos(&v, n, (uint32_t)fi, ff->drain[i], false);
        if (ff->live != NULL)
            push_pos(&v, n, (uint32_t)fi, ff->live, true);
    }
    return v;
}

void mcp_follow_free_positions(struct mcp_fpos *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(p[i].path);
    free(p);
}
