/* report.c - text and JSON scan reports. */
#include "output/report.h"

#include <stdlib.h>
#include <string.h>

#include "base/alertview.h"
#include "base/textout.h"
#include "base/timeparse.h"
#include "base/util.h"

#define TOOL_RULE "tool-calls"
#define STARTUP_RULE "startup-not-ready"

static const struct mcp_report_opts plain;

/* --min-severity: a rule or alert of severity sev is shown. */
static bool shown(const struct mcp_report_opts *o, int sev)
{
    return o->min_severity <= 0 || sev >= o->min_severity;
}

/* Text between on() and off() is coloured for sev (0: a heading, bold)
 * when colour is on. */
static void on(struct mcp_buf *b, const struct mcp_report_opts *o, int sev)
{
    if (!o->color)
        return;
    switch (sev) {
    case MCP_SEV_CRITICAL: mcp_buf_puts(b, "\033[1;31m"); break;
    case MCP_SEV_WARNING: mcp_buf_puts(b, "\033[33m"); break;
    case MCP_SEV_INFO: mcp_buf_puts(b, "\033[36m"); break;
    default: mcp_buf_puts(b, "\033[1m"); break;
    }
}

static void off(struct mcp_buf *b, const struct mcp_report_opts *o)
{
    if (o->color)
        mcp_buf_puts(b, "\033[0m");
}

/* "\nTitle" with the title bold in colour; fmt has no newlines. */
static void heading(struct mcp_buf *b, const struct mcp_report_opts *o,
                    const char *title)
{
    mcp_buf_putc(b, '\n');
    on(b, o, 0);
    mcp_buf_puts(b, title);
    off(b, o);
}

static void put_time(struct mcp_buf *b, int64_t ms)
{
    char t[MCP_TIME_ISO_LEN];

    if (ms == MCP_TIME_NONE) {
        mcp_buf_puts(b, "-");
        return;
    }
    mcp_time_format_log(ms, t, sizeof(t));
    mcp_buf_puts(b, t);
}


static void human_size(struct mcp_buf *b, uint64_t n)
{
    if (n >= 10ull * 1024 * 1024)
        mcp_buf_printf(b, "%.1f MB", (double)n / (1024.0 * 1024.0));
    else if (n >= 10ull * 1024)
        mcp_buf_printf(b, "%.1f KB", (double)n / 1024.0);
    else
        mcp_buf_printf(b, "%llu B", (unsigned long long)n);
}

static int cmp_count_desc(const void *a, const void *b)
{
    const struct mcp_group_count *x = a, *y = b;

    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->key, y->key);
}

static void text_inputs(struct mcp_buf *b, const struct mcp_logset *ls,
                        const struct mcp_report_figures *s)
{
    mcp_buf_printf(b, "Inputs: %zu file%s, %llu lines, ", ls->n,
                   ls->n == 1 ? "" : "s", (unsigned long long)s->lines);
    human_size(b, s->bytes);
    mcp_buf_puts(b, " decoded\n");
    for (size_t i = 0; i < ls->n; i++) {
        const struct mcp_input *in = &ls->inputs[i];

        mcp_buf_puts(b, "  ");
        mcp_term_pad(b, in->role_name, 9);
        mcp_buf_putc(b, ' ');
        mcp_term_str(b, in->path);
        mcp_buf_printf(b, "%s\n            %llu lines, ",
                       in->compressed ? " (gzip)" : "",
                       (unsigned long long)in->lines);
        human_size(b, in->bytes);
        mcp_buf_puts(b, ", ");
        put_time(b, in->first_ts);
        mcp_buf_puts(b, " .. ");
        put_time(b, in->last_ts);
        mcp_buf_putc(b, '\n');
        if (in->time_jumps > 0)
            mcp_buf_printf(b, "            %llu time jump%s: %s dated over "
                           "1h ahead of %s neighbours took their time\n",
                           (unsigned long long)in->time_jumps,
                           in->time_jumps == 1 ? "" : "s",
                           in->time_jumps == 1 ? "a line" : "lines",
                           in->time_jumps == 1 ? "its" : "their");
        if (in->long_lines > 0)
            mcp_buf_printf(b, "            %llu line%s longer than the "
                           "limit, matched on %s start\n",
                           (unsigned long long)in->long_lines,
                           in->long_lines == 1 ? "" : "s",
                           in->long_lines == 1 ? "its" : "their");
        if (in->damaged) {
            mcp_buf_puts(b, "            DAMAGED: ");
            mcp_term_str(b, in->damage);
            mcp_buf_putc(b, '\n');
        }
        if (in->note != NULL) {
            mcp_buf_puts(b, "            note: ");
            mcp_term_str(b, in->note);
            mcp_buf_putc(b, '\n');
        }
    }
    for (size_t i = 0; i < ls->nnotes; i++) {
        mcp_buf_puts(b, "  note: ");
        mcp_term_str(b, ls->notes[i]);
        mcp_buf_putc(b, '\n');
    }
}

static void text_rules(struct mcp_buf *b, const struct mcp_ruleset *rs,
                       const struct mcp_report_figures *s,
                       const struct mcp_report_opts *o)
{
    heading(b, o, "Rules:");
    mcp_buf_printf(b, "\n  %-22s %-9s %9s %7s\n", "RULE", "SEVERITY",
                   "MATCHES", "ALERTS");
    for (size_t i = 0; i < rs->n; i++) {
        const struct mcp_rule_stats *st = mcp_engine_stats(s->engine, i);
        int sev = (int)rs->rules[i].severity;

        if (!shown(o, sev))
            continue;
        mcp_buf_printf(b, "  %-22s ", rs->rules[i].name);
        if (sev)
            on(b, o, sev);
        mcp_buf_printf(b, "%-9s", sev ? mcp_severity_name(sev) : "-");
        if (sev)
            off(b, o);
        mcp_buf_printf(b, " %9llu %7llu", (unsigned long long)st->matches,
                       (unsigned long long)st->alerts);
        if (s->limit_errors[i] > 0)
            mcp_buf_printf(b, "  (%llu lines hit the regex limits)",
                           (unsigned long long)s->limit_errors[i]);
        if (st->groups_dropped > 0)
            mcp_buf_printf(b, "  (%llu key%s past the %d groups tracked, "
                           "%llu match%s)",
                           (unsigned long long)st->keys_dropped,
                           st->keys_dropped >= MCP_ENGINE_MAX_DROPPED_KEYS
                               ? "s or more"
                           : st->keys_dropped == 1 ? "" : "s",
                           MCP_ENGINE_MAX_GROUPS,
                           (unsigned long long)st->groups_dropped,
                           st->groups_dropped == 1 ? "" : "es");
        if (st->expect_dropped > 0)
            mcp_buf_printf(b, "  (%llu expectations not tracked: too many "
                           "open)", (unsigned long long)st->expect_dropped);
        mcp_buf_putc(b, '\n');
    }
}

static void text_alerts(struct mcp_buf *b, const struct mcp_logset *ls,
                        const struct mcp_ruleset *rs,
                        const struct mcp_report_figures *s,
                        const struct mcp_report_opts *o)
{
    size_t n, shown_n = 0;
    struct mcp_alert *const *al = mcp_engine_alerts(s->engine, &n);

    for (size_t i = 0; i < n; i++)
        shown_n += shown(o, (int)al[i]->severity);
    heading(b, o, "Alerts:");
    mcp_buf_printf(b, " %zu\n", shown_n);
    for (size_t i = 0; i < n; i++) {
        const struct mcp_alert *a = al[i];

        if (!shown(o, (int)a->severity))
            continue;
        mcp_buf_puts(b, "  ");
        put_time(b, a->start);
        mcp_buf_puts(b, " .. ");
        if (a->end == MCP_TIME_NONE && a->cleared != MCP_TIME_NONE)
            mcp_buf_puts(b, "(in its cooldown at end of log)");
        else if (a->end == MCP_TIME_NONE)
            mcp_buf_puts(b, "(still firing at end of log)");
        else
            put_time(b, a->end);
        mcp_buf_puts(b, "  ");
        on(b, o, (int)a->severity);
        mcp_buf_puts(b, mcp_severity_name(a->severity));
        off(b, o);
        mcp_buf_printf(b, " %s", rs->rules[a->rule].name);
        mcp_labels_term(b, a->nlabels, a->label_name,
                        (const char *const *)a->label_value);
        mcp_buf_printf(b, " count=%llu\n", (unsigned long long)a->count);
        if (o->summary)
            continue;
        mcp_buf_puts(b, "    ");
        mcp_term_field(b, a->summary);
        mcp_buf_putc(b, '\n');
        if (a->last_line != NULL) {
            mcp_buf_puts(b, "    last: ");
            mcp_term_str(b, ls->inputs[a->last_input].base);
            mcp_buf_printf(b, ":%llu: ", (unsigned long long)a->last_lineno);
            mcp_sanitize_term(b, a->last_line, a->last_line_len);
            mcp_buf_putc(b, '\n');
        }
        if (a->context != NULL) {
            const char *lastnl = strrchr(a->context, '\n');
            const char *tail = lastnl ? lastnl + 1 : a->context;

            mcp_buf_puts(b, "    traceback ends: ");
            mcp_term_field(b, tail);
            mcp_buf_putc(b, '\n');
        }
    }
}

static void text_groups(struct mcp_buf *b, const struct mcp_ruleset *rs,
                        const struct mcp_report_figures *s,
                        const struct mcp_report_opts *o)
{
    for (size_t i = 0; i < rs->n; i++) {
        const struct mcp_rule *r = &rs->rules[i];
        const struct mcp_rule_stats *st = mcp_engine_stats(s->engine, i);
        struct mcp_group_count *g;

        if (r->n_group_by == 0 || st->ngroups == 0 || r->has_threshold ||
            r->has_expect || r->severity != MCP_SEV_NONE ||
            !shown(o, (int)r->severity) ||
            (o->summary && strcmp(r->name, TOOL_RULE) != 0))
            continue;
        g = mcp_calloc(st->ngroups, sizeof(*g));
        memcpy(g, st->groups, st->ngroups * sizeof(*g));
        qsort(g, st->ngroups, sizeof(*g), cmp_count_desc);
        {
            char t[256];

            if (strcmp(r->name, TOOL_RULE) == 0)
                snprintf(t, sizeof(t), "Tool calls (%s):", r->name);
            else
                snprintf(t, sizeof(t), "%s by %s:", r->name,
                         r->group_by[0]);
            heading(b, o, t);
            mcp_buf_putc(b, '\n');
        }
        for (size_t k = 0; k < st->ngroups; k++) {
            struct mcp_buf key;

            mcp_buf_init(&key);
            mcp_term_field(&key, g[k].key);
            mcp_buf_printf(b, "  %-24s %8llu  %5.1f%%\n",
                           key.data ? key.data : "",
                           (unsigned long long)g[k].count,
                           100.0 * (double)g[k].count /
                               (double)(st->matches ? st->matches : 1));
            mcp_buf_free(&key);
        }
        free(g);
    }
}

static void text_expectations(struct mcp_buf *b, const struct mcp_logset *ls,
                              const struct mcp_ruleset *rs,
                              const struct mcp_report_figures *s,
                              const struct mcp_report_opts *o)
{
    size_t n;
    const struct mcp_expectation *x = mcp_engine_expectations(s->engine,
                                                              &n);

    for (size_t i = 0; i < rs->n; i++) {
        const struct mcp_rule *r = &rs->rules[i];
        bool any = false;

        if (!r->has_expect || !shown(o, (int)r->severity))
            continue;
        for (size_t k = 0; k < n; k++) {
            if (x[k].rule != i)
                continue;
            if (!any && strcmp(r->name, STARTUP_RULE) == 0)
                mcp_buf_printf(b, "\nStartups (%s, ready within %s):\n",
                               r->name, r->within_src);
            else if (!any)
                mcp_buf_printf(b, "\nExpectations of %s (follow-up "
                               "within %s):\n", r->name, r->within_src);
            any = true;
            mcp_buf_puts(b, "  ");
            put_time(b, x[k].start);
            if (x[k].cap_pid != NULL) {
                mcp_buf_puts(b, "  pid ");
                mcp_term_field(b, x[k].cap_pid);
            }
            if (x[k].met != MCP_TIME_NONE) {
                char d[32];

                mcp_duration_format(x[k].met - x[k].start, d, sizeof(d));
                mcp_buf_printf(b, "  %s after %s%s\n",
                               strcmp(r->name, STARTUP_RULE) == 0 ? "ready"
                                                                  : "met",
                               d, x[k].missed ? " (LATE)" : "");
            } else if (x[k].missed) {
                mcp_buf_puts(b, strcmp(r->name, STARTUP_RULE) == 0
                                    ? "  NEVER READY\n"
                                    : "  NEVER MET\n");
            } else {
                mcp_buf_puts(b, "  pending at end of log\n");
            }
            (void)ls;
        }
    }
}

void mcp_report_text(FILE *fp, const struct mcp_logset *ls,
                     const struct mcp_ruleset *rs,
                     const struct mcp_report_figures *s,
                     const struct mcp_report_opts *o)
{
    struct mcp_buf b;

    if (o == NULL)
        o = &plain;
    mcp_buf_init(&b);
    if (o->summary) {
        /* The tables alone: text_rules starts with a blank line. */
        text_rules(&b, rs, s, o);
        text_alerts(&b, ls, rs, s, o);
        text_groups(&b, rs, s, o);
        if (o->hist != NULL)
            mcp_histogram_text(&b, o->hist, rs, o->min_severity);
        fwrite(b.data + 1, 1, b.len - 1, fp);
        mcp_buf_free(&b);
        return;
    }
    text_inputs(&b, ls, s);
    text_rules(&b, rs, s, o);
    text_alerts(&b, ls, rs, s, o);
    text_groups(&b, rs, s, o);
    text_expectations(&b, ls, rs, s, o);
    mcp_clientstats_text(s->clients, &b);
    if (o->hist != NULL)
        mcp_histogram_text(&b, o->hist, rs, o->min_severity);
    mcp_buf_printf(&b, "\nTotals: %llu lines, %llu bytes, %llu matches",
                   (unsigned long long)s->lines,
                   (unsigned long long)s->bytes,
                   (unsigned long long)s->matches);
    if (s->time_jumps > 0)
        mcp_buf_printf(&b, ", %llu time jump%s",
                       (unsigned long long)s->time_jumps,
                       s->time_jumps == 1 ? "" : "s");
    mcp_buf_putc(&b, '\n');
    fwrite(b.data, 1, b.len, fp);
    mcp_buf_free(&b);
}

static void json_inputs(struct mcp_json *j, const struct mcp_logset *ls)
{
    mcp_json_key(j, "inputs");
    mcp_json_begin_arr(j);
    for (size_t i = 0; i < ls->n; i++) {
        const struct mcp_input *in = &ls->inputs[i];

        mcp_json_begin_obj(j);
        mcp_json_key(j, "path");
        mcp_json_str(j, in->path);
        mcp_json_key(j, "role");
        mcp_json_str(j, in->role_name);
        mcp_json_key(j, "compressed");
        mcp_json_bool(j, in->compressed);
        mcp_json_key(j, "bytes");
        mcp_json_int(j, (int64_t)in->bytes);
        mcp_json_key(j, "file_bytes");
        mcp_json_int(j, (int64_t)in->file_bytes);
        mcp_json_key(j, "lines");
        mcp_json_int(j, (int64_t)in->lines);
        mcp_json_key(j, "long_lines");
        mcp_json_int(j, (int64_t)in->long_lines);
        mcp_json_key(j, "first");
        mcp_json_time(j, in->first_ts);
        mcp_json_key(j, "last");
        mcp_json_time(j, in->last_ts);
        mcp_json_key(j, "time_jumps");
        mcp_json_int(j, (int64_t)in->time_jumps);
        mcp_json_key(j, "damaged");
        mcp_json_bool(j, in->damaged);
        mcp_json_key(j, "damage");
        mcp_json_str(j, in->damage);
        mcp_json_key(j, "note");
        mcp_json_str(j, in->note);
        mcp_json_end_obj(j);
    }
    mcp_json_end_arr(j);
}

static void json_rules(struct mcp_json *j, const struct mcp_ruleset *rs,
                       const struct mcp_report_figures *s,
                       const struct mcp_report_opts *o)
{
    mcp_json_key(j, "rules");
    mcp_json_begin_obj(j);
    for (size_t i = 0; i < rs->n; i++) {
        const struct mcp_rule_stats *st = mcp_engine_stats(s->engine, i);

        if (!shown(o, (int)rs->rules[i].severity))
            continue;

        mcp_json_key(j, rs->rules[i].name);
        mcp_json_begin_obj(j);
        mcp_json_key(j, "matches");
        mcp_json_int(j, (int64_t)st->matches);
        mcp_json_key(j, "alerts");
        mcp_json_int(j, (int64_t)st->alerts);
        mcp_json_key(j, "groups");
        mcp_json_begin_obj(j);
        for (size_t k = 0; k < st->ngroups; k++) {
            mcp_json_key(j, st->groups[k].key);
            mcp_json_int(j, (int64_t)st->groups[k].count);
        }
        mcp_json_end_obj(j);
        mcp_json_key(j, "severity");
        mcp_json_str(j, mcp_severity_name(rs->rules[i].severity));
        mcp_json_key(j, "limit_errors");
        mcp_json_int(j, (int64_t)s->limit_errors[i]);
        mcp_json_key(j, "groups_dropped");
        mcp_json_int(j, (int64_t)st->groups_dropped);
        mcp_json_key(j, "keys_dropped");
        mcp_json_int(j, (int64_t)st->keys_dropped);
        mcp_json_key(j, "expect_dropped");
        mcp_json_int(j, (int64_t)st->expect_dropped);
        mcp_json_end_obj(j);
    }
    mcp_json_end_obj(j);
}

static void json_alerts(struct mcp_json *j, const struct mcp_logset *ls,
                        const struct mcp_ruleset *rs,
                        const struct mcp_report_figures *s,
                        const struct mcp_report_opts *o)
{
    size_t n;
    struct mcp_alert *const *al = mcp_engine_alerts(s->engine, &n);

    mcp_json_key(j, "alerts");
    mcp_json_begin_arr(j);
    for (size_t i = 0; i < n; i++)
        if (shown(o, (int)al[i]->severity))
            mcp_report_json_alert(j, ls, rs, al[i], o->summary);
    mcp_json_end_arr(j);
}

void mcp_report_json_alert(struct mcp_json *j, const struct mcp_logset *ls,
                           const struct mcp_ruleset *rs,
                           const struct mcp_alert *a, bool summary)
{
    struct mcp_alert_view v = mcp_engine_alert_view(a,
                                                    rs->rules[a->rule].name);

    mcp_json_begin_obj(j);
    mcp_json_key(j, "rule");
    mcp_json_str(j, v.rule);
    mcp_json_key(j, "severity");
    mcp_json_str(j, mcp_severity_name(v.severity));
    mcp_alert_view_json(j, &v);
    if (summary) {
        mcp_json_end_obj(j);
        return;
    }
    mcp_json_key(j, "last_line");
    if (a->last_line != NULL)
        mcp_json_strn(j, a->last_line, a->last_line_len);
    else
        mcp_json_null(j);
    mcp_json_key(j, "origin");
    if (a->last_line != NULL) {
        struct mcp_buf o;

        mcp_buf_init(&o);
        mcp_buf_printf(&o, "%s:%llu", ls->inputs[a->last_input].path,
                       (unsigned long long)a->last_lineno);
        mcp_json_str(j, o.data);
        mcp_buf_free(&o);
    } else {
        mcp_json_null(j);
    }
    mcp_json_key(j, "context");
    mcp_json_str(j, a->context);
    mcp_json_end_obj(j);
}

static void json_expectations(struct mcp_json *j,
                              const struct mcp_ruleset *rs,
                              const struct mcp_report_figures *s,
                              const struct mcp_report_opts *o)
{
    size_t n;
    const struct mcp_expectation *x = mcp_engine_expectations(s->engine,
                                                              &n);

    mcp_json_key(j, "expectations");
    mcp_json_begin_arr(j);
    for (size_t k = 0; k < n; k++) {
        if (!shown(o, (int)rs->rules[x[k].rule].severity))
            continue;
        mcp_json_begin_obj(j);
        mcp_json_key(j, "rule");
        mcp_json_str(j, rs->rules[x[k].rule].name);
        mcp_json_key(j, "key");
        mcp_json_str(j, x[k].key);
        mcp_json_key(j, "pid");
        mcp_json_str(j, x[k].cap_pid);
        mcp_json_key(j, "start");
        mcp_json_time(j, x[k].start);
        mcp_json_key(j, "met");
        mcp_json_time(j, x[k].met);
        mcp_json_key(j, "after_ms");
        if (x[k].met != MCP_TIME_NONE)
            mcp_json_int(j, x[k].met - x[k].start);
        else
            mcp_json_null(j);
        mcp_json_key(j, "missed");
        mcp_json_bool(j, x[k].missed);
        mcp_json_end_obj(j);
    }
    mcp_json_end_arr(j);
}

void mcp_report_json(FILE *fp, const struct mcp_logset *ls,
                     const struct mcp_ruleset *rs,
                     const struct mcp_report_figures *s,
                     const struct mcp_report_opts *o)
{
    struct mcp_buf b;
    struct mcp_json j;

    if (o == NULL)
        o = &plain;
    mcp_buf_init(&b);
    mcp_json_init(&j, &b, true);
    mcp_json_begin_obj(&j);
    mcp_json_key(&j, "version");
    mcp_json_str(&j, MCP_REPORT_VERSION);
    if (o->min_severity > 0) {
        mcp_json_key(&j, "min_severity");
        mcp_json_str(&j, mcp_severity_name(o->min_severity));
    }
    if (!o->summary)
        json_inputs(&j, ls);
    json_rules(&j, rs, s, o);
    json_alerts(&j, ls, rs, s, o);
    if (!o->summary) {
        json_expectations(&j, rs, s, o);
        mcp_clientstats_json(s->clients, &j);
        mcp_json_key(&j, "notes");
        mcp_json_begin_arr(&j);
        for (size_t i = 0; i < ls->nnotes; i++)
            mcp_json_str(&j, ls->notes[i]);
        mcp_json_end_arr(&j);
    }
    if (o->hist != NULL)
        mcp_histogram_json(&j, o->hist, rs, o->min_severity);
    mcp_json_key(&j, "totals");
    mcp_json_begin_obj(&j);
    mcp_json_key(&j, "lines");
    mcp_json_int(&j, (int64_t)s->lines);
    mcp_json_key(&j, "bytes");
    mcp_json_int(&j, (int64_t)s->bytes);
    mcp_json_key(&j, "matches");
    mcp_json_int(&j, (int64_t)s->matches);
    mcp_json_key(&j, "time_jumps");
    mcp_json_int(&j, (int64_t)s->time_jumps);
    mcp_json_end_obj(&j);
    mcp_json_end_obj(&j);
    mcp_buf_putc(&b, '\n');
    fwrite(b.data, 1, b.len, fp);
    mcp_buf_free(&b);
}
