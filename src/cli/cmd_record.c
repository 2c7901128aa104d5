/* cli/cmd_record.c — `ghostwire record -i IFACE -w DIR`: records a session, a
 * capture and its socket timeline side by side (with an exact socket lookup for
 * every new flow), for `ghostwire replay DIR` to judge later, as often as needed. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "ghostwire/capture.h"
#include "ghostwire/clock.h"
#include "ghostwire/hostaddr.h"
#include "ghostwire/poller.h"

static const char record_usage[] =
        "usage: ghostwire record -i IFACE -w DIR [OPTIONS]\n"
        "\n"
        "Records a session into the new directory DIR: capture.pcap (every packet of\n"
        "IFACE) and sockets.jsonl (the socket timeline, with an exact socket lookup\n"
        "for every new flow). `ghostwire replay DIR` then judges it.\n"
        "\n"
        "  -i, --interface IFACE  the interface (one; 'any' for all)\n"
        "  -w, --write DIR        the session directory to create\n"
        "      --duration S       stop after S seconds (default: until Ctrl-C)\n"
        "  -f, --filter EXPR      BPF filter\n"
        "  -s, --snaplen N        bytes kept per packet (default 262144)\n"
        "      --interval MS      between socket polls (default 1000)\n"
        "      --all-netns        every network namespace (root)\n"
        "      --user NAME        as root, run as NAME once everything is open\n"
        "                         (default nobody; see docs/privileges.md)\n"
        "      --stay-root        do not drop privileges\n";

enum {
	OPT_DURATION = 256,
	OPT_INTERVAL,
	OPT_ALL_NETNS,
	OPT_USER,
	OPT_STAY_ROOT
};

static const struct option long_options[] = {
        {"interface", required_argument, NULL, 'i'},
        {"write", required_argument, NULL, 'w'},
        {"duration", required_argument, NULL, OPT_DURATION},
        {"filter", required_argument, NULL, 'f'},
        {"snaplen", required_argument, NULL, 's'},
        {"interval", required_argument, NULL, OPT_INTERVAL},
        {"all-netns", no_argument, NULL, OPT_ALL_NETNS},
        {"user", required_argument, NULL, OPT_USER},
        {"stay-root", no_argument, NULL, OPT_STAY_ROOT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
};

struct recorder {
	struct gw_poller *poller;
	struct gw_capture *cap;
	struct gw_timeline_writer *writer;
	struct gw_cli_loss loss;
};

static int write_record(void *ud, const struct gw_tl_record *rec, struct gw_err *err)
{
	struct recorder *r = ud;
	return gw_timeline_write(r->writer, rec, err);
}

/* Every new TCP/UDP flow: look its socket up now, while it exists. */
static void on_flow_new(void *ud, const struct gw_flow *f)
{
	struct recorder *r = ud;
	gw_cli_lookup_new_flow(r->poller, f);
}

static void on_flow_end(void *ud, const struct gw_flow *f, enum gw_flow_end why)
{
	(void)ud;
	(void)f;
	(void)why;
}

static int step_poller(void *ud, struct gw_err *err)
{
	struct recorder *r = ud;
	int rc = gw_poller_step(r->poller, err);
	if (rc == 0)
		rc = gw_cli_capture_loss_step(&r->loss, r->cap, write_record, r, err);
	return rc < 0 ? rc : gw_capture_dump_flush(r->cap, err);
}

int gw_cli_record(int argc, char **argv)
{
	struct gw_options o;
	gw_options_init(&o);
	struct gw_poller_config pcfg;
	gw_poller_config_init(&pcfg);
	const char *dir = NULL;
	const char *user = "nobody";
	unsigned long long v, duration_s = 0;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "i:w:f:s:h", long_options, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (o.n_interfaces == 1) {
				gw_cli_error("record: one interface (a pcap file holds one; use -i "
				             "any)");
				return GW_EXIT_USAGE;
			}
			o.interfaces[o.n_interfaces++] = optarg;
			break;
		case 'w':
			dir = optarg;
			break;
		case OPT_DURATION:
			if (!gw_cli_number("duration", optarg, 1, 100000000, &duration_s))
				return GW_EXIT_USAGE;
			break;
		case 'f':
			o.bpf_filter = optarg;
			break;
		case 's':
			if (!gw_cli_number("snaplen", optarg, 64, 262144, &v))
				return GW_EXIT_USAGE;
			o.snaplen = (int)v;
			break;
		case OPT_INTERVAL:
			if (!gw_cli_number("interval", optarg, 1, 3600000, &v))
				return GW_EXIT_USAGE;
			pcfg.interval_ms = (uint32_t)v;
			break;
		case OPT_ALL_NETNS:
			pcfg.view_cfg.all_netns = true;
			break;
		case OPT_USER:
			user = optarg;
			break;
		case OPT_STAY_ROOT:
			user = NULL;
			break;
		case 'h':
			fputs(record_usage, stdout);
			return GW_EXIT_OK;
		default:
			fputs(record_usage, stderr);
			return GW_EXIT_USAGE;
		}
	}
	if (!dir || o.n_interfaces != 1 || optind < argc) {
		gw_cli_error("record: give -i IFACE and -w DIR");
		fputs(record_usage, stderr);
		return GW_EXIT_USAGE;
	}
	struct gw_err err = {0};
	unsigned n = 0;
	if (gw_host_addrs(o.local_nets, GW_MAX_LOCAL_NETS, &n, &err) < 0)
		gw_cli_error("warning: %s", err.msg);
	o.n_local_nets = n;

	struct recorder r = {0};
	if (gw_capture_open_live(&o, &r.cap, &err) < 0) {
		gw_cli_error("%s", err.msg);
		return GW_EXIT_FAIL;
	}
	FILE *meta = gw_cli_session_dir(dir);
	if (!meta) {
		gw_capture_free(r.cap);
		return GW_EXIT_FAIL;
	}
	char path[4096];
	snprintf(path, sizeof path, "%s/capture.pcap", dir);
	struct gw_tl_header h = {.version = GW_TIMELINE_VERSION};
	if (gethostname(h.host, sizeof h.host - 1) < 0)
		snprintf(h.host, sizeof h.host, "unknown");
	snprintf(h.source, sizeof h.source, "%s", pcfg.view);
	h.started_us = gw_clock_realtime_us();
	h.pid = (int32_t)getpid();
	memcpy(h.local, o.local_nets, sizeof(struct gw_cidr) * o.n_local_nets);
	h.n_local = o.n_local_nets;
	int status = GW_EXIT_OK;
	char tl_path[4096], warnings[512];
	snprintf(tl_path, sizeof tl_path, "%s/sockets.jsonl", dir);
	if (gw_capture_dump_to(r.cap, path, &err) < 0 ||
	    gw_timeline_writer_open(tl_path, &h, &r.writer, &err) < 0 ||
	    gw_poller_new(&pcfg, write_record, &r, &r.poller, warnings, sizeof warnings, &err) <
	            0) {
		gw_cli_error("%s", err.msg);
		status = GW_EXIT_FAIL;
		goto out;
	}
	if (warnings[0])
		gw_cli_error("warning: recording without %s", warnings);
	if (gw_poller_step(r.poller, &err) < 0) { /* the first snapshot, before any packet */
		gw_cli_error("%s", err.msg);
		status = GW_EXIT_FAIL;
		goto out;
	}
	if ((status = gw_cli_drop_privileges(user, pcfg.view_cfg.all_netns)) != 0)
		goto out;
	gw_cli_catch_stop_signals();
	struct gw_engine_hooks hooks = {.flow_end = on_flow_end,
	                                .flow_new = on_flow_new,
	                                .housekeeping = step_poller,
	                                .ud = &r};
	struct gw_run_summary sum;
	if (gw_engine_run_flows(r.cap, &o, &hooks, &gw_cli_stop, (uint32_t)duration_s, &sum, &err) <
	    0) {
		gw_cli_error("%s", err.msg);
		status = GW_EXIT_FAIL;
		goto out;
	}
	if (gw_poller_step(r.poller, &err) < 0 || gw_capture_dump_flush(r.cap, &err) < 0 ||
	    !sum.complete) {
		gw_cli_error("%s", sum.complete ? err.msg : sum.error);
		status = GW_EXIT_FAIL;
	}
	const struct gw_poller_stats *ps = gw_poller_stats(r.poller);
	gw_cli_session_meta(meta, &o, h.started_us, &sum, ps);
	meta = NULL;
	fprintf(stderr,
	        "record: %s: %llu packets (dropped: kernel %llu, interface %llu), %llu flows, "
	        "%llu socket lookups (%llu found)\n",
	        dir, (unsigned long long)sum.frames, (unsigned long long)sum.capture.dropped_kernel,
	        (unsigned long long)sum.capture.dropped_iface, (unsigned long long)sum.flows.flows,
	        (unsigned long long)ps->lookups, (unsigned long long)ps->lookup_hits);
out:
	if (meta)
		fclose(meta);
	gw_poller_free(r.poller);
	if (r.writer && gw_timeline_writer_close(r.writer, &err) < 0) {
		gw_cli_error("%s", err.msg);
		status = GW_EXIT_FAIL;
	}
	gw_capture_free(r.cap);
	return status;
}
