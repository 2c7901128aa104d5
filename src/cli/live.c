/* cli/live.c — what the live commands share: stopping cleanly on SIGINT and
 * SIGTERM, and looking up each new flow's socket while it still exists. */
#include <signal.h>

#include "cli.h"

volatile sig_atomic_t gw_cli_stop;

static void on_stop_signal(int sig)
{
	(void)sig;
	gw_cli_stop = 1;
}

void gw_cli_catch_stop_signals(void)
{
	signal(SIGINT, on_stop_signal);
	signal(SIGTERM, on_stop_signal);
}

void gw_cli_lookup_new_flow(struct gw_poller *p, const struct gw_flow *f)
{
	if ((f->key.proto != GW_IPPROTO_TCP && f->key.proto != GW_IPPROTO_UDP) ||
	    f->orientation == GW_ORIENT_TRANSIT)
		return;
	struct gw_sock_query q = {.proto = f->key.proto == GW_IPPROTO_TCP ? GW_SOCK_TCP
	                                                                  : GW_SOCK_UDP,
	                          .local_port = f->key.local_port,
	                          .remote_port = f->key.remote_port};
	gw_flow_local_addr(f, &q.local);
	gw_flow_remote_addr(f, &q.remote);
	struct gw_socket s;
	const struct gw_process *owner;
	struct gw_err err = {0};
	(void)gw_poller_lookup(p, &q, &s, &owner, &err); /* failures count in its stats */
}
