/* sockets/procfs_check.c — the cross-check behind the procfs-hidden hint:
 * the sockets the poller's view (netlink) listed that /proc/net/{tcp,udp}[6]
 * does not, confirmed by an exact lookup afterwards (so that a socket closed
 * between the two reads is not taken for a hidden one). A rootkit that hooks
 * the seq_file of /proc/net/tcp hides from netstat, ss -p's cousins and
 * unhide-tcp's readers, but not from sock_diag. */
#include <stdlib.h>
#include <string.h>

#include "sockets_internal.h"

#define MAX_CONFIRM 256 /* lookups per check: a bound on the work a flood of misses makes */

struct gw__procfs_check {
	const struct gw_sockview_ops *ops;
	struct gw_sockview *view; /* procfs, no owners, our namespace only */
	struct gw_sockset listed; /* what it listed at the last check */
	uint64_t checks, confirmed, unconfirmed, truncated;
};

int gw__procfs_check_open(const char *proc_root, size_t max_sockets, struct gw__procfs_check **out,
                          struct gw_err *err)
{
	*out = NULL;
	const struct gw_sockview_ops *ops = gw_sockview_find("procfs");
	if (!ops)
		return gw_err_set(err, GW_EINVAL, "no procfs socket view on this system");
	struct gw__procfs_check *c = calloc(1, sizeof *c);
	if (!c)
		return gw_err_set(err, GW_ENOMEM, "out of memory");
	struct gw_sockview_config cfg;
	gw_sockview_config_init(&cfg);
	cfg.proc_root = proc_root;
	cfg.owners = false;
	cfg.all_netns = false;
	cfg.max_sockets = max_sockets;
	cfg.dpkg_info_dir = NULL;
	int r = ops->open(&cfg, &c->view, err);
	if (r < 0) {
		free(c);
		return r;
	}
	c->ops = ops;
	gw_sockset_init(&c->listed, max_sockets, 0);
	*out = c;
	return 0;
}

void gw__procfs_check_close(struct gw__procfs_check *c)
{
	if (!c)
		return;
	c->ops->close(c->view);
	gw_sockset_fini(&c->listed);
	free(c);
}

/* What both views agree a socket is: its ends and its inode (the namespace
 * ids of the two views may differ in form). */
static int key_compare(const struct gw_socket *a, const struct gw_socket *b)
{
	if (a->proto != b->proto)
		return a->proto < b->proto ? -1 : 1;
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if (a->inode != b->inode)
		return a->inode < b->inode ? -1 : 1;
	int c = memcmp(a->local.bytes, b->local.bytes, 16);
	if (c)
		return c;
	if (a->local_port != b->local_port)
		return a->local_port < b->local_port ? -1 : 1;
	c = memcmp(a->remote.bytes, b->remote.bytes, 16);
	if (c)
		return c;
	return a->remote_port < b->remote_port ? -1 : a->remote_port > b->remote_port;
}

static int key_qsort(const void *a, const void *b)
{
	return key_compare(a, b);
}

static bool listed(const struct gw_sockset *s, const struct gw_socket *k)
{
	return bsearch(k, s->socks, s->n_socks, sizeof *s->socks, key_qsort) != NULL;
}

/* Sockets both views can see: TCP and UDP with an inode (TIME_WAIT and
 * orphans have none), in the view's own namespace. */
static bool comparable(const struct gw_socket *s, uint64_t netns)
{
	return (s->proto == GW_SOCK_TCP || s->proto == GW_SOCK_UDP) && s->inode != 0 &&
	       (netns == 0 || s->netns == 0 || s->netns == netns);
}

/* The namespace procfs showed: that of its sockets (0 if it showed none). */
static uint64_t listed_netns(const struct gw_sockset *s)
{
	return s->n_socks ? s->socks[0].netns : 0;
}

/* Still there, the same socket, after procfs was read? */
static bool confirm(const struct gw_sockview_ops *ops, struct gw_sockview *view,
                    const struct gw_socket *s)
{
	if (!ops->lookup)
		return false;
	struct gw_sock_query q = {.proto = s->proto,
	                          .local = s->local,
	                          .remote = s->remote,
	                          .local_port = s->local_port,
	                          .remote_port = s->remote_port};
	struct gw_socket now;
	struct gw_err err = {0};
	return ops->lookup(view, &q, &now, &err) == 1 && now.inode == s->inode;
}

int gw__procfs_check_run(struct gw__procfs_check *c, const struct gw_sockset *polled,
                         uint64_t netns, const struct gw_sockview_ops *ops,
                         struct gw_sockview *view, struct gw_sockset *hidden, struct gw_err *err)
{
	int r = c->ops->snapshot(c->view, &c->listed, err);
	if (r < 0)
		return r;
	c->checks++;
	qsort(c->listed.socks, c->listed.n_socks, sizeof *c->listed.socks, key_qsort);
	unsigned looked = 0;
	for (size_t i = 0; i < polled->n_socks; i++) {
		const struct gw_socket *s = &polled->socks[i];
		if (!comparable(s, netns ? netns : listed_netns(&c->listed)) ||
		    listed(&c->listed, s))
			continue;
		if (looked++ == MAX_CONFIRM) {
			c->truncated++;
			break;
		}
		if (!confirm(ops, view, s)) {
			c->unconfirmed++; /* closed in between: not evidence */
			continue;
		}
		c->confirmed++;
		gw_sockset_add(hidden, s);
		if (s->owner_status == GW_OWNER_KNOWN) {
			const struct gw_process *p = gw_sockset_process(polled, s->pid);
			if (p)
				gw_sockset_add_process(hidden, p);
		}
	}
	return 0;
}
