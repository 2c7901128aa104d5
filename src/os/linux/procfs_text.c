/* os/linux/procfs_text.c — the bounded text layer under every /proc reader: whole
 * small files into fixed buffers, big tables line by line through one buffer,
 * tokens and numbers through a cursor, "type:[N]" links, and escaping of text
 * that ends up in reports. Nothing here trusts a byte it reads. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "procfs_internal.h"

int gw__proc_read(int dirfd, const char *path, char *buf, size_t cap, size_t *len)
{
	*len = 0;
	if (cap == 0)
		return -EINVAL;
	buf[0] = '\0';
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	size_t n = 0;
	while (n < cap - 1) {
		ssize_t r = read(fd, buf + n, cap - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = -errno;
			close(fd);
			return e;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*len = n;
	return 0;
}

static bool is_blank(uint8_t b)
{
	return b == ' ' || b == '\t';
}

bool gw__tok_next(struct gw_cursor *c, struct gw_cursor *tok)
{
	const uint8_t *p = c->p;
	while (p < c->end && is_blank(*p))
		p++;
	if (p == c->end)
		return false;
	const uint8_t *q = p;
	while (q < c->end && !is_blank(*q))
		q++;
	tok->p = p;
	tok->end = q;
	c->p = q;
	return true;
}

bool gw__tok_split(struct gw_cursor *tok, uint8_t sep, struct gw_cursor *head)
{
	const uint8_t *q = memchr(tok->p, sep, gw_cursor_left(tok));
	if (!q)
		return false;
	head->p = tok->p;
	head->end = q;
	tok->p = q + 1;
	return true;
}

bool gw__tok_dec(struct gw_cursor tok, uint64_t max, uint64_t *v)
{
	if (gw_cursor_left(&tok) == 0 || gw_cursor_left(&tok) > 20)
		return false;
	uint64_t x = 0;
	for (const uint8_t *p = tok.p; p < tok.end; p++) {
		if (*p < '0' || *p > '9')
			return false;
		unsigned d = (unsigned)(*p - '0');
		if (d > max || x > (max - d) / 10)
			return false;
		x = x * 10 + d;
	}
	*v = x;
	return true;
}

static int hex_digit(uint8_t b)
{
	if (b >= '0' && b <= '9')
		return b - '0';
	if (b >= 'a' && b <= 'f')
		return b - 'a' + 10;
	if (b >= 'A' && b <= 'F')
		return b - 'A' + 10;
	return -1;
}

bool gw__tok_hex(struct gw_cursor tok, size_t min_digits, size_t max_digits, uint64_t *v)
{
	size_t n = gw_cursor_left(&tok);
	if (n < min_digits || n > max_digits || n == 0 || n > 16)
		return false;
	uint64_t x = 0;
	for (const uint8_t *p = tok.p; p < tok.end; p++) {
		int d = hex_digit(*p);
		if (d < 0)
			return false;
		x = x << 4 | (uint64_t)d;
	}
	*v = x;
	return true;
}

bool gw__tok_is(struct gw_cursor tok, const char *word)
{
	size_t n = strlen(word);
	return gw_cursor_left(&tok) == n && memcmp(tok.p, word, n) == 0;
}

bool gw__proc_link_id(const uint8_t *text, size_t len, const char *prefix, uint64_t *id)
{
	size_t pl = strlen(prefix);
	struct gw_cursor c = gw_cursor_make(text, len);
	if (len < pl + 3 || memcmp(text, prefix, pl) != 0)
		return false;
	if (!gw_cursor_skip(&c, pl) || c.p[0] != '[' || c.end[-1] != ']')
		return false;
	struct gw_cursor num = {c.p + 1, c.end - 1};
	return gw__tok_dec(num, UINT64_MAX, id) && *id != 0;
}

int gw__proc_ns_id(int dirfd, const char *path, const char *type, uint64_t *id)
{
	char link[64], prefix[24];
	*id = 0;
	ssize_t n = readlinkat(dirfd, path, link, sizeof link);
	if (n < 0 && errno != EINVAL)
		return -errno;
	size_t tl = strlen(type);
	if (tl + 2 > sizeof prefix)
		return -EINVAL;
	memcpy(prefix, type, tl);
	memcpy(prefix + tl, ":", 2);
	if (n > 0 && (size_t)n < sizeof link &&
	    gw__proc_link_id((const uint8_t *)link, (size_t)n, prefix, id))
		return 0;
	/* Not a link, or not the kernel's text: the namespace file's own inode. */
	struct stat st;
	if (fstatat(dirfd, path, &st, 0) < 0)
		return -errno;
	*id = (uint64_t)st.st_ino;
	return 0;
}

/* Length of the valid UTF-8 sequence at p (at most n bytes), 0 if invalid.
 * Rejects overlong forms, surrogates and code points above U+10FFFF. */
static size_t utf8_len(const uint8_t *p, size_t n)
{
	uint8_t b = p[0];
	size_t len;
	uint32_t cp, min;
	if (b < 0x80)
		return 1;
	if ((b & 0xe0) == 0xc0) {
		len = 2, cp = b & 0x1f, min = 0x80;
	} else if ((b & 0xf0) == 0xe0) {
		len = 3, cp = b & 0x0f, min = 0x800;
	} else if ((b & 0xf8) == 0xf0) {
		len = 4, cp = b & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

size_t gw__text_escape(const uint8_t *p, size_t n, char *out, size_t size, bool nul_as_space)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, i = 0;
	while (i < n) {
		uint8_t b = p[i];
		char tmp[4];
		const uint8_t *src = (const uint8_t *)tmp;
		size_t take = 1, emit;
		if (b == 0 && !nul_as_space)
			break;
		size_t u = b >= 0x80 ? utf8_len(p + i, n - i) : 0;
		if (b == 0) {
			tmp[0] = ' ', emit = 1;
		} else if (b == '\\') {
			tmp[0] = '\\', tmp[1] = '\\', emit = 2;
		} else if (b >= 0x20 && b < 0x7f) {
			src = p + i, emit = 1;
		} else if (u > 1) {
			src = p + i, emit = take = u;
		} else {
			tmp[0] = '\\', tmp[1] = 'x', tmp[2] = hex[b >> 4], tmp[3] = hex[b & 15];
			emit = 4;
		}
		if (o + emit + 1 > size)
			break;
		memcpy(out + o, src, emit);
		o += emit;
		i += take;
	}
	if (size)
		out[o] = '\0';
	return o;
}

void gw__lines_init(struct gw__lines *l, int fd)
{
	l->fd = fd;
	l->lineno = 0;
	l->start = l->end = 0;
	l->eof = false;
}

/* Reads more bytes after those unread, moving them to the front first. */
static int fill(struct gw__lines *l)
{
	if (l->start > 0) {
		memmove(l->buf, l->buf + l->start, l->end - l->start);
		l->end -= l->start;
		l->start = 0;
	}
	while (!l->eof && l->end < sizeof l->buf) {
		ssize_t r = read(l->fd, l->buf + l->end, sizeof l->buf - l->end);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			l->eof = true;
		l->end += (size_t)r;
		return 0;
	}
	return 0;
}

/* Drops bytes up to and including the next newline (the tail of a long line). */
static int skip_rest(struct gw__lines *l)
{
	for (;;) {
		const uint8_t *q = memchr(l->buf + l->start, '\n', l->end - l->start);
		if (q) {
			l->start = (size_t)(q - l->buf) + 1;
			return 0;
		}
		l->start = l->end;
		if (l->eof)
			return 0;
		int r = fill(l);
		if (r < 0)
			return r;
	}
}

int gw__lines_next(struct gw__lines *l, struct gw_cursor *line, bool *too_long)
{
	*too_long = false;
	for (;;) {
		size_t avail = l->end - l->start;
		size_t look = avail < GW__LINE_MAX + 1 ? avail : GW__LINE_MAX + 1;
		const uint8_t *b = l->buf + l->start;
		const uint8_t *q = memchr(b, '\n', look);
		if (q || avail > GW__LINE_MAX || (l->eof && avail > 0)) {
			l->lineno++;
			size_t len =
			        q ? (size_t)(q - b) : (avail > GW__LINE_MAX ? GW__LINE_MAX : avail);
			*line = gw_cursor_make(b, len);
			if (q) {
				l->start += len + 1;
				return 1;
			}
			if (avail <= GW__LINE_MAX) { /* last line, no newline */
				l->start = l->end;
				return 1;
			}
			/* Too long: its bytes are dropped (skipping may refill the buffer
			 * under them), so the caller sees an empty line flagged too_long. */
			*too_long = true;
			*line = gw_cursor_make(b, 0);
			l->start += len;
			int r = skip_rest(l);
			return r < 0 ? r : 1;
		}
		if (l->eof)
			return 0;
		int r = fill(l);
		if (r < 0)
			return r;
	}
}
