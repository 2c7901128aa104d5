/* os/windows/posix/fnmatch.h — POSIX fnmatch() for the Windows build
 * (src/os/windows/posix_fnmatch.c): '*', '?', bracket expressions with ranges
 * and '!'/'^', backslash escapes; no flags are supported but 0. */
#ifndef GW_WINDOWS_POSIX_FNMATCH_H
#define GW_WINDOWS_POSIX_FNMATCH_H

#define FNM_NOMATCH 1

int gw_posix_fnmatch(const char *pattern, const char *string, int flags);
#define fnmatch(p, s, f) gw_posix_fnmatch(p, s, f)

#endif
