/* session/timeline_reader.c — reads a recorded socket timeline back
 * (docs/timeline.md): lines of bounded length, the header, then one record per
 * call, in order of time. It owns the input stream and the line count, and
 * names file and line in every error; the first error ends the reading. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ghostwire/clock.h"
#include "ghostwire/timeline.h"
#include "timeline_internal.h"

#define DEFAULT_MAX_LINE ((size_t)256 << 20)
#define CHUNK            ((size_t)64 << 10)

struct gw_timeline_reader {
	FILE *f;             /* owned */
	char *name;          /* for messages */
	size_t max_line;     /* longest line accepted, newline not counted */
	char *line;          /* the current line, NUL-terminated */
	size_t line_cap;     /* grows to max_line + 1 at most */
	char *chunk;         /* read buffer of CHUNK bytes */
	size_t pos, len;     /* unread bytes: chunk[pos..len) */
	bool eof;            /* the stream has no more bytes */
	uint64_t lineno;     /* lines read so far: the current line's number */
	int64_t last_ts;     /* time of the latest record (first: the header's start) */
	uint64_t last_line;  /* its line */
	struct gw_err error; /* code != 0: reading stopped at this error */
};

/* Records "FILE:LINE: reason" in r and err; returns code. */
__attribute__((format(printf, 4, 5))) static int
fail(struct gw_timeline_reader *r, struct gw_err *err, int code, const char *fmt, ...)
{
	char reason[sizeof r->error.msg];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	gw_err_set(&r->error, code, "%s:%" PRIu64 ": %s", r->name, r->lineno, reason);
	if (err)
		*err = r->error;
	return code;
}

/* Makes room for `need` bytes of line plus its NUL (need <= max_line). */
static int reserve(struct gw_timeline_reader *r, size_t need, struct gw_err *err)
{
	if (need + 1 <= r->line_cap)
		return 0;
	size_t cap = r->line_cap ? r->line_cap : 4096;
	while (cap < need + 1)
		cap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
	if (cap > r->max_line + 1)
		cap = r->max_line + 1;
	char *p = realloc(r->line, cap);
	if (!p)
		return fail(r, err, GW_ENOMEM, "out of memory for a line of %zu bytes", need);
	r->line = p;
	r->line_cap = cap;
	return 0;
}

/* Reads the next line into r->line (without its newline): 1, or 0 at the end
 * of the input, or an error. *newline says whether the line ended in one.
 * A line over max_line stops the reading as soon as it is seen to be. */
static int read_line(struct gw_timeline_reader *r, size_t *len, bool *newline, struct gw_err *err)
{
	size_t n = 0;
	bool any = false;
	*len = 0;
	*newline = false;
	r->lineno++;
	for (;;) {
		if (r->pos == r->len) {
			if (r->eof)
				break;
			r->pos = 0;
			r->len = fread(r->chunk, 1, CHUNK, r->f);
			if (r->len == 0) {
				if (ferror(r->f))
					return fail(r, err, GW_EIO, "read failed: %s",
					            strerror(errno));
				r->eof = true;
				break;
			}
		}
		any = true;
		const char *start = r->chunk + r->pos;
		const char *nl = memchr(start, '\n', r->len - r->pos);
		size_t take = nl ? (size_t)(nl - start) : r->len - r->pos;
		if (take > r->max_line - n)
			return fail(r, err, GW_ENOMEM, "line longer than %zu bytes", r->max_line);
		if (reserve(r, n + take, err) < 0)
			return GW_ENOMEM;
		memcpy(r->line + n, start, take);
		n += take;
		r->pos += take;
		if (nl) {
			r->pos++;
			*newline = true;
			break;
		}
	}
	if (!any) {
		r->lineno--;
		return 0;
	}
	if (reserve(r, n, err) < 0)
		return GW_ENOMEM;
	r->line[n] = '\0';
	*len = n;
	return 1;
}

/* Parses the current line into a JSON object. */
static int parse_line(struct gw_timeline_reader *r, size_t len, bool newline, json_t **out,
                      struct gw_err *err)
{
	*out = NULL;
	const char *nul = memchr(r->line, '\0', len);
	if (nul)
		return fail(r, err, GW_EFORMAT, "NUL byte at column %zu",
		            (size_t)(nul - r->line) + 1);
	if (len == 0)
		return fail(r, err, GW_EFORMAT, "empty line");
	json_error_t je;
	json_t *o = json_loadb(r->line, len, JSON_REJECT_DUPLICATES, &je);
	if (!o) {
		char text[sizeof je.text + 8];
		gw__tl_printable(je.text, strnlen(je.text, sizeof je.text), text, sizeof text);
		if (!newline)
			return fail(r, err, GW_ETRUNC,
			            "the file ends in the middle of a record (the last line has no "
			            "newline and is not complete JSON: %s)",
			            text);
		return fail(r, err, GW_EFORMAT, "not valid JSON: %s (column %d)", text, je.column);
	}
	if (!json_is_object(o)) {
		json_decref(o);
		return fail(r, err, GW_EFORMAT, "a line must hold one JSON object");
	}
	*out = o;
	return 0;
}

/* The header's fields; format and version first, so that another file or a
 * newer version gets that message rather than one about a field. */
static int header_from_json(const json_t *o, struct gw_tl_header *h, struct gw_err *err)
{
	const json_t *format = json_object_get(o, "format"), *addrs;
	int64_t version;
	if (!json_is_string(format) || strcmp(json_string_value(format), GW_TIMELINE_FORMAT) != 0)
		return gw_err_set(err, GW_EFORMAT,
		                  "not a ghostwire timeline: the first line must be the header "
		                  "{\"format\":\"" GW_TIMELINE_FORMAT "\",\"version\":%d,...}",
		                  GW_TIMELINE_VERSION);
	if (gw__tl_get_int(o, "header", "version", INT64_MIN, INT64_MAX, &version, err) < 0)
		return GW_EFORMAT;
	if (version > GW_TIMELINE_VERSION)
		return gw_err_set(err, GW_EFORMAT,
		                  "timeline version %" PRId64 " is newer than this ghostwire reads "
		                  "(version %d): a newer ghostwire is needed",
		                  version, GW_TIMELINE_VERSION);
	if (version < 1)
		return gw_err_set(err, GW_EFORMAT,
		                  "header: \"version\": %" PRId64 " is not a version", version);
	h->version = (int)version;
	if (gw__tl_get_string(o, "header", "host", h->host, sizeof h->host, err) < 0 ||
	    gw__tl_get_string(o, "header", "source", h->source, sizeof h->source, err) < 0 ||
	    gw__tl_get_time(o, "header", "started", &h->started_us, err) < 0 ||
	    gw__tl_get_member(o, "header", "local_addrs", JSON_ARRAY, false, &addrs, err) < 0)
		return GW_EFORMAT;
	int64_t pid = 0; /* optional: absent in the first recordings */
	if (json_object_get(o, "pid") &&
	    gw__tl_get_int(o, "header", "pid", 0, INT32_MAX, &pid, err) < 0)
		return GW_EFORMAT;
	h->pid = (int32_t)pid;
	size_t n = json_array_size(addrs);
	if (n > GW_MAX_LOCAL_NETS)
		return gw_err_set(err, GW_ENOMEM, "header: \"local_addrs\": %zu addresses, over %d",
		                  n, GW_MAX_LOCAL_NETS);
	for (size_t i = 0; i < n; i++) {
		char where[32];
		snprintf(where, sizeof where, "local_addrs[%zu]", i);
		if (gw__tl_cidr_from_json(json_array_get(addrs, i), "header", where, &h->local[i],
		                          err) < 0)
			return GW_EFORMAT;
	}
	h->n_local = (unsigned)n;
	return 0;
}

/* Fills set's sockets from the array o[key], within the set's ceiling. */
static int sockets_from_json(const json_t *o, const char *type, const char *key,
                             struct gw_sockset *set, struct gw_err *err)
{
	const json_t *a;
	if (gw__tl_get_member(o, type, key, JSON_ARRAY, false, &a, err) < 0)
		return GW_EFORMAT;
	size_t n = json_array_size(a);
	if (n > set->max_sockets)
		return gw_err_set(err, GW_ENOMEM,
		                  "%s: \"%s\": %zu sockets, over the ceiling of %zu (max_sockets)",
		                  type, key, n, set->max_sockets);
	for (size_t i = 0; i < n; i++) {
		char where[48];
		struct gw_socket s;
		snprintf(where, sizeof where, "%s[%zu]", key, i);
		if (gw__tl_socket_from_json(json_array_get(a, i), where, &s, err) < 0)
			return GW_EFORMAT;
		if (gw_sockset_add(set, &s) < 0)
			return gw_err_set(err, GW_ENOMEM, "out of memory for %zu sockets", n);
	}
	return 0;
}

static int processes_from_json(const json_t *o, const char *type, struct gw_sockset *set,
                               struct gw_err *err)
{
	const json_t *a;
	if (gw__tl_get_member(o, type, "processes", JSON_ARRAY, false, &a, err) < 0)
		return GW_EFORMAT;
	size_t n = json_array_size(a);
	if (n > set->max_processes)
		return gw_err_set(err, GW_ENOMEM,
		                  "%s: \"processes\": %zu processes, over the ceiling of %zu "
		                  "(max_processes)",
		                  type, n, set->max_processes);
	for (size_t i = 0; i < n; i++) {
		char where[48];
		struct gw_process p;
		snprintf(where, sizeof where, "processes[%zu]", i);
		if (gw__tl_process_from_json(json_array_get(a, i), where, &p, err) < 0)
			return GW_EFORMAT;
		if (gw_sockset_add_process(set, &p) < 0)
			return gw_err_set(err, GW_ENOMEM, "out of memory for %zu processes", n);
	}
	return 0;
}

/* o[key]: one socket, or null if nullable. */
static int one_socket(const json_t *o, const char *type, bool nullable, struct gw_sockset *set,
                      struct gw_err *err)
{
	const json_t *v;
	struct gw_socket s;
	if (gw__tl_get_member(o, type, "socket", JSON_OBJECT, nullable, &v, err) < 0)
		return GW_EFORMAT;
	if (!v)
		return 0;
	if (gw__tl_socket_from_json(v, "socket", &s, err) < 0)
		return GW_EFORMAT;
	if (gw_sockset_add(set, &s) < 0)
		return gw_err_set(err, GW_ENOMEM,
		                  "%s: a socket over the ceiling of %zu (max_sockets)", type,
		                  set->max_sockets);
	return 0;
}

/* o["process"]: one process or null; if given, of pid when pid >= 0. */
static int one_process(const json_t *o, const char *type, struct gw_sockset *set,
                       struct gw_err *err)
{
	const json_t *v;
	struct gw_process p;
	if (gw__tl_get_member(o, type, "process", JSON_OBJECT, true, &v, err) < 0)
		return GW_EFORMAT;
	if (!v)
		return 0;
	if (gw__tl_process_from_json(v, "process", &p, err) < 0)
		return GW_EFORMAT;
	if (gw_sockset_add_process(set, &p) < 0)
		return gw_err_set(err, GW_ENOMEM,
		                  "%s: a process over the ceiling of %zu (max_processes)", type,
		                  set->max_processes);
	return 0;
}

static int lookup_from_json(const json_t *o, struct gw_tl_record *rec, struct gw_err *err)
{
	const json_t *q;
	if (gw__tl_get_member(o, "lookup", "query", JSON_OBJECT, false, &q, err) < 0 ||
	    gw__tl_query_from_json(q, "query", &rec->query, err) < 0 ||
	    gw__tl_get_bool(o, "lookup", "found", &rec->found, err) < 0 ||
	    one_socket(o, "lookup", true, &rec->set, err) < 0 ||
	    one_process(o, "lookup", &rec->set, err) < 0)
		return GW_EFORMAT;
	if (rec->found != (rec->set.n_socks == 1))
		return gw_err_set(
		        err, GW_EFORMAT,
		        "lookup: \"found\" is %s but \"socket\" is %s: a found lookup has "
		        "its socket, a failed one has null",
		        rec->found ? "true" : "false", rec->set.n_socks ? "given" : "null");
	if (rec->set.n_procs && !rec->found)
		return gw_err_set(err, GW_EFORMAT,
		                  "lookup: a process for a lookup that found nothing");
	return 0;
}

/* An event name into rec->event, one of those type t allows. */
static int event_from_json(const json_t *o, const char *type, struct gw_tl_record *rec,
                           struct gw_err *err)
{
	char buf[40];
	if (gw__tl_get_string(o, type, "event", rec->event, sizeof rec->event, err) < 0)
		return GW_EFORMAT;
	if (gw__tl_event_valid(rec->type, rec->event))
		return 0;
	return gw_err_set(err, GW_EFORMAT, "%s: \"event\": \"%s\" is not one of %s", type,
	                  gw__tl_printable(rec->event, strlen(rec->event), buf, sizeof buf),
	                  rec->type == GW_TL_PROCESS ? "fork, exec, exit" : "add, del");
}

static int process_from_json(const json_t *o, struct gw_tl_record *rec, struct gw_err *err)
{
	int64_t pid, ppid;
	if (event_from_json(o, "process", rec, err) < 0 ||
	    gw__tl_get_int(o, "process", "pid", INT32_MIN, INT32_MAX, &pid, err) < 0 ||
	    gw__tl_get_int(o, "process", "ppid", INT32_MIN, INT32_MAX, &ppid, err) < 0 ||
	    one_process(o, "process", &rec->set, err) < 0)
		return GW_EFORMAT;
	rec->pid = (int32_t)pid;
	rec->ppid = (int32_t)ppid;
	if (rec->set.n_procs && rec->set.procs[0].pid != rec->pid)
		return gw_err_set(err, GW_EFORMAT,
		                  "process: the \"process\" has pid %" PRId32
		                  ", the record's \"pid\" %" PRId32,
		                  rec->set.procs[0].pid, rec->pid);
	return 0;
}

static int address_from_json(const json_t *o, struct gw_tl_record *rec, struct gw_err *err)
{
	const json_t *a;
	if (event_from_json(o, "address", rec, err) < 0 ||
	    gw__tl_get_member(o, "address", "addr", JSON_STRING, false, &a, err) < 0 ||
	    gw__tl_cidr_from_json(a, "address", "addr", &rec->addr, err) < 0)
		return GW_EFORMAT;
	return 0;
}

static int capture_from_json(const json_t *o, struct gw_tl_record *rec, struct gw_err *err)
{
	if (gw__tl_get_time(o, "capture", "since", &rec->since_us, err) < 0 ||
	    gw__tl_get_uint(o, "capture", "drops", UINT64_MAX, &rec->drops, err) < 0)
		return GW_EFORMAT;
	if (json_object_get(o, "outage") &&
	    gw__tl_get_bool(o, "capture", "outage", &rec->outage, err) < 0)
		return GW_EFORMAT;
	if (rec->since_us > rec->ts_us)
		return gw_err_set(err, GW_EFORMAT, "capture: \"since\" is after \"ts\"");
	return 0;
}

/* "dropped": what the poll that made a snapshot or delta could not keep
 * (absent = 0); such a record's absences say nothing. */
static int dropped_from_json(const json_t *o, const char *where, struct gw_sockset *set,
                             struct gw_err *err)
{
	uint64_t dropped = 0;
	if (json_object_get(o, "dropped") &&
	    gw__tl_get_uint(o, where, "dropped", UINT64_MAX, &dropped, err) < 0)
		return GW_EFORMAT;
	set->dropped = dropped;
	return 0;
}

/* The fields after "type" and "ts". */
static int body_from_json(const json_t *o, struct gw_tl_record *rec, struct gw_err *err)
{
	switch (rec->type) {
	case GW_TL_SNAPSHOT:
		return sockets_from_json(o, "snapshot", "sockets", &rec->set, err) < 0 ||
		                       processes_from_json(o, "snapshot", &rec->set, err) < 0 ||
		                       dropped_from_json(o, "snapshot", &rec->set, err) < 0
		               ? GW_EFORMAT
		               : 0;
	case GW_TL_DELTA:
		return sockets_from_json(o, "delta", "added", &rec->set, err) < 0 ||
		                       sockets_from_json(o, "delta", "removed", &rec->removed,
		                                         err) < 0 ||
		                       processes_from_json(o, "delta", &rec->set, err) < 0 ||
		                       dropped_from_json(o, "delta", &rec->set, err) < 0
		               ? GW_EFORMAT
		               : 0;
	case GW_TL_LOOKUP:
		return lookup_from_json(o, rec, err);
	case GW_TL_DESTROY:
		return one_socket(o, "destroy", false, &rec->set, err) < 0 ||
		                       one_process(o, "destroy", &rec->set, err) < 0
		               ? GW_EFORMAT
		               : 0;
	case GW_TL_PROCESS:
		return process_from_json(o, rec, err);
	case GW_TL_ADDRESS:
		return address_from_json(o, rec, err);
	case GW_TL_CAPTURE:
		return capture_from_json(o, rec, err);
	case GW_TL_HIDDEN:
		return sockets_from_json(o, "hidden", "sockets", &rec->set, err) < 0 ||
		                       processes_from_json(o, "hidden", &rec->set, err) < 0
		               ? GW_EFORMAT
		               : 0;
	default:
		return GW_EFORMAT;
	}
}

static int record_from_json(const json_t *o, struct gw_tl_record *rec, struct gw_err *err)
{
	const json_t *type;
	if (gw__tl_get_member(o, "record", "type", JSON_STRING, false, &type, err) < 0)
		return GW_EFORMAT;
	rec->type = gw__tl_type_parse(json_string_value(type));
	if (!rec->type) {
		char buf[40];
		return gw_err_set(err, GW_EFORMAT,
		                  "\"type\": \"%s\" is not a record type of version %d (snapshot, "
		                  "delta, lookup, destroy, process, address, capture, hidden)",
		                  gw__tl_printable(json_string_value(type),
		                                   json_string_length(type), buf, sizeof buf),
		                  GW_TIMELINE_VERSION);
	}
	const char *name = gw__tl_type_name(rec->type);
	if (gw__tl_get_time(o, name, "ts", &rec->ts_us, err) < 0)
		return GW_EFORMAT;
	int r = body_from_json(o, rec, err);
	if (r < 0)
		return r;
	size_t n_procs = rec->set.n_procs;
	gw_sockset_finish(&rec->set);
	gw_sockset_finish(&rec->removed);
	if (rec->set.n_procs != n_procs)
		return gw_err_set(err, GW_EFORMAT, "%s: \"processes\": a pid is listed twice",
		                  name);
	rec->set.ts_us = rec->ts_us;
	rec->removed.ts_us = rec->ts_us;
	return 0;
}

int gw_timeline_reader_open(const char *path, size_t max_line, struct gw_tl_header *h,
                            struct gw_timeline_reader **out, struct gw_err *err)
{
	*out = NULL;
	memset(h, 0, sizeof *h);
	FILE *f = fopen(path, "r");
	if (!f)
		return gw_err_set(err, errno == ENOENT ? GW_ENOENT : GW_EIO, "%s: cannot open: %s",
		                  path, strerror(errno));
	return gw_timeline_reader_open_stream(f, path, max_line, h, out, err);
}

int gw_timeline_reader_open_stream(FILE *f, const char *name, size_t max_line,
                                   struct gw_tl_header *h, struct gw_timeline_reader **out,
                                   struct gw_err *err)
{
	*out = NULL;
	memset(h, 0, sizeof *h);
	struct gw_timeline_reader *r = calloc(1, sizeof *r);
	if (r) {
		r->f = f;
		r->name = strdup(name ? name : "<stream>");
		r->chunk = malloc(CHUNK);
		r->max_line = max_line ? max_line : DEFAULT_MAX_LINE;
		if (r->max_line > SIZE_MAX / 4)
			r->max_line = SIZE_MAX / 4;
	}
	if (!r || !r->name || !r->chunk) {
		gw_timeline_reader_close(r);
		if (!r)
			fclose(f);
		return gw_err_set(err, GW_ENOMEM, "out of memory");
	}
	size_t len;
	bool newline;
	json_t *o = NULL;
	int rc = read_line(r, &len, &newline, err);
	if (rc == 0) {
		r->lineno = 1;
		rc = fail(r, err, GW_EFORMAT, "empty file: not a ghostwire timeline");
	}
	if (rc > 0)
		rc = parse_line(r, len, newline, &o, err);
	if (rc >= 0) {
		struct gw_err e = {0};
		rc = header_from_json(o, h, &e);
		if (rc < 0)
			fail(r, err, rc, "%s", e.msg);
		json_decref(o);
	}
	if (rc < 0) {
		memset(h, 0, sizeof *h);
		gw_timeline_reader_close(r);
		return rc;
	}
	r->last_ts = h->started_us;
	r->last_line = 1;
	*out = r;
	return 0;
}

int gw_timeline_read(struct gw_timeline_reader *r, struct gw_tl_record *rec, struct gw_err *err)
{
	gw_tl_record_clear(rec);
	if (r->error.code) {
		if (err)
			*err = r->error;
		return r->error.code;
	}
	size_t len;
	bool newline;
	json_t *o;
	int rc = read_line(r, &len, &newline, err);
	if (rc <= 0)
		return rc;
	if (parse_line(r, len, newline, &o, err) < 0)
		return r->error.code;
	struct gw_err e = {0};
	rc = record_from_json(o, rec, &e);
	json_decref(o);
	if (rc < 0) {
		gw_tl_record_clear(rec);
		return fail(r, err, rc, "%s", e.msg);
	}
	if (rec->ts_us < r->last_ts) {
		char now[32], was[32];
		gw_clock_format_us(rec->ts_us, now, sizeof now);
		gw_clock_format_us(r->last_ts, was, sizeof was);
		gw_tl_record_clear(rec);
		return fail(r, err, GW_EFORMAT,
		            "\"ts\" %s is earlier than %s on line %" PRIu64
		            ": times must not go backwards",
		            now, was, r->last_line);
	}
	r->last_ts = rec->ts_us;
	r->last_line = r->lineno;
	return 1;
}

void gw_timeline_reader_close(struct gw_timeline_reader *r)
{
	if (!r)
		return;
	if (r->f)
		fclose(r->f);
	free(r->name);
	free(r->line);
	free(r->chunk);
	free(r);
}
