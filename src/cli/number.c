/* cli/number.c — the one parser of numeric options: whole decimal numbers in a
 * range, with a message naming the option when the text is not one. */
#include <errno.h>
#include <stdlib.h>

#include "cli.h"

bool gw_cli_number(const char *name, const char *text, unsigned long long min,
                   unsigned long long max, unsigned long long *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 10);
	if (errno || end == text || *end != '\0' || text[0] == '-' || v < min || v > max) {
		gw_cli_error("--%s: '%s' is not a whole number from %llu to %llu", name, text, min,
		             max);
		return false;
	}
	*out = v;
	return true;
}
