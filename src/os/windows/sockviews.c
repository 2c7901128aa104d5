/* os/none/sockviews.c — a platform without a socket-table backend yet: only the
 * portable views (null, and replay of recorded sessions) are offered. */
#include "../../sockets/sockets_internal.h"

const struct gw_sockview_ops *const gw__os_sockviews[] = {
        NULL,
};
