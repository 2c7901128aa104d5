/* verdict_report.h — reporting verdicts: every verdict as one JSON line with
 * field names after the Elastic Common Schema (docs/verdicts-json.md, schema
 * version 1), and findings as lines for people. */
#ifndef GHOSTWIRE_VERDICT_REPORT_H
#define GHOSTWIRE_VERDICT_REPORT_H

#include <stdio.h>

#include "ghostwire/err.h"
#include "ghostwire/flow.h"
#include "ghostwire/verdict.h"

#define GW_VERDICT_SCHEMA_VERSION 1

int gw_verdict_print_json(FILE *out, const struct gw_flow *f, enum gw_flow_end why,
                          const struct gw_verdict *v, struct gw_err *err) GW_MUST_CHECK;

/* One or two lines: what the flow was, the verdict, its kind, hints and reason,
 * and the owner or the raw/packet socket holders. */
void gw_verdict_print_text(FILE *out, const struct gw_flow *f, const struct gw_verdict *v);

#endif
