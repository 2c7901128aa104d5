/* fuzz/fuzz_capture.c — libFuzzer target over the capture reader (libpcap's pcap
 * and pcapng parsing as ghostwire drives it) and everything behind it: decode,
 * flow table, and the JSON reporter writing to /dev/null. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ghostwire/capture.h"
#include "ghostwire/engine.h"
#include "ghostwire/flow_report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *sink;

static void on_end(void *ud, const struct gw_flow *f, enum gw_flow_end why)
{
	struct gw_flow_reporter *rep = ud;
	gw_flow_reporter_jsonl.flow(rep, f, why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!sink && !(sink = fopen("/dev/null", "w")))
		return 0;
	FILE *in = fmemopen((void *)data, size, "rb");
	if (!in)
		return 0;
	struct gw_options o;
	gw_options_init(&o);
	o.max_flows = 128;
	o.hash_seed = 1;
	struct gw_capture *cap;
	if (gw_capture_open_stream(in, "fuzz", &o, &cap, NULL) < 0)
		return 0;
	struct gw_flow_reporter *rep;
	if (gw_flow_reporter_jsonl.open(&rep, sink, NULL) == 0) {
		struct gw_engine_hooks hooks = {.flow_end = on_end, .ud = rep};
		struct gw_run_summary sum;
		if (gw_engine_run_flows(cap, &o, &hooks, NULL, 0, &sum, NULL) == 0)
			gw_flow_reporter_jsonl.summary(rep, &sum);
		gw_flow_reporter_jsonl.close(rep);
	}
	gw_capture_free(cap);
	return 0;
}
