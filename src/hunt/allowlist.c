/* hunt/allowlist.c — the allowlist: rules (from [allow NAME] sections of the
 * configuration file) that stop known talkers (updates, sync clients) from
 * alarming. A rule holds any of: process (glob on the owner's name or
 * executable; a raw-socket holder's for a finding without owner), user,
 * remote (CIDR), asn, country, port (the remote port), name (glob on the
 * flow's SNI or Host or its DNS names); a finding matching every key of one
 * rule is suppressed — still written to JSON and CSV, marked, and counted by
 * rule, but no alert. */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ghostwire/allowlist.h"

static struct gw_allow_rule *rule_named(struct gw_allowlist *a, const char *name,
                                        struct gw_err *err)
{
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->rules[i].name, name) == 0)
			return &a->rules[i];
	if (a->n == GW_ALLOW_MAX_RULES) {
		gw_err_set(err, GW_ENOMEM, "more than %d allow rules", GW_ALLOW_MAX_RULES);
		return NULL;
	}
	struct gw_allow_rule *r = &a->rules[a->n++];
	memset(r, 0, sizeof *r);
	snprintf(r->name, sizeof r->name, "%s", name);
	return r;
}

static int set_text(char *dst, size_t size, const char *key, const char *value, struct gw_err *err)
{
	if (strlen(value) >= size)
		return gw_err_set(err, GW_EINVAL, "%s: longer than %zu characters", key, size - 1);
	snprintf(dst, size, "%s", value);
	return 0;
}

static int set_number(uint32_t *dst, const char *key, const char *value, unsigned long max,
                      struct gw_err *err)
{
	char *end;
	const char *v = strncmp(value, "AS", 2) == 0 ? value + 2 : value;
	unsigned long n = strtoul(v, &end, 10);
	if (!*v || *end || n == 0 || n > max)
		return gw_err_set(err, GW_EINVAL, "%s: '%s' is not a number from 1 to %lu", key,
		                  value, max);
	*dst = (uint32_t)n;
	return 0;
}

int gw_allowlist_set(struct gw_allowlist *a, const char *rule, const char *key, const char *value,
                     struct gw_err *err)
{
	struct gw_allow_rule *r = rule_named(a, rule, err);
	if (!r)
		return GW_ENOMEM;
	if (strcmp(key, "process") == 0)
		return set_text(r->process, sizeof r->process, key, value, err);
	if (strcmp(key, "user") == 0)
		return set_text(r->user, sizeof r->user, key, value, err);
	if (strcmp(key, "name") == 0)
		return set_text(r->host, sizeof r->host, key, value, err);
	if (strcmp(key, "country") == 0) {
		if (strlen(value) != 2)
			return gw_err_set(err, GW_EINVAL,
			                  "country: two letters (ISO 3166), not '%s'", value);
		return set_text(r->country, sizeof r->country, key, value, err);
	}
	if (strcmp(key, "asn") == 0)
		return set_number(&r->asn, key, value, UINT32_MAX, err);
	if (strcmp(key, "port") == 0)
		return set_number(&r->port, key, value, 65535, err);
	if (strcmp(key, "remote") == 0) {
		if (gw_cidr_parse(value, &r->remote, err) < 0)
			return GW_EINVAL;
		r->has_remote = true;
		return 0;
	}
	return gw_err_set(err, GW_EINVAL,
	                  "'%s' is not an allow key (process, user, remote, asn, country, port, "
	                  "name)",
	                  key);
}

static bool glob(const char *pattern, const char *text)
{
	return text && text[0] && fnmatch(pattern, text, 0) == 0;
}

/* The process a finding is about: its owner, else the first raw or packet
 * socket's holder. */
static bool process_matches(const struct gw_allow_rule *r, const struct gw_verdict *v)
{
	if (v->has_owner)
		return glob(r->process, v->owner.comm) || glob(r->process, v->owner.exe);
	for (unsigned i = 0; i < v->n_holders; i++)
		if (glob(r->process, v->holders[i].comm) || glob(r->process, v->holders[i].exe))
			return true;
	return false;
}

static bool name_matches(const struct gw_allow_rule *r, const struct gw_verdict_enrich *e)
{
	if (!e)
		return false;
	if (glob(r->host, e->server_name))
		return true;
	for (size_t i = 0; i < e->n_names; i++)
		if (glob(r->host, e->names[i]))
			return true;
	return false;
}

static bool rule_matches(const struct gw_allow_rule *r, const struct gw_flow *f,
                         const struct gw_verdict *v, const struct gw_verdict_enrich *e)
{
	if (r->process[0] && !process_matches(r, v))
		return false;
	if (r->user[0] && !(v->has_owner && strcmp(v->owner.user, r->user) == 0))
		return false;
	if (r->port && f->key.remote_port != r->port)
		return false;
	if (r->has_remote) {
		struct gw_addr remote;
		gw_flow_remote_addr(f, &remote);
		if (!gw_cidr_contains(&r->remote, &remote))
			return false;
	}
	if (r->asn && !(e && e->has_remote_geo && e->remote_geo.asn == r->asn))
		return false;
	if (r->country[0] &&
	    !(e && e->has_remote_geo && strcmp(e->remote_geo.country, r->country) == 0))
		return false;
	if (r->host[0] && !name_matches(r, e))
		return false;
	return true;
}

const char *gw_allowlist_match(const struct gw_allowlist *a, const struct gw_flow *f,
                               const struct gw_verdict *v, const struct gw_verdict_enrich *e)
{
	if (!gw_verdict_is_finding(v))
		return NULL;
	for (size_t i = 0; i < a->n; i++)
		if (rule_matches(&a->rules[i], f, v, e))
			return a->rules[i].name;
	return NULL;
}

void gw_allowlist_count(struct gw_allowlist *a, const char *rule)
{
	for (size_t i = 0; i < a->n; i++)
		if (a->rules[i].name == rule || strcmp(a->rules[i].name, rule) == 0)
			a->rules[i].suppressed++;
}

void gw_allowlist_print(FILE *out, const struct gw_allowlist *a)
{
	if (!a->n)
		return;
	fprintf(out, "findings suppressed by the allowlist:");
	for (size_t i = 0; i < a->n; i++)
		fprintf(out, "%s %s (%llu)", i ? "," : "", a->rules[i].name,
		        (unsigned long long)a->rules[i].suppressed);
	fputc('\n', out);
}

void gw_allowlist_free(struct gw_allowlist *a)
{
	a->n = 0;
}
