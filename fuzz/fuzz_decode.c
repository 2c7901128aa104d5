/* fuzz/fuzz_decode.c — libFuzzer target over the decoder and the flow table:
 * the first byte picks a link type, the next two a snap cut, the rest is the
 * frame. Each decoded packet is fed to a small table so that orientation,
 * fragments, ICMP links and eviction run on hostile values too. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ghostwire/decode.h"
#include "ghostwire/flow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int linktypes[] = {
        GW_LINKTYPE_NULL,      GW_LINKTYPE_ETHERNET, GW_LINKTYPE_RAW,  GW_LINKTYPE_LOOP,
        GW_LINKTYPE_LINUX_SLL, GW_LINKTYPE_IPV4,     GW_LINKTYPE_IPV6, GW_LINKTYPE_LINUX_SLL2,
};

static void ignore_end(void *ud, const struct gw_flow *f, enum gw_flow_end why)
{
	(void)ud;
	(void)f;
	(void)why;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	int linktype = linktypes[data[0] % (sizeof linktypes / sizeof *linktypes)];
	uint32_t extra = (uint32_t)data[1] << 8 | data[2];
	data += 3;
	size -= 3;

	/* A heap copy of exactly the captured bytes, so ASan sees any overread. */
	uint8_t *frame = malloc(size ? size : 1);
	if (!frame)
		return 0;
	memcpy(frame, data, size);

	static struct gw_flow_table *table;
	if (!table) {
		struct gw_options o;
		gw_options_init(&o);
		o.max_flows = 64;
		o.frag_slots = 16;
		o.hash_seed = 1;
		table = gw_flow_table_new(&o, ignore_end, NULL, NULL);
		if (!table)
			abort();
	}
	struct gw_decode_stats stats = {0};
	struct gw_frame f = {.ts_us = (int64_t)extra * 1000,
	                     .caplen = (uint32_t)size,
	                     .wirelen = (uint32_t)size + (extra & 0xff),
	                     .linktype = linktype,
	                     .data = frame};
	struct gw_packet p;
	if (gw_decode(&f, &p, &stats) == GW_DECODE_OK)
		gw_flow_table_update(table, &p);
	free(frame);
	return 0;
}
