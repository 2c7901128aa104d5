/* core/random.c — the hash tables' seed, from /dev/urandom. */
#include <stdio.h>

#include "ghostwire/random.h"

uint64_t gw_random_seed(void)
{
	uint64_t s = (uint64_t)(uintptr_t)&s;
	FILE *f = fopen("/dev/urandom", "rb");
	if (f) {
		if (fread(&s, sizeof s, 1, f) != 1)
			s ^= 0x9e3779b97f4a7c15ULL;
		fclose(f);
	}
	return s | 1;
}
