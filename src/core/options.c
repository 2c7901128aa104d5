/* core/options.c — the defaults of struct gw_options, in one place. */
#include <string.h>

#include "ghostwire/options.h"

void gw_options_init(struct gw_options *o)
{
	memset(o, 0, sizeof *o);
	o->max_flows = 262144;
	o->idle_timeout_s = 300;
	o->closed_timeout_s = 5;
	o->snaplen = 262144;
	o->buffer_mb = 64;
	o->promisc = false;
	o->immediate = true;
	o->timeout_ms = 100;
	o->frag_slots = 4096;
	o->frag_timeout_s = 30;
	o->hash_seed = 0;
	o->geoip_cache = 4096;
	o->geoip_db_special = false;
}
