/* cli/enrich.c — what replay and watch add to each verdict beside the
 * correlator's answer: where the flow's remote end is (GeoIP country, AS,
 * or its special range). */
#include <string.h>

#include "cli.h"

int gw_cli_enricher_open(struct gw_cli_enricher *x, const struct gw_cli_geoip *files,
                         const struct gw_options *o)
{
	memset(x, 0, sizeof *x);
	x->geo = gw_cli_geoip_open(files, o, false);
	return x->geo ? 0 : GW_EXIT_FAIL;
}

void gw_cli_enricher_close(struct gw_cli_enricher *x)
{
	gw_geoip_free(x->geo);
	x->geo = NULL;
}

void gw_cli_enrich(struct gw_cli_enricher *x, const struct gw_flow *f,
                   struct gw_verdict_enrich *out)
{
	memset(out, 0, sizeof *out);
	if (!x->geo)
		return;
	struct gw_addr remote;
	gw_flow_remote_addr(f, &remote);
	struct gw_err err = {0};
	if (gw_geoip_lookup(x->geo, &remote, &out->remote_geo, &err) < 0) {
		if (!x->geo_errors++)
			gw_cli_error("warning: GeoIP: %s (further errors only counted)", err.msg);
		return;
	}
	out->has_remote_geo = true;
}
