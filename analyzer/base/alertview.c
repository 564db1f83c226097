/* alertview.c - the fields every output of an alert shares
 * (alertview.h). */
#include "base/alertview.h"

void mcp_alert_view_json(struct mcp_json *j, const struct mcp_alert_view *v)
{
    mcp_json_key(j, "labels");
    mcp_json_begin_obj(j);
    for (int i = 0; i < v->nlabels; i++) {
        mcp_json_key(j, v->label_name[i]);
        mcp_json_str(j, v->label_value[i]);
    }
    mcp_json_end_obj(j);
    mcp_json_key(j, "start");
    mcp_json_time(j, v->start);
    mcp_json_key(j, "end");
    mcp_json_time(j, v->end);
    mcp_json_key(j, "count");
    mcp_json_int(j, (int64_t)v->count);
    mcp_json_key(j, "summary");
    mcp_json_str(j, v->summary);
}

void mcp_labels_term(struct mcp_buf *b, int n, const char *const *name,
                     const char *const *value)
{
    for (int i = 0; i < n; i++) {
        mcp_buf_puts(b, i ? "," : "{");
        mcp_term_str(b, name[i]);
        mcp_buf_putc(b, '=');
        mcp_term_field(b, value[i]);
    }
    if (n > 0)
        mcp_buf_putc(b, '}');
}
