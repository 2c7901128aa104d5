/* allowlist.h — rules (from [allow NAME] sections of the configuration file,
 * docs/config.md) that stop known talkers (updates, sync clients) from
 * alarming: a finding that matches every key of a rule is suppressed, still
 * written and counted by rule, but not alerted. */
#ifndef GHOSTWIRE_ALLOWLIST_H
#define GHOSTWIRE_ALLOWLIST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ghostwire/addr.h"
#include "ghostwire/err.h"
#include "ghostwire/flow.h"
#include "ghostwire/verdict.h"
#include "ghostwire/verdict_report.h"

#define GW_ALLOW_MAX_RULES 256
struct gw_allow_rule {
	char name[64];
	char process[128]; /* glob on the owner's (or holder's) name or executable */
	char user[33];
	char host[128]; /* glob on the flow's SNI/Host or its DNS names */
	char country[3];
	uint32_t asn, port; /* 0: any */
	bool has_remote;
	struct gw_cidr remote;
	uint64_t suppressed;
};
struct gw_allowlist {
	struct gw_allow_rule rules[GW_ALLOW_MAX_RULES];
	size_t n;
};
/* Sets key = value of rule (created on first use); an error says why. */
int gw_allowlist_set(struct gw_allowlist *a, const char *rule, const char *key, const char *value,
                     struct gw_err *err);
/* The name of the first rule that a finding matches (every key the rule has);
 * NULL for no rule, or for a verdict that is no finding. */
const char *gw_allowlist_match(const struct gw_allowlist *a, const struct gw_flow *f,
                               const struct gw_verdict *v, const struct gw_verdict_enrich *e);
void gw_allowlist_count(struct gw_allowlist *a, const char *rule);
/* "findings suppressed by the allowlist: updates (12), ..." (nothing without rules). */
void gw_allowlist_print(FILE *out, const struct gw_allowlist *a);
void gw_allowlist_free(struct gw_allowlist *a);

#endif
