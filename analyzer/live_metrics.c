/* live_metrics.c - follow's metrics (live_int.h): the registry
 * (output/metrics.h) fed by live_feed.c, the figures only the session
 * knows (rotations, time jumps, deliveries, processes, alerts) gathered
 * at render time, GET /metrics on the loop (output/metrics_http.h) and
 * the textfile rewritten every metrics.interval. */
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/statedir.h"
#include "live_int.h"
#include "output/metrics_http.h"

/* The server label: metrics.server, else the name of server.dir, else
 * the name of the folder holding the first server family's folder
 * (~/srv/logs: "srv"; a client's logs name their servers themselves),
 * else "mcp". */
static char *server_name(struct mcp_live *l)
{
    size_t nf, i = 0;
    struct mcp_ffamily *fams = mcp_follow_families(l->follow, &nf);
    char buf[PATH_MAX];
    const char *from = NULL;

    if (l->conf.metrics.server != NULL)
        return mcp_strdup(l->conf.metrics.server);
    while (i < nf && fams[i].role == MCP_ROLE_CLIENT)
        i++;
    if (l->conf.proc.server.dir != NULL) {
        snprintf(buf, sizeof(buf), "%s", l->conf.proc.server.dir);
        from = buf;
    } else if (i < nf && realpath(fams[i].dir, buf) != NULL) {
        from = dirname(buf);
    }
    if (from != NULL) {
        char tmp[PATH_MAX];
        const char *b;

        snprintf(tmp, sizeof(tmp), "%s", from);
        b = basename(tmp);
        if (b[0] != '\0' && strcmp(b, "/") != 0 && strcmp(b, ".") != 0)
            return mcp_strdup(b);
    }
    return mcp_strdup("mcp");
}

bool live_metrics_wanted(const struct mcp_live *l)
{
    return l->o.metrics_listen != NULL || l->o.metrics_file != NULL ||
           l->conf.metrics.listen != NULL || l->conf.metrics.file != NULL;
}

void live_metrics_create(struct mcp_live *l)
{
    size_t nf;
    struct mcp_ffamily *fams = mcp_follow_families(l->follow, &nf);
    const char **names = mcp_calloc(nf + 1, sizeof(*names));
    const char **roles = mcp_calloc(nf + 1, sizeof(*roles));
    char *server;

    if (!live_metrics_wanted(l)) {
        free(names);
        free(roles);
        return;
    }
    for (size_t i = 0; i < nf; i++) {
        names[i] = fams[i].name;
        roles[i] = fams[i].role_name;
    }
    server = server_name(l);
    l->metrics = mcp_metrics_create(nf, names, roles, server,
                                    l->conf.metrics.max_tools);
    mcp_metrics_set_rules(l->metrics, &l->rs);
    free(server);
    free(names);
    free(roles);
}

/* Render: the registry plus what the session knows now. */
static void body(struct mcp_buf *out, void *arg)
{
    struct mcp_live *l = arg;
    size_t nf, na;
    struct mcp_ffamily *fams = mcp_follow_families(l->follow, &nf);
    uint64_t *v = mcp_calloc(4 * (nf + 1), sizeof(*v));
    const char **sinks = mcp_calloc(l->conf.nsinks + 1, sizeof(*sinks));
    struct mcp_metrics_view view = {.now_wall = mcp_wall_ms()};

    for (size_t i = 0; i < nf; i++) {
        v[i] = fams[i].rotations;
        v[nf + 1 + i] = fams[i].truncations;
        v[2 * (nf + 1) + i] = fams[i].unread_bytes;
        v[3 * (nf + 1) + i] = mcp_fclock_jumps(l->clock, i);
    }
    view.rotations = v;
    view.truncations = v + nf + 1;
    view.unread = v + 2 * (nf + 1);
    view.jumps = v + 3 * (nf + 1);
    for (size_t i = 0; i < l->conf.nsinks; i++)
        sinks[i] = l->conf.sinks[i].name;
    view.sink_names = sinks;
    view.sink_counts = mcp_notify_sink_counts(l->notify, &view.nsinks);
    view.processes = mcp_probes_processes(l->probes);
    view.alerts = mcp_engine_alerts(l->engine, &na);
    view.nalerts = na;
    mcp_metrics_render(l->metrics, &view, out);
    free(v);
    free(sinks);
}

static void write_file(struct mcp_live *l)
{
    struct mcp_buf b;
    char err[MCP_ERRLEN] = "";

    mcp_buf_init(&b);
    body(&b, l);
    /* PATH.tmp in the same folder, fsync'd, renamed over PATH: a reader
     * sees the old file or the new one, never a part. */
    if (mcp_state_replace_mode(l->mfile_path, b.data, b.len, true, 0644,
                               err) != 0) {
        if (!l->mfile_failing)
            mcp_termview_notice(l->view, err);
        l->mfile_failing = true;
    } else if (l->mfile_failing) {
        mcp_termview_notice(l->view, "metrics file written again");
        l->mfile_failing = false;
    }
    mcp_buf_free(&b);
}

static void on_mfile(struct mcp_evtimer *t, void *arg)
{
    (void)t;
    write_file(arg);
}

int live_metrics_start(struct mcp_live *l, char *err)
{
    const char *listen = l->o.metrics_listen ? l->o.metrics_listen
                                             : l->conf.metrics.listen;
    bool any = l->o.metrics_listen_any || l->conf.metrics.listen_any;

    if (l->metrics == NULL)
        return 0;
    l->mfile_path = l->o.metrics_file ? l->o.metrics_file
                                      : l->conf.metrics.file;
    if (listen != NULL) {
        char bound[64], msg[128];

        l->http = mcp_metrics_http_open(l->loop, listen, any, body, l, bound,
                                        err);
        if (l->http == NULL)
            return -1;
        snprintf(msg, sizeof(msg), "metrics on http://%s/metrics", bound);
        mcp_termview_notice(l->view, msg);
    }
    if (l->mfile_path != NULL) {
        l->mfile = mcp_evloop_add_timer(l->loop, on_mfile, l, err);
        if (l->mfile == NULL)
            return -1;
        write_file(l);
        mcp_evtimer_arm(l->mfile, l->conf.metrics.interval_ms,
                        l->conf.metrics.interval_ms);
    }
    return 0;
}

void live_metrics_stop(struct mcp_live *l)
{
    mcp_metrics_http_close(l->http);
    l->http = NULL;
    if (l->mfile != NULL) {
        mcp_evtimer_disarm(l->mfile);
        write_file(l); /* the last figures */
        l->mfile = NULL;
    }
    mcp_metrics_destroy(l->metrics);
    l->metrics = NULL;
}
