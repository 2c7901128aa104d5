/* report/pcapng_writer.c — a pcapng writer (the IETF pcapng draft: section
 * header, interface description and enhanced packet blocks, in the host's byte
 * order with the byte-order magic saying which), just what evidence needs:
 * packets with comments, microsecond timestamps. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ghostwire/pcapng_writer.h"

#define MAX_INTERFACES 64
#define COMMENT_MAX    65000
#define SNAPLEN        262144

enum {
	BT_SHB = 0x0A0D0D0A,
	BT_IDB = 0x00000001,
	BT_EPB = 0x00000006,
	OPT_END = 0,
	OPT_COMMENT = 1,
};

struct gw_pcapng_writer {
	FILE *f;
	char path[4096];
	struct {
		uint16_t iface;
		int linktype;
	} ifs[MAX_INTERFACES];
	unsigned n_ifs;
	bool failed;
};

static void put(struct gw_pcapng_writer *w, const void *p, size_t n)
{
	if (n && fwrite(p, 1, n, w->f) != n)
		w->failed = true;
}

static void put32(struct gw_pcapng_writer *w, uint32_t v)
{
	put(w, &v, 4);
}

static void pad(struct gw_pcapng_writer *w, size_t n)
{
	static const uint8_t zero[4];
	put(w, zero, (4 - n % 4) % 4);
}

static size_t padded(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

int gw_pcapng_open(const char *path, struct gw_pcapng_writer **out, struct gw_err *err)
{
	*out = NULL;
	struct gw_pcapng_writer *w = calloc(1, sizeof *w);
	if (!w)
		return gw_err_set(err, GW_ENOMEM, "out of memory");
	snprintf(w->path, sizeof w->path, "%s", path);
	if (!(w->f = fopen(path, "wb"))) {
		int e = errno;
		free(w);
		return gw_err_set(err, GW_EIO, "%s: %s", path, strerror(e));
	}
	uint32_t len = 28;
	put32(w, BT_SHB);
	put32(w, len);
	put32(w, 0x1A2B3C4D); /* byte-order magic */
	uint16_t version[2] = {1, 0};
	put(w, version, 4);
	int64_t section_length = -1; /* not given */
	put(w, &section_length, 8);
	put32(w, len);
	*out = w;
	return 0;
}

/* The interface id of (iface, linktype), described now if new; -1 if too many. */
static int interface_id(struct gw_pcapng_writer *w, uint16_t iface, int linktype)
{
	for (unsigned i = 0; i < w->n_ifs; i++)
		if (w->ifs[i].iface == iface && w->ifs[i].linktype == linktype)
			return (int)i;
	if (w->n_ifs == MAX_INTERFACES)
		return -1;
	w->ifs[w->n_ifs].iface = iface;
	w->ifs[w->n_ifs].linktype = linktype;
	uint32_t len = 20;
	put32(w, BT_IDB);
	put32(w, len);
	uint16_t lt[2] = {(uint16_t)linktype, 0};
	put(w, lt, 4);
	put32(w, SNAPLEN);
	put32(w, len);
	return (int)w->n_ifs++;
}

int gw_pcapng_write(struct gw_pcapng_writer *w, const struct gw_frame *frame, const char *comment,
                    struct gw_err *err)
{
	int id = interface_id(w, frame->iface, frame->linktype);
	if (id < 0)
		return gw_err_set(err, GW_EINVAL, "%s: more than %d interfaces", w->path,
		                  MAX_INTERFACES);
	size_t clen = comment ? strnlen(comment, COMMENT_MAX) : 0;
	size_t opts = clen ? 4 + padded(clen) + 4 : 0;
	size_t len = 28 + padded(frame->caplen) + opts + 4;
	uint64_t ts = (uint64_t)frame->ts_us; /* microseconds: the default resolution */
	put32(w, BT_EPB);
	put32(w, (uint32_t)len);
	put32(w, (uint32_t)id);
	put32(w, (uint32_t)(ts >> 32));
	put32(w, (uint32_t)ts);
	put32(w, frame->caplen);
	put32(w, frame->wirelen);
	put(w, frame->data, frame->caplen);
	pad(w, frame->caplen);
	if (clen) {
		uint16_t h[2] = {OPT_COMMENT, (uint16_t)clen};
		put(w, h, 4);
		put(w, comment, clen);
		pad(w, clen);
		uint16_t end[2] = {OPT_END, 0};
		put(w, end, 4);
	}
	put32(w, (uint32_t)len);
	if (w->failed)
		return gw_err_set(err, GW_EIO, "%s: writing failed", w->path);
	return 0;
}

int gw_pcapng_flush(struct gw_pcapng_writer *w, struct gw_err *err)
{
	if (w->failed || fflush(w->f) != 0) {
		w->failed = true;
		return gw_err_set(err, GW_EIO, "%s: writing failed", w->path);
	}
	return 0;
}

int gw_pcapng_close(struct gw_pcapng_writer *w, struct gw_err *err)
{
	if (!w)
		return 0;
	bool failed = w->failed || fclose(w->f) != 0;
	int r = failed ? gw_err_set(err, GW_EIO, "%s: writing failed", w->path) : 0;
	free(w);
	return r;
}
