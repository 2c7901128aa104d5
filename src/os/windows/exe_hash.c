/* os/windows/exe_hash.c — SHA-256 of process executables through BCrypt, each
 * file version read once: owns the bounded digest cache keyed by (volume
 * serial, file index, last write time, size), Windows' (st_dev, st_ino,
 * st_mtime, st_size), and the read buffer. */
#include <windows.h>

#include <bcrypt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "exe_hash.h"
#include "ghostwire/clock.h"

#define READ_BUF (256u * 1024u)

struct entry {
	bool used;
	uint32_t volume;
	uint64_t index, mtime, size;
	char hex[65];
};

struct gw__exe_hashes {
	struct entry *slots; /* max entries, filled in order; emptied when full */
	uint32_t n, max;
	uint64_t max_bytes;
	uint8_t *buf;
};

struct gw__exe_hashes *gw__exe_hashes_new(uint32_t max_entries, uint64_t max_bytes)
{
	struct gw__exe_hashes *h = calloc(1, sizeof *h);
	if (!h)
		return NULL;
	h->max = max_entries ? max_entries : 1;
	h->max_bytes = max_bytes;
	h->slots = calloc(h->max, sizeof *h->slots);
	h->buf = malloc(READ_BUF);
	if (!h->slots || !h->buf) {
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
	free(h);
}

static void to_hex(const uint8_t d[32], char out[65])
{
	static const char digits[] = "0123456789abcdef";
	for (int i = 0; i < 32; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[64] = '\0';
}

/* Reads the open file to its end into a SHA-256: true and out set, or false. */
static bool digest_file(struct gw__exe_hashes *h, HANDLE f, char out[65], uint64_t *bytes)
{
	BCRYPT_ALG_HANDLE alg;
	if (!BCRYPT_SUCCESS(BCryptOpenAlgorithmProvider(&alg, BCRYPT_SHA256_ALGORITHM, NULL, 0)))
		return false;
	BCRYPT_HASH_HANDLE hash;
	bool ok = BCRYPT_SUCCESS(BCryptCreateHash(alg, &hash, NULL, 0, NULL, 0, 0));
	if (ok) {
		DWORD n;
		while ((ok = ReadFile(f, h->buf, READ_BUF, &n, NULL)) && n > 0) {
			*bytes += n;
			if (*bytes > h->max_bytes ||
			    !BCRYPT_SUCCESS(BCryptHashData(hash, h->buf, n, 0))) {
				ok = false;
				break;
			}
		}
		uint8_t d[32];
		ok = ok && BCRYPT_SUCCESS(BCryptFinishHash(hash, d, sizeof d, 0));
		if (ok)
			to_hex(d, out);
		BCryptDestroyHash(hash);
	}
	BCryptCloseAlgorithmProvider(alg, 0);
	return ok;
}

void gw__exe_hash(struct gw__exe_hashes *h, const wchar_t *path, struct gw_process *out,
                  struct gw_procinfo_stats *stats)
{
	out->exe_sha256[0] = '\0';
	out->exe_hash_status = GW_EXE_HASH_UNREADABLE;
	HANDLE f = CreateFileW(path, GENERIC_READ,
	                       FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
	                       OPEN_EXISTING, FILE_FLAG_SEQUENTIAL_SCAN, NULL);
	BY_HANDLE_FILE_INFORMATION fi;
	if (f == INVALID_HANDLE_VALUE || !GetFileInformationByHandle(f, &fi)) {
		if (f != INVALID_HANDLE_VALUE)
			CloseHandle(f);
		stats->exe_unreadable++;
		return;
	}
	struct entry key = {
	        .used = true,
	        .volume = fi.dwVolumeSerialNumber,
	        .index = ((uint64_t)fi.nFileIndexHigh << 32) | fi.nFileIndexLow,
	        .mtime = ((uint64_t)fi.ftLastWriteTime.dwHighDateTime << 32) |
	                 fi.ftLastWriteTime.dwLowDateTime,
	        .size = ((uint64_t)fi.nFileSizeHigh << 32) | fi.nFileSizeLow,
	};
	for (uint32_t i = 0; i < h->n; i++) {
		const struct entry *e = &h->slots[i];
		if (e->volume == key.volume && e->index == key.index && e->mtime == key.mtime &&
		    e->size == key.size) {
			memcpy(out->exe_sha256, e->hex, sizeof e->hex);
			out->exe_hash_status = GW_EXE_HASH_OK;
			stats->exe_hash_cached++;
			CloseHandle(f);
			return;
		}
	}
	if (key.size > h->max_bytes) {
		out->exe_hash_status = GW_EXE_HASH_TOO_LARGE;
		stats->exe_too_large++;
		CloseHandle(f);
		return;
	}
	int64_t t0 = gw_clock_monotonic_us();
	uint64_t bytes = 0;
	bool ok = digest_file(h, f, key.hex, &bytes);
	CloseHandle(f);
	stats->exe_hash_bytes += bytes;
	stats->exe_hash_us += (uint64_t)(gw_clock_monotonic_us() - t0);
	if (!ok) {
		out->exe_hash_status =
		        bytes > h->max_bytes ? GW_EXE_HASH_TOO_LARGE : GW_EXE_HASH_UNREADABLE;
		if (bytes > h->max_bytes)
			stats->exe_too_large++;
		else
			stats->exe_unreadable++;
		return;
	}
	stats->exe_hashed++;
	memcpy(out->exe_sha256, key.hex, sizeof key.hex);
	out->exe_hash_status = GW_EXE_HASH_OK;
	if (h->n == h->max) { /* full: start again, as the Linux cache does */
		h->n = 0;
		stats->hash_cache_resets++;
	}
	h->slots[h->n++] = key;
}
