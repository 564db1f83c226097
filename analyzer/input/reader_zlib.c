/* reader_zlib.c - the zlib gzip decoder (the only zlib user, STYLE.md 5).
 *
 * In the manner of curl's content decoder: inflateInit2(MAX_WBITS + 32)
 * detects the header, a member ends at Z_STREAM_END and the next one
 * starts after inflateReset (reader.c decides whether there is one),
 * zlib's own message names the damage.
 */
#include "input/reader_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>

#include "base/util.h"

struct mcp_gz_zlib {
    z_stream z;
};

struct mcp_gz_zlib *mcp_gz_zlib_create(char *err, size_t errlen)
{
    struct mcp_gz_zlib *d = mcp_calloc(1, sizeof(*d));
    /* +32: detect the gzip (or zlib) header automatically. */
    int zret = inflateInit2(&d->z, MAX_WBITS + 32);

    if (zret != Z_OK) {
        snprintf(err, errlen, "%s", d->z.msg ? d->z.msg : zError(zret));
        free(d);
        return NULL;
    }
    return d;
}

void mcp_gz_zlib_reset(struct mcp_gz_zlib *d)
{
    inflateReset(&d->z);
}

enum mcp_gz_rc mcp_gz_zlib_step(struct mcp_gz_zlib *d, struct mcp_gz_io *io,
                                char *why, size_t whylen)
{
    size_t in = io->in_len > UINT32_MAX ? UINT32_MAX : io->in_len;
    size_t out = io->out_len > UINT32_MAX ? UINT32_MAX : io->out_len;
    int zret;

    d->z.next_in = (Bytef *)io->in;
    d->z.avail_in = (uInt)in;
    d->z.next_out = io->out;
    d->z.avail_out = (uInt)out;
    zret = inflate(&d->z, Z_NO_FLUSH);
    io->made = out - d->z.avail_out;
    io->in_len -= in - d->z.avail_in;
    io->in = d->z.next_in;
    if (zret == Z_NEED_DICT || zret == Z_DATA_ERROR ||
        zret == Z_STREAM_ERROR || zret == Z_MEM_ERROR) {
        snprintf(why, whylen, "%s", d->z.msg ? d->z.msg : zError(zret));
        return MCP_GZ_ERR;
    }
    /* Z_OK, or Z_BUF_ERROR (no progress possible: input used up). */
    return zret == Z_STREAM_END ? MCP_GZ_END : MCP_GZ_OK;
}

void mcp_gz_zlib_destroy(struct mcp_gz_zlib *d)
{
    if (d == NULL)
        return;
    inflateEnd(&d->z);
    free(d);
}
