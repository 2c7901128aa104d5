/* os/linux/exe_hash.c — SHA-256 of process executables (OpenSSL's EVP digest),
 * each file version read once: owns the bounded digest cache keyed by (st_dev,
 * st_ino, st_mtime, st_size), the read buffer and the size limit. */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "details_internal.h"
#include "ghostwire/clock.h"

enum {
	READ_BUF = 256 * 1024,
	DIGEST_LEN = 32,
};

/* One file version and its digest; used == false is an empty slot. */
struct hash_entry {
	bool used;
	uint64_t dev, ino, size;
	int64_t mtime_ns;
	uint8_t digest[DIGEST_LEN];
};

struct gw__exe_hashes {
	struct hash_entry *slots; /* open addressing; cap a power of two >= 2 * max */
	size_t cap, n, max;
	uint64_t max_bytes;
	uint8_t *buf; /* READ_BUF */
	EVP_MD_CTX *ctx;
	EVP_MD *md;
};

struct gw__exe_hashes *gw__exe_hashes_new(uint32_t max_entries, uint64_t max_bytes)
{
	struct gw__exe_hashes *h = calloc(1, sizeof *h);
	if (!h)
		return NULL;
	h->max = max_entries ? max_entries : 1;
	h->max_bytes = max_bytes;
	h->cap = 16;
	while (h->cap < h->max * 2)
		h->cap *= 2;
	h->slots = calloc(h->cap, sizeof *h->slots);
	h->buf = malloc(READ_BUF);
	h->ctx = EVP_MD_CTX_new();
	h->md = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (!h->slots || !h->buf || !h->ctx || !h->md) {
		gw__exe_hashes_free(h);
		return NULL;
	}
	return h;
}

void gw__exe_hashes_free(struct gw__exe_hashes *h)
{
	if (!h)
		return;
	free(h->slots);
	free(h->buf);
	EVP_MD_CTX_free(h->ctx);
	EVP_MD_free(h->md);
	free(h);
}

static int64_t mtime_ns(const struct stat *st)
{
	return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

static bool same_version(const struct hash_entry *e, const struct stat *st)
{
	return e->dev == (uint64_t)st->st_dev && e->ino == (uint64_t)st->st_ino &&
	       e->size == (uint64_t)st->st_size && e->mtime_ns == mtime_ns(st);
}

/* The slot of st's file version: its entry, or the empty slot it would take. */
static struct hash_entry *slot_of(struct gw__exe_hashes *h, const struct stat *st)
{
	uint64_t k = (uint64_t)st->st_ino * 0x9e3779b97f4a7c15ull ^ (uint64_t)st->st_dev;
	k ^= k >> 29;
	k *= 0xbf58476d1ce4e5b9ull;
	k ^= k >> 32;
	size_t i = (size_t)k & (h->cap - 1);
	while (h->slots[i].used && !same_version(&h->slots[i], st))
		i = (i + 1) & (h->cap - 1);
	return &h->slots[i];
}

static void to_hex(const uint8_t *d, char *out)
{
	static const char hex[] = "0123456789abcdef";
	for (int i = 0; i < DIGEST_LEN; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[2 * DIGEST_LEN] = '\0';
}

/* Reads fd to its end (at most limit bytes: more fails) into the digest. */
static bool digest_fd(struct gw__exe_hashes *h, int fd, uint64_t limit, uint8_t *digest,
                      uint64_t *bytes)
{
	*bytes = 0;
	if (!EVP_DigestInit_ex(h->ctx, h->md, NULL))
		return false;
	for (;;) {
		ssize_t n = read(fd, h->buf, READ_BUF);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return false;
		if (n == 0)
			break;
		*bytes += (uint64_t)n;
		if (*bytes > limit || !EVP_DigestUpdate(h->ctx, h->buf, (size_t)n))
			return false;
	}
	unsigned len = 0;
	return EVP_DigestFinal_ex(h->ctx, digest, &len) && len == DIGEST_LEN;
}

/* Opens and hashes the file; true with *digest if it is still the version st
 * describes after the read (else it changed meanwhile: not kept). */
static bool hash_file(struct gw__exe_hashes *h, int dirfd, const char *path, const struct stat *st,
                      uint8_t *digest, struct gw_procinfo_stats *stats)
{
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return false;
	struct stat before, after;
	int64_t t0 = gw_clock_monotonic_us();
	uint64_t bytes = 0;
	bool ok = fstat(fd, &before) == 0 && S_ISREG(before.st_mode) &&
	          before.st_dev == st->st_dev && before.st_ino == st->st_ino &&
	          digest_fd(h, fd, (uint64_t)st->st_size, digest, &bytes) &&
	          fstat(fd, &after) == 0 && after.st_size == st->st_size &&
	          (uint64_t)st->st_size == bytes && mtime_ns(&after) == mtime_ns(st);
	close(fd);
	stats->exe_hash_bytes += bytes;
	stats->exe_hash_us += (uint64_t)(gw_clock_monotonic_us() - t0);
	return ok;
}

void gw__exe_hash(struct gw__exe_hashes *h, int dirfd, const char *path, const struct stat *st,
                  struct gw_process *out, struct gw_procinfo_stats *stats)
{
	out->exe_sha256[0] = '\0';
	if (!S_ISREG(st->st_mode)) {
		out->exe_hash_status = GW_EXE_HASH_UNREADABLE;
		stats->exe_unreadable++;
		return;
	}
	if ((uint64_t)st->st_size > h->max_bytes) {
		out->exe_hash_status = GW_EXE_HASH_TOO_LARGE;
		stats->exe_too_large++;
		return;
	}
	struct hash_entry *e = slot_of(h, st);
	if (e->used) {
		to_hex(e->digest, out->exe_sha256);
		out->exe_hash_status = GW_EXE_HASH_OK;
		stats->exe_hash_cached++;
		return;
	}
	uint8_t digest[DIGEST_LEN];
	stats->exe_hashed++;
	if (!hash_file(h, dirfd, path, st, digest, stats)) {
		out->exe_hash_status = GW_EXE_HASH_UNREADABLE;
		stats->exe_unreadable++;
		return;
	}
	if (h->n == h->max) { /* full: start over */
		memset(h->slots, 0, h->cap * sizeof *h->slots);
		h->n = 0;
		stats->hash_cache_resets++;
		e = slot_of(h, st);
	}
	*e = (struct hash_entry){true,
	                         (uint64_t)st->st_dev,
	                         (uint64_t)st->st_ino,
	                         (uint64_t)st->st_size,
	                         mtime_ns(st),
	                         {0}};
	memcpy(e->digest, digest, DIGEST_LEN);
	h->n++;
	to_hex(digest, out->exe_sha256);
	out->exe_hash_status = GW_EXE_HASH_OK;
}
