/* flow_ids.h — names for a flow that other tools understand: its Community ID
 * (the flow hash Zeek, Suricata and Wireshark print, so records join across
 * tools) and a Wireshark display filter that shows its packets. */
#ifndef GHOSTWIRE_FLOW_IDS_H
#define GHOSTWIRE_FLOW_IDS_H

#include <stddef.h>
#include <stdint.h>

#include "ghostwire/flow.h"

#define GW_COMMUNITY_ID_SIZE   32 /* "1:" + 28 base64 characters + NUL, and room */
#define GW_DISPLAY_FILTER_SIZE 192

/* Community ID v1 of f's tuple with seed (0 by default), "1:..." into out.
 * TCP and UDP only (ICMP's needs the message types, which a flow does not
 * keep): returns 0, or -1 with out empty for other protocols. */
int gw_community_id(const struct gw_flow *f, uint16_t seed, char *out, size_t size);

/* A display filter matching f's packets both ways, e.g. "ip.addr==10.0.0.5 &&
 * ip.addr==192.0.2.1 && tcp.port==50100 && tcp.port==443". Returns out. */
const char *gw_display_filter(const struct gw_flow *f, char *out, size_t size);

#endif
