/* correlate_internal.h — the pieces of the correlator shared inside
 * src/correlate/: the socket history (one entry per socket identity, its alive
 * interval, three indexes), the bounded process map, and the correlator object
 * that holds them with the local addresses and the counters. */
#ifndef GHOSTWIRE_CORRELATE_INTERNAL_H
#define GHOSTWIRE_CORRELATE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ghostwire/correlate.h"

/* "Still present": the gone_us of a socket not yet seen absent. */
#define GW__NEVER INT64_MAX

/* The keyed multiply-fold of the flow hash (wyhash's "mum"), for the
 * correlator's indexes: a flood of sockets cannot aim at one bucket. */
static inline uint64_t gw__corr_mum(uint64_t a, uint64_t b)
{
	__extension__ typedef unsigned __int128 u128;
	u128 r = (u128)a * b;
	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

/* Which list an entry is on. Every entry is on exactly one. */
enum gw__hist_list {
	GW__LIST_POLLED = 0, /* present in the poll state (the last snapshot plus deltas) */
	GW__LIST_PENDING,    /* present, known only from a lookup: not in the poll state */
	GW__LIST_GONE,       /* seen absent (gone_us set), ordered by gone_us */
	GW__LIST_COUNT,
};

/* One socket identity (gw_socket_compare equality) over time. */
struct gw__hist_entry {
	struct gw_socket sock; /* its latest observation */
	int64_t first_us;      /* the first record that showed it */
	int64_t last_us;       /* the last record that showed it present */
	int64_t gone_us;       /* the record that first showed it absent; GW__NEVER while present */
	int32_t owner_pid;     /* the owner, once any observation knew it */
	bool owner_known;      /* owner_pid is set (kept when later records lose the owner) */
	bool listened;         /* TCP: some observation showed it in LISTEN */
	bool procfs_hidden;    /* a hidden record: the view listed it, /proc/net did not */
	uint8_t list;          /* enum gw__hist_list */
	uint32_t mark;         /* the record that last listed it (snapshot/delta bookkeeping) */
	uint32_t id_hash;      /* hash of its identity (rehashing without recomputing) */
	uint32_t tuple_hash;   /* hash of its tuple */
	uint32_t port_hash;    /* hash of (proto, local port); only for port-indexed entries */
	uint32_t peer_hash;    /* hash of its peer key; only for connected TCP/UDP */
	uint32_t owner_hash;   /* hash of owner_pid; only while owner_known */
	struct gw__hist_entry *id_next, *tuple_next, *port_next, *peer_next,
	        *owner_next;                        /* index chains */
	struct gw__hist_entry *prev, *next;         /* its list */
	struct gw__hist_entry *raw_prev, *raw_next; /* raw and packet sockets */
};

/* A chained hash index over entries, grown by doubling. */
struct gw__hist_index {
	struct gw__hist_entry **b;
	size_t mask; /* buckets - 1 (a power of two); b == NULL: no buckets yet */
};

struct gw__hist_dlist {
	struct gw__hist_entry *head, *tail;
};

/* The socket history: every entry is in the identity index and the tuple index;
 * entries with a wildcard remote end (listeners, bound UDP, unconnected
 * sockets) are also in the port index; connected TCP/UDP sockets are also in
 * the peer index; raw and packet sockets are also on the raw list. */
struct gw__hist {
	uint64_t seed;
	size_t n, max;
	struct gw__hist_index by_id, by_tuple, by_port, by_peer, by_owner;
	struct gw__hist_dlist lists[GW__LIST_COUNT];
	struct gw__hist_entry *raw_head;
	uint32_t mark; /* bumped for every snapshot and delta */
	uint64_t evicted, forgotten;
};

/* The tuple of a TCP/UDP socket or flow end, as the tuple index keys it. */
struct gw__tuple {
	uint8_t proto;  /* enum gw_sock_proto */
	uint8_t family; /* enum gw_family */
	uint16_t local_port, remote_port;
	uint8_t local[16], remote[16];
};

void gw__hist_init(struct gw__hist *h, size_t max, uint64_t seed);
void gw__hist_fini(struct gw__hist *h);

/* The entry of sock's identity, created (first_us = last_us = ts, on the
 * pending list) if unknown — which may evict another entry when the history is
 * full. NULL only when memory runs out. */
struct gw__hist_entry *gw__hist_upsert(struct gw__hist *h, const struct gw_socket *sock,
                                       int64_t ts_us);
/* Takes sock's latest fields into e and extends last_us to ts. */
void gw__hist_observe(struct gw__hist *h, struct gw__hist_entry *e, const struct gw_socket *sock,
                      int64_t ts_us);
/* Moves e to list l (GONE sets gone_us = min(gone_us, ts); others clear it). */
void gw__hist_move(struct gw__hist *h, struct gw__hist_entry *e, enum gw__hist_list l,
                   int64_t ts_us);
/* Forgets entries gone before cutoff_us. */
void gw__hist_expire(struct gw__hist *h, int64_t cutoff_us);

typedef void (*gw__hist_fn)(void *ud, const struct gw__hist_entry *e);
/* Calls fn for every entry with exactly tuple t (any netns, any inode). */
void gw__hist_find_tuple(const struct gw__hist *h, const struct gw__tuple *t, gw__hist_fn fn,
                         void *ud);
/* Calls fn for every port-indexed entry (remote end wildcard) of proto on local_port. */
void gw__hist_find_port(const struct gw__hist *h, uint8_t proto, uint16_t local_port,
                        gw__hist_fn fn, void *ud);
/* The peer key of a connected socket, or of a flow's ends: (proto, remote
 * address, remote port, local port), without the local address — what NAT
 * keeps when it rewrites a container's source address but not its port. An
 * IPv4-mapped IPv6 remote keys as its IPv4 address. */
struct gw__peer {
	uint8_t proto; /* enum gw_sock_proto */
	uint8_t v4;    /* remote is IPv4 (in remote[0..3]) */
	uint16_t remote_port, local_port;
	uint8_t remote[16];
};
void gw__peer_of(const struct gw_socket *s, struct gw__peer *k);
/* Calls fn for every connected TCP/UDP entry with peer key k (any netns). */
void gw__hist_find_peer(const struct gw__hist *h, const struct gw__peer *k, gw__hist_fn fn,
                        void *ud);
/* Calls fn for every entry whose owner is pid (TCP/UDP and others), at most
 * max of them; returns false if it stopped there. */
bool gw__hist_each_owned(const struct gw__hist *h, int32_t pid, size_t max, gw__hist_fn fn,
                         void *ud);
/* Calls fn for every raw and packet socket. */
void gw__hist_each_raw(const struct gw__hist *h, gw__hist_fn fn, void *ud);

/* ---- the process map ---- */

struct gw__proc_entry {
	struct gw_process p;
	bool exited;
	int64_t exited_us;
	struct gw__proc_entry *hnext; /* hash chain */
	struct gw__proc_entry *prev,
	        *next; /* live list (by last update) or exited list (by exit) */
};

/* pid → the latest known struct gw_process, at most max of them. When full,
 * the process that exited longest ago goes first, else the one updated
 * longest ago; each is counted in `evicted`. */
struct gw__procmap {
	uint64_t seed;
	size_t n, max;
	struct gw__proc_entry **b;
	size_t mask;
	struct gw__proc_entry *live_head, *live_tail, *exit_head, *exit_tail;
	uint64_t evicted;
};

void gw__procmap_init(struct gw__procmap *m, size_t max, uint64_t seed);
void gw__procmap_fini(struct gw__procmap *m);
/* Records p's details (latest wins; an exited pid seen again is live again). */
int gw__procmap_put(struct gw__procmap *m, const struct gw_process *p);
/* Records a process event without details: a fork or exec of an unknown pid
 * adds {pid, ppid}; a known pid's ppid is updated; exit marks it exited. */
int gw__procmap_event(struct gw__procmap *m, const char *event, int32_t pid, int32_t ppid,
                      int64_t ts_us);
/* The process of pid, or NULL; *exited tells whether it has exited (may be NULL). */
const struct gw_process *gw__procmap_get(const struct gw__procmap *m, int32_t pid, bool *exited);

/* ---- the correlator ---- */

/* When the capture lost packets: the last GW__LOSS_MAX intervals (since, ts]
 * of capture records with drops, oldest overwritten (and counted). */
#define GW__LOSS_MAX 4096
struct gw__loss {
	int64_t since_us, until_us;
	uint64_t drops;
};

struct gw_correlator {
	struct gw_correlator_config cfg;
	struct gw__loss loss[GW__LOSS_MAX]; /* a ring */
	size_t loss_head, loss_n;
	struct gw__hist hist;
	struct gw__procmap procs;
	struct gw_cidr local[GW_MAX_LOCAL_NETS];
	unsigned n_local;
	int32_t self_pid; /* the recorder: its own raw/packet sockets are no evidence */
	/* The host's own network namespace (0 = not known: every socket counts as
	 * the host's). Learnt exactly from a lookup in namespace 0 that found a
	 * socket, else guessed from the first snapshot (see history.c). */
	uint64_t host_netns;
	bool host_netns_exact;
	int64_t last_ts_us; /* the last record's time (records come in time order) */
	struct gw_correlator_stats stats;
};

/* True if a socket in namespace netns is the host's own (not another netns). */
bool gw__correlator_is_host_netns(const struct gw_correlator *c, uint64_t netns);

/* Packets the capture lost within [lo, hi]: the drops of every recorded
 * interval that meets it (an interval's drops may lie anywhere in it). */
uint64_t gw__correlator_losses(const struct gw_correlator *c, int64_t lo, int64_t hi);

#endif
