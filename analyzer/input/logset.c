/* logset.c - discover the files of each log family and order them. */
#include "input/logset.h"
#include "input/clients.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/util.h"

static const char *const known_families[] = {"mcp_server.log",
                                             "mcp_activity.log"};

void mcp_logset_init(struct mcp_logset *ls)
{
    memset(ls, 0, sizeof(*ls));
}

static bool all_digits(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static int64_t num(const char *s, size_t n)
{
    int64_t v = 0;

    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

bool mcp_logset_member(const char *base, const char *name, int *cls,
                       int64_t *key, bool *gz)
{
    size_t bl = strlen(base), nl = strlen(name);
    const char *s;
    size_t sl;

    if (nl < bl || strncmp(name, base, bl) != 0)
        return false;
    s = name + bl;
    sl = nl - bl;
    *gz = false;
    if (sl >= 3 && strcmp(s + sl - 3, ".gz") == 0) {
        *gz = true;
        sl -= 3;
    }
    if (sl == 0) {
        if (*gz)
            return false; /* "name.gz" is not a rotation of name */
        *cls = 2;
        *key = 0;
        return true;
    }
    /* numbered: .N */
    if (s[0] == '.' && sl <= 10 && all_digits(s + 1, sl - 1)) {
        *cls = 1;
        *key = -num(s + 1, sl - 1); /* higher N is older */
        return true;
    }
    /* dateext: -YYYYMMDD or -YYYYMMDDHH */
    if (s[0] == '-' && (sl == 9 || sl == 11) && all_digits(s + 1, sl - 1)) {
        *cls = 0;
        *key = num(s + 1, 8) * 100 + (sl == 11 ? num(s + 9, 2) : 0);
        return true;
    }
    /* TimedRotatingFileHandler: .YYYY-MM-DD[_HH[-MM[-SS]]] */
    if (s[0] == '.' && sl >= 11 && s[5] == '-' && s[8] == '-' &&
        all_digits(s + 1, 4) && all_digits(s + 6, 2) &&
        all_digits(s + 9, 2)) {
        int64_t k = num(s + 1, 4) * 10000 + num(s + 6, 2) * 100 +
                    num(s + 9, 2);
        size_t i = 11;

        k *= 1000000;
        if (i < sl) {
            int64_t hms = 0;
            int parts = 0;

            if (s[i] != '_')
                return false;
            i++;
            while (i + 2 <= sl && parts < 3 && all_digits(s + i, 2)) {
                hms = hms * 100 + num(s + i, 2);
                parts++;
                i += 2;
                if (i < sl && s[i] == '-')
                    i++;
                else
                    break;
            }
            if (i != sl || parts == 0)
                return false;
            while (parts++ < 3)
                hms *= 100;
            k += hms;
        }
        *cls = 0;
        *key = k;
        return true;
    }
    return false;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');

    return s ? s + 1 : path;
}

static void add_input(struct mcp_logset *ls, const char *path,
                      const char *role_name, const char *family)
{
    struct mcp_input *in;

    if (ls->n == ls->cap) {
        ls->cap = ls->cap ? ls->cap * 2 : 16;
        ls->inputs = mcp_realloc(ls->inputs, ls->cap * sizeof(*ls->inputs));
    }
    in = &ls->inputs[ls->n++];
    memset(in, 0, sizeof(*in));
    in->path = mcp_strdup(path);
    in->base = mcp_strdup(base_name(path));
    in->role_name = mcp_strdup(role_name);
    if (strcmp(role_name, "server") == 0)
        in->role = MCP_ROLE_SERVER;
    else if (strcmp(role_name, "activity") == 0)
        in->role = MCP_ROLE_ACTIVITY;
    else if (strcmp(role_name, "client") == 0)
        in->role = MCP_ROLE_CLIENT;
    else
        in->role = MCP_ROLE_OTHER;
    in->first_ts = in->last_ts = MCP_TIME_NONE;
    /* The family name is kept in note until finish() groups inputs. */
    in->note = mcp_strdup(family);
}

struct mcp_input *mcp_logset_add_client(struct mcp_logset *ls,
                                        const char *path, const char *family,
                                        enum mcp_format fmt,
                                        const char *server,
                                        const char *client)
{
    struct mcp_input *in;

    add_input(ls, path, mcp_role_name(MCP_ROLE_CLIENT), family);
    in = &ls->inputs[ls->n - 1];
    in->role = MCP_ROLE_CLIENT;
    in->format = fmt;
    in->server = server ? mcp_strdup(server) : NULL;
    in->client = client ? mcp_strdup(client) : NULL;
    return in;
}

struct mcp_fmt *mcp_input_format(const struct mcp_input *in, bool follow,
                                 mcp_read_fn inner, void *arg)
{
    struct mcp_fmt *f = mcp_fmt_create(in->format, in->server, follow,
                                       inner, arg);

    for (size_t i = 0; i < in->nspans; i++)
        mcp_fmt_skip_span(f, in->spans[i].server, strlen(in->spans[i].server),
                          in->spans[i].first, in->spans[i].last);
    return f;
}

static const char *role_of_family(const char *family)
{
    if (strcmp(family, "mcp_server.log") == 0)
        return "server";
    if (strcmp(family, "mcp_activity.log") == 0)
        return "activity";
    return NULL;
}

static int regular_file(const char *path, char *err)
{
    struct stat st;

    if (stat(path, &st) != 0) {
        mcp_errf(err, "%s: %s", path, strerror(errno));
        return -1;
    }
    return mcp_is_regular(&st, path, err) ? 0 : -1;
}

int mcp_logset_add_dir(struct mcp_logset *ls, const char *dir, char *err)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    size_t before = ls->n;

    if (d == NULL) {
        mcp_errf(err, "%s: %s", dir, strerror(errno));
        return -1;
    }
    while ((de = readdir(d)) != NULL) {
        for (size_t f = 0; f < 2; f++) {
            int cls;
            int64_t key;
            bool gz;
            char *path;
            size_t len;

            if (!mcp_logset_member(known_families[f], de->d_name, &cls, &key,
                                   &gz))
                continue;
            len = strlen(dir) + strlen(de->d_name) + 2;
            path = mcp_malloc(len);
            snprintf(path, len, "%s%s%s", dir,
                     dir[strlen(dir) - 1] == '/' ? "" : "/", de->d_name);
            /* Skip what is not a regular file (a folder named like a log,
             * a dangling link) quietly: discovery is best effort. */
            if (regular_file(path, NULL) == 0)
                add_input(ls, path, role_of_family(known_families[f]),
                          known_families[f]);
            free(path);
        }
    }
    closedir(d);
    if (ls->n == before) {
        mcp_errf(err, "%s: no mcp_server.log or mcp_activity.log here "
                 "(give files explicitly, or --source NAME=PATH)", dir);
        return -1;
    }
    return 0;
}

const char *mcp_logset_role_of(const char *base)
{
    for (size_t f = 0; f < 2; f++) {
        int cls;
        int64_t key;
        bool gz;

        if (mcp_logset_member(known_families[f], base, &cls, &key, &gz))
            return role_of_family(known_families[f]);
    }
    return NULL;
}

int mcp_logset_add_dir_expected(struct mcp_logset *ls, const char *dir,
                                char *err)
{
    char tmp[MCP_ERRLEN] = "";
    size_t before = ls->n;
    struct stat st;

    if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
        mcp_errf(err, "%s: not a folder", dir);
        return -1;
    }
    mcp_logset_add_dir(ls, dir, tmp); /* none found yet is fine here */
    for (size_t f = 0; f < 2; f++) {
        bool have = false;
        char *path;

        for (size_t i = before; i < ls->n; i++)
            if (strcmp(ls->inputs[i].note, known_families[f]) == 0)
                have = true;
        if (have)
            continue;
        path = mcp_malloc(strlen(dir) + strlen(known_families[f]) + 2);
        sprintf(path, "%s/%s", dir, known_families[f]);
        add_input(ls, path, role_of_family(known_families[f]),
                  known_families[f]);
        free(path);
    }
    return 0;
}

int mcp_logset_add_file(struct mcp_logset *ls, const char *path,
                        const char *role_name, char *err)
{
    const char *b = base_name(path);

    if (regular_file(path, err) != 0)
        return -1;
    if (role_name != NULL) {
        add_input(ls, path, role_name, role_name);
        return 0;
    }
    for (size_t f = 0; f < 2; f++) {
        int cls;
        int64_t key;
        bool gz;

        if (mcp_logset_member(known_families[f], b, &cls, &key, &gz)) {
            add_input(ls, path, role_of_family(known_families[f]),
                      known_families[f]);
            return 0;
        }
    }
    add_input(ls, path, b, b);
    return 0;
}

struct sortkey {
    struct mcp_input in;
    size_t order;   /* insertion order, to keep explicit files stable */
    int cls;
    int64_t key;
    bool gz, member;
    bool skip;      /* a .gz whose plain twin is being compressed */
};

static int cmp_member(const void *a, const void *b)
{
    const struct sortkey *x = a, *y = b;
    int c = strcmp(x->in.note, y->in.note);

    if (c != 0)
        return c;
    if (x->member && y->member) {
        if (x->cls != y->cls)
            return x->cls < y->cls ? -1 : 1;
        if (x->key != y->key)
            return x->key < y->key ? -1 : 1;
        if (x->gz != y->gz)
            return x->gz ? 1 : -1;
    }
    return x->order < y->order ? -1 : x->order > y->order;
}

static void push_note(struct mcp_logset *ls, char *note)
{
    ls->notes = mcp_realloc(ls->notes, (ls->nnotes + 1) * sizeof(char *));
    ls->notes[ls->nnotes++] = note;
}

static void free_input(struct mcp_input *in)
{
    free(in->path);
    free(in->role_name);
    free(in->base);
    free(in->damage);
    free(in->note);
    free(in->server);
    free(in->client);
    for (size_t i = 0; i < in->nspans; i++)
        free(in->spans[i].server);
    free(in->spans);
}

void mcp_logset_finish(struct mcp_logset *ls)
{
    struct sortkey *k = mcp_calloc(ls->n ? ls->n : 1, sizeof(*k));
    size_t n = 0;

    for (size_t i = 0; i < ls->n; i++) {
        const char *fam = ls->inputs[i].note;
        bool dup = false;

        for (size_t j = 0; j < n; j++)
            if (strcmp(k[j].in.path, ls->inputs[i].path) == 0)
                dup = true;
        if (dup) {
            free_input(&ls->inputs[i]);
            continue;
        }
        k[n].in = ls->inputs[i];
        k[n].order = i;
        k[n].member = mcp_logset_member(fam, ls->inputs[i].base, &k[n].cls,
                                        &k[n].key, &k[n].gz);
        n++;
    }
    qsort(k, n, sizeof(*k), cmp_member);

    /* Drop name.N.gz when name.N is also there: compression in progress.
     * Decided in a pass of its own: the grouping below frees family name
     * copies as it goes. */
    for (size_t i = 1; i < n; i++) {
        if (k[i].gz && k[i - 1].member && k[i].member && !k[i - 1].gz &&
            k[i - 1].cls == k[i].cls && k[i - 1].key == k[i].key &&
            strcmp(k[i - 1].in.note, k[i].in.note) == 0) {
            struct mcp_buf b;

            mcp_buf_init(&b);
            mcp_buf_printf(&b, "%s skipped: %s holds the same rotation "
                           "(compression in progress)", k[i].in.path,
                           k[i - 1].in.path);
            push_note(ls, mcp_buf_steal(&b));
            k[i].skip = true;
        }
    }
    ls->n = 0;
    ls->nfam = 0;
    free(ls->families);
    ls->families = mcp_calloc(n ? n : 1, sizeof(*ls->families));
    for (size_t i = 0; i < n; i++) {
        struct mcp_input *in;

        if (k[i].skip) {
            free_input(&k[i].in);
            continue;
        }
        in = &ls->inputs[ls->n];
        *in = k[i].in;
        if (ls->nfam == 0 ||
            strcmp(ls->families[ls->nfam - 1].name, in->note) != 0) {
            ls->families[ls->nfam].name = in->note;
            ls->families[ls->nfam].first = ls->n;
            ls->families[ls->nfam].count = 0;
            ls->nfam++;
        } else {
            free(in->note);
        }
        in->note = NULL;
        in->family = (int)ls->nfam - 1;
        ls->families[ls->nfam - 1].count++;
        ls->n++;
    }
    free(k);
}

void mcp_logset_free(struct mcp_logset *ls)
{
    for (size_t i = 0; i < ls->n; i++)
        free_input(&ls->inputs[i]);
    for (size_t i = 0; i < ls->nfam; i++)
        free(ls->families[i].name);
    for (size_t i = 0; i < ls->nnotes; i++)
        free(ls->notes[i]);
    free(ls->inputs);
    free(ls->families);
    free(ls->notes);
    mcp_logset_init(ls);
}

/* --- from the command line ----------------------------------------------- */

static void add_path(struct mcp_logset *ls, const char *path, bool follow,
                     char *err)
{
    struct stat st;

    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        if (follow)
            mcp_logset_add_dir_expected(ls, path, err);
        else
            mcp_logset_add_dir(ls, path, err);
        return;
    }
    mcp_logset_add_file(ls, path, NULL, err);
}

bool mcp_sources_formatted(const char *const *sources, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *at = strchr(sources[i], '@');

        if (at != NULL && at < strchr(sources[i], '='))
            return true;
    }
    return false;
}

int mcp_logset_from_args(struct mcp_logset *ls, char **paths, int npaths,
                         const char *const *sources, size_t nsources,
                         unsigned clients, struct mcp_ties *ties,
                         bool follow, char *err)
{
    mcp_logset_init(ls);
    for (int i = 0; i < npaths && err[0] == '\0'; i++)
        add_path(ls, paths[i], follow, err);
    for (size_t i = 0; i < nsources && err[0] == '\0'; i++) {
        char *name = mcp_strdup(sources[i]);
        char *eq = strchr(name, '=');

        char *at;
        int fmt = MCP_FMT_TEXT;

        *eq = '\0'; /* checked when the option was read */
        /* NAME@FORMAT: the file is read in that format (format.h). */
        if ((at = strchr(name, '@')) != NULL) {
            *at = '\0';
            if ((fmt = mcp_format_parse(at + 1)) < 0 || name[0] == '\0') {
                mcp_errf(err, "--source %s: unknown format '%s' (use "
                         "NAME@FORMAT=PATH, FORMAT one of text, "
                         "claude-code-jsonl, claude-code-json-array, "
                         "claude-code-transcript, claude-code-debug, "
                         "claude-desktop, claude-desktop-server)", sources[i],
                         at + 1);
                free(name);
                break;
            }
        }
        if (mcp_logset_add_file(ls, eq + 1, name, err) == 0 &&
            fmt != MCP_FMT_TEXT) {
            struct mcp_input *in = &ls->inputs[ls->n - 1];

            in->format = (enum mcp_format)fmt;
            in->server = mcp_clients_server_of_path(fmt, in->path);
        }
        free(name);
    }
    if (err[0] == '\0' && clients != 0) {
        long n = mcp_clients_add(ls, clients, follow, ties, err);

        if (n == 0 && !(clients & MCP_CLIENT_AUTO))
            push_note(ls, mcp_strdup("--client: no client log found"));
        for (size_t i = 0; ties != NULL && i < ties->n; i++) {
            struct mcp_buf b;

            mcp_buf_init(&b);
            mcp_buf_printf(&b, "%s is the client's server '%s' (%s)",
                           ties->t[i].dir, ties->t[i].server,
                           ties->t[i].how);
            push_note(ls, mcp_buf_steal(&b));
        }
    }
    if (err[0] == '\0' && npaths == 0 && nsources == 0 && clients == 0)
        add_path(ls, "logs", follow, err);
    if (err[0] != '\0') {
        mcp_logset_free(ls);
        return -1;
    }
    mcp_logset_finish(ls);
    return 0;
}
