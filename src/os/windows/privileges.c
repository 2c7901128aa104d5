/* os/windows/privileges.c — least privilege on Windows: there is no user to
 * switch to once Npcap's handles are open, so nothing is dropped; the report
 * says whether the process runs elevated (as Administrator), which Npcap
 * needs when installed "restricted to Administrators" and which process
 * details of other users' processes need. */
#include <windows.h>

#include <stdio.h>

#include "ghostwire/privileges.h"

/* 1 elevated, 0 not, -1 unknown. */
static int elevated(void)
{
	HANDLE token;
	if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token))
		return -1;
	TOKEN_ELEVATION e;
	DWORD got;
	int r = GetTokenInformation(token, TokenElevation, &e, sizeof e, &got)
	                ? e.TokenIsElevated != 0
	                : -1;
	CloseHandle(token);
	return r;
}

int gw_privileges_drop(const char *user, unsigned keep, char *report, size_t report_size,
                       struct gw_err *err)
{
	(void)user;
	(void)keep;
	(void)err;
	int e = elevated();
	snprintf(report, report_size, "%s; Windows has no user to switch to, nothing dropped",
	         e > 0    ? "running elevated (Administrator)"
	         : e == 0 ? "not elevated: other users' processes are not named"
	                  : "elevation unknown");
	return 0;
}
