/* cli/cmd_timeline.c — `ghostwire timeline -w FILE`: runs the socket poller and
 * writes the socket timeline (docs/timeline.md) until --duration or a signal,
 * then prints the poller's counters. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "ghostwire/clock.h"
#include "ghostwire/hostaddr.h"
#include "ghostwire/poller.h"

static const char timeline_usage[] =
        "usage: ghostwire timeline -w FILE [OPTIONS]\n"
        "\n"
        "Polls the host's socket table and writes every observation to FILE as a\n"
        "socket timeline (docs/timeline.md): a snapshot, then what changed at each\n"
        "poll, and the kernel's events in between (sockets destroyed, processes\n"
        "started and ended, addresses changed). Runs until --duration or Ctrl-C.\n"
        "\n"
        "  -w, --write FILE       the timeline to write ('-' for standard output)\n"
        "      --duration S       stop after S seconds\n"
        "      --interval MS      between polls (default 1000)\n"
        "      --view VIEW        socket view (default netlink)\n"
        "      --all-netns        every network namespace (root)\n"
        "      --no-owners        do not look up owning processes\n";

enum {
	OPT_DURATION = 256,
	OPT_INTERVAL,
	OPT_VIEW,
	OPT_ALL_NETNS,
	OPT_NO_OWNERS
};

static const struct option long_options[] = {
        {"write", required_argument, NULL, 'w'},
        {"duration", required_argument, NULL, OPT_DURATION},
        {"interval", required_argument, NULL, OPT_INTERVAL},
        {"view", required_argument, NULL, OPT_VIEW},
        {"all-netns", no_argument, NULL, OPT_ALL_NETNS},
        {"no-owners", no_argument, NULL, OPT_NO_OWNERS},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
};

static int write_record(void *ud, const struct gw_tl_record *rec, struct gw_err *err)
{
	return gw_timeline_write(ud, rec, err);
}

static void fill_header(struct gw_tl_header *h, const char *view)
{
	memset(h, 0, sizeof *h);
	h->version = GW_TIMELINE_VERSION;
	if (gethostname(h->host, sizeof h->host - 1) < 0)
		snprintf(h->host, sizeof h->host, "unknown");
	snprintf(h->source, sizeof h->source, "%s", view);
	h->started_us = gw_clock_realtime_us();
	h->pid = (int32_t)getpid();
	struct gw_err err = {0};
	if (gw_host_addrs(h->local, GW_MAX_LOCAL_NETS, &h->n_local, &err) < 0)
		gw_cli_error("warning: %s", err.msg);
}

/* Waits for kernel events or the next poll, whichever comes first. */
static void wait_for_work(const struct gw_poller *p, int64_t deadline_us)
{
	struct pollfd fds[8];
	int raw[8];
	size_t n = gw_poller_fds(p, raw, 8);
	for (size_t i = 0; i < n; i++)
		fds[i] = (struct pollfd){.fd = raw[i], .events = POLLIN};
	int timeout = gw_poller_timeout_ms(p);
	if (deadline_us) {
		int64_t left = (deadline_us - gw_clock_monotonic_us() + 999) / 1000;
		if (left < timeout)
			timeout = left < 0 ? 0 : (int)left;
	}
	poll(fds, n, timeout);
}

static void print_stats(const struct gw_poller_stats *s)
{
	fprintf(stderr,
	        "timeline: %llu polls (%llu fast), %.1f ms average, %.1f ms max, %llu failed; "
	        "%llu sockets destroyed (%llu with a known owner); %llu process events, %llu "
	        "address events; %llu event overruns; %llu entries past a record's ceiling\n",
	        (unsigned long long)s->polls, (unsigned long long)s->fast_polls,
	        s->polls ? (double)s->poll_us_total / (double)s->polls / 1000.0 : 0.0,
	        (double)s->poll_us_max / 1000.0, (unsigned long long)s->poll_errors,
	        (unsigned long long)s->destroyed, (unsigned long long)s->destroyed_owned,
	        (unsigned long long)s->process_events, (unsigned long long)s->address_events,
	        (unsigned long long)s->event_overruns, (unsigned long long)s->record_dropped);
}

int gw_cli_timeline(int argc, char **argv)
{
	struct gw_poller_config cfg;
	gw_poller_config_init(&cfg);
	const char *path = NULL;
	uint32_t duration_s = 0;
	unsigned long long v;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "w:h", long_options, NULL)) != -1) {
		switch (c) {
		case 'w':
			path = optarg;
			break;
		case OPT_DURATION:
			if (!gw_cli_number("duration", optarg, 1, 100000000, &v))
				return GW_EXIT_USAGE;
			duration_s = (uint32_t)v;
			break;
		case OPT_INTERVAL:
			if (!gw_cli_number("interval", optarg, 1, 3600000, &v))
				return GW_EXIT_USAGE;
			cfg.interval_ms = (uint32_t)v;
			break;
		case OPT_VIEW:
			cfg.view = optarg;
			break;
		case OPT_ALL_NETNS:
			cfg.view_cfg.all_netns = true;
			break;
		case OPT_NO_OWNERS:
			cfg.view_cfg.owners = false;
			break;
		case 'h':
			fputs(timeline_usage, stdout);
			return GW_EXIT_OK;
		default:
			fputs(timeline_usage, stderr);
			return GW_EXIT_USAGE;
		}
	}
	if (!path || optind < argc) {
		gw_cli_error("timeline: give -w FILE (and nothing else)");
		return GW_EXIT_USAGE;
	}
	struct gw_tl_header h;
	fill_header(&h, cfg.view);
	struct gw_err err = {0};
	struct gw_timeline_writer *w = NULL;
	int r = strcmp(path, "-") == 0
	                ? gw_timeline_writer_open_stream(stdout, "(standard output)", &h, &w, &err)
	                : gw_timeline_writer_open(path, &h, &w, &err);
	if (r < 0) {
		gw_cli_error("%s", err.msg);
		return GW_EXIT_FAIL;
	}
	char warnings[512];
	struct gw_poller *p = NULL;
	if (gw_poller_new(&cfg, write_record, w, &p, warnings, sizeof warnings, &err) < 0) {
		gw_cli_error("%s", err.msg);
		(void)gw_timeline_writer_close(w, NULL);
		return GW_EXIT_FAIL;
	}
	if (warnings[0])
		gw_cli_error("warning: working without %s", warnings);
	gw_cli_catch_stop_signals();
	int64_t deadline = duration_s ? gw_clock_monotonic_us() + (int64_t)duration_s * 1000000 : 0;
	int status = GW_EXIT_OK;
	while (!gw_cli_stop && (!deadline || gw_clock_monotonic_us() < deadline)) {
		if (gw_poller_step(p, &err) < 0) {
			gw_cli_error("%s", err.msg);
			status = GW_EXIT_FAIL;
			break;
		}
		wait_for_work(p, deadline);
	}
	print_stats(gw_poller_stats(p));
	gw_poller_free(p);
	if (gw_timeline_writer_close(w, &err) < 0) {
		gw_cli_error("%s", err.msg);
		status = GW_EXIT_FAIL;
	}
	return status;
}
