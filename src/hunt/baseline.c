/* hunt/baseline.c — the baseline's entries (a growing array with an
 * open-addressing index), what a flow makes of one, and the JSON file. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ghostwire/baseline.h"
#include "ghostwire/clock.h"
#include "ghostwire/json_line.h"

#define EMPTY UINT32_MAX

struct gw_baseline {
	struct gw_baseline_entry *e;
	uint32_t n, cap;
	uint32_t *index; /* slot -> entry, EMPTY */
	uint32_t mask;
	uint64_t full;
	int64_t from_us, until_us;
};

bool gw_baseline_applies(const struct gw_verdict *v)
{
	return v->kind == GW_VERDICT_EXPLAINED;
}

static void remote_net(const struct gw_flow *f, struct gw_cidr *net)
{
	memset(net, 0, sizeof *net);
	net->net.family = f->key.family;
	unsigned keep = f->key.family == GW_AF_INET ? 3 : 6; /* /24, /48 */
	memcpy(net->net.bytes, f->key.remote, keep);
	net->prefix = (uint8_t)(keep * 8);
}

void gw_baseline_entry_of(const struct gw_flow *f, const struct gw_verdict *v, uint32_t remote_asn,
                          struct gw_baseline_entry *out)
{
	memset(out, 0, sizeof *out);
	const char *p = "?";
	if (v->has_owner && v->owner.exe[0])
		p = v->owner.exe;
	else if (v->has_owner && v->owner.comm[0])
		p = v->owner.comm;
	snprintf(out->process, sizeof out->process, "%s", p);
	out->dir = f->opener;
	out->proto = f->key.proto;
	out->port = f->opener == GW_DIR_OUT ? f->key.remote_port : f->key.local_port;
	out->asn = remote_asn;
	if (!remote_asn)
		remote_net(f, &out->net);
	out->flows = 1;
	out->first_us = f->first_us;
	out->last_us = f->last_us;
}

static const char *proto_name(unsigned p, char *buf, size_t size)
{
	switch (p) {
	case 6:
		return "tcp";
	case 17:
		return "udp";
	case 1:
		return "icmp";
	case 58:
		return "ipv6-icmp";
	}
	snprintf(buf, size, "%u", p);
	return buf;
}

static int proto_parse(const char *s)
{
	static const struct {
		const char *name;
		int proto;
	} names[] = {{"tcp", 6}, {"udp", 17}, {"icmp", 1}, {"ipv6-icmp", 58}};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (strcmp(s, names[i].name) == 0)
			return names[i].proto;
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	return *s && !*end && !errno && v >= 0 && v <= 255 ? (int)v : -1;
}

static char *remote_text(const struct gw_baseline_entry *e, char *buf, size_t size)
{
	if (e->asn) {
		snprintf(buf, size, "AS%" PRIu32, e->asn);
	} else {
		char a[GW_ADDR_STRLEN];
		snprintf(buf, size, "%s/%u", gw_addr_format(&e->net.net, a, sizeof a),
		         e->net.prefix);
	}
	return buf;
}

char *gw_baseline_describe(const struct gw_baseline_entry *e, char *buf, size_t size)
{
	char p[16], r[64];
	snprintf(buf, size, "%s %s %s/%u %s", e->process, e->dir == GW_DIR_OUT ? "out" : "in",
	         proto_name(e->proto, p, sizeof p), e->port, remote_text(e, r, sizeof r));
	return buf;
}

/* ---- the set ---- */

static uint64_t entry_hash(const struct gw_baseline_entry *e)
{
	uint64_t h = 1469598103934665603ULL;
	for (const unsigned char *p = (const unsigned char *)e->process; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	uint64_t rest[3] = {(uint64_t)e->dir << 24 | (uint64_t)e->proto << 16 | e->port,
	                    (uint64_t)e->asn << 8 | e->net.prefix, 0};
	memcpy(&rest[2], e->net.net.bytes, 8);
	rest[2] ^= (uint64_t)e->net.net.bytes[8] << 3; /* /48 needs only 6 bytes */
	for (int i = 0; i < 3; i++)
		h = (h ^ rest[i]) * 1099511628211ULL;
	return h ^ h >> 29;
}

static bool same(const struct gw_baseline_entry *a, const struct gw_baseline_entry *b)
{
	return a->dir == b->dir && a->proto == b->proto && a->port == b->port && a->asn == b->asn &&
	       a->net.prefix == b->net.prefix && gw_addr_equal(&a->net.net, &b->net.net) &&
	       strcmp(a->process, b->process) == 0;
}

static uint32_t *slot_of(const struct gw_baseline *b, const struct gw_baseline_entry *e)
{
	uint32_t i = (uint32_t)entry_hash(e) & b->mask;
	while (b->index[i] != EMPTY && !same(&b->e[b->index[i]], e))
		i = (i + 1) & b->mask;
	return &b->index[i];
}

static int grow(struct gw_baseline *b)
{
	uint32_t cap = b->cap ? b->cap * 2 : 256;
	struct gw_baseline_entry *e = realloc(b->e, (size_t)cap * sizeof *e);
	if (!e)
		return GW_ENOMEM;
	b->e = e;
	uint32_t *index = malloc((size_t)cap * 2 * sizeof *index);
	if (!index)
		return GW_ENOMEM;
	free(b->index);
	b->index = index;
	b->cap = cap;
	b->mask = cap * 2 - 1;
	memset(b->index, 0xff, (size_t)cap * 2 * sizeof *index);
	for (uint32_t i = 0; i < b->n; i++)
		*slot_of(b, &b->e[i]) = i;
	return 0;
}

struct gw_baseline *gw_baseline_new(void)
{
	struct gw_baseline *b = calloc(1, sizeof *b);
	if (b && grow(b) < 0) {
		gw_baseline_free(b);
		return NULL;
	}
	return b;
}

void gw_baseline_free(struct gw_baseline *b)
{
	if (!b)
		return;
	free(b->e);
	free(b->index);
	free(b);
}

int gw_baseline_add(struct gw_baseline *b, const struct gw_baseline_entry *e)
{
	uint32_t *slot = slot_of(b, e);
	if (*slot != EMPTY) {
		struct gw_baseline_entry *have = &b->e[*slot];
		uint64_t room = e->flows >= INT64_MAX ? 0 : INT64_MAX - e->flows; /* JSON's range */
		have->flows = have->flows > room ? INT64_MAX : have->flows + e->flows;
		if (e->first_us < have->first_us)
			have->first_us = e->first_us;
		if (e->last_us > have->last_us)
			have->last_us = e->last_us;
		return 0;
	}
	if (b->n >= GW_BASELINE_MAX_ENTRIES) {
		b->full++;
		return GW_ENOMEM;
	}
	if (b->n == b->cap) {
		if (grow(b) < 0) {
			b->full++;
			return GW_ENOMEM;
		}
		slot = slot_of(b, e);
	}
	b->e[b->n] = *e;
	*slot = b->n++;
	return 1;
}

bool gw_baseline_has(const struct gw_baseline *b, const struct gw_baseline_entry *e)
{
	return *slot_of(b, e) != EMPTY;
}

size_t gw_baseline_size(const struct gw_baseline *b)
{
	return b->n;
}

uint64_t gw_baseline_full(const struct gw_baseline *b)
{
	return b->full;
}

const struct gw_baseline_entry *gw_baseline_at(const struct gw_baseline *b, size_t i)
{
	return i < b->n ? &b->e[i] : NULL;
}

void gw_baseline_set_period(struct gw_baseline *b, int64_t from_us, int64_t until_us)
{
	b->from_us = from_us;
	b->until_us = until_us;
}

void gw_baseline_period(const struct gw_baseline *b, int64_t *from_us, int64_t *until_us)
{
	*from_us = b->from_us;
	*until_us = b->until_us;
}

/* ---- JSON ---- */

json_t *gw_baseline_entry_to_json(const struct gw_baseline_entry *e)
{
	char p[16], r[64];
	json_t *o = json_pack("{s:s, s:s, s:s, s:i, s:I, s:o, s:o}", "process", e->process,
	                      "direction", e->dir == GW_DIR_OUT ? "outbound" : "inbound",
	                      "transport", proto_name(e->proto, p, sizeof p), "port", (int)e->port,
	                      "flows", (json_int_t)e->flows, "first", gw_json_time(e->first_us),
	                      "last", gw_json_time(e->last_us));
	if (!o)
		return NULL;
	int bad = e->asn ? json_object_set_new(o, "as", json_integer(e->asn))
	                 : json_object_set_new(o, "network",
	                                       json_string(remote_text(e, r, sizeof r)));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int get_time(const json_t *o, const char *key, int64_t *out, struct gw_err *err)
{
	if (gw_json_get_time(o, key, out) < 0)
		return gw_err_set(err, GW_EFORMAT,
		                  "\"%s\" is not a time like 2024-05-01T12:00:00.000000Z", key);
	return 0;
}

static int remote_from_json(const json_t *o, struct gw_baseline_entry *e, struct gw_err *err)
{
	const json_t *as = json_object_get(o, "as"), *net = json_object_get(o, "network");
	if (as) {
		json_int_t v = json_integer_value(as);
		if (!json_is_integer(as) || v < 1 || v > UINT32_MAX)
			return gw_err_set(err, GW_EFORMAT, "\"as\" is not an AS number");
		e->asn = (uint32_t)v;
		return 0;
	}
	if (!json_is_string(net) || gw_cidr_parse(json_string_value(net), &e->net, NULL) < 0)
		return gw_err_set(err, GW_EFORMAT,
		                  "needs \"as\" (a number) or \"network\" (a CIDR)");
	return 0;
}

int gw_baseline_entry_from_json(const json_t *o, struct gw_baseline_entry *e, struct gw_err *err)
{
	memset(e, 0, sizeof *e);
	const char *process, *dir, *transport;
	json_int_t port, flows;
	if (json_unpack((json_t *)o, "{s:s, s:s, s:s, s:I, s:I}", "process", &process, "direction",
	                &dir, "transport", &transport, "port", &port, "flows", &flows) < 0)
		return gw_err_set(err, GW_EFORMAT,
		                  "an entry needs process, direction, transport, port and flows");
	int proto = proto_parse(transport);
	if (strlen(process) >= sizeof e->process || proto < 0 || port < 0 || port > 65535 ||
	    flows < 0 || (strcmp(dir, "outbound") != 0 && strcmp(dir, "inbound") != 0))
		return gw_err_set(err, GW_EFORMAT,
		                  "bad process, direction, transport, port or flows in an entry");
	snprintf(e->process, sizeof e->process, "%s", process);
	e->dir = strcmp(dir, "outbound") == 0 ? GW_DIR_OUT : GW_DIR_IN;
	e->proto = (uint8_t)proto;
	e->port = (uint16_t)port;
	e->flows = (uint64_t)flows;
	if (remote_from_json(o, e, err) < 0 || get_time(o, "first", &e->first_us, err) < 0 ||
	    get_time(o, "last", &e->last_us, err) < 0)
		return GW_EFORMAT;
	return 0;
}

static int load_entries(struct gw_baseline *b, const json_t *entries, const char *path,
                        struct gw_err *err)
{
	if (!json_is_array(entries))
		return gw_err_set(err, GW_EFORMAT, "%s: \"entries\" is not an array", path);
	size_t i;
	const json_t *o;
	json_array_foreach(entries, i, o)
	{
		struct gw_baseline_entry e;
		struct gw_err why = {0};
		if (gw_baseline_entry_from_json(o, &e, &why) < 0)
			return gw_err_set(err, GW_EFORMAT, "%s: entry %zu: %s", path, i + 1,
			                  why.msg);
		if (gw_baseline_add(b, &e) < 0)
			return gw_err_set(err, GW_ENOMEM, "%s: more than %d entries", path,
			                  GW_BASELINE_MAX_ENTRIES);
	}
	return 0;
}

int gw_baseline_load(const char *path, struct gw_baseline **out, struct gw_err *err)
{
	struct gw_err local = {0};
	if (!err)
		err = &local;
	*out = NULL;
	json_t *root = gw_json_load_file(path, "ghostwire-baseline", GW_BASELINE_VERSION, err);
	if (!root)
		return err->code;
	struct gw_baseline *b = gw_baseline_new();
	struct gw_err why = {0};
	int r = b ? 0 : gw_err_set(err, GW_ENOMEM, "out of memory");
	if (r == 0 && (get_time(root, "learning_from", &b->from_us, &why) < 0 ||
	               get_time(root, "learning_until", &b->until_us, &why) < 0))
		r = gw_err_set(err, GW_EFORMAT, "%s: %s", path, why.msg);
	if (r == 0)
		r = load_entries(b, json_object_get(root, "entries"), path, err);
	json_decref(root);
	if (r < 0) {
		gw_baseline_free(b);
		return r;
	}
	*out = b;
	return 0;
}

static json_t *to_json(const struct gw_baseline *b)
{
	json_t *entries = json_array();
	json_t *root =
	        json_pack("{s:s, s:i, s:o, s:o, s:o}", "format", "ghostwire-baseline", "version",
	                  GW_BASELINE_VERSION, "learning_from", gw_json_time(b->from_us),
	                  "learning_until", gw_json_time(b->until_us), "entries", entries);
	if (!root)
		return NULL;
	for (uint32_t i = 0; i < b->n; i++) {
		if (json_array_append_new(entries, gw_baseline_entry_to_json(&b->e[i])) < 0) {
			json_decref(root);
			return NULL;
		}
	}
	return root;
}

int gw_baseline_save(const struct gw_baseline *b, const char *path, struct gw_err *err)
{
	json_t *root = to_json(b);
	if (!root)
		return gw_err_set(err, GW_ENOMEM, "%s: out of memory", path);
	int r = gw_json_save_file(root, path, err);
	json_decref(root);
	return r;
}
