/* report/flow_registry.c — the table of flow reporters by name. */
#include <string.h>

#include "ghostwire/flow_report.h"

static const struct gw_flow_reporter_ops *const reporters[] = {
        &gw_flow_reporter_text,
        &gw_flow_reporter_jsonl,
};

const struct gw_flow_reporter_ops *gw_flow_reporter_find(const char *name)
{
	for (size_t i = 0; i < sizeof reporters / sizeof *reporters; i++)
		if (strcmp(reporters[i]->name, name) == 0)
			return reporters[i];
	return NULL;
}
