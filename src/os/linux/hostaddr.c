/* os/linux/hostaddr.c — the host's interface addresses from getifaddrs(3).
 * (Kept current through rtnetlink events once the socket poller exists.) */
#include <ifaddrs.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "ghostwire/hostaddr.h"

int gw_host_addrs(struct gw_cidr *out, unsigned max, unsigned *n, struct gw_err *err)
{
	struct ifaddrs *list;
	*n = 0;
	if (getifaddrs(&list) < 0)
		return gw_err_set(err, GW_EIO, "cannot list interface addresses (getifaddrs)");
	int r = 0;
	for (struct ifaddrs *i = list; i; i = i->ifa_next) {
		if (!i->ifa_addr)
			continue;
		struct gw_cidr c;
		if (i->ifa_addr->sa_family == AF_INET) {
			struct sockaddr_in sin;
			memcpy(&sin, i->ifa_addr, sizeof sin);
			gw_addr_set4(&c.net, (const uint8_t *)&sin.sin_addr);
			c.prefix = 32;
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			struct sockaddr_in6 sin6;
			memcpy(&sin6, i->ifa_addr, sizeof sin6);
			gw_addr_set6(&c.net, sin6.sin6_addr.s6_addr);
			c.prefix = 128;
		} else {
			continue;
		}
		if (*n == max) {
			r = gw_err_set(err, GW_ENOMEM, "more than %u interface addresses", max);
			break;
		}
		out[(*n)++] = c;
	}
	freeifaddrs(list);
	return r;
}
