/* clientstats.c - the client section of the scan report (clientstats.h). */
#include "output/clientstats.h"

#include <stdlib.h>
#include <string.h>

#include "base/strmap.h"

struct times {
    int64_t *v;              /* the first MCP_CLIENTSTATS_SAMPLES */
    size_t n;
    int64_t max;
    uint64_t count;
};

struct tool {
    uint64_t calls, failed;
    struct times ms;
};

struct server {
    uint64_t attempts, failures, connected, dropped;
    struct times connect;
    struct mcp_strmap reasons;   /* reason -> (uintptr_t) count */
    struct mcp_strmap tools;     /* name -> struct tool */
    struct mcp_strmap sessions;  /* id -> NULL */
};

enum { R_ATTEMPT, R_FAILURE, R_CONNECTED, R_TOOL, R_N };

struct mcp_clientstats {
    const struct mcp_ruleset *rs;
    int rule[R_N];
    struct mcp_strmap servers;   /* name -> struct server */
    uint64_t dropped;
};

struct mcp_clientstats *mcp_clientstats_create(const struct mcp_ruleset *rs)
{
    static const char *const names[R_N] = {
        "client-connections", "connection-failures", "client-connected",
        "client-tool-calls"};
    struct mcp_clientstats *c = mcp_calloc(1, sizeof(*c));

    c->rs = rs;
    for (int i = 0; i < R_N; i++)
        c->rule[i] = mcp_ruleset_find(rs, names[i]);
    mcp_strmap_init(&c->servers);
    return c;
}

static void add_time(struct times *t, int64_t ms)
{
    if (t->n < MCP_CLIENTSTATS_SAMPLES) {
        t->v = mcp_realloc(t->v, (t->n + 1) * sizeof(*t->v));
        t->v[t->n++] = ms;
    }
    if (t->count == 0 || ms > t->max)
        t->max = ms;
    t->count++;
}

/* "12ms", "3s", "1.5s" or "250" (ms) -> ms; -1 when it is none. */
static int64_t parse_ms(const char *s)
{
    char *end;
    double v;

    if (s == NULL)
        return -1;
    v = strtod(s, &end);
    if (end == s || v < 0 || v > 1e12)
        return -1;
    if (strcmp(end, "s") == 0)
        return (int64_t)(v * 1000);
    return strcmp(end, "ms") == 0 || *end == '\0' ? (int64_t)v : -1;
}

static struct server *server_of(struct mcp_clientstats *c, const char *name)
{
    void **slot;

    if (mcp_strmap_get(&c->servers, name) == NULL &&
        c->servers.n >= MCP_CLIENTSTATS_SERVERS) {
        c->dropped++;
        return NULL;
    }
    slot = mcp_strmap_slot(&c->servers, name);
    if (*slot == NULL) {
        struct server *s = mcp_calloc(1, sizeof(*s));

        mcp_strmap_init(&s->reasons);
        mcp_strmap_init(&s->tools);
        mcp_strmap_init(&s->sessions);
        *slot = s;
    }
    return *slot;
}

/* The slot of key in m when it is there or m has room (cap), else NULL. */
static void **bounded_slot(struct mcp_strmap *m, const char *key, size_t cap)
{
    if (mcp_strmap_get(m, key) == NULL && m->n >= cap)
        return NULL;
    return mcp_strmap_slot(m, key);
}

void mcp_clientstats_event(struct mcp_clientstats *c,
                           const struct mcp_event *ev)
{
    const struct mcp_rule *r;
    const char *name, *sess;
    struct server *s;
    int k;

    if (ev->kind != MCP_EV_MATCH || ev->rule >= c->rs->n)
        return;
    for (k = 0; k < R_N && c->rule[k] != (int)ev->rule; k++)
        ;
    if (k == R_N)
        return;
    r = &c->rs->rules[ev->rule];
#define VAL(n) mcp_event_value(ev, r->match, (n), strlen(n))
    name = VAL("server");
    if (name == NULL || (s = server_of(c, name)) == NULL)
        return;
    sess = ev->field[MCP_FIELD_SESSION];
    if (sess != NULL)
        bounded_slot(&s->sessions, sess, MCP_CLIENTSTATS_SAMPLES);
    if (k == R_ATTEMPT) {
        s->attempts++;
    } else if (k == R_FAILURE) {
        const char *why = VAL("reason");
        void **slot = bounded_slot(&s->reasons, why ? why : "(none)",
                                   MCP_CLIENTSTATS_REASONS);

        s->failures++;
        if (slot == NULL)
            s->dropped++;
        else
            *slot = (void *)((uintptr_t)*slot + 1);
    } else if (k == R_CONNECTED) {
        int64_t ms = parse_ms(VAL("ms"));

        s->connected++;
        if (ms >= 0)
            add_time(&s->connect, ms);
    } else {
        const char *tn = VAL("tool");
        const char *ok = VAL("ms");
        void **slot = tn ? bounded_slot(&s->tools, tn, MCP_CLIENTSTATS_TOOLS)
                         : NULL;
        struct tool *t;
        int64_t ms = parse_ms(ok ? ok : VAL("elapsed"));

        if (slot == NULL) {
            s->dropped++;
            return;
        }
        if (*slot == NULL)
            *slot = mcp_calloc(1, sizeof(struct tool));
        t = *slot;
        t->calls++;
        t->failed += ok == NULL;
        if (ms >= 0)
            add_time(&t->ms, ms);
    }
#undef VAL
}

bool mcp_clientstats_any(const struct mcp_clientstats *c)
{
    return c != NULL && c->servers.n > 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

/* Nearest-rank percentile p (0-100) of t's samples; -1 without any. */
static int64_t pct(const struct times *t, int p)
{
    int64_t *v;
    size_t rank;
    int64_t r;

    if (t->n == 0)
        return -1;
    v = mcp_malloc(t->n * sizeof(*v));
    memcpy(v, t->v, t->n * sizeof(*v));
    qsort(v, t->n, sizeof(*v), cmp_i64);
    rank = (t->n * (size_t)p + 99) / 100;
    r = v[rank ? rank - 1 : 0];
    free(v);
    return r;
}

bool mcp_clientstats_tool(const struct mcp_clientstats *c, const char *name,
                          struct mcp_clientstats_tool *out)
{
    struct times all = {NULL, 0, 0, 0};
    bool any = false;

    memset(out, 0, sizeof(*out));
    for (size_t i = 0; c != NULL && i < c->servers.n; i++) {
        const struct server *s = c->servers.entries[i].value;
        const struct tool *t = mcp_strmap_get(&s->tools, name);

        if (t == NULL)
            continue;
        any = true;
        out->calls += t->calls;
        out->failed += t->failed;
        for (size_t k = 0; k < t->ms.n; k++)
            add_time(&all, t->ms.v[k]);
        if (t->ms.count > 0 && (out->timed == 0 || t->ms.max > out->max))
            out->max = t->ms.max;
        out->timed += t->ms.count;
    }
    out->p50 = pct(&all, 50);
    out->p90 = pct(&all, 90);
    if (out->timed == 0)
        out->max = -1;
    free(all.v);
    return any;
}

static void text_times(struct mcp_buf *b, const struct times *t)
{
    if (t->count == 0)
        mcp_buf_puts(b, "-");
    else
        mcp_buf_printf(b, "p50 %lld ms, p90 %lld ms, max %lld ms",
                       (long long)pct(t, 50), (long long)pct(t, 90),
                       (long long)t->max);
}

void mcp_clientstats_text(const struct mcp_clientstats *c, struct mcp_buf *b)
{
    if (!mcp_clientstats_any(c))
        return;
    mcp_buf_puts(b, "\nClients (per server, as the clients recorded it):\n");
    for (size_t i = 0; i < c->servers.n; i++) {
        const struct server *s = c->servers.entries[i].value;

        mcp_buf_puts(b, "  ");
        mcp_term_str(b, c->servers.entries[i].key);
        mcp_buf_printf(b, ": %llu connection attempt%s, %llu failed, "
                       "%llu session%s\n", (unsigned long long)s->attempts,
                       s->attempts == 1 ? "" : "s",
                       (unsigned long long)s->failures,
                       (unsigned long long)s->sessions.n,
                       s->sessions.n == 1 ? "" : "s");
        mcp_buf_puts(b, "    connect time: ");
        text_times(b, &s->connect);
        mcp_buf_putc(b, '\n');
        for (size_t k = 0; k < s->reasons.n; k++) {
            mcp_buf_printf(b, "    failed %llux: ",
                           (unsigned long long)(uintptr_t)s->reasons.entries[k].value);
            mcp_term_cut(b, s->reasons.entries[k].key,
                         strlen(s->reasons.entries[k].key), 200);
            mcp_buf_putc(b, '\n');
        }
        for (size_t k = 0; k < s->tools.n; k++) {
            const struct tool *t = s->tools.entries[k].value;

            mcp_buf_puts(b, "    tool ");
            mcp_term_str(b, s->tools.entries[k].key);
            mcp_buf_printf(b, ": %llu call%s, %llu failed, ",
                           (unsigned long long)t->calls,
                           t->calls == 1 ? "" : "s",
                           (unsigned long long)t->failed);
            text_times(b, &t->ms);
            mcp_buf_putc(b, '\n');
        }
        if (s->dropped > 0)
            mcp_buf_printf(b, "    (%llu events past the bounds not "
                           "itemised)\n", (unsigned long long)s->dropped);
    }
    if (c->dropped > 0)
        mcp_buf_printf(b, "  (%llu events of servers past %d not counted)\n",
                       (unsigned long long)c->dropped,
                       MCP_CLIENTSTATS_SERVERS);
}

static void put_int(struct mcp_json *j, const char *key, uint64_t v)
{
    mcp_json_key(j, key);
    mcp_json_int(j, (int64_t)v);
}

static void json_times(struct mcp_json *j, const char *key,
                       const struct times *t)
{
    static const char *const k[3] = {"p50_ms", "p90_ms", "max_ms"};
    int64_t v[3] = {pct(t, 50), pct(t, 90), t->max};

    mcp_json_key(j, key);
    mcp_json_begin_obj(j);
    put_int(j, "count", t->count);
    for (int i = 0; i < 3; i++) {
        mcp_json_key(j, k[i]);
        if (t->count == 0)
            mcp_json_null(j);
        else
            mcp_json_int(j, v[i]);
    }
    mcp_json_end_obj(j);
}

void mcp_clientstats_json(const struct mcp_clientstats *c, struct mcp_json *j)
{
    if (c == NULL)
        return; /* no client read: no member */
    mcp_json_key(j, "clients");
    mcp_json_begin_obj(j);
    for (size_t i = 0; i < c->servers.n; i++) {
        const struct server *s = c->servers.entries[i].value;

        mcp_json_key(j, c->servers.entries[i].key);
        mcp_json_begin_obj(j);
        put_int(j, "attempts", s->attempts);
        put_int(j, "failures", s->failures);
        mcp_json_key(j, "reasons");
        mcp_json_begin_obj(j);
        for (size_t k = 0; k < s->reasons.n; k++) {
            mcp_json_key(j, s->reasons.entries[k].key);
            mcp_json_int(j, (int64_t)(uintptr_t)s->reasons.entries[k].value);
        }
        mcp_json_end_obj(j);
        json_times(j, "connect", &s->connect);
        mcp_json_key(j, "tools");
        mcp_json_begin_obj(j);
        for (size_t k = 0; k < s->tools.n; k++) {
            const struct tool *t = s->tools.entries[k].value;

            mcp_json_key(j, s->tools.entries[k].key);
            mcp_json_begin_obj(j);
            put_int(j, "calls", t->calls);
            put_int(j, "failed", t->failed);
            json_times(j, "latency", &t->ms);
            mcp_json_end_obj(j);
        }
        mcp_json_end_obj(j);
        put_int(j, "sessions", s->sessions.n);
        put_int(j, "dropped", s->dropped);
        mcp_json_end_obj(j);
    }
    mcp_json_end_obj(j);
}

void mcp_clientstats_destroy(struct mcp_clientstats *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->servers.n; i++) {
        struct server *s = c->servers.entries[i].value;

        for (size_t k = 0; k < s->tools.n; k++) {
            struct tool *t = s->tools.entries[k].value;

            free(t->ms.v);
            free(t);
        }
        mcp_strmap_free(&s->tools);
        mcp_strmap_free(&s->reasons);
        mcp_strmap_free(&s->sessions);
        free(s->connect.v);
        free(s);
    }
    mcp_strmap_free(&c->servers);
    free(c);
}
