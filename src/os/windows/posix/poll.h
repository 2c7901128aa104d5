/* os/windows/posix/poll.h — poll() for the Windows build. The common code
 * polls only descriptors Windows cannot wait on (pcap handles report -1 there,
 * the poller has no kernel-event descriptors), so poll() waits on the live
 * captures' Npcap events, or out the timeout (src/os/windows/posix_io.c), and
 * the caller then reads without blocking. */
#ifndef GW_WINDOWS_POSIX_POLL_H
#define GW_WINDOWS_POSIX_POLL_H

/* winsock2.h may already define struct pollfd (for WSAPoll) and POLLIN. */
#include <winsock2.h>

typedef unsigned long nfds_t;

int gw_posix_poll(struct pollfd *fds, nfds_t n, int timeout_ms);
#define poll(fds, n, timeout) gw_posix_poll(fds, n, timeout)

#endif
