/* cursor.h — the bounded cursor through which every parser reads: loads fail
 * instead of running past the end, and never cast pointers (loads are byte
 * assembly), so hostile input cannot cause an out-of-bounds or unaligned read. */
#ifndef GHOSTWIRE_CURSOR_H
#define GHOSTWIRE_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gw_cursor {
	const uint8_t *p;   /* next byte to read */
	const uint8_t *end; /* one past the last readable byte */
};

static inline struct gw_cursor gw_cursor_make(const uint8_t *p, size_t len)
{
	struct gw_cursor c = {p, p + len};
	return c;
}

static inline size_t gw_cursor_left(const struct gw_cursor *c)
{
	return (size_t)(c->end - c->p);
}

static inline bool gw_cursor_has(const struct gw_cursor *c, size_t n)
{
	return gw_cursor_left(c) >= n;
}

/* Advances by n bytes; false (cursor unchanged) if fewer than n remain. */
static inline bool gw_cursor_skip(struct gw_cursor *c, size_t n)
{
	if (!gw_cursor_has(c, n))
		return false;
	c->p += n;
	return true;
}

static inline bool gw_cursor_u8(struct gw_cursor *c, uint8_t *v)
{
	if (!gw_cursor_has(c, 1))
		return false;
	*v = c->p[0];
	c->p += 1;
	return true;
}

static inline bool gw_cursor_be16(struct gw_cursor *c, uint16_t *v)
{
	if (!gw_cursor_has(c, 2))
		return false;
	*v = (uint16_t)((unsigned)c->p[0] << 8 | c->p[1]);
	c->p += 2;
	return true;
}

static inline bool gw_cursor_le16(struct gw_cursor *c, uint16_t *v)
{
	if (!gw_cursor_has(c, 2))
		return false;
	*v = (uint16_t)((unsigned)c->p[1] << 8 | c->p[0]);
	c->p += 2;
	return true;
}

static inline bool gw_cursor_be32(struct gw_cursor *c, uint32_t *v)
{
	if (!gw_cursor_has(c, 4))
		return false;
	*v = (uint32_t)c->p[0] << 24 | (uint32_t)c->p[1] << 16 | (uint32_t)c->p[2] << 8 | c->p[3];
	c->p += 4;
	return true;
}

static inline bool gw_cursor_le32(struct gw_cursor *c, uint32_t *v)
{
	if (!gw_cursor_has(c, 4))
		return false;
	*v = (uint32_t)c->p[3] << 24 | (uint32_t)c->p[2] << 16 | (uint32_t)c->p[1] << 8 | c->p[0];
	c->p += 4;
	return true;
}

/* Copies n bytes out; false (cursor unchanged) if fewer remain. */
static inline bool gw_cursor_bytes(struct gw_cursor *c, void *dst, size_t n)
{
	if (!gw_cursor_has(c, n))
		return false;
	for (size_t i = 0; i < n; i++)
		((uint8_t *)dst)[i] = c->p[i];
	c->p += n;
	return true;
}

/* A sub-cursor over the next n bytes (which the parent skips); false if fewer remain. */
static inline bool gw_cursor_sub(struct gw_cursor *c, size_t n, struct gw_cursor *sub)
{
	if (!gw_cursor_has(c, n))
		return false;
	sub->p = c->p;
	sub->end = c->p + n;
	c->p += n;
	return true;
}

#endif
