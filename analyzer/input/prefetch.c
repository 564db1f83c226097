/* prefetch.c - a file read and framed into chunk groups (spec: prefetch.h).
 *
 * The framer reads straight from the reader (the decoder writes into the
 * framer's buffer), and each chunk it hands out is copied once, into a
 * struct mcp_chunks. Those keep their buffers between uses (the pool
 * recycles them), so steady state allocates nothing.
 */
#include "input/prefetch.h"

#include <stdlib.h>
#include <string.h>

#include "input/format.h"
#include "input/logset.h"
#include "input/reader.h"
#include "base/util.h"

struct mcp_prefetch {
    struct mcp_reader *r;
    struct mcp_fmt *fmt;       /* a client's format stage, or NULL */
    struct mcp_framer *f;
};

static ssize_t reader_fn(void *arg, char *buf, size_t cap, char *err)
{
    return mcp_reader_read(arg, buf, cap, err);
}

struct mcp_prefetch *mcp_prefetch_open(const struct mcp_input *in,
                                       size_t max_line, unsigned max_inflate,
                                       char *err)
{
    struct mcp_reader *r = mcp_reader_open(in->path, err);
    struct mcp_prefetch *pf;

    if (r == NULL)
        return NULL;
    mcp_reader_set_max_inflate(r, max_inflate);
    pf = mcp_calloc(1, sizeof(*pf));
    pf->r = r;
    if (in->format == MCP_FMT_TEXT) {
        pf->f = mcp_framer_create(max_line, MCP_FRAMER_RECORDS, reader_fn,
                                  r);
    } else {
        /* A client's file: the format stage turns its records into
         * record lines between the reader and the framer. */
        pf->fmt = mcp_input_format(in, false, reader_fn, r);
        pf->f = mcp_framer_create(max_line, MCP_FRAMER_RECORDS, mcp_fmt_read,
                                  pf->fmt);
    }
    return pf;
}

static void add_chunk(struct mcp_chunks *cs, const struct mcp_chunk *c)
{
    if (cs->len + c->len > cs->cap) {
        cs->cap = cs->len + c->len > 2 * cs->cap ? cs->len + c->len
                                                 : 2 * cs->cap;
        cs->buf = mcp_realloc(cs->buf, cs->cap);
    }
    if (cs->n == cs->capn) {
        cs->capn = cs->capn ? 2 * cs->capn : 4;
        cs->chunk = mcp_realloc(cs->chunk, cs->capn * sizeof(*cs->chunk));
        cs->at = mcp_realloc(cs->at, cs->capn * sizeof(*cs->at));
        cs->evend = mcp_realloc(cs->evend, cs->capn * sizeof(*cs->evend));
    }
    memcpy(cs->buf + cs->len, c->data, c->len);
    cs->chunk[cs->n] = *c;
    cs->chunk[cs->n].data = NULL;
    cs->at[cs->n] = cs->len;
    cs->n++;
    cs->len += c->len;
}

int mcp_prefetch_fill(struct mcp_prefetch *pf, struct mcp_chunks *cs,
                      struct mcp_prefetch_end *end)
{
    char err[MCP_ERRLEN] = "";
    struct mcp_framer_stats st;
    struct mcp_chunk c;
    int rc = 1;

    cs->len = 0;
    cs->n = 0;
    while (rc == 1 && cs->len < MCP_CHUNKS_BYTES) {
        rc = mcp_framer_next(pf->f, &c, err);
        if (rc != 1)
            break;
        add_chunk(cs, &c);
    }
    if (rc == 1)
        return 1;
    mcp_framer_stats(pf->f, &st);
    memset(end, 0, sizeof(*end));
    end->compressed = mcp_reader_compressed(pf->r);
    end->file_bytes = mcp_reader_file_size(pf->r);
    end->bytes = st.bytes;
    end->lines = st.lines;
    end->long_lines = st.long_lines;
    end->damage = rc < 0 ? mcp_strdup(err) : NULL;
    end->note = mcp_reader_warning(pf->r) != NULL
                    ? mcp_strdup(mcp_reader_warning(pf->r))
                    : NULL;
    return 0;
}

void mcp_prefetch_close(struct mcp_prefetch *pf)
{
    if (pf == NULL)
        return;
    mcp_framer_destroy(pf->f);
    mcp_fmt_destroy(pf->fmt);
    mcp_reader_close(pf->r);
    free(pf);
}

void mcp_chunks_free(struct mcp_chunks *cs)
{
    free(cs->buf);
    free(cs->chunk);
    free(cs->at);
    free(cs->evend);
    memset(cs, 0, sizeof(*cs));
}
