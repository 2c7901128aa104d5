/* core/json_line.c — a JSON value dumped into a buffer (on the stack for a
 * usual line, on the heap beyond), then written with one fwrite. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

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
