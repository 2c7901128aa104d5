/* capture/capture.c — packet sources through libpcap: one capture file, or one
 * pcap handle per live interface read in turn through poll(). Owns the handles,
 * the mapping from libpcap's DLT values to LINKTYPE values, and the 64-bit drop
 * totals folded from pcap_stats. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <pcap/pcap.h>

#include "ghostwire/capture.h"
#include "ghostwire/clock.h"
#include "ghostwire/decode.h"

struct handle {
	pcap_t *pcap;
	char name[64];
	int linktype;          /* LINKTYPE_* value */
	int fd;                /* selectable fd, -1 for files (and while down) */
	struct pcap_stat last; /* last raw pcap_stats, to fold deltas */
	/* Live: the interface went down (or away); reopened by name every second. */
	bool down;
	int64_t down_since_us, next_try_us; /* realtime, monotonic */
	/* Live: the link is down (libpcap's interface flags, looked at every
	 * second), though the handle stays open: nothing arrives meanwhile. */
	bool link_down;
	int64_t link_down_since_us;
};

struct gw_capture {
	pcap_dumper_t *dump; /* every frame read is written here, if set */
	char dump_path[512];
	struct handle h[GW_MAX_INTERFACES];
	unsigned n;
	unsigned next; /* round-robin position */
	bool live;
	uint64_t frames; /* frames read */
	off_t file_size; /* 0 if unknown */
	char source[512];
	char warnings[1024];
	struct gw_capture_stats totals;
	struct gw_options opt; /* live: to reopen an interface that comes back */
	/* The last outage that ended and was not taken yet (gw_capture_take_outage). */
	bool outage_pending;
	struct gw_capture_outage outage;
	int64_t next_link_check_us; /* monotonic */
};

/* libpcap hands out DLT_ values; files and decode use LINKTYPE_ values. The two
 * differ only for the raw-IP types among those the decoder handles. */
static int linktype_of(int dlt)
{
	if (dlt == DLT_RAW)
		return GW_LINKTYPE_RAW;
#ifdef DLT_LOOP
	if (dlt == DLT_LOOP)
		return GW_LINKTYPE_LOOP;
#endif
	return dlt;
}

static int set_filter(pcap_t *p, const char *expr, const char *what, struct gw_err *err)
{
	if (!expr)
		return 0;
	struct bpf_program prog;
	if (pcap_compile(p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) < 0)
		return gw_err_set(err, GW_EINVAL, "%s: bad filter '%s': %s", what, expr,
		                  pcap_geterr(p));
	int r = pcap_setfilter(p, &prog);
	pcap_freecode(&prog);
	if (r < 0)
		return gw_err_set(err, GW_EINVAL, "%s: cannot set filter: %s", what,
		                  pcap_geterr(p));
	return 0;
}

/* Wraps an opened offline handle; closes p on failure. */
static int wrap_offline(pcap_t *p, const char *name, off_t size, const struct gw_options *o,
                        struct gw_capture **out, struct gw_err *err)
{
	struct gw_capture *c = calloc(1, sizeof *c);
	if (!c) {
		pcap_close(p);
		return gw_err_set(err, GW_ENOMEM, "%s: out of memory", name);
	}
	c->n = 1;
	c->h[0].pcap = p;
	c->h[0].fd = -1;
	c->h[0].linktype = linktype_of(pcap_datalink(p));
	snprintf(c->h[0].name, sizeof c->h[0].name, "file");
	snprintf(c->source, sizeof c->source, "%s", name);
	c->file_size = size;
	int r = set_filter(p, o->bpf_filter, name, err);
	if (r < 0) {
		gw_capture_free(c);
		return r;
	}
	*out = c;
	return 0;
}

static int open_failed(const char *name, const char *errbuf, struct gw_err *err)
{
	if (strstr(errbuf, "unknown file format") || strstr(errbuf, "truncated") ||
	    strstr(errbuf, "bad dump file") || strstr(errbuf, "pcapng") ||
	    strstr(errbuf, "not supported") || strstr(errbuf, "too big") ||
	    strstr(errbuf, "version"))
		return gw_err_set(err, GW_EFORMAT, "%s: not a readable pcap or pcapng capture (%s)",
		                  name, errbuf);
	return gw_err_set(err, GW_EIO, "%s: %s", name, errbuf);
}

int gw_capture_open_file(const char *path, const struct gw_options *o, struct gw_capture **out,
                         struct gw_err *err)
{
	*out = NULL;
	struct stat st = {0};
	bool is_stdin = strcmp(path, "-") == 0;
	if (!is_stdin && stat(path, &st) < 0)
		return gw_err_set(err, errno == ENOENT ? GW_ENOENT : GW_EIO, "%s: %s", path,
		                  strerror(errno));
	if (S_ISDIR(st.st_mode))
		return gw_err_set(err, GW_EINVAL, "%s: is a directory, not a capture file", path);

	char errbuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p =
	        pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_MICRO, errbuf);
	if (!p)
		return open_failed(path, errbuf, err);
	return wrap_offline(p, is_stdin ? "(standard input)" : path,
	                    S_ISREG(st.st_mode) ? st.st_size : 0, o, out, err);
}

int gw_capture_open_stream(FILE *f, const char *name, const struct gw_options *o,
                           struct gw_capture **out, struct gw_err *err)
{
	*out = NULL;
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p =
	        pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_MICRO, errbuf);
	if (!p) {
		fclose(f);
		return open_failed(name, errbuf, err);
	}
	return wrap_offline(p, name, 0, o, out, err);
}

static int open_interface(struct handle *h, const char *name, const struct gw_options *o,
                          char *warnings, size_t wsize, struct gw_err *err)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	snprintf(h->name, sizeof h->name, "%s", name);
	h->pcap = pcap_create(name, errbuf);
	if (!h->pcap)
		return gw_err_set(err, GW_ENOENT, "interface %s: %s", name, errbuf);
	pcap_t *p = h->pcap;
	if (pcap_set_snaplen(p, o->snaplen) < 0 || pcap_set_promisc(p, o->promisc) < 0 ||
	    pcap_set_timeout(p, o->timeout_ms) < 0 ||
	    pcap_set_immediate_mode(p, o->immediate) < 0 ||
	    pcap_set_buffer_size(p, o->buffer_mb * 1024 * 1024) < 0 ||
	    pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_MICRO) < 0)
		return gw_err_set(err, GW_EINVAL, "interface %s: cannot set capture options", name);
	int r = pcap_activate(p);
	if (r < 0) {
		int code = r == PCAP_ERROR_PERM_DENIED      ? GW_EPERM
		           : r == PCAP_ERROR_NO_SUCH_DEVICE ? GW_ENOENT
		                                            : GW_EIO;
		return gw_err_set(err, code, "interface %s: %s%s", name, pcap_statustostr(r),
		                  r == PCAP_ERROR_PERM_DENIED ? " (run as root or with CAP_NET_RAW)"
		                  : r == PCAP_ERROR           ? ""
		                                              : "");
	}
	if (r > 0) {
		size_t len = strlen(warnings);
		snprintf(warnings + len, wsize - len, "%sinterface %s: %s", len ? "; " : "", name,
		         pcap_geterr(p)[0] ? pcap_geterr(p) : pcap_statustostr(r));
	}
	h->linktype = linktype_of(pcap_datalink(p));
	if (!gw_decode_linktype_supported(h->linktype))
		return gw_err_set(err, GW_ENOTSUP, "interface %s: link type %s is not decoded",
		                  name, pcap_datalink_val_to_name(pcap_datalink(p)));
	r = set_filter(p, o->bpf_filter, name, err);
	if (r < 0)
		return r;
	if (pcap_setnonblock(p, 1, errbuf) < 0)
		return gw_err_set(err, GW_EIO, "interface %s: %s", name, errbuf);
	h->fd = pcap_get_selectable_fd(p);
	return 0;
}

int gw_capture_open_live(const struct gw_options *o, struct gw_capture **out, struct gw_err *err)
{
	*out = NULL;
	if (o->n_interfaces == 0)
		return gw_err_set(err, GW_EINVAL, "no interface given (-i IFACE, or -i any)");
	struct gw_capture *c = calloc(1, sizeof *c);
	if (!c)
		return gw_err_set(err, GW_ENOMEM, "out of memory");
	c->live = true;
	c->opt = *o;
	for (unsigned i = 0; i < o->n_interfaces; i++) {
		struct handle *h = &c->h[c->n++];
		h->fd = -1;
		int r = open_interface(h, o->interfaces[i], o, c->warnings, sizeof c->warnings,
		                       err);
		if (r < 0) {
			gw_capture_free(c);
			return r;
		}
		size_t len = strlen(c->source);
		snprintf(c->source + len, sizeof c->source - len, "%s%s", i ? "," : "", h->name);
	}
	*out = c;
	return 0;
}

static void fill_frame(struct gw_frame *f, const struct pcap_pkthdr *hdr, const u_char *data,
                       const struct handle *h, unsigned index, pcap_dumper_t *dump)
{
	if (dump)
		pcap_dump((u_char *)dump, hdr, data);
	/* pcapng timestamps are 64-bit: a hostile file can name any second. Keep
	 * times within ±146,000 years, so that no timeout added later overflows. */
	const int64_t limit = INT64_MAX / 1000000 / 2;
	int64_t sec = hdr->ts.tv_sec, usec = hdr->ts.tv_usec;
	sec = sec > limit ? limit : sec < -limit ? -limit : sec;
	usec = usec > 999999 ? 999999 : usec < 0 ? 0 : usec;
	f->ts_us = sec * 1000000 + usec;
	f->caplen = hdr->caplen;
	f->wirelen = hdr->len;
	f->linktype = h->linktype;
	f->iface = (uint16_t)index;
	f->data = data;
}

static int next_from_file(struct gw_capture *c, struct gw_frame *frame, struct gw_err *err)
{
	struct pcap_pkthdr *hdr;
	const u_char *data;
	int r = pcap_next_ex(c->h[0].pcap, &hdr, &data);
	if (r == 1) {
		c->frames++;
		fill_frame(frame, hdr, data, &c->h[0], 0, c->dump);
		return GW_CAPTURE_FRAME;
	}
	if (r == PCAP_ERROR_BREAK)
		return GW_CAPTURE_EOF;
	const char *why = pcap_geterr(c->h[0].pcap);
	int code = strstr(why, "truncated") ? GW_ETRUNC : GW_EFORMAT;
	return gw_err_set(err, code, "%s: input ends early after %llu frames: %s", c->source,
	                  (unsigned long long)c->frames, why);
}

/* An interface that failed (it went down, or away): closed, to be reopened. */
static void went_down(struct gw_capture *c, struct handle *h)
{
	size_t len = strlen(c->warnings);
	snprintf(c->warnings + len, sizeof c->warnings - len, "%sinterface %s: %s", len ? "; " : "",
	         h->name, pcap_geterr(h->pcap));
	gw_capture_stats(c, &c->totals); /* fold its counters before they go */
	pcap_close(h->pcap);
	h->pcap = NULL;
	h->fd = -1;
	h->down = true;
	h->down_since_us = h->link_down ? h->link_down_since_us : gw_clock_realtime_us();
	h->next_try_us = gw_clock_monotonic_us() + 1000000;
	if (!h->link_down)
		c->totals.outages++;
}

static void outage_ended(struct gw_capture *c, const struct handle *h, unsigned index,
                         int64_t since_us)
{
	int64_t up = gw_clock_realtime_us();
	c->totals.down_us += (uint64_t)(up - since_us);
	c->outage = (struct gw_capture_outage){
	        .iface = (uint16_t)index, .since_us = since_us, .until_us = up};
	snprintf(c->outage.name, sizeof c->outage.name, "%s", h->name);
	c->outage_pending = true;
}

/* Once a second: which interfaces are up, by libpcap's list ("any" always is). */
static void check_links(struct gw_capture *c)
{
	int64_t now = gw_clock_monotonic_us();
	if (now < c->next_link_check_us)
		return;
	c->next_link_check_us = now + 1000000;
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_if_t *all = NULL;
	if (pcap_findalldevs(&all, errbuf) != 0)
		return;
	for (unsigned i = 0; i < c->n; i++) {
		struct handle *h = &c->h[i];
		if (h->down || strcmp(h->name, "any") == 0)
			continue;
		bool up = false;
		for (pcap_if_t *d = all; d; d = d->next)
			if (strcmp(d->name, h->name) == 0)
				up = (d->flags & PCAP_IF_UP) != 0;
		if (!up && !h->link_down) {
			h->link_down = true;
			h->link_down_since_us = gw_clock_realtime_us();
			c->totals.outages++;
		} else if (up && h->link_down) {
			h->link_down = false;
			outage_ended(c, h, i, h->link_down_since_us);
		}
	}
	pcap_freealldevs(all);
}

/* Tries to reopen a down interface, once a second; on success the outage is
 * counted and kept for gw_capture_take_outage. */
static void try_reopen(struct gw_capture *c, struct handle *h, unsigned index)
{
	int64_t now = gw_clock_monotonic_us();
	if (now < h->next_try_us)
		return;
	h->next_try_us = now + 1000000;
	char name[64], warnings[256] = "";
	snprintf(name, sizeof name, "%s", h->name);
	struct gw_err err = {0};
	struct handle fresh = {.fd = -1};
	if (open_interface(&fresh, name, &c->opt, warnings, sizeof warnings, &err) < 0) {
		if (fresh.pcap)
			pcap_close(fresh.pcap);
		return;
	}
	int64_t since = h->down_since_us;
	*h = fresh;
	outage_ended(c, h, index, since);
}

bool gw_capture_take_outage(struct gw_capture *c, struct gw_capture_outage *out)
{
	if (!c->outage_pending)
		return false;
	c->outage_pending = false;
	*out = c->outage;
	return true;
}

/* Live: one pass over the handles from the round-robin position, then poll. */
static int next_from_interfaces(struct gw_capture *c, struct gw_frame *frame, struct gw_err *err)
{
	(void)err;
	check_links(c);
	for (unsigned k = 0; k < c->n; k++) {
		unsigned i = (c->next + k) % c->n;
		if (c->h[i].down) {
			try_reopen(c, &c->h[i], i);
			continue;
		}
		struct pcap_pkthdr *hdr;
		const u_char *data;
		int r = pcap_next_ex(c->h[i].pcap, &hdr, &data);
		if (r == 1) {
			c->next = (i + 1) % c->n;
			c->frames++;
			fill_frame(frame, hdr, data, &c->h[i], i, c->dump);
			return GW_CAPTURE_FRAME;
		}
		if (r < 0 && r != PCAP_ERROR_BREAK)
			went_down(c, &c->h[i]);
	}
	struct pollfd fds[GW_MAX_INTERFACES];
	for (unsigned i = 0; i < c->n; i++)
		fds[i] = (struct pollfd){.fd = c->h[i].fd, .events = POLLIN};
	if (poll(fds, c->n, 100) < 0 && errno != EINTR)
		return gw_err_set(err, GW_EIO, "poll on capture handles: %s", strerror(errno));
	return GW_CAPTURE_NONE;
}

int gw_capture_next(struct gw_capture *c, struct gw_frame *frame, struct gw_err *err)
{
	return c->live ? next_from_interfaces(c, frame, err) : next_from_file(c, frame, err);
}

void gw_capture_stats(struct gw_capture *c, struct gw_capture_stats *out)
{
	for (unsigned i = 0; c->live && i < c->n; i++) {
		struct pcap_stat now;
		if (!c->h[i].pcap || pcap_stats(c->h[i].pcap, &now) < 0)
			continue;
		/* Unsigned 32-bit differences stay right across one wrap. */
		c->totals.received += (uint32_t)(now.ps_recv - c->h[i].last.ps_recv);
		c->totals.dropped_kernel += (uint32_t)(now.ps_drop - c->h[i].last.ps_drop);
		c->totals.dropped_iface += (uint32_t)(now.ps_ifdrop - c->h[i].last.ps_ifdrop);
		c->h[i].last = now;
	}
	*out = c->totals;
}

double gw_capture_progress(const struct gw_capture *c)
{
	if (c->live || c->file_size <= 0)
		return -1.0;
	FILE *f = pcap_file(c->h[0].pcap);
	off_t pos = f ? ftello(f) : -1;
	if (pos < 0)
		return -1.0;
	double share = (double)pos / (double)c->file_size;
	return share > 1.0 ? 1.0 : share;
}

bool gw_capture_is_live(const struct gw_capture *c)
{
	return c->live;
}

const char *gw_capture_source(const struct gw_capture *c)
{
	return c->source;
}

const char *gw_capture_warnings(const struct gw_capture *c)
{
	return c->warnings;
}

int gw_capture_dump_to(struct gw_capture *c, const char *path, struct gw_err *err)
{
	if (c->n != 1)
		return gw_err_set(
		        err, GW_EINVAL,
		        "%s: a pcap file holds one interface; record from one (or -i any)", path);
	c->dump = pcap_dump_open(c->h[0].pcap, path);
	if (!c->dump)
		return gw_err_set(err, GW_EIO, "%s: %s", path, pcap_geterr(c->h[0].pcap));
	snprintf(c->dump_path, sizeof c->dump_path, "%s", path);
	return 0;
}

int gw_capture_dump_flush(struct gw_capture *c, struct gw_err *err)
{
	if (c->dump && (pcap_dump_flush(c->dump) < 0 || ferror(pcap_dump_file(c->dump))))
		return gw_err_set(err, GW_EIO, "%s: write failed", c->dump_path);
	return 0;
}

void gw_capture_free(struct gw_capture *c)
{
	if (!c)
		return;
	if (c->dump)
		pcap_dump_close(c->dump);
	for (unsigned i = 0; i < c->n; i++)
		if (c->h[i].pcap)
			pcap_close(c->h[i].pcap);
	free(c);
}
