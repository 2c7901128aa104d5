/* cli/evidence.c — pcapng evidence, each packet with a comment saying what
 * ghostwire found, so that Wireshark shows the process behind a packet.
 * replay --pcapng FILE: the packets of every finding (with --pcapng-all,
 * every packet). The first pass (the replay) keeps one comment per flow, by
 * the flow's creation number; the second reads the capture again through a
 * flow table with the same options, which numbers the flows the same way
 * (replay is deterministic), and writes the packets with their flow's
 * comment. watch --pcapng FILE (and the extcap interface): every packet as
 * it passes, with what is known of its flow then — the owner found by the
 * lookup at its first packet, then the verdict on its opening. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "ghostwire/capture.h"
#include "ghostwire/pcapng_writer.h"

#define MAX_COMMENTS (1u << 22) /* flows with a comment at most: about 4 M */

struct slot {
	uint64_t seq; /* 0: empty */
	char *comment;
};

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	return x ^ (x >> 33);
}

static int grow(struct gw_cli_evidence *ev)
{
	size_t cap = ev->cap ? ev->cap * 2 : 1024;
	struct slot *s = calloc(cap, sizeof *s);
	if (!s)
		return -1;
	for (size_t i = 0; i < ev->cap; i++) {
		if (!ev->slots[i].seq)
			continue;
		size_t k = mix(ev->slots[i].seq) & (cap - 1);
		while (s[k].seq)
			k = (k + 1) & (cap - 1);
		s[k] = ev->slots[i];
	}
	free(ev->slots);
	ev->slots = s;
	ev->cap = cap;
	return 0;
}

static struct slot *find(const struct gw_cli_evidence *ev, uint64_t seq)
{
	if (!ev->cap)
		return NULL;
	size_t k = mix(seq) & (ev->cap - 1);
	while (ev->slots[k].seq && ev->slots[k].seq != seq)
		k = (k + 1) & (ev->cap - 1);
	return &ev->slots[k];
}

/* "ghostwire: verdict=unexplained kind=... hints=... pid=... comm=... exe=...
 * country=... asn=... name=..." */
static void comment_of(const struct gw_verdict *v, const struct gw_verdict_enrich *e,
                       bool provisional, char *buf, size_t size)
{
	char hints[256];
	bool pending = provisional && v->kind != GW_VERDICT_EXPLAINED;
	size_t n = (size_t)snprintf(buf, size, "ghostwire: verdict=%s",
	                            pending ? "pending"
	                                    : gw_verdict_kind_name((enum gw_verdict_kind)v->kind));
#define ADD(...)                                                                                   \
	do {                                                                                       \
		if (n < size)                                                                      \
			n += (size_t)snprintf(buf + n, size - n, __VA_ARGS__);                     \
	} while (0)
	if (v->kind == GW_VERDICT_UNEXPLAINED && !pending)
		ADD(" kind=%s", gw_unexplained_kind_name(v->unexplained));
	if (v->hints)
		ADD(" hints=%s", gw_hint_names(v->hints, hints, sizeof hints));
	const struct gw_holder *h = v->n_holders ? &v->holders[0] : NULL;
	if (v->has_owner)
		ADD(" pid=%d comm=%s exe=%s", (int)v->owner.pid, v->owner.comm, v->owner.exe);
	else if (h)
		ADD(" holder_pid=%d holder_comm=%s holder_exe=%s", (int)h->pid, h->comm, h->exe);
	if (e && e->has_remote_geo && e->remote_geo.country[0])
		ADD(" country=%s", e->remote_geo.country);
	if (e && e->has_remote_geo && e->remote_geo.asn)
		ADD(" asn=%u", e->remote_geo.asn);
	if (e && (e->server_name || e->n_names))
		ADD(" name=%s", e->server_name ? e->server_name : e->names[0]);
#undef ADD
}

static void keep(struct gw_cli_evidence *ev, const struct gw_flow *f, const struct gw_verdict *v,
                 const struct gw_verdict_enrich *e, bool provisional)
{
	if ((ev->n + 1) * 2 > ev->cap && (ev->n >= MAX_COMMENTS || grow(ev) < 0)) {
		ev->dropped++;
		return;
	}
	char text[1024];
	comment_of(v, e, provisional, text, sizeof text);
	struct slot *s = find(ev, f->seq);
	char *copy = strdup(text);
	if (!copy) {
		ev->dropped++;
		return;
	}
	if (s->seq) {
		free(s->comment);
	} else {
		s->seq = f->seq;
		ev->n++;
	}
	s->comment = copy;
}

void gw_cli_evidence_note(struct gw_cli_evidence *ev, const struct gw_flow *f,
                          const struct gw_verdict *v, const struct gw_verdict_enrich *e)
{
	if (ev->path && (ev->all || gw_verdict_is_finding(v)))
		keep(ev, f, v, e, false);
}

void gw_cli_evidence_note_live(struct gw_cli_evidence *ev, const struct gw_flow *f,
                               const struct gw_verdict *v, const struct gw_verdict_enrich *e,
                               bool provisional)
{
	if (ev->w)
		keep(ev, f, v, e, provisional);
}

void gw_cli_evidence_forget(struct gw_cli_evidence *ev, const struct gw_flow *f)
{
	struct slot *s = ev->w ? find(ev, f->seq) : NULL;
	if (!s || !s->seq)
		return;
	/* Backward-shift deletion keeps the linear probing chains whole. */
	free(s->comment);
	size_t i = (size_t)(s - ev->slots), j = i;
	for (;;) {
		ev->slots[i].seq = 0;
		ev->slots[i].comment = NULL;
		for (;;) {
			j = (j + 1) & (ev->cap - 1);
			if (!ev->slots[j].seq)
				goto done;
			size_t k = mix(ev->slots[j].seq) & (ev->cap - 1);
			if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
				continue; /* in place already */
			break;
		}
		ev->slots[i] = ev->slots[j];
		i = j;
	}
done:
	ev->n--;
}

int gw_cli_evidence_open_live(struct gw_cli_evidence *ev)
{
	struct gw_err err = {0};
	if (!ev->path)
		return 0;
	if (gw_pcapng_open(ev->path, &ev->w, &err) < 0) {
		gw_cli_error("%s", err.msg);
		return GW_EXIT_FAIL;
	}
	return 0;
}

void gw_cli_evidence_packet(struct gw_cli_evidence *ev, const struct gw_frame *frame,
                            const struct gw_flow *f)
{
	if (!ev->w || ev->failed)
		return;
	struct slot *s = f ? find(ev, f->seq) : NULL;
	const char *comment = s && s->seq ? s->comment : NULL;
	struct gw_err err = {0};
	if (gw_pcapng_write(ev->w, frame, comment, &err) < 0) {
		gw_cli_error("--pcapng: %s (no more packets written)", err.msg);
		ev->failed = true;
		return;
	}
	ev->written++;
	if (ev->flush_each && gw_pcapng_flush(ev->w, &err) < 0) {
		gw_cli_error("--pcapng: %s (no more packets written)", err.msg);
		ev->failed = true;
	}
}

int gw_cli_evidence_close_live(struct gw_cli_evidence *ev)
{
	struct gw_err err = {0};
	struct gw_pcapng_writer *w = ev->w;
	ev->w = NULL;
	if (gw_pcapng_close(w, &err) < 0) {
		gw_cli_error("%s", err.msg);
		return GW_EXIT_FAIL;
	}
	return ev->failed ? GW_EXIT_FAIL : 0;
}

int gw_cli_evidence_write(struct gw_cli_evidence *ev, const char *capture,
                          const struct gw_options *o)
{
	if (!ev->path)
		return 0;
	struct gw_err err = {0};
	struct gw_capture *cap = NULL;
	struct gw_flow_table *t = NULL;
	struct gw_pcapng_writer *w = NULL;
	int status = GW_EXIT_FAIL;
	if (gw_capture_open_file(capture, o, &cap, &err) < 0 ||
	    !(t = gw_flow_table_new(o, NULL, NULL, &err)) || gw_pcapng_open(ev->path, &w, &err) < 0)
		goto out;
	struct gw_decode_stats ds = {0};
	struct gw_frame frame;
	int got;
	while ((got = gw_capture_next(cap, &frame, &err)) == GW_CAPTURE_FRAME) {
		struct gw_packet p;
		const struct gw_flow *f = gw_decode(&frame, &p, &ds) == GW_DECODE_OK
		                                  ? gw_flow_table_update_flow(t, &p)
		                                  : NULL;
		uint64_t seq = f ? f->seq : 0;
		struct slot *s = seq ? find(ev, seq) : NULL;
		const char *comment = s && s->seq ? s->comment : NULL;
		if (!comment && !ev->all)
			continue;
		if (gw_pcapng_write(w, &frame, comment, &err) < 0)
			goto out;
		ev->written++;
	}
	if (got != GW_CAPTURE_EOF)
		goto out;
	status = 0;
out:
	if (gw_pcapng_close(w, status == 0 ? &err : NULL) < 0)
		status = GW_EXIT_FAIL;
	if (status != 0)
		gw_cli_error("--pcapng: %s", err.msg[0] ? err.msg : "failed");
	gw_flow_table_free(t);
	gw_capture_free(cap);
	return status;
}

void gw_cli_evidence_free(struct gw_cli_evidence *ev)
{
	for (size_t i = 0; i < ev->cap; i++)
		free(ev->slots[i].comment);
	free(ev->slots);
	ev->slots = NULL;
	ev->cap = ev->n = 0;
}
