/* os/windows/hostaddr.c — the host's interface addresses from IP Helper's
 * GetAdaptersAddresses: every unicast address of every adapter, up or down,
 * as a host prefix. */
#include <winsock2.h>
#include <ws2tcpip.h>

#include <iphlpapi.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ghostwire/hostaddr.h"

#define LIST_MAX_BYTES (16u << 20) /* ceiling of the adapter list buffer */

/* The adapter list in a buffer this function allocates (free() it), or NULL
 * with *why set to the last error. */
static IP_ADAPTER_ADDRESSES *list_adapters(ULONG *why)
{
	ULONG size = 16384;
	const ULONG flags =
	        GAA_FLAG_SKIP_ANYCAST | GAA_FLAG_SKIP_MULTICAST | GAA_FLAG_SKIP_DNS_SERVER;
	for (int tries = 0; tries < 4; tries++) {
		IP_ADAPTER_ADDRESSES *list = malloc(size);
		if (!list) {
			*why = ERROR_NOT_ENOUGH_MEMORY;
			return NULL;
		}
		*why = GetAdaptersAddresses(AF_UNSPEC, flags, NULL, list, &size);
		if (*why == NO_ERROR)
			return list;
		free(list);
		if (*why != ERROR_BUFFER_OVERFLOW || size > LIST_MAX_BYTES)
			return NULL;
	}
	return NULL;
}

/* The address of a unicast entry as a host prefix; false if not IPv4 or IPv6. */
static bool to_cidr(const SOCKET_ADDRESS *sa, struct gw_cidr *c)
{
	if (!sa->lpSockaddr)
		return false;
	if (sa->lpSockaddr->sa_family == AF_INET &&
	    (size_t)sa->iSockaddrLength >= sizeof(struct sockaddr_in)) {
		struct sockaddr_in sin;
		memcpy(&sin, sa->lpSockaddr, sizeof sin);
		gw_addr_set4(&c->net, (const uint8_t *)&sin.sin_addr);
		c->prefix = 32;
		return true;
	}
	if (sa->lpSockaddr->sa_family == AF_INET6 &&
	    (size_t)sa->iSockaddrLength >= sizeof(struct sockaddr_in6)) {
		struct sockaddr_in6 sin6;
		memcpy(&sin6, sa->lpSockaddr, sizeof sin6);
		gw_addr_set6(&c->net, sin6.sin6_addr.s6_addr);
		c->prefix = 128;
		return true;
	}
	return false;
}

int gw_host_addrs(struct gw_cidr *out, unsigned max, unsigned *n, struct gw_err *err)
{
	*n = 0;
	ULONG why;
	IP_ADAPTER_ADDRESSES *list = list_adapters(&why);
	if (!list)
		return gw_err_set(
		        err, GW_EIO,
		        "cannot list interface addresses (GetAdaptersAddresses: error %lu)",
		        (unsigned long)why);
	int r = 0;
	for (IP_ADAPTER_ADDRESSES *a = list; a && r == 0; a = a->Next)
		for (IP_ADAPTER_UNICAST_ADDRESS *u = a->FirstUnicastAddress; u; u = u->Next) {
			struct gw_cidr c;
			if (!to_cidr(&u->Address, &c))
				continue;
			if (*n == max) {
				r = gw_err_set(err, GW_ENOMEM, "more than %u interface addresses",
				               max);
				break;
			}
			out[(*n)++] = c;
		}
	free(list);
	return r;
}
