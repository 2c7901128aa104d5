/* tests/names/names_dump.c — the test driver behind tshark_names.py: reads a
 * capture with libpcap and gw_decode and prints, one tab-separated line per
 * finding, what the wire-names module reads from each frame: DNS answer
 * records (UDP and TCP from port 53, UDP from 5353), TLS SNI and HTTP hosts
 * from every TCP payload, then the passive-DNS cache's names per address at
 * the capture's end. A test tool: it prints, and owns nothing else.
 *
 *   names_dump CAPTURE
 *   dns    FRAME  a|aaaa|cname  OWNER  VALUE  TTL
 *   dnsmsg FRAME  ok|not-response|error-rcode|fragment|<malformed reason>
 *   sni    FRAME  found|truncated|absent|malformed  [NAME]
 *   host   FRAME  found|truncated|absent|malformed  [NAME]
 *   decode FRAME  <why gw_decode refused the frame>
 *   addr   ADDRESS  NAME[,NAME...]
 * Exit: 0, or 2 when the capture cannot be read. */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ghostwire/cursor.h"
#include "ghostwire/decode.h"
#include "ghostwire/wirenames.h"

#define MAX_ADDRS 4096

static struct gw_dns_answer answer;
static struct gw_addr seen[MAX_ADDRS];
static size_t n_seen;

static const char *result_name(int res)
{
	static const char *const names[] = {"found", "other", "absent", "truncated", "malformed"};
	return res >= 0 && res <= GW_CLIENT_MALFORMED ? names[res] : "?";
}

static void remember(const struct gw_addr *a)
{
	for (size_t i = 0; i < n_seen; i++)
		if (gw_addr_equal(&seen[i], a))
			return;
	if (n_seen < MAX_ADDRS)
		seen[n_seen++] = *a;
}

static void print_message(unsigned long frame, const uint8_t *msg, size_t len)
{
	int res = gw_dns_parse(msg, len, &answer);
	static const char *const outcome[] = {"ok", "not-response", "error-rcode"};
	printf("dnsmsg\t%lu\t%s\n", frame,
	       res == GW_DNS_MALFORMED ? gw_dns_malformed_name(answer.malformed) : outcome[res]);
	if (res != GW_DNS_OK)
		return;
	for (size_t i = 0; i < answer.n; i++) {
		const struct gw_dns_record *r = &answer.rr[i];
		char text[GW_ADDR_STRLEN];
		const char *type = r->type == GW_DNS_A      ? "a"
		                   : r->type == GW_DNS_AAAA ? "aaaa"
		                                            : "cname";
		const char *value = r->type == GW_DNS_CNAME
		                            ? r->target
		                            : gw_addr_format(&r->addr, text, sizeof text);
		printf("dns\t%lu\t%s\t%s\t%s\t%u\n", frame, type, r->owner, value, r->ttl);
		if (r->type != GW_DNS_CNAME)
			remember(&r->addr);
	}
}

/* The same choice of packets as gw_wirenames_observe_dns, printed. */
static void dns_packet(unsigned long frame, const struct gw_packet *p)
{
	if (p->is_fragment && p->has_ports && p->sport == 53)
		printf("dnsmsg\t%lu\tfragment\n", frame); /* the decoder gives no payload */
	if (!p->has_ports || !p->payload || p->payload_caplen == 0)
		return;
	if (p->proto == GW_IPPROTO_UDP && (p->sport == 53 || p->sport == 5353)) {
		print_message(frame, p->payload, p->payload_caplen);
	} else if (p->proto == GW_IPPROTO_TCP && p->sport == 53) {
		struct gw_cursor c = gw_cursor_make(p->payload, p->payload_caplen), msg;
		uint16_t len;
		while (gw_cursor_be16(&c, &len) && gw_cursor_sub(&c, len, &msg))
			print_message(frame, msg.p, gw_cursor_left(&msg));
	}
}

static void client_packet(unsigned long frame, const struct gw_packet *p)
{
	if (p->proto != GW_IPPROTO_TCP || !p->payload || p->payload_caplen == 0)
		return;
	char name[GW_NAME_SIZE];
	int res = gw_tls_sni(p->payload, p->payload_caplen, name, sizeof name);
	if (res != GW_CLIENT_OTHER)
		printf("sni\t%lu\t%s\t%s\n", frame, result_name(res), name);
	res = gw_http_host(p->payload, p->payload_caplen, name, sizeof name);
	if (res != GW_CLIENT_OTHER)
		printf("host\t%lu\t%s\t%s\n", frame, result_name(res), name);
}

static void print_refusal(unsigned long frame, int res, const struct gw_decode_stats *before,
                          const struct gw_decode_stats *after)
{
	const char *why = res == GW_DECODE_NOT_IP ? "not-ip" : "unsupported-link";
	for (int i = 0; i < GW_MAL_COUNT; i++)
		if (after->malformed[i] != before->malformed[i])
			why = gw_malformed_name(i);
	printf("decode\t%lu\t%s\n", frame, why);
}

static void dump_cache(struct gw_wirenames *w, int64_t ts)
{
	for (size_t i = 0; i < n_seen; i++) {
		const char *names[GW_WIRENAMES_MAX_NAMES];
		char text[GW_ADDR_STRLEN];
		size_t n = gw_wirenames_for_addr(w, &seen[i], ts, names, GW_WIRENAMES_MAX_NAMES);
		printf("addr\t%s\t", gw_addr_format(&seen[i], text, sizeof text));
		for (size_t k = 0; k < n; k++)
			printf("%s%s", k ? "," : "", names[k]);
		printf("\n");
	}
}

static void print_stats(const struct gw_wirenames_stats *st)
{
	fprintf(stderr,
	        "names_dump: dns messages %llu, responses %llu, not responses %llu, "
	        "error rcode %llu, tcp partial %llu, snaplen cut %llu, records %llu, "
	        "cache addresses %llu",
	        (unsigned long long)st->dns_messages, (unsigned long long)st->dns_responses,
	        (unsigned long long)st->dns_not_response, (unsigned long long)st->dns_error_rcode,
	        (unsigned long long)st->dns_tcp_partial, (unsigned long long)st->dns_snaplen_cut,
	        (unsigned long long)st->dns_records, (unsigned long long)st->cache_addrs);
	for (int i = 0; i < GW_DNS_MAL_COUNT; i++)
		if (st->dns_malformed[i])
			fprintf(stderr, ", %s %llu", gw_dns_malformed_name(i),
			        (unsigned long long)st->dns_malformed[i]);
	fprintf(stderr, "\n");
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: names_dump CAPTURE\n");
		return 2;
	}
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *pc = pcap_open_offline(argv[1], errbuf);
	if (!pc) {
		fprintf(stderr, "names_dump: %s\n", errbuf);
		return 2;
	}
	struct gw_wirenames_limits l;
	gw_wirenames_limits_init(&l);
	struct gw_wirenames *w;
	struct gw_err err = {0};
	if (gw_wirenames_new(&l, &w, &err) < 0) {
		fprintf(stderr, "names_dump: %s\n", err.msg);
		pcap_close(pc);
		return 2;
	}
	struct gw_decode_stats dstats = {0};
	struct pcap_pkthdr *h;
	const u_char *data;
	unsigned long frame = 0;
	int64_t last = 0;
	while (pcap_next_ex(pc, &h, &data) == 1) {
		frame++;
		struct gw_frame f = {.ts_us = (int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec,
		                     .caplen = h->caplen,
		                     .wirelen = h->len,
		                     .linktype = pcap_datalink(pc),
		                     .data = data};
		struct gw_packet p;
		struct gw_decode_stats before = dstats;
		int res = gw_decode(&f, &p, &dstats);
		if (res != GW_DECODE_OK) {
			print_refusal(frame, res, &before, &dstats);
			continue;
		}
		last = p.ts_us;
		dns_packet(frame, &p);
		gw_wirenames_observe_dns(w, &p);
		client_packet(frame, &p);
	}
	dump_cache(w, last);
	print_stats(gw_wirenames_stats(w));
	gw_wirenames_free(w);
	pcap_close(pc);
	return 0;
}
