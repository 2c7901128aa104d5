/* engine.h — the loop that drives a capture through the decoder into the flow
 * table, the same for a file and for live interfaces (only the clock differs:
 * packet time for files, wall time when live interfaces are quiet). */
#ifndef GHOSTWIRE_ENGINE_H
#define GHOSTWIRE_ENGINE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "ghostwire/capture.h"
#include "ghostwire/decode.h"
#include "ghostwire/flow.h"

/* What a run did: every counter a report shows at its end. */
struct gw_run_summary {
	const char *source; /* borrowed from the capture */
	bool live;
	bool complete;          /* false if the input ended early or failed */
	char error[512];        /* why, when !complete */
	uint64_t frames, bytes; /* frames read and their wire bytes */
	struct gw_decode_stats decode;
	struct gw_flow_table_stats flows;
	struct gw_capture_stats capture;
};

struct gw_progress {
	double share; /* of the file read, 0..1; negative when unknown */
	uint64_t frames;
	double elapsed_s; /* wall time since the run started */
};

struct gw_engine_hooks {
	gw_flow_end_fn flow_end; /* every flow that ends, in order */
	gw_flow_new_fn flow_new; /* every new flow, at its first packet; may be NULL */
	/* Flows still held due_delay_us after their first packet; may be NULL. */
	gw_flow_due_fn flow_due;
	int64_t due_delay_us;
	/* Every decoded packet with payload (p->payload_caplen > 0), when it is
	 * decoded: its payload is borrowed for the call only (DNS answers, TLS
	 * ClientHello, HTTP requests); may be NULL. */
	void (*payload)(void *ud, const struct gw_packet *p);
	/* Every frame once the flow table has counted it: p and f are NULL for
	 * frames that did not decode (f also when the packet is in no flow);
	 * frame's bytes are borrowed for the call. Setting it turns batching off
	 * (the flow table takes packets one by one); may be NULL. */
	void (*packet)(void *ud, const struct gw_frame *frame, const struct gw_packet *p,
	               const struct gw_flow *f);
	/* About four times a second of wall time; may be NULL. */
	void (*progress)(void *ud, const struct gw_progress *p);
	/* Work that must go on beside the packets (live: the socket poller), about
	 * every 20 ms of wall time and whenever the capture is quiet; may be NULL.
	 * A negative return stops the run with that error. */
	int (*housekeeping)(void *ud, struct gw_err *err);
	void *ud;
};

/* Runs cap to its end (file), or until *stop becomes non-zero or duration_s of
 * wall time pass (live; 0 = no limit), then ends every open flow. Fills *sum. A
 * file that ends early still gives the flows read so far: the return is 0 and
 * sum->complete is false. Negative only if nothing could run (bad options). */
int gw_engine_run_flows(struct gw_capture *cap, const struct gw_options *o,
                        const struct gw_engine_hooks *hooks, volatile sig_atomic_t *stop,
                        uint32_t duration_s, struct gw_run_summary *sum, struct gw_err *err)
        GW_MUST_CHECK;

#endif
