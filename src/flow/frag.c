/* flow/frag.c — the fragment memory: a fixed array of slots mapping a
 * fragmented datagram (addresses, protocol, IP id) to the flow its first
 * fragment went to, so that the fragments that follow are counted in that flow.
 * Non-first fragments that arrive before their first one are held as counts in
 * the slot and handed over when it comes. Fragments whose first never comes (or
 * whose slot is taken by another datagram, or times out) are counted as
 * unattributed. Memory: slots × sizeof(struct gw__frag_slot), fixed. */
#include <stdlib.h>
#include <string.h>

#include "flow_internal.h"

int gw__frag_init(struct gw__frag_memory *m, uint32_t slots, uint32_t timeout_s, uint64_t seed)
{
	uint32_t n = 1;
	while (n < slots && n < (1u << 24))
		n <<= 1;
	memset(m, 0, sizeof *m);
	m->slots = calloc(n, sizeof *m->slots);
	if (!m->slots)
		return GW_ENOMEM;
	m->mask = n - 1;
	m->timeout_us = (int64_t)timeout_s * 1000000;
	m->seed = seed;
	return 0;
}

void gw__frag_fini(struct gw__frag_memory *m)
{
	free(m->slots);
	m->slots = NULL;
}

static struct gw__frag_slot *slot_of(struct gw__frag_memory *m, const struct gw_packet *p)
{
	/* Ports are not known in later fragments: hash the addresses and the IP id. */
	uint32_t h = gw__flow_hash(m->seed, p->proto, &p->src, (uint16_t)p->frag_id, &p->dst,
	                           (uint16_t)(p->frag_id >> 16));
	return &m->slots[h & m->mask];
}

static bool same_datagram(const struct gw__frag_memory *m, const struct gw__frag_slot *s,
                          const struct gw_packet *p)
{
	return s->state != GW__FRAG_EMPTY && s->id == p->frag_id && s->proto == p->proto &&
	       gw_addr_equal(&s->src, &p->src) && gw_addr_equal(&s->dst, &p->dst) &&
	       p->ts_us - s->ts_us <= m->timeout_us;
}

/* Empties s, giving up on the fragments it held. */
static void release(struct gw__frag_memory *m, struct gw__frag_slot *s)
{
	if (s->state == GW__FRAG_PENDING)
		m->unattributed += s->packets;
	memset(s, 0, sizeof *s);
}

static void take(struct gw__frag_slot *s, const struct gw_packet *p, uint8_t state)
{
	s->src = p->src;
	s->dst = p->dst;
	s->id = p->frag_id;
	s->proto = p->proto;
	s->state = state;
	s->ts_us = p->ts_us;
}

void gw__frag_first(struct gw__frag_memory *m, const struct gw_packet *p, uint32_t flow,
                    uint64_t flow_seq, struct gw__frag_held *held)
{
	struct gw__frag_slot *s = slot_of(m, p);
	memset(held, 0, sizeof *held);
	if (same_datagram(m, s, p) && s->state == GW__FRAG_PENDING) {
		held->packets = s->packets;
		held->bytes = s->bytes;
		held->ts_us = s->ts_us;
		memset(s, 0, sizeof *s);
	} else {
		release(m, s);
	}
	take(s, p, GW__FRAG_FIRST);
	s->flow = flow;
	s->flow_seq = flow_seq;
}

bool gw__frag_later(struct gw__frag_memory *m, const struct gw_packet *p, uint32_t *flow,
                    uint64_t *flow_seq)
{
	struct gw__frag_slot *s = slot_of(m, p);
	if (same_datagram(m, s, p)) {
		if (s->state == GW__FRAG_FIRST) {
			*flow = s->flow;
			*flow_seq = s->flow_seq;
			return true;
		}
		s->packets++;
		s->bytes += p->wirelen;
		return false;
	}
	release(m, s);
	take(s, p, GW__FRAG_PENDING);
	s->packets = 1;
	s->bytes = p->wirelen;
	return false;
}

void gw__frag_give_up(struct gw__frag_memory *m)
{
	m->unattributed++;
}

void gw__frag_drain(struct gw__frag_memory *m)
{
	for (uint32_t i = 0; i <= m->mask; i++)
		release(m, &m->slots[i]);
}
