/* flow/table.c — the bounded flow table: owns every struct gw_flow from first
 * packet to its end, the hash index, the timer wheel that ends idle and closed
 * flows, and the end/eviction counters. Flows live in fixed-size chunks
 * allocated as the table grows, never beyond max_flows; indices, not pointers,
 * link them. See docs/internals/flow-table.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ghostwire/random.h"
#include "flow_internal.h"

#define NIL         UINT32_MAX
#define CHUNK_SHIFT 14
#define CHUNK_FLOWS (1u << CHUNK_SHIFT)
#define WHEEL_SLOTS 4096u /* one slot per second of deadline; a power of two */
#define US          1000000

struct due_entry {
	uint64_t seq; /* the flow's: the slot may hold another flow by then */
	int64_t at_us;
	uint32_t index;
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
	int64_t idle_us, closed_us; /* timeouts */
	/* The timer wheel: slot s holds flows whose deadline second ≡ s (mod
	 * WHEEL_SLOTS). Every second before wheel_s has been processed. */
	uint32_t wheel[WHEEL_SLOTS];      /* first flow of each slot, in filing order */
	uint32_t wheel_tail[WHEEL_SLOTS]; /* last */
	int64_t wheel_s;
	bool wheel_started;
	struct gw_cidr nets[GW_MAX_LOCAL_NETS];
	unsigned n_nets;
	struct gw__frag_memory frags;
	gw_flow_end_fn on_end;
	gw_flow_new_fn on_new; /* may be NULL */
	/* Due calls: new flows in creation order (so in due order), a ring. */
	gw_flow_due_fn on_due; /* may be NULL */
	int64_t due_delay_us;
	struct due_entry *due;
	uint32_t due_cap, due_head, due_n;
	void *ud;
	struct gw_flow_table_stats stats;
};

static inline struct gw_flow *flow_at(const struct gw_flow_table *t, uint32_t i)
{
	return &t->chunks[i >> CHUNK_SHIFT][i & (CHUNK_FLOWS - 1)];
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
	t->chunks = calloc((o->max_flows + CHUNK_FLOWS - 1) / CHUNK_FLOWS, sizeof *t->chunks);
	uint32_t nb = 1024;
	while (nb < o->max_flows && nb < (1u << 31))
		nb <<= 1;
	t->buckets = calloc(nb, sizeof *t->buckets);
	t->bucket_mask = nb - 1;
	t->seed = o->hash_seed ? o->hash_seed : gw_random_seed();
	if (!t->chunks || !t->buckets ||
	    gw__frag_init(&t->frags, o->frag_slots, o->frag_timeout_s, t->seed) < 0)
		goto nomem;
	t->free_head = NIL;
	t->next_seq = 1;
	for (uint32_t s = 0; s < WHEEL_SLOTS; s++)
		t->wheel[s] = t->wheel_tail[s] = NIL;
	t->idle_us = (int64_t)o->idle_timeout_s * US;
	t->closed_us = (int64_t)o->closed_timeout_s * US;
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
	free(t->due);
	gw__frag_fini(&t->frags);
	free(t);
}

void gw_flow_table_on_new(struct gw_flow_table *t, gw_flow_new_fn fn)
{
	t->on_new = fn;
}

int gw_flow_table_on_due(struct gw_flow_table *t, gw_flow_due_fn fn, int64_t delay_us)
{
	if (!t->due) {
		t->due = calloc(t->max_flows, sizeof *t->due);
		if (!t->due)
			return GW_ENOMEM;
		t->due_cap = t->max_flows;
	}
	t->on_due = fn;
	t->due_delay_us = delay_us;
	return 0;
}

static void due_push(struct gw_flow_table *t, uint32_t i, const struct gw_flow *f)
{
	if (!t->on_due)
		return;
	if (t->due_n == t->due_cap) {
		t->stats.due_dropped++;
		return;
	}
	uint32_t at = t->due_head + t->due_n++;
	if (at >= t->due_cap)
		at -= t->due_cap;
	t->due[at] = (struct due_entry){
	        .seq = f->seq, .at_us = f->first_us + t->due_delay_us, .index = i};
}

/* Calls on_due for the flows due by now_us that are still held. */
static void due_run(struct gw_flow_table *t, int64_t now_us)
{
	while (t->due_n && t->due[t->due_head].at_us <= now_us) {
		struct due_entry e = t->due[t->due_head];
		if (++t->due_head == t->due_cap)
			t->due_head = 0;
		t->due_n--;
		struct gw_flow *f = flow_at(t, e.index);
		if (f->seq != e.seq || !t->on_due)
			continue; /* ended before it was due */
		t->stats.due_called++;
		f->alerted = t->on_due(t->ud, f);
	}
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

/* --- the timer wheel --- */

static inline int64_t floor_s(int64_t us)
{
	return us >= 0 ? us / US : -((-us + US - 1) / US);
}

static inline int64_t deadline_us(const struct gw_flow_table *t, const struct gw_flow *f)
{
	return f->last_us + (gw__tcp_is_over(f) ? t->closed_us : t->idle_us);
}

static void wheel_unlink(struct gw_flow_table *t, uint32_t i)
{
	struct gw_flow *f = flow_at(t, i);
	if (!f->in_wheel)
		return;
	if (f->prev != NIL)
		flow_at(t, f->prev)->next = f->next;
	else
		t->wheel[f->wslot] = f->next;
	if (f->next != NIL)
		flow_at(t, f->next)->prev = f->prev;
	else
		t->wheel_tail[f->wslot] = f->prev;
	f->in_wheel = 0;
}

/* Files f at the end of its deadline second's slot (never a second already
 * processed), so that each slot lists its flows in the order they were filed. */
static void wheel_insert(struct gw_flow_table *t, uint32_t i)
{
	struct gw_flow *f = flow_at(t, i);
	int64_t s = floor_s(deadline_us(t, f));
	if (s < t->wheel_s)
		s = t->wheel_s;
	uint16_t slot = (uint16_t)((uint64_t)s & (WHEEL_SLOTS - 1));
	f->wslot = slot;
	f->next = NIL;
	f->prev = t->wheel_tail[slot];
	if (f->prev != NIL)
		flow_at(t, f->prev)->next = i;
	else
		t->wheel[slot] = i;
	t->wheel_tail[slot] = i;
	f->in_wheel = 1;
}

/* --- hash index --- */

static inline bool key_matches(const struct gw_flow *f, const struct gw_packet *p, enum gw_dir *dir)
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
	uint32_t b = t->buckets[hash & t->bucket_mask];
	for (uint32_t i = b == 0 ? NIL : b - 1; i != NIL; i = flow_at(t, i)->hnext)
		if (key_matches(flow_at(t, i), p, dir))
			return i;
	return NIL;
}

static uint32_t key_hash(const struct gw_flow_table *t, const struct gw_flow *f)
{
	struct gw_addr local, remote;
	gw_flow_local_addr(f, &local);
	gw_flow_remote_addr(f, &remote);
	return gw__flow_hash(t->seed, f->key.proto, &local, f->key.local_port, &remote,
	                     f->key.remote_port);
}

static void index_remove(struct gw_flow_table *t, uint32_t i)
{
	struct gw_flow *f = flow_at(t, i);
	uint32_t *bucket = &t->buckets[key_hash(t, f) & t->bucket_mask];
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
	wheel_unlink(t, i);
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
		struct gw_flow *c = aligned_alloc(64, (size_t)n * sizeof *c);
		if (!c)
			return NIL;
		t->chunks[t->n_chunks++] = c;
	}
	return t->used++;
}

/* The flow whose deadline comes first: closed flows (short timeout) before open
 * ones of the same age, and among equals the least recently filed. A flow found
 * filed under a deadline that its packets have since pushed back is refiled on
 * the way, so each flow is passed over at most once per deadline. */
static uint32_t eviction_victim(struct gw_flow_table *t)
{
	uint32_t later = NIL; /* the soonest of the flows due in a later turn */
	int64_t later_deadline = 0;
	for (int64_t s = t->wheel_s; s < t->wheel_s + WHEEL_SLOTS; s++) {
		uint32_t slot = (uint32_t)((uint64_t)s & (WHEEL_SLOTS - 1));
		for (uint32_t i = t->wheel[slot], next; i != NIL; i = next) {
			struct gw_flow *f = flow_at(t, i);
			next = f->next;
			int64_t d = deadline_us(t, f), ds = floor_s(d);
			if (ds <= s)
				return i;
			if (ds < s + WHEEL_SLOTS) {
				wheel_unlink(t, i); /* pushed back: file it where it is due */
				wheel_insert(t, i);
			} else if (later == NIL || d < later_deadline) {
				later = i;
				later_deadline = d;
			}
		}
	}
	return later;
}

static uint32_t flow_create(struct gw_flow_table *t, const struct gw_packet *p, enum gw_dir *dir)
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
	f->first_us = f->last_us = p->ts_us;
	f->orientation = (uint8_t)orientation;
	*dir = src_local ? GW_DIR_OUT : GW_DIR_IN;
	f->opener = (uint8_t)(opener_src == src_local ? GW_DIR_OUT : GW_DIR_IN);

	return i;
}

/* Links a new flow into the index and the wheel, once its first packet is counted. */
static void flow_link(struct gw_flow_table *t, uint32_t i, uint32_t hash)
{
	struct gw_flow *f = flow_at(t, i);
	uint32_t *bucket = &t->buckets[hash & t->bucket_mask];
	f->hnext = *bucket == 0 ? NIL : *bucket - 1;
	*bucket = i + 1;
	wheel_insert(t, i);
	t->stats.flows++;
	if (++t->stats.active > t->stats.max_active)
		t->stats.max_active = t->stats.active;
}

static void count(struct gw_flow *f, enum gw_dir dir, const struct gw_packet *p)
{
	f->packets[dir]++;
	f->bytes[dir] += p->wirelen;
	if (p->ts_us > f->last_us)
		f->last_us = p->ts_us;
}

/* An ICMP error is counted in the flow of the packet it quotes, if held. */
/* Counts an ICMP error in the flow it quotes; that flow, NULL if none held. */
static struct gw_flow *link_icmp_error(struct gw_flow_table *t, const struct gw_packet *p)
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
		return NULL;
	struct gw_flow *f = flow_at(t, i);
	if (f->icmp_errors < UINT16_MAX)
		f->icmp_errors++;
	t->stats.icmp_linked++;
	return f;
}

static void add_fragment_bytes(struct gw_flow *f, uint64_t bytes)
{
	uint64_t sum = (uint64_t)f->fragment_bytes + bytes;
	f->fragment_bytes = sum > UINT32_MAX ? UINT32_MAX : (uint32_t)sum;
}

/* Counts a later fragment in its flow; that flow, NULL if it is held (or
 * given up on). */
static struct gw_flow *count_fragment(struct gw_flow_table *t, const struct gw_packet *p)
{
	uint32_t i;
	uint64_t seq;
	if (!gw__frag_later(&t->frags, p, &i, &seq))
		return NULL; /* held until its first fragment comes, or given up on */
	struct gw_flow *f = flow_at(t, i);
	if (f->seq != seq) {
		gw__frag_give_up(&t->frags); /* its flow ended meanwhile */
		return NULL;
	}
	enum gw_dir dir = memcmp(f->key.local, p->src.bytes, 16) == 0 ? GW_DIR_OUT : GW_DIR_IN;
	count(f, dir, p);
	f->fragments++;
	add_fragment_bytes(f, p->wirelen);
	t->stats.frag_attributed++;
	return f;
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
	add_fragment_bytes(f, held.bytes);
	if (held.ts_us < f->first_us)
		f->first_us = held.ts_us;
	t->stats.frag_attributed += held.packets;
}

/* What kind of ICMP message p is (enum gw_flow_icmp_seen). */
static uint8_t icmp_class(const struct gw_packet *p)
{
	bool v6 = p->proto == GW_IPPROTO_ICMPV6;
	uint8_t t = p->icmp_type;
	if (p->is_icmp_error)
		return GW_SEEN_ICMP_ERROR;
	if (t == (v6 ? 128 : 8))
		return GW_SEEN_ECHO_REQUEST;
	if (t == (v6 ? 129 : 0))
		return GW_SEEN_ECHO_REPLY;
	if (v6 && t >= 133 && t <= 137)
		return GW_SEEN_NEIGHBOUR;
	return GW_SEEN_ICMP_OTHER;
}

/* Counts p; the flow it was counted in, NULL if none. */
static struct gw_flow *update_one(struct gw_flow_table *t, const struct gw_packet *p, uint32_t hash)
{
	/* First end what timed out by this packet's time: a packet after its flow's
	 * idle timeout starts a new flow rather than reviving the old one. */
	gw_flow_table_expire(t, p->ts_us);
	if (p->is_fragment && p->frag_offset != 0)
		return count_fragment(t, p);
	struct gw_flow *quoted;
	if (p->is_icmp_error && p->quoted_ok && (quoted = link_icmp_error(t, p)))
		return quoted;

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
		i = flow_create(t, p, &dir);
		if (i == NIL)
			return NULL; /* no memory for a new chunk: the packet is in no flow */
		if (bare_syn && dir == GW_DIR_OUT)
			flow_at(t, i)->syn_quirks = p->syn_quirks;
	}
	struct gw_flow *f = flow_at(t, i);
	bool was_over = is_tcp && !first && gw__tcp_is_over(f);
	count(f, dir, p);
	if (is_tcp)
		gw__tcp_track(f, dir, p->tcp_flags, first);
	else if (p->proto == GW_IPPROTO_ICMP || p->proto == GW_IPPROTO_ICMPV6)
		f->tcp_flags[dir] |= icmp_class(p);
	if (first) {
		flow_link(t, i, hash);
	} else if (is_tcp && !was_over && gw__tcp_is_over(f)) {
		/* Closing brings the deadline forward: refile now. Later deadlines are
		 * refiled lazily, when the wheel reaches the old one. */
		wheel_unlink(t, i);
		wheel_insert(t, i);
	}
	if (p->is_fragment)
		first_fragment(t, i, dir, p);
	if (first && t->on_new)
		t->on_new(t->ud, f);
	if (first)
		due_push(t, i, f);
	return f;
}

static inline uint32_t packet_hash(const struct gw_flow_table *t, const struct gw_packet *p)
{
	return gw__flow_hash(t->seed, p->proto, &p->src, p->sport, &p->dst, p->dport);
}

void gw_flow_table_update(struct gw_flow_table *t, const struct gw_packet *p)
{
	(void)update_one(t, p, packet_hash(t, p));
}

const struct gw_flow *gw_flow_table_update_flow(struct gw_flow_table *t, const struct gw_packet *p)
{
	return update_one(t, p, packet_hash(t, p));
}

/* How far ahead the batch loop loads buckets, and flows. A table bigger than
 * the caches costs one memory load for the bucket and two for the flow per
 * packet; issuing them a few packets early overlaps them with useful work. */
#define PREFETCH_BUCKET_AHEAD 16
#define PREFETCH_FLOW_AHEAD   8

/* always_inline: GCC otherwise marks a function of prefetches alone "pure" and
 * deletes the calls (their result being unused). */
static inline __attribute__((always_inline)) void prefetch_flow(const struct gw_flow_table *t,
                                                                uint32_t hash)
{
	uint32_t b = t->buckets[hash & t->bucket_mask];
	if (b != 0) {
		const struct gw_flow *f = flow_at(t, b - 1);
		__builtin_prefetch(f);
		__builtin_prefetch(&f->seq, 1);
	}
}

void gw_flow_table_update_batch(struct gw_flow_table *t, const struct gw_packet *pkts, size_t n)
{
	uint32_t hashes[GW_FLOW_BATCH_MAX];
	if (n > GW_FLOW_BATCH_MAX)
		n = GW_FLOW_BATCH_MAX;
	for (size_t i = 0; i < n; i++) {
		hashes[i] = packet_hash(t, &pkts[i]);
		if (i < PREFETCH_BUCKET_AHEAD)
			__builtin_prefetch(&t->buckets[hashes[i] & t->bucket_mask]);
	}
	for (size_t i = 0; i < n && i < PREFETCH_FLOW_AHEAD; i++)
		prefetch_flow(t, hashes[i]);
	for (size_t i = 0; i < n; i++) {
		if (i + PREFETCH_BUCKET_AHEAD < n)
			__builtin_prefetch(
			        &t->buckets[hashes[i + PREFETCH_BUCKET_AHEAD] & t->bucket_mask]);
		if (i + PREFETCH_FLOW_AHEAD < n)
			prefetch_flow(t, hashes[i + PREFETCH_FLOW_AHEAD]);
		(void)update_one(t, &pkts[i], hashes[i]);
	}
}

/* Processes the wheel slot of second s (all of which lies before now): ends the
 * flows due by then, refiles those whose packets pushed their deadline later. */
static void wheel_turn(struct gw_flow_table *t, int64_t s)
{
	uint32_t slot = (uint32_t)((uint64_t)s & (WHEEL_SLOTS - 1));
	uint32_t i = t->wheel[slot];
	t->wheel[slot] = t->wheel_tail[slot] = NIL;
	while (i != NIL) {
		struct gw_flow *f = flow_at(t, i);
		uint32_t next = f->next;
		f->in_wheel = 0;
		if (floor_s(deadline_us(t, f)) <= s) {
			end_flow(t, i, gw__tcp_is_over(f) ? GW_END_CLOSED : GW_END_IDLE);
		} else {
			/* wheel_insert never files below wheel_s, which is s + 1 by now. */
			wheel_insert(t, i);
		}
		i = next;
	}
}

void gw_flow_table_expire(struct gw_flow_table *t, int64_t now_us)
{
	int64_t now_s = floor_s(now_us);
	if (!t->wheel_started) {
		t->wheel_s = now_s;
		t->wheel_started = true;
		return;
	}
	/* A jump longer than the wheel: one full turn visits every flow. */
	if (now_s - t->wheel_s > (int64_t)WHEEL_SLOTS)
		t->wheel_s = now_s - WHEEL_SLOTS;
	while (t->wheel_s < now_s) {
		int64_t s = t->wheel_s++;
		wheel_turn(t, s);
	}
	due_run(t, now_us);
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

static void end_at_flush(struct gw_flow_table *t, uint32_t i)
{
	end_flow(t, i, gw__tcp_is_over(flow_at(t, i)) ? GW_END_CLOSED : GW_END_INPUT);
}

void gw_flow_table_flush(struct gw_flow_table *t)
{
	uint64_t n = t->stats.active;
	struct seq_index *all = n ? malloc(n * sizeof *all) : NULL;
	gw__frag_drain(&t->frags);
	if (n && !all) {
		/* No memory to sort: end them in wheel order rather than lose any. */
		for (uint32_t s = 0; s < WHEEL_SLOTS; s++)
			while (t->wheel[s] != NIL)
				end_at_flush(t, t->wheel[s]);
		return;
	}
	uint64_t k = 0;
	for (uint32_t s = 0; s < WHEEL_SLOTS; s++)
		for (uint32_t i = t->wheel[s]; i != NIL; i = flow_at(t, i)->next)
			all[k++] = (struct seq_index){flow_at(t, i)->seq, i};
	if (k > 1)
		qsort(all, k, sizeof *all, by_seq);
	for (uint64_t j = 0; j < k; j++)
		end_at_flush(t, all[j].index);
	free(all);
}
