/* cli/cmd_watch.c — `ghostwire watch -i IFACE...`: live capture, socket poller
 * and correlator together. Findings print as they are decided; --json writes
 * every verdict; SIGINT/SIGTERM finish cleanly, SIGUSR1 prints the counters. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "ghostwire/capture.h"
#include "ghostwire/clock.h"
#include "ghostwire/correlate.h"
#include "ghostwire/hostaddr.h"
#include "ghostwire/poller.h"
#include "ghostwire/verdict_report.h"

static const char watch_usage[] =
        "usage: ghostwire watch -i IFACE [-i IFACE...] [OPTIONS]\n"
        "\n"
        "Captures live, polls the socket table, and judges every flow: findings\n"
        "(traffic no visible socket explains) print as they are decided.\n"
        "\n"
        "  -i, --interface IFACE  capture on IFACE (repeatable; 'any' for all)\n"
        "  -j, --json FILE        every verdict as a JSON line to FILE ('-': stdout)\n"
        "      --csv FILE         every verdict as a CSV row to FILE ('-': stdout)\n"
        "      --pcapng FILE --pcapng-all\n"
        "                         every packet to FILE, each with a comment: its flow's\n"
        "                         owner once looked up, then its opening verdict (the\n"
        "                         findings' packets alone: -w DIR, then replay DIR\n"
        "                         --pcapng FILE)\n"
        "  -a, --all              text: every verdict, not only findings\n"
        "  -w, --write DIR        also record the session into the new directory DIR\n"
        "                         (as `ghostwire record`; `replay DIR` gives the same\n"
        "                         verdicts)\n"
        "      --duration S       stop after S seconds (default: until Ctrl-C)\n"
        "  -f, --filter EXPR      BPF filter\n"
        "      --grace S          seconds around each flow's lifetime (default 2)\n"
        "      --geoip FILE       a MaxMind DB for country and AS (repeatable; default:\n"
        "                         the bundled database, else /usr/share/GeoIP)\n"
        "      --idle-timeout S   judge a flow after S seconds without packets (300)\n"
        "      --closed-timeout S judge a closed TCP flow S seconds after it closed (5)\n"
        "      --interval MS      between socket polls (default 1000)\n"
        "      --max-flows N      flows held at once (default 262144; the memory bound:\n"
        "                         beyond it the flow due soonest is judged and evicted)\n"
        "      --all-netns        every network namespace (root)\n"
        "  -L, --local-net CIDR   also local (the host's addresses always are)\n"
        "      --user NAME        as root, run as NAME once everything is open\n"
        "                         (default nobody; see docs/privileges.md)\n"
        "      --stay-root        do not drop privileges\n"
        "      --config FILE      settings (a [watch] section: these options) and allow\n"
        "                         rules ([allow NAME]): docs/config.md\n"
        "      --alert-rate N     alerts a second at most (default 20; 0: no limit);\n"
        "                         beyond, alerts are dropped and the drops reported\n"
        "      --repeat-window S  a finding like one alerted in the last S seconds is\n"
        "                         held, and counted in one 'repeated' line (300; 0: off)\n"
        "      --learn DURATION   learn what is normal (process, direction, port, remote\n"
        "                         AS) for DURATION (90s, 15m, 12h, 7d) into --baseline\n"
        "                         FILE, then report what is new\n"
        "      --baseline FILE    report flows not in this baseline as new (docs/hunting.md)\n"
        "      --state FILE       keep alerted flows, repeat windows and reported entries\n"
        "                         across restarts (docs/daemon.md)\n"
        "      --syslog           alerts and notices to syslog (journald) too\n"
        "      --no-tui           plain lines even on a terminal (default there: the live\n"
        "                         table; keys s sort, u findings only, / filter, p pause,\n"
        "                         q quit)\n"
        "\n"
        "SIGHUP reopens the --json and --csv files (logrotate); SIGUSR1 prints the\n"
        "counters; SIGINT or SIGTERM end the run: open flows get\n"
        "their verdicts, outputs are flushed, and the counters are printed.\n";

enum {
	OPT_DURATION = 256,
	OPT_GRACE,
	OPT_INTERVAL,
	OPT_ALL_NETNS,
	OPT_USER,
	OPT_STAY_ROOT,
	OPT_IDLE,
	OPT_CLOSED,
	OPT_GEOIP,
	OPT_CSV,
	OPT_PCAPNG,
	OPT_PCAPNG_ALL,
	OPT_NO_TUI,
	OPT_MAX_FLOWS,
	OPT_CONFIG
};

static const struct option long_options[] = {
        {"interface", required_argument, NULL, 'i'},
        {"json", required_argument, NULL, 'j'},
        {"all", no_argument, NULL, 'a'},
        {"write", required_argument, NULL, 'w'},
        {"duration", required_argument, NULL, OPT_DURATION},
        {"filter", required_argument, NULL, 'f'},
        {"grace", required_argument, NULL, OPT_GRACE},
        {"geoip", required_argument, NULL, OPT_GEOIP},
        {"csv", required_argument, NULL, OPT_CSV},
        {"pcapng", required_argument, NULL, OPT_PCAPNG},
        {"pcapng-all", no_argument, NULL, OPT_PCAPNG_ALL},
        {"no-tui", no_argument, NULL, OPT_NO_TUI},
        {"max-flows", required_argument, NULL, OPT_MAX_FLOWS},
        {"interval", required_argument, NULL, OPT_INTERVAL},
        {"all-netns", no_argument, NULL, OPT_ALL_NETNS},
        {"local-net", required_argument, NULL, 'L'},
        {"user", required_argument, NULL, OPT_USER},
        {"stay-root", no_argument, NULL, OPT_STAY_ROOT},
        {"idle-timeout", required_argument, NULL, OPT_IDLE},
        {"closed-timeout", required_argument, NULL, OPT_CLOSED},
        {"config", required_argument, NULL, OPT_CONFIG},
        GW_CLI_HUNT_OPTIONS,
        GW_CLI_HUNT_LIVE_OPTIONS,
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
};

static volatile sig_atomic_t counters_requested;

static volatile sig_atomic_t reopen_requested;

static void on_hup(int sig)
{
	(void)sig;
	reopen_requested = 1;
}

static void on_usr1(int sig)
{
	(void)sig;
	counters_requested = 1;
}

struct watch {
	struct gw_options opt;
	struct gw_poller_config pcfg;
	struct gw_correlator_config ccfg;
	struct gw_cli_outputs out;
	struct gw_cli_summary *summary;
	struct gw_cli_evidence ev; /* --pcapng */
	struct gw_cli_tui *tui;    /* the live table, on a terminal */
	struct gw_cli_config cfg;  /* --config: its options and allow rules */
	struct gw_cli_hunt hunt;   /* alert hygiene, baseline, state, syslog */
	bool no_tui;
	const char *session;               /* -w DIR, or NULL */
	FILE *meta;                        /* its meta.json, opened before privileges go */
	struct gw_timeline_writer *writer; /* the session's timeline */
	int64_t started_us;
	const char *user; /* NULL: stay root */

	uint32_t duration_s;
	struct gw_poller *poller;
	struct gw_correlator *corr;
	struct gw_capture *cap;
	struct gw_cli_loss loss;
	struct gw_cli_geoip geoip;
	struct gw_cli_enricher enrich;
};

static int parse_args(int argc, char **argv, struct watch *w)
{
	int rc = gw_cli_config_argv(&w->cfg, "watch", long_options, &argc, &argv);
	if (rc)
		return rc;
	gw_options_init(&w->opt);
	gw_poller_config_init(&w->pcfg);
	gw_correlator_config_init(&w->ccfg);
	w->user = "nobody";
	gw_cli_hunt_init(&w->hunt, true);
	w->hunt.allow = &w->cfg.allow;
	struct gw_err err = {0};
	unsigned long long v;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "i:j:aw:f:L:h", long_options, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (w->opt.n_interfaces == GW_MAX_INTERFACES) {
				gw_cli_error("at most %d interfaces", GW_MAX_INTERFACES);
				return GW_EXIT_USAGE;
			}
			w->opt.interfaces[w->opt.n_interfaces++] = optarg;
			break;
		case 'j':
			w->out.json_path = optarg;
			break;
		case 'a':
			w->out.all = true;
			break;
		case OPT_CSV:
			w->out.csv_path = optarg;
			break;
		case OPT_PCAPNG:
			w->ev.path = optarg;
			break;
		case OPT_PCAPNG_ALL:
			w->ev.all = true;
			break;
		case OPT_NO_TUI:
			w->no_tui = true;
			break;
		case OPT_CONFIG:
			break; /* read before the options (gw_cli_config_argv) */
		case OPT_MAX_FLOWS:
			if (!gw_cli_number("max-flows", optarg, 1, 100000000, &v))
				return GW_EXIT_USAGE;
			w->opt.max_flows = (uint32_t)v;
			break;
		case 'w':
			w->session = optarg;
			break;
		case OPT_DURATION:
			if (!gw_cli_number("duration", optarg, 1, 100000000, &v))
				return GW_EXIT_USAGE;
			w->duration_s = (uint32_t)v;
			break;
		case 'f':
			w->opt.bpf_filter = optarg;
			break;
		case OPT_GRACE:
			if (!gw_cli_number("grace", optarg, 1, 3600, &v))
				return GW_EXIT_USAGE;
			w->ccfg.grace_us = (int64_t)v * 1000000;
			break;
		case OPT_INTERVAL:
			if (!gw_cli_number("interval", optarg, 1, 3600000, &v))
				return GW_EXIT_USAGE;
			w->pcfg.interval_ms = (uint32_t)v;
			break;
		case OPT_ALL_NETNS:
			w->pcfg.view_cfg.all_netns = true;
			break;
		case OPT_USER:
			w->user = optarg;
			break;
		case OPT_IDLE:
			if (!gw_cli_number("idle-timeout", optarg, 1, 86400 * 30, &v))
				return GW_EXIT_USAGE;
			w->opt.idle_timeout_s = (uint32_t)v;
			break;
		case OPT_CLOSED:
			if (!gw_cli_number("closed-timeout", optarg, 0, 86400, &v))
				return GW_EXIT_USAGE;
			w->opt.closed_timeout_s = (uint32_t)v;
			break;
		case OPT_GEOIP:
			if (!gw_cli_geoip_add(&w->geoip, optarg))
				return GW_EXIT_USAGE;
			break;
		case OPT_STAY_ROOT:
			w->user = NULL;
			break;
		case 'L':
			if (w->opt.n_local_nets == GW_MAX_LOCAL_NETS ||
			    gw_cidr_parse(optarg, &w->opt.local_nets[w->opt.n_local_nets], &err) <
			            0) {
				gw_cli_error("--local-net: %s", err.msg[0] ? err.msg : "too many");
				return GW_EXIT_USAGE;
			}
			w->opt.n_local_nets++;
			break;
		case 'h':
			fputs(watch_usage, stdout);
			return -1;
		default: {
			int taken = gw_cli_hunt_option(&w->hunt, c, optarg);
			if (taken == 1)
				break;
			if (taken == 0)
				fputs(watch_usage, stderr);
			return GW_EXIT_USAGE;
		}
		}
	}
	if (gw_cli_hunt_check(&w->hunt) != 0)
		return GW_EXIT_USAGE;
	if (!w->ev.path != !w->ev.all) {
		gw_cli_error("watch: --pcapng FILE writes every packet and needs --pcapng-all; for "
		             "the findings' packets alone, record with -w DIR and run replay DIR "
		             "--pcapng FILE");
		return GW_EXIT_USAGE;
	}
	if (w->opt.n_interfaces == 0 || optind < argc) {
		gw_cli_error("watch: give -i IFACE");
		fputs(watch_usage, stderr);
		return GW_EXIT_USAGE;
	}
	return 0;
}

static int apply_record(void *ud, const struct gw_tl_record *rec, struct gw_err *err)
{
	struct watch *w = ud;
	if (w->writer && gw_timeline_write(w->writer, rec, err) < 0)
		return err ? err->code : GW_EIO;
	return gw_correlator_apply(w->corr, rec, err);
}

static void on_flow_new(void *ud, const struct gw_flow *f)
{
	struct watch *w = ud;
	gw_cli_lookup_new_flow(w->poller, f);
	if (w->ev.w || w->tui) { /* what is known of it until its opening is judged */
		struct gw_verdict v;
		struct gw_verdict_enrich e;
		gw_correlator_peek(w->corr, f, &v);
		gw_cli_enrich(&w->enrich, f, &e);
		gw_cli_evidence_note_live(&w->ev, f, &v, &e, true);
		if (w->tui)
			gw_cli_tui_flow(w->tui, f, &v, &e, true);
	}
}

static void on_packet(void *ud, const struct gw_frame *frame, const struct gw_packet *p,
                      const struct gw_flow *f)
{
	struct watch *w = ud;
	(void)p;
	gw_cli_evidence_packet(&w->ev, frame, f);
	if (w->tui && f)
		gw_cli_tui_packet(w->tui, f);
}

/* A flow still going grace after its first packet: a finding on its opening
 * is reported now, not when the flow ends (which may take hours). */
static uint8_t on_flow_due(void *ud, const struct gw_flow *f)
{
	struct watch *w = ud;
	struct gw_verdict v;
	gw_correlator_judge_opening(w->corr, f, &v);
	if (!gw_verdict_is_finding(&v) && !w->tui && !w->ev.w)
		return GW_ALERT_MARK_NONE;
	int64_t decided = f->first_us + gw_correlator_opening_delay_us(w->corr);
	struct gw_verdict_enrich e;
	gw_cli_enrich(&w->enrich, f, &e);
	if (w->tui) /* every row learns its opening's verdict (and owner) */
		gw_cli_tui_flow(w->tui, f, &v, &e, false);
	gw_cli_evidence_note_live(&w->ev, f, &v, &e, false);
	return gw_cli_hunt_opening(&w->hunt, f, decided, &v, &e);
}

static void on_flow_end(void *ud, const struct gw_flow *f, enum gw_flow_end why)
{
	struct watch *w = ud;
	struct gw_verdict v;
	gw_correlator_judge(w->corr, f, &v);
	struct gw_verdict_enrich e;
	gw_cli_enrich(&w->enrich, f, &e);
	gw_cli_hunt_final(&w->hunt, f, &v, &e);
	gw_cli_outputs_final(&w->out, f, why, &v, &e);
	gw_cli_hunt_flow_end(&w->hunt, f, why, &v, &e);
	gw_cli_summary_add(w->summary, &v, &e);
	if (w->tui) {
		gw_cli_tui_flow(w->tui, f, &v, &e, false);
		gw_cli_tui_end(w->tui, f);
	}
	gw_cli_evidence_forget(&w->ev, f);
	gw_cli_enrich_end(&w->enrich, f);
}

static void on_payload(void *ud, const struct gw_packet *p)
{
	struct watch *w = ud;
	gw_cli_enrich_packet(&w->enrich, p);
}

static void print_counters(const struct watch *w)
{
	struct gw_capture_stats cs;
	gw_capture_stats(w->cap, &cs);
	const struct gw_poller_stats *ps = gw_poller_stats(w->poller);
	const struct gw_correlator_stats *k = gw_correlator_stats(w->corr);
	fprintf(stderr,
	        "ghostwire: captured %llu (dropped: kernel %llu, interface %llu; interfaces down "
	        "%llu times, %.1f s); polls %llu "
	        "(%.1f ms average, %.1f ms max, %llu failed); lookups %llu (%llu found, %llu "
	        "skipped "
	        "over 10000/s); /proc/net "
	        "cross-checks %llu (%llu hidden sockets, %llu failed); verdicts: "
	        "%llu explained, %llu kernel-response, %llu transit, %llu unexplained\n",
	        (unsigned long long)cs.received, (unsigned long long)cs.dropped_kernel,
	        (unsigned long long)cs.dropped_iface, (unsigned long long)cs.outages,
	        (double)cs.down_us / 1e6, (unsigned long long)ps->polls,
	        ps->polls ? (double)ps->poll_us_total / (double)ps->polls / 1000.0 : 0.0,
	        (double)ps->poll_us_max / 1000.0, (unsigned long long)ps->poll_errors,
	        (unsigned long long)ps->lookups, (unsigned long long)ps->lookup_hits,
	        (unsigned long long)gw_cli_lookups_skipped(), (unsigned long long)ps->procfs_checks,
	        (unsigned long long)ps->procfs_hidden, (unsigned long long)ps->procfs_errors,
	        (unsigned long long)k->verdicts[GW_VERDICT_EXPLAINED],
	        (unsigned long long)k->verdicts[GW_VERDICT_KERNEL_RESPONSE],
	        (unsigned long long)k->verdicts[GW_VERDICT_TRANSIT],
	        (unsigned long long)k->verdicts[GW_VERDICT_UNEXPLAINED]);
}

static int housekeeping(void *ud, struct gw_err *err)
{
	struct watch *w = ud;
	if (counters_requested) {
		counters_requested = 0;
		print_counters(w);
	}
	if (reopen_requested) {
		reopen_requested = 0;
		gw_cli_outputs_reopen(&w->out);
	}
	if (w->tui) {
		struct gw_capture_stats cs;
		gw_capture_stats(w->cap, &cs);
		const struct gw_poller_stats *ps = gw_poller_stats(w->poller);
		struct gw_cli_tui_status st = {
		        .packets = cs.received,
		        .drops = cs.dropped_kernel + cs.dropped_iface,
		        .poll_ms_avg =
		                ps->polls ? (double)ps->poll_us_total / (double)ps->polls / 1000.0
		                          : 0.0};
		gw_cli_tui_tick(w->tui, &st);
	}
	int r = gw_poller_step(w->poller, err);
	if (r == 0)
		r = gw_cli_capture_loss_step(&w->loss, w->cap, apply_record, w, err);
	if (r == 0 && w->session)
		r = gw_capture_dump_flush(w->cap, err);
	if (r == 0)
		gw_correlator_expire(w->corr, gw_clock_realtime_us());
	gw_cli_hunt_tick(&w->hunt, gw_clock_realtime_us());
	return r;
}

/* -w DIR: the capture and the timeline the verdicts came from, for replay. */
static int open_session(struct watch *w, struct gw_tl_header *h)
{
	char path[4096];
	struct gw_err err = {0};
	if (w->opt.n_interfaces != 1) {
		gw_cli_error("watch -w: a session records one interface (or -i any)");
		return GW_EXIT_USAGE;
	}
	if (gethostname(h->host, sizeof h->host - 1) < 0)
		snprintf(h->host, sizeof h->host, "unknown");
	snprintf(h->source, sizeof h->source, "%s", w->pcfg.view);
	if (!(w->meta = gw_cli_session_dir(w->session)))
		return GW_EXIT_FAIL;
	snprintf(path, sizeof path, "%s/capture.pcap", w->session);
	if (gw_capture_dump_to(w->cap, path, &err) < 0) {
		gw_cli_error("%s", err.msg);
		return GW_EXIT_FAIL;
	}
	snprintf(path, sizeof path, "%s/sockets.jsonl", w->session);
	if (gw_timeline_writer_open(path, h, &w->writer, &err) < 0) {
		gw_cli_error("%s", err.msg);
		return GW_EXIT_FAIL;
	}
	return 0;
}

static int open_all(struct watch *w)
{
	struct gw_err err = {0};
	unsigned room = GW_MAX_LOCAL_NETS - w->opt.n_local_nets, n = 0;
	if (gw_host_addrs(w->opt.local_nets + w->opt.n_local_nets, room, &n, &err) < 0)
		gw_cli_error("warning: %s", err.msg);
	w->opt.n_local_nets += n;
	if (gw_cli_enricher_open(&w->enrich, &w->geoip, &w->opt) != 0)
		return GW_EXIT_FAIL;
	if (gw_capture_open_live(&w->opt, &w->cap, &err) < 0 ||
	    gw_correlator_new(&w->ccfg, &w->corr, &err) < 0) {
		gw_cli_error("%s", err.msg);
		return GW_EXIT_FAIL;
	}
	struct gw_tl_header h = {.version = GW_TIMELINE_VERSION,
	                         .started_us = gw_clock_realtime_us(),
	                         .pid = (int32_t)getpid()};
	memcpy(h.local, w->opt.local_nets, sizeof(struct gw_cidr) * w->opt.n_local_nets);
	h.n_local = w->opt.n_local_nets;
	gw_correlator_set_header(w->corr, &h);
	w->started_us = h.started_us;
	if (w->session && open_session(w, &h) != 0)
		return GW_EXIT_FAIL;
	char warnings[512];
	if (gw_poller_new(&w->pcfg, apply_record, w, &w->poller, warnings, sizeof warnings, &err) <
	    0) {
		gw_cli_error("%s", err.msg);
		return GW_EXIT_FAIL;
	}
	if (warnings[0])
		gw_cli_error("warning: watching without %s", warnings);
	w->out.flush_each = true;
	w->ev.flush_each = true;
	if (gw_cli_outputs_open(&w->out, "a") != 0 || gw_cli_evidence_open_live(&w->ev) != 0)
		return GW_EXIT_FAIL;
	int rc = gw_cli_hunt_open(&w->hunt, &w->out, gw_clock_realtime_us());
	if (rc != 0)
		return rc;
	if (!w->no_tui && w->out.text && (w->tui = gw_cli_tui_open()))
		w->out.text = false; /* the table shows the findings */
	if (!(w->summary = calloc(1, sizeof *w->summary))) {
		gw_cli_error("out of memory");
		return GW_EXIT_FAIL;
	}
	if (gw_poller_step(w->poller, &err) < 0) {
		gw_cli_error("%s", err.msg);
		return GW_EXIT_FAIL;
	}
	return gw_cli_drop_privileges(w->user, w->pcfg.view_cfg.all_netns);
}

int gw_cli_watch(int argc, char **argv)
{
	struct watch w = {0};
	int status = parse_args(argc, argv, &w);
	if (status) {
		gw_cli_config_free(&w.cfg);
		return status < 0 ? GW_EXIT_OK : status;
	}
	if ((status = open_all(&w)) == 0) {
		gw_cli_catch_stop_signals();
		signal(SIGUSR1, on_usr1);
		signal(SIGHUP, on_hup);
		struct gw_engine_hooks hooks = {.flow_end = on_flow_end,
		                                .flow_new = on_flow_new,
		                                .flow_due = on_flow_due,
		                                .payload = on_payload,
		                                .packet = w.ev.path || w.tui ? on_packet : NULL,
		                                .due_delay_us =
		                                        gw_correlator_opening_delay_us(w.corr),
		                                .housekeeping = housekeeping,
		                                .ud = &w};
		struct gw_run_summary sum;
		struct gw_err err = {0};
		if (gw_engine_run_flows(w.cap, &w.opt, &hooks, &gw_cli_stop, w.duration_s, &sum,
		                        &err) < 0 ||
		    !sum.complete) {
			gw_cli_error("%s", err.msg[0] ? err.msg : sum.error);
			status = GW_EXIT_FAIL;
		}
		gw_cli_tui_close(w.tui);
		w.tui = NULL;
		gw_cli_hunt_finish(&w.hunt);
		print_counters(&w);
		fprintf(stderr,
		        "ghostwire: flows %llu (held at most %llu; evicted, the table full: %llu); "
		        "frames %llu, malformed %llu\n",
		        (unsigned long long)sum.flows.flows,
		        (unsigned long long)sum.flows.max_active,
		        (unsigned long long)sum.flows.ended[GW_END_EVICTED],
		        (unsigned long long)sum.frames,
		        (unsigned long long)gw_decode_malformed_total(&sum.decode));
		gw_cli_summary_print(stderr, w.summary);
		gw_allowlist_print(stderr, &w.cfg.allow);
		if (gw_cli_hunt_close(&w.hunt, stderr) != 0)
			status = GW_EXIT_FAIL;
		if (w.meta) {
			gw_cli_session_meta(w.meta, &w.opt, w.started_us, &sum,
			                    gw_poller_stats(w.poller));
			w.meta = NULL;
		}
	}
	gw_cli_tui_close(w.tui); /* if the run never started */
	w.tui = NULL;
	if (gw_cli_outputs_close(&w.out) != 0) {
		gw_cli_error("writing verdicts failed (%s%s%s)",
		             w.out.json_path ? w.out.json_path : "",
		             w.out.json_path && w.out.csv_path ? ", " : "",
		             w.out.csv_path ? w.out.csv_path : "stdout");
		status = GW_EXIT_FAIL;
	}
	free(w.summary);
	gw_cli_hunt_close(&w.hunt, NULL); /* if the run never started */
	gw_cli_config_free(&w.cfg);
	if (gw_cli_evidence_close_live(&w.ev) != 0)
		status = GW_EXIT_FAIL;
	gw_cli_evidence_free(&w.ev);
	if (w.meta)
		fclose(w.meta);
	gw_poller_free(w.poller);
	if (w.writer) {
		struct gw_err err = {0};
		if (gw_timeline_writer_close(w.writer, &err) < 0) {
			gw_cli_error("%s", err.msg);
			status = GW_EXIT_FAIL;
		}
	}
	gw_correlator_free(w.corr);
	gw_capture_free(w.cap);
	gw_cli_enricher_close(&w.enrich);
	return status;
}
