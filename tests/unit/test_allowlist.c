/* test_allowlist.c — allow rules: each key must match (process by name or
 * executable glob, or a raw-socket holder's; user; remote CIDR; AS; country;
 * remote port; name by SNI or DNS names), explained flows never match, bad
 * values and keys are refused with the reason, suppressions are counted. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "ghostwire/allowlist.h"

static struct gw_allowlist list;

static void set(const char *rule, const char *key, const char *value)
{
	struct gw_err err = {0};
	cr_assert_eq(gw_allowlist_set(&list, rule, key, value, &err), 0, "%s = %s: %s", key, value,
	             err.msg);
}

static struct gw_flow flow_to(const char *remote, uint16_t port)
{
	struct gw_flow f;
	memset(&f, 0, sizeof f);
	struct gw_addr a;
	cr_assert_eq(gw_addr_parse(remote, &a, NULL), 0);
	f.key.proto = 6;
	f.key.family = a.family;
	memcpy(f.key.remote, a.bytes, 16);
	f.key.remote_port = port;
	f.key.local_port = 50000;
	f.opener = GW_DIR_OUT;
	return f;
}

static struct gw_verdict finding_of(const char *comm, const char *exe, const char *user)
{
	struct gw_verdict v;
	memset(&v, 0, sizeof v);
	v.kind = GW_VERDICT_UNEXPLAINED;
	v.unexplained = GW_UNX_NO_SOCKET_OUTBOUND;
	if (comm) {
		v.has_owner = true;
		snprintf(v.owner.comm, sizeof v.owner.comm, "%s", comm);
		snprintf(v.owner.exe, sizeof v.owner.exe, "%s", exe);
		snprintf(v.owner.user, sizeof v.owner.user, "%s", user);
	}
	return v;
}

static void reset(void)
{
	memset(&list, 0, sizeof list);
}

TestSuite(allowlist, .init = reset);

Test(allowlist, every_key_of_a_rule_must_match)
{
	set("dropbox", "process", "dropbox");
	set("dropbox", "asn", "AS19679");
	set("dropbox", "port", "443");
	struct gw_flow f = flow_to("162.125.1.1", 443);
	struct gw_verdict v = finding_of("dropbox", "/opt/dropbox/dropbox", "ann");
	struct gw_verdict_enrich e = {.has_remote_geo = true};
	e.remote_geo.asn = 19679;
	cr_expect_str_eq(gw_allowlist_match(&list, &f, &v, &e), "dropbox");
	e.remote_geo.asn = 15169;
	cr_expect_null(gw_allowlist_match(&list, &f, &v, &e), "another AS");
	e.remote_geo.asn = 19679;
	f.key.remote_port = 80;
	cr_expect_null(gw_allowlist_match(&list, &f, &v, &e), "another port");
	f.key.remote_port = 443;
	cr_expect_null(gw_allowlist_match(&list, &f, &v, NULL), "no GeoIP: the AS cannot match");
}

Test(allowlist, process_globs_the_name_the_executable_or_a_raw_socket_holder)
{
	set("apt", "process", "/usr/lib/apt/methods/*");
	struct gw_flow f = flow_to("151.101.2.132", 80);
	struct gw_verdict v = finding_of("http", "/usr/lib/apt/methods/http", "_apt");
	cr_expect_str_eq(gw_allowlist_match(&list, &f, &v, NULL), "apt");
	v = finding_of("curl", "/usr/bin/curl", "root");
	cr_expect_null(gw_allowlist_match(&list, &f, &v, NULL));
	v = finding_of(NULL, NULL, NULL); /* no owner: the holders */
	v.n_holders = 1;
	snprintf(v.holders[0].comm, sizeof v.holders[0].comm, "http");
	snprintf(v.holders[0].exe, sizeof v.holders[0].exe, "/usr/lib/apt/methods/http");
	cr_expect_str_eq(gw_allowlist_match(&list, &f, &v, NULL), "apt");
}

Test(allowlist, user_remote_country_and_name)
{
	set("backup", "user", "backup");
	set("backup", "remote", "2001:db8:77::/48");
	set("mirror", "country", "DE");
	set("mirror", "name", "*.debian.org");
	struct gw_flow f = flow_to("2001:db8:77:1::9", 873);
	struct gw_verdict v = finding_of("rsync", "/usr/bin/rsync", "backup");
	cr_expect_str_eq(gw_allowlist_match(&list, &f, &v, NULL), "backup");
	f = flow_to("2001:db8:78::9", 873);
	cr_expect_null(gw_allowlist_match(&list, &f, &v, NULL), "outside the network");
	struct gw_verdict_enrich e = {.has_remote_geo = true, .server_name = "deb.example.org"};
	snprintf(e.remote_geo.country, sizeof e.remote_geo.country, "DE");
	cr_expect_null(gw_allowlist_match(&list, &f, &v, &e), "another name");
	e.names[0] = "ftp.de.debian.org";
	e.n_names = 1;
	cr_expect_str_eq(gw_allowlist_match(&list, &f, &v, &e), "mirror", "a DNS name matches");
}

Test(allowlist, explained_flows_need_no_rule)
{
	set("any", "port", "443");
	struct gw_flow f = flow_to("192.0.2.1", 443);
	struct gw_verdict v = finding_of("curl", "/usr/bin/curl", "root");
	v.kind = GW_VERDICT_EXPLAINED;
	cr_expect_null(gw_allowlist_match(&list, &f, &v, NULL));
}

Test(allowlist, bad_keys_and_values_say_why)
{
	struct gw_err err = {0};
	cr_expect_eq(gw_allowlist_set(&list, "r", "colour", "blue", &err), GW_EINVAL);
	cr_expect_not_null(strstr(err.msg, "not an allow key"));
	cr_expect_eq(gw_allowlist_set(&list, "r", "asn", "lots", &err), GW_EINVAL);
	cr_expect_not_null(strstr(err.msg, "not a number"));
	cr_expect_eq(gw_allowlist_set(&list, "r", "port", "70000", &err), GW_EINVAL);
	cr_expect_eq(gw_allowlist_set(&list, "r", "country", "Germany", &err), GW_EINVAL);
	cr_expect_eq(gw_allowlist_set(&list, "r", "remote", "10.0.0.1/8", &err), GW_EINVAL);
	cr_expect_eq(gw_allowlist_set(&list, "r", "remote", "10.0.0.0/8", NULL), 0,
	             "no err needed");
	for (int i = 1; i < GW_ALLOW_MAX_RULES; i++) {
		char name[16];
		snprintf(name, sizeof name, "r%d", i);
		cr_assert_eq(gw_allowlist_set(&list, name, "port", "1", NULL), 0);
	}
	cr_expect_eq(gw_allowlist_set(&list, "one-too-many", "port", "1", &err), GW_ENOMEM);
}

Test(allowlist, suppressions_are_counted_by_rule)
{
	set("a", "port", "1");
	set("b", "port", "2");
	gw_allowlist_count(&list, "b");
	gw_allowlist_count(&list, "b");
	char buf[256] = "";
	FILE *out = fmemopen(buf, sizeof buf, "w");
	gw_allowlist_print(out, &list);
	fclose(out);
	cr_expect_str_eq(buf, "findings suppressed by the allowlist: a (0), b (2)\n");
}
