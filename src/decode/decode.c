/* decode/decode.c — the decoder's entry point: runs link → IP → transport on one
 * frame and owns the outcome counters (decoded, not IP, unsupported, malformed by
 * reason) and the stable names of the malformed reasons. */
#include <string.h>

#include "decode_internal.h"

static const char *const malformed_names[GW_MAL_COUNT] = {
        [GW_MAL_TRUNCATED_LINK] = "truncated-link",
        [GW_MAL_VLAN_DEPTH] = "vlan-depth",
        [GW_MAL_TRUNCATED_IPV4] = "truncated-ipv4",
        [GW_MAL_BAD_IPV4_VERSION] = "bad-ipv4-version",
        [GW_MAL_BAD_IPV4_IHL] = "bad-ipv4-ihl",
        [GW_MAL_BAD_IPV4_LENGTH] = "bad-ipv4-length",
        [GW_MAL_IPV4_PAST_FRAME] = "ipv4-length-past-frame",
        [GW_MAL_TRUNCATED_IPV4_OPTIONS] = "truncated-ipv4-options",
        [GW_MAL_TRUNCATED_IPV6] = "truncated-ipv6",
        [GW_MAL_BAD_IPV6_VERSION] = "bad-ipv6-version",
        [GW_MAL_IPV6_PAST_FRAME] = "ipv6-length-past-frame",
        [GW_MAL_TRUNCATED_IPV6_EXT] = "truncated-ipv6-ext",
        [GW_MAL_IPV6_EXT_CHAIN] = "ipv6-ext-chain",
        [GW_MAL_TRUNCATED_TCP] = "truncated-tcp",
        [GW_MAL_BAD_TCP_OFFSET] = "bad-tcp-offset",
        [GW_MAL_TRUNCATED_UDP] = "truncated-udp",
        [GW_MAL_BAD_UDP_LENGTH] = "bad-udp-length",
        [GW_MAL_TRUNCATED_ICMP] = "truncated-icmp",
};

const char *gw_malformed_name(enum gw_malformed reason)
{
	if ((unsigned)reason >= GW_MAL_COUNT)
		return NULL;
	return malformed_names[reason];
}

uint64_t gw_decode_malformed_total(const struct gw_decode_stats *stats)
{
	uint64_t total = 0;
	for (int i = 0; i < GW_MAL_COUNT; i++)
		total += stats->malformed[i];
	return total;
}

/* Picks the IP version of a RAW frame from its first nibble. */
static enum gw__net sniff_ip_version(const struct gw_cursor *c)
{
	if (!gw_cursor_has(c, 1))
		return GW__NET_IPV4; /* empty: let the IPv4 reader call it truncated */
	return (c->p[0] >> 4) == 6 ? GW__NET_IPV6 : GW__NET_IPV4;
}

static int decode_layers(const struct gw_frame *frame, struct gw_packet *out,
                         struct gw_decode_stats *stats)
{
	struct gw_cursor c = gw_cursor_make(frame->data, frame->caplen);
	enum gw__net net;
	int r = gw__decode_link(frame->linktype, &c, &net);
	if (r != GW__DEC_OK)
		return r;
	if (net == GW__NET_IP_ANY)
		net = sniff_ip_version(&c);
	if (net == GW__NET_OTHER)
		return GW__DEC_NOT_IP;

	struct gw_cursor l4;
	uint32_t l4_len;
	r = net == GW__NET_IPV4 ? gw__decode_ipv4(&c, out, &l4, &l4_len)
	                        : gw__decode_ipv6(&c, out, &l4, &l4_len);
	if (r != GW__DEC_OK)
		return r;
	/* A frame captured whole that holds less than its IP header claims is
	 * inconsistent; a frame cut by the snap length is merely short. */
	bool snapped = frame->caplen < frame->wirelen;
	if (!snapped && l4_len > gw_cursor_left(&l4))
		return net == GW__NET_IPV4 ? GW_MAL_IPV4_PAST_FRAME : GW_MAL_IPV6_PAST_FRAME;
	return gw__decode_transport(&l4, l4_len, out, stats);
}

int gw_decode(const struct gw_frame *frame, struct gw_packet *out, struct gw_decode_stats *stats)
{
	memset(out, 0, sizeof *out);
	out->ts_us = frame->ts_us;
	out->wirelen = frame->wirelen;
	stats->frames++;

	int r = decode_layers(frame, out, stats);
	switch (r) {
	case GW__DEC_OK:
		stats->decoded++;
		return GW_DECODE_OK;
	case GW__DEC_NOT_IP:
		stats->not_ip++;
		return GW_DECODE_NOT_IP;
	case GW__DEC_UNSUPPORTED:
		stats->unsupported_link++;
		return GW_DECODE_UNSUPPORTED;
	default:
		stats->malformed[r]++;
		return GW_DECODE_MALFORMED;
	}
}
