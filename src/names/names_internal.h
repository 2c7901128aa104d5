/* names_internal.h — the pieces of the wire-names module shared inside
 * src/names/: the name text writer every parser uses (lowercase, escapes, the
 * length bound), the passive-DNS cache and the flow side table. */
#ifndef GHOSTWIRE_NAMES_INTERNAL_H
#define GHOSTWIRE_NAMES_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ghostwire/wirenames.h"

/* Writes a name's text into a caller's buffer, one wire byte at a time: ASCII
 * letters lowercased, unsafe bytes as \DDD. Never writes past the buffer; a
 * name that does not fit (or exceeds GW_NAME_MAX) marks `overflow`. */
struct gw__name_text {
	char *out;
	size_t cap; /* characters that fit, NUL excluded (<= GW_NAME_MAX) */
	size_t len;
	bool overflow;
};

void gw__name_text_init(struct gw__name_text *t, char *out, size_t size);

/* Appends byte b; escape_dot writes '.' as \046 (a dot inside a DNS label). */
void gw__name_text_byte(struct gw__name_text *t, uint8_t b, bool escape_dot);

/* Strips trailing dots, terminates the text and says whether it is whole
 * and not empty. On false, out holds "". */
bool gw__name_text_finish(struct gw__name_text *t);

/* The passive-DNS cache: address → up to names_per_addr names, each valid
 * until a packet time. Bounded by max_addrs; the oldest-updated address (or an
 * expired one near it) makes room. Counters go to the stats given at creation. */
struct gw__pdns;

int gw__pdns_new(const struct gw_wirenames_limits *l, struct gw_wirenames_stats *stats,
                 struct gw__pdns **out) GW_MUST_CHECK;
void gw__pdns_free(struct gw__pdns *c);

/* Records that addr had name at ts_us with the DNS ttl ttl_s (clamped and
 * extended by the limits' floor, cap and grace). */
void gw__pdns_learn(struct gw__pdns *c, const struct gw_addr *addr, const char *name,
                    uint32_t ttl_s, int64_t ts_us);

/* Up to max of addr's names valid at ts_us, newest first; borrowed until the
 * next learn or lookup. */
size_t gw__pdns_lookup(struct gw__pdns *c, const struct gw_addr *addr, int64_t ts_us,
                       const char **names, size_t max);

/* The flow side table: seq → one name and its source, open addressing over a
 * fixed array; at most `capacity` entries. */
struct gw__flownames;

int gw__flownames_new(uint32_t capacity, struct gw_wirenames_stats *stats,
                      struct gw__flownames **out) GW_MUST_CHECK;
void gw__flownames_free(struct gw__flownames *t);
int gw__flownames_put(struct gw__flownames *t, uint64_t seq, enum gw_name_source source,
                      const char *name) GW_MUST_CHECK;
enum gw_name_source gw__flownames_get(const struct gw__flownames *t, uint64_t seq,
                                      const char **name);
void gw__flownames_remove(struct gw__flownames *t, uint64_t seq);

#endif
