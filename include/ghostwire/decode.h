/* decode.h — the decoder: link layer → IPv4/IPv6 (+ extension headers,
 * fragments) → TCP/UDP/ICMP/ICMPv6, reading only within the captured length.
 * A frame it cannot read is counted under one named malformed reason. */
#ifndef GHOSTWIRE_DECODE_H
#define GHOSTWIRE_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include "ghostwire/packet.h"

/* Link types (LINKTYPE_* values as stored in pcap files). */
enum gw_linktype {
	GW_LINKTYPE_NULL = 0,
	GW_LINKTYPE_ETHERNET = 1,
	GW_LINKTYPE_RAW = 101,
	GW_LINKTYPE_LOOP = 108,
	GW_LINKTYPE_LINUX_SLL = 113,
	GW_LINKTYPE_IPV4 = 228,
	GW_LINKTYPE_IPV6 = 229,
	GW_LINKTYPE_LINUX_SLL2 = 276,
};

/* Why a frame could not be decoded. Names (gw_malformed_name) are stable: they
 * appear in reports. */
enum gw_malformed {
	GW_MAL_TRUNCATED_LINK,         /* link header shorter than its type requires */
	GW_MAL_VLAN_DEPTH,             /* more VLAN tags than the decoder follows */
	GW_MAL_TRUNCATED_IPV4,         /* fewer than 20 bytes of IPv4 header */
	GW_MAL_BAD_IPV4_VERSION,       /* version field is not 4 where IPv4 was announced */
	GW_MAL_BAD_IPV4_IHL,           /* IHL < 5 */
	GW_MAL_BAD_IPV4_LENGTH,        /* total length smaller than the header */
	GW_MAL_IPV4_PAST_FRAME,        /* total length past the end of a frame captured whole */
	GW_MAL_TRUNCATED_IPV4_OPTIONS, /* options run past the captured bytes */
	GW_MAL_TRUNCATED_IPV6,         /* fewer than 40 bytes of IPv6 header */
	GW_MAL_BAD_IPV6_VERSION,       /* version field is not 6 where IPv6 was announced */
	GW_MAL_IPV6_PAST_FRAME,        /* payload length past the end of a frame captured whole */
	GW_MAL_TRUNCATED_IPV6_EXT,     /* an extension header runs past the captured bytes */
	GW_MAL_IPV6_EXT_CHAIN,         /* more extension headers than the decoder follows */
	GW_MAL_TRUNCATED_TCP,          /* TCP header (or its options) not all captured */
	GW_MAL_BAD_TCP_OFFSET,         /* data offset < 5 */
	GW_MAL_TRUNCATED_UDP,          /* fewer than 8 bytes of UDP header */
	GW_MAL_BAD_UDP_LENGTH,         /* UDP length < 8 */
	GW_MAL_TRUNCATED_ICMP,         /* ICMP header not captured */
	GW_MAL_COUNT
};

struct gw_decode_stats {
	uint64_t frames;                  /* frames given to gw_decode */
	uint64_t decoded;                 /* frames that gave a gw_packet */
	uint64_t not_ip;                  /* ARP, LLDP, ...: nothing to decode */
	uint64_t unsupported_link;        /* frames on a link type not handled */
	uint64_t quoted_unreadable;       /* ICMP errors whose quoted packet was cut short */
	uint64_t malformed[GW_MAL_COUNT]; /* by reason */
};

enum gw_decode_result {
	GW_DECODE_OK = 0,          /* *out is filled */
	GW_DECODE_NOT_IP = 1,      /* a well-formed frame with nothing for the flow table */
	GW_DECODE_UNSUPPORTED = 2, /* a link type the decoder does not handle */
	GW_DECODE_MALFORMED = 3,   /* counted under stats->malformed[reason] */
};

/* Decodes frame into out and counts the outcome in stats. Reads only
 * frame->data[0 .. frame->caplen). Returns an enum gw_decode_result. */
int gw_decode(const struct gw_frame *frame, struct gw_packet *out, struct gw_decode_stats *stats);

/* True for the link types gw_decode understands. */
bool gw_decode_linktype_supported(int linktype);

/* "truncated-ipv4", ...; NULL for an out-of-range value. */
const char *gw_malformed_name(enum gw_malformed reason);

/* The quirks of a decoded bare SYN (flags SYN without ACK): how it departs
 * from the layout the kernel writes; 0 when it looks like the kernel's. */
uint8_t gw_syn_quirks(const struct gw_packet *p);
/* "no-mss,no-df": the quirk names joined by ','; returns buf. */
const char *gw_syn_quirk_names(uint8_t quirks, char *buf, size_t size);

/* Total of stats->malformed[]. */
uint64_t gw_decode_malformed_total(const struct gw_decode_stats *stats);

#endif
