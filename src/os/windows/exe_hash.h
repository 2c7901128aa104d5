/* os/windows/exe_hash.h — SHA-256 of executables, cached per file version
 * (exe_hash.c), for procinfo.c. */
#ifndef GW_WINDOWS_EXE_HASH_H
#define GW_WINDOWS_EXE_HASH_H

#include <stdint.h>
#include <wchar.h>

#include "ghostwire/procinfo.h"

struct gw__exe_hashes;

/* A cache of max_entries digests; files above max_bytes are not read. NULL
 * if out of memory. */
struct gw__exe_hashes *gw__exe_hashes_new(uint32_t max_entries, uint64_t max_bytes);
void gw__exe_hashes_free(struct gw__exe_hashes *h);

/* Sets out->exe_sha256 and out->exe_hash_status for the file at path, from
 * the cache when this version of it was read before; counts in stats. */
void gw__exe_hash(struct gw__exe_hashes *h, const wchar_t *path, struct gw_process *out,
                  struct gw_procinfo_stats *stats);

#endif
