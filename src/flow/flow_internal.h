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

/* Fragment memory: maps (family, src, dst, proto, IP id) of a fragmented
 * datagram to the flow its first fragment went to, for the non-first fragments
 * that follow; non-first fragments that come before their first are held as
 * counts until it arrives. Direct-mapped, a fixed number of slots. */
enum gw__frag_state {
	GW__FRAG_EMPTY = 0,
	GW__FRAG_FIRST,
	GW__FRAG_PENDING
};

struct gw__frag_slot {
	struct gw_addr src, dst;
	uint32_t id;
	uint8_t proto;
	uint8_t state;     /* enum gw__frag_state */
	uint32_t flow;     /* FIRST: flow index in the table */
	uint64_t flow_seq; /* FIRST: to tell a reused index from the same flow */
	uint32_t packets;  /* PENDING: fragments held */
	uint64_t bytes;    /* PENDING: their frame bytes */
	int64_t ts_us;     /* when the slot was taken */
};

struct gw__frag_memory {
	struct gw__frag_slot *slots;
	uint32_t mask; /* slots - 1 (a power of two) */
	int64_t timeout_us;
	uint64_t seed;
	uint64_t unattributed; /* non-first fragments given up on */
};

/* What a first fragment found waiting for it. */
struct gw__frag_held {
	uint32_t packets;
	uint64_t bytes;
	int64_t ts_us;
};

int gw__frag_init(struct gw__frag_memory *m, uint32_t slots, uint32_t timeout_s, uint64_t seed);
void gw__frag_fini(struct gw__frag_memory *m);

/* Records the first fragment p of a datagram that went to flow; returns in
 * *held the later fragments that came before it (packets = 0 if none). */
void gw__frag_first(struct gw__frag_memory *m, const struct gw_packet *p, uint32_t flow,
                    uint64_t flow_seq, struct gw__frag_held *held);

/* A non-first fragment: true with the flow if its first fragment is known;
 * false if it is held (or given up on) instead. */
bool gw__frag_later(struct gw__frag_memory *m, const struct gw_packet *p, uint32_t *flow,
                    uint64_t *flow_seq);

/* A later fragment whose known flow has ended meanwhile. */
void gw__frag_give_up(struct gw__frag_memory *m);

/* Gives up on every fragment still held (end of input). */
void gw__frag_drain(struct gw__frag_memory *m);

#endif
