/* fuzz/fuzz_http_host.c — libFuzzer target over the HTTP Host reader and
 * gw_wirenames_client_name: the bytes are a flow's first client payload. A
 * host found is checked for form, and a prefix must give the whole's result,
 * "truncated", or "other" (too short to hold a method). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ghostwire/wirenames.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_http_host: %s\n", what);
		abort();
	}
}

static void check_name(const char *s)
{
	size_t n = strnlen(s, GW_NAME_SIZE);
	check(n > 0 && n <= GW_NAME_MAX, "name length");
	for (size_t i = 0; i < n; i++)
		check(!(s[i] >= 'A' && s[i] <= 'Z') && (unsigned char)s[i] > 0x20 &&
		              (unsigned char)s[i] < 0x7f && s[i] != '[' && s[i] != ']',
		      "host character");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1); /* exactly the input, for ASan */
	if (!buf)
		return 0;
	if (size)
		memcpy(buf, data, size);
	char whole[GW_NAME_SIZE], part[GW_NAME_SIZE];
	int res = gw_http_host(buf, size, whole, sizeof whole);
	check(res >= GW_CLIENT_FOUND && res <= GW_CLIENT_MALFORMED, "result");
	if (res == GW_CLIENT_FOUND)
		check_name(whole);

	size_t cut = size ? (size_t)buf[size - 1] * size / 256 : 0;
	int pres = gw_http_host(buf, cut, part, sizeof part);
	check(pres == res || pres == GW_CLIENT_TRUNCATED || pres == GW_CLIENT_OTHER,
	      "a prefix disagrees with the whole");
	if (pres == GW_CLIENT_FOUND)
		check(strcmp(part, whole) == 0, "a prefix found another host");

	int src = gw_wirenames_client_name(buf, size, part, sizeof part);
	check(src == GW_NAME_NONE || src == GW_NAME_SNI || src == GW_NAME_HTTP_HOST, "source");
	if (src == GW_NAME_HTTP_HOST)
		check(strcmp(part, whole) == 0, "client_name disagrees with gw_http_host");
	free(buf);
	return 0;
}
