/* os/windows/wpcap.c — libpcap on Windows is Npcap's wpcap.dll, loaded at run
 * time as Npcap's guide asks of applications (SetDllDirectory to
 * %SystemRoot%\System32\Npcap, then LoadLibrary), so the build needs no SDK and
 * a host without Npcap gets a message naming what to install. Owns the module
 * handle and one pointer per libpcap function the program calls; each pcap_*
 * below forwards to it, so src/capture/ and src/cli/ call libpcap unchanged.
 * Also keeps the live handles' read events, so that poll() can wait on them
 * (gw__wpcap_wait, wpcap_internal.h). */
#include <winsock2.h>
#include <windows.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <pcap/pcap.h>

#include "wpcap_internal.h"

/* X(name): every function resolved from wpcap.dll. */
#define GW_WPCAP_FUNCS(X)                                                                          \
	X(pcap_activate)                                                                           \
	X(pcap_close)                                                                              \
	X(pcap_compile)                                                                            \
	X(pcap_create)                                                                             \
	X(pcap_datalink)                                                                           \
	X(pcap_datalink_val_to_name)                                                               \
	X(pcap_dump)                                                                               \
	X(pcap_dump_close)                                                                         \
	X(pcap_dump_flush)                                                                         \
	X(pcap_dump_open)                                                                          \
	X(pcap_findalldevs)                                                                        \
	X(pcap_freealldevs)                                                                        \
	X(pcap_freecode)                                                                           \
	X(pcap_geterr)                                                                             \
	X(pcap_hopen_offline_with_tstamp_precision)                                                \
	X(pcap_lib_version)                                                                        \
	X(pcap_next_ex)                                                                            \
	X(pcap_open_offline_with_tstamp_precision)                                                 \
	X(pcap_set_buffer_size)                                                                    \
	X(pcap_set_immediate_mode)                                                                 \
	X(pcap_set_promisc)                                                                        \
	X(pcap_set_snaplen)                                                                        \
	X(pcap_set_timeout)                                                                        \
	X(pcap_set_tstamp_precision)                                                               \
	X(pcap_setfilter)                                                                          \
	X(pcap_setnonblock)                                                                        \
	X(pcap_stats)                                                                              \
	X(pcap_statustostr)

#define GW_WPCAP_POINTER(name) static __typeof__(name) *p_##name;
GW_WPCAP_FUNCS(GW_WPCAP_POINTER)

/* Optional: Npcap's read event of a live handle (the stand-in DLL has none). */
static HANDLE (*p_pcap_getevent)(pcap_t *p);

#define MAX_LIVE 64            /* more than GW_MAX_INTERFACES */
static pcap_t *live[MAX_LIVE]; /* activated handles, for gw__wpcap_wait */

static int state;                  /* 0 not tried, 1 loaded, -1 failed */
static char why[PCAP_ERRBUF_SIZE]; /* the failure, for every later call */

static void fail(const char *fmt, const char *arg)
{
	snprintf(why, sizeof why, fmt, arg);
	state = -1;
}

/* Loads wpcap.dll from the Npcap folder and resolves every function, once. */
static bool load(void)
{
	if (state)
		return state > 0;
	wchar_t dir[MAX_PATH + 8];
	UINT n = GetSystemDirectoryW(dir, MAX_PATH);
	if (n == 0 || n >= MAX_PATH) {
		fail("%s", "cannot find the System32 folder, so not Npcap either");
		return false;
	}
	wcscpy(dir + n, L"\\Npcap");
	SetDllDirectoryW(dir); /* where wpcap.dll finds Packet.dll */
	/* By full path: never another wpcap.dll (an old WinPcap's, or wine's). */
	wchar_t path[MAX_PATH + 32];
	_snwprintf(path, MAX_PATH + 32, L"%ls\\wpcap.dll", dir);
	HMODULE lib = LoadLibraryW(path);
	DWORD load_error = GetLastError();
	if (!lib && GetFileAttributesW(path) == INVALID_FILE_ATTRIBUTES) {
		fail("Npcap is not installed (no wpcap.dll in %%SystemRoot%%\\System32\\Npcap): "
		     "install it from https://npcap.com%s",
		     " (the \"WinPcap API-compatible mode\" option is not needed)");
		return false;
	}
	if (!lib) { /* there, but it or Packet.dll would not load */
		char code[16];
		snprintf(code, sizeof code, "%lu", (unsigned long)load_error);
		fail("Npcap's wpcap.dll cannot be loaded (error %s): reinstall Npcap from "
		     "https://npcap.com",
		     code);
		return false;
	}
#define GW_WPCAP_RESOLVE(name)                                                                     \
	if (!(p_##name = (__typeof__(name) *)(void (*)(void))GetProcAddress(lib, #name))) {        \
		fail("Npcap's wpcap.dll lacks %s: install a current Npcap from https://npcap.com", \
		     #name);                                                                       \
		FreeLibrary(lib);                                                                  \
		return false;                                                                      \
	}
	GW_WPCAP_FUNCS(GW_WPCAP_RESOLVE)
	p_pcap_getevent = (HANDLE(*)(pcap_t *))(void (*)(void))GetProcAddress(lib, "pcap_getevent");
	state = 1;
	return true;
}

/* Copies the load failure into a caller's errbuf (PCAP_ERRBUF_SIZE bytes). */
static void tell_why(char *errbuf)
{
	if (errbuf)
		snprintf(errbuf, PCAP_ERRBUF_SIZE, "%s", why);
}

/* Entry points that can be the first call take an errbuf or have a result
 * that says "failed"; the others need a pcap_t, which only a loaded library
 * gives, so they forward directly. */

pcap_t *pcap_create(const char *source, char *errbuf)
{
	if (!load())
		return tell_why(errbuf), NULL;
	return p_pcap_create(source, errbuf);
}

pcap_t *pcap_open_offline_with_tstamp_precision(const char *path, u_int precision, char *errbuf)
{
	if (!load())
		return tell_why(errbuf), NULL;
	return p_pcap_open_offline_with_tstamp_precision(path, precision, errbuf);
}

pcap_t *pcap_hopen_offline_with_tstamp_precision(intptr_t handle, u_int precision, char *errbuf)
{
	if (!load())
		return tell_why(errbuf), NULL;
	return p_pcap_hopen_offline_with_tstamp_precision(handle, precision, errbuf);
}

int pcap_findalldevs(pcap_if_t **all, char *errbuf)
{
	*all = NULL;
	if (!load())
		return tell_why(errbuf), PCAP_ERROR;
	return p_pcap_findalldevs(all, errbuf);
}

const char *pcap_lib_version(void)
{
	return load() ? p_pcap_lib_version() : why;
}

const char *pcap_statustostr(int status)
{
	return load() ? p_pcap_statustostr(status) : why;
}

const char *pcap_datalink_val_to_name(int dlt)
{
	return load() ? p_pcap_datalink_val_to_name(dlt) : NULL;
}

/* wpcap.dll's FILE belongs to its own C runtime: no use to this one. Progress
 * through a file is then unknown (gw_capture_progress says so). */
FILE *pcap_file(pcap_t *p)
{
	(void)p;
	return NULL;
}

/* The same for a dump: write errors show in pcap_dump_flush's result, so the
 * caller's ferror() is given a stream of this runtime that never fails. */
FILE *pcap_dump_file(pcap_dumper_t *d)
{
	(void)d;
	static FILE *never_failed;
	if (!never_failed)
		never_failed = fopen("NUL", "wb");
	return never_failed;
}

/* Npcap has no selectable descriptor (it waits on an event handle): -1 makes
 * the capture loop read each handle in turn without blocking. */
int pcap_get_selectable_fd(pcap_t *p)
{
	(void)p;
	return -1;
}

int pcap_activate(pcap_t *p)
{
	int r = p_pcap_activate(p);
	for (size_t i = 0; r >= 0 && i < MAX_LIVE; i++)
		if (!live[i]) {
			live[i] = p;
			break;
		}
	return r;
}

void pcap_close(pcap_t *p)
{
	for (size_t i = 0; i < MAX_LIVE; i++)
		if (live[i] == p)
			live[i] = NULL;
	p_pcap_close(p);
}

int gw__wpcap_wait(int timeout_ms)
{
	HANDLE events[MAX_LIVE];
	DWORD n = 0;
	for (size_t i = 0; p_pcap_getevent && i < MAX_LIVE; i++) {
		HANDLE e = live[i] ? p_pcap_getevent(live[i]) : NULL;
		if (e && e != INVALID_HANDLE_VALUE)
			events[n++] = e;
	}
	if (n == 0)
		return 0;
	WaitForMultipleObjects(n, events, FALSE, timeout_ms < 0 ? INFINITE : (DWORD)timeout_ms);
	return 1;
}

int pcap_compile(pcap_t *p, struct bpf_program *prog, const char *text, int optimize,
                 bpf_u_int32 netmask)
{
	return p_pcap_compile(p, prog, text, optimize, netmask);
}

int pcap_datalink(pcap_t *p)
{
	return p_pcap_datalink(p);
}

void pcap_dump(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	p_pcap_dump(user, h, data);
}

void pcap_dump_close(pcap_dumper_t *d)
{
	p_pcap_dump_close(d);
}

int pcap_dump_flush(pcap_dumper_t *d)
{
	return p_pcap_dump_flush(d);
}

pcap_dumper_t *pcap_dump_open(pcap_t *p, const char *path)
{
	return p_pcap_dump_open(p, path);
}

void pcap_freealldevs(pcap_if_t *all)
{
	if (all)
		p_pcap_freealldevs(all);
}

void pcap_freecode(struct bpf_program *prog)
{
	p_pcap_freecode(prog);
}

char *pcap_geterr(pcap_t *p)
{
	return p_pcap_geterr(p);
}

int pcap_next_ex(pcap_t *p, struct pcap_pkthdr **h, const u_char **data)
{
	return p_pcap_next_ex(p, h, data);
}

int pcap_set_buffer_size(pcap_t *p, int size)
{
	return p_pcap_set_buffer_size(p, size);
}

int pcap_set_immediate_mode(pcap_t *p, int on)
{
	return p_pcap_set_immediate_mode(p, on);
}

int pcap_set_promisc(pcap_t *p, int on)
{
	return p_pcap_set_promisc(p, on);
}

int pcap_set_snaplen(pcap_t *p, int snaplen)
{
	return p_pcap_set_snaplen(p, snaplen);
}

int pcap_set_timeout(pcap_t *p, int ms)
{
	return p_pcap_set_timeout(p, ms);
}

int pcap_set_tstamp_precision(pcap_t *p, int precision)
{
	return p_pcap_set_tstamp_precision(p, precision);
}

int pcap_setfilter(pcap_t *p, struct bpf_program *prog)
{
	return p_pcap_setfilter(p, prog);
}

int pcap_setnonblock(pcap_t *p, int on, char *errbuf)
{
	return p_pcap_setnonblock(p, on, errbuf);
}

int pcap_stats(pcap_t *p, struct pcap_stat *st)
{
	return p_pcap_stats(p, st);
}
