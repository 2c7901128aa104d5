/* cli/summary.c — the end-of-run summary of replay and watch beyond the
 * verdict counts: the processes that owned the most flows, the remote
 * autonomous systems and countries flows went to, and the processes behind
 * findings. Bounded tables (GW_CLI_TOP_MAX names each; flows of names past
 * that are counted as "other"). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* Adds one flow under name in t. */
static void tally(struct gw_cli_top *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->e[i].name, name) == 0) {
			t->e[i].flows++;
			return;
		}
	if (t->n == GW_CLI_TOP_MAX) {
		t->other++;
		return;
	}
	snprintf(t->e[t->n].name, sizeof t->e[t->n].name, "%s", name);
	t->e[t->n++].flows = 1;
}

void gw_cli_summary_add(struct gw_cli_summary *s, const struct gw_verdict *v,
                        const struct gw_verdict_enrich *e)
{
	if (v->has_owner && v->owner.comm[0])
		tally(&s->processes, v->owner.comm);
	if (gw_verdict_is_finding(v) && !(e && e->allowed_by)) {
		const char *who = v->has_owner                            ? v->owner.comm
		                  : v->n_holders && v->holders[0].comm[0] ? v->holders[0].comm
		                                                          : "(no owner)";
		tally(&s->findings, who);
	}
	if (!e || !e->has_remote_geo)
		return;
	char as[GW_GEOIP_ORG_MAX + 16];
	if (e->remote_geo.asn) {
		snprintf(as, sizeof as, "AS%u %s", e->remote_geo.asn, e->remote_geo.as_org);
		tally(&s->ases, as);
	}
	if (e->remote_geo.country[0])
		tally(&s->countries, e->remote_geo.country);
	else if (e->remote_geo.special != GW_GEOIP_PUBLIC)
		tally(&s->countries,
		      gw_geoip_special_name((enum gw_geoip_special)e->remote_geo.special));
}

/* "firefox 12, curl 3, ..." for the k largest, most flows first (ties: name). */
static void print_top(FILE *out, const char *title, struct gw_cli_top *t, size_t k)
{
	if (!t->n)
		return;
	bool used[GW_CLI_TOP_MAX] = {false};
	fprintf(out, "%s:", title);
	for (size_t shown = 0; shown < k && shown < t->n; shown++) {
		size_t best = SIZE_MAX;
		for (size_t i = 0; i < t->n; i++)
			if (!used[i] && (best == SIZE_MAX || t->e[i].flows > t->e[best].flows ||
			                 (t->e[i].flows == t->e[best].flows &&
			                  strcmp(t->e[i].name, t->e[best].name) < 0)))
				best = i;
		used[best] = true;
		fprintf(out, "%s %s (%llu)", shown ? "," : "", t->e[best].name,
		        (unsigned long long)t->e[best].flows);
	}
	if (t->other)
		fprintf(out, "; %llu more flows under other names", (unsigned long long)t->other);
	fputc('\n', out);
}

void gw_cli_summary_print(FILE *out, struct gw_cli_summary *s)
{
	print_top(out, "findings by process", &s->findings, 5);
	print_top(out, "top processes", &s->processes, 5);
	print_top(out, "top remote AS", &s->ases, 5);
	print_top(out, "top remote countries", &s->countries, 5);
}
