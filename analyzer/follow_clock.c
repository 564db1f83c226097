/* follow_clock.c - the log clock of `mcplog follow` (follow_clock.h). */
#include "follow_clock.h"

#include <stdio.h>
#include <stdlib.h>

#include "match/timeguard.h"
#include "base/timeparse.h"
#include "base/util.h"

/* Time jump notices after the first: at most one a minute per family. */
#define JUMP_NOTICE_MS (60 * 1000)

struct fam_clock {
    struct mcp_timeguard *guard;
    bool wall_noted;
    uint64_t jumps;
    int64_t jump_noted;          /* monotonic ms of the last notice, or 0 */
};

struct mcp_fclock {
    int64_t anchor_log, anchor_wall;
    struct fam_clock *fam;
    size_t nfam;
    mcp_notice_fn notice;
    void *arg;
    const char *path;            /* of the chunk being judged */
    size_t cur;                  /* its family */
};

static void on_line_time(const struct mcp_tg_line *l, void *arg);

struct mcp_fclock *mcp_fclock_create(size_t nfam, mcp_notice_fn notice,
                                     void *arg)
{
    struct mcp_fclock *c = mcp_calloc(1, sizeof(*c));

    c->anchor_log = c->anchor_wall = MCP_TIME_NONE;
    c->nfam = nfam;
    c->fam = mcp_calloc(nfam ? nfam : 1, sizeof(*c->fam));
    for (size_t i = 0; i < nfam; i++)
        c->fam[i].guard = mcp_timeguard_create(true, on_line_time, c);
    c->notice = notice;
    c->arg = arg;
    return c;
}

void mcp_fclock_destroy(struct mcp_fclock *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->nfam; i++)
        mcp_timeguard_destroy(c->fam[i].guard);
    free(c->fam);
    free(c);
}

int64_t mcp_fclock_now(const struct mcp_fclock *c)
{
    int64_t wall, now;

    if (c->anchor_log == MCP_TIME_NONE)
        return MCP_TIME_NONE;
    wall = mcp_wall_ms();
    now = c->anchor_log + (wall - c->anchor_wall);
    return now > wall + MCP_TIME_SKEW_MS ? wall + MCP_TIME_SKEW_MS : now;
}

void mcp_fclock_seen(struct mcp_fclock *c, int64_t ts)
{
    if (ts == MCP_TIME_NONE)
        return;
    if (c->anchor_log == MCP_TIME_NONE || ts >= mcp_fclock_now(c)) {
        c->anchor_log = ts;
        c->anchor_wall = mcp_wall_ms();
    }
}

int64_t mcp_fclock_restore(struct mcp_fclock *c, struct mcp_engine *e,
                           const char *data, size_t len, int64_t saved)
{
    int64_t wall = mcp_wall_ms();
    int64_t was;

    if (saved <= 0 || saved > wall)
        saved = wall;
    was = mcp_engine_load(e, data, len, wall + MCP_TIME_SKEW_MS, wall);
    if (was != MCP_TIME_NONE) {
        char t[MCP_TIME_ISO_LEN], msg[160];

        mcp_time_format_iso(was, t, sizeof(t));
        snprintf(msg, sizeof(msg), "the checkpoint's clock (%s) is ahead "
                 "of the wall clock: taken back to now", t);
        c->notice(msg, c->arg);
        saved = wall;
    }
    /* From the checkpoint's clock on, by the wall time since it was
     * written: a deadline that passed while mcplog was down fires now,
     * not at the next line. */
    if (mcp_engine_now(e) != MCP_TIME_NONE) {
        c->anchor_log = mcp_engine_now(e);
        c->anchor_wall = saved;
    }
    return saved;
}

static void on_line_time(const struct mcp_tg_line *l, void *arg)
{
    struct mcp_fclock *c = arg;
    struct fam_clock *f = &c->fam[c->cur];
    char own[MCP_TIME_ISO_LEN], ts[MCP_TIME_ISO_LEN], msg[MCP_ERRLEN];
    int64_t mono;

    if (l->kind == MCP_TG_OWN)
        return;
    mcp_time_format_log(l->own, own, sizeof(own));
    if (l->kind == MCP_TG_WALL) {
        if (f->wall_noted)
            return;
        f->wall_noted = true;
        snprintf(msg, sizeof(msg), "%s:%llu: dated after the wall clock "
                 "(%s): taken as now", c->path,
                 (unsigned long long)l->lineno, own);
        c->notice(msg, c->arg);
        return;
    }
    f->jumps++;
    mono = mcp_mono_ms();
    if (f->jumps > 1 && mono - f->jump_noted < JUMP_NOTICE_MS)
        return;
    f->jump_noted = mono;
    mcp_time_format_log(l->ts, ts, sizeof(ts));
    snprintf(msg, sizeof(msg), "%s:%llu: dated over 1h ahead of the lines "
             "around it (%s): timed %s (%llu time jump%s so far)", c->path,
             (unsigned long long)l->lineno, own, ts,
             (unsigned long long)f->jumps, f->jumps == 1 ? "" : "s");
    c->notice(msg, c->arg);
}

void mcp_fclock_chunk(struct mcp_fclock *c, size_t fam, const char *path,
                      const struct mcp_chunk *ch, struct mcp_batch *in,
                      struct mcp_batch *out)
{
    struct mcp_timeguard *g = c->fam[fam].guard;

    c->path = path;
    c->cur = fam;
    mcp_timeguard_bounds(g, mcp_fclock_now(c),
                         mcp_wall_ms() + MCP_TIME_SKEW_MS);
    mcp_timeguard_chunk(g, (uint64_t)(uintptr_t)path, (uint32_t)fam, ch, in,
                        out);
    c->path = NULL;
}

int64_t mcp_fclock_line_time(const struct mcp_fclock *c, size_t fam,
                             uint64_t offset, int64_t own)
{
    return mcp_timeguard_line_time(c->fam[fam].guard, offset, own);
}

uint64_t mcp_fclock_jumps(const struct mcp_fclock *c, size_t fam)
{
    return fam < c->nfam ? c->fam[fam].jumps : 0;
}
