/* sockdiff.h — where two views of the socket table disagree: sockets one view
 * shows and the other does not. netlink against procfs is the case that matters:
 * a socket that netlink shows and /proc/net hides is a userland rootkit's mark. */
#ifndef GHOSTWIRE_SOCKDIFF_H
#define GHOSTWIRE_SOCKDIFF_H

#include <stdbool.h>

#include "ghostwire/socket.h"

enum gw_sockdiff_side {
	GW_DIFF_ONLY_A = 0, /* in a, not in b */
	GW_DIFF_ONLY_B = 1, /* in b, not in a */
};

typedef void (*gw_sockdiff_fn)(void *ud, const struct gw_socket *s, enum gw_sockdiff_side side);

/* Calls fn for every socket in exactly one of a and b (both finished, so
 * sorted by gw_socket_compare), in that order. Returns how many. */
size_t gw_sockset_diff(const struct gw_sockset *a, const struct gw_sockset *b, gw_sockdiff_fn fn,
                       void *ud);

/* True if the finished set s holds a socket equal to sock (gw_socket_compare). */
bool gw_sockset_contains(const struct gw_sockset *s, const struct gw_socket *sock);

#endif
