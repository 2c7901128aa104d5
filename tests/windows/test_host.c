/* tests/windows/test_host.c — the rest of the Windows port that runs the same
 * under wine: host addresses (GetAdaptersAddresses), this process's details
 * (procinfo), SHA-1 through BCrypt (a Community ID from the spec's examples),
 * the POSIX stand-ins (fnmatch, ini_parse), and the event log (--syslog). */
#include <windows.h>

#include <stdlib.h>
#include <string.h>

#include <fnmatch.h>
#include <ini.h>

#include "check.h"
#include "ghostwire/digest.h"
#include "ghostwire/hostaddr.h"
#include "ghostwire/procinfo.h"
#include "ghostwire/syslog_out.h"

static void check_host_addrs(void)
{
	struct gw_cidr a[256];
	unsigned n = 0;
	struct gw_err err = {0};
	CHECK(gw_host_addrs(a, 256, &n, &err) == 0, "gw_host_addrs: %s", err.msg);
	CHECK(n > 0, "no interface address at all");
	unsigned bad = 0;
	for (unsigned i = 0; i < n; i++)
		bad += !((a[i].net.family == GW_AF_INET && a[i].prefix == 32) ||
		         (a[i].net.family == GW_AF_INET6 && a[i].prefix == 128));
	CHECK(bad == 0, "%u addresses not host prefixes", bad);
}

static void check_self(void)
{
	struct gw_procinfo *p;
	struct gw_err err = {0};
	CHECK(gw_procinfo_new(NULL, &p, &err) == 0, "procinfo: %s", err.msg);
	CHECK(gw_procinfo_refresh(p, &err) == 0, "refresh: %s", err.msg);
	CHECK(gw_procinfo_stats(p)->processes > 0, "no processes listed");
	const struct gw_process *me = gw_procinfo_process(p, (int32_t)GetCurrentProcessId());
	CHECK(me != NULL, "own process not found");
	if (me) {
		CHECK(strstr(me->exe, "test_host.exe") != NULL, "exe '%s'", me->exe);
		CHECK(strcmp(me->comm, "test_host.exe") == 0, "comm '%s'", me->comm);
		CHECK(me->start_us > 1600000000000000LL, "start %lld", (long long)me->start_us);
		CHECK(me->user[0] != '\0' && me->uid != 0, "user '%s' uid %u", me->user, me->uid);
		CHECK(me->exe_hash_status == GW_EXE_HASH_OK && strlen(me->exe_sha256) == 64,
		      "exe hash status %u", me->exe_hash_status);
		/* scripts/windows.sh compares this digest with sha256sum's of the file. */
		printf("this process: %s[%d] %s uid=%u(%s) sha256=%s\n", me->comm, me->pid, me->exe,
		       me->uid, me->user, me->exe_sha256);
		char first[65];
		memcpy(first, me->exe_sha256, sizeof first);
		me = gw_procinfo_process(p, (int32_t)GetCurrentProcessId());
		CHECK(me && strcmp(me->exe_sha256, first) == 0 &&
		              gw_procinfo_stats(p)->exe_hash_cached == 1 &&
		              gw_procinfo_stats(p)->exe_hashed == 1,
		      "second read from the cache");
	}
	CHECK(gw_procinfo_process(p, 0) == NULL, "pid 0 has details");
	struct gw_socket s = {.pid = 0};
	gw_procinfo_attribute(p, &s);
	CHECK(s.owner_status == GW_OWNER_NO_INODE, "pid 0 status %u", s.owner_status);
	s.pid = 1234;
	gw_procinfo_attribute(p, &s);
	CHECK(s.owner_status == GW_OWNER_KNOWN, "pid 1234 status %u", s.owner_status);
	gw_procinfo_free(p);
}

static void check_sha1(void)
{
	uint8_t d[GW_SHA1_LEN];
	static const uint8_t abc_sha1[GW_SHA1_LEN] = {
	        0xa9, 0x99, 0x3e, 0x36, 0x47, 0x06, 0x81, 0x6a, 0xba, 0x3e,
	        0x25, 0x71, 0x78, 0x50, 0xc2, 0x6c, 0x9c, 0xd0, 0xd8, 0x9d}; /* FIPS 180 "abc" */
	CHECK(gw_sha1("abc", 3, d) == 0 && memcmp(d, abc_sha1, sizeof d) == 0, "SHA-1(abc)");
}

static void check_fnmatch(void)
{
	static const struct {
		const char *pat, *text;
		int match;
	} cases[] = {
	        {"*", "", 1},
	        {"*.exe", "svchost.exe", 1},
	        {"*.exe", "a.dll", 0},
	        {"a?c", "abc", 1},
	        {"a?c", "ac", 0},
	        {"[a-c]x", "bx", 1},
	        {"[!a-c]x", "bx", 0},
	        {"[^a-c]x", "dx", 1},
	        {"\\*", "*", 1},
	        {"\\*", "a", 0},
	        {"a*b*c", "aXbYc", 1},
	        {"a*b*c", "aXbY", 0},
	        {"[", "[", 1},
	        {"**x", "abx", 1},
	        {"fire*", "firefox", 1},
	        {"10.0.*", "10.0.0.5", 1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		CHECK((fnmatch(cases[i].pat, cases[i].text, 0) == 0) == cases[i].match,
		      "fnmatch('%s', '%s')", cases[i].pat, cases[i].text);
}

struct seen {
	int n;
	char last[128];
};

static int on_entry(void *user, const char *section, const char *name, const char *value)
{
	struct seen *s = user;
	s->n++;
	snprintf(s->last, sizeof s->last, "%s.%s=%s", section, name, value);
	return strcmp(name, "bad") != 0;
}

static int parse_text(const char *text, struct seen *s)
{
	char path[MAX_PATH], dir[MAX_PATH];
	GetTempPathA(sizeof dir, dir);
	GetTempFileNameA(dir, "gwi", 0, path);
	FILE *f = fopen(path, "wb");
	fputs(text, f);
	fclose(f);
	memset(s, 0, sizeof *s);
	int r = ini_parse(path, on_entry, s);
	DeleteFileA(path);
	return r;
}

static void check_ini(void)
{
	struct seen s;
	int r = parse_text("\xEF\xBB\xBF; comment\n# also\n[watch]\n  geoip = a.mmdb ; note\n"
	                   "json: out.jsonl\n",
	                   &s);
	CHECK(r == 0 && s.n == 2 && strcmp(s.last, "watch.json=out.jsonl") == 0, "%d %d %s", r, s.n,
	      s.last);
	r = parse_text("[a]\nx=1\nnot a pair\ny=2\n", &s);
	CHECK(r == 3 && s.n == 2, "error line %d, %d entries", r, s.n);
	r = parse_text("[a]\nbad=1\n", &s);
	CHECK(r == 2, "handler refusal line %d", r);
	CHECK(ini_parse("no-such-file.ini", on_entry, &s) == -1, "missing file");
}

/* --syslog: the event log opens and takes a line (its content is only seen
 * in Event Viewer on real Windows). */
static void check_event_log(void)
{
	struct gw_err err = {0};
	CHECK(gw_syslog_open(&err) == 0, "event log: %s", err.msg);
	gw_syslog_write(GW_SYSLOG_INFO, "ghostwire test_host: the event log works (é)");
	gw_syslog_close();
}

int main(void)
{
	check_host_addrs();
	check_self();
	check_sha1();
	check_fnmatch();
	check_ini();
	check_event_log();
	return check_done();
}
