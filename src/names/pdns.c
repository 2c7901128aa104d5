/* names/pdns.c — the passive-DNS cache: owns every address learnt from DNS
 * answers and its names (newest first), each with the packet time it stays
 * valid until; the keyed address hash; the age list that picks what leaves when
 * the cache is full; and the cache counters. Never reads the clock. */
#include <stdlib.h>
#include <string.h>

#include "names_internal.h"

#define NIL UINT32_MAX

/* Entries looked at, oldest first, for an expired one to drop before the oldest. */
#define VICTIM_SCAN 8

__extension__ typedef unsigned __int128 pdns_u128;

struct pdns_name {
	char *text;       /* owned, at most GW_NAME_MAX characters */
	int64_t until_us; /* valid up to and including this packet time */
};

struct pdns_entry {
	struct gw_addr addr;
	uint8_t n_names;       /* names in use, newest first */
	uint32_t hnext;        /* hash chain, or the free list */
	uint32_t older, newer; /* age list, by last update */
	int64_t until_us;      /* the latest until_us of its names */
};

struct gw__pdns {
	struct pdns_entry *entries; /* max of them */
	struct pdns_name *names;    /* entry i's are names[i * per .. i * per + per) */
	uint32_t *buckets;          /* mask + 1 chain heads */
	uint32_t mask;
	uint32_t max, per;
	uint32_t used;           /* entries ever taken from the array; the rest are fresh */
	uint32_t free_list;      /* dropped entries, for reuse */
	uint32_t oldest, newest; /* ends of the age list */
	uint64_t seed;
	int64_t floor_us, cap_us, grace_us;
	struct gw_wirenames_stats *st; /* borrowed from the owner */
};

static uint64_t mum(uint64_t a, uint64_t b)
{
	pdns_u128 r = (pdns_u128)a * b;
	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

/* Keyed by the seed, so that a flood of answers cannot aim at one bucket. */
static uint32_t bucket_of(const struct gw__pdns *c, const struct gw_addr *a)
{
	uint64_t lo, hi;
	memcpy(&lo, a->bytes, 8);
	memcpy(&hi, a->bytes + 8, 8);
	uint64_t h = mum(lo ^ c->seed ^ 0xa0761d6478bd642fULL, hi ^ 0xe7037ed1a0b428dbULL);
	h = mum(h ^ a->family, (c->seed ^ 0x8ebc6af09c88c6e3ULL) | 1);
	return (uint32_t)h & c->mask;
}

static struct pdns_name *names_of(const struct gw__pdns *c, uint32_t i)
{
	return &c->names[(size_t)i * c->per];
}

static uint32_t find(const struct gw__pdns *c, const struct gw_addr *a)
{
	for (uint32_t i = c->buckets[bucket_of(c, a)]; i != NIL; i = c->entries[i].hnext)
		if (gw_addr_equal(&c->entries[i].addr, a))
			return i;
	return NIL;
}

static void age_unlink(struct gw__pdns *c, uint32_t i)
{
	struct pdns_entry *e = &c->entries[i];
	if (e->older != NIL)
		c->entries[e->older].newer = e->newer;
	else
		c->oldest = e->newer;
	if (e->newer != NIL)
		c->entries[e->newer].older = e->older;
	else
		c->newest = e->older;
}

static void age_push_newest(struct gw__pdns *c, uint32_t i)
{
	struct pdns_entry *e = &c->entries[i];
	e->older = c->newest;
	e->newer = NIL;
	if (c->newest != NIL)
		c->entries[c->newest].newer = i;
	else
		c->oldest = i;
	c->newest = i;
}

static void hash_unlink(struct gw__pdns *c, uint32_t i)
{
	uint32_t *link = &c->buckets[bucket_of(c, &c->entries[i].addr)];
	while (*link != i)
		link = &c->entries[*link].hnext;
	*link = c->entries[i].hnext;
}

/* Frees entry i's names and returns it to the free list. */
static void drop(struct gw__pdns *c, uint32_t i)
{
	struct pdns_name *n = names_of(c, i);
	for (uint8_t k = 0; k < c->entries[i].n_names; k++)
		free(n[k].text);
	hash_unlink(c, i);
	age_unlink(c, i);
	c->entries[i].n_names = 0;
	c->entries[i].hnext = c->free_list;
	c->free_list = i;
	c->st->cache_addrs--;
}

/* Makes room in a full cache: the first expired entry among the oldest few,
 * else the oldest (least recently updated). */
static void make_room(struct gw__pdns *c, int64_t ts_us)
{
	uint32_t victim = c->oldest, i = c->oldest;
	for (int k = 0; k < VICTIM_SCAN && i != NIL; k++, i = c->entries[i].newer) {
		if (c->entries[i].until_us < ts_us) {
			victim = i;
			break;
		}
	}
	if (c->entries[victim].until_us < ts_us)
		c->st->cache_expired++;
	else
		c->st->cache_evicted++;
	drop(c, victim);
}

/* A fresh entry for addr, linked in the hash and as the newest. */
static uint32_t take_entry(struct gw__pdns *c, const struct gw_addr *a, int64_t ts_us)
{
	if (c->free_list == NIL && c->used == c->max)
		make_room(c, ts_us);
	uint32_t i;
	if (c->free_list != NIL) {
		i = c->free_list;
		c->free_list = c->entries[i].hnext;
	} else {
		i = c->used++;
	}
	struct pdns_entry *e = &c->entries[i];
	e->addr = *a;
	e->n_names = 0;
	e->until_us = INT64_MIN;
	uint32_t b = bucket_of(c, a);
	e->hnext = c->buckets[b];
	c->buckets[b] = i;
	age_push_newest(c, i);
	c->st->cache_addrs++;
	return i;
}

/* Adds name to entry i as its newest, or refreshes it if held. False when a
 * copy could not be made. */
static bool add_name(struct gw__pdns *c, uint32_t i, const char *name, int64_t until_us)
{
	struct pdns_entry *e = &c->entries[i];
	struct pdns_name *n = names_of(c, i);
	struct pdns_name it = {NULL, until_us};
	uint8_t k;
	for (k = 0; k < e->n_names && strcmp(n[k].text, name) != 0; k++)
		;
	if (k < e->n_names) {
		it.text = n[k].text;
		if (n[k].until_us > it.until_us)
			it.until_us = n[k].until_us;
	} else {
		it.text = strdup(name);
		if (!it.text) {
			c->st->cache_alloc_failures++;
			return false;
		}
		if (e->n_names == c->per) {
			free(n[--e->n_names].text);
			c->st->cache_names_displaced++;
		}
		k = e->n_names++;
	}
	memmove(&n[1], &n[0], k * sizeof *n);
	n[0] = it;
	if (it.until_us > e->until_us)
		e->until_us = it.until_us;
	return true;
}

/* ts + the TTL clamped to [floor, cap] + grace, saturating. */
static int64_t valid_until(const struct gw__pdns *c, uint32_t ttl_s, int64_t ts_us)
{
	int64_t ttl_us = (int64_t)ttl_s * 1000000;
	if (ttl_us < c->floor_us)
		ttl_us = c->floor_us;
	if (ttl_us > c->cap_us)
		ttl_us = c->cap_us;
	int64_t span = ttl_us + c->grace_us;
	return ts_us > INT64_MAX - span ? INT64_MAX : ts_us + span;
}

void gw__pdns_learn(struct gw__pdns *c, const struct gw_addr *addr, const char *name,
                    uint32_t ttl_s, int64_t ts_us)
{
	uint32_t i = find(c, addr);
	bool fresh = i == NIL;
	if (fresh)
		i = take_entry(c, addr, ts_us);
	if (!add_name(c, i, name, valid_until(c, ttl_s, ts_us))) {
		if (c->entries[i].n_names == 0)
			drop(c, i);
		return;
	}
	if (fresh)
		c->st->cache_inserted++;
	else
		c->st->cache_updated++;
	age_unlink(c, i);
	age_push_newest(c, i);
	/* Expired entries leave as new ones come, one at a time. */
	uint32_t old = c->oldest;
	if (old != i && c->entries[old].until_us < ts_us) {
		c->st->cache_expired++;
		drop(c, old);
	}
}

size_t gw__pdns_lookup(struct gw__pdns *c, const struct gw_addr *addr, int64_t ts_us,
                       const char **names, size_t max)
{
	uint32_t i = find(c, addr);
	size_t got = 0;
	if (i != NIL) {
		const struct pdns_name *n = names_of(c, i);
		for (uint8_t k = 0; k < c->entries[i].n_names && got < max; k++)
			if (n[k].until_us >= ts_us)
				names[got++] = n[k].text;
		if (c->entries[i].until_us < ts_us) {
			c->st->cache_expired++;
			drop(c, i);
		}
	}
	if (got > 0)
		c->st->cache_hits++;
	else
		c->st->cache_misses++;
	return got;
}

static uint32_t pow2_at_least(uint32_t n)
{
	uint32_t p = 1;
	while (p < n && p < (1u << 31))
		p <<= 1;
	return p;
}

int gw__pdns_new(const struct gw_wirenames_limits *l, struct gw_wirenames_stats *stats,
                 struct gw__pdns **out)
{
	*out = NULL;
	struct gw__pdns *c = calloc(1, sizeof *c);
	if (!c)
		return GW_ENOMEM;
	c->max = l->max_addrs;
	c->per = l->names_per_addr;
	c->mask = pow2_at_least(c->max) - 1;
	c->entries = calloc(c->max, sizeof *c->entries);
	c->names = calloc((size_t)c->max * c->per, sizeof *c->names);
	c->buckets = malloc(((size_t)c->mask + 1) * sizeof *c->buckets);
	if (!c->entries || !c->names || !c->buckets) {
		gw__pdns_free(c);
		return GW_ENOMEM;
	}
	memset(c->buckets, 0xff, ((size_t)c->mask + 1) * sizeof *c->buckets);
	c->free_list = c->oldest = c->newest = NIL;
	c->seed = l->hash_seed;
	c->floor_us = (int64_t)l->ttl_floor_s * 1000000;
	c->cap_us = (int64_t)l->ttl_cap_s * 1000000;
	c->grace_us = (int64_t)l->grace_s * 1000000;
	c->st = stats;
	*out = c;
	return GW_OK;
}

void gw__pdns_free(struct gw__pdns *c)
{
	if (!c)
		return;
	if (c->entries && c->names)
		for (uint32_t i = 0; i < c->used; i++)
			for (uint8_t k = 0; k < c->entries[i].n_names; k++)
				free(names_of(c, i)[k].text);
	free(c->entries);
	free(c->names);
	free(c->buckets);
	free(c);
}
