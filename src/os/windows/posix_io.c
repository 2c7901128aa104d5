/* os/windows/posix_io.c — the POSIX calls of posix/compat.h, poll.h and
 * termios.h that mingw-w64's runtime lacks, as far as the common code uses
 * them: each says what it cannot do rather than pretend. */
#include <winsock2.h>
#include <windows.h>

#include <errno.h>
#include <string.h>

#include "posix/compat.h"
#include "posix/poll.h"
#include "posix/termios.h"
#include "wpcap_internal.h"

/* The descriptors polled do not exist on Windows (pcap handles give -1): wait
 * on the live captures' read events if there are any, else out the timeout;
 * the caller then reads without blocking. Reports nothing ready. */
int gw_posix_poll(struct pollfd *fds, nfds_t n, int timeout_ms)
{
	for (nfds_t i = 0; i < n; i++)
		fds[i].revents = 0;
	if (!gw__wpcap_wait(timeout_ms) && timeout_ms > 0)
		Sleep((DWORD)timeout_ms);
	return 0;
}

int gw_posix_tcgetattr(int fd, struct termios *t)
{
	(void)fd;
	memset(t, 0, sizeof *t);
	errno = ENOTTY;
	return -1;
}

int gw_posix_tcsetattr(int fd, int when, const struct termios *t)
{
	(void)fd;
	(void)when;
	(void)t;
	errno = ENOTTY;
	return -1;
}

int gw_posix_fcntl(int fd, int cmd)
{
	(void)fd;
	if (cmd == F_GETFL)
		return 0; /* msvcrt keeps O_APPEND to itself: report no flags */
	errno = EINVAL;
	return -1;
}

#undef signal
gw_posix_sighandler gw_posix_signal(int sig, gw_posix_sighandler handler)
{
	if (sig == SIGUSR1)
		return signal(SIGBREAK, handler);
	if (sig == SIGHUP) {
		errno = EINVAL;
		return SIG_ERR;
	}
	return signal(sig, handler);
}
