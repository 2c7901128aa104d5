/* os/linux/syslog_out.c — alerts through syslog(3), to /dev/log (journald or
 * rsyslog); the connection is made at once, before privileges are dropped. */
#include <syslog.h>

#include "ghostwire/syslog_out.h"

int gw_syslog_open(struct gw_err *err)
{
	(void)err;
	openlog("ghostwire", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	return 0;
}

void gw_syslog_write(enum gw_syslog_level level, const char *message)
{
	static const int priority[] = {
	        [GW_SYSLOG_WARNING] = LOG_WARNING,
	        [GW_SYSLOG_NOTICE] = LOG_NOTICE,
	        [GW_SYSLOG_INFO] = LOG_INFO,
	};
	syslog(priority[level], "%s", message);
}

void gw_syslog_close(void)
{
	closelog();
}
