/* follow_discover.c - a family's files in its folder: listing them by
 * the log set's naming rules, finding the rotated name of a tail whose
 * name moved, and discovering files that came and went between two looks
 * (several processes rotating one file, copytruncate). */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "input/follow.h"
#include "input/follow_int.h"
#include "input/logset.h"

static int cmp_member(const void *a, const void *b)
{
    const struct follow_member *x = a, *y = b;

    if (x->cls != y->cls)
        return x->cls < y->cls ? -1 : 1;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (int)x->gz - (int)y->gz;
}

struct follow_member *follow_list_members(const struct mcp_ffamily *ff,
                                          size_t *n)
{
    DIR *d = opendir(ff->dir);
    struct dirent *de;
    struct follow_member *m = NULL;

    *n = 0;
    if (d == NULL)
        return NULL;
    while ((de = readdir(d)) != NULL) {
        struct follow_member x;

        if (!mcp_logset_member(ff->base, de->d_name, &x.cls, &x.key, &x.gz))
            continue;
        x.path = follow_join(ff->dir, de->d_name);
        m = mcp_realloc(m, (*n + 1) * sizeof(*m));
        m[(*n)++] = x;
    }
    closedir(d);
    if (*n > 1)
        qsort(m, *n, sizeof(*m), cmp_member);
    return m;
}

void follow_free_members(struct follow_member *m, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(m[i].path);
    free(m);
}

void follow_relabel(struct mcp_ffamily *ff, struct mcp_tail *t)
{
    size_t n;
    struct follow_member *m = follow_list_members(ff, &n);
    struct mcp_buf b;

    if (m == NULL)
        n = 0;
    for (size_t i = 0; i < n; i++) {
        struct stat st;

        if (stat(m[i].path, &st) == 0 && st.st_dev == t->dev &&
            st.st_ino == t->ino) {
            free(t->path);
            t->path = mcp_strdup(m[i].path);
            follow_free_members(m, n);
            return;
        }
    }
    follow_free_members(m, n);
    if (strstr(t->path, " (deleted)") != NULL)
        return;
    mcp_buf_init(&b);
    mcp_buf_printf(&b, "%s (deleted)", t->path);
    free(t->path);
    t->path = mcp_buf_steal(&b);
}

bool follow_is_current(const struct mcp_ffamily *ff, dev_t dev, ino_t ino)
{
    if (ff->live != NULL && ff->live->dev == dev && ff->live->ino == ino)
        return true;
    for (size_t i = 0; i < ff->ndrain; i++)
        if (ff->drain[i]->dev == dev && ff->drain[i]->ino == ino)
            return true;
    return false;
}

void follow_discover(struct mcp_follow *f, size_t fi, int64_t now)
{
    struct mcp_ffamily *ff = &f->fam[fi];
    size_t n;
    struct follow_member *m;

    m = follow_list_members(ff, &n);
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        int fd;
        uint64_t from = 0;
        bool skip = false;

        if (m[i].gz || m[i].cls == 2 || stat(m[i].path, &st) != 0 ||
            !S_ISREG(st.st_mode) || follow_is_current(ff, st.st_dev, st.st_ino) ||
            st.st_mtime < f->start_wall)
            continue;
        fd = mcp_open_regular(m[i].path, &st, NULL);
        if (fd < 0)
            continue;
        for (size_t s = 0; s < f->nseen && !skip; s++) {
            const struct seen *sn = &f->seen[s];

            /* By content only: inode numbers are reused as soon as a
             * file is deleted, and a new file on an old inode must be
             * read from its start. */
            if (mcp_tail_fp_matches(fd, (uint64_t)st.st_size, &sn->fp)) {
                if ((uint64_t)st.st_size <= sn->consumed)
                    skip = true; /* nothing new in it */
                else if (sn->consumed > from)
                    from = sn->consumed;
            }
        }
        close(fd);
        if (skip)
            continue;
        struct mcp_tail *t = follow_open_tail(f, ff, m[i].path, from, from ? 0 : 1,
                                       MCP_TIME_NONE);
        if (t != NULL) {
            follow_notice(f, "reading %s from offset %llu (written while rotated "
                   "away)", m[i].path, (unsigned long long)from);
            follow_add_drain(ff, t, now + f->o.grace_ms);
        }
    }
    follow_free_members(m, n);
}
