/* cli/cmd_replay.c — `ghostwire replay`: a recorded session (a capture and its
 * socket timeline) through the flow table and the correlator, giving every
 * flow its verdict, deterministically: the same session gives the same bytes. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "ghostwire/capture.h"
#include "ghostwire/correlate.h"
#include "ghostwire/verdict_report.h"

static const char replay_usage[] =
        "usage: ghostwire replay DIR [OPTIONS]\n"
        "       ghostwire replay -r CAPTURE --sockets TIMELINE [OPTIONS]\n"
        "\n"
        "Replays a recorded session: each flow of the capture is judged against the\n"
        "socket timeline (explained, kernel-response, transit or unexplained).\n"
        "DIR holds capture.pcap (or capture.pcapng) and sockets.jsonl, as\n"
        "`ghostwire record` writes them.\n"
        "\n"
        "  -r, --read FILE        the capture\n"
        "  -s, --sockets FILE     its socket timeline (docs/timeline.md)\n"
        "  -j, --json             every verdict as a JSON line (docs/verdicts-json.md)\n"
        "      --csv FILE         every verdict as a CSV row to FILE ('-': stdout)\n"
        "      --pcapng FILE      the packets of every finding, each with a comment\n"
        "                         (ghostwire: verdict=... pid=... comm=...), for Wireshark\n"
        "      --pcapng-all       ... every packet, not only findings'\n"
        "  -a, --all              text: every verdict, not only findings\n"
        "      --grace S          seconds around each flow's lifetime (default 2)\n"
        "      --geoip FILE       a MaxMind DB for country and AS (repeatable; default:\n"
        "                         the bundled database, else /usr/share/GeoIP; see\n"
        "                         docs/geoip.md)\n"
        "      --no-enrich        no GeoIP, no names from the wire (faster)\n"
        "      --config FILE      settings (a [replay] section: these options) and allow\n"
        "                         rules ([allow NAME]): docs/config.md\n"
        "  -L, --local-net CIDR   also local (the timeline gives the host's addresses)\n"
        "      --max-flows N      flows held at once (default 262144)\n"
        "      --no-progress      no progress line on stderr\n"
        "      --alert-rate N     alert hygiene as in watch, by packet time: at most N\n"
        "      --repeat-window S  alerts a second, repeats in S seconds held (default:\n"
        "                         every finding alerted)\n"
        "      --learn DURATION   learn the baseline from the first DURATION of the\n"
        "                         capture into --baseline FILE, then report what is new\n"
        "      --baseline FILE    report flows not in this baseline as new\n";

enum {
	OPT_GRACE = 256,
	OPT_GEOIP,
	OPT_NO_ENRICH,
	OPT_CSV,
	OPT_PCAPNG,
	OPT_PCAPNG_ALL,
	OPT_CONFIG,
	OPT_MAX_FLOWS,
	OPT_NO_PROGRESS
};

static const struct option long_options[] = {
        {"read", required_argument, NULL, 'r'},
        {"sockets", required_argument, NULL, 's'},
        {"json", no_argument, NULL, 'j'},
        {"all", no_argument, NULL, 'a'},
        {"grace", required_argument, NULL, OPT_GRACE},
        {"geoip", required_argument, NULL, OPT_GEOIP},
        {"no-enrich", no_argument, NULL, OPT_NO_ENRICH},
        {"csv", required_argument, NULL, OPT_CSV},
        {"pcapng", required_argument, NULL, OPT_PCAPNG},
        {"pcapng-all", no_argument, NULL, OPT_PCAPNG_ALL},
        {"local-net", required_argument, NULL, 'L'},
        {"max-flows", required_argument, NULL, OPT_MAX_FLOWS},
        {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
        {"config", required_argument, NULL, OPT_CONFIG},
        GW_CLI_HUNT_OPTIONS,
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
};

struct replay_args {
	struct gw_options opt;
	struct gw_correlator_config ccfg;
	char capture[4096], sockets[4096];
	struct gw_cli_geoip geoip;
	struct gw_cli_config cfg;
	struct gw_cli_hunt hunt; /* alert hygiene and the baseline */
	const char *csv_path;
	const char *pcapng_path;
	bool json, all, progress, no_enrich, pcapng_all;
};

static bool file_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* DIR → DIR/capture.pcap or DIR/capture.pcapng, and DIR/sockets.jsonl. */
static int session_paths(const char *dir, struct replay_args *a)
{
	snprintf(a->capture, sizeof a->capture, "%s/capture.pcap", dir);
	if (!file_exists(a->capture))
		snprintf(a->capture, sizeof a->capture, "%s/capture.pcapng", dir);
	snprintf(a->sockets, sizeof a->sockets, "%s/sockets.jsonl", dir);
	if (!file_exists(a->capture) || !file_exists(a->sockets)) {
		gw_cli_error("%s: not a recorded session (needs capture.pcap or capture.pcapng, "
		             "and sockets.jsonl)",
		             dir);
		return GW_EXIT_FAIL;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct replay_args *a)
{
	int rc = gw_cli_config_argv(&a->cfg, "replay", long_options, &argc, &argv);
	if (rc)
		return rc;
	gw_options_init(&a->opt);
	gw_correlator_config_init(&a->ccfg);
	a->progress = true;
	gw_cli_hunt_init(&a->hunt, false);
	a->hunt.allow = &a->cfg.allow;
	struct gw_err err = {0};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "r:s:jaL:h", long_options, NULL)) != -1) {
		switch (c) {
		case 'r':
			snprintf(a->capture, sizeof a->capture, "%s", optarg);
			break;
		case 's':
			snprintf(a->sockets, sizeof a->sockets, "%s", optarg);
			break;
		case 'j':
			a->json = true;
			break;
		case 'a':
			a->all = true;
			break;
		case OPT_GRACE: {
			char *end;
			double g = strtod(optarg, &end);
			if (*end || end == optarg || !(g >= 0 && g <= 3600)) {
				gw_cli_error(
				        "--grace: '%s' is not a number of seconds from 0 to 3600",
				        optarg);
				return GW_EXIT_USAGE;
			}
			a->ccfg.grace_us = (int64_t)(g * 1e6);
			break;
		}
		case OPT_GEOIP:
			if (!gw_cli_geoip_add(&a->geoip, optarg))
				return GW_EXIT_USAGE;
			break;
		case OPT_NO_ENRICH:
			a->no_enrich = true;
			break;
		case OPT_CSV:
			a->csv_path = optarg;
			break;
		case OPT_PCAPNG:
			a->pcapng_path = optarg;
			break;
		case OPT_PCAPNG_ALL:
			a->pcapng_all = true;
			break;
		case OPT_CONFIG:
			break; /* read before the options (gw_cli_config_argv) */
		case 'L':
			if (a->opt.n_local_nets == GW_MAX_LOCAL_NETS ||
			    gw_cidr_parse(optarg, &a->opt.local_nets[a->opt.n_local_nets], &err) <
			            0) {
				gw_cli_error("--local-net: %s", err.msg[0] ? err.msg : "too many");
				return GW_EXIT_USAGE;
			}
			a->opt.n_local_nets++;
			break;
		case OPT_MAX_FLOWS: {
			unsigned long long v;
			if (!gw_cli_number("max-flows", optarg, 1, 100000000, &v))
				return GW_EXIT_USAGE;
			a->opt.max_flows = (uint32_t)v;
			break;
		}
		case OPT_NO_PROGRESS:
			a->progress = false;
			break;
		case 'h':
			fputs(replay_usage, stdout);
			return -1;
		default: {
			int taken = gw_cli_hunt_option(&a->hunt, c, optarg);
			if (taken == 1)
				break;
			if (taken == 0)
				fputs(replay_usage, stderr);
			return GW_EXIT_USAGE;
		}
		}
	}
	if (gw_cli_hunt_check(&a->hunt) != 0)
		return GW_EXIT_USAGE;
	if (a->pcapng_all && !a->pcapng_path) {
		gw_cli_error("--pcapng-all needs --pcapng FILE");
		return GW_EXIT_USAGE;
	}
	if (optind == argc - 1 && !a->capture[0] && !a->sockets[0])
		return session_paths(argv[optind], a);
	if (optind != argc || !a->capture[0] || !a->sockets[0]) {
		gw_cli_error("replay: give a session DIR, or -r CAPTURE --sockets TIMELINE");
		fputs(replay_usage, stderr);
		return GW_EXIT_USAGE;
	}
	return 0;
}

/* The timeline, read as the replay needs it: a flow is judged once every
 * record up to its last packet + grace is applied, which is all a live run had
 * applied when it judged the same flow (records past the window cannot change
 * a verdict), and memory holds one record at a time. */
struct timeline_feed {
	struct gw_timeline_reader *reader;
	struct gw_tl_record rec;
	bool have;  /* rec holds the next record, not yet applied */
	bool done;  /* the reader reached the end */
	int failed; /* a read or apply error was reported */
};

static int feed_open(struct replay_args *a, struct gw_correlator *c, struct timeline_feed *f)
{
	struct gw_tl_header h;
	struct gw_err err = {0};
	if (gw_timeline_reader_open(a->sockets, 0, &h, &f->reader, &err) < 0) {
		gw_cli_error("%s", err.msg);
		return GW_EXIT_FAIL;
	}
	gw_correlator_set_header(c, &h);
	for (unsigned i = 0; i < h.n_local && a->opt.n_local_nets < GW_MAX_LOCAL_NETS; i++)
		a->opt.local_nets[a->opt.n_local_nets++] = h.local[i];
	gw_tl_record_init(&f->rec, a->ccfg.max_sockets, a->ccfg.max_processes);
	return 0;
}

static void feed_close(struct timeline_feed *f)
{
	gw_tl_record_fini(&f->rec);
	gw_timeline_reader_close(f->reader);
}

/* Applies every record with ts <= until_us. */
static void feed_until(struct timeline_feed *f, struct gw_correlator *c, const char *path,
                       int64_t until_us)
{
	struct gw_err err = {0};
	while (!f->done && !f->failed) {
		if (!f->have) {
			int got = gw_timeline_read(f->reader, &f->rec, &err);
			if (got == 0) {
				f->done = true;
				break;
			}
			if (got < 0) {
				gw_cli_error("%s", err.msg);
				f->failed = 1;
				break;
			}
			f->have = true;
		}
		if (f->rec.ts_us > until_us)
			break;
		f->have = false;
		if (gw_correlator_apply(c, &f->rec, &err) < 0) {
			gw_cli_error("%s: %s", path, err.msg);
			f->failed = 1;
		}
	}
}

struct judge_ctx {
	const struct replay_args *args;
	struct gw_correlator *corr;
	struct timeline_feed feed;
	struct gw_cli_progress progress;
	struct gw_cli_enricher enrich;
	struct gw_cli_outputs out;
	struct gw_cli_evidence ev;
	struct gw_cli_hunt *hunt;       /* alert hygiene and the baseline */
	struct gw_cli_summary *summary; /* top processes, AS, countries */
};

/* A flow still going grace after its first packet: its opening is judged, and
 * a finding is reported now rather than when the flow ends. */
static uint8_t on_flow_due(void *ud, const struct gw_flow *f)
{
	struct judge_ctx *j = ud;
	struct gw_verdict v;
	int64_t decided = f->first_us + gw_correlator_opening_delay_us(j->corr);
	feed_until(&j->feed, j->corr, j->args->sockets, decided);
	gw_correlator_judge_opening(j->corr, f, &v);
	if (!gw_verdict_is_finding(&v))
		return GW_ALERT_MARK_NONE;
	struct gw_verdict_enrich e;
	gw_cli_enrich(&j->enrich, f, &e);
	gw_cli_progress_clear(&j->progress);
	return gw_cli_hunt_opening(j->hunt, f, decided, &v, &e);
}

static void on_flow_end(void *ud, const struct gw_flow *f, enum gw_flow_end why)
{
	struct judge_ctx *j = ud;
	struct gw_verdict v;
	feed_until(&j->feed, j->corr, j->args->sockets, f->last_us + j->args->ccfg.grace_us);
	gw_correlator_judge(j->corr, f, &v);
	struct gw_verdict_enrich e;
	gw_cli_enrich(&j->enrich, f, &e);
	gw_cli_hunt_final(j->hunt, f, &v, &e);
	gw_cli_progress_clear(&j->progress);
	gw_cli_outputs_final(&j->out, f, why, &v, &e);
	gw_cli_hunt_flow_end(j->hunt, f, why, &v, &e);
	gw_cli_summary_add(j->summary, &v, &e);
	gw_cli_evidence_note(&j->ev, f, &v, &e);
	gw_cli_enrich_end(&j->enrich, f);
}

/* The outputs and the summary's tables. */
static int open_outputs(const struct replay_args *a, struct judge_ctx *j)
{
	if (!(j->summary = calloc(1, sizeof *j->summary))) {
		gw_cli_error("out of memory");
		return GW_EXIT_FAIL;
	}
	j->out.json_path = a->json ? "-" : NULL;
	j->out.csv_path = a->csv_path;
	j->out.all = a->all;
	j->ev.path = a->pcapng_path;
	j->ev.all = a->pcapng_all;
	return gw_cli_outputs_open(&j->out, "w");
}

static int close_outputs(struct judge_ctx *j)
{
	free(j->summary);
	j->summary = NULL;
	return gw_cli_outputs_close(&j->out);
}

static void on_payload(void *ud, const struct gw_packet *p)
{
	struct judge_ctx *j = ud;
	gw_cli_enrich_packet(&j->enrich, p);
}

static void on_progress(void *ud, const struct gw_progress *p)
{
	struct judge_ctx *j = ud;
	gw_cli_progress_draw(&j->progress, p);
}

static void print_summary(FILE *out, const struct gw_run_summary *sum,
                          const struct gw_correlator_stats *cs)
{
	fprintf(out,
	        "\n%llu flows: %llu explained, %llu kernel-response, %llu transit, %llu "
	        "unexplained\n"
	        "frames %llu, decoded %llu, malformed %llu; flows evicted (table full) %llu\n",
	        (unsigned long long)sum->flows.flows,
	        (unsigned long long)cs->verdicts[GW_VERDICT_EXPLAINED],
	        (unsigned long long)cs->verdicts[GW_VERDICT_KERNEL_RESPONSE],
	        (unsigned long long)cs->verdicts[GW_VERDICT_TRANSIT],
	        (unsigned long long)cs->verdicts[GW_VERDICT_UNEXPLAINED],
	        (unsigned long long)sum->frames, (unsigned long long)sum->decode.decoded,
	        (unsigned long long)gw_decode_malformed_total(&sum->decode),
	        (unsigned long long)sum->flows.ended[GW_END_EVICTED]);
	fprintf(out,
	        "sockets remembered %llu (evicted for room %llu, forgotten %llu); incomplete "
	        "snapshots %llu; records applied %llu, %llu out of order\n",
	        (unsigned long long)cs->sockets, (unsigned long long)cs->evicted,
	        (unsigned long long)cs->forgotten, (unsigned long long)cs->incomplete_sets,
	        (unsigned long long)cs->records, (unsigned long long)cs->times_held);
	if (!sum->complete)
		fprintf(out, "input ended early: %s\n", sum->error);
}

/* The replay itself, once the options are read. */
static int replay(struct replay_args *a)
{
	int r;
	struct gw_err err = {0};
	struct gw_correlator *corr = NULL;
	if (gw_correlator_new(&a->ccfg, &corr, &err) < 0) {
		gw_cli_error("%s", err.msg);
		return GW_EXIT_FAIL;
	}
	struct judge_ctx j = {.args = a, .corr = corr, .hunt = &a->hunt};
	if (open_outputs(a, &j) != 0 || gw_cli_hunt_open(&a->hunt, &j.out, 0) != 0 ||
	    (!a->no_enrich && gw_cli_enricher_open(&j.enrich, &a->geoip, &a->opt) != 0)) {
		close_outputs(&j);
		gw_correlator_free(corr);
		return GW_EXIT_FAIL;
	}
	if ((r = feed_open(a, corr, &j.feed)) != 0) {
		gw_cli_enricher_close(&j.enrich);
		close_outputs(&j);
		gw_correlator_free(corr);
		return r;
	}
	struct gw_capture *cap = NULL;
	if (gw_capture_open_file(a->capture, &a->opt, &cap, &err) < 0) {
		gw_cli_error("%s", err.msg);
		feed_close(&j.feed);
		gw_cli_enricher_close(&j.enrich);
		close_outputs(&j);
		gw_correlator_free(corr);
		return GW_EXIT_FAIL;
	}
	gw_cli_progress_init(&j.progress, a->progress);
	struct gw_engine_hooks hooks = {.flow_end = on_flow_end,
	                                .flow_due = on_flow_due,
	                                .due_delay_us = gw_correlator_opening_delay_us(corr),
	                                .payload = on_payload,
	                                .progress = on_progress,
	                                .ud = &j};
	struct gw_run_summary sum;
	int status = GW_EXIT_OK;
	if (gw_engine_run_flows(cap, &a->opt, &hooks, NULL, 0, &sum, &err) < 0) {
		gw_cli_error("%s", err.msg);
		status = GW_EXIT_FAIL;
	} else {
		gw_cli_progress_clear(&j.progress);
		gw_cli_hunt_finish(&a->hunt);
		FILE *out = j.out.text ? stdout : stderr;
		print_summary(out, &sum, gw_correlator_stats(corr));
		gw_cli_summary_print(out, j.summary);
		gw_allowlist_print(out, &a->cfg.allow);
		if (gw_cli_hunt_close(&a->hunt, out) != 0)
			status = GW_EXIT_FAIL;
		if (!sum.complete)
			status = sum.frames ? GW_EXIT_PARTIAL : GW_EXIT_FAIL;
		else if (gw_cli_evidence_write(&j.ev, a->capture, &a->opt) != 0)
			status = GW_EXIT_FAIL;
		else if (j.ev.path)
			fprintf(stderr,
			        "pcapng: %llu packets with comments to %s (%llu flows' comments "
			        "lost)\n",
			        (unsigned long long)j.ev.written, j.ev.path,
			        (unsigned long long)j.ev.dropped);
	}
	if (j.feed.failed)
		status = GW_EXIT_FAIL;
	gw_capture_free(cap);
	gw_cli_evidence_free(&j.ev);
	feed_close(&j.feed);
	gw_cli_enricher_close(&j.enrich);
	gw_correlator_free(corr);
	if (close_outputs(&j) != 0) {
		gw_cli_error("writing the verdicts failed");
		status = GW_EXIT_FAIL;
	}
	return status;
}

int gw_cli_replay(int argc, char **argv)
{
	struct replay_args a = {0};
	int r = parse_args(argc, argv, &a);
	if (r == 0)
		r = replay(&a);
	gw_cli_hunt_close(&a.hunt, NULL); /* when the replay stopped early */
	gw_cli_config_free(&a.cfg);
	return r < 0 ? GW_EXIT_OK : r;
}
