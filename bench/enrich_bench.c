/* enrich_bench.c — what enrichment costs, in process: a GeoIP lookup
 * (uncached, and from the cache), a DNS answer learnt into the passive DNS
 * cache, a name asked of it, and a ClientHello's SNI. Prints ns per
 * operation; bench/enrich.sh runs it. Usage: enrich_bench [GEOIP.mmdb...] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ghostwire/geoip.h"
#include "ghostwire/wirenames.h"

static double now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

/* A public-looking IPv4 address (not in the special ranges). */
static struct gw_addr public_v4(void)
{
	struct gw_addr a = {.family = GW_AF_INET};
	do {
		uint32_t v = next();
		memcpy(a.bytes, &v, 4);
	} while (gw_geoip_special_of(&a) != GW_GEOIP_PUBLIC);
	return a;
}

static double geoip_ns(struct gw_geoip *g, const struct gw_addr *addrs, size_t n, int rounds)
{
	struct gw_geoip_result r;
	struct gw_err err = {0};
	double t0 = now_ns();
	for (int k = 0; k < rounds; k++)
		for (size_t i = 0; i < n; i++)
			if (gw_geoip_lookup(g, &addrs[i], &r, &err) < 0) {
				fprintf(stderr, "enrich_bench: %s\n", err.msg);
				exit(1);
			}
	return (now_ns() - t0) / (double)(n * (size_t)rounds);
}

/* A DNS response: NAME A ADDR, built by hand (header, question, one answer). */
static size_t dns_response(uint8_t *b, const char *name, const uint8_t addr[4], uint16_t id)
{
	size_t n = 0;
	uint8_t hdr[12] = {(uint8_t)(id >> 8), (uint8_t)id, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0};
	memcpy(b, hdr, 12);
	n = 12;
	const char *p = name;
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);
		b[n++] = (uint8_t)len;
		memcpy(b + n, p, len);
		n += len;
		p += len + (dot ? 1 : 0);
	}
	b[n++] = 0;
	uint8_t q[4] = {0, 1, 0, 1};
	memcpy(b + n, q, 4);
	n += 4;
	uint8_t rr[12] = {0xc0, 12, 0, 1, 0, 1, 0, 0, 1, 44, 0, 4};
	memcpy(b + n, rr, 12);
	n += 12;
	memcpy(b + n, addr, 4);
	return n + 4;
}

int main(int argc, char **argv)
{
	struct gw_options o;
	gw_options_init(&o);
	const char *const *paths = (const char *const *)(argv + 1);
	size_t n_paths = (size_t)(argc - 1);
	enum {
		N = 100000
	};
	struct gw_addr *addrs = malloc(N * sizeof *addrs);
	for (size_t i = 0; i < N; i++)
		addrs[i] = public_v4();
	struct gw_err err = {0};

	o.geoip_cache = 0;
	struct gw_geoip *g = gw_geoip_new(paths, n_paths, &o, &err);
	if (!g) {
		fprintf(stderr, "enrich_bench: %s\n", err.msg);
		return 1;
	}
	printf("geoip_uncached_ns %.0f\n", geoip_ns(g, addrs, N, 3));
	gw_geoip_free(g);
	o.geoip_cache = 4096;
	g = gw_geoip_new(paths, n_paths, &o, &err);
	printf("geoip_cached_ns %.0f\n", geoip_ns(g, addrs, 1000, 300)); /* 1000 remotes, hot */
	gw_geoip_free(g);

	struct gw_wirenames_limits l;
	gw_wirenames_limits_init(&l);
	struct gw_wirenames *w;
	if (gw_wirenames_new(&l, &w, &err) < 0) {
		fprintf(stderr, "enrich_bench: %s\n", err.msg);
		return 1;
	}
	uint8_t msg[512];
	struct gw_packet p = {
	        .proto = GW_IPPROTO_UDP, .sport = 53, .dport = 40000, .has_ports = true};
	p.src.family = p.dst.family = GW_AF_INET;
	double t0 = now_ns();
	for (size_t i = 0; i < N; i++) {
		char name[64];
		snprintf(name, sizeof name, "host%zu.example.com", i);
		size_t len = dns_response(msg, name, addrs[i].bytes, (uint16_t)i);
		p.ts_us = 1714564800000000LL + (int64_t)i;
		p.payload = msg;
		p.payload_caplen = p.payload_len = (uint32_t)len;
		gw_wirenames_observe_dns(w, &p);
	}
	printf("dns_answer_learnt_ns %.0f\n", (now_ns() - t0) / N);
	const char *names[4];
	size_t hits = 0;
	t0 = now_ns();
	for (size_t i = 0; i < N; i++)
		hits += gw_wirenames_for_addr(w, &addrs[i], 1714564800000000LL + N, names, 4) > 0;
	printf("names_for_addr_ns %.0f (hits %zu of %d)\n", (now_ns() - t0) / N, hits, N);
	/* a ClientHello with SNI (TLS 1.2 header, one extension) */
	static const char host[] = "www.example.com";
	uint8_t hello[256];
	size_t hl = strlen(host);
	uint8_t body[200];
	size_t bn = 0;
	body[bn++] = 3;
	body[bn++] = 3;
	memset(body + bn, 0, 32);
	bn += 32;
	body[bn++] = 0;
	body[bn++] = 0;
	body[bn++] = 2;
	body[bn++] = 0x13;
	body[bn++] = 0x01;
	body[bn++] = 1;
	body[bn++] = 0;
	size_t ext = hl + 9;
	body[bn++] = (uint8_t)(ext >> 8);
	body[bn++] = (uint8_t)ext;
	uint8_t e[] = {0,
	               0,
	               (uint8_t)((hl + 5) >> 8),
	               (uint8_t)(hl + 5),
	               (uint8_t)((hl + 3) >> 8),
	               (uint8_t)(hl + 3),
	               0,
	               (uint8_t)(hl >> 8),
	               (uint8_t)hl};
	memcpy(body + bn, e, sizeof e);
	bn += sizeof e;
	memcpy(body + bn, host, hl);
	bn += hl;
	size_t n = 0;
	hello[n++] = 0x16;
	hello[n++] = 3;
	hello[n++] = 1;
	hello[n++] = (uint8_t)((bn + 4) >> 8);
	hello[n++] = (uint8_t)(bn + 4);
	hello[n++] = 1;
	hello[n++] = 0;
	hello[n++] = (uint8_t)(bn >> 8);
	hello[n++] = (uint8_t)bn;
	memcpy(hello + n, body, bn);
	n += bn;
	char out[256];
	int found = 0;
	t0 = now_ns();
	for (size_t i = 0; i < N; i++)
		found += gw_wirenames_client_name(hello, n, out, sizeof out) == GW_NAME_SNI;
	printf("sni_ns %.0f (found %d of %d: %s)\n", (now_ns() - t0) / N, found, N, out);
	gw_wirenames_free(w);
	free(addrs);
	return 0;
}
