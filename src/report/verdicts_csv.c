/* report/verdicts_csv.c — verdicts as CSV (RFC 4180), one row per verdict,
 * for a spreadsheet or a `netstat -abf 5 > activity.txt` kind of log. Fields
 * are written by libcsv's csv_fwrite, which quotes each one, so no byte of a
 * process name or a reason can break a row; lists are joined by ';'. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <csv.h>

#include "ghostwire/clock.h"
#include "ghostwire/decode.h"
#include "ghostwire/flow_ids.h"
#include "ghostwire/verdict_report.h"

static const char *const columns[] = {
        "time",         "stage",          "verdict",      "kind",        "hints",
        "transport",    "direction",      "local_ip",     "local_port",  "remote_ip",
        "remote_port",  "packets",        "bytes",        "pid",         "process",
        "executable",   "user",           "sha256",       "marks",       "country",
        "asn",          "as_org",         "remote_range", "server_name", "names",
        "community_id", "display_filter", "reason",
};

#define N_COLUMNS (sizeof columns / sizeof columns[0])

struct row {
	FILE *out;
	unsigned n;
	bool failed;
};

static void field(struct row *r, const char *text)
{
	if (r->n++ && fputc(',', r->out) == EOF)
		r->failed = true;
	if (csv_fwrite(r->out, text, strlen(text)) != 0)
		r->failed = true;
}

static void field_u64(struct row *r, uint64_t v)
{
	char buf[24];
	snprintf(buf, sizeof buf, "%" PRIu64, v);
	field(r, buf);
}

/* a,b,c -> a;b;c */
static const char *semis(char *buf)
{
	for (char *p = buf; *p; p++)
		if (*p == ',')
			*p = ';';
	return buf;
}

static int end_row(struct row *r, struct gw_err *err)
{
	if (fputc('\n', r->out) == EOF || r->failed)
		return gw_err_set(err, GW_EIO, "writing a CSV row failed");
	return 0;
}

int gw_verdict_csv_header(FILE *out, struct gw_err *err)
{
	struct row r = {.out = out};
	for (size_t i = 0; i < N_COLUMNS; i++)
		field(&r, columns[i]);
	return end_row(&r, err);
}

static void ends(struct row *r, const struct gw_flow *f)
{
	struct gw_addr a;
	char ip[GW_ADDR_STRLEN];
	gw_flow_local_addr(f, &a);
	field(r, gw_addr_format(&a, ip, sizeof ip));
	field_u64(r, f->key.local_port);
	gw_flow_remote_addr(f, &a);
	field(r, gw_addr_format(&a, ip, sizeof ip));
	field_u64(r, f->key.remote_port);
}

static void owner(struct row *r, const struct gw_verdict *v)
{
	char marks[256];
	if (!v->has_owner) {
		for (int i = 0; i < 6; i++)
			field(r, "");
		return;
	}
	const struct gw_process *p = &v->owner;
	field_u64(r, (uint64_t)(uint32_t)p->pid);
	field(r, p->comm);
	field(r, p->exe);
	field(r, p->user);
	field(r, p->exe_sha256);
	field(r, semis((char *)gw_process_mark_names(p->marks, marks, sizeof marks)));
}

static void remote(struct row *r, const struct gw_verdict_enrich *e)
{
	if (!e || !e->has_remote_geo) {
		for (int i = 0; i < 4; i++)
			field(r, "");
		return;
	}
	field(r, e->remote_geo.country);
	if (e->remote_geo.asn)
		field_u64(r, e->remote_geo.asn);
	else
		field(r, "");
	field(r, e->remote_geo.as_org);
	field(r, gw_geoip_special_name((enum gw_geoip_special)e->remote_geo.special));
}

static void names(struct row *r, const struct gw_verdict_enrich *e)
{
	field(r, e && e->server_name ? e->server_name : "");
	char buf[4 * 260] = "";
	size_t used = 0;
	for (size_t i = 0; e && i < e->n_names && used < sizeof buf; i++) {
		int n = snprintf(buf + used, sizeof buf - used, "%s%s", i ? ";" : "", e->names[i]);
		if (n < 0 || (size_t)n >= sizeof buf - used)
			break;
		used += (size_t)n;
	}
	field(r, buf);
}

int gw_verdict_print_csv(FILE *out, const struct gw_flow *f, bool opening, int64_t at_us,
                         const struct gw_verdict *v, const struct gw_verdict_enrich *e,
                         struct gw_err *err)
{
	struct row r = {.out = out};
	char buf[256], proto[16];
	field(&r, gw_clock_format_us(at_us, buf, sizeof buf));
	field(&r, opening ? "opening" : "final");
	field(&r, gw_verdict_kind_name(v->kind));
	field(&r,
	      v->kind == GW_VERDICT_UNEXPLAINED ? gw_unexplained_kind_name(v->unexplained) : "");
	field(&r, semis((char *)gw_hint_names(v->hints, buf, sizeof buf)));
	field(&r, gw_transport_name(f->key.proto, proto, sizeof proto));
	field(&r, f->orientation == GW_ORIENT_TRANSIT ? "external"
	          : f->opener == GW_DIR_OUT           ? "outbound"
	                                              : "inbound");
	ends(&r, f);
	field_u64(&r, f->packets[0] + f->packets[1]);
	field_u64(&r, f->bytes[0] + f->bytes[1]);
	owner(&r, v);
	remote(&r, e);
	names(&r, e);
	char cid[GW_COMMUNITY_ID_SIZE];
	field(&r, gw_community_id(f, 0, cid, sizeof cid) == 0 ? cid : "");
	field(&r, gw_display_filter(f, buf, sizeof buf));
	field(&r, v->reason);
	return end_row(&r, err);
}
