/* wirenames.h — names from the wire: DNS answers the host received, kept in a
 * bounded passive-DNS cache (address → names, valid by packet time), the name a
 * flow's first client payload carries (TLS ClientHello SNI, HTTP Host), and a
 * bounded side table from a flow's seq to that name. Nothing here reads the
 * clock: every time is a packet timestamp given by the caller. */
#ifndef GHOSTWIRE_WIRENAMES_H
#define GHOSTWIRE_WIRENAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ghostwire/addr.h"
#include "ghostwire/err.h"
#include "ghostwire/packet.h"

/* Longest name kept, in characters, and the buffer that holds one with its NUL. */
#define GW_NAME_MAX  255
#define GW_NAME_SIZE (GW_NAME_MAX + 1)

/* Most names an address can keep in the cache (the limit is configured up to this). */
#define GW_WIRENAMES_MAX_NAMES 8

/* Names as stored and returned: ASCII letters lowercased, no trailing dot, and
 * every byte outside 0x21..0x7e, and '\' (and '.' inside a DNS label), written
 * as \DDD (decimal), as dig prints them. A name whose text would not fit in
 * GW_NAME_MAX characters is not kept. */

/* ------------------------------------------------------------------ DNS */

/* Record types the parser keeps. */
enum gw_dns_type {
	GW_DNS_A = 1,
	GW_DNS_CNAME = 5,
	GW_DNS_AAAA = 28,
};

/* Answers kept from one message; further A/AAAA/CNAME answers are counted in
 * struct gw_dns_answer.dropped. */
#define GW_DNS_MAX_RECORDS 64

/* Why a DNS message could not be read. Names (gw_dns_malformed_name) are stable:
 * they appear in reports. */
enum gw_dns_malformed {
	GW_DNS_MAL_TRUNCATED,       /* the message ends inside its header, a name or a record */
	GW_DNS_MAL_LABEL_TOO_LONG,  /* a label length byte over 63 (0x40..0xbf) */
	GW_DNS_MAL_NAME_TOO_LONG,   /* a name over 255 octets on the wire */
	GW_DNS_MAL_POINTER_FORWARD, /* a compression pointer past its own offset */
	GW_DNS_MAL_POINTER_LOOP,    /* a pointer to itself or into the name part being read, or
	                             * too many jumps */
	GW_DNS_MAL_BAD_RDATA, /* A not 4 bytes, AAAA not 16, CNAME name not filling its rdata */
	GW_DNS_MAL_COUNT
};

/* What a message was, when it was not read for answers. */
enum gw_dns_result {
	GW_DNS_OK = 0,           /* a response (QR=1, opcode 0, RCODE 0): *out is filled */
	GW_DNS_NOT_RESPONSE = 1, /* a query, or another opcode: nothing to learn */
	GW_DNS_ERROR_RCODE = 2,  /* a response with RCODE != 0 (NXDOMAIN, SERVFAIL, ...) */
	GW_DNS_MALFORMED = 3,    /* out->malformed says why */
};

struct gw_dns_record {
	uint16_t type;             /* enum gw_dns_type */
	uint32_t ttl;              /* seconds, as sent (values over 2^31-1 read as 0, RFC 2181) */
	char owner[GW_NAME_SIZE];  /* the record's name */
	struct gw_addr addr;       /* A, AAAA: the address */
	char target[GW_NAME_SIZE]; /* CNAME: the canonical name */
};

/* The useful part of one response. */
struct gw_dns_answer {
	uint16_t id;              /* message id */
	bool tc;                  /* TC bit: the server cut the answer short */
	char qname[GW_NAME_SIZE]; /* first question's name, "" if none */
	uint16_t qtype;           /* its type, 0 if none */
	uint8_t malformed;        /* enum gw_dns_malformed, when GW_DNS_MALFORMED */
	uint32_t dropped;         /* A/AAAA/CNAME answers past GW_DNS_MAX_RECORDS */
	uint32_t unrepresentable; /* answers skipped: a name's text over GW_NAME_MAX */
	size_t n;                 /* records in rr */
	struct gw_dns_record rr[GW_DNS_MAX_RECORDS]; /* answer section, in order, class IN */
};

/* Reads one DNS message (no TCP length prefix) of len bytes. Only the answer
 * section's A, AAAA and CNAME records of class IN (the mDNS cache-flush bit
 * ignored) are kept; every section is walked, so a message cut anywhere is
 * GW_DNS_MALFORMED (GW_DNS_MAL_TRUNCATED). Returns an enum gw_dns_result; out
 * is filled for GW_DNS_OK and its malformed field for GW_DNS_MALFORMED. */
int gw_dns_parse(const uint8_t *msg, size_t len, struct gw_dns_answer *out) GW_MUST_CHECK;

/* "truncated", "label-too-long", ...; NULL for an out-of-range value. */
const char *gw_dns_malformed_name(enum gw_dns_malformed reason);

/* ------------------------------------------------- client payload names */

/* Where a flow's name came from. Names (gw_name_source_name) are stable. */
enum gw_name_source {
	GW_NAME_NONE = 0,
	GW_NAME_SNI = 1,       /* TLS ClientHello server_name */
	GW_NAME_HTTP_HOST = 2, /* HTTP/1.x Host header, or CONNECT's authority */
};

/* What the TLS and HTTP readers found. */
enum gw_client_result {
	GW_CLIENT_FOUND = 0,  /* *out holds the name */
	GW_CLIENT_OTHER = 1,  /* not this protocol (not a TLS handshake record, no HTTP method) */
	GW_CLIENT_ABSENT = 2, /* the protocol, whole, without a name (no SNI, no Host) */
	GW_CLIENT_TRUNCATED = 3, /* the bytes end before the name is whole (snap length, a
	                          * message split across segments) */
	GW_CLIENT_MALFORMED = 4, /* inconsistent lengths, a bad name */
};

/* The SNI host_name of a TLS ClientHello at the start of payload (record type
 * 22, handshake type 1), walking session id, cipher suites, compression and
 * extensions, all within len bytes. A ClientHello cut after its server_name
 * extension still gives the name; cut before or inside it, GW_CLIENT_TRUNCATED.
 * out gets the name (size >= GW_NAME_SIZE for any name) when GW_CLIENT_FOUND.
 * Returns an enum gw_client_result. */
int gw_tls_sni(const uint8_t *payload, size_t len, char *out, size_t size) GW_MUST_CHECK;

/* The host of an HTTP/1.x request at the start of payload (GET, POST, HEAD,
 * PUT, DELETE, OPTIONS, CONNECT, PATCH, TRACE): the Host header (name matched
 * without case, value without surrounding whitespace, port or IPv6 brackets);
 * for CONNECT the request line's authority; without a Host header an
 * absolute-form target's authority. Only lines ended within len count.
 * Returns an enum gw_client_result. */
int gw_http_host(const uint8_t *payload, size_t len, char *out, size_t size) GW_MUST_CHECK;

/* Tries TLS SNI, then HTTP Host, on a flow's first client payload. Returns the
 * enum gw_name_source found (out filled) or GW_NAME_NONE. */
int gw_wirenames_client_name(const uint8_t *payload, size_t len, char *out, size_t size)
        GW_MUST_CHECK;

/* "none", "sni", "http-host"; NULL for an out-of-range value. */
const char *gw_name_source_name(enum gw_name_source source);

/* ------------------------------------------------------ the whole module */

struct gw_wirenames_limits {
	/* --- commonly changed --- */
	uint32_t max_addrs;      /* passive-DNS cache: addresses held at once (65536) */
	uint32_t max_flow_names; /* flow side table: named flows held at once (65536) */
	uint32_t ttl_floor_s;    /* a shorter DNS TTL counts as this long (60) */
	uint32_t ttl_cap_s;      /* a longer DNS TTL counts as this long (86400) */
	uint32_t grace_s;        /* a name stays valid this long past its (clamped) TTL (60) */
	/* --- obscure --- */
	uint8_t names_per_addr; /* names kept per address, newest first (4, 1..GW_WIRENAMES_MAX_NAMES) */
	bool mdns;              /* also learn from mDNS responses, UDP from port 5353 (true) */
	uint64_t hash_seed; /* keys the address hash; pass the run's flow hash seed */
};

/* Fills l with the defaults above. */
void gw_wirenames_limits_init(struct gw_wirenames_limits *l);

struct gw_wirenames_stats {
	/* DNS, per message seen by gw_wirenames_observe_dns */
	uint64_t dns_messages;     /* messages from port 53 (or 5353) offered for parsing */
	uint64_t dns_responses;    /* responses read whole (GW_DNS_OK) */
	uint64_t dns_not_response; /* queries and other opcodes */
	uint64_t dns_error_rcode;  /* responses with RCODE != 0 */
	uint64_t dns_tcp_partial;  /* TCP segments not holding a whole length-prefixed message */
	uint64_t dns_snaplen_cut;  /* messages cut by the capture's snap length */
	uint64_t dns_malformed[GW_DNS_MAL_COUNT]; /* by reason (snap-length cuts excluded) */
	uint64_t dns_records;                     /* A/AAAA/CNAME answers read */
	uint64_t dns_records_dropped; /* answers past GW_DNS_MAX_RECORDS in one message */
	uint64_t dns_unrepresentable; /* answers whose name's text exceeded GW_NAME_MAX */
	/* the passive-DNS cache */
	uint64_t cache_addrs;           /* addresses held now */
	uint64_t cache_inserted;        /* addresses added */
	uint64_t cache_updated;         /* answers that refreshed or extended a held address */
	uint64_t cache_evicted;         /* addresses dropped while still valid, to make room */
	uint64_t cache_expired;         /* addresses dropped after all their names expired */
	uint64_t cache_names_displaced; /* names pushed out by newer ones at names_per_addr */
	uint64_t cache_hits;            /* lookups that gave at least one name */
	uint64_t cache_misses;          /* lookups that gave none */
	uint64_t cache_alloc_failures;  /* names not kept because an allocation failed */
	/* client payload names (gw_wirenames_flow_observe) */
	uint64_t client_sni;       /* first payloads that gave an SNI */
	uint64_t client_http_host; /* first payloads that gave an HTTP host */
	uint64_t client_none;      /* first payloads that gave no name */
	/* the flow side table */
	uint64_t flow_names;          /* named flows held now */
	uint64_t flow_puts;           /* names stored (new or replacing) */
	uint64_t flow_refused_full;   /* puts refused: the table held max_flow_names */
	uint64_t flow_removed;        /* names removed */
	uint64_t flow_alloc_failures; /* puts refused: an allocation failed */
};

struct gw_wirenames;

/* Creates the module with the limits l (copied): the cache's and the side
 * table's memory is bounded by them. The caller owns *out and frees it with
 * gw_wirenames_free. */
int gw_wirenames_new(const struct gw_wirenames_limits *l, struct gw_wirenames **out,
                     struct gw_err *err) GW_MUST_CHECK;
void gw_wirenames_free(struct gw_wirenames *w);

/* Learns from one decoded packet: a UDP or TCP packet from port 53, or (with
 * limits.mdns) a UDP packet from port 5353, is read as DNS (TCP: each whole
 * length-prefixed message in the segment) and every A/AAAA answer puts its
 * address in the cache under the question's name at the head of its CNAME
 * chain and under the name that owns the address, valid from p->ts_us. Any
 * other packet is ignored. Outcomes are counted in the stats. */
void gw_wirenames_observe_dns(struct gw_wirenames *w, const struct gw_packet *p);

/* The names addr had at ts_us (µs since the epoch, a packet time), newest
 * first: up to max pointers into names[]. Returns how many. The strings are
 * borrowed until the next call that changes the cache (observe_dns, a lookup,
 * free). Counts a hit or a miss. */
size_t gw_wirenames_for_addr(struct gw_wirenames *w, const struct gw_addr *addr, int64_t ts_us,
                             const char **names, size_t max);

/* Runs gw_wirenames_client_name on a flow's first client payload and, when it
 * gives a name, puts it in the side table under seq. Returns the source found. */
enum gw_name_source gw_wirenames_flow_observe(struct gw_wirenames *w, uint64_t seq,
                                              const uint8_t *payload, size_t len);

/* The side table. put copies name (at most GW_NAME_MAX characters) under seq,
 * replacing any name seq had: GW_EINVAL for seq 0, an empty or too long name or
 * GW_NAME_NONE, GW_ENOMEM when the table is full or memory ran out. */
int gw_wirenames_flow_put(struct gw_wirenames *w, uint64_t seq, enum gw_name_source source,
                          const char *name) GW_MUST_CHECK;

/* The source of seq's name (GW_NAME_NONE if it has none) and, through *name
 * when not NULL, the name: borrowed until seq's entry is replaced or removed. */
enum gw_name_source gw_wirenames_flow_get(const struct gw_wirenames *w, uint64_t seq,
                                          const char **name);

/* Forgets seq's name (the engine calls it when the flow ends); no-op if none. */
void gw_wirenames_flow_remove(struct gw_wirenames *w, uint64_t seq);

/* The counters, current as of the call; borrowed until w is freed. */
const struct gw_wirenames_stats *gw_wirenames_stats(struct gw_wirenames *w);

#endif
