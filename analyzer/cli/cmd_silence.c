/* cmd_silence.c - `mcplog silence add|list|expire`: silences in the file
 * beside the checkpoint, honoured by a running follow within a second. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "output/silence.h"
#include "base/statedir.h"
#include "base/textout.h"
#include "base/timeparse.h"
#include "base/util.h"

static const char si_usage[] =
    "usage: mcplog silence add RULE [NAME=VALUE...] --for DURATION\n"
    "                          [--comment TEXT] [--state FILE]\n"
    "       mcplog silence list [--all] [--json] [--state FILE]\n"
    "       mcplog silence expire ID [--state FILE]\n"
    "\n"
    "A silence keeps the alerts of RULE (a glob), with every given label\n"
    "matching (VALUE a glob too), from the sinks until it ends. Silences\n"
    "live beside the checkpoint (STATE.silences); a running follow with the\n"
    "same --state honours a change within a second.\n"
    "\n"
    "  --for DURATION         how long (e.g. 2h, 30m)\n"
    "  --comment TEXT         why (at most 1024 bytes)\n"
    "  --state FILE           the checkpoint (default $XDG_STATE_HOME/mcplog/"
    "state)\n"
    "  --all                  list ended silences too\n"
    "  --json                 list as one JSON array\n"
    "  -h, --help             this help\n";

enum { OPT_FOR = 256, OPT_COMMENT, OPT_STATE, OPT_ALL, OPT_JSON };

static const struct option si_opts[] = {
    {"for", required_argument, NULL, OPT_FOR},
    {"comment", required_argument, NULL, OPT_COMMENT},
    {"state", required_argument, NULL, OPT_STATE},
    {"all", no_argument, NULL, OPT_ALL},
    {"json", no_argument, NULL, OPT_JSON},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int list(const struct mcp_silences *s, bool all, bool json,
                int64_t now)
{
    struct mcp_buf b;
    struct mcp_json j;
    char t[64], d[32];

    mcp_buf_init(&b);
    mcp_json_init(&j, &b, false);
    if (json)
        mcp_json_begin_arr(&j);
    else
        printf("%-16s  %-19s  %-8s  %s\n", "ID", "ENDS", "LEFT", "MATCHES");
    for (size_t i = 0; i < s->n; i++) {
        const struct mcp_silence *sl = &s->v[i];
        bool active = sl->ends > now;

        if (!all && !active)
            continue;
        if (json) {
            mcp_json_begin_obj(&j);
            mcp_json_key(&j, "id");
            mcp_json_str(&j, sl->id);
            mcp_json_key(&j, "rule");
            mcp_json_str(&j, sl->rule);
            mcp_json_key(&j, "labels");
            mcp_json_begin_obj(&j);
            for (int k = 0; k < sl->nlabels; k++) {
                mcp_json_key(&j, sl->label_name[k]);
                mcp_json_str(&j, sl->label_value[k]);
            }
            mcp_json_end_obj(&j);
            mcp_json_key(&j, "created");
            mcp_json_time(&j, sl->created);
            mcp_json_key(&j, "ends");
            mcp_json_time(&j, sl->ends);
            mcp_json_key(&j, "active");
            mcp_json_bool(&j, active);
            mcp_json_key(&j, "comment");
            mcp_json_str(&j, sl->comment);
            mcp_json_end_obj(&j);
            continue;
        }
        /* Local time to the second, as ps and the reports show it. */
        mcp_time_format_log(sl->ends, t, sizeof(t));
        t[19] = '\0';
        if (active)
            mcp_duration_format((sl->ends - now) / 1000 * 1000, d, sizeof(d));
        else
            snprintf(d, sizeof(d), "ended");
        mcp_buf_reset(&b);
        mcp_term_pad(&b, sl->id, 16);
        printf("%s  %-19s  %-8s  ", b.data, t, d);
        mcp_term_fputs(sl->rule, stdout);
        for (int k = 0; k < sl->nlabels; k++) {
            putchar(' ');
            mcp_term_fputs(sl->label_name[k], stdout);
            putchar('=');
            mcp_term_fputs(sl->label_value[k], stdout);
        }
        if (sl->comment[0] != '\0') {
            fputs("  # ", stdout);
            mcp_term_fputs(sl->comment, stdout);
        }
        putchar('\n');
    }
    if (json) {
        mcp_json_end_arr(&j);
        printf("%s\n", b.data);
    }
    mcp_buf_free(&b);
    return MCP_EXIT_OK;
}

int mcp_cmd_silence(int argc, char **argv)
{
    const char *state = mcp_state_default_path(), *comment = "";
    int64_t dur = 0, now = mcp_wall_ms();
    bool all = false, json = false;
    char err[MCP_ERRLEN] = "", msg[MCP_ERRLEN + 16], *path;
    const char *verb;
    int c, rc;

    if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "-h") == 0) {
        fputs(si_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? MCP_EXIT_USAGE : MCP_EXIT_OK;
    }
    verb = argv[1];
    argc--;
    argv++;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", si_opts, NULL)) != -1) {
        switch (c) {
        case OPT_FOR:
            if (mcp_duration_parse(optarg, &dur, err) != 0 || dur <= 0)
                return mcp_cli_usage("silence",
                                     err[0] ? err : "--for must be > 0");
            break;
        case OPT_COMMENT: comment = optarg; break;
        case OPT_STATE: state = optarg; break;
        case OPT_ALL: all = true; break;
        case OPT_JSON: json = true; break;
        case 'h': fputs(si_usage, stdout); return MCP_EXIT_OK;
        default:
            mcp_cli_bad_option(c, argv, "silence", si_opts);
            return MCP_EXIT_USAGE;
        }
    }
    if (strcmp(verb, "list") != 0 && strcmp(verb, "expire") != 0 &&
        strcmp(verb, "add") != 0)
        return mcp_cli_usage("silence", "silence: use add, list or expire");
    /* Only in a folder that is the user's alone (list: if it exists). */
    if (mcp_state_check_dir(state, strcmp(verb, "list") != 0, err) != 0) {
        mcp_cli_error(err);
        return MCP_EXIT_USAGE;
    }
    path = mcp_silence_path(state);
    if (strcmp(verb, "list") == 0) {
        struct mcp_silences s;

        if (optind != argc) {
            free(path);
            return mcp_cli_usage("silence", "silence list takes no arguments");
        }
        rc = mcp_silences_load(&s, path, err);
        if (rc == 0) {
            if (s.warn != NULL)
                mcp_cli_error(s.warn);
            rc = list(&s, all, json, now);
            if (s.warn != NULL)
                rc = MCP_EXIT_DAMAGED; /* a list of what could be read */
        } else {
            mcp_cli_error(err);
            rc = MCP_EXIT_USAGE;
        }
        mcp_silences_free(&s);
        free(path);
        return rc;
    }
    if (strcmp(verb, "expire") == 0) {
        char warn[MCP_ERRLEN];

        if (optind + 1 != argc) {
            free(path);
            return mcp_cli_usage("silence", "silence expire takes one ID");
        }
        rc = mcp_silence_expire(path, argv[optind], now, warn, err);
        if (warn[0] != '\0')
            mcp_cli_error(warn);
        if (rc != 0) {
            mcp_cli_error(err);
        } else {
            fputs("expired ", stdout);
            mcp_term_fputs(argv[optind], stdout);
            putchar('\n');
            if (warn[0] != '\0') {
                snprintf(err, sizeof(err), "%s: rewritten without the part "
                         "past 4 MiB", path);
                mcp_cli_error(err);
            }
        }
        free(path);
        return rc == 0 ? MCP_EXIT_OK : 1;
    }
    if (strcmp(verb, "add") == 0) {
        struct mcp_silence sl;

        if (optind >= argc || dur <= 0) {
            free(path);
            return mcp_cli_usage("silence",
                                 optind >= argc ? "silence add needs a RULE"
                                 : "silence add needs --for");
        }
        memset(&sl, 0, sizeof(sl));
        sl.rule = mcp_strdup(argv[optind]);
        sl.comment = mcp_strdup(comment);
        sl.created = now;
        sl.ends = now + dur;
        for (int i = optind + 1; i < argc; i++) {
            const char *eq = strchr(argv[i], '=');

            if (eq == NULL || eq == argv[i] ||
                sl.nlabels == MCP_RULE_MAX_GROUP) {
                mcp_silence_free(&sl);
                free(path);
                return mcp_cli_usage("silence",
                                     "labels are NAME=VALUE (at most 8)");
            }
            sl.label_name[sl.nlabels] =
                mcp_strndup(argv[i], (size_t)(eq - argv[i]));
            sl.label_value[sl.nlabels++] = mcp_strdup(eq + 1);
        }
        if (mcp_silence_check(&sl, err) != 0) {
            snprintf(msg, sizeof(msg), "silence add: %s", err);
            mcp_silence_free(&sl);
            free(path);
            return mcp_cli_usage("silence", msg);
        }
        rc = mcp_silence_add(path, &sl, err);
        if (rc != 0) {
            snprintf(msg, sizeof(msg), "silence add: %s", err);
            mcp_cli_error(msg);
        } else {
            printf("%s\n", sl.id);
            mcp_cli_check_rule("silence add", sl.rule);
        }
        mcp_silence_free(&sl);
        free(path);
        return rc == 0 ? MCP_EXIT_OK : rc == -2 ? MCP_EXIT_USAGE : 1;
    }
    free(path);
    return MCP_EXIT_OK; /* not reached: the verb was checked above */
}
