/* engine_alert.c - the life of an alert: raised (or reopened within its
 * cooldown), its summary rendered from the rule's template, the line that
 * fed it kept, and every transition told to the engine's callback. */
#include <stdlib.h>
#include <string.h>

#include "engine/engine_int.h"
#include "match/pattern.h"
#include "base/template.h"
#include "base/util.h"

/* --- alerts ------------------------------------------------------------ */

struct render_ctx {
    struct mcp_engine *e;
    const struct mcp_alert *a;
    const struct mcp_event *ev;
};

static void render_value(struct mcp_buf *out, const char *name, size_t len,
                         void *arg)
{
    struct render_ctx *c = arg;
    const struct mcp_rule *r = &c->e->rs->rules[c->a->rule];

#define IS(s) (len == strlen(s) && memcmp(name, s, len) == 0)
    if (IS("count")) {
        mcp_buf_printf(out, "%llu", (unsigned long long)c->a->count);
    } else if (IS("window")) {
        mcp_buf_puts(out, r->window_src ? r->window_src : "");
    } else if (IS("within")) {
        mcp_buf_puts(out, r->within_src ? r->within_src : "");
    } else if (IS("rule")) {
        mcp_buf_puts(out, r->name);
    } else if (IS("severity")) {
        mcp_buf_puts(out, mcp_severity_name(r->severity));
    } else if (IS("line")) {
        if (c->a->last_line != NULL)
            mcp_buf_append(out, c->a->last_line, c->a->last_line_len);
    } else {
        for (int i = 0; i < c->a->nlabels; i++)
            if (strlen(c->a->label_name[i]) == len &&
                memcmp(c->a->label_name[i], name, len) == 0) {
                mcp_buf_puts(out, c->a->label_value[i]);
                return;
            }
        if (c->ev == NULL || c->ev->kind != MCP_EV_MATCH)
            return;
        {
            const char *v = mcp_event_value(c->ev, r->match, name, len);

            if (v != NULL)
                mcp_buf_puts(out, v);
        }
    }
#undef IS
}

void engine_render(struct mcp_engine *e, struct mcp_alert *a,
                   const struct mcp_event *ev)
{
    const struct mcp_rule *r = &e->rs->rules[a->rule];
    struct render_ctx c = {e, a, ev};
    struct mcp_buf b;
    const char *tmpl = r->summary;

    if (tmpl == NULL) {
        if (r->has_threshold)
            tmpl = "{rule}: {count} matches (more than threshold in "
                   "{window})";
        else if (r->has_expect)
            tmpl = "{rule}: expected line not seen within {within}";
        else
            tmpl = "{rule}: {line}";
    }
    mcp_buf_init(&b);
    mcp_template_render(&b, tmpl, render_value, &c);
    free(a->summary);
    a->summary = mcp_buf_steal(&b);
}

void engine_note_line(struct mcp_alert *a, const struct mcp_event *ev)
{
    if (ev == NULL)
        return;
    free(a->last_line);
    free(a->context);
    a->last_line = mcp_strndup(ev->line, ev->line_len);
    a->last_line_len = ev->line_len;
    a->context = ev->context ? mcp_strndup(ev->context, ev->context_len)
                             : NULL;
    a->last_input = ev->input;
    a->last_lineno = ev->lineno;
}

void engine_arm_repeat(struct mcp_engine *e, struct mcp_alert *a, int64_t t)
{
    struct group *g = mcp_strmap_get(&e->r[a->rule].groups, a->key);

    a->next_repeat = MCP_TIME_NONE;
    if (e->repeat_ms <= 0 || g == NULL || t == MCP_TIME_NONE)
        return;
    a->next_repeat = t + e->repeat_ms;
    engine_heap_push(e, (struct timer){.when = a->next_repeat,
                                       .kind = T_REPEAT, .rule = a->rule,
                                       .g = g});
}

void engine_tell(struct mcp_engine *e, struct mcp_alert *a,
                 enum mcp_alert_status t)
{
    if (t == MCP_STATUS_FIRING)
        engine_arm_repeat(e, a, e->now != MCP_TIME_NONE && e->now > a->start
                                    ? e->now : a->start);
    else if (t == MCP_STATUS_RESOLVED)
        a->next_repeat = MCP_TIME_NONE;
    a->at = t == MCP_STATUS_RESOLVED ? a->end
            : e->now != MCP_TIME_NONE ? e->now : a->start;
    if (e->fn != NULL)
        e->fn(a, t, e->fnarg);
}

static struct mcp_alert *new_alert(struct mcp_engine *e, uint32_t rule,
                                   struct group *g, int64_t start)
{
    const struct mcp_rule *r = &e->rs->rules[rule];
    struct mcp_alert *a = mcp_calloc(1, sizeof(*a));

    a->rule = rule;
    a->severity = r->severity;
    a->nlabels = r->n_group_by;
    for (int i = 0; i < r->n_group_by; i++) {
        a->label_name[i] = r->group_by[i];
        a->label_value[i] = mcp_strdup(g->values[i] ? g->values[i] : "");
    }
    a->key = mcp_strdup(g->key);
    a->start = start;
    a->end = MCP_TIME_NONE;
    a->cleared = MCP_TIME_NONE;
    a->at = start;
    a->next_repeat = MCP_TIME_NONE;
    a->firing = true;
    a->id = ++e->next_id;
    engine_add_alert(e, a);
    e->r[rule].stats.alerts++;
    g->alert = a;
    return a;
}

void engine_add_alert(struct mcp_engine *e, struct mcp_alert *a)
{
    if (e->nalerts == e->capalerts) {
        e->capalerts = e->capalerts ? e->capalerts * 2 : 16;
        e->alerts = mcp_realloc(e->alerts,
                                e->capalerts * sizeof(*e->alerts));
    }
    e->alerts[e->nalerts++] = a;
}

/* An alert for g is triggered at t: the one firing goes on (one waiting
 * out its cooldown is firing again: the timer that would resolve it is
 * called off by the new generation), else a new one is raised (*fresh). */
struct mcp_alert *engine_trigger(struct mcp_engine *e, uint32_t rule,
                                 struct group *g, int64_t t, bool *fresh)
{
    struct mcp_alert *a = g->alert;

    *fresh = false;
    if (a != NULL && a->firing) {
        if (a->cleared != MCP_TIME_NONE) {
            a->cleared = MCP_TIME_NONE;
            g->gen++;
        }
        return a;
    }
    *fresh = true;
    return new_alert(e, rule, g, t);
}

void engine_clear(struct mcp_engine *e, struct group *g, int64_t t,
                  bool at_once)
{
    struct mcp_alert *a = g->alert;
    const struct mcp_rule *r = &e->rs->rules[a->rule];

    if (at_once || r->cooldown_ms <= 0) {
        a->firing = false;
        a->cleared = MCP_TIME_NONE;
        a->end = t;
        engine_tell(e, a, MCP_STATUS_RESOLVED);
        return;
    }
    a->cleared = t;
    g->gen++;
    engine_heap_push(e, (struct timer){.when = t + r->cooldown_ms,
                                       .kind = T_COOL, .rule = a->rule,
                                       .g = g, .gen = g->gen});
}

void engine_free_alert(struct mcp_alert *a)
{
    for (int i = 0; i < a->nlabels; i++)
        free(a->label_value[i]);
    free(a->key);
    free(a->summary);
    free(a->last_line);
    free(a->context);
    free(a);
}

struct mcp_alert_view mcp_engine_alert_view(const struct mcp_alert *a,
                                            const char *rule)
{
    return (struct mcp_alert_view){
        rule, a->severity, a->nlabels, a->label_name,
        (const char *const *)a->label_value, a->start, a->end, a->count,
        a->summary,
    };
}
