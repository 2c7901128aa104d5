/* cli/session_dir.c — the recorded-session directory that record and watch -w
 * write: creating it (never into an existing one) and its meta.json. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "cli.h"
#include "ghostwire/clock.h"

FILE *gw_cli_session_dir(const char *dir)
{
	if (mkdir(dir, 0750) < 0) {
		gw_cli_error("%s: %s%s", dir, strerror(errno),
		             errno == EEXIST ? " (record into a new directory)" : "");
		return NULL;
	}
	/* Opened now: once privileges are dropped, the directory may not be writable. */
	char path[4096];
	snprintf(path, sizeof path, "%s/meta.json", dir);
	FILE *meta = fopen(path, "w");
	if (!meta)
		gw_cli_error("%s: %s", path, strerror(errno));
	return meta;
}

/* meta.json: what the session is, written through jansson (an interface name
 * may hold any byte but '/' and NUL). Closes meta. */
void gw_cli_session_meta(FILE *meta, const struct gw_options *o, int64_t started_us,
                         const struct gw_run_summary *sum, const struct gw_poller_stats *ps)
{
	char t0[32], t1[32];
	json_t *m = json_pack(
	        "{s:s,s:i,s:s,s:s,s:s,s:I,s:I,s:I,s:I,s:I}", "format", "ghostwire-session",
	        "version", 1, "interface", o->interfaces[0], "started",
	        gw_clock_format_us(started_us, t0, sizeof t0), "ended",
	        gw_clock_format_us(gw_clock_realtime_us(), t1, sizeof t1), "packets",
	        (json_int_t)sum->frames, "drops_kernel", (json_int_t)sum->capture.dropped_kernel,
	        "drops_interface", (json_int_t)sum->capture.dropped_iface, "lookups",
	        (json_int_t)ps->lookups, "lookups_found", (json_int_t)ps->lookup_hits);
	bool ok = m && json_dumpf(m, meta, JSON_COMPACT) == 0 && fputc('\n', meta) != EOF;
	if (fclose(meta) != 0 || !ok)
		gw_cli_error("warning: the session's meta.json could not be written");
	json_decref(m);
}
