/* test_decode.c — the decoder on hand-built frames: every link type, IPv4
 * options, IPv6 extension headers, fragments, ICMP errors, and malformed input
 * (truncated headers, bad IHL, extension-header chains, zero-length options). */
#include <criterion/criterion.h>

#include "ghostwire/decode.h"
#include "pktbuild.h"

static struct gw_decode_stats stats;
static struct gw_packet pkt;

static int decode(int linktype, const struct pb *p)
{
	struct gw_frame f = {.ts_us = 1,
	                     .caplen = (uint32_t)p->n,
	                     .wirelen = (uint32_t)p->n,
	                     .linktype = linktype,
	                     .data = p->b};
	return gw_decode(&f, &pkt, &stats);
}

static int decode_cut(int linktype, const struct pb *p, size_t caplen)
{
	struct gw_frame f = {.ts_us = 1,
	                     .caplen = (uint32_t)caplen,
	                     .wirelen = (uint32_t)p->n,
	                     .linktype = linktype,
	                     .data = p->b};
	return gw_decode(&f, &pkt, &stats);
}

static void setup(void)
{
	memset(&stats, 0, sizeof stats);
}

TestSuite(decode, .init = setup);

static void tcp4_body(struct pb *p, uint8_t flags)
{
	pb_ipv4(p, 6, A4, B4, 20, 5, 0);
	pb_tcp(p, 40000, 80, flags, 0);
}

static void expect_tcp4(void)
{
	cr_expect_eq(pkt.proto, GW_IPPROTO_TCP);
	cr_expect_eq(pkt.src.family, GW_AF_INET);
	cr_expect(memcmp(pkt.src.bytes, A4, 4) == 0);
	cr_expect(memcmp(pkt.dst.bytes, B4, 4) == 0);
	cr_expect_eq(pkt.sport, 40000);
	cr_expect_eq(pkt.dport, 80);
	cr_expect(pkt.has_ports);
}

Test(decode, ethernet_ipv4_tcp)
{
	struct pb p = {0};
	pb_eth(&p, 0x0800);
	tcp4_body(&p, 0x02);
	cr_assert_eq(decode(1, &p), GW_DECODE_OK);
	expect_tcp4();
	cr_expect_eq(pkt.tcp_flags, 0x02);
	cr_expect_eq(pkt.ttl, 64);
	cr_expect_eq(pkt.wirelen, p.n);
	cr_expect_eq(stats.decoded, 1);
}

Test(decode, ethernet_padding_is_not_payload)
{
	struct pb p = {0};
	pb_eth(&p, 0x0800);
	tcp4_body(&p, 0x10);
	pb_zero(&p, 6); /* minimum-frame padding after a 54-byte frame */
	cr_assert_eq(decode(1, &p), GW_DECODE_OK);
	cr_expect_eq(pkt.payload_len, 0);
}

Test(decode, vlan_8021q)
{
	struct pb p = {0};
	pb_eth(&p, 0x8100);
	pb_be16(&p, 100);
	pb_be16(&p, 0x0800);
	tcp4_body(&p, 0x02);
	cr_assert_eq(decode(1, &p), GW_DECODE_OK);
	expect_tcp4();
}

Test(decode, vlan_qinq)
{
	struct pb p = {0};
	pb_eth(&p, 0x88a8);
	pb_be16(&p, 10);
	pb_be16(&p, 0x8100);
	pb_be16(&p, 20);
	pb_be16(&p, 0x86dd);
	pb_ipv6(&p, 17, A6, B6, 8 + 4);
	pb_udp(&p, 5353, 53, 4);
	cr_assert_eq(decode(1, &p), GW_DECODE_OK);
	cr_expect_eq(pkt.proto, GW_IPPROTO_UDP);
	cr_expect_eq(pkt.src.family, GW_AF_INET6);
	cr_expect_eq(pkt.dport, 53);
	cr_expect_eq(pkt.payload_len, 4);
}

Test(decode, vlan_too_deep)
{
	struct pb p = {0};
	pb_eth(&p, 0x8100);
	for (int i = 0; i < 6; i++) {
		pb_be16(&p, 1);
		pb_be16(&p, 0x8100);
	}
	pb_be16(&p, 1);
	pb_be16(&p, 0x0800);
	tcp4_body(&p, 0x02);
	cr_assert_eq(decode(1, &p), GW_DECODE_MALFORMED);
	cr_expect_eq(stats.malformed[GW_MAL_VLAN_DEPTH], 1);
}

Test(decode, ethernet_arp_is_not_ip)
{
	struct pb p = {0};
	pb_eth(&p, 0x0806);
	pb_zero(&p, 28);
	cr_assert_eq(decode(1, &p), GW_DECODE_NOT_IP);
	cr_expect_eq(stats.not_ip, 1);
}

Test(decode, ethernet_llc_snap_ipv4)
{
	struct pb p = {0};
	pb_eth(&p, 60); /* an 802.3 length */
	const uint8_t snap[6] = {0xaa, 0xaa, 0x03, 0, 0, 0};
	pb_bytes(&p, snap, 6);
	pb_be16(&p, 0x0800);
	tcp4_body(&p, 0x02);
	cr_assert_eq(decode(1, &p), GW_DECODE_OK);
	expect_tcp4();
}

Test(decode, linux_sll)
{
	struct pb p = {0};
	pb_be16(&p, 0); /* packet type: to us */
	pb_be16(&p, 1); /* ARPHRD_ETHER */
	pb_be16(&p, 6);
	pb_zero(&p, 8);
	pb_be16(&p, 0x0800);
	tcp4_body(&p, 0x12);
	cr_assert_eq(decode(113, &p), GW_DECODE_OK);
	expect_tcp4();
	cr_expect_eq(pkt.tcp_flags, 0x12);
}

Test(decode, linux_sll2)
{
	struct pb p = {0};
	pb_be16(&p, 0x86dd);
	pb_be16(&p, 0);
	pb_be32(&p, 2); /* ifindex */
	pb_be16(&p, 1);
	pb_u8(&p, 4); /* outgoing */
	pb_u8(&p, 6);
	pb_zero(&p, 8);
	pb_ipv6(&p, 6, A6, B6, 20);
	pb_tcp(&p, 40001, 443, 0x02, 0);
	cr_assert_eq(decode(276, &p), GW_DECODE_OK);
	cr_expect_eq(pkt.src.family, GW_AF_INET6);
	cr_expect_eq(pkt.dport, 443);
}

Test(decode, raw_ipv4_and_ipv6)
{
	struct pb p = {0};
	tcp4_body(&p, 0x02);
	cr_assert_eq(decode(101, &p), GW_DECODE_OK);
	expect_tcp4();
	struct pb q = {0};
	pb_ipv6(&q, 17, A6, B6, 8);
	pb_udp(&q, 1, 2, 0);
	cr_assert_eq(decode(101, &q), GW_DECODE_OK);
	cr_expect_eq(pkt.src.family, GW_AF_INET6);
}

Test(decode, linktype_ipv4_ipv6)
{
	struct pb p = {0};
	tcp4_body(&p, 0x02);
	cr_assert_eq(decode(228, &p), GW_DECODE_OK);
	expect_tcp4();
	struct pb q = {0};
	pb_ipv6(&q, 17, A6, B6, 8);
	pb_udp(&q, 1, 2, 0);
	cr_assert_eq(decode(229, &q), GW_DECODE_OK);
	/* IPv6 bytes announced as IPv4: a version error, not a guess. */
	cr_assert_eq(decode(228, &q), GW_DECODE_MALFORMED);
	cr_expect_eq(stats.malformed[GW_MAL_BAD_IPV4_VERSION], 1);
}

Test(decode, null_little_and_big_endian)
{
	struct pb p = {0};
	pb_le32(&p, 2);
	tcp4_body(&p, 0x02);
	cr_assert_eq(decode(0, &p), GW_DECODE_OK);
	expect_tcp4();
	struct pb q = {0};
	pb_be32(&q, 30); /* Darwin AF_INET6, big-endian host */
	pb_ipv6(&q, 17, A6, B6, 8);
	pb_udp(&q, 1, 2, 0);
	cr_assert_eq(decode(0, &q), GW_DECODE_OK);
	cr_expect_eq(pkt.src.family, GW_AF_INET6);
}

Test(decode, loop_is_big_endian)
{
	struct pb p = {0};
	pb_be32(&p, 24);
	pb_ipv6(&p, 17, A6, B6, 8);
	pb_udp(&p, 1, 2, 0);
	cr_assert_eq(decode(108, &p), GW_DECODE_OK);
	struct pb q = {0};
	pb_le32(&q, 2); /* little-endian is not LOOP */
	tcp4_body(&q, 0x02);
	cr_assert_eq(decode(108, &q), GW_DECODE_NOT_IP);
}

Test(decode, unsupported_link_is_counted)
{
	struct pb p = {0};
	tcp4_body(&p, 0x02);
	cr_assert_eq(decode(105 /* 802.11 */, &p), GW_DECODE_UNSUPPORTED);
	cr_expect_eq(stats.unsupported_link, 1);
}

Test(decode, truncated_link_headers)
{
	/* Ethernet needs 14 bytes, SLL 16, SLL2 20: 10 are short for all three. */
	struct pb p = {0};
	pb_zero(&p, 10);
	int types[] = {1, 113, 276};
	for (size_t i = 0; i < sizeof types / sizeof *types; i++)
		cr_expect_eq(decode(types[i], &p), GW_DECODE_MALFORMED, "linktype %d", types[i]);
	cr_expect_eq(stats.malformed[GW_MAL_TRUNCATED_LINK], 3);
	/* NULL and LOOP need 4: a family of 0 is simply not IP; 3 bytes are short. */
	cr_expect_eq(decode(0, &p), GW_DECODE_NOT_IP);
	cr_expect_eq(decode(108, &p), GW_DECODE_NOT_IP);
	p.n = 3;
	cr_expect_eq(decode(0, &p), GW_DECODE_MALFORMED);
	cr_expect_eq(decode(108, &p), GW_DECODE_MALFORMED);
	cr_expect_eq(stats.malformed[GW_MAL_TRUNCATED_LINK], 5);
}

Test(decode, ipv4_options_are_skipped)
{
	struct pb p = {0};
	pb_ipv4(&p, 6, A4, B4, 20, 7, 0); /* IHL 7: 8 bytes of options */
	pb_u8(&p, 0x07);
	pb_u8(&p, 7);
	pb_u8(&p, 4);
	pb_zero(&p, 4); /* record route */
	pb_u8(&p, 0);   /* end of options */
	pb_tcp(&p, 40000, 80, 0x02, 0);
	cr_assert_eq(decode(101, &p), GW_DECODE_OK);
	expect_tcp4();
}

Test(decode, ipv4_bad_ihl)
{
	struct pb p = {0};
	pb_ipv4(&p, 6, A4, B4, 20, 4, 0);
	pb_tcp(&p, 40000, 80, 0x02, 0);
	cr_assert_eq(decode(101, &p), GW_DECODE_MALFORMED);
	cr_expect_eq(stats.malformed[GW_MAL_BAD_IPV4_IHL], 1);
}

Test(decode, ipv4_options_past_capture)
{
	struct pb p = {0};
	pb_ipv4(&p, 6, A4, B4, 0, 15, 0); /* 60-byte header, 20 present */
	cr_assert_eq(decode(101, &p), GW_DECODE_MALFORMED);
	cr_expect_eq(stats.malformed[GW_MAL_TRUNCATED_IPV4_OPTIONS], 1);
}

Test(decode, ipv4_total_length_below_header)
{
	struct pb p = {0};
	pb_ipv4(&p, 6, A4, B4, 20, 5, 0);
	pb_tcp(&p, 40000, 80, 0x02, 0);
	p.b[2] = 0;
	p.b[3] = 12;
	cr_assert_eq(decode(101, &p), GW_DECODE_MALFORMED);
	cr_expect_eq(stats.malformed[GW_MAL_BAD_IPV4_LENGTH], 1);
}

Test(decode, ipv4_total_length_zero_is_tso)
{
	struct pb p = {0};
	tcp4_body(&p, 0x10);
	pb_zero(&p, 100);
	p.b[2] = p.b[3] = 0;
	cr_assert_eq(decode(101, &p), GW_DECODE_OK);
	cr_expect_eq(pkt.payload_len, 100);
}

Test(decode, truncated_ipv4_header)
{
	struct pb p = {0};
	tcp4_body(&p, 0x02);
	for (size_t cut = 0; cut < 20; cut++) {
		memset(&stats, 0, sizeof stats);
		cr_expect_eq(decode_cut(101, &p, cut), GW_DECODE_MALFORMED, "cut at %zu", cut);
	}
}

Test(decode, frame_shorter_than_ip_length)
{
	struct pb p = {0};
	pb_ipv4(&p, 6, A4, B4, 32, 5, 0);
	pb_tcp(&p, 40000, 80, 0x02, 12);
	/* Captured whole (caplen == wirelen) yet shorter than the IP total length. */
	for (size_t cut = 20; cut < p.n; cut++) {
		struct pb q = p;
		q.n = cut;
		memset(&stats, 0, sizeof stats);
		cr_expect_eq(decode(101, &q), GW_DECODE_MALFORMED, "cut at %zu", cut);
		cr_expect_eq(stats.malformed[GW_MAL_IPV4_PAST_FRAME], 1, "cut at %zu", cut);
	}
	struct pb v6 = {0};
	pb_ipv6(&v6, 17, A6, B6, 100);
	pb_udp(&v6, 1, 2, 0);
	cr_expect_eq(decode(229, &v6), GW_DECODE_MALFORMED);
	cr_expect_eq(stats.malformed[GW_MAL_IPV6_PAST_FRAME], 1);
}

Test(decode, tcp_cut_by_snaplen)
{
	struct pb p = {0};
	pb_ipv4(&p, 6, A4, B4, 32, 5, 0);
	pb_tcp(&p, 40000, 80, 0x02, 12);
	/* Cut by the snap length (caplen < wirelen): the fixed header must be there. */
	for (size_t cut = 20; cut < 40; cut++) {
		memset(&stats, 0, sizeof stats);
		cr_expect_eq(decode_cut(101, &p, cut), GW_DECODE_MALFORMED, "cut at %zu", cut);
		cr_expect_eq(stats.malformed[GW_MAL_TRUNCATED_TCP], 1, "cut at %zu", cut);
	}
	for (size_t cut = 40; cut < p.n; cut++)
		cr_expect_eq(decode_cut(101, &p, cut), GW_DECODE_OK, "cut at %zu", cut);
}

Test(decode, tcp_options_cut_by_snaplen_still_decode)
{
	struct pb p = {0};
	pb_ipv4(&p, 6, A4, B4, 32, 5, 0);
	pb_tcp(&p, 40000, 80, 0x02, 12);
	cr_assert_eq(decode_cut(101, &p, 44), GW_DECODE_OK);
	expect_tcp4();
	/* ...but not the fixed header itself. */
	cr_assert_eq(decode_cut(101, &p, 38), GW_DECODE_MALFORMED);
}

Test(decode, tcp_bad_data_offset)
{
	struct pb p = {0};
	tcp4_body(&p, 0x02);
	p.b[20 + 12] = 0x40; /* offset 4 words */
	cr_assert_eq(decode(101, &p), GW_DECODE_MALFORMED);
	cr_expect_eq(stats.malformed[GW_MAL_BAD_TCP_OFFSET], 1);
	p.b[20 + 12] = 0xf0; /* 60 bytes, past the IP length */
	cr_assert_eq(decode(101, &p), GW_DECODE_MALFORMED);
	cr_expect_eq(stats.malformed[GW_MAL_BAD_TCP_OFFSET], 2);
}

Test(decode, udp_bad_length_and_truncation)
{
	struct pb p = {0};
	pb_ipv4(&p, 17, A4, B4, 8, 5, 0);
	pb_udp(&p, 1, 2, 0);
	p.b[20 + 5] = 4;
	cr_assert_eq(decode(101, &p), GW_DECODE_MALFORMED);
	cr_expect_eq(stats.malformed[GW_MAL_BAD_UDP_LENGTH], 1);
	cr_assert_eq(decode_cut(101, &p, 25), GW_DECODE_MALFORMED);
	cr_expect_eq(stats.malformed[GW_MAL_TRUNCATED_UDP], 1);
}

static void ext(struct pb *p, uint8_t next, uint8_t len8)
{
	pb_u8(p, next);
	pb_u8(p, len8);
	pb_zero(p, (size_t)(len8 + 1) * 8 - 2);
}

Test(decode, ipv6_extension_chain)
{
	struct pb p = {0};
	/* hop-by-hop → routing → destination options → AH → TCP */
	pb_ipv6(&p, 0, A6, B6, 8 + 24 + 16 + 12 + 20);
	ext(&p, 43, 0);
	ext(&p, 60, 2);
	ext(&p, 51, 1);
	pb_u8(&p, 6);
	pb_u8(&p, 1);
	pb_zero(&p, 10); /* AH: (1 + 2) * 4 = 12 bytes */
	pb_tcp(&p, 40002, 22, 0x02, 0);
	cr_assert_eq(decode(229, &p), GW_DECODE_OK);
	cr_expect_eq(pkt.proto, GW_IPPROTO_TCP);
	cr_expect_eq(pkt.dport, 22);
	cr_expect_eq(pkt.payload_len, 0);
}

Test(decode, ipv6_zero_length_options_header)
{
	/* A destination-options header of length 0 is 8 bytes: Pad1/PadN only. */
	struct pb p = {0};
	pb_ipv6(&p, 60, A6, B6, 8 + 8);
	ext(&p, 17, 0);
	pb_udp(&p, 1000, 2000, 0);
	cr_assert_eq(decode(229, &p), GW_DECODE_OK);
	cr_expect_eq(pkt.proto, GW_IPPROTO_UDP);
	cr_expect_eq(pkt.sport, 1000);
}

Test(decode, ipv6_extension_loop_is_bounded)
{
	/* Destination options pointing at destination options, 20 deep. */
	struct pb p = {0};
	pb_ipv6(&p, 60, A6, B6, 20 * 8);
	for (int i = 0; i < 20; i++)
		ext(&p, 60, 0);
	cr_assert_eq(decode(229, &p), GW_DECODE_MALFORMED);
	cr_expect_eq(stats.malformed[GW_MAL_IPV6_EXT_CHAIN], 1);
}

Test(decode, ipv6_extension_past_end)
{
	struct pb p = {0};
	pb_ipv6(&p, 0, A6, B6, 8);
	pb_u8(&p, 6);
	pb_u8(&p, 200); /* claims 1608 bytes */
	pb_zero(&p, 6);
	cr_assert_eq(decode(229, &p), GW_DECODE_MALFORMED);
	cr_expect_eq(stats.malformed[GW_MAL_TRUNCATED_IPV6_EXT], 1);
}

Test(decode, truncated_ipv6_header)
{
	struct pb p = {0};
	pb_ipv6(&p, 17, A6, B6, 8);
	pb_udp(&p, 1, 2, 0);
	cr_assert_eq(decode_cut(229, &p, 39), GW_DECODE_MALFORMED);
	cr_expect_eq(stats.malformed[GW_MAL_TRUNCATED_IPV6], 1);
}

Test(decode, ipv4_fragments)
{
	struct pb first = {0};
	pb_ipv4(&first, 17, A4, B4, 16, 5, 0x2000); /* MF, offset 0 */
	pb_udp(&first, 5000, 6000, 8);
	cr_assert_eq(decode(101, &first), GW_DECODE_OK);
	cr_expect(pkt.is_fragment);
	cr_expect_eq(pkt.frag_offset, 0);
	cr_expect(pkt.has_ports);
	cr_expect_eq(pkt.sport, 5000);
	cr_expect_eq(pkt.frag_id, 0x1234);

	struct pb rest = {0};
	pb_ipv4(&rest, 17, A4, B4, 16, 5, 2); /* offset 2 × 8, last */
	pb_zero(&rest, 16);
	cr_assert_eq(decode(101, &rest), GW_DECODE_OK);
	cr_expect(pkt.is_fragment);
	cr_expect_eq(pkt.frag_offset, 2);
	cr_expect_not(pkt.has_ports);
}

Test(decode, ipv6_fragments)
{
	struct pb first = {0};
	pb_ipv6(&first, 44, A6, B6, 8 + 16);
	pb_u8(&first, 17);
	pb_u8(&first, 0);
	pb_be16(&first, 0x0001);
	pb_be32(&first, 0xabcdef);
	pb_udp(&first, 5000, 6000, 8);
	cr_assert_eq(decode(229, &first), GW_DECODE_OK);
	cr_expect(pkt.is_fragment);
	cr_expect(pkt.has_ports);
	cr_expect_eq(pkt.frag_id, 0xabcdef);

	struct pb rest = {0};
	pb_ipv6(&rest, 44, A6, B6, 8 + 8);
	pb_u8(&rest, 17);
	pb_u8(&rest, 0);
	pb_be16(&rest, 2 << 3);
	pb_be32(&rest, 0xabcdef);
	pb_zero(&rest, 8);
	cr_assert_eq(decode(229, &rest), GW_DECODE_OK);
	cr_expect_eq(pkt.frag_offset, 2);
	cr_expect_eq(pkt.proto, GW_IPPROTO_UDP);
	cr_expect_not(pkt.has_ports);
}

Test(decode, icmp_echo_uses_identifier)
{
	struct pb p = {0};
	pb_ipv4(&p, 1, A4, B4, 8, 5, 0);
	pb_u8(&p, 8);
	pb_u8(&p, 0);
	pb_be16(&p, 0);
	pb_be16(&p, 0x4242);
	pb_be16(&p, 1);
	cr_assert_eq(decode(101, &p), GW_DECODE_OK);
	cr_expect_eq(pkt.icmp_type, 8);
	cr_expect_eq(pkt.sport, 0x4242);
	cr_expect_eq(pkt.dport, 0x4242);
	cr_expect_not(pkt.is_icmp_error);
}

Test(decode, icmp_error_quotes_udp)
{
	struct pb p = {0};
	pb_ipv4(&p, 1, B4, A4, 8 + 28, 5, 0);
	pb_u8(&p, 3);
	pb_u8(&p, 3);
	pb_be16(&p, 0);
	pb_be32(&p, 0);
	pb_ipv4(&p, 17, A4, B4, 8 + 100, 5, 0); /* the quote claims more than it holds */
	pb_udp(&p, 40000, 33434, 0);
	cr_assert_eq(decode(101, &p), GW_DECODE_OK);
	cr_expect(pkt.is_icmp_error);
	cr_assert(pkt.quoted_ok);
	cr_expect_eq(pkt.quoted.proto, GW_IPPROTO_UDP);
	cr_expect(memcmp(pkt.quoted.src.bytes, A4, 4) == 0);
	cr_expect_eq(pkt.quoted.sport, 40000);
	cr_expect_eq(pkt.quoted.dport, 33434);
}

Test(decode, icmp_error_with_short_quote)
{
	struct pb p = {0};
	pb_ipv4(&p, 1, B4, A4, 8 + 22, 5, 0);
	pb_u8(&p, 3);
	pb_u8(&p, 3);
	pb_be16(&p, 0);
	pb_be32(&p, 0);
	pb_ipv4(&p, 17, A4, B4, 8, 5, 0);
	pb_be16(&p, 40000); /* only half the ports */
	cr_assert_eq(decode(101, &p), GW_DECODE_OK);
	cr_expect(pkt.is_icmp_error);
	cr_expect_not(pkt.quoted_ok);
	cr_expect_eq(stats.quoted_unreadable, 1);
}

Test(decode, icmpv6_error_quotes_tcp)
{
	struct pb p = {0};
	pb_ipv6(&p, 58, B6, A6, 8 + 40 + 8);
	pb_u8(&p, 1);
	pb_u8(&p, 4);
	pb_be16(&p, 0);
	pb_be32(&p, 0);
	pb_ipv6(&p, 6, A6, B6, 20);
	pb_be16(&p, 40003);
	pb_be16(&p, 8080);
	pb_be32(&p, 1);
	cr_assert_eq(decode(229, &p), GW_DECODE_OK);
	cr_expect(pkt.is_icmp_error);
	cr_assert(pkt.quoted_ok);
	cr_expect_eq(pkt.quoted.proto, GW_IPPROTO_TCP);
	cr_expect_eq(pkt.quoted.dport, 8080);
}

Test(decode, truncated_icmp)
{
	struct pb p = {0};
	pb_ipv4(&p, 1, A4, B4, 2, 5, 0);
	pb_u8(&p, 8);
	pb_u8(&p, 0);
	cr_assert_eq(decode(101, &p), GW_DECODE_MALFORMED);
	cr_expect_eq(stats.malformed[GW_MAL_TRUNCATED_ICMP], 1);
}

Test(decode, other_protocol_without_ports)
{
	struct pb p = {0};
	pb_ipv4(&p, 47 /* GRE */, A4, B4, 4, 5, 0);
	pb_zero(&p, 4);
	cr_assert_eq(decode(101, &p), GW_DECODE_OK);
	cr_expect_eq(pkt.proto, 47);
	cr_expect_not(pkt.has_ports);
}

Test(decode, empty_frames_on_every_link_type)
{
	struct pb p = {0};
	int types[] = {0, 1, 101, 108, 113, 228, 229, 276};
	for (size_t i = 0; i < sizeof types / sizeof *types; i++)
		cr_expect_eq(decode(types[i], &p), GW_DECODE_MALFORMED, "linktype %d", types[i]);
	cr_expect_eq(gw_decode_malformed_total(&stats), 8);
}

Test(decode, malformed_names_are_complete)
{
	for (int i = 0; i < GW_MAL_COUNT; i++)
		cr_expect_not_null(gw_malformed_name((enum gw_malformed)i), "reason %d", i);
	cr_expect_null(gw_malformed_name(GW_MAL_COUNT));
}

Test(decode, tcp_options_and_payload_are_borrowed)
{
	struct pb p = {0};
	pb_eth(&p, 0x0800);
	pb_ipv4(&p, 6, A4, B4, 20 + 8 + 5, 5, 0x4000);
	pb_tcp(&p, 40000, 443, 0x18, 8);
	pb_bytes(&p, (const uint8_t *)"hello", 5);
	cr_assert_eq(decode(1, &p), GW_DECODE_OK);
	cr_expect(pkt.ip_df);
	cr_expect_eq(pkt.tcp_opts_len, 8);
	cr_expect_eq(pkt.tcp_opts, p.b + 14 + 20 + 20);
	cr_expect_eq(pkt.payload_caplen, 5);
	cr_assert_not_null(pkt.payload);
	cr_expect(memcmp(pkt.payload, "hello", 5) == 0);
}

Test(decode, payload_cut_by_snaplen)
{
	struct pb p = {0};
	pb_eth(&p, 0x0800);
	pb_ipv4(&p, 17, A4, B4, 8 + 100, 5, 0);
	pb_udp(&p, 53, 5353, 100);
	cr_assert_eq(decode_cut(1, &p, 14 + 20 + 8 + 30), GW_DECODE_OK);
	cr_expect(!pkt.ip_df);
	cr_expect_eq(pkt.payload_len, 100);
	cr_expect_eq(pkt.payload_caplen, 30);
}

Test(decode, fragment_has_no_payload_view)
{
	struct pb p = {0};
	pb_eth(&p, 0x0800);
	pb_ipv4(&p, 17, A4, B4, 8 + 16, 5, 0x2000); /* MF: first of several */
	pb_udp(&p, 53, 5353, 16);
	cr_assert_eq(decode(1, &p), GW_DECODE_OK);
	cr_expect_null(pkt.payload);
	cr_expect_eq(pkt.payload_caplen, 0);
}

Test(decode, tcp_options_cut_by_snaplen)
{
	struct pb p = {0};
	pb_eth(&p, 0x0800);
	pb_ipv4(&p, 6, A4, B4, 20 + 12, 5, 0);
	pb_tcp(&p, 40000, 80, 0x02, 12);
	cr_assert_eq(decode_cut(1, &p, 14 + 20 + 20 + 4), GW_DECODE_OK);
	cr_expect_eq(pkt.tcp_opts_len, 4);
	cr_expect_null(pkt.payload);
}
