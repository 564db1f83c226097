/* path.c - where mcplog's files are (path.h). */
#include "base/path.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"

#ifndef MCP_DATADIR
#define MCP_DATADIR "/usr/local/share/mcplog"
#endif

#define DIR_DEPTH 16

static bool is_dir(const char *p)
{
    struct stat st;

    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *mcp_path_rules_dir(void)
{
    static char buf[PATH_MAX + 16];
    const char *env = getenv("MCPLOG_DATADIR");
    char exe[PATH_MAX];
    ssize_t n;

    if (env != NULL && *env != '\0') {
        snprintf(buf, sizeof(buf), "%s/rules", env);
        return buf;
    }
    n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n > 0) {
        char *slash;

        exe[n] = '\0';
        slash = strrchr(exe, '/');
        if (slash != NULL) {
            *slash = '\0';
            snprintf(buf, sizeof(buf), "%s/rules", exe);
            if (is_dir(buf)) {
                char probe[PATH_MAX + 32];

                snprintf(probe, sizeof(probe), "%s/default.yaml", buf);
                if (access(probe, R_OK) == 0)
                    return buf;
            }
        }
    }
    snprintf(buf, sizeof(buf), "%s/rules", MCP_DATADIR);
    return buf;
}

bool mcp_path_xdg(const char *var, const char *fallback, const char *sub,
                  char *buf, size_t len)
{
    const char *xdg = getenv(var), *home = getenv("HOME");

    if (xdg != NULL && *xdg == '/')
        snprintf(buf, len, "%s/%s", xdg, sub);
    else if (home != NULL && *home != '\0')
        snprintf(buf, len, "%s/%s/%s", home, fallback, sub);
    else
        buf[0] = '\0';
    return buf[0] != '\0';
}

static bool is_tilde(const char *path)
{
    return path[0] == '~' && (path[1] == '\0' || path[1] == '/');
}

char *mcp_path_tilde(const char *path, char *err)
{
    const char *home;
    size_t hl;
    char *r;

    if (!is_tilde(path))
        return mcp_strdup(path);
    home = getenv("HOME");
    if (home == NULL || home[0] != '/') {
        mcp_errf(err, "%s: ~ needs $HOME set to an absolute path", path);
        return NULL;
    }
    hl = strlen(home);
    while (hl > 1 && home[hl - 1] == '/')
        hl--;
    r = mcp_malloc(hl + strlen(path + 1) + 1);
    memcpy(r, home, hl);
    strcpy(r + hl, path + 1);
    return r;
}

char *mcp_path_expand(const char *path)
{
    if (path == NULL || (path[0] != '/' && !is_tilde(path)))
        return NULL;
    return mcp_path_tilde(path, NULL);
}

static void walk(int dfd, dev_t dev, int depth, uint64_t *bytes)
{
    DIR *d = fdopendir(dfd);
    struct dirent *e;

    if (d == NULL) {
        close(dfd);
        return;
    }
    while ((e = readdir(d)) != NULL) {
        struct stat st;

        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue; /* gone meanwhile (rotation) */
        if (S_ISREG(st.st_mode)) {
            *bytes += (uint64_t)st.st_size;
        } else if (S_ISDIR(st.st_mode) && st.st_dev == dev &&
                   depth < DIR_DEPTH) {
            int sub = openat(dirfd(d), e->d_name,
                             O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

            if (sub >= 0)
                walk(sub, dev, depth + 1, bytes);
        }
    }
    closedir(d);
}

int mcp_dir_size(const char *dir, uint64_t *bytes, char *err)
{
    struct stat st;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    *bytes = 0;
    if (fd < 0 || fstat(fd, &st) != 0) {
        mcp_errf(err, "%s: %s", dir, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    walk(fd, st.st_dev, 0, bytes);
    return 0;
}
