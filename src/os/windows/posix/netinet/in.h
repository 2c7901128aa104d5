/* os/windows/posix/netinet/in.h — sockaddr_in, sockaddr_in6 and IPPROTO_* for
 * the Windows build, from winsock. */
#ifndef GW_WINDOWS_POSIX_NETINET_IN_H
#define GW_WINDOWS_POSIX_NETINET_IN_H

#include <winsock2.h>
#include <ws2tcpip.h>

#endif
