/* names/tls_sni.c — the server_name of a TLS ClientHello in a flow's first
 * client payload: record header, handshake header, session id, cipher suites,
 * compression methods, then the extensions up to server_name. Owns the
 * distinction between bytes that end early (a snap length, a ClientHello split
 * across segments or records: truncated) and lengths that contradict each
 * other (malformed). */
#include "ghostwire/cursor.h"
#include "names_internal.h"

#define SPAN_OK (-1) /* success; failures are enum gw_client_result */

enum {
	RECORD_HANDSHAKE = 22,
	TLS_MAJOR = 3,
	MAX_RECORD = 16384 + 2048, /* a plaintext record holds 2^14 bytes; some slack */
	HANDSHAKE_CLIENT_HELLO = 1,
	RANDOM_LEN = 32,
	MAX_SESSION_ID = 32,
	EXT_SERVER_NAME = 0,
	SNI_HOST_NAME = 0,
};

/* A region of the message: its length fields say `declared` bytes, of which
 * the captured ones are c (fewer when the payload ends inside the region). */
struct span {
	struct gw_cursor c;
	size_t declared; /* >= gw_cursor_left(&c) */
};

/* Whether n more bytes can be read: the region has them (or else its lengths
 * contradict each other) and they were captured. */
static int need(const struct span *s, size_t n)
{
	if (n > s->declared)
		return GW_CLIENT_MALFORMED;
	return gw_cursor_has(&s->c, n) ? SPAN_OK : GW_CLIENT_TRUNCATED;
}

static int span_u8(struct span *s, uint8_t *v)
{
	int res = need(s, 1);
	if (res == SPAN_OK) {
		gw_cursor_u8(&s->c, v);
		s->declared -= 1;
	}
	return res;
}

static int span_be16(struct span *s, uint16_t *v)
{
	int res = need(s, 2);
	if (res == SPAN_OK) {
		gw_cursor_be16(&s->c, v);
		s->declared -= 2;
	}
	return res;
}

static int span_skip(struct span *s, size_t n)
{
	int res = need(s, n);
	if (res == SPAN_OK) {
		gw_cursor_skip(&s->c, n);
		s->declared -= n;
	}
	return res;
}

/* The next n declared bytes of s as sub, whatever of them was captured. */
static int span_take(struct span *s, size_t n, struct span *sub)
{
	if (n > s->declared)
		return GW_CLIENT_MALFORMED;
	size_t have = gw_cursor_left(&s->c) < n ? gw_cursor_left(&s->c) : n;
	gw_cursor_sub(&s->c, have, &sub->c);
	sub->declared = n;
	s->declared -= n;
	return SPAN_OK;
}

/* Skips a vector whose length is a u8 (wide false) or be16 field, checking it
 * lies within [min, max] and is a multiple of `unit`. */
static int skip_vector(struct span *s, bool wide, size_t min, size_t max, size_t unit)
{
	uint8_t n8 = 0;
	uint16_t n16 = 0;
	int res = wide ? span_be16(s, &n16) : span_u8(s, &n8);
	size_t n = wide ? n16 : n8;
	if (res != SPAN_OK)
		return res;
	if (n < min || n > max || n % unit != 0)
		return GW_CLIENT_MALFORMED;
	return span_skip(s, n);
}

/* The server_name extension's data: a list of (type, name); the first
 * host_name is the answer. The whole extension must have been captured. */
static int read_server_name(struct span *ext, char *out, size_t size)
{
	if (gw_cursor_left(&ext->c) < ext->declared)
		return GW_CLIENT_TRUNCATED;
	uint16_t list_len, name_len;
	uint8_t type = 0, b;
	struct span list, name;
	int res = span_be16(ext, &list_len);
	if (res == SPAN_OK)
		res = span_take(ext, list_len, &list);
	while (res == SPAN_OK && list.declared > 0) {
		res = span_u8(&list, &type);
		if (res == SPAN_OK)
			res = span_be16(&list, &name_len);
		if (res == SPAN_OK)
			res = span_take(&list, name_len, &name);
		if (res != SPAN_OK || type != SNI_HOST_NAME)
			continue;
		struct gw__name_text t;
		gw__name_text_init(&t, out, size);
		while (gw_cursor_u8(&name.c, &b))
			gw__name_text_byte(&t, b, false);
		return gw__name_text_finish(&t) ? GW_CLIENT_FOUND : GW_CLIENT_MALFORMED;
	}
	return res == SPAN_OK ? GW_CLIENT_ABSENT : res;
}

/* The extensions block: (type, length, data) until server_name. */
static int read_extensions(struct span *exts, char *out, size_t size)
{
	while (exts->declared > 0) {
		uint16_t type, len;
		struct span data;
		int res = span_be16(exts, &type);
		if (res == SPAN_OK)
			res = span_be16(exts, &len);
		if (res == SPAN_OK)
			res = span_take(exts, len, &data);
		if (res != SPAN_OK)
			return res;
		if (type == EXT_SERVER_NAME)
			return read_server_name(&data, out, size);
	}
	return GW_CLIENT_ABSENT;
}

/* The ClientHello body, after the handshake header. */
static int read_client_hello(struct span *hello, char *out, size_t size)
{
	uint16_t exts_len;
	struct span exts;
	int res = span_skip(hello, 2 + RANDOM_LEN); /* legacy_version, random */
	if (res == SPAN_OK)
		res = skip_vector(hello, false, 0, MAX_SESSION_ID, 1);
	if (res == SPAN_OK)
		res = skip_vector(hello, true, 2, 65534, 2); /* cipher suites */
	if (res == SPAN_OK)
		res = skip_vector(hello, false, 1, 255, 1); /* compression methods */
	if (res != SPAN_OK)
		return res;
	if (hello->declared == 0)
		return GW_CLIENT_ABSENT; /* no extensions at all (SSL 3.0 style) */
	res = span_be16(hello, &exts_len);
	if (res == SPAN_OK)
		res = span_take(hello, exts_len, &exts);
	return res == SPAN_OK ? read_extensions(&exts, out, size) : res;
}

int gw_tls_sni(const uint8_t *payload, size_t len, char *out, size_t size)
{
	if (size > 0)
		out[0] = '\0';
	struct span all = {gw_cursor_make(payload, len), len};
	uint8_t type = 0, major = 0, minor, hs_type;
	uint16_t rec_len;
	if (span_u8(&all, &type) != SPAN_OK || type != RECORD_HANDSHAKE)
		return len == 0 ? GW_CLIENT_TRUNCATED : GW_CLIENT_OTHER;
	if (span_u8(&all, &major) != SPAN_OK)
		return GW_CLIENT_TRUNCATED;
	if (major != TLS_MAJOR)
		return GW_CLIENT_OTHER;
	if (span_u8(&all, &minor) != SPAN_OK || span_be16(&all, &rec_len) != SPAN_OK ||
	    span_u8(&all, &hs_type) != SPAN_OK)
		return GW_CLIENT_TRUNCATED;
	if (hs_type != HANDSHAKE_CLIENT_HELLO)
		return GW_CLIENT_OTHER;
	if (rec_len > MAX_RECORD || rec_len < 4)
		return GW_CLIENT_MALFORMED;
	/* The handshake header's 24-bit length may run past this record (a
	 * ClientHello fragmented over records): its bytes are then read only up
	 * to the record's end, and the rest counts as not captured. */
	uint8_t l[3];
	for (int i = 0; i < 3; i++)
		if (span_u8(&all, &l[i]) != SPAN_OK)
			return GW_CLIENT_TRUNCATED;
	size_t hs_len = (size_t)l[0] << 16 | (size_t)l[1] << 8 | l[2];
	size_t in_record = (size_t)rec_len - 4;
	size_t have = gw_cursor_left(&all.c);
	if (have > in_record)
		have = in_record;
	if (have > hs_len)
		have = hs_len;
	struct span hello = {gw_cursor_make(all.c.p, have), hs_len};
	return read_client_hello(&hello, out, size);
}
