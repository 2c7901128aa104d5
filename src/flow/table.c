/* flow/table.c — the bounded flow table: owns every struct gw_flow from first
 * packet to its end, the hash index, the two age lists (open flows by last
 * activity, and closed TCP flows waiting out the closed timeout) and the
 * end/eviction counters. Flows live in fixed-size chunks allocated as the table
 * grows, never beyond max_flows; indices, not pointers, link them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow_internal.h"

#define NIL         UINT32_MAX
#define CHUNK_SHIFT 14
#define CHUNK_FLOWS (1u << CHUNK_SHIFT)

enum {
	LIST_NONE = 0,
	LIST_OPEN = 1,
	LIST_CLOSED = 2
};

struct age_list {
	uint32_t head, tail;
	int64_t timeout_us;
};

struct gw_flow_table {
	struct gw_flow **chunks; /* chunk i holds flows [i*CHUNK_FLOWS, (i+1)*CHUNK_FLOWS) */
	uint32_t n_chunks;       /* allocated so far */
	uint32_t max_flows;
	uint32_t used;      /* indices handed out so far (high-water mark) */
	uint32_t free_head; /* freed flows, chained through hnext */
	uint32_t *buckets;  /* flow index + 1, 0 = empty */
	uint32_t bucket_mask;
	uint64_t seed;
	uint64_t next_seq;
	struct age_list lists[3]; /* by LIST_*; [LIST_NONE] unused */
	struct gw_cidr nets[GW_MAX_LOCAL_NETS];
	unsigned n_nets;
	struct gw__frag_memory frags;
	gw_flow_end_fn on_end;
	void *ud;
	struct gw_flow_table_stats stats;
};

static inline struct gw_flow *flow_at(const struct gw_flow_table *t, uint32_t i)
{
	return &t->chunks[i >> CHUNK_SHIFT][i & (CHUNK_FLOWS - 1)];
}

static uint64_t random_seed(void)
{
	/* Seeding is the clock's job elsewhere; here any unpredictable bits do. */
	uint64_t s = (uint64_t)(uintptr_t)&s;
	FILE *f = fopen("/dev/urandom", "rb");
	if (f) {
		if (fread(&s, sizeof s, 1, f) != 1)
			s ^= 0x9e3779b97f4a7c15ULL;
		fclose(f);
	}
	return s | 1;
}

struct gw_flow_table *gw_flow_table_new(const struct gw_options *o, gw_flow_end_fn on_end, void *ud,
                                        struct gw_err *err)
{
	if (o->max_flows == 0 || o->max_flows > NIL - 1) {
		gw_err_set(err, GW_EINVAL, "--max-flows must be between 1 and %u", NIL - 1);
		return NULL;
	}
	struct gw_flow_table *t = calloc(1, sizeof *t);
	if (!t)
		goto nomem;
	t->max_flows = o->max_flows;
	t->n_chunks = 0;
	t->chunks = calloc((o->max_flows + CHUNK_FLOWS - 1) / CHUNK_FLOWS, sizeof *t->chunks);
	uint32_t nb = 1024;
	while (nb < o->max_flows && nb < (1u << 31))
		nb <<= 1;
	t->buckets = calloc(nb, sizeof *t->buckets);
	t->bucket_mask = nb - 1;
	t->seed = o->hash_seed ? o->hash_seed : random_seed();
	if (!t->chunks || !t->buckets ||
	    gw__frag_init(&t->frags, o->frag_slots, o->frag_timeout_s, t->seed) < 0)
		goto nomem;
	t->free_head = NIL;
	t->next_seq = 1;
	for (int l = 0; l < 3; l++)
		t->lists[l].head = t->lists[l].tail = NIL;
	t->lists[LIST_OPEN].timeout_us = (int64_t)o->idle_timeout_s * 1000000;
	t->lists[LIST_CLOSED].timeout_us = (int64_t)o->closed_timeout_s * 1000000;
	memcpy(t->nets, o->local_nets, sizeof(struct gw_cidr) * o->n_local_nets);
	t->n_nets = o->n_local_nets;
	t->on_end = on_end;
	t->ud = ud;
	return t;
nomem:
	gw_flow_table_free(t);
	gw_err_set(err, GW_ENOMEM, "cannot allocate a flow table for %u flows", o->max_flows);
	return NULL;
}

void gw_flow_table_free(struct gw_flow_table *t)
{
	if (!t)
		return;
	for (uint32_t i = 0; i < t->n_chunks; i++)
		free(t->chunks[i]);
	free(t->chunks);
	free(t->buckets);
	gw__frag_fini(&t->frags);
	free(t);
}

int gw_flow_table_add_local(struct gw_flow_table *t, const struct gw_cidr *net)
{
	if (t->n_nets == GW_MAX_LOCAL_NETS)
		return GW_ENOMEM;
	t->nets[t->n_nets++] = *net;
	return 0;
}

const struct gw_flow_table_stats *gw_flow_table_stats(struct gw_flow_table *t)
{
	t->stats.frag_unattributed = t->frags.unattributed;
	return &t->stats;
}

/* --- age lists --- */

static void list_unlink(struct gw_flow_table *t, uint32_t i)
{
	struct gw_flow *f = flow_at(t, i);
	struct age_list *l = &t->lists[f->list];
	if (f->prev != NIL)
		flow_at(t, f->prev)->next = f->next;
	else
		l->head = f->next;
	if (f->next != NIL)
		flow_at(t, f->next)->prev = f->prev;
	else
		l->tail = f->prev;
	f->list = LIST_NONE;
}

static void list_append(struct gw_flow_table *t, uint32_t i, uint8_t which)
{
	struct gw_flow *f = flow_at(t, i);
	struct age_list *l = &t->lists[which];
	f->list = which;
	f->next = NIL;
	f->prev = l->tail;
	if (l->tail != NIL)
		flow_at(t, l->tail)->next = i;
	else
		l->head = i;
	l->tail = i;
}

/* Keeps each list ordered by last activity: a touched flow goes to the tail. */
static void list_touch(struct gw_flow_table *t, uint32_t i, uint8_t which)
{
	struct gw_flow *f = flow_at(t, i);
	if (f->list == which && t->lists[which].tail == i)
		return;
	if (f->list != LIST_NONE)
		list_unlink(t, i);
	list_append(t, i, which);
}

/* --- hash index --- */

static bool key_matches(const struct gw_flow *f, const struct gw_packet *p, enum gw_dir *dir)
{
	const struct gw_flow_key *k = &f->key;
	if (k->proto != p->proto || k->family != p->src.family)
		return false;
	if (k->local_port == p->sport && k->remote_port == p->dport &&
	    memcmp(k->local, p->src.bytes, 16) == 0 && memcmp(k->remote, p->dst.bytes, 16) == 0) {
		*dir = GW_DIR_OUT;
		return true;
	}
	if (k->local_port == p->dport && k->remote_port == p->sport &&
	    memcmp(k->local, p->dst.bytes, 16) == 0 && memcmp(k->remote, p->src.bytes, 16) == 0) {
		*dir = GW_DIR_IN;
		return true;
	}
	return false;
}

static uint32_t lookup(const struct gw_flow_table *t, const struct gw_packet *p, uint32_t hash,
                       enum gw_dir *dir)
{
	for (uint32_t b = t->buckets[hash & t->bucket_mask]; b != 0;) {
		struct gw_flow *f = flow_at(t, b - 1);
		if (f->hash == hash && key_matches(f, p, dir))
			return b - 1;
		b = f->hnext == NIL ? 0 : f->hnext + 1;
	}
	return NIL;
}

static void index_remove(struct gw_flow_table *t, uint32_t i)
{
	struct gw_flow *f = flow_at(t, i);
	uint32_t *bucket = &t->buckets[f->hash & t->bucket_mask];
	uint32_t cur = *bucket == 0 ? NIL : *bucket - 1, prev = NIL;
	while (cur != NIL && cur != i) {
		prev = cur;
		cur = flow_at(t, cur)->hnext;
	}
	if (cur == NIL)
		return;
	if (prev == NIL)
		*bucket = f->hnext == NIL ? 0 : f->hnext + 1;
	else
		flow_at(t, prev)->hnext = f->hnext;
}

/* --- life and death of flows --- */

static void end_flow(struct gw_flow_table *t, uint32_t i, enum gw_flow_end why)
{
	struct gw_flow *f = flow_at(t, i);
	t->stats.ended[why]++;
	t->stats.active--;
	if (t->on_end)
		t->on_end(t->ud, f, why);
	list_unlink(t, i);
	index_remove(t, i);
	f->seq = 0;
	f->hnext = t->free_head;
	t->free_head = i;
}

/* Hands out a free slot, growing by a chunk while under max_flows; NIL if full. */
static uint32_t slot_alloc(struct gw_flow_table *t)
{
	if (t->free_head != NIL) {
		uint32_t i = t->free_head;
		t->free_head = flow_at(t, i)->hnext;
		return i;
	}
	if (t->used == t->max_flows)
		return NIL;
	if ((t->used >> CHUNK_SHIFT) == t->n_chunks) {
		uint32_t left = t->max_flows - t->used;
		uint32_t n = left < CHUNK_FLOWS ? left : CHUNK_FLOWS;
		struct gw_flow *c = malloc((size_t)n * sizeof *c);
		if (!c)
			return NIL;
		t->chunks[t->n_chunks++] = c;
	}
	return t->used++;
}

/* The flow that has been quiet longest: the closed list's head, else the open list's. */
static uint32_t eviction_victim(const struct gw_flow_table *t)
{
	if (t->lists[LIST_CLOSED].head != NIL)
		return t->lists[LIST_CLOSED].head;
	return t->lists[LIST_OPEN].head;
}

static uint32_t flow_create(struct gw_flow_table *t, const struct gw_packet *p, uint32_t hash,
                            enum gw_dir *dir)
{
	uint32_t i = slot_alloc(t);
	if (i == NIL) {
		uint32_t victim = eviction_victim(t);
		if (victim == NIL)
			return NIL;
		end_flow(t, victim, GW_END_EVICTED);
		i = slot_alloc(t);
		if (i == NIL)
			return NIL;
	}
	bool src_local, opener_src;
	enum gw_orientation orientation;
	gw__flow_orient(t->nets, t->n_nets, p, &src_local, &orientation, &opener_src);

	struct gw_flow *f = flow_at(t, i);
	memset(f, 0, sizeof *f);
	const struct gw_addr *local = src_local ? &p->src : &p->dst;
	const struct gw_addr *remote = src_local ? &p->dst : &p->src;
	f->key.proto = p->proto;
	f->key.family = p->src.family;
	f->key.local_port = src_local ? p->sport : p->dport;
	f->key.remote_port = src_local ? p->dport : p->sport;
	memcpy(f->key.local, local->bytes, 16);
	memcpy(f->key.remote, remote->bytes, 16);
	f->seq = t->next_seq++;
	f->first_us = p->ts_us;
	f->hash = hash;
	f->orientation = (uint8_t)orientation;
	*dir = src_local ? GW_DIR_OUT : GW_DIR_IN;
	f->opener = (uint8_t)(opener_src == src_local ? GW_DIR_OUT : GW_DIR_IN);
	f->list = LIST_NONE;

	uint32_t *bucket = &t->buckets[hash & t->bucket_mask];
	f->hnext = *bucket == 0 ? NIL : *bucket - 1;
	*bucket = i + 1;

	t->stats.flows++;
	if (++t->stats.active > t->stats.max_active)
		t->stats.max_active = t->stats.active;
	return i;
}

static void count(struct gw_flow *f, enum gw_dir dir, const struct gw_packet *p)
{
	f->packets[dir]++;
	f->bytes[dir] += p->wirelen;
	if (p->ts_us > f->last_us)
		f->last_us = p->ts_us;
}

/* An ICMP error is counted in the flow of the packet it quotes, if held. */
static bool link_icmp_error(struct gw_flow_table *t, const struct gw_packet *p)
{
	const struct gw_quoted *q = &p->quoted;
	struct gw_packet probe = {.proto = q->proto,
	                          .src = q->src,
	                          .dst = q->dst,
	                          .sport = q->sport,
	                          .dport = q->dport};
	uint32_t hash = gw__flow_hash(t->seed, q->proto, &q->src, q->sport, &q->dst, q->dport);
	enum gw_dir dir;
	uint32_t i = lookup(t, &probe, hash, &dir);
	if (i == NIL)
		return false;
	struct gw_flow *f = flow_at(t, i);
	if (f->icmp_errors < UINT16_MAX)
		f->icmp_errors++;
	t->stats.icmp_linked++;
	return true;
}

static void count_fragment(struct gw_flow_table *t, const struct gw_packet *p)
{
	uint32_t i;
	uint64_t seq;
	if (!gw__frag_later(&t->frags, p, &i, &seq))
		return; /* held until its first fragment comes, or given up on */
	struct gw_flow *f = flow_at(t, i);
	if (f->seq != seq) {
		gw__frag_give_up(&t->frags); /* its flow ended meanwhile */
		return;
	}
	enum gw_dir dir = memcmp(f->key.local, p->src.bytes, 16) == 0 ? GW_DIR_OUT : GW_DIR_IN;
	count(f, dir, p);
	f->fragments++;
	f->fragment_bytes += p->wirelen;
	t->stats.frag_attributed++;
	list_touch(t, i, f->list == LIST_NONE ? LIST_OPEN : f->list);
}

/* The first fragment of a datagram: remember its flow, and take over the later
 * fragments that came before it. */
static void first_fragment(struct gw_flow_table *t, uint32_t i, enum gw_dir dir,
                           const struct gw_packet *p)
{
	struct gw_flow *f = flow_at(t, i);
	struct gw__frag_held held;
	gw__frag_first(&t->frags, p, i, f->seq, &held);
	if (held.packets == 0)
		return;
	f->packets[dir] += held.packets;
	f->bytes[dir] += held.bytes;
	f->fragments += held.packets;
	f->fragment_bytes += held.bytes;
	if (held.ts_us < f->first_us)
		f->first_us = held.ts_us;
	t->stats.frag_attributed += held.packets;
}

void gw_flow_table_update(struct gw_flow_table *t, const struct gw_packet *p)
{
	/* First end what timed out by this packet's time: a packet after its flow's
	 * idle timeout starts a new flow rather than reviving the old one. */
	gw_flow_table_expire(t, p->ts_us);
	if (p->is_fragment && p->frag_offset != 0) {
		count_fragment(t, p);
		return;
	}
	if (p->is_icmp_error && p->quoted_ok && link_icmp_error(t, p))
		return;

	uint32_t hash = gw__flow_hash(t->seed, p->proto, &p->src, p->sport, &p->dst, p->dport);
	enum gw_dir dir;
	uint32_t i = lookup(t, p, hash, &dir);
	bool is_tcp = p->proto == GW_IPPROTO_TCP && p->has_ports;
	bool bare_syn = is_tcp && (p->tcp_flags & (GW_TCP_SYN | GW_TCP_ACK)) == GW_TCP_SYN;
	if (i != NIL && bare_syn && gw__tcp_is_over(flow_at(t, i))) {
		end_flow(t, i, GW_END_REUSED); /* a new connection on an old tuple */
		i = NIL;
	}
	bool first = i == NIL;
	if (first) {
		i = flow_create(t, p, hash, &dir);
		if (i == NIL)
			return; /* allocation failed: counted as no flow; cannot happen when full */
	}
	struct gw_flow *f = flow_at(t, i);
	count(f, dir, p);
	if (is_tcp)
		gw__tcp_track(f, dir, p->tcp_flags, first);
	if (p->is_fragment)
		first_fragment(t, i, dir, p);
	list_touch(t, i, is_tcp && gw__tcp_is_over(f) ? LIST_CLOSED : LIST_OPEN);
}

static void expire_list(struct gw_flow_table *t, uint8_t which, int64_t now_us,
                        enum gw_flow_end why)
{
	struct age_list *l = &t->lists[which];
	while (l->head != NIL) {
		struct gw_flow *f = flow_at(t, l->head);
		if (f->last_us + l->timeout_us > now_us)
			break;
		end_flow(t, l->head, why);
	}
}

void gw_flow_table_expire(struct gw_flow_table *t, int64_t now_us)
{
	expire_list(t, LIST_CLOSED, now_us, GW_END_CLOSED);
	expire_list(t, LIST_OPEN, now_us, GW_END_IDLE);
}

struct seq_index {
	uint64_t seq;
	uint32_t index;
};

static int by_seq(const void *a, const void *b)
{
	uint64_t x = ((const struct seq_index *)a)->seq, y = ((const struct seq_index *)b)->seq;
	return x < y ? -1 : x > y;
}

void gw_flow_table_flush(struct gw_flow_table *t)
{
	uint64_t n = t->stats.active;
	struct seq_index *all = n ? malloc(n * sizeof *all) : NULL;
	gw__frag_drain(&t->frags);
	if (n && !all) {
		/* No memory to sort: end them in age order rather than lose any. */
		while (t->lists[LIST_CLOSED].head != NIL)
			end_flow(t, t->lists[LIST_CLOSED].head, GW_END_CLOSED);
		while (t->lists[LIST_OPEN].head != NIL)
			end_flow(t, t->lists[LIST_OPEN].head, GW_END_INPUT);
		return;
	}
	uint64_t k = 0;
	for (uint8_t l = LIST_OPEN; l <= LIST_CLOSED; l++)
		for (uint32_t i = t->lists[l].head; i != NIL; i = flow_at(t, i)->next)
			all[k++] = (struct seq_index){flow_at(t, i)->seq, i};
	qsort(all, k, sizeof *all, by_seq);
	for (uint64_t j = 0; j < k; j++) {
		bool closed = flow_at(t, all[j].index)->list == LIST_CLOSED;
		end_flow(t, all[j].index, closed ? GW_END_CLOSED : GW_END_INPUT);
	}
	free(all);
}
