/* cmd_testrules.c - `mcplog test-rules`, in the manner of fail2ban-regex:
 * validate and list the rules; given input, show which rules match each
 * line, with captures and the parsed time, then hits and misses per rule. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "input/clients.h"
#include "input/format.h"
#include "input/framer.h"
#include "input/logset.h"
#include "match/matcher.h"
#include "base/path.h"
#include "match/prefilter.h"
#include "input/reader.h"
#include "match/rules.h"
#include "base/textout.h"
#include "base/timeparse.h"
#include "base/util.h"

static const char tr_usage[] =
    "usage: mcplog test-rules [options] [FILE|-]\n"
    "\n"
    "Check and list the rules. Given a file (plain or gzip) or - for\n"
    "standard input, show for each matching line which rules match, with\n"
    "their captures and the parsed time, then hits and misses per rule.\n"
    "\n"
    "  --rules PATH           also load rules from a file or folder\n"
    "  --no-default-rules     skip the shipped and user rules\n"
    "  --role ROLE            treat the input as ROLE (server, activity or\n"
    "                         another source name); by default the role\n"
    "                         comes from the file name, and for other\n"
    "                         names every rule is tried\n"
    "  --format NAME          read the input as a client's file (role\n"
    "                         client, the client rules loaded):\n"
    "                         claude-code-jsonl, claude-code-json-array,\n"
    "                         claude-code-transcript, claude-code-debug,\n"
    "                         claude-desktop, claude-desktop-server\n"
    "  --tz ZONE              zone of naive times\n"
    "  --max-inflate RATIO    gzip: a member inflating over RATIO:1\n"
    "                         past 64 MiB is damage (default 200, 0: none)\n"
    "  -q, --quiet            only the summary\n"
    "  -h, --help             this help\n";

enum { OPT_ROLE = 256, OPT_FORMAT };

static const struct option tr_opts[] = {
    MCP_CLI_COMMON_OPTIONS,
    {"role", required_argument, NULL, OPT_ROLE},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static ssize_t read_reader(void *arg, char *buf, size_t cap, char *err)
{
    return mcp_reader_read(arg, buf, cap, err);
}

static ssize_t read_stdin(void *arg, char *buf, size_t cap, char *err)
{
    ssize_t n;

    (void)arg;
    do
        n = read(STDIN_FILENO, buf, cap);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        mcp_errf(err, "standard input: read error");
    return n;
}

static void list_rules(const struct mcp_ruleset *rs, bool no_default)
{
    struct mcp_buf b;

    mcp_buf_init(&b);
    mcp_buf_printf(&b, "%zu rule%s loaded (shipped rules: ", rs->n,
                   rs->n == 1 ? "" : "s");
    mcp_term_str(&b, no_default ? "not loaded" : mcp_path_rules_dir());
    mcp_buf_puts(&b, ")\n");
    for (size_t i = 0; i < rs->n; i++) {
        const struct mcp_rule *r = &rs->rules[i];
        const struct mcp_prefilter *pf = mcp_pattern_prefilter(r->match);

        mcp_buf_printf(&b, "  %-20s ", r->name);
        mcp_term_pad(&b, mcp_cli_rule_input(r), 8);
        mcp_buf_printf(&b, " %-9s ",
                       r->severity ? mcp_severity_name(r->severity) : "count");
        mcp_cli_rule_when(&b, r);
        mcp_buf_puts(&b, "  (");
        mcp_term_str(&b, r->file);
        mcp_buf_printf(&b, ":%d)\n", r->line);
        mcp_buf_puts(&b, "      match: ");
        mcp_sanitize_term(&b, r->match_src, strlen(r->match_src));
        mcp_buf_printf(&b, "  [%s]\n",
                       mcp_pattern_jit(r->match) ? "jit" : "interpreter");
        if (pf->n > 0) {
            mcp_buf_puts(&b, "      prefilter:");
            for (int k = 0; k < pf->n; k++) {
                mcp_buf_puts(&b, " \"");
                mcp_sanitize_term(&b, pf->lit[k], pf->len[k]);
                mcp_buf_putc(&b, '"');
            }
            mcp_buf_putc(&b, '\n');
        }
    }
    fwrite(b.data, 1, b.len, stdout);
    mcp_buf_free(&b);
}

static void show_event(struct mcp_buf *b, const struct mcp_ruleset *rs,
                       const struct mcp_event *ev)
{
    const struct mcp_rule *r = &rs->rules[ev->rule];
    const struct mcp_pattern *p = ev->kind == MCP_EV_MATCH ? r->match
                                                           : r->expect;

    mcp_buf_printf(b, "  %s%s", r->name,
                   ev->kind == MCP_EV_FOLLOW ? " (expected follow-up)" : "");
    for (int i = 0; i < ev->ncaps; i++) {
        const char *name = mcp_pattern_capture_name(p, i, NULL);

        mcp_buf_printf(b, " %s=", name);
        if (ev->cap[i] == NULL)
            mcp_buf_puts(b, "(unset)");
        else
            mcp_term_field(b, ev->cap[i]);
    }
    /* A structured record's fields (format.h), after a bar. */
    for (int f = 0, bar = 0; f < MCP_NFIELDS; f++) {
        static const char *const fname[MCP_NFIELDS] = {"server", "session",
                                                       "level"};

        if (ev->field[f] == NULL)
            continue;
        mcp_buf_printf(b, " %s%s=", bar++ ? "" : "| ", fname[f]);
        mcp_term_field(b, ev->field[f]);
    }
    mcp_buf_putc(b, '\n');
}

int mcp_cmd_test_rules(int argc, char **argv)
{
    struct mcp_cli_common co = {0};
    const char *role = NULL;
    bool quiet = false;
    int c, rc = MCP_EXIT_OK, format = MCP_FMT_TEXT;
    char err[MCP_ERRLEN] = "";
    struct mcp_ruleset rs;

    optind = 1;
    while ((c = mcp_cli_getopt(argc, argv, ":qh", tr_opts, &co, "test-rules")) !=
           -1) {
        switch (c) {
        case MCP_CLI_OPT_ERROR:
            return MCP_EXIT_USAGE;
        case OPT_ROLE:
            role = optarg;
            break;
        case OPT_FORMAT:
            format = mcp_format_parse(optarg);
            if (format < 0) {
                char msg[MCP_ERRLEN];

                snprintf(msg, sizeof(msg), "unknown format '%.64s' (see "
                         "mcplog test-rules --help)", optarg);
                return mcp_cli_usage("test-rules", msg);
            }
            break;
        case 'q':
            quiet = true;
            break;
        case 'h':
            fputs(tr_usage, stdout);
            return MCP_EXIT_OK;
        default:
            mcp_cli_bad_option(c, argv, "test-rules", tr_opts);
            return MCP_EXIT_USAGE;
        }
    }
    if (argc - optind > 1) {
        mcp_cli_error("test-rules takes one input (a file or -)");
        return MCP_EXIT_USAGE;
    }
    /* A client's format: the client rules too, the role "client". */
    co.rules.clients = format != MCP_FMT_TEXT;
    if (role == NULL && format != MCP_FMT_TEXT)
        role = "client";
    if (mcp_cli_load_rules(&rs, &co.rules) != 0)
        return MCP_EXIT_USAGE;
    list_rules(&rs, co.rules.no_default);
    if (optind == argc) {
        mcp_ruleset_free(&rs);
        return MCP_EXIT_OK;
    }

    const char *path = argv[optind];
    bool is_stdin = strcmp(path, "-") == 0;
    struct mcp_reader *rd = NULL;
    struct mcp_framer *f;
    struct mcp_fmt *fs = NULL;
    struct mcp_matcher *m = mcp_matcher_create(&rs);
    struct mcp_batch batch;
    struct mcp_chunk ch;
    uint64_t *hits = mcp_calloc(rs.n + 1, sizeof(uint64_t));
    uint64_t *tried = mcp_calloc(rs.n + 1, sizeof(uint64_t));
    bool *applies = mcp_calloc(rs.n + 1, sizeof(bool));
    struct mcp_framer_stats st;
    enum mcp_role erole = MCP_ROLE_OTHER;
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    const char *role_name = role;
    struct mcp_buf out;

    if (!is_stdin) {
        rd = mcp_reader_open(path, err);
        if (rd == NULL) {
            mcp_cli_error(err);
            rc = MCP_EXIT_USAGE;
            goto done;
        }
        mcp_reader_set_max_inflate(rd, co.max_inflate);
    }
    if (role_name == NULL)
        role_name = mcp_logset_role_of(base);
    if (role_name != NULL && strcmp(role_name, "server") == 0)
        erole = MCP_ROLE_SERVER;
    else if (role_name != NULL && strcmp(role_name, "activity") == 0)
        erole = MCP_ROLE_ACTIVITY;
    else if (role_name != NULL && strcmp(role_name, "client") == 0)
        erole = MCP_ROLE_CLIENT;
    for (size_t i = 0; i < rs.n; i++)
        applies[i] = role_name == NULL ||
                     mcp_rule_applies(&rs.rules[i], erole, role_name, base);
    mcp_matcher_select(m, erole, role_name, base, 0);
    if (format != MCP_FMT_TEXT)
        mcp_matcher_structured(m, true);
    mcp_buf_init(&out);
    mcp_buf_puts(&out, "\nInput: ");
    mcp_term_str(&out, is_stdin ? "standard input" : path);
    mcp_buf_puts(&out, ", role ");
    mcp_term_str(&out, role_name ? role_name : "unknown (every rule is tried)");
    if (format != MCP_FMT_TEXT)
        mcp_buf_printf(&out, ", format %s: a rule's match sees each "
                       "record's message; time, level, server and session "
                       "are fields", mcp_format_name(format));
    mcp_buf_putc(&out, '\n');
    fwrite(out.data, 1, out.len, stdout);
    mcp_buf_reset(&out);

    if (format != MCP_FMT_TEXT) {
        char *srv = is_stdin ? NULL : mcp_clients_server_of_path(format, path);

        fs = mcp_fmt_create(format, srv, false,
                            is_stdin ? read_stdin : read_reader, rd);
        free(srv);
        f = mcp_framer_create(0, MCP_FRAMER_RECORDS, mcp_fmt_read, fs);
    } else {
        f = mcp_framer_create(0, MCP_FRAMER_RECORDS,
                              is_stdin ? read_stdin : read_reader, rd);
    }
    mcp_batch_init(&batch);
    while ((c = mcp_framer_next(f, &ch, err)) == 1) {
        uint64_t last_line = 0;

        mcp_matcher_chunk(m, &ch, &batch);
        for (size_t i = 0; i < batch.n; i++) {
            const struct mcp_event *ev = batch.ev[i];
            char t[MCP_TIME_ISO_LEN];

            if (ev->kind == MCP_EV_MATCH)
                hits[ev->rule]++;
            if (quiet)
                continue;
            if (ev->lineno != last_line) {
                if (ev->ts != MCP_TIME_NONE)
                    mcp_time_format_log(ev->ts, t, sizeof(t));
                else
                    snprintf(t, sizeof(t), "no time");
                mcp_buf_printf(&out, "line %llu [%s%s]: ",
                               (unsigned long long)ev->lineno, t,
                               ev->own_ts || ev->ts == MCP_TIME_NONE
                                   ? ""
                                   : ", from the record");
                mcp_sanitize_term(&out, ev->line, ev->line_len);
                mcp_buf_puts(&out, ev->line_cut ? "…\n" : "\n");
                last_line = ev->lineno;
            }
            show_event(&out, &rs, ev);
        }
        mcp_batch_clear(&batch);
        fwrite(out.data ? out.data : "", 1, out.len, stdout);
        mcp_buf_reset(&out);
    }
    if (c < 0) {
        mcp_cli_error(err);
        rc = MCP_EXIT_DAMAGED;
    }
    mcp_framer_stats(f, &st);
    for (size_t i = 0; i < rs.n; i++)
        tried[i] = applies[i] ? st.lines : 0;
    mcp_buf_printf(&out, "\nSummary: %llu lines\n  %-22s %9s %9s\n",
                   (unsigned long long)st.lines, "RULE", "HITS", "MISSES");
    for (size_t i = 0; i < rs.n; i++) {
        if (!applies[i]) {
            mcp_buf_printf(&out, "  %-22s %9s %9s  (not for this role)\n",
                           rs.rules[i].name, "-", "-");
            continue;
        }
        mcp_buf_printf(&out, "  %-22s %9llu %9llu", rs.rules[i].name,
                       (unsigned long long)hits[i],
                       (unsigned long long)(tried[i] - hits[i]));
        if (mcp_matcher_limit_errors(m, i) > 0)
            mcp_buf_printf(&out, "  (%llu lines hit the regex limits)",
                           (unsigned long long)mcp_matcher_limit_errors(m,
                                                                        i));
        mcp_buf_putc(&out, '\n');
    }
    fwrite(out.data, 1, out.len, stdout);
    mcp_buf_free(&out);
    mcp_batch_free(&batch);
    mcp_framer_destroy(f);
    mcp_fmt_destroy(fs);
done:
    mcp_reader_close(rd);
    mcp_matcher_destroy(m);
    free(hits);
    free(tried);
    free(applies);
    mcp_ruleset_free(&rs);
    return rc;
}
