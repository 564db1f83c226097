/* silence.c - the silences file (see silence.h). */
#include "silence.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state.h"
#include "util.h"

#define MAX_FILE (4 * 1024 * 1024)

char *mcp_silence_path(const char *state_path)
{
    struct mcp_buf b;

    mcp_buf_init(&b);
    mcp_buf_printf(&b, "%s.silences", state_path);
    return mcp_buf_steal(&b);
}

void mcp_silence_free(struct mcp_silence *sl)
{
    free(sl->rule);
    for (int i = 0; i < sl->nlabels; i++) {
        free(sl->label_name[i]);
        free(sl->label_value[i]);
    }
    free(sl->comment);
    memset(sl, 0, sizeof(*sl));
}

static void clear(struct mcp_silences *s)
{
    for (size_t i = 0; i < s->n; i++)
        mcp_silence_free(&s->v[i]);
    free(s->v);
    s->v = NULL;
    s->n = 0;
}

void mcp_silences_free(struct mcp_silences *s)
{
    clear(s);
    free(s->path);
    memset(s, 0, sizeof(*s));
}

/* Split line into space-separated tokens (in place). */
static int split(char *line, char **tok, int max)
{
    int n = 0;

    for (char *p = strtok(line, " "); p != NULL && n < max;
         p = strtok(NULL, " "))
        tok[n++] = p;
    return n;
}

static char *field(const char *t)
{
    size_t len;
    char *v = mcp_unescape(t, strlen(t), &len);

    if (memchr(v, '\0', len) != NULL) { /* no NUL in a silence */
        free(v);
        return NULL;
    }
    return v;
}

static bool parse_line(char *line, struct mcp_silence *sl)
{
    char *tok[8 + 2 * MCP_RULE_MAX_GROUP + 1], *end;
    int n = split(line, tok, (int)(sizeof(tok) / sizeof(tok[0])));
    long nl;

    memset(sl, 0, sizeof(*sl));
    if (n < 7 || strcmp(tok[0], "silence") != 0 || strlen(tok[1]) > 16)
        return false;
    nl = strtol(tok[5], &end, 10);
    if (*end != '\0' || nl < 0 || nl > MCP_RULE_MAX_GROUP || n != 7 + 2 * nl)
        return false;
    snprintf(sl->id, sizeof(sl->id), "%s", tok[1]);
    sl->created = strtoll(tok[2], NULL, 10);
    sl->ends = strtoll(tok[3], NULL, 10);
    sl->rule = field(tok[4]);
    sl->comment = field(tok[6 + 2 * nl]);
    for (long i = 0; i < nl; i++) {
        sl->label_name[i] = field(tok[6 + 2 * i]);
        sl->label_value[i] = field(tok[7 + 2 * i]);
        sl->nlabels = (int)i + 1;
        if (sl->label_name[i] == NULL || sl->label_value[i] == NULL)
            break;
    }
    for (int i = 0; i < sl->nlabels; i++)
        if (sl->label_name[i] == NULL || sl->label_value[i] == NULL) {
            mcp_silence_free(sl);
            return false;
        }
    if (sl->rule == NULL || sl->comment == NULL) {
        mcp_silence_free(sl);
        return false;
    }
    return true;
}

/* Parse the content of a silences file into a fresh list. */
static void parse(struct mcp_silences *s, char *data)
{
    char *save = NULL;

    for (char *line = strtok_r(data, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        struct mcp_silence sl;

        if (!parse_line(line, &sl))
            continue;
        s->v = mcp_realloc(s->v, (s->n + 1) * sizeof(*s->v));
        s->v[s->n++] = sl;
    }
}

/* Read fd's content (at most MAX_FILE bytes). */
static char *slurp(int fd, char *err, const char *path)
{
    struct mcp_buf b;
    char tmp[65536];
    ssize_t r;

    mcp_buf_init(&b);
    while ((r = read(fd, tmp, sizeof(tmp))) != 0) {
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 || b.len + (size_t)r > MAX_FILE) {
            mcp_errf(err, "%s: %s", path, r < 0 ? strerror(errno)
                                               : "too large (over 4 MiB)");
            mcp_buf_free(&b);
            return NULL;
        }
        mcp_buf_append(&b, tmp, (size_t)r);
    }
    if (b.data == NULL)
        mcp_buf_putc(&b, '\0'), b.len = 0;
    return mcp_buf_steal(&b);
}

int mcp_silences_load(struct mcp_silences *s, const char *path, char *err)
{
    int fd;
    struct stat st;
    char *data, why[MCP_ERRLEN] = "";

    memset(s, 0, sizeof(*s));
    memset(&st, 0, sizeof(st));
    s->path = mcp_strdup(path);
    fd = mcp_open_regular(path, &st, why); /* a FIFO must not block */
    s->dev = st.st_dev;
    s->ino = st.st_ino;
    s->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    if (fd < 0 && errno == ENOENT)
        return 0; /* no silences */
    if (fd < 0)
        mcp_errf(err, "%s", why);
    if (fd < 0 || (data = slurp(fd, err, path)) == NULL) {
        if (fd >= 0)
            close(fd);
        s->failed = true;
        return -1;
    }
    close(fd);
    s->present = true;
    parse(s, data);
    free(data);
    return 0;
}

int mcp_silences_refresh(struct mcp_silences *s, char *err)
{
    struct stat st;
    struct mcp_silences fresh;
    bool exists = stat(s->path, &st) == 0;

    if (!exists && !s->present)
        return 0;
    /* Unchanged since read, or since it failed (said once). */
    if (exists && (s->present || s->failed) && st.st_dev == s->dev &&
        st.st_ino == s->ino &&
        (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec ==
            s->mtime_ns)
        return 0;
    if (mcp_silences_load(&fresh, s->path, err) != 0) {
        s->dev = fresh.dev; /* the old set stays; this file is not retried */
        s->ino = fresh.ino;
        s->mtime_ns = fresh.mtime_ns;
        s->failed = true;
        mcp_silences_free(&fresh);
        return -1;
    }
    mcp_silences_free(s);
    *s = fresh;
    return 1;
}

static void write_one(struct mcp_buf *b, const struct mcp_silence *sl)
{
    mcp_buf_printf(b, "silence %s %lld %lld ", sl->id, (long long)sl->created,
                   (long long)sl->ends);
    mcp_buf_escape(b, sl->rule, strlen(sl->rule));
    mcp_buf_printf(b, " %d", sl->nlabels);
    for (int i = 0; i < sl->nlabels; i++) {
        mcp_buf_putc(b, ' ');
        mcp_buf_escape(b, sl->label_name[i], strlen(sl->label_name[i]));
        mcp_buf_putc(b, ' ');
        mcp_buf_escape(b, sl->label_value[i], strlen(sl->label_value[i]));
    }
    mcp_buf_putc(b, ' ');
    mcp_buf_escape(b, sl->comment ? sl->comment : "",
                   sl->comment ? strlen(sl->comment) : 0);
    mcp_buf_putc(b, '\n');
}

/* Lock, read, change (add or expire), write back atomically. */
static int update(const char *path, struct mcp_silence *add,
                  const char *expire, int64_t now, char *err)
{
    struct mcp_buf lockp, out;
    struct mcp_silences s;
    int lfd, rc = -1;
    bool found = false;

    if (mcp_state_mkdirs(path) != 0) {
        mcp_errf(err, "%s: cannot create its folder: %s", path,
                 strerror(errno));
        return -1;
    }
    mcp_buf_init(&lockp);
    mcp_buf_printf(&lockp, "%s.lock", path);
    lfd = open(lockp.data, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (lfd < 0 || flock(lfd, LOCK_EX) != 0) {
        mcp_errf(err, "%s: %s", lockp.data, strerror(errno));
        if (lfd >= 0)
            close(lfd);
        mcp_buf_free(&lockp);
        return -1;
    }
    mcp_buf_init(&out);
    if (mcp_silences_load(&s, path, err) != 0)
        goto done;
    for (size_t i = 0; i < s.n; i++) {
        struct mcp_silence *sl = &s.v[i];

        if (sl->ends <= now - 24LL * 3600 * 1000)
            continue; /* expired a day ago: forgotten */
        if (expire != NULL && strcmp(sl->id, expire) == 0) {
            found = true;
            if (sl->ends > now)
                sl->ends = now;
        }
        write_one(&out, sl);
    }
    if (expire != NULL && !found) {
        mcp_errf(err, "no silence with id '%s' in %s", expire, path);
        goto done;
    }
    if (add != NULL) {
        unsigned char r[8];

        if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
            mcp_errf(err, "getrandom: %s", strerror(errno));
            goto done;
        }
        for (int i = 0; i < 8; i++)
            snprintf(add->id + 2 * i, 3, "%02x", r[i]);
        write_one(&out, add);
    }
    if (mcp_state_replace(path, out.data ? out.data : "", out.len, true,
                          err) != 0)
        goto done;
    rc = 0;
done:
    mcp_silences_free(&s);
    mcp_buf_free(&out);
    mcp_buf_free(&lockp);
    close(lfd);
    return rc;
}

int mcp_silence_add(const char *path, struct mcp_silence *sl, char *err)
{
    return update(path, sl, NULL, sl->created, err);
}

int mcp_silence_expire(const char *path, const char *id, int64_t now,
                       char *err)
{
    return update(path, NULL, id, now, err);
}

const struct mcp_silence *mcp_silence_match(const struct mcp_silences *s,
                                            const char *rule, int nlabels,
                                            const char *const *name,
                                            const char *const *value,
                                            int64_t now)
{
    for (size_t i = 0; i < s->n; i++) {
        const struct mcp_silence *sl = &s->v[i];
        bool ok = sl->created <= now && now < sl->ends &&
                  fnmatch(sl->rule, rule, 0) == 0;

        for (int k = 0; k < sl->nlabels && ok; k++) {
            bool has = false;

            for (int j = 0; j < nlabels && !has; j++)
                has = strcmp(name[j], sl->label_name[k]) == 0 &&
                      fnmatch(sl->label_value[k], value[j], 0) == 0;
            ok = has;
        }
        if (ok)
            return sl;
    }
    return NULL;
}
