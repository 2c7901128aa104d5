/* decode_internal.h — the seams between the decoder's layers (link, IP,
 * transport), shared inside src/decode/ only. Each layer reads through a
 * bounded cursor and answers GW__DEC_OK, GW__DEC_NOT_IP or a malformed reason. */
#ifndef GHOSTWIRE_DECODE_INTERNAL_H
#define GHOSTWIRE_DECODE_INTERNAL_H

#include <stdbool.h>

#include "ghostwire/cursor.h"
#include "ghostwire/decode.h"

/* Layer results: >= 0 is an enum gw_malformed. */
#define GW__DEC_OK          (-1)
#define GW__DEC_NOT_IP      (-2)
#define GW__DEC_UNSUPPORTED (-3)

/* What the link layer carries. */
enum gw__net {
	GW__NET_IPV4,
	GW__NET_IPV6,
	GW__NET_IP_ANY,
	GW__NET_OTHER
};

/* The most VLAN tags followed before a frame counts as malformed. */
#define GW__MAX_VLAN_TAGS 4
/* The most IPv6 extension headers followed before a packet counts as malformed. */
#define GW__MAX_IPV6_EXT 16

/* Consumes the link header of linktype from c and says which network layer follows. */
int gw__decode_link(int linktype, struct gw_cursor *c, enum gw__net *net);

/* Read the IP header at c into p (addresses, proto, ttl, fragment fields) and
 * leave *l4 over the transport bytes, trimmed to the IP length fields. *l4_len gets the
 * transport length by the IP length fields (which may exceed what was captured). */
int gw__decode_ipv4(struct gw_cursor *c, struct gw_packet *p, struct gw_cursor *l4,
                    uint32_t *l4_len);
int gw__decode_ipv6(struct gw_cursor *c, struct gw_packet *p, struct gw_cursor *l4,
                    uint32_t *l4_len);

/* Reads the TCP/UDP/ICMP/ICMPv6 header at l4 into p. Other protocols: OK, no ports. */
int gw__decode_transport(struct gw_cursor *l4, uint32_t l4_len, struct gw_packet *p,
                         struct gw_decode_stats *stats);

/* Reads the packet an ICMP error quotes (IP header + first 8 transport bytes) into
 * q; false if its addresses and ports are not all there. Never counts malformed:
 * a quote is cut short by design. */
bool gw__decode_quoted(struct gw_cursor *c, bool v6, struct gw_quoted *q);

#endif
