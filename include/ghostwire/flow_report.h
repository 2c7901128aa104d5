/* flow_report.h — reporters of ended flows (the `flows` command's output):
 * a readable table or JSON lines, chosen by name at run time. */
#ifndef GHOSTWIRE_FLOW_REPORT_H
#define GHOSTWIRE_FLOW_REPORT_H

#include <stdio.h>

#include "ghostwire/engine.h"
#include "ghostwire/err.h"
#include "ghostwire/flow.h"

struct gw_flow_reporter;

struct gw_flow_reporter_ops {
	const char *name;
	/* Writes to out (borrowed for the reporter's life). */
	int (*open)(struct gw_flow_reporter **rep, FILE *out, struct gw_err *err);
	void (*flow)(struct gw_flow_reporter *rep, const struct gw_flow *f, enum gw_flow_end why);
	void (*summary)(struct gw_flow_reporter *rep, const struct gw_run_summary *sum);
	void (*close)(struct gw_flow_reporter *rep); /* accepts NULL */
};

extern const struct gw_flow_reporter_ops gw_flow_reporter_text;
extern const struct gw_flow_reporter_ops gw_flow_reporter_jsonl;

/* The reporter called name ("text", "jsonl"), or NULL. */
const struct gw_flow_reporter_ops *gw_flow_reporter_find(const char *name);

#endif
