/* fuzz/fuzz_hostevents.c — libFuzzer target over the kernel event parsers: the
 * first byte picks the parser (byte % 3: 0 process connector, 1 rtnetlink
 * addresses, 2 sock_diag destroy) and the room for events (16 - byte / 3 % 17,
 * so 0..16); the rest is one datagram. Every event parsed must hold what the
 * poller relies on, and nothing may be read or written out of bounds (the
 * input and the event array are heap copies of exactly their size). Seeds:
 * tests/fixtures/hostevents/, datagrams the kernel sent, with that first byte. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifdef HAVE_OS_LINUX

#include "src/os/linux/hostevents_internal.h"

static const gw__hev_parse_fn parsers[3] = {gw__hev_parse_proc, gw__hev_parse_addr,
                                            gw__hev_parse_destroy};

static void check(unsigned which, const struct gw_host_event *e)
{
	switch (which) {
	case 0:
		if (e->type != GW_HEV_FORK && e->type != GW_HEV_EXEC && e->type != GW_HEV_EXIT)
			abort();
		break;
	case 1:
		if (e->type != GW_HEV_ADDR_ADD && e->type != GW_HEV_ADDR_DEL)
			abort();
		if (e->addr.net.family == GW_AF_INET    ? e->addr.prefix != 32
		    : e->addr.net.family == GW_AF_INET6 ? e->addr.prefix != 128
		                                        : true)
			abort();
		break;
	default: {
		const struct gw_socket *s = &e->sock;
		if (e->type != GW_HEV_SOCK_DESTROY)
			abort();
		if (s->proto != GW_SOCK_TCP && s->proto != GW_SOCK_UDP)
			abort();
		if (s->family != GW_AF_INET && s->family != GW_AF_INET6)
			abort();
		if (s->local.family != s->family || s->remote.family != s->family)
			abort();
		if (s->state >= GW_SS_MAX || s->owner_status != GW_OWNER_UNRESOLVED ||
		    s->raw_protocol)
			abort();
	}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned which = data[0] % 3;
	size_t max = 16 - (size_t)(data[0] / 3 % 17);
	data++;
	size--;
	uint8_t *buf = malloc(size ? size : 1);
	struct gw_host_event *out = malloc((max ? max : 1) * sizeof *out);
	if (!buf || !out) {
		free(buf);
		free(out);
		return 0;
	}
	memcpy(buf, data, size);
	size_t n = 0;
	uint64_t bad = parsers[which](buf, size, out, max, &n);
	/* At most one verdict per 16-byte header; never more events than room. */
	if (n > max || bad > size / 16 + 1 || n + bad > size / 16 + 1)
		abort();
	for (size_t i = 0; i < n; i++)
		check(which, &out[i]);
	free(buf);
	free(out);
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
