/* hunt/hunt_state.c — the state file of a long run: alerted flows (a sorted
 * array), the alert gate's open windows and the baseline entries reported as
 * new, to and from JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ghostwire/hunt_state.h"
#include "ghostwire/json_line.h"

int gw_hunt_state_init(struct gw_hunt_state *s, struct gw_err *err)
{
	memset(s, 0, sizeof *s);
	if (!(s->reported_new = gw_baseline_new()))
		return gw_err_set(err, GW_ENOMEM, "out of memory");
	return 0;
}

void gw_hunt_state_free(struct gw_hunt_state *s)
{
	free(s->alerted);
	free(s->windows);
	gw_baseline_free(s->reported_new);
	memset(s, 0, sizeof *s);
}

/* ---- alerted flows ---- */

/* The index of key, or where it would go (*found false). */
static size_t position(const struct gw_hunt_state *s, const struct gw_flow_key *key, bool *found)
{
	size_t lo = 0, hi = s->n_alerted;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(&s->alerted[mid].key, key, sizeof *key);
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

static bool insert(struct gw_hunt_state *s, const struct gw_hunt_alerted *a)
{
	bool found;
	size_t at = position(s, &a->key, &found);
	if (found) {
		s->alerted[at] = *a;
		return true;
	}
	if (s->n_alerted >= GW_HUNT_STATE_MAX_ALERTED) {
		s->alerted_full++;
		return false;
	}
	if (s->n_alerted == s->cap_alerted) {
		size_t cap = s->cap_alerted ? s->cap_alerted * 2 : 64;
		struct gw_hunt_alerted *n = realloc(s->alerted, cap * sizeof *n);
		if (!n) {
			s->alerted_full++;
			return false;
		}
		s->alerted = n;
		s->cap_alerted = cap;
	}
	memmove(&s->alerted[at + 1], &s->alerted[at], (s->n_alerted - at) * sizeof *s->alerted);
	s->alerted[at] = *a;
	s->n_alerted++;
	return true;
}

void gw_hunt_state_alerted_add(struct gw_hunt_state *s, const struct gw_flow *f, int64_t alerted_us)
{
	struct gw_hunt_alerted a = {.key = f->key,
	                            .first_us = f->first_us,
	                            .alerted_us = alerted_us,
	                            .keep_until_us = INT64_MAX};
	insert(s, &a);
}

struct gw_hunt_alerted *gw_hunt_state_alerted_find(struct gw_hunt_state *s,
                                                   const struct gw_flow_key *key)
{
	bool found;
	size_t at = position(s, key, &found);
	return found ? &s->alerted[at] : NULL;
}

bool gw_hunt_state_alerted_remove(struct gw_hunt_state *s, const struct gw_flow_key *key)
{
	bool found;
	size_t at = position(s, key, &found);
	if (!found)
		return false;
	memmove(&s->alerted[at], &s->alerted[at + 1], (s->n_alerted - at - 1) * sizeof *s->alerted);
	s->n_alerted--;
	return true;
}

size_t gw_hunt_state_alerted_expire(struct gw_hunt_state *s, int64_t now_us)
{
	size_t kept = 0, before = s->n_alerted;
	for (size_t i = 0; i < s->n_alerted; i++)
		if (s->alerted[i].keep_until_us >= now_us)
			s->alerted[kept++] = s->alerted[i];
	s->n_alerted = kept;
	return before - kept;
}

/* ---- JSON pieces ---- */

static json_t *addr_json(unsigned family, const uint8_t bytes[16])
{
	struct gw_addr a = {.family = (uint8_t)family};
	memcpy(a.bytes, bytes, 16);
	char t[GW_ADDR_STRLEN];
	return json_string(gw_addr_format(&a, t, sizeof t));
}

static int addr_of(const json_t *o, const char *key, uint8_t *family, uint8_t bytes[16])
{
	struct gw_addr a;
	const json_t *v = json_object_get(o, key);
	if (!json_is_string(v) || gw_addr_parse(json_string_value(v), &a, NULL) < 0)
		return -1;
	if (*family && *family != a.family)
		return -1;
	*family = a.family;
	memcpy(bytes, a.bytes, 16);
	return 0;
}

static json_t *alerted_json(const struct gw_hunt_alerted *a)
{
	const struct gw_flow_key *k = &a->key;
	return json_pack("{s:i, s:o, s:i, s:o, s:i, s:o, s:o}", "proto", k->proto, "local",
	                 addr_json(k->family, k->local), "local_port", k->local_port, "remote",
	                 addr_json(k->family, k->remote), "remote_port", k->remote_port, "first",
	                 gw_json_time(a->first_us), "alerted", gw_json_time(a->alerted_us));
}

static int alerted_from(const json_t *o, struct gw_hunt_alerted *a)
{
	memset(a, 0, sizeof *a);
	json_int_t proto, lport, rport;
	if (json_unpack((json_t *)o, "{s:I, s:I, s:I}", "proto", &proto, "local_port", &lport,
	                "remote_port", &rport) < 0 ||
	    proto < 0 || proto > 255 || lport < 0 || lport > 65535 || rport < 0 || rport > 65535)
		return -1;
	a->key.proto = (uint8_t)proto;
	a->key.local_port = (uint16_t)lport;
	a->key.remote_port = (uint16_t)rport;
	if (addr_of(o, "local", &a->key.family, a->key.local) < 0 ||
	    addr_of(o, "remote", &a->key.family, a->key.remote) < 0 ||
	    gw_json_get_time(o, "first", &a->first_us) < 0 ||
	    gw_json_get_time(o, "alerted", &a->alerted_us) < 0)
		return -1;
	return 0;
}

static int name_index(const char *name, const char *(*name_of)(int), int lo, int hi)
{
	for (int i = lo; i <= hi; i++)
		if (strcmp(name_of(i), name) == 0)
			return i;
	return -1;
}

static const char *verdict_name(int k)
{
	return gw_verdict_kind_name((enum gw_verdict_kind)k);
}

static const char *unexplained_name(int k)
{
	return gw_unexplained_kind_name((enum gw_unexplained_kind)k);
}

static json_t *window_json(const struct gw_alert_repeat *w)
{
	const struct gw_alert_key *k = &w->key;
	json_t *o = json_pack("{s:s, s:s, s:i, s:s, s:i, s:s, s:o, s:o, s:I}", "verdict",
	                      verdict_name(k->verdict), "kind", unexplained_name(k->unexplained),
	                      "proto", k->proto, "direction",
	                      k->dir == GW_DIR_OUT ? "outbound" : "inbound", "port", k->port,
	                      "process", k->process, "first", gw_json_time(w->first_us), "last",
	                      gw_json_time(w->last_us), "held", (json_int_t)w->held);
	if (o && k->family &&
	    json_object_set_new(o, "remote", addr_json(k->family, k->remote)) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int window_from(const json_t *o, struct gw_alert_repeat *w)
{
	memset(w, 0, sizeof *w);
	const char *verdict, *kind, *dir, *process;
	json_int_t proto, port, held;
	if (json_unpack((json_t *)o, "{s:s, s:s, s:I, s:s, s:I, s:s, s:I}", "verdict", &verdict,
	                "kind", &kind, "proto", &proto, "direction", &dir, "port", &port, "process",
	                &process, "held", &held) < 0)
		return -1;
	int v = name_index(verdict, verdict_name, GW_VERDICT_EXPLAINED, GW_VERDICT_UNEXPLAINED);
	int u = name_index(kind, unexplained_name, GW_UNX_NONE, GW_UNX_NO_SOCKET_INBOUND);
	if (v < 0 || u < 0 || proto < 0 || proto > 255 || port < 0 || port > 65535 || held < 0 ||
	    strlen(process) >= sizeof w->key.process)
		return -1;
	struct gw_alert_key *k = &w->key;
	k->verdict = (uint8_t)v;
	k->unexplained = (uint8_t)u;
	k->proto = (uint8_t)proto;
	k->dir = strcmp(dir, "outbound") == 0 ? GW_DIR_OUT : GW_DIR_IN;
	k->port = (uint16_t)port;
	snprintf(k->process, sizeof k->process, "%s", process);
	w->held = (uint64_t)held;
	if (json_object_get(o, "remote") && addr_of(o, "remote", &k->family, k->remote) < 0)
		return -1;
	return gw_json_get_time(o, "first", &w->first_us) < 0 ||
	                       gw_json_get_time(o, "last", &w->last_us) < 0
	               ? -1
	               : 0;
}

/* ---- the file ---- */

struct save_ctx {
	json_t *windows;
	bool failed;
};

static void save_window(void *ud, const struct gw_alert_repeat *w)
{
	struct save_ctx *c = ud;
	if (json_array_append_new(c->windows, window_json(w)) < 0)
		c->failed = true;
}

static json_t *state_json(const struct gw_hunt_state *s, const struct gw_alert_gate *gate,
                          int64_t now_us)
{
	json_t *alerted = json_array(), *windows = json_array(), *reported = json_array();
	json_t *root =
	        json_pack("{s:s, s:i, s:o, s:o, s:o, s:o}", "format", "ghostwire-state", "version",
	                  GW_HUNT_STATE_VERSION, "saved", gw_json_time(now_us), "alerted", alerted,
	                  "repeat_windows", windows, "reported_new", reported);
	if (!root)
		return NULL;
	struct save_ctx c = {.windows = windows};
	for (size_t i = 0; i < s->n_alerted && !c.failed; i++)
		c.failed = json_array_append_new(alerted, alerted_json(&s->alerted[i])) < 0;
	if (gate)
		gw_alert_gate_each_window(gate, save_window, &c);
	for (size_t i = 0; i < gw_baseline_size(s->reported_new) && !c.failed; i++)
		c.failed = json_array_append_new(reported, gw_baseline_entry_to_json(gw_baseline_at(
		                                                   s->reported_new, i))) < 0;
	if (c.failed) {
		json_decref(root);
		return NULL;
	}
	return root;
}

int gw_hunt_state_save(const struct gw_hunt_state *s, const struct gw_alert_gate *gate,
                       const char *path, int64_t now_us, struct gw_err *err)
{
	json_t *root = state_json(s, gate, now_us);
	if (!root)
		return gw_err_set(err, GW_ENOMEM, "%s: out of memory", path);
	int r = gw_json_save_file(root, path, err);
	json_decref(root);
	return r;
}

static int load_array(const json_t *root, const char *name, const char *path,
                      int (*one)(struct gw_hunt_state *, const json_t *, int64_t), int64_t arg,
                      struct gw_hunt_state *s, struct gw_err *err)
{
	const json_t *a = json_object_get(root, name);
	if (!json_is_array(a))
		return gw_err_set(err, GW_EFORMAT, "%s: \"%s\" is not an array", path, name);
	size_t i;
	const json_t *o;
	json_array_foreach(a, i, o)
	{
		if (one(s, o, arg) < 0)
			return gw_err_set(err, GW_EFORMAT, "%s: \"%s\" entry %zu is malformed",
			                  path, name, i + 1);
	}
	return 0;
}

static int load_alerted(struct gw_hunt_state *s, const json_t *o, int64_t keep_until_us)
{
	struct gw_hunt_alerted a;
	if (alerted_from(o, &a) < 0)
		return -1;
	a.keep_until_us = keep_until_us;
	insert(s, &a);
	return 0;
}

static int load_window(struct gw_hunt_state *s, const json_t *o, int64_t unused)
{
	(void)unused;
	struct gw_alert_repeat w;
	if (window_from(o, &w) < 0)
		return -1;
	struct gw_alert_repeat *n = realloc(s->windows, (s->n_windows + 1) * sizeof *n);
	if (!n)
		return -1;
	s->windows = n;
	s->windows[s->n_windows++] = w;
	return 0;
}

static int load_reported(struct gw_hunt_state *s, const json_t *o, int64_t unused)
{
	(void)unused;
	struct gw_baseline_entry e;
	return gw_baseline_entry_from_json(o, &e, NULL) < 0 ||
	                       gw_baseline_add(s->reported_new, &e) < 0
	               ? -1
	               : 0;
}

int gw_hunt_state_load(struct gw_hunt_state *s, const char *path, int64_t now_us, int64_t keep_us,
                       struct gw_err *err)
{
	struct gw_err local = {0};
	if (!err)
		err = &local;
	json_t *root = gw_json_load_file(path, "ghostwire-state", GW_HUNT_STATE_VERSION, err);
	if (!root)
		return err->code;
	int r = 0;
	if (gw_json_get_time(root, "saved", &s->saved_us) < 0)
		r = gw_err_set(err, GW_EFORMAT, "%s: \"saved\" is not a time", path);
	else if (load_array(root, "alerted", path, load_alerted, now_us + keep_us, s, err) < 0 ||
	         load_array(root, "repeat_windows", path, load_window, 0, s, err) < 0 ||
	         load_array(root, "reported_new", path, load_reported, 0, s, err) < 0)
		r = GW_EFORMAT;
	json_decref(root);
	return r;
}
