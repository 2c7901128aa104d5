/* tests/windows/check.h — the Windows tests' harness: Criterion has no mingw
 * build, so each test program is a main() calling CHECK(); the last line is
 * "N checks, M failed" and the exit status 1 if any failed (meson's
 * convention). Run under wine in CI (scripts/windows.sh). */
#ifndef GW_TESTS_WINDOWS_CHECK_H
#define GW_TESTS_WINDOWS_CHECK_H

#include <stdio.h>

static int gw_checks, gw_failed;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		gw_checks++;                                                                       \
		if (!(cond)) {                                                                     \
			gw_failed++;                                                               \
			printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);                     \
			printf(__VA_ARGS__);                                                       \
			printf("\n");                                                              \
		}                                                                                  \
	} while (0)

static inline int check_done(void)
{
	printf("%d checks, %d failed\n", gw_checks, gw_failed);
	return gw_failed ? 1 : 0;
}

#endif
