/* cli/hunt.c — what a long hunt puts between the verdicts and the people who
 * read them: the alert gate (repeats held and counted, a rate limit that
 * reports its drops), the baseline (learned, or compared: what is new), and,
 * live, the state file that a restart reads back, and syslog. Every notice
 * goes to the outputs (text, --json) and to syslog alike. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "ghostwire/alert_gate.h"
#include "ghostwire/baseline.h"
#include "ghostwire/clock.h"
#include "ghostwire/flow_ids.h"
#include "ghostwire/json_line.h"
#include "ghostwire/syslog_out.h"

#define S               INT64_C(1000000)
#define SAVE_EVERY_US   (60 * S)
#define RESTART_KEEP_US (600 * S) /* a restored alerted flow not seen again by then has ended */

void gw_cli_hunt_init(struct gw_cli_hunt *h, bool live)
{
	memset(h, 0, sizeof *h);
	h->live = live;
	if (live) {
		h->alert_rate = 20;
		h->repeat_window_us = 300 * S;
	}
}

/* "90", "90s", "15m", "12h", "7d" → µs. */
static bool duration(const char *name, const char *text, int64_t *out)
{
	char *end;
	unsigned long long v = strtoull(text, &end, 10);
	unsigned long long unit = 1;
	if (end != text && text[0] != '-') {
		switch (*end) {
		case 'd':
			unit *= 24;
			/* fall through */
		case 'h':
			unit *= 60;
			/* fall through */
		case 'm':
			unit *= 60;
			/* fall through */
		case 's':
			end++;
			/* fall through */
		case '\0':
			break;
		default:
			end = (char *)text;
		}
	}
	if (end == text || *end || v == 0 || v > 3650ULL * 86400 / unit) {
		gw_cli_error("--%s: '%s' is not a duration like 90s, 15m, 12h or 7d", name, text);
		return false;
	}
	*out = (int64_t)(v * unit) * S;
	return true;
}

int gw_cli_hunt_option(struct gw_cli_hunt *h, int opt, const char *arg)
{
	unsigned long long v;
	switch (opt) {
	case GW_CLI_OPT_ALERT_RATE:
		if (!gw_cli_number("alert-rate", arg, 0, 1000000, &v))
			return GW_EXIT_USAGE;
		h->alert_rate = (uint32_t)v;
		return 1;
	case GW_CLI_OPT_REPEAT_WINDOW:
		if (!gw_cli_number("repeat-window", arg, 0, 86400 * 7, &v))
			return GW_EXIT_USAGE;
		h->repeat_window_us = (int64_t)v * S;
		return 1;
	case GW_CLI_OPT_BASELINE:
		h->baseline_path = arg;
		return 1;
	case GW_CLI_OPT_LEARN:
		return duration("learn", arg, &h->learn_us) ? 1 : GW_EXIT_USAGE;
	case GW_CLI_OPT_STATE:
		h->state_path = arg;
		return 1;
	case GW_CLI_OPT_SYSLOG:
		h->syslog = true;
		return 1;
	}
	return 0;
}

int gw_cli_hunt_check(const struct gw_cli_hunt *h)
{
	if (h->learn_us && !h->baseline_path) {
		gw_cli_error("--learn DURATION needs --baseline FILE, the file it learns into");
		return GW_EXIT_USAGE;
	}
	return 0;
}

/* ---- notices ---- */

/* {"@timestamp", "event": {...}, "ghostwire": {stage, ...}, "message"}: the
 * shape of a verdict line, for the same SIEM pipeline. */
static json_t *notice_json(int64_t at_us, const char *stage, const char *kind, json_t *fields,
                           const char *message)
{
	json_t *g = json_pack("{s:i, s:s}", "schema_version", GW_VERDICT_SCHEMA_VERSION, "stage",
	                      stage);
	if (g && fields)
		json_object_update(g, fields);
	json_decref(fields);
	return json_pack("{s:o, s:{s:s, s:[s], s:[s], s:s}, s:o, s:s}", "@timestamp",
	                 gw_json_time(at_us), "event", "kind", kind, "category", "network", "type",
	                 "info", "dataset", "ghostwire.notice", "ghostwire", g, "message", message);
}

static void notice(struct gw_cli_hunt *h, enum gw_syslog_level level, json_t *json,
                   const char *text)
{
	gw_cli_outputs_notice(h->out, json, text);
	json_decref(json);
	if (h->syslog)
		gw_syslog_write(level, text);
}

static const char *key_text(const struct gw_alert_key *k, char *buf, size_t size)
{
	char proto[16], addr[GW_ADDR_STRLEN] = "*";
	if (k->family) {
		struct gw_addr a = {.family = k->family};
		memcpy(a.bytes, k->remote, sizeof a.bytes);
		gw_addr_format(&a, addr, sizeof addr);
	}
	snprintf(buf, size, "%s%s%s %s %s %s port %u, process %s",
	         gw_verdict_kind_name((enum gw_verdict_kind)k->verdict), k->unexplained ? " " : "",
	         k->unexplained ? gw_unexplained_kind_name((enum gw_unexplained_kind)k->unexplained)
	                        : "",
	         gw_transport_name(k->proto, proto, sizeof proto),
	         k->dir == GW_DIR_OUT ? "out to" : "in from", addr, k->port,
	         k->process[0] ? k->process : "none");
	return buf;
}

static void on_repeat(void *ud, const struct gw_alert_repeat *r)
{
	struct gw_cli_hunt *h = ud;
	char what[256], when[32], text[512];
	key_text(&r->key, what, sizeof what);
	snprintf(text, sizeof text, "%s repeated    %s: %" PRIu64 " more since %s (alerts held)",
	         gw_clock_format_us(r->last_us, when, sizeof when), what, r->held,
	         gw_clock_format_us(r->first_us, (char[32]){0}, 32));
	json_t *g = json_pack("{s:I, s:o, s:o, s:s}", "held", (json_int_t)r->held, "first",
	                      gw_json_time(r->first_us), "last", gw_json_time(r->last_us), "alike",
	                      what);
	notice(h, GW_SYSLOG_WARNING, notice_json(r->last_us, "repeat", "alert", g, text), text);
}

static void on_dropped(void *ud, int64_t since_us, int64_t now_us, uint64_t n)
{
	struct gw_cli_hunt *h = ud;
	char when[32], since[32], text[256];
	snprintf(text, sizeof text,
	         "%s rate-limit  %" PRIu64 " alerts dropped since %s (over %" PRIu32
	         " a second; their verdicts are still written)",
	         gw_clock_format_us(now_us, when, sizeof when), n,
	         gw_clock_format_us(since_us, since, sizeof since), h->alert_rate);
	json_t *g = json_pack("{s:I, s:o, s:i}", "dropped", (json_int_t)n, "since",
	                      gw_json_time(since_us), "rate", (int)h->alert_rate);
	notice(h, GW_SYSLOG_WARNING, notice_json(now_us, "rate_limit", "alert", g, text), text);
}

static void report_new(struct gw_cli_hunt *h, const struct gw_flow *f,
                       const struct gw_baseline_entry *be)
{
	char what[600], when[32], l[GW_ADDR_STRLEN], r[GW_ADDR_STRLEN], text[900];
	struct gw_addr a, b;
	gw_flow_local_addr(f, &a);
	gw_flow_remote_addr(f, &b);
	gw_baseline_describe(be, what, sizeof what);
	bool v6 = f->key.family == GW_AF_INET6;
	snprintf(text, sizeof text,
	         "%s new         %s (not in the baseline): %s%s%s:%u %s %s%s%s:%u",
	         gw_clock_format_us(f->last_us, when, sizeof when), what, v6 ? "[" : "",
	         gw_addr_format(&a, l, sizeof l), v6 ? "]" : "", f->key.local_port,
	         f->opener == GW_DIR_OUT ? "->" : "<-", v6 ? "[" : "",
	         gw_addr_format(&b, r, sizeof r), v6 ? "]" : "", f->key.remote_port);
	char cid[GW_COMMUNITY_ID_SIZE] = "";
	json_t *g = json_pack("{s:o}", "baseline_entry", gw_baseline_entry_to_json(be));
	if (gw_community_id(f, 0, cid, sizeof cid) == 0)
		json_object_set_new(g, "community_id", json_string(cid));
	notice(h, GW_SYSLOG_NOTICE, notice_json(f->last_us, "baseline_new", "alert", g, text),
	       text);
}

/* ---- the run ---- */

static int open_baseline(struct gw_cli_hunt *h, int64_t now_us)
{
	struct gw_err err = {0};
	int r = gw_baseline_load(h->baseline_path, &h->baseline, &err);
	if (r == GW_ENOENT && h->learn_us) {
		if (!(h->baseline = gw_baseline_new())) {
			gw_cli_error("out of memory");
			return GW_EXIT_FAIL;
		}
		/* replay (now 0): the period starts with the first flow */
		if (now_us)
			gw_baseline_set_period(h->baseline, now_us, now_us + h->learn_us);
		h->learning = true;
		fprintf(stderr, "ghostwire: learning a new baseline into %s for %" PRId64 " s\n",
		        h->baseline_path, h->learn_us / S);
		return 0;
	} else if (r < 0) {
		gw_cli_error("--baseline: %s%s", err.msg,
		             r == GW_ENOENT ? " (make one with --learn DURATION)" : "");
		return GW_EXIT_FAIL;
	}
	int64_t from, until;
	gw_baseline_period(h->baseline, &from, &until);
	h->learning = h->learn_us && now_us < until;
	char a[32], b[32];
	if (h->learning)
		fprintf(stderr,
		        "ghostwire: learning the baseline into %s until %s (%zu entries so far)\n",
		        h->baseline_path, gw_clock_format_us(until, b, sizeof b),
		        gw_baseline_size(h->baseline));
	else
		fprintf(stderr,
		        "ghostwire: baseline %s: %zu entries learned from %s to %s; what is not "
		        "in it is reported as new\n",
		        h->baseline_path, gw_baseline_size(h->baseline),
		        gw_clock_format_us(from, a, sizeof a),
		        gw_clock_format_us(until, b, sizeof b));
	return 0;
}

/* The previous run's state, if any: its alerted flows stay quiet, its open
 * windows go on, its reported entries are not reported again. */
static int open_state(struct gw_cli_hunt *h, int64_t now_us)
{
	struct gw_err err = {0};
	if (!(h->state = calloc(1, sizeof *h->state)) || gw_hunt_state_init(h->state, &err) < 0) {
		gw_cli_error("out of memory");
		return GW_EXIT_FAIL;
	}
	if (!h->state_path)
		return 0;
	int r = gw_hunt_state_load(h->state, h->state_path, now_us, RESTART_KEEP_US, &err);
	if (r == GW_ENOENT)
		return 0;
	if (r < 0) {
		gw_cli_error("--state: %s (move it away to start afresh)", err.msg);
		return GW_EXIT_FAIL;
	}
	for (size_t i = 0; i < h->state->n_windows; i++)
		gw_alert_gate_restore(h->gate, &h->state->windows[i]);
	char when[32];
	fprintf(stderr,
	        "ghostwire: state %s (saved %s): %zu alerted flows are not alerted again, "
	        "%zu repeat windows go on, %zu entries were already reported new\n",
	        h->state_path, gw_clock_format_us(h->state->saved_us, when, sizeof when),
	        h->state->n_alerted, h->state->n_windows, gw_baseline_size(h->state->reported_new));
	return 0;
}

int gw_cli_hunt_open(struct gw_cli_hunt *h, struct gw_cli_outputs *out, int64_t now_us)
{
	struct gw_err err = {0};
	h->out = out;
	h->now_us = now_us;
	h->saved_us = h->live ? 0 : now_us; /* live, the first tick saves: once privileges are
	                                      * dropped, a state file it cannot write is told now */
	struct gw_alert_gate_config c;
	gw_alert_gate_config_init(&c);
	c.rate = h->alert_rate;
	c.window_us = h->repeat_window_us;
	c.sink = (struct gw_alert_gate_sink){.repeat = on_repeat, .dropped = on_dropped, .ud = h};
	if (gw_alert_gate_new(&c, &h->gate, &err) < 0) {
		gw_cli_error("%s", err.msg);
		return GW_EXIT_FAIL;
	}
	if (h->baseline_path && open_baseline(h, now_us) != 0)
		return GW_EXIT_FAIL;
	if (open_state(h, now_us) != 0)
		return GW_EXIT_FAIL;
	if (h->syslog && gw_syslog_open(&err) < 0) {
		gw_cli_error("%s", err.msg);
		return GW_EXIT_FAIL;
	}
	return 0;
}

static void syslog_alert(const struct gw_flow *f, const struct gw_verdict *v,
                         const struct gw_verdict_enrich *e)
{
	char l[GW_ADDR_STRLEN], r[GW_ADDR_STRLEN], proto[16], hints[256], text[1024];
	struct gw_addr a, b;
	gw_flow_local_addr(f, &a);
	gw_flow_remote_addr(f, &b);
	const char *who = v->has_owner ? v->owner.comm : v->n_holders ? v->holders[0].comm : "none";
	int pid = v->has_owner ? v->owner.pid : v->n_holders ? v->holders[0].pid : 0;
	snprintf(text, sizeof text,
	         "%s%s%s %s %s:%u %s %s:%u process=%s pid=%d hints=%s%s%s reason=%s",
	         gw_verdict_kind_name(v->kind), v->unexplained ? " " : "",
	         v->unexplained ? gw_unexplained_kind_name(v->unexplained) : "",
	         gw_transport_name(f->key.proto, proto, sizeof proto),
	         gw_addr_format(&a, l, sizeof l), f->key.local_port,
	         f->opener == GW_DIR_OUT ? "->" : "<-", gw_addr_format(&b, r, sizeof r),
	         f->key.remote_port, who, pid,
	         v->hints ? gw_hint_names(v->hints, hints, sizeof hints) : "-",
	         e && e->server_name ? " name=" : "", e && e->server_name ? e->server_name : "",
	         v->reason);
	gw_syslog_write(GW_SYSLOG_WARNING, text);
}

/* A finding to alert on at at_us (no rule allows it): GW_ALERT_MARK_SENT if it
 * is alerted now (to syslog here, to the outputs by the caller), else why it
 * is held. */
static uint8_t alert(struct gw_cli_hunt *h, const struct gw_flow *f, const struct gw_verdict *v,
                     const struct gw_verdict_enrich *e, int64_t at_us)
{
	if (at_us > h->now_us)
		h->now_us = at_us;
	struct gw_hunt_alerted *before = gw_hunt_state_alerted_find(h->state, &f->key);
	if (before && before->keep_until_us != INT64_MAX) { /* alerted by the previous run */
		before->keep_until_us = INT64_MAX;          /* until this flow ends */
		h->restart_held++;
		return GW_ALERT_MARK_RESTART;
	}
	struct gw_alert_key key;
	gw_alert_key_of(f, v, &key);
	switch (gw_alert_gate_admit(h->gate, &key, at_us)) {
	case GW_ALERT_REPEAT:
		return GW_ALERT_MARK_REPEAT;
	case GW_ALERT_DROPPED:
		return GW_ALERT_MARK_RATE_LIMIT;
	case GW_ALERT_SEND:
		break;
	}
	if (h->state_path)
		gw_hunt_state_alerted_add(h->state, f, at_us);
	if (h->syslog)
		syslog_alert(f, v, e);
	return GW_ALERT_MARK_SENT;
}

/* The learning period, [from, until); a replay's starts with its first flow. */
static void period(struct gw_cli_hunt *h, const struct gw_flow *f, int64_t *from, int64_t *until)
{
	gw_baseline_period(h->baseline, from, until);
	if (*from == 0 && *until == 0 && f) {
		*from = f->first_us;
		*until = f->first_us + h->learn_us;
		gw_baseline_set_period(h->baseline, *from, *until);
	}
}

/* Once the period is over: the file is saved and it is said, once. Flows that
 * began within it and end later are still learned (and saved at the end). */
uint8_t gw_cli_hunt_opening(struct gw_cli_hunt *h, const struct gw_flow *f, int64_t decided_us,
                            const struct gw_verdict *v, const struct gw_verdict_enrich *e)
{
	if (!gw_verdict_is_finding(v) || gw_allowlist_match(h->allow, f, v, e))
		return GW_ALERT_MARK_NONE; /* an allowed one's final verdict says so */
	uint8_t mark = alert(h, f, v, e, decided_us);
	if (mark == GW_ALERT_MARK_SENT)
		gw_cli_outputs_opening(h->out, f, decided_us, v, e);
	return mark;
}

void gw_cli_hunt_final(struct gw_cli_hunt *h, const struct gw_flow *f, const struct gw_verdict *v,
                       struct gw_verdict_enrich *e)
{
	if (!gw_verdict_is_finding(v))
		return;
	if ((e->allowed_by = gw_allowlist_match(h->allow, f, v, e))) {
		gw_allowlist_count(h->allow, e->allowed_by);
	} else if (f->alerted == GW_ALERT_MARK_NONE) {
		uint8_t mark = alert(h, f, v, e, f->last_us);
		e->held_by = mark == GW_ALERT_MARK_SENT ? GW_ALERT_MARK_NONE : mark;
	}
}

static void end_learning_if_over(struct gw_cli_hunt *h)
{
	int64_t from, until;
	period(h, NULL, &from, &until);
	if (!h->learning || (from == 0 && until == 0) || h->now_us < until)
		return;
	struct gw_err err = {0};
	h->learning = false;
	h->baseline_dirty = false;
	if (gw_baseline_save(h->baseline, h->baseline_path, &err) < 0) {
		gw_cli_error("%s", err.msg);
		h->save_failures++;
		h->baseline_dirty = true;
		return;
	}
	fprintf(stderr,
	        "ghostwire: baseline learned: %zu entries in %s; what is not in it is reported as "
	        "new from now on\n",
	        gw_baseline_size(h->baseline), h->baseline_path);
}

/* Is f part of what is learned: begun within the learning period? */
static bool learns(struct gw_cli_hunt *h, const struct gw_flow *f)
{
	if (!h->learn_us)
		return false;
	int64_t from, until;
	period(h, f, &from, &until);
	return f->first_us < until;
}

void gw_cli_hunt_flow_end(struct gw_cli_hunt *h, const struct gw_flow *f, enum gw_flow_end why,
                          const struct gw_verdict *v, const struct gw_verdict_enrich *e)
{
	if (f->last_us > h->now_us)
		h->now_us = f->last_us;
	/* live, a flow cut off by the end of the run may go on: its entry stays */
	if (!(h->live && why == GW_END_INPUT))
		gw_hunt_state_alerted_remove(h->state, &f->key);
	if (!h->baseline || !gw_baseline_applies(v))
		return;
	struct gw_baseline_entry be;
	gw_baseline_entry_of(f, v, e && e->has_remote_geo ? e->remote_geo.asn : 0, &be);
	bool learn = learns(h, f);
	end_learning_if_over(h);
	if (learn) {
		h->baseline_dirty = true;
		if (gw_baseline_add(h->baseline, &be) < 0 && gw_baseline_full(h->baseline) == 1)
			gw_cli_error(
			        "warning: the baseline is full (%d entries); more are not learned",
			        GW_BASELINE_MAX_ENTRIES);
		return;
	}
	if (gw_baseline_has(h->baseline, &be) || gw_baseline_has(h->state->reported_new, &be))
		return;
	/* reported once: then known, in the state (never in the baseline file) */
	if (gw_baseline_add(h->state->reported_new, &be) < 0 &&
	    gw_baseline_full(h->state->reported_new) == 1)
		gw_cli_error("warning: %d new entries reported; more are reported each time",
		             GW_BASELINE_MAX_ENTRIES);
	h->new_reported++;
	report_new(h, f, &be);
}

static void save_state(struct gw_cli_hunt *h)
{
	struct gw_err err = {0};
	h->saved_us = h->now_us;
	if (h->state_path &&
	    gw_hunt_state_save(h->state, h->gate, h->state_path, h->now_us, &err) < 0) {
		if (!h->save_failures++)
			gw_cli_error("%s (the state is kept in memory; retrying every minute)",
			             err.msg);
	}
	if (h->baseline_dirty) {
		if (gw_baseline_save(h->baseline, h->baseline_path, &err) < 0) {
			if (!h->save_failures++)
				gw_cli_error("%s", err.msg);
		} else {
			h->baseline_dirty = false;
		}
	}
}

void gw_cli_hunt_tick(struct gw_cli_hunt *h, int64_t now_us)
{
	if (now_us > h->now_us)
		h->now_us = now_us;
	gw_alert_gate_tick(h->gate, h->now_us);
	gw_hunt_state_alerted_expire(h->state, h->now_us);
	if (h->learning && h->live)
		end_learning_if_over(h);
	if (h->live && h->now_us - h->saved_us >= SAVE_EVERY_US)
		save_state(h);
}

void gw_cli_hunt_finish(struct gw_cli_hunt *h)
{
	if (h->gate)
		gw_alert_gate_flush(h->gate, h->now_us);
}

static void free_all(struct gw_cli_hunt *h)
{
	if (h->syslog && h->gate)
		gw_syslog_close();
	gw_alert_gate_free(h->gate);
	gw_baseline_free(h->baseline);
	if (h->state) {
		gw_hunt_state_free(h->state);
		free(h->state);
	}
	h->gate = NULL;
	h->baseline = NULL;
	h->state = NULL;
}

int gw_cli_hunt_close(struct gw_cli_hunt *h, FILE *out)
{
	if (!h->gate || !out) { /* never opened, or a run that failed: nothing to tell */
		free_all(h);
		return 0;
	}
	gw_alert_gate_flush(h->gate, h->now_us);
	uint64_t failures = h->save_failures;
	save_state(h);
	const struct gw_alert_gate_stats *st = gw_alert_gate_stats(h->gate);
	if (h->alert_rate || h->repeat_window_us || h->restart_held)
		fprintf(out,
		        "alerts: %" PRIu64 " sent, %" PRIu64 " held as repeats (%" PRIu64
		        " repeat reports), %" PRIu64 " dropped over the rate (%" PRIu64
		        " reports), %" PRIu64 " held as alerted before a restart\n",
		        st->sent, st->held, st->repeats_reported, st->dropped, st->drop_reports,
		        h->restart_held);
	if (h->baseline)
		fprintf(out,
		        "baseline: %zu entries%s; %" PRIu64 " new reported; not kept, the tables "
		        "full: %" PRIu64 " learned, %" PRIu64 " reported\n",
		        gw_baseline_size(h->baseline), h->learning ? " (still learning)" : "",
		        h->new_reported, gw_baseline_full(h->baseline),
		        gw_baseline_full(h->state->reported_new));
	if (h->state->alerted_full)
		fprintf(out, "state: %" PRIu64 " alerted flows not kept (%d held already)\n",
		        h->state->alerted_full, GW_HUNT_STATE_MAX_ALERTED);
	free_all(h);
	return h->save_failures > failures ? -1 : 0;
}
