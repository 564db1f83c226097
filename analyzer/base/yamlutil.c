/* yamlutil.c - one YAML document (libyaml document API) and helpers. */
#include "base/yamlutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"

#define MAX_FILE_BYTES (16u << 20)
#define MAX_DEPTH 64
#define MAX_ANCHORS 1000
#define MAX_ALIASES 10000

static void yaml_fail(const char *file, const yaml_parser_t *p,
                      const char *data, size_t len, char *err)
{
    const char *problem = p->problem != NULL ? p->problem : "YAML error";

    if (p->error == YAML_MEMORY_ERROR) {
        mcp_errf(err, "%s: out of memory reading YAML", file);
    } else if (p->error == YAML_READER_ERROR) {
        /* Bad encoding: libyaml gives a byte offset, not a mark. */
        size_t line = 1, col = 1, end = p->problem_offset;

        for (size_t i = 0; i < end && i < len; i++) {
            if (data[i] == '\n') {
                line++;
                col = 1;
            } else if (((unsigned char)data[i] & 0xc0) != 0x80) {
                col++;
            }
        }
        if (p->problem_value != -1)
            mcp_errf(err, "%s:%zu:%zu: %s (0x%02x)", file, line, col,
                     problem, (unsigned)p->problem_value);
        else
            mcp_errf(err, "%s:%zu:%zu: %s", file, line, col, problem);
    } else if (p->context != NULL) {
        mcp_errf(err, "%s:%zu:%zu: %s (%s at %zu:%zu)", file,
                 p->problem_mark.line + 1, p->problem_mark.column + 1,
                 problem, p->context, p->context_mark.line + 1,
                 p->context_mark.column + 1);
    } else {
        mcp_errf(err, "%s:%zu:%zu: %s", file, p->problem_mark.line + 1,
                 p->problem_mark.column + 1, problem);
    }
}

/* A first pass over the events, before building the document: libyaml's
 * scanner costs O(depth) per token in flow collections and its composer
 * O(anchors) per anchor and alias, so a small hostile file could take
 * hours. Bound them; no real config comes near. Also refuse a second
 * document, which the document API would silently ignore. */
static int prescan(const char *file, const char *data, size_t len,
                   char *err)
{
    yaml_parser_t p;
    yaml_event_t ev;
    int depth = 0, docs = 0, rc = -1;
    size_t anchors = 0, aliases = 0;
    const char *why = NULL;

    if (!yaml_parser_initialize(&p)) {
        mcp_errf(err, "%s: out of memory reading YAML", file);
        return -1;
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
    for (;;) {
        const yaml_char_t *anchor = NULL;

        if (!yaml_parser_parse(&p, &ev)) {
            yaml_fail(file, &p, data, len, err);
            break;
        }
        switch (ev.type) {
        case YAML_DOCUMENT_START_EVENT:
            if (++docs > 1)
                why = "only one YAML document is allowed";
            break;
        case YAML_SEQUENCE_START_EVENT:
            anchor = ev.data.sequence_start.anchor;
            if (++depth > MAX_DEPTH)
                why = "nested too deeply";
            break;
        case YAML_MAPPING_START_EVENT:
            anchor = ev.data.mapping_start.anchor;
            if (++depth > MAX_DEPTH)
                why = "nested too deeply";
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            depth--;
            break;
        case YAML_SCALAR_EVENT:
            anchor = ev.data.scalar.anchor;
            break;
        case YAML_ALIAS_EVENT:
            if (++aliases > MAX_ALIASES)
                why = "too many aliases";
            break;
        default:
            break;
        }
        if (anchor != NULL && ++anchors > MAX_ANCHORS)
            why = "too many anchors";
        if (why != NULL)
            mcp_errf(err, "%s:%zu:%zu: %s", file, ev.start_mark.line + 1,
                     ev.start_mark.column + 1, why);
        else if (ev.type == YAML_STREAM_END_EVENT)
            rc = 0;
        yaml_event_delete(&ev);
        if (why != NULL || rc == 0)
            break;
    }
    yaml_parser_delete(&p);
    return rc;
}

int mcp_yaml_load(struct mcp_yaml *y, const char *file, const char *data,
                  size_t len, char *err)
{
    yaml_parser_t parser;
    int rc = -1;

    memset(y, 0, sizeof(*y));
    y->file = file;
    /* libyaml asserts on a NULL input, even of length 0. */
    if (data == NULL) {
        data = "";
        len = 0;
    }
    if (prescan(file, data, len, err) < 0)
        return -1;
    if (!yaml_parser_initialize(&parser)) {
        mcp_errf(err, "%s: out of memory reading YAML", file);
        return -1;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
    /* On failure yaml_parser_load() deletes the document itself. */
    if (yaml_parser_load(&parser, &y->doc)) {
        y->loaded = true;
        rc = 0;
    } else {
        yaml_fail(file, &parser, data, len, err);
    }
    yaml_parser_delete(&parser);
    return rc;
}

int mcp_yaml_load_file(struct mcp_yaml *y, const char *path, char *err)
{
    struct mcp_buf b;
    char chunk[65536];
    ssize_t got;
    int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

    memset(y, 0, sizeof(*y));
    if (fd < 0) {
        mcp_errf(err, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    mcp_buf_init(&b);
    while ((got = read(fd, chunk, sizeof(chunk))) != 0) {
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0 || b.len + (size_t)got > MAX_FILE_BYTES) {
            if (got < 0)
                mcp_errf(err, "%s: cannot read: %s", path, strerror(errno));
            else
                mcp_errf(err, "%s: larger than %u MiB", path,
                         MAX_FILE_BYTES >> 20);
            close(fd);
            mcp_buf_free(&b);
            return -1;
        }
        mcp_buf_append(&b, chunk, (size_t)got);
    }
    close(fd);
    rc = mcp_yaml_load(y, path, b.data, b.len, err);
    mcp_buf_free(&b);
    return rc;
}

static bool config_name(const char *n, const char *skip)
{
    size_t l = strlen(n);

    if (n[0] == '.' || (skip != NULL && strcmp(n, skip) == 0))
        return false;
    return (l > 5 && strcmp(n + l - 5, ".yaml") == 0) ||
           (l > 4 && strcmp(n + l - 4, ".yml") == 0);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_list(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

int mcp_yaml_list(const char *path, const char *skip, char ***files,
                  size_t *n, char *err)
{
    size_t cap = 0, dl = strlen(path), keep = 0;
    struct stat st;
    struct dirent *e;
    DIR *d;

    *files = NULL;
    *n = 0;
    if (stat(path, &st) < 0) {
        mcp_errf(err, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        *files = mcp_malloc(sizeof(**files));
        (*files)[(*n)++] = mcp_strdup(path);
        return 0;
    }
    if ((d = opendir(path)) == NULL) {
        mcp_errf(err, "%s: cannot open folder: %s", path, strerror(errno));
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        if (!config_name(e->d_name, skip))
            continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            *files = mcp_realloc(*files, cap * sizeof(**files));
        }
        (*files)[*n] = mcp_malloc(dl + strlen(e->d_name) + 2);
        sprintf((*files)[(*n)++], "%s%s%s", path,
                dl > 0 && path[dl - 1] == '/' ? "" : "/", e->d_name);
    }
    closedir(d);
    if (*n > 0)
        qsort(*files, *n, sizeof(**files), cmp_str);
    /* Keep regular files (following symlinks); a dangling link is an
     * error, not a silently missing file. */
    for (size_t i = 0; i < *n; i++) {
        if (stat((*files)[i], &st) < 0) {
            mcp_errf(err, "%s: %s", (*files)[i], strerror(errno));
            free_list(*files, *n);
            *files = NULL;
            *n = 0;
            return -1;
        }
        if (S_ISREG(st.st_mode))
            (*files)[keep++] = (*files)[i];
        else
            free((*files)[i]);
    }
    *n = keep;
    return 0;
}

void mcp_yaml_free(struct mcp_yaml *y)
{
    if (y->loaded)
        yaml_document_delete(&y->doc);
    y->loaded = false;
}

yaml_node_t *mcp_yaml_root(struct mcp_yaml *y)
{
    return y->loaded ? yaml_document_get_root_node(&y->doc) : NULL;
}

yaml_node_t *mcp_yaml_node(struct mcp_yaml *y, int id)
{
    return y->loaded ? yaml_document_get_node(&y->doc, id) : NULL;
}

/* --- small value readers ------------------------------------------------ */

int mcp_yaml_keys(struct mcp_yaml *y, const yaml_node_t *map,
                  const char *const *keys, int n, yaml_node_t **knode,
                  yaml_node_t **vnode, yaml_node_t **bad, char *cause)
{
    char shown[96];

    for (int i = 0; i < n; i++)
        knode[i] = vnode[i] = NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
         p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = mcp_yaml_node(y, p->key);
        const char *ks = mcp_yaml_str(k), *hint;
        int i;

        *bad = k;
        if (ks == NULL) {
            mcp_errf(cause, "keys must be plain strings");
            return -1;
        }
        for (i = 0; i < n && strcmp(ks, keys[i]) != 0; i++)
            ;
        mcp_yaml_show(ks, shown, sizeof(shown));
        if (i < n && knode[i] != NULL) {
            mcp_errf(cause, "duplicate key '%s'", shown);
            return -1;
        }
        if (i < n) {
            knode[i] = k;
            vnode[i] = mcp_yaml_node(y, p->value);
            continue;
        }
        hint = mcp_suggest(ks, keys, n);
        if (hint != NULL)
            mcp_errf(cause, "unknown key '%s' (did you mean '%s'?)", shown,
                     hint);
        else
            mcp_errf(cause, "unknown key '%s'", shown);
        return -1;
    }
    return 0;
}

const char *mcp_yaml_str(const yaml_node_t *n)
{
    const char *s;

    if (n == NULL || n->type != YAML_SCALAR_NODE)
        return NULL;
    s = (const char *)n->data.scalar.value;
    return strlen(s) == n->data.scalar.length ? s : NULL;
}

yaml_node_t *mcp_yaml_get(struct mcp_yaml *y, const yaml_node_t *map,
                          const char *key)
{
    if (map->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
         p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = mcp_yaml_node(y, p->key);

        if (k != NULL && mcp_yaml_str(k) != NULL &&
            strcmp(mcp_yaml_str(k), key) == 0)
            return mcp_yaml_node(y, p->value);
    }
    return NULL;
}

bool mcp_yaml_is_null(const yaml_node_t *n)
{
    const char *s = mcp_yaml_str(n);

    if (s == NULL || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    return *s == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
           strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

int mcp_yaml_bool(const yaml_node_t *n, bool *v)
{
    static const char *const yes[] = {"true", "yes", "on"};
    static const char *const no[] = {"false", "no", "off"};
    const char *s = mcp_yaml_str(n);

    if (s == NULL)
        return -1;
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *v = true;
            return 0;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *v = false;
            return 0;
        }
    }
    return -1;
}

char *mcp_yaml_where(const struct mcp_yaml *y, yaml_mark_t m, size_t col_add,
                     char *buf, size_t len)
{
    snprintf(buf, len, "%s:%zu:%zu: ", y->file, m.line + 1,
             m.column + 1 + col_add);
    return buf;
}

static int vfail(const struct mcp_yaml *y, const yaml_mark_t *m, char *err,
                 const char *fmt, va_list ap)
{
    char where[MCP_ERRLEN] = "", cause[MCP_ERRLEN];

    vsnprintf(cause, sizeof(cause), fmt, ap);
    if (y != NULL && m != NULL)
        mcp_yaml_where(y, *m, 0, where, sizeof(where));
    mcp_errf(err, "%s%s", where, cause);
    return -1;
}

int mcp_yaml_fail(const struct mcp_yaml *y, yaml_mark_t m, char *err,
                  const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = vfail(y, &m, err, fmt, ap);
    va_end(ap);
    return rc;
}

int mcp_yaml_fail_node(const struct mcp_yaml *y, const yaml_node_t *n,
                       char *err, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = vfail(y, n != NULL ? &n->start_mark : NULL, err, fmt, ap);
    va_end(ap);
    return rc;
}

const char *mcp_yaml_need_str(const struct mcp_yaml *y, const yaml_node_t *n,
                              const char *what, char *err)
{
    const char *s = mcp_yaml_str(n);

    if (n->type != YAML_SCALAR_NODE || s == NULL) {
        mcp_yaml_fail(y, n->start_mark, err, "%s must be a string", what);
        return NULL;
    }
    return s;
}

/* libyaml counts a character per UTF-8 sequence: count lead bytes. */
static size_t nchars(const char *s, size_t n)
{
    size_t c = 0;

    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xc0) != 0x80;
    return c;
}

static size_t nquotes(const char *s, size_t n)
{
    size_t c = 0;

    for (size_t i = 0; i < n; i++)
        c += s[i] == '\'';
    return c;
}

size_t mcp_yaml_scalar_col(const yaml_node_t *n, size_t off)
{
    const char *v = (const char *)n->data.scalar.value;
    size_t len = n->data.scalar.length, width, chars;

    if (n->type != YAML_SCALAR_NODE ||
        n->start_mark.line != n->end_mark.line ||
        n->end_mark.column < n->start_mark.column)
        return 0;
    if (off > len)
        off = len;
    width = n->end_mark.column - n->start_mark.column;
    chars = nchars(v, len);
    /* The source width tells whether the value maps 1:1 onto the source:
     * every escape is longer in the source than in the value. */
    switch (n->data.scalar.style) {
    case YAML_PLAIN_SCALAR_STYLE:
        return width == chars ? nchars(v, off) : 0;
    case YAML_SINGLE_QUOTED_SCALAR_STYLE:
        if (width != chars + nquotes(v, len) + 2)
            return 0;
        return 1 + nchars(v, off) + nquotes(v, off);
    case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
        return width == chars + 2 ? 1 + nchars(v, off) : 0;
    default:
        return 0;
    }
}

char *mcp_yaml_show(const char *s, char *buf, size_t len)
{
    size_t o = 0, i;

    if (len == 0)
        return buf;
    for (i = 0; s[i] != '\0' && o + 8 < len && i < 60; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c < 0x20 || c == 0x7f)
            o += (size_t)snprintf(buf + o, len - o, "\\x%02x", c);
        else
            buf[o++] = (char)c;
    }
    if (s[i] != '\0' && o + 4 <= len) {
        /* Do not cut a UTF-8 sequence in half: drop its first bytes. */
        while (i > 0 && ((unsigned char)s[i] & 0xc0) == 0x80) {
            i--;
            o--;
        }
        memcpy(buf + o, "...", 3);
        o += 3;
    }
    buf[o < len ? o : len - 1] = '\0';
    return buf;
}
