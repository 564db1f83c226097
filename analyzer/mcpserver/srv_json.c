/* srv_json.c - the MCP server's JSON helpers (srv_int.h). */
#include <json-c/json.h>
#include <string.h>

#include "base/alertview.h"
#include "base/jsonrpc.h"
#include "base/textout.h"
#include "base/util.h"
#include "engine/engine.h"
#include "mcpserver/srv_int.h"

struct json_object *mcp_srv_text(const char *s, size_t n, size_t max)
{
    struct mcp_buf b;
    struct json_object *o;

    if (s == NULL)
        return NULL;
    mcp_buf_init(&b);
    mcp_term_cut(&b, s, n, max);
    o = json_object_new_string_len(b.data ? b.data : "", (int)b.len);
    mcp_buf_free(&b);
    return o;
}

struct json_object *mcp_srv_lines(const char *s, size_t n, size_t max)
{
    struct mcp_buf b;
    struct json_object *o;
    size_t done = 0;

    if (s == NULL)
        return NULL;
    mcp_buf_init(&b);
    while (done < n && done < max) {
        const char *nl = memchr(s + done, '\n', n - done);
        size_t k = nl ? (size_t)(nl - (s + done)) : n - done;

        if (done > 0)
            mcp_buf_putc(&b, '\n');
        mcp_term_cut(&b, s + done, k, max - done);
        done += k + 1;
    }
    o = json_object_new_string_len(b.data ? b.data : "", (int)b.len);
    mcp_buf_free(&b);
    return o;
}

struct json_object *mcp_srv_str(const char *s)
{
    return s == NULL ? NULL : mcp_srv_text(s, strlen(s), MCP_SRV_TEXT_MAX);
}

struct json_object *mcp_srv_time(int64_t ms)
{
    struct mcp_buf b;
    struct mcp_json j;
    struct json_object *o;

    if (ms == MCP_TIME_NONE)
        return NULL;
    mcp_buf_init(&b);
    mcp_json_init(&j, &b, false);
    mcp_json_time(&j, ms);
    o = mcp_srv_from_text(b.data, b.len);
    mcp_buf_free(&b);
    return o;
}

struct json_object *mcp_srv_from_text(const char *s, size_t n)
{
    struct json_tokener *tok = json_tokener_new_ex(MCP_RPC_MAX_DEPTH);
    struct json_object *o = NULL;

    if (tok == NULL || s == NULL)
        return NULL;
    o = json_tokener_parse_ex(tok, s, (int)n);
    if (json_tokener_get_error(tok) != json_tokener_success) {
        json_object_put(o);
        o = NULL;
    }
    json_tokener_free(tok);
    return o;
}

static const char *type_name(char t)
{
    switch (t) {
    case 's': return "a string";
    case 'b': return "a boolean";
    case 'a': return "an array of strings";
    default: return "an integer";
    }
}

static bool type_ok(struct json_object *v, char t)
{
    switch (t) {
    case 's': return json_object_is_type(v, json_type_string);
    case 'b': return json_object_is_type(v, json_type_boolean);
    case 'i': return json_object_is_type(v, json_type_int);
    case 'a':
        if (!json_object_is_type(v, json_type_array))
            return false;
        for (size_t i = 0; i < json_object_array_length(v); i++)
            if (!json_object_is_type(json_object_array_get_idx(v, i),
                                     json_type_string))
                return false;
        return true;
    }
    return false;
}

int mcp_srv_args(struct json_object *args, const char *const *names,
                 const char *types, char *err)
{
    if (args == NULL)
        return 0;
    json_object_object_foreach(args, key, val) {
        size_t i = 0;

        while (names[i] != NULL && strcmp(names[i], key) != 0)
            i++;
        if (names[i] == NULL) {
            struct mcp_buf b;

            mcp_buf_init(&b);
            mcp_term_cut(&b, key, strlen(key), 64);
            mcp_errf(err, "unknown argument '%s'", b.data ? b.data : "");
            mcp_buf_free(&b);
            return -1;
        }
        if (!type_ok(val, types[i])) {
            mcp_errf(err, "argument '%s' must be %s", names[i],
                     type_name(types[i]));
            return -1;
        }
    }
    return 0;
}

const char *mcp_srv_arg_str(struct json_object *args, const char *name)
{
    struct json_object *v = NULL;

    if (args == NULL || !json_object_object_get_ex(args, name, &v) ||
        !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

bool mcp_srv_cancelled(struct mcp_srv *s)
{
    return atomic_load(&s->cancel);
}

/* One alert of the engine as the scan report writes it (alertview.h),
 * with its rule and severity. */
struct json_object *mcp_srv_alert(const struct mcp_ruleset *rs,
                                  const struct mcp_alert *a)
{
    struct mcp_alert_view v =
        mcp_engine_alert_view(a, rs->rules[a->rule].name);
    struct mcp_buf b;
    struct mcp_json j;
    struct json_object *o;

    mcp_buf_init(&b);
    mcp_json_init(&j, &b, false);
    mcp_json_begin_obj(&j);
    mcp_json_key(&j, "rule");
    mcp_json_str(&j, v.rule);
    mcp_json_key(&j, "severity");
    mcp_json_str(&j, mcp_severity_name(v.severity));
    mcp_alert_view_json(&j, &v);
    mcp_json_end_obj(&j);
    o = mcp_srv_from_text(b.data, b.len);
    mcp_buf_free(&b);
    /* The summary holds log text: shown visibly, cut. */
    json_object_object_add(o, "summary", mcp_srv_str(a->summary));
    return o;
}

static size_t json_size(struct json_object *o)
{
    size_t len = 0;

    json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN |
                                             JSON_C_TO_STRING_NOSLASHESCAPE,
                                      &len);
    return len;
}

/* Drop key from every object of the array at name in res. */
static void drop_key(struct json_object *res, const char *name,
                     const char *key)
{
    struct json_object *arr = NULL;

    if (!json_object_object_get_ex(res, name, &arr) ||
        !json_object_is_type(arr, json_type_array))
        return;
    for (size_t i = 0; i < json_object_array_length(arr); i++)
        json_object_object_add(json_object_array_get_idx(arr, i), key, NULL);
}

/* Keep the last keep entries of the array at name in res. */
static void shorten(struct json_object *res, const char *name, size_t keep)
{
    struct json_object *arr = NULL;
    size_t n;

    if (!json_object_object_get_ex(res, name, &arr) ||
        !json_object_is_type(arr, json_type_array))
        return;
    n = json_object_array_length(arr);
    if (n > keep)
        json_object_array_del_idx(arr, 0, n - keep);
}

struct json_object *mcp_srv_bound(struct json_object *res, char *err)
{
    struct json_object *cuts = NULL;
    static const char *const steps[] = {"tracebacks", "alerts", "lists"};

    json_object_object_get_ex(res, "cut", &cuts);
    for (size_t k = 0; json_size(res) > MCP_SRV_RESULT_MAX; k++) {
        if (k == 3) {
            json_object_put(res);
            mcp_errf(err, "the result is over %d bytes even cut short",
                     MCP_SRV_RESULT_MAX);
            return NULL;
        }
        if (k == 0) {
            drop_key(res, "error_clusters", "traceback");
            drop_key(res, "evidence", "traceback");
        } else if (k == 1) {
            shorten(res, "alerts", 10);
        } else {
            static const char *const lists[] = {
                "tools", "startups", "error_clusters", "evidence",
                "processes", "client_failures"};

            for (size_t i = 0; i < sizeof(lists) / sizeof(*lists); i++)
                shorten(res, lists[i], 5);
        }
        if (cuts != NULL) {
            struct json_object *o = json_object_new_object();

            json_object_object_add(o, "list",
                                   json_object_new_string(steps[k]));
            json_object_object_add(o, "why", json_object_new_string(
                                                 "the result's size bound"));
            json_object_array_add(cuts, o);
        }
    }
    return res;
}
