/* os/windows/hostevents.c — kernel events between polls (sockets destroyed,
 * processes started and ended, addresses changed) have no Windows source in
 * ghostwire yet (ETW would be one): the socket table is polled only, and the
 * exact lookup on each new flow covers short-lived connections. */
#include "ghostwire/hostevents.h"

int gw_host_events_open(unsigned sources, struct gw_host_events **out, char *unavailable,
                        size_t unavailable_size, struct gw_err *err)
{
	(void)sources;
	*out = NULL;
	if (unavailable_size)
		unavailable[0] = '\0';
	return gw_err_set(err, GW_ENOTSUP,
	                  "kernel events (none on Windows yet: the socket table is polled)");
}

size_t gw_host_events_fds(const struct gw_host_events *e, int *fds, size_t max)
{
	(void)e;
	(void)fds;
	(void)max;
	return 0;
}

int gw_host_events_read(struct gw_host_events *e, struct gw_host_event *out, size_t max,
                        struct gw_err *err)
{
	(void)e;
	(void)out;
	(void)max;
	(void)err;
	return 0;
}

const struct gw_host_events_stats *gw_host_events_stats(const struct gw_host_events *e)
{
	(void)e;
	static const struct gw_host_events_stats none;
	return &none;
}

void gw_host_events_close(struct gw_host_events *e)
{
	(void)e;
}
