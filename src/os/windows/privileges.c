/* os/windows/privileges.c — nothing to drop on Windows: capture runs as Administrator (Npcap). */
#include <stdio.h>

#include "ghostwire/privileges.h"

int gw_privileges_drop(const char *user, unsigned keep, char *report, size_t report_size,
                       struct gw_err *err)
{
	(void)user;
	(void)keep;
	snprintf(report, report_size, "privilege dropping is not supported on this platform");
	(void)err;
	return 0;
}
