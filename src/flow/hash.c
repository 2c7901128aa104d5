/* flow/hash.c — the flow key hash: keyed, and symmetric in its two endpoints so
 * that A→B and B→A land in the same bucket before the flow's orientation is known. */
#include <string.h>

#include "flow_internal.h"

static inline uint64_t mix64(uint64_t x)
{
	/* The finaliser of MurmurHash3: full avalanche on 64 bits. */
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static inline uint64_t endpoint_hash(uint64_t seed, const struct gw_addr *a, uint16_t port)
{
	uint64_t lo, hi;
	memcpy(&lo, a->bytes, 8);
	memcpy(&hi, a->bytes + 8, 8);
	uint64_t h = mix64(lo ^ seed);
	h = mix64(h ^ hi ^ (seed << 1));
	return mix64(h ^ port ^ ((uint64_t)a->family << 16));
}

uint32_t gw__flow_hash(uint64_t seed, uint8_t proto, const struct gw_addr *a, uint16_t aport,
                       const struct gw_addr *b, uint16_t bport)
{
	/* Addition commutes, so the order of the endpoints does not matter. */
	uint64_t h = endpoint_hash(seed, a, aport) + endpoint_hash(seed, b, bport);
	return (uint32_t)mix64(h ^ proto);
}
