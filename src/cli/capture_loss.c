/* cli/capture_loss.c — the live commands' watch on libpcap's drop counters:
 * when they grow, a capture record (docs/timeline.md) tells the correlator,
 * and the session's timeline, in which interval packets were lost, so that
 * findings in it carry the capture-loss hint, live and in replay alike. */
#include "cli.h"
#include "ghostwire/clock.h"

#define LOSS_LOOK_EVERY_US 100000

/* An interface that was down and came back: a capture record for the gap
 * (drops unknown: nothing was captured), and a line on stderr. */
static int outage(struct gw_capture *cap, gw_poller_sink sink, void *ud, struct gw_err *err)
{
	struct gw_capture_outage o;
	if (!gw_capture_take_outage(cap, &o))
		return 0;
	gw_cli_error("interface %s was down for %.1f s: nothing was captured on it then (capture "
	             "resumed)",
	             o.name, (double)(o.until_us - o.since_us) / 1e6);
	struct gw_tl_record rec = {
	        .type = GW_TL_CAPTURE, .ts_us = o.until_us, .since_us = o.since_us, .outage = true};
	return sink(ud, &rec, err);
}

int gw_cli_capture_loss_step(struct gw_cli_loss *l, struct gw_capture *cap, gw_poller_sink sink,
                             void *ud, struct gw_err *err)
{
	int r = outage(cap, sink, ud, err);
	if (r < 0)
		return r;
	int64_t now = gw_clock_realtime_us();
	if (l->started && now - l->last_us < LOSS_LOOK_EVERY_US)
		return 0;
	struct gw_capture_stats cs;
	gw_capture_stats(cap, &cs);
	uint64_t total = cs.dropped_kernel + cs.dropped_iface;
	int64_t since = l->last_us;
	bool grew = l->started && total > l->total;
	uint64_t drops = total - l->total;
	l->started = true;
	l->last_us = now;
	l->total = total;
	if (!grew)
		return 0;
	struct gw_tl_record rec = {.type = GW_TL_CAPTURE,
	                           .ts_us = now,
	                           .since_us = since < now ? since : now,
	                           .drops = drops};
	return sink(ud, &rec, err);
}
