/* err.h — ghostwire's error convention: fallible functions return a negative int
 * (a GW_E* code) and fill an optional struct gw_err with a message that names the
 * file, line or object at fault. Only src/cli/ prints the message. */
#ifndef GHOSTWIRE_ERR_H
#define GHOSTWIRE_ERR_H

#include <stddef.h>

#define GW_MUST_CHECK __attribute__((warn_unused_result))

enum gw_errcode {
	GW_OK = 0,
	GW_EINVAL = -1,  /* bad argument or option */
	GW_ENOMEM = -2,  /* allocation failed or a configured ceiling was reached */
	GW_EIO = -3,     /* read or write failed */
	GW_ENOENT = -4,  /* file or interface not found */
	GW_EFORMAT = -5, /* input is not in the expected format */
	GW_EPERM = -6,   /* not permitted (privileges) */
	GW_ENOTSUP = -7, /* not supported on this platform or link type */
	GW_ETRUNC = -8,  /* input ended in the middle of a record */
};

struct gw_err {
	int code;      /* the GW_E* code of the last error, 0 if none */
	char msg[512]; /* human-readable, names the object at fault */
};

/* Records code and a printf-style message in err (which may be NULL) and returns
 * code, so that `return gw_err_set(err, GW_EIO, "%s: ...", path);` reads naturally. */
int gw_err_set(struct gw_err *err, int code, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* A short name for a GW_E* code ("invalid argument", ...). Never NULL. */
const char *gw_strerror(int code);

#endif
