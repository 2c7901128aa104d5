/* names/flownames.c — the flow side table: owns the one name (and its source)
 * each named flow carries, keyed by the flow's seq, from the flow's first
 * client payload until the engine removes it. Open addressing with linear
 * probing over a fixed array, deletion by backward shift (no tombstones), at
 * most `capacity` entries. */
#include <stdlib.h>
#include <string.h>

#include "names_internal.h"

struct fn_slot {
	uint64_t seq;   /* 0: empty (flow seqs start at 1) */
	char *name;     /* owned */
	uint8_t source; /* enum gw_name_source */
};

struct gw__flownames {
	struct fn_slot *slots;
	uint32_t mask; /* slots - 1; slots >= capacity * 3 / 2 */
	uint32_t capacity, count;
	struct gw_wirenames_stats *st; /* borrowed from the owner */
};

/* Seqs are consecutive: a mixer spreads them (the splitmix64 finaliser). */
static uint32_t home(const struct gw__flownames *t, uint64_t seq)
{
	seq ^= seq >> 30;
	seq *= 0xbf58476d1ce4e5b9ULL;
	seq ^= seq >> 27;
	seq *= 0x94d049bb133111ebULL;
	seq ^= seq >> 31;
	return (uint32_t)seq & t->mask;
}

/* The slot holding seq, or the empty slot where it would go. */
static uint32_t probe(const struct gw__flownames *t, uint64_t seq)
{
	uint32_t i = home(t, seq);
	while (t->slots[i].seq != 0 && t->slots[i].seq != seq)
		i = (i + 1) & t->mask;
	return i;
}

int gw__flownames_put(struct gw__flownames *t, uint64_t seq, enum gw_name_source source,
                      const char *name)
{
	uint32_t i = probe(t, seq);
	bool fresh = t->slots[i].seq == 0;
	if (fresh && t->count >= t->capacity) {
		t->st->flow_refused_full++;
		return GW_ENOMEM;
	}
	char *copy = strdup(name);
	if (!copy) {
		t->st->flow_alloc_failures++;
		return GW_ENOMEM;
	}
	if (fresh)
		t->count++;
	else
		free(t->slots[i].name);
	t->slots[i] = (struct fn_slot){seq, copy, (uint8_t)source};
	t->st->flow_puts++;
	t->st->flow_names = t->count;
	return GW_OK;
}

enum gw_name_source gw__flownames_get(const struct gw__flownames *t, uint64_t seq,
                                      const char **name)
{
	const struct fn_slot *s = &t->slots[probe(t, seq)];
	if (name)
		*name = s->seq ? s->name : NULL;
	return s->seq ? (enum gw_name_source)s->source : GW_NAME_NONE;
}

/* Whether the entry at j, whose home is h, may move back to the hole at i. */
static bool may_fill(uint32_t i, uint32_t j, uint32_t h)
{
	return i <= j ? (h <= i || h > j) : (h <= i && h > j);
}

void gw__flownames_remove(struct gw__flownames *t, uint64_t seq)
{
	uint32_t i = probe(t, seq);
	if (t->slots[i].seq == 0)
		return;
	free(t->slots[i].name);
	for (uint32_t j = (i + 1) & t->mask; t->slots[j].seq != 0; j = (j + 1) & t->mask) {
		if (may_fill(i, j, home(t, t->slots[j].seq))) {
			t->slots[i] = t->slots[j];
			i = j;
		}
	}
	t->slots[i] = (struct fn_slot){0};
	t->count--;
	t->st->flow_removed++;
	t->st->flow_names = t->count;
}

int gw__flownames_new(uint32_t capacity, struct gw_wirenames_stats *stats,
                      struct gw__flownames **out)
{
	*out = NULL;
	if (capacity == 0 || capacity > (1u << 30))
		return GW_EINVAL;
	struct gw__flownames *t = calloc(1, sizeof *t);
	if (!t)
		return GW_ENOMEM;
	uint64_t want = (uint64_t)capacity + capacity / 2, slots = 1;
	while (slots < want)
		slots <<= 1;
	t->slots = calloc(slots, sizeof *t->slots);
	if (!t->slots) {
		free(t);
		return GW_ENOMEM;
	}
	t->mask = (uint32_t)(slots - 1);
	t->capacity = capacity;
	t->st = stats;
	*out = t;
	return GW_OK;
}

void gw__flownames_free(struct gw__flownames *t)
{
	if (!t)
		return;
	for (uint64_t i = 0; i <= t->mask; i++)
		free(t->slots[i].name);
	free(t->slots);
	free(t);
}
