/* core/err.c — fills struct gw_err and names the GW_E* codes. */
#include <stdarg.h>
#include <stdio.h>

#include "ghostwire/err.h"

int gw_err_set(struct gw_err *err, int code, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		va_end(ap);
		err->code = code;
	}
	return code;
}

const char *gw_strerror(int code)
{
	switch (code) {
	case GW_OK:
		return "success";
	case GW_EINVAL:
		return "invalid argument";
	case GW_ENOMEM:
		return "out of memory";
	case GW_EIO:
		return "input/output error";
	case GW_ENOENT:
		return "not found";
	case GW_EFORMAT:
		return "bad format";
	case GW_EPERM:
		return "not permitted";
	case GW_ENOTSUP:
		return "not supported";
	case GW_ETRUNC:
		return "truncated input";
	default:
		return "unknown error";
	}
}
