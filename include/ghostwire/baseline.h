/* baseline.h — what is normal on a host: which process talks in which
 * direction, over which protocol and service port, to which remote AS (or,
 * where the AS is unknown, which remote /24 or /48). Learned over a period
 * (watch --learn) into a JSON file (docs/baseline.md); flows whose entry is
 * not in it are "new". Only explained flows, the ones with a process, make or
 * meet entries: findings are reported on their own. */
#ifndef GHOSTWIRE_BASELINE_H
#define GHOSTWIRE_BASELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ghostwire/addr.h"
#include "ghostwire/err.h"
#include "ghostwire/flow.h"
#include "ghostwire/verdict.h"

#define GW_BASELINE_VERSION     1
#define GW_BASELINE_MAX_ENTRIES 65536

struct gw_baseline_entry {
	char process[512];  /* executable path, else the short name, else "?" */
	uint8_t dir;        /* enum gw_dir: who opened the flow */
	uint8_t proto;      /* IP protocol */
	uint16_t port;      /* service port: the remote one outbound, the local one inbound */
	uint32_t asn;       /* remote AS; 0 when unknown, then net says where */
	struct gw_cidr net; /* remote /24 (IPv4) or /48 (IPv6); zero when asn is set */
	uint64_t flows;     /* flows seen with this entry */
	int64_t first_us, last_us;
};

/* Does this verdict concern the baseline (an explained flow)? */
bool gw_baseline_applies(const struct gw_verdict *v);
/* The entry a flow makes: remote_asn from GeoIP (0: unknown). flows = 1 and
 * first/last from f. */
void gw_baseline_entry_of(const struct gw_flow *f, const struct gw_verdict *v, uint32_t remote_asn,
                          struct gw_baseline_entry *out);
/* "/usr/bin/curl out tcp/443 AS15169" (or "... 198.51.100.0/24") into buf. */
char *gw_baseline_describe(const struct gw_baseline_entry *e, char *buf, size_t size);

struct gw_baseline;

struct gw_baseline *gw_baseline_new(void); /* NULL when out of memory */
void gw_baseline_free(struct gw_baseline *b);

/* Adds e, or counts it into the same entry (flows, first, last): 1 if it was
 * new, 0 if known, GW_ENOMEM when GW_BASELINE_MAX_ENTRIES are held (counted in
 * gw_baseline_full). */
int gw_baseline_add(struct gw_baseline *b, const struct gw_baseline_entry *e);
bool gw_baseline_has(const struct gw_baseline *b, const struct gw_baseline_entry *e);
size_t gw_baseline_size(const struct gw_baseline *b);
uint64_t gw_baseline_full(const struct gw_baseline *b);
/* Entries in the order they were added. */
const struct gw_baseline_entry *gw_baseline_at(const struct gw_baseline *b, size_t i);

/* The learning period: learning goes on while now < until. */
void gw_baseline_set_period(struct gw_baseline *b, int64_t from_us, int64_t until_us);
void gw_baseline_period(const struct gw_baseline *b, int64_t *from_us, int64_t *until_us);

/* The file: a missing one is GW_ENOENT; anything malformed is GW_EFORMAT with
 * the path and what is wrong. Saving writes path.tmp and renames it over path,
 * so a crash leaves the old file or the new one, never half of one. */
int gw_baseline_load(const char *path, struct gw_baseline **out, struct gw_err *err) GW_MUST_CHECK;
int gw_baseline_save(const struct gw_baseline *b, const char *path, struct gw_err *err)
        GW_MUST_CHECK;

/* The same entries as JSON objects (also the state file's), and back. */
struct json_t;
struct json_t *gw_baseline_entry_to_json(const struct gw_baseline_entry *e);
int gw_baseline_entry_from_json(const struct json_t *o, struct gw_baseline_entry *e,
                                struct gw_err *err) GW_MUST_CHECK;

#endif
