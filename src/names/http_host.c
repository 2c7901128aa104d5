/* names/http_host.c — the host an HTTP/1.x request names in a flow's first
 * client payload: the Host header, CONNECT's authority, or an absolute-form
 * target's authority. Owns what counts as a request (a known method, a request
 * line ending in HTTP/1.x) and how a host is cut from port and brackets. Only
 * lines whose end was captured are read. */
#include <string.h>

#include "ghostwire/cursor.h"
#include "names_internal.h"

static const char *const methods[] = {
        "GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "CONNECT", "PATCH", "TRACE",
};

static bool is_ows(uint8_t b)
{
	return b == ' ' || b == '\t';
}

static uint8_t lower(uint8_t b)
{
	return b >= 'A' && b <= 'Z' ? (uint8_t)(b - 'A' + 'a') : b;
}

/* Whether c starts with word (ASCII case ignored when nocase); consumes it if so. */
static bool eat(struct gw_cursor *c, const char *word, bool nocase)
{
	struct gw_cursor r = *c;
	for (const char *w = word; *w; w++) {
		uint8_t b;
		if (!gw_cursor_u8(&r, &b) || (nocase ? lower(b) : b) != (uint8_t)*w)
			return false;
	}
	*c = r;
	return true;
}

/* The next byte of c without consuming it; false at the end. */
static bool peek(const struct gw_cursor *c, uint8_t *b)
{
	struct gw_cursor r = *c;
	return gw_cursor_u8(&r, b);
}

static void skip_ows(struct gw_cursor *c)
{
	uint8_t b;
	while (peek(c, &b) && is_ows(b))
		gw_cursor_skip(c, 1);
}

/* The next line of c, without its LF or CR LF, as *line; false if its end was
 * not captured. */
static bool next_line(struct gw_cursor *c, struct gw_cursor *line)
{
	struct gw_cursor r = *c;
	uint8_t b, prev = 0;
	while (gw_cursor_u8(&r, &b)) {
		if (b == '\n') {
			line->p = c->p;
			line->end = r.p - 1 - (prev == '\r');
			c->p = r.p;
			return true;
		}
		prev = b;
	}
	return false;
}

/* Bytes up to (not including) the first `stop` byte or the end, as *tok; c
 * is left at the stop byte. */
static void token(struct gw_cursor *c, uint8_t stop, struct gw_cursor *tok)
{
	uint8_t b;
	tok->p = c->p;
	while (peek(c, &b) && b != stop)
		gw_cursor_skip(c, 1);
	tok->end = c->p;
}

/* Whether b ends the host part of an authority ("host:port", "[v6]:port",
 * "host/path" in a target). */
static bool ends_host(uint8_t b, bool in_target)
{
	return b == ':' || is_ows(b) || (in_target && (b == '/' || b == '?' || b == '#'));
}

/* Writes the host of the authority at v (whitespace, port, brackets removed). */
static int read_host(struct gw_cursor v, bool in_target, char *out, size_t size)
{
	struct gw__name_text t;
	gw__name_text_init(&t, out, size);
	skip_ows(&v);
	bool bracket = eat(&v, "[", false), closed = false;
	uint8_t b;
	while (gw_cursor_u8(&v, &b)) {
		if (bracket ? b == ']' : ends_host(b, in_target)) {
			closed = true;
			break;
		}
		if (b < 0x20 || b == 0x7f || is_ows(b) || b == '[' || b == ']')
			return GW_CLIENT_MALFORMED; /* brackets only around a whole IPv6 literal */
		gw__name_text_byte(&t, b, false);
	}
	if (bracket && !closed)
		return GW_CLIENT_MALFORMED;
	if (t.len == 0 && !t.overflow)
		return GW_CLIENT_ABSENT;
	return gw__name_text_finish(&t) ? GW_CLIENT_FOUND : GW_CLIENT_MALFORMED;
}

/* An absolute-form target ("http://user@host:port/path"): its host. */
static int absolute_host(struct gw_cursor target, char *out, size_t size)
{
	if (!eat(&target, "http://", true) && !eat(&target, "https://", true))
		return GW_CLIENT_ABSENT;
	struct gw_cursor authority = target, r = target;
	uint8_t b;
	while (gw_cursor_u8(&r, &b) && b != '/' && b != '?' && b != '#')
		if (b == '@')
			authority.p = r.p; /* after the userinfo */
	return read_host(authority, true, out, size);
}

/* The request line: a known method, SP, target, SP, HTTP/1.x. *connect says
 * whether the method was CONNECT. */
static int request_line(struct gw_cursor *c, struct gw_cursor *target, bool *connect)
{
	size_t i, n = sizeof methods / sizeof *methods;
	for (i = 0; i < n; i++) {
		struct gw_cursor r = *c;
		if (eat(&r, methods[i], false) && eat(&r, " ", false)) {
			*c = r;
			break;
		}
	}
	if (i == n)
		return GW_CLIENT_OTHER;
	*connect = strcmp(methods[i], "CONNECT") == 0;
	struct gw_cursor line;
	if (!next_line(c, &line))
		return GW_CLIENT_TRUNCATED;
	token(&line, ' ', target);
	if (!eat(&line, " HTTP/1.", false))
		return GW_CLIENT_OTHER;
	return GW_CLIENT_FOUND;
}

int gw_http_host(const uint8_t *payload, size_t len, char *out, size_t size)
{
	if (size > 0)
		out[0] = '\0';
	struct gw_cursor c = gw_cursor_make(payload, len), target, line;
	bool connect = false;
	int res = request_line(&c, &target, &connect);
	if (res != GW_CLIENT_FOUND)
		return res;
	if (connect)
		return read_host(target, false, out, size);
	while (next_line(&c, &line)) {
		if (!gw_cursor_has(&line, 1))
			return absolute_host(target, out, size); /* end of headers, no Host */
		if (!eat(&line, "host:", true))
			continue;
		res = read_host(line, false, out, size);
		return res == GW_CLIENT_ABSENT ? absolute_host(target, out, size) : res;
	}
	return GW_CLIENT_TRUNCATED;
}
