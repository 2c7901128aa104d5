/* cli/tui.c — watch's live terminal view (plain ANSI, like TCPView and
 * CurrPorts): one row per flow with its process, ends, country/AS, name,
 * state, bytes and verdict; new rows green, closed rows red, changed rows
 * yellow for a moment, findings in reverse video. Keys: s sorts (bytes,
 * verdict, process, port), u shows findings only, / filters by a word
 * (process, verdict or port; Enter ends it), p pauses, q quits. A status line
 * gives packets, drops and poll time. Used only when stdin and stdout are a
 * terminal; it owns the terminal's mode while it runs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "ghostwire/clock.h"

#define MAX_ROWS       4096
#define NEW_MS         2000 /* green this long after the first packet */
#define CHANGED_MS     1000 /* yellow this long after a change of state or verdict */
#define CLOSED_KEEP_MS 5000 /* red this long after the flow ended, then gone */
#define REDRAW_MS      500

enum sort_key {
	SORT_BYTES,
	SORT_VERDICT,
	SORT_PROCESS,
	SORT_PORT,
	SORT_COUNT
};

static const char *const sort_names[] = {"bytes", "verdict", "process", "port"};

struct row {
	uint64_t seq; /* 0: free */
	char ends[112];
	char process[40];
	char where[48];
	char name[40];
	char state[16];
	char verdict[40];
	uint16_t local_port;
	uint64_t bytes;
	bool finding;
	int64_t new_ms, changed_ms, closed_ms; /* monotonic; closed 0 = open */
};

struct gw_cli_tui {
	struct row rows[MAX_ROWS];
	struct termios saved;
	bool active, paused, drawn_paused, findings_only, typing;
	enum sort_key sort;
	char filter[32];
	int64_t last_draw_ms;
	uint64_t rows_dropped; /* flows not shown: the view was full */
};

static int64_t now_ms(void)
{
	return gw_clock_monotonic_us() / 1000;
}

static struct gw_cli_tui *the_tui; /* for the exit handler: the terminal comes back */

static void restore_terminal(void)
{
	if (the_tui && the_tui->active) {
		tcsetattr(STDIN_FILENO, TCSANOW, &the_tui->saved);
		fputs("\x1b[?25h\x1b[0m\n", stdout); /* cursor back, colours off */
		fflush(stdout);
		the_tui->active = false;
	}
}

struct gw_cli_tui *gw_cli_tui_open(void)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return NULL;
	struct gw_cli_tui *t = calloc(1, sizeof *t);
	if (!t || tcgetattr(STDIN_FILENO, &t->saved) != 0) {
		free(t);
		return NULL;
	}
	struct termios raw = t->saved;
	raw.c_lflag &= (tcflag_t) ~(ICANON | ECHO);
	raw.c_cc[VMIN] = 0;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) != 0) {
		free(t);
		return NULL;
	}
	t->active = true;
	the_tui = t;
	atexit(restore_terminal);
	fputs("\x1b[?25l", stdout); /* hide the cursor */
	return t;
}

void gw_cli_tui_close(struct gw_cli_tui *t)
{
	if (!t)
		return;
	restore_terminal();
	the_tui = NULL;
	free(t);
}

static struct row *find_row(struct gw_cli_tui *t, uint64_t seq, bool add)
{
	struct row *free_row = NULL, *oldest_closed = NULL;
	for (size_t i = 0; i < MAX_ROWS; i++) {
		struct row *r = &t->rows[i];
		if (r->seq == seq)
			return r;
		if (!r->seq && !free_row)
			free_row = r;
		if (r->seq && r->closed_ms &&
		    (!oldest_closed || r->closed_ms < oldest_closed->closed_ms))
			oldest_closed = r;
	}
	if (!add)
		return NULL;
	struct row *r = free_row ? free_row : oldest_closed;
	if (!r) {
		t->rows_dropped++;
		return NULL;
	}
	memset(r, 0, sizeof *r);
	r->seq = seq;
	return r;
}

static void describe_ends(const struct gw_flow *f, struct row *r)
{
	struct gw_addr a;
	char l[GW_ADDR_STRLEN], m[GW_ADDR_STRLEN], proto[16];
	gw_flow_local_addr(f, &a);
	gw_addr_format(&a, l, sizeof l);
	gw_flow_remote_addr(f, &a);
	gw_addr_format(&a, m, sizeof m);
	snprintf(r->ends, sizeof r->ends, "%s %s:%u %s %s:%u",
	         gw_transport_name(f->key.proto, proto, sizeof proto), l, f->key.local_port,
	         f->opener == GW_DIR_OUT ? "->" : "<-", m, f->key.remote_port);
	r->local_port = f->key.local_port;
}

static void set_text(char *dst, size_t size, const char *text, int64_t *changed)
{
	if (strncmp(dst, text, size - 1) == 0)
		return;
	snprintf(dst, size, "%s", text);
	*changed = now_ms();
}

static void describe_verdict(struct row *r, const struct gw_verdict *v,
                             const struct gw_verdict_enrich *e, bool provisional)
{
	char text[40], hints[64];
	bool pending = provisional && v->kind != GW_VERDICT_EXPLAINED;
	if (pending)
		snprintf(text, sizeof text, "pending");
	else if (v->kind == GW_VERDICT_UNEXPLAINED)
		snprintf(text, sizeof text, "UNEXPLAINED %s",
		         gw_unexplained_kind_name(v->unexplained));
	else if (v->hints)
		snprintf(text, sizeof text, "%s %s", gw_verdict_kind_name(v->kind),
		         gw_hint_names(v->hints, hints, sizeof hints));
	else
		snprintf(text, sizeof text, "%s", gw_verdict_kind_name(v->kind));
	set_text(r->verdict, sizeof r->verdict, text, &r->changed_ms);
	r->finding = !pending && gw_verdict_is_finding(v);
	char process[40] = "";
	if (v->has_owner)
		snprintf(process, sizeof process, "%s[%d]", v->owner.comm, (int)v->owner.pid);
	else if (v->n_holders)
		snprintf(process, sizeof process, "(%s[%d]?)", v->holders[0].comm,
		         (int)v->holders[0].pid);
	if (process[0])
		snprintf(r->process, sizeof r->process, "%s", process);
	if (e && e->has_remote_geo) {
		char geo[160];
		snprintf(r->where, sizeof r->where, "%s",
		         gw_geoip_format(&e->remote_geo, geo, sizeof geo));
	}
	if (e && (e->server_name || e->n_names))
		snprintf(r->name, sizeof r->name, "%s",
		         e->server_name ? e->server_name : e->names[0]);
}

void gw_cli_tui_flow(struct gw_cli_tui *t, const struct gw_flow *f, const struct gw_verdict *v,
                     const struct gw_verdict_enrich *e, bool provisional)
{
	struct row *r = find_row(t, f->seq, true);
	if (!r)
		return;
	if (!r->new_ms) {
		r->new_ms = now_ms();
		describe_ends(f, r);
	}
	describe_verdict(r, v, e, provisional);
	r->bytes = f->bytes[0] + f->bytes[1];
}

void gw_cli_tui_packet(struct gw_cli_tui *t, const struct gw_flow *f)
{
	struct row *r = find_row(t, f->seq, false);
	if (!r)
		return;
	r->bytes = f->bytes[0] + f->bytes[1];
	const char *state = f->tcp_state ? gw_tcp_state_name((enum gw_tcp_state)f->tcp_state) : "";
	set_text(r->state, sizeof r->state, state, &r->changed_ms);
}

void gw_cli_tui_end(struct gw_cli_tui *t, const struct gw_flow *f)
{
	struct row *r = find_row(t, f->seq, false);
	if (r) {
		r->closed_ms = now_ms();
		r->bytes = f->bytes[0] + f->bytes[1];
	}
}

/* ---- keys ---- */

static void on_key(struct gw_cli_tui *t, char c)
{
	if (t->typing) {
		size_t n = strlen(t->filter);
		if (c == '\n' || c == '\r' || c == 27)
			t->typing = false;
		else if ((c == 127 || c == 8) && n)
			t->filter[n - 1] = '\0';
		else if (c >= 32 && c < 127 && n + 1 < sizeof t->filter)
			t->filter[n] = c;
		return;
	}
	switch (c) {
	case 'q':
		gw_cli_stop = 1;
		break;
	case 'p':
		t->paused = !t->paused;
		t->drawn_paused = false;
		t->last_draw_ms = 0;
		break;
	case 's':
		t->sort = (enum sort_key)((t->sort + 1) % SORT_COUNT);
		break;
	case 'u':
		t->findings_only = !t->findings_only;
		break;
	case '/':
		t->typing = true;
		t->filter[0] = '\0';
		break;
	}
}

static void read_keys(struct gw_cli_tui *t)
{
	char buf[32];
	ssize_t n;
	while ((n = read(STDIN_FILENO, buf, sizeof buf)) > 0)
		for (ssize_t i = 0; i < n; i++)
			on_key(t, buf[i]);
}

/* ---- drawing ---- */

static bool shown(const struct gw_cli_tui *t, const struct row *r)
{
	if (!r->seq || (t->findings_only && !r->finding))
		return false;
	if (!t->filter[0])
		return true;
	char port[8];
	snprintf(port, sizeof port, "%u", r->local_port);
	return strstr(r->process, t->filter) || strstr(r->verdict, t->filter) ||
	       strstr(r->ends, t->filter) || strcmp(port, t->filter) == 0;
}

static const struct gw_cli_tui *sorting;

static int by_key(const void *pa, const void *pb)
{
	const struct row *a = *(const struct row *const *)pa, *b = *(const struct row *const *)pb;
	int c = 0;
	switch (sorting->sort) {
	case SORT_BYTES:
		c = a->bytes > b->bytes ? -1 : a->bytes < b->bytes;
		break;
	case SORT_VERDICT:
		c = (int)b->finding - (int)a->finding;
		if (!c)
			c = strcmp(a->verdict, b->verdict);
		break;
	case SORT_PROCESS:
		c = strcmp(a->process, b->process);
		break;
	default:
		c = (int)a->local_port - (int)b->local_port;
		break;
	}
	return c ? c : (a->seq < b->seq ? -1 : a->seq > b->seq);
}

static const char *colour(const struct row *r, int64_t now)
{
	if (r->finding)
		return "\x1b[7m";
	if (r->closed_ms)
		return "\x1b[31m";
	if (now - r->new_ms < NEW_MS)
		return "\x1b[32m";
	if (r->changed_ms && now - r->changed_ms < CHANGED_MS)
		return "\x1b[33m";
	return "";
}

void gw_cli_tui_tick(struct gw_cli_tui *t, const struct gw_cli_tui_status *st)
{
	read_keys(t);
	int64_t now = now_ms();
	for (size_t i = 0; i < MAX_ROWS; i++)
		if (t->rows[i].seq && t->rows[i].closed_ms &&
		    now - t->rows[i].closed_ms > CLOSED_KEEP_MS)
			t->rows[i].seq = 0;
	if ((t->paused && t->drawn_paused) || now - t->last_draw_ms < REDRAW_MS)
		return;
	t->last_draw_ms = now;
	t->drawn_paused = t->paused;
	static const struct row *order[MAX_ROWS];
	size_t n = 0;
	for (size_t i = 0; i < MAX_ROWS; i++)
		if (shown(t, &t->rows[i]))
			order[n++] = &t->rows[i];
	sorting = t;
	qsort(order, n, sizeof *order, by_key);
	int lines = 24;
	const char *env = getenv("LINES");
	if (env && atoi(env) > 5)
		lines = atoi(env);
	fputs("\x1b[H\x1b[2J", stdout);
	printf("\x1b[1mghostwire watch\x1b[0m  packets %llu  drops %llu  polls %.1f ms avg  "
	       "flows %zu%s  sort: %s%s%s%s\n",
	       (unsigned long long)st->packets, (unsigned long long)st->drops, st->poll_ms_avg, n,
	       t->rows_dropped ? " (view full)" : "", sort_names[t->sort],
	       t->findings_only ? "  findings only" : "",
	       t->filter[0] || t->typing ? "  filter: " : "", t->filter);
	printf("%-22s %-46s %-22s %-24s %-12s %10s  %s\n", "PROCESS", "FLOW", "WHERE", "NAME",
	       "STATE", "BYTES", "VERDICT");
	for (size_t i = 0; i < n && (int)i < lines - 4; i++) {
		const struct row *r = order[i];
		printf("%s%-22.22s %-46.46s %-22.22s %-24.24s %-12.12s %10llu  %s\x1b[0m\n",
		       colour(r, now), r->process, r->ends, r->where, r->name,
		       r->closed_ms ? "closed" : r->state, (unsigned long long)r->bytes,
		       r->verdict);
	}
	printf("\x1b[2m[s]ort [u] findings only [/] filter [p]ause [q]uit%s\x1b[0m",
	       t->paused ? "  PAUSED" : "");
	fflush(stdout);
}
