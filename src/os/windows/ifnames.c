/* os/windows/ifnames.c — the friendly name ("Ethernet", "Wi-Fi") of an Npcap
 * device "\Device\NPF_{GUID}": the adapter of GetAdaptersAddresses whose
 * AdapterName is that {GUID}. The loopback device ("\Device\NPF_Loopback")
 * is Npcap's own and has none. */
#include <winsock2.h>
#include <ws2tcpip.h>

#include <iphlpapi.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ghostwire/ifnames.h"

#define LIST_MAX_BYTES (16u << 20)

/* The {GUID} part of an Npcap device name, or NULL. */
static const char *guid_of(const char *name)
{
	const char *g = strchr(name, '{');
	return g && strchr(g, '}') ? g : NULL;
}

bool gw_iface_friendly_name(const char *capture_name, char *out, size_t size)
{
	if (!size)
		return false;
	out[0] = '\0';
	const char *guid = guid_of(capture_name);
	if (!guid)
		return false;
	ULONG bytes = 16384;
	IP_ADAPTER_ADDRESSES *list = NULL;
	ULONG r = ERROR_BUFFER_OVERFLOW;
	for (int tries = 0; tries < 4 && r == ERROR_BUFFER_OVERFLOW && bytes <= LIST_MAX_BYTES;
	     tries++) {
		free(list);
		if (!(list = malloc(bytes)))
			return false;
		r = GetAdaptersAddresses(AF_UNSPEC,
		                         GAA_FLAG_SKIP_UNICAST | GAA_FLAG_SKIP_ANYCAST |
		                                 GAA_FLAG_SKIP_MULTICAST | GAA_FLAG_SKIP_DNS_SERVER,
		                         NULL, list, &bytes);
	}
	bool found = false;
	for (IP_ADAPTER_ADDRESSES *a = r == NO_ERROR ? list : NULL; a && !found; a = a->Next) {
		if (!a->AdapterName || _stricmp(a->AdapterName, guid) != 0 || !a->FriendlyName)
			continue;
		int n = WideCharToMultiByte(CP_UTF8, 0, a->FriendlyName, -1, out, (int)size, NULL,
		                            NULL);
		found = n > 1;
		if (n <= 0)
			out[0] = '\0'; /* too long for out: none rather than half */
	}
	free(list);
	return found;
}
