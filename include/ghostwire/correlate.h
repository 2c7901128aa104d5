/* correlate.h — the correlator: the OS view over time (every socket the
 * timeline showed, the interval it was seen alive, its owner, the host's local
 * addresses) and the verdict for one flow against it, with a grace window
 * around the flow's lifetime (DESIGN.md, "Verdicts"). Live and replay feed it
 * the same timeline records. */
#ifndef GHOSTWIRE_CORRELATE_H
#define GHOSTWIRE_CORRELATE_H

#include <stddef.h>
#include <stdint.h>

#include "ghostwire/err.h"
#include "ghostwire/flow.h"
#include "ghostwire/timeline.h"
#include "ghostwire/verdict.h"

struct gw_correlator_config {
	int64_t grace_us;        /* around each flow's [first, last] (2 s) */
	size_t max_sockets;      /* sockets remembered at once (1,000,000); oldest gone first */
	size_t max_processes;    /* processes remembered (100,000) */
	int64_t forget_after_us; /* forget sockets gone longer ago than this (600 s) */
	/* A flow's opening is judged at first packet + grace + this (250 ms): the
	 * time for its exact lookup and the kernel's destroy events to come in. */
	int64_t opening_slack_us;
};

void gw_correlator_config_init(struct gw_correlator_config *c);

struct gw_correlator_stats {
	uint64_t records;              /* timeline records applied */
	uint64_t sockets;              /* socket histories held now */
	uint64_t forgotten;            /* histories dropped for age */
	uint64_t evicted;              /* histories dropped for room (max_sockets) */
	uint64_t verdicts[5];          /* by enum gw_verdict_kind */
	uint64_t processes;            /* processes held now */
	uint64_t processes_evicted;    /* processes dropped for room (max_processes) */
	uint64_t addrs_dropped;        /* local addresses not kept (GW_MAX_LOCAL_NETS) */
	uint64_t incomplete_sets;      /* snapshots with `dropped` sockets: absences not trusted */
	uint64_t lookups_not_found;    /* lookups that found nothing (not used to end intervals) */
	uint64_t alloc_failures;       /* sockets or processes not recorded for memory */
	uint64_t holders_truncated;    /* verdicts with more raw/packet holders than fit */
	uint64_t times_held;           /* records older than the last one, taken at its time */
	uint64_t openings_judged;      /* gw_correlator_judge_opening calls */
	uint64_t openings_unexplained; /* of which unexplained: findings decided early */
	uint64_t capture_drops;        /* packets the capture records say were lost */
	uint64_t loss_intervals_forgotten; /* loss intervals beyond the last 4096, forgotten */
	uint64_t proxy_scans_truncated;    /* proxy hints from part of an owner's sockets */
	uint64_t procfs_hidden;            /* sockets hidden from /proc/net (hidden records) */
};

struct gw_correlator;

int gw_correlator_new(const struct gw_correlator_config *cfg, struct gw_correlator **out,
                      struct gw_err *err) GW_MUST_CHECK;
void gw_correlator_free(struct gw_correlator *c);

/* The timeline's header: the host's local addresses at the start. */
void gw_correlator_set_header(struct gw_correlator *c, const struct gw_tl_header *h);

/* Applies one timeline record (records come in time order): a snapshot or
 * delta starts and ends socket intervals; a lookup or destroy extends one; a
 * process record updates what is known of a process; an address record
 * changes the local addresses. */
int gw_correlator_apply(struct gw_correlator *c, const struct gw_tl_record *rec, struct gw_err *err)
        GW_MUST_CHECK;

/* True if a is one of the host's local addresses (header, then address events). */
bool gw_correlator_is_local(const struct gw_correlator *c, const struct gw_addr *a);

/* The verdict for flow f (ended, or being reported): fills *v. Deterministic:
 * depends only on the records applied and on f. */
void gw_correlator_judge(struct gw_correlator *c, const struct gw_flow *f, struct gw_verdict *v);

/* The verdict for flow f's opening alone: the sockets alive within grace of its
 * first packet, and what f's counters say so far. For flows still going when
 * that window closes, so that findings are decided then rather than when the
 * flow ends; gw_correlator_judge still gives the final verdict. Not counted in
 * stats.verdicts. */
/* What the records applied so far say of f (its whole window), not counted
 * in the stats: for a provisional label while the flow goes on. */
void gw_correlator_peek(struct gw_correlator *c, const struct gw_flow *f, struct gw_verdict *v);

/* When an opening is judged, after a flow's first packet: grace + slack. */
int64_t gw_correlator_opening_delay_us(const struct gw_correlator *c);

void gw_correlator_judge_opening(struct gw_correlator *c, const struct gw_flow *f,
                                 struct gw_verdict *v);

/* Forgets socket histories gone before now_us - forget_after_us (live). */
void gw_correlator_expire(struct gw_correlator *c, int64_t now_us);

const struct gw_correlator_stats *gw_correlator_stats(const struct gw_correlator *c);

#endif
