/* statedir.c - the state folder and atomic file replacement
 * (statedir.h). */
#include "base/statedir.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/path.h"
#include "base/util.h"

const char *mcp_state_default_path(void)
{
    static char buf[PATH_MAX];

    /* Without a home, the current folder's .local/state. */
    if (!mcp_path_xdg("XDG_STATE_HOME", ".local/state", "mcplog/state", buf,
                      sizeof(buf)))
        snprintf(buf, sizeof(buf), "./.local/state/mcplog/state");
    return buf;
}

int mcp_state_mkdirs(const char *path)
{
    char tmp[PATH_MAX];

    snprintf(tmp, sizeof(tmp), "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return 0;
}

/* The folder part of path ("." when there is none). */
static char *dir_of(const char *path)
{
    const char *s = strrchr(path, '/');

    if (s == NULL)
        return mcp_strdup(".");
    return mcp_strndup(path, s == path ? 1 : (size_t)(s - path));
}

int mcp_state_check_dir(const char *path, bool create, char *err)
{
    char *dir = dir_of(path);
    struct stat st;
    int rc = -1;

    if (create && mcp_state_mkdirs(path) != 0) {
        mcp_errf(err, "%s: cannot create its folder: %s", path,
                 strerror(errno));
    } else if (stat(dir, &st) != 0) {
        if (errno == ENOENT && !create)
            rc = 0; /* nothing there to read */
        else
            mcp_errf(err, "%s: %s", dir, strerror(errno));
    } else if (!S_ISDIR(st.st_mode)) {
        mcp_errf(err, "%s: not a folder", dir);
    } else if (st.st_uid != geteuid()) {
        mcp_errf(err, "%s: the state folder belongs to uid %u, not to uid "
                 "%u; refusing it", dir, (unsigned)st.st_uid,
                 (unsigned)geteuid());
    } else if (st.st_mode & (S_IWGRP | S_IWOTH)) {
        mcp_errf(err, "%s: the state folder is writable by group or others "
                 "(mode %o); refusing it", dir,
                 (unsigned)(st.st_mode & 07777));
    } else {
        rc = 0;
    }
    free(dir);
    return rc;
}

int mcp_state_replace(const char *path, const char *data, size_t len,
                      bool sync, char *err)
{
    return mcp_state_replace_mode(path, data, len, sync, 0600, err);
}

int mcp_state_replace_mode(const char *path, const char *data, size_t len,
                           bool sync, unsigned mode, char *err)
{
    struct mcp_buf tp;
    int fd = -1, rc = -1;
    size_t off = 0;

    mcp_buf_init(&tp);
    mcp_buf_printf(&tp, "%s.tmp", path);
    /* A new file, never one found there: a leftover of a crash is removed
     * (this process holds the lock that makes it the only writer), and so
     * is a link someone planted, without writing through it. */
    for (int i = 0; i < 2 && fd < 0; i++) {
        fd = open(tp.data, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
                               O_CLOEXEC, (mode_t)mode);
        if (fd < 0 && (errno != EEXIST || unlink(tp.data) != 0))
            break;
    }
    if (fd < 0 || fchmod(fd, (mode_t)mode) != 0) {
        mcp_errf(err, "%s: %s", tp.data, strerror(errno));
        goto out;
    }
    while (off < len) {
        ssize_t n = write(fd, data + off, len - off);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            mcp_errf(err, "%s: %s", tp.data, strerror(errno));
            goto out;
        }
        off += (size_t)n;
    }
    if (sync && fsync(fd) != 0) {
        mcp_errf(err, "%s: fsync: %s", tp.data, strerror(errno));
        goto out;
    }
    if (close(fd) != 0) {
        fd = -1;
        mcp_errf(err, "%s: %s", tp.data, strerror(errno));
        goto out;
    }
    fd = -1;
    if (rename(tp.data, path) != 0) {
        mcp_errf(err, "%s: rename: %s", path, strerror(errno));
        goto out;
    }
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    if (rc != 0)
        unlink(tp.data);
    mcp_buf_free(&tp);
    return rc;
}
