/* cli/geoip_opt.c — the --geoip option every enriching command shares: the
 * files named, opening them (or the default ones) with the messages a user
 * sees, and the GeoIP part of `ghostwire version` (database, date, licence). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"

bool gw_cli_geoip_add(struct gw_cli_geoip *g, const char *file)
{
	if (g->n >= GW_GEOIP_MAX_DBS) {
		gw_cli_error("--geoip: at most %d databases", GW_GEOIP_MAX_DBS);
		return false;
	}
	g->files[g->n++] = file;
	return true;
}

/* Why no database is in use, for messages: what was looked for, and where. */
static void explain_none(FILE *out, const struct gw_geoip_search *s)
{
	if (s->n_bundled == 0)
		fputs("no bundled database is available (ghostwire was built without one: it "
		      "needs Debian's libloc-database, location and libmaxmind-db-writer-perl "
		      "at build time)",
		      out);
	else
		fprintf(out, "the bundled database is missing (not at %s nor %s)", s->bundled[0],
		        s->n_bundled > 1 ? s->bundled[1] : "-");
	fputs(", and no GeoLite2-*, GeoIP2-* or dbip-*.mmdb file is in", out);
	for (size_t i = 0; i < s->n_dirs; i++)
		fprintf(out, "%s %s", i == 0 ? "" : (i + 1 == s->n_dirs ? " or" : ","), s->dirs[i]);
}

struct gw_geoip *gw_cli_geoip_open(const struct gw_cli_geoip *g, const struct gw_options *o,
                                   bool note_if_none)
{
	char found[GW_GEOIP_MAX_DBS][GW_GEOIP_PATH_MAX];
	const char *paths[GW_GEOIP_MAX_DBS];
	size_t n = g->n;
	for (size_t i = 0; i < n; i++)
		paths[i] = g->files[i];
	if (n == 0) {
		struct gw_geoip_search s;
		gw_geoip_search_default(&s);
		n = gw_geoip_discover(&s, found);
		for (size_t i = 0; i < n; i++)
			paths[i] = found[i];
		if (n == 0 && note_if_none) {
			fputs("ghostwire: note: no GeoIP database: ", stderr);
			explain_none(stderr, &s);
			fputs("; only special ranges are labelled (--geoip FILE names one)\n",
			      stderr);
		}
	}
	struct gw_err err = {0};
	struct gw_geoip *geo = gw_geoip_new(paths, n, o, &err);
	if (!geo)
		gw_cli_error("%s", err.msg);
	return geo;
}

static void print_info(FILE *out, const struct gw_geoip_info *info)
{
	char date[32] = "unknown date";
	time_t t = (time_t)info->build_epoch;
	struct tm tm;
	if (gmtime_r(&t, &tm))
		strftime(date, sizeof date, "%Y-%m-%d", &tm);
	fprintf(out, "GeoIP database: %s\n  %s, data of %s%s\n", info->path,
	        info->type[0] ? info->type : "(no type)", date, info->bundled ? " (bundled)" : "");
	if (info->description[0])
		fprintf(out, "  %s\n", info->description);
	if (strncmp(info->type, "GeoLite2", 8) == 0)
		fputs("  This product includes GeoLite2 data created by MaxMind, available from "
		      "https://www.maxmind.com.\n",
		      out);
}

void gw_cli_geoip_describe(FILE *out, const struct gw_options *o)
{
	fprintf(out, "libmaxminddb %s\n", gw_geoip_lib_version());
	struct gw_cli_geoip none = {0};
	struct gw_geoip *geo = gw_cli_geoip_open(&none, o, false);
	if (!geo)
		return;
	size_t n = gw_geoip_count(geo);
	for (size_t i = 0; i < n; i++) {
		struct gw_geoip_info info;
		gw_geoip_info(geo, i, &info);
		print_info(out, &info);
	}
	if (n == 0) {
		struct gw_geoip_search s;
		gw_geoip_search_default(&s);
		fputs("GeoIP database: none: ", out);
		explain_none(out, &s);
		fputc('\n', out);
	}
	gw_geoip_free(geo);
}
