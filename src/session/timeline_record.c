/* session/timeline_record.c — the life of a struct gw_tl_record: its two
 * bounded socket sets are set up with their ceilings once, then emptied for
 * every record read or written, keeping their memory. */
#include <string.h>

#include "ghostwire/timeline.h"

/* Everything but the two sets back to zero. */
static void clear_fields(struct gw_tl_record *rec)
{
	rec->type = 0;
	rec->ts_us = 0;
	memset(&rec->query, 0, sizeof rec->query);
	rec->found = false;
	memset(rec->event, 0, sizeof rec->event);
	rec->pid = 0;
	rec->ppid = 0;
	memset(&rec->addr, 0, sizeof rec->addr);
	rec->since_us = 0;
	rec->drops = 0;
	rec->outage = false;
}

void gw_tl_record_init(struct gw_tl_record *rec, size_t max_sockets, size_t max_processes)
{
	memset(rec, 0, sizeof *rec);
	gw_sockset_init(&rec->set, max_sockets, max_processes);
	gw_sockset_init(&rec->removed, max_sockets, max_processes);
}

void gw_tl_record_fini(struct gw_tl_record *rec)
{
	if (!rec)
		return;
	gw_sockset_fini(&rec->set);
	gw_sockset_fini(&rec->removed);
	clear_fields(rec);
}

void gw_tl_record_clear(struct gw_tl_record *rec)
{
	gw_sockset_clear(&rec->set);
	gw_sockset_clear(&rec->removed);
	clear_fields(rec);
}
