/* names/wirenames.c — the module's front: its limits and counters, which
 * packets are read as DNS (and how a TCP segment splits into messages), how a
 * response's CNAME chains become cache entries, and which reader names a
 * flow's first client payload. */
#include <stdlib.h>
#include <string.h>

#include "ghostwire/cursor.h"
#include "names_internal.h"

enum {
	PORT_DNS = 53,
	PORT_MDNS = 5353,
};

struct gw_wirenames {
	struct gw_wirenames_limits limits;
	struct gw_wirenames_stats stats;
	struct gw__pdns *cache;
	struct gw__flownames *flows;
	struct gw_dns_answer answer; /* scratch for the message being read */
};

void gw_wirenames_limits_init(struct gw_wirenames_limits *l)
{
	*l = (struct gw_wirenames_limits){
	        .max_addrs = 65536,
	        .max_flow_names = 65536,
	        .ttl_floor_s = 60,
	        .ttl_cap_s = 86400,
	        .grace_s = 60,
	        .names_per_addr = 4,
	        .mdns = true,
	        .hash_seed = 0,
	};
}

static int check_limits(const struct gw_wirenames_limits *l, struct gw_err *err)
{
	if (l->max_addrs == 0 || l->max_addrs > (1u << 30))
		return gw_err_set(err, GW_EINVAL, "wire names: max_addrs %u out of 1..2^30",
		                  l->max_addrs);
	if (l->names_per_addr == 0 || l->names_per_addr > GW_WIRENAMES_MAX_NAMES)
		return gw_err_set(err, GW_EINVAL, "wire names: names_per_addr %u out of 1..%d",
		                  l->names_per_addr, GW_WIRENAMES_MAX_NAMES);
	if (l->ttl_floor_s > l->ttl_cap_s)
		return gw_err_set(err, GW_EINVAL, "wire names: TTL floor %us above the cap %us",
		                  l->ttl_floor_s, l->ttl_cap_s);
	if (l->max_flow_names == 0 || l->max_flow_names > (1u << 30))
		return gw_err_set(err, GW_EINVAL, "wire names: max_flow_names %u out of 1..2^30",
		                  l->max_flow_names);
	return GW_OK;
}

int gw_wirenames_new(const struct gw_wirenames_limits *l, struct gw_wirenames **out,
                     struct gw_err *err)
{
	*out = NULL;
	int res = check_limits(l, err);
	if (res < 0)
		return res;
	struct gw_wirenames *w = calloc(1, sizeof *w);
	if (!w)
		return gw_err_set(err, GW_ENOMEM, "wire names: out of memory");
	w->limits = *l;
	if (gw__pdns_new(l, &w->stats, &w->cache) < 0 ||
	    gw__flownames_new(l->max_flow_names, &w->stats, &w->flows) < 0) {
		gw_wirenames_free(w);
		return gw_err_set(err, GW_ENOMEM,
		                  "wire names: out of memory for %u addresses and %u flow names",
		                  l->max_addrs, l->max_flow_names);
	}
	*out = w;
	return GW_OK;
}

void gw_wirenames_free(struct gw_wirenames *w)
{
	if (!w)
		return;
	gw__pdns_free(w->cache);
	gw__flownames_free(w->flows);
	free(w);
}

/* The first CNAME record of a whose target is name, or -1. */
static int cname_to(const struct gw_dns_answer *a, const char *name)
{
	for (size_t k = 0; k < a->n; k++)
		if (a->rr[k].type == GW_DNS_CNAME && strcmp(a->rr[k].target, name) == 0)
			return (int)k;
	return -1;
}

/* The CNAME chains of a, as links: up[k] is the CNAME record pointing at
 * record k's owner (or -1). Computed once per message, so that naming every
 * address costs one scan plus the chain's length. */
static void link_chains(const struct gw_dns_answer *a, int up[GW_DNS_MAX_RECORDS])
{
	for (size_t k = 0; k < a->n; k++)
		up[k] = a->rr[k].type == GW_DNS_CNAME ? cname_to(a, a->rr[k].owner) : -1;
}

/* The name at the head of the chain that ends at record r's owner, and the
 * shortest TTL along it. At most one hop per record, so that a CNAME loop in
 * the answer ends too. */
static const char *chain_head(const struct gw_dns_answer *a, const int *up,
                              const struct gw_dns_record *r, uint32_t *ttl)
{
	const char *name = r->owner;
	*ttl = r->ttl;
	int k = cname_to(a, name);
	for (size_t hops = 0; k >= 0 && hops < a->n; hops++) {
		name = a->rr[k].owner;
		if (a->rr[k].ttl < *ttl)
			*ttl = a->rr[k].ttl;
		k = up[k];
	}
	return name;
}

/* Puts every A/AAAA answer's address in the cache: under the name that owns
 * it, then under the head of its chain (so that the name the client asked for
 * comes first). */
static void learn(struct gw_wirenames *w, const struct gw_dns_answer *a, int64_t ts_us)
{
	int up[GW_DNS_MAX_RECORDS];
	link_chains(a, up);
	for (size_t i = 0; i < a->n; i++) {
		const struct gw_dns_record *r = &a->rr[i];
		if (r->type != GW_DNS_A && r->type != GW_DNS_AAAA)
			continue;
		uint32_t ttl;
		const char *head = chain_head(a, up, r, &ttl);
		gw__pdns_learn(w->cache, &r->addr, r->owner, r->ttl, ts_us);
		if (strcmp(head, r->owner) != 0)
			gw__pdns_learn(w->cache, &r->addr, head, ttl, ts_us);
	}
}

/* One whole DNS message; cut says the capture's snap length cut the packet. */
static void read_message(struct gw_wirenames *w, const uint8_t *msg, size_t len, bool cut,
                         int64_t ts_us)
{
	struct gw_wirenames_stats *st = &w->stats;
	struct gw_dns_answer *a = &w->answer;
	st->dns_messages++;
	switch (gw_dns_parse(msg, len, a)) {
	case GW_DNS_OK:
		st->dns_responses++;
		st->dns_records += a->n + a->dropped + a->unrepresentable;
		st->dns_records_dropped += a->dropped;
		st->dns_unrepresentable += a->unrepresentable;
		learn(w, a, ts_us);
		break;
	case GW_DNS_NOT_RESPONSE:
		st->dns_not_response++;
		break;
	case GW_DNS_ERROR_RCODE:
		st->dns_error_rcode++;
		break;
	default:
		if (cut && a->malformed == GW_DNS_MAL_TRUNCATED)
			st->dns_snaplen_cut++;
		else if (a->malformed < GW_DNS_MAL_COUNT)
			st->dns_malformed[a->malformed]++;
		break;
	}
}

/* DNS over TCP: each whole length-prefixed message the segment holds. A
 * message continued in a later segment is not reassembled. */
static void read_tcp(struct gw_wirenames *w, const struct gw_packet *p, bool cut)
{
	struct gw_cursor c = gw_cursor_make(p->payload, p->payload_caplen), msg;
	uint16_t len;
	while (gw_cursor_be16(&c, &len)) {
		if (!gw_cursor_sub(&c, len, &msg)) {
			if (cut)
				w->stats.dns_snaplen_cut++;
			else
				w->stats.dns_tcp_partial++;
			return;
		}
		read_message(w, msg.p, gw_cursor_left(&msg), false, p->ts_us);
	}
	if (gw_cursor_left(&c) > 0)
		w->stats.dns_tcp_partial++; /* one byte of a length prefix */
}

void gw_wirenames_observe_dns(struct gw_wirenames *w, const struct gw_packet *p)
{
	if (!p->has_ports || !p->payload || p->payload_caplen == 0)
		return;
	bool cut = p->payload_caplen < p->payload_len;
	if (p->proto == GW_IPPROTO_UDP &&
	    (p->sport == PORT_DNS || (w->limits.mdns && p->sport == PORT_MDNS)))
		read_message(w, p->payload, p->payload_caplen, cut, p->ts_us);
	else if (p->proto == GW_IPPROTO_TCP && p->sport == PORT_DNS)
		read_tcp(w, p, cut);
}

size_t gw_wirenames_for_addr(struct gw_wirenames *w, const struct gw_addr *addr, int64_t ts_us,
                             const char **names, size_t max)
{
	return gw__pdns_lookup(w->cache, addr, ts_us, names, max);
}

int gw_wirenames_client_name(const uint8_t *payload, size_t len, char *out, size_t size)
{
	int res = gw_tls_sni(payload, len, out, size);
	if (res == GW_CLIENT_FOUND)
		return GW_NAME_SNI;
	if (res == GW_CLIENT_OTHER && gw_http_host(payload, len, out, size) == GW_CLIENT_FOUND)
		return GW_NAME_HTTP_HOST;
	if (size > 0)
		out[0] = '\0';
	return GW_NAME_NONE;
}

enum gw_name_source gw_wirenames_flow_observe(struct gw_wirenames *w, uint64_t seq,
                                              const uint8_t *payload, size_t len)
{
	char name[GW_NAME_SIZE];
	int source = gw_wirenames_client_name(payload, len, name, sizeof name);
	if (source == GW_NAME_SNI)
		w->stats.client_sni++;
	else if (source == GW_NAME_HTTP_HOST)
		w->stats.client_http_host++;
	else
		w->stats.client_none++;
	if (source != GW_NAME_NONE && gw_wirenames_flow_put(w, seq, source, name) < 0)
		return GW_NAME_NONE; /* counted by the table: full, or out of memory */
	return (enum gw_name_source)source;
}

int gw_wirenames_flow_put(struct gw_wirenames *w, uint64_t seq, enum gw_name_source source,
                          const char *name)
{
	if (seq == 0 || (source != GW_NAME_SNI && source != GW_NAME_HTTP_HOST) || !name ||
	    name[0] == '\0' || strnlen(name, GW_NAME_MAX + 1) > GW_NAME_MAX)
		return GW_EINVAL;
	return gw__flownames_put(w->flows, seq, source, name);
}

enum gw_name_source gw_wirenames_flow_get(const struct gw_wirenames *w, uint64_t seq,
                                          const char **name)
{
	if (seq == 0) {
		if (name)
			*name = NULL;
		return GW_NAME_NONE;
	}
	return gw__flownames_get(w->flows, seq, name);
}

void gw_wirenames_flow_remove(struct gw_wirenames *w, uint64_t seq)
{
	if (seq != 0)
		gw__flownames_remove(w->flows, seq);
}

const struct gw_wirenames_stats *gw_wirenames_stats(struct gw_wirenames *w)
{
	return &w->stats;
}

const char *gw_name_source_name(enum gw_name_source source)
{
	static const char *const names[] = {
	        [GW_NAME_NONE] = "none",
	        [GW_NAME_SNI] = "sni",
	        [GW_NAME_HTTP_HOST] = "http-host",
	};
	return (unsigned)source < sizeof names / sizeof *names ? names[source] : NULL;
}
