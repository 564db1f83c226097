/* cmd_routes.c - `mcplog routes test`: where would an alert go? */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "conf/config.h"
#include "output/router.h"
#include "base/textout.h"
#include "base/util.h"

static const char rt_usage[] =
    "usage: mcplog routes test --severity SEV --rule NAME [--label N=V...]\n"
    "                          [--config FILE]\n"
    "\n"
    "Show where an alert would go: the routes that match it, in order,\n"
    "and the targets (terminal and sinks) it reaches.\n"
    "\n"
    "  --severity SEV         info, warning or critical\n"
    "  --rule NAME            the rule\n"
    "  --label NAME=VALUE     a label (repeatable)\n"
    "  --config FILE          the config (default as for follow)\n"
    "  -h, --help             this help\n";

enum { OPT_SEVERITY = 256, OPT_RULE, OPT_LABEL, OPT_CONFIG };

static const struct option rt_opts[] = {
    {"severity", required_argument, NULL, OPT_SEVERITY},
    {"rule", required_argument, NULL, OPT_RULE},
    {"label", required_argument, NULL, OPT_LABEL},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

int mcp_cmd_routes(int argc, char **argv)
{
    const char *config = NULL, *rule = NULL, *lname[MCP_RULE_MAX_GROUP],
               *lvalue[MCP_RULE_MAX_GROUP];
    char *own[MCP_RULE_MAX_GROUP];
    int sev = -1, nl = 0, c, rc = MCP_EXIT_OK;
    char err[MCP_ERRLEN] = "";
    struct mcp_config conf;
    bool *want, terminal, any = false;

    if (argc < 2 || strcmp(argv[1], "test") != 0) {
        if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
                          strcmp(argv[1], "-h") == 0)) {
            fputs(rt_usage, stdout);
            return MCP_EXIT_OK;
        }
        fputs(rt_usage, stderr);
        return MCP_EXIT_USAGE;
    }
    argc--;
    argv++;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", rt_opts, NULL)) != -1) {
        switch (c) {
        case OPT_SEVERITY:
            sev = mcp_severity_parse(optarg);
            if (sev < 0) {
                mcp_cli_error("routes test: --severity takes info, warning "
                              "or critical");
                rc = MCP_EXIT_USAGE;
            }
            break;
        case OPT_RULE: rule = optarg; break;
        case OPT_LABEL: {
            const char *eq = strchr(optarg, '=');

            if (eq == NULL || eq == optarg || nl == MCP_RULE_MAX_GROUP) {
                mcp_cli_error("routes test: --label wants NAME=VALUE (at "
                              "most 8)");
                rc = MCP_EXIT_USAGE;
                break;
            }
            own[nl] = mcp_strndup(optarg, (size_t)(eq - optarg));
            lname[nl] = own[nl];
            lvalue[nl++] = eq + 1;
            break;
        }
        case OPT_CONFIG: config = optarg; break;
        case 'h': fputs(rt_usage, stdout); goto out;
        default:
            mcp_cli_bad_option(c, argv, "routes test", rt_opts);
            rc = MCP_EXIT_USAGE;
        }
    }
    if (rc == MCP_EXIT_OK && (sev < 0 || rule == NULL || optind != argc)) {
        mcp_cli_error("routes test: give --severity and --rule (and no "
                      "other argument)");
        rc = MCP_EXIT_USAGE;
    }
    if (rc != MCP_EXIT_OK)
        goto out;
    mcp_cli_check_rule("routes test", rule);
    if (mcp_config_load(&conf, config, err) != 0) {
        mcp_cli_error(err);
        rc = MCP_EXIT_USAGE;
        goto out;
    }
    printf("config: ");
    mcp_term_fputs(conf.path ? conf.path
                              : "(built in: no config file found)", stdout);
    putchar('\n');
    /* The routes that match, in the order mcp_router_route walks them. */
    {
        size_t *hit = mcp_calloc(conf.nroutes + 1, sizeof(*hit)), nhit;

        nhit = mcp_router_matching(&conf, rule, (enum mcp_severity)sev,
                                          nl, lname, lvalue, hit);
        for (size_t i = 0; i < nhit; i++)
            printf("route %zu matches%s\n", hit[i] + 1,
                   conf.routes[hit[i]].cont ? " (continue)" : "");
        if (nhit == 0)
            printf("no route matches: the terminal only\n");
        free(hit);
    }
    want = mcp_calloc(conf.nsinks + 1, sizeof(*want));
    terminal = mcp_router_route(&conf, rule, (enum mcp_severity)sev, nl,
                                lname, lvalue, want);
    printf("alert: ");
    mcp_term_fputs(rule, stdout);
    printf(" severity=%s", mcp_severity_name((enum mcp_severity)sev));
    for (int i = 0; i < nl; i++) {
        putchar(' ');
        mcp_term_fputs(lname[i], stdout);
        putchar('=');
        mcp_term_fputs(lvalue[i], stdout);
    }
    printf("\ngoes to:");
    if (terminal) {
        printf(" terminal");
        any = true;
    }
    for (size_t k = 0; k < conf.nsinks; k++)
        if (want[k]) {
            printf(" ");
            mcp_term_fputs(conf.sinks[k].name, stdout);
            printf(" (%s)", conf.sinks[k].ops->name);
            any = true;
        }
    if (!any)
        printf(" nowhere");
    putchar('\n');
    free(want);
    mcp_config_free(&conf);
out:
    for (int i = 0; i < nl; i++)
        free(own[i]);
    return rc;
}
