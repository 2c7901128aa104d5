/* session/timeline_json.c — the JSON form of the timeline's values: sockets,
 * processes, queries, timestamps, 64-bit integers and byte strings (see
 * docs/timeline.md). Builders refuse values the reader would reject; readers
 * check type, range and size of every field and name the field at fault. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ghostwire/clock.h"
#include "timeline_internal.h"

/* 2^53 - 1: larger u64 values are written as strings (exact in every JSON reader). */
#define GW_TL_MAX_JSON_INT UINT64_C(9007199254740991)

char *gw__tl_printable(const char *s, size_t len, char *buf, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		size_t need = c >= 0x20 && c < 0x7f && c != '\\' ? 1 : 4;
		if (o + need + 4 > size) { /* room for "..." and the NUL */
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (need == 1) {
			buf[o++] = (char)c;
		} else {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[c >> 4];
			buf[o++] = hex[c & 15];
		}
	}
	buf[o] = '\0';
	return buf;
}

/* ---- timestamps ---- */

int gw__tl_time_format(int64_t us, char *buf, size_t size, struct gw_err *err)
{
	int64_t lo = GW_CLOCK_MIN_US;
	int64_t hi = GW_CLOCK_MAX_US;
	if (us < lo || us > hi || size < 32)
		return gw_err_set(err, GW_EINVAL,
		                  "time %" PRId64 " µs is outside the years 0000..9999", us);
	gw_clock_format_us(us, buf, (unsigned)size);
	return 0;
}

json_t *gw__tl_time_to_json(int64_t us, struct gw_err *err)
{
	char buf[32];
	if (gw__tl_time_format(us, buf, sizeof buf, err) < 0)
		return NULL;
	json_t *j = json_string(buf);
	if (!j)
		gw_err_set(err, GW_ENOMEM, "out of memory");
	return j;
}

/* ---- record types and events ---- */

static const char *const type_names[] = {
        [GW_TL_SNAPSHOT] = "snapshot", [GW_TL_DELTA] = "delta",     [GW_TL_LOOKUP] = "lookup",
        [GW_TL_DESTROY] = "destroy",   [GW_TL_PROCESS] = "process", [GW_TL_ADDRESS] = "address",
        [GW_TL_CAPTURE] = "capture",   [GW_TL_HIDDEN] = "hidden",
};

#define COUNT(a) (sizeof(a) / sizeof *(a))

const char *gw__tl_type_name(enum gw_tl_type t)
{
	return (unsigned)t < COUNT(type_names) ? type_names[t] : NULL;
}

enum gw_tl_type gw__tl_type_parse(const char *name)
{
	for (size_t i = 0; i < COUNT(type_names); i++)
		if (type_names[i] && strcmp(type_names[i], name) == 0)
			return (enum gw_tl_type)i;
	return 0;
}

bool gw__tl_event_valid(enum gw_tl_type t, const char *event)
{
	static const char *const process_events[] = {"fork", "exec", "exit"};
	static const char *const address_events[] = {"add", "del"};
	const char *const *events = t == GW_TL_PROCESS ? process_events : address_events;
	size_t n = t == GW_TL_PROCESS ? COUNT(process_events) : COUNT(address_events);
	if (t != GW_TL_PROCESS && t != GW_TL_ADDRESS)
		return false;
	for (size_t i = 0; i < n; i++)
		if (strcmp(events[i], event) == 0)
			return true;
	return false;
}

/* ---- builders ---- */

static const char *family_name(unsigned f)
{
	switch (f) {
	case GW_AF_INET:
		return "ipv4";
	case GW_AF_INET6:
		return "ipv6";
	case GW_AF_NONE:
		return "none";
	default:
		return NULL;
	}
}

static int family_parse(const char *name)
{
	for (unsigned f = 0; f <= GW_AF_INET6; f++)
		if (family_name(f) && strcmp(family_name(f), name) == 0)
			return (int)f;
	return -1;
}

/* Sets o[k] = v (taking v); false if v is NULL or the set failed. */
static bool put(json_t *o, const char *k, json_t *v)
{
	return v && json_object_set_new(o, k, v) == 0;
}

json_t *gw__tl_u64_to_json(uint64_t v)
{
	if (v <= GW_TL_MAX_JSON_INT)
		return json_integer((json_int_t)v);
	char buf[24];
	snprintf(buf, sizeof buf, "%" PRIu64, v);
	return json_string(buf);
}

json_t *gw__tl_string_to_json(const char *s, size_t size, const char *what, struct gw_err *err)
{
	size_t n = strnlen(s, size);
	if (n == size) {
		gw_err_set(err, GW_EINVAL, "%s is not NUL-terminated within its %zu bytes", what,
		           size);
		return NULL;
	}
	json_t *j = json_stringn(s, n);
	if (j)
		return j;
	/* Not UTF-8 (a hostile process name, say): keep the bytes exactly, as hex. */
	static const char hex[] = "0123456789abcdef";
	char buf[2 * 512 + 1];
	if (n * 2 >= sizeof buf) {
		gw_err_set(err, GW_EINVAL, "%s is too long to record", what);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		buf[2 * i] = hex[(unsigned char)s[i] >> 4];
		buf[2 * i + 1] = hex[(unsigned char)s[i] & 15];
	}
	buf[2 * n] = '\0';
	j = json_object();
	if (!j || !put(j, "hex", json_string(buf))) {
		json_decref(j);
		gw_err_set(err, GW_ENOMEM, "out of memory");
		return NULL;
	}
	return j;
}

/* The text of a, which belongs to a socket or query of `family`: null for none. */
static json_t *addr_to_json(const struct gw_addr *a, unsigned family, const char *what,
                            struct gw_err *err)
{
	if (family == GW_AF_NONE)
		return json_null();
	if (a->family != family && a->family != GW_AF_NONE) {
		gw_err_set(err, GW_EINVAL, "%s: an %s address in an %s socket", what,
		           family_name(a->family) ? family_name(a->family) : "unknown",
		           family_name(family));
		return NULL;
	}
	struct gw_addr copy = *a;
	copy.family = (uint8_t)family;
	char buf[GW_ADDR_STRLEN];
	return json_string(gw_addr_format(&copy, buf, sizeof buf));
}

json_t *gw__tl_cidr_to_json(const struct gw_cidr *c, const char *what, struct gw_err *err)
{
	char addr[GW_ADDR_STRLEN], text[GW_ADDR_STRLEN + 8];
	struct gw_cidr back;
	if (c->net.family != GW_AF_INET && c->net.family != GW_AF_INET6) {
		gw_err_set(err, GW_EINVAL, "%s: not an IPv4 or IPv6 network", what);
		return NULL;
	}
	snprintf(text, sizeof text, "%s/%u", gw_addr_format(&c->net, addr, sizeof addr),
	         (unsigned)c->prefix);
	/* What the reader would make of it must be c itself. */
	if (gw_cidr_parse(text, &back, NULL) < 0 || back.prefix != c->prefix ||
	    !gw_addr_equal(&back.net, &c->net)) {
		gw_err_set(err, GW_EINVAL, "%s: %s is not a valid network (host bits set?)", what,
		           text);
		return NULL;
	}
	return json_string(text);
}

json_t *gw__tl_socket_to_json(const struct gw_socket *s, struct gw_err *err)
{
	const char *proto = gw_sock_proto_name(s->proto);
	const char *state = gw_sock_state_name(s->state);
	const char *owner = gw_owner_status_name(s->owner_status);
	const char *family = family_name(s->family);
	if (!strcmp(proto, "?") || !strcmp(state, "?") || !strcmp(owner, "?") || !family) {
		gw_err_set(err, GW_EINVAL,
		           "socket with an unknown proto (%u), state (%u), owner status (%u) or "
		           "family (%u)",
		           s->proto, s->state, s->owner_status, s->family);
		return NULL;
	}
	if ((s->proto == GW_SOCK_PACKET) != (s->family == GW_AF_NONE)) {
		gw_err_set(err, GW_EINVAL,
		           "%s socket of family %s: packet sockets and only they "
		           "have family none",
		           proto, family);
		return NULL;
	}
	json_t *local = addr_to_json(&s->local, s->family, "socket local address", err);
	json_t *remote =
	        local ? addr_to_json(&s->remote, s->family, "socket remote address", err) : NULL;
	if (!local || !remote) {
		json_decref(local);
		return NULL;
	}
	json_t *o = json_object();
	bool ok = o != NULL;
	ok = ok && put(o, "proto", json_string(proto));
	ok = ok && put(o, "family", json_string(family));
	ok = ok && put(o, "state", json_string(state));
	ok = ok && put(o, "raw_protocol", json_integer(s->raw_protocol));
	ok = ok && put(o, "local", json_incref(local));
	ok = ok && put(o, "local_port", json_integer(s->local_port));
	ok = ok && put(o, "remote", json_incref(remote));
	ok = ok && put(o, "remote_port", json_integer(s->remote_port));
	ok = ok && put(o, "packet_type", json_integer(s->packet_type));
	ok = ok && put(o, "packet_proto", json_integer(s->packet_proto));
	ok = ok && put(o, "packet_filter", json_boolean(s->packet_filter));
	ok = ok && put(o, "v6only", json_boolean(s->v6only));
	if (s->transparent) /* optional: written only when set */
		ok = ok && put(o, "transparent", json_true());
	ok = ok && put(o, "owner_status", json_string(owner));
	ok = ok && put(o, "ifindex", json_integer(s->ifindex));
	ok = ok && put(o, "uid", json_integer(s->uid));
	ok = ok && put(o, "rx_queue", json_integer(s->rx_queue));
	ok = ok && put(o, "tx_queue", json_integer(s->tx_queue));
	ok = ok && put(o, "inode", gw__tl_u64_to_json(s->inode));
	ok = ok && put(o, "cookie", gw__tl_u64_to_json(s->cookie));
	ok = ok && put(o, "netns", gw__tl_u64_to_json(s->netns));
	ok = ok && put(o, "pid", json_integer(s->pid));
	ok = ok && put(o, "n_holders", json_integer(s->n_holders));
	json_decref(local);
	json_decref(remote);
	if (!ok) {
		json_decref(o);
		gw_err_set(err, GW_ENOMEM, "out of memory");
		return NULL;
	}
	return o;
}

/* True if s is 64 lower-case hex digits (a SHA-256 as the timeline writes it). */
static bool is_sha256_hex(const char *s, size_t size)
{
	if (strnlen(s, size) != 64)
		return false;
	for (int i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* The executable's digest fields agree: a digest exactly when the status is
 * "ok", and a known status. NULL, or what is wrong. */
static const char *exe_hash_problem(unsigned status, const char *sha, size_t size)
{
	if (status >= GW_EXE_HASH_MAX)
		return "an unknown exe_hash_status";
	if (status == GW_EXE_HASH_OK)
		return is_sha256_hex(sha, size) ? NULL
		                                : "exe_sha256 is not 64 lower-case hex digits";
	return strnlen(sha, size) == 0 ? NULL : "exe_sha256 is set but exe_hash_status is not ok";
}

/* The names of the marks, as an array ("deleted-exe", ...). */
static json_t *marks_to_json(uint32_t marks)
{
	json_t *a = json_array();
	for (uint32_t bit = 1; a && (bit & GW_MARK_ALL); bit <<= 1) {
		if ((marks & bit) &&
		    json_array_append_new(a, json_string(gw_process_mark_name(bit))) < 0) {
			json_decref(a);
			a = NULL;
		}
	}
	return a;
}

/* The fields added after the first recordings: user, exe_deleted,
 * exe_hash_status, exe_sha256, marks. */
static bool put_process_details(json_t *o, const struct gw_process *p, json_t *user)
{
	bool ok = put(o, "user", json_incref(user));
	ok = ok && put(o, "exe_deleted", json_boolean(p->exe_deleted));
	ok = ok &&
	     put(o, "exe_hash_status", json_string(gw_exe_hash_status_name(p->exe_hash_status)));
	ok = ok && put(o, "exe_sha256", json_string(p->exe_sha256));
	return ok && put(o, "marks", marks_to_json(p->marks));
}

/* Refuses what the reader would: unknown marks, a digest that disagrees with
 * its status. */
static bool process_checks(const struct gw_process *p, struct gw_err *err)
{
	const char *problem =
	        exe_hash_problem(p->exe_hash_status, p->exe_sha256, sizeof p->exe_sha256);
	if (problem) {
		gw_err_set(err, GW_EINVAL, "process %" PRId32 ": %s", p->pid, problem);
		return false;
	}
	if (p->marks & ~(uint32_t)GW_MARK_ALL) {
		gw_err_set(err, GW_EINVAL, "process %" PRId32 ": unknown marks 0x%x", p->pid,
		           p->marks & ~(uint32_t)GW_MARK_ALL);
		return false;
	}
	return true;
}

json_t *gw__tl_process_to_json(const struct gw_process *p, struct gw_err *err)
{
	enum {
		N = 5
	};
	static const char *const names[N] = {"comm", "exe", "cmdline", "container", "user"};
	const char *texts[N] = {p->comm, p->exe, p->cmdline, p->container, p->user};
	const size_t sizes[N] = {sizeof p->comm, sizeof p->exe, sizeof p->cmdline,
	                         sizeof p->container, sizeof p->user};
	json_t *strings[N] = {NULL};
	json_t *start = NULL, *o = NULL;
	bool ok = process_checks(p, err);
	for (int i = 0; i < N && ok; i++) {
		char what[64];
		snprintf(what, sizeof what, "process %" PRId32 ": %s", p->pid, names[i]);
		strings[i] = gw__tl_string_to_json(texts[i], sizes[i], what, err);
		ok = strings[i] != NULL;
	}
	if (ok) {
		start = p->start_us ? gw__tl_time_to_json(p->start_us, err) : json_null();
		ok = start != NULL;
	}
	if (ok) {
		o = json_object();
		ok = o != NULL;
		ok = ok && put(o, "pid", json_integer(p->pid));
		ok = ok && put(o, "ppid", json_integer(p->ppid));
		ok = ok && put(o, "uid", json_integer(p->uid));
		ok = ok && put(o, "netns", gw__tl_u64_to_json(p->netns));
		ok = ok && put(o, "start", json_incref(start));
		for (int i = 0; i < 4; i++)
			ok = ok && put(o, names[i], json_incref(strings[i]));
		ok = ok && put_process_details(o, p, strings[4]);
		if (!ok)
			gw_err_set(err, GW_ENOMEM, "out of memory");
	}
	for (int i = 0; i < N; i++)
		json_decref(strings[i]);
	json_decref(start);
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *gw__tl_query_to_json(const struct gw_sock_query *q, struct gw_err *err)
{
	const char *family = family_name(q->local.family);
	if (q->proto != GW_SOCK_TCP && q->proto != GW_SOCK_UDP) {
		gw_err_set(err, GW_EINVAL, "lookup query for proto %u, not tcp or udp", q->proto);
		return NULL;
	}
	if (q->local.family == GW_AF_NONE || !family || q->remote.family != q->local.family) {
		gw_err_set(err, GW_EINVAL, "lookup query with address families %u and %u",
		           q->local.family, q->remote.family);
		return NULL;
	}
	json_t *local = addr_to_json(&q->local, q->local.family, "query local address", err);
	json_t *remote = addr_to_json(&q->remote, q->local.family, "query remote address", err);
	json_t *o = local && remote ? json_object() : NULL;
	bool ok = o != NULL;
	ok = ok && put(o, "proto", json_string(gw_sock_proto_name(q->proto)));
	ok = ok && put(o, "family", json_string(family));
	ok = ok && put(o, "local", json_incref(local));
	ok = ok && put(o, "local_port", json_integer(q->local_port));
	ok = ok && put(o, "remote", json_incref(remote));
	ok = ok && put(o, "remote_port", json_integer(q->remote_port));
	ok = ok && put(o, "netns", gw__tl_u64_to_json(q->netns));
	json_decref(local);
	json_decref(remote);
	if (!ok) {
		json_decref(o);
		gw_err_set(err, GW_ENOMEM, "out of memory");
		return NULL;
	}
	return o;
}

/* ---- field readers ---- */

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a real number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

/* The member key of o, or NULL with a "missing" error. */
static const json_t *member(const json_t *o, const char *where, const char *key, struct gw_err *err)
{
	const json_t *v = json_object_get(o, key);
	if (!v)
		gw_err_set(err, GW_EFORMAT, "%s: \"%s\" is missing", where, key);
	return v;
}

static int wrong_type(const json_t *v, const char *where, const char *key, const char *want,
                      struct gw_err *err)
{
	return gw_err_set(err, GW_EFORMAT, "%s: \"%s\" must be %s, not %s", where, key, want,
	                  type_name(v));
}

int gw__tl_get_member(const json_t *o, const char *where, const char *key, json_type type,
                      bool nullable, const json_t **out, struct gw_err *err)
{
	static const char *const want[] = {
	        [JSON_OBJECT] = "an object", [JSON_ARRAY] = "an array",
	        [JSON_STRING] = "a string",  [JSON_INTEGER] = "an integer",
	        [JSON_REAL] = "a number",    [JSON_TRUE] = "a boolean",
	        [JSON_FALSE] = "a boolean",  [JSON_NULL] = "null",
	};
	*out = NULL;
	const json_t *v = member(o, where, key, err);
	if (!v)
		return GW_EFORMAT;
	if (nullable && json_is_null(v))
		return 0;
	if (json_typeof(v) != type) {
		char buf[64];
		snprintf(buf, sizeof buf, "%s%s", want[type], nullable ? " or null" : "");
		return wrong_type(v, where, key, buf, err);
	}
	*out = v;
	return 0;
}

/* A u64 written as a string: 1 to 20 decimal digits, no sign, no overflow. */
static bool parse_u64(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	if (len == 0 || len > 20)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

int gw__tl_get_uint(const json_t *o, const char *where, const char *key, uint64_t max,
                    uint64_t *out, struct gw_err *err)
{
	*out = 0;
	const json_t *v = member(o, where, key, err);
	if (!v)
		return GW_EFORMAT;
	if (json_is_string(v) && max == UINT64_MAX) {
		char buf[48];
		if (!parse_u64(json_string_value(v), json_string_length(v), out))
			return gw_err_set(err, GW_EFORMAT,
			                  "%s: \"%s\": \"%s\" is not an unsigned 64-bit decimal",
			                  where, key,
			                  gw__tl_printable(json_string_value(v),
			                                   json_string_length(v), buf, sizeof buf));
		return 0;
	}
	if (!json_is_integer(v))
		return wrong_type(
		        v, where, key,
		        max == UINT64_MAX ? "an integer or a string of digits" : "an integer", err);
	json_int_t i = json_integer_value(v);
	if (i < 0 || (uint64_t)i > max)
		return gw_err_set(err, GW_EFORMAT,
		                  "%s: \"%s\": %lld is out of range (0..%" PRIu64 ")", where, key,
		                  (long long)i, max);
	*out = (uint64_t)i;
	return 0;
}

int gw__tl_get_int(const json_t *o, const char *where, const char *key, int64_t min, int64_t max,
                   int64_t *out, struct gw_err *err)
{
	*out = 0;
	const json_t *v = member(o, where, key, err);
	if (!v)
		return GW_EFORMAT;
	if (!json_is_integer(v))
		return wrong_type(v, where, key, "an integer", err);
	json_int_t i = json_integer_value(v);
	if (i < min || i > max)
		return gw_err_set(err, GW_EFORMAT,
		                  "%s: \"%s\": %lld is out of range (%" PRId64 "..%" PRId64 ")",
		                  where, key, (long long)i, min, max);
	*out = i;
	return 0;
}

int gw__tl_get_bool(const json_t *o, const char *where, const char *key, bool *out,
                    struct gw_err *err)
{
	*out = false;
	const json_t *v = member(o, where, key, err);
	if (!v)
		return GW_EFORMAT;
	if (!json_is_boolean(v))
		return wrong_type(v, where, key, "true or false", err);
	*out = json_is_true(v);
	return 0;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* {"hex":"..."}: the bytes of a string that is not UTF-8. */
static int get_hex_string(const json_t *v, const char *where, const char *key, char *buf,
                          size_t size, struct gw_err *err)
{
	const json_t *h = json_object_get(v, "hex");
	if (!h || !json_is_string(h))
		return gw_err_set(err, GW_EFORMAT,
		                  "%s: \"%s\" must be a string or {\"hex\": \"...\"}", where, key);
	const char *t = json_string_value(h);
	size_t len = json_string_length(h);
	if (len % 2)
		return gw_err_set(err, GW_EFORMAT, "%s: \"%s\": odd number of hex digits", where,
		                  key);
	if (len / 2 >= size)
		return gw_err_set(err, GW_EFORMAT,
		                  "%s: \"%s\": %zu bytes, longer than the %zu this field holds",
		                  where, key, len / 2, size - 1);
	for (size_t i = 0; i < len / 2; i++) {
		int hi = hex_value(t[2 * i]), lo = hex_value(t[2 * i + 1]);
		if (hi < 0 || lo < 0 || (hi | lo) == 0)
			return gw_err_set(err, GW_EFORMAT,
			                  "%s: \"%s\": not hex digits of non-zero bytes at %zu",
			                  where, key, 2 * i);
		buf[i] = (char)(hi << 4 | lo);
	}
	buf[len / 2] = '\0';
	return 0;
}

int gw__tl_get_string(const json_t *o, const char *where, const char *key, char *buf, size_t size,
                      struct gw_err *err)
{
	memset(buf, 0, size);
	const json_t *v = member(o, where, key, err);
	if (!v)
		return GW_EFORMAT;
	if (json_is_object(v))
		return get_hex_string(v, where, key, buf, size, err);
	if (!json_is_string(v))
		return wrong_type(v, where, key, "a string", err);
	size_t len = json_string_length(v);
	const char *t = json_string_value(v);
	if (len >= size)
		return gw_err_set(err, GW_EFORMAT,
		                  "%s: \"%s\": %zu bytes, longer than the %zu this field holds",
		                  where, key, len, size - 1);
	if (memchr(t, '\0', len))
		return gw_err_set(err, GW_EFORMAT, "%s: \"%s\" contains a NUL character", where,
		                  key);
	memcpy(buf, t, len);
	return 0;
}

int gw__tl_get_time(const json_t *o, const char *where, const char *key, int64_t *out,
                    struct gw_err *err)
{
	const json_t *v;
	*out = 0;
	if (gw__tl_get_member(o, where, key, JSON_STRING, false, &v, err) < 0)
		return GW_EFORMAT;
	if (gw_clock_parse_us(json_string_value(v), json_string_length(v), out) < 0) {
		char buf[64];
		return gw_err_set(
		        err, GW_EFORMAT,
		        "%s: \"%s\": \"%s\" is not a time like 2024-05-01T12:00:00.123456Z "
		        "(RFC 3339, UTC, microseconds)",
		        where, key,
		        gw__tl_printable(json_string_value(v), json_string_length(v), buf,
		                         sizeof buf));
	}
	return 0;
}

/* True if text is plain printable ASCII, safe to quote as it is. */
static bool printable(const char *t)
{
	for (; *t; t++)
		if ((unsigned char)*t < 0x21 || (unsigned char)*t > 0x7e)
			return false;
	return true;
}

int gw__tl_cidr_from_json(const json_t *v, const char *where, const char *key, struct gw_cidr *out,
                          struct gw_err *err)
{
	memset(out, 0, sizeof *out);
	if (!json_is_string(v))
		return wrong_type(v, where, key, "a network like \"10.0.0.1/32\"", err);
	struct gw_err e = {0};
	const char *t = json_string_value(v);
	if (gw_cidr_parse(t, out, &e) < 0) {
		char buf[64];
		memset(out, 0, sizeof *out);
		if (printable(t))
			return gw_err_set(err, GW_EFORMAT, "%s: \"%s\": %s", where, key, e.msg);
		return gw_err_set(err, GW_EFORMAT, "%s: \"%s\": \"%s\" is not a network", where,
		                  key, gw__tl_printable(t, json_string_length(v), buf, sizeof buf));
	}
	return 0;
}

/* An address of a socket or query of `family`: null for none, else text of that family. */
static int get_addr(const json_t *o, const char *where, const char *key, unsigned family,
                    struct gw_addr *out, struct gw_err *err)
{
	const json_t *v;
	memset(out, 0, sizeof *out);
	if (family == GW_AF_NONE) {
		if (gw__tl_get_member(o, where, key, JSON_NULL, false, &v, err) < 0)
			return GW_EFORMAT;
		return 0;
	}
	if (gw__tl_get_member(o, where, key, JSON_STRING, false, &v, err) < 0)
		return GW_EFORMAT;
	char buf[64];
	const char *t = json_string_value(v);
	gw__tl_printable(t, json_string_length(v), buf, sizeof buf);
	if (gw_addr_parse(t, out, NULL) < 0)
		return gw_err_set(err, GW_EFORMAT, "%s: \"%s\": \"%s\" is not an IP address", where,
		                  key, buf);
	if (out->family != family)
		return gw_err_set(err, GW_EFORMAT,
		                  "%s: \"%s\": %s is an %s address, the family is %s", where, key,
		                  buf, family_name(out->family), family_name(family));
	return 0;
}

/* An enum given by name; parse returns -1 for an unknown name. */
static int get_enum(const json_t *o, const char *where, const char *key, int (*parse)(const char *),
                    const char *choices, int *out, struct gw_err *err)
{
	const json_t *v;
	*out = -1;
	if (gw__tl_get_member(o, where, key, JSON_STRING, false, &v, err) < 0)
		return GW_EFORMAT;
	*out = parse(json_string_value(v));
	if (*out < 0) {
		char buf[48];
		return gw_err_set(err, GW_EFORMAT, "%s: \"%s\": \"%s\" is not one of %s", where,
		                  key,
		                  gw__tl_printable(json_string_value(v), json_string_length(v), buf,
		                                   sizeof buf),
		                  choices);
	}
	return 0;
}

/* Reads one unsigned field into a narrower integer. */
#define GET_UINT(o, where, key, max, lvalue)                                                       \
	do {                                                                                       \
		uint64_t v_;                                                                       \
		if (gw__tl_get_uint(o, where, key, max, &v_, err) < 0)                             \
			return GW_EFORMAT;                                                         \
		(lvalue) = v_;                                                                     \
	} while (0)

/* A query's family: ipv4 or ipv6. */
static int get_query_family(const json_t *o, const char *where, int *out, struct gw_err *err)
{
	if (get_enum(o, where, "family", family_parse, "ipv4, ipv6", out, err) < 0)
		return GW_EFORMAT;
	if (*out == GW_AF_NONE)
		return gw_err_set(err, GW_EFORMAT, "%s: \"family\": a lookup is for ipv4 or ipv6",
		                  where);
	return 0;
}

int gw__tl_socket_from_json(const json_t *o, const char *where, struct gw_socket *s,
                            struct gw_err *err)
{
	int proto, family, state, owner;
	int64_t pid;
	memset(s, 0, sizeof *s);
	if (!json_is_object(o))
		return gw_err_set(err, GW_EFORMAT, "%s: a socket must be an object, not %s", where,
		                  type_name(o));
	if (get_enum(o, where, "proto", gw_sock_proto_parse, "tcp, udp, raw, packet", &proto, err) <
	            0 ||
	    get_enum(o, where, "family", family_parse, "ipv4, ipv6, none", &family, err) < 0)
		return GW_EFORMAT;
	if ((proto == GW_SOCK_PACKET) != (family == GW_AF_NONE))
		return gw_err_set(err, GW_EFORMAT,
		                  "%s: a %s socket of family %s (packet sockets, and only they, "
		                  "have family none)",
		                  where, gw_sock_proto_name(proto), family_name(family));
	if (get_enum(o, where, "state", gw_sock_state_parse,
	             "unknown, established, syn-sent, syn-recv, "
	             "fin-wait-1, fin-wait-2, time-wait, unconn, close-wait, last-ack, listen, "
	             "closing, new-syn-recv",
	             &state, err) < 0 ||
	    get_enum(o, where, "owner_status", gw_owner_status_parse,
	             "unresolved, known, no-inode, not-found, no-permission", &owner, err) < 0)
		return GW_EFORMAT;
	s->proto = (uint8_t)proto;
	s->family = (uint8_t)family;
	s->state = (uint8_t)state;
	s->owner_status = (uint8_t)owner;
	GET_UINT(o, where, "raw_protocol", UINT8_MAX, s->raw_protocol);
	if (get_addr(o, where, "local", s->family, &s->local, err) < 0)
		return GW_EFORMAT;
	GET_UINT(o, where, "local_port", UINT16_MAX, s->local_port);
	if (get_addr(o, where, "remote", s->family, &s->remote, err) < 0)
		return GW_EFORMAT;
	GET_UINT(o, where, "remote_port", UINT16_MAX, s->remote_port);
	GET_UINT(o, where, "packet_type", UINT16_MAX, s->packet_type);
	GET_UINT(o, where, "packet_proto", UINT16_MAX, s->packet_proto);
	if (gw__tl_get_bool(o, where, "packet_filter", &s->packet_filter, err) < 0)
		return GW_EFORMAT;
	/* Added after the first recordings: absent means false. */
	if (json_object_get(o, "transparent") &&
	    gw__tl_get_bool(o, where, "transparent", &s->transparent, err) < 0)
		return GW_EFORMAT;
	if (json_object_get(o, "v6only") &&
	    gw__tl_get_bool(o, where, "v6only", &s->v6only, err) < 0)
		return GW_EFORMAT;
	GET_UINT(o, where, "ifindex", UINT32_MAX, s->ifindex);
	GET_UINT(o, where, "uid", UINT32_MAX, s->uid);
	GET_UINT(o, where, "rx_queue", UINT32_MAX, s->rx_queue);
	GET_UINT(o, where, "tx_queue", UINT32_MAX, s->tx_queue);
	GET_UINT(o, where, "inode", UINT64_MAX, s->inode);
	GET_UINT(o, where, "cookie", UINT64_MAX, s->cookie);
	GET_UINT(o, where, "netns", UINT64_MAX, s->netns);
	if (gw__tl_get_int(o, where, "pid", INT32_MIN, INT32_MAX, &pid, err) < 0)
		return GW_EFORMAT;
	s->pid = (int32_t)pid;
	GET_UINT(o, where, "n_holders", UINT32_MAX, s->n_holders);
	return 0;
}

/* "marks": an array of mark names; names this reader does not know are
 * ignored (marks are an open set: a later writer may judge more). */
static int get_marks(const json_t *o, const char *where, uint32_t *marks, struct gw_err *err)
{
	const json_t *a, *v;
	size_t i;
	*marks = 0;
	if (gw__tl_get_member(o, where, "marks", JSON_ARRAY, false, &a, err) < 0)
		return GW_EFORMAT;
	json_array_foreach(a, i, v)
	{
		if (!json_is_string(v))
			return gw_err_set(err, GW_EFORMAT,
			                  "%s: \"marks\"[%zu] must be a string, not %s", where, i,
			                  type_name(v));
		*marks |= gw_process_mark_parse(json_string_value(v));
	}
	return 0;
}

/* A member that later version-1 writers add: absent means its zero value. */
static bool has(const json_t *o, const char *key)
{
	return json_object_get(o, key) != NULL;
}

/* The fields added after the first recordings (docs/timeline.md): each optional. */
static int get_process_details(const json_t *o, const char *where, struct gw_process *p,
                               struct gw_err *err)
{
	int status = GW_EXE_HASH_NONE;
	if ((has(o, "user") &&
	     gw__tl_get_string(o, where, "user", p->user, sizeof p->user, err) < 0) ||
	    (has(o, "exe_deleted") &&
	     gw__tl_get_bool(o, where, "exe_deleted", &p->exe_deleted, err) < 0) ||
	    (has(o, "exe_hash_status") &&
	     get_enum(o, where, "exe_hash_status", gw_exe_hash_status_parse,
	              "none, ok, too-large, unreadable", &status, err) < 0) ||
	    (has(o, "exe_sha256") && gw__tl_get_string(o, where, "exe_sha256", p->exe_sha256,
	                                               sizeof p->exe_sha256, err) < 0) ||
	    (has(o, "marks") && get_marks(o, where, &p->marks, err) < 0))
		return GW_EFORMAT;
	p->exe_hash_status = (uint8_t)status;
	const char *problem =
	        exe_hash_problem(p->exe_hash_status, p->exe_sha256, sizeof p->exe_sha256);
	if (problem)
		return gw_err_set(err, GW_EFORMAT, "%s: %s", where, problem);
	return 0;
}

int gw__tl_process_from_json(const json_t *o, const char *where, struct gw_process *p,
                             struct gw_err *err)
{
	int64_t pid, ppid;
	const json_t *start;
	memset(p, 0, sizeof *p);
	if (!json_is_object(o))
		return gw_err_set(err, GW_EFORMAT, "%s: a process must be an object, not %s", where,
		                  type_name(o));
	if (gw__tl_get_int(o, where, "pid", INT32_MIN, INT32_MAX, &pid, err) < 0 ||
	    gw__tl_get_int(o, where, "ppid", INT32_MIN, INT32_MAX, &ppid, err) < 0)
		return GW_EFORMAT;
	p->pid = (int32_t)pid;
	p->ppid = (int32_t)ppid;
	GET_UINT(o, where, "uid", UINT32_MAX, p->uid);
	GET_UINT(o, where, "netns", UINT64_MAX, p->netns);
	if (gw__tl_get_member(o, where, "start", JSON_STRING, true, &start, err) < 0 ||
	    (start && gw__tl_get_time(o, where, "start", &p->start_us, err) < 0))
		return GW_EFORMAT;
	if (gw__tl_get_string(o, where, "comm", p->comm, sizeof p->comm, err) < 0 ||
	    gw__tl_get_string(o, where, "exe", p->exe, sizeof p->exe, err) < 0 ||
	    gw__tl_get_string(o, where, "cmdline", p->cmdline, sizeof p->cmdline, err) < 0 ||
	    gw__tl_get_string(o, where, "container", p->container, sizeof p->container, err) < 0)
		return GW_EFORMAT;
	return get_process_details(o, where, p, err);
}

int gw__tl_query_from_json(const json_t *o, const char *where, struct gw_sock_query *q,
                           struct gw_err *err)
{
	int proto, family;
	memset(q, 0, sizeof *q);
	if (!json_is_object(o))
		return gw_err_set(err, GW_EFORMAT, "%s: a query must be an object, not %s", where,
		                  type_name(o));
	if (get_enum(o, where, "proto", gw_sock_proto_parse, "tcp, udp", &proto, err) < 0)
		return GW_EFORMAT;
	if (proto != GW_SOCK_TCP && proto != GW_SOCK_UDP)
		return gw_err_set(err, GW_EFORMAT,
		                  "%s: \"proto\": a lookup is for tcp or udp, not %s", where,
		                  gw_sock_proto_name(proto));
	if (get_query_family(o, where, &family, err) < 0)
		return GW_EFORMAT;
	q->proto = (uint8_t)proto;
	if (get_addr(o, where, "local", (unsigned)family, &q->local, err) < 0)
		return GW_EFORMAT;
	GET_UINT(o, where, "local_port", UINT16_MAX, q->local_port);
	if (get_addr(o, where, "remote", (unsigned)family, &q->remote, err) < 0)
		return GW_EFORMAT;
	GET_UINT(o, where, "remote_port", UINT16_MAX, q->remote_port);
	GET_UINT(o, where, "netns", UINT64_MAX, q->netns);
	return 0;
}
