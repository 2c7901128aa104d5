/* os/none/hostaddr.c — interface addresses on a platform without a port yet. */
#include "ghostwire/hostaddr.h"

int gw_host_addrs(struct gw_cidr *out, unsigned max, unsigned *n, struct gw_err *err)
{
	(void)out;
	(void)max;
	*n = 0;
	return gw_err_set(
	        err, GW_ENOTSUP,
	        "listing interface addresses is not supported on this platform; use --local-net");
}
