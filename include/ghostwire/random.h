/* random.h — a seed for the hash tables' keys (flow table, socket history,
 * caches), so that traffic cannot aim at a known hash. */
#ifndef GHOSTWIRE_RANDOM_H
#define GHOSTWIRE_RANDOM_H

#include <stdint.h>

/* 64 random bits from /dev/urandom (an address mixed in if it cannot be
 * read); never 0 (odd). */
uint64_t gw_random_seed(void);

#endif
