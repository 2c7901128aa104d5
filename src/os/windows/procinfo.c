/* os/windows/procinfo.c — who a process is, on Windows: the process list
 * (Toolhelp: pid, parent, image name) taken at each refresh, and on demand
 * one process's details — full image path (OpenProcess +
 * QueryFullProcessImageNameW) and its SHA-256 (exe_hash.c), start time, user
 * (uid: its SID's RID), and for a service host the
 * services it runs (as `netstat -b` and Task Manager show them), kept in
 * `container`, Windows' nearest thing to a systemd unit. Sockets carry their
 * owner's pid from IP Helper, so there is no inode map to build. */
#include <windows.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tlhelp32.h>

#include "exe_hash.h"
#include "ghostwire/procinfo.h"

#define MAX_PROCESSES 65536u /* ceiling of one process list */

struct entry {
	uint32_t pid, ppid;
	char name[16]; /* image name, cut to fit, as comm */
};

struct gw_procinfo {
	struct gw_procinfo_config cfg;
	struct gw_procinfo_stats stats;
	struct entry *procs; /* sorted by pid */
	size_t n_procs;
	ENUM_SERVICE_STATUS_PROCESSW *services; /* NULL until a service host is asked for */
	DWORD n_services;
	bool services_read;
	struct gw__exe_hashes *hashes; /* NULL: executables are not hashed */
	struct gw_process cur;         /* the last answer of gw_procinfo_process */
};

void gw_procinfo_config_init(struct gw_procinfo_config *c)
{
	memset(c, 0, sizeof *c);
	c->hash_max_bytes = 256u << 20;
	c->hash_cache_max = 4096;
	c->user_cache_max = 4096;
	c->dpkg_max_paths = 4000000;
}

/* UTF-16 to UTF-8 into out[0..size), cut to fit; "" on failure. */
static void to_utf8(const wchar_t *w, char *out, size_t size)
{
	int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, out, (int)size, NULL, NULL);
	if (n <= 0) {
		/* Too long: convert into a larger buffer, then cut. */
		char big[2048];
		n = WideCharToMultiByte(CP_UTF8, 0, w, -1, big, (int)sizeof big, NULL, NULL);
		snprintf(out, size, "%s", n > 0 ? big : "");
	}
}

int gw_procinfo_open(const struct gw_procinfo_config *cfg, struct gw_procinfo **out,
                     struct gw_err *err)
{
	*out = calloc(1, sizeof **out);
	if (!*out)
		return gw_err_set(err, GW_ENOMEM, "out of memory");
	(*out)->cfg = *cfg;
	(*out)->cfg.proc_root = NULL; /* not used here, not copied */
	(*out)->cfg.dpkg_info_dir = NULL;
	if (cfg->hash_max_bytes &&
	    !((*out)->hashes = gw__exe_hashes_new(cfg->hash_cache_max, cfg->hash_max_bytes))) {
		gw_procinfo_free(*out);
		*out = NULL;
		return gw_err_set(err, GW_ENOMEM, "out of memory");
	}
	return 0;
}

int gw_procinfo_new(const char *proc_root, struct gw_procinfo **out, struct gw_err *err)
{
	(void)proc_root;
	struct gw_procinfo_config cfg;
	gw_procinfo_config_init(&cfg);
	return gw_procinfo_open(&cfg, out, err);
}

void gw_procinfo_free(struct gw_procinfo *p)
{
	if (!p)
		return;
	free(p->procs);
	free(p->services);
	gw__exe_hashes_free(p->hashes);
	free(p);
}

static int by_pid(const void *a, const void *b)
{
	uint32_t x = ((const struct entry *)a)->pid, y = ((const struct entry *)b)->pid;
	return x < y ? -1 : x > y;
}

int gw_procinfo_refresh(struct gw_procinfo *p, struct gw_err *err)
{
	HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
	if (snap == INVALID_HANDLE_VALUE)
		return gw_err_set(err, GW_EIO,
		                  "cannot list processes (CreateToolhelp32Snapshot: %lu)",
		                  (unsigned long)GetLastError());
	size_t cap = 256, n = 0;
	struct entry *list = malloc(cap * sizeof *list);
	PROCESSENTRY32W pe = {.dwSize = sizeof pe};
	for (BOOL more = list && Process32FirstW(snap, &pe); more && n < MAX_PROCESSES;
	     more = Process32NextW(snap, &pe)) {
		if (n == cap) {
			struct entry *grown = realloc(list, 2 * cap * sizeof *list);
			if (!grown)
				break;
			list = grown;
			cap *= 2;
		}
		list[n].pid = pe.th32ProcessID;
		list[n].ppid = pe.th32ParentProcessID;
		to_utf8(pe.szExeFile, list[n].name, sizeof list[n].name);
		n++;
	}
	CloseHandle(snap);
	if (!list)
		return gw_err_set(err, GW_ENOMEM, "out of memory");
	qsort(list, n, sizeof *list, by_pid);
	free(p->procs);
	p->procs = list;
	p->n_procs = n;
	free(p->services); /* read again when next asked for */
	p->services = NULL;
	p->n_services = 0;
	p->services_read = false;
	p->stats.scans++;
	p->stats.processes = n;
	return 0;
}

/* Sockets from IP Helper carry their owner's pid already: 0 is the idle
 * process's (TIME_WAIT and closing sockets; wine gives 0 for all). */
void gw_procinfo_attribute(const struct gw_procinfo *p, struct gw_socket *sock)
{
	(void)p;
	sock->owner_status = sock->pid > 0 ? GW_OWNER_KNOWN : GW_OWNER_NO_INODE;
	sock->n_holders = sock->pid > 0;
}

/* The running services, once per refresh (only when a service host is asked for). */
static void read_services(struct gw_procinfo *p)
{
	p->services_read = true;
	SC_HANDLE scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_ENUMERATE_SERVICE);
	if (!scm)
		return;
	DWORD need = 0, count = 0, resume = 0;
	EnumServicesStatusExW(scm, SC_ENUM_PROCESS_INFO, SERVICE_WIN32, SERVICE_ACTIVE, NULL, 0,
	                      &need, &count, &resume, NULL);
	if (need && need < (64u << 20) && (p->services = malloc(need))) {
		resume = 0;
		if (EnumServicesStatusExW(scm, SC_ENUM_PROCESS_INFO, SERVICE_WIN32, SERVICE_ACTIVE,
		                          (LPBYTE)p->services, need, &need, &count, &resume, NULL))
			p->n_services = count;
	}
	CloseServiceHandle(scm);
}

/* The names of the services running in pid, comma-separated, cut to fit. */
static void service_names(struct gw_procinfo *p, uint32_t pid, char *out, size_t size)
{
	if (!p->services_read)
		read_services(p);
	size_t used = 0;
	out[0] = '\0';
	for (DWORD i = 0; i < p->n_services && used + 1 < size; i++) {
		if (p->services[i].ServiceStatusProcess.dwProcessId != pid)
			continue;
		char name[128];
		to_utf8(p->services[i].lpServiceName, name, sizeof name);
		int w = snprintf(out + used, size - used, "%s%s", used ? "," : "", name);
		if (w < 0 || (size_t)w >= size - used) {
			out[used] = '\0'; /* never half a name */
			break;
		}
		used += (size_t)w;
	}
}

/* Image path (and its digest), start time and user of an opened process. */
static void read_details(struct gw_procinfo *p, HANDLE h, struct gw_process *out)
{
	wchar_t path[1024];
	DWORD len = sizeof path / sizeof *path;
	if (QueryFullProcessImageNameW(h, 0, path, &len)) {
		to_utf8(path, out->exe, sizeof out->exe);
		if (p->hashes)
			gw__exe_hash(p->hashes, path, out, &p->stats);
	}
	FILETIME created, exited, kernel, user;
	if (GetProcessTimes(h, &created, &exited, &kernel, &user)) {
		uint64_t t = ((uint64_t)created.dwHighDateTime << 32) | created.dwLowDateTime;
		/* 100 ns since 1601 to µs since 1970 */
		if (t > 116444736000000000ULL)
			out->start_us = (int64_t)((t - 116444736000000000ULL) / 10);
	}
	HANDLE token;
	if (OpenProcessToken(h, TOKEN_QUERY, &token)) {
		union {
			TOKEN_USER tu;
			uint8_t bytes[256];
		} buf;
		DWORD got;
		wchar_t name[64], domain[64];
		DWORD nlen = 64, dlen = 64;
		SID_NAME_USE use;
		if (GetTokenInformation(token, TokenUser, &buf, sizeof buf, &got)) {
			PSID sid = buf.tu.User.Sid;
			/* uid: the SID's last part (its RID: 18 for SYSTEM, 1001 ...), as
			 * Cygwin maps SIDs to uids. */
			UCHAR parts = IsValidSid(sid) ? *GetSidSubAuthorityCount(sid) : 0;
			if (parts)
				out->uid = (uint32_t)*GetSidSubAuthority(sid, parts - 1u);
			if (LookupAccountSidW(NULL, sid, name, &nlen, domain, &dlen, &use))
				to_utf8(name, out->user, sizeof out->user);
		}
		CloseHandle(token);
	}
}

const struct gw_process *gw_procinfo_process(struct gw_procinfo *p, int32_t pid)
{
	if (pid <= 0)
		return NULL;
	struct entry key = {.pid = (uint32_t)pid};
	const struct entry *e =
	        p->procs ? bsearch(&key, p->procs, p->n_procs, sizeof key, by_pid) : NULL;
	struct gw_process *out = &p->cur;
	memset(out, 0, sizeof *out);
	out->pid = pid;
	if (e) {
		out->ppid = (int32_t)e->ppid;
		memcpy(out->comm, e->name, sizeof out->comm);
	}
	HANDLE h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, (DWORD)pid);
	if (!h && !e)
		return NULL; /* gone */
	if (h) {
		read_details(p, h, out);
		CloseHandle(h);
	}
	if (_stricmp(out->comm, "svchost.exe") == 0)
		service_names(p, (uint32_t)pid, out->container, sizeof out->container);
	p->stats.details_read++;
	return out;
}

const struct gw_netns_ref *gw_procinfo_namespaces(const struct gw_procinfo *p, size_t *n)
{
	(void)p;
	*n = 0;
	return NULL;
}

const struct gw_procinfo_stats *gw_procinfo_stats(const struct gw_procinfo *p)
{
	return &p->stats;
}
