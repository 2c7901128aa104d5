/* test_baseline.c — baseline entries from flows (service port by direction,
 * AS or else /24 and /48), the set, its file (round trip, atomic save,
 * malformed files named), and the state file of a long run. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ghostwire/baseline.h"
#include "ghostwire/hunt_state.h"

#define S  INT64_C(1000000)
#define T0 INT64_C(1714564800000000) /* 2024-05-01T12:00:00Z */

static struct gw_flow flow(const char *l, uint16_t lp, const char *r, uint16_t rp, uint8_t opener)
{
	struct gw_flow f;
	memset(&f, 0, sizeof f);
	struct gw_addr a, b;
	cr_assert_eq(gw_addr_parse(l, &a, NULL), 0);
	cr_assert_eq(gw_addr_parse(r, &b, NULL), 0);
	f.key.proto = 6;
	f.key.family = a.family;
	memcpy(f.key.local, a.bytes, 16);
	memcpy(f.key.remote, b.bytes, 16);
	f.key.local_port = lp;
	f.key.remote_port = rp;
	f.opener = opener;
	f.first_us = T0;
	f.last_us = T0 + 5 * S;
	return f;
}

static struct gw_verdict owned_by(const char *comm, const char *exe)
{
	struct gw_verdict v;
	memset(&v, 0, sizeof v);
	v.kind = GW_VERDICT_EXPLAINED;
	v.has_owner = true;
	snprintf(v.owner.comm, sizeof v.owner.comm, "%s", comm);
	snprintf(v.owner.exe, sizeof v.owner.exe, "%s", exe);
	return v;
}

static char *temp_path(const char *name)
{
	static char path[256];
	snprintf(path, sizeof path, "/tmp/gw-test-%d-%s", (int)getpid(), name);
	return path;
}

Test(baseline, entries_name_the_service_port_and_the_remote_as_or_network)
{
	struct gw_verdict v = owned_by("curl", "/usr/bin/curl");
	struct gw_flow out = flow("10.0.0.5", 50100, "140.82.112.3", 443, GW_DIR_OUT);
	struct gw_baseline_entry e;
	char text[600];
	gw_baseline_entry_of(&out, &v, 36459, &e);
	cr_expect_str_eq(gw_baseline_describe(&e, text, sizeof text),
	                 "/usr/bin/curl out tcp/443 AS36459");
	gw_baseline_entry_of(&out, &v, 0, &e);
	cr_expect_str_eq(gw_baseline_describe(&e, text, sizeof text),
	                 "/usr/bin/curl out tcp/443 140.82.112.0/24");
	struct gw_verdict sshd = owned_by("sshd", "");
	struct gw_flow in = flow("2001:db8::5", 22, "2001:db8:77:1::9", 61000, GW_DIR_IN);
	gw_baseline_entry_of(&in, &sshd, 0, &e);
	cr_expect_str_eq(gw_baseline_describe(&e, text, sizeof text),
	                 "sshd in tcp/22 2001:db8:77::/48", "no exe: the short name");
	struct gw_verdict unexplained = {.kind = GW_VERDICT_UNEXPLAINED};
	cr_expect(gw_baseline_applies(&v));
	cr_expect_not(gw_baseline_applies(&unexplained), "findings are reported on their own");
}

Test(baseline, the_set_counts_known_entries_and_says_which_are_new)
{
	struct gw_baseline *b = gw_baseline_new();
	struct gw_verdict v = owned_by("curl", "/usr/bin/curl");
	struct gw_flow f = flow("10.0.0.5", 50100, "140.82.112.3", 443, GW_DIR_OUT);
	struct gw_baseline_entry e;
	gw_baseline_entry_of(&f, &v, 36459, &e);
	cr_expect_eq(gw_baseline_add(b, &e), 1);
	f.key.local_port = 50200, f.first_us += 60 * S, f.last_us += 60 * S;
	gw_baseline_entry_of(&f, &v, 36459, &e);
	cr_expect(gw_baseline_has(b, &e), "another source port: the same entry");
	cr_expect_eq(gw_baseline_add(b, &e), 0);
	cr_assert_eq(gw_baseline_size(b), 1);
	cr_expect_eq(gw_baseline_at(b, 0)->flows, 2);
	cr_expect_eq(gw_baseline_at(b, 0)->last_us, T0 + 65 * S);
	f.key.remote_port = 8443;
	gw_baseline_entry_of(&f, &v, 36459, &e);
	cr_expect_not(gw_baseline_has(b, &e), "another port is new");
	for (int i = 0; i < 5000; i++) { /* growth keeps every entry findable */
		f.key.remote_port = (uint16_t)(10000 + i);
		gw_baseline_entry_of(&f, &v, 36459, &e);
		cr_assert_eq(gw_baseline_add(b, &e), 1);
	}
	f.key.remote_port = 443;
	gw_baseline_entry_of(&f, &v, 36459, &e);
	cr_expect(gw_baseline_has(b, &e));
	cr_expect_eq(gw_baseline_size(b), 5001);
	gw_baseline_free(b);
}

Test(baseline, the_file_round_trips)
{
	struct gw_baseline *b = gw_baseline_new();
	gw_baseline_set_period(b, T0, T0 + 3600 * S);
	struct gw_verdict v = owned_by("curl", "/usr/bin/curl \"quoted\"");
	struct gw_flow f = flow("10.0.0.5", 50100, "140.82.112.3", 443, GW_DIR_OUT);
	struct gw_baseline_entry e;
	gw_baseline_entry_of(&f, &v, 36459, &e);
	cr_assert_eq(gw_baseline_add(b, &e), 1);
	struct gw_flow in = flow("2001:db8::5", 22, "2001:db8:77:1::9", 61000, GW_DIR_IN);
	gw_baseline_entry_of(&in, &v, 0, &e);
	cr_assert_eq(gw_baseline_add(b, &e), 1);
	const char *path = temp_path("baseline.json");
	cr_assert_eq(gw_baseline_save(b, path, NULL), 0);
	struct gw_baseline *back = NULL;
	struct gw_err err = {0};
	cr_assert_eq(gw_baseline_load(path, &back, &err), 0, "%s", err.msg);
	cr_assert_eq(gw_baseline_size(back), 2);
	for (size_t i = 0; i < 2; i++) {
		const struct gw_baseline_entry *a = gw_baseline_at(b, i),
		                               *c = gw_baseline_at(back, i);
		cr_expect_str_eq(c->process, a->process);
		cr_expect(gw_baseline_has(back, a));
		cr_expect_eq(c->flows, a->flows);
		cr_expect_eq(c->first_us, a->first_us);
		cr_expect_eq(c->last_us, a->last_us);
	}
	int64_t from, until;
	gw_baseline_period(back, &from, &until);
	cr_expect_eq(from, T0);
	cr_expect_eq(until, T0 + 3600 * S);
	char tmp[300];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	cr_expect_neq(access(tmp, F_OK), 0, "no temporary file left");
	unlink(path);
	gw_baseline_free(b);
	gw_baseline_free(back);
}

static void expect_load_fails(const char *text, const char *why)
{
	const char *path = temp_path("bad.json");
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	struct gw_baseline *b = NULL;
	struct gw_err err = {0};
	cr_expect_eq(gw_baseline_load(path, &b, &err), GW_EFORMAT, "%s", text);
	cr_expect_null(b);
	cr_expect_not_null(strstr(err.msg, path), "names the file: %s", err.msg);
	cr_expect_not_null(strstr(err.msg, why), "says why: %s", err.msg);
	unlink(path);
}

Test(baseline, malformed_files_are_named_and_refused)
{
	const char *head = "{\"format\":\"ghostwire-baseline\",\"version\":1,"
	                   "\"learning_from\":\"2024-05-01T12:00:00.000000Z\","
	                   "\"learning_until\":\"2024-05-01T13:00:00.000000Z\",";
	char text[1024];
	expect_load_fails("{\"format\":\"x\"}", "not a ghostwire-baseline file");
	expect_load_fails("{\"format\":\"ghostwire-baseline\",\"version\":9}",
	                  "ghostwire-baseline version 9");
	expect_load_fails("[1,", "line 1");
	snprintf(text, sizeof text, "%s\"entries\":{}}", head);
	expect_load_fails(text, "not an array");
	snprintf(text, sizeof text,
	         "%s\"entries\":[{\"process\":\"x\",\"direction\":\"sideways\",\"transport\":"
	         "\"tcp\",\"port\":1,\"flows\":1}]}",
	         head);
	expect_load_fails(text, "entry 1");
	snprintf(text, sizeof text,
	         "%s\"entries\":[{\"process\":\"x\",\"direction\":\"inbound\",\"transport\":"
	         "\"tcp\",\"port\":1,\"flows\":1,\"network\":\"10.0.0.1/"
	         "8\",\"first\":\"2024-05-01T12:"
	         "00:00.000000Z\",\"last\":\"2024-05-01T12:00:00.000000Z\"}]}",
	         head);
	expect_load_fails(text, "CIDR");
	struct gw_baseline *b = NULL;
	struct gw_err err = {0};
	cr_expect_eq(gw_baseline_load(temp_path("missing.json"), &b, &err), GW_ENOENT);
}

Test(hunt_state, alerted_flows_repeat_windows_and_reported_entries_survive_a_restart)
{
	struct gw_hunt_state s;
	cr_assert_eq(gw_hunt_state_init(&s, NULL), 0);
	struct gw_flow a = flow("10.0.0.5", 40000, "203.0.113.9", 4444, GW_DIR_OUT);
	struct gw_flow b = flow("fd00::5", 8080, "2001:db8::1", 50000, GW_DIR_IN);
	gw_hunt_state_alerted_add(&s, &b, T0 + 2 * S);
	gw_hunt_state_alerted_add(&s, &a, T0 + 2 * S);
	cr_expect_not_null(gw_hunt_state_alerted_find(&s, &a.key));
	struct gw_verdict v = owned_by("curl", "/usr/bin/curl");
	struct gw_baseline_entry e;
	gw_baseline_entry_of(&a, &v, 64500, &e);
	cr_assert_eq(gw_baseline_add(s.reported_new, &e), 1);

	struct gw_alert_gate_config c;
	gw_alert_gate_config_init(&c);
	c.window_us = 300 * S;
	struct gw_alert_gate *g = NULL;
	cr_assert_eq(gw_alert_gate_new(&c, &g, NULL), 0);
	struct gw_verdict unx = {.kind = GW_VERDICT_UNEXPLAINED,
	                         .unexplained = GW_UNX_NO_SOCKET_OUTBOUND};
	struct gw_alert_key k;
	gw_alert_key_of(&a, &unx, &k);
	cr_expect_eq(gw_alert_gate_admit(g, &k, T0), GW_ALERT_SEND);
	cr_expect_eq(gw_alert_gate_admit(g, &k, T0 + S), GW_ALERT_REPEAT);

	const char *path = temp_path("state.json");
	struct gw_err err = {0};
	cr_assert_eq(gw_hunt_state_save(&s, g, path, T0 + 10 * S, &err), 0, "%s", err.msg);
	gw_alert_gate_free(g);
	gw_hunt_state_free(&s);

	struct gw_hunt_state r;
	cr_assert_eq(gw_hunt_state_init(&r, NULL), 0);
	cr_assert_eq(gw_hunt_state_load(&r, path, T0 + 20 * S, 300 * S, &err), 0, "%s", err.msg);
	cr_expect_eq(r.saved_us, T0 + 10 * S);
	cr_assert_eq(r.n_alerted, 2);
	struct gw_hunt_alerted *got = gw_hunt_state_alerted_find(&r, &a.key);
	cr_assert_not_null(got);
	cr_expect_eq(got->first_us, T0);
	cr_expect_eq(got->alerted_us, T0 + 2 * S);
	cr_expect_eq(got->keep_until_us, T0 + 320 * S);
	cr_expect_not_null(gw_hunt_state_alerted_find(&r, &b.key), "IPv6 too");
	cr_assert_eq(r.n_windows, 1);
	cr_expect_eq(memcmp(&r.windows[0].key, &k, sizeof k), 0);
	cr_expect_eq(r.windows[0].held, 1);
	cr_expect(gw_baseline_has(r.reported_new, &e));

	cr_expect(gw_hunt_state_alerted_remove(&r, &a.key), "the flow ended");
	cr_expect_not(gw_hunt_state_alerted_remove(&r, &a.key));
	cr_expect_eq(gw_hunt_state_alerted_expire(&r, T0 + 321 * S), 1, "untaken ones go");
	cr_expect_eq(r.n_alerted, 0);
	gw_hunt_state_free(&r);
	unlink(path);
}

Test(hunt_state, a_missing_file_is_an_empty_state_and_a_bad_one_is_named)
{
	struct gw_hunt_state r;
	cr_assert_eq(gw_hunt_state_init(&r, NULL), 0);
	struct gw_err err = {0};
	cr_expect_eq(gw_hunt_state_load(&r, temp_path("none.json"), 0, 0, &err), GW_ENOENT);
	const char *path = temp_path("bad-state.json");
	FILE *f = fopen(path, "w");
	fputs("{\"format\":\"ghostwire-state\",\"version\":1,\"saved\":\"2024-05-01T12:00:00."
	      "000000Z\","
	      "\"alerted\":[{\"proto\":6}],\"repeat_windows\":[],\"reported_new\":[]}",
	      f);
	fclose(f);
	cr_expect_eq(gw_hunt_state_load(&r, path, 0, 0, &err), GW_EFORMAT);
	cr_expect_not_null(strstr(err.msg, "\"alerted\" entry 1"), "%s", err.msg);
	unlink(path);
	gw_hunt_state_free(&r);
}
