/* os/windows/posix/sys/socket.h — socket types and AF_* for the Windows build,
 * from winsock. */
#ifndef GW_WINDOWS_POSIX_SYS_SOCKET_H
#define GW_WINDOWS_POSIX_SYS_SOCKET_H

#include <winsock2.h>
#include <ws2tcpip.h>

#endif
