/* alert_gate.h — alert hygiene for long runs. A finding like one alerted
 * within the repeat window (same verdict, process, direction, protocol,
 * service port and, outbound, remote address) is held and counted, and the
 * window closes with one "repeated N times" report; beyond a rate (a token
 * bucket), alerts are dropped, counted, and the drops themselves reported.
 * Time is the caller's: packet time in replay, so replays stay deterministic. */
#ifndef GHOSTWIRE_ALERT_GATE_H
#define GHOSTWIRE_ALERT_GATE_H

#include <stdbool.h>
#include <stdint.h>

#include "ghostwire/addr.h"
#include "ghostwire/err.h"
#include "ghostwire/flow.h"
#include "ghostwire/verdict.h"

/* What makes two findings "the same" alert. */
struct gw_alert_key {
	uint8_t verdict;     /* enum gw_verdict_kind */
	uint8_t unexplained; /* enum gw_unexplained_kind */
	uint8_t proto;       /* IP protocol */
	uint8_t dir;         /* enum gw_dir: who opened the flow */
	uint16_t port;       /* the service port: remote outbound, local inbound */
	uint8_t family;      /* of remote; 0 for inbound (any remote) */
	uint8_t remote[16];  /* outbound: the remote address; inbound: zero */
	char process[64];    /* owner's or raw/packet holder's name; "" for none */
};

/* Fills key from a flow and its verdict. */
void gw_alert_key_of(const struct gw_flow *f, const struct gw_verdict *v, struct gw_alert_key *key);

/* A repeat window that closed with findings held in it. */
struct gw_alert_repeat {
	struct gw_alert_key key;
	int64_t first_us; /* the alert that opened the window */
	int64_t last_us;  /* the last finding held */
	uint64_t held;    /* findings held (not alerted) in the window */
};

struct gw_alert_gate_sink {
	/* A window closed with held > 0. */
	void (*repeat)(void *ud, const struct gw_alert_repeat *r);
	/* Alerts dropped by the rate limit between since_us and now_us. */
	void (*dropped)(void *ud, int64_t since_us, int64_t now_us, uint64_t n);
	void *ud;
};

struct gw_alert_gate_config {
	uint32_t rate;     /* alerts a second, on average; 0: no limit */
	uint32_t burst;    /* alerts at once after a quiet time; 0: rate (a second's worth) */
	int64_t window_us; /* repeat window; 0: every finding is alerted */
	int64_t report_us; /* drops reported at most this often (default 10 s) */
	uint32_t max_keys; /* windows open at once (default 4096); the oldest
	                      * closes early to make room */
	struct gw_alert_gate_sink sink;
};
void gw_alert_gate_config_init(struct gw_alert_gate_config *c);

enum gw_alert_decision {
	GW_ALERT_SEND = 0, /* alert it */
	GW_ALERT_REPEAT,   /* held: like one alerted in the window */
	GW_ALERT_DROPPED,  /* over the rate */
};

struct gw_alert_gate_stats {
	uint64_t sent, held, dropped;
	uint64_t repeats_reported; /* windows closed with findings held */
	uint64_t drop_reports;     /* reports of drops made */
	uint64_t closed_early;     /* windows closed to make room */
};

struct gw_alert_gate;

int gw_alert_gate_new(const struct gw_alert_gate_config *c, struct gw_alert_gate **out,
                      struct gw_err *err) GW_MUST_CHECK;
void gw_alert_gate_free(struct gw_alert_gate *g);

/* Decides a finding at now_us (which should not go backwards; earlier times
 * count as the latest seen). Closes windows and reports drops now due first. */
enum gw_alert_decision gw_alert_gate_admit(struct gw_alert_gate *g, const struct gw_alert_key *key,
                                           int64_t now_us);
/* Closes the windows due by now_us and reports drops due (call about once a
 * second while live). */
void gw_alert_gate_tick(struct gw_alert_gate *g, int64_t now_us);
/* At the end of a run: closes every window and reports every drop. */
void gw_alert_gate_flush(struct gw_alert_gate *g, int64_t now_us);

/* The open windows, for a state file: fn is called for each, held so far. */
void gw_alert_gate_each_window(const struct gw_alert_gate *g,
                               void (*fn)(void *ud, const struct gw_alert_repeat *w), void *ud);
/* Reopens a window saved by a previous run (a restart goes on holding what
 * it alerted); false if no room. */
bool gw_alert_gate_restore(struct gw_alert_gate *g, const struct gw_alert_repeat *w);

const struct gw_alert_gate_stats *gw_alert_gate_stats(const struct gw_alert_gate *g);

#endif
