/* os/linux/sockview_netlink.c — PLACEHOLDER while the netlink view is written: opening it
 * reports "not implemented". Replaced by the real backend. */
#include "ghostwire/sockview.h"

static int open_view(const struct gw_sockview_config *cfg, struct gw_sockview **out,
                     struct gw_err *err)
{
	(void)cfg;
	*out = NULL;
	return gw_err_set(err, GW_ENOTSUP, "the netlink socket view is not implemented yet");
}

const struct gw_sockview_ops gw_sockview_netlink = {
        .name = "netlink",
        .summary = "(not implemented yet)",
        .open = open_view,
};
