/* session/timeline_internal.h — what the timeline writer and reader share: the
 * JSON form of a socket, a process, a query and a timestamp (docs/timeline.md),
 * built and checked in timeline_json.c. Errors name the JSON path at fault
 * ("sockets[3]: \"local_port\": ..."); the reader adds file and line. */
#ifndef GHOSTWIRE_TIMELINE_INTERNAL_H
#define GHOSTWIRE_TIMELINE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ghostwire/err.h"
#include "ghostwire/socket.h"
#include "ghostwire/sockview.h"
#include "ghostwire/timeline.h"

/* Writes us as RFC 3339 UTC with microseconds into buf (>= 32 bytes); an error
 * if the year is outside 0000..9999, where the text form has four digits. */
int gw__tl_time_format(int64_t us, char *buf, size_t size, struct gw_err *err) GW_MUST_CHECK;

/* Writes the first bytes of s (len bytes, any content) into buf as printable
 * ASCII, other bytes as \xHH, "..." if cut: hostile text quoted in a message
 * can then neither forge a log line nor drive a terminal. Returns buf. */
char *gw__tl_printable(const char *s, size_t len, char *buf, size_t size);

/* "snapshot", "delta", ... or NULL; the parse gives 0 for an unknown name. */
const char *gw__tl_type_name(enum gw_tl_type t);
enum gw_tl_type gw__tl_type_parse(const char *name);
/* Whether event is one that a record of type t may carry ("fork", "add", ...). */
bool gw__tl_event_valid(enum gw_tl_type t, const char *event);

/* Builders: a new reference, or NULL with err set when the value breaks the
 * format's rules (an unknown enum, a string without its NUL, a bad address). */
json_t *gw__tl_time_to_json(int64_t us, struct gw_err *err);
json_t *gw__tl_string_to_json(const char *s, size_t size, const char *what, struct gw_err *err);
json_t *gw__tl_u64_to_json(uint64_t v);
json_t *gw__tl_cidr_to_json(const struct gw_cidr *c, const char *what, struct gw_err *err);
json_t *gw__tl_socket_to_json(const struct gw_socket *s, struct gw_err *err);
json_t *gw__tl_process_to_json(const struct gw_process *p, struct gw_err *err);
json_t *gw__tl_query_to_json(const struct gw_sock_query *q, struct gw_err *err);

/* Field readers. `where` names the enclosing object in messages ("header",
 * "sockets[2]"); a missing key, a wrong type or a value out of range is
 * GW_EFORMAT with a message naming where and key. Outputs are zeroed first. */
int gw__tl_get_time(const json_t *o, const char *where, const char *key, int64_t *out,
                    struct gw_err *err) GW_MUST_CHECK;
int gw__tl_get_uint(const json_t *o, const char *where, const char *key, uint64_t max,
                    uint64_t *out, struct gw_err *err) GW_MUST_CHECK;
int gw__tl_get_int(const json_t *o, const char *where, const char *key, int64_t min, int64_t max,
                   int64_t *out, struct gw_err *err) GW_MUST_CHECK;
int gw__tl_get_bool(const json_t *o, const char *where, const char *key, bool *out,
                    struct gw_err *err) GW_MUST_CHECK;
/* A string into buf[size]: too long for buf (NUL included) is an error, never a cut. */
int gw__tl_get_string(const json_t *o, const char *where, const char *key, char *buf, size_t size,
                      struct gw_err *err) GW_MUST_CHECK;
/* The member key, which must be present and of type `type` (JSON_OBJECT,
 * JSON_ARRAY, ...) or, if nullable, null; *out is NULL for null. */
int gw__tl_get_member(const json_t *o, const char *where, const char *key, json_type type,
                      bool nullable, const json_t **out, struct gw_err *err) GW_MUST_CHECK;
int gw__tl_cidr_from_json(const json_t *v, const char *where, const char *key, struct gw_cidr *out,
                          struct gw_err *err) GW_MUST_CHECK;
int gw__tl_socket_from_json(const json_t *o, const char *where, struct gw_socket *out,
                            struct gw_err *err) GW_MUST_CHECK;
int gw__tl_process_from_json(const json_t *o, const char *where, struct gw_process *out,
                             struct gw_err *err) GW_MUST_CHECK;
int gw__tl_query_from_json(const json_t *o, const char *where, struct gw_sock_query *out,
                           struct gw_err *err) GW_MUST_CHECK;

#endif
