/* flow/hash.c — the flow key hash: keyed, and symmetric in its two endpoints so
 * that A→B and B→A land in the same bucket before the flow's orientation is
 * known. Each endpoint is folded with two 64×64→128-bit multiplies (the "mum"
 * of wyhash) under the run's secret key (multipliers forced odd, so no key can
 * zero them), and the two are added. */
#include <string.h>

#include "flow_internal.h"

__extension__ typedef unsigned __int128 gw_u128;

static inline uint64_t mum(uint64_t a, uint64_t b)
{
	gw_u128 r = (gw_u128)a * b;
	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

static inline uint64_t endpoint_hash(uint64_t seed, const struct gw_addr *a, uint16_t port)
{
	uint64_t lo, hi;
	memcpy(&lo, a->bytes, 8);
	memcpy(&hi, a->bytes + 8, 8);
	uint64_t h = mum(lo ^ seed ^ 0xa0761d6478bd642fULL, hi ^ 0xe7037ed1a0b428dbULL);
	return mum(h ^ port ^ ((uint64_t)a->family << 16), (seed ^ 0x8ebc6af09c88c6e3ULL) | 1);
}

uint32_t gw__flow_hash(uint64_t seed, uint8_t proto, const struct gw_addr *a, uint16_t aport,
                       const struct gw_addr *b, uint16_t bport)
{
	/* Addition commutes, so the order of the endpoints does not matter. */
	uint64_t h = endpoint_hash(seed, a, aport) + endpoint_hash(seed, b, bport);
	return (uint32_t)mum(h ^ proto, (0x589965cc75374cc3ULL ^ seed) | 1);
}
