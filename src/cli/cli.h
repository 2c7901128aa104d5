/* cli.h — the commands of the ghostwire executable and what they share: exit
 * codes, the progress line, and error printing. Only src/cli/ prints or exits. */
#ifndef GHOSTWIRE_CLI_H
#define GHOSTWIRE_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include <signal.h>

#include "ghostwire/engine.h"
#include "ghostwire/poller.h"
#include "ghostwire/verdict.h"
#include "ghostwire/verdict_report.h"
#include "ghostwire/wirenames.h"
#include "ghostwire/err.h"
#include "ghostwire/geoip.h"
#include "ghostwire/allowlist.h"
#include "ghostwire/hunt_state.h"

enum gw_exit {
	GW_EXIT_OK = 0,
	GW_EXIT_FAIL = 1,    /* nothing could be read or done */
	GW_EXIT_PARTIAL = 2, /* input ended early; what was read is reported */
	GW_EXIT_USAGE = 64,  /* bad command line (sysexits' EX_USAGE) */
};

int gw_cli_flows(int argc, char **argv);
int gw_cli_sockets(int argc, char **argv);
int gw_cli_timeline(int argc, char **argv);
int gw_cli_replay(int argc, char **argv);
int gw_cli_record(int argc, char **argv);
/* Wireshark's extcap protocol (cmd_extcap.c): is arg one of its options? */
bool gw_cli_is_extcap(const char *arg);
int gw_cli_extcap(int argc, char **argv);
int gw_cli_interfaces(int argc, char **argv);
int gw_cli_watch(int argc, char **argv);

/* Parses a whole decimal number in [min, max] given to option --name; prints
 * why not and returns false when the text is not one. */
bool gw_cli_number(const char *name, const char *text, unsigned long long min,
                   unsigned long long max, unsigned long long *out);

/* Becomes 1 on SIGINT or SIGTERM once gw_cli_catch_stop_signals() ran. */
extern volatile sig_atomic_t gw_cli_stop;
void gw_cli_catch_stop_signals(void);

/* Looks up a new TCP/UDP flow's socket through the poller, which records the
 * lookup in its timeline; other protocols and transit flows are skipped. */
void gw_cli_lookup_new_flow(struct gw_poller *p, const struct gw_flow *f);
/* Lookups not made: more new flows than 10,000 a second (a flood). */
uint64_t gw_cli_lookups_skipped(void);

/* Drop counters as last seen (capture_loss.c); zero-initialised. */
struct gw_cli_loss {
	bool started;
	int64_t last_us;
	uint64_t total;
};
/* At most every 100 ms: if cap's drop counters grew since the last look, hands
 * sink a capture record for the interval. Returns sink's error, else 0. The
 * first look only takes the counters: drops before it are the start's. */
int gw_cli_capture_loss_step(struct gw_cli_loss *l, struct gw_capture *cap, gw_poller_sink sink,
                             void *ud, struct gw_err *err);

/* Text output: show this final verdict? Every one with all; else findings not
 * already shown on the flow's opening, and verdicts that withdraw one. */
bool gw_cli_verdict_worth_text(const struct gw_flow *f, const struct gw_verdict *v, bool all);

/* As root, once every capture handle, netlink socket and output is open: runs
 * as user (NULL: stays root), keeping only the capabilities to read other
 * processes' /proc entries (and, with all_netns, to enter namespaces); says
 * so on stderr. GW_EXIT_FAIL with a message if it cannot. */
int gw_cli_drop_privileges(const char *user, bool all_netns);

/* A new session directory (an existing one is refused, with a message); its
 * meta.json, opened now and written (and closed) once the run is over. */
FILE *gw_cli_session_dir(const char *dir);
void gw_cli_session_meta(FILE *meta, const struct gw_options *o, int64_t started_us,
                         const struct gw_run_summary *sum, const struct gw_poller_stats *ps);

/* Prints "ghostwire: MESSAGE" on stderr. */
void gw_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The progress line on stderr: drawn only when stderr is a terminal. */
struct gw_cli_progress {
	bool enabled;
	bool shown; /* a line is on the terminal now */
};
void gw_cli_progress_init(struct gw_cli_progress *p, bool wanted);
void gw_cli_progress_draw(struct gw_cli_progress *p, const struct gw_progress *at);
/* Erases the line, before other output reaches the terminal. */
void gw_cli_progress_clear(struct gw_cli_progress *p);

/* --geoip FILE, repeatable (geoip_opt.c), for every command that enriches. */
struct gw_cli_geoip {
	const char *files[GW_GEOIP_MAX_DBS]; /* borrowed from argv */
	size_t n;
};
/* Records one --geoip FILE; prints why and returns false beyond GW_GEOIP_MAX_DBS. */
bool gw_cli_geoip_add(struct gw_cli_geoip *g, const char *file);
/* Opens the --geoip files, or with none the default ones (the bundled database,
 * else /usr/share/GeoIP, /var/lib/GeoIP). With no database at all the result
 * labels special ranges only; note_if_none then says so on stderr. Prints the
 * error naming the file and returns NULL when one cannot be used. Free with
 * gw_geoip_free. */
struct gw_geoip *gw_cli_geoip_open(const struct gw_cli_geoip *g, const struct gw_options *o,
                                   bool note_if_none);
/* What replay and watch add to verdicts (enrich.c). */
struct gw_cli_enricher {
	struct gw_geoip *geo;
	struct gw_wirenames *names;
	uint64_t geo_errors; /* lookups that failed (a corrupt database): counted, warned once */
};
/* Opens the GeoIP databases (files, or the default ones); GW_EXIT_FAIL, with
 * a message naming the file, if one cannot be used. */
int gw_cli_enricher_open(struct gw_cli_enricher *x, const struct gw_cli_geoip *files,
                         const struct gw_options *o);
void gw_cli_enricher_close(struct gw_cli_enricher *x);
/* Learns names from a packet with payload (engine hook; DNS answers, TLS
 * ClientHello, HTTP request). */
void gw_cli_enrich_packet(struct gw_cli_enricher *x, const struct gw_packet *p);
/* Fills *out for flow f; its strings are borrowed until the next call. */
void gw_cli_enrich(struct gw_cli_enricher *x, const struct gw_flow *f,
                   struct gw_verdict_enrich *out);
/* Forgets what was kept for f, which ended. */
void gw_cli_enrich_end(struct gw_cli_enricher *x, const struct gw_flow *f);

/* Where verdicts go (outputs.c): set json_path, csv_path ('-': stdout), all
 * (text: every verdict) and flush_each, then open with fopen's mode. */
struct gw_cli_outputs {
	const char *json_path, *csv_path;
	bool all, flush_each;
	const char *mode;
	FILE *json, *csv;
	bool text; /* stdout takes text lines (neither --json - nor --csv -) */
	int write_error;
	/* flush_each (live): files unbuffered, and after a failed write (a full
	 * disk) cut back to the last whole line, so no line is ever half there. */
	off_t json_good, csv_good;
	uint64_t lost; /* verdicts not written for a write error */
	bool failing;  /* writes are failing now (said once per episode) */
};
int gw_cli_outputs_open(struct gw_cli_outputs *o, const char *mode);
/* Reopens the files by name (logrotate; SIGHUP), keeping the old on failure. */
void gw_cli_outputs_reopen(struct gw_cli_outputs *o);
void gw_cli_outputs_opening(struct gw_cli_outputs *o, const struct gw_flow *f, int64_t decided_us,
                            const struct gw_verdict *v, const struct gw_verdict_enrich *e);
void gw_cli_outputs_final(struct gw_cli_outputs *o, const struct gw_flow *f, enum gw_flow_end why,
                          const struct gw_verdict *v, const struct gw_verdict_enrich *e);
/* A notice beside the verdicts (alert hygiene, baseline): json to --json,
 * text to stdout when it takes text. */
struct json_t;
void gw_cli_outputs_notice(struct gw_cli_outputs *o, struct json_t *json, const char *text);
/* Closes the files and flushes stdout; -1 if any write failed. */
int gw_cli_outputs_close(struct gw_cli_outputs *o);

/* replay --pcapng (evidence.c): set path (NULL: off) and all. */
struct gw_cli_evidence {
	const char *path;
	bool all;           /* every packet, not only findings' */
	struct slot *slots; /* flow seq -> comment */
	size_t cap, n;
	uint64_t dropped;           /* flows whose comment was not kept (memory, or past 4 M) */
	uint64_t written;           /* packets written */
	struct gw_pcapng_writer *w; /* live: open while watching */
	bool flush_each;            /* live: flush after every packet (a fifo for Wireshark) */
	bool failed;                /* live: a write failed; no more are tried */
};
/* Keeps the comment for f's packets (a finding's; with all, any flow's). */
void gw_cli_evidence_note(struct gw_cli_evidence *ev, const struct gw_flow *f,
                          const struct gw_verdict *v, const struct gw_verdict_enrich *e);
/* The second pass over capture (opened with o, as the replay was): writes
 * the pcapng. 0, or GW_EXIT_FAIL with a message. */
int gw_cli_evidence_write(struct gw_cli_evidence *ev, const char *capture,
                          const struct gw_options *o);
void gw_cli_evidence_free(struct gw_cli_evidence *ev);
/* Live (watch, extcap): open the file; keep what is known of a flow (after
 * its lookup: provisional, an unexplained one says "pending"; its opening
 * verdict; forget it when it ends); write each packet with its flow's
 * comment as it passes; close. */
int gw_cli_evidence_open_live(struct gw_cli_evidence *ev);
void gw_cli_evidence_note_live(struct gw_cli_evidence *ev, const struct gw_flow *f,
                               const struct gw_verdict *v, const struct gw_verdict_enrich *e,
                               bool provisional);
void gw_cli_evidence_forget(struct gw_cli_evidence *ev, const struct gw_flow *f);
void gw_cli_evidence_packet(struct gw_cli_evidence *ev, const struct gw_frame *frame,
                            const struct gw_flow *f);
int gw_cli_evidence_close_live(struct gw_cli_evidence *ev);

/* watch's live terminal view (tui.c). */
struct gw_cli_tui;
struct gw_cli_tui_status {
	uint64_t packets, drops;
	double poll_ms_avg;
};
/* NULL unless stdin and stdout are a terminal (then it owns the terminal's
 * mode until closed, or the program exits). */
struct gw_cli_tui *gw_cli_tui_open(void);
void gw_cli_tui_close(struct gw_cli_tui *t);
/* A flow's row: new, or its verdict (provisional: after its lookup). */
void gw_cli_tui_flow(struct gw_cli_tui *t, const struct gw_flow *f, const struct gw_verdict *v,
                     const struct gw_verdict_enrich *e, bool provisional);
void gw_cli_tui_packet(struct gw_cli_tui *t, const struct gw_flow *f);
void gw_cli_tui_end(struct gw_cli_tui *t, const struct gw_flow *f);
/* Reads keys; redraws every 500 ms unless paused. */
void gw_cli_tui_tick(struct gw_cli_tui *t, const struct gw_cli_tui_status *st);

/* Long hunts (hunt.c): alert hygiene (repeat windows, a rate limit), the
 * baseline (--learn, --baseline), and, live, the state file and syslog. Its
 * options go into each command's option table; gw_cli_hunt_option takes them. */
enum {
	GW_CLI_OPT_ALERT_RATE = 512,
	GW_CLI_OPT_REPEAT_WINDOW,
	GW_CLI_OPT_BASELINE,
	GW_CLI_OPT_LEARN,
	GW_CLI_OPT_STATE,
	GW_CLI_OPT_SYSLOG,
};
#define GW_CLI_HUNT_OPTIONS                                                                        \
	{"alert-rate", required_argument, NULL, GW_CLI_OPT_ALERT_RATE},                            \
	        {"repeat-window", required_argument, NULL, GW_CLI_OPT_REPEAT_WINDOW},              \
	        {"baseline", required_argument, NULL, GW_CLI_OPT_BASELINE},                        \
	{                                                                                          \
		"learn", required_argument, NULL, GW_CLI_OPT_LEARN                                 \
	}
#define GW_CLI_HUNT_LIVE_OPTIONS                                                                   \
	{"state", required_argument, NULL, GW_CLI_OPT_STATE},                                      \
	{                                                                                          \
		"syslog", no_argument, NULL, GW_CLI_OPT_SYSLOG                                     \
	}

struct gw_alert_gate;
struct gw_baseline;
struct gw_cli_hunt {
	/* options */
	uint32_t alert_rate;        /* alerts a second; 0: no limit */
	int64_t repeat_window_us;   /* 0: no repeat windows */
	const char *baseline_path;  /* --baseline FILE */
	int64_t learn_us;           /* --learn DURATION; 0: compare only */
	const char *state_path;     /* --state FILE (watch) */
	bool syslog;                /* --syslog (watch) */
	struct gw_allowlist *allow; /* the command's allow rules (--config) */
	/* the run */
	bool live;
	struct gw_cli_outputs *out; /* where alerts and notices go, beside syslog */
	struct gw_alert_gate *gate;
	struct gw_baseline *baseline; /* learning into it, or comparing with it */
	bool learning;                /* the learning period is not over (or not begun) */
	bool baseline_dirty;          /* learned entries not yet saved */
	struct gw_hunt_state *state;
	int64_t now_us, saved_us;
	uint64_t new_reported, restart_held, save_failures;
};
/* live: watch's defaults (20 alerts/s, 300 s windows); else none (replay). */
void gw_cli_hunt_init(struct gw_cli_hunt *h, bool live);
/* 1 if opt is a hunt option (taken), 0 if not, GW_EXIT_USAGE if its value is bad. */
int gw_cli_hunt_option(struct gw_cli_hunt *h, int opt, const char *arg);
/* After the options: GW_EXIT_USAGE, said, for options that need another. */
int gw_cli_hunt_check(const struct gw_cli_hunt *h);
/* Once the outputs are open: the gate, the baseline and state files, syslog.
 * 0, or GW_EXIT_FAIL / GW_EXIT_USAGE after a message. */
int gw_cli_hunt_open(struct gw_cli_hunt *h, struct gw_cli_outputs *out, int64_t now_us);
/* A flow's opening verdict, decided at decided_us: a finding no rule allows
 * is alerted (its opening line written, and to syslog) unless the gate holds
 * it. Returns the flow's mark (struct gw_flow.alerted). */
uint8_t gw_cli_hunt_opening(struct gw_cli_hunt *h, const struct gw_flow *f, int64_t decided_us,
                            const struct gw_verdict *v, const struct gw_verdict_enrich *e);
/* A flow's final verdict, before it is written: e->allowed_by (counted) for
 * a finding a rule allows; else, for a finding its opening did not alert,
 * e->held_by if the gate holds it (sent to syslog if not). */
void gw_cli_hunt_final(struct gw_cli_hunt *h, const struct gw_flow *f, const struct gw_verdict *v,
                       struct gw_verdict_enrich *e);
/* A flow's final verdict: its baseline entry learned or compared. */
void gw_cli_hunt_flow_end(struct gw_cli_hunt *h, const struct gw_flow *f, enum gw_flow_end why,
                          const struct gw_verdict *v, const struct gw_verdict_enrich *e);
/* About once a second live: windows close, drops are reported, the learning
 * period may end, the state is saved every minute. */
void gw_cli_hunt_tick(struct gw_cli_hunt *h, int64_t now_us);
/* The input is over: open windows and pending drops are reported now. */
void gw_cli_hunt_finish(struct gw_cli_hunt *h);
/* The end: windows and drops reported, files saved, counters printed on out.
 * -1 if a file could not be saved. With out NULL (a run that failed), only
 * frees. */
int gw_cli_hunt_close(struct gw_cli_hunt *h, FILE *out);

/* --config FILE (config.c): the command's section as options, allow rules. */
#define GW_CLI_CONFIG_MAX_ARGS 128
struct gw_cli_config {
	char *args[GW_CLI_CONFIG_MAX_ARGS];
	size_t n_args;
	char **argv; /* the new argument vector, when a file was read */
	struct gw_allowlist allow;
};
struct option;
/* Reads path: [command] keys must be long options of `options`. */
int gw_cli_config_load(struct gw_cli_config *cfg, const char *path, const char *command,
                       const struct option *options);
/* If argv names --config FILE, loads it and replaces argc and argv by argv[0],
 * the file's options, then the command line's (which win). 0, or an exit
 * status after a message naming file and line. */
int gw_cli_config_argv(struct gw_cli_config *cfg, const char *command, const struct option *options,
                       int *argc, char ***argv);
void gw_cli_config_free(struct gw_cli_config *cfg);

/* The end-of-run summary's tables (summary.c). */
#define GW_CLI_TOP_MAX 1024
struct gw_cli_top {
	struct {
		char name[112];
		uint64_t flows;
	} e[GW_CLI_TOP_MAX];
	size_t n;
	uint64_t other; /* flows under names past GW_CLI_TOP_MAX */
};
struct gw_cli_summary {
	struct gw_cli_top processes, findings, ases, countries;
};
/* Counts one final verdict. */
void gw_cli_summary_add(struct gw_cli_summary *s, const struct gw_verdict *v,
                        const struct gw_verdict_enrich *e);
/* "findings by process: ...", "top processes: ...", "top remote AS: ...",
 * "top remote countries: ..." (five each; tables with nothing are left out). */
void gw_cli_summary_print(FILE *out, struct gw_cli_summary *s);

/* `ghostwire version`'s GeoIP lines: libmaxminddb, the default database in
 * use, its date and its attribution (or why there is none). */
void gw_cli_geoip_describe(FILE *out, const struct gw_options *o);

int gw_cli_lookup(int argc, char **argv);

#endif
