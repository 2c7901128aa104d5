/* os/windows/posix/arpa/inet.h — inet_pton/inet_ntop for the Windows build,
 * from winsock (ws2tcpip.h). */
#ifndef GW_WINDOWS_POSIX_ARPA_INET_H
#define GW_WINDOWS_POSIX_ARPA_INET_H

#include <winsock2.h>
#include <ws2tcpip.h>

#endif
