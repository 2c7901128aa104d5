/* flow_internal.h — the pieces of the flow table shared inside src/flow/: the
 * symmetric keyed hash, orientation of a new flow, the TCP state tracker, and the
 * first-fragment memory. */
#ifndef GHOSTWIRE_FLOW_INTERNAL_H
#define GHOSTWIRE_FLOW_INTERNAL_H

#include "ghostwire/flow.h"

/* A hash of the two endpoints that is the same whichever is given first, keyed
 * by seed so that a flood cannot aim at one bucket. */
uint32_t gw__flow_hash(uint64_t seed, uint8_t proto, const struct gw_addr *a, uint16_t aport,
                       const struct gw_addr *b, uint16_t bport);

/* Decides, for the first packet of a flow, which end is local and who opened it.
 * Sets *src_is_local, *orientation and *opener_is_src. */
void gw__flow_orient(const struct gw_cidr *nets, unsigned n_nets, const struct gw_packet *p,
                     bool *src_is_local, enum gw_orientation *orientation, bool *opener_is_src);

/* True if a TCP packet with these flags, as first packet, says its sender opened the flow. */
bool gw__tcp_opener_is_src(uint8_t tcp_flags);

/* Advances f's TCP flags and state with packet flags seen in direction dir. */
void gw__tcp_track(struct gw_flow *f, enum gw_dir dir, uint8_t flags, bool first);

/* True once f's state means the connection is over (closed or reset). */
bool gw__tcp_is_over(const struct gw_flow *f);

/* First-fragment memory: maps (family, src, dst, proto, IP id) → flow for the
 * non-first fragments that follow. Direct-mapped, a fixed number of slots. */
struct gw__frag_slot {
	struct gw_addr src, dst;
	uint32_t id;
	uint8_t proto;
	uint32_t flow;     /* flow index in the table */
	uint64_t flow_seq; /* to tell a reused index from the same flow */
	int64_t ts_us;     /* when the first fragment was seen */
};

struct gw__frag_memory {
	struct gw__frag_slot *slots;
	uint32_t mask; /* slots - 1 (a power of two) */
	int64_t timeout_us;
	uint64_t seed;
};

int gw__frag_init(struct gw__frag_memory *m, uint32_t slots, uint32_t timeout_s, uint64_t seed);
void gw__frag_fini(struct gw__frag_memory *m);
void gw__frag_remember(struct gw__frag_memory *m, const struct gw_packet *p, uint32_t flow,
                       uint64_t flow_seq);
/* Finds the flow of a non-first fragment; false if its first fragment is unknown. */
bool gw__frag_find(const struct gw__frag_memory *m, const struct gw_packet *p, uint32_t *flow,
                   uint64_t *flow_seq);

#endif
