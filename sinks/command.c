/* command.c - the command sink: run a program for each alert transition.
 *
 * In the manner of rsyslog's omprog (STYLE.md 15): the program is an argv
 * list from the configuration, never a shell string, and nothing from an
 * alert ever goes into argv. The alert reaches the program as data only:
 *   - environment variables MCPLOG_RULE, MCPLOG_STATUS, ... (command_env.c),
 *     on top of mcplog's own environment without its MCPLOG_* variables
 *     (or only PATH, HOME and LANG with clear_env), plus the `env` option;
 *   - the alert JSON (mcp_sink_alert_json) as one line on stdin, which is
 *     then closed.
 * Exit 0 is delivered; a status listed in retry_on_exit (default 75,
 * EX_TEMPFAIL) asks the dispatcher to retry; anything else, a signal or a
 * timeout is a permanent failure. One child at a time per sink instance
 * (emit runs in the instance's one dispatcher thread). Process handling
 * is in command_run.c.
 */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sinks/command_int.h"
#include "sinks/sink.h"
#include "base/textout.h"
#include "base/util.h"

/* How much of the first line of stderr goes into an error message. */
#define STDERR_LINE_MAX 200

struct command_ctx {
    /* options (filled by the core, freed by the core) */
    char **argv;
    char **env;
    bool clear_env;
    int64_t timeout;
    int64_t kill_grace;
    char **retry_on_exit;
    /* set by init, freed by destroy */
    char *instance;
    char *path;               /* argv[0] resolved to an absolute path */
    char *label;              /* argv[0] made safe for messages */
    struct mcp_command_env base; /* environment without the alert's part */
    bool retry[256];          /* exit statuses that mean RETRY */
};

static const struct mcp_opt opts[] = {
    MCP_OPT("argv", MCP_OPT_STRLIST, NULL, true,
            offsetof(struct command_ctx, argv),
            "the program and its arguments, run without a shell; argv[0] is a "
            "path or a name looked up in PATH at start-up"),
    MCP_OPT("timeout", MCP_OPT_DURATION, "10s", false,
            offsetof(struct command_ctx, timeout),
            "how long the program may run before SIGTERM to its process "
            "group"),
    MCP_OPT("kill_grace", MCP_OPT_DURATION, "2s", false,
            offsetof(struct command_ctx, kill_grace),
            "time between SIGTERM and SIGKILL after a timeout"),
    MCP_OPT("env", MCP_OPT_STRLIST, NULL, false,
            offsetof(struct command_ctx, env),
            "extra fixed variables, each NAME=value"),
    MCP_OPT("clear_env", MCP_OPT_BOOL, "false", false,
            offsetof(struct command_ctx, clear_env),
            "start from PATH, HOME and LANG only, not mcplog's environment"),
    MCP_OPT("retry_on_exit", MCP_OPT_STRLIST, NULL, false,
            offsetof(struct command_ctx, retry_on_exit),
            "exit statuses that mean try again later (default: [75], "
            "EX_TEMPFAIL)"),
    {0},
};

/* ---- init ---- */

static bool is_program(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
           access(path, X_OK) == 0;
}

/* argv[0] as an absolute path: a name with a '/' is taken as it is
 * (relative to the directory mcplog started in); a bare name is looked up
 * in the PATH the program will get, absolute entries only (an empty or
 * relative entry would run whatever sits in the current directory). */
static char *find_program(const struct command_ctx *c, const char *name,
                          char *err)
{
    struct mcp_buf b;

    mcp_buf_init(&b);
    if (strchr(name, '/') != NULL) {
        if (name[0] != '/') {
            char cwd[4096];

            if (getcwd(cwd, sizeof(cwd)) == NULL) {
                mcp_errf(err, "getcwd: %s", strerror(errno));
                return NULL;
            }
            mcp_buf_printf(&b, "%s/", cwd);
        }
        mcp_buf_puts(&b, name);
        if (is_program(b.data))
            return mcp_buf_steal(&b);
        mcp_buf_free(&b);
        return NULL;
    }
    const char *path = mcp_command_env_get(&c->base, "PATH");

    if (path == NULL)
        path = "/usr/local/bin:/usr/bin:/bin";
    while (*path != '\0') {
        size_t n = strcspn(path, ":");

        if (n > 0 && path[0] == '/') {
            mcp_buf_reset(&b);
            mcp_buf_append(&b, path, n);
            mcp_buf_printf(&b, "/%s", name);
            if (is_program(b.data))
                return mcp_buf_steal(&b);
        }
        path += n;
        if (*path == ':')
            path++;
    }
    mcp_buf_free(&b);
    return NULL;
}

static int parse_retry(struct command_ctx *c, char *err)
{
    if (c->retry_on_exit == NULL) {
        c->retry[75] = true;
        return 0;
    }
    for (char **s = c->retry_on_exit; *s != NULL; s++) {
        char *end;
        long v;

        errno = 0;
        v = strtol(*s, &end, 10);
        if (errno != 0 || end == *s || *end != '\0' || v < 1 || v > 255) {
            mcp_errf(err, "retry_on_exit: '%s' is not an exit "
                     "status from 1 to 255", *s);
            return -1;
        }
        c->retry[v] = true;
    }
    return 0;
}

static void destroy(void *vctx)
{
    struct command_ctx *c = vctx;

    mcp_command_env_free(&c->base);
    free(c->path);
    free(c->label);
    free(c->instance);
    c->path = c->label = c->instance = NULL;
}

static int init(void *vctx, const char *instance, char *err)
{
    struct command_ctx *c = vctx;
    struct mcp_buf b;

    if (c->argv == NULL || c->argv[0] == NULL || c->argv[0][0] == '\0') {
        mcp_errf(err, "argv must name a program");
        return -1;
    }
    if (c->timeout <= 0) {
        mcp_errf(err, "timeout must be more than 0");
        return -1;
    }
    if (c->kill_grace < 0) {
        mcp_errf(err, "kill_grace must not be negative");
        return -1;
    }
    if (parse_retry(c, err) != 0)
        return -1;
    mcp_buf_init(&b);
    mcp_sanitize_term(&b, c->argv[0], strlen(c->argv[0]));
    c->label = mcp_buf_steal(&b);
    c->instance = mcp_strdup(instance);
    if (mcp_command_env_build(&c->base, c->clear_env, c->env, err) != 0) {
        destroy(c);
        return -1;
    }
    c->path = find_program(c, c->argv[0], err);
    if (c->path == NULL) {
        mcp_errf(err, "argv[0] '%s': %s", c->label,
                 strchr(c->argv[0], '/') != NULL
                     ? "not an executable file"
                     : "no executable file of that name in PATH");
        destroy(c);
        return -1;
    }
    return 0;
}

/* ---- emit ---- */

/* The first non-empty line of the child's stderr, made safe. */
static void stderr_line(struct mcp_buf *out,
                        const struct mcp_command_result *r)
{
    const char *p = r->err, *end = r->err + r->errlen;

    while (p < end && (*p == '\n' || *p == '\r'))
        p++;
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t n = (size_t)((nl != NULL ? nl : end) - p);

    while (n > 0 && p[n - 1] == '\r')
        n--;
    if (n == 0)
        return;
    mcp_buf_puts(out, "; stderr: ");
    mcp_sanitize_term(out, p, n > STDERR_LINE_MAX ? STDERR_LINE_MAX : n);
}

static enum mcp_sink_result judge(const struct command_ctx *c,
                                  const struct mcp_command_result *r,
                                  char *err)
{
    enum mcp_sink_result res = MCP_SINK_FAIL;
    char d1[32], d2[32];
    struct mcp_buf m;

    if (r->end == MCP_COMMAND_EXITED && r->code == 0)
        return MCP_SINK_OK;
    mcp_buf_init(&m);
    mcp_buf_printf(&m, "%s: ", c->label);
    switch (r->end) {
    case MCP_COMMAND_EXITED:
        mcp_buf_printf(&m, "exited with %d", r->code);
        if (c->retry[r->code & 255])
            res = MCP_SINK_RETRY;
        break;
    case MCP_COMMAND_SIGNALED: {
        const char *abbrev = sigabbrev_np(r->code);

        mcp_buf_printf(&m, "killed by signal %d (SIG%s)", r->code,
                       abbrev != NULL ? abbrev : "?");
        break;
    }
    case MCP_COMMAND_TERMINATED:
        mcp_duration_format(c->timeout, d1, sizeof(d1));
        mcp_buf_printf(&m, "timed out after %s, terminated", d1);
        break;
    case MCP_COMMAND_KILLED:
        mcp_duration_format(c->timeout, d1, sizeof(d1));
        mcp_duration_format(c->kill_grace, d2, sizeof(d2));
        mcp_buf_printf(&m, "timed out after %s, killed after a %s grace", d1,
                       d2);
        break;
    case MCP_COMMAND_NOT_RUN:
        mcp_buf_printf(&m, "%s: %s", r->what, strerror(r->code));
        /* Out of processes, memory or descriptors: may pass. */
        if (r->code == EAGAIN || r->code == ENOMEM || r->code == EMFILE ||
            r->code == ENFILE)
            res = MCP_SINK_RETRY;
        break;
    }
    stderr_line(&m, r);
    mcp_errf(err, "%s", m.data);
    mcp_buf_free(&m);
    return res;
}

static enum mcp_sink_result emit(void *vctx, const struct mcp_sink_alert *a,
                                 char *err)
{
    struct command_ctx *c = vctx;
    struct mcp_command_result *r = mcp_malloc(sizeof(*r));
    char *vars[MCP_COMMAND_ALERT_VARS];
    size_t nbase = c->base.n;
    char **envp;
    struct mcp_buf in;
    enum mcp_sink_result res;
    int nvars = mcp_command_env_alert(c->instance, a, vars);

    /* The base environment, then the alert's variables (their MCPLOG_
     * names cannot clash: the base holds none). */
    envp = mcp_malloc((nbase + (size_t)nvars + 1) * sizeof(*envp));
    memcpy(envp, c->base.vars, nbase * sizeof(*envp));
    memcpy(envp + nbase, vars, (size_t)nvars * sizeof(*envp));
    envp[nbase + (size_t)nvars] = NULL;
    mcp_buf_init(&in);
    mcp_sink_alert_json(&in, a);
    mcp_buf_putc(&in, '\n');

    struct mcp_command cmd = {
        .path = c->path,
        .argv = c->argv,
        .envp = envp,
        .timeout = c->timeout,
        .kill_grace = c->kill_grace,
    };
    mcp_command_run(&cmd, in.data, in.len, r);
    res = judge(c, r, err);

    mcp_buf_free(&in);
    for (int i = 0; i < nvars; i++)
        free(vars[i]);
    free(envp);
    free(r);
    return res;
}

/* The program only: its arguments may carry tokens. */
static void target(const void *ctx, char *buf, size_t len)
{
    char *const *argv = ((const struct command_ctx *)ctx)->argv;
    size_t n = 0;

    while (argv != NULL && argv[n] != NULL)
        n++;
    if (n == 0)
        snprintf(buf, len, "(no argv)");
    else if (n == 1)
        snprintf(buf, len, "%s", argv[0]);
    else
        snprintf(buf, len, "%s (+%zu argument%s)", argv[0], n - 1,
                 n == 2 ? "" : "s");
}

const struct mcp_sink_ops mcp_sink_command = {
    .name = "command",
    .help = "run a program (no shell) with the alert in its environment "
            "and as JSON on stdin",
    .opts = opts,
    .ctx_size = sizeof(struct command_ctx),
    .init = init,
    .emit = emit,
    .flush = NULL,
    .destroy = destroy,
    .target = target,
};
