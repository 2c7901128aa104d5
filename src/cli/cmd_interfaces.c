/* cli/cmd_interfaces.c — `ghostwire interfaces`: the capture interfaces
 * libpcap offers, by the name -i takes, with the name the system shows for it
 * where that differs (ifnames.h), its description, state and addresses. */
#include <stdio.h>
#include <string.h>

#include <netinet/in.h>
#include <pcap/pcap.h>
#include <sys/socket.h>

#include "cli.h"
#include "ghostwire/addr.h"
#include "ghostwire/ifnames.h"

static const char interfaces_usage[] =
        "usage: ghostwire interfaces\n"
        "\n"
        "Lists the interfaces live capture can open (-i NAME takes the first column),\n"
        "with the system's name for each where it differs from it, the driver's\n"
        "description, up/running/loopback, and the addresses assigned.\n";

/* One address of a pcap interface as text into buf; false if not IPv4/IPv6. */
static bool format_addr(const struct sockaddr *sa, char *buf, size_t size)
{
	struct gw_addr a;
	if (!sa)
		return false;
	if (sa->sa_family == AF_INET) {
		struct sockaddr_in in;
		memcpy(&in, sa, sizeof in);
		gw_addr_set4(&a, (const uint8_t *)&in.sin_addr);
	} else if (sa->sa_family == AF_INET6) {
		struct sockaddr_in6 in6;
		memcpy(&in6, sa, sizeof in6);
		gw_addr_set6(&a, in6.sin6_addr.s6_addr);
	} else {
		return false;
	}
	gw_addr_format(&a, buf, size);
	return true;
}

static void print_interface(const pcap_if_t *d)
{
	char friendly[128];
	bool has_friendly = gw_iface_friendly_name(d->name, friendly, sizeof friendly);
	printf("%s\n", d->name);
	if (has_friendly)
		printf("    name:        %s\n", friendly);
	if (d->description && d->description[0])
		printf("    description: %s\n", d->description);
	printf("    state:       %s%s%s\n", d->flags & PCAP_IF_UP ? "up" : "down",
	       d->flags & PCAP_IF_RUNNING ? ",running" : "",
	       d->flags & PCAP_IF_LOOPBACK ? ",loopback" : "");
	for (const pcap_addr_t *a = d->addresses; a; a = a->next) {
		char text[GW_ADDR_STRLEN];
		if (format_addr(a->addr, text, sizeof text))
			printf("    address:     %s\n", text);
	}
}

int gw_cli_interfaces(int argc, char **argv)
{
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(interfaces_usage, stdout);
		return GW_EXIT_OK;
	}
	if (argc > 1) {
		gw_cli_error("interfaces: unexpected argument '%s'", argv[1]);
		fputs(interfaces_usage, stderr);
		return GW_EXIT_USAGE;
	}
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	pcap_if_t *all = NULL;
	if (pcap_findalldevs(&all, errbuf) != 0) {
		gw_cli_error("interfaces: %s", errbuf);
		return GW_EXIT_FAIL;
	}
	if (!all)
		printf("(no interface can be captured on: live capture needs more privileges,\n"
		       " or the capture driver is not running)\n");
	for (const pcap_if_t *d = all; d; d = d->next)
		print_interface(d);
	pcap_freealldevs(all);
	return GW_EXIT_OK;
}
