/* fuzz_state.c - libFuzzer target: any bytes as a follow checkpoint.
 *
 *   make build/fuzz/fuzz_state
 *   ./build/fuzz/fuzz_state -max_total_time=120 tests/fuzz/corpus/state
 *
 * Each input is written to a file and read with mcp_state_load(), as it
 * is and again with its "end" line made right (so that mutations get past
 * the checksum into the parsers); what it accepts goes through
 * mcp_engine_load() on a fixed rule set, with the wall clock fixed, as
 * follow restores it. The seed corpus holds checkpoints that
 * `mcplog follow` wrote with these rules (firing, resolved), the same
 * with times edited (9999, INT64 extremes, negative, no clock, a repeat
 * far back) and broken ones (truncated, bad checksum, unknown record,
 * short position, empty). Then the engine must hold to engine.h: its clock in
 * range and not past the wall clock + 5 min, firing alerts without an
 * end; a save read back and saved again gives the same text; new lines
 * and moves of the clock (up to a day, as after downtime) tell each alert
 * at most one repeat per move; and nothing overflows (UBSan).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/engine.h"
#include "match/matcher.h"
#include "match/rules.h"
#include "state.h"
#include "match/timeguard.h"
#include "base/timeparse.h"
#include "base/util.h"

#define CHECK(cond)                                                        \
    do {                                                                   \
        if (!(cond)) {                                                     \
            fprintf(stderr, "fuzz_state: check failed line %d: %s\n",      \
                    __LINE__, #cond);                                      \
            abort();                                                       \
        }                                                                  \
    } while (0)

/* The rules the seed corpus was written with. */
static const char rules_yaml[] =
    "rules:\n"
    "  - name: storm\n"
    "    match: 'boom (?<tool>\\w+)'\n"
    "    group_by: [tool]\n"
    "    threshold: {count: 2, window: 1h}\n"
    "    severity: critical\n"
    "    cooldown: 5m\n"
    "  - name: boot\n"
    "    match: 'Process PID: (?<pid>\\d+)$'\n"
    "    expect: {match: 'Server ready', within: 30s}\n"
    "    group_by: [pid]\n"
    "    severity: critical\n"
    "  - name: errors\n"
    "    match: ' ERROR - (?<msg>.*)$'\n"
    "    severity: warning\n"
    "    cooldown: 5m\n";

#define WALL 1796601600000LL /* 2026-12-07 00:00:00 UTC: "now" */
#define REPEAT_MS (3600 * 1000LL)

static struct mcp_ruleset rs;
static char path[64];

/* Repeats told per alert during one move of the clock. */
static struct {
    const struct mcp_alert *a;
    int n;
} told[64];
static int ntold;

static void on_alert(const struct mcp_alert *a, enum mcp_alert_status t,
                     void *arg)
{
    (void)arg;
    CHECK(a->start >= MCP_TIME_MIN);
    if (t != MCP_STATUS_REPEAT)
        return;
    for (int i = 0; i < ntold; i++)
        if (told[i].a == a) {
            CHECK(++told[i].n == 1);
            return;
        }
    if (ntold < 64) {
        told[ntold].a = a;
        told[ntold++].n = 1;
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char err[MCP_ERRLEN] = "", dir[] = "/tmp/fuzz_state.XXXXXX";

    (void)argc;
    (void)argv;
    if (mcp_time_set_tz("UTC", err) != 0 || mkdtemp(dir) == NULL)
        abort();
    snprintf(path, sizeof(path), "%s/state", dir);
    mcp_ruleset_init(&rs);
    if (mcp_rules_load_buffer(&rs, "fuzz.yaml", rules_yaml,
                              strlen(rules_yaml), err) != 0) {
        fprintf(stderr, "fuzz_state: %s\n", err);
        abort();
    }
    return 0;
}

static struct mcp_engine *restore(const char *data, size_t len,
                                  int64_t *was)
{
    struct mcp_engine *e = mcp_engine_create(&rs, on_alert, NULL);

    mcp_engine_set_repeat(e, REPEAT_MS, 1);
    *was = mcp_engine_load(e, data, len, WALL + MCP_TIME_SKEW_MS, WALL);
    return e;
}

/* What engine.h promises; after a load the clock is not past the wall
 * clock + 5 min. */
static void check_engine(struct mcp_engine *e, bool loaded)
{
    size_t n;
    struct mcp_alert *const *a = mcp_engine_alerts(e, &n);
    int64_t now = mcp_engine_now(e);

    CHECK(now == MCP_TIME_NONE || now >= MCP_TIME_MIN);
    CHECK(!loaded || now == MCP_TIME_NONE || now <= WALL + MCP_TIME_SKEW_MS);
    for (size_t i = 0; i < n; i++) {
        CHECK(a[i]->start >= MCP_TIME_MIN && a[i]->start <= MCP_TIME_MAX);
        CHECK(!a[i]->firing || a[i]->end == MCP_TIME_NONE);
    }
}

/* A few new lines at the clock, through the real matcher. */
static void feed_lines(struct mcp_engine *e, struct mcp_matcher *m,
                       int64_t at)
{
    static const char *const what[] = {"boom a", "boom a", "boom b",
                                       "Process PID: 7", "Server ready",
                                       "x ERROR - late"};
    struct mcp_buf text;
    struct mcp_batch b;
    struct mcp_chunk c;

    mcp_buf_init(&text);
    mcp_batch_init(&b);
    for (size_t i = 0; i < sizeof(what) / sizeof(what[0]); i++) {
        char ts[40];

        mcp_time_format_log(at + (int64_t)i * 1000, ts, sizeof(ts));
        mcp_buf_printf(&text, "%s - %s\n", ts, what[i]);
    }
    c = (struct mcp_chunk){.data = text.data, .len = text.len,
                           .first_line = 1, .lines = 6,
                           .carry_ts = MCP_TIME_NONE,
                           .first_ts = MCP_TIME_NONE,
                           .last_ts = MCP_TIME_NONE};
    mcp_matcher_select(m, MCP_ROLE_OTHER, "server", "mcp_server.log", 0);
    mcp_matcher_chunk(m, &c, &b);
    for (size_t i = 0; i < b.n; i++) {
        ntold = 0;
        mcp_engine_feed(e, b.ev[i]);
    }
    mcp_batch_free(&b);
    mcp_buf_free(&text);
}

/* One checkpoint text through the loaders and the engine. */
static void one(const char *data, size_t size)
{
    struct mcp_state st;
    char err[MCP_ERRLEN] = "";
    FILE *fp = fopen(path, "we");
    struct mcp_engine *e, *e2;
    struct mcp_matcher *m;
    struct mcp_buf s1, s2;
    int64_t was, was2, now;
    int rc;

    CHECK(fp != NULL);
    CHECK(fwrite(data, 1, size, fp) == size);
    CHECK(fclose(fp) == 0);
    rc = mcp_state_load(path, &st, err);
    CHECK(rc == 1 || rc == -1);
    if (rc < 0) {
        CHECK(err[0] != '\0' && st.npos == 0 && st.engine.len == 0);
        mcp_state_free(&st);
        return;
    }
    for (size_t i = 0; i < st.npos; i++)
        CHECK(st.pos[i].path != NULL && st.fam_path[i] != NULL &&
              st.pos[i].line > 0 && st.pos[i].fp.len <= 1024);

    e = restore(st.engine.data ? st.engine.data : "", st.engine.len, &was);
    check_engine(e, true);
    CHECK(was == MCP_TIME_NONE || mcp_engine_now(e) == WALL);

    /* Saved and read back: the same state. */
    mcp_buf_init(&s1);
    mcp_buf_init(&s2);
    mcp_engine_save(e, &s1);
    e2 = restore(s1.data, s1.len, &was2);
    CHECK(was2 == MCP_TIME_NONE);
    mcp_engine_save(e2, &s2);
    CHECK(s1.len == s2.len && memcmp(s1.data, s2.data, s1.len) == 0);
    mcp_engine_destroy(e2);

    /* Downtime, lines, more time: one repeat per alert per move. */
    now = mcp_engine_now(e) != MCP_TIME_NONE ? mcp_engine_now(e) : WALL;
    ntold = 0;
    mcp_engine_advance(e, now + 5 * REPEAT_MS);
    m = mcp_matcher_create(&rs);
    feed_lines(e, m, now + 5 * REPEAT_MS);
    ntold = 0;
    mcp_engine_advance(e, now + 24 * REPEAT_MS);
    check_engine(e, false);
    mcp_engine_prune(e);
    if (mcp_engine_next_due(e) != MCP_TIME_NONE) {
        ntold = 0;
        mcp_engine_advance(e, mcp_engine_next_due(e));
    }
    mcp_matcher_destroy(m);
    mcp_engine_destroy(e);
    mcp_buf_free(&s1);
    mcp_buf_free(&s2);
    mcp_state_free(&st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mcp_buf b;
    const char *p = (const char *)data, *end = p + size, *cut = end;
    uint64_t h = 1469598103934665603ULL;

    one(p, size);
    /* The same with the checksum made right: drop a last "end" line, end
     * with a newline, add "end <FNV-1a of everything before>". */
    for (const char *q = p; q < end;) {
        const char *nl = memchr(q, '\n', (size_t)(end - q));

        if ((size_t)(end - q) >= 4 && memcmp(q, "end ", 4) == 0 &&
            (nl == NULL || nl + 1 == end))
            cut = q;
        q = nl ? nl + 1 : end;
    }
    mcp_buf_init(&b);
    mcp_buf_append(&b, p, (size_t)(cut - p));
    if (b.len > 0 && b.data[b.len - 1] != '\n')
        mcp_buf_putc(&b, '\n');
    for (size_t i = 0; i < b.len; i++)
        h = (h ^ (unsigned char)b.data[i]) * 1099511628211ULL;
    mcp_buf_printf(&b, "end %016llx\n", (unsigned long long)h);
    one(b.data, b.len);
    mcp_buf_free(&b);
    return 0;
}
