/* registry.c - the list of sink types and what all sinks share: the alert
 * message (its JSON form and its release). */
#include <stdlib.h>
#include <string.h>

#include "sinks/sink.h"
#include "base/textout.h"
#include "base/util.h"

extern const struct mcp_sink_ops mcp_sink_desktop;
extern const struct mcp_sink_ops mcp_sink_command;
extern const struct mcp_sink_ops mcp_sink_webhook;
extern const struct mcp_sink_ops mcp_sink_file;

const struct mcp_sink_ops *const mcp_sink_types[] = {
    &mcp_sink_desktop,
    &mcp_sink_command,
    &mcp_sink_webhook,
    &mcp_sink_file,
    NULL,
};

const struct mcp_sink_ops *mcp_sink_type(const char *name)
{
    for (size_t i = 0; mcp_sink_types[i] != NULL; i++)
        if (strcmp(mcp_sink_types[i]->name, name) == 0)
            return mcp_sink_types[i];
    return NULL;
}

struct mcp_alert_view mcp_sink_alert_view(const struct mcp_sink_alert *a)
{
    return (struct mcp_alert_view){
        a->rule, a->severity, a->nlabels,
        (const char *const *)a->label_name,
        (const char *const *)a->label_value, a->start, a->end, a->count,
        a->summary,
    };
}

void mcp_sink_alert_json(struct mcp_buf *b, const struct mcp_sink_alert *a)
{
    struct mcp_alert_view v = mcp_sink_alert_view(a);
    struct mcp_json j;

    mcp_json_init(&j, b, false);
    mcp_json_begin_obj(&j);
    mcp_json_key(&j, "key");
    mcp_json_str(&j, a->key);
    mcp_json_key(&j, "rule");
    mcp_json_str(&j, a->rule);
    mcp_json_key(&j, "description");
    mcp_json_str(&j, a->description);
    mcp_json_key(&j, "severity");
    mcp_json_str(&j, mcp_severity_name(a->severity));
    mcp_json_key(&j, "status");
    mcp_json_str(&j, mcp_alert_status_name(a->status));
    mcp_alert_view_json(&j, &v);
    mcp_json_key(&j, "line");
    mcp_json_strn(&j, a->last_line, a->last_line_len);
    mcp_json_key(&j, "context");
    if (a->context_last != NULL)
        mcp_json_str(&j, a->context_last);
    else
        mcp_json_null(&j);
    mcp_json_key(&j, "source");
    mcp_json_str(&j, a->source);
    mcp_json_key(&j, "host");
    mcp_json_str(&j, a->host);
    mcp_json_key(&j, "sent");
    mcp_json_time(&j, a->sent);
    mcp_json_key(&j, "replay");
    mcp_json_bool(&j, a->replay);
    mcp_json_end_obj(&j);
}

void mcp_sink_alert_free(struct mcp_sink_alert *a)
{
    free(a->key);
    free(a->rule);
    free(a->description);
    for (int i = 0; i < a->nlabels; i++) {
        free(a->label_name[i]);
        free(a->label_value[i]);
    }
    free(a->summary);
    free(a->last_line);
    free(a->context_last);
    free(a->source);
    free(a->host);
    memset(a, 0, sizeof(*a));
}

char *mcp_sink_key(const char *rule, int nlabels, const char *const *name,
                   const char *const *value)
{
    struct mcp_buf b;

    mcp_buf_init(&b);
    mcp_buf_puts(&b, rule);
    if (nlabels > 0) {
        mcp_buf_putc(&b, '{');
        for (int i = 0; i < nlabels; i++)
            mcp_buf_printf(&b, "%s%s=%s", i ? "," : "", name[i], value[i]);
        mcp_buf_putc(&b, '}');
    }
    return mcp_buf_steal(&b);
}
