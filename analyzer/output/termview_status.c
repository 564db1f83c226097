/* termview_status.c - follow's status line (termview.h).
 *
 * Status line (TTY, text mode, status option): the last screen row shows
 *   mcplog  2 firing | errors 12 (3/min)  reconnect-failures 3 (0.5/min)
 * listing rules with at least one match ("no matches yet" otherwise),
 * truncated to the terminal width minus three columns, ending in "…"
 * when cut: the terminal echoes "^C" after it on Ctrl-C, and a line that
 * wrapped there could no longer be erased from its own row. It is drawn
 * as "\r\033[K" + text, with no newline; each later output line first
 * erases it with "\r\033[K", and flush redraws it. Its text is rebuilt
 * only by mcp_termview_tick, at most once a second. A rate is matches
 * per minute, (count now - count then) * 60 s / (now - then), "then"
 * being the oldest redraw at most 60 s ago (or, when there is none, the
 * newest older one); one decimal under 10/min, none from there; at the
 * first redraw there is no rate yet and none is shown.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "base/textout.h"
#include "base/util.h"
#include "output/termview.h"
#include "output/termview_int.h"

#define RATE_WINDOW_MS 60000
#define REDRAW_MS 1000

void termview_take_rules(struct mcp_termview *v,
                         const struct mcp_ruleset *rs)
{
    size_t n = rs ? rs->n : 0;
    char **names = mcp_calloc(n + 1, sizeof(*names));
    uint64_t *count = mcp_calloc(n + 1, sizeof(*count));

    /* Keep the counts of rules that kept their name. */
    for (size_t i = 0; i < n; i++) {
        names[i] = mcp_strdup(rs->rules[i].name);
        for (size_t k = 0; k < v->nrules; k++)
            if (strcmp(v->names[k], names[i]) == 0)
                count[i] = v->count[k];
    }
    for (size_t k = 0; k < v->nrules; k++)
        free(v->names[k]);
    free(v->names);
    free(v->count);
    v->names = names;
    v->count = count;
    v->nrules = n;
    v->rs = rs;
    /* Rates restart: old snapshots count other rules. */
    for (int i = 0; i < NSNAP; i++) {
        free(v->snap[i].count);
        v->snap[i].count = mcp_calloc(n + 1, sizeof(uint64_t));
    }
    v->nsnap = 0;
    v->snap_head = 0;
}

void termview_free_rules(struct mcp_termview *v)
{
    for (size_t i = 0; i < v->nrules; i++)
        free(v->names[i]);
    free(v->names);
    free(v->count);
    for (int i = 0; i < NSNAP; i++)
        free(v->snap[i].count);
}

static int term_width(int fd)
{
    struct winsize ws;

    if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return 80;
}

/* The snapshot rates are measured against (see the top comment). */
static const struct snap *rate_base(const struct mcp_termview *v,
                                    int64_t now)
{
    const struct snap *newest = NULL;

    for (int k = v->nsnap; k >= 1; k--) {   /* oldest first */
        const struct snap *s =
            &v->snap[(v->snap_head - k + NSNAP) % NSNAP];

        if (now - s->t <= RATE_WINDOW_MS)
            return s;
        newest = s;
    }
    return newest;
}

/* Cut s (plain text, UTF-8) to at most cols columns, one per character,
 * ending in "…" when cut. */
static void truncate_cols(struct mcp_buf *s, int cols)
{
    size_t i, keep = 0;
    int n = 0;

    if (cols < 1)
        cols = 1;
    for (i = 0; i < s->len; i++) {
        if (((unsigned char)s->data[i] & 0xc0) == 0x80)
            continue;
        if (n == cols - 1)
            keep = i;
        if (n++ == cols) {
            s->len = keep;
            s->data[keep] = '\0';
            mcp_buf_puts(s, "…");
            return;
        }
    }
}

static void render_status(struct mcp_termview *v, int64_t now)
{
    const struct snap *base = rate_base(v, now);
    struct mcp_buf t;
    bool any = false;
    struct snap *s;

    mcp_buf_init(&t);
    mcp_buf_printf(&t, "mcplog  %zu firing |", v->nfiring);
    for (size_t i = 0; i < v->nrules; i++) {
        if (v->count[i] == 0)
            continue;
        mcp_buf_puts(&t, any ? "  " : " ");
        mcp_term_str(&t, v->names[i]);
        mcp_buf_printf(&t, " %llu", (unsigned long long)v->count[i]);
        if (base != NULL) {
            double rate = 0.0;

            if (now > base->t && v->count[i] >= base->count[i])
                rate = (double)(v->count[i] - base->count[i]) * 60000.0 /
                       (double)(now - base->t);
            mcp_buf_printf(&t, rate < 9.95 ? " (%.1f/min)" : " (%.0f/min)",
                           rate);
        }
        any = true;
    }
    if (!any)
        mcp_buf_puts(&t, " no matches yet");
    truncate_cols(&t, term_width(v->fd) - 3);

    mcp_buf_reset(&v->st);
    if (v->color)
        mcp_buf_puts(&v->st, SGR_REVERSE);
    mcp_buf_append(&v->st, t.data, t.len);
    if (v->color)
        mcp_buf_puts(&v->st, SGR_RESET);
    mcp_buf_free(&t);

    s = &v->snap[v->snap_head];
    s->t = now;
    memcpy(s->count, v->count, v->nrules * sizeof(uint64_t));
    v->snap_head = (v->snap_head + 1) % NSNAP;
    if (v->nsnap < NSNAP)
        v->nsnap++;
}

void termview_draw_status(struct mcp_termview *v)
{
    fputs(ERASE, v->out);
    fwrite(v->st.data, 1, v->st.len, v->out);
    v->shown = true;
}

void mcp_termview_tick(struct mcp_termview *v, int64_t now_ms)
{
    if (!v->status_on)
        return;
    if (v->drawn && now_ms - v->last_draw < REDRAW_MS)
        return;
    render_status(v, now_ms);
    v->drawn = true;
    v->last_draw = now_ms;
    termview_draw_status(v);
    fflush(v->out);
}
