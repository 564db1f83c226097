/* live.h - the session of `mcplog follow`, the twin of scan.h.
 *
 * scan reads a finished log set through the pipeline once; live follows
 * one as it grows, through rotation, on the same matcher and engine:
 *
 *   follow (chunks of complete lines, input/follow.h)
 *     -> matcher (events)  -> follow's clock (the time each carries)
 *     -> engine (alerts)   -> notify (the routes: the terminal view and
 *                             the sinks, one target among others)
 *
 * The session owns the clock, the feeding, the checkpoints, the pruning,
 * the reload on SIGHUP, the probes (their lines are the chunk of a
 * virtual input "probe") and the replay of the archives (--replay).
 * Everything it waits for is a descriptor of one event loop (base/
 * evloop.h): inotify, the safety (or polling) timer, the engine's next
 * deadline, the probes' timer, the sinks' outcomes and the signals
 * (SIGINT and SIGTERM stop after a last read and a synced checkpoint,
 * SIGHUP reloads the rules).
 */
#ifndef MCP_LIVE_H
#define MCP_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "input/follow.h"
#include "match/rules.h"
#include "output/termview.h"

struct mcp_live_opts {
    struct mcp_rule_sources rules;   /* the probes' rules are added */
    const char *config;              /* --config FILE, or NULL */
    const char *state_path;          /* the checkpoint; NULL: none */
    char **paths;                    /* DIR|FILE arguments */
    int npaths;
    const char *const *sources;      /* --source NAME=PATH */
    size_t nsources;
    unsigned clients;                /* --client (input/clients.h) */
    bool clients_set;                /* --client given: over the config's
                                        clients: */
    const char *server;              /* --server NAME, or NULL */
    struct mcp_follow_opts follow;   /* start, grace, line and gzip bounds */
    struct mcp_termview_opts view;
    int64_t since;                   /* lines before it are not fed
                                        (MCP_TIME_NONE: all) */
    bool replay;                     /* read the archives first */
    bool poll;                       /* stat, not inotify */
    int64_t poll_ms;                 /* polling interval */
    const char *metrics_listen;      /* --metrics-listen, or NULL: config */
    bool metrics_listen_any;         /* --metrics-listen-any */
    const char *metrics_file;        /* --metrics-file, or NULL: config */
};

struct mcp_live;

/* Set the session up: the rules, the config, the claim on the checkpoint
 * (its folder checked, the silences' folder without one), the log set,
 * the view on stdout, the engine (restored from the checkpoint), the
 * sinks, the files opened where the checkpoint or the options say.
 * Returns NULL with the cause in err (a usage or configuration error:
 * exit 2); notices already shown stay. o is copied, its strings borrowed
 * until mcp_live_destroy(). */
struct mcp_live *mcp_live_create(const struct mcp_live_opts *o, char *err);

/* Read what is there, then follow until a signal stops it. Returns the
 * exit code: 0, or 2 when the event loop failed. */
int mcp_live_run(struct mcp_live *l);

/* Give a cleanup under way and the sinks' queues their grace, then free
 * everything and release the checkpoint. l may be NULL. */
void mcp_live_destroy(struct mcp_live *l);

#endif
