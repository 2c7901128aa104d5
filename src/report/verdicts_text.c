/* report/verdicts_text.c — a verdict for people: the flow, the verdict with
 * its kind and hints, the reason, and who owns it or who could have sent it. */
#include <stdio.h>

#include "ghostwire/clock.h"
#include "ghostwire/flow_ids.h"
#include "ghostwire/verdict_report.h"

/* "10.0.0.5:443", "[2001:db8::5]:443"; without a port for protocols that have
 * none (ICMP: its key's "ports" are the echo identifier). */
static void endpoint(const struct gw_addr *a, uint16_t port, bool ports, char *buf, size_t size)
{
	char ip[GW_ADDR_STRLEN];
	gw_addr_format(a, ip, sizeof ip);
	if (!ports)
		snprintf(buf, size, "%s", ip);
	else
		snprintf(buf, size, a->family == GW_AF_INET6 ? "[%s]:%u" : "%s:%u", ip, port);
}

void gw_verdict_print_text(FILE *out, const struct gw_flow *f, const struct gw_verdict *v,
                           const struct gw_verdict_enrich *e)
{
	struct gw_addr a;
	char local[64], remote[64], proto[16], when[32], hints[256];
	bool ports = f->key.proto == GW_IPPROTO_TCP || f->key.proto == GW_IPPROTO_UDP;
	gw_flow_local_addr(f, &a);
	endpoint(&a, f->key.local_port, ports, local, sizeof local);
	gw_flow_remote_addr(f, &a);
	endpoint(&a, f->key.remote_port, ports, remote, sizeof remote);
	const char *what = gw_verdict_kind_name(v->kind);
	fprintf(out, "%s %-11s %s %s %s %s", gw_clock_format_us(f->first_us, when, sizeof when),
	        what, gw_transport_name(f->key.proto, proto, sizeof proto), local,
	        f->opener == GW_DIR_OUT ? "->" : "<-", remote);
	if (v->kind == GW_VERDICT_UNEXPLAINED)
		fprintf(out, "  [%s]", gw_unexplained_kind_name(v->unexplained));
	if (v->hints)
		fprintf(out, "  hints: %s", gw_hint_names(v->hints, hints, sizeof hints));
	if (e && e->allowed_by)
		fprintf(out, "  allowed: %s", e->allowed_by);
	const char *held = gw_alert_mark_held_name(f->alerted > GW_ALERT_MARK_SENT ? f->alerted
	                                           : e                             ? e->held_by
	                                                                           : 0);
	if (held)
		fprintf(out, "  alert held: %s", held);
	if (e && e->has_remote_geo) {
		char geo[160];
		fprintf(out, "  [%s]", gw_geoip_format(&e->remote_geo, geo, sizeof geo));
	}
	if (e && e->server_name)
		fprintf(out, "  %s", e->server_name);
	else if (e && e->n_names)
		fprintf(out, "  (%s)", e->names[0]);
	if (v->has_owner) {
		char marks[128];
		fprintf(out, "  %s[%d] %s%s", v->owner.comm, v->owner.pid, v->owner.exe,
		        v->owner.exe_deleted ? " (deleted)" : "");
		if (v->owner.user[0])
			fprintf(out, " user=%s", v->owner.user);
		if (v->owner.marks)
			fprintf(out, " marks=%s",
			        gw_process_mark_names(v->owner.marks, marks, sizeof marks));
	}
	fputc('\n', out);
	if (v->reason[0] && (gw_verdict_is_finding(v) || !v->has_owner))
		fprintf(out, "    %s\n", v->reason);
	if (gw_verdict_is_finding(v)) {
		char filter[GW_DISPLAY_FILTER_SIZE];
		fprintf(out, "    wireshark: %s\n", gw_display_filter(f, filter, sizeof filter));
	}
	for (unsigned i = 0; i < v->n_clients; i++) {
		const struct gw_holder *h = &v->clients[i];
		fprintf(out, "    on behalf of %s[%d] %s (connected to the proxy over loopback)\n",
		        h->comm, h->pid, h->exe);
	}
	for (unsigned i = 0; i < v->n_holders; i++) {
		const struct gw_holder *h = &v->holders[i];
		char marks[128];
		fprintf(out, "    %s socket held by %s[%d] %s%s%s%s%s\n",
		        h->proto == GW_SOCK_PACKET ? "packet" : "raw", h->comm, h->pid, h->exe,
		        h->exe_deleted ? " (deleted)" : "",
		        h->proto == GW_SOCK_PACKET && h->packet_filter ? " (BPF filter attached)"
		                                                       : "",
		        h->marks ? " marks=" : "",
		        h->marks ? gw_process_mark_names(h->marks, marks, sizeof marks) : "");
	}
}
