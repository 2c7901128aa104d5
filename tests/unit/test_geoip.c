/* test_geoip.c — GeoIP lookups on the committed test databases of
 * tests/fixtures/geoip/ (documentation ranges): IPv4, IPv6, v4-mapped, special
 * ranges, the cache, databases combined, discovery, and errors on missing,
 * truncated and corrupted files. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ghostwire/geoip.h"

static const char *fixture(const char *name)
{
	static char buf[4][1024];
	static unsigned next;
	char *b = buf[next++ % 4];
	const char *root = getenv("GW_SOURCE_ROOT");
	snprintf(b, sizeof buf[0], "%s/tests/fixtures/geoip/%s", root ? root : "..", name);
	return b;
}

static struct gw_options opts(bool special_lookup)
{
	struct gw_options o;
	gw_options_init(&o);
	o.hash_seed = 42;
	o.geoip_db_special = special_lookup;
	return o;
}

static struct gw_geoip *open_dbs(const char *a, const char *b, bool special_lookup)
{
	const char *paths[2] = {fixture(a), b ? fixture(b) : NULL};
	struct gw_options o = opts(special_lookup);
	struct gw_err err = {0};
	struct gw_geoip *g = gw_geoip_new(paths, b ? 2 : 1, &o, &err);
	cr_assert(g, "%s", err.msg);
	return g;
}

static struct gw_geoip_result look(struct gw_geoip *g, const char *text)
{
	struct gw_addr a;
	struct gw_geoip_result r;
	struct gw_err err = {0};
	cr_assert_eq(gw_addr_parse(text, &a, NULL), 0, "%s", text);
	cr_assert_eq(gw_geoip_lookup(g, &a, &r, &err), 0, "%s: %s", text, err.msg);
	return r;
}

static void expect(struct gw_geoip *g, const char *ip, const char *cc, uint32_t asn,
                   const char *org, uint32_t flags)
{
	struct gw_geoip_result r = look(g, ip);
	cr_expect_str_eq(r.country, cc, "%s country", ip);
	cr_expect_eq(r.asn, asn, "%s asn %u", ip, r.asn);
	cr_expect_str_eq(r.as_org, org, "%s org", ip);
	cr_expect_eq(r.flags, flags, "%s flags %#x", ip, r.flags);
}

Test(geoip, ipv4)
{
	struct gw_geoip *g = open_dbs("ghostwire.mmdb", NULL, true);
	expect(g, "192.0.2.1", "AU", 64496, "Example Net A", GW_GEOIP_F_ANYCAST);
	expect(g, "192.0.2.200", "NZ", 64497, "Example Net B", 0); /* the more specific /25 */
	expect(g, "198.51.100.9", "DE", 64498, "Exämple GmbH", GW_GEOIP_F_SATELLITE);
	expect(g, "203.0.113.1", "JP", 0, "", GW_GEOIP_F_ANONYMOUS_PROXY | GW_GEOIP_F_DROP);
	expect(g, "10.0.0.1", "", 0, "", 0); /* not in the database */
	cr_expect_eq(look(g, "192.0.2.1").special, GW_GEOIP_DOCUMENTATION);
	gw_geoip_free(g);
}

Test(geoip, ipv6)
{
	struct gw_geoip *g = open_dbs("ghostwire.mmdb", NULL, true);
	expect(g, "2001:db8::5", "FR", 64499, "Example v6", 0);
	expect(g, "2001:db8:1::1", "BE", 65536, "Example v6 B", GW_GEOIP_F_ANYCAST);
	expect(g, "2001:db8:3::1", "", 65538, "", 0); /* "zz" is no country code */
	expect(g, "2001:db9::1", "", 0, "", 0);
	gw_geoip_free(g);
}

Test(geoip, hostile_org_is_printable_and_bounded)
{
	struct gw_geoip *g = open_dbs("ghostwire.mmdb", NULL, true);
	struct gw_geoip_result r = look(g, "2001:db8:2::1");
	cr_expect_eq(r.asn, 65537);
	cr_expect_str_eq(r.country, "");
	cr_expect(strncmp(r.as_org, "Esc?[31mape? and a name", 23) == 0, "%s", r.as_org);
	cr_expect_eq(strlen(r.as_org), GW_GEOIP_ORG_MAX - 1);
	gw_geoip_free(g);
}

Test(geoip, v4_mapped_is_ipv4)
{
	struct gw_geoip *g = open_dbs("ghostwire.mmdb", NULL, true);
	expect(g, "::ffff:192.0.2.1", "AU", 64496, "Example Net A", GW_GEOIP_F_ANYCAST);
	expect(g, "::ffff:198.51.100.1", "DE", 64498, "Exämple GmbH", GW_GEOIP_F_SATELLITE);
	struct gw_addr a;
	cr_assert_eq(gw_addr_parse("::ffff:10.1.2.3", &a, NULL), 0);
	cr_expect_eq(gw_geoip_special_of(&a), GW_GEOIP_PRIVATE);
	gw_geoip_free(g);
}

Test(geoip, special_ranges)
{
	static const struct {
		const char *ip, *label;
	} cases[] = {
	        {"10.1.2.3", "private"},
	        {"172.16.0.1", "private"},
	        {"172.31.255.255", "private"},
	        {"172.32.0.1", "public"},
	        {"192.168.7.7", "private"},
	        {"100.64.0.1", "cgnat"},
	        {"100.127.255.255", "cgnat"},
	        {"100.128.0.1", "public"},
	        {"127.0.0.1", "loopback"},
	        {"169.254.9.9", "link-local"},
	        {"192.0.2.5", "documentation"},
	        {"198.51.100.5", "documentation"},
	        {"203.0.113.5", "documentation"},
	        {"224.0.0.1", "multicast"},
	        {"239.255.255.255", "multicast"},
	        {"0.0.0.0", "unspecified"},
	        {"0.1.2.3", "reserved"},
	        {"255.255.255.255", "broadcast"},
	        {"240.0.0.1", "reserved"},
	        {"198.19.0.1", "benchmarking"},
	        {"8.8.8.8", "public"},
	        {"::", "unspecified"},
	        {"::1", "loopback"},
	        {"fe80::1", "link-local"},
	        {"fc00::1", "ula"},
	        {"fd12:3456::1", "ula"},
	        {"ff02::1", "multicast"},
	        {"2001:db8::1", "documentation"},
	        {"2001::1", "teredo"},
	        {"3fff::1", "documentation"},
	        {"::ffff:127.0.0.1", "loopback"},
	        {"2a00:1450::1", "public"},
	};
	struct gw_options o = opts(false);
	struct gw_geoip *g = gw_geoip_new((const char *[]){fixture("ghostwire.mmdb")}, 1, &o, NULL);
	cr_assert(g);
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct gw_geoip_result r = look(g, cases[i].ip);
		cr_expect_str_eq(gw_geoip_special_name(r.special), cases[i].label, "%s",
		                 cases[i].ip);
	}
	/* Labelled without the database: 192.0.2.1 is in it, but not asked. */
	struct gw_geoip_result r = look(g, "192.0.2.1");
	cr_expect_str_eq(r.country, "");
	cr_expect_eq(r.asn, 0);
	struct gw_geoip_stats st;
	gw_geoip_stats(g, &st);
	cr_expect_eq(st.misses, 4, "only the four public addresses are asked: %llu",
	             (unsigned long long)st.misses);
	gw_geoip_free(g);
}

Test(geoip, no_database_labels_special_ranges)
{
	struct gw_options o = opts(false);
	struct gw_geoip *g = gw_geoip_new(NULL, 0, &o, NULL);
	cr_assert(g);
	cr_expect_eq(gw_geoip_count(g), 0);
	cr_expect_eq(look(g, "10.0.0.1").special, GW_GEOIP_PRIVATE);
	struct gw_geoip_result r = look(g, "1.1.1.1");
	cr_expect_eq(r.special, GW_GEOIP_PUBLIC);
	cr_expect_str_eq(r.country, "");
	gw_geoip_free(g);
}

Test(geoip, cache_hits_and_misses)
{
	struct gw_geoip *g = open_dbs("ghostwire.mmdb", NULL, true);
	struct gw_geoip_result a = look(g, "192.0.2.1");
	struct gw_geoip_result b = look(g, "192.0.2.1");
	struct gw_geoip_result c = look(g, "::ffff:192.0.2.1"); /* the same key */
	cr_expect_eq(memcmp(&a, &b, sizeof a), 0);
	cr_expect_eq(memcmp(&a, &c, sizeof a), 0);
	look(g, "2001:db9::1"); /* an unknown address is cached too */
	look(g, "2001:db9::1");
	struct gw_geoip_stats st;
	gw_geoip_stats(g, &st);
	cr_expect_eq(st.lookups, 5);
	cr_expect_eq(st.misses, 2);
	cr_expect_eq(st.hits, 3);
	cr_expect_eq(st.replaced, 0);
	cr_expect_eq(st.special, 3);
	gw_geoip_free(g);
}

Test(geoip, cache_replacement_is_counted)
{
	struct gw_options o = opts(true);
	o.geoip_cache = 1; /* one set of two ways */
	struct gw_geoip *g = gw_geoip_new((const char *[]){fixture("ghostwire.mmdb")}, 1, &o, NULL);
	cr_assert(g);
	for (int i = 0; i < 3; i++) { /* three addresses in turn: the least recent goes */
		expect(g, "192.0.2.1", "AU", 64496, "Example Net A", GW_GEOIP_F_ANYCAST);
		expect(g, "2001:db8::1", "FR", 64499, "Example v6", 0);
		expect(g, "198.51.100.1", "DE", 64498, "Exämple GmbH", GW_GEOIP_F_SATELLITE);
	}
	struct gw_geoip_stats st;
	gw_geoip_stats(g, &st);
	cr_expect_eq(st.hits, 0);
	cr_expect_eq(st.misses, 9);
	cr_expect_eq(st.replaced, 7);
	/* Two addresses fit: the one hit last stays when a third comes. */
	expect(g, "192.0.2.1", "AU", 64496, "Example Net A", GW_GEOIP_F_ANYCAST);     /* replaces */
	expect(g, "198.51.100.1", "DE", 64498, "Exämple GmbH", GW_GEOIP_F_SATELLITE); /* hit */
	expect(g, "192.0.2.1", "AU", 64496, "Example Net A", GW_GEOIP_F_ANYCAST);     /* hit */
	expect(g, "2001:db8::1", "FR", 64499, "Example v6", 0); /* replaces 198.51.100.1 */
	expect(g, "192.0.2.1", "AU", 64496, "Example Net A", GW_GEOIP_F_ANYCAST); /* hit */
	gw_geoip_stats(g, &st);
	cr_expect_eq(st.hits, 3);
	cr_expect_eq(st.misses, 11);
	gw_geoip_free(g);

	o.geoip_cache = 0; /* no cache at all */
	g = gw_geoip_new((const char *[]){fixture("ghostwire.mmdb")}, 1, &o, NULL);
	cr_assert(g);
	expect(g, "192.0.2.1", "AU", 64496, "Example Net A", GW_GEOIP_F_ANYCAST);
	expect(g, "192.0.2.1", "AU", 64496, "Example Net A", GW_GEOIP_F_ANYCAST);
	gw_geoip_stats(g, &st);
	cr_expect_eq(st.hits, 0);
	cr_expect_eq(st.misses, 2);
	gw_geoip_free(g);

	struct gw_err err = {0};
	o.geoip_cache = UINT32_MAX;
	cr_expect_null(gw_geoip_new(NULL, 0, &o, &err));
	cr_expect_eq(err.code, GW_EINVAL);
}

Test(geoip, city_and_asn_combine)
{
	struct gw_geoip *g = open_dbs("city.mmdb", "asn.mmdb", true);
	expect(g, "192.0.2.1", "US", 64510, "ASN-DB Org", GW_GEOIP_F_ANONYMOUS_PROXY);
	expect(g, "198.51.100.1", "SE", 0, "", 0); /* registered_country only */
	expect(g, "203.0.113.1", "", 64511, "ASN-DB Org 2", 0);
	expect(g, "2001:db8::1", "CA", 65551, "ASN-DB v6", 0);
	cr_expect_eq(gw_geoip_count(g), 2);
	gw_geoip_free(g);
}

Test(geoip, first_database_that_has_a_field_gives_it)
{
	struct gw_geoip *g = open_dbs("ghostwire.mmdb", "asn.mmdb", true);
	expect(g, "192.0.2.1", "AU", 64496, "Example Net A", GW_GEOIP_F_ANYCAST);
	expect(g, "203.0.113.1", "JP", 64511, "ASN-DB Org 2",
	       GW_GEOIP_F_ANONYMOUS_PROXY | GW_GEOIP_F_DROP);
	gw_geoip_free(g);

	g = open_dbs("asn.mmdb", "ghostwire.mmdb", true);
	expect(g, "192.0.2.1", "AU", 64510, "ASN-DB Org", GW_GEOIP_F_ANYCAST);
	gw_geoip_free(g);
}

Test(geoip, ipv4_only_database)
{
	struct gw_geoip *g = open_dbs("v4only.mmdb", "ghostwire.mmdb", true);
	expect(g, "198.51.100.1", "NL", 64498, "Exämple GmbH", GW_GEOIP_F_SATELLITE);
	expect(g, "2001:db8::1", "FR", 64499, "Example v6", 0); /* no error from the IPv4 tree */
	gw_geoip_free(g);
}

Test(geoip, metadata)
{
	struct gw_geoip *g = open_dbs("ghostwire.mmdb", "asn.mmdb", false);
	struct gw_geoip_info info;
	gw_geoip_info(g, 0, &info);
	cr_expect_str_eq(info.path, fixture("ghostwire.mmdb"));
	cr_expect_str_eq(info.type, "ghostwire-Test");
	cr_expect_eq(info.build_epoch, 1700000000);
	cr_expect(strstr(info.description, "ghostwire test database") != NULL);
	cr_expect_not(info.bundled);
	gw_geoip_info(g, 1, &info);
	cr_expect_str_eq(info.type, "Test-ASN");
	cr_expect_str_neq(gw_geoip_lib_version(), "");
	gw_geoip_free(g);
}

Test(geoip, format)
{
	char buf[256];
	struct gw_geoip_result r = {.special = GW_GEOIP_DOCUMENTATION};
	cr_expect_str_eq(gw_geoip_format(&r, buf, sizeof buf), "documentation");
	r = (struct gw_geoip_result){.country = "AU", .asn = 13335, .flags = GW_GEOIP_F_ANYCAST};
	strcpy(r.as_org, "Cloudflare, Inc.");
	cr_expect_str_eq(gw_geoip_format(&r, buf, sizeof buf),
	                 "AU  AS13335 Cloudflare, Inc.  anycast");
	r = (struct gw_geoip_result){.asn = 112};
	cr_expect_str_eq(gw_geoip_format(&r, buf, sizeof buf), "--  AS112");
	r = (struct gw_geoip_result){.country = "CN", .flags = GW_GEOIP_F_DROP};
	cr_expect_str_eq(gw_geoip_format(&r, buf, sizeof buf), "CN  drop");
	r = (struct gw_geoip_result){0};
	cr_expect_str_eq(gw_geoip_format(&r, buf, sizeof buf), "unknown");
	r = (struct gw_geoip_result){.country = "AU", .asn = 13335};
	cr_expect_str_eq(gw_geoip_format(&r, buf, 8), "AU  AS1");
	cr_expect_str_eq(gw_geoip_flag_name(GW_GEOIP_F_SATELLITE), "satellite");
	cr_expect_null(gw_geoip_flag_name(1u << 20));
}

Test(geoip, missing_file_names_it)
{
	const char *paths[] = {fixture("ghostwire.mmdb"), "/nonexistent/GeoLite2-City.mmdb"};
	struct gw_options o = opts(false);
	struct gw_err err = {0};
	cr_expect_null(gw_geoip_new(paths, 2, &o, &err));
	cr_expect_eq(err.code, GW_ENOENT);
	cr_expect(strstr(err.msg, "/nonexistent/GeoLite2-City.mmdb") != NULL, "%s", err.msg);

	const char *dir[] = {fixture("")};
	cr_expect_null(gw_geoip_new(dir, 1, &o, &err));
	cr_expect(strstr(err.msg, "not a regular file") != NULL, "%s", err.msg);

	const char *json[] = {fixture("ghostwire.json")};
	cr_expect_null(gw_geoip_new(json, 1, &o, &err));
	cr_expect_eq(err.code, GW_EFORMAT);
	cr_expect(strstr(err.msg, "ghostwire.json") != NULL, "%s", err.msg);

	const char *many[GW_GEOIP_MAX_DBS + 1] = {0};
	cr_expect_null(gw_geoip_new(many, GW_GEOIP_MAX_DBS + 1, &o, &err));
	cr_expect_eq(err.code, GW_EINVAL);
}

static void *slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	cr_assert(f, "%s", path);
	static uint8_t buf[1 << 16];
	*size = fread(buf, 1, sizeof buf, f);
	fclose(f);
	return buf;
}

static void write_file(const char *path, const void *data, size_t size)
{
	FILE *f = fopen(path, "wb");
	cr_assert(f);
	cr_assert_eq(fwrite(data, 1, size, f), size);
	cr_assert_eq(fclose(f), 0);
}

/* Opens path and looks a few addresses up: each step either works or fails
 * with a message naming the file. Returns the number of failed lookups. */
static int probe(const char *path)
{
	static const char *const ips[] = {"192.0.2.1",     "192.0.2.200",      "198.51.100.9",
	                                  "203.0.113.1",   "2001:db8::5",      "2001:db8:1::1",
	                                  "2001:db8:2::1", "::ffff:192.0.2.1", "1.1.1.1"};
	struct gw_options o = opts(true);
	struct gw_err err = {0};
	struct gw_geoip *g = gw_geoip_new(&path, 1, &o, &err);
	if (!g) {
		cr_expect(strstr(err.msg, path) != NULL, "%s", err.msg);
		return -1;
	}
	int failed = 0;
	for (size_t i = 0; i < sizeof ips / sizeof *ips; i++) {
		struct gw_addr a;
		struct gw_geoip_result r;
		cr_assert_eq(gw_addr_parse(ips[i], &a, NULL), 0);
		memset(&err, 0, sizeof err);
		if (gw_geoip_lookup(g, &a, &r, &err) < 0) {
			cr_expect(strstr(err.msg, path) != NULL, "%s", err.msg);
			cr_expect_str_eq(r.country, "");
			failed++;
		}
	}
	gw_geoip_free(g);
	return failed;
}

Test(geoip, truncated_copies_fail_cleanly)
{
	size_t size;
	const uint8_t *db = slurp(fixture("ghostwire.mmdb"), &size);
	char path[] = "/tmp/gw-geoip-XXXXXX";
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	close(fd);
	int refused = 0;
	for (size_t len = 0; len < size; len++) {
		write_file(path, db, len);
		refused += probe(path) != 0;
	}
	unlink(path);
	cr_expect_gt(refused, 0);
}

Test(geoip, corrupted_copies_fail_cleanly)
{
	size_t size;
	const uint8_t *orig = slurp(fixture("ghostwire.mmdb"), &size);
	static uint8_t db[1 << 16];
	char path[] = "/tmp/gw-geoip-XXXXXX";
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	close(fd);
	int failed_lookups = 0;
	for (size_t i = 0; i < size; i++) {
		for (unsigned v = 0; v < 2; v++) {
			memcpy(db, orig, size);
			db[i] = v ? 0xff : (uint8_t)(db[i] ^ 0x5a);
			write_file(path, db, size);
			int rc = probe(path);
			failed_lookups += rc > 0 ? rc : 0;
		}
	}
	unlink(path);
	cr_expect_gt(failed_lookups, 0, "some corruption must be caught at lookup time");
}

/* Inputs that once broke a GeoIP file reader (fuzz_geoip's finds). */
Test(geoip, regressions)
{
	char dir[1024];
	snprintf(dir, sizeof dir, "%s", fixture("regressions"));
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char path[2048];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		probe(path);
	}
	closedir(d);
}

Test(geoip, discover)
{
	char root[] = "/tmp/gw-geoip-dirs-XXXXXX";
	cr_assert(mkdtemp(root));
	char a[1100], b[1100], f[1200];
	snprintf(a, sizeof a, "%s/a", root);
	snprintf(b, sizeof b, "%s/b", root);
	cr_assert_eq(mkdir(a, 0700), 0);
	cr_assert_eq(mkdir(b, 0700), 0);
	const char *names[] = {"GeoLite2-ASN.mmdb", "GeoLite2-City.mmdb", "dbip-country-lite.mmdb",
	                       "notes.txt", "GeoIP.dat"};
	for (size_t i = 0; i < 5; i++) {
		snprintf(f, sizeof f, "%s/%s", b, names[i]);
		write_file(f, "x", 1);
	}
	char paths[GW_GEOIP_MAX_DBS][GW_GEOIP_PATH_MAX];
	struct gw_geoip_search s = {.bundled = {"/nonexistent/ghostwire-location.mmdb"},
	                            .n_bundled = 1,
	                            .dirs = {"/nonexistent", a, b},
	                            .n_dirs = 3};
	cr_assert_eq(gw_geoip_discover(&s, paths), 3);
	snprintf(f, sizeof f, "%s/GeoLite2-City.mmdb", b);
	cr_expect_str_eq(paths[0], f);
	snprintf(f, sizeof f, "%s/dbip-country-lite.mmdb", b);
	cr_expect_str_eq(paths[1], f);
	snprintf(f, sizeof f, "%s/GeoLite2-ASN.mmdb", b);
	cr_expect_str_eq(paths[2], f);

	/* The bundled database comes first when it is there. */
	s.bundled[1] = f;
	s.n_bundled = 2;
	cr_assert_eq(gw_geoip_discover(&s, paths), 1);
	cr_expect_str_eq(paths[0], f);

	s.n_bundled = 0;
	s.n_dirs = 2;
	cr_expect_eq(gw_geoip_discover(&s, paths), 0);
	for (size_t i = 0; i < 5; i++) {
		snprintf(f, sizeof f, "%s/%s", b, names[i]);
		unlink(f);
	}
	rmdir(a);
	rmdir(b);
	rmdir(root);
}
