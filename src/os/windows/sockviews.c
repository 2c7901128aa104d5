/* os/windows/sockviews.c — the socket views Windows offers, for the registry. */
#include "../../sockets/sockets_internal.h"

extern const struct gw_sockview_ops gw_sockview_iphelper;

const struct gw_sockview_ops *const gw__os_sockviews[] = {
        &gw_sockview_iphelper,
        NULL,
};
