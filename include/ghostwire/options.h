/* options.h — every tunable of ghostwire in one struct, with its default. The
 * CLI fills it; modules read it and keep no hidden defaults of their own. */
#ifndef GHOSTWIRE_OPTIONS_H
#define GHOSTWIRE_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "ghostwire/addr.h"

#define GW_MAX_LOCAL_NETS 256
#define GW_MAX_INTERFACES 16

struct gw_options {
	/* --- commonly changed --- */
	uint32_t max_flows; /* --max-flows: flows held at once (default 262144) */
	uint32_t
	        idle_timeout_s; /* --idle-timeout: end a flow after this long without packets (300) */
	uint32_t
	        closed_timeout_s; /* --closed-timeout: keep a closed TCP flow this long for stragglers (5) */
	const char *bpf_filter; /* --filter: BPF expression, NULL for none */
	int snaplen;            /* --snaplen: bytes kept per packet, live (262144) */
	int buffer_mb;          /* --buffer-size: kernel capture buffer in MiB, live (64) */
	bool promisc;           /* --promisc: promiscuous mode, live (off) */
	struct gw_cidr
	        local_nets[GW_MAX_LOCAL_NETS]; /* --local-net, plus the host's addresses live */
	unsigned n_local_nets;
	const char *interfaces[GW_MAX_INTERFACES]; /* -i, repeatable; "any" for all */
	unsigned n_interfaces;

	/* --- obscure --- */
	bool immediate;          /* deliver packets at once rather than in buffer-fulls (on) */
	int timeout_ms;          /* libpcap read timeout when not immediate (100) */
	uint32_t frag_slots;     /* first-fragment memory: datagrams tracked at once (4096) */
	uint32_t frag_timeout_s; /* forget a first fragment after this long (30) */
	uint64_t hash_seed;      /* flow hash key; 0 = pick one at random at start */
	uint32_t geoip_cache;    /* GeoIP lookup cache entries (4096); 0 = no cache */
	bool geoip_db_special;   /* also ask the GeoIP databases about private and other
	                          * special ranges (off; for a site's own database) */
};

/* Fills o with the defaults above. */
void gw_options_init(struct gw_options *o);

#endif
