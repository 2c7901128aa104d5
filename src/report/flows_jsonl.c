/* report/flows_jsonl.c — the `flows --json` output: one JSON object per ended
 * flow and a closing summary object (docs/flows-json.md). Objects are built and
 * escaped by jansson, so no hand-written escaping can go wrong. */
#include <stdlib.h>

#include <jansson.h>

#include "ghostwire/json_line.h"
#include "ghostwire/clock.h"
#include "ghostwire/flow_report.h"

struct gw_flow_reporter {
	FILE *out;
};

static int jsonl_open(struct gw_flow_reporter **rep, FILE *out, struct gw_err *err)
{
	*rep = calloc(1, sizeof **rep);
	if (!*rep)
		return gw_err_set(err, GW_ENOMEM, "out of memory");
	(*rep)->out = out;
	return 0;
}

/* Writes obj as one line and releases it. */
static void emit(struct gw_flow_reporter *rep, json_t *obj)
{
	if (!obj)
		return;
	(void)gw_json_write_line(rep->out, obj, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(obj); /* a failed write shows in the stream's error flag, checked at the end */
}

static json_t *tcp_flags(uint8_t seen)
{
	json_t *a = json_array();
	if (seen & GW_SEEN_SYN)
		json_array_append_new(a, json_string("syn"));
	if (seen & GW_SEEN_SYNACK)
		json_array_append_new(a, json_string("syn-ack"));
	if (seen & GW_SEEN_FIN)
		json_array_append_new(a, json_string("fin"));
	if (seen & GW_SEEN_RST)
		json_array_append_new(a, json_string("rst"));
	return a;
}

static json_t *ip_string(const struct gw_addr *a)
{
	char buf[GW_ADDR_STRLEN];
	return json_string(gw_addr_format(a, buf, sizeof buf));
}

static json_t *time_string(int64_t us)
{
	char buf[32];
	return json_string(gw_clock_format_us(us, buf, sizeof buf));
}

static void jsonl_flow(struct gw_flow_reporter *rep, const struct gw_flow *f, enum gw_flow_end why)
{
	char proto[16];
	struct gw_addr local, remote;
	gw_flow_local_addr(f, &local);
	gw_flow_remote_addr(f, &remote);
	json_t *o = json_object();
	json_object_set_new(o, "type", json_string("flow"));
	json_object_set_new(o, "seq", json_integer((json_int_t)f->seq));
	json_object_set_new(o, "transport",
	                    json_string(gw_transport_name(f->key.proto, proto, sizeof proto)));
	json_object_set_new(o, "family",
	                    json_string(f->key.family == GW_AF_INET6 ? "ipv6" : "ipv4"));
	json_object_set_new(o, "local_ip", ip_string(&local));
	json_object_set_new(o, "local_port", json_integer(f->key.local_port));
	json_object_set_new(o, "remote_ip", ip_string(&remote));
	json_object_set_new(o, "remote_port", json_integer(f->key.remote_port));
	json_object_set_new(o, "orientation",
	                    json_string(gw_orientation_name((enum gw_orientation)f->orientation)));
	json_object_set_new(o, "opener", json_string(f->opener == GW_DIR_OUT ? "local" : "remote"));
	json_object_set_new(o, "packets_out", json_integer((json_int_t)f->packets[GW_DIR_OUT]));
	json_object_set_new(o, "packets_in", json_integer((json_int_t)f->packets[GW_DIR_IN]));
	json_object_set_new(o, "bytes_out", json_integer((json_int_t)f->bytes[GW_DIR_OUT]));
	json_object_set_new(o, "bytes_in", json_integer((json_int_t)f->bytes[GW_DIR_IN]));
	json_object_set_new(o, "fragments", json_integer(f->fragments));
	json_object_set_new(o, "fragment_bytes", json_integer((json_int_t)f->fragment_bytes));
	if (f->tcp_state != GW_TCP_NONE) {
		json_object_set_new(o, "tcp_flags_out", tcp_flags(f->tcp_flags[GW_DIR_OUT]));
		json_object_set_new(o, "tcp_flags_in", tcp_flags(f->tcp_flags[GW_DIR_IN]));
		json_object_set_new(
		        o, "tcp_state",
		        json_string(gw_tcp_state_name((enum gw_tcp_state)f->tcp_state)));
	}
	json_object_set_new(o, "icmp_errors", json_integer(f->icmp_errors));
	json_object_set_new(o, "first_seen", time_string(f->first_us));
	json_object_set_new(o, "last_seen", time_string(f->last_us));
	json_object_set_new(o, "end", json_string(gw_flow_end_name(why)));
	emit(rep, o);
}

static json_t *malformed_object(const struct gw_decode_stats *d)
{
	json_t *m = json_object();
	for (int i = 0; i < GW_MAL_COUNT; i++)
		if (d->malformed[i])
			json_object_set_new(m, gw_malformed_name((enum gw_malformed)i),
			                    json_integer((json_int_t)d->malformed[i]));
	return m;
}

static void jsonl_summary(struct gw_flow_reporter *rep, const struct gw_run_summary *s)
{
	const struct gw_flow_table_stats *fl = &s->flows;
	json_t *o = json_object();
	json_object_set_new(o, "type", json_string("summary"));
	json_object_set_new(o, "source", json_string(s->source));
	json_object_set_new(o, "complete", json_boolean(s->complete));
	if (!s->complete)
		json_object_set_new(o, "error", json_string(s->error));
	json_object_set_new(o, "packets", json_integer((json_int_t)s->frames));
	json_object_set_new(o, "bytes", json_integer((json_int_t)s->bytes));
	json_object_set_new(o, "decoded", json_integer((json_int_t)s->decode.decoded));
	json_object_set_new(o, "not_ip", json_integer((json_int_t)s->decode.not_ip));
	json_object_set_new(o, "unsupported_link",
	                    json_integer((json_int_t)s->decode.unsupported_link));
	json_object_set_new(o, "malformed", malformed_object(&s->decode));
	json_object_set_new(o, "icmp_quote_unreadable",
	                    json_integer((json_int_t)s->decode.quoted_unreadable));
	json_object_set_new(o, "fragments",
	                    json_pack("{s:I,s:I}", "attributed", (json_int_t)fl->frag_attributed,
	                              "unattributed", (json_int_t)fl->frag_unattributed));
	json_object_set_new(o, "icmp_errors_linked", json_integer((json_int_t)fl->icmp_linked));
	json_object_set_new(o, "flows", json_integer((json_int_t)fl->flows));
	json_object_set_new(o, "flows_max_active", json_integer((json_int_t)fl->max_active));
	json_object_set_new(o, "ended",
	                    json_pack("{s:I,s:I,s:I,s:I,s:I}", "closed",
	                              (json_int_t)fl->ended[GW_END_CLOSED], "idle",
	                              (json_int_t)fl->ended[GW_END_IDLE], "evicted",
	                              (json_int_t)fl->ended[GW_END_EVICTED], "reused",
	                              (json_int_t)fl->ended[GW_END_REUSED], "end-of-input",
	                              (json_int_t)fl->ended[GW_END_INPUT]));
	if (s->live)
		json_object_set_new(o, "drops",
		                    json_pack("{s:I,s:I,s:I}", "received",
		                              (json_int_t)s->capture.received, "kernel",
		                              (json_int_t)s->capture.dropped_kernel, "interface",
		                              (json_int_t)s->capture.dropped_iface));
	emit(rep, o);
	fflush(rep->out);
}

static void jsonl_close(struct gw_flow_reporter *rep)
{
	free(rep);
}

const struct gw_flow_reporter_ops gw_flow_reporter_jsonl = {
        .name = "jsonl",
        .open = jsonl_open,
        .flow = jsonl_flow,
        .summary = jsonl_summary,
        .close = jsonl_close,
};
