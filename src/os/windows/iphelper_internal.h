/* os/windows/iphelper_internal.h — the IP Helper table parser of
 * sockview_iphelper.c, open to the tests so hostile tables can be fed to it. */
#ifndef GW_WINDOWS_IPHELPER_INTERNAL_H
#define GW_WINDOWS_IPHELPER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "ghostwire/socket.h"

/* The four tables: MIB_TCPTABLE_OWNER_PID, MIB_TCP6TABLE_OWNER_PID,
 * MIB_UDPTABLE_OWNER_PID, MIB_UDP6TABLE_OWNER_PID. */
enum gw__iph_table {
	GW__IPH_TCP4,
	GW__IPH_TCP6,
	GW__IPH_UDP4,
	GW__IPH_UDP6
};

/* Receives each row as a socket (pid set, owner status not); nonzero stops. */
typedef int (*gw__iph_sink)(void *ctx, struct gw_socket *s);

/* Parses a table of got bytes as the call returned it: a 32-bit row count,
 * then rows. A count the bytes cannot hold (or fewer than 4 bytes) bumps
 * *malformed and only the whole rows within got are read. 1 if the sink
 * stopped, 0 otherwise. */
int gw__iphelper_parse(enum gw__iph_table table, const uint8_t *buf, size_t got, gw__iph_sink sink,
                       void *ctx, uint64_t *malformed);

#endif
