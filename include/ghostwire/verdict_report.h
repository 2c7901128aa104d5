/* verdict_report.h — reporting verdicts: every verdict as one JSON line with
 * field names after the Elastic Common Schema (docs/verdicts-json.md, schema
 * version 2), and findings as lines for people. */
#ifndef GHOSTWIRE_VERDICT_REPORT_H
#define GHOSTWIRE_VERDICT_REPORT_H

#include <stdio.h>

#include "ghostwire/err.h"
#include "ghostwire/flow.h"
#include "ghostwire/geoip.h"
#include "ghostwire/verdict.h"

#define GW_VERDICT_SCHEMA_VERSION 2

#define GW_ENRICH_MAX_NAMES       4

/* What enrichment says of a flow beside its verdict: where its remote end is
 * and the names it had on the wire. Every part optional; strings borrowed. */
struct gw_verdict_enrich {
	bool has_remote_geo;
	struct gw_geoip_result remote_geo; /* special range, or country and AS */
	const char *server_name;           /* the flow's own name: TLS SNI or HTTP Host; NULL */
	const char *server_name_source;    /* "sni" or "http-host" */
	const char *names[GW_ENRICH_MAX_NAMES]; /* the remote address's names (DNS answers) */
	size_t n_names;
	const char *allowed_by; /* a finding an allowlist rule suppressed: the rule's name */
	uint8_t held_by;        /* a finding whose alert was held: enum gw_alert_mark */
};

/* What became of a finding's alert: in struct gw_flow.alerted for its opening,
 * in struct gw_verdict_enrich.held_by for its final verdict. */
enum gw_alert_mark {
	GW_ALERT_MARK_NONE = 0,
	GW_ALERT_MARK_SENT,       /* alerted */
	GW_ALERT_MARK_REPEAT,     /* held: like one alerted in the repeat window */
	GW_ALERT_MARK_RATE_LIMIT, /* held: over the alert rate */
	GW_ALERT_MARK_RESTART,    /* held: alerted before a restart (the state file) */
};
/* "repeat", "rate-limit", "restart"; NULL for none and sent. */
const char *gw_alert_mark_held_name(enum gw_alert_mark m);

/* The final verdict of a flow that ended (ghostwire.stage "final"); e may be
 * NULL. */
int gw_verdict_print_json(FILE *out, const struct gw_flow *f, enum gw_flow_end why,
                          const struct gw_verdict *v, const struct gw_verdict_enrich *e,
                          struct gw_err *err) GW_MUST_CHECK;
/* The verdict on a flow's opening, decided at decided_us while it goes on
 * (ghostwire.stage "opening"; written for findings). */
int gw_verdict_print_opening_json(FILE *out, const struct gw_flow *f, int64_t decided_us,
                                  const struct gw_verdict *v, const struct gw_verdict_enrich *e,
                                  struct gw_err *err) GW_MUST_CHECK;

/* CSV (RFC 4180): the header row, then one row per verdict (an opening's at
 * at_us = when it was decided, a final one's at its last packet); columns in
 * docs/verdicts-json.md. */
int gw_verdict_csv_header(FILE *out, struct gw_err *err) GW_MUST_CHECK;
int gw_verdict_print_csv(FILE *out, const struct gw_flow *f, bool opening, int64_t at_us,
                         const struct gw_verdict *v, const struct gw_verdict_enrich *e,
                         struct gw_err *err) GW_MUST_CHECK;

/* One or two lines: what the flow was, the verdict, its kind, hints and reason,
 * and the owner or the raw/packet socket holders. */
void gw_verdict_print_text(FILE *out, const struct gw_flow *f, const struct gw_verdict *v,
                           const struct gw_verdict_enrich *e);

#endif
