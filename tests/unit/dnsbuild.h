/* dnsbuild.h — builds DNS messages byte by byte for the unit tests (on top of
 * pktbuild.h's struct pb): header, names as labels or pointers, questions and
 * A/AAAA/CNAME records. Used by the unit tests only. */
#ifndef GHOSTWIRE_TEST_DNSBUILD_H
#define GHOSTWIRE_TEST_DNSBUILD_H

#include <string.h>

#include "pktbuild.h"

enum {
	DB_RESPONSE = 0x8180, /* QR, RD, RA, RCODE 0 */
	DB_QUERY = 0x0100,    /* RD */
};

static inline void db_header(struct pb *p, uint16_t flags, uint16_t qd, uint16_t an, uint16_t ns,
                             uint16_t ar)
{
	pb_be16(p, 0x4242);
	pb_be16(p, flags);
	pb_be16(p, qd);
	pb_be16(p, an);
	pb_be16(p, ns);
	pb_be16(p, ar);
}

/* "www.example.com" as labels, without the final zero: follow with db_end or
 * db_ptr. Returns the offset where it starts. */
static inline size_t db_labels(struct pb *p, const char *name)
{
	size_t at = p->n;
	while (*name) {
		const char *dot = strchr(name, '.');
		size_t n = dot ? (size_t)(dot - name) : strlen(name);
		pb_u8(p, (uint8_t)n);
		pb_bytes(p, name, n);
		name += n + (dot ? 1 : 0);
	}
	return at;
}

static inline void db_end(struct pb *p)
{
	pb_u8(p, 0);
}

static inline void db_ptr(struct pb *p, size_t off)
{
	pb_be16(p, (uint16_t)(0xc000 | off));
}

/* A whole uncompressed name; returns its offset. */
static inline size_t db_name(struct pb *p, const char *name)
{
	size_t at = db_labels(p, name);
	db_end(p);
	return at;
}

/* type, class IN, TTL and rdata length, after the record's name. */
static inline void db_rr(struct pb *p, uint16_t type, uint32_t ttl, uint16_t rdlen)
{
	pb_be16(p, type);
	pb_be16(p, 1);
	pb_be32(p, ttl);
	pb_be16(p, rdlen);
}

static inline void db_question(struct pb *p, const char *name, uint16_t type)
{
	db_name(p, name);
	pb_be16(p, type);
	pb_be16(p, 1);
}

static inline void db_a(struct pb *p, uint32_t ttl, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	db_rr(p, 1, ttl, 4);
	pb_u8(p, a);
	pb_u8(p, b);
	pb_u8(p, c);
	pb_u8(p, d);
}

static inline void db_aaaa(struct pb *p, uint32_t ttl, const uint8_t addr[16])
{
	db_rr(p, 28, ttl, 16);
	pb_bytes(p, addr, 16);
}

/* A CNAME whose target is written uncompressed. */
static inline void db_cname(struct pb *p, uint32_t ttl, const char *target)
{
	db_rr(p, 5, ttl, (uint16_t)(strlen(target) + 2));
	db_name(p, target);
}

#endif
