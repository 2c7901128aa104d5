/* enrich/geoip_discover.c — which database files to use when none was named:
 * the bundled one (its paths come from the build, config.h), else the
 * GeoLite2, GeoIP2 and DB-IP files of the usual directories, ranked so that a
 * City or Country file is asked before an ASN one. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ghostwire/geoip.h"

void gw_geoip_search_default(struct gw_geoip_search *s)
{
	memset(s, 0, sizeof *s);
#ifdef HAVE_BUNDLED_GEOIP
	s->bundled[s->n_bundled++] = GW_GEOIP_BUNDLED_INSTALLED;
	s->bundled[s->n_bundled++] = GW_GEOIP_BUNDLED_BUILD;
#endif
	s->dirs[s->n_dirs++] = "/usr/share/GeoIP";
	s->dirs[s->n_dirs++] = "/var/lib/GeoIP";
}

static bool is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* 0 City, 1 Country, 2 ASN, 3 any other GeoLite2-/GeoIP2-/dbip-*.mmdb; -1 not ours. */
static int rank(const char *name)
{
	size_t len = strlen(name);
	if (len < 6 || strcmp(name + len - 5, ".mmdb") != 0)
		return -1;
	if (!starts(name, "GeoLite2-") && !starts(name, "GeoIP2-") && !starts(name, "dbip-"))
		return -1;
	if (strstr(name, "City") || strstr(name, "city"))
		return 0;
	if (strstr(name, "Country") || strstr(name, "country"))
		return 1;
	if (strstr(name, "ASN") || strstr(name, "asn"))
		return 2;
	return 3;
}

struct candidate {
	int rank;
	char name[256];
};

static int by_rank(const void *a, const void *b)
{
	const struct candidate *x = a, *y = b;
	if (x->rank != y->rank)
		return x->rank - y->rank;
	return strcmp(x->name, y->name);
}

/* The matching files of dir, best first, into paths; returns how many. */
static size_t scan_dir(const char *dir, char paths[GW_GEOIP_MAX_DBS][GW_GEOIP_PATH_MAX])
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	struct candidate c[4 * GW_GEOIP_MAX_DBS];
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL && n < sizeof c / sizeof *c) {
		int r = rank(e->d_name);
		if (r < 0 || strlen(e->d_name) >= sizeof c[n].name)
			continue;
		c[n].rank = r;
		strcpy(c[n].name, e->d_name);
		n++;
	}
	closedir(d);
	qsort(c, n, sizeof *c, by_rank);
	size_t found = 0;
	for (size_t i = 0; i < n && found < GW_GEOIP_MAX_DBS; i++) {
		int len = snprintf(paths[found], GW_GEOIP_PATH_MAX, "%s/%s", dir, c[i].name);
		if (len > 0 && len < GW_GEOIP_PATH_MAX && is_file(paths[found]))
			found++;
	}
	return found;
}

size_t gw_geoip_discover(const struct gw_geoip_search *s,
                         char paths[GW_GEOIP_MAX_DBS][GW_GEOIP_PATH_MAX])
{
	for (size_t i = 0; i < s->n_bundled; i++) {
		if (s->bundled[i] && strlen(s->bundled[i]) < GW_GEOIP_PATH_MAX &&
		    is_file(s->bundled[i])) {
			strcpy(paths[0], s->bundled[i]);
			return 1;
		}
	}
	for (size_t i = 0; i < s->n_dirs; i++) {
		size_t n = s->dirs[i] ? scan_dir(s->dirs[i], paths) : 0;
		if (n)
			return n;
	}
	return 0;
}
