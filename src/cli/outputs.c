/* cli/outputs.c — where replay's and watch's verdicts go: --json FILE and
 * --csv FILE ('-': stdout), and text on stdout unless one of those took it.
 * Files are appended to, reopened on request (SIGHUP, for logrotate), and,
 * live, flushed after every verdict so a crash loses none. */
#include <errno.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "cli.h"
#include "ghostwire/json_line.h"

static FILE *open_one(const char *path, const char *mode)
{
	if (strcmp(path, "-") == 0)
		return stdout;
	FILE *f = fopen(path, mode);
	if (!f)
		gw_cli_error("%s: %s", path, strerror(errno));
	return f;
}

/* A CSV file gets its header when it is new or empty. */
static int csv_header_if_empty(struct gw_cli_outputs *o)
{
	struct gw_err err = {0};
	if (o->csv != stdout && (fseek(o->csv, 0, SEEK_END) != 0 || ftell(o->csv) != 0))
		return 0;
	if (gw_verdict_csv_header(o->csv, &err) < 0) {
		gw_cli_error("%s: %s", o->csv_path, err.msg);
		return GW_EXIT_FAIL;
	}
	return 0;
}

/* Live outputs go to the file line by line, unbuffered, so that a failed
 * write leaves no stale bytes behind to be written later. */
static void live_file(FILE *f, off_t *good)
{
	if (!f || f == stdout)
		return;
	setvbuf(f, NULL, _IONBF, 0);
	if (fseeko(f, 0, SEEK_END) == 0)
		*good = ftello(f);
}

int gw_cli_outputs_open(struct gw_cli_outputs *o, const char *mode)
{
	o->mode = mode;
	o->text = !(o->json_path && strcmp(o->json_path, "-") == 0) &&
	          !(o->csv_path && strcmp(o->csv_path, "-") == 0);
	if (o->json_path && !(o->json = open_one(o->json_path, mode)))
		return GW_EXIT_FAIL;
	if (o->csv_path && (!(o->csv = open_one(o->csv_path, mode)) || csv_header_if_empty(o)))
		return GW_EXIT_FAIL;
	if (o->flush_each) {
		live_file(o->json, &o->json_good);
		live_file(o->csv, &o->csv_good);
	}
	return 0;
}

/* Replaces *f by a new handle on path; keeps the old one if that fails. */
static void reopen_one(FILE **f, const char *path, const char *mode, int *error)
{
	if (!*f || *f == stdout)
		return;
	FILE *n = fopen(path, mode);
	if (!n) {
		gw_cli_error("reopening %s: %s (writing on to the old file)", path,
		             strerror(errno));
		return;
	}
	if (fclose(*f) != 0)
		*error = 1;
	*f = n;
}

void gw_cli_outputs_reopen(struct gw_cli_outputs *o)
{
	reopen_one(&o->json, o->json_path, o->mode, &o->write_error);
	reopen_one(&o->csv, o->csv_path, o->mode, &o->write_error);
	if (o->flush_each) {
		live_file(o->json, &o->json_good);
		live_file(o->csv, &o->csv_good);
	}
	if (o->csv && o->csv != stdout && csv_header_if_empty(o) != 0)
		o->write_error = 1;
}

/* After a line to a live file: on a failed write, the file is cut back to its
 * last whole line; else the new end is remembered. True if it failed. */
static bool settle(FILE *f, off_t *good)
{
	if (!f || f == stdout)
		return false;
	if (!ferror(f)) {
		off_t end = ftello(f);
		if (end >= 0)
			*good = end;
		return false;
	}
	clearerr(f);
	if (ftruncate(fileno(f), *good) != 0 || fseeko(f, *good, SEEK_SET) != 0)
		clearerr(f);
	return true;
}

static void flush(struct gw_cli_outputs *o)
{
	if (!o->flush_each)
		return;
	int e = errno;
	bool failed = settle(o->json, &o->json_good);
	failed |= settle(o->csv, &o->csv_good);
	bool to_stdout = o->text || o->json == stdout || o->csv == stdout;
	if (to_stdout && fflush(stdout) != 0)
		o->write_error = 1;
	if (failed) {
		o->lost++;
		o->write_error = 1;
		if (!o->failing)
			gw_cli_error("writing verdicts: %s: the file is cut back to its last whole "
			             "line; verdicts are lost until writes succeed again",
			             strerror(e ? e : EIO));
		o->failing = true;
	} else if (o->failing) {
		gw_cli_error("writing verdicts works again (%llu lost meanwhile)",
		             (unsigned long long)o->lost);
		o->failing = false;
	}
}

void gw_cli_outputs_opening(struct gw_cli_outputs *o, const struct gw_flow *f, int64_t decided_us,
                            const struct gw_verdict *v, const struct gw_verdict_enrich *e)
{
	struct gw_err err = {0};
	if (o->json && gw_verdict_print_opening_json(o->json, f, decided_us, v, e, &err) < 0)
		o->write_error = 1;
	if (o->csv && gw_verdict_print_csv(o->csv, f, true, decided_us, v, e, &err) < 0)
		o->write_error = 1;
	if (o->text)
		gw_verdict_print_text(stdout, f, v, e);
	flush(o);
}

void gw_cli_outputs_final(struct gw_cli_outputs *o, const struct gw_flow *f, enum gw_flow_end why,
                          const struct gw_verdict *v, const struct gw_verdict_enrich *e)
{
	struct gw_err err = {0};
	if (o->json && gw_verdict_print_json(o->json, f, why, v, e, &err) < 0)
		o->write_error = 1;
	if (o->csv && gw_verdict_print_csv(o->csv, f, false, f->last_us, v, e, &err) < 0)
		o->write_error = 1;
	bool suppressed = e && (e->allowed_by || e->held_by);
	if (o->text && (o->all || !suppressed) && gw_cli_verdict_worth_text(f, v, o->all))
		gw_verdict_print_text(stdout, f, v, e);
	flush(o);
}

void gw_cli_outputs_notice(struct gw_cli_outputs *o, struct json_t *json, const char *text)
{
	if (o->json && json &&
	    gw_json_write_line(o->json, json, JSON_COMPACT | JSON_ENSURE_ASCII) < 0)
		o->write_error = 1;
	if (o->text)
		printf("%s\n", text);
	flush(o);
}

int gw_cli_outputs_close(struct gw_cli_outputs *o)
{
	if (o->json && o->json != stdout && fclose(o->json) != 0)
		o->write_error = 1;
	if (o->csv && o->csv != stdout && fclose(o->csv) != 0)
		o->write_error = 1;
	o->json = o->csv = NULL;
	if (fflush(stdout) != 0)
		o->write_error = 1;
	return o->write_error ? -1 : 0;
}
