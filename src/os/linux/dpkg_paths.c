/* os/linux/dpkg_paths.c — which paths a Debian package owns, for the
 * "unpackaged-exe" mark: owns the set built from <info_dir>/ *.list and the
 * diversions file (keyed 64-bit hashes of the merged-/usr canonical paths, in a
 * sorted array), its key, and the stamps that say when to build it again. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "details_internal.h"
#include "ghostwire/clock.h"
#include "procfs_internal.h"

__extension__ typedef unsigned __int128 gw_u128;

#define NEVER UINT64_MAX

struct gw__dpkg_paths {
	char *info_dir;
	uint32_t max_paths;
	uint64_t key[3];      /* the hash key, random per set */
	uint64_t *hashes;     /* sorted, unique; NULL when not built */
	size_t n, cap;        /* n == 0 with hashes NULL: unknown */
	bool ok;              /* the set answers (built whole) */
	bool tried;           /* built (or failed to) for the stamps below */
	uint64_t checked_gen; /* generation the stamps were last checked in */
	int64_t stamp[2];     /* mtimes (ns) of info_dir and diversions when built; -1 = absent */
	struct gw__lines *lines; /* the reader's buffer, while building */
};

static inline uint64_t mum(uint64_t a, uint64_t b)
{
	gw_u128 r = (gw_u128)a * b;
	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

/* A keyed hash of n bytes: wyhash's multiply-fold over 8-byte words. */
static uint64_t path_hash(const uint64_t key[3], const uint8_t *p, size_t n)
{
	uint64_t h = key[0] ^ mum((uint64_t)n ^ 0xa0761d6478bd642fULL, key[1] | 1);
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		h = mum(h ^ w ^ 0xe7037ed1a0b428dbULL, key[1] | 1);
	}
	uint64_t w = 0;
	memcpy(&w, p + i, n - i);
	h = mum(h ^ w ^ 0x8ebc6af09c88c6e3ULL, key[2] | 1);
	return mum(h ^ (h >> 32), key[2] ^ 0x589965cc75374cc3ULL);
}

/* Merged /usr: "/usr/bin/x" and "/bin/x" are one path (likewise sbin and the
 * lib directories, which Debian 12 makes symlinks into /usr): the /usr prefix
 * is dropped from those before hashing. */
static size_t canonical_skip(const uint8_t *p, size_t n)
{
	static const struct {
		char name[8];
		size_t len;
	} dirs[] = {{"bin", 3},   {"sbin", 4},   {"lib", 3},   {"lib32", 5},
	            {"lib64", 5}, {"libx32", 6}, {"libo32", 6}};
	if (n < 8 || memcmp(p, "/usr/", 5) != 0 || (p[5] != 'b' && p[5] != 's' && p[5] != 'l'))
		return 0;
	for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
		size_t k = dirs[i].len;
		if (n >= 5 + k && memcmp(p + 5, dirs[i].name, k) == 0 &&
		    (n == 5 + k || p[5 + k] == '/'))
			return 4;
	}
	return 0;
}

static uint64_t canonical_hash(const uint64_t key[3], const uint8_t *p, size_t n)
{
	size_t skip = canonical_skip(p, n);
	return path_hash(key, p + skip, n - skip);
}

struct gw__dpkg_paths *gw__dpkg_paths_new(const char *info_dir, uint32_t max_paths)
{
	struct gw__dpkg_paths *d = calloc(1, sizeof *d);
	if (!d || !(d->info_dir = strdup(info_dir))) {
		free(d);
		return NULL;
	}
	d->max_paths = max_paths;
	d->checked_gen = NEVER;
	if (getrandom(d->key, sizeof d->key, GRND_NONBLOCK) != (ssize_t)sizeof d->key) {
		/* No entropy yet: a key the path's author still cannot know in advance. */
		uint64_t t = (uint64_t)gw_clock_monotonic_us() ^ (uint64_t)(uintptr_t)d;
		d->key[0] = mum(t, 0x9e3779b97f4a7c15ULL);
		d->key[1] = mum(t ^ (uint64_t)getpid(), 0xbf58476d1ce4e5b9ULL);
		d->key[2] = mum(d->key[0], d->key[1] | 1);
	}
	return d;
}

static void drop_set(struct gw__dpkg_paths *d)
{
	free(d->hashes);
	d->hashes = NULL;
	d->n = d->cap = 0;
	d->ok = false;
}

void gw__dpkg_paths_free(struct gw__dpkg_paths *d)
{
	if (!d)
		return;
	drop_set(d);
	free(d->lines);
	free(d->info_dir);
	free(d);
}

/* ---- building ---- */

static int add_hash(struct gw__dpkg_paths *d, uint64_t h)
{
	if (d->n == d->max_paths)
		return -E2BIG;
	if (d->n == d->cap) {
		size_t next = d->cap ? d->cap * 2 : 65536;
		if (next > d->max_paths)
			next = d->max_paths;
		uint64_t *q = realloc(d->hashes, next * sizeof *q);
		if (!q)
			return -ENOMEM;
		d->hashes = q;
		d->cap = next;
	}
	d->hashes[d->n++] = h;
	return 0;
}

/* Adds every absolute path of the file (every third line from `first` of
 * `every`: 1 of 1 for a .list, the 2nd of 3 for diversions). 0 or -errno. */
static int add_file(struct gw__dpkg_paths *d, int dirfd, const char *name, unsigned first,
                    unsigned every, struct gw_procinfo_stats *st)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	gw__lines_init(d->lines, fd);
	struct gw_cursor line;
	bool too_long;
	int r;
	while ((r = gw__lines_next(d->lines, &line, &too_long)) == 1) {
		if ((d->lines->lineno - 1) % every != first - 1)
			continue;
		size_t n = gw_cursor_left(&line);
		if (too_long) {
			st->dpkg_skipped++;
			continue;
		}
		if (n < 2 || line.p[0] != '/' || (n == 2 && line.p[1] == '.'))
			continue; /* "/." and anything that is not a path */
		if ((r = add_hash(d, canonical_hash(d->key, line.p, n))) < 0)
			break;
	}
	close(fd);
	return r < 0 ? r : 0;
}

static bool is_list(const char *name)
{
	size_t n = strlen(name);
	return n > 5 && memcmp(name + n - 5, ".list", 5) == 0;
}

static int add_lists(struct gw__dpkg_paths *d, int dirfd, struct gw_procinfo_stats *st)
{
	int fd = dup(dirfd);
	DIR *dir = fd < 0 ? NULL : fdopendir(fd);
	if (!dir) {
		int e = -errno;
		if (fd >= 0)
			close(fd);
		return e;
	}
	int r = 0;
	struct dirent *de;
	while (r == 0 && (de = readdir(dir)))
		if (is_list(de->d_name))
			r = add_file(d, dirfd, de->d_name, 1, 1, st);
	closedir(dir);
	return r;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* LSD radix sort, a byte a pass: several times faster than qsort here, where
 * sorting was half of the build. false if out of memory for the scratch. */
static bool radix_sort(uint64_t *v, size_t n)
{
	uint64_t *tmp = malloc((n ? n : 1) * sizeof *tmp);
	if (!tmp)
		return false;
	uint64_t *from = v, *to = tmp;
	for (unsigned shift = 0; shift < 64; shift += 8) {
		size_t count[257] = {0};
		for (size_t i = 0; i < n; i++)
			count[((from[i] >> shift) & 0xff) + 1]++;
		for (int b = 0; b < 256; b++)
			count[b + 1] += count[b];
		for (size_t i = 0; i < n; i++)
			to[count[(from[i] >> shift) & 0xff]++] = from[i];
		uint64_t *t = from;
		from = to;
		to = t;
	}
	free(tmp); /* eight passes: the sorted keys are back in v */
	return true;
}

static void sort_unique(struct gw__dpkg_paths *d)
{
	if (!radix_sort(d->hashes, d->n))
		qsort(d->hashes, d->n, sizeof *d->hashes, cmp_u64);
	size_t k = 0;
	for (size_t i = 0; i < d->n; i++)
		if (k == 0 || d->hashes[k - 1] != d->hashes[i])
			d->hashes[k++] = d->hashes[i];
	d->n = k;
	uint64_t *q = realloc(d->hashes, (k ? k : 1) * sizeof *q);
	if (q) {
		d->hashes = q;
		d->cap = k ? k : 1;
	}
}

/* Builds the set from scratch; a failure or the ceiling leaves it unknown
 * (a partial set would mark packaged files). */
static void build(struct gw__dpkg_paths *d, int dirfd, struct gw_procinfo_stats *st)
{
	int64_t t0 = gw_clock_monotonic_us();
	drop_set(d);
	if (!d->lines && !(d->lines = malloc(sizeof *d->lines)))
		return;
	int r = add_lists(d, dirfd, st);
	if (r == 0)
		r = add_file(d, dirfd, "../diversions", 2, 3, st);
	free(d->lines);
	d->lines = NULL;
	if (r < 0) {
		st->dpkg_skipped += r == -E2BIG;
		drop_set(d);
		return;
	}
	sort_unique(d);
	d->ok = true;
	st->dpkg_builds++;
	st->dpkg_paths = d->n;
	st->dpkg_build_us = (uint64_t)(gw_clock_monotonic_us() - t0);
}

static int64_t mtime_at(int dirfd, const char *name)
{
	struct stat s;
	if (fstatat(dirfd, name, &s, 0) < 0)
		return -1;
	return (int64_t)s.st_mtim.tv_sec * 1000000000 + s.st_mtim.tv_nsec;
}

/* Once per generation: (re)builds the set if the database changed. */
static void check(struct gw__dpkg_paths *d, uint64_t gen, struct gw_procinfo_stats *st)
{
	if (d->checked_gen == gen)
		return;
	d->checked_gen = gen;
	int dirfd = open(d->info_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		drop_set(d);
		d->tried = false;
		return;
	}
	int64_t now[2] = {mtime_at(dirfd, "."), mtime_at(dirfd, "../diversions")};
	if (!d->tried || now[0] != d->stamp[0] || now[1] != d->stamp[1]) {
		build(d, dirfd, st);
		d->tried = true;
		d->stamp[0] = now[0];
		d->stamp[1] = now[1];
	}
	close(dirfd);
}

int gw__dpkg_paths_owned(struct gw__dpkg_paths *d, const char *path, size_t n, uint64_t gen,
                         struct gw_procinfo_stats *st)
{
	check(d, gen, st);
	if (!d->ok)
		return -1;
	uint64_t h = canonical_hash(d->key, (const uint8_t *)path, n);
	return bsearch(&h, d->hashes, d->n, sizeof h, cmp_u64) != NULL;
}
