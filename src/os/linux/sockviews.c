/* os/linux/sockviews.c — the socket views Linux offers, for the registry. */
#include "../../sockets/sockets_internal.h"

extern const struct gw_sockview_ops gw_sockview_netlink;
extern const struct gw_sockview_ops gw_sockview_procfs;

const struct gw_sockview_ops *const gw__os_sockviews[] = {
        &gw_sockview_netlink,
        &gw_sockview_procfs,
        NULL,
};
