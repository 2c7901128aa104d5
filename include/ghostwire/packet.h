/* packet.h — one captured frame as it enters the pipeline (struct gw_frame), and
 * the facts the decoder extracts from it (struct gw_packet). Both are plain values;
 * pointers in them are borrowed from the capture until its next read. */
#ifndef GHOSTWIRE_PACKET_H
#define GHOSTWIRE_PACKET_H

#include <stdbool.h>
#include <stdint.h>

#include "ghostwire/addr.h"

/* IP protocol numbers the decoder knows by name. */
enum gw_ipproto {
	GW_IPPROTO_HOPOPTS = 0,
	GW_IPPROTO_ICMP = 1,
	GW_IPPROTO_TCP = 6,
	GW_IPPROTO_UDP = 17,
	GW_IPPROTO_ROUTING = 43,
	GW_IPPROTO_FRAGMENT = 44,
	GW_IPPROTO_AH = 51,
	GW_IPPROTO_ICMPV6 = 58,
	GW_IPPROTO_NONE = 59,
	GW_IPPROTO_DSTOPTS = 60,
};

/* TCP header flag bits, as on the wire. */
enum gw_tcp_flag {
	GW_TCP_FIN = 0x01,
	GW_TCP_SYN = 0x02,
	GW_TCP_RST = 0x04,
	GW_TCP_PSH = 0x08,
	GW_TCP_ACK = 0x10,
	GW_TCP_URG = 0x20,
};

/* How a bare SYN departs from what the kernel writes (bits of struct
 * gw_packet.syn_quirks and gw_flow.syn_quirks; decode/syn_quirks.c says what
 * Linux writes). */
enum gw_syn_quirk {
	GW_SYN_NO_MSS = 0x01,       /* no MSS option (the kernel always sends one) */
	GW_SYN_OPTION_ORDER = 0x02, /* options not in the kernel's layout, or malformed */
	GW_SYN_NO_DF = 0x04,        /* IPv4 without "don't fragment" */
	GW_SYN_DATA = 0x08,         /* payload without a Fast Open option */
};

/* A frame as libpcap hands it over. */
struct gw_frame {
	int64_t ts_us;       /* capture time, microseconds since the Unix epoch */
	uint32_t caplen;     /* bytes present in data */
	uint32_t wirelen;    /* bytes the frame had on the wire */
	int linktype;        /* LINKTYPE_* / DLT_* of the interface */
	uint16_t iface;      /* index of the capture interface, 0 for files */
	const uint8_t *data; /* borrowed until the next read from the capture */
};

/* The 5-tuple of a packet quoted inside an ICMP error. */
struct gw_quoted {
	uint8_t proto;
	struct gw_addr src, dst;
	uint16_t sport, dport;
};

/* What the decoder learnt from one frame. Fields past `proto` are meaningful
 * only where their comment says so. */
struct gw_packet {
	int64_t ts_us;
	uint32_t wirelen; /* frame bytes on the wire */
	uint8_t proto;    /* IP protocol of the transport header (after extension headers) */
	struct gw_addr src, dst;
	uint16_t sport, dport;        /* TCP/UDP ports; ICMP echo: identifier in both; else 0 */
	uint8_t tcp_flags;            /* TCP only */
	uint8_t ttl;                  /* IPv4 TTL or IPv6 hop limit */
	uint16_t tcp_window;          /* TCP only */
	uint32_t payload_len;         /* transport payload bytes by the IP length fields */
	uint8_t icmp_type, icmp_code; /* ICMP and ICMPv6 only */
	bool has_ports;               /* sport/dport are meaningful (TCP, UDP, ICMP echo) */
	bool is_icmp_error;           /* ICMP error: `quoted` holds the packet it answers */
	bool quoted_ok;               /* the quoted packet's addresses and ports were readable */
	struct gw_quoted quoted;
	/* Fragmentation (IPv4 flags/offset or IPv6 fragment header). */
	bool is_fragment;     /* part of a fragmented datagram */
	uint16_t frag_offset; /* in 8-byte units; 0 for the first fragment */
	uint32_t frag_id;     /* IPv4 identification or IPv6 fragment identification */
	bool ip_df;           /* IPv4 "don't fragment" flag (false for IPv6) */
	uint8_t syn_quirks;   /* bare SYNs (SYN without ACK): enum gw_syn_quirk bits */
	/* Borrowed from the frame, so valid only until the capture's next read
	 * (not in a batch of packets kept for later). TCP options as captured,
	 * and the TCP/UDP payload as captured: payload_caplen <= payload_len;
	 * NULL/0 for other protocols and for fragments (their payload is
	 * incomplete). */
	uint8_t tcp_opts_len;
	const uint8_t *tcp_opts;
	const uint8_t *payload;
	uint32_t payload_caplen;
};

#endif
