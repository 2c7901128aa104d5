/* os/none/procinfo.c — process attribution on a platform without a port yet. */
#include "ghostwire/procinfo.h"

#include <string.h>

void gw_procinfo_config_init(struct gw_procinfo_config *c)
{
	memset(c, 0, sizeof *c);
}

int gw_procinfo_open(const struct gw_procinfo_config *cfg, struct gw_procinfo **out,
                     struct gw_err *err)
{
	(void)cfg;
	*out = NULL;
	return gw_err_set(err, GW_ENOTSUP, "process attribution is not supported on this platform");
}

int gw_procinfo_new(const char *proc_root, struct gw_procinfo **out, struct gw_err *err)
{
	(void)proc_root;
	*out = NULL;
	return gw_err_set(err, GW_ENOTSUP, "process attribution is not supported on this platform");
}

void gw_procinfo_free(struct gw_procinfo *p)
{
	(void)p;
}

int gw_procinfo_refresh(struct gw_procinfo *p, struct gw_err *err)
{
	(void)p;
	return gw_err_set(err, GW_ENOTSUP, "process attribution is not supported on this platform");
}

void gw_procinfo_attribute(const struct gw_procinfo *p, struct gw_socket *sock)
{
	(void)p;
	sock->owner_status = GW_OWNER_UNRESOLVED;
}

const struct gw_process *gw_procinfo_process(struct gw_procinfo *p, int32_t pid)
{
	(void)p;
	(void)pid;
	return NULL;
}

const struct gw_netns_ref *gw_procinfo_namespaces(const struct gw_procinfo *p, size_t *n)
{
	(void)p;
	*n = 0;
	return NULL;
}

const struct gw_procinfo_stats *gw_procinfo_stats(const struct gw_procinfo *p)
{
	(void)p;
	static const struct gw_procinfo_stats none;
	return &none;
}
