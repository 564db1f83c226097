/* event.c - events and batches. */
#include "match/event.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"

struct mcp_event *mcp_event_create(const char *line, size_t line_len,
                                   const char *context, size_t context_len,
                                   int ncaps, const char *const *caps,
                                   const size_t *caplen,
                                   const char *const *fields,
                                   const size_t *flen)
{
    size_t size = sizeof(struct mcp_event), keep = line_len;
    struct mcp_event *e;
    char *p;

    if (keep > MCP_EVENT_LINE_MAX)
        keep = MCP_EVENT_LINE_MAX;
    if (context_len > MCP_EVENT_CONTEXT_MAX)
        context_len = MCP_EVENT_CONTEXT_MAX;
    if (ncaps > MCP_PATTERN_MAX_CAPS)
        ncaps = MCP_PATTERN_MAX_CAPS;
    size += keep + 1 + (context ? context_len + 1 : 0);
    for (int i = 0; i < ncaps; i++)
        if (caps[i] != NULL)
            size += caplen[i] + 1;
    for (int i = 0; fields != NULL && i < MCP_NFIELDS; i++)
        if (fields[i] != NULL && flen[i] > 0)
            size += flen[i] + 1;
    e = mcp_malloc(size);
    memset(e, 0, sizeof(*e));
    e->prev_ts = MCP_TIME_NONE;
    p = (char *)(e + 1);
    memcpy(p, line, keep);
    p[keep] = '\0';
    e->line = p;
    e->line_len = keep;
    e->line_cut = keep < line_len;
    p += keep + 1;
    if (context != NULL) {
        memcpy(p, context, context_len);
        p[context_len] = '\0';
        e->context = p;
        e->context_len = context_len;
        p += context_len + 1;
    }
    e->ncaps = ncaps;
    for (int i = 0; i < ncaps; i++) {
        if (caps[i] == NULL)
            continue;
        memcpy(p, caps[i], caplen[i]);
        p[caplen[i]] = '\0';
        e->cap[i] = p;
        p += caplen[i] + 1;
    }
    for (int i = 0; fields != NULL && i < MCP_NFIELDS; i++) {
        if (fields[i] == NULL || flen[i] == 0)
            continue;
        memcpy(p, fields[i], flen[i]);
        p[flen[i]] = '\0';
        e->field[i] = p;
        p += flen[i] + 1;
    }
    return e;
}

int mcp_field_index(const char *name, size_t len)
{
    static const char *const names[MCP_NFIELDS] = {"server", "session",
                                                   "level"};

    for (int i = 0; i < MCP_NFIELDS; i++)
        if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0)
            return i;
    return -1;
}

const char *mcp_event_value(const struct mcp_event *ev,
                            const struct mcp_pattern *pat, const char *name,
                            size_t len)
{
    int f;

    for (int i = 0; pat != NULL && i < mcp_pattern_ncaptures(pat) &&
                    i < ev->ncaps; i++) {
        const char *cn = mcp_pattern_capture_name(pat, i, NULL);

        if (ev->cap[i] != NULL && strlen(cn) == len &&
            memcmp(cn, name, len) == 0)
            return ev->cap[i];
    }
    f = mcp_field_index(name, len);
    return f >= 0 ? ev->field[f] : NULL;
}

void mcp_event_free(struct mcp_event *e)
{
    free(e);
}

void mcp_batch_init(struct mcp_batch *b)
{
    memset(b, 0, sizeof(*b));
}

void mcp_batch_push(struct mcp_batch *b, struct mcp_event *e)
{
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 64;
        b->ev = mcp_realloc(b->ev, b->cap * sizeof(*b->ev));
    }
    b->ev[b->n++] = e;
    b->bytes += sizeof(*e) + e->line_len + e->context_len + 64;
}

void mcp_batch_clear(struct mcp_batch *b)
{
    for (size_t i = 0; i < b->n; i++)
        mcp_event_free(b->ev[i]);
    b->n = 0;
    b->bytes = 0;
}

void mcp_batch_free(struct mcp_batch *b)
{
    mcp_batch_clear(b);
    free(b->ev);
    mcp_batch_init(b);
}
