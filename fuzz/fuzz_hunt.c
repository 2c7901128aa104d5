/* fuzz/fuzz_hunt.c — libFuzzer target over the files of a long hunt: the bytes
 * are read as a baseline file and as a state file. What a loader accepts is
 * saved and loaded again, and must come back the same (entries, alerted
 * flows, repeat windows). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ghostwire/baseline.h"
#include "ghostwire/hunt_state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char in_path[64], out_path[64];

static void check(bool ok, const char *what, const struct gw_err *err)
{
	if (!ok) {
		fprintf(stderr, "fuzz_hunt: %s: %s\n", what, err ? err->msg : "");
		abort();
	}
}

static bool same_entry(const struct gw_baseline_entry *a, const struct gw_baseline_entry *b)
{
	return strcmp(a->process, b->process) == 0 && a->dir == b->dir && a->proto == b->proto &&
	       a->port == b->port && a->asn == b->asn && a->net.prefix == b->net.prefix &&
	       gw_addr_equal(&a->net.net, &b->net.net) && a->flows == b->flows &&
	       a->first_us == b->first_us && a->last_us == b->last_us;
}

static void same_baselines(const struct gw_baseline *a, const struct gw_baseline *b)
{
	check(gw_baseline_size(a) == gw_baseline_size(b), "entries lost in a round trip", NULL);
	for (size_t i = 0; i < gw_baseline_size(a); i++)
		check(same_entry(gw_baseline_at(a, i), gw_baseline_at(b, i)), "an entry changed",
		      NULL);
}

static void baseline(void)
{
	struct gw_baseline *b = NULL, *back = NULL;
	struct gw_err err = {0};
	if (gw_baseline_load(in_path, &b, &err) < 0)
		return;
	check(gw_baseline_save(b, out_path, &err) == 0, "saving an accepted baseline", &err);
	check(gw_baseline_load(out_path, &back, &err) == 0, "loading a saved baseline", &err);
	int64_t f1, u1, f2, u2;
	gw_baseline_period(b, &f1, &u1);
	gw_baseline_period(back, &f2, &u2);
	check(f1 == f2 && u1 == u2, "the period changed", NULL);
	same_baselines(b, back);
	gw_baseline_free(b);
	gw_baseline_free(back);
}

static void state(void)
{
	struct gw_hunt_state s, back;
	struct gw_err err = {0};
	check(gw_hunt_state_init(&s, &err) == 0, "init", &err);
	check(gw_hunt_state_init(&back, &err) == 0, "init", &err);
	if (gw_hunt_state_load(&s, in_path, 0, 0, &err) == 0) {
		struct gw_alert_gate_config c;
		gw_alert_gate_config_init(&c);
		c.window_us = INT64_MAX;
		struct gw_alert_gate *g = NULL;
		check(gw_alert_gate_new(&c, &g, &err) == 0, "gate", &err);
		size_t restored = 0;
		for (size_t i = 0; i < s.n_windows; i++)
			restored += gw_alert_gate_restore(g, &s.windows[i]);
		check(gw_hunt_state_save(&s, g, out_path, s.saved_us, &err) == 0,
		      "saving an accepted state", &err);
		check(gw_hunt_state_load(&back, out_path, 0, 0, &err) == 0, "loading a saved state",
		      &err);
		check(back.n_alerted == s.n_alerted && back.n_windows == restored &&
		              back.saved_us == s.saved_us,
		      "the state changed in a round trip", NULL);
		for (size_t i = 0; i < s.n_alerted; i++)
			check(!memcmp(&back.alerted[i].key, &s.alerted[i].key,
			              sizeof s.alerted[i].key) &&
			              back.alerted[i].first_us == s.alerted[i].first_us,
			      "an alerted flow changed", NULL);
		same_baselines(s.reported_new, back.reported_new);
		gw_alert_gate_free(g);
	}
	gw_hunt_state_free(&s);
	gw_hunt_state_free(&back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!in_path[0]) {
		snprintf(in_path, sizeof in_path, "/tmp/gw-fuzz-hunt-%d.in", (int)getpid());
		snprintf(out_path, sizeof out_path, "/tmp/gw-fuzz-hunt-%d.out", (int)getpid());
	}
	FILE *f = fopen(in_path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	baseline();
	state();
	unlink(in_path);
	unlink(out_path);
	return 0;
}
