/* state.c - checkpoints: write atomically, read strictly. */
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/timeparse.h"
#include "base/util.h"

#define HEADER "mcplog-state 1\n"

int mcp_state_claim(const char *path, char *err)
{
    struct mcp_buf lp;
    struct stat st;
    char pid[32];
    int fd = -1, n;

    if (stat(path, &st) == 0 && !mcp_is_regular(&st, path, err))
        return -1;
    if (mcp_state_check_dir(path, true, err) != 0)
        return -1;
    mcp_buf_init(&lp);
    mcp_buf_printf(&lp, "%s.lock", path);
    fd = open(lp.data, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
              0600);
    if (fd < 0 || fstat(fd, &st) != 0 || !mcp_is_regular(&st, lp.data, err)) {
        mcp_errf(err, "%s: %s", lp.data, strerror(errno));
        goto fail;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        ssize_t got = errno == EWOULDBLOCK ? pread(fd, pid, sizeof(pid) - 1, 0)
                                           : -1;
        long other = 0;

        if (got < 0) {
            mcp_errf(err, "%s: %s", lp.data, strerror(errno));
            goto fail;
        }
        pid[got] = '\0';
        other = strtol(pid, NULL, 10);
        if (other > 0)
            mcp_errf(err, "checkpoint %s is in use by another mcplog follow "
                     "(pid %ld)", path, other);
        else
            mcp_errf(err, "checkpoint %s is in use by another mcplog follow",
                     path);
        goto fail;
    }
    n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
        mcp_errf(err, "%s: %s", lp.data, strerror(errno));
        goto fail;
    }
    mcp_buf_free(&lp);
    return fd;
fail:
    if (fd >= 0)
        close(fd);
    mcp_buf_free(&lp);
    return -1;
}

int mcp_state_save(const char *path, const struct mcp_fpos *pos,
                   size_t npos, const struct mcp_ffamily *fams,
                   const char *engine, size_t engine_len, bool sync,
                   char *err)
{
    struct mcp_buf b;
    int rc = -1;

    mcp_buf_init(&b);
    mcp_buf_puts(&b, HEADER);
    {
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        mcp_buf_printf(&b, "saved %lld\n",
                       (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
    }
    for (size_t i = 0; i < npos; i++) {
        mcp_buf_puts(&b, "pos ");
        mcp_buf_escape(&b, fams[pos[i].family].path,
                       strlen(fams[pos[i].family].path));
        mcp_buf_putc(&b, ' ');
        mcp_buf_escape(&b, pos[i].path, strlen(pos[i].path));
        mcp_buf_printf(&b, " %" PRIu64 " %" PRIu64 " %u %016" PRIx64
                       " %" PRIu64 " %" PRIu64 " %d\n", pos[i].dev,
                       pos[i].ino, pos[i].fp.len, pos[i].fp.hash,
                       pos[i].offset, pos[i].line, pos[i].live ? 1 : 0);
    }
    if (engine_len > 0)
        mcp_buf_append(&b, engine, engine_len);
    mcp_buf_printf(&b, "end %016" PRIx64 "\n", mcp_fnv1a(MCP_FNV1A_INIT, b.data, b.len));

    if (mcp_state_mkdirs(path) != 0)
        mcp_errf(err, "%s: cannot create its folder: %s", path,
                 strerror(errno));
    else
        rc = mcp_state_replace(path, b.data, b.len, sync, err);
    mcp_buf_free(&b);
    return rc;
}

static int parse_pos(struct mcp_state *st, char *line)
{
    char *f[10];
    int n = 0;
    struct mcp_fpos *p;

    for (char *tok = strtok(line, " "); tok && n < 10; tok = strtok(NULL, " "))
        f[n++] = tok;
    if (n != 10)
        return -1;
    st->pos = mcp_realloc(st->pos, (st->npos + 1) * sizeof(*st->pos));
    st->fam_path = mcp_realloc(st->fam_path,
                               (st->npos + 1) * sizeof(*st->fam_path));
    p = &st->pos[st->npos];
    memset(p, 0, sizeof(*p));
    st->fam_path[st->npos] = mcp_unescape(f[1], strlen(f[1]), NULL);
    p->path = mcp_unescape(f[2], strlen(f[2]), NULL);
    st->npos++;
    p->dev = strtoull(f[3], NULL, 10);
    p->ino = strtoull(f[4], NULL, 10);
    p->fp.len = (uint32_t)strtoul(f[5], NULL, 10);
    p->fp.hash = strtoull(f[6], NULL, 16);
    p->offset = strtoull(f[7], NULL, 10);
    p->line = strtoull(f[8], NULL, 10);
    p->live = f[9][0] == '1';
    p->carry_ts = MCP_TIME_NONE;
    return p->fp.len > 1024 || p->line == 0 ? -1 : 0;
}

int mcp_state_load(const char *path, struct mcp_state *st, char *err)
{
    struct mcp_buf all;
    char buf[65536];
    ssize_t n;
    char *p, *end, *tail;
    uint64_t want;
    struct stat sb;
    char why[MCP_ERRLEN] = "";
    int fd;

    memset(st, 0, sizeof(*st));
    mcp_buf_init(&st->engine);
    mcp_buf_init(&all);
    fd = mcp_open_regular(path, &sb, why);
    if (fd < 0) {
        if (errno == ENOENT)
            return 0; /* no checkpoint yet */
        mcp_errf(err, "%s", why);
        return -1;
    }
    /* Capped: never more than MCP_STATE_MAX in memory, even when the
     * file grows while it is read. */
    while ((uint64_t)sb.st_size <= MCP_STATE_MAX && all.len <= MCP_STATE_MAX &&
           (n = read(fd, buf, sizeof(buf))) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            mcp_errf(err, "%s: %s", path, strerror(errno));
            close(fd);
            goto bad;
        }
        mcp_buf_append(&all, buf, (size_t)n);
    }
    close(fd);
    if ((uint64_t)sb.st_size > MCP_STATE_MAX || all.len > MCP_STATE_MAX) {
        mcp_errf(err, "%s: too large (over %d MiB)", path,
                 MCP_STATE_MAX >> 20);
        goto bad;
    }
    if (all.len < strlen(HEADER) || memcmp(all.data, HEADER, strlen(HEADER))) {
        mcp_errf(err, "%s: not an mcplog state file (version 1)", path);
        goto bad;
    }
    /* The last line must be "end <hash>" over everything before it. */
    tail = all.len >= 2 ? memrchr(all.data, '\n', all.len - 1) : NULL;
    if (tail == NULL || strncmp(tail + 1, "end ", 4) != 0 ||
        all.data[all.len - 1] != '\n') {
        mcp_errf(err, "%s: truncated (no end line)", path);
        goto bad;
    }
    want = strtoull(tail + 5, NULL, 16);
    if (mcp_fnv1a(MCP_FNV1A_INIT, all.data, (size_t)(tail + 1 - all.data)) != want) {
        mcp_errf(err, "%s: damaged (checksum mismatch)", path);
        goto bad;
    }
    p = all.data + strlen(HEADER);
    end = tail + 1;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));

        *nl = '\0';
        if (strncmp(p, "pos ", 4) == 0) {
            if (parse_pos(st, p) != 0) {
                mcp_errf(err, "%s: damaged position record", path);
                goto bad;
            }
        } else if (strncmp(p, "saved ", 6) == 0) {
            st->saved = strtoll(p + 6, NULL, 10);
        } else if (strncmp(p, "engine ", 7) == 0) {
            mcp_buf_append(&st->engine, p, strlen(p));
            mcp_buf_putc(&st->engine, '\n');
        } else if (*p != '\0') {
            mcp_errf(err, "%s: unknown record '%.20s'", path, p);
            goto bad;
        }
        p = nl + 1;
    }
    mcp_buf_free(&all);
    return 1;
bad:
    mcp_buf_free(&all);
    mcp_state_free(st);
    return -1;
}

void mcp_state_free(struct mcp_state *st)
{
    for (size_t i = 0; i < st->npos; i++) {
        free(st->pos[i].path);
        free(st->fam_path[i]);
    }
    free(st->pos);
    free(st->fam_path);
    mcp_buf_free(&st->engine);
    memset(st, 0, sizeof(*st));
    mcp_buf_init(&st->engine);
}
