/* follow.c - families, tails, rounds, rotations and draining. See
 * follow.h for the model; the watches are in follow_watch.c, the search
 * for rotated files in follow_discover.c, start and resume in
 * follow_resume.c. */
#include "input/follow.h"
#include "input/follow_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "input/reader.h"
#include "base/timeparse.h"
#include "base/util.h"

void follow_notice(struct mcp_follow *f, const char *fmt, ...)
{
    char msg[MCP_ERRLEN];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (f->notice != NULL)
        f->notice(msg, f->arg);
}

static char *dir_of(const char *path)
{
    const char *s = strrchr(path, '/');

    if (s == NULL)
        return mcp_strdup(".");
    if (s == path)
        return mcp_strdup("/");
    return mcp_strndup(path, (size_t)(s - path));
}

char *follow_join(const char *dir, const char *name)
{
    struct mcp_buf b;

    mcp_buf_init(&b);
    mcp_buf_printf(&b, "%s/%s", dir, name);
    return mcp_buf_steal(&b);
}

struct mcp_follow *mcp_follow_create(const struct mcp_logset *ls,
                                     const struct mcp_follow_opts *o,
                                     mcp_follow_chunk_fn chunk,
                                     mcp_notice_fn notice_fn,
                                     void *arg)
{
    struct mcp_follow *f = mcp_calloc(1, sizeof(*f));

    f->o = *o;
    f->chunk = chunk;
    f->notice = notice_fn;
    f->arg = arg;
    f->ifd = -1;
    f->start_wall = (int64_t)time(NULL);
    f->fam = mcp_calloc(ls->nfam ? ls->nfam : 1, sizeof(*f->fam));
    for (size_t i = 0; i < ls->nfam; i++) {
        const struct mcp_family *lf = &ls->families[i];
        const struct mcp_input *last = &ls->inputs[lf->first + lf->count - 1];
        struct mcp_ffamily *ff = &f->fam[f->nfam++];
        int cls;
        int64_t key;
        bool gz;

        ff->name = mcp_strdup(lf->name);
        ff->role = last->role;
        ff->role_name = mcp_strdup(last->role_name);
        ff->format = last->format;
        ff->server = last->server ? mcp_strdup(last->server) : NULL;
        ff->tree = last->tree;
        if (ff->tree) /* structured, whatever each file's format */
            ff->format = MCP_FMT_CC_JSONL;
        /* A tree's folder is its root. */
        ff->dir = ff->tree ? mcp_strdup(last->path) : dir_of(last->path);
        ff->known = mcp_logset_member(lf->name, last->base, &cls, &key, &gz);
        /* A known family follows its live name, even when only archives
         * were found; another file follows itself. */
        ff->path = ff->known ? follow_join(ff->dir, lf->name) : mcp_strdup(last->path);
        ff->base = mcp_strdup(strrchr(ff->path, '/') ? strrchr(ff->path, '/') + 1
                                                     : ff->path);
    }
    for (size_t i = 0; i < f->nfam; i++) {
        bool dup = false;

        for (size_t d = 0; d < f->ndirs; d++)
            if (strcmp(f->dirs[d], f->fam[i].dir) == 0)
                dup = true;
        if (!dup) {
            f->dirs = mcp_realloc(f->dirs, (f->ndirs + 1) * sizeof(char *));
            f->dirs[f->ndirs++] = f->fam[i].dir;
        }
    }
    f->dir_wd = mcp_calloc(f->ndirs ? f->ndirs : 1, sizeof(int));
    for (size_t d = 0; d < f->ndirs; d++)
        f->dir_wd[d] = -1;
    return f;
}

/* --- tails ----------------------------------------------------------------- */

static void seen_add(struct mcp_follow *f, const struct mcp_tail *t)
{
    struct seen *s = &f->seen[f->seen_next];

    s->dev = t->dev;
    s->ino = t->ino;
    s->fp = t->fp;
    s->consumed = mcp_tail_consumed(t);
    f->seen_next = (f->seen_next + 1) % SEEN_MAX;
    if (f->nseen < SEEN_MAX)
        f->nseen++;
}

struct mcp_tail *follow_open_tail(struct mcp_follow *f,
                                  const struct mcp_ffamily *ff,
                                  const char *path,
                                  uint64_t offset, uint64_t line,
                                  int64_t carry)
{
    char err[MCP_ERRLEN] = "";
    struct mcp_tail *t = mcp_tail_open(path, offset, line, carry,
                                       f->o.max_line, err);

    if (t == NULL) {
        if (errno != ENOENT)
            follow_notice(f, "%s", err);
        return NULL;
    }
    if (!ff->tree) /* a tree's files: each its own (follow_tree.c) */
        mcp_tail_set_format(t, ff->format, ff->server);
    follow_watch_tail(f, t);
    return t;
}

struct mcp_tail *follow_open_live(struct mcp_follow *f, size_t fi,
                                  uint64_t offset, uint64_t line,
                                  int64_t carry)
{
    struct mcp_ffamily *ff = &f->fam[fi];
    char err[MCP_ERRLEN] = "";
    struct mcp_tail *t = mcp_tail_open(ff->path, offset, line, carry,
                                       f->o.max_line, err);
    int e = errno;
    struct stat st;

    if (t != NULL) {
        mcp_tail_set_format(t, ff->format, ff->server);
        follow_watch_tail(f, t);
        /* Another object than the one refused (an inode number is
         * reused at once: the type tells a FIFO from its successor). */
        if (ff->missing_noted ||
            (ff->blocked && (t->dev != ff->blocked_dev ||
                             t->ino != ff->blocked_ino ||
                             ff->blocked_type != S_IFREG)))
            follow_notice(f, "%s appeared, reading it", ff->base);
        else if (ff->blocked)
            follow_notice(f, "%s can be read now, reading it", ff->base);
        ff->missing_noted = ff->blocked = false;
        return t;
    }
    if (e == ENOENT)
        return NULL;
    if (stat(ff->path, &st) != 0)
        memset(&st, 0, sizeof(st));
    if (!ff->blocked || st.st_dev != ff->blocked_dev ||
        st.st_ino != ff->blocked_ino ||
        (st.st_mode & S_IFMT) != ff->blocked_type || e != ff->blocked_errno)
        follow_notice(f, "%s, not followed", err);
    ff->blocked = true;
    ff->missing_noted = false;
    ff->blocked_dev = st.st_dev;
    ff->blocked_ino = st.st_ino;
    ff->blocked_type = st.st_mode & S_IFMT;
    ff->blocked_errno = e;
    return NULL;
}

static void close_tail(struct mcp_follow *f, struct mcp_ffamily *ff,
                       struct mcp_tail *t)
{
    struct stat st;

    /* What it holds past what was read is lost: counted, should stay 0. */
    if (fstat(t->fd, &st) == 0 && (uint64_t)st.st_size > t->pos)
        ff->unread_bytes += (uint64_t)st.st_size - t->pos;
    follow_unwatch_tail(f, t);
    /* Its fingerprint is of what it held when opened (nothing, for a live
     * file rotated away at once): take it from what it holds now, or a
     * later look through the folder cannot tell it was read. */
    mcp_tail_refresh_fp(t);
    seen_add(f, t);
    mcp_tail_close(t);
}

void follow_add_drain(struct mcp_ffamily *ff, struct mcp_tail *t,
                      int64_t deadline)
{
    t->draining = true;
    t->deadline = deadline;
    ff->drain = mcp_realloc(ff->drain, (ff->ndrain + 1) * sizeof(*ff->drain));
    ff->drain[ff->ndrain++] = t;
}

/* Deliver what t has now, within the round's budget, MCP_FOLLOW_SLICE
 * bytes at a time: past the round's deadline the budget is spent (the
 * round is cut), so that input slow to handle (a flood of tiny lines,
 * each one shown) still lets the event loop turn in time. */
static void read_tail(struct mcp_follow *f, size_t fi, struct mcp_tail *t)
{
    struct mcp_chunk c;
    char err[MCP_ERRLEN] = "";
    int rc = 0;

    while (f->budget > 0) {
        size_t slice = f->budget < MCP_FOLLOW_SLICE ? f->budget
                                                    : MCP_FOLLOW_SLICE;

        t->budget = slice;
        while ((rc = mcp_tail_next(t, &c, err)) == 1)
            f->chunk(&c, &f->fam[fi], (uint32_t)fi, t->path, f->arg);
        f->budget -= slice - t->budget;
        if (rc < 0 || t->budget > 0)
            break; /* a read error, or all there is for now */
        if (mcp_mono_ms() >= f->deadline) {
            f->budget = 0;
            f->cut = true;
        }
    }
    if (rc < 0)
        follow_notice(f, "%s", err);
}

/* --- a round ---------------------------------------------------------------- */

/* copytruncate or an overwrite: what was appended after our last read is
 * in the copy, if there is one (found by the old content's fingerprint
 * and read from where we were); then the file is read from its start. */
static void truncated(struct mcp_follow *f, size_t fi, int64_t now)
{
    struct mcp_ffamily *ff = &f->fam[fi];

    follow_notice(f, "%s was truncated, reading it from the start",
                  ff->base);
    ff->truncations++;
    seen_add(f, ff->live);
    mcp_tail_rewind(ff->live);
    follow_discover(f, fi, now);
}

static void check_family(struct mcp_follow *f, size_t fi, int64_t now)
{
    struct mcp_ffamily *ff = &f->fam[fi];
    struct stat st;
    /* Anything at the name; what is not a regular file is refused (once)
     * by follow_open_live. */
    bool exists = stat(ff->path, &st) == 0;

    if (ff->tree) {
        follow_tree_look(f, fi, now, false);
        return;
    }
    if (ff->live != NULL && exists &&
        (st.st_dev != ff->live->dev || st.st_ino != ff->live->ino)) {
        /* Another file holds the name: read the old one to its end while
         * the grace period lasts, the new one from its start. */
        follow_notice(f, "%s was rotated, reopening", ff->base);
        ff->rotations++;
        follow_relabel(ff, ff->live);
        follow_add_drain(ff, ff->live, now + f->o.grace_ms);
        ff->live = follow_open_live(f, fi, 0, 1, MCP_TIME_NONE);
        follow_discover(f, fi, now);
    } else if (ff->live != NULL && !exists) {
        follow_notice(f, "%s is gone (renamed or deleted), waiting for it",
               ff->base);
        ff->rotations++;
        follow_relabel(ff, ff->live);
        follow_add_drain(ff, ff->live, now + f->o.grace_ms);
        ff->live = NULL;
        ff->missing_noted = true;
    } else if (ff->live == NULL && exists) {
        ff->live = follow_open_live(f, fi, 0, 1, MCP_TIME_NONE);
        if (ff->live != NULL)
            follow_discover(f, fi, now);
    } else if (ff->live == NULL && ff->blocked) {
        /* What could not be followed went away: wait for a file. */
        ff->blocked = false;
        ff->missing_noted = true;
    } else if (ff->live != NULL && mcp_tail_truncated(ff->live)) {
        truncated(f, fi, now);
    } else if (ff->live != NULL) {
        mcp_tail_refresh_fp(ff->live);
    }
}

static void close_drained(struct mcp_follow *f, size_t fi, int64_t now)
{
    struct mcp_ffamily *ff = &f->fam[fi];
    size_t k = 0;

    for (size_t i = 0; i < ff->ndrain; i++) {
        struct mcp_tail *t = ff->drain[i];

        if (t->grown > 0) {
            t->deadline = now + f->o.grace_ms;
            t->grown = 0;
        }
        if (now >= t->deadline && f->budget > 0) {
            /* Done: a last line without its newline is delivered now. */
            mcp_tail_finish(t);
            read_tail(f, fi, t);
            if (ff->tree)
                follow_tree_closed(ff, t);
            close_tail(f, ff, t);
            continue;
        }
        ff->drain[k++] = t;
    }
    ff->ndrain = k;
}

size_t mcp_follow_round(struct mcp_follow *f, int64_t now, int64_t deadline)
{
    follow_watch_dirs(f);
    f->budget = MCP_FOLLOW_BATCH;
    f->deadline = deadline;
    f->cut = false;
    for (size_t fi = 0; fi < f->nfam; fi++) {
        struct mcp_ffamily *ff = &f->fam[fi];

        /* Truncation first: reading a file that was truncated and has
         * grown again would take the new content from the old offset,
         * and the old content's rest from the wrong place. */
        if (ff->live != NULL && mcp_tail_truncated(ff->live))
            truncated(f, fi, now);
        for (size_t i = 0; i < ff->ndrain; i++) {
            read_tail(f, fi, ff->drain[i]);
            /* Read to its end: its buffer pages are not needed while it
             * waits out its grace period. */
            if (f->budget > 0)
                mcp_tail_trim(ff->drain[i]);
        }
        if (ff->live != NULL)
            read_tail(f, fi, ff->live);
        if (ff->live != NULL)
            ff->live->grown = 0;
        check_family(f, fi, now);
        /* What a rotation or truncation just brought in is read at once:
         * files found by discovery (the older lines) before the live file
         * that appeared or was rewound. */
        for (size_t i = 0; i < ff->ndrain; i++) {
            read_tail(f, fi, ff->drain[i]);
            /* Read to its end: its buffer pages are not needed while it
             * waits out its grace period. */
            if (f->budget > 0)
                mcp_tail_trim(ff->drain[i]);
        }
        if (ff->live != NULL)
            read_tail(f, fi, ff->live);
        close_drained(f, fi, now);
    }
    return f->cut ? MCP_FOLLOW_BATCH : MCP_FOLLOW_BATCH - f->budget;
}

struct mcp_ffamily *mcp_follow_families(struct mcp_follow *f, size_t *n)
{
    *n = f->nfam;
    return f->fam;
}

const char *const *mcp_follow_dirs(struct mcp_follow *f, size_t *n)
{
    *n = f->ndirs;
    return (const char *const *)f->dirs;
}

void mcp_follow_trim(struct mcp_follow *f)
{
    for (size_t fi = 0; fi < f->nfam; fi++) {
        struct mcp_ffamily *ff = &f->fam[fi];

        if (ff->live != NULL)
            mcp_tail_trim(ff->live);
        for (size_t i = 0; i < ff->ndrain; i++)
            mcp_tail_trim(ff->drain[i]);
    }
}

void mcp_follow_destroy(struct mcp_follow *f)
{
    if (f == NULL)
        return;
    for (size_t fi = 0; fi < f->nfam; fi++) {
        struct mcp_ffamily *ff = &f->fam[fi];

        for (size_t i = 0; i < ff->ndrain; i++)
            mcp_tail_close(ff->drain[i]);
        free(ff->drain);
        mcp_tail_close(ff->live);
        free(ff->name);
        free(ff->path);
        free(ff->dir);
        free(ff->base);
        free(ff->role_name);
        free(ff->server);
        free(ff->tfiles);
    }
    if (f->ifd >= 0)
        close(f->ifd);
    free(f->fam);
    free(f->dirs);
    free(f->dir_wd);
    free(f);
}
