/* report/verdicts_jsonl.c — each verdict as one JSON line after ECS: source is
 * the side that opened the flow, destination the other; process.* the owner;
 * event.*; and ghostwire.* for what ECS has no place for (docs/verdicts-json.md). */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ghostwire/clock.h"
#include "ghostwire/decode.h"
#include "ghostwire/flow_ids.h"
#include "ghostwire/json_line.h"
#include "ghostwire/verdict_report.h"

static json_t *time_json(int64_t us)
{
	char buf[32];
	return json_string(gw_clock_format_us(us, buf, sizeof buf));
}

static json_t *addr_json(const struct gw_addr *a)
{
	char buf[GW_ADDR_STRLEN];
	return json_string(gw_addr_format(a, buf, sizeof buf));
}

/* One end: ECS source.* or destination.* with the packets and bytes it sent. */
static json_t *end_json(const struct gw_addr *a, uint16_t port, uint64_t packets, uint64_t bytes,
                        bool has_port)
{
	json_t *o = json_object();
	json_object_set_new(o, "ip", addr_json(a));
	if (has_port)
		json_object_set_new(o, "port", json_integer(port));
	json_object_set_new(o, "packets", json_integer((json_int_t)packets));
	json_object_set_new(o, "bytes", json_integer((json_int_t)bytes));
	return o;
}

static json_t *flags_json(uint8_t seen)
{
	json_t *a = json_array();
	static const char *const names[] = {"syn", "syn-ack", "fin", "rst"};
	for (int i = 0; i < 4; i++)
		if (seen & (1u << i))
			json_array_append_new(a, json_string(names[i]));
	return a;
}

static const char *direction(const struct gw_flow *f)
{
	if (f->orientation == GW_ORIENT_TRANSIT)
		return "external";
	return f->opener == GW_DIR_OUT ? "outbound" : "inbound";
}

/* A list of names ("a,b,c") as a JSON array. */
static json_t *names_json(const char *names)
{
	json_t *a = json_array();
	for (const char *p = names; *p;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		json_array_append_new(a, json_stringn(p, n));
		p += n + (comma ? 1 : 0);
	}
	return a;
}

static json_t *process_json(const struct gw_process *p)
{
	json_t *o = json_object();
	json_object_set_new(o, "pid", json_integer(p->pid));
	json_object_set_new(o, "name", json_string(p->comm));
	if (p->exe[0])
		json_object_set_new(o, "executable", json_string(p->exe));
	if (p->cmdline[0])
		json_object_set_new(o, "command_line", json_string(p->cmdline));
	json_object_set_new(o, "parent", json_pack("{s:i}", "pid", p->ppid));
	char uid[16]; /* ECS user.id is a string */
	snprintf(uid, sizeof uid, "%u", p->uid);
	json_t *user = json_pack("{s:s}", "id", uid);
	if (p->user[0])
		json_object_set_new(user, "name", json_string(p->user));
	json_object_set_new(o, "user", user);
	if (p->exe_hash_status == GW_EXE_HASH_OK)
		json_object_set_new(o, "hash", json_pack("{s:s}", "sha256", p->exe_sha256));
	if (p->start_us)
		json_object_set_new(o, "start", time_json(p->start_us));
	if (p->container[0])
		json_object_set_new(o, "container_id", json_string(p->container));
	return o;
}

/* A named process's marks, when it has any. */
static void holder_marks(json_t *o, const struct gw_holder *h)
{
	char buf[256];
	if (h->marks)
		json_object_set_new(o, "marks",
		                    names_json(gw_process_mark_names(h->marks, buf, sizeof buf)));
}

static json_t *holders_json(const struct gw_verdict *v)
{
	json_t *a = json_array();
	for (unsigned i = 0; i < v->n_holders; i++) {
		const struct gw_holder *h = &v->holders[i];
		json_t *o = json_object();
		json_object_set_new(o, "socket",
		                    json_string(h->proto == GW_SOCK_PACKET ? "packet" : "raw"));
		json_object_set_new(o, "pid", json_integer(h->pid));
		json_object_set_new(o, "name", json_string(h->comm));
		json_object_set_new(o, "executable", json_string(h->exe));
		if (h->proto == GW_SOCK_PACKET)
			json_object_set_new(o, "bpf_filter", json_boolean(h->packet_filter));
		holder_marks(o, h);
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *clients_json(const struct gw_verdict *v)
{
	json_t *a = json_array();
	for (unsigned i = 0; i < v->n_clients; i++) {
		const struct gw_holder *h = &v->clients[i];
		json_t *o = json_object();
		json_object_set_new(o, "pid", json_integer(h->pid));
		json_object_set_new(o, "name", json_string(h->comm));
		if (h->exe[0])
			json_object_set_new(o, "executable", json_string(h->exe));
		holder_marks(o, h);
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *hints_json(uint32_t hints)
{
	char buf[256];
	return names_json(gw_hint_names(hints, buf, sizeof buf));
}

/* ghostwire.process: what ECS has no field for. */
static json_t *process_extra_json(const struct gw_process *p)
{
	char buf[256];
	json_t *o = json_object();
	json_object_set_new(o, "marks",
	                    names_json(gw_process_mark_names(p->marks, buf, sizeof buf)));
	json_object_set_new(o, "exe_deleted", json_boolean(p->exe_deleted));
	json_object_set_new(o, "exe_hash_status",
	                    json_string(gw_exe_hash_status_name(p->exe_hash_status)));
	return o;
}

/* ECS geo and as of the remote end; special ranges have neither. */
static void remote_geo_json(json_t *end, const struct gw_geoip_result *g)
{
	if (g->country[0])
		json_object_set_new(end, "geo", json_pack("{s:s}", "country_iso_code", g->country));
	if (g->asn) {
		json_t *as = json_pack("{s:I}", "number", (json_int_t)g->asn);
		if (g->as_org[0])
			json_object_set_new(as, "organization",
			                    json_pack("{s:s}", "name", g->as_org));
		json_object_set_new(end, "as", as);
	}
}

/* ghostwire.remote: the range and network flags of the remote end. */
static json_t *remote_extra_json(const struct gw_geoip_result *g)
{
	json_t *o = json_object();
	json_object_set_new(o, "range",
	                    json_string(gw_geoip_special_name((enum gw_geoip_special)g->special)));
	json_t *flags = json_array();
	for (unsigned i = 0; i < GW_GEOIP_N_FLAGS; i++)
		if (g->flags & (1u << i))
			json_array_append_new(flags, json_string(gw_geoip_flag_name(1u << i)));
	json_object_set_new(o, "flags", flags);
	return o;
}

static json_t *names_array(const struct gw_verdict_enrich *e)
{
	json_t *a = json_array();
	for (size_t i = 0; i < e->n_names; i++)
		json_array_append_new(a, json_string(e->names[i]));
	return a;
}

static json_t *quirks_json(uint8_t quirks)
{
	char buf[64];
	return names_json(gw_syn_quirk_names(quirks, buf, sizeof buf));
}

/* What a line says: a flow's final verdict when it ended, or the verdict on
 * its opening (a finding decided while the flow goes on). */
struct line {
	bool opening;
	enum gw_flow_end why; /* final */
	int64_t decided_us;   /* opening */
};

static json_t *ghostwire_json(const struct gw_flow *f, const struct line *l,
                              const struct gw_verdict *v, const struct gw_verdict_enrich *e)
{
	json_t *g = json_object();
	json_object_set_new(g, "schema_version", json_integer(GW_VERDICT_SCHEMA_VERSION));
	json_object_set_new(g, "stage", json_string(l->opening ? "opening" : "final"));
	if (!l->opening && f->alerted == GW_ALERT_MARK_SENT)
		json_object_set_new(g, "alerted", json_true());
	const char *held = gw_alert_mark_held_name(f->alerted > GW_ALERT_MARK_SENT ? f->alerted
	                                           : e                             ? e->held_by
	                                                                           : 0);
	if (held)
		json_object_set_new(g, "alert_held", json_string(held));
	json_object_set_new(g, "verdict", json_string(gw_verdict_kind_name(v->kind)));
	if (v->kind == GW_VERDICT_UNEXPLAINED)
		json_object_set_new(g, "kind",
		                    json_string(gw_unexplained_kind_name(v->unexplained)));
	json_object_set_new(g, "hints", hints_json(v->hints));
	json_object_set_new(g, "reason", json_string(v->reason));
	char filter[GW_DISPLAY_FILTER_SIZE];
	json_object_set_new(g, "display_filter",
	                    json_string(gw_display_filter(f, filter, sizeof filter)));
	if (v->match != GW_MATCH_NONE)
		json_object_set_new(g, "match",
		                    json_string(v->match == GW_MATCH_EXACT ? "exact" : "listener"));
	if (v->has_socket) {
		const struct gw_socket *s = &v->socket;
		json_object_set_new(
		        g, "socket",
		        json_pack("{s:s,s:I,s:I,s:s}", "state",
		                  gw_sock_state_name((enum gw_sock_state)s->state), "inode",
		                  (json_int_t)s->inode, "netns", (json_int_t)s->netns, "owner",
		                  gw_owner_status_name((enum gw_owner_status)s->owner_status)));
	}
	if (v->owner_netns)
		json_object_set_new(g, "owner_netns", json_integer((json_int_t)v->owner_netns));
	if (v->has_owner)
		json_object_set_new(g, "process", process_extra_json(&v->owner));
	if (e && e->has_remote_geo)
		json_object_set_new(g, "remote", remote_extra_json(&e->remote_geo));
	if (e && e->server_name) {
		json_object_set_new(g, "server_name", json_string(e->server_name));
		json_object_set_new(g, "server_name_source", json_string(e->server_name_source));
	}
	if (e && e->n_names)
		json_object_set_new(g, "names", names_array(e));
	if (e && e->allowed_by)
		json_object_set_new(g, "allowed_by", json_string(e->allowed_by));
	if (v->n_holders)
		json_object_set_new(g, "holders", holders_json(v));
	if (v->n_clients)
		json_object_set_new(g, "proxy_clients", clients_json(v));
	struct gw_addr local, remote;
	gw_flow_local_addr(f, &local);
	gw_flow_remote_addr(f, &remote);
	json_t *flow = json_object();
	json_object_set_new(flow, "seq", json_integer((json_int_t)f->seq));
	if (!l->opening)
		json_object_set_new(flow, "end", json_string(gw_flow_end_name(l->why)));
	json_object_set_new(
	        flow, "local",
	        json_pack("{s:o,s:i}", "ip", addr_json(&local), "port", f->key.local_port));
	json_object_set_new(
	        flow, "remote",
	        json_pack("{s:o,s:i}", "ip", addr_json(&remote), "port", f->key.remote_port));
	json_object_set_new(flow, "orientation",
	                    json_string(gw_orientation_name((enum gw_orientation)f->orientation)));
	if (f->tcp_state) {
		json_object_set_new(
		        flow, "tcp_state",
		        json_string(gw_tcp_state_name((enum gw_tcp_state)f->tcp_state)));
		json_object_set_new(flow, "tcp_flags_out", flags_json(f->tcp_flags[GW_DIR_OUT]));
		json_object_set_new(flow, "tcp_flags_in", flags_json(f->tcp_flags[GW_DIR_IN]));
	}
	if (f->syn_quirks)
		json_object_set_new(flow, "syn_quirks", quirks_json(f->syn_quirks));
	if (f->icmp_errors)
		json_object_set_new(flow, "icmp_errors", json_integer(f->icmp_errors));
	json_object_set_new(g, "flow", flow);
	return g;
}

static int print_line(FILE *out, const struct gw_flow *f, const struct line *l,
                      const struct gw_verdict *v, const struct gw_verdict_enrich *e,
                      struct gw_err *err)
{
	struct gw_addr local, remote;
	gw_flow_local_addr(f, &local);
	gw_flow_remote_addr(f, &remote);
	bool ports = f->key.proto == GW_IPPROTO_TCP || f->key.proto == GW_IPPROTO_UDP;
	bool out_opened = f->opener == GW_DIR_OUT;
	/* ECS: source is the side that opened the flow. */
	json_t *src = out_opened ? end_json(&local, f->key.local_port, f->packets[GW_DIR_OUT],
	                                    f->bytes[GW_DIR_OUT], ports)
	                         : end_json(&remote, f->key.remote_port, f->packets[GW_DIR_IN],
	                                    f->bytes[GW_DIR_IN], ports);
	json_t *dst = out_opened ? end_json(&remote, f->key.remote_port, f->packets[GW_DIR_IN],
	                                    f->bytes[GW_DIR_IN], ports)
	                         : end_json(&local, f->key.local_port, f->packets[GW_DIR_OUT],
	                                    f->bytes[GW_DIR_OUT], ports);
	json_t *remote_end = out_opened ? dst : src;
	if (e && e->has_remote_geo)
		remote_geo_json(remote_end, &e->remote_geo);
	const char *domain = e ? (e->server_name ? e->server_name
	                          : e->n_names   ? e->names[0]
	                                         : NULL)
	                       : NULL;
	if (domain)
		json_object_set_new(remote_end, "domain", json_string(domain));
	char proto[16];
	json_t *o = json_object();
	json_object_set_new(o, "@timestamp", time_json(l->opening ? l->decided_us : f->last_us));
	json_t *event = json_object();
	json_object_set_new(event, "kind",
	                    json_string(gw_verdict_is_finding(v) && !(e && e->allowed_by) &&
	                                                f->alerted <= GW_ALERT_MARK_SENT &&
	                                                !(e && e->held_by)
	                                        ? "alert"
	                                        : "event"));
	json_object_set_new(event, "category", json_pack("[s]", "network"));
	json_object_set_new(event, "type",
	                    json_pack("[s,s]", "connection", l->opening ? "start" : "end"));
	json_object_set_new(event, "action",
	                    json_string(l->opening ? "flow-opening-verdict" : "flow-verdict"));
	json_object_set_new(event, "dataset", json_string("ghostwire.verdicts"));
	json_object_set_new(event, "start", time_json(f->first_us));
	if (!l->opening) {
		json_object_set_new(event, "end", time_json(f->last_us));
		json_object_set_new(event, "duration",
		                    json_integer((json_int_t)(f->last_us - f->first_us) * 1000));
	}
	json_object_set_new(o, "event", event);
	json_object_set_new(o, "source", src);
	json_object_set_new(o, "destination", dst);
	json_t *net = json_object();
	json_object_set_new(net, "transport",
	                    json_string(gw_transport_name(f->key.proto, proto, sizeof proto)));
	json_object_set_new(net, "type",
	                    json_string(f->key.family == GW_AF_INET6 ? "ipv6" : "ipv4"));
	char iana[8];
	snprintf(iana, sizeof iana, "%u", f->key.proto);
	json_object_set_new(net, "iana_number", json_string(iana));
	json_object_set_new(net, "direction", json_string(direction(f)));
	char cid[GW_COMMUNITY_ID_SIZE];
	if (gw_community_id(f, 0, cid, sizeof cid) == 0)
		json_object_set_new(net, "community_id", json_string(cid));
	json_object_set_new(net, "packets",
	                    json_integer((json_int_t)(f->packets[0] + f->packets[1])));
	json_object_set_new(net, "bytes", json_integer((json_int_t)(f->bytes[0] + f->bytes[1])));
	json_object_set_new(o, "network", net);
	if (v->has_owner)
		json_object_set_new(o, "process", process_json(&v->owner));
	json_object_set_new(o, "ghostwire", ghostwire_json(f, l, v, e));
	int r = gw_json_write_line(out, o, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(o);
	if (r < 0)
		return gw_err_set(err, GW_EIO, "writing a verdict failed");
	return 0;
}

int gw_verdict_print_json(FILE *out, const struct gw_flow *f, enum gw_flow_end why,
                          const struct gw_verdict *v, const struct gw_verdict_enrich *e,
                          struct gw_err *err)
{
	struct line l = {.why = why};
	return print_line(out, f, &l, v, e, err);
}

int gw_verdict_print_opening_json(FILE *out, const struct gw_flow *f, int64_t decided_us,
                                  const struct gw_verdict *v, const struct gw_verdict_enrich *e,
                                  struct gw_err *err)
{
	struct line l = {.opening = true, .decided_us = decided_us};
	return print_line(out, f, &l, v, e, err);
}
