/* pcapng_writer.h — evidence for Wireshark: a pcapng file whose packets carry
 * comments (opt_comment), one interface description block per capture
 * interface and link type. */
#ifndef GHOSTWIRE_PCAPNG_WRITER_H
#define GHOSTWIRE_PCAPNG_WRITER_H

#include <stdint.h>

#include "ghostwire/err.h"
#include "ghostwire/packet.h"

struct gw_pcapng_writer;

/* Creates path (replacing it) and writes the section header. */
int gw_pcapng_open(const char *path, struct gw_pcapng_writer **out, struct gw_err *err)
        GW_MUST_CHECK;

/* Writes frame as an enhanced packet block on the interface of its (iface,
 * linktype), described the first time it is met; comment (NULL: none) becomes
 * the packet's comment (cut at 65000 bytes). */
int gw_pcapng_write(struct gw_pcapng_writer *w, const struct gw_frame *frame, const char *comment,
                    struct gw_err *err) GW_MUST_CHECK;

/* Pushes what is written to the file (a reader on a fifo sees it now). */
int gw_pcapng_flush(struct gw_pcapng_writer *w, struct gw_err *err);

/* Flushes and closes (a failed flush is an error naming the file); NULL is fine. */
int gw_pcapng_close(struct gw_pcapng_writer *w, struct gw_err *err);

#endif
