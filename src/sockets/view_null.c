/* sockets/view_null.c — the socket view that sees nothing: snapshots are empty
 * and lookups find nothing. For tests, and for a platform without a backend. */
#include <stdlib.h>

#include "sockets_internal.h"

struct gw_sockview {
	struct gw_sockview_stats stats;
};

static int null_open(const struct gw_sockview_config *cfg, struct gw_sockview **out,
                     struct gw_err *err)
{
	(void)cfg;
	*out = calloc(1, sizeof **out);
	return *out ? 0 : gw_err_set(err, GW_ENOMEM, "out of memory");
}

static int null_snapshot(struct gw_sockview *v, struct gw_sockset *out, struct gw_err *err)
{
	(void)err;
	gw_sockset_clear(out);
	v->stats.snapshots++;
	return 0;
}

static int null_lookup(struct gw_sockview *v, const struct gw_sock_query *q, struct gw_socket *out,
                       struct gw_err *err)
{
	(void)q;
	(void)out;
	(void)err;
	v->stats.lookups++;
	return 0;
}

static const struct gw_sockview_stats *null_stats(const struct gw_sockview *v)
{
	return &v->stats;
}

static void null_close(struct gw_sockview *v)
{
	free(v);
}

const struct gw_sockview_ops gw_sockview_null = {
        .name = "null",
        .summary = "no sockets at all (testing)",
        .open = null_open,
        .snapshot = null_snapshot,
        .lookup = null_lookup,
        .stats = null_stats,
        .close = null_close,
};
