/* os/windows/syslog_out.c — --syslog on Windows: alerts to the Application
 * event log, source "ghostwire" (RegisterEventSourceW / ReportEventW), where
 * Event Viewer and Windows event forwarding read them. No message file is
 * registered, so Event Viewer prefixes each with a note that the description
 * is missing; the text itself is the event's one string. */
#include <windows.h>

#include <stdlib.h>

#include "ghostwire/syslog_out.h"

static HANDLE source;

int gw_syslog_open(struct gw_err *err)
{
	if (!source)
		source = RegisterEventSourceW(NULL, L"ghostwire");
	if (!source)
		return gw_err_set(err, GW_EIO, "--syslog: cannot open the event log (error %lu)",
		                  (unsigned long)GetLastError());
	return 0;
}

void gw_syslog_write(enum gw_syslog_level level, const char *message)
{
	if (!source)
		return;
	int n = MultiByteToWideChar(CP_UTF8, 0, message, -1, NULL, 0);
	wchar_t *w = n > 0 ? malloc((size_t)n * sizeof *w) : NULL;
	if (!w || MultiByteToWideChar(CP_UTF8, 0, message, -1, w, n) <= 0) {
		free(w);
		return;
	}
	WORD type = level == GW_SYSLOG_WARNING ? EVENTLOG_WARNING_TYPE : EVENTLOG_INFORMATION_TYPE;
	LPCWSTR strings[1] = {w};
	ReportEventW(source, type, 0, 1, NULL, 1, 0, strings, NULL);
	free(w);
}

void gw_syslog_close(void)
{
	if (source)
		DeregisterEventSource(source);
	source = NULL;
}
