/* hunt/alert_gate.c — the repeat windows (an array of open windows with an
 * open-addressing index over it, rebuilt whenever windows close) and the
 * token bucket of the alert rate limit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ghostwire/alert_gate.h"

#define DEFAULT_MAX_KEYS  4096
#define DEFAULT_REPORT_US INT64_C(10000000)
#define EMPTY             UINT32_MAX

struct gw_alert_gate {
	struct gw_alert_gate_config cfg;
	struct gw_alert_repeat *windows; /* open windows, [0, n) */
	uint32_t n;
	uint32_t *index; /* slot -> window, EMPTY; size mask + 1 */
	uint32_t mask;
	int64_t now_us;
	/* token bucket, in millionths of a token */
	int64_t tokens, max_tokens;
	int64_t refilled_us;
	uint64_t dropped_pending;
	int64_t dropped_since_us;
	struct gw_alert_gate_stats stats;
};

void gw_alert_gate_config_init(struct gw_alert_gate_config *c)
{
	memset(c, 0, sizeof *c);
	c->report_us = DEFAULT_REPORT_US;
	c->max_keys = DEFAULT_MAX_KEYS;
}

static const char *process_of(const struct gw_verdict *v)
{
	if (v->has_owner)
		return v->owner.comm;
	if (v->n_holders > 0)
		return v->holders[0].comm;
	return "";
}

void gw_alert_key_of(const struct gw_flow *f, const struct gw_verdict *v, struct gw_alert_key *key)
{
	memset(key, 0, sizeof *key);
	key->verdict = v->kind;
	key->unexplained = v->unexplained;
	key->proto = f->key.proto;
	key->dir = f->opener;
	if (f->opener == GW_DIR_OUT) {
		key->port = f->key.remote_port;
		key->family = f->key.family;
		memcpy(key->remote, f->key.remote, sizeof key->remote);
	} else {
		key->port = f->key.local_port;
	}
	snprintf(key->process, sizeof key->process, "%s", process_of(v));
}

static uint64_t key_hash(const struct gw_alert_key *k)
{
	/* FNV-1a over the whole key: gw_alert_key_of zeroes its padding */
	const unsigned char *p = (const unsigned char *)k;
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < sizeof *k; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

static bool key_equal(const struct gw_alert_key *a, const struct gw_alert_key *b)
{
	return memcmp(a, b, sizeof *a) == 0;
}

int gw_alert_gate_new(const struct gw_alert_gate_config *c, struct gw_alert_gate **out,
                      struct gw_err *err)
{
	*out = NULL;
	struct gw_alert_gate *g = calloc(1, sizeof *g);
	if (!g)
		return gw_err_set(err, GW_ENOMEM, "out of memory");
	g->cfg = *c;
	if (g->cfg.max_keys == 0)
		g->cfg.max_keys = DEFAULT_MAX_KEYS;
	if (g->cfg.report_us <= 0)
		g->cfg.report_us = DEFAULT_REPORT_US;
	if (g->cfg.rate && !g->cfg.burst)
		g->cfg.burst = g->cfg.rate;
	uint32_t slots = 1;
	while (slots < 2 * g->cfg.max_keys)
		slots <<= 1;
	g->mask = slots - 1;
	g->windows = calloc(g->cfg.max_keys, sizeof *g->windows);
	g->index = malloc((size_t)slots * sizeof *g->index);
	if (!g->windows || !g->index) {
		gw_alert_gate_free(g);
		return gw_err_set(err, GW_ENOMEM, "out of memory");
	}
	memset(g->index, 0xff, (size_t)slots * sizeof *g->index);
	g->max_tokens = (int64_t)g->cfg.burst * 1000000;
	g->tokens = g->max_tokens;
	g->refilled_us = INT64_MIN;
	g->now_us = INT64_MIN;
	*out = g;
	return 0;
}

void gw_alert_gate_free(struct gw_alert_gate *g)
{
	if (!g)
		return;
	free(g->windows);
	free(g->index);
	free(g);
}

static uint32_t *slot_of(struct gw_alert_gate *g, const struct gw_alert_key *k)
{
	uint32_t i = (uint32_t)key_hash(k) & g->mask;
	while (g->index[i] != EMPTY && !key_equal(&g->windows[g->index[i]].key, k))
		i = (i + 1) & g->mask;
	return &g->index[i];
}

static void reindex(struct gw_alert_gate *g)
{
	memset(g->index, 0xff, ((size_t)g->mask + 1) * sizeof *g->index);
	for (uint32_t w = 0; w < g->n; w++)
		*slot_of(g, &g->windows[w].key) = w;
}

static void report_repeat(struct gw_alert_gate *g, const struct gw_alert_repeat *w)
{
	if (w->held == 0)
		return;
	g->stats.repeats_reported++;
	if (g->cfg.sink.repeat)
		g->cfg.sink.repeat(g->cfg.sink.ud, w);
}

/* Closes the windows for which close(g, w, arg) says so, keeping order. */
static void close_where(struct gw_alert_gate *g,
                        bool (*close)(const struct gw_alert_gate *, const struct gw_alert_repeat *,
                                      int64_t),
                        int64_t arg)
{
	uint32_t kept = 0;
	for (uint32_t w = 0; w < g->n; w++) {
		if (close(g, &g->windows[w], arg))
			report_repeat(g, &g->windows[w]);
		else
			g->windows[kept++] = g->windows[w];
	}
	if (kept != g->n) {
		g->n = kept;
		reindex(g);
	}
}

static bool window_over(const struct gw_alert_gate *g, const struct gw_alert_repeat *w,
                        int64_t now_us)
{
	return now_us - w->first_us >= g->cfg.window_us;
}

static bool always(const struct gw_alert_gate *g, const struct gw_alert_repeat *w, int64_t arg)
{
	(void)g, (void)w, (void)arg;
	return true;
}

static bool opened_at_or_before(const struct gw_alert_gate *g, const struct gw_alert_repeat *w,
                                int64_t first_us)
{
	(void)g;
	return w->first_us <= first_us;
}

static void report_drops(struct gw_alert_gate *g, bool now)
{
	if (g->dropped_pending == 0)
		return;
	if (!now && g->now_us - g->dropped_since_us < g->cfg.report_us)
		return;
	g->stats.drop_reports++;
	if (g->cfg.sink.dropped)
		g->cfg.sink.dropped(g->cfg.sink.ud, g->dropped_since_us, g->now_us,
		                    g->dropped_pending);
	g->dropped_pending = 0;
}

static void advance(struct gw_alert_gate *g, int64_t now_us)
{
	if (now_us > g->now_us)
		g->now_us = now_us;
}

void gw_alert_gate_tick(struct gw_alert_gate *g, int64_t now_us)
{
	advance(g, now_us);
	if (g->cfg.window_us > 0 && g->n > 0)
		close_where(g, window_over, g->now_us);
	report_drops(g, false);
}

void gw_alert_gate_flush(struct gw_alert_gate *g, int64_t now_us)
{
	advance(g, now_us);
	close_where(g, always, 0);
	report_drops(g, true);
}

/* One token, refilled at rate a second up to burst; false if none. */
static bool take_token(struct gw_alert_gate *g)
{
	if (g->cfg.rate == 0)
		return true;
	if (g->refilled_us != INT64_MIN && g->now_us > g->refilled_us) {
		int64_t dt = g->now_us - g->refilled_us;
		int64_t add = dt > g->max_tokens / g->cfg.rate ? g->max_tokens : dt * g->cfg.rate;
		g->tokens = g->tokens + add > g->max_tokens ? g->max_tokens : g->tokens + add;
	}
	g->refilled_us = g->now_us;
	if (g->tokens < 1000000)
		return false;
	g->tokens -= 1000000;
	return true;
}

/* Room for one more window: the oldest closes early when all are in use. */
static void make_room(struct gw_alert_gate *g)
{
	if (g->n < g->cfg.max_keys)
		return;
	int64_t oldest = g->windows[0].first_us;
	for (uint32_t w = 1; w < g->n; w++)
		if (g->windows[w].first_us < oldest)
			oldest = g->windows[w].first_us;
	uint32_t before = g->n;
	close_where(g, opened_at_or_before, oldest);
	g->stats.closed_early += before - g->n;
}

static void open_window(struct gw_alert_gate *g, const struct gw_alert_repeat *w)
{
	make_room(g);
	uint32_t *slot = slot_of(g, &w->key);
	g->windows[g->n] = *w;
	*slot = g->n++;
}

enum gw_alert_decision gw_alert_gate_admit(struct gw_alert_gate *g, const struct gw_alert_key *key,
                                           int64_t now_us)
{
	gw_alert_gate_tick(g, now_us);
	if (g->cfg.window_us > 0) {
		uint32_t *slot = slot_of(g, key);
		if (*slot != EMPTY) {
			struct gw_alert_repeat *w = &g->windows[*slot];
			w->held++;
			w->last_us = g->now_us;
			g->stats.held++;
			return GW_ALERT_REPEAT;
		}
	}
	if (!take_token(g)) {
		if (g->dropped_pending == 0)
			g->dropped_since_us = g->now_us;
		g->dropped_pending++;
		g->stats.dropped++;
		return GW_ALERT_DROPPED;
	}
	if (g->cfg.window_us > 0) {
		struct gw_alert_repeat w = {
		        .key = *key, .first_us = g->now_us, .last_us = g->now_us};
		open_window(g, &w);
	}
	g->stats.sent++;
	return GW_ALERT_SEND;
}

void gw_alert_gate_each_window(const struct gw_alert_gate *g,
                               void (*fn)(void *ud, const struct gw_alert_repeat *w), void *ud)
{
	for (uint32_t w = 0; w < g->n; w++)
		fn(ud, &g->windows[w]);
}

bool gw_alert_gate_restore(struct gw_alert_gate *g, const struct gw_alert_repeat *w)
{
	if (g->cfg.window_us <= 0 || g->n >= g->cfg.max_keys || *slot_of(g, &w->key) != EMPTY)
		return false;
	open_window(g, w);
	return true;
}

const struct gw_alert_gate_stats *gw_alert_gate_stats(const struct gw_alert_gate *g)
{
	return &g->stats;
}
