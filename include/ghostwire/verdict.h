/* verdict.h — the correlator's answer for one flow: explained (by which socket
 * and owner, or owner unknown and why), kernel-response, transit, or
 * unexplained (with its kind and hints). See the verdict table in DESIGN.md. */
#ifndef GHOSTWIRE_VERDICT_H
#define GHOSTWIRE_VERDICT_H

#include <stdbool.h>
#include <stdint.h>

#include "ghostwire/flow.h"
#include "ghostwire/socket.h"

enum gw_verdict_kind {
	GW_VERDICT_EXPLAINED = 1,
	GW_VERDICT_KERNEL_RESPONSE,
	GW_VERDICT_TRANSIT,
	GW_VERDICT_UNEXPLAINED,
};

/* Why a flow is unexplained. */
enum gw_unexplained_kind {
	GW_UNX_NONE = 0,
	GW_UNX_HIDDEN_LISTENER, /* the host answered (SYN-ACK, UDP reply) from a port no socket held */
	GW_UNX_NO_SOCKET_OUTBOUND, /* the host opened it, no socket matches */
	GW_UNX_NO_SOCKET_INBOUND,  /* the remote opened it, the host took it, no socket matches */
};

/* How an explained flow was explained. */
enum gw_match {
	GW_MATCH_NONE = 0,
	GW_MATCH_EXACT, /* a connected socket with the flow's 4-tuple */
	GW_MATCH_LISTENER, /* a listener / bound UDP socket on the local address (or wildcard) and port */
};

/* Hints, a bitmask. */
enum gw_hint {
	GW_HINT_RAW_SOCKET = 1 << 0,    /* raw sockets were open then: who could have sent it */
	GW_HINT_PACKET_SOCKET = 1 << 1, /* packet sockets were open then */
	GW_HINT_OTHER_NETNS = 1 << 2,   /* a matching socket exists in another network namespace */
	GW_HINT_PROCFS_HIDDEN = 1 << 3, /* netlink showed the socket, /proc/net did not */
	GW_HINT_CRAFTED_SYN = 1 << 4,   /* the host's SYN does not look like its kernel's */
	GW_HINT_CAPTURE_LOSS = 1 << 5,  /* libpcap dropped packets inside the flow's window */
	GW_HINT_PROXY = 1 << 6,         /* the owner is a local proxy: clients name who asked */
};

#define GW_VERDICT_MAX_HOLDERS 8

/* A process named by a hint: one that held a raw or packet socket during the
 * flow, or a client of the proxy that owns it. */
struct gw_holder {
	uint8_t proto;      /* GW_SOCK_RAW or GW_SOCK_PACKET */
	bool packet_filter; /* packet sockets: a BPF filter is attached */
	int32_t pid;
	bool exe_deleted;
	uint32_t marks; /* the process's enum gw_process_mark bits */
	char comm[16];
	char exe[512];
};

struct gw_verdict {
	uint8_t kind;        /* enum gw_verdict_kind */
	uint8_t unexplained; /* enum gw_unexplained_kind */
	uint8_t match;       /* enum gw_match */
	uint32_t hints;      /* enum gw_hint bits */
	char reason[128];    /* one line for people: "no socket on 10.0.0.5:4444 during ..." */
	bool has_socket;     /* the socket that explains it */
	struct gw_socket socket;
	bool has_owner; /* its owner's details */
	struct gw_process owner;
	uint64_t owner_netns; /* other-netns hint: the namespace where a match was found */
	struct gw_holder holders[GW_VERDICT_MAX_HOLDERS]; /* raw/packet socket holders */
	unsigned n_holders;
	/* proxy hint: processes connected over loopback to the owner's listeners
	 * during the flow (proto GW_SOCK_TCP), in pid order */
	struct gw_holder clients[GW_VERDICT_MAX_HOLDERS];
	unsigned n_clients;
};

/* A finding: unexplained, or explained by a socket hidden from /proc/net. */
bool gw_verdict_is_finding(const struct gw_verdict *v);

const char *gw_verdict_kind_name(enum gw_verdict_kind k);         /* "explained", ... */
const char *gw_unexplained_kind_name(enum gw_unexplained_kind k); /* "hidden-listener", ... */
/* Writes the hint names joined by ',' into buf; returns buf. */
const char *gw_hint_names(uint32_t hints, char *buf, size_t size);

#endif
