/* poller.h — the socket poller: keeps the OS view current and writes what it
 * sees as socket-timeline records (timeline.h): a snapshot, then deltas at each
 * poll, exact lookups on demand, and the kernel's events in between (sockets
 * destroyed, processes started and ended, addresses changed). While processes
 * are starting it polls faster, so that a short-lived process's connections are
 * seen with their owner before they close. */
#ifndef GHOSTWIRE_POLLER_H
#define GHOSTWIRE_POLLER_H

#include <stddef.h>
#include <stdint.h>

#include "ghostwire/err.h"
#include "ghostwire/socket.h"
#include "ghostwire/sockview.h"
#include "ghostwire/timeline.h"

struct gw_poller_config {
	const char *view; /* socket view name ("netlink") */
	struct gw_sockview_config view_cfg;
	uint32_t interval_ms;      /* between polls (1000) */
	uint32_t fast_interval_ms; /* between polls while processes start (50) */
	uint32_t fast_window_ms;   /* how long after a fork or exec (1000) */
	uint32_t snapshot_every;   /* a full snapshot every N polls, deltas between (60) */
	unsigned events;           /* GW_HEV_SRC_* to subscribe to (all) */
	/* The procfs cross-check (procfs-hidden): every N ms, the view's sockets
	 * that /proc/net does not list (10000; 0 = never; only for the netlink
	 * view). procfs_check_root: the /proc to read (NULL: view_cfg.proc_root). */
	uint32_t procfs_check_ms;
	const char *procfs_check_root;
};

void gw_poller_config_init(struct gw_poller_config *c);

/* Receives each record as it is made; the record is borrowed for the call. A
 * negative return stops the poller's step with that error. */
typedef int (*gw_poller_sink)(void *ud, const struct gw_tl_record *rec, struct gw_err *err);

struct gw_poller_stats {
	uint64_t polls, fast_polls;
	uint64_t poll_us_total, poll_us_max; /* wall time of polls */
	uint64_t poll_errors;
	uint64_t lookups, lookup_hits;
	uint64_t destroyed, destroyed_owned; /* destroy events; those whose owner was known */
	uint64_t process_events, address_events;
	uint64_t event_overruns;   /* kernel event queues that overflowed */
	uint64_t clock_steps_back; /* wall clock went backwards: times held */
	uint64_t record_dropped;   /* sockets or processes past a record's ceiling */
	uint64_t procfs_checks;    /* cross-checks against /proc/net done */
	uint64_t procfs_hidden;    /* sockets found hidden from /proc/net (each time seen) */
	uint64_t procfs_errors;    /* cross-checks that failed */
};

struct gw_poller;

/* Opens the view and the event sources. Sources that cannot be opened (not
 * root) are named in warnings; the poller works without them. */
int gw_poller_new(const struct gw_poller_config *cfg, gw_poller_sink sink, void *ud,
                  struct gw_poller **out, char *warnings, size_t warnings_size, struct gw_err *err)
        GW_MUST_CHECK;

/* Descriptors to poll() for kernel events, and how long until the next poll
 * is due (ms, 0 = now): what a caller's event loop waits on. */
size_t gw_poller_fds(const struct gw_poller *p, int *fds, size_t max);
int gw_poller_timeout_ms(const struct gw_poller *p);

/* Does what is due: reads pending kernel events, polls if its time has come.
 * The first step takes the initial snapshot. */
int gw_poller_step(struct gw_poller *p, struct gw_err *err) GW_MUST_CHECK;

/* Looks one socket up now (and records the lookup). 1 and *out (owner in
 * *owner, borrowed until the next step) if found, 0 if not, negative on error. */
int gw_poller_lookup(struct gw_poller *p, const struct gw_sock_query *q, struct gw_socket *out,
                     const struct gw_process **owner, struct gw_err *err);

const struct gw_poller_stats *gw_poller_stats(const struct gw_poller *p);

void gw_poller_free(struct gw_poller *p);

#endif
