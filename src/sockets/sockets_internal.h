/* sockets_internal.h — what the socket-view registry needs from the backends. */
#ifndef GHOSTWIRE_SOCKETS_INTERNAL_H
#define GHOSTWIRE_SOCKETS_INTERNAL_H

#include "ghostwire/sockview.h"

/* The platform's socket views, NULL-terminated (src/os/<os>/sockviews.c). */
extern const struct gw_sockview_ops *const gw__os_sockviews[];

/* The view that sees no sockets: every flow is then unexplained (testing). */
extern const struct gw_sockview_ops gw_sockview_null;

#endif
