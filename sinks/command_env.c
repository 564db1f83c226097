/* command_env.c - the environment of the command sink's child.
 *
 * The child gets mcplog's environment without its MCPLOG_* variables (or
 * only PATH, HOME and LANG with clear_env), the sink's `env` option on
 * top, and the alert's variables last:
 *   MCPLOG_SINK MCPLOG_RULE MCPLOG_DESCRIPTION MCPLOG_SEVERITY
 *   MCPLOG_STATUS MCPLOG_KEY MCPLOG_COUNT MCPLOG_START MCPLOG_END
 *   MCPLOG_SUMMARY MCPLOG_LINE MCPLOG_CONTEXT MCPLOG_SOURCE MCPLOG_HOST
 *   MCPLOG_LABEL_<NAME> (one per label) MCPLOG_LABELS (a JSON object).
 * Alert text is hostile; here it is only ever data in a value. A value is
 * made fit for an environment string (put_safe) and cut to a size the
 * kernel accepts; stdin carries the whole alert as JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sinks/command_int.h"
#include "base/textout.h"
#include "base/timeparse.h"
#include "base/util.h"

extern char **environ;

/* Longest value of a variable taken from an alert, in bytes (cut at a
 * character boundary). Label values are cut shorter so that
 * MCPLOG_LABELS, where JSON escaping may grow a value six times, stays
 * under the kernel's limit of 128 KiB for one variable (MAX_ARG_STRLEN). */
#define VALUE_MAX (32 * 1024)
#define LABEL_VALUE_MAX 2048

/* ---- the base environment (built once, in init) ---- */

static size_t name_len(const char *entry)
{
    const char *eq = strchr(entry, '=');

    return eq != NULL ? (size_t)(eq - entry) : strlen(entry);
}

static bool is_named(const char *entry, const char *name, size_t n)
{
    return strncmp(entry, name, n) == 0 && entry[n] == '=';
}

/* Add a copy of entry ("NAME=value"). When the name is there already,
 * replace it, or keep the first (as getenv would) without replace. */
static void env_set(struct mcp_command_env *e, const char *entry,
                    bool replace)
{
    size_t n = name_len(entry);

    for (size_t i = 0; i < e->n; i++) {
        if (is_named(e->vars[i], entry, n)) {
            if (replace) {
                free(e->vars[i]);
                e->vars[i] = mcp_strdup(entry);
            }
            return;
        }
    }
    e->vars = mcp_realloc(e->vars, (e->n + 1) * sizeof(*e->vars));
    e->vars[e->n++] = mcp_strdup(entry);
}

const char *mcp_command_env_get(const struct mcp_command_env *e,
                                const char *name)
{
    size_t n = strlen(name);

    for (size_t i = 0; i < e->n; i++)
        if (is_named(e->vars[i], name, n))
            return e->vars[i] + n + 1;
    return NULL;
}

void mcp_command_env_free(struct mcp_command_env *e)
{
    for (size_t i = 0; i < e->n; i++)
        free(e->vars[i]);
    free(e->vars);
    e->vars = NULL;
    e->n = 0;
}

static bool valid_name(const char *s, size_t n)
{
    if (n == 0 || (s[0] >= '0' && s[0] <= '9'))
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];

        if (!(ch == '_' || (ch >= 'A' && ch <= 'Z') ||
              (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')))
            return false;
    }
    return true;
}

static bool kept_by_clear(const char *entry)
{
    return is_named(entry, "PATH", 4) || is_named(entry, "HOME", 4) ||
           is_named(entry, "LANG", 4);
}

int mcp_command_env_build(struct mcp_command_env *e, bool clear,
                          char *const *extra, char *err)
{
    e->vars = NULL;
    e->n = 0;
    for (char **v = environ; v != NULL && *v != NULL; v++) {
        if (strchr(*v, '=') == NULL || strncmp(*v, "MCPLOG_", 7) == 0 ||
            (clear && !kept_by_clear(*v)))
            continue;
        env_set(e, *v, false);
    }
    for (char *const *v = extra; v != NULL && *v != NULL; v++) {
        size_t n = name_len(*v);

        if ((*v)[n] != '=' || !valid_name(*v, n)) {
            mcp_errf(err, "env: '%s' is not NAME=value", *v);
            mcp_command_env_free(e);
            return -1;
        }
        if (strncmp(*v, "MCPLOG_", 7) == 0) {
            mcp_errf(err, "env: '%.*s': MCPLOG_* names are reserved for the "
                     "alert", (int)n, *v);
            mcp_command_env_free(e);
            return -1;
        }
        env_set(e, *v, true);
    }
    return 0;
}

/* ---- the alert's variables ---- */

/* Append s[0..n) made safe for the environment, which cannot carry NUL:
 * each NUL byte and each byte that is not part of valid UTF-8 becomes
 * U+FFFD (the alert JSON repairs invalid bytes the same way); everything
 * else (newlines, ESC, quotes, $, `) passes unchanged, as data. At most
 * max bytes are appended, cut at a character boundary. */
static void put_safe(struct mcp_buf *b, const char *s, size_t n, size_t max)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t used = 0;

    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t len = p[i] == 0 ? 0 : mcp_utf8_decode(p + i, n - i, &cp);
        size_t out = len == 0 ? 3 : len;

        if (used + out > max)
            break;
        if (len == 0)
            mcp_buf_puts(b, "\xef\xbf\xbd");
        else
            mcp_buf_append(b, p + i, len);
        used += out;
        i += len == 0 ? 1 : len;
    }
}

/* "NAME=value", value = s[0..n) made safe (put_safe). */
static char *env_var(const char *name, const char *s, size_t n, size_t max)
{
    struct mcp_buf b;

    mcp_buf_init(&b);
    mcp_buf_printf(&b, "%s=", name);
    put_safe(&b, s, n, max);
    return mcp_buf_steal(&b);
}

static char *env_str(const char *name, const char *s, size_t max)
{
    if (s == NULL)
        s = "";
    return env_var(name, s, strlen(s), max);
}

static char *env_time(const char *name, int64_t ms)
{
    char t[MCP_TIME_ISO_LEN] = "";

    if (ms != MCP_TIME_NONE)
        mcp_time_format_iso(ms, t, sizeof(t));
    return env_str(name, t, VALUE_MAX);
}

/* MCPLOG_LABEL_<NAME>: the label name upper-cased, anything outside
 * [A-Z0-9_] as '_'. Names come from the rules, not from the log. */
static void label_var_name(struct mcp_buf *b, const char *label)
{
    mcp_buf_reset(b);
    mcp_buf_puts(b, "MCPLOG_LABEL_");
    for (const char *p = label; *p != '\0'; p++) {
        char ch = *p;

        if (ch >= 'a' && ch <= 'z')
            ch = (char)(ch - 'a' + 'A');
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')))
            ch = '_';
        mcp_buf_putc(b, ch);
    }
}

static bool have_var(char **vars, int n, const char *name, size_t len)
{
    for (int i = 0; i < n; i++)
        if (is_named(vars[i], name, len))
            return true;
    return false;
}

int mcp_command_env_alert(const char *sink, const struct mcp_sink_alert *a,
                          char **vars)
{
    struct mcp_buf b, v, labels;
    struct mcp_json j;
    char num[32];
    int n = 0;

    vars[n++] = env_str("MCPLOG_SINK", sink, VALUE_MAX);
    vars[n++] = env_str("MCPLOG_RULE", a->rule, VALUE_MAX);
    vars[n++] = env_str("MCPLOG_DESCRIPTION", a->description, VALUE_MAX);
    vars[n++] = env_str("MCPLOG_SEVERITY", mcp_severity_name(a->severity),
                        VALUE_MAX);
    vars[n++] = env_str("MCPLOG_STATUS", mcp_alert_status_name(a->status),
                        VALUE_MAX);
    vars[n++] = env_str("MCPLOG_KEY", a->key, VALUE_MAX);
    snprintf(num, sizeof(num), "%llu", (unsigned long long)a->count);
    vars[n++] = env_str("MCPLOG_COUNT", num, VALUE_MAX);
    vars[n++] = env_time("MCPLOG_START", a->start);
    vars[n++] = env_time("MCPLOG_END", a->end);
    vars[n++] = env_str("MCPLOG_SUMMARY", a->summary, VALUE_MAX);
    vars[n++] = env_var("MCPLOG_LINE", a->last_line != NULL ? a->last_line
                                                             : "",
                        a->last_line != NULL ? a->last_line_len : 0,
                        VALUE_MAX);
    vars[n++] = env_str("MCPLOG_CONTEXT", a->context_last, VALUE_MAX);
    vars[n++] = env_str("MCPLOG_SOURCE", a->source, VALUE_MAX);
    vars[n++] = env_str("MCPLOG_HOST", a->host, VALUE_MAX);

    mcp_buf_init(&b);
    mcp_buf_init(&v);
    mcp_buf_init(&labels);
    mcp_json_init(&j, &labels, false);
    mcp_json_begin_obj(&j);
    for (int i = 0; i < a->nlabels && i < MCP_MAX_LABELS; i++) {
        const char *val = a->label_value[i] != NULL ? a->label_value[i] : "";

        mcp_buf_reset(&v);
        put_safe(&v, val, strlen(val), LABEL_VALUE_MAX);
        mcp_json_key(&j, a->label_name[i]);
        mcp_json_strn(&j, v.data, v.len);
        label_var_name(&b, a->label_name[i]);
        /* Two names may map to one variable ("a-b", "a_b"): the first
         * label wins; MCPLOG_LABELS has both. */
        if (!have_var(vars, n, b.data, b.len)) {
            mcp_buf_putc(&b, '=');
            mcp_buf_append(&b, v.data, v.len);
            vars[n++] = mcp_strdup(b.data);
        }
    }
    mcp_json_end_obj(&j);
    mcp_buf_reset(&b);
    mcp_buf_printf(&b, "MCPLOG_LABELS=%s", labels.data);
    vars[n++] = mcp_buf_steal(&b);
    mcp_buf_free(&v);
    mcp_buf_free(&labels);
    mcp_buf_free(&b);
    return n;
}

