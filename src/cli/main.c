/* cli/main.c — the ghostwire executable: picks the command, prints help and
 * version. Each command lives in its own cmd_*.c. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <pcap/pcap.h>

#include "cli.h"

#ifndef GW_VERSION
#define GW_VERSION "unknown"
#endif

static const char usage[] =
        "usage: ghostwire COMMAND [OPTIONS]\n"
        "\n"
        "ghostwire reports the traffic on the wire that no visible socket explains.\n"
        "\n"
        "commands:\n"
        "  flows      the flow table of a capture file or live interfaces\n"
        "  sockets    the host's sockets and their owners, like ss -tanpuw\n"
        "  timeline   record the socket table over time (a socket timeline)\n"
        "  watch      capture live and report the traffic no socket explains\n"
        "  record     record a session: a capture and its socket timeline\n"
        "  replay     judge every flow of a recorded session against its sockets\n"
        "  interfaces the interfaces live capture can open, with their addresses\n"
        "  lookup     what a report says about IP addresses: special range, or GeoIP\n"
        "             country, AS number and organisation\n"
        "  help       this text; `ghostwire COMMAND --help` for a command\n"
        "  --extcap-interfaces ...   Wireshark's extcap protocol (see README)\n"
        "  version    version, libraries, and the GeoIP database in use\n"
        "\n"
        "See ghostwire(1) and docs/ for details.\n";

void gw_cli_error(const char *fmt, ...)
{
	va_list ap;
	fputs("ghostwire: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage, stderr);
		return GW_EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (gw_cli_is_extcap(cmd))
		return gw_cli_extcap(argc, argv);
	if (strcmp(cmd, "flows") == 0)
		return gw_cli_flows(argc - 1, argv + 1);
	if (strcmp(cmd, "sockets") == 0)
		return gw_cli_sockets(argc - 1, argv + 1);
	if (strcmp(cmd, "timeline") == 0)
		return gw_cli_timeline(argc - 1, argv + 1);
	if (strcmp(cmd, "record") == 0)
		return gw_cli_record(argc - 1, argv + 1);
	if (strcmp(cmd, "replay") == 0)
		return gw_cli_replay(argc - 1, argv + 1);
	if (strcmp(cmd, "watch") == 0)
		return gw_cli_watch(argc - 1, argv + 1);
	if (strcmp(cmd, "interfaces") == 0)
		return gw_cli_interfaces(argc - 1, argv + 1);
	if (strcmp(cmd, "lookup") == 0)
		return gw_cli_lookup(argc - 1, argv + 1);
	if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		fputs(usage, stdout);
		return GW_EXIT_OK;
	}
	if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
		printf("ghostwire %s\n%s\n", GW_VERSION, pcap_lib_version());
		struct gw_options o;
		gw_options_init(&o);
		gw_cli_geoip_describe(stdout, &o);
		return GW_EXIT_OK;
	}
	gw_cli_error("unknown command '%s'", cmd);
	fputs(usage, stderr);
	return GW_EXIT_USAGE;
}
