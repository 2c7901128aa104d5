/* os/windows/posix_fnmatch.c — POSIX fnmatch() (flags 0) for the Windows
 * build: '*' any run, '?' one character, "[a-z]" / "[!x]" / "[^x]" classes,
 * '\' quoting the next character. Iterative with one backtrack point, so a
 * hostile pattern costs O(pattern × string). */
#include "posix/fnmatch.h"

#include <stdbool.h>
#include <stddef.h>

/* Matches c against the class starting after '[' at *pp; advances *pp past
 * ']'. A class without its ']' is an ordinary '[' (as POSIX says). */
static bool class_match(const char **pp, unsigned char c, bool *valid)
{
	const char *p = *pp;
	bool negate = *p == '!' || *p == '^';
	if (negate)
		p++;
	bool hit = false, first = true;
	while (*p && (*p != ']' || first)) {
		first = false;
		unsigned char lo = (unsigned char)*p++, hi = lo;
		if (lo == '\\' && *p)
			lo = hi = (unsigned char)*p++;
		if (*p == '-' && p[1] && p[1] != ']') {
			hi = (unsigned char)p[1];
			p += 2;
			if (hi == '\\' && *p)
				hi = (unsigned char)*p++;
		}
		if (lo <= c && c <= hi)
			hit = true;
	}
	*valid = *p == ']';
	if (*valid)
		*pp = p + 1;
	return hit != negate;
}

int gw_posix_fnmatch(const char *pattern, const char *string, int flags)
{
	(void)flags;
	const char *p = pattern, *s = string;
	const char *star_p = NULL, *star_s = NULL;
	while (*s) {
		const char *next = p;
		bool ok = false;
		if (*p == '*') {
			star_p = ++p;
			star_s = s;
			continue;
		}
		if (*p == '?') {
			ok = true;
			next = p + 1;
		} else if (*p == '[') {
			const char *q = p + 1;
			bool valid;
			bool hit = class_match(&q, (unsigned char)*s, &valid);
			ok = valid ? hit : *s == '[';
			next = valid ? q : p + 1;
		} else if (*p == '\\' && p[1]) {
			ok = p[1] == *s;
			next = p + 2;
		} else if (*p) {
			ok = *p == *s;
			next = p + 1;
		}
		if (ok) {
			p = next;
			s++;
		} else if (star_p) {
			p = star_p;
			s = ++star_s;
		} else {
			return FNM_NOMATCH;
		}
	}
	while (*p == '*')
		p++;
	return *p ? FNM_NOMATCH : 0;
}
