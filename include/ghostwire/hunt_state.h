/* hunt_state.h — what a long run keeps across a restart (watch --state FILE,
 * docs/daemon.md): the flows it alerted on that may still be going (seen
 * again after the restart, they are not alerted again), the open repeat
 * windows of the alert gate, and the baseline entries already reported as
 * new. One JSON file, saved whole to FILE.tmp and renamed over FILE. */
#ifndef GHOSTWIRE_HUNT_STATE_H
#define GHOSTWIRE_HUNT_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ghostwire/alert_gate.h"
#include "ghostwire/baseline.h"
#include "ghostwire/err.h"
#include "ghostwire/flow.h"

#define GW_HUNT_STATE_VERSION     1
#define GW_HUNT_STATE_MAX_ALERTED 65536

/* A flow alerted on. */
struct gw_hunt_alerted {
	struct gw_flow_key key;
	int64_t first_us;      /* the flow's first packet */
	int64_t alerted_us;    /* when it was alerted */
	int64_t keep_until_us; /* a restored entry no flow took by then is dropped */
};

struct gw_hunt_state {
	struct gw_hunt_alerted *alerted; /* sorted by key */
	size_t n_alerted, cap_alerted;
	uint64_t alerted_full;           /* entries not kept: GW_HUNT_STATE_MAX_ALERTED held */
	struct gw_alert_repeat *windows; /* as loaded (gw_alert_gate_restore them) */
	size_t n_windows;
	struct gw_baseline *reported_new; /* entries reported as new; never NULL once init */
	int64_t saved_us;                 /* as loaded: when the previous run saved it */
};

int gw_hunt_state_init(struct gw_hunt_state *s, struct gw_err *err) GW_MUST_CHECK;
void gw_hunt_state_free(struct gw_hunt_state *s);

/* Remembers a flow alerted at alerted_us (keep_until_us: INT64_MAX). */
void gw_hunt_state_alerted_add(struct gw_hunt_state *s, const struct gw_flow *f,
                               int64_t alerted_us);
/* The entry for a flow with this key, or NULL. */
struct gw_hunt_alerted *gw_hunt_state_alerted_find(struct gw_hunt_state *s,
                                                   const struct gw_flow_key *key);
/* Forgets the entry for key (the flow ended); false if there was none. */
bool gw_hunt_state_alerted_remove(struct gw_hunt_state *s, const struct gw_flow_key *key);
/* Drops entries whose keep_until_us is before now_us; returns how many. */
size_t gw_hunt_state_alerted_expire(struct gw_hunt_state *s, int64_t now_us);

/* Loads FILE into s (initialised, empty): a missing file leaves s empty and is
 * GW_ENOENT; a malformed one is GW_EFORMAT naming the path and the problem.
 * Loaded alerted entries get keep_until_us = now_us + keep_us. */
int gw_hunt_state_load(struct gw_hunt_state *s, const char *path, int64_t now_us, int64_t keep_us,
                       struct gw_err *err) GW_MUST_CHECK;
/* Saves s's alerted flows and reported entries with gate's open windows
 * (gate may be NULL). */
int gw_hunt_state_save(const struct gw_hunt_state *s, const struct gw_alert_gate *gate,
                       const char *path, int64_t now_us, struct gw_err *err) GW_MUST_CHECK;

#endif
