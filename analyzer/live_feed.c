/* live_feed.c - follow's data path (live_int.h): chunks to the matcher,
 * the matcher's events (timed by follow's clock) to the engine and the
 * view, the engine's alerts to notify. One way: nothing here reads back
 * from the outputs. */
#include <stdlib.h>
#include <string.h>

#include "base/timeparse.h"
#include "live_int.h"

/* The input index of the probes' lines (probes.h): no file has it. */
#define PROBE_INPUT UINT32_MAX

/* Files other than the families' live names that fed events (rotated,
 * deleted), each with an input index of its own so that an alert's
 * last_input names the file of its last line; past this many, a file
 * takes its family's index. */
#define MAX_OTHER_INPUTS 4096

void live_notice(const char *msg, void *arg)
{
    struct mcp_live *l = arg;

    mcp_termview_notice(l->view, msg);
}

/* --- inputs: which file fed an event ------------------------------------ */

/* The input index of path, a file of family fi: the family's own index
 * for its live name, else one of its own. */
static uint32_t input_of(struct mcp_live *l, size_t fi, const char *path)
{
    size_t nf;
    struct mcp_ffamily *fams = mcp_follow_families(l->follow, &nf);

    if (strcmp(path, fams[fi].path) == 0)
        return (uint32_t)fi;
    for (size_t i = 0; i < l->nother; i++)
        if (strcmp(l->other[i], path) == 0)
            return (uint32_t)(nf + i);
    if (l->nother == MAX_OTHER_INPUTS)
        return (uint32_t)fi;
    l->other = mcp_realloc(l->other, (l->nother + 1) * sizeof(*l->other));
    l->other[l->nother] = mcp_strdup(path);
    return (uint32_t)(nf + l->nother++);
}

/* The file of input index i, or NULL. */
static const char *input_path(struct mcp_live *l, uint32_t i)
{
    size_t nf;
    struct mcp_ffamily *fams = mcp_follow_families(l->follow, &nf);

    if (i == PROBE_INPUT)
        return "probe";
    if (i < nf)
        return fams[i].path;
    return i - nf < l->nother ? l->other[i - nf] : NULL;
}

void live_free_inputs(struct mcp_live *l)
{
    for (size_t i = 0; i < l->nother; i++)
        free(l->other[i]);
    free(l->other);
    l->other = NULL;
    l->nother = 0;
}

/* --- alerts --------------------------------------------------------------- */

void live_alert(const struct mcp_alert *a, enum mcp_alert_status t,
                void *arg)
{
    struct mcp_live *l = arg;
    const struct mcp_rule *r = &l->rs.rules[a->rule];

    if (l->metrics != NULL)
        mcp_metrics_alert(l->metrics, a, t);
    mcp_notify_alert(l->notify, a, t,
                     a->last_line != NULL ? input_path(l, a->last_input)
                                          : NULL,
                     false);
    /* After the alert's own line, so the action's notices follow it. */
    if (t == MCP_STATUS_FIRING && l->action != NULL &&
        r->action == MCP_RULE_ACTION_CLEANUP)
        mcp_action_cleanup(l->action, r->name, mcp_mono_ms(), live_notice,
                           l);
}

void live_terminal(const struct mcp_alert *a, enum mcp_alert_status t,
                   bool silenced, void *arg)
{
    struct mcp_live *l = arg;

    mcp_termview_alert(l->view, a, t, silenced);
}

/* --- events --------------------------------------------------------------- */

/* Whether the view shows a line of these events (one is a MATCH). */
static bool shown(struct mcp_event *const *ev, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (ev[i]->kind == MCP_EV_MATCH)
            return true;
    return false;
}

/* --server: the events of ev[0..*n) that are about it (a capture or
 * field "server", or none at all), in l->kept. */
static struct mcp_event *const *of_server(struct mcp_live *l,
                                          struct mcp_event *const *ev,
                                          size_t *n)
{
    size_t k = 0;

    if (*n > l->capkept) {
        l->capkept = *n;
        l->kept = mcp_realloc(l->kept, *n * sizeof(*l->kept));
    }
    for (size_t i = 0; i < *n; i++)
        if (mcp_rules_event_server(&l->rs, ev[i], l->o.server))
            l->kept[k++] = ev[i];
    *n = k;
    return l->kept;
}

/* The n events of one log line (one input, one line number, one time):
 * the engine's timers due before the line fire first (their alert lines
 * come before it), then the events are fed with the view holding alert
 * lines back, so that the line comes first, shown once with what each of
 * its events raised or fed. Probe lines are fed, not shown (one per probe
 * interval while a condition lasts): their alerts are. */
static void feed_line(struct mcp_live *l, struct mcp_event *const *ev,
                      size_t n, const char *path)
{
    int64_t ts = n > 0 ? ev[0]->ts : MCP_TIME_NONE;

    if (n == 0 || (l->o.since != MCP_TIME_NONE && ts != MCP_TIME_NONE &&
                   ts < l->o.since))
        return;
    if (l->o.server != NULL) {
        ev = of_server(l, ev, &n);
        if (n == 0)
            return;
    }
    if (n > l->caphits) {
        l->caphits = n;
        l->hits = mcp_realloc(l->hits, n * sizeof(*l->hits));
    }
    mcp_fclock_seen(l->clock, ts);
    mcp_engine_advance(l->engine, ts);
    if (ev[0]->input != PROBE_INPUT && shown(ev, n))
        mcp_termview_day(l->view, ts);
    mcp_termview_hold(l->view);
    for (size_t i = 0; i < n; i++) {
        const struct mcp_alert *a;

        if (l->metrics != NULL)
            mcp_metrics_event(l->metrics, ev[i]);
        a = mcp_engine_feed(l->engine, ev[i]);

        l->hits[i] = (struct mcp_termview_hit){
            ev[i], a != NULL ? a->id : 0,
            a != NULL ? a->severity : MCP_SEV_NONE};
    }
    if (ev[0]->input != PROBE_INPUT)
        mcp_termview_events(l->view, l->hits, n, path);
    mcp_termview_release(l->view);
}

/* The events of b from *e on that belong to line lineno (all of the next
 * line when lineno is 0): fed as one line. */
static void feed_next_line(struct mcp_live *l, const struct mcp_batch *b,
                           size_t *e, uint64_t lineno, const char *path)
{
    size_t from = *e;

    if (from < b->n && lineno == 0)
        lineno = b->ev[from]->lineno;
    while (*e < b->n && b->ev[*e]->lineno == lineno)
        (*e)++;
    feed_line(l, b->ev + from, *e - from, path);
}

/* With --all, the lines that matched nothing are shown too, in order,
 * each with the time it carries: the chunk's lines as the framer has
 * them, the events of each fed before it is shown. */
static void feed_all(struct mcp_live *l, const struct mcp_chunk *c,
                     size_t fi, const char *path)
{
    struct mcp_line ln = {0};
    size_t e = 0;
    int64_t ts = c->carry_ts;

    while (mcp_chunk_line(c, &ln)) {
        int64_t own;
        size_t from = e;
        bool matched = false;

        if (mcp_time_parse_prefix(ln.text,
                                  (size_t)(c->data + c->len - ln.text), &own))
            ts = mcp_fclock_line_time(l->clock, fi, ln.offset, own);
        if (e < l->timed.n && l->timed.ev[e]->lineno == ln.lineno)
            feed_next_line(l, &l->timed, &e, ln.lineno, path);
        for (size_t i = from; i < e; i++)
            matched |= l->timed.ev[i]->kind == MCP_EV_MATCH;
        if (!matched && (l->o.since == MCP_TIME_NONE ||
                         (ts != MCP_TIME_NONE && ts >= l->o.since)))
            mcp_termview_line(l->view, path, ln.lineno, ts, ln.text, ln.len);
    }
}

void live_chunk(const struct mcp_chunk *c, const struct mcp_ffamily *fam,
                uint32_t fi, const char *path, void *arg)
{
    struct mcp_live *l = arg;

    if (l->metrics != NULL)
        mcp_metrics_lines(l->metrics, fi, c->lines, c->last_ts);
    mcp_matcher_select(l->matcher, fam->role, fam->role_name, fam->base,
                       input_of(l, fi, path));
    if (fam->format != MCP_FMT_TEXT)
        mcp_matcher_structured(l->matcher, true);
    mcp_matcher_server(l->matcher, fam->server);
    mcp_matcher_chunk(l->matcher, c, &l->batch);
    mcp_fclock_chunk(l->clock, fi, path, c, &l->batch, &l->timed);
    if (l->o.view.all)
        feed_all(l, c, fi, path);
    else
        for (size_t e = 0; e < l->timed.n;)
            feed_next_line(l, &l->timed, &e, 0, path);
    mcp_batch_clear(&l->timed);
    l->dirty = true;
}

void live_probes(struct mcp_live *l, const struct mcp_buf *lines)
{
    int64_t clock = mcp_fclock_now(l->clock);
    struct mcp_chunk c = {.data = lines->data,
                          .len = lines->len,
                          .offset = l->probe_offset,
                          .first_line = l->probe_lineno + 1,
                          .first_ts = MCP_TIME_NONE,
                          .last_ts = MCP_TIME_NONE};

    for (size_t i = 0; i < c.len; i++)
        c.lines += c.data[i] == '\n';
    c.carry_ts = clock != MCP_TIME_NONE ? clock : mcp_wall_ms();
    mcp_matcher_select(l->matcher, MCP_ROLE_OTHER, "probe", "probe",
                       PROBE_INPUT);
    mcp_matcher_chunk(l->matcher, &c, &l->batch);
    for (size_t e = 0; e < l->batch.n;)
        feed_next_line(l, &l->batch, &e, 0, "probe");
    mcp_batch_clear(&l->batch);
    l->probe_offset += c.len;
    l->probe_lineno += c.lines;
    l->dirty = true;
}
