/* timeline.h — the socket timeline: every observation of the OS view, with its
 * time, as JSON lines (docs/timeline.md): a versioned header, then snapshots,
 * deltas, exact lookups, socket-destroy and process events. The writer records
 * a live run; the reader replays it and rejects bad input naming file and line. */
#ifndef GHOSTWIRE_TIMELINE_H
#define GHOSTWIRE_TIMELINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ghostwire/addr.h"
#include "ghostwire/err.h"
#include "ghostwire/options.h"
#include "ghostwire/socket.h"
#include "ghostwire/sockview.h"

#define GW_TIMELINE_FORMAT  "ghostwire-timeline"
#define GW_TIMELINE_VERSION 2

struct gw_tl_header {
	int version;        /* GW_TIMELINE_VERSION */
	char host[256];     /* host name */
	char source[32];    /* socket view that recorded: "netlink", ... */
	int64_t started_us; /* µs since the epoch */
	int32_t pid; /* the recording process: its own sockets are no evidence (0 = unknown) */
	struct gw_cidr local[GW_MAX_LOCAL_NETS]; /* the host's addresses at the start */
	unsigned n_local;
};

enum gw_tl_type {
	GW_TL_SNAPSHOT = 1, /* set: every socket and owner at ts */
	GW_TL_DELTA,        /* set: sockets added since the previous record; removed: gone */
	GW_TL_LOOKUP,       /* query, found, and set: the socket found (and its owner) */
	GW_TL_DESTROY, /* set: one socket the kernel reported destroyed, with its owner if known */
	GW_TL_PROCESS, /* event, pid, ppid; set: the process's details if known */
	GW_TL_ADDRESS, /* event "add" / "del" of a local address: addr */
	GW_TL_CAPTURE, /* the capture dropped `drops` packets between since_us and ts */
	GW_TL_HIDDEN,  /* set: sockets the view listed and /proc/net did not, with owners */
};

struct gw_tl_record {
	enum gw_tl_type type;
	int64_t ts_us;
	struct gw_sockset set;      /* see enum gw_tl_type */
	struct gw_sockset removed;  /* DELTA only */
	struct gw_sock_query query; /* LOOKUP only */
	bool found;                 /* LOOKUP only */
	char event[8];              /* PROCESS: "fork", "exec", "exit"; ADDRESS: "add", "del" */
	int32_t pid, ppid;          /* PROCESS */
	struct gw_cidr addr;        /* ADDRESS */
	int64_t since_us;           /* CAPTURE: the previous look at the drop counters */
	uint64_t drops;             /* CAPTURE: packets dropped since then (kernel + interface) */
	bool outage;                /* CAPTURE: an interface was down from since_us to ts */
};

/* Sets up rec with the ceilings its sets may grow to. */
void gw_tl_record_init(struct gw_tl_record *rec, size_t max_sockets, size_t max_processes);
void gw_tl_record_fini(struct gw_tl_record *rec);
/* Empties rec for reuse, keeping its memory and ceilings. */
void gw_tl_record_clear(struct gw_tl_record *rec);

struct gw_timeline_writer;

/* Creates path (overwriting it), or takes f, and writes the header. The writer
 * owns f from the call on: it is closed on failure too. */
int gw_timeline_writer_open(const char *path, const struct gw_tl_header *h,
                            struct gw_timeline_writer **out, struct gw_err *err) GW_MUST_CHECK;
int gw_timeline_writer_open_stream(FILE *f, const char *name, const struct gw_tl_header *h,
                                   struct gw_timeline_writer **out, struct gw_err *err)
        GW_MUST_CHECK;
/* Appends one record as one line. A failed write (disk full) is an error
 * naming the file; no partial line is left behind where it can be avoided. */
int gw_timeline_write(struct gw_timeline_writer *w, const struct gw_tl_record *rec,
                      struct gw_err *err) GW_MUST_CHECK;
/* Flushes and closes; reports a failed flush. Accepts NULL. */
int gw_timeline_writer_close(struct gw_timeline_writer *w, struct gw_err *err);

struct gw_timeline_reader;

/* Opens path (or takes f, closed on failure too) and reads its header into *h.
 * Lines longer than max_line bytes (0 = 256 MiB) are errors, so a hostile file
 * cannot exhaust memory; jansson's tree of a line takes several times its size. */
int gw_timeline_reader_open(const char *path, size_t max_line, struct gw_tl_header *h,
                            struct gw_timeline_reader **out, struct gw_err *err) GW_MUST_CHECK;
int gw_timeline_reader_open_stream(FILE *f, const char *name, size_t max_line,
                                   struct gw_tl_header *h, struct gw_timeline_reader **out,
                                   struct gw_err *err) GW_MUST_CHECK;
/* 1 and *rec filled (rec set up by gw_tl_record_init, cleared first), 0 at the
 * end, negative with "FILE:LINE: reason" on bad input. */
int gw_timeline_read(struct gw_timeline_reader *r, struct gw_tl_record *rec, struct gw_err *err);
void gw_timeline_reader_close(struct gw_timeline_reader *r);

#endif
