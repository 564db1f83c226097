/* reader_isal.c - the ISA-L gzip decoder (Intel's igzip, streaming API).
 *
 * isal_inflate with crc_flag ISAL_GZIP parses the gzip header and checks
 * the CRC-32 and length of the trailer; at a member's end it gives back
 * the whole bytes it had read ahead, so the next member (or trailing
 * bytes) starts at io->in. It inflates log archives 6-8 times faster than
 * zlib. Its errors carry no message: reader.c hands a member ISA-L
 * rejects to zlib, from the member's start, for the message, the offset
 * and the bytes zlib would keep.
 */
#ifndef MCP_NO_ISAL
#include "input/reader_int.h"

#include <isa-l/igzip_lib.h>
#include <stdint.h>
#include <stdlib.h>

#include "base/util.h"

struct mcp_gz_isal {
    struct inflate_state s;
};

struct mcp_gz_isal *mcp_gz_isal_create(void)
{
    struct mcp_gz_isal *d = mcp_malloc(sizeof(*d));

    isal_inflate_init(&d->s);
    d->s.crc_flag = ISAL_GZIP;
    return d;
}

void mcp_gz_isal_reset(struct mcp_gz_isal *d)
{
    isal_inflate_reset(&d->s); /* keeps crc_flag */
}

enum mcp_gz_rc mcp_gz_isal_step(struct mcp_gz_isal *d, struct mcp_gz_io *io)
{
    size_t in = io->in_len > UINT32_MAX ? UINT32_MAX : io->in_len;
    size_t out = io->out_len > UINT32_MAX ? UINT32_MAX : io->out_len;
    int ret;

    d->s.next_in = (uint8_t *)io->in;
    d->s.avail_in = (uint32_t)in;
    d->s.next_out = io->out;
    d->s.avail_out = (uint32_t)out;
    ret = isal_inflate(&d->s);
    io->made = out - d->s.avail_out;
    io->in_len -= in - d->s.avail_in;
    io->in = d->s.next_in;
    if (ret != ISAL_DECOMP_OK)
        return MCP_GZ_ERR; /* a negative code, or a dictionary wanted */
    return d->s.block_state == ISAL_BLOCK_FINISH ? MCP_GZ_END : MCP_GZ_OK;
}

size_t mcp_gz_isal_held(const struct mcp_gz_isal *d)
{
    return (size_t)(d->s.read_in_length / 8) + (size_t)d->s.tmp_in_size;
}

void mcp_gz_isal_destroy(struct mcp_gz_isal *d)
{
    free(d);
}
#endif
