/* reader_int.h - what reader.c shares with its gzip decoders. Internal to
 * the reader: nothing else includes it.
 *
 * A decoder turns the deflate data of one gzip member (header and trailer
 * included) into bytes. reader.c owns the file, the input buffer, member
 * boundaries, the inflate bound and error delivery; a decoder only steps.
 * reader_zlib.c is the only file with <zlib.h> (STYLE.md 5),
 * reader_isal.c the only one with ISA-L's <isa-l/igzip_lib.h>; it is left
 * out of builds with MCP_NO_ISAL (make ISAL=0, or no libisal found).
 */
#ifndef MCP_READER_INT_H
#define MCP_READER_INT_H

#include <stddef.h>

enum mcp_gz_rc {
    MCP_GZ_OK,  /* progress, or none possible without more input */
    MCP_GZ_END, /* the member ended (trailer checked) */
    MCP_GZ_ERR, /* damage */
};

/* One step's buffers. The decoder takes input from in (in_len bytes) and
 * writes at most out_len bytes to out; on return in/in_len describe the
 * input not taken and made the bytes written. */
struct mcp_gz_io {
    const unsigned char *in;
    size_t in_len;
    unsigned char *out;
    size_t out_len;
    size_t made;
};

/* zlib (reader_zlib.c). create returns NULL with the cause in err. step:
 * on MCP_GZ_ERR, why holds zlib's message ("invalid block type"). */
struct mcp_gz_zlib;
struct mcp_gz_zlib *mcp_gz_zlib_create(char *err, size_t errlen);
void mcp_gz_zlib_reset(struct mcp_gz_zlib *d);
enum mcp_gz_rc mcp_gz_zlib_step(struct mcp_gz_zlib *d, struct mcp_gz_io *io,
                                char *why, size_t whylen);
void mcp_gz_zlib_destroy(struct mcp_gz_zlib *d);

#ifndef MCP_NO_ISAL
/* ISA-L (reader_isal.c). Its errors carry no message: reader.c decodes a
 * member ISA-L rejects again with zlib, which gives the message. held:
 * input bytes taken but not decoded yet (ISA-L reads ahead), so that
 * offsets can be told as zlib tells them. */
struct mcp_gz_isal;
struct mcp_gz_isal *mcp_gz_isal_create(void);
void mcp_gz_isal_reset(struct mcp_gz_isal *d);
enum mcp_gz_rc mcp_gz_isal_step(struct mcp_gz_isal *d, struct mcp_gz_io *io);
size_t mcp_gz_isal_held(const struct mcp_gz_isal *d);
void mcp_gz_isal_destroy(struct mcp_gz_isal *d);
#endif

#endif
