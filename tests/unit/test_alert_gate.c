/* test_alert_gate.c — alert hygiene: repeats held in their window and
 * reported once with the count, the rate limit dropping and reporting, the
 * oldest window closed early when all are in use, windows restored. */
#include <criterion/criterion.h>
#include <string.h>

#include "ghostwire/alert_gate.h"

#define S INT64_C(1000000)

struct seen {
	struct gw_alert_repeat repeats[16];
	int n_repeats;
	uint64_t dropped[16];
	int64_t since[16], until[16];
	int n_drops;
};

static void on_repeat(void *ud, const struct gw_alert_repeat *r)
{
	struct seen *s = ud;
	cr_assert_lt(s->n_repeats, 16);
	s->repeats[s->n_repeats++] = *r;
}

static void on_dropped(void *ud, int64_t since, int64_t now, uint64_t n)
{
	struct seen *s = ud;
	cr_assert_lt(s->n_drops, 16);
	s->since[s->n_drops] = since;
	s->until[s->n_drops] = now;
	s->dropped[s->n_drops++] = n;
}

static struct gw_alert_gate *gate(struct seen *s, uint32_t rate, uint32_t burst, int64_t window,
                                  uint32_t max_keys)
{
	struct gw_alert_gate_config c;
	gw_alert_gate_config_init(&c);
	c.rate = rate;
	c.burst = burst;
	c.window_us = window;
	c.max_keys = max_keys;
	c.sink = (struct gw_alert_gate_sink){.repeat = on_repeat, .dropped = on_dropped, .ud = s};
	struct gw_alert_gate *g = NULL;
	cr_assert_eq(gw_alert_gate_new(&c, &g, NULL), 0);
	return g;
}

/* An outbound unexplained TCP finding to 203.0.113.<host>:port. */
static struct gw_alert_key key(uint8_t host, uint16_t port)
{
	struct gw_flow f;
	memset(&f, 0, sizeof f);
	f.key.proto = 6;
	f.key.family = GW_AF_INET;
	f.key.remote[0] = 203, f.key.remote[1] = 0, f.key.remote[2] = 113, f.key.remote[3] = host;
	f.key.remote_port = port;
	f.key.local_port = (uint16_t)(40000 + host + port); /* differs: not in the key */
	f.opener = GW_DIR_OUT;
	struct gw_verdict v;
	memset(&v, 0, sizeof v);
	v.kind = GW_VERDICT_UNEXPLAINED;
	v.unexplained = GW_UNX_NO_SOCKET_OUTBOUND;
	struct gw_alert_key k;
	gw_alert_key_of(&f, &v, &k);
	return k;
}

Test(alert_gate, repeats_are_held_then_reported_once_with_their_count)
{
	struct seen s = {0};
	struct gw_alert_gate *g = gate(&s, 0, 0, 60 * S, 0);
	struct gw_alert_key beacon = key(5, 4444), other = key(6, 4444);
	cr_expect_eq(gw_alert_gate_admit(g, &beacon, 100 * S), GW_ALERT_SEND);
	for (int i = 1; i <= 5; i++)
		cr_expect_eq(gw_alert_gate_admit(g, &beacon, (100 + 10 * i) * S), GW_ALERT_REPEAT);
	cr_expect_eq(gw_alert_gate_admit(g, &other, 120 * S), GW_ALERT_SEND, "another remote");
	cr_expect_eq(s.n_repeats, 0, "the window is still open");
	gw_alert_gate_tick(g, 160 * S);
	cr_assert_eq(s.n_repeats, 1, "the beacon's window closed, the other has nothing held");
	cr_expect_eq(s.repeats[0].held, 5);
	cr_expect_eq(s.repeats[0].first_us, 100 * S);
	cr_expect_eq(s.repeats[0].last_us, 150 * S);
	cr_expect_eq(gw_alert_gate_admit(g, &beacon, 161 * S), GW_ALERT_SEND, "a new window");
	const struct gw_alert_gate_stats *st = gw_alert_gate_stats(g);
	cr_expect_eq(st->sent, 3);
	cr_expect_eq(st->held, 5);
	cr_expect_eq(st->repeats_reported, 1);
	gw_alert_gate_free(g);
}

Test(alert_gate, inbound_findings_to_one_port_are_alike_whoever_sends_them)
{
	struct gw_flow f;
	memset(&f, 0, sizeof f);
	f.key.proto = 6;
	f.key.family = GW_AF_INET;
	f.key.local_port = 31337;
	f.opener = GW_DIR_IN;
	struct gw_verdict v;
	memset(&v, 0, sizeof v);
	v.kind = GW_VERDICT_UNEXPLAINED;
	v.unexplained = GW_UNX_HIDDEN_LISTENER;
	struct gw_alert_key a, b;
	f.key.remote[3] = 1, f.key.remote_port = 5000;
	gw_alert_key_of(&f, &v, &a);
	f.key.remote[3] = 2, f.key.remote_port = 6000;
	gw_alert_key_of(&f, &v, &b);
	cr_expect_eq(memcmp(&a, &b, sizeof a), 0);
	cr_expect_eq(a.port, 31337);
}

Test(alert_gate, the_rate_limit_drops_counts_and_reports)
{
	struct seen s = {0};
	struct gw_alert_gate *g = gate(&s, 2, 4, 0, 0); /* 2/s, burst 4, no windows */
	int sent = 0, dropped = 0;
	for (int i = 0; i < 10; i++) { /* ten at once */
		struct gw_alert_key k = key((uint8_t)i, 80);
		if (gw_alert_gate_admit(g, &k, 10 * S) == GW_ALERT_SEND)
			sent++;
		else
			dropped++;
	}
	cr_expect_eq(sent, 4, "the burst");
	cr_expect_eq(dropped, 6);
	cr_expect_eq(s.n_drops, 0, "reported at most every 10 s");
	struct gw_alert_key k = key(50, 80);
	cr_expect_eq(gw_alert_gate_admit(g, &k, 11 * S), GW_ALERT_SEND, "a second refills two");
	cr_expect_eq(gw_alert_gate_admit(g, &k, 11 * S), GW_ALERT_SEND);
	cr_expect_eq(gw_alert_gate_admit(g, &k, 11 * S), GW_ALERT_DROPPED);
	gw_alert_gate_tick(g, 20 * S);
	cr_assert_eq(s.n_drops, 1);
	cr_expect_eq(s.dropped[0], 7);
	cr_expect_eq(s.since[0], 10 * S);
	cr_expect_eq(s.until[0], 20 * S);
	gw_alert_gate_tick(g, 40 * S);
	cr_expect_eq(s.n_drops, 1, "nothing more to report");
	cr_expect_eq(gw_alert_gate_stats(g)->dropped, 7);
	gw_alert_gate_free(g);
}

Test(alert_gate, flush_reports_what_is_left)
{
	struct seen s = {0};
	struct gw_alert_gate *g = gate(&s, 1, 1, 3600 * S, 0);
	struct gw_alert_key a = key(1, 22), b = key(2, 22);
	cr_expect_eq(gw_alert_gate_admit(g, &a, 0), GW_ALERT_SEND);
	cr_expect_eq(gw_alert_gate_admit(g, &a, 1), GW_ALERT_REPEAT, "repeats take no token");
	cr_expect_eq(gw_alert_gate_admit(g, &b, 2), GW_ALERT_DROPPED);
	gw_alert_gate_flush(g, 3);
	cr_expect_eq(s.n_repeats, 1);
	cr_expect_eq(s.n_drops, 1);
	cr_expect_eq(s.dropped[0], 1);
	gw_alert_gate_free(g);
}

Test(alert_gate, the_oldest_window_closes_to_make_room)
{
	struct seen s = {0};
	struct gw_alert_gate *g = gate(&s, 0, 0, 3600 * S, 4);
	for (int i = 0; i < 4; i++) {
		struct gw_alert_key k = key((uint8_t)i, 443);
		cr_expect_eq(gw_alert_gate_admit(g, &k, i * S), GW_ALERT_SEND);
		cr_expect_eq(gw_alert_gate_admit(g, &k, i * S + 1), GW_ALERT_REPEAT);
	}
	struct gw_alert_key k = key(9, 443);
	cr_expect_eq(gw_alert_gate_admit(g, &k, 10 * S), GW_ALERT_SEND);
	cr_assert_eq(s.n_repeats, 1, "the first window closed early, with its count");
	cr_expect_eq(s.repeats[0].first_us, 0);
	cr_expect_eq(gw_alert_gate_stats(g)->closed_early, 1);
	struct gw_alert_key k1 = key(1, 443);
	cr_expect_eq(gw_alert_gate_admit(g, &k1, 11 * S), GW_ALERT_REPEAT, "the others stay");
	gw_alert_gate_free(g);
}

static void collect(void *ud, const struct gw_alert_repeat *w)
{
	struct seen *s = ud;
	s->repeats[s->n_repeats++] = *w;
}

Test(alert_gate, windows_restored_keep_holding)
{
	struct seen s = {0}, saved = {0};
	struct gw_alert_gate *g = gate(&s, 0, 0, 60 * S, 0);
	struct gw_alert_key a = key(1, 53);
	cr_expect_eq(gw_alert_gate_admit(g, &a, 100 * S), GW_ALERT_SEND);
	cr_expect_eq(gw_alert_gate_admit(g, &a, 101 * S), GW_ALERT_REPEAT);
	gw_alert_gate_each_window(g, collect, &saved);
	gw_alert_gate_free(g);
	cr_assert_eq(saved.n_repeats, 1);
	g = gate(&s, 0, 0, 60 * S, 0); /* the restart */
	cr_expect(gw_alert_gate_restore(g, &saved.repeats[0]));
	cr_expect_not(gw_alert_gate_restore(g, &saved.repeats[0]), "once");
	cr_expect_eq(gw_alert_gate_admit(g, &a, 130 * S), GW_ALERT_REPEAT);
	gw_alert_gate_tick(g, 160 * S);
	cr_assert_eq(s.n_repeats, 1);
	cr_expect_eq(s.repeats[0].held, 2, "the count goes on");
	gw_alert_gate_free(g);
}
