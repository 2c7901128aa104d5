/* fuzz/fuzz_geoip.c — libFuzzer target over the GeoIP reader: the bytes are a
 * MaxMind DB file (libmaxminddb maps a file, so they are written to one),
 * opened, and asked (twice: the second time from the cache) about a few
 * addresses of every kind. Opening and each lookup may fail, with a message
 * naming the file; nothing may crash or read out of bounds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ghostwire/geoip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const ips[] = {"192.0.2.1",      "192.0.2.200",     "198.51.100.9",
                                  "203.0.113.1",    "1.1.1.1",         "2001:db8::5",
                                  "2001:db8:1::1",  "2001:db8:2::1",   "2a00:1450::1",
                                  "::ffff:8.8.8.8", "255.255.255.254", "ffff:ffff::1"};

static char path[64];

static void check(bool ok, const char *what, const struct gw_err *err)
{
	if (!ok) {
		fprintf(stderr, "fuzz_geoip: %s: %s\n", what, err ? err->msg : "");
		abort();
	}
}

static void remove_input(void)
{
	unlink(path);
}

static bool write_input(const uint8_t *data, size_t size)
{
	if (!path[0]) {
		snprintf(path, sizeof path, "%s/gw-fuzz-geoip-%ld.mmdb",
		         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (long)getpid());
		atexit(remove_input);
	}
	FILE *f = fopen(path, "wb");
	if (!f)
		return false;
	bool ok = fwrite(data, 1, size, f) == size;
	return fclose(f) == 0 && ok;
}

static void probe(struct gw_geoip *g)
{
	for (size_t i = 0; i < sizeof ips / sizeof *ips; i++) {
		struct gw_addr a;
		struct gw_geoip_result r;
		struct gw_err err = {0};
		check(gw_addr_parse(ips[i], &a, NULL) == 0, "parse", NULL);
		if (gw_geoip_lookup(g, &a, &r, &err) < 0)
			check(strstr(err.msg, path) != NULL, "lookup error does not name the file",
			      &err);
		char buf[256];
		gw_geoip_format(&r, buf, sizeof buf);
		check(strlen(r.as_org) < sizeof r.as_org && strlen(r.country) <= 2, "result", NULL);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!write_input(data, size))
		return 0;
	struct gw_options o;
	gw_options_init(&o);
	o.hash_seed = 1;
	o.geoip_cache = 4;
	o.geoip_db_special = true;
	const char *paths[] = {path};
	struct gw_err err = {0};
	struct gw_geoip *g = gw_geoip_new(paths, 1, &o, &err);
	if (!g) {
		check(strstr(err.msg, path) != NULL, "open error does not name the file", &err);
		return 0;
	}
	struct gw_geoip_info info;
	gw_geoip_info(g, 0, &info);
	check(strlen(info.type) < 128 && strlen(info.description) < 512, "metadata", NULL);
	probe(g);
	probe(g); /* again, from the cache */
	gw_geoip_free(g);
	return 0;
}
