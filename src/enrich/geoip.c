/* enrich/geoip.c — the open MaxMind DB files and the lookup cache: owns every
 * MMDB_s from gw_geoip_new to gw_geoip_free, decides which database answers
 * which field, keeps libmaxminddb's errors from ever reaching past a lookup,
 * and keeps the lookup cache and its counters. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include <maxminddb.h>

#include "ghostwire/geoip.h"
#include "ghostwire/random.h"

#define MAX_CACHE_ENTRIES (1u << 20) /* 128 MiB of cache at most */

struct db {
	MMDB_s mmdb;
	char *path;
	char type[128];        /* database_type, made printable */
	char description[512]; /* made printable */
};

struct slot {
	bool used;
	struct gw_addr key; /* normalised: v4-mapped addresses as IPv4 */
	struct gw_geoip_result r;
};

/* The cache is two-way set-associative: an address may sit in either way of
 * its set, and a new one replaces the way used less recently. */
struct set {
	struct slot way[2];
	uint8_t recent; /* the way hit or filled last */
};

struct gw_geoip {
	struct db dbs[GW_GEOIP_MAX_DBS];
	size_t n;
	struct set *cache; /* NULL without a cache */
	uint32_t mask;     /* sets - 1 (a power of two) */
	uint64_t seed;
	bool special_lookup;
	struct gw_geoip_stats st;
};

/* --- text from a database: bounded, valid, printable UTF-8 ------------------ */

/* Length of the valid UTF-8 sequence at p (avail bytes), 0 if invalid. */
static size_t utf8_len(const uint8_t *p, size_t avail)
{
	uint8_t c = p[0];
	size_t n = c < 0x80                 ? 1
	           : c >= 0xc2 && c <= 0xdf ? 2
	           : c >= 0xe0 && c <= 0xef ? 3
	           : c >= 0xf0 && c <= 0xf4 ? 4
	                                    : 0;
	if (n == 0 || n > avail)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] > 0x9f) ||
	    (c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] > 0x8f))
		return 0; /* overlong, surrogate, or beyond U+10FFFF */
	return n;
}

/* Copies len bytes of untrusted text into dst (size > 0) as printable UTF-8:
 * invalid bytes and control characters become '?', and the copy ends before a
 * character that would not fit. */
static void copy_text(char *dst, size_t size, const char *src, size_t len)
{
	const uint8_t *p = (const uint8_t *)src;
	size_t o = 0, i = 0;
	while (i < len) {
		size_t n = utf8_len(p + i, len - i);
		bool bad = n == 0 || (n == 1 && (p[i] < 0x20 || p[i] == 0x7f));
		size_t w = bad ? 1 : n;
		if (o + w >= size)
			break;
		if (bad)
			dst[o] = '?';
		else
			memcpy(dst + o, p + i, n);
		o += w;
		i += bad ? 1 : n;
	}
	dst[o] = '\0';
}

/* --- reading one database ---------------------------------------------------- */

static int corrupt(const struct db *d, int status, struct gw_err *err)
{
	return gw_err_set(err, GW_EFORMAT, "%s: corrupt GeoIP database: %s", d->path,
	                  MMDB_strerror(status));
}

/* Looks path up in entry e: 1 with *out filled when present with type `type`,
 * 0 when absent or of another type, negative when the data is corrupt. */
static int get_typed(const struct db *d, MMDB_entry_s *e, const char *const *path, uint32_t type,
                     MMDB_entry_data_s *out, struct gw_err *err)
{
	int status = MMDB_aget_value(e, out, path);
	if (status == MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR ||
	    status == MMDB_INVALID_LOOKUP_PATH_ERROR)
		return 0;
	if (status != MMDB_SUCCESS)
		return corrupt(d, status, err);
	return out->has_data && out->type == type;
}

static bool is_country_code(const MMDB_entry_data_s *v)
{
	return v->data_size == 2 && v->utf8_string[0] >= 'A' && v->utf8_string[0] <= 'Z' &&
	       v->utf8_string[1] >= 'A' && v->utf8_string[1] <= 'Z';
}

/* country.iso_code, else registered_country.iso_code (GeoLite2 has only the
 * latter for some anycast and satellite networks). */
static int get_country(const struct db *d, MMDB_entry_s *e, char cc[3], struct gw_err *err)
{
	static const char *const paths[][3] = {
	        {"country", "iso_code", NULL},
	        {"registered_country", "iso_code", NULL},
	};
	for (size_t i = 0; i < 2; i++) {
		MMDB_entry_data_s v;
		int rc = get_typed(d, e, paths[i], MMDB_DATA_TYPE_UTF8_STRING, &v, err);
		if (rc < 0)
			return rc;
		if (rc == 1 && is_country_code(&v)) {
			memcpy(cc, v.utf8_string, 2);
			cc[2] = '\0';
			return 0;
		}
	}
	return 0;
}

/* The AS number, whatever unsigned type the writer chose; 0 when absent. */
static int get_asn(const struct db *d, MMDB_entry_s *e, uint32_t *asn, struct gw_err *err)
{
	static const char *const path[] = {"autonomous_system_number", NULL};
	MMDB_entry_data_s v;
	int status = MMDB_aget_value(e, &v, path);
	if (status == MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR)
		return 0;
	if (status != MMDB_SUCCESS)
		return corrupt(d, status, err);
	if (!v.has_data)
		return 0;
	if (v.type == MMDB_DATA_TYPE_UINT32)
		*asn = v.uint32;
	else if (v.type == MMDB_DATA_TYPE_UINT16)
		*asn = v.uint16;
	else if (v.type == MMDB_DATA_TYPE_UINT64 && v.uint64 <= UINT32_MAX)
		*asn = (uint32_t)v.uint64;
	else if (v.type == MMDB_DATA_TYPE_INT32 && v.int32 > 0)
		*asn = (uint32_t)v.int32;
	return 0;
}

static int get_org(const struct db *d, MMDB_entry_s *e, char *org, struct gw_err *err)
{
	static const char *const path[] = {"autonomous_system_organization", NULL};
	MMDB_entry_data_s v;
	int rc = get_typed(d, e, path, MMDB_DATA_TYPE_UTF8_STRING, &v, err);
	if (rc == 1)
		copy_text(org, GW_GEOIP_ORG_MAX, v.utf8_string, v.data_size);
	return rc < 0 ? rc : 0;
}

static int get_flags(const struct db *d, MMDB_entry_s *e, uint32_t *flags, struct gw_err *err)
{
	static const char *const paths[GW_GEOIP_N_FLAGS][3] = {
	        {"traits", "is_anonymous_proxy", NULL},
	        {"traits", "is_anycast", NULL},
	        {"traits", "is_satellite_provider", NULL},
	        {"traits", "is_drop", NULL},
	};
	for (unsigned i = 0; i < GW_GEOIP_N_FLAGS; i++) {
		MMDB_entry_data_s v;
		int rc = get_typed(d, e, paths[i], MMDB_DATA_TYPE_BOOLEAN, &v, err);
		if (rc < 0)
			return rc;
		if (rc == 1 && v.boolean)
			*flags |= 1u << i;
	}
	return 0;
}

static socklen_t to_sockaddr(const struct gw_addr *a, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof *ss);
	if (a->family == GW_AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, a->bytes, 4);
		return sizeof *s4;
	}
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	s6->sin6_family = AF_INET6;
	memcpy(&s6->sin6_addr, a->bytes, 16);
	return sizeof *s6;
}

/* Adds what database d knows about a to r: the fields r still lacks, and flags. */
static int db_lookup(const struct db *d, const struct gw_addr *a, struct gw_geoip_result *r,
                     struct gw_err *err)
{
	struct sockaddr_storage ss;
	to_sockaddr(a, &ss);
	int status;
	MMDB_lookup_result_s res = MMDB_lookup_sockaddr(&d->mmdb, (struct sockaddr *)&ss, &status);
	if (status == MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR)
		return 0;
	if (status != MMDB_SUCCESS)
		return corrupt(d, status, err);
	if (!res.found_entry)
		return 0;
	int rc = 0;
	if (!r->country[0])
		rc = get_country(d, &res.entry, r->country, err);
	if (rc == 0 && r->asn == 0) {
		rc = get_asn(d, &res.entry, &r->asn, err);
		if (rc == 0 && r->asn)
			rc = get_org(d, &res.entry, r->as_org, err);
	}
	if (rc == 0)
		rc = get_flags(d, &res.entry, &r->flags, err);
	return rc;
}

/* --- opening ----------------------------------------------------------------- */

static const char *english_description(const MMDB_metadata_s *m)
{
	const char *first = NULL;
	for (size_t i = 0; i < m->description.count; i++) {
		const MMDB_description_s *d = m->description.descriptions[i];
		if (!d || !d->description)
			continue;
		if (d->language && strcmp(d->language, "en") == 0)
			return d->description;
		if (!first)
			first = d->description;
	}
	return first ? first : "";
}

static int open_error(const char *path, int status, int errnum, struct gw_err *err)
{
	switch (status) {
	case MMDB_FILE_OPEN_ERROR:
		return gw_err_set(err,
		                  errnum == ENOENT   ? GW_ENOENT
		                  : errnum == EACCES ? GW_EPERM
		                                     : GW_EIO,
		                  "%s: cannot open GeoIP database: %s", path, strerror(errnum));
	case MMDB_IO_ERROR:
		return gw_err_set(err, GW_EIO, "%s: cannot read GeoIP database: %s", path,
		                  strerror(errnum));
	case MMDB_OUT_OF_MEMORY_ERROR:
		return gw_err_set(err, GW_ENOMEM, "%s: out of memory opening GeoIP database", path);
	default:
		return gw_err_set(err, GW_EFORMAT, "%s: not a usable MaxMind DB file: %s", path,
		                  MMDB_strerror(status));
	}
}

static int db_open(struct db *d, const char *path, struct gw_err *err)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return open_error(path, MMDB_FILE_OPEN_ERROR, errno, err);
	if (!S_ISREG(st.st_mode))
		return gw_err_set(err, GW_EINVAL, "%s: GeoIP database is not a regular file", path);
	d->path = strdup(path);
	if (!d->path)
		return gw_err_set(err, GW_ENOMEM, "%s: out of memory", path);
	errno = 0;
	int status = MMDB_open(path, MMDB_MODE_MMAP, &d->mmdb);
	if (status != MMDB_SUCCESS) {
		int rc = open_error(path, status, errno, err);
		free(d->path);
		d->path = NULL;
		return rc;
	}
	const MMDB_metadata_s *m = &d->mmdb.metadata;
	const char *type = m->database_type ? m->database_type : "";
	copy_text(d->type, sizeof d->type, type, strlen(type));
	const char *desc = english_description(m);
	copy_text(d->description, sizeof d->description, desc, strlen(desc));
	return 0;
}

static int cache_init(struct gw_geoip *g, uint32_t entries, uint64_t seed, struct gw_err *err)
{
	if (entries == 0)
		return 0;
	if (entries > MAX_CACHE_ENTRIES)
		return gw_err_set(err, GW_EINVAL,
		                  "GeoIP cache of %u entries is too large (at most %u)", entries,
		                  MAX_CACHE_ENTRIES);
	uint32_t n = 2;
	while (n < entries)
		n <<= 1;
	g->cache = calloc(n / 2, sizeof *g->cache);
	if (!g->cache)
		return gw_err_set(err, GW_ENOMEM, "GeoIP cache of %u entries: out of memory", n);
	g->mask = n / 2 - 1;
	g->seed = seed ? seed : gw_random_seed();
	return 0;
}

struct gw_geoip *gw_geoip_new(const char *const *paths, size_t n, const struct gw_options *o,
                              struct gw_err *err)
{
	if (n > GW_GEOIP_MAX_DBS) {
		gw_err_set(err, GW_EINVAL, "too many GeoIP databases: %zu (at most %d)", n,
		           GW_GEOIP_MAX_DBS);
		return NULL;
	}
	struct gw_geoip *g = calloc(1, sizeof *g);
	if (!g) {
		gw_err_set(err, GW_ENOMEM, "GeoIP: out of memory");
		return NULL;
	}
	g->special_lookup = o->geoip_db_special;
	if (cache_init(g, o->geoip_cache, o->hash_seed, err) < 0) {
		gw_geoip_free(g);
		return NULL;
	}
	for (; g->n < n; g->n++) {
		if (db_open(&g->dbs[g->n], paths[g->n], err) < 0) {
			gw_geoip_free(g);
			return NULL;
		}
	}
	return g;
}

void gw_geoip_free(struct gw_geoip *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->n; i++) {
		MMDB_close(&g->dbs[i].mmdb);
		free(g->dbs[i].path);
	}
	free(g->cache);
	free(g);
}

/* --- lookups ----------------------------------------------------------------- */

__extension__ typedef unsigned __int128 gw_u128;

static inline uint64_t mum(uint64_t a, uint64_t b)
{
	gw_u128 r = (gw_u128)a * b;
	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

/* The cache set of a: keyed, so no one can aim many addresses at one set. */
static struct set *cache_set(const struct gw_geoip *g, const struct gw_addr *a)
{
	uint64_t lo, hi;
	memcpy(&lo, a->bytes, 8);
	memcpy(&hi, a->bytes + 8, 8);
	uint64_t h = mum(lo ^ g->seed ^ 0xa0761d6478bd642fULL, hi ^ 0xe7037ed1a0b428dbULL);
	h = mum(h ^ a->family, (g->seed ^ 0x8ebc6af09c88c6e3ULL) | 1);
	return &g->cache[h & g->mask];
}

static const struct slot *cache_find(struct set *s, const struct gw_addr *a)
{
	for (uint8_t w = 0; w < 2; w++) {
		if (s->way[w].used && gw_addr_equal(&s->way[w].key, a)) {
			s->recent = w;
			return &s->way[w];
		}
	}
	return NULL;
}

static void cache_store(struct gw_geoip *g, struct set *s, const struct gw_addr *a,
                        const struct gw_geoip_result *r)
{
	uint8_t w = !s->way[0].used ? 0 : !s->way[1].used ? 1 : (uint8_t)!s->recent;
	if (s->way[w].used)
		g->st.replaced++;
	s->way[w] = (struct slot){.used = true, .key = *a, .r = *r};
	s->recent = w;
}

/* An IPv4-mapped IPv6 address (::ffff:a.b.c.d) as the IPv4 address it maps. */
static void normalise(const struct gw_addr *a, struct gw_addr *out)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (a->family == GW_AF_INET6 && memcmp(a->bytes, mapped, 12) == 0)
		gw_addr_set4(out, a->bytes + 12);
	else
		*out = *a;
}

static int ask_databases(struct gw_geoip *g, const struct gw_addr *a, struct gw_geoip_result *r,
                         struct gw_err *err)
{
	for (size_t i = 0; i < g->n; i++) {
		int rc = db_lookup(&g->dbs[i], a, r, err);
		if (rc < 0) {
			g->st.errors++;
			uint8_t special = r->special;
			memset(r, 0, sizeof *r);
			r->special = special;
			return rc;
		}
	}
	return 0;
}

int gw_geoip_lookup(struct gw_geoip *g, const struct gw_addr *a, struct gw_geoip_result *out,
                    struct gw_err *err)
{
	memset(out, 0, sizeof *out);
	if (a->family != GW_AF_INET && a->family != GW_AF_INET6)
		return gw_err_set(err, GW_EINVAL, "GeoIP lookup of an address of no family");
	struct gw_addr k;
	normalise(a, &k);
	g->st.lookups++;
	out->special = (uint8_t)gw_geoip_special_of(&k);
	if (out->special != GW_GEOIP_PUBLIC) {
		g->st.special++;
		if (!g->special_lookup)
			return 0;
	}
	if (g->n == 0)
		return 0;
	struct set *set = g->cache ? cache_set(g, &k) : NULL;
	const struct slot *hit = set ? cache_find(set, &k) : NULL;
	if (hit) {
		g->st.hits++;
		*out = hit->r;
		return 0;
	}
	g->st.misses++;
	int rc = ask_databases(g, &k, out, err);
	if (rc == 0 && set)
		cache_store(g, set, &k, out);
	return rc;
}

void gw_geoip_stats(const struct gw_geoip *g, struct gw_geoip_stats *out)
{
	*out = g->st;
}

size_t gw_geoip_count(const struct gw_geoip *g)
{
	return g->n;
}

void gw_geoip_info(const struct gw_geoip *g, size_t i, struct gw_geoip_info *out)
{
	const struct db *d = &g->dbs[i];
	out->path = d->path;
	out->type = d->type;
	out->description = d->description;
	out->build_epoch = d->mmdb.metadata.build_epoch;
	out->bundled = strcmp(d->type, GW_GEOIP_BUNDLED_TYPE) == 0;
}

const char *gw_geoip_lib_version(void)
{
	return MMDB_lib_version();
}
