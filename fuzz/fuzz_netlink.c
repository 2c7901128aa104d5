/* fuzz/fuzz_netlink.c — libFuzzer target over the netlink view's reply parsing:
 * the first byte picks what the rest is — a sock_diag reply datagram to one of
 * the view's requests (TCP, UDP, RAW over IPv4/IPv6; PACKET), with or without a
 * sequence to match, or a recording file — and every socket parsed out of it is
 * checked against the invariants the rest of ghostwire relies on. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifdef HAVE_OS_LINUX

#include <netinet/in.h>
#include <sys/socket.h>

#include "src/os/linux/netlink_internal.h"

static const struct gw__diag_kind kinds[] = {
        {AF_INET, IPPROTO_TCP},  {AF_INET6, IPPROTO_TCP}, {AF_INET, IPPROTO_UDP},
        {AF_INET6, IPPROTO_UDP}, {AF_INET, IPPROTO_RAW},  {AF_INET6, IPPROTO_RAW},
        {AF_PACKET, 0},
};
#define N_KINDS (sizeof kinds / sizeof *kinds)

/* What a parsed socket must satisfy, whatever the input. */
static void check(void *ud, const struct gw_socket *s)
{
	(void)ud;
	bool inet = s->family == GW_AF_INET || s->family == GW_AF_INET6;
	if (s->proto < GW_SOCK_TCP || s->proto > GW_SOCK_PACKET || s->state >= GW_SS_MAX)
		abort();
	if (s->proto == GW_SOCK_PACKET ? s->family != GW_AF_NONE : !inet)
		abort();
	if (inet && (s->local.family != s->family || s->remote.family != s->family))
		abort();
	if (s->proto == GW_SOCK_RAW && (s->local_port || s->remote_port))
		abort();
	if (s->owner_status != GW_OWNER_UNRESOLVED || s->netns)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned mode = data[0];
	data++;
	size--;
	/* A heap copy of exactly the input, so ASan sees any overread. */
	uint8_t *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	struct gw__diag_sink sink = {check, NULL};
	struct gw__nl_counts c = {0};
	if (mode % (N_KINDS * 2 + 1) == N_KINDS * 2) {
		struct gw_err err;
		(void)gw__nl_replay(buf, size, &sink, &c, &err);
	} else {
		unsigned k = mode % (N_KINDS * 2 + 1);
		int nl_errno;
		int r = gw__diag_parse_batch(kinds[k % N_KINDS], buf, size, k >= N_KINDS ? 1 : 0,
		                             &sink, &c, &nl_errno);
		if ((r != GW__NL_MORE && r != GW__NL_DONE) || nl_errno < 0)
			abort();
	}
	free(buf);
	return 0;
}

#else

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)data;
	(void)size;
	return 0;
}

#endif
