/* cli/cmd_flows.c — `ghostwire flows`: reads a capture file or live interfaces
 * and prints the flow table, as a table or JSON lines, then the counters. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "ghostwire/capture.h"
#include "ghostwire/flow_report.h"
#include "ghostwire/hostaddr.h"

static const char flows_usage[] =
        "usage: ghostwire flows -r FILE [OPTIONS]\n"
        "       ghostwire flows -i IFACE [-i IFACE...] [OPTIONS]\n"
        "\n"
        "Prints every flow (proto, local and remote address:port, packets and bytes\n"
        "each way, TCP flags and state, first/last time) as it ends, then counters.\n"
        "\n"
        "input:\n"
        "  -r, --read FILE          pcap or pcapng file ('-' for standard input)\n"
        "  -i, --interface IFACE    capture live (repeatable; 'any' for all interfaces)\n"
        "  -f, --filter EXPR        BPF filter, as tcpdump takes it\n"
        "      --duration S         live: stop after S seconds (default: until Ctrl-C)\n"
        "  -s, --snaplen N          live: bytes kept per packet (default 262144)\n"
        "  -B, --buffer-size MIB    live: kernel capture buffer (default 64)\n"
        "      --promisc            live: promiscuous mode\n"
        "output:\n"
        "  -j, --json               JSON lines (fields: docs/flows-json.md)\n"
        "      --no-progress        no progress line on stderr\n"
        "flow table:\n"
        "  -L, --local-net CIDR     local network (repeatable); live adds the host's\n"
        "                           addresses; without any, the opener is taken as local\n"
        "      --max-flows N        flows held at once; the least recently active is\n"
        "                           evicted (and counted) beyond (default 262144)\n"
        "      --idle-timeout S     end a flow after S seconds without packets (300)\n"
        "      --closed-timeout S   keep a closed TCP flow S seconds for stragglers (5)\n"
        "      --hash-seed N        fixed flow hash key (default: random)\n"
        "\n"
        "exit status: 0 all read; 1 nothing could be read; 2 the input ended early\n"
        "(the flows read are still printed); 64 bad usage.\n";

enum {
	OPT_DURATION = 256,
	OPT_PROMISC,
	OPT_NO_PROGRESS,
	OPT_MAX_FLOWS,
	OPT_IDLE,
	OPT_CLOSED,
	OPT_SEED,
};

static const struct option long_options[] = {
        {"read", required_argument, NULL, 'r'},
        {"interface", required_argument, NULL, 'i'},
        {"filter", required_argument, NULL, 'f'},
        {"duration", required_argument, NULL, OPT_DURATION},
        {"snaplen", required_argument, NULL, 's'},
        {"buffer-size", required_argument, NULL, 'B'},
        {"promisc", no_argument, NULL, OPT_PROMISC},
        {"json", no_argument, NULL, 'j'},
        {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
        {"local-net", required_argument, NULL, 'L'},
        {"max-flows", required_argument, NULL, OPT_MAX_FLOWS},
        {"idle-timeout", required_argument, NULL, OPT_IDLE},
        {"closed-timeout", required_argument, NULL, OPT_CLOSED},
        {"hash-seed", required_argument, NULL, OPT_SEED},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
};

struct flows_args {
	struct gw_options opt;
	const char *file;
	bool json;
	bool progress;
	uint32_t duration_s;
};

static int parse_args(int argc, char **argv, struct flows_args *a)
{
	gw_options_init(&a->opt);
	a->progress = true;
	unsigned long long v;
	struct gw_err err = {0};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "r:i:f:s:B:jL:h", long_options, NULL)) != -1) {
		switch (c) {
		case 'r':
			a->file = optarg;
			break;
		case 'i':
			if (a->opt.n_interfaces == GW_MAX_INTERFACES) {
				gw_cli_error("at most %d interfaces", GW_MAX_INTERFACES);
				return GW_EXIT_USAGE;
			}
			a->opt.interfaces[a->opt.n_interfaces++] = optarg;
			break;
		case 'f':
			a->opt.bpf_filter = optarg;
			break;
		case OPT_DURATION:
			if (!gw_cli_number("duration", optarg, 1, 100000000, &v))
				return GW_EXIT_USAGE;
			a->duration_s = (uint32_t)v;
			break;
		case 's':
			if (!gw_cli_number("snaplen", optarg, 64, 262144, &v))
				return GW_EXIT_USAGE;
			a->opt.snaplen = (int)v;
			break;
		case 'B':
			if (!gw_cli_number("buffer-size", optarg, 1, 2047, &v))
				return GW_EXIT_USAGE;
			a->opt.buffer_mb = (int)v;
			break;
		case OPT_PROMISC:
			a->opt.promisc = true;
			break;
		case 'j':
			a->json = true;
			break;
		case OPT_NO_PROGRESS:
			a->progress = false;
			break;
		case 'L':
			if (a->opt.n_local_nets == GW_MAX_LOCAL_NETS) {
				gw_cli_error("at most %d local networks", GW_MAX_LOCAL_NETS);
				return GW_EXIT_USAGE;
			}
			if (gw_cidr_parse(optarg, &a->opt.local_nets[a->opt.n_local_nets], &err) <
			    0) {
				gw_cli_error("--local-net: %s", err.msg);
				return GW_EXIT_USAGE;
			}
			a->opt.n_local_nets++;
			break;
		case OPT_MAX_FLOWS:
			if (!gw_cli_number("max-flows", optarg, 1, 100000000, &v))
				return GW_EXIT_USAGE;
			a->opt.max_flows = (uint32_t)v;
			break;
		case OPT_IDLE:
			if (!gw_cli_number("idle-timeout", optarg, 1, 86400 * 30, &v))
				return GW_EXIT_USAGE;
			a->opt.idle_timeout_s = (uint32_t)v;
			break;
		case OPT_CLOSED:
			if (!gw_cli_number("closed-timeout", optarg, 0, 86400, &v))
				return GW_EXIT_USAGE;
			a->opt.closed_timeout_s = (uint32_t)v;
			break;
		case OPT_SEED:
			if (!gw_cli_number("hash-seed", optarg, 1, UINT64_MAX, &v))
				return GW_EXIT_USAGE;
			a->opt.hash_seed = v;
			break;
		case 'h':
			fputs(flows_usage, stdout);
			return -1;
		default:
			fputs(flows_usage, stderr);
			return GW_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		gw_cli_error("flows: unexpected argument '%s'", argv[optind]);
		return GW_EXIT_USAGE;
	}
	if (!a->file == !a->opt.n_interfaces) {
		gw_cli_error("flows: give either -r FILE or -i IFACE");
		fputs(flows_usage, stderr);
		return GW_EXIT_USAGE;
	}
	if (a->duration_s && a->file) {
		gw_cli_error("flows: --duration applies to live capture only");
		return GW_EXIT_USAGE;
	}
	return 0;
}

struct output {
	const struct gw_flow_reporter_ops *ops;
	struct gw_flow_reporter *rep;
	struct gw_cli_progress progress;
};

static void on_flow_end(void *ud, const struct gw_flow *f, enum gw_flow_end why)
{
	struct output *out = ud;
	gw_cli_progress_clear(&out->progress);
	out->ops->flow(out->rep, f, why);
}

static void on_progress(void *ud, const struct gw_progress *p)
{
	struct output *out = ud;
	gw_cli_progress_draw(&out->progress, p);
}

/* Live: the host's own addresses are local. */
static void add_host_addresses(struct gw_options *o)
{
	struct gw_err err = {0};
	unsigned room = GW_MAX_LOCAL_NETS - o->n_local_nets, n = 0;
	if (gw_host_addrs(o->local_nets + o->n_local_nets, room, &n, &err) < 0)
		gw_cli_error("warning: %s", err.msg);
	o->n_local_nets += n;
}

static int open_capture(struct flows_args *a, struct gw_capture **cap)
{
	struct gw_err err = {0};
	int r = a->file ? gw_capture_open_file(a->file, &a->opt, cap, &err)
	                : gw_capture_open_live(&a->opt, cap, &err);
	if (r < 0) {
		gw_cli_error("%s", err.msg);
		return GW_EXIT_FAIL;
	}
	if (gw_capture_warnings(*cap)[0])
		gw_cli_error("warning: %s", gw_capture_warnings(*cap));
	return 0;
}

int gw_cli_flows(int argc, char **argv)
{
	struct flows_args a = {0};
	int r = parse_args(argc, argv, &a);
	if (r)
		return r < 0 ? GW_EXIT_OK : r;
	if (!a.file)
		add_host_addresses(&a.opt);

	struct gw_capture *cap;
	if ((r = open_capture(&a, &cap)) != 0)
		return r;

	struct output out = {.ops = gw_flow_reporter_find(a.json ? "jsonl" : "text")};
	struct gw_err err = {0};
	if (out.ops->open(&out.rep, stdout, &err) < 0) {
		gw_cli_error("%s", err.msg);
		gw_capture_free(cap);
		return GW_EXIT_FAIL;
	}
	gw_cli_progress_init(&out.progress, a.progress);
	gw_cli_catch_stop_signals();

	struct gw_engine_hooks hooks = {
	        .flow_end = on_flow_end, .progress = on_progress, .ud = &out};
	struct gw_run_summary sum;
	r = gw_engine_run_flows(cap, &a.opt, &hooks, &gw_cli_stop, a.duration_s, &sum, &err);
	gw_cli_progress_clear(&out.progress);
	int status = GW_EXIT_OK;
	if (r < 0) {
		gw_cli_error("%s", err.msg);
		status = GW_EXIT_FAIL;
	} else {
		out.ops->summary(out.rep, &sum);
		if (!sum.complete) {
			gw_cli_error("%s", sum.error);
			status = sum.frames ? GW_EXIT_PARTIAL : GW_EXIT_FAIL;
		}
	}
	out.ops->close(out.rep);
	gw_capture_free(cap);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		gw_cli_error("writing the output failed: %s", strerror(errno));
		status = GW_EXIT_FAIL;
	}
	return status;
}
