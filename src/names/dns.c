/* names/dns.c — the DNS message reader: header, questions, the answer
 * section's A, AAAA and CNAME records, and a walk over the authority and
 * additional sections. Owns the decompression rules: a pointer must point
 * before the part of the name being read (so no loop can form), jumps are
 * bounded, labels are at most 63 octets and names at most 255. */
#include <string.h>

#include "ghostwire/cursor.h"
#include "names_internal.h"

#define NAME_OK (-1) /* read_name's success; failures are enum gw_dns_malformed */

enum {
	DNS_HEADER = 12,
	MAX_LABEL = 63,
	MAX_WIRE_NAME = 255,
	MAX_JUMPS = 64, /* well above what any real name needs: pointers only go backwards */
	CLASS_IN = 1,
	CLASS_MASK = 0x7fff, /* mDNS uses the top bit of an answer's class as "cache flush" */
	FLAG_QR = 0x8000,
	FLAG_TC = 0x0200,
};

/* The whole message, for pointers: they may land anywhere before the name. */
struct msg {
	const uint8_t *base;
	size_t len;
};

static size_t offset_of(const struct msg *m, const struct gw_cursor *c)
{
	return (size_t)(c->p - m->base);
}

/* Appends one label's bytes to text, after a separating dot if not the first. */
static void label_text(struct gw__name_text *text, const uint8_t *label, uint8_t len)
{
	if (text->len > 0 || text->overflow)
		gw__name_text_byte(text, '.', false);
	for (uint8_t i = 0; i < len; i++)
		gw__name_text_byte(text, label[i], true);
}

/* Follows the pointer whose two bytes were just read at r. seg_start is the
 * offset where the part of the name now being read began: the target must lie
 * before it, which forbids loops and forward pointers alike. */
static int jump(const struct msg *m, struct gw_cursor *r, uint8_t hi, uint8_t lo, size_t *seg_start,
                unsigned *jumps)
{
	size_t at = offset_of(m, r) - 2;
	size_t target = (size_t)(hi & 0x3f) << 8 | lo;
	if (target > at)
		return GW_DNS_MAL_POINTER_FORWARD;
	if (target >= *seg_start || ++*jumps > MAX_JUMPS)
		return GW_DNS_MAL_POINTER_LOOP;
	*r = gw_cursor_make(m->base + target, m->len - target);
	*seg_start = target;
	return NAME_OK;
}

/* Reads the (possibly compressed) name at c, leaving c past the name's bytes in
 * place. The part before the first pointer must lie within c; what pointers
 * lead to, within the message. text may be NULL. Returns NAME_OK or a reason. */
static int read_name(const struct msg *m, struct gw_cursor *c, struct gw__name_text *text)
{
	struct gw_cursor r = *c;
	size_t seg_start = offset_of(m, &r), wire = 0;
	unsigned jumps = 0;
	bool jumped = false;
	for (;;) {
		uint8_t len, lo;
		if (!gw_cursor_u8(&r, &len))
			return GW_DNS_MAL_TRUNCATED;
		if ((len & 0xc0) == 0xc0) {
			if (!gw_cursor_u8(&r, &lo))
				return GW_DNS_MAL_TRUNCATED;
			if (!jumped)
				c->p = r.p;
			jumped = true;
			int res = jump(m, &r, len, lo, &seg_start, &jumps);
			if (res != NAME_OK)
				return res;
			continue;
		}
		if (len > MAX_LABEL)
			return GW_DNS_MAL_LABEL_TOO_LONG;
		wire += (size_t)len + 1;
		if (wire > MAX_WIRE_NAME)
			return GW_DNS_MAL_NAME_TOO_LONG;
		if (len == 0)
			break;
		const uint8_t *label = r.p;
		if (!gw_cursor_skip(&r, len))
			return GW_DNS_MAL_TRUNCATED;
		if (text)
			label_text(text, label, len);
	}
	if (!jumped)
		c->p = r.p;
	return NAME_OK;
}

/* A resource record's fixed part, its rdata as a sub-cursor. */
struct rr_head {
	uint16_t type, klass;
	uint32_t ttl;
	struct gw_cursor rdata;
};

static int read_rr(const struct msg *m, struct gw_cursor *c, struct gw__name_text *owner,
                   struct rr_head *h)
{
	int res = read_name(m, c, owner);
	if (res != NAME_OK)
		return res;
	uint16_t rdlen;
	if (!gw_cursor_be16(c, &h->type) || !gw_cursor_be16(c, &h->klass) ||
	    !gw_cursor_be32(c, &h->ttl) || !gw_cursor_be16(c, &rdlen) ||
	    !gw_cursor_sub(c, rdlen, &h->rdata))
		return GW_DNS_MAL_TRUNCATED;
	return NAME_OK;
}

/* Checks a kept type's rdata and fills rec's value from it. */
static int read_rdata(const struct msg *m, const struct rr_head *h, struct gw_dns_record *rec,
                      bool *text_ok)
{
	struct gw_cursor d = h->rdata;
	uint8_t b[16];
	switch (h->type) {
	case GW_DNS_A:
		if (gw_cursor_left(&d) != 4 || !gw_cursor_bytes(&d, b, 4))
			return GW_DNS_MAL_BAD_RDATA;
		gw_addr_set4(&rec->addr, b);
		return NAME_OK;
	case GW_DNS_AAAA:
		if (gw_cursor_left(&d) != 16 || !gw_cursor_bytes(&d, b, 16))
			return GW_DNS_MAL_BAD_RDATA;
		gw_addr_set6(&rec->addr, b);
		return NAME_OK;
	default: { /* GW_DNS_CNAME */
		struct gw__name_text t;
		gw__name_text_init(&t, rec->target, sizeof rec->target);
		int res = read_name(m, &d, &t);
		if (res == GW_DNS_MAL_TRUNCATED || (res == NAME_OK && gw_cursor_left(&d) != 0))
			return GW_DNS_MAL_BAD_RDATA; /* the name does not fill its rdata exactly */
		*text_ok = gw__name_text_finish(&t);
		return res;
	}
	}
}

static bool kept_type(uint16_t type)
{
	return type == GW_DNS_A || type == GW_DNS_AAAA || type == GW_DNS_CNAME;
}

/* Reads one answer record into the next free slot of out, and keeps it there
 * when it is one the cache uses. */
static int read_answer(const struct msg *m, struct gw_cursor *c, struct gw_dns_answer *out)
{
	struct gw_dns_record scratch;
	struct gw_dns_record *rec = out->n < GW_DNS_MAX_RECORDS ? &out->rr[out->n] : &scratch;
	memset(rec, 0, sizeof *rec);
	struct gw__name_text owner;
	struct rr_head h;
	gw__name_text_init(&owner, rec->owner, sizeof rec->owner);
	int res = read_rr(m, c, &owner, &h);
	if (res != NAME_OK)
		return res;
	if ((h.klass & CLASS_MASK) != CLASS_IN || !kept_type(h.type))
		return NAME_OK;
	bool target_ok = true;
	res = read_rdata(m, &h, rec, &target_ok);
	if (res != NAME_OK)
		return res;
	/* The root owns no address worth naming: an empty owner is skipped too. */
	if (!gw__name_text_finish(&owner) || !target_ok) {
		out->unrepresentable++;
		return NAME_OK;
	}
	if (rec == &scratch) {
		out->dropped++;
		return NAME_OK;
	}
	rec->type = h.type;
	rec->ttl = h.ttl > 0x7fffffffu ? 0 : h.ttl;
	out->n++;
	return NAME_OK;
}

static int read_questions(const struct msg *m, struct gw_cursor *c, uint16_t count,
                          struct gw_dns_answer *out)
{
	for (uint16_t i = 0; i < count; i++) {
		struct gw__name_text t;
		gw__name_text_init(&t, out->qname, sizeof out->qname);
		int res = read_name(m, c, i == 0 ? &t : NULL);
		if (res != NAME_OK)
			return res;
		uint16_t type, klass;
		if (!gw_cursor_be16(c, &type) || !gw_cursor_be16(c, &klass))
			return GW_DNS_MAL_TRUNCATED;
		if (i == 0) {
			gw__name_text_finish(&t);
			out->qtype = type;
		}
	}
	return NAME_OK;
}

/* Walks count records without keeping them (authority, additional). */
static int skip_records(const struct msg *m, struct gw_cursor *c, uint32_t count)
{
	for (uint32_t i = 0; i < count; i++) {
		struct rr_head h;
		int res = read_rr(m, c, NULL, &h);
		if (res != NAME_OK)
			return res;
	}
	return NAME_OK;
}

static int malformed(struct gw_dns_answer *out, int reason)
{
	out->malformed = (uint8_t)reason;
	return GW_DNS_MALFORMED;
}

static int read_sections(const struct msg *m, struct gw_cursor *c, const uint16_t counts[4],
                         struct gw_dns_answer *out)
{
	int res = read_questions(m, c, counts[0], out);
	if (res != NAME_OK)
		return malformed(out, res);
	for (uint16_t i = 0; i < counts[1]; i++) {
		res = read_answer(m, c, out);
		if (res != NAME_OK)
			return malformed(out, res);
	}
	res = skip_records(m, c, (uint32_t)counts[2] + counts[3]);
	if (res != NAME_OK)
		return malformed(out, res);
	return GW_DNS_OK;
}

int gw_dns_parse(const uint8_t *msg, size_t len, struct gw_dns_answer *out)
{
	struct msg m = {msg, len};
	struct gw_cursor c = gw_cursor_make(msg, len);
	uint16_t flags, counts[4];
	out->n = 0;
	out->dropped = out->unrepresentable = 0;
	out->qname[0] = '\0';
	out->qtype = 0;
	out->malformed = 0;
	out->tc = false;
	if (!gw_cursor_be16(&c, &out->id) || !gw_cursor_be16(&c, &flags))
		return malformed(out, GW_DNS_MAL_TRUNCATED);
	if (!(flags & FLAG_QR) || (flags >> 11 & 0xf) != 0)
		return GW_DNS_NOT_RESPONSE;
	if ((flags & 0xf) != 0)
		return GW_DNS_ERROR_RCODE;
	for (int i = 0; i < 4; i++)
		if (!gw_cursor_be16(&c, &counts[i]))
			return malformed(out, GW_DNS_MAL_TRUNCATED);
	out->tc = (flags & FLAG_TC) != 0;
	return read_sections(&m, &c, counts, out);
}

const char *gw_dns_malformed_name(enum gw_dns_malformed reason)
{
	static const char *const names[GW_DNS_MAL_COUNT] = {
	        [GW_DNS_MAL_TRUNCATED] = "truncated",
	        [GW_DNS_MAL_LABEL_TOO_LONG] = "label-too-long",
	        [GW_DNS_MAL_NAME_TOO_LONG] = "name-too-long",
	        [GW_DNS_MAL_POINTER_FORWARD] = "pointer-forward",
	        [GW_DNS_MAL_POINTER_LOOP] = "pointer-loop",
	        [GW_DNS_MAL_BAD_RDATA] = "bad-rdata",
	};
	return (unsigned)reason < GW_DNS_MAL_COUNT ? names[reason] : NULL;
}
