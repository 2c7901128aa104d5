/* verdict_report.h — reporting verdicts: every verdict as one JSON line with
 * field names after the Elastic Common Schema (docs/verdicts-json.md, schema
 * version 2), and findings as lines for people. */
#ifndef GHOSTWIRE_VERDICT_REPORT_H
#define GHOSTWIRE_VERDICT_REPORT_H

#include <stdio.h>

#include "ghostwire/err.h"
#include "ghostwire/flow.h"
#include "ghostwire/verdict.h"

#define GW_VERDICT_SCHEMA_VERSION 2

/* The final verdict of a flow that ended (ghostwire.stage "final"). */
int gw_verdict_print_json(FILE *out, const struct gw_flow *f, enum gw_flow_end why,
                          const struct gw_verdict *v, struct gw_err *err) GW_MUST_CHECK;
/* The verdict on a flow's opening, decided at decided_us while it goes on
 * (ghostwire.stage "opening"; written for findings). */
int gw_verdict_print_opening_json(FILE *out, const struct gw_flow *f, int64_t decided_us,
                                  const struct gw_verdict *v, struct gw_err *err) GW_MUST_CHECK;

/* One or two lines: what the flow was, the verdict, its kind, hints and reason,
 * and the owner or the raw/packet socket holders. */
void gw_verdict_print_text(FILE *out, const struct gw_flow *f, const struct gw_verdict *v);

#endif
