/* cli/enrich.c — what replay and watch add to each verdict beside the
 * correlator's answer: where the flow's remote end is (GeoIP country, AS, or
 * its special range) and the names the wire gave it (DNS answers seen before
 * the flow, the flow's own TLS SNI or HTTP Host). Names come from packets
 * only, so a replay gives the same ones as the live run. */
#include <string.h>

#include "cli.h"

int gw_cli_enricher_open(struct gw_cli_enricher *x, const struct gw_cli_geoip *files,
                         const struct gw_options *o)
{
	memset(x, 0, sizeof *x);
	x->geo = gw_cli_geoip_open(files, o, false);
	if (!x->geo)
		return GW_EXIT_FAIL;
	struct gw_wirenames_limits l;
	gw_wirenames_limits_init(&l);
	l.hash_seed = o->hash_seed;
	struct gw_err err = {0};
	if (gw_wirenames_new(&l, &x->names, &err) < 0) {
		gw_cli_error("%s", err.msg);
		gw_cli_enricher_close(x);
		return GW_EXIT_FAIL;
	}
	return 0;
}

void gw_cli_enricher_close(struct gw_cli_enricher *x)
{
	/* also for an enricher never opened (zeroed): nothing to free */
	gw_geoip_free(x->geo);
	gw_wirenames_free(x->names);
	x->geo = NULL;
	x->names = NULL;
}

/* One end of a flow or packet, as the key orders them. */
struct end {
	const uint8_t *addr; /* 16 bytes */
	uint16_t port;
};

static int end_cmp(const struct end *a, const struct end *b)
{
	int c = memcmp(a->addr, b->addr, 16);
	return c ? c : (int)a->port - (int)b->port;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	h *= 0xff51afd7ed558ccdULL;
	return h ^ (h >> 33);
}

/* The side table's key of a connection: a hash of its two ends in a fixed
 * order, the same from a packet either way and from the flow (never 0). */
static uint64_t conn_key(uint8_t proto, struct end a, struct end b)
{
	if (end_cmp(&a, &b) > 0) {
		struct end t = a;
		a = b;
		b = t;
	}
	uint64_t h =
	        mix(0x2545f4914f6cdd1dULL, (uint64_t)proto << 32 | (uint64_t)a.port << 16 | b.port);
	for (int i = 0; i < 16; i += 8) {
		uint64_t x, y;
		memcpy(&x, a.addr + i, 8);
		memcpy(&y, b.addr + i, 8);
		h = mix(mix(h, x), y);
	}
	return h ? h : 1;
}

static uint64_t flow_key(const struct gw_flow *f)
{
	return conn_key(f->key.proto, (struct end){f->key.local, f->key.local_port},
	                (struct end){f->key.remote, f->key.remote_port});
}

/* Could this payload open a TLS handshake or an HTTP request? A cheap test
 * before the parsers, as most payload is neither. */
static bool may_name(const uint8_t *p, size_t len)
{
	return len >= 4 && (p[0] == 0x16 || (p[0] >= 'A' && p[0] <= 'Z'));
}

void gw_cli_enrich_packet(struct gw_cli_enricher *x, const struct gw_packet *p)
{
	if (!x->names)
		return;
	gw_wirenames_observe_dns(x->names, p);
	if (p->proto != GW_IPPROTO_TCP || !may_name(p->payload, p->payload_caplen))
		return;
	uint64_t key = conn_key(p->proto, (struct end){p->src.bytes, p->sport},
	                        (struct end){p->dst.bytes, p->dport});
	if (gw_wirenames_flow_get(x->names, key, NULL) == GW_NAME_NONE)
		(void)gw_wirenames_flow_observe(x->names, key, p->payload, p->payload_caplen);
}

void gw_cli_enrich(struct gw_cli_enricher *x, const struct gw_flow *f,
                   struct gw_verdict_enrich *out)
{
	memset(out, 0, sizeof *out);
	struct gw_addr remote;
	gw_flow_remote_addr(f, &remote);
	if (x->geo) {
		struct gw_err err = {0};
		if (gw_geoip_lookup(x->geo, &remote, &out->remote_geo, &err) == 0)
			out->has_remote_geo = true;
		else if (!x->geo_errors++)
			gw_cli_error("warning: GeoIP: %s (further errors only counted)", err.msg);
	}
	if (!x->names)
		return;
	const char *name = NULL;
	enum gw_name_source src = gw_wirenames_flow_get(x->names, flow_key(f), &name);
	if (src != GW_NAME_NONE) {
		out->server_name = name;
		out->server_name_source = gw_name_source_name(src);
	}
	out->n_names = gw_wirenames_for_addr(x->names, &remote, f->first_us, out->names,
	                                     GW_ENRICH_MAX_NAMES);
}

void gw_cli_enrich_end(struct gw_cli_enricher *x, const struct gw_flow *f)
{
	if (x->names)
		gw_wirenames_flow_remove(x->names, flow_key(f));
}
