/* correlate/history.c — the socket history: owns one entry per socket identity
 * the timeline showed (its alive interval and latest fields), the indexes the
 * judge queries (exact tuple; proto and local port for listeners and bound
 * sockets; the raw/packet list), the bound on entries and its counters, and the
 * correlator object that applies timeline records to the history, the process
 * map and the local addresses.
 *
 * Intervals. An entry is alive from first_us, the first record that showed it,
 * to gone_us, the first record that showed it absent (a delta's `removed`, a
 * later snapshot or delta without it, a destroy), or for ever while present.
 * last_us, the last record that listed it, is kept but is not the end: deltas
 * list only changes, so a socket present and unchanged is listed by no record
 * after its first, and the timeline keeps no record of polls that changed
 * nothing. The only thing known of the end is that the socket was still there
 * at the previous poll and absent at gone_us, so it could have lived until
 * gone_us. The start is tight by construction: the poller polls every interval
 * (fast while processes start), so first_us is at most one poll after the
 * socket's creation, which the grace window (2 s against 1 s polls) covers, and
 * the on-demand lookup covers the connections that live between two polls.
 *
 * Records. A snapshot is the whole poll state: its sockets are present (on the
 * POLLED list) and every present entry it lacks is gone at its time. A delta's
 * `added` are present, its `removed` gone. A lookup that found a socket shows
 * it present at its time; unless it is already in the poll state it goes on
 * the PENDING list, and the next snapshot or delta that does not list it ends
 * it (a socket the poller had at its last poll is in our poll state; one it
 * did not have and still has at the next poll is in that delta's `added`). A
 * destroy ends the entry at its time, creating it (first = last = gone) if it
 * was never seen. A lookup that found nothing is counted and not used: its
 * query may name the tuple in another form than the sockets we hold. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ghostwire/random.h"
#include "correlate_internal.h"

#define INDEX_MIN_BUCKETS 256

/* ---- keys and hashes ---- */

static void tuple_of(const struct gw_socket *s, struct gw__tuple *t)
{
	memset(t, 0, sizeof *t);
	t->proto = s->proto;
	t->family = s->family;
	t->local_port = s->local_port;
	t->remote_port = s->remote_port;
	memcpy(t->local, s->local.bytes, 16);
	memcpy(t->remote, s->remote.bytes, 16);
}

static uint64_t load64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static uint32_t tuple_hash(uint64_t seed, const struct gw__tuple *t)
{
	uint64_t w0 = (uint64_t)t->proto | (uint64_t)t->family << 8 |
	              (uint64_t)t->local_port << 16 | (uint64_t)t->remote_port << 32;
	uint64_t h = gw__corr_mum(w0 ^ seed, (seed >> 7 ^ 0xa0761d6478bd642fULL) | 1);
	h = gw__corr_mum(h ^ load64(t->local) ^ 0xe7037ed1a0b428dbULL,
	                 load64(t->local + 8) ^ (seed | 1));
	h = gw__corr_mum(h ^ load64(t->remote) ^ 0x8ebc6af09c88c6e3ULL,
	                 load64(t->remote + 8) ^ (seed >> 3 | 1));
	return (uint32_t)(h ^ h >> 32);
}

static uint32_t id_hash(uint64_t seed, uint32_t th, const struct gw_socket *s)
{
	uint64_t h = gw__corr_mum(th ^ s->netns ^ 0x589965cc75374cc3ULL, s->inode ^ (seed | 1));
	return (uint32_t)(h ^ h >> 32);
}

static uint32_t port_hash(uint64_t seed, uint8_t proto, uint16_t port)
{
	uint64_t h = gw__corr_mum(((uint64_t)proto << 16 | port) ^ seed ^ 0x1d8e4e27c47d124fULL,
	                          (seed >> 11 ^ 0x9e3779b97f4a7c15ULL) | 1);
	return (uint32_t)(h ^ h >> 32);
}

static bool is_v4_mapped(const uint8_t b[16])
{
	static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	return memcmp(b, prefix, 12) == 0;
}

void gw__peer_of(const struct gw_socket *s, struct gw__peer *k)
{
	memset(k, 0, sizeof *k);
	k->proto = s->proto;
	k->remote_port = s->remote_port;
	k->local_port = s->local_port;
	if (s->family == GW_AF_INET || is_v4_mapped(s->remote.bytes)) {
		k->v4 = 1;
		memcpy(k->remote, s->family == GW_AF_INET ? s->remote.bytes : s->remote.bytes + 12,
		       4);
	} else {
		memcpy(k->remote, s->remote.bytes, 16);
	}
}

static uint32_t peer_hash(uint64_t seed, const struct gw__peer *k)
{
	uint64_t w0 = (uint64_t)k->proto | (uint64_t)k->v4 << 8 | (uint64_t)k->remote_port << 16 |
	              (uint64_t)k->local_port << 32;
	uint64_t h = gw__corr_mum(w0 ^ seed ^ 0x589965cc75374cc3ULL,
	                          (seed >> 5 ^ 0x1d8e4e27c47d124fULL) | 1);
	h = gw__corr_mum(h ^ load64(k->remote) ^ 0xe7037ed1a0b428dbULL,
	                 load64(k->remote + 8) ^ (seed >> 9 | 1));
	return (uint32_t)(h ^ h >> 32);
}

/* Listeners, bound UDP and other unconnected sockets: no remote end. These are
 * what a (proto, local port) query looks for; the remote end is part of the
 * identity, so membership never changes. */
static bool port_indexed(const struct gw_socket *s)
{
	static const uint8_t zero[16];
	return (s->proto == GW_SOCK_TCP || s->proto == GW_SOCK_UDP) && s->remote_port == 0 &&
	       memcmp(s->remote.bytes, zero, 16) == 0;
}

/* Connected TCP/UDP sockets: in the peer index. */
static bool peer_indexed(const struct gw_socket *s)
{
	return (s->proto == GW_SOCK_TCP || s->proto == GW_SOCK_UDP) && !port_indexed(s);
}

static bool raw_listed(const struct gw_socket *s)
{
	return s->proto == GW_SOCK_RAW || s->proto == GW_SOCK_PACKET;
}

/* ---- indexes ---- */

enum which {
	BY_ID,
	BY_TUPLE,
	BY_PORT,
	BY_PEER,
	BY_OWNER
};

static struct gw__hist_entry **chain_next(struct gw__hist_entry *e, enum which w)
{
	switch (w) {
	case BY_ID:
		return &e->id_next;
	case BY_TUPLE:
		return &e->tuple_next;
	case BY_PORT:
		return &e->port_next;
	case BY_PEER:
		return &e->peer_next;
	default:
		return &e->owner_next;
	}
}

static uint32_t hash_for(const struct gw__hist_entry *e, enum which w)
{
	switch (w) {
	case BY_ID:
		return e->id_hash;
	case BY_TUPLE:
		return e->tuple_hash;
	case BY_PORT:
		return e->port_hash;
	case BY_PEER:
		return e->peer_hash;
	default:
		return e->owner_hash;
	}
}

/* Doubles ix when it holds more entries than buckets, up to the first power of
 * two at or above max. A failed allocation keeps the old buckets: slower
 * chains, same answers. */
static void index_grow(struct gw__hist_index *ix, size_t n, size_t max, enum which w)
{
	size_t nb = ix->b ? ix->mask + 1 : 0;
	if (nb && (n <= nb || nb >= max))
		return;
	size_t want = nb ? nb * 2 : INDEX_MIN_BUCKETS;
	struct gw__hist_entry **b = calloc(want, sizeof *b);
	if (!b)
		return;
	for (size_t i = 0; i < nb; i++) {
		struct gw__hist_entry *e = ix->b[i];
		while (e) {
			struct gw__hist_entry *next = *chain_next(e, w);
			size_t k = hash_for(e, w) & (want - 1);
			*chain_next(e, w) = b[k];
			b[k] = e;
			e = next;
		}
	}
	free(ix->b);
	ix->b = b;
	ix->mask = want - 1;
}

static void index_add(struct gw__hist_index *ix, struct gw__hist_entry *e, enum which w)
{
	size_t k = hash_for(e, w) & ix->mask;
	*chain_next(e, w) = ix->b[k];
	ix->b[k] = e;
}

static void index_del(struct gw__hist_index *ix, struct gw__hist_entry *e, enum which w)
{
	struct gw__hist_entry **pp = &ix->b[hash_for(e, w) & ix->mask];
	while (*pp && *pp != e)
		pp = chain_next(*pp, w);
	if (*pp)
		*pp = *chain_next(e, w);
}

/* ---- lists ---- */

static void list_unlink(struct gw__hist *h, struct gw__hist_entry *e)
{
	struct gw__hist_dlist *l = &h->lists[e->list];
	if (e->prev)
		e->prev->next = e->next;
	else
		l->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		l->tail = e->prev;
	e->prev = e->next = NULL;
}

static void list_append(struct gw__hist *h, struct gw__hist_entry *e, enum gw__hist_list which)
{
	struct gw__hist_dlist *l = &h->lists[which];
	e->list = (uint8_t)which;
	e->next = NULL;
	e->prev = l->tail;
	if (l->tail)
		l->tail->next = e;
	else
		l->head = e;
	l->tail = e;
}

/* ---- the history ---- */

void gw__hist_init(struct gw__hist *h, size_t max, uint64_t seed)
{
	memset(h, 0, sizeof *h);
	h->max = max;
	h->seed = seed;
}

void gw__hist_fini(struct gw__hist *h)
{
	for (int l = 0; l < GW__LIST_COUNT; l++) {
		struct gw__hist_entry *e = h->lists[l].head;
		while (e) {
			struct gw__hist_entry *next = e->next;
			free(e);
			e = next;
		}
	}
	free(h->by_id.b);
	free(h->by_tuple.b);
	free(h->by_port.b);
	free(h->by_peer.b);
	free(h->by_owner.b);
	memset(h, 0, sizeof *h);
}

static void entry_remove(struct gw__hist *h, struct gw__hist_entry *e)
{
	index_del(&h->by_id, e, BY_ID);
	index_del(&h->by_tuple, e, BY_TUPLE);
	if (port_indexed(&e->sock))
		index_del(&h->by_port, e, BY_PORT);
	if (peer_indexed(&e->sock))
		index_del(&h->by_peer, e, BY_PEER);
	if (e->owner_known)
		index_del(&h->by_owner, e, BY_OWNER);
	if (raw_listed(&e->sock)) {
		if (e->raw_prev)
			e->raw_prev->raw_next = e->raw_next;
		else
			h->raw_head = e->raw_next;
		if (e->raw_next)
			e->raw_next->raw_prev = e->raw_prev;
	}
	list_unlink(h, e);
	free(e);
	h->n--;
}

/* Makes room for one: the entry gone longest ago, else the oldest present one
 * (the older head of the polled and pending lists, each in order of entry). */
static void evict_one(struct gw__hist *h)
{
	struct gw__hist_entry *victim = h->lists[GW__LIST_GONE].head;
	if (!victim) {
		struct gw__hist_entry *p = h->lists[GW__LIST_POLLED].head;
		struct gw__hist_entry *q = h->lists[GW__LIST_PENDING].head;
		victim = !q || (p && p->first_us <= q->first_us) ? p : q;
	}
	if (victim) {
		entry_remove(h, victim);
		h->evicted++;
	}
}

/* Two observations with the same identity are the same socket unless the
 * kernel's cookies (both known) differ: sockets without an inode (orphans
 * closing, TIME_WAIT) reuse a tuple, and each connection on it must keep its
 * own interval, or a later one would be judged by an earlier one's. */
static bool same_incarnation(const struct gw_socket *a, const struct gw_socket *b)
{
	return a->cookie == 0 || b->cookie == 0 || a->cookie == b->cookie;
}

static struct gw__hist_entry *find_id(const struct gw__hist *h, const struct gw_socket *s,
                                      uint32_t ih)
{
	if (!h->by_id.b)
		return NULL;
	for (struct gw__hist_entry *e = h->by_id.b[ih & h->by_id.mask]; e; e = e->id_next)
		if (e->id_hash == ih && gw_socket_compare(&e->sock, s) == 0 &&
		    same_incarnation(&e->sock, s))
			return e;
	return NULL;
}

static uint32_t owner_hash(uint64_t seed, int32_t pid)
{
	uint64_t h = gw__corr_mum((uint64_t)(uint32_t)pid ^ seed ^ 0x8ebc6af09c88c6e3ULL,
	                          (seed >> 13 ^ 0x589965cc75374cc3ULL) | 1);
	return (uint32_t)(h ^ h >> 32);
}

/* e's owner is pid from now on (kept when later records lose it): refiled in
 * the owner index when it changes. */
static void set_owner(struct gw__hist *h, struct gw__hist_entry *e, int32_t pid)
{
	if (e->owner_known && e->owner_pid == pid)
		return;
	if (e->owner_known)
		index_del(&h->by_owner, e, BY_OWNER);
	e->owner_known = true;
	e->owner_pid = pid;
	e->owner_hash = owner_hash(h->seed, pid);
	index_add(&h->by_owner, e, BY_OWNER);
}

struct gw__hist_entry *gw__hist_upsert(struct gw__hist *h, const struct gw_socket *sock,
                                       int64_t ts_us)
{
	struct gw__tuple t;
	tuple_of(sock, &t);
	uint32_t th = tuple_hash(h->seed, &t);
	uint32_t ih = id_hash(h->seed, th, sock);
	struct gw__hist_entry *e = find_id(h, sock, ih);
	if (e)
		return e;
	if (h->n >= h->max)
		evict_one(h);
	e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	index_grow(&h->by_id, h->n + 1, h->max, BY_ID);
	index_grow(&h->by_tuple, h->n + 1, h->max, BY_TUPLE);
	index_grow(&h->by_port, h->n + 1, h->max, BY_PORT);
	index_grow(&h->by_peer, h->n + 1, h->max, BY_PEER);
	index_grow(&h->by_owner, h->n + 1, h->max, BY_OWNER);
	if (!h->by_id.b || !h->by_tuple.b || !h->by_port.b || !h->by_peer.b || !h->by_owner.b) {
		free(e);
		return NULL;
	}
	e->sock = *sock;
	e->first_us = e->last_us = ts_us;
	e->gone_us = GW__NEVER;
	e->id_hash = ih;
	e->tuple_hash = th;
	if (sock->owner_status == GW_OWNER_KNOWN)
		set_owner(h, e, sock->pid);
	e->listened = sock->proto == GW_SOCK_TCP && sock->state == GW_SS_LISTEN;
	index_add(&h->by_id, e, BY_ID);
	index_add(&h->by_tuple, e, BY_TUPLE);
	if (port_indexed(sock)) {
		e->port_hash = port_hash(h->seed, sock->proto, sock->local_port);
		index_add(&h->by_port, e, BY_PORT);
	}
	if (peer_indexed(sock)) {
		struct gw__peer k;
		gw__peer_of(sock, &k);
		e->peer_hash = peer_hash(h->seed, &k);
		index_add(&h->by_peer, e, BY_PEER);
	}
	if (raw_listed(sock)) {
		e->raw_next = h->raw_head;
		if (h->raw_head)
			h->raw_head->raw_prev = e;
		h->raw_head = e;
	}
	list_append(h, e, GW__LIST_PENDING);
	h->n++;
	return e;
}

void gw__hist_observe(struct gw__hist *h, struct gw__hist_entry *e, const struct gw_socket *sock,
                      int64_t ts_us)
{
	uint64_t cookie = e->sock.cookie;
	e->sock = *sock;
	if (!sock->cookie)
		e->sock.cookie = cookie; /* a view without cookies (procfs) keeps it */
	if (sock->owner_status == GW_OWNER_KNOWN)
		set_owner(h, e, sock->pid);
	if (sock->proto == GW_SOCK_TCP && sock->state == GW_SS_LISTEN)
		e->listened = true;
	if (ts_us > e->last_us)
		e->last_us = ts_us;
}

void gw__hist_move(struct gw__hist *h, struct gw__hist_entry *e, enum gw__hist_list l,
                   int64_t ts_us)
{
	if (l == GW__LIST_GONE) {
		if (e->list == GW__LIST_GONE)
			return; /* the first absence counts */
		e->gone_us = ts_us;
	} else {
		e->gone_us = GW__NEVER;
	}
	if (e->list == l)
		return;
	list_unlink(h, e);
	list_append(h, e, l);
}

void gw__hist_expire(struct gw__hist *h, int64_t cutoff_us)
{
	struct gw__hist_entry *e;
	while ((e = h->lists[GW__LIST_GONE].head) && e->gone_us < cutoff_us) {
		entry_remove(h, e);
		h->forgotten++;
	}
}

void gw__hist_find_tuple(const struct gw__hist *h, const struct gw__tuple *t, gw__hist_fn fn,
                         void *ud)
{
	if (!h->by_tuple.b)
		return;
	struct gw__tuple key = *t;
	uint32_t th = tuple_hash(h->seed, &key);
	for (const struct gw__hist_entry *e = h->by_tuple.b[th & h->by_tuple.mask]; e;
	     e = e->tuple_next) {
		struct gw__tuple et;
		tuple_of(&e->sock, &et);
		if (e->tuple_hash == th && memcmp(&et, &key, sizeof key) == 0)
			fn(ud, e);
	}
}

void gw__hist_find_port(const struct gw__hist *h, uint8_t proto, uint16_t local_port,
                        gw__hist_fn fn, void *ud)
{
	if (!h->by_port.b)
		return;
	uint32_t ph = port_hash(h->seed, proto, local_port);
	for (const struct gw__hist_entry *e = h->by_port.b[ph & h->by_port.mask]; e;
	     e = e->port_next)
		if (e->port_hash == ph && e->sock.proto == proto &&
		    e->sock.local_port == local_port)
			fn(ud, e);
}

void gw__hist_find_peer(const struct gw__hist *h, const struct gw__peer *k, gw__hist_fn fn,
                        void *ud)
{
	if (!h->by_peer.b)
		return;
	uint32_t ph = peer_hash(h->seed, k);
	for (const struct gw__hist_entry *e = h->by_peer.b[ph & h->by_peer.mask]; e;
	     e = e->peer_next) {
		if (e->peer_hash != ph)
			continue;
		struct gw__peer ek;
		gw__peer_of(&e->sock, &ek);
		if (memcmp(&ek, k, sizeof ek) == 0)
			fn(ud, e);
	}
}

bool gw__hist_each_owned(const struct gw__hist *h, int32_t pid, size_t max, gw__hist_fn fn,
                         void *ud)
{
	if (!h->by_owner.b)
		return true;
	uint32_t oh = owner_hash(h->seed, pid);
	size_t n = 0;
	for (const struct gw__hist_entry *e = h->by_owner.b[oh & h->by_owner.mask]; e;
	     e = e->owner_next) {
		if (e->owner_hash != oh || e->owner_pid != pid)
			continue;
		if (n++ == max)
			return false;
		fn(ud, e);
	}
	return true;
}

void gw__hist_each_raw(const struct gw__hist *h, gw__hist_fn fn, void *ud)
{
	for (const struct gw__hist_entry *e = h->raw_head; e; e = e->raw_next)
		fn(ud, e);
}

/* ---- the correlator ---- */

void gw_correlator_config_init(struct gw_correlator_config *c)
{
	memset(c, 0, sizeof *c);
	c->grace_us = 2000000;
	c->max_sockets = 1000000;
	c->max_processes = 100000;
	c->forget_after_us = 600 * (int64_t)1000000;
	c->opening_slack_us = 250000;
}

int gw_correlator_new(const struct gw_correlator_config *cfg, struct gw_correlator **out,
                      struct gw_err *err)
{
	*out = NULL;
	if (cfg->max_sockets == 0 || cfg->max_processes == 0)
		return gw_err_set(err, GW_EINVAL,
		                  "correlator: max_sockets and max_processes must be at least 1");
	if (cfg->grace_us < 0 || cfg->forget_after_us < 0 || cfg->opening_slack_us < 0)
		return gw_err_set(err, GW_EINVAL,
		                  "correlator: the grace window and forget-after time cannot be "
		                  "negative");
	struct gw_correlator *c = calloc(1, sizeof *c);
	if (!c)
		return gw_err_set(err, GW_ENOMEM, "correlator: out of memory");
	c->cfg = *cfg;
	uint64_t seed = gw_random_seed();
	gw__hist_init(&c->hist, cfg->max_sockets, seed);
	gw__procmap_init(&c->procs, cfg->max_processes, seed * 0x9e3779b97f4a7c15ULL | 1);
	c->last_ts_us = INT64_MIN;
	*out = c;
	return 0;
}

void gw_correlator_free(struct gw_correlator *c)
{
	if (!c)
		return;
	gw__hist_fini(&c->hist);
	gw__procmap_fini(&c->procs);
	free(c);
}

static void sync_stats(struct gw_correlator *c)
{
	c->stats.sockets = c->hist.n;
	c->stats.evicted = c->hist.evicted;
	c->stats.forgotten = c->hist.forgotten;
	c->stats.processes = c->procs.n;
	c->stats.processes_evicted = c->procs.evicted;
}

const struct gw_correlator_stats *gw_correlator_stats(const struct gw_correlator *c)
{
	return &c->stats;
}

bool gw__correlator_is_host_netns(const struct gw_correlator *c, uint64_t netns)
{
	return netns == 0 || c->host_netns == 0 || netns == c->host_netns;
}

/* ---- local addresses ---- */

void gw_correlator_set_header(struct gw_correlator *c, const struct gw_tl_header *h)
{
	unsigned n = h->n_local < GW_MAX_LOCAL_NETS ? h->n_local : GW_MAX_LOCAL_NETS;
	memcpy(c->local, h->local, n * sizeof *c->local);
	c->n_local = n;
	c->self_pid = h->pid;
}

static bool v4_mapped(const struct gw_addr *a, struct gw_addr *v4)
{
	static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (a->family != GW_AF_INET6 || memcmp(a->bytes, prefix, 12) != 0)
		return false;
	gw_addr_set4(v4, a->bytes + 12);
	return true;
}

bool gw_correlator_is_local(const struct gw_correlator *c, const struct gw_addr *a)
{
	struct gw_addr v4;
	bool mapped = v4_mapped(a, &v4);
	for (unsigned i = 0; i < c->n_local; i++)
		if (gw_cidr_contains(&c->local[i], a) ||
		    (mapped && gw_cidr_contains(&c->local[i], &v4)))
			return true;
	return false;
}

static bool same_cidr(const struct gw_cidr *a, const struct gw_cidr *b)
{
	return a->prefix == b->prefix && gw_addr_equal(&a->net, &b->net);
}

static void address_event(struct gw_correlator *c, const struct gw_tl_record *rec)
{
	unsigned i = 0;
	while (i < c->n_local && !same_cidr(&c->local[i], &rec->addr))
		i++;
	if (strcmp(rec->event, "add") == 0) {
		if (i < c->n_local)
			return;
		if (c->n_local == GW_MAX_LOCAL_NETS) {
			c->stats.addrs_dropped++;
			return;
		}
		c->local[c->n_local++] = rec->addr;
	} else if (strcmp(rec->event, "del") == 0) {
		if (i == c->n_local) /* the same address under another prefix */
			for (i = 0; i < c->n_local; i++)
				if (gw_addr_equal(&c->local[i].net, &rec->addr.net))
					break;
		if (i == c->n_local)
			return;
		memmove(&c->local[i], &c->local[i + 1], (c->n_local - i - 1) * sizeof *c->local);
		c->n_local--;
	}
}

/* ---- the host's namespace ---- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static bool is_loopback(const struct gw_addr *a)
{
	static const uint8_t lo6[16] = {[15] = 1};
	if (a->family == GW_AF_INET)
		return a->bytes[0] == 127;
	return memcmp(a->bytes, lo6, 16) == 0;
}

/* Guesses the poller's own namespace from a snapshot when no lookup has told it
 * yet (the timeline header does not record it): the namespace of pid 1 if the
 * records named it (init's namespace is the poller's, whether the poller runs
 * on the host or in a container with the host's network); else the namespace
 * holding the most TCP/UDP sockets bound to one of the host's non-loopback
 * local addresses (a container's addresses are not the host's); else the most
 * TCP/UDP sockets; ties to the lowest id. A lookup in namespace 0 that finds a
 * socket replaces the guess with the truth. */
static void guess_host_netns(struct gw_correlator *c, const struct gw_sockset *set)
{
	if (c->host_netns_exact || c->host_netns != 0 || set->n_socks == 0)
		return;
	const struct gw_process *init = gw__procmap_get(&c->procs, 1, NULL);
	if (init && init->netns != 0) {
		c->host_netns = init->netns;
		return;
	}
	uint64_t *ids = malloc(set->n_socks * sizeof *ids);
	if (!ids)
		return;
	uint64_t best = 0;
	for (int pass = 0; pass < 2 && best == 0; pass++) {
		size_t n = 0;
		for (size_t i = 0; i < set->n_socks; i++) {
			const struct gw_socket *s = &set->socks[i];
			if ((s->proto != GW_SOCK_TCP && s->proto != GW_SOCK_UDP) || s->netns == 0)
				continue;
			struct gw_addr local = s->local, v4;
			if (v4_mapped(&local, &v4))
				local = v4;
			if (pass == 0 &&
			    (is_loopback(&local) || !gw_correlator_is_local(c, &local)))
				continue;
			ids[n++] = s->netns;
		}
		qsort(ids, n, sizeof *ids, cmp_u64);
		size_t best_run = 0;
		for (size_t i = 0; i < n;) {
			size_t j = i;
			while (j < n && ids[j] == ids[i])
				j++;
			if (j - i > best_run) {
				best_run = j - i;
				best = ids[i];
			}
			i = j;
		}
	}
	free(ids);
	c->host_netns = best;
}

/* ---- records ---- */

static void take_processes(struct gw_correlator *c, const struct gw_sockset *set)
{
	for (size_t i = 0; i < set->n_procs; i++)
		if (gw__procmap_put(&c->procs, &set->procs[i]) < 0)
			c->stats.alloc_failures++;
}

/* The entry of s (made if new), with s observed at ts; NULL, counted, when
 * memory ran out. */
static struct gw__hist_entry *observed(struct gw_correlator *c, const struct gw_socket *s,
                                       int64_t ts)
{
	struct gw__hist_entry *e = gw__hist_upsert(&c->hist, s, ts);
	if (!e) {
		c->stats.alloc_failures++;
		return NULL;
	}
	gw__hist_observe(&c->hist, e, s, ts);
	return e;
}

/* The entry of s, observed present at ts and put on list l (POLLED entries
 * stay polled when a lookup shows them). NULL when memory ran out. */
static struct gw__hist_entry *present(struct gw_correlator *c, const struct gw_socket *s,
                                      int64_t ts, enum gw__hist_list l)
{
	struct gw__hist_entry *e = observed(c, s, ts);
	if (!e)
		return NULL;
	if (l == GW__LIST_POLLED || e->list == GW__LIST_GONE)
		gw__hist_move(&c->hist, e, l, ts);
	return e;
}

static void absent(struct gw_correlator *c, const struct gw_socket *s, int64_t ts)
{
	struct gw__hist_entry *e = gw__hist_upsert(&c->hist, s, ts);
	if (!e) {
		c->stats.alloc_failures++;
		return;
	}
	gw__hist_move(&c->hist, e, GW__LIST_GONE, ts);
}

/* Ends every entry on list l that this record (mark) did not list. */
static void end_unmarked(struct gw_correlator *c, enum gw__hist_list l, uint32_t mark, int64_t ts)
{
	struct gw__hist_entry *e = c->hist.lists[l].head;
	while (e) {
		struct gw__hist_entry *next = e->next;
		if (e->mark != mark)
			gw__hist_move(&c->hist, e, GW__LIST_GONE, ts);
		e = next;
	}
}

static void apply_snapshot(struct gw_correlator *c, const struct gw_tl_record *rec, int64_t ts)
{
	uint32_t mark = ++c->hist.mark;
	for (size_t i = 0; i < rec->set.n_socks; i++) {
		struct gw__hist_entry *e = present(c, &rec->set.socks[i], ts, GW__LIST_POLLED);
		if (e)
			e->mark = mark;
	}
	if (rec->set.dropped) {
		c->stats.incomplete_sets++; /* a socket it lacks may only have been dropped */
	} else {
		end_unmarked(c, GW__LIST_POLLED, mark, ts);
		end_unmarked(c, GW__LIST_PENDING, mark, ts);
	}
	guess_host_netns(c, &rec->set);
}

static void apply_delta(struct gw_correlator *c, const struct gw_tl_record *rec, int64_t ts)
{
	uint32_t mark = ++c->hist.mark;
	for (size_t i = 0; i < rec->set.n_socks; i++) {
		struct gw__hist_entry *e = present(c, &rec->set.socks[i], ts, GW__LIST_POLLED);
		if (e)
			e->mark = mark;
	}
	for (size_t i = 0; i < rec->removed.n_socks; i++)
		absent(c, &rec->removed.socks[i], ts);
	if (rec->set.dropped)
		c->stats.incomplete_sets++;
	else
		end_unmarked(c, GW__LIST_PENDING, mark, ts);
}

static void apply_lookup(struct gw_correlator *c, const struct gw_tl_record *rec, int64_t ts)
{
	if (!rec->found || rec->set.n_socks == 0) {
		c->stats.lookups_not_found++;
		return;
	}
	for (size_t i = 0; i < rec->set.n_socks; i++) {
		const struct gw_socket *s = &rec->set.socks[i];
		present(c, s, ts, GW__LIST_PENDING);
		/* A lookup in namespace 0 asks the poller's own namespace: the
		 * socket it found carries that namespace's id. */
		if (rec->query.netns == 0 && s->netns != 0) {
			c->host_netns = s->netns;
			c->host_netns_exact = true;
		}
	}
}

static void apply_destroy(struct gw_correlator *c, const struct gw_tl_record *rec, int64_t ts)
{
	for (size_t i = 0; i < rec->set.n_socks; i++) {
		struct gw__hist_entry *e = observed(c, &rec->set.socks[i], ts);
		if (!e)
			continue;
		gw__hist_move(&c->hist, e, GW__LIST_GONE, ts);
	}
}

/* A hidden record: the sockets /proc/net did not list, each marked (and
 * observed present: the view had just listed them). */
static void hidden_from_procfs(struct gw_correlator *c, const struct gw_tl_record *rec, int64_t ts)
{
	take_processes(c, &rec->set);
	for (size_t i = 0; i < rec->set.n_socks; i++) {
		struct gw__hist_entry *e = observed(c, &rec->set.socks[i], ts);
		if (!e)
			continue;
		if (!e->procfs_hidden)
			c->stats.procfs_hidden++;
		e->procfs_hidden = true;
	}
}

/* A capture record: the interval in which packets were lost, for the
 * capture-loss hint. */
static void capture_loss(struct gw_correlator *c, const struct gw_tl_record *rec)
{
	c->stats.capture_drops += rec->drops;
	if (!rec->drops && !rec->outage)
		return;
	if (c->loss_n == GW__LOSS_MAX) {
		c->loss_head = (c->loss_head + 1) % GW__LOSS_MAX;
		c->loss_n--;
		c->stats.loss_intervals_forgotten++;
	}
	c->loss[(c->loss_head + c->loss_n++) % GW__LOSS_MAX] = (struct gw__loss){
	        .since_us = rec->since_us, .until_us = rec->ts_us, .drops = rec->drops};
}

int gw_correlator_apply(struct gw_correlator *c, const struct gw_tl_record *rec, struct gw_err *err)
{
	int64_t ts = rec->ts_us;
	if (ts < c->last_ts_us) {
		c->stats.times_held++; /* keeps the gone list in time order */
		ts = c->last_ts_us;
	}
	c->last_ts_us = ts;
	uint64_t failures = c->stats.alloc_failures;
	take_processes(c, &rec->set); /* first: a process event then applies to them */
	switch (rec->type) {
	case GW_TL_SNAPSHOT:
		apply_snapshot(c, rec, ts);
		break;
	case GW_TL_DELTA:
		apply_delta(c, rec, ts);
		break;
	case GW_TL_LOOKUP:
		apply_lookup(c, rec, ts);
		break;
	case GW_TL_DESTROY:
		apply_destroy(c, rec, ts);
		break;
	case GW_TL_PROCESS:
		if (gw__procmap_event(&c->procs, rec->event, rec->pid, rec->ppid, ts) < 0)
			c->stats.alloc_failures++;
		break;
	case GW_TL_ADDRESS:
		address_event(c, rec);
		break;
	case GW_TL_CAPTURE:
		capture_loss(c, rec);
		break;
	case GW_TL_HIDDEN:
		hidden_from_procfs(c, rec, ts);
		break;
	default:
		return gw_err_set(err, GW_EINVAL, "correlator: unknown timeline record type %d",
		                  (int)rec->type);
	}
	c->stats.records++;
	sync_stats(c);
	if (c->stats.alloc_failures != failures)
		return gw_err_set(err, GW_ENOMEM,
		                  "correlator: out of memory applying a timeline record (%llu "
		                  "sockets or processes not recorded)",
		                  (unsigned long long)(c->stats.alloc_failures - failures));
	return 0;
}

uint64_t gw__correlator_losses(const struct gw_correlator *c, int64_t lo, int64_t hi)
{
	uint64_t n = 0;
	for (size_t i = 0; i < c->loss_n; i++) {
		const struct gw__loss *l = &c->loss[(c->loss_head + i) % GW__LOSS_MAX];
		if (l->since_us <= hi && l->until_us >= lo)
			n += l->drops;
	}
	return n;
}

void gw_correlator_expire(struct gw_correlator *c, int64_t now_us)
{
	int64_t cutoff = now_us < INT64_MIN + c->cfg.forget_after_us
	                         ? INT64_MIN
	                         : now_us - c->cfg.forget_after_us;
	gw__hist_expire(&c->hist, cutoff);
	sync_stats(c);
}
