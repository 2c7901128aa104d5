/* fuzz/fuzz_tls_sni.c — libFuzzer target over the ClientHello SNI reader: the
 * bytes are a flow's first client payload. A name found is checked for form,
 * and a prefix of the input must give the whole's result or "truncated" (a
 * cut ClientHello never yields a different or partial name). */
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
		fprintf(stderr, "fuzz_tls_sni: %s\n", what);
		abort();
	}
}

static void check_name(const char *s)
{
	size_t n = strnlen(s, GW_NAME_SIZE);
	check(n > 0 && n <= GW_NAME_MAX && s[n - 1] != '.', "name length");
	for (size_t i = 0; i < n; i++)
		check(!(s[i] >= 'A' && s[i] <= 'Z') && (unsigned char)s[i] > 0x20 &&
		              (unsigned char)s[i] < 0x7f,
		      "name character");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1); /* exactly the input, for ASan */
	if (!buf)
		return 0;
	if (size)
		memcpy(buf, data, size);
	char whole[GW_NAME_SIZE], part[GW_NAME_SIZE];
	int res = gw_tls_sni(buf, size, whole, sizeof whole);
	check(res >= GW_CLIENT_FOUND && res <= GW_CLIENT_MALFORMED, "result");
	if (res == GW_CLIENT_FOUND)
		check_name(whole);
	else
		check(whole[0] == '\0', "a name without GW_CLIENT_FOUND");

	size_t cut = size ? (size_t)buf[size - 1] * size / 256 : 0;
	int pres = gw_tls_sni(buf, cut, part, sizeof part);
	check(pres == res || pres == GW_CLIENT_TRUNCATED, "a prefix disagrees with the whole");
	if (pres == GW_CLIENT_FOUND)
		check(strcmp(part, whole) == 0, "a prefix found another name");

	char small[9]; /* a short buffer is never overrun */
	res = gw_tls_sni(buf, size, small, sizeof small);
	check(strnlen(small, sizeof small) < sizeof small, "short buffer");
	free(buf);
	return 0;
}
