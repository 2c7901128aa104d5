/* cli/cmd_extcap.c — ghostwire as a Wireshark extcap program: Wireshark runs
 * it with --extcap-interfaces, --extcap-dlts, --extcap-config to list what it
 * offers, then with --capture --extcap-interface IF --fifo PATH to capture;
 * the capture is `watch -i IF --pcapng PATH --pcapng-all`, so every packet reaches
 * Wireshark with a comment naming its flow's process (then its verdict). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "cli.h"

#ifndef GW_VERSION
#define GW_VERSION "unknown"
#endif

static const char extcap_usage[] =
        "usage: ghostwire --extcap-interfaces | --extcap-dlts --extcap-interface IF |\n"
        "       ghostwire --extcap-config --extcap-interface IF |\n"
        "       ghostwire --capture --extcap-interface IF --fifo PATH\n"
        "                 [--extcap-capture-filter EXPR] [--grace S]\n"
        "\n"
        "The Wireshark extcap interface (see README: put ghostwire, or a link to it,\n"
        "in Wireshark's extcap folder). The capture is `ghostwire watch -i IF\n"
        "--pcapng PATH --pcapng-all`: every packet with a comment naming its flow's process.\n";

enum {
	OPT_INTERFACES = 256,
	OPT_DLTS,
	OPT_CONFIG,
	OPT_CAPTURE,
	OPT_INTERFACE,
	OPT_FIFO,
	OPT_FILTER,
	OPT_GRACE,
	OPT_VERSION,
	OPT_IGNORED,
};

static const struct option long_options[] = {
        {"extcap-interfaces", no_argument, NULL, OPT_INTERFACES},
        {"extcap-dlts", no_argument, NULL, OPT_DLTS},
        {"extcap-config", no_argument, NULL, OPT_CONFIG},
        {"capture", no_argument, NULL, OPT_CAPTURE},
        {"extcap-interface", required_argument, NULL, OPT_INTERFACE},
        {"fifo", required_argument, NULL, OPT_FIFO},
        {"extcap-capture-filter", required_argument, NULL, OPT_FILTER},
        {"grace", required_argument, NULL, OPT_GRACE},
        {"extcap-version", optional_argument, NULL, OPT_VERSION},
        {"extcap-control-in", required_argument, NULL, OPT_IGNORED},
        {"extcap-control-out", required_argument, NULL, OPT_IGNORED},
        {"debug", no_argument, NULL, OPT_IGNORED},
        {"debug-file", required_argument, NULL, OPT_IGNORED},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
};

bool gw_cli_is_extcap(const char *arg)
{
	return strncmp(arg, "--extcap-", 9) == 0 || strcmp(arg, "--capture") == 0;
}

/* Every capture interface libpcap offers, plus "any". */
static int list_interfaces(void)
{
	printf("extcap {version=%s}{display=ghostwire: packets with their processes}\n",
	       GW_VERSION);
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_if_t *all = NULL;
	if (pcap_findalldevs(&all, errbuf) != 0) {
		gw_cli_error("extcap: %s", errbuf);
		return GW_EXIT_FAIL;
	}
	for (pcap_if_t *d = all; d; d = d->next) {
		if (strchr(d->name, '{') || strchr(d->name, '}'))
			continue; /* the extcap syntax cannot quote them */
		printf("interface {value=ghostwire-%s}{display=ghostwire: %s (process "
		       "annotations)}\n",
		       d->name, d->name);
	}
	pcap_freealldevs(all);
	return GW_EXIT_OK;
}

/* "ghostwire-eth0" -> "eth0" */
static const char *pcap_name(const char *extcap_name)
{
	return strncmp(extcap_name, "ghostwire-", 10) == 0 ? extcap_name + 10 : extcap_name;
}

static int list_dlts(const char *iface)
{
	/* The pcapng written describes each interface with its own link type;
	 * this is what Wireshark shows before the capture starts. */
	if (strcmp(pcap_name(iface), "any") == 0)
		printf("dlt {number=113}{name=LINUX_SLL}{display=Linux cooked}\n");
	else
		printf("dlt {number=1}{name=EN10MB}{display=Ethernet}\n");
	return GW_EXIT_OK;
}

static int list_config(void)
{
	printf("arg {number=0}{call=--grace}{display=Grace window (s)}{type=integer}"
	       "{range=1,3600}{default=2}{tooltip=seconds around each flow's lifetime}\n");
	return GW_EXIT_OK;
}

int gw_cli_extcap(int argc, char **argv)
{
	int c, what = 0;
	const char *iface = NULL, *fifo = NULL, *filter = NULL, *grace = NULL;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
		switch (c) {
		case OPT_INTERFACES:
		case OPT_DLTS:
		case OPT_CONFIG:
		case OPT_CAPTURE:
			what = c;
			break;
		case OPT_INTERFACE:
			iface = optarg;
			break;
		case OPT_FIFO:
			fifo = optarg;
			break;
		case OPT_FILTER:
			filter = optarg;
			break;
		case OPT_GRACE:
			grace = optarg;
			break;
		case OPT_VERSION:
		case OPT_IGNORED:
			break;
		case 'h':
			fputs(extcap_usage, stdout);
			return GW_EXIT_OK;
		default:
			fputs(extcap_usage, stderr);
			return GW_EXIT_USAGE;
		}
	}
	if (what == OPT_INTERFACES)
		return list_interfaces();
	if (!iface) {
		gw_cli_error("extcap: give --extcap-interface IF");
		return GW_EXIT_USAGE;
	}
	if (what == OPT_DLTS)
		return list_dlts(iface);
	if (what == OPT_CONFIG)
		return list_config();
	if (what != OPT_CAPTURE || !fifo) {
		fputs(extcap_usage, stderr);
		return GW_EXIT_USAGE;
	}
	/* watch -i IF --pcapng FIFO [-f EXPR] [--grace S] */
	char *args[13];
	int n = 0;
	args[n++] = "watch";
	args[n++] = "-i";
	args[n++] = (char *)pcap_name(iface);
	args[n++] = "--pcapng";
	args[n++] = (char *)fifo;
	args[n++] = "--pcapng-all";
	if (filter && filter[0]) {
		args[n++] = "-f";
		args[n++] = (char *)filter;
	}
	if (grace) {
		args[n++] = "--grace";
		args[n++] = (char *)grace;
	}
	args[n] = NULL;
	return gw_cli_watch(n, args);
}
