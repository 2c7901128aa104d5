/* flow.h — flows and the bounded flow table. A flow is oriented local → remote
 * and keyed by (proto, local addr:port, remote addr:port); it counts packets and
 * bytes each way, TCP flags and state, and its first and last timestamps. The
 * table holds at most max_flows, expires idle and closed flows by packet time,
 * and hands every ending flow to a callback, so nothing ends silently. */
#ifndef GHOSTWIRE_FLOW_H
#define GHOSTWIRE_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ghostwire/addr.h"
#include "ghostwire/err.h"
#include "ghostwire/options.h"
#include "ghostwire/packet.h"

enum gw_dir {
	GW_DIR_OUT = 0,
	GW_DIR_IN = 1
};

/* Per-direction TCP flags seen (bits of struct gw_flow.tcp_flags[dir]). */
enum gw_flow_tcp_seen {
	GW_SEEN_SYN = 0x01,    /* SYN without ACK */
	GW_SEEN_SYNACK = 0x02, /* SYN with ACK */
	GW_SEEN_FIN = 0x04,
	GW_SEEN_RST = 0x08,
};

/* ICMP and ICMPv6 messages seen per direction (bits of struct
 * gw_flow.tcp_flags[dir] on ICMP flows, where TCP flags have no meaning). */
enum gw_flow_icmp_seen {
	GW_SEEN_ECHO_REQUEST = 0x01,
	GW_SEEN_ECHO_REPLY = 0x02,
	GW_SEEN_ICMP_ERROR = 0x04, /* an error whose quoted flow was not held */
	GW_SEEN_NEIGHBOUR = 0x08,  /* ICMPv6 router and neighbour discovery (133..137) */
	GW_SEEN_ICMP_OTHER = 0x10,
};

enum gw_tcp_state {
	GW_TCP_NONE = 0,  /* not TCP */
	GW_TCP_MIDSTREAM, /* first packet was not a SYN */
	GW_TCP_SYN_SENT,
	GW_TCP_SYN_RECEIVED,
	GW_TCP_ESTABLISHED,
	GW_TCP_CLOSING, /* FIN one way */
	GW_TCP_CLOSED,  /* FIN both ways */
	GW_TCP_RESET,   /* RST seen */
};

enum gw_orientation {
	GW_ORIENT_LOCAL_NET = 0, /* one end is a local address */
	GW_ORIENT_OPENER = 1,    /* no local address known: the opener is taken as local */
	GW_ORIENT_TRANSIT = 2,   /* local addresses known, neither end is one */
};

enum gw_flow_end {
	GW_END_CLOSED = 0, /* TCP closed or reset: closed timeout passed, or input ended */
	GW_END_IDLE,       /* idle timeout */
	GW_END_EVICTED,    /* made room in a full table */
	GW_END_INPUT,      /* the input ended (gw_flow_table_flush) */
	GW_END_REUSED,     /* a new SYN reused the tuple of a closed flow */
};

struct gw_flow_key {
	uint8_t proto;       /* IP protocol */
	uint8_t family;      /* enum gw_family */
	uint16_t local_port; /* host order; 0 where the protocol has none */
	uint16_t remote_port;
	uint8_t local[16]; /* as in struct gw_addr.bytes */
	uint8_t remote[16];
	uint8_t pad[2]; /* zero */
};
_Static_assert(sizeof(struct gw_flow_key) == 40, "flow key is 40 bytes");

/* 128 bytes, two cache lines: what a lookup reads, then what a packet counts. */
struct gw_flow {
	/* line 1: the key and the table's links */
	struct gw_flow_key key;
	uint32_t hnext;       /* table internals: hash chain / free list */
	uint32_t prev, next;  /* table internals: timer wheel slot list */
	uint16_t wslot;       /* table internals: timer wheel slot */
	uint16_t icmp_errors; /* ICMP errors quoting this flow (saturates) */
	uint8_t tcp_flags[2]; /* TCP: gw_flow_tcp_seen bits; ICMP: gw_flow_icmp_seen; by gw_dir */
	uint8_t tcp_state;    /* enum gw_tcp_state */
	uint8_t orientation;  /* enum gw_orientation */
	uint8_t opener;       /* enum gw_dir: GW_DIR_OUT if the local side opened */
	uint8_t in_wheel;     /* table internals */
	uint8_t alerted;      /* what the due callback (gw_flow_table_on_due) returned */
	uint8_t syn_quirks;   /* the local side's opening SYN: enum gw_syn_quirk bits (packet.h) */
	/* line 2: the counters */
	uint64_t seq;            /* creation number, from 1 */
	int64_t first_us;        /* first packet, µs since the epoch */
	int64_t last_us;         /* last packet */
	uint64_t packets[2];     /* by enum gw_dir */
	uint64_t bytes[2];       /* frame bytes on the wire, by enum gw_dir */
	uint32_t fragments;      /* non-first fragments (included in packets) */
	uint32_t fragment_bytes; /* their frame bytes (included in bytes; saturates at 4 GiB) */
};
_Static_assert(sizeof(struct gw_flow) == 128, "a flow is two cache lines");

/* Called for every flow that leaves the table; f is borrowed for the call. */
typedef void (*gw_flow_end_fn)(void *ud, const struct gw_flow *f, enum gw_flow_end why);

/* Called once for each new flow, after its first packet is counted (so that a
 * socket lookup happens while the socket still exists); f is borrowed. */
typedef void (*gw_flow_new_fn)(void *ud, const struct gw_flow *f);

/* Called once for each flow still held when the table's clock passes its first
 * packet + the due delay (gw_flow_table_on_due); what it returns is kept in
 * f->alerted (the reporters' enum gw_alert_mark; 0: nothing was reported). */
typedef uint8_t (*gw_flow_due_fn)(void *ud, const struct gw_flow *f);

struct gw_flow_table_stats {
	uint64_t flows;             /* flows created */
	uint64_t active;            /* flows held now */
	uint64_t max_active;        /* most flows held at once */
	uint64_t ended[5];          /* by enum gw_flow_end */
	uint64_t frag_attributed;   /* non-first fragments counted in their flow */
	uint64_t frag_unattributed; /* non-first fragments whose first fragment was not seen */
	uint64_t icmp_linked;       /* ICMP errors counted in the flow they quote */
	uint64_t due_called;        /* due callbacks made */
	uint64_t due_dropped;       /* new flows that got no due call: too many pending */
};

struct gw_flow_table;

/* Creates a table bounded by o->max_flows, with o's timeouts and local networks
 * (copied). on_end is called for each flow that ends. */
struct gw_flow_table *gw_flow_table_new(const struct gw_options *o, gw_flow_end_fn on_end, void *ud,
                                        struct gw_err *err) GW_MUST_CHECK;
void gw_flow_table_free(struct gw_flow_table *t);

/* Sets the callback for new flows (with the table's ud); NULL for none. */
void gw_flow_table_on_new(struct gw_flow_table *t, gw_flow_new_fn fn);

/* Calls fn (with the table's ud) for each flow created from now on that is
 * still held delay_us after its first packet, by the table's clock (packet time,
 * or the time given to gw_flow_table_expire). At most max_flows calls wait at
 * once; beyond, new flows get none (stats.due_dropped). GW_ENOMEM if the queue
 * cannot be allocated. */
int gw_flow_table_on_due(struct gw_flow_table *t, gw_flow_due_fn fn, int64_t delay_us)
        GW_MUST_CHECK;

/* Adds local networks after creation (live: the host's addresses as they change). */
int gw_flow_table_add_local(struct gw_flow_table *t, const struct gw_cidr *net) GW_MUST_CHECK;

/* Ends the flows whose timeouts passed by the packet's time, then counts the
 * packet in its flow, creating the flow if needed (which evicts the least
 * recently active flow when the table is full). */
void gw_flow_table_update(struct gw_flow_table *t, const struct gw_packet *p);

/* The same, and the flow p was counted in (an ICMP error: the flow it quotes;
 * a later fragment: its datagram's flow), borrowed until the table's next
 * call; NULL if none (a fragment held for its first, no memory). */
const struct gw_flow *gw_flow_table_update_flow(struct gw_flow_table *t, const struct gw_packet *p);

/* The same for up to GW_FLOW_BATCH_MAX packets in order, with the table's
 * memory loaded ahead: the result is exactly that of updating one by one. */
#define GW_FLOW_BATCH_MAX 64
void gw_flow_table_update_batch(struct gw_flow_table *t, const struct gw_packet *pkts, size_t n);

/* Ends flows whose timeouts passed at now_us (for live use when no packets come). */
void gw_flow_table_expire(struct gw_flow_table *t, int64_t now_us);

/* Ends every flow still held, in first-seen order: closed TCP flows with
 * GW_END_CLOSED, the others with GW_END_INPUT. Fragments still waiting for
 * their first fragment are counted as unattributed. */
void gw_flow_table_flush(struct gw_flow_table *t);

/* The table's counters, current as of the call; borrowed until the table is freed. */
const struct gw_flow_table_stats *gw_flow_table_stats(struct gw_flow_table *t);

/* The local and remote addresses of f's key. */
void gw_flow_local_addr(const struct gw_flow *f, struct gw_addr *out);
void gw_flow_remote_addr(const struct gw_flow *f, struct gw_addr *out);

/* Stable names for reports: "tcp", "syn-sent", "closed", "local-net", ... */
const char *gw_tcp_state_name(enum gw_tcp_state s);
const char *gw_flow_end_name(enum gw_flow_end e);
const char *gw_orientation_name(enum gw_orientation o);
/* "tcp", "udp", "icmp", "ipv6-icmp" or "ip-proto-N" into buf (>= 16 bytes). */
const char *gw_transport_name(uint8_t proto, char *buf, size_t size);

#endif
