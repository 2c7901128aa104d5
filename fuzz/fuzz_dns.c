/* fuzz/fuzz_dns.c — libFuzzer target over the DNS reader and the passive-DNS
 * cache: the bytes are a DNS message, read alone and as a prefix (which must
 * agree with the whole: the same result, or truncated), then fed to a small
 * long-lived cache as a UDP answer and as a TCP segment, so that CNAME chains,
 * eviction and expiry run on hostile answers too. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ghostwire/wirenames.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_dns: %s\n", what);
		abort();
	}
}

/* A kept name: NUL-terminated within its buffer, lowercase, no trailing dot. */
static void check_name(const char *s, bool may_be_empty)
{
	size_t n = strnlen(s, GW_NAME_SIZE);
	check(n <= GW_NAME_MAX && (may_be_empty || n > 0), "name length");
	for (size_t i = 0; i < n; i++)
		check(!(s[i] >= 'A' && s[i] <= 'Z') && (unsigned char)s[i] > 0x20 &&
		              (unsigned char)s[i] < 0x7f,
		      "name character");
	check(n == 0 || s[n - 1] != '.', "trailing dot");
}

static struct gw_dns_answer whole, part;

static void parse_checks(const uint8_t *msg, size_t size)
{
	int res = gw_dns_parse(msg, size, &whole);
	check(res >= GW_DNS_OK && res <= GW_DNS_MALFORMED, "result");
	if (res == GW_DNS_MALFORMED)
		check(whole.malformed < GW_DNS_MAL_COUNT, "reason");
	if (res == GW_DNS_OK) {
		check(whole.n <= GW_DNS_MAX_RECORDS, "record count");
		check_name(whole.qname, true);
		for (size_t i = 0; i < whole.n; i++) {
			const struct gw_dns_record *r = &whole.rr[i];
			check(r->type == GW_DNS_A || r->type == GW_DNS_AAAA ||
			              r->type == GW_DNS_CNAME,
			      "record type");
			check(r->ttl <= 0x7fffffffu, "ttl");
			check_name(r->owner, false);
			if (r->type == GW_DNS_CNAME)
				check_name(r->target, false);
		}
	}
	/* A prefix reads the same, or stops short. */
	size_t cut = size ? (size_t)msg[size - 1] * size / 256 : 0;
	int pres = gw_dns_parse(msg, cut, &part);
	check(pres == res || (pres == GW_DNS_MALFORMED && part.malformed == GW_DNS_MAL_TRUNCATED),
	      "a prefix disagrees with the whole");
	if (pres == GW_DNS_OK)
		check(part.n == whole.n, "a prefix read other records");
}

static struct gw_wirenames *names(void)
{
	static struct gw_wirenames *w;
	if (!w) {
		struct gw_wirenames_limits l;
		gw_wirenames_limits_init(&l);
		l.max_addrs = 32;
		l.names_per_addr = 3;
		l.max_flow_names = 4;
		l.hash_seed = 1;
		if (gw_wirenames_new(&l, &w, NULL) < 0)
			abort();
	}
	return w;
}

static void cache_checks(const uint8_t *msg, size_t size)
{
	static int64_t ts;
	struct gw_wirenames *w = names();
	struct gw_packet p = {0};
	ts += 7000000; /* 7 s per input: entries expire as the run goes on */
	p.ts_us = ts;
	p.proto = GW_IPPROTO_UDP;
	p.has_ports = true;
	p.sport = size % 2 ? 53 : 5353;
	p.payload = msg;
	p.payload_len = p.payload_caplen = (uint32_t)size;
	gw_wirenames_observe_dns(w, &p);
	p.proto = GW_IPPROTO_TCP;
	p.sport = 53;
	gw_wirenames_observe_dns(w, &p);
	const struct gw_wirenames_stats *st = gw_wirenames_stats(w);
	check(st->cache_addrs <= 32, "cache bound");
	check(st->cache_inserted - st->cache_evicted - st->cache_expired == st->cache_addrs,
	      "cache counts");
	if (gw_dns_parse(msg, size, &whole) != GW_DNS_OK)
		return;
	for (size_t i = 0; i < whole.n; i++) {
		const char *got[GW_WIRENAMES_MAX_NAMES];
		size_t n = gw_wirenames_for_addr(w, &whole.rr[i].addr, ts, got, 3);
		check(n <= 3, "names per address");
		for (size_t k = 0; k < n; k++)
			check_name(got[k], false);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A heap copy of exactly the input, so ASan sees any overread. */
	uint8_t *msg = malloc(size ? size : 1);
	if (!msg)
		return 0;
	if (size)
		memcpy(msg, data, size);
	parse_checks(msg, size);
	cache_checks(msg, size);
	free(msg);
	return 0;
}
