/* prefetch.c - a decoding thread ahead of the framer.
 *
 * The thread produces pieces into a ring: OPEN (a file was opened, or could
 * not be), DATA (decoded bytes), END (end of a file, with its damage
 * message and reader note). The consumer walks the same sequence. Buffers
 * are allocated once per slot: memory is RING_SLOTS x PIECE_BYTES.
 */
#include "input/prefetch.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input/reader.h"
#include "base/util.h"

#define RING_SLOTS 8
#define PIECE_BYTES (256 * 1024)

enum piece_kind { P_OPEN, P_OPEN_FAILED, P_DATA, P_END, P_DAMAGE };

struct piece {
    enum piece_kind kind;
    char *buf;              /* PIECE_BYTES, owned by the slot */
    size_t len;
    bool compressed;
    uint64_t file_size;
    char msg[MCP_ERRLEN];   /* error or note */
    bool has_note;
};

struct mcp_prefetch {
    const char *const *paths;
    size_t n;               /* files, read by the producer only */
    unsigned max_inflate;
    size_t left;            /* files not yet taken by the consumer */
    pthread_t tid;
    pthread_mutex_t mu;
    pthread_cond_t can_put, can_get;
    struct piece ring[RING_SLOTS];
    size_t head, count;     /* consumer reads ring[head], count filled */
    bool stop;

    /* consumer side */
    struct piece *cur;      /* DATA piece being read, or NULL */
    size_t off;
    bool at_end;            /* current file ended */
    bool compressed;
    uint64_t file_size;
    char note[MCP_ERRLEN];
};

/* Producer: wait for a free slot; NULL when told to stop. */
static struct piece *slot_claim(struct mcp_prefetch *pf)
{
    struct piece *p = NULL;

    pthread_mutex_lock(&pf->mu);
    while (pf->count == RING_SLOTS && !pf->stop)
        pthread_cond_wait(&pf->can_put, &pf->mu);
    if (!pf->stop)
        p = &pf->ring[(pf->head + pf->count) % RING_SLOTS];
    pthread_mutex_unlock(&pf->mu);
    return p;
}

static void slot_publish(struct mcp_prefetch *pf)
{
    pthread_mutex_lock(&pf->mu);
    pf->count++;
    pthread_cond_signal(&pf->can_get);
    pthread_mutex_unlock(&pf->mu);
}

static void *decode_main(void *arg)
{
    struct mcp_prefetch *pf = arg;

    for (size_t i = 0; i < pf->n; i++) {
        struct piece *p = slot_claim(pf);
        struct mcp_reader *r;

        if (p == NULL)
            return NULL;
        p->msg[0] = '\0';
        r = mcp_reader_open(pf->paths[i], p->msg);
        if (r == NULL) {
            p->kind = P_OPEN_FAILED;
            slot_publish(pf);
            continue;
        }
        mcp_reader_set_max_inflate(r, pf->max_inflate);
        p->kind = P_OPEN;
        p->compressed = mcp_reader_compressed(r);
        p->file_size = mcp_reader_file_size(r);
        slot_publish(pf);
        for (;;) {
            ssize_t got;

            p = slot_claim(pf);
            if (p == NULL) {
                mcp_reader_close(r);
                return NULL;
            }
            p->msg[0] = '\0';
            got = mcp_reader_read(r, p->buf, PIECE_BYTES, p->msg);
            if (got > 0) {
                p->kind = P_DATA;
                p->len = (size_t)got;
                slot_publish(pf);
                continue;
            }
            p->kind = got < 0 ? P_DAMAGE : P_END;
            if (got == 0 && mcp_reader_warning(r) != NULL) {
                snprintf(p->msg, sizeof(p->msg), "%s",
                         mcp_reader_warning(r));
                p->has_note = true;
            } else {
                p->has_note = false;
            }
            slot_publish(pf);
            break;
        }
        /* After damage the reader returns 0: drain it for its note. */
        mcp_reader_close(r);
    }
    return NULL;
}

static void destroy(struct mcp_prefetch *pf)
{
    for (int i = 0; i < RING_SLOTS; i++)
        free(pf->ring[i].buf);
    pthread_mutex_destroy(&pf->mu);
    pthread_cond_destroy(&pf->can_put);
    pthread_cond_destroy(&pf->can_get);
    free(pf);
}

struct mcp_prefetch *mcp_prefetch_start(const char *const *paths, size_t n,
                                        unsigned max_inflate, char *err)
{
    struct mcp_prefetch *pf = mcp_calloc(1, sizeof(*pf));

    pf->paths = paths;
    pf->n = n;
    pf->max_inflate = max_inflate;
    pf->left = n;
    pf->at_end = true;
    for (int i = 0; i < RING_SLOTS; i++)
        pf->ring[i].buf = mcp_malloc(PIECE_BYTES);
    pthread_mutex_init(&pf->mu, NULL);
    pthread_cond_init(&pf->can_put, NULL);
    pthread_cond_init(&pf->can_get, NULL);
    if (pthread_create(&pf->tid, NULL, decode_main, pf) != 0) {
        mcp_errf(err, "cannot start a decoding thread");
        destroy(pf);
        return NULL;
    }
    return pf;
}

/* Consumer: the next piece (blocks until the producer publishes it; the
 * caller knows one is due). */
static struct piece *take(struct mcp_prefetch *pf)
{
    struct piece *p = NULL;

    pthread_mutex_lock(&pf->mu);
    while (pf->count == 0)
        pthread_cond_wait(&pf->can_get, &pf->mu);
    if (pf->count > 0)
        p = &pf->ring[pf->head];
    pthread_mutex_unlock(&pf->mu);
    return p;
}

static void release(struct mcp_prefetch *pf)
{
    pthread_mutex_lock(&pf->mu);
    pf->head = (pf->head + 1) % RING_SLOTS;
    pf->count--;
    pthread_cond_signal(&pf->can_put);
    pthread_mutex_unlock(&pf->mu);
}

int mcp_prefetch_next(struct mcp_prefetch *pf, char *err)
{
    struct piece *p;
    int rc;

    /* Skip whatever is left of the current file. */
    while (!pf->at_end) {
        char tmp[MCP_ERRLEN] = "";
        char sink[4096];

        if (mcp_prefetch_read(pf, sink, sizeof(sink), tmp) <= 0)
            break;
    }
    if (pf->left == 0)
        return 1;
    p = take(pf);
    pf->left--;
    pf->note[0] = '\0';
    pf->cur = NULL;
    pf->off = 0;
    if (p->kind == P_OPEN_FAILED) {
        mcp_errf(err, "%s", p->msg);
        pf->at_end = true;
        rc = -1;
    } else {
        pf->compressed = p->compressed;
        pf->file_size = p->file_size;
        pf->at_end = false;
        rc = 0;
    }
    release(pf);
    return rc;
}

ssize_t mcp_prefetch_read(void *arg, char *buf, size_t cap, char *err)
{
    struct mcp_prefetch *pf = arg;
    struct piece *p;

    if (pf->at_end)
        return 0;
    if (pf->cur == NULL) {
        pthread_mutex_lock(&pf->mu);
        while (pf->count == 0)
            pthread_cond_wait(&pf->can_get, &pf->mu);
        p = &pf->ring[pf->head];
        pthread_mutex_unlock(&pf->mu);
        if (p->kind != P_DATA) {
            ssize_t rc = 0;

            if (p->kind == P_DAMAGE) {
                mcp_errf(err, "%s", p->msg);
                rc = -1;
            } else if (p->has_note) {
                snprintf(pf->note, sizeof(pf->note), "%s", p->msg);
            }
            pf->at_end = true;
            release(pf);
            return rc;
        }
        pf->cur = p;
        pf->off = 0;
    }
    p = pf->cur;
    if (cap > p->len - pf->off)
        cap = p->len - pf->off;
    memcpy(buf, p->buf + pf->off, cap);
    pf->off += cap;
    if (pf->off == p->len) {
        pf->cur = NULL;
        release(pf);
    }
    return (ssize_t)cap;
}

bool mcp_prefetch_compressed(const struct mcp_prefetch *pf)
{
    return pf->compressed;
}

uint64_t mcp_prefetch_file_size(const struct mcp_prefetch *pf)
{
    return pf->file_size;
}

const char *mcp_prefetch_warning(const struct mcp_prefetch *pf)
{
    return pf->note[0] ? pf->note : NULL;
}

void mcp_prefetch_stop(struct mcp_prefetch *pf)
{
    if (pf == NULL)
        return;
    pthread_mutex_lock(&pf->mu);
    pf->stop = true;
    pthread_cond_broadcast(&pf->can_put);
    pthread_mutex_unlock(&pf->mu);
    pthread_join(pf->tid, NULL);
    destroy(pf);
}
