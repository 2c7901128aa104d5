/* flow/frag.c — the first-fragment memory: a fixed array of slots mapping a
 * fragmented datagram (addresses, protocol, IP id) to the flow its first fragment
 * went to, so the fragments that follow are counted in that flow. Fragments that
 * arrive before their first one, or after its slot was reused, are counted as
 * unattributed by the table. Memory: slots × sizeof(struct gw__frag_slot). */
#include <stdlib.h>
#include <string.h>

#include "flow_internal.h"

int gw__frag_init(struct gw__frag_memory *m, uint32_t slots, uint32_t timeout_s, uint64_t seed)
{
	uint32_t n = 1;
	while (n < slots && n < (1u << 24))
		n <<= 1;
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

static uint32_t slot_of(const struct gw__frag_memory *m, const struct gw_packet *p)
{
	/* Ports are not known in later fragments: hash the addresses and the IP id. */
	return gw__flow_hash(m->seed, p->proto, &p->src, (uint16_t)p->frag_id, &p->dst,
	                     (uint16_t)(p->frag_id >> 16)) &
	       m->mask;
}

void gw__frag_remember(struct gw__frag_memory *m, const struct gw_packet *p, uint32_t flow,
                       uint64_t flow_seq)
{
	struct gw__frag_slot *s = &m->slots[slot_of(m, p)];
	s->src = p->src;
	s->dst = p->dst;
	s->id = p->frag_id;
	s->proto = p->proto;
	s->flow = flow;
	s->flow_seq = flow_seq;
	s->ts_us = p->ts_us;
}

bool gw__frag_find(const struct gw__frag_memory *m, const struct gw_packet *p, uint32_t *flow,
                   uint64_t *flow_seq)
{
	const struct gw__frag_slot *s = &m->slots[slot_of(m, p)];
	if (s->flow_seq == 0 || s->id != p->frag_id || s->proto != p->proto ||
	    !gw_addr_equal(&s->src, &p->src) || !gw_addr_equal(&s->dst, &p->dst) ||
	    p->ts_us - s->ts_us > m->timeout_us)
		return false;
	*flow = s->flow;
	*flow_seq = s->flow_seq;
	return true;
}
