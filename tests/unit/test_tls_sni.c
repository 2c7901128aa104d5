/* test_tls_sni.c — the ClientHello SNI reader: real OpenSSL ClientHellos
 * (tls_hello.h), every prefix of one, hand-built hellos with odd layouts
 * (SNI not first, other name types, fragmented over records), inconsistent
 * lengths, and payloads that are not a ClientHello at all. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "ghostwire/wirenames.h"
#include "pktbuild.h"
#include "tls_hello.h"

static char name[GW_NAME_SIZE];

static int sni(const uint8_t *b, size_t n)
{
	uint8_t *copy = malloc(n ? n : 1); /* exactly n bytes, for ASan */
	cr_assert(copy);
	if (n)
		memcpy(copy, b, n);
	int res = gw_tls_sni(copy, n, name, sizeof name);
	free(copy);
	return res;
}

static void put_be24(uint8_t *at, size_t v)
{
	at[0] = (uint8_t)(v >> 16);
	at[1] = (uint8_t)(v >> 8);
	at[2] = (uint8_t)v;
}

static void put_be16(uint8_t *at, size_t v)
{
	at[0] = (uint8_t)(v >> 8);
	at[1] = (uint8_t)v;
}

/* A ClientHello with the given extensions block (bytes after its length). */
static void hello(struct pb *p, const uint8_t *exts, size_t exts_len, uint8_t sid_len)
{
	pb_u8(p, 22);
	pb_be16(p, 0x0301);
	size_t rec = p->n;
	pb_be16(p, 0);
	pb_u8(p, 1);
	size_t hs = p->n;
	pb_zero(p, 3);
	pb_be16(p, 0x0303);
	for (int i = 0; i < 32; i++)
		pb_u8(p, (uint8_t)i);
	pb_u8(p, sid_len);
	pb_zero(p, sid_len);
	pb_be16(p, 4);
	pb_be32(p, 0x13011302);
	pb_u8(p, 1);
	pb_u8(p, 0);
	pb_be16(p, (uint16_t)exts_len);
	if (exts_len)
		pb_bytes(p, exts, exts_len);
	put_be16(p->b + rec, p->n - rec - 2);
	put_be24(p->b + hs, p->n - hs - 3);
}

/* An extension (type, data) appended to e. */
static void ext(struct pb *e, uint16_t type, const void *data, size_t len)
{
	pb_be16(e, type);
	pb_be16(e, (uint16_t)len);
	pb_bytes(e, data, len);
}

/* server_name data: one entry per (type, name). */
static void sni_data(struct pb *d, int n, const uint8_t *types, const char *const *names)
{
	size_t list = d->n;
	pb_be16(d, 0);
	for (int i = 0; i < n; i++) {
		pb_u8(d, types[i]);
		pb_be16(d, (uint16_t)strlen(names[i]));
		pb_bytes(d, names[i], strlen(names[i]));
	}
	put_be16(d->b + list, d->n - list - 2);
}

static void sni_ext(struct pb *e, const char *host)
{
	struct pb d = {0};
	uint8_t type = 0;
	sni_data(&d, 1, &type, &host);
	ext(e, 0, d.b, d.n);
}

Test(tls_sni, openssl_client_hello)
{
	cr_assert_eq(sni(tls_hello_sni, sizeof tls_hello_sni), GW_CLIENT_FOUND);
	cr_expect_str_eq(name, "www.example.org");
}

Test(tls_sni, openssl_tls12_lowercased_trailing_dot)
{
	cr_assert_eq(sni(tls_hello_tls12, sizeof tls_hello_tls12), GW_CLIENT_FOUND);
	cr_expect_str_eq(name, "tls12.example.net");
}

Test(tls_sni, openssl_without_sni)
{
	cr_expect_eq(sni(tls_hello_nosni, sizeof tls_hello_nosni), GW_CLIENT_ABSENT);
	cr_expect_str_eq(name, "");
}

/* Every prefix: truncated until the server_name extension is whole, then the
 * right name; never a partial name, never malformed. */
static void every_prefix(const uint8_t *b, size_t n, const char *want)
{
	bool found = false;
	for (size_t len = 0; len <= n; len++) {
		int res = sni(b, len);
		if (res == GW_CLIENT_FOUND) {
			cr_assert_str_eq(name, want, "prefix of %zu bytes", len);
			found = true;
		} else {
			cr_assert(!found, "prefix of %zu bytes lost the name", len);
			cr_assert_eq(res, GW_CLIENT_TRUNCATED, "prefix of %zu bytes: %d", len, res);
		}
	}
	cr_expect(found);
}

Test(tls_sni, every_prefix_of_real_hellos)
{
	every_prefix(tls_hello_sni, sizeof tls_hello_sni, "www.example.org");
	every_prefix(tls_hello_tls12, sizeof tls_hello_tls12, "tls12.example.net");
	/* Without SNI: truncated until the last extension's header is read (its
	 * data, padding here, need not be), then absent. */
	bool absent = false;
	for (size_t len = 0; len <= sizeof tls_hello_nosni; len++) {
		int res = sni(tls_hello_nosni, len);
		absent = absent || res == GW_CLIENT_ABSENT;
		cr_assert_eq(res, absent ? GW_CLIENT_ABSENT : GW_CLIENT_TRUNCATED, "prefix %zu",
		             len);
	}
	cr_expect(absent);
}

Test(tls_sni, sni_after_other_extensions)
{
	struct pb e = {0}, p = {0};
	ext(&e, 0x0a0a, "", 0); /* GREASE */
	ext(&e, 43, "\x02\x03\x04", 3);
	sni_ext(&e, "late.example.com");
	ext(&e, 21, "\0\0\0\0", 4);
	hello(&p, e.b, e.n, 32);
	cr_assert_eq(sni(p.b, p.n), GW_CLIENT_FOUND);
	cr_expect_str_eq(name, "late.example.com");
}

Test(tls_sni, first_host_name_entry_wins)
{
	struct pb d = {0}, e = {0}, p = {0};
	const uint8_t types[] = {7, 0, 0};
	const char *const names[] = {"other-type", "First.Example", "second.example"};
	sni_data(&d, 3, types, names);
	ext(&e, 0, d.b, d.n);
	hello(&p, e.b, e.n, 0);
	cr_assert_eq(sni(p.b, p.n), GW_CLIENT_FOUND);
	cr_expect_str_eq(name, "first.example");
}

Test(tls_sni, no_extensions_at_all)
{
	struct pb p = {0};
	hello(&p, NULL, 0, 0);
	p.n -= 2; /* drop the extensions length: an SSL 3.0-style hello */
	put_be16(p.b + 3, p.n - 5);
	put_be24(p.b + 6, p.n - 9);
	cr_expect_eq(sni(p.b, p.n), GW_CLIENT_ABSENT);
}

Test(tls_sni, inconsistent_lengths)
{
	struct pb e = {0};
	sni_ext(&e, "x.example");

	struct pb p = {0}; /* session id of 33 */
	hello(&p, e.b, e.n, 33);
	cr_expect_eq(sni(p.b, p.n), GW_CLIENT_MALFORMED);

	struct pb q = {0}; /* extensions block longer than the handshake */
	hello(&q, e.b, e.n, 0);
	put_be16(q.b + q.n - e.n - 2, e.n + 1);
	cr_expect_eq(sni(q.b, q.n), GW_CLIENT_MALFORMED);

	struct pb r = {0}; /* server_name list longer than its extension */
	hello(&r, e.b, e.n, 0);
	put_be16(r.b + r.n - e.n + 4, e.n);
	cr_expect_eq(sni(r.b, r.n), GW_CLIENT_MALFORMED);

	struct pb s = {0}; /* odd cipher suites length */
	hello(&s, e.b, e.n, 0);
	put_be16(s.b + 5 + 4 + 2 + 32 + 1, 3);
	cr_expect_eq(sni(s.b, s.n), GW_CLIENT_MALFORMED);

	struct pb t = {0}; /* empty host_name */
	struct pb e2 = {0};
	sni_ext(&e2, "");
	hello(&t, e2.b, e2.n, 0);
	cr_expect_eq(sni(t.b, t.n), GW_CLIENT_MALFORMED);
}

Test(tls_sni, fragmented_over_records)
{
	/* The handshake says its full length, the first record carries only the
	 * part before the extensions: the name is not in the bytes read. */
	struct pb e = {0}, p = {0};
	sni_ext(&e, "split.example");
	hello(&p, e.b, e.n, 0);
	size_t first = 4 + 2 + 32 + 1 + 2 + 4 + 2; /* up to the compression methods */
	put_be16(p.b + 3, first);
	cr_expect_eq(sni(p.b, p.n), GW_CLIENT_TRUNCATED);
}

Test(tls_sni, escapes_unsafe_bytes)
{
	struct pb e = {0}, p = {0};
	sni_ext(&e, "a b\\c.Example");
	hello(&p, e.b, e.n, 0);
	cr_assert_eq(sni(p.b, p.n), GW_CLIENT_FOUND);
	cr_expect_str_eq(name, "a\\032b\\092c.example");
}

Test(tls_sni, trailing_dots)
{
	struct pb e = {0}, p = {0};
	sni_ext(&e, "dots.example..");
	hello(&p, e.b, e.n, 0);
	cr_assert_eq(sni(p.b, p.n), GW_CLIENT_FOUND);
	cr_expect_str_eq(name, "dots.example");

	struct pb e2 = {0}, q = {0};
	sni_ext(&e2, "..");
	hello(&q, e2.b, e2.n, 0);
	cr_expect_eq(sni(q.b, q.n), GW_CLIENT_MALFORMED);
}

Test(tls_sni, not_a_client_hello)
{
	static const uint8_t server_hello[] = {22, 3, 3, 0, 4, 2, 0, 0, 0};
	static const uint8_t app_data[] = {23, 3, 3, 0, 1, 0};
	static const uint8_t sslv2[] = {0x80, 0x2e, 0x01, 0x03, 0x01};
	static const uint8_t http[] = "GET / HTTP/1.1\r\n";
	static const uint8_t bad_major[] = {22, 2, 0, 0, 4, 1, 0, 0, 0};
	cr_expect_eq(sni(server_hello, sizeof server_hello), GW_CLIENT_OTHER);
	cr_expect_eq(sni(app_data, sizeof app_data), GW_CLIENT_OTHER);
	cr_expect_eq(sni(sslv2, sizeof sslv2), GW_CLIENT_OTHER);
	cr_expect_eq(sni(http, sizeof http - 1), GW_CLIENT_OTHER);
	cr_expect_eq(sni(bad_major, sizeof bad_major), GW_CLIENT_OTHER);
	cr_expect_eq(sni(NULL, 0), GW_CLIENT_TRUNCATED);
}

Test(tls_sni, record_length_limits)
{
	struct pb e = {0}, p = {0};
	sni_ext(&e, "big.example");
	hello(&p, e.b, e.n, 0);
	put_be16(p.b + 3, 0xffff);
	cr_expect_eq(sni(p.b, p.n), GW_CLIENT_MALFORMED);
	put_be16(p.b + 3, 3);
	cr_expect_eq(sni(p.b, p.n), GW_CLIENT_MALFORMED);
}

Test(tls_sni, small_output_buffer)
{
	char small[8];
	cr_expect_eq(gw_tls_sni(tls_hello_sni, sizeof tls_hello_sni, small, sizeof small),
	             GW_CLIENT_MALFORMED);
	cr_expect_str_eq(small, "");
}
