/* silence.c - the silences file (see silence.h). */
#include "output/silence.h"

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

#include "base/statedir.h"
#include "base/util.h"

/* The longest line write_one can write: "silence ", the id, two int64
 * times, the label count, and every field byte escaped (3 bytes) behind a
 * space and '='. MCP_SILENCE_MAX of them must fit in what a reader takes. */
#define LINE_MAX_BYTES                                                       \
    (8 + 16 + 2 * 21 + 2 + 2 + 3 * MCP_SILENCE_MAX_RULE +                    \
     MCP_RULE_MAX_GROUP *                                                    \
         (4 + 3 * (MCP_SILENCE_MAX_NAME + MCP_SILENCE_MAX_VALUE)) +          \
     2 + 3 * MCP_SILENCE_MAX_COMMENT + 1)
_Static_assert(MCP_SILENCE_MAX * LINE_MAX_BYTES <= MCP_SILENCE_MAX_FILE,
               "the longest silences file mcplog writes must be readable");

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
    free(s->warn);
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

/* Read fd's content, at most MCP_SILENCE_MAX_FILE bytes; *over is set
 * when there is more (the last, cut line is then left out). */
static char *slurp(int fd, bool *over, char *err, const char *path)
{
    struct mcp_buf b;
    char tmp[65536];
    ssize_t r;

    mcp_buf_init(&b);
    *over = false;
    while ((r = read(fd, tmp, sizeof(tmp))) != 0) {
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            mcp_errf(err, "%s: %s", path, strerror(errno));
            mcp_buf_free(&b);
            return NULL;
        }
        if (b.len + (size_t)r > MCP_SILENCE_MAX_FILE) {
            char *nl;

            mcp_buf_append(&b, tmp, MCP_SILENCE_MAX_FILE - b.len);
            nl = memrchr(b.data, '\n', b.len);
            b.len = nl != NULL ? (size_t)(nl - b.data) + 1 : 0;
            b.data[b.len] = '\0';
            *over = true;
            break;
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
    bool over;

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
    if (fd < 0 || (data = slurp(fd, &over, err, path)) == NULL) {
        if (fd >= 0)
            close(fd);
        s->failed = true;
        return -1;
    }
    close(fd);
    s->present = true;
    if (over) {
        struct mcp_buf w;

        mcp_buf_init(&w);
        mcp_buf_printf(&w, "%s: %lld bytes, over the 4 MiB mcplog reads: "
                       "only the silences in its first 4 MiB are used", path,
                       (long long)st.st_size);
        s->warn = mcp_buf_steal(&w);
    }
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

int mcp_silence_check(const struct mcp_silence *sl, char *err)
{
    const char *what = NULL;
    size_t cap = 0;

    if (strlen(sl->rule) > MCP_SILENCE_MAX_RULE)
        what = "the rule", cap = MCP_SILENCE_MAX_RULE;
    for (int i = 0; i < sl->nlabels && what == NULL; i++) {
        if (strlen(sl->label_name[i]) > MCP_SILENCE_MAX_NAME)
            what = "a label name", cap = MCP_SILENCE_MAX_NAME;
        else if (strlen(sl->label_value[i]) > MCP_SILENCE_MAX_VALUE)
            what = "a label value", cap = MCP_SILENCE_MAX_VALUE;
    }
    if (what == NULL && sl->comment != NULL &&
        strlen(sl->comment) > MCP_SILENCE_MAX_COMMENT)
        what = "the comment", cap = MCP_SILENCE_MAX_COMMENT;
    if (what == NULL)
        return 0;
    mcp_errf(err, "%s is longer than %zu bytes", what, cap);
    return -1;
}

/* Which of s's silences to write back: not those ended a day ago, and
 * for an add at MCP_SILENCE_MAX, not those that ended first. Expires
 * `expire` (*found). Returns how many are kept. */
static size_t pick(struct mcp_silences *s, bool *keep, bool adding,
                   const char *expire, bool *found, int64_t now)
{
    size_t kept = 0;

    for (size_t i = 0; i < s->n; i++) {
        struct mcp_silence *sl = &s->v[i];

        keep[i] = sl->ends > now - 24LL * 3600 * 1000; /* else forgotten */
        if (expire != NULL && strcmp(sl->id, expire) == 0) {
            *found = true;
            if (sl->ends > now)
                sl->ends = now;
        }
        kept += keep[i];
    }
    while (adding && kept >= MCP_SILENCE_MAX) {
        size_t first = s->n;

        for (size_t i = 0; i < s->n; i++)
            if (keep[i] && s->v[i].ends <= now &&
                (first == s->n || s->v[i].ends < s->v[first].ends))
                first = i;
        if (first == s->n)
            break; /* all in force */
        keep[first] = false;
        kept--;
    }
    return kept;
}

/* The changes once the file is read: add or expire, then write. Returns
 * as update. */
static int change(struct mcp_silences *s, struct mcp_silence *add,
                  const char *expire, int64_t now, char *warn, char *err)
{
    struct mcp_buf out;
    bool found = false, *keep;
    unsigned char r[8];
    int rc = -1;

    if (s->warn != NULL && expire != NULL)
        mcp_errf(warn, "%s", s->warn);
    if (s->warn != NULL && add != NULL) {
        mcp_errf(err, "%s is over the 4 MiB mcplog reads; 'mcplog silence "
                 "expire' rewrites it without the part past 4 MiB", s->path);
        return -2;
    }
    keep = mcp_calloc(s->n ? s->n : 1, sizeof(*keep));
    mcp_buf_init(&out);
    if (pick(s, keep, add != NULL, expire, &found, now) >= MCP_SILENCE_MAX &&
        add != NULL) {
        mcp_errf(err, "%s already holds %d silences in force, the most it "
                 "keeps; expire one first", s->path, MCP_SILENCE_MAX);
        rc = -2;
        goto done;
    }
    if (expire != NULL && !found) {
        mcp_errf(err, "no silence with id '%s' in %s", expire, s->path);
        goto done;
    }
    for (size_t i = 0; i < s->n; i++)
        if (keep[i])
            write_one(&out, &s->v[i]);
    if (add != NULL) {
        if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
            mcp_errf(err, "getrandom: %s", strerror(errno));
            goto done;
        }
        for (int i = 0; i < 8; i++)
            snprintf(add->id + 2 * i, 3, "%02x", r[i]);
        write_one(&out, add);
    }
    if (out.len > MCP_SILENCE_MAX_FILE) { /* only from foreign lines */
        mcp_errf(err, "%s: the silences would take %zu bytes, over the 4 MiB "
                 "mcplog reads", s->path, out.len);
        rc = -2;
        goto done;
    }
    rc = mcp_state_replace(s->path, out.data ? out.data : "", out.len, true,
                           err);
done:
    free(keep);
    mcp_buf_free(&out);
    return rc;
}

/* Lock, read, change (add or expire), write back atomically. Returns 0,
 * -1 (err) or -2 (refused, err). */
static int update(const char *path, struct mcp_silence *add,
                  const char *expire, int64_t now, char *warn, char *err)
{
    struct mcp_buf lockp;
    struct mcp_silences s;
    int lfd, rc = -1;

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
    if (mcp_silences_load(&s, path, err) == 0)
        rc = change(&s, add, expire, now, warn, err);
    mcp_silences_free(&s);
    mcp_buf_free(&lockp);
    close(lfd);
    return rc;
}

int mcp_silence_add(const char *path, struct mcp_silence *sl, char *err)
{
    char warn[MCP_ERRLEN] = "";

    if (mcp_silence_check(sl, err) != 0)
        return -2;
    return update(path, sl, NULL, sl->created, warn, err);
}

int mcp_silence_expire(const char *path, const char *id, int64_t now,
                       char *warn, char *err)
{
    warn[0] = '\0';
    return update(path, NULL, id, now, warn, err);
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
