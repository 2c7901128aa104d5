/* geoip.h — where an address is and who runs it: country, AS number and AS
 * organisation from one or more MaxMind DB files (libmaxminddb), network flags
 * (anonymous proxy, anycast, satellite provider, drop), special ranges
 * (private, CGNAT, loopback, documentation, ...) labelled without a database,
 * a bounded lookup cache, and the discovery of the default database files.
 * Formats and discovery order: docs/geoip.md. */
#ifndef GHOSTWIRE_GEOIP_H
#define GHOSTWIRE_GEOIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ghostwire/addr.h"
#include "ghostwire/err.h"
#include "ghostwire/options.h"

#define GW_GEOIP_MAX_DBS  8   /* database files open at once */
#define GW_GEOIP_ORG_MAX  96  /* as_org, NUL included */
#define GW_GEOIP_PATH_MAX 512 /* a discovered file's path, NUL included */

/* What kind of range an address is in; GW_GEOIP_PUBLIC for all the others. */
enum gw_geoip_special {
	GW_GEOIP_PUBLIC = 0,
	GW_GEOIP_UNSPECIFIED, /* 0.0.0.0, :: */
	GW_GEOIP_RESERVED,    /* 0/8, 192.0.0/24, 240/4, ::/8, 100::/64 */
	GW_GEOIP_PRIVATE,     /* RFC 1918 */
	GW_GEOIP_CGNAT,       /* 100.64/10 (RFC 6598) */
	GW_GEOIP_LOOPBACK,    /* 127/8, ::1 */
	GW_GEOIP_LINK_LOCAL,  /* 169.254/16, fe80::/10 */
	GW_GEOIP_DOCUMENTATION, /* 192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32, 3fff::/20 */
	GW_GEOIP_BENCHMARKING, /* 198.18/15 */
	GW_GEOIP_MULTICAST,    /* 224/4, ff00::/8 */
	GW_GEOIP_BROADCAST,    /* 255.255.255.255 */
	GW_GEOIP_ULA,          /* fc00::/7 */
	GW_GEOIP_TEREDO,       /* 2001::/32: a database would answer for the Teredo server */
};

/* Network flags, as bits of gw_geoip_result.flags. */
enum gw_geoip_flag {
	GW_GEOIP_F_ANONYMOUS_PROXY = 1u << 0, /* traits.is_anonymous_proxy */
	GW_GEOIP_F_ANYCAST = 1u << 1,         /* traits.is_anycast */
	GW_GEOIP_F_SATELLITE = 1u << 2,       /* traits.is_satellite_provider */
	GW_GEOIP_F_DROP = 1u << 3,            /* traits.is_drop: libloc's "drop" (hijacked, spam) */
};
#define GW_GEOIP_N_FLAGS 4

/* The answer for one address: a plain value, copied freely. */
struct gw_geoip_result {
	uint8_t special;               /* enum gw_geoip_special */
	char country[3];               /* ISO 3166-1 alpha-2 (two capitals), "" when unknown */
	uint32_t asn;                  /* autonomous system number, 0 when unknown */
	uint32_t flags;                /* enum gw_geoip_flag bits */
	char as_org[GW_GEOIP_ORG_MAX]; /* AS organisation: printable UTF-8, maybe
	                                * truncated; "" when unknown */
};

struct gw_geoip_stats {
	uint64_t lookups;  /* gw_geoip_lookup calls */
	uint64_t special;  /* answered as a special range, without a database */
	uint64_t hits;     /* answered from the cache */
	uint64_t misses;   /* asked the databases */
	uint64_t replaced; /* cache entries overwritten by another address */
	uint64_t errors;   /* lookups that failed on a corrupt database */
};

/* What a database file says about itself (its MaxMind DB metadata). */
struct gw_geoip_info {
	const char *path;        /* as opened */
	const char *type;        /* database_type, e.g. "GeoLite2-City" */
	const char *description; /* the English (else the first) description, or "" */
	uint64_t build_epoch;    /* when the data was made, seconds since the epoch */
	bool bundled;            /* ghostwire's own database (type GW_GEOIP_BUNDLED_TYPE) */
};

/* database_type of the database scripts/build_geoip_db.pl builds from libloc. */
#define GW_GEOIP_BUNDLED_TYPE "ghostwire-IPFire-Location"

struct gw_geoip;

/* Opens the n database files (n <= GW_GEOIP_MAX_DBS), in order of preference:
 * a field is taken from the first that has it (country; AS number and
 * organisation together), flags from all of them. n == 0 gives an object that
 * labels special ranges and knows nothing else. Cache size, hash key and
 * whether special ranges are looked up too come from o (geoip_cache,
 * hash_seed, geoip_db_special). A file that is missing, unreadable or not
 * a MaxMind DB is an error naming it; the paths are copied. NULL on error. */
struct gw_geoip *gw_geoip_new(const char *const *paths, size_t n, const struct gw_options *o,
                              struct gw_err *err);
void gw_geoip_free(struct gw_geoip *g);

/* Fills out for address a (an IPv4-mapped IPv6 address counts as IPv4). A
 * special range is answered from a built-in table (and, only with
 * o->geoip_db_special, from the databases as well); other addresses from
 * the cache or the databases. An address no database knows gives an empty
 * answer and 0. A corrupt database is an error naming the file, never a crash.
 * Not thread-safe: the cache belongs to g. */
int gw_geoip_lookup(struct gw_geoip *g, const struct gw_addr *a, struct gw_geoip_result *out,
                    struct gw_err *err) GW_MUST_CHECK;

/* The special range a is in, GW_GEOIP_PUBLIC if none (no database needed). */
enum gw_geoip_special gw_geoip_special_of(const struct gw_addr *a);

void gw_geoip_stats(const struct gw_geoip *g, struct gw_geoip_stats *out);

/* Number of database files open, and what file i (< count) says about itself;
 * the strings are borrowed until gw_geoip_free. */
size_t gw_geoip_count(const struct gw_geoip *g);
void gw_geoip_info(const struct gw_geoip *g, size_t i, struct gw_geoip_info *out);

/* libmaxminddb's version, e.g. "1.7.1". */
const char *gw_geoip_lib_version(void);

/* "private", "cgnat", ...; "public" for GW_GEOIP_PUBLIC. Never NULL. */
const char *gw_geoip_special_name(enum gw_geoip_special s);
/* "anonymous-proxy", "anycast", "satellite", "drop" for one flag bit, else NULL. */
const char *gw_geoip_flag_name(uint32_t flag);

/* What a report says about an address, into buf; returns buf:
 * "documentation", "AU  AS13335 CLOUDFLARENET  anycast", "CN", "--  AS112"
 * ("--" where the country is unknown), or "unknown". Fields are separated by
 * two spaces; truncated to size. */
char *gw_geoip_format(const struct gw_geoip_result *r, char *buf, size_t size);

/* Where the default databases are looked for. */
struct gw_geoip_search {
	const char *bundled[2]; /* the bundled database: installed, then in the build tree */
	size_t n_bundled;       /* 0 when ghostwire was built without one */
	const char *dirs[4];    /* then GeoLite2-*, GeoIP2-* and dbip-*.mmdb in these */
	size_t n_dirs;
};

/* The compiled-in search: the bundled database (when built), then
 * /usr/share/GeoIP and /var/lib/GeoIP. */
void gw_geoip_search_default(struct gw_geoip_search *s);

/* The databases to use when none was named: the first bundled candidate that
 * exists, else the matching files of the first directory that has any (City
 * and Country files before ASN ones, then by name; at most GW_GEOIP_MAX_DBS).
 * Fills paths and returns how many (0: none found). */
size_t gw_geoip_discover(const struct gw_geoip_search *s,
                         char paths[GW_GEOIP_MAX_DBS][GW_GEOIP_PATH_MAX]);

#endif
