/* os/windows/startup.c — what ghostwire.exe sets up before main(): binary
 * standard streams and files (so reports and recordings are byte for byte
 * what Linux writes: "\n", never "\r\n"), winsock for inet_pton and the
 * IP Helper calls, and a UTF-8 console. Linked into the executable only (src/os/windows/meson.build). */
#include <winsock2.h>

#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>

void gw_windows_startup(void) __attribute__((constructor));

void gw_windows_startup(void)
{
	_fmode = _O_BINARY; /* fopen() without "b" is binary too */
	_setmode(_fileno(stdin), _O_BINARY);
	_setmode(_fileno(stdout), _O_BINARY);
	_setmode(_fileno(stderr), _O_BINARY);
	WSADATA wsa;
	WSAStartup(MAKEWORD(2, 2), &wsa);
	SetConsoleOutputCP(CP_UTF8); /* names and paths are printed in UTF-8 */
}
