/* hostaddr.h — the addresses assigned to this host's interfaces, which make a
 * flow's end "local" in live capture. One implementation per src/os/<os>/. */
#ifndef GHOSTWIRE_HOSTADDR_H
#define GHOSTWIRE_HOSTADDR_H

#include "ghostwire/addr.h"
#include "ghostwire/err.h"

/* Fills out[0..max) with one host prefix (/32 or /128) per interface address and
 * sets *n. More than max addresses is GW_ENOMEM with *n = max filled. */
int gw_host_addrs(struct gw_cidr *out, unsigned max, unsigned *n, struct gw_err *err) GW_MUST_CHECK;

#endif
