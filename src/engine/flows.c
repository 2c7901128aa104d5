/* engine/flows.c — the flows pipeline: capture → decode → flow table, with
 * expiry by packet time (and by wall time while live interfaces are quiet), the
 * progress ticks, and the run summary. */
#include <stdio.h>
#include <string.h>

#include "ghostwire/clock.h"
#include "ghostwire/engine.h"

#define PROGRESS_EVERY_FRAMES     4096
#define PROGRESS_INTERVAL_US      250000
#define HOUSEKEEPING_EVERY_FRAMES 256
#define HOUSEKEEPING_INTERVAL_US  20000

#define BATCH                     64

struct run {
	struct gw_packet batch[BATCH]; /* decoded, waiting for the flow table */
	size_t batched;
	struct gw_capture *cap;
	struct gw_flow_table *table;
	const struct gw_engine_hooks *hooks;
	struct gw_run_summary *sum;
	int64_t started_us, last_tick_us, last_housekeeping_us;
};

static int housekeeping(struct run *r, int64_t now, struct gw_err *err)
{
	r->last_housekeeping_us = now;
	return r->hooks->housekeeping ? r->hooks->housekeeping(r->hooks->ud, err) : 0;
}

static void tick(struct run *r, bool force)
{
	int64_t now = gw_clock_monotonic_us();
	if (!force && now - r->last_tick_us < PROGRESS_INTERVAL_US)
		return;
	r->last_tick_us = now;
	if (r->sum->live)
		gw_capture_stats(r->cap, &r->sum->capture);
	if (r->hooks->progress) {
		struct gw_progress p = {
		        .share = gw_capture_progress(r->cap),
		        .frames = r->sum->frames,
		        .elapsed_s = (double)(now - r->started_us) / 1e6,
		};
		r->hooks->progress(r->hooks->ud, &p);
	}
}

/* Hands the decoded packets to the flow table: when the batch is full, and
 * whenever the capture pauses, so that live flows are never held back. */
static void flush_batch(struct run *r)
{
	gw_flow_table_update_batch(r->table, r->batch, r->batched);
	r->batched = 0;
}

/* One by one, for the packet hook: the frame is still there after its count. */
static void on_frame_unbatched(struct run *r, const struct gw_frame *frame)
{
	struct gw_packet p;
	const struct gw_flow *f = NULL;
	bool ok = gw_decode(frame, &p, &r->sum->decode) == GW_DECODE_OK;
	if (ok) {
		if (p.payload_caplen && r->hooks->payload)
			r->hooks->payload(r->hooks->ud, &p);
		f = gw_flow_table_update_flow(r->table, &p);
	}
	r->hooks->packet(r->hooks->ud, frame, ok ? &p : NULL, f);
}

static void on_frame(struct run *r, const struct gw_frame *frame)
{
	r->sum->frames++;
	r->sum->bytes += frame->wirelen;
	if (r->hooks->packet) {
		on_frame_unbatched(r, frame);
		if (r->sum->frames % PROGRESS_EVERY_FRAMES == 0)
			tick(r, false);
		return;
	}
	/* Decoding copies what it needs: the frame may go, the packet stays
	 * (but for its payload, which is looked at now or never). */
	struct gw_packet *p = &r->batch[r->batched];
	if (gw_decode(frame, p, &r->sum->decode) == GW_DECODE_OK) {
		if (p->payload_caplen && r->hooks->payload)
			r->hooks->payload(r->hooks->ud, p);
		if (++r->batched == BATCH)
			flush_batch(r);
	}
	if (r->sum->frames % PROGRESS_EVERY_FRAMES == 0)
		tick(r, false);
}

int gw_engine_run_flows(struct gw_capture *cap, const struct gw_options *o,
                        const struct gw_engine_hooks *hooks, volatile sig_atomic_t *stop,
                        uint32_t duration_s, struct gw_run_summary *sum, struct gw_err *err)
{
	memset(sum, 0, sizeof *sum);
	sum->source = gw_capture_source(cap);
	sum->live = gw_capture_is_live(cap);
	sum->complete = true;
	struct gw_flow_table *table = gw_flow_table_new(o, hooks->flow_end, hooks->ud, err);
	if (!table)
		return err ? err->code : GW_ENOMEM;
	gw_flow_table_on_new(table, hooks->flow_new);
	if (hooks->flow_due &&
	    gw_flow_table_on_due(table, hooks->flow_due, hooks->due_delay_us) < 0) {
		gw_flow_table_free(table);
		return gw_err_set(err, GW_ENOMEM, "cannot allocate the queue of flows to decide");
	}

	struct run r = {.cap = cap, .table = table, .hooks = hooks, .sum = sum};
	r.started_us = r.last_tick_us = gw_clock_monotonic_us();
	int64_t deadline = duration_s ? r.started_us + (int64_t)duration_s * 1000000 : 0;

	struct gw_err rerr; /* filled only when a read or the housekeeping fails */
	while (!(stop && *stop)) {
		struct gw_frame frame;
		int got = gw_capture_next(cap, &frame, &rerr);
		if (got == GW_CAPTURE_FRAME) {
			on_frame(&r, &frame);
			if (sum->frames % HOUSEKEEPING_EVERY_FRAMES != 0)
				continue;
			int64_t now = gw_clock_monotonic_us();
			if (deadline && now >= deadline)
				break;
			if (now - r.last_housekeeping_us >= HOUSEKEEPING_INTERVAL_US) {
				flush_batch(&r); /* the housekeeping may need the flows current */
				if (housekeeping(&r, now, &rerr) < 0)
					goto failed;
			}
			continue;
		}
		flush_batch(&r);
		if (got == GW_CAPTURE_EOF)
			break;
		if (got != GW_CAPTURE_NONE)
			goto failed;
		gw_flow_table_expire(table, gw_clock_realtime_us());
		tick(&r, false);
		int64_t now = gw_clock_monotonic_us();
		if (housekeeping(&r, now, &rerr) < 0)
			goto failed;
		if (deadline && now >= deadline)
			break;
	}
	if (0) {
	failed:
		sum->complete = false;
		snprintf(sum->error, sizeof sum->error, "%s", rerr.msg);
	}
	flush_batch(&r);
	tick(&r, true);
	gw_flow_table_flush(table);
	sum->flows = *gw_flow_table_stats(table);
	gw_capture_stats(cap, &sum->capture);
	gw_flow_table_free(table);
	return 0;
}
