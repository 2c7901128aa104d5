/* core/json_line.c — a JSON value dumped into a buffer (on the stack for a
 * usual line, on the heap beyond), then written with one fwrite. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ghostwire/clock.h"
#include "ghostwire/err.h"
#include "ghostwire/json_line.h"

struct line_buf {
	char stack[8192];
	char *b; /* stack, or a heap block */
	size_t n, cap;
	bool failed;
};

static int append(const char *text, size_t size, void *data)
{
	struct line_buf *l = data;
	if (l->n + size + 1 > l->cap) {
		size_t cap = l->cap * 2;
		while (cap < l->n + size + 1)
			cap *= 2;
		char *nb = l->b == l->stack ? malloc(cap) : realloc(l->b, cap);
		if (!nb) {
			l->failed = true;
			return -1;
		}
		if (l->b == l->stack)
			memcpy(nb, l->stack, l->n);
		l->b = nb;
		l->cap = cap;
	}
	memcpy(l->b + l->n, text, size);
	l->n += size;
	return 0;
}

int gw_json_write_line(FILE *out, const json_t *o, size_t flags)
{
	struct line_buf l;
	l.b = l.stack;
	l.n = 0;
	l.cap = sizeof l.stack;
	l.failed = false;
	int r = -1;
	if (o && json_dump_callback(o, append, &l, flags) == 0 && !l.failed) {
		l.b[l.n++] = '\n';
		r = fwrite(l.b, 1, l.n, out) == l.n ? 0 : -1;
	}
	if (l.b != l.stack)
		free(l.b);
	return r;
}

int gw_json_save_file(const json_t *o, const char *path, struct gw_err *err)
{
	char tmp[4096];
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp)
		return gw_err_set(err, GW_EINVAL, "%s: path too long", path);
	FILE *f = fopen(tmp, "w");
	if (!f)
		return gw_err_set(err, GW_EIO, "%s: %s", tmp, strerror(errno));
	errno = 0;
	bool failed = json_dumpf(o, f, JSON_INDENT(1) | JSON_ENSURE_ASCII) < 0 ||
	              fputc('\n', f) < 0 || fflush(f) != 0;
	int e = errno;
	if (fclose(f) != 0 && !failed)
		failed = true, e = errno;
	if (!failed && rename(tmp, path) != 0)
		failed = true, e = errno;
	if (failed) {
		remove(tmp);
		return gw_err_set(err, GW_EIO, "%s: %s", path, strerror(e ? e : EIO));
	}
	return 0;
}

static int check_format(const json_t *root, const char *path, const char *format, int version,
                        struct gw_err *err)
{
	const char *f = NULL;
	json_int_t v = 0;
	if (json_unpack((json_t *)root, "{s:s, s:I}", "format", &f, "version", &v) < 0 ||
	    strcmp(f, format) != 0)
		return gw_err_set(err, GW_EFORMAT, "%s: not a %s file", path, format);
	if (v != version)
		return gw_err_set(err, GW_EFORMAT,
		                  "%s: %s version %" JSON_INTEGER_FORMAT
		                  ", this ghostwire reads version %d",
		                  path, format, v, version);
	return 0;
}

json_t *gw_json_load_file(const char *path, const char *format, int version, struct gw_err *err)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		gw_err_set(err, errno == ENOENT ? GW_ENOENT : GW_EIO, "%s: %s", path,
		           strerror(errno));
		return NULL;
	}
	json_error_t je;
	json_t *root = json_loadf(f, JSON_REJECT_DUPLICATES, &je);
	fclose(f);
	if (!root) {
		gw_err_set(err, GW_EFORMAT, "%s: line %d: %s", path, je.line, je.text);
		return NULL;
	}
	if (check_format(root, path, format, version, err) < 0) {
		json_decref(root);
		return NULL;
	}
	return root;
}

json_t *gw_json_time(int64_t us)
{
	char t[32];
	return json_string(gw_clock_format_us(us, t, sizeof t));
}

int gw_json_get_time(const json_t *o, const char *key, int64_t *out)
{
	const json_t *v = json_object_get(o, key);
	return json_is_string(v)
	               ? gw_clock_parse_us(json_string_value(v), json_string_length(v), out)
	               : -1;
}
