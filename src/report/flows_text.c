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

static void endpoint(const struct gw_addr *a, uint16_t port, char *buf, size_t size)
{
	char ip[GW_ADDR_STRLEN];
	gw_addr_format(a, ip, sizeof ip);
	snprintf(buf, size, a->family == GW_AF_INET6 ? "[%s]:%u" : "%s:%u", ip, port);
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
	char local[64], remote[64], proto[16], pkts[48], bytes[48], first[32], state[16];
	gw_flow_local_addr(f, &a);
	endpoint(&a, f->key.local_port, local, sizeof local);
	gw_flow_remote_addr(f, &a);
	endpoint(&a, f->key.remote_port, remote, sizeof remote);
	snprintf(pkts, sizeof pkts, "%llu/%llu", (unsigned long long)f->packets[GW_DIR_OUT],
	         (unsigned long long)f->packets[GW_DIR_IN]);
	snprintf(bytes, sizeof bytes, "%llu/%llu", (unsigned long long)f->bytes[GW_DIR_OUT],
	         (unsigned long long)f->bytes[GW_DIR_IN]);
	snprintf(state, sizeof state, "%s",
	         f->tcp_state ? gw_tcp_state_name((enum gw_tcp_state)f->tcp_state) : "-");
	fprintf(rep->out, "%-9s %-30s %-30s %-12s %15s %21s %-27s %8.3fs %s%s\n",
	        gw_transport_name(f->key.proto, proto, sizeof proto), local, remote, state, pkts,
	        bytes, gw_clock_format_us(f->first_us, first, sizeof first),
	        (double)(f->last_us - f->first_us) / 1e6, gw_flow_end_name(why),
	        f->orientation == GW_ORIENT_TRANSIT ? " (transit)" : "");
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
