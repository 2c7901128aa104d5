/* pktbuild.h — builds test frames byte by byte: link headers, IPv4/IPv6 (with
 * options and extension headers), TCP/UDP/ICMP. Used by the unit tests only. */
#ifndef GHOSTWIRE_TEST_PKTBUILD_H
#define GHOSTWIRE_TEST_PKTBUILD_H

#include <stdint.h>
#include <string.h>

struct pb {
	uint8_t b[2048];
	size_t n;
};

static inline void pb_u8(struct pb *p, uint8_t v)
{
	p->b[p->n++] = v;
}
static inline void pb_be16(struct pb *p, uint16_t v)
{
	pb_u8(p, (uint8_t)(v >> 8));
	pb_u8(p, (uint8_t)v);
}
static inline void pb_be32(struct pb *p, uint32_t v)
{
	pb_be16(p, (uint16_t)(v >> 16));
	pb_be16(p, (uint16_t)v);
}
static inline void pb_le32(struct pb *p, uint32_t v)
{
	pb_u8(p, (uint8_t)v);
	pb_u8(p, (uint8_t)(v >> 8));
	pb_u8(p, (uint8_t)(v >> 16));
	pb_u8(p, (uint8_t)(v >> 24));
}
static inline void pb_bytes(struct pb *p, const void *d, size_t n)
{
	memcpy(p->b + p->n, d, n);
	p->n += n;
}
static inline void pb_zero(struct pb *p, size_t n)
{
	memset(p->b + p->n, 0, n);
	p->n += n;
}

static inline void pb_eth(struct pb *p, uint16_t type)
{
	static const uint8_t macs[12] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2};
	pb_bytes(p, macs, 12);
	pb_be16(p, type);
}

/* IPv4 header with total length = 20 + opt_len + l4_len, no options bytes written here. */
static inline void pb_ipv4(struct pb *p, uint8_t proto, const uint8_t src[4], const uint8_t dst[4],
                           size_t l4_len, uint8_t ihl, uint16_t frag)
{
	pb_u8(p, (uint8_t)(0x40 | ihl));
	pb_u8(p, 0);
	pb_be16(p, (uint16_t)(ihl * 4 + l4_len));
	pb_be16(p, 0x1234);
	pb_be16(p, frag);
	pb_u8(p, 64);
	pb_u8(p, proto);
	pb_be16(p, 0);
	pb_bytes(p, src, 4);
	pb_bytes(p, dst, 4);
}

static inline void pb_ipv6(struct pb *p, uint8_t nh, const uint8_t src[16], const uint8_t dst[16],
                           size_t payload_len)
{
	pb_be32(p, 0x60000000);
	pb_be16(p, (uint16_t)payload_len);
	pb_u8(p, nh);
	pb_u8(p, 64);
	pb_bytes(p, src, 16);
	pb_bytes(p, dst, 16);
}

/* TCP header of 20 + opt_len bytes (options are NOPs). */
static inline void pb_tcp(struct pb *p, uint16_t sport, uint16_t dport, uint8_t flags,
                          size_t opt_len)
{
	pb_be16(p, sport);
	pb_be16(p, dport);
	pb_be32(p, 1000);
	pb_be32(p, 0);
	pb_u8(p, (uint8_t)(((20 + opt_len) / 4) << 4));
	pb_u8(p, flags);
	pb_be16(p, 65535);
	pb_be16(p, 0);
	pb_be16(p, 0);
	for (size_t i = 0; i < opt_len; i++)
		pb_u8(p, 1);
}

static inline void pb_udp(struct pb *p, uint16_t sport, uint16_t dport, uint16_t payload)
{
	pb_be16(p, sport);
	pb_be16(p, dport);
	pb_be16(p, (uint16_t)(8 + payload));
	pb_be16(p, 0);
	pb_zero(p, payload);
}

static const uint8_t A4[4] = {10, 0, 0, 1};
static const uint8_t B4[4] = {192, 0, 2, 10};
static const uint8_t A6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0xa, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
static const uint8_t B6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0xb, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10};

#endif
