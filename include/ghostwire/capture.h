/* capture.h — the packet source: a capture file (pcap or pcapng) or live
 * interfaces, both through libpcap, and its drop counters. */
#ifndef GHOSTWIRE_CAPTURE_H
#define GHOSTWIRE_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ghostwire/err.h"
#include "ghostwire/options.h"
#include "ghostwire/packet.h"

struct gw_capture;

struct gw_capture_stats {
	uint64_t
	        received; /* live: packets the kernel delivered to the filter (pcap_stats ps_recv) */
	uint64_t dropped_kernel; /* live: dropped for lack of buffer space (ps_drop) */
	uint64_t dropped_iface;  /* live: dropped by the interface or driver (ps_ifdrop) */
	uint64_t outages;        /* live: times an interface went down (or away) */
	uint64_t down_us;        /* live: time interfaces were down, for outages that ended */
};

/* An interface that was down and came back: nothing was captured on it
 * between since_us and until_us (realtime µs). */
struct gw_capture_outage {
	uint16_t iface;
	char name[64];
	int64_t since_us, until_us;
};

/* gw_capture_next results besides negative errors. */
enum gw_capture_result {
	GW_CAPTURE_NONE = 0,  /* no packet within the read timeout (live) */
	GW_CAPTURE_FRAME = 1, /* *frame filled; its data borrowed until the next call */
	GW_CAPTURE_EOF = 2,   /* the file ended cleanly */
};

/* Opens a capture file for reading, applying o->bpf_filter if set. */
int gw_capture_open_file(const char *path, const struct gw_options *o, struct gw_capture **out,
                         struct gw_err *err) GW_MUST_CHECK;

/* Reads a capture from an open stream (a pipe, fmemopen, ...); name is used in
 * messages. The capture owns f from then on and closes it. */
int gw_capture_open_stream(FILE *f, const char *name, const struct gw_options *o,
                           struct gw_capture **out, struct gw_err *err) GW_MUST_CHECK;

/* Opens every interface of o->interfaces ("any" for all) with pcap_create /
 * pcap_activate: immediate mode, o's snap length, buffer size and filter.
 * Activation warnings are in *warning (may be empty), owned by the capture. */
int gw_capture_open_live(const struct gw_options *o, struct gw_capture **out, struct gw_err *err)
        GW_MUST_CHECK;

/* Reads the next frame. A truncated or corrupt file gives GW_ETRUNC / GW_EFORMAT
 * with a message naming the file and how many frames were read. */
int gw_capture_next(struct gw_capture *c, struct gw_frame *frame, struct gw_err *err);

/* Folds libpcap's 32-bit counters into 64-bit totals; call at least every few
 * minutes live so that they cannot wrap unseen. Files have no drops. */
void gw_capture_stats(struct gw_capture *c, struct gw_capture_stats *out);

/* Live: an interface that fails (goes down, or away) is closed and reopened by
 * name once a second, with the same options, so that the capture resumes
 * (this needs CAP_NET_RAW still). True, once, for each outage that ended. */
bool gw_capture_take_outage(struct gw_capture *c, struct gw_capture_outage *out);

/* Writes every frame read from now on to path as a pcap file (one interface
 * only: pcap holds one link type). Errors name the file. */
int gw_capture_dump_to(struct gw_capture *c, const char *path, struct gw_err *err) GW_MUST_CHECK;

/* Flushes the dump file; negative if a write failed (disk full). */
int gw_capture_dump_flush(struct gw_capture *c, struct gw_err *err);

/* Fraction of a file read so far, 0..1; negative when unknown (live, pipes). */
double gw_capture_progress(const struct gw_capture *c);

/* True for live interfaces, false for a file. */
bool gw_capture_is_live(const struct gw_capture *c);

/* A description for reports: the file path, or the interfaces joined by commas. */
const char *gw_capture_source(const struct gw_capture *c);

/* Activation warnings of live interfaces, "" if none. */
const char *gw_capture_warnings(const struct gw_capture *c);

void gw_capture_free(struct gw_capture *c);

#endif
