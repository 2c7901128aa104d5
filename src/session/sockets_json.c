/* session/sockets_json.c — `ghostwire sockets --json`: each socket as one JSON
 * line in the timeline's socket form (docs/timeline.md), its owner under
 * "process" and any note under "note"; the schema lives in one place. */
#include <stdio.h>

#include "ghostwire/json_line.h"
#include "ghostwire/sock_report.h"
#include "timeline_internal.h"

int gw_sockets_print_json(FILE *out, const struct gw_sockset *s, const struct gw_socket *sock,
                          const char *note, struct gw_err *err)
{
	json_t *o = gw__tl_socket_to_json(sock, err);
	if (!o)
		return err ? err->code : GW_EFORMAT;
	const struct gw_process *p =
	        sock->owner_status == GW_OWNER_KNOWN ? gw_sockset_process(s, sock->pid) : NULL;
	json_t *proc = p ? gw__tl_process_to_json(p, err) : json_null();
	if (!proc) {
		json_decref(o);
		return err ? err->code : GW_EFORMAT;
	}
	json_object_set_new(o, "process", proc);
	if (note)
		json_object_set_new(o, "note", json_string(note));
	int r = gw_json_write_line(out, o, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(o);
	return r < 0 ? gw_err_set(err, GW_EIO, "writing a socket failed") : 0;
}
