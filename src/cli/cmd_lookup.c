/* cli/cmd_lookup.c — `ghostwire lookup IP...`: what a report says about each
 * address (special range, or country, AS and flags from the GeoIP databases),
 * as text or JSON lines. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "cli.h"

static const char lookup_usage[] =
        "usage: ghostwire lookup [--geoip FILE]... [--json] IP...\n"
        "\n"
        "Prints what a report says about each address: its special range (private,\n"
        "cgnat, loopback, link-local, documentation, multicast, ...), or its country,\n"
        "AS number and organisation and network flags (anonymous-proxy, anycast,\n"
        "satellite, drop) from the GeoIP databases.\n"
        "\n"
        "  -g, --geoip FILE   a MaxMind DB file (repeatable: a GeoLite2-City and a\n"
        "                     GeoLite2-ASN file combine, the first that has a field\n"
        "                     gives it). Default: the bundled database, else the\n"
        "                     GeoLite2-*, GeoIP2-* and dbip-*.mmdb files of\n"
        "                     /usr/share/GeoIP or /var/lib/GeoIP (docs/geoip.md)\n"
        "  -j, --json         JSON lines: ip, geo.country_iso_code, as.number,\n"
        "                     as.organization.name, ghostwire.special, ghostwire.flags\n"
        "\n"
        "exit status: 0 all answered; 1 a database could not be opened or read;\n"
        "64 bad usage (an argument that is not an IP address).\n";

static const struct option long_options[] = {
        {"geoip", required_argument, NULL, 'g'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
};

struct lookup_args {
	struct gw_cli_geoip geoip;
	bool json;
};

/* 0 to go on, -1 after --help, else an exit code. */
static int parse_args(int argc, char **argv, struct lookup_args *a)
{
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "g:jh", long_options, NULL)) != -1) {
		switch (c) {
		case 'g':
			if (!gw_cli_geoip_add(&a->geoip, optarg))
				return GW_EXIT_USAGE;
			break;
		case 'j':
			a->json = true;
			break;
		case 'h':
			fputs(lookup_usage, stdout);
			return -1;
		default:
			fputs(lookup_usage, stderr);
			return GW_EXIT_USAGE;
		}
	}
	if (optind == argc) {
		gw_cli_error("lookup: no address given");
		fputs(lookup_usage, stderr);
		return GW_EXIT_USAGE;
	}
	for (int i = optind; i < argc; i++) {
		struct gw_addr addr;
		struct gw_err err = {0};
		if (gw_addr_parse(argv[i], &addr, &err) < 0) {
			gw_cli_error("lookup: %s", err.msg);
			return GW_EXIT_USAGE;
		}
	}
	return 0;
}

static json_t *flags_json(uint32_t flags)
{
	json_t *arr = json_array();
	for (unsigned i = 0; i < GW_GEOIP_N_FLAGS; i++)
		if (flags & (1u << i))
			json_array_append_new(arr, json_string(gw_geoip_flag_name(1u << i)));
	return arr;
}

/* One JSON line, ECS names where ECS has a place (as a report's
 * destination.geo / destination.as would carry them). */
static int print_json(const char *ip, const struct gw_geoip_result *r)
{
	json_t *o = json_pack("{s:s}", "ip", ip);
	if (r->country[0])
		json_object_set_new(o, "geo", json_pack("{s:s}", "country_iso_code", r->country));
	if (r->asn) {
		json_t *as = json_pack("{s:I}", "number", (json_int_t)r->asn);
		if (r->as_org[0])
			json_object_set_new(as, "organization",
			                    json_pack("{s:s}", "name", r->as_org));
		json_object_set_new(o, "as", as);
	}
	json_t *gw = json_object();
	if (r->special != GW_GEOIP_PUBLIC)
		json_object_set_new(gw, "special", json_string(gw_geoip_special_name(r->special)));
	if (r->flags)
		json_object_set_new(gw, "flags", flags_json(r->flags));
	if (json_object_size(gw))
		json_object_set(o, "ghostwire", gw);
	json_decref(gw);
	int rc = json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return rc == 0 && putchar('\n') != EOF ? 0 : -1;
}

static int lookup_one(struct gw_geoip *geo, const char *text, bool json)
{
	struct gw_addr addr;
	struct gw_geoip_result r;
	struct gw_err err = {0};
	if (gw_addr_parse(text, &addr, &err) < 0 || gw_geoip_lookup(geo, &addr, &r, &err) < 0) {
		gw_cli_error("lookup: %s: %s", text, err.msg);
		return GW_EXIT_FAIL;
	}
	if (json)
		return print_json(text, &r) == 0 ? GW_EXIT_OK : GW_EXIT_FAIL;
	char buf[256];
	printf("%s  %s\n", text, gw_geoip_format(&r, buf, sizeof buf));
	return GW_EXIT_OK;
}

int gw_cli_lookup(int argc, char **argv)
{
	struct lookup_args a = {0};
	int rc = parse_args(argc, argv, &a);
	if (rc)
		return rc < 0 ? GW_EXIT_OK : rc;
	struct gw_options o;
	gw_options_init(&o);
	struct gw_geoip *geo = gw_cli_geoip_open(&a.geoip, &o, true);
	if (!geo)
		return GW_EXIT_FAIL;
	int status = GW_EXIT_OK;
	for (int i = optind; i < argc; i++)
		if (lookup_one(geo, argv[i], a.json) != GW_EXIT_OK)
			status = GW_EXIT_FAIL;
	gw_geoip_free(geo);
	if (fflush(stdout) != 0) {
		gw_cli_error("lookup: cannot write the output");
		status = GW_EXIT_FAIL;
	}
	return status;
}
