/* follow_tree.c - a client's folder tree followed as one family
 * (follow.h, clients.h): a client starts new files in new folders while
 * it runs (one connection log per process and server, a transcript per
 * session), so the tree is listed once a second and every file with
 * something new is read as a draining tail. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/util.h"
#include "input/clients.h"
#include "input/follow.h"
#include "input/follow_int.h"

struct found {
    char **rel;
    size_t n;
};

/* The files under dir/rel, depth levels of folders down, that the tree
 * reads (mcp_clients_tree_file), no dot entries, no symlinks. */
static void walk(const char *root, const char *rel, int depth, int tree,
                 struct found *out)
{
    char *dir = rel[0] ? follow_join(root, rel) : mcp_strdup(root);
    DIR *d = opendir(dir);
    struct dirent *de;

    free(dir);
    if (d == NULL)
        return;
    while ((de = readdir(d)) != NULL && out->n < MCP_FOLLOW_TREE_MAX) {
        char *r, *p;
        struct stat st;

        if (de->d_name[0] == '.')
            continue;
        r = rel[0] ? follow_join(rel, de->d_name) : mcp_strdup(de->d_name);
        p = follow_join(root, r);
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode) && depth > 0) {
            walk(root, r, depth - 1, tree, out);
        } else if (S_ISREG(st.st_mode) &&
                   mcp_clients_tree_file(tree, r, NULL, NULL)) {
            out->rel = mcp_realloc(out->rel, (out->n + 1) * sizeof(char *));
            out->rel[out->n++] = r;
            r = NULL;
        }
        free(p);
        free(r);
    }
    closedir(d);
}

static struct follow_tfile *find(struct mcp_ffamily *ff, dev_t dev,
                                 ino_t ino)
{
    for (size_t i = 0; i < ff->ntfiles; i++)
        if (ff->tfiles[i].dev == dev && ff->tfiles[i].ino == ino)
            return &ff->tfiles[i];
    return NULL;
}

/* Claude Desktop's mcp.log: the records of servers that have a log of
 * their own in the tree are dropped (that log holds them too). */
static void desktop_spans(struct mcp_tail *t, const struct found *fd)
{
    for (size_t i = 0; i < fd->n; i++) {
        char *srv = NULL;
        enum mcp_format fmt;

        if (mcp_clients_tree_file(MCP_TREE_DESKTOP, fd->rel[i], &fmt, &srv) &&
            fmt == MCP_FMT_DESKTOP_SERVER && srv != NULL)
            mcp_fmt_skip_span(t->fmt, srv, strlen(srv), INT64_MIN,
                              INT64_MAX);
        free(srv);
    }
}

static void open_file(struct mcp_follow *f, struct mcp_ffamily *ff,
                      const char *rel, const struct found *fd, uint64_t from,
                      int64_t now)
{
    char *path = follow_join(ff->dir, rel), *srv = NULL;
    enum mcp_format fmt = MCP_FMT_TEXT;
    struct mcp_tail *t;

    mcp_clients_tree_file(ff->tree, rel, &fmt, &srv);
    t = follow_open_tail(f, ff, path, from, 1, MCP_TIME_NONE);
    if (t != NULL) {
        mcp_tail_set_format(t, fmt, srv);
        if (fmt == MCP_FMT_DESKTOP)
            desktop_spans(t, fd);
        follow_add_drain(ff, t, now + f->o.grace_ms);
    }
    free(srv);
    free(path);
}

void follow_tree_look(struct mcp_follow *f, size_t fi, int64_t now,
                      bool first)
{
    struct mcp_ffamily *ff = &f->fam[fi];
    struct found fd = {NULL, 0};

    if (!first && now - ff->looked < 1000)
        return;
    ff->looked = now;
    walk(ff->dir, "", mcp_clients_tree_depth(ff->tree), ff->tree, &fd);
    for (size_t i = 0; i < fd.n; i++) {
        char *path = follow_join(ff->dir, fd.rel[i]);
        struct follow_tfile *tf;
        struct stat st;

        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
            follow_is_current(ff, st.st_dev, st.st_ino)) {
            free(path);
            continue;
        }
        free(path);
        tf = find(ff, st.st_dev, st.st_ino);
        if (tf != NULL) {
            if ((uint64_t)st.st_size > tf->offset)
                open_file(f, ff, fd.rel[i], &fd, tf->offset, now);
            else if ((uint64_t)st.st_size < tf->offset)
                tf->offset = 0; /* truncated: read again as it grows */
            continue;
        }
        if (ff->ntfiles == MCP_FOLLOW_TREE_MAX)
            continue;
        ff->tfiles = mcp_realloc(ff->tfiles,
                                 (ff->ntfiles + 1) * sizeof(*ff->tfiles));
        tf = &ff->tfiles[ff->ntfiles++];
        tf->dev = st.st_dev;
        tf->ino = st.st_ino;
        tf->offset = 0;
        if (first && f->o.start == MCP_START_END) {
            tf->offset = (uint64_t)st.st_size; /* like tail -F */
            continue;
        }
        if (!first)
            follow_notice(f, "client file %s appeared, reading it",
                          fd.rel[i]);
        open_file(f, ff, fd.rel[i], &fd, 0, now);
    }
    for (size_t i = 0; i < fd.n; i++)
        free(fd.rel[i]);
    free(fd.rel);
}

void follow_tree_closed(struct mcp_ffamily *ff, const struct mcp_tail *t)
{
    struct follow_tfile *tf = find(ff, t->dev, t->ino);

    if (tf != NULL)
        tf->offset = mcp_tail_consumed(t);
}
