/* report/flows_text.c — the `flows` table for people: one row per ended flow,
 * then the run's counters, including every drop, eviction and malformed frame. */
#include <stdlib.h>
#include <string.h>

#include "ghostwire/clock.h"
#include "ghostwire/flow_report.h"

struct gw_flow_reporter {
	FILE *out;
	bool header_done;
};

static int text_open(struct gw_flow_reporter **rep, FILE *out, struct gw_err *err)
{
	*rep = calloc(1, sizeof **rep);
	if (!*rep)
		return gw_err_set(err, GW_ENOMEM, "out of memory");
	(*rep)->out = out;
	return 0;
}

/* One output line, built by hand: printf's format parsing was a tenth of the
 * time of `flows` on a large capture. */
struct line {
	char buf[512];
	size_t len;
};

static void put(struct line *l, const char *s, size_t n)
{
	if (n > sizeof l->buf - 1 - l->len)
		n = sizeof l->buf - 1 - l->len;
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

static void pad_to(struct line *l, size_t col)
{
	while (l->len < col && l->len < sizeof l->buf - 1)
		l->buf[l->len++] = ' ';
}

/* s left-aligned in a column of width w, then one space. */
static void cell_left(struct line *l, const char *s, size_t w)
{
	size_t start = l->len;
	put(l, s, strlen(s));
	pad_to(l, start + w);
	put(l, " ", 1);
}

/* s right-aligned in a column of width w, then one space. */
static void cell_right(struct line *l, const char *s, size_t w)
{
	size_t n = strlen(s);
	if (n < w)
		pad_to(l, l->len + (w - n));
	put(l, s, n);
	put(l, " ", 1);
}

static char *u64_text(uint64_t v, char *end)
{
	*--end = '\0';
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

/* "OUT/IN" into buf (>= 48 bytes). */
static const char *pair(uint64_t out, uint64_t in, char *buf)
{
	char a[24], b[24];
	const char *x = u64_text(out, a + sizeof a), *y = u64_text(in, b + sizeof b);
	size_t nx = strlen(x), ny = strlen(y);
	memcpy(buf, x, nx);
	buf[nx] = '/';
	memcpy(buf + nx + 1, y, ny + 1);
	return buf;
}

static const char *endpoint(const struct gw_addr *a, uint16_t port, char *buf, size_t size)
{
	char ip[GW_ADDR_STRLEN], p[8];
	gw_addr_format(a, ip, sizeof ip);
	const char *ptext = u64_text(port, p + sizeof p);
	snprintf(buf, size, a->family == GW_AF_INET6 ? "[%s]:%s" : "%s:%s", ip, ptext);
	return buf;
}

/* Duration in seconds with three decimals and an "s", right-aligned in 9. */
static const char *duration(int64_t us, char *buf)
{
	if (us < 0)
		us = 0;
	uint64_t ms = ((uint64_t)us + 500) / 1000;
	char whole[24], frac[4] = {(char)('0' + ms / 100 % 10), (char)('0' + ms / 10 % 10),
	                           (char)('0' + ms % 10), '\0'};
	const char *w = u64_text(ms / 1000, whole + sizeof whole);
	size_t n = strlen(w);
	memcpy(buf, w, n);
	buf[n] = '.';
	memcpy(buf + n + 1, frac, 3);
	buf[n + 4] = 's';
	buf[n + 5] = '\0';
	return buf;
}

static void text_flow(struct gw_flow_reporter *rep, const struct gw_flow *f, enum gw_flow_end why)
{
	if (!rep->header_done) {
		fprintf(rep->out, "%-9s %-30s %-30s %-12s %15s %21s %-27s %9s %s\n", "PROTO",
		        "LOCAL", "REMOTE", "STATE", "PKTS OUT/IN", "BYTES OUT/IN", "FIRST SEEN",
		        "DURATION", "END");
		rep->header_done = true;
	}
	struct gw_addr a;
	struct line l = {.len = 0};
	char text[64], proto[16], first[32];
	cell_left(&l, gw_transport_name(f->key.proto, proto, sizeof proto), 9);
	gw_flow_local_addr(f, &a);
	cell_left(&l, endpoint(&a, f->key.local_port, text, sizeof text), 30);
	gw_flow_remote_addr(f, &a);
	cell_left(&l, endpoint(&a, f->key.remote_port, text, sizeof text), 30);
	cell_left(&l, f->tcp_state ? gw_tcp_state_name((enum gw_tcp_state)f->tcp_state) : "-", 12);
	cell_right(&l, pair(f->packets[GW_DIR_OUT], f->packets[GW_DIR_IN], text), 15);
	cell_right(&l, pair(f->bytes[GW_DIR_OUT], f->bytes[GW_DIR_IN], text), 21);
	cell_left(&l, gw_clock_format_us(f->first_us, first, sizeof first), 27);
	cell_right(&l, duration(f->last_us - f->first_us, text), 9);
	put(&l, gw_flow_end_name(why), strlen(gw_flow_end_name(why)));
	if (f->orientation == GW_ORIENT_TRANSIT)
		put(&l, " (transit)", 10);
	put(&l, "\n", 1);
	fwrite(l.buf, 1, l.len, rep->out);
}

static void text_summary(struct gw_flow_reporter *rep, const struct gw_run_summary *s)
{
	FILE *o = rep->out;
	const struct gw_decode_stats *d = &s->decode;
	const struct gw_flow_table_stats *fl = &s->flows;
	if (fl->flows == 0)
		fprintf(o, "(no flows)\n");
	fprintf(o, "\nsource: %s%s%s\n", s->source,
	        s->complete ? "" : " — INCOMPLETE: ", s->complete ? "" : s->error);
	fprintf(o,
	        "frames: %llu (%llu bytes); decoded %llu, not IP %llu, unsupported link %llu, "
	        "malformed %llu\n",
	        (unsigned long long)s->frames, (unsigned long long)s->bytes,
	        (unsigned long long)d->decoded, (unsigned long long)d->not_ip,
	        (unsigned long long)d->unsupported_link,
	        (unsigned long long)gw_decode_malformed_total(d));
	for (int i = 0; i < GW_MAL_COUNT; i++)
		if (d->malformed[i])
			fprintf(o, "  malformed %-24s %llu\n",
			        gw_malformed_name((enum gw_malformed)i),
			        (unsigned long long)d->malformed[i]);
	fprintf(o,
	        "flows: %llu (at most %llu at once); ended: closed %llu, idle %llu, "
	        "evicted (table full) %llu, reused %llu, end of input %llu\n",
	        (unsigned long long)fl->flows, (unsigned long long)fl->max_active,
	        (unsigned long long)fl->ended[GW_END_CLOSED],
	        (unsigned long long)fl->ended[GW_END_IDLE],
	        (unsigned long long)fl->ended[GW_END_EVICTED],
	        (unsigned long long)fl->ended[GW_END_REUSED],
	        (unsigned long long)fl->ended[GW_END_INPUT]);
	fprintf(o,
	        "fragments: %llu attributed, %llu unattributed; ICMP errors linked to their flow: "
	        "%llu\n",
	        (unsigned long long)fl->frag_attributed, (unsigned long long)fl->frag_unattributed,
	        (unsigned long long)fl->icmp_linked);
	if (s->live)
		fprintf(o,
		        "capture: received %llu, dropped by kernel %llu, dropped by interface "
		        "%llu\n",
		        (unsigned long long)s->capture.received,
		        (unsigned long long)s->capture.dropped_kernel,
		        (unsigned long long)s->capture.dropped_iface);
	fflush(o);
}

static void text_close(struct gw_flow_reporter *rep)
{
	free(rep);
}

const struct gw_flow_reporter_ops gw_flow_reporter_text = {
        .name = "text",
        .open = text_open,
        .flow = text_flow,
        .summary = text_summary,
        .close = text_close,
};
