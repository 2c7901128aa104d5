/* test_http_host.c — the HTTP Host reader: header case and whitespace, ports
 * and IPv6 brackets, CONNECT, absolute-form targets, LF-only lines, every
 * prefix of a request, and payloads that are not an HTTP/1.x request; and
 * gw_wirenames_client_name choosing between SNI and Host. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ghostwire/wirenames.h"
#include "tls_hello.h"

static char name[GW_NAME_SIZE];

static int host_n(const char *req, size_t n)
{
	uint8_t *copy = malloc(n ? n : 1); /* exactly n bytes, for ASan */
	cr_assert(copy);
	memcpy(copy, req, n);
	int res = gw_http_host(copy, n, name, sizeof name);
	free(copy);
	return res;
}

static int host(const char *req)
{
	return host_n(req, strlen(req));
}

static void expect_host(const char *req, const char *want)
{
	cr_assert_eq(host(req), GW_CLIENT_FOUND, "%s", req);
	cr_expect_str_eq(name, want);
}

Test(http_host, plain)
{
	expect_host("GET /index.html HTTP/1.1\r\nHost: www.example.com\r\nAccept: */*\r\n\r\n",
	            "www.example.com");
}

Test(http_host, case_whitespace_and_port)
{
	expect_host("POST /x HTTP/1.1\r\nUser-Agent: t\r\nhOsT:   WWW.Example.COM:8080  \r\n\r\n",
	            "www.example.com");
	expect_host("PUT /x HTTP/1.0\r\nHost:\tnospace.example\t\r\n\r\n", "nospace.example");
	expect_host("HEAD / HTTP/1.1\r\nHost:tight.example\r\n\r\n", "tight.example");
	expect_host("GET / HTTP/1.1\r\nHost: dotted.example.:80\r\n\r\n", "dotted.example");
}

Test(http_host, ipv6_literal)
{
	expect_host("GET / HTTP/1.1\r\nHost: [2001:DB8::1]:8080\r\n\r\n", "2001:db8::1");
	expect_host("GET / HTTP/1.1\r\nHost: [2001:db8::2]\r\n\r\n", "2001:db8::2");
	cr_expect_eq(host("GET / HTTP/1.1\r\nHost: [2001:db8::2\r\n\r\n"), GW_CLIENT_MALFORMED);
	cr_expect_eq(host("GET / HTTP/1.1\r\nHost: 0[021:db8::1];80\r\n\r\n"), GW_CLIENT_MALFORMED);
	cr_expect_eq(host("GET / HTTP/1.1\r\nHost: [::1[]\r\n\r\n"), GW_CLIENT_MALFORMED);
}

Test(http_host, every_method)
{
	static const char *const methods[] = {"GET",     "POST",  "HEAD",  "PUT",    "DELETE",
	                                      "OPTIONS", "PATCH", "TRACE", "CONNECT"};
	for (size_t i = 0; i < sizeof methods / sizeof *methods; i++) {
		char req[128];
		snprintf(req, sizeof req, "%s m.example:80 HTTP/1.1\r\nHost: m.example\r\n\r\n",
		         methods[i]);
		expect_host(req, "m.example");
	}
}

Test(http_host, connect_takes_the_request_line)
{
	expect_host("CONNECT Secure.Example.NET:443 HTTP/1.1\r\nHost: other.example\r\n\r\n",
	            "secure.example.net");
	expect_host("CONNECT [2001:db8::5]:443 HTTP/1.1\r\n\r\n", "2001:db8::5");
	/* The request line alone is enough for CONNECT. */
	expect_host("CONNECT c.example:443 HTTP/1.1\r\n", "c.example");
}

Test(http_host, absolute_form_without_host)
{
	expect_host("GET http://user:pw@Abs.Example:81/p?q HTTP/1.0\r\nAccept: */*\r\n\r\n",
	            "abs.example");
	expect_host("GET https://s.example/ HTTP/1.1\r\nHost:\r\n\r\n", "s.example");
	/* The Host header, when present, is the answer. */
	expect_host("GET http://abs.example/ HTTP/1.1\r\nHost: h.example\r\n\r\n", "h.example");
}

Test(http_host, lf_only_lines)
{
	expect_host("GET / HTTP/1.0\nX-Host: no.example\nHOST: lf.example\n\n", "lf.example");
}

Test(http_host, no_host)
{
	cr_expect_eq(host("GET / HTTP/1.0\r\nAccept: */*\r\n\r\n"), GW_CLIENT_ABSENT);
	cr_expect_eq(host("GET / HTTP/1.1\r\nHost: \r\n\r\n"), GW_CLIENT_ABSENT);
	/* A Host line in the body is not a header. */
	cr_expect_eq(host("POST / HTTP/1.1\r\nContent-Length: 20\r\n\r\nHost: body.example\r\n"),
	             GW_CLIENT_ABSENT);
	cr_expect_str_eq(name, "");
}

Test(http_host, truncated)
{
	cr_expect_eq(host("GET / HTTP/1.1\r\nAccept: */*\r\nHost: cut.exam"), GW_CLIENT_TRUNCATED);
	cr_expect_eq(host("GET /a-long-path-cut-by-the-snap-length"), GW_CLIENT_TRUNCATED);
	cr_expect_eq(host("GET / HTTP/1.1\r\nAccept: */*\r\n"), GW_CLIENT_TRUNCATED);
}

Test(http_host, every_prefix)
{
	const char *req = "GET /index.html HTTP/1.1\r\nUser-Agent: curl/7.88\r\n"
	                  "Host: prefix.example:8080\r\nAccept: */*\r\n\r\n";
	size_t n = strlen(req);
	bool found = false;
	for (size_t len = 0; len <= n; len++) {
		int res = host_n(req, len);
		if (res == GW_CLIENT_FOUND) {
			cr_assert_str_eq(name, "prefix.example", "prefix of %zu bytes", len);
			found = true;
		} else {
			cr_assert(!found, "prefix of %zu bytes lost the name", len);
			cr_assert(res == GW_CLIENT_TRUNCATED || (len < 4 && res == GW_CLIENT_OTHER),
			          "prefix of %zu bytes: %d", len, res);
		}
	}
	cr_expect(found);
}

Test(http_host, not_http)
{
	cr_expect_eq(host("SSH-2.0-OpenSSH_9.2\r\n"), GW_CLIENT_OTHER);
	cr_expect_eq(host("get / HTTP/1.1\r\nHost: lower.example\r\n\r\n"), GW_CLIENT_OTHER);
	cr_expect_eq(host("GETX / HTTP/1.1\r\nHost: x.example\r\n\r\n"), GW_CLIENT_OTHER);
	cr_expect_eq(host("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), GW_CLIENT_OTHER);
	cr_expect_eq(host("GET / HTTP/2\r\nHost: h2.example\r\n\r\n"), GW_CLIENT_OTHER);
	cr_expect_eq(host("GET /\r\n"), GW_CLIENT_OTHER); /* HTTP/0.9 */
	cr_expect_eq(host(""), GW_CLIENT_OTHER);
}

Test(http_host, malformed_host)
{
	cr_expect_eq(host("GET / HTTP/1.1\r\nHost: bad\x01name\r\n\r\n"), GW_CLIENT_MALFORMED);
	char req[600];
	memset(req, 'a', sizeof req);
	memcpy(req, "GET / HTTP/1.1\r\nHost: ", 22);
	memcpy(req + 22 + 300, "\r\n\r\n", 5);
	cr_expect_eq(host(req), GW_CLIENT_MALFORMED); /* 300 characters */
}

Test(http_host, client_name_picks_the_reader)
{
	char out[GW_NAME_SIZE];
	const char *get = "GET / HTTP/1.1\r\nHost: web.example\r\n\r\n";
	cr_expect_eq(gw_wirenames_client_name((const uint8_t *)get, strlen(get), out, sizeof out),
	             GW_NAME_HTTP_HOST);
	cr_expect_str_eq(out, "web.example");
	cr_expect_eq(gw_wirenames_client_name(tls_hello_sni, sizeof tls_hello_sni, out, sizeof out),
	             GW_NAME_SNI);
	cr_expect_str_eq(out, "www.example.org");
	cr_expect_eq(
	        gw_wirenames_client_name(tls_hello_nosni, sizeof tls_hello_nosni, out, sizeof out),
	        GW_NAME_NONE);
	cr_expect_eq(gw_wirenames_client_name((const uint8_t *)"\x00\x01", 2, out, sizeof out),
	             GW_NAME_NONE);
	cr_expect_str_eq(out, "");
	cr_expect_str_eq(gw_name_source_name(GW_NAME_SNI), "sni");
	cr_expect_str_eq(gw_name_source_name(GW_NAME_HTTP_HOST), "http-host");
	cr_expect_str_eq(gw_name_source_name(GW_NAME_NONE), "none");
	cr_expect_null(gw_name_source_name(3));
}
