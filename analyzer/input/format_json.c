/* format_json.c - JSON records (json-c): Claude Code's connection logs,
 * their older JSON-array files and the session transcripts.
 *
 * The field map of a connection-log record: the message is the value of
 * the first of the keys "debug", "info", "warn", "warning", "error" that
 * holds a string, and its level is that key's name; the time is
 * "timestamp" (ISO 8601), the session "sessionId"; the server is the
 * input's (its folder). A transcript record is a user message whose
 * "message"."content" is a string (or an array of {"type": "text",
 * "text"}): only those holding a reconnect result are records, and a
 * line is parsed only when its bytes hold one of the results' words. */
#include <json-c/json.h>
#include <string.h>

#include "input/format_int.h"
#include "base/timeparse.h"

/* Nesting deeper than this is not a record of ours. */
#define MAX_DEPTH 32

static const char *const level_keys[] = {"debug", "info", "warn", "warning",
                                         "error"};

/* What a transcript line must hold to be parsed at all. */
static const char *const transcript_words[] = {"Failed to reconnect",
                                               "Reconnected to"};

static struct json_tokener *tokener(struct mcp_fmt *f)
{
    if (f->tok == NULL)
        f->tok = json_tokener_new_ex(MAX_DEPTH);
    return f->tok;
}

static const char *str_of(struct json_object *o, const char *key,
                          size_t *len)
{
    struct json_object *v;

    if (!json_object_object_get_ex(o, key, &v) ||
        !json_object_is_type(v, json_type_string))
        return NULL;
    *len = (size_t)json_object_get_string_len(v);
    return json_object_get_string(v);
}

static int64_t time_of(struct json_object *o)
{
    size_t n;
    const char *s = str_of(o, "timestamp", &n);
    int64_t t;

    if (s == NULL || mcp_time_parse_iso(s, n, &t) != n)
        return MCP_TIME_NONE;
    return t;
}

/* One connection-log object. */
static void conn_record(struct mcp_fmt *f, struct json_object *o)
{
    const char *msg = NULL, *level = NULL, *session;
    size_t len = 0, slen = 0;

    if (!json_object_is_type(o, json_type_object)) {
        f->st.bad++;
        return;
    }
    for (size_t i = 0; i < sizeof(level_keys) / sizeof(*level_keys); i++)
        if ((msg = str_of(o, level_keys[i], &len)) != NULL) {
            level = level_keys[i];
            break;
        }
    if (msg == NULL) {
        f->st.bad++;
        return;
    }
    session = str_of(o, "sessionId", &slen);
    fmt_message(f, time_of(o), level, f->server,
                f->server ? strlen(f->server) : 0, session, slen, msg, len);
}

static bool has_word(const char *p, size_t n)
{
    for (size_t i = 0; i < sizeof(transcript_words) / sizeof(*transcript_words);
         i++)
        if (memmem(p, n, transcript_words[i], strlen(transcript_words[i])))
            return true;
    return false;
}

static void transcript_text(struct mcp_fmt *f, struct json_object *o,
                            const char *text, size_t len)
{
    size_t slen = 0;
    const char *session = str_of(o, "sessionId", &slen);

    if (!has_word(text, len))
        return;
    fmt_message(f, time_of(o), "info", NULL, 0, session, slen, text, len);
}

/* A user message whose content is a string or text items. */
static void transcript_record(struct mcp_fmt *f, struct json_object *o)
{
    struct json_object *m, *c;
    size_t n;
    const char *type = str_of(o, "type", &n);

    if (type == NULL || strcmp(type, "user") != 0 ||
        !json_object_object_get_ex(o, "message", &m) ||
        !json_object_is_type(m, json_type_object) ||
        !json_object_object_get_ex(m, "content", &c))
        return;
    if (json_object_is_type(c, json_type_string)) {
        transcript_text(f, o, json_object_get_string(c),
                        (size_t)json_object_get_string_len(c));
        return;
    }
    if (!json_object_is_type(c, json_type_array))
        return;
    for (size_t i = 0; i < json_object_array_length(c); i++) {
        struct json_object *it = json_object_array_get_idx(c, i);
        const char *t;

        if (!json_object_is_type(it, json_type_object) ||
            (t = str_of(it, "type", &n)) == NULL || strcmp(t, "text") != 0 ||
            (t = str_of(it, "text", &n)) == NULL)
            continue;
        transcript_text(f, o, t, n);
    }
}

/* Parse [p, p+n) as one JSON value that must end there. */
static struct json_object *parse(struct mcp_fmt *f, const char *p, size_t n)
{
    struct json_tokener *tok = tokener(f);
    struct json_object *o;

    if (n == 0 || n > (size_t)INT32_MAX)
        return NULL;
    json_tokener_reset(tok);
    o = json_tokener_parse_ex(tok, p, (int)n);
    if (o == NULL)
        return NULL;
    /* Only white space may follow the value. */
    for (size_t i = json_tokener_get_parse_end(tok); i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r') {
            json_object_put(o);
            return NULL;
        }
    return o;
}

void fmt_json_line(struct mcp_fmt *f, const char *p, size_t n)
{
    struct json_object *o;
    size_t i = 0;

    while (i < n && (p[i] == ' ' || p[i] == '\t'))
        i++;
    if (i == n)
        return;
    if (f->fmt == MCP_FMT_CC_TRANSCRIPT && !has_word(p, n)) {
        f->st.skipped++;
        return;
    }
    if ((o = parse(f, p, n)) == NULL) {
        f->st.bad++;
        return;
    }
    if (f->fmt == MCP_FMT_CC_TRANSCRIPT)
        transcript_record(f, o);
    else
        conn_record(f, o);
    json_object_put(o);
}

void fmt_json_array(struct mcp_fmt *f, const char *p, size_t n)
{
    struct json_object *o;

    if (n == 0)
        return;
    if ((o = parse(f, p, n)) == NULL ||
        !json_object_is_type(o, json_type_array)) {
        f->st.bad++;
        json_object_put(o);
        return;
    }
    for (size_t i = 0; i < json_object_array_length(o); i++)
        conn_record(f, json_object_array_get_idx(o, i));
    json_object_put(o);
}

void fmt_json_free(struct mcp_fmt *f)
{
    if (f->tok != NULL)
        json_tokener_free(f->tok);
    f->tok = NULL;
}
