/* os/windows/posix/compat.h — the few POSIX names mingw-w64's C runtime lacks
 * or spells differently, for the common code built for Windows; included first
 * in every file of that build (meson.build), so the common code stays free of
 * any Windows #ifdef. What only a shim header gives is beside this file
 * (poll.h, fnmatch.h, termios.h, arpa/inet.h, ...). The functions are in
 * src/os/windows/posix_*.c. */
#ifndef GW_WINDOWS_POSIX_COMPAT_H
#define GW_WINDOWS_POSIX_COMPAT_H

#define __USE_MINGW_ANSI_STDIO       1       /* C99 printf: %zu, %lld, %hhu */
#define _POSIX_THREAD_SAFE_FUNCTIONS 200112L /* gmtime_r, localtime_r */
#ifndef _WIN32_WINNT
#define _WIN32_WINNT 0x0601 /* Windows 7: inet_pton, GetExtendedTcpTable v6 */
#endif

#include <direct.h>
#include <io.h>
#include <stddef.h>
/* glibc's <stdlib.h> brings <sys/types.h> and with it int64_t & co., which
 * headers of the common code count on; msvcrt's does not. */
#include <stdint.h>
#include <sys/types.h>

/* mingw's GCC checks printf-style attributes against msvcrt's formats (no
 * %zu), although __USE_MINGW_ANSI_STDIO gives C99 ones: the Linux build
 * checks the same format strings. */
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"

/* libpcap declares no pcap_get_selectable_fd for Windows: wpcap.c gives -1. */
struct pcap;
int pcap_get_selectable_fd(struct pcap *p);

/* mkdir takes no mode: Windows ignores POSIX permissions. */
#define mkdir(path, mode) ((void)(mode), _mkdir(path))

/* Signals Windows lacks. signal() goes through gw_posix_signal (posix_io.c),
 * which maps SIGUSR1 ("print the counters") to Ctrl+Break (SIGBREAK) and
 * refuses SIGHUP with EINVAL, never handing msvcrt a number it does not know
 * (its invalid-parameter handler could end the process). */
#include <signal.h>
#define SIGHUP  1
#define SIGUSR1 10
typedef void (*gw_posix_sighandler)(int);
gw_posix_sighandler gw_posix_signal(int sig, gw_posix_sighandler handler);
#define signal(sig, handler) gw_posix_signal(sig, handler)

/* aligned_alloc is C11 but not in msvcrt; the flow table asks for cache-line
 * alignment only for speed and frees with free(), so plain malloc (16-byte
 * aligned on Win64) is the compatible choice. */
#define aligned_alloc(align, size) ((void)(align), malloc(size))

/* fcntl: only F_GETFL is used (to see O_APPEND), which msvcrt does not report. */
#define F_GETFL 3
int gw_posix_fcntl(int fd, int cmd);
#define fcntl(fd, cmd) gw_posix_fcntl(fd, cmd)

/* gethostname is winsock's (ws2_32), declared here as winsock2.h does so that
 * files without it can call it; startup.c calls WSAStartup first. */
__declspec(dllimport) int __stdcall gethostname(char *name, int len);

#endif
