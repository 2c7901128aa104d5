/* session/timeline_writer.c — records the socket timeline of a live run: the
 * header, then one compact JSON line per record (docs/timeline.md). It owns
 * the output stream, the rule that times never go backwards, and what happens
 * on a failed write: the line is written whole or cut back off a regular file. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ghostwire/timeline.h"
#include "timeline_internal.h"

struct gw_timeline_writer {
	FILE *f;         /* owned; unbuffered, so a line reaches the file in one write */
	char *name;      /* for messages */
	off_t good;      /* size of the file up to its last complete line */
	bool regular;    /* a regular file written at its end: it can be cut back to `good` */
	bool failed;     /* a write failed: nothing more is written */
	int64_t last_ts; /* the latest time written: the header's start, then records' */
};

/* Prefixes a builder's message with the file name. */
static int fail_record(const struct gw_timeline_writer *w, const char *what, const struct gw_err *e,
                       struct gw_err *err)
{
	return gw_err_set(err, e->code ? e->code : GW_EINVAL, "%s: cannot record the %s: %s",
	                  w->name, what, e->msg);
}

/* Marks w failed after errno e, cutting off what the failed write of n bytes
 * left: only when the file ends within those n bytes, so that nothing but our
 * own partial line can ever be cut. */
static int write_failed(struct gw_timeline_writer *w, size_t n, int e, struct gw_err *err)
{
	const char *undo = "a partial line may remain at its end";
	struct stat st;
	w->failed = true;
	if (w->regular && fstat(fileno(w->f), &st) == 0 && st.st_size >= w->good &&
	    (size_t)(st.st_size - w->good) < n && ftruncate(fileno(w->f), w->good) == 0)
		undo = "nothing of the record was kept";
	return gw_err_set(err, GW_EIO, "%s: write failed: %s (%s)", w->name,
	                  e ? strerror(e) : "unknown error", undo);
}

/* Writes o (taken) as one line, whole, with one fwrite. */
static int write_line(struct gw_timeline_writer *w, json_t *o, struct gw_err *err)
{
	char *text = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(o);
	size_t n = text ? strlen(text) : 0;
	char *line = text ? realloc(text, n + 2) : NULL;
	if (!line) {
		free(text);
		return gw_err_set(err, GW_ENOMEM, "%s: out of memory", w->name);
	}
	line[n++] = '\n';
	line[n] = '\0';
	errno = 0;
	bool ok = fwrite(line, 1, n, w->f) == n && fflush(w->f) == 0 && !ferror(w->f);
	int e = errno;
	free(line);
	if (!ok)
		return write_failed(w, n, e, err);
	w->good += (off_t)n;
	return 0;
}

static json_t *header_to_json(const struct gw_tl_header *h, struct gw_err *err)
{
	if (h->n_local > GW_MAX_LOCAL_NETS) {
		gw_err_set(err, GW_EINVAL, "%u local addresses, more than %d", h->n_local,
		           GW_MAX_LOCAL_NETS);
		return NULL;
	}
	json_t *o = json_object(), *addrs = json_array();
	bool ok = o && addrs;
	ok = ok && !json_object_set_new(o, "format", json_string(GW_TIMELINE_FORMAT));
	ok = ok && !json_object_set_new(o, "version", json_integer(GW_TIMELINE_VERSION));
	json_t *v = NULL;
	ok = ok && (v = gw__tl_string_to_json(h->host, sizeof h->host, "host", err)) &&
	     !json_object_set_new(o, "host", v);
	ok = ok && (v = gw__tl_string_to_json(h->source, sizeof h->source, "source", err)) &&
	     !json_object_set_new(o, "source", v);
	ok = ok && (v = gw__tl_time_to_json(h->started_us, err)) &&
	     !json_object_set_new(o, "started", v);
	if (h->pid > 0)
		ok = ok && !json_object_set_new(o, "pid", json_integer(h->pid));
	for (unsigned i = 0; ok && i < h->n_local; i++)
		ok = (v = gw__tl_cidr_to_json(&h->local[i], "local address", err)) &&
		     !json_array_append_new(addrs, v);
	ok = ok && !json_object_set_new(o, "local_addrs", json_incref(addrs));
	json_decref(addrs);
	if (!ok) {
		if (err && !err->code)
			gw_err_set(err, GW_ENOMEM, "out of memory");
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *sockets_to_json(const struct gw_socket *v, size_t n, struct gw_err *err)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++) {
		json_t *s = gw__tl_socket_to_json(&v[i], err);
		if (!s || json_array_append_new(a, s) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *processes_to_json(const struct gw_process *v, size_t n, struct gw_err *err)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++) {
		json_t *p = gw__tl_process_to_json(&v[i], err);
		if (!p || json_array_append_new(a, p) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* The one socket of a set, or null for none. */
static json_t *one_socket(const struct gw_sockset *s, struct gw_err *err)
{
	return s->n_socks ? gw__tl_socket_to_json(&s->socks[0], err) : json_null();
}

static json_t *one_process(const struct gw_sockset *s, struct gw_err *err)
{
	return s->n_procs ? gw__tl_process_to_json(&s->procs[0], err) : json_null();
}

/* Checks that rec has the shape its type allows (docs/timeline.md). */
static int check_shape(const struct gw_tl_record *rec, struct gw_err *err)
{
	const struct gw_sockset *s = &rec->set;
	switch (rec->type) {
	case GW_TL_SNAPSHOT:
	case GW_TL_DELTA:
		return 0;
	case GW_TL_LOOKUP:
		if (s->n_socks != (rec->found ? 1u : 0u) || s->n_procs > s->n_socks)
			return gw_err_set(err, GW_EINVAL,
			                  "a lookup holds one socket if found (else none) and at "
			                  "most one process: found %d, %zu sockets, %zu processes",
			                  rec->found, s->n_socks, s->n_procs);
		return 0;
	case GW_TL_DESTROY:
		if (s->n_socks != 1 || s->n_procs > 1)
			return gw_err_set(err, GW_EINVAL,
			                  "a destroy holds one socket and at most one process, not "
			                  "%zu and %zu",
			                  s->n_socks, s->n_procs);
		return 0;
	case GW_TL_PROCESS:
		if (s->n_socks != 0 || s->n_procs > 1 ||
		    (s->n_procs && s->procs[0].pid != rec->pid))
			return gw_err_set(err, GW_EINVAL,
			                  "a process event holds no socket and at most the process "
			                  "of its pid");
		/* fall through */
	case GW_TL_ADDRESS:
		if (strnlen(rec->event, sizeof rec->event) == sizeof rec->event ||
		    !gw__tl_event_valid(rec->type, rec->event))
			return gw_err_set(err, GW_EINVAL, "unknown event");
		return 0;
	case GW_TL_HIDDEN:
		return 0;
	case GW_TL_CAPTURE:
		if (s->n_socks || s->n_procs || rec->since_us > rec->ts_us)
			return gw_err_set(err, GW_EINVAL,
			                  "a capture record holds no socket, and since <= ts");
		return 0;
	default:
		return gw_err_set(err, GW_EINVAL, "unknown record type %d", (int)rec->type);
	}
}

/* Sets o[key] = v (taken); false if v is NULL (its error already set) or on failure. */
static bool put(json_t *o, const char *key, json_t *v, struct gw_err *err)
{
	if (v && json_object_set_new(o, key, v) == 0)
		return true;
	if (v && err)
		gw_err_set(err, GW_ENOMEM, "out of memory");
	return false;
}

/* The fields that follow "type" and "ts". */
static bool put_body(json_t *o, const struct gw_tl_record *rec, struct gw_err *err)
{
	const struct gw_sockset *s = &rec->set;
	switch (rec->type) {
	case GW_TL_SNAPSHOT:
		return put(o, "sockets", sockets_to_json(s->socks, s->n_socks, err), err) &&
		       put(o, "processes", processes_to_json(s->procs, s->n_procs, err), err) &&
		       (!s->dropped || put(o, "dropped", gw__tl_u64_to_json(s->dropped), err));
	case GW_TL_DELTA:
		return (!s->dropped || put(o, "dropped", gw__tl_u64_to_json(s->dropped), err)) &&
		       put(o, "added", sockets_to_json(s->socks, s->n_socks, err), err) &&
		       put(o, "removed",
		           sockets_to_json(rec->removed.socks, rec->removed.n_socks, err), err) &&
		       put(o, "processes", processes_to_json(s->procs, s->n_procs, err), err);
	case GW_TL_LOOKUP:
		return put(o, "query", gw__tl_query_to_json(&rec->query, err), err) &&
		       put(o, "found", json_boolean(rec->found), err) &&
		       put(o, "socket", one_socket(s, err), err) &&
		       put(o, "process", one_process(s, err), err);
	case GW_TL_DESTROY:
		return put(o, "socket", one_socket(s, err), err) &&
		       put(o, "process", one_process(s, err), err);
	case GW_TL_PROCESS:
		return put(o, "event", json_string(rec->event), err) &&
		       put(o, "pid", json_integer(rec->pid), err) &&
		       put(o, "ppid", json_integer(rec->ppid), err) &&
		       put(o, "process", one_process(s, err), err);
	case GW_TL_ADDRESS:
		return put(o, "event", json_string(rec->event), err) &&
		       put(o, "addr", gw__tl_cidr_to_json(&rec->addr, "address", err), err);
	case GW_TL_HIDDEN:
		return put(o, "sockets", sockets_to_json(s->socks, s->n_socks, err), err) &&
		       put(o, "processes", processes_to_json(s->procs, s->n_procs, err), err);
	case GW_TL_CAPTURE:
		return put(o, "since", gw__tl_time_to_json(rec->since_us, err), err) &&
		       put(o, "drops", gw__tl_u64_to_json(rec->drops), err) &&
		       (!rec->outage || put(o, "outage", json_true(), err));
	default:
		return false;
	}
}

static json_t *record_to_json(const struct gw_tl_record *rec, struct gw_err *err)
{
	if (check_shape(rec, err) < 0)
		return NULL;
	json_t *o = json_object();
	bool ok = o && put(o, "type", json_string(gw__tl_type_name(rec->type)), err) &&
	          put(o, "ts", gw__tl_time_to_json(rec->ts_us, err), err) && put_body(o, rec, err);
	if (!ok) {
		if (err && !err->code)
			gw_err_set(err, GW_ENOMEM, "out of memory");
		json_decref(o);
		return NULL;
	}
	return o;
}

int gw_timeline_writer_open(const char *path, const struct gw_tl_header *h,
                            struct gw_timeline_writer **out, struct gw_err *err)
{
	*out = NULL;
	FILE *f = fopen(path, "w");
	if (!f)
		return gw_err_set(err, errno == ENOENT ? GW_ENOENT : GW_EIO,
		                  "%s: cannot create: %s", path, strerror(errno));
	return gw_timeline_writer_open_stream(f, path, h, out, err);
}

int gw_timeline_writer_open_stream(FILE *f, const char *name, const struct gw_tl_header *h,
                                   struct gw_timeline_writer **out, struct gw_err *err)
{
	*out = NULL;
	struct gw_timeline_writer *w = calloc(1, sizeof *w);
	if (w)
		w->name = strdup(name ? name : "<stream>");
	if (!w || !w->name) {
		free(w);
		fclose(f);
		return gw_err_set(err, GW_ENOMEM, "out of memory");
	}
	w->f = f;
	/* A stream on a file descriptor is made unbuffered, so that a line goes out
	 * in one write(2) and nothing of a failed one waits in a buffer to be
	 * flushed later. (Memory streams keep their buffer: they live in it.) */
	struct stat st;
	int fd = fileno(f);
	if (fd >= 0)
		setvbuf(f, NULL, _IONBF, 0);
	/* Lines go at the end of a regular file (opened "w", or appended to). */
	w->regular = fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	             (ftello(f) == st.st_size || (fcntl(fd, F_GETFL) & O_APPEND));
	w->good = w->regular ? st.st_size : 0;
	w->last_ts = h->started_us;

	struct gw_err e = {0};
	json_t *o = header_to_json(h, &e);
	int r = o ? write_line(w, o, err) : fail_record(w, "header", &e, err);
	if (r < 0) {
		gw_timeline_writer_close(w, NULL);
		return r;
	}
	*out = w;
	return 0;
}

int gw_timeline_write(struct gw_timeline_writer *w, const struct gw_tl_record *rec,
                      struct gw_err *err)
{
	char was[32], now[32];
	if (w->failed)
		return gw_err_set(err, GW_EIO, "%s: an earlier write failed", w->name);
	if (rec->ts_us < w->last_ts)
		return gw_err_set(
		        err, GW_EINVAL,
		        "%s: cannot record a %s at %s, before the previous record (%s): "
		        "times must not go backwards",
		        w->name,
		        gw__tl_type_name(rec->type) ? gw__tl_type_name(rec->type) : "record",
		        gw__tl_time_format(rec->ts_us, now, sizeof now, NULL) < 0 ? "?" : now,
		        gw__tl_time_format(w->last_ts, was, sizeof was, NULL) < 0 ? "?" : was);
	struct gw_err e = {0};
	json_t *o = record_to_json(rec, &e);
	if (!o) {
		const char *type = gw__tl_type_name(rec->type);
		return fail_record(w, type ? type : "record", &e, err);
	}
	int r = write_line(w, o, err);
	if (r == 0)
		w->last_ts = rec->ts_us;
	return r;
}

int gw_timeline_writer_close(struct gw_timeline_writer *w, struct gw_err *err)
{
	if (!w)
		return 0;
	int r = 0;
	errno = 0;
	bool flushed = fflush(w->f) == 0 && !ferror(w->f);
	int e = errno;
	if (fclose(w->f) != 0 && flushed) {
		flushed = false;
		e = errno;
	}
	if (!flushed && !w->failed)
		r = gw_err_set(err, GW_EIO, "%s: write failed: %s", w->name,
		               e ? strerror(e) : "unknown error");
	free(w->name);
	free(w);
	return r;
}
