/* file.c - the JSON-lines file sink: one line per alert transition,
 * appended with one write(2) (O_APPEND, so several mcplog processes may
 * share a file), with an fsync policy.
 *
 * The file is reopened when it was moved or deleted (logrotate), found by
 * comparing the open file's identity with the path's on every emit. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/path.h"
#include "sinks/sink.h"
#include "base/util.h"

struct file_ctx {
    char *path;
    char *fsync_mode;   /* never | always | batch */
    char *mode_text;    /* permission bits of a new file, octal */
    mode_t mode;
    int fd;
    bool dirty;         /* written since the last fsync (batch) */
};

static const struct mcp_opt opts[] = {
    MCP_OPT("path", MCP_OPT_STR, NULL, true, offsetof(struct file_ctx, path),
            "the file to append to (created when missing; ~/ is $HOME)"),
    MCP_OPT("fsync", MCP_OPT_STR, "batch", false,
            offsetof(struct file_ctx, fsync_mode),
            "never | always (after every line) | batch (when the queue is "
            "empty)"),
    MCP_OPT("mode", MCP_OPT_STR, "0600", false,
            offsetof(struct file_ctx, mode_text),
            "permission bits of a new file, in octal"),
    {0},
};

static int open_file(struct file_ctx *c, char *err)
{
    c->fd = open(c->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
                 (mode_t)c->mode);
    if (c->fd < 0) {
        mcp_errf(err, "%s: %s", c->path, strerror(errno));
        return -1;
    }
    return 0;
}

static int init(void *ctx, const char *instance, char *err)
{
    struct file_ctx *c = ctx;

    (void)instance;
    c->fd = -1;
    /* "~/..." is under $HOME, as in a shell. */
    {
        char *full = mcp_path_tilde(c->path, err);

        if (full == NULL)
            return -1;
        free(c->path);
        c->path = full;
    }
    if (strcmp(c->fsync_mode, "never") != 0 &&
        strcmp(c->fsync_mode, "always") != 0 &&
        strcmp(c->fsync_mode, "batch") != 0) {
        mcp_errf(err, "fsync: '%s' is not never, always or batch",
                 c->fsync_mode);
        return -1;
    }
    {
        char *end;
        long m = strtol(c->mode_text, &end, 8);

        if (*c->mode_text == '\0' || *end != '\0' || m < 0 || m > 07777) {
            mcp_errf(err, "mode: '%s' is not an octal permission mode",
                     c->mode_text);
            return -1;
        }
        c->mode = (mode_t)m;
    }
    return open_file(c, err);
}

/* Whether the open file is still the one at path. */
static bool same_file(const struct file_ctx *c)
{
    struct stat a, b;

    if (fstat(c->fd, &a) != 0 || stat(c->path, &b) != 0)
        return false;
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static enum mcp_sink_result emit(void *ctx, const struct mcp_sink_alert *a,
                                 char *err)
{
    struct file_ctx *c = ctx;
    struct mcp_buf b;
    ssize_t w;

    if (c->fd >= 0 && !same_file(c)) {
        close(c->fd);
        c->fd = -1;
    }
    if (c->fd < 0 && open_file(c, err) != 0)
        return MCP_SINK_RETRY;
    mcp_buf_init(&b);
    mcp_sink_alert_json(&b, a);
    mcp_buf_putc(&b, '\n');
    do {
        w = write(c->fd, b.data, b.len);
    } while (w < 0 && errno == EINTR);
    if (w != (ssize_t)b.len) {
        /* A short append (disk full) leaves part of a line: the next
         * line starts on a fresh one so readers can skip the part. */
        mcp_errf(err, "%s: %s", c->path,
                 w < 0 ? strerror(errno) : "short write");
        if (w > 0)
            (void)!write(c->fd, "\n", 1);
        mcp_buf_free(&b);
        return MCP_SINK_RETRY;
    }
    mcp_buf_free(&b);
    c->dirty = true;
    if (strcmp(c->fsync_mode, "always") == 0) {
        if (fsync(c->fd) != 0) {
            mcp_errf(err, "%s: fsync: %s", c->path, strerror(errno));
            return MCP_SINK_FAIL; /* the line is written; do not repeat it */
        }
        c->dirty = false;
    }
    return MCP_SINK_OK;
}

static void flush(void *ctx)
{
    struct file_ctx *c = ctx;

    if (c->fd >= 0 && c->dirty && strcmp(c->fsync_mode, "never") != 0)
        (void)fsync(c->fd);
    c->dirty = false;
}

static void destroy(void *ctx)
{
    struct file_ctx *c = ctx;

    flush(c);
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}

static void target(const void *ctx, char *buf, size_t len)
{
    snprintf(buf, len, "%s", ((const struct file_ctx *)ctx)->path);
}

const struct mcp_sink_ops mcp_sink_file = {
    .name = "file",
    .help = "append one JSON line per alert transition to a file",
    .opts = opts,
    .ctx_size = sizeof(struct file_ctx),
    .init = init,
    .emit = emit,
    .flush = flush,
    .destroy = destroy,
    .target = target,
};
