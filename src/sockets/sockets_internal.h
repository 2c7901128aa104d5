/* sockets_internal.h — what the socket-view registry needs from the backends. */
#ifndef GHOSTWIRE_SOCKETS_INTERNAL_H
#define GHOSTWIRE_SOCKETS_INTERNAL_H

#include "ghostwire/sockview.h"

/* The platform's socket views, NULL-terminated (src/os/<os>/sockviews.c). */
extern const struct gw_sockview_ops *const gw__os_sockviews[];

/* The view that sees no sockets: every flow is then unexplained (testing). */
extern const struct gw_sockview_ops gw_sockview_null;

/* The procfs cross-check (procfs_check.c): a procfs view of proc_root. */
struct gw__procfs_check;
int gw__procfs_check_open(const char *proc_root, size_t max_sockets, struct gw__procfs_check **out,
                          struct gw_err *err);
void gw__procfs_check_close(struct gw__procfs_check *c);
/* Adds to hidden every TCP/UDP socket of polled (a finished set of the view
 * ops/view, in namespace netns, 0 = any) that procfs does not list and that an
 * exact lookup through the view still finds, with its owner. */
int gw__procfs_check_run(struct gw__procfs_check *c, const struct gw_sockset *polled,
                         uint64_t netns, const struct gw_sockview_ops *ops,
                         struct gw_sockview *view, struct gw_sockset *hidden, struct gw_err *err);

#endif
