/* os/none/syslog_out.c — no system log on a platform without a port yet. */
#include "ghostwire/syslog_out.h"

int gw_syslog_open(struct gw_err *err)
{
	return gw_err_set(err, GW_ENOTSUP, "--syslog is not supported on this platform");
}

void gw_syslog_write(enum gw_syslog_level level, const char *message)
{
	(void)level;
	(void)message;
}

void gw_syslog_close(void)
{
}
