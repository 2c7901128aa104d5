/* hostevents_internal.h — the parsers of kernel event messages, apart from the
 * sockets that receive them, so that tests and fuzz targets feed them bytes. */
#ifndef GHOSTWIRE_HOSTEVENTS_INTERNAL_H
#define GHOSTWIRE_HOSTEVENTS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "ghostwire/hostevents.h"

/* Each parses one datagram (one or more netlink messages) of len bytes into
 * out[*n..max), advancing *n, and returns how many messages were malformed. */
typedef uint64_t (*gw__hev_parse_fn)(const uint8_t *buf, size_t len, struct gw_host_event *out,
                                     size_t max, size_t *n);

uint64_t gw__hev_parse_proc(const uint8_t *buf, size_t len, struct gw_host_event *out, size_t max,
                            size_t *n);
uint64_t gw__hev_parse_addr(const uint8_t *buf, size_t len, struct gw_host_event *out, size_t max,
                            size_t *n);
uint64_t gw__hev_parse_destroy(const uint8_t *buf, size_t len, struct gw_host_event *out,
                               size_t max, size_t *n);

#endif
