/* syslog_out.h — alerts to the system log: syslog(3) on Linux, which journald
 * and rsyslog read. One implementation per src/os/<os>/. */
#ifndef GHOSTWIRE_SYSLOG_OUT_H
#define GHOSTWIRE_SYSLOG_OUT_H

#include "ghostwire/err.h"

enum gw_syslog_level {
	GW_SYSLOG_WARNING, /* findings, repeats, dropped alerts */
	GW_SYSLOG_NOTICE,  /* what is new against the baseline */
	GW_SYSLOG_INFO,    /* the run's start and end */
};

/* Opens the log as "ghostwire", facility daemon; GW_ENOTSUP where none. */
int gw_syslog_open(struct gw_err *err) GW_MUST_CHECK;
void gw_syslog_write(enum gw_syslog_level level, const char *message);
void gw_syslog_close(void);

#endif
