/* sockets/registry.c — the socket views by name: the platform's own (from
 * src/os/<os>/sockviews.c) and the portable "null". Also the config defaults. */
#include <stdio.h>
#include <string.h>

#include "ghostwire/sockview.h"
#include "sockets_internal.h"

void gw_sockview_config_init(struct gw_sockview_config *c)
{
	memset(c, 0, sizeof *c);
	c->proc_root = "/proc";
	c->dpkg_info_dir = "/var/lib/dpkg/info";
	c->exe_hash_max = 256u << 20;
	c->owners = true;
	c->all_netns = false;
	c->max_sockets = 1000000;
	c->max_processes = 100000;
}

const struct gw_sockview_ops *gw_sockview_find(const char *name)
{
	for (size_t i = 0; gw__os_sockviews[i]; i++)
		if (strcmp(gw__os_sockviews[i]->name, name) == 0)
			return gw__os_sockviews[i];
	if (strcmp(name, gw_sockview_null.name) == 0)
		return &gw_sockview_null;
	return NULL;
}

const char *gw_sockview_names(void)
{
	static char names[256];
	if (names[0])
		return names;
	size_t len = 0;
	for (size_t i = 0; gw__os_sockviews[i]; i++)
		len += (size_t)snprintf(names + len, sizeof names - len, "%s,",
		                        gw__os_sockviews[i]->name);
	snprintf(names + len, sizeof names - len, "%s", gw_sockview_null.name);
	return names;
}

const char *gw_sockview_default(void)
{
	return gw__os_sockviews[0] ? gw__os_sockviews[0]->name : gw_sockview_null.name;
}
