/* cli/live.c — what the live commands share: stopping cleanly on SIGINT and
 * SIGTERM, looking up each new flow's socket while it still exists, and
 * dropping privileges once everything is open. */
#include <signal.h>

#include "cli.h"
#include "ghostwire/clock.h"
#include "ghostwire/privileges.h"

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

/* At most this many exact lookups a second: each is a netlink round trip in
 * the capture's thread, and a flood of new flows (random-source SYNs) would
 * otherwise turn them into capture drops. Beyond it, the polls and the
 * kernel's destroy events still see the sockets; the skips are counted. */
#define LOOKUPS_PER_SECOND 10000

static int64_t lookup_second;
static unsigned lookups_this_second;
static uint64_t lookups_skipped;

uint64_t gw_cli_lookups_skipped(void)
{
	return lookups_skipped;
}

void gw_cli_lookup_new_flow(struct gw_poller *p, const struct gw_flow *f)
{
	if ((f->key.proto != GW_IPPROTO_TCP && f->key.proto != GW_IPPROTO_UDP) ||
	    f->orientation == GW_ORIENT_TRANSIT)
		return;
	int64_t second = gw_clock_monotonic_us() / 1000000;
	if (second != lookup_second) {
		lookup_second = second;
		lookups_this_second = 0;
	}
	if (++lookups_this_second > LOOKUPS_PER_SECOND) {
		lookups_skipped++;
		return;
	}
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

/* Everything privileged is open: keep only reading other processes' /proc
 * entries (and entering namespaces found later, with --all-netns). */
int gw_cli_drop_privileges(const char *user, bool all_netns)
{
	if (!user)
		return 0;
	char report[256];
	struct gw_err err = {0};
	unsigned keep = GW_KEEP_READ_PROCESSES | GW_KEEP_NET_ADMIN | GW_KEEP_CAPTURE |
	                (all_netns ? GW_KEEP_ENTER_NETNS : 0);
	if (gw_privileges_drop(user, keep, report, sizeof report, &err) < 0) {
		gw_cli_error("cannot drop privileges: %s (--stay-root to run as root)", err.msg);
		return GW_EXIT_FAIL;
	}
	gw_cli_error("%s", report);
	return 0;
}
